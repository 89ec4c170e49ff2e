/**
 * `npm run --silent bench`: times what the README promises, on this machine, and prints it.
 *
 *   - the offline plan of one stack (budget 10 s), end to end as a user runs it;
 *   - the program's start-up as `pulumi preview` runs it: ts-node transpile-only (our mode) against
 *     ts-node type-checking (Pulumi's default without the tsconfig setting);
 *   - the policy pack's start-up as the Pulumi CLI starts it (node, ts-node, every rule, the gRPC server);
 *   - the whole `npm test` (budget 180 s): type-check, lint and mocha.
 *
 * A benchmark, not a test: it prints numbers and exits 0; CI keeps the budgets visible.
 */
import { spawn, spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const stack = process.argv[2] ?? "dev";

function time(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${label} failed (${r.status}):\n${r.stderr}`);
    return seconds;
}

function report(label: string, seconds: number, budget?: number): void {
    const verdict = budget === undefined ? "" : seconds <= budget ? `  (budget ${budget} s: ok)` : `  (budget ${budget} s: OVER)`;
    process.stdout.write(`${label.padEnd(52)}${seconds.toFixed(1).padStart(7)} s${verdict}\n`);
}

const planArgs = ["run", "--silent", "plan", "--", "--stack", stack, "--format", "json"];
report(`offline plan, stack ${stack}`, time("plan", "npm", planArgs), 10);
const startup = ["stacks/plan/cli.ts", "--stack", stack, "--format", "json"];
report("program start-up, ts-node transpile-only (ours)", time("transpile-only", process.execPath, ["-r", "ts-node/register", ...startup]));
report(
    "program start-up, ts-node type-checking",
    time("type-check", process.execPath, ["-r", "ts-node/register", ...startup], { TS_NODE_TYPE_CHECK: "true" }),
);

/** Seconds from spawning the pack until it prints the port it serves on (it then keeps serving: stopped here). */
function packStartup(): Promise<number> {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "--no-experimental-strip-types", "index.ts"], {
        cwd: path.join(ROOT, "policy"),
    });
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
            out += d;
            if (/^\d+\n/.test(out)) {
                child.kill();
                resolve(Number(process.hrtime.bigint() - start) / 1e9);
            }
        });
        child.on("exit", (code) => reject(new Error(`policy pack exited ${code} before serving`)));
    });
}

async function main(): Promise<void> {
    report("policy pack start-up (serving its gRPC port)", await packStartup(), 5);
    if (!process.argv.includes("--no-test")) report("npm test (lint, type-check, mocha)", time("npm test", "npm", ["test"]), 180);
}

void main();
