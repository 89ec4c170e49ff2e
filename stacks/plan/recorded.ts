/**
 * The recorded form of an offline plan: what a refactor must not change. Every resource's URN, type,
 * name, parent, options and dependencies, every cloud resource's inputs, and the stack outputs. Component
 * resources (`mlops:*`) are recorded without their inputs: those are the program's own arguments, free to
 * change shape as long as the cloud resources under them do not.
 *
 * `npm run --silent plans:record` writes tests/fixtures/plans/<stack>.json; tests/stacks/recorded-plans.test.ts
 * compares each shipped stack's plan with its record and lists every difference.
 */
import { Plan } from "./plan";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean };
    readonly dependsOn: readonly string[];
    readonly inputs?: Record<string, unknown>;
}

export interface RecordedPlan {
    readonly stack: string;
    readonly resources: RecordedResource[];
    readonly outputs: unknown;
}

const isComponent = (type: string): boolean => type.startsWith("mlops:") || type === "pulumi:pulumi:Stack";

/** Keys sorted at every level, so a record is stable text and differences are about values only. */
function sorted(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sorted);
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value as object)
                .sort()
                .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

export function recordPlan(plan: Plan): RecordedPlan {
    const resources = plan.resources.map((r) => {
        const deps = plan.dependencies?.get(r.urn)?.dependencies ?? [];
        const base = { urn: r.urn, type: r.type, name: r.name, parent: r.parent, options: r.options, dependsOn: [...new Set(deps)].sort() };
        return isComponent(r.type) ? base : { ...base, inputs: sorted(r.inputs) as Record<string, unknown> };
    });
    resources.sort((a, b) => a.urn.localeCompare(b.urn));
    return { stack: plan.stack, resources, outputs: sorted(JSON.parse(JSON.stringify(plan.outputs ?? {}))) };
}

/** Every difference between two records, one line each, empty when they are the same plan. */
export function differences(recorded: RecordedPlan, current: RecordedPlan): string[] {
    const out: string[] = [];
    const before = new Map(recorded.resources.map((r) => [r.urn, r]));
    const after = new Map(current.resources.map((r) => [r.urn, r]));
    for (const urn of before.keys()) if (!after.has(urn)) out.push(`removed ${urn}`);
    for (const urn of after.keys()) if (!before.has(urn)) out.push(`added ${urn}`);
    for (const [urn, a] of before) {
        const b = after.get(urn);
        if (!b) continue;
        for (const key of ["name", "parent", "options", "dependsOn", "inputs"] as const) {
            const x = JSON.stringify(a[key]);
            const y = JSON.stringify(b[key]);
            if (x !== y) out.push(`changed ${urn} ${key}: ${clip(x)} -> ${clip(y)}`);
        }
    }
    const ox = JSON.stringify(recorded.outputs);
    const oy = JSON.stringify(current.outputs);
    if (ox !== oy) out.push(`changed outputs: ${clip(ox)} -> ${clip(oy)}`);
    return out;
}

function clip(s: string | undefined): string {
    if (s === undefined) return "undefined";
    return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}
