/**
 * `npm run --silent diff -- --base <ref> (--stack <name> | --all) [--format text|markdown|json] [--no-policy] [--cwd <dir>]`
 *
 * What a change does to a stack, offline and without credentials: the plan of the working tree against
 * the recorded plan at the base commit, per resource create / update / replace / delete (stateful
 * replacements and deletions flagged first), the fixed monthly cost before and after, and the policy
 * findings new and resolved. docs/pr-review.md explains the report.
 * Exits 2 on bad usage (unknown flag, stack or ref), 1 when a stack cannot be planned, else 0.
 */
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { PROJECT_ROOT } from "../config/read";
import { exitWhenFlushed } from "../plan/exit";
import { StackConfigError, listStacks } from "../plan/stack-config";
import { DiffUsageError } from "./base";
import { renderAll } from "./render";
import { diffStacks } from "./run";

const USAGE =
    "usage: npm run --silent diff -- --base <git ref> (--stack <name> | --all) [--format text|markdown|json] [--no-policy] [--cwd <project directory>]";

export interface DiffArgs {
    readonly base: string;
    readonly stacks: string[];
    readonly format: "text" | "markdown" | "json";
    readonly policy: boolean;
    readonly projectRoot: string;
}

export function parseArgs(argv: readonly string[], root = PROJECT_ROOT): DiffArgs {
    let base: string | undefined;
    const stacks: string[] = [];
    let all = false;
    let format = "text";
    let policy = true;
    let projectRoot = root;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--all" || arg === "--no-policy") {
            if (arg === "--all") all = true;
            else policy = false;
            continue;
        }
        const [flag, inline] = arg.split("=", 2);
        if (!["--base", "--stack", "-s", "--format", "--cwd"].includes(flag)) throw new DiffUsageError(`unknown argument ${arg}\n${USAGE}`);
        const value = inline ?? argv[++i];
        if (value === undefined) throw new DiffUsageError(`${flag} needs a value\n${USAGE}`);
        if (flag === "--base") base = value;
        else if (flag === "--format") format = value;
        else if (flag === "--cwd") projectRoot = path.resolve(value);
        else stacks.push(value);
    }
    const known = listStacks(projectRoot);
    if (!base) throw new DiffUsageError(`--base is required (a commit, branch or tag, e.g. origin/main)\n${USAGE}`);
    if (all === stacks.length > 0) throw new DiffUsageError(`give --stack <name> or --all (stacks: ${known.join(", ")})\n${USAGE}`);
    for (const s of stacks) if (!known.includes(s)) throw new DiffUsageError(`no stack ${s} (stacks: ${known.join(", ")})\n${USAGE}`);
    if (format !== "text" && format !== "markdown" && format !== "json")
        throw new DiffUsageError(`--format must be text, markdown or json, got ${format}\n${USAGE}`);
    return { base, stacks: all ? known : stacks, format, policy, projectRoot };
}

async function main(): Promise<number> {
    let args: DiffArgs;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 2;
    }
    try {
        const diffs = await diffStacks({ projectRoot: args.projectRoot, ref: args.base, stacks: args.stacks, policy: args.policy });
        process.stdout.write(`${renderAll(diffs, args.format)}\n`);
        return 0;
    } catch (e) {
        if (e instanceof DiffUsageError || e instanceof StackConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        const err = e as Error;
        const known = e instanceof ValidationError || err?.name === "RunError";
        process.stderr.write(`${known ? err.message : (err?.stack ?? String(e))}\n`);
        return 1;
    }
}

if (require.main === module) main().then(exitWhenFlushed);
