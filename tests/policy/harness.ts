/**
 * Table-driven rule tests. Each rule gets a compliant golden stack and a list of failing mutations; the
 * harness turns them into mocha tests that run the rule through the offline engine (policy/run/engine.ts,
 * the same code as `npm run policy`) and assert the exact violation messages and the resource they land on.
 */
import * as assert from "node:assert/strict";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { ENVIRONMENT_TAG } from "../../policy/rules/lib/environment";
import { MlopsPolicy, violation } from "../../policy/rules/meta";
import { Finding, OfflineResource, PackConfig, runPolicies } from "../../policy/run/engine";

/** The engine's marker for a value unknown at preview. */
export const UNKNOWN = rpc.unknownValue;

/** A test resource; `deps` and `dependsOn` name other resources of the same stack. */
export interface Res {
    readonly name: string;
    readonly type: string;
    readonly props: Record<string, any>;
    readonly protect?: boolean;
    /** Property dependencies: input name -> names of the resources it came from. */
    readonly deps?: Readonly<Record<string, readonly string[]>>;
    readonly dependsOn?: readonly string[];
}

export const urnOf = (r: Pick<Res, "type" | "name">): string => `urn:pulumi:test::mlops::${r.type}::${r.name}`;

export function toOffline(resources: readonly Res[]): OfflineResource[] {
    const byName = new Map(resources.map((r) => [r.name, r]));
    // Like the policy server, dependencies on resources outside the stack (dropped companions) vanish.
    const urns = (names: readonly string[] = []) => names.flatMap((n) => (byName.has(n) ? [urnOf(byName.get(n)!)] : []));
    return resources.map((r) => ({
        urn: urnOf(r),
        type: r.type,
        name: r.name,
        props: r.props,
        protect: r.protect ?? false,
        dependencies: urns([...(r.dependsOn ?? []), ...Object.values(r.deps ?? {}).flat()]),
        propertyDependencies: Object.fromEntries(Object.entries(r.deps ?? {}).map(([k, v]) => [k, urns(v)])),
    }));
}

export interface RunOptions {
    /** Sets the `mlops:environment` stack tag; unset means no tag. */
    readonly environment?: string;
    /** Knobs for the rule under test. */
    readonly config?: Record<string, unknown>;
}

export async function run(rule: MlopsPolicy, resources: readonly Res[], options: RunOptions = {}): Promise<Finding[]> {
    const stackTags = new Map(options.environment ? [[ENVIRONMENT_TAG, options.environment]] : []);
    const config: PackConfig = options.config ? { [rule.name]: options.config as PackConfig[string] } : {};
    return runPolicies([rule], toOffline(resources), { stackTags, config });
}

/** Splits `a.b[c.d/e].0` into keys; brackets hold keys that contain dots (label names). */
export function pathKeys(path: string): string[] {
    return [...path.matchAll(/\[([^\]]+)\]|[^.[\]]+/g)].map((m) => m[1] ?? m[0]);
}

/** Sets (or, with `undefined`, deletes) a path; numeric keys index arrays. */
export function setPath(obj: Record<string, any>, path: string, value: unknown): void {
    const keys = pathKeys(path);
    let current: any = obj;
    for (const [i, key] of keys.slice(0, -1).entries()) {
        if (current[key] === undefined || current[key] === null) current[key] = /^\d+$/.test(keys[i + 1]) ? [] : {};
        current = current[key];
    }
    const last = keys[keys.length - 1];
    if (value === undefined) {
        if (Array.isArray(current)) current.splice(Number(last), 1);
        else delete current[last];
    } else current[last] = value;
}

export interface Mutation {
    /** `"path"` edits the first resource; `"name:path"` edits the named one. Value `undefined` deletes. */
    readonly set?: Readonly<Record<string, unknown>>;
    /** Resources left out (a missing companion). */
    readonly drop?: readonly string[];
    readonly add?: readonly Res[];
    /** Resource-option edits: name -> protect. */
    readonly protect?: Readonly<Record<string, boolean>>;
}

export interface FailCase extends Mutation {
    /** Completes "fails when ...". */
    readonly when: string;
    /** Problems, exactly; the harness appends the rule's ". Fix: <remediation>". */
    readonly problems: readonly string[];
    /** Resource the violations land on (default: the first resource); `null` for the stack as a whole. */
    readonly on?: string | null;
}

export interface PassCase extends Mutation {
    /** Completes "passes when ...". */
    readonly when: string;
}

export interface RuleTable {
    readonly rule: MlopsPolicy;
    /** A compliant stack; the first resource is the one the rule judges. */
    readonly golden: () => Res[];
    readonly passes?: readonly PassCase[];
    readonly fails: readonly FailCase[];
    /**
     * A value the verdict depends on, made unknown (preview). Resource rules must surface it as the
     * server does (one advisory "can't run during preview"); stack rules must skip that resource.
     */
    readonly unknown: Readonly<Record<string, unknown>> | "reads no input";
    /** Environment for the runs (prod rules default to prod). */
    readonly environment?: string;
}

export function mutate(golden: readonly Res[], m: Mutation): Res[] {
    const kept = golden.filter((r) => !(m.drop ?? []).includes(r.name));
    const copy: Res[] = JSON.parse(JSON.stringify([...kept, ...(m.add ?? [])]));
    for (const [key, value] of Object.entries(m.set ?? {})) {
        const [name, path] = key.includes(":") ? key.split(/:(.*)/s) : [copy[0].name, key];
        const target = copy.find((r) => r.name === name);
        if (!target) throw new Error(`no resource ${name} to edit`);
        setPath(target.props, path, value);
    }
    for (const [name, protect] of Object.entries(m.protect ?? {})) {
        const target = copy.find((r) => r.name === name);
        if (!target) throw new Error(`no resource ${name} to protect`);
        (target as { protect?: boolean }).protect = protect;
    }
    return copy;
}

/** Sets values to UNKNOWN without JSON-copying them away (the sentinel is a string, so it survives). */
const withUnknown = (golden: readonly Res[], paths: Readonly<Record<string, unknown>>) =>
    mutate(golden, { set: Object.fromEntries(Object.keys(paths).map((k) => [k, UNKNOWN])) });

/** The full message a rule reports for a problem. */
export const messageOf = (rule: MlopsPolicy, problem: string): string => violation(rule.remediationSteps ?? "", problem);

const summary = (fs: readonly Finding[]) => fs.map((f) => ({ level: f.enforcementLevel, urn: f.urn ?? null, message: f.message }));

/** Names of the rules that have a table (pack.test.ts requires every rule to have one). */
export const tested = new Set<string>();

/** Registers the tests of one rule. */
export function describeRule(table: RuleTable): void {
    const { rule } = table;
    tested.add(rule.name);
    const prod = rule.mlops.enforcement === "prod";
    const environment = table.environment ?? (prod ? "prod" : undefined);
    const level = rule.mlops.enforcement === "advisory" ? "advisory" : "mandatory";
    const golden = table.golden();
    const isStackRule = "validateStack" in rule;
    const expected = (c: FailCase, resources: readonly Res[]) => {
        const target = c.on === null ? undefined : resources.find((r) => r.name === (c.on ?? golden[0].name));
        return c.problems.map((p) => ({ level, urn: target ? urnOf(target) : null, message: messageOf(rule, p) }));
    };

    describe(`${rule.name} (${rule.mlops.mirrors.join(", ")})`, () => {
        it("passes the compliant golden stack", async () => {
            assert.deepEqual(summary(await run(rule, golden, { environment })), []);
        });
        for (const c of table.passes ?? []) {
            it(`passes when ${c.when}`, async () => {
                assert.deepEqual(summary(await run(rule, mutate(golden, c), { environment })), []);
            });
        }
        for (const c of table.fails) {
            it(`fails when ${c.when}`, async () => {
                const resources = mutate(golden, c);
                assert.deepEqual(summary(await run(rule, resources, { environment })), expected(c, resources));
            });
        }
        const unknown = table.unknown;
        if (unknown !== "reads no input") {
            it(
                isStackRule
                    ? "skips a resource whose deciding value is unknown at preview"
                    : "reports an unknown deciding value as the server does: advisory, can't run during preview",
                async () => {
                    const found = summary(await run(rule, withUnknown(golden, unknown), { environment }));
                    if (isStackRule) assert.deepEqual(found, []);
                    else {
                        assert.equal(found.length, 1, JSON.stringify(found));
                        assert.equal(found[0].level, "advisory");
                        assert.match(found[0].message, new RegExp(`^can't run policy '${rule.name}' during preview: `));
                    }
                },
            );
        }
        if (prod) {
            const first = table.fails[0];
            it("does not bind outside prod (the same failure in a dev stack is not reported)", async () => {
                assert.deepEqual(summary(await run(rule, mutate(golden, first), { environment: "dev" })), []);
            });
            it("binds in staging too when its environments config says so", async () => {
                const resources = mutate(golden, first);
                assert.deepEqual(
                    summary(await run(rule, resources, { environment: "staging", config: { environments: ["prod", "staging"] } })),
                    expected(first, resources),
                );
            });
        }
    });
}
