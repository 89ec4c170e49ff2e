/**
 * `npm run --silent policy -- --stack <name> [--format text|json] [--config <policy-config.json>] [--preview]`
 *
 * Runs the whole mlops policy pack against the resources the offline plan captures for a stack, with no
 * Pulumi CLI or credentials. `--config` takes the same JSON as `pulumi preview --policy-pack-config`;
 * `--preview` judges the stack as a first `pulumi preview` sees it (every ID, and what is built from one,
 * unknown).
 * Exit codes: 0 no mandatory violation; 1 mandatory violations, or the stack's program failed to plan;
 * 2 bad usage (unknown flag or stack, unreadable config file).
 */
import * as fs from "fs";
import * as path from "path";
import { policies } from "../rules";
import { PackConfig } from "./engine";
import { asFirstPreview, checkPlanned, planForPolicies } from "./offline";
import { renderJson, renderText } from "./report";
import { StackConfigError, listStacks } from "../../stacks/plan/stack-config";
import { exitWhenFlushed } from "../../stacks/plan/exit";

const ROOT = path.resolve(__dirname, "..", "..");
const USAGE = "usage: npm run --silent policy -- --stack <name> [--format text|json] [--config <policy-config.json>] [--preview]";

class UsageError extends Error {}

interface Args {
    readonly stack: string;
    readonly format: "text" | "json";
    readonly config?: PackConfig;
    readonly preview: boolean;
}

function readConfig(file: string): PackConfig {
    try {
        const parsed = JSON.parse(fs.readFileSync(path.resolve(file), "utf8"));
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
            throw new Error("expected a JSON object keyed by policy name");
        return parsed as PackConfig;
    } catch (e) {
        throw new UsageError(`--config ${file}: ${(e as Error).message}`);
    }
}

export function parseArgs(argv: readonly string[]): Args {
    let stack: string | undefined;
    let format = "text";
    let config: PackConfig | undefined;
    let preview = false;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        if (flag === "--preview" && inline === undefined) {
            preview = true;
            continue;
        }
        if (!["--stack", "-s", "--format", "--config"].includes(flag)) throw new UsageError(`unknown argument ${argv[i]}\n${USAGE}`);
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
        if (flag === "--format") format = value;
        else if (flag === "--config") config = readConfig(value);
        else stack = value;
    }
    const stacks = listStacks(ROOT);
    if (!stack) throw new UsageError(`--stack is required (stacks: ${stacks.join(", ")})\n${USAGE}`);
    if (!stacks.includes(stack)) throw new UsageError(`no stack ${stack} (stacks: ${stacks.join(", ")})\n${USAGE}`);
    if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got ${format}\n${USAGE}`);
    return { stack, format, config, preview };
}

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** The whole command, minus the process: tests call it in-process. */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
    let args: Args;
    try {
        args = parseArgs(argv);
    } catch (e) {
        return { code: 2, stdout: "", stderr: `${(e as Error).message}\n` };
    }
    try {
        const planned = await planForPolicies(ROOT, args.stack);
        const report = await checkPlanned(args.preview ? { ...planned, resources: asFirstPreview(planned.resources) } : planned, policies, {
            config: args.config,
        });
        const stdout = `${args.format === "json" ? renderJson(report) : renderText(report)}\n`;
        return { code: report.findings.some((f) => f.enforcementLevel === "mandatory") ? 1 : 0, stdout, stderr: "" };
    } catch (e) {
        if (e instanceof StackConfigError) return { code: 2, stdout: "", stderr: `${e.message}\n` };
        const err = e as Error;
        return {
            code: 1,
            stdout: "",
            stderr: `stack ${args.stack} could not be planned: ${err?.name === "RunError" ? err.message : (err?.stack ?? String(e))}\n`,
        };
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then(({ code, stdout, stderr }) => {
        process.stdout.write(stdout);
        process.stderr.write(stderr);
        exitWhenFlushed(code);
    });
}
