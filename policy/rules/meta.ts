/**
 * How a rule is declared: the CrossGuard policy object plus the metadata the coverage table and the
 * offline runner read (`mlops`: public IDs mirrored, clouds, category, enforcement, resource types).
 *
 * Two builders cover every rule:
 *   - `resourceRule`: a check of one resource's inputs. Mandatory and advisory ones become
 *     ResourceValidationPolicies; `prod` ones become StackValidationPolicies, because a resource's
 *     environment may only be knowable from the rest of the stack (environment.ts).
 *   - `stackRule`: a check that joins resources (companions, namespaces, autoscalers).
 *
 * Every violation reads "<problem>. Fix: <remediation>", the remediation naming the `mlops:` config key
 * or the component default to change.
 */
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Fields, whenKnown } from "./lib/read";
import { StackView } from "./lib/stack-view";

export type Cloud = "aws" | "gcp" | "azure" | "kubernetes";
export const CLOUDS: readonly Cloud[] = ["aws", "gcp", "azure", "kubernetes"];

/** Security and data-loss rules are mandatory everywhere; reliability rules bind in production. */
export type Category = "security" | "data-loss" | "reliability";

/**
 * `mandatory` and `advisory` as in CrossGuard. `prod`: mandatory for resources whose environment is in
 * the rule's `environments` config (default `["prod"]`), not applicable to the others.
 */
export type Enforcement = "mandatory" | "advisory" | "prod";

export interface RuleMetadata {
    /** Public rule IDs this rule mirrors (Checkov, Trivy AVD/KSV, CIS), or `mlops-custom` for gaps. */
    readonly mirrors: readonly string[];
    readonly clouds: readonly Cloud[];
    readonly category: Category;
    readonly enforcement: Enforcement;
    /** Pulumi type tokens the rule inspects. */
    readonly types: readonly string[];
}

export type MlopsResourcePolicy = ResourceValidationPolicy & { readonly mlops: RuleMetadata };
export type MlopsStackPolicy = StackValidationPolicy & { readonly mlops: RuleMetadata };
export type MlopsPolicy = MlopsResourcePolicy | MlopsStackPolicy;

/** Marks a rule as covering a gap the public rule sets leave (docs/security-baseline.md section 6). */
export const CUSTOM = "mlops-custom";

/** A policy config knob: its JSON schema and its default. */
export interface Knob {
    readonly schema: PolicyConfigJSONSchema;
    readonly default: unknown;
}

/** A rule's knob values: the pack's JSON schema checks their types, and defaults fill the knobs not given. */
export type RuleConfig = Readonly<Record<string, unknown>>;

/** A number knob's value (its schema says `type: "number"` or `"integer"`, and it has a default). */
export function numberKnob(config: RuleConfig, key: string): number {
    return config[key] as number;
}

/** A string-list knob's value (its schema says `type: "array"` of strings, and it has a default). */
export function stringsKnob(config: RuleConfig, key: string): readonly string[] {
    return config[key] as readonly string[];
}

interface RuleSpec {
    readonly name: string;
    /** What the rule checks, one sentence (CLI output and coverage table). */
    readonly description: string;
    readonly severity: Severity;
    /** Which `mlops:` key or component default to change. */
    readonly remediation: string;
    readonly mirrors: readonly string[];
    readonly clouds: readonly Cloud[];
    readonly category: Category;
    readonly enforcement: Enforcement;
    readonly types: readonly string[];
    readonly knobs?: Readonly<Record<string, Knob>>;
}

/** What a resource check sees. */
export interface Subject {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Fields;
    readonly protect: boolean;
}

/** Returns the problems found (empty when compliant). */
export type Check = (r: Subject, config: RuleConfig) => readonly string[];

export interface StackContext {
    readonly view: StackView;
    readonly config: RuleConfig;
    /** Whether the rule binds for this resource (always, except `prod` rules outside their environments). */
    inScope(r: PolicyResource): boolean;
    /** Reports a problem on a resource, or on the stack as a whole when `r` is undefined. */
    report(r: PolicyResource | undefined, problem: string): void;
}

const ENVIRONMENTS_KNOB: Knob = {
    schema: {
        type: "array",
        items: { type: "string", enum: ["dev", "staging", "prod"] },
        description: "Environments in which this rule is mandatory.",
    },
    default: ["prod"],
};

function knobsOf(spec: RuleSpec): Record<string, Knob> {
    return spec.enforcement === "prod" ? { environments: ENVIRONMENTS_KNOB, ...spec.knobs } : { ...spec.knobs };
}

function configSchemaOf(spec: RuleSpec): PolicyConfigSchema | undefined {
    const knobs = Object.entries(knobsOf(spec));
    if (knobs.length === 0) return undefined;
    return { properties: Object.fromEntries(knobs.map(([k, v]) => [k, { ...v.schema, default: v.default } as PolicyConfigJSONSchema])) };
}

function configOf(spec: RuleSpec, given: object): RuleConfig {
    const defaults = Object.fromEntries(Object.entries(knobsOf(spec)).map(([k, v]) => [k, v.default]));
    return { ...defaults, ...given };
}

/** The full violation message. */
export function violation(remediation: string, problem: string): string {
    return `${problem}. Fix: ${remediation}`;
}

function common(spec: RuleSpec): {
    name: string;
    description: string;
    severity: Severity;
    enforcementLevel: EnforcementLevel;
    remediationSteps: string;
    configSchema?: PolicyConfigSchema;
    mlops: RuleMetadata;
} {
    return {
        name: spec.name,
        description: spec.description,
        severity: spec.severity,
        enforcementLevel: spec.enforcement === "advisory" ? "advisory" : "mandatory",
        remediationSteps: spec.remediation,
        ...(configSchemaOf(spec) ? { configSchema: configSchemaOf(spec) } : {}),
        mlops: { mirrors: spec.mirrors, clouds: spec.clouds, category: spec.category, enforcement: spec.enforcement, types: spec.types },
    };
}

/** A rule on single resources of `types`. */
export function resourceRule(spec: RuleSpec & { readonly check: Check }): MlopsPolicy {
    if (spec.enforcement === "prod") {
        return stackRule({
            ...spec,
            validate: ({ view, config, inScope, report }) => {
                for (const r of view.ofType(spec.types).filter(inScope)) {
                    const subject = { type: r.type, name: r.name, urn: r.urn, props: r.props, protect: r.opts?.protect === true };
                    // One unknown value skips that resource, not the whole stack (it is checked again on `up`).
                    for (const problem of whenKnown(() => spec.check(subject, config)) ?? []) report(r, problem);
                }
            },
        });
    }
    return {
        ...common(spec),
        validateResource: (args, reportViolation) => {
            if (!spec.types.includes(args.type)) args.notApplicable(`applies to ${spec.types.join(", ")}`);
            const subject = { type: args.type, name: args.name, urn: args.urn, props: args.props, protect: args.opts?.protect === true };
            for (const problem of spec.check(subject, configOf(spec, args.getConfig())))
                reportViolation(violation(spec.remediation, problem));
        },
    };
}

/** A rule that joins resources of the stack; `types` are the resources it judges. */
export function stackRule(spec: RuleSpec & { readonly validate: (ctx: StackContext) => void }): MlopsStackPolicy {
    return {
        ...common(spec),
        validateStack: (args, reportViolation) => {
            const view = new StackView(args.resources, args.stackTags);
            const subjects = view.ofType(spec.types);
            if (subjects.length === 0) args.notApplicable(`no ${spec.types.join(", ")} in this stack`);
            const config = configOf(spec, args.getConfig());
            const environments = (config.environments as readonly string[] | undefined) ?? [];
            const inScope = (r: PolicyResource) => spec.enforcement !== "prod" || environments.includes(view.environmentOf(r));
            if (!subjects.some(inScope))
                args.notApplicable(
                    `binds in ${environments.join(", ")} only; this stack's resources are ${[...new Set(subjects.map((r) => view.environmentOf(r)))].join(", ")}`,
                );
            spec.validate({ view, config, inScope, report: (r, problem) => reportViolation(violation(spec.remediation, problem), r?.urn) });
        },
    };
}
