/**
 * `npm run --silent cost -- --stack <name> [--format text|json] [--cwd <project directory>]`
 *
 * A monthly cost estimate of a stack from its offline plan, without the Pulumi CLI or credentials: the fixed
 * part (what bills while idle) item by item, the usage rates that matter, and what is unpriced.
 * `npm run --silent cost -- --readme` rewrites the README's table of the shipped stacks' fixed cost.
 * Exits 2 on bad usage or an unreadable stack file, 1 when the stack's config is invalid or the program fails.
 */
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { PROJECT_ROOT } from "../config/read";
import { exitWhenFlushed } from "../plan/exit";
import { StackConfigError, listStacks } from "../plan/stack-config";
import { estimateCost } from "./estimate";
import { planInput } from "./inputs";
import { writeReadmeTable } from "./readme";
import { renderCost } from "./render";

const USAGE = "usage: npm run --silent cost -- --stack <name> [--format text|json] [--cwd <project directory>] | --readme";

interface Args {
    readonly stack?: string;
    readonly format: "text" | "json";
    readonly projectRoot: string;
    readonly readme: boolean;
}

function parseArgs(argv: string[]): Args {
    let stack: string | undefined;
    let format = "text";
    let projectRoot = PROJECT_ROOT;
    let readme = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--readme") {
            readme = true;
            continue;
        }
        const [flag, inline] = arg.split("=", 2);
        const value = inline ?? argv[++i];
        if (flag === "--stack" || flag === "-s") stack = value;
        else if (flag === "--format") format = value;
        else if (flag === "--cwd") projectRoot = path.resolve(value);
        else throw new StackConfigError(`unknown argument ${arg}\n${USAGE}`);
    }
    if (!stack && !readme) throw new StackConfigError(`--stack is required (stacks: ${listStacks(projectRoot).join(", ")})\n${USAGE}`);
    if (format !== "text" && format !== "json") throw new StackConfigError(`--format must be text or json, got ${format}\n${USAGE}`);
    return { stack, format, projectRoot, readme };
}

async function main(): Promise<number> {
    let args: Args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 2;
    }
    try {
        if (args.readme) {
            process.stdout.write(`updated ${path.relative(process.cwd(), writeReadmeTable(args.projectRoot))}\n`);
            return 0;
        }
        const estimate = estimateCost(await planInput(args.projectRoot, args.stack as string));
        process.stdout.write(args.format === "json" ? `${JSON.stringify(estimate, null, 2)}\n` : `${renderCost(estimate)}\n`);
        return 0;
    } catch (e) {
        if (e instanceof StackConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        const err = e as Error;
        const known = e instanceof ValidationError || err?.name === "RunError";
        process.stderr.write(`${known ? err.message : (err?.stack ?? String(e))}\n`);
        return 1;
    }
}

main().then(exitWhenFlushed);
