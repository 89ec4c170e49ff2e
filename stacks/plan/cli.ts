/**
 * `npm run --silent plan -- --stack <name> [--format text|json] [--cwd <project directory>]`
 *
 * Prints every resource a stack would register, without the Pulumi CLI or credentials. Exits 2 on bad
 * usage or an unreadable stack file, 1 when the stack's config is invalid or the program fails.
 */
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { PROJECT_ROOT } from "../config/read";
import { exitWhenFlushed } from "./exit";
import { planStack } from "./plan";
import { renderText } from "./render";
import { StackConfigError, listStacks } from "./stack-config";

const USAGE = "usage: npm run --silent plan -- --stack <name> [--format text|json] [--cwd <project directory>]";

function parseArgs(argv: string[]): { stack: string; format: "text" | "json"; projectRoot: string } {
    let stack: string | undefined;
    let format = "text";
    let projectRoot = PROJECT_ROOT;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.split("=", 2);
        const value = inline ?? argv[++i];
        if (flag === "--stack" || flag === "-s") stack = value;
        else if (flag === "--format") format = value;
        else if (flag === "--cwd") projectRoot = path.resolve(value);
        else throw new StackConfigError(`unknown argument ${arg}\n${USAGE}`);
    }
    if (!stack) throw new StackConfigError(`--stack is required (stacks: ${listStacks(projectRoot).join(", ")})\n${USAGE}`);
    if (format !== "text" && format !== "json") throw new StackConfigError(`--format must be text or json, got ${format}\n${USAGE}`);
    return { stack, format, projectRoot };
}

async function main(): Promise<number> {
    let args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 2;
    }
    try {
        const plan = await planStack(args.projectRoot, args.stack);
        if (args.format === "json") {
            const contract = { stack: plan.stack, project: plan.project, resources: plan.resources };
            process.stdout.write(`${JSON.stringify(contract, null, 2)}\n`);
        } else {
            process.stdout.write(`${renderText(plan)}\n`);
        }
        return 0;
    } catch (e) {
        if (e instanceof StackConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        const err = e as Error;
        // Config mistakes print as a list; anything else keeps its stack for debugging.
        const known = e instanceof ValidationError || err?.name === "RunError";
        process.stderr.write(`${known ? err.message : (err?.stack ?? String(e))}\n`);
        return 1;
    }
}

main().then(exitWhenFlushed);
