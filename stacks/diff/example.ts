/**
 * `node -r ./stacks/plan/register.js stacks/diff/example.ts [--write]`
 *
 * Regenerates the example PR comment in docs/pr-review.md (between its `pr-report-example` markers): the
 * report of every shipped stack from the commit before the data pipelines landed to the commit that landed
 * them, both recorded plans, so the example never changes with the working tree. Without --write, prints it.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/read";
import { exitWhenFlushed } from "../plan/exit";
import { listStacks } from "../plan/stack-config";
import { renderAll } from "./render";
import { diffStacks } from "./run";

/** The commit that landed the data pipelines on every target, and its parent. */
export const EXAMPLE_HEAD = "2a9d285";
export const EXAMPLE_BASE = `${EXAMPLE_HEAD}~1`;
export const DOC = (root: string): string => path.join(root, "docs", "pr-review.md");
const BEGIN = "<!-- pr-report-example:begin -->";
const END = "<!-- pr-report-example:end -->";

export async function exampleReport(root: string, policy = true, stacks = listStacks(root)): Promise<string> {
    const diffs = await diffStacks({ projectRoot: root, ref: EXAMPLE_BASE, headRef: EXAMPLE_HEAD, stacks, policy });
    // Notes describe the checkout that runs the command (e.g. its package-lock.json against the base's):
    // true of a live report, not of this fixed pair of commits, so the example leaves them out.
    return renderAll(
        diffs.map((d) => ({ ...d, notes: [] })),
        "markdown",
    );
}

/** The example block as docs/pr-review.md holds it. */
export function documentedExample(root: string): string {
    const text = fs.readFileSync(DOC(root), "utf8");
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${DOC(root)} has no ${BEGIN} ... ${END} block`);
    return text.slice(start + BEGIN.length, end).trim();
}

async function main(): Promise<number> {
    const report = await exampleReport(PROJECT_ROOT);
    if (!process.argv.includes("--write")) {
        process.stdout.write(`${report}\n`);
        return 0;
    }
    const file = DOC(PROJECT_ROOT);
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    fs.writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n\n${report}\n\n${text.slice(end)}`);
    process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
    return 0;
}

if (require.main === module) main().then(exitWhenFlushed);
