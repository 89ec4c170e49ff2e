/**
 * Runs policies offline the way the CrossGuard policy server does (`@pulumi/policy` 1.21 server.js):
 * enforcement level from policy config, then the policy, then the pack default; `disabled` skips;
 * `notApplicable` ends a policy quietly; reading a value unknown at preview turns that run into an
 * advisory "can't run policy ... during preview". Props are wrapped in the SDK's own unknown-checking
 * proxy, so rules meet unknowns exactly as they do under `pulumi preview`.
 */
import {
    EnforcementLevel,
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";

/** A resource as the engine shows it to policies. */
export interface OfflineResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs; unknown values are the engine's unknown sentinel (`rpc.unknownValue`). */
    readonly props: Record<string, unknown>;
    readonly protect: boolean;
    /** The ID the (mocked) engine gave it; only the offline preview simulation reads it. */
    readonly id?: string;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Finding {
    readonly policy: string;
    readonly enforcementLevel: "mandatory" | "advisory";
    readonly severity?: Severity;
    /** The resource in violation (stack rules may report the stack as a whole: undefined). */
    readonly urn?: string;
    readonly message: string;
}

/** `--policy-pack-config` JSON: policy name (or `all`) to a level, or to `{ enforcementLevel?, ...knobs }`. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface RunOptions {
    readonly stackTags?: ReadonlyMap<string, string>;
    readonly config?: PackConfig;
    /** The pack's default level (policy/index.ts). @default "advisory" */
    readonly packEnforcement?: EnforcementLevel;
}

class NotApplicable extends Error {}

const isStackPolicy = (p: Policy): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";

function policyConfig(config: PackConfig, name: string): { enforcementLevel?: EnforcementLevel } & Record<string, unknown> {
    const entry = config[name];
    return typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
}

function levelOf(p: Policy, options: RunOptions): EnforcementLevel {
    const config = options.config ?? {};
    return (
        policyConfig(config, p.name).enforcementLevel ??
        p.enforcementLevel ??
        policyConfig(config, "all").enforcementLevel ??
        options.packEnforcement ??
        "advisory"
    );
}

function knobsOf(config: PackConfig, name: string): object {
    const { enforcementLevel: _level, ...knobs } = policyConfig(config, name);
    return knobs;
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

const opts = (r: OfflineResource) => ({
    protect: r.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
});

/** Type checks by token: `isType(aws.s3.Bucket)` compares the class's `__pulumiType`. */
const isTypeOf =
    (type: string) =>
    (cls: unknown): boolean => {
        const isInstance: unknown = (cls as { isInstance?: unknown } | null | undefined)?.isInstance;
        return typeof isInstance === "function" && Boolean(isInstance.call(cls, { __pulumiType: type }));
    };

function resourceArgs(r: OfflineResource, p: Policy, options: RunOptions): ResourceValidationArgs {
    const props = unknownCheckingProxy(r.props);
    const is = isTypeOf(r.type);
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: opts(r),
        stackTags: options.stackTags ?? new Map(),
        isType: is as ResourceValidationArgs["isType"],
        asType: ((cls: unknown) => (is(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => knobsOf(options.config ?? {}, p.name) as T,
        notApplicable: throwNotApplicable,
    };
}

function stackArgs(resources: readonly OfflineResource[], p: Policy, options: RunOptions): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const built = resources.map((r) => {
        const props = unknownCheckingProxy(r.props);
        const is = isTypeOf(r.type);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: opts(r),
            dependencies: [],
            propertyDependencies: {},
            isType: is as PolicyResource["isType"],
            asType: ((cls: unknown) => (is(cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    // Parents and dependencies point at the resource objects themselves, as the policy server builds them.
    resources.forEach((r, i) => {
        const resource = built[i];
        if (r.parent && byUrn.has(r.parent)) resource.parent = byUrn.get(r.parent);
        resource.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            resource.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        }
    });
    return {
        resources: built,
        stackTags: options.stackTags ?? new Map(),
        getConfig: <T extends object>() => knobsOf(options.config ?? {}, p.name) as T,
        notApplicable: throwNotApplicable,
    };
}

/** Runs one validation, recording an unknown-at-preview read as the server does. */
async function runOne(p: Policy, urn: string | undefined, fn: () => Promise<void> | void, out: Finding[]): Promise<void> {
    try {
        await fn();
    } catch (e) {
        if (e instanceof NotApplicable) return;
        if (e instanceof UnknownValueError) {
            out.push({
                policy: p.name,
                enforcementLevel: "advisory",
                severity: p.severity,
                urn,
                message: `can't run policy '${p.name}' during preview: ${(e as Error).message}`,
            });
            return;
        }
        throw new Error(`policy ${p.name} failed${urn ? ` on ${urn}` : ""}: ${(e as Error)?.stack ?? e}`);
    }
}

/** Runs every policy over the resources and returns every finding, mandatory and advisory. */
export async function runPolicies(
    policies: readonly Policy[],
    resources: readonly OfflineResource[],
    options: RunOptions = {},
): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const p of policies) {
        const configured = levelOf(p, options);
        if (configured === "disabled") continue;
        // Like the server: a violation still standing under "remediate" is mandatory.
        const level = configured === "advisory" ? "advisory" : "mandatory";
        const push = (urn: string | undefined) => (message: string, reportedUrn?: string) =>
            findings.push({ policy: p.name, enforcementLevel: level, severity: p.severity, urn: reportedUrn ?? urn, message });
        if (isStackPolicy(p)) {
            await runOne(p, undefined, () => p.validateStack(stackArgs(resources, p, options), push(undefined)), findings);
            continue;
        }
        const validations = [(p as ResourceValidationPolicy).validateResource ?? []].flat();
        for (const r of resources) {
            for (const validate of validations) {
                await runOne(p, r.urn, () => validate(resourceArgs(r, p, options), push(r.urn)), findings);
            }
        }
    }
    return findings;
}
