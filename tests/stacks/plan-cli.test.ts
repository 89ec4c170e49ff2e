import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs the README's command: `npm run --silent plan -- ...`. */
function plan(...args: string[]) {
    const r = spawnSync(npm, ["run", "--silent", "plan", "--", ...args], { cwd: ROOT, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("offline plan command", () => {
    it("prints the JSON contract for the dev stack", () => {
        const r = plan("--stack", "dev", "--format", "json");
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
