import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CACHE, mapPosition, SWC_OPTIONS } from "../../stacks/plan/register";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const SCRIPT: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.plan;

/** Runs the README's command: `npm run --silent plan -- ...`. */
function npmPlan(...args: string[]) {
    const r = spawnSync(npm, ["run", "--silent", "plan", "--", ...args], { cwd: ROOT, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command without npm's own start-up: package.json's `plan` script through the shell, as npm runs it. */
function plan(...args: string[]) {
    const r = spawnSync([SCRIPT, ...args.map((a) => JSON.stringify(a))].join(" "), { cwd: ROOT, encoding: "utf8", shell: true });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("offline plan command", function () {
    this.timeout(120_000);
    it("prints the JSON contract for the dev stack", () => {
        const r = npmPlan("--stack", "dev", "--format", "json");
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.deepEqual(Object.keys(doc), ["stack", "project", "resources"]);
        assert.equal(doc.stack, "dev");
        assert.equal(doc.project, "mlops");
        for (const res of doc.resources) {
            assert.deepEqual(Object.keys(res), ["urn", "type", "name", "id", "parent", "inputs", "options"]);
            assert.deepEqual(Object.keys(res.options), ["protect", "retainOnDelete"]);
        }
        const stackRes = doc.resources.find((r: any) => r.type === "pulumi:pulumi:Stack");
        assert.equal(stackRes.parent, null);
        const ns = doc.resources.find((r: any) => r.type === "kubernetes:core/v1:Namespace");
        assert.ok(ns.id, "custom resources carry the mocked ID");
        assert.ok(
            doc.resources.some((r: any) => r.parent === ns.parent),
            "parents are URNs of registered resources",
        );
        const urns = new Set(doc.resources.map((r: any) => r.urn));
        for (const res of doc.resources) if (res.parent) assert.ok(urns.has(res.parent), `parent of ${res.urn} is in the plan`);
    });

    it("prints the whole JSON of the largest stack through a pipe (no truncation at the pipe buffer)", () => {
        const r = plan("--stack", "aws-prod", "--format", "json");
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.length > 65536, `expected a big plan, got ${r.stdout.length} bytes`);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.stack, "aws-prod");
        assert.ok(doc.resources.length > 100);
    });

    it("prints a preview-like tree in text form", () => {
        const r = plan("--stack", "dev");
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^ \+ {3}pulumi:pulumi:Stack +mlops-dev$/m);
        assert.match(r.stdout, /^ \+ {3}├─ mlops:index:MinioDataLake +lake$/m);
        assert.match(r.stdout, /Resources:\n {4}\+ \d+ to create/);
    });

    it("fails when the config is invalid, with the problems on stderr and no stack trace", () => {
        // A copy of the project in a temporary directory (--cwd), so no stray stack file lands in the repo.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-plan-"));
        try {
            fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(
                path.join(dir, "Pulumi.invalid.yaml"),
                "config:\n  mlops:cloud: kubernetes\n  mlops:environment: dev\n  mlops:models:\n    - name: m\n      image: x:latest\n      accelerator: nvidia-t4:0\n",
            );
            const r = plan("--cwd", dir, "--stack", "invalid", "--format", "json");
            assert.equal(r.code, 1);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /stack config "invalid" is invalid \(2 problems\)/);
            assert.match(r.stderr, /mlops:models\[0\]\.image/);
            assert.match(r.stderr, /mlops:models\[0\]\.accelerator/);
            assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails when the stack does not exist or the arguments are wrong", () => {
        const missing = plan("--stack", "nope");
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /no stack file Pulumi\.nope\.yaml.*stacks here: .*dev/);
        const badFormat = plan("--stack", "dev", "--format", "yaml");
        assert.equal(badFormat.code, 2);
        assert.match(badFormat.stderr, /--format must be text or json/);
    });
});

/** The TypeScript loader of the plan, the policy run and the tests (docs/contributing.md, "Performance"). */
describe("TypeScript loader (stacks/plan/register.js)", () => {
    it("transpiles exactly as ts-node with swc does under our tsconfig (the way pulumi up runs the program)", () => {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const ts = require("typescript");
        const swc = require("@swc/core");
        const { createSwcOptions } = require("ts-node/transpilers/swc");
        /* eslint-enable @typescript-eslint/no-require-imports */
        const parsed = ts.getParsedCommandLineOfConfigFile(
            path.join(ROOT, "tsconfig.json"),
            {},
            { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} },
        );
        // ts-node always emits source maps; `nodecjs` is not passed for CommonJS projects.
        const { nonTsxOptions } = createSwcOptions({ ...parsed.options, sourceMap: true }, undefined, swc, "@swc/core");
        const files = [
            "stacks/plan/capture.ts",
            "stacks/plan/plan.ts",
            "stacks/index.ts",
            "components/shared/problems.ts",
            "tests/harness/index.ts",
        ];
        for (const file of files) {
            const source = fs.readFileSync(path.join(ROOT, file), "utf8");
            const ours = swc.transformSync(source, { ...SWC_OPTIONS, filename: file }).code;
            const tsNode = swc.transformSync(source, { ...nonTsxOptions, filename: file }).code;
            assert.equal(ours, tsNode, file);
        }
    });

    it("keeps stack traces pointing at the TypeScript line, for our frames only", () => {
        let stack = "";
        try {
            loadStackConfig(path.join(os.tmpdir(), "no-such-mlops-project"), "x");
        } catch (e) {
            stack = (e as Error).stack ?? "";
        }
        const lines = fs.readFileSync(path.join(ROOT, "stacks/plan/stack-config.ts"), "utf8").split("\n");
        const line = lines.findIndex((l) => l.includes(".readdirSync(projectRoot)")) + 1;
        const column = lines[line - 1].indexOf("readdirSync") + 1;
        assert.match(
            stack,
            new RegExp(`at listStacks \\(${ROOT.replace(/[/\\\\.]/g, "\\$&")}/stacks/plan/stack-config\\.ts:${line}:${column}\\)`),
            stack,
        );
        assert.equal(
            mapPosition(path.join(ROOT, "stacks/plan/stack-config.ts"), 1, 1)?.file,
            path.join(ROOT, "stacks/plan/stack-config.ts"),
        );
    });

    it("runs an edited file's new content on the next load (its cache is keyed by content)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-loader-"));
        try {
            const file = path.join(dir, "value.ts");
            for (const value of [1, 2]) {
                fs.writeFileSync(file, `export const value: number = ${value};\n`);
                delete require.cache[file];
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                assert.equal(require(file).value, value);
            }
            assert.ok(fs.existsSync(CACHE), `transpiled files are kept in ${CACHE}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
