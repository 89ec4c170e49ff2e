/**
 * One stack's PR report: the resource diff (diff.ts), the fixed monthly cost before and after
 * (stacks/cost on both recorded plans), and the policy findings new and resolved (the head's policy pack
 * run offline on the base's plan and on the head's).
 */
import { Finding } from "../../policy/run/engine";
import { estimateCost } from "../cost/estimate";
import { CostInput, FixedLine } from "../cost/types";
import { RecordedPlan } from "../plan/recorded";
import { ResourceChange, diffPlans } from "./diff";

export interface CostLine {
    readonly resource: string;
    readonly item: string;
    readonly before: number;
    readonly after: number;
}

export interface CostDelta {
    readonly before: number;
    readonly after: number;
    /** Fixed lines only in the head (before 0), only in the base (after 0), or with another monthly figure. */
    readonly lines: readonly CostLine[];
}

export interface PolicyDelta {
    readonly added: readonly Finding[];
    readonly resolved: readonly Finding[];
    readonly mandatoryAfter: number;
    readonly advisoryAfter: number;
}

export interface StackDiff {
    readonly stack: string;
    /** The base commit (full SHA) and how the user named it. */
    readonly base: { readonly ref: string; readonly commit: string };
    readonly newStack: boolean;
    readonly changes: readonly ResourceChange[];
    readonly cost: CostDelta;
    /** Undefined when the policy delta was not computed (`--no-policy`). */
    readonly policy?: PolicyDelta;
    readonly notes: readonly string[];
}

export interface Place {
    readonly cloud: string;
    readonly region: string;
}

const costInput = (plan: RecordedPlan, place: Place): CostInput => ({
    stack: plan.stack,
    ...place,
    resources: plan.resources,
    outputs: plan.outputs,
});

const cents = (usd: number): number => Math.round(usd * 100) / 100;

export function costDelta(base: RecordedPlan | null, basePlace: Place, head: RecordedPlan, headPlace: Place): CostDelta {
    const before = base ? estimateCost(costInput(base, basePlace)) : undefined;
    const after = estimateCost(costInput(head, headPlace));
    const key = (l: FixedLine) => `${l.resource}\u0000${l.kind}\u0000${l.item}`;
    const sums = new Map<string, { resource: string; item: string; before: number; after: number }>();
    const add = (lines: readonly FixedLine[], side: "before" | "after") => {
        for (const l of lines) {
            const entry = sums.get(key(l)) ?? { resource: l.resource, item: l.item, before: 0, after: 0 };
            entry[side] = cents(entry[side] + l.monthly);
            sums.set(key(l), entry);
        }
    };
    add(before?.fixed ?? [], "before");
    add(after.fixed, "after");
    const lines = [...sums.values()]
        .filter((l) => l.before !== l.after)
        .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.resource.localeCompare(b.resource));
    return { before: before?.fixedMonthly ?? 0, after: after.fixedMonthly, lines };
}

const findingKey = (f: Finding): string => `${f.policy}\u0000${f.urn ?? ""}\u0000${f.enforcementLevel}\u0000${f.message}`;

export function policyDelta(before: readonly Finding[], after: readonly Finding[]): PolicyDelta {
    const was = new Set(before.map(findingKey));
    const is = new Set(after.map(findingKey));
    const byLevel = (a: Finding, b: Finding) =>
        (a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1) ||
        a.policy.localeCompare(b.policy) ||
        (a.urn ?? "").localeCompare(b.urn ?? "");
    return {
        added: after.filter((f) => !was.has(findingKey(f))).sort(byLevel),
        resolved: before.filter((f) => !is.has(findingKey(f))).sort(byLevel),
        mandatoryAfter: after.filter((f) => f.enforcementLevel === "mandatory").length,
        advisoryAfter: after.filter((f) => f.enforcementLevel === "advisory").length,
    };
}

export interface DiffInputs {
    readonly stack: string;
    readonly base: { readonly ref: string; readonly commit: string };
    readonly basePlan: RecordedPlan | null;
    readonly basePlace: Place;
    readonly headPlan: RecordedPlan;
    readonly headPlace: Place;
    /** Findings of the head's pack on the base's plan and the head's; omitted: no policy delta. */
    readonly findings?: { readonly before: readonly Finding[]; readonly after: readonly Finding[] };
    readonly notes?: readonly string[];
}

export function stackDiff(i: DiffInputs): StackDiff {
    return {
        stack: i.stack,
        base: i.base,
        newStack: i.basePlan === null,
        changes: diffPlans(i.basePlan, i.headPlan),
        cost: costDelta(i.basePlan, i.basePlace, i.headPlan, i.headPlace),
        policy: i.findings ? policyDelta(i.findings.before, i.findings.after) : undefined,
        notes: i.notes ?? [],
    };
}
