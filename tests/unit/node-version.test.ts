import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nodeVersionProblem, requiredRange } from "../../scripts/check-node";

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Runs `args` with a Node that reports `version` (the real binary, its version string replaced first). */
function runAs(version: string, args: string[]) {
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "node-version-")), "fake.js");
    fs.writeFileSync(fake, `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} });\n`);
    return spawnSync(process.execPath, ["-r", fake, ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("Node.js version check", () => {
    it("reads the required version from package.json engines.node", () => {
        assert.equal(requiredRange(), pkg.engines.node);
        assert.equal(requiredRange(), ">=22");
    });

    it("fails when Node is older than required, in one line naming required, found and how to get it", () => {
        const problem = nodeVersionProblem("20.20.2", ">=22");
        assert.ok(problem);
        assert.ok(!problem.includes("\n"));
        assert.match(problem, /Node\.js >=22/);
        assert.match(problem, /v20\.20\.2/);
        assert.match(problem, /nvm install 24/);
    });

    it("accepts the required major and later ones", () => {
        assert.equal(nodeVersionProblem("22.0.0", ">=22"), undefined);
        assert.equal(nodeVersionProblem("24.21.0", ">=22"), undefined);
    });

    it("accepts the Node that CI pins (.ci/run)", () => {
        const pinned = /^NODE_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"))?.[1];
        assert.ok(pinned);
        assert.equal(nodeVersionProblem(pinned, requiredRange()), undefined);
    });

    it("fails when engines.node is written in a form it cannot compare", () => {
        assert.throws(() => nodeVersionProblem("24.0.0", "^22 || ^24"), /engines\.node must be written >=MAJOR/);
    });

    it("runs first in every npm script that loads Pulumi or mocha", () => {
        for (const script of ["test", "unit", "plan", "policy", "bench", "docs"])
            assert.match(pkg.scripts[script], /^node scripts\/check-node\.js && /, script);
    });

    it("stops the test command's first step on an old Node with exit 1 and the one line", () => {
        const r = runAs("20.20.2", ["scripts/check-node.js"]);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr.trim().split("\n").length, 1);
        assert.match(r.stderr, /^mlops needs Node\.js >=22 .* this is Node\.js v20\.20\.2\./);
    });

    it("stops the Pulumi program before any SDK loads, with the same line and no stack trace", () => {
        // The loader of `npm run plan` (ts-node under `pulumi up` transpiles the same way: plan-cli.test.ts).
        const r = runAs("20.20.2", ["-r", "./stacks/plan/register.js", "stacks/index.ts"]);
        assert.equal(r.status, 1);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.match(r.stderr, /^mlops needs Node\.js >=22/);
        assert.match(fs.readFileSync(path.join(ROOT, "stacks", "index.ts"), "utf8"), /^(\/\*[\s\S]*?\*\/\n)?import "\.\/node-check";/);
    });

    it("lets a supported Node through", () => {
        const r = runAs("24.21.0", ["scripts/check-node.js"]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, "");
    });
});
