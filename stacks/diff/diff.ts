/**
 * The resource diff of two recorded plans (stacks/plan/recorded.ts): what `pulumi up` would do to go from
 * the base commit's plan to the head's. A URN only in the head is a create, only in the base a delete (so a
 * rename, a new parent or a new type is a delete plus a create); a URN in both whose inputs changed is an
 * update, or a replace when a changed input is one the provider cannot change in place (replace.ts).
 */
import { RecordedPlan, RecordedResource } from "../plan/recorded";
import { SECRET_FIXTURE } from "../plan/stack-config";
import { STATEFUL_KINDS, replacingPaths } from "./replace";

export type Action = "create" | "update" | "replace" | "delete";

/** One changed input, its values as the report shows them (secrets hidden). */
export interface InputChange {
    readonly path: string;
    readonly before: string;
    readonly after: string;
}

export interface ResourceChange {
    readonly action: Action;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Changed input paths (update and replace), and option or dependency changes as `(options).protect`. */
    readonly changes: readonly InputChange[];
    /** The changed inputs that force the replacement. */
    readonly replacedBy: readonly string[];
    /** What the resource holds when it holds data (`bucket`, `encryption key`...), else undefined. */
    readonly stateful?: string;
    /** The base's `protect` (deletes and replaces) or the head's (creates and updates). */
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
}

const SECRET_KEY =
    /password|passwd|secret|token|private_?key|privatekey|connection_?string|access_?key|credential|sas_?key|api_?key|webhook/i;

const isComponent = (type: string): boolean => type.startsWith("mlops:") || type.startsWith("pulumi:");

/** A string holding a JSON document (an IAM policy, a container definition), parsed; else undefined. */
function embeddedJson(value: unknown): object | undefined {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
    try {
        const parsed: unknown = JSON.parse(value);
        return parsed !== null && typeof parsed === "object" ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** Leaf paths of a JSON value (`a.b[0].c`; inside a JSON document held in a string, `policy.Statement[0]`); an empty object or array is a leaf. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
    const doc = embeddedJson(value);
    if (doc) return leaves(doc, prefix, out);
    if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => leaves(v, `${prefix}[${i}]`, out));
    else if (value !== null && typeof value === "object" && Object.keys(value).length > 0)
        for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
    else out.set(prefix, value);
    return out;
}

const containsSecret = (value: unknown): boolean => JSON.stringify(value ?? null).includes(SECRET_FIXTURE);

/** A value as the report prints it: JSON, clipped, "(secret)" for secret-looking keys or the offline secret fixture. */
export function shown(path: string, value: unknown): string {
    if (value === undefined) return "(none)";
    if (SECRET_KEY.test(path) || containsSecret(value)) return "(secret)";
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Every changed leaf between two input objects, sorted by path. */
export function inputChanges(before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): InputChange[] {
    const a = leaves(before, "", new Map());
    const b = leaves(after, "", new Map());
    const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
    return paths
        .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
        .map((p) => ({ path: p, before: shown(p, a.get(p)), after: shown(p, b.get(p)) }));
}

function change(action: Action, r: RecordedResource, changes: InputChange[] = [], replacedBy: string[] = []): ResourceChange {
    return {
        action,
        urn: r.urn,
        type: r.type,
        name: r.name,
        changes,
        replacedBy,
        stateful: STATEFUL_KINDS[r.type],
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
    };
}

/**
 * The changes that take `base` to `head`, cloud resources only (components are the program's structure),
 * in a stable order: replaces, deletes, creates, updates, each by URN. `base` null is a new stack.
 */
export function diffPlans(base: RecordedPlan | null, head: RecordedPlan): ResourceChange[] {
    const before = new Map((base?.resources ?? []).filter((r) => !isComponent(r.type)).map((r) => [r.urn, r]));
    const after = new Map(head.resources.filter((r) => !isComponent(r.type)).map((r) => [r.urn, r]));
    const out: ResourceChange[] = [];
    for (const [urn, r] of before) if (!after.has(urn)) out.push(change("delete", r));
    for (const [urn, r] of after) if (!before.has(urn)) out.push(change("create", r));
    for (const [urn, b] of before) {
        const h = after.get(urn);
        if (!h) continue;
        const changes = inputChanges(b.inputs, h.inputs);
        const replacedBy = replacingPaths(
            h.type,
            changes.map((c) => c.path),
        );
        for (const key of ["protect", "retainOnDelete"] as const)
            if (b.options[key] !== h.options[key])
                changes.push({ path: `(options).${key}`, before: String(b.options[key]), after: String(h.options[key]) });
        if (JSON.stringify(b.dependsOn) !== JSON.stringify(h.dependsOn))
            changes.push({ path: "(dependsOn)", before: `${b.dependsOn.length} resources`, after: `${h.dependsOn.length} resources` });
        if (changes.length === 0) continue;
        // A replace deletes the resource as it is now: the base's protect and retainOnDelete decide what happens.
        out.push({ ...change(replacedBy.length ? "replace" : "update", replacedBy.length ? b : h, changes, replacedBy), name: h.name });
    }
    const order: Record<Action, number> = { replace: 0, delete: 1, create: 2, update: 3 };
    return out.sort((x, y) => order[x.action] - order[y.action] || x.urn.localeCompare(y.urn));
}

/** Replaced or deleted resources that hold data: what the report flags first. */
export const losesState = (c: ResourceChange): boolean => (c.action === "replace" || c.action === "delete") && c.stateful !== undefined;

/** What stops (or does not stop) the loss of a replaced or deleted resource. */
export function protection(c: ResourceChange): string {
    if (c.protect) return `protected: the engine refuses to ${c.action} it until protect is removed`;
    if (c.retainOnDelete) return "not protected, but retainOnDelete keeps the old one in the cloud (outside the stack)";
    return "NOT protected: protect: true would stop it";
}
