/** The text form of the offline plan: an indented tree like `pulumi preview` prints. */
import { Plan, PlanResource } from "./plan";

export function renderText(plan: Plan): string {
    const children = new Map<string | null, PlanResource[]>();
    for (const r of plan.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const typeWidth = Math.min(64, Math.max(...plan.resources.map((r) => r.type.length + depthOf(plan, r) * 3)) + 2);
    const lines = [
        `Offline plan of stack ${plan.stack} (project ${plan.project}): no cloud calls, mocked engine`,
        "",
        `     ${"Type".padEnd(typeWidth)}Name`,
    ];
    const walk = (r: PlanResource, prefix: string, last: boolean, root: boolean) => {
        const branch = root ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        const flags = [r.options.protect ? "protect" : "", r.options.retainOnDelete ? "retain" : ""].filter(Boolean);
        lines.push(` +   ${(branch + r.type).padEnd(typeWidth)}${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
        const kids = children.get(r.urn) ?? [];
        kids.forEach((k, i) => walk(k, root ? "" : `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1, false));
    };
    for (const root of children.get(null) ?? []) walk(root, "", true, true);
    const protectedCount = plan.resources.filter((r) => r.options.protect).length;
    lines.push("", `Resources:`, `    + ${plan.resources.length} to create (${protectedCount} protected)`);
    if (Object.keys(plan.outputs).length > 0) {
        lines.push("", "Outputs:");
        for (const [k, v] of Object.entries(plan.outputs)) lines.push(`    ${k}: ${JSON.stringify(v, null, 2).replace(/\n/g, "\n    ")}`);
    }
    return lines.join("\n");
}

function depthOf(plan: Plan, r: PlanResource): number {
    let depth = 0;
    let parent = r.parent;
    while (parent) {
        depth++;
        parent = plan.resources.find((p) => p.urn === parent)?.parent ?? null;
    }
    return depth;
}
