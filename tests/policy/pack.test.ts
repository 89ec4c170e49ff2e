/**
 * The pack as a whole: rule metadata, provider type tokens, a table of tests for every rule, the pack's
 * entry starting the policy server, load time, zero mandatory violations on every shipped stack (with and
 * without the environment stack tag), the offline CLI, and the coverage and advisory tables of docs/policy.md.
 */
import * as assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../../policy/rules";
import { K8S } from "../../policy/rules/kubernetes/types";
import { CLOUDS } from "../../policy/rules/meta";
import { parseArgs, runCli } from "../../policy/run/cli";
import { blockIn, coverageBlock, DOC } from "../../policy/run/coverage";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { asFirstPreview, checkPlanned, planForPolicies } from "../../policy/run/offline";
import { AWS_KEYS } from "../../stacks/config/aws";
import { AZURE_KEYS } from "../../stacks/config/azure";
import { GCP_KEYS } from "../../stacks/config/gcp";
import { KEYS, TOP_LEVEL_KEYS } from "../../stacks/config/schema";
import { listStacks } from "../../stacks/plan/stack-config";
import { shippedPlan } from "../harness";
import { tested } from "./harness";

const ROOT = path.resolve(__dirname, "..", "..");
/** The loader of `npm run policy` (ts-node under `pulumi preview --policy-pack` transpiles the same way: plan-cli.test.ts). */
const NODE_TS = ["-r", path.join(ROOT, "stacks", "plan", "register.js"), "--no-experimental-strip-types"];
/** The files whose rule tables (describeRule) fill `tested`. */
const TABLES = ["./aws.test", "./azure.test", "./common.test", "./gcp.test", "./kubernetes.test"];

/**
 * Loads the rule tables of TABLES. In one process (`mocha` on the whole suite) they are loaded already as
 * test files. Under `mocha --parallel` this file may run in a worker that has not loaded them: requiring
 * them would register their tests a second time, here. So a table file not loaded yet is read with
 * mocha's functions stubbed (describe runs its body, so describeRule still fills `tested`; nothing is
 * registered) and then dropped from the module cache, so that its own run, in this worker, loads it afresh.
 */
function loadRuleTables(): void {
    const g = globalThis as Record<string, unknown>;
    const names = ["describe", "context", "it", "specify", "xit", "xdescribe", "before", "after", "beforeEach", "afterEach"];
    const saved = names.map((n) => g[n]);
    const suite = { timeout() {}, slow() {}, retries() {} };
    const body = (_title: unknown, fn?: unknown) => (typeof fn === "function" ? fn.call(suite) : undefined);
    const skip = () => undefined;
    const describe = Object.assign(body, { only: body, skip: body });
    const it = Object.assign(skip, { only: skip, skip });
    const stubs: Record<string, unknown> = { describe, context: describe, xdescribe: describe, it, specify: it, xit: it };
    for (const file of TABLES.map((t) => require.resolve(t))) {
        if (require.cache[file]) continue;
        for (const n of names) g[n] = stubs[n] ?? skip;
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(file);
        } finally {
            names.forEach((n, i) => (g[n] = saved[i]));
            delete require.cache[file];
        }
    }
}
loadRuleTables();
/** The pack covers at least this many rules. */
const MIN_RULES = 60;

/** Whether the pinned provider SDK declares a type token (its module file sets that `__pulumiType`). */
function declares(token: string): boolean {
    const [pkg, mod, name] = token.split(":");
    let dir: string;
    let file: string;
    if (pkg === "aws" || pkg === "gcp") [dir, file] = mod.split("/");
    else if (pkg === "azure-native") [dir, file] = [mod, name];
    else {
        // kubernetes:networking.k8s.io/v1:NetworkPolicy lives in networking/v1/networkPolicy.js
        const [group, version] = mod.split("/");
        [dir, file] = [path.join(group.split(".")[0], version), name];
    }
    const full = path.join(ROOT, "node_modules", "@pulumi", pkg, dir);
    const match = fs.existsSync(full) ? fs.readdirSync(full).find((f) => f.toLowerCase() === `${file.toLowerCase()}.js`) : undefined;
    return match !== undefined && fs.readFileSync(path.join(full, match), "utf8").includes(`__pulumiType = '${token}'`);
}

/** The advisory table of docs/policy.md ("Advisory findings ..."): stack -> ["rule: resource, resource", ...]. */
function documentedAdvisories(): Map<string, string[]> {
    const doc = fs.readFileSync(DOC, "utf8");
    const begin = doc.indexOf("<!-- advisories:begin");
    const end = doc.indexOf("<!-- advisories:end -->");
    assert.ok(begin >= 0 && end > begin, `${DOC} has no advisories:begin ... advisories:end block`);
    const table = doc.slice(begin, end);
    const rows = new Map<string, string[]>();
    for (const line of table.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Stack") && !l.startsWith("|---"))) {
        const [stack, rule, resources] = line
            .split("|")
            .slice(1, 4)
            .map((c) => c.trim().replace(/`/g, ""));
        rows.set(stack, [
            ...(rows.get(stack) ?? []),
            `${rule}: ${resources
                .split(",")
                .map((r) => r.trim())
                .sort()
                .join(", ")}`,
        ]);
    }
    return rows;
}

/** Whether `mlops:section[.cloud].key` names a key the config parser accepts. */
function configKeyExists(ref: string): boolean {
    const [top, ...rest] = ref
        .replace(/^mlops:/, "")
        .replace(/\[\]/g, "")
        .split(".");
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(top)) return false;
    if (rest.length === 0) return true;
    const section = top === "models" ? "model" : top;
    const perCloud: Record<string, Record<string, readonly string[]>> = { aws: AWS_KEYS, gcp: GCP_KEYS, azure: AZURE_KEYS };
    if (rest[0] in perCloud) {
        const keys = perCloud[rest[0]];
        // GCP's Cloud Run / Functions settings are shared by both serving sections.
        const shared = rest[0] === "gcp" && ["containerService", "serverlessInference"].includes(section) ? keys.serving : [];
        return [...(keys[section] ?? []), ...shared].includes(rest[1]);
    }
    const sectionKeys = (KEYS as Record<string, readonly string[]>)[section] ?? [];
    // A model's `training` is its own list (KEYS.modelTraining), not mlPlatform's `training`.
    const nested = (KEYS as Record<string, readonly string[]>)[section === "model" && rest[0] === "training" ? "modelTraining" : rest[0]];
    return sectionKeys.includes(rest[0]) && (rest.length === 1 || (nested ?? []).includes(rest[1]));
}

describe("the mlops policy pack", function () {
    // Plans and judges every shipped stack, and starts the pack in a child process.
    this.timeout(120_000);
    it(`has at least ${MIN_RULES} rules, unique names, and every cloud covered`, () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length, "duplicate rule names");
        assert.ok(policies.length >= MIN_RULES, `${policies.length} rules`);
        for (const cloud of CLOUDS)
            assert.ok(policies.filter((p) => p.mlops.clouds.includes(cloud)).length >= 15, `${cloud} has too few rules`);
    });

    it("declares for every rule: IDs mirrored, severity, level matching its category, and a remediation naming what to change", () => {
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9-]+$/, p.name);
            assert.ok(p.mlops.mirrors.length > 0 && p.mlops.types.length > 0, p.name);
            assert.ok(p.severity && p.description.length > 10, p.name);
            assert.equal(p.enforcementLevel, p.mlops.enforcement === "advisory" ? "advisory" : "mandatory", p.name);
            // Security and data-loss rules bind everywhere or in prod; only reliability/cost may be advisory-free of that.
            if (p.mlops.category === "reliability")
                assert.notEqual(p.mlops.enforcement, "mandatory", `${p.name}: reliability rules bind in prod only`);
            assert.match(
                p.remediationSteps ?? "",
                /mlops:|components\/|policy config|resource option|mlops:environment/,
                `${p.name}: remediation names no config key or component`,
            );
            assert.ok(!p.configSchema?.properties?.enforcementLevel, p.name);
        }
    });

    it("names, in remediations, only config keys the parser accepts and component files that exist", () => {
        const refs = policies.flatMap((p) =>
            [...(p.remediationSteps ?? "").matchAll(/mlops:[A-Za-z]+(\[\])?(\.[A-Za-z]+)*/g)].map((m) => [p.name, m[0]]),
        );
        assert.ok(refs.length > 40);
        assert.deepEqual(
            refs.filter(([, ref]) => !configKeyExists(ref)),
            [],
        );
        const files = policies.flatMap((p) =>
            [...(p.remediationSteps ?? "").matchAll(/components\/[\w/.-]+\.ts/g)].map((m) => [p.name, m[0]]),
        );
        assert.deepEqual(
            files.filter(([, file]) => !fs.existsSync(path.join(ROOT, file))),
            [],
        );
    });

    it("inspects only type tokens that the pinned provider SDKs declare", () => {
        const tokens = [...new Set(policies.flatMap((p) => p.mlops.types))].filter((t) => t !== K8S.knativeService);
        const missing = tokens.filter((t) => !declares(t));
        assert.deepEqual(missing, []);
        assert.ok(tokens.length > 80);
    });

    it("has a table of passing and failing tests for every rule", () => {
        assert.deepEqual(
            policies.map((p) => p.name).filter((n) => !tested.has(n)),
            [],
        );
    });

    // How long it takes to start is measured by `npm run --silent bench`, never asserted here.
    it("starts as a CrossGuard policy pack from policy/index.ts and serves", async () => {
        const child = spawn(process.execPath, [...NODE_TS, "index.ts"], { cwd: path.join(ROOT, "policy") });
        try {
            // The policy server prints the port it listens on once every rule is loaded and validated.
            const port = await new Promise<string>((resolve, reject) => {
                let out = "";
                let err = "";
                child.stdout.on("data", (d) => {
                    out += d;
                    if (/^\d+\n/.test(out)) resolve(out.trim());
                });
                child.stderr.on("data", (d) => (err += d));
                child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${err}`)));
            });
            assert.match(port, /^\d+$/);
        } finally {
            child.kill();
        }
    });

    it("keeps the coverage table in docs/policy.md in sync with the rules (regenerate: npm run --silent docs)", () => {
        assert.equal(blockIn(fs.readFileSync(DOC, "utf8")), coverageBlock(policies));
    });

    describe("offline enforcement CLI", () => {
        it("parses its flags and refuses unknown ones and unknown stacks", () => {
            assert.deepEqual(parseArgs(["--stack", "dev", "--format=json"]), {
                stack: "dev",
                format: "json",
                config: undefined,
                preview: false,
            });
            assert.equal(parseArgs(["--preview", "-s", "dev"]).preview, true);
            assert.throws(() => parseArgs(["--stack", "dev", "--verbose", "1"]), /unknown argument --verbose/);
            assert.throws(() => parseArgs(["--stack", "nope"]), /no stack nope \(stacks: .*dev/);
            assert.throws(() => parseArgs(["--format", "yaml", "--stack", "dev"]), /--format must be text or json/);
            assert.throws(() => parseArgs([]), /--stack is required/);
        });

        it("prints JSON and exits 0 on the dev stack", async () => {
            const { code, stdout, stderr } = await runCli(["--stack", "dev", "--format", "json"]);
            assert.equal(code, 0, stderr);
            const report = JSON.parse(stdout);
            assert.deepEqual([report.stack, report.environment, report.mandatory], ["dev", "dev", 0]);
            assert.ok(
                report.findings.length > 0 && report.findings.every((f: { enforcementLevel: string }) => f.enforcementLevel === "advisory"),
            );
        });

        it("exits 1 on a mandatory violation, e.g. once policy config makes an advisory rule mandatory", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "config.json");
            fs.writeFileSync(file, JSON.stringify({ "k8s-image-digests": "mandatory" }));
            const { code, stdout } = await runCli(["--stack", "dev", "--config", file]);
            assert.equal(code, 1);
            assert.match(stdout, /\[mandatory\] k8s-image-digests/);
            assert.match(stdout, /FAILED: 10 mandatory violation\(s\)/);
        });

        it("exits 2 on bad usage, before planning anything", async () => {
            const { code, stdout, stderr } = await runCli(["--stak", "dev"]);
            assert.deepEqual([code, stdout], [2, ""]);
            assert.match(stderr, /^unknown argument --stak\nusage: npm run --silent policy -- --stack <name>/);
        });
    });

    describe("every shipped stack", () => {
        const documented = documentedAdvisories();
        for (const stack of listStacks(ROOT)) {
            it(`${stack}: no mandatory violation, with or without the mlops:environment stack tag, and at a first preview where IDs are unknown`, async () => {
                const planned = await planForPolicies(ROOT, stack, shippedPlan(stack));
                const tagged = await checkPlanned(planned, policies);
                const untagged = await checkPlanned(planned, policies, { withoutEnvironmentTag: true });
                const mandatory = tagged.findings
                    .filter((f) => f.enforcementLevel === "mandatory")
                    .map((f) => `${f.policy} ${f.urn}: ${f.message}`);
                assert.deepEqual(mandatory, [], `owners: fix these in the component, or turn the rule down in policy config with a reason`);
                assert.deepEqual(untagged.findings, tagged.findings);
                // At a first preview no ID exists yet: companions must still join (through dependencies).
                const preview = { ...planned, resources: asFirstPreview(planned.resources) };
                const hidden = JSON.stringify(preview.resources).split(rpc.unknownValue).length - 1;
                if (!stack.startsWith("dev")) assert.ok(hidden > 0, "the preview simulation hid no value");
                const atPreview = await checkPlanned(preview, policies);
                assert.deepEqual(
                    atPreview.findings.filter((f) => f.enforcementLevel === "mandatory").map((f) => `${f.policy} ${f.urn}`),
                    [],
                );
                // docs/policy.md lists every advisory finding with the reason it is accepted.
                const advisories = new Map<string, string[]>();
                for (const f of tagged.findings.filter((x) => x.enforcementLevel === "advisory")) {
                    advisories.set(f.policy, [...(advisories.get(f.policy) ?? []), f.urn?.split("::").pop() ?? "(stack)"]);
                }
                const found = [...advisories].map(([rule, names]) => `${rule}: ${[...new Set(names)].sort().join(", ")}`).sort();
                assert.deepEqual(found, (documented.get(stack) ?? []).sort(), "update the advisory table in docs/policy.md");
            });
        }
    });
});
