/** The PR report as text (a terminal), Markdown (a PR comment: one section per stack) or JSON. */
import { Finding } from "../../policy/run/engine";
import { shortKind } from "../cost/estimate";
import { usd } from "../cost/render";
import { Action, ResourceChange, losesState, protection } from "./diff";
import { StackDiff } from "./report";

const count = (d: StackDiff, a: Action): number => d.changes.filter((c) => c.action === a).length;

const signed = (usdDelta: number): string => (usdDelta < 0 ? `-${usd(-usdDelta)}` : `+${usd(usdDelta)}`);

const delta = (d: StackDiff): number => Math.round((d.cost.after - d.cost.before) * 100) / 100;

/** `3 to replace (2 stateful), 1 to delete, 12 to create, 4 to update`, or `no changes`. */
export function summary(d: StackDiff): string {
    const parts: string[] = [];
    const stateful = (a: Action) => d.changes.filter((c) => c.action === a && c.stateful).length;
    for (const a of ["replace", "delete", "create", "update"] as const) {
        const n = count(d, a);
        if (!n) continue;
        const s = a === "replace" || a === "delete" ? stateful(a) : 0;
        parts.push(`${n} to ${a}${s ? ` (${s} stateful)` : ""}`);
    }
    return parts.length ? parts.join(", ") : "no changes";
}

const costLine = (d: StackDiff): string =>
    `${d.newStack ? "(new stack)" : usd(d.cost.before)} -> ${usd(d.cost.after)} a month (${signed(delta(d))})`;

function policyLine(d: StackDiff): string {
    if (!d.policy) return "not run (--no-policy)";
    const p = d.policy;
    const mand = p.added.filter((f) => f.enforcementLevel === "mandatory").length;
    return `${p.added.length} new (${mand} mandatory), ${p.resolved.length} resolved; after the change ${p.mandatoryAfter} mandatory, ${p.advisoryAfter} advisory`;
}

const resourceName = (urn?: string): string => (urn ? (urn.split("::").pop() ?? urn) : "(stack)");
const resourceType = (urn?: string): string => (urn ? shortKind(urn.split("::")[2]?.split("$").pop() ?? "") : "");

const findingText = (f: Finding): string =>
    `[${f.enforcementLevel}] ${f.policy}  ${resourceType(f.urn)} ${resourceName(f.urn)}: ${f.message}`;

const SYMBOL: Record<Action, string> = { replace: "+-", delete: "-", create: "+", update: "~" };

export function renderText(d: StackDiff): string {
    const out = [
        `Stack ${d.stack}: base ${d.base.commit.slice(0, 12)} (${d.base.ref}) -> working tree${d.newStack ? " (new stack)" : ""}`,
        `  resources: ${summary(d)}`,
        `  fixed cost: ${costLine(d)}`,
        `  policy: ${policyLine(d)}`,
        ...d.notes.map((n) => `  note: ${n}`),
    ];
    const loud = d.changes.filter(losesState);
    if (loud.length) {
        out.push("", "!! Resources that hold data are replaced or deleted:");
        for (const c of loud)
            out.push(
                `!! ${c.action.toUpperCase()} ${c.stateful} ${c.name} (${shortKind(c.type)})${c.replacedBy.length ? `, forced by ${c.replacedBy.join(", ")}` : ""}: ${protection(c)}`,
            );
    }
    for (const a of ["replace", "delete", "create", "update"] as const) {
        const list = d.changes.filter((c) => c.action === a);
        if (!list.length) continue;
        out.push("", `${a[0].toUpperCase()}${a.slice(1)}: ${list.length}`);
        for (const c of list) {
            out.push(
                `  ${SYMBOL[a].padEnd(2)} ${shortKind(c.type)} ${c.name}${c.replacedBy.length ? `  (forced by ${c.replacedBy.join(", ")})` : ""}`,
            );
            for (const ch of c.changes) out.push(`       ${ch.path}: ${ch.before} -> ${ch.after}`);
        }
    }
    if (d.cost.lines.length) {
        out.push("", "Fixed monthly cost, by item");
        for (const l of d.cost.lines) {
            const mark = l.before === 0 ? "+" : l.after === 0 ? "-" : "~";
            out.push(`  ${mark} ${l.resource}  ${l.item}: ${usd(l.before)} -> ${usd(l.after)}`);
        }
    }
    if (d.policy && (d.policy.added.length || d.policy.resolved.length)) {
        out.push("", "Policy findings");
        for (const f of d.policy.added) out.push(`  new      ${findingText(f)}`);
        for (const f of d.policy.resolved) out.push(`  resolved ${findingText(f)}`);
    }
    return out.join("\n");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

function details(title: string, body: string[]): string[] {
    return ["<details>", `<summary>${title}</summary>`, "", ...body, "", "</details>", ""];
}

export function renderMarkdown(d: StackDiff): string {
    const out = [
        `### ${code(d.stack)}: ${summary(d)}`,
        "",
        `Fixed cost ${costLine(d)} · policy: ${policyLine(d)} · base ${code(d.base.commit.slice(0, 12))} (${cell(d.base.ref)})`,
        "",
        ...d.notes.map((n) => `> ${n}`),
    ];
    if (d.notes.length) out.push("");
    const loud = d.changes.filter(losesState);
    if (loud.length) {
        out.push(`> [!CAUTION]`, `> ${loud.length} resource(s) that hold data would be replaced or deleted.`, "");
        out.push("| action | resource | kind | holds | forced by | protection |", "|---|---|---|---|---|---|");
        for (const c of loud)
            out.push(
                `| **${c.action}** | ${code(c.name)} | ${code(shortKind(c.type))} | ${c.stateful} | ${c.replacedBy.map(code).join(", ") || "(removed)"} | ${cell(protection(c))} |`,
            );
        out.push("");
    }
    const rows = (list: ResourceChange[]) => {
        if (list.every((c) => c.changes.length === 0)) {
            return [
                "| | resource | kind |",
                "|---|---|---|",
                ...list.map((c) => `| ${SYMBOL[c.action]} | ${code(c.name)} | ${code(shortKind(c.type))} |`),
            ];
        }
        const body = ["| | resource | kind | inputs |", "|---|---|---|---|"];
        for (const c of list) {
            const inputs = c.changes.map((ch) => `${code(ch.path)}: ${code(ch.before)} → ${code(ch.after)}`).join("<br>");
            body.push(`| ${SYMBOL[c.action]} | ${code(c.name)} | ${code(shortKind(c.type))} | ${cell(inputs)} |`);
        }
        return body;
    };
    const other = d.changes.filter((c) => (c.action === "replace" || c.action === "delete") && !losesState(c));
    if (other.length) out.push(...details(`Replaced and deleted, no data held (${other.length})`, rows(other)));
    for (const a of ["create", "update"] as const) {
        const list = d.changes.filter((c) => c.action === a);
        if (list.length) out.push(...details(`${a === "create" ? "Created" : "Updated"} (${list.length})`, rows(list)));
    }
    if (d.cost.lines.length) {
        const body = ["| resource | item | before | after |", "|---|---|--:|--:|"];
        for (const l of d.cost.lines) body.push(`| ${code(l.resource)} | ${cell(l.item)} | ${usd(l.before)} | ${usd(l.after)} |`);
        out.push(...details(`Fixed monthly cost ${signed(delta(d))}`, body));
    }
    if (d.policy && (d.policy.added.length || d.policy.resolved.length)) {
        const body = [
            ...d.policy.added.map((f) => `- new ${cell(findingText(f))}`),
            ...d.policy.resolved.map((f) => `- resolved ${cell(findingText(f))}`),
        ];
        out.push(...details(`Policy findings: ${d.policy.added.length} new, ${d.policy.resolved.length} resolved`, body));
    }
    return out.join("\n").trimEnd();
}

/** Every stack in one report; Markdown starts with a title line and a marker a bot can find its comment by. */
export function renderAll(diffs: readonly StackDiff[], format: "text" | "markdown" | "json"): string {
    if (format === "json") return JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2);
    if (format === "text") return diffs.map(renderText).join("\n\n");
    const mandatory = diffs.reduce((n, d) => n + (d.policy?.added.filter((f) => f.enforcementLevel === "mandatory").length ?? 0), 0);
    const lost = diffs.reduce((n, d) => n + d.changes.filter(losesState).length, 0);
    const head = [
        "<!-- mlops-pr-report -->",
        "## Infrastructure changes",
        "",
        `${diffs.length} stack(s); ${lost} stateful resource(s) replaced or deleted; ${mandatory} new mandatory policy violation(s). Offline plans, no cloud credentials.`,
        "",
    ];
    return [...head, diffs.map(renderMarkdown).join("\n\n")].join("\n");
}
