/**
 * `npm run --silent bench` (`make bench`): what the program itself costs, measured against the floor.
 *
 * For every shipped stack, and for one stack grown to many models, it runs side by side, alternating:
 *   - the offline plan, as `npm run plan` runs it (package.json's command, without npm itself);
 *   - a flat program generated from that plan (scripts/bench-flat.ts): the same resources, SDK classes,
 *     inputs and mocks, in one plain .js file, no ts-node, no components.
 * It prints the median wall time and peak resident memory of each and their ratios (target: 1.2x), then
 * the scaling from 1 to N models (seconds and MiB per added model). Timings are of this machine under its
 * current load: the ratio of two programs run in turn is what to compare between machines and commits.
 *
 *   npm run --silent bench -- [--stacks dev,aws-prod] [--models 100] [--scale-stack aws-dev] [--runs 5]
 *                            [--out FILE.md] [--loader ./stacks/plan/register.js|ts-node/register/transpile-only] [--all]
 *
 * `--models 0` skips the scaling; `--loader` swaps the plan's `-r` module; `--all` adds the policy pack's start-up and the whole `npm test`.
 * A benchmark, not a test: it prints numbers and exits 0 (1 only when it cannot run a program).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { FlatResource, urnDigest, writeFlatProgram } from "./bench-flat";
import { listStacks, loadStackConfig } from "../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "mlops-bench");
const PROBE = path.join(__dirname, "bench-probe.js");
const TARGET = 1.2;

interface Options {
    stacks: string[];
    models: number;
    scaleStack: string;
    runs: number;
    out?: string;
    all: boolean;
    loader?: string;
}

function parseArgs(argv: string[]): Options {
    const o: Options = { stacks: listStacks(ROOT), models: 100, scaleStack: "aws-dev", runs: 5, all: false };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (flag === "--stacks") o.stacks = value().split(",").filter(Boolean);
        else if (flag === "--models") o.models = Number(value());
        else if (flag === "--scale-stack") o.scaleStack = value();
        else if (flag === "--runs") o.runs = Math.max(1, Number(value()));
        else if (flag === "--out") o.out = path.resolve(value());
        else if (flag === "--all") o.all = true;
        else if (flag === "--loader") o.loader = value();
        else throw new Error(`unknown argument ${argv[i]}`);
    }
    return o;
}

interface Sample {
    readonly seconds: number;
    readonly rssMiB: number;
    readonly stdout: string;
}

/** Runs a node program with the probe preloaded; wall time from spawn to exit, peak RSS from the probe. */
function runNode(args: string[], label: string): Sample {
    const probe = path.join(CACHE, `probe-${process.pid}.txt`);
    fs.rmSync(probe, { force: true });
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", PROBE, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 30,
        env: { ...process.env, MLOPS_BENCH_PROBE: probe },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}):\n${r.stderr}`);
    const rssMiB = Number(fs.readFileSync(probe, "utf8")) / 1024;
    return { seconds, rssMiB, stdout: r.stdout };
}

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A project folder whose stack `stack` serves `models` models: the shipped stack's first model, cloned. */
function projectWithModels(stack: string, models: number): string {
    const dir = path.join(CACHE, "projects", `${stack}-${models}-models`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of fs.readdirSync(ROOT)) {
        if (entry === "node_modules" || entry === ".git" || /^Pulumi\..+\.yaml$/.test(entry)) continue;
        if (entry === "Pulumi.yaml") fs.copyFileSync(path.join(ROOT, entry), path.join(dir, entry));
        else fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    }
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const list = doc.config["mlops:models"];
    if (!Array.isArray(list) || list.length === 0) throw new Error(`stack ${stack} has no mlops:models to clone`);
    const first = list[0] as { name: string };
    doc.config["mlops:models"] = Array.from({ length: models }, (_, i) => (i === 0 ? first : { ...first, name: `${first.name}${i + 1}` }));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml.dump(doc));
    return dir;
}

interface Case {
    readonly label: string;
    readonly stack: string;
    readonly project: string;
}

interface Result {
    readonly label: string;
    readonly resources: number;
    readonly plan: { seconds: number; rssMiB: number };
    readonly flat: { seconds: number; rssMiB: number };
}

/**
 * The node arguments of `npm run plan` (package.json's script, after `node scripts/check-node.js &&`), so
 * the bench times what users run; `loader` replaces its `-r` module (to compare loaders side by side).
 */
function planCommand(loader?: string): string[] {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const args = scripts.plan.split("&&").at(-1)!.trim().split(/\s+/).slice(1);
    const r = args.indexOf("-r");
    if (loader && r >= 0) args[r + 1] = loader;
    return args;
}

function measure(c: Case, runs: number, loader?: string): Result {
    const planArgs = [...planCommand(loader), "--stack", c.stack, "--format", "json", "--cwd", c.project];
    // Warm-up run, which also gives the plan the flat program is generated from.
    const first = runNode(planArgs, `plan ${c.label}`);
    const plan = JSON.parse(first.stdout) as { project: string; resources: FlatResource[] };
    const loaded = loadStackConfig(c.project, c.stack);
    const flatFile = writeFlatProgram(ROOT, path.join(CACHE, "flat", c.label), {
        project: plan.project,
        stack: c.stack,
        config: loaded.config,
        secretKeys: loaded.secretKeys,
        resources: plan.resources,
    });
    const expected = urnDigest(plan.resources.map((r) => r.urn));
    const check = JSON.parse(runNode([flatFile], `flat ${c.label}`).stdout) as { resources: number; digest: string };
    if (check.digest !== expected || check.resources !== plan.resources.length) {
        throw new Error(
            `flat program of ${c.label} registered ${check.resources} resources (digest ${check.digest}), the plan ${plan.resources.length} (${expected})`,
        );
    }
    const planSamples: Sample[] = [];
    const flatSamples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
        planSamples.push(runNode(planArgs, `plan ${c.label}`));
        flatSamples.push(runNode([flatFile], `flat ${c.label}`));
    }
    const summary = (xs: Sample[]) => ({ seconds: median(xs.map((x) => x.seconds)), rssMiB: median(xs.map((x) => x.rssMiB)) });
    const result = { label: c.label, resources: plan.resources.length, plan: summary(planSamples), flat: summary(flatSamples) };
    process.stderr.write(
        `  ${c.label}: ${result.resources} resources, plan ${result.plan.seconds.toFixed(2)} s, flat ${result.flat.seconds.toFixed(2)} s\n`,
    );
    return result;
}

const ratio = (a: number, b: number) => a / b;
const verdict = (r: number) => (r <= TARGET ? "ok" : "over");

function machine(): string {
    const cpus = os.cpus();
    return `${cpus[0]?.model.trim() ?? "unknown CPU"} x${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function table(results: Result[]): string[] {
    const lines = [
        "| stack | resources | plan s | flat s | time ratio | plan MiB | flat MiB | memory ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const r of results) {
        const t = ratio(r.plan.seconds, r.flat.seconds);
        const m = ratio(r.plan.rssMiB, r.flat.rssMiB);
        lines.push(
            `| ${r.label} | ${r.resources} | ${r.plan.seconds.toFixed(2)} | ${r.flat.seconds.toFixed(2)} | ${t.toFixed(2)}x ${verdict(t)} | ` +
                `${r.plan.rssMiB.toFixed(0)} | ${r.flat.rssMiB.toFixed(0)} | ${m.toFixed(2)}x ${verdict(m)} |`,
        );
    }
    return lines;
}

function scaling(one: Result, many: Result, models: number): string[] {
    const added = models - 1;
    const per = (a: number, b: number) => (b - a) / added;
    const planS = per(one.plan.seconds, many.plan.seconds);
    const flatS = per(one.flat.seconds, many.flat.seconds);
    const planM = per(one.plan.rssMiB, many.plan.rssMiB);
    const flatM = per(one.flat.rssMiB, many.flat.rssMiB);
    return [
        `Scaling, ${one.label.replace(/ .*/, "")} from 1 to ${models} models (${one.resources} -> ${many.resources} resources, ` +
            `${((many.resources - one.resources) / added).toFixed(1)} per model):`,
        "",
        "| per added model | plan | flat | ratio |",
        "|---|---:|---:|---:|",
        `| time | ${(planS * 1000).toFixed(1)} ms | ${(flatS * 1000).toFixed(1)} ms | ${(planS / flatS).toFixed(2)}x |`,
        `| peak memory | ${planM.toFixed(2)} MiB | ${flatM.toFixed(2)} MiB | ${(planM / flatM).toFixed(2)}x |`,
    ];
}

/** Seconds from spawning the policy pack until it prints the port it serves on (then stopped). */
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

async function main(): Promise<number> {
    const o = parseArgs(process.argv.slice(2));
    fs.mkdirSync(CACHE, { recursive: true });
    process.stderr.write(`bench: ${o.runs} runs each, alternating plan and flat program\n`);
    const results = o.stacks.map((stack) => measure({ label: stack, stack, project: ROOT }, o.runs, o.loader));
    const lines = [
        `### Offline plan against a flat program (\`npm run --silent bench\`)`,
        "",
        `${new Date().toISOString().slice(0, 10)}, ${machine()}. Medians of ${o.runs} runs each, the plan and the flat program ` +
            `run in turn (wall time from start to exit, peak resident memory); target ${TARGET}x. ` +
            `Plan: \`node ${planCommand(o.loader).join(" ")} --stack <stack> --format json\`; flat: \`node flat.js\`.`,
        "",
    ];
    if (o.models > 1) {
        const one = measure(
            { label: `${o.scaleStack} (1 model)`, stack: o.scaleStack, project: projectWithModels(o.scaleStack, 1) },
            o.runs,
            o.loader,
        );
        const many = measure(
            { label: `${o.scaleStack} (${o.models} models)`, stack: o.scaleStack, project: projectWithModels(o.scaleStack, o.models) },
            o.runs,
            o.loader,
        );
        lines.push(...table([...results, many]), "", ...scaling(one, many, o.models));
    } else {
        lines.push(...table(results));
    }
    lines.push(
        "",
        "The flat program (scripts/bench-flat.ts) is generated from each plan: every resource the plan lists, registered with the same " +
            "SDK class, name, parent, options and resolved inputs under the same mocks, in one plain `.js` file run by `node` " +
            "(same URNs, checked). What the plan costs above it is the program's own: TypeScript loading, config parsing, components.",
    );
    if (o.all) {
        const pack = await packStartup();
        lines.push("", `Policy pack start-up (serving its gRPC port): ${pack.toFixed(2)} s`);
        const start = process.hrtime.bigint();
        const t = spawnSync("npm", ["test"], { cwd: ROOT, stdio: "ignore" });
        lines.push(
            `npm test (lint, type-check, mocha): ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(0)} s (exit ${t.status})`,
        );
    }
    const text = `${lines.join("\n")}\n`;
    process.stdout.write(text);
    if (o.out) fs.writeFileSync(o.out, text);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e: Error) => {
        process.stderr.write(`${e.message}\n`);
        process.exit(1);
    },
);
