/**
 * The README's table of each shipped stack's fixed monthly cost, computed from the recorded plans
 * (tests/fixtures/plans). `npm run --silent cost -- --readme` rewrites the block between the cost-table
 * markers; tests/unit/cost.test.ts fails when the README holds anything else.
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../plan/stack-config";
import { estimateCost } from "./estimate";
import { recordedInput } from "./inputs";
import { usd } from "./render";

export const START = "<!-- cost-table:start -->";
export const END = "<!-- cost-table:end -->";

export function costTable(projectRoot: string): string {
    const rows = ["| stack | where | fixed monthly (idle) | largest fixed items |", "|---|---|---:|---|"];
    for (const stack of listStacks(projectRoot)) {
        const e = estimateCost(recordedInput(projectRoot, stack));
        const byKind = new Map<string, number>();
        for (const l of e.fixed) byKind.set(l.kind, (byKind.get(l.kind) ?? 0) + l.monthly);
        const top = [...byKind.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([kind, m]) => `${kind} ${usd(m)}`)
            .join(", ");
        rows.push(`| \`${stack}\` | ${e.region ? `${e.cloud} ${e.region}` : "your cluster"} | ${usd(e.fixedMonthly)} | ${top || "none"} |`);
    }
    return rows.join("\n");
}

export function readmeBlock(readme: string): string | undefined {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    return start < 0 || end < start ? undefined : readme.slice(start + START.length, end).trim();
}

export function writeReadmeTable(projectRoot: string): string {
    const file = path.join(projectRoot, "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
    fs.writeFileSync(file, `${readme.slice(0, start + START.length)}\n${costTable(projectRoot)}\n${readme.slice(end)}`);
    return file;
}
