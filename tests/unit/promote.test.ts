/**
 * scripts/promote.ts, the edit the promotion pull request makes: on copies of stack files in a temp
 * directory, it sets `servedVersion` on one model and keeps every other byte; the same version twice
 * changes nothing; every refusal says why and leaves the file as it was.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PromoteError, parseArgs, promote, setServedVersion } from "../../scripts/promote";

const ROOT = path.resolve(__dirname, "..", "..");

/** A small Kubernetes stack: comments everywhere, one model with training, one without, `name` not always first. */
const STACK = [
    "# A test stack: every comment must survive the promotion.",
    "config:",
    "  mlops:cloud: kubernetes   # the target",
    "  mlops:environment: dev",
    "  mlops:models:",
    "    # the trained model",
    "    - name: iris        # served from the lake",
    "      image: python:3.12.12-slim-bookworm",
    "      command: [python, /app/serve.py]",
    "      training:",
    "        image: python:3.12.12-slim-bookworm",
    "        command: [python, /app/train.py]",
    "        dataset: curated/iris/",
    '        schedule: "0 4 * * 1"   # Mondays',
    "",
    "    # a model served from its own image, not trained here",
    "    - image: python:3.12.12-slim-bookworm",
    "      name: churn",
    "      command: [python, /app/serve.py]",
    "  # trailing comment",
    "",
].join("\n");

describe("scripts/promote.ts", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-promote-test-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        // Model and job `files` paths are relative to the project directory.
        fs.symlinkSync(path.join(ROOT, "samples"), path.join(dir, "samples"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (stack: string, text: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    const read = (stack: string) => fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");

    /** Asserts `after` is `before` with exactly `added` inserted at 0-based line `at`. */
    function assertInserted(before: string, after: string, at: number, added: string): void {
        const lines = before.split("\n");
        lines.splice(at, 0, added);
        assert.equal(after, lines.join("\n"));
    }

    it("sets servedVersion on the named model right after its name line, keeping every other byte", () => {
        write("t", STACK);
        const r = promote({ dir, stack: "t", model: "iris", version: "20261203T101500Z-1a2b3c4d" });
        assert.deepEqual(
            { key: r.key, version: r.version, previous: r.previous, changed: r.changed },
            { key: "mlops:models[0]", version: "20261203T101500Z-1a2b3c4d", previous: undefined, changed: true },
        );
        assertInserted(STACK, read("t"), 7, '      servedVersion: "20261203T101500Z-1a2b3c4d"');
    });

    it("replaces an existing servedVersion in place, keeps its comment, and writes the run id without v=", () => {
        write(
            "t",
            STACK.replace("    - name: iris        # served from the lake\n", '$&      servedVersion: "old-1"   # promoted by PR #7\n'),
        );
        const r = promote({ dir, stack: "t", model: "iris", version: "v=20270101T000000Z-ffff0000" });
        assert.equal(r.previous, "old-1");
        assertInserted(STACK, read("t"), 7, '      servedVersion: "20270101T000000Z-ffff0000"   # promoted by PR #7');
    });

    it("is idempotent: the same version twice (with or without v=) changes nothing", () => {
        write("t", STACK);
        promote({ dir, stack: "t", model: "iris", version: "run-1" });
        const once = read("t");
        for (const version of ["run-1", "v=run-1"]) {
            const r = promote({ dir, stack: "t", model: "iris", version });
            assert.equal(r.changed, false);
            assert.equal(read("t"), once);
        }
    });

    it("finds a model whose name is not its first key, and indents the new line like its keys", () => {
        const text = STACK.replace(
            "    - name: iris        # served from the lake\n      image: python:3.12.12-slim-bookworm\n",
            "    - image: python:3.12.12-slim-bookworm\n      name: iris   # second key\n",
        );
        write("t", text);
        promote({ dir, stack: "t", model: "iris", version: "run-2" });
        assertInserted(text, read("t"), 8, '      servedVersion: "run-2"');
    });

    it("keeps Windows line ends and a compact list written at its key's indentation", () => {
        const text = STACK.replace(/\n {4}/g, "\n  ").replace(/\n/g, "\r\n");
        write("t", text);
        promote({ dir, stack: "t", model: "iris", version: "run-3" });
        const lines = text.split("\r\n");
        lines.splice(7, 0, '    servedVersion: "run-3"');
        assert.equal(read("t"), lines.join("\r\n"));
    });

    it("promotes the model of a shipped stack file, adding exactly one line", () => {
        // aws-dev as shipped, without a served version; its model gets a training block when it has none yet.
        let text = fs.readFileSync(path.join(ROOT, "Pulumi.aws-dev.yaml"), "utf8").replace(/^ {6}servedVersion: .*\n/m, "");
        if (!/^ {6}training:/m.test(text))
            text = text.replace(
                "    - name: iris\n",
                "$&      training: { image: python:3.12.12-slim-bookworm, command: [python, /app/train.py], files: samples/jobs, dataset: curated/iris/ }\n",
            );
        write("aws-dev", text);
        const r = promote({ dir, stack: "aws-dev", model: "iris", version: "20261203T101500Z-1a2b3c4d" });
        assert.equal(r.changed, true);
        const at = text.split("\n").indexOf("    - name: iris") + 1;
        assert.ok(at > 0, "Pulumi.aws-dev.yaml has no `- name: iris` line");
        assertInserted(text, read("aws-dev"), at, '      servedVersion: "20261203T101500Z-1a2b3c4d"');
    });

    describe("refusals (the file is left as it was)", () => {
        function refused(request: { stack?: string; model?: string; version?: string }, ...patterns: RegExp[]): void {
            write("t", STACK);
            assert.throws(
                () => promote({ dir, stack: "t", model: "iris", version: "run-1", ...request }),
                (e: unknown) => {
                    assert.ok(e instanceof PromoteError, String(e));
                    for (const p of patterns) assert.match(e.message, p);
                    return true;
                },
            );
            assert.equal(read("t"), STACK);
        }

        it("an unknown stack file, listing the stacks there", () => {
            refused({ stack: "prod" }, /no stack file Pulumi\.prod\.yaml/, /stacks here: t\b/);
        });

        it("a stack name that is not one (it would leave the project directory)", () => {
            refused({ stack: "../t" }, /is not a stack name/);
        });

        it("no such model, listing the models", () => {
            refused({ model: "fraud" }, /no model named "fraud"/, /its models: iris, churn/);
        });

        it("a version that is not a training run id", () => {
            for (const version of ["bad version", "-leading-dash", "v=", "a/b", "x".repeat(129), ""])
                refused({ version }, /is not a training run id/, /20261203T101500Z-1a2b3c4d/);
        });

        it("a model without training", () => {
            refused({ model: "churn" }, /mlops:models\[1\] \(churn\) .* has no `training`/);
        });

        it("a result the stack's config parser refuses, with the parser's message", () => {
            const text = STACK.replace("      command: [python, /app/serve.py]\n      training:", "      serveWith: []\n      training:");
            write("t", text);
            assert.throws(
                () => promote({ dir, stack: "t", model: "iris", version: "run-1" }),
                /would not parse after the change, so it was not written:\n.*mlops:models\[0\]\.servedVersion: names a served version, but the model is not served/s,
            );
            assert.equal(read("t"), text);
        });

        it("a model list written in flow style (it cannot be edited line by line)", () => {
            assert.throws(
                () => setServedVersion("config:\n  mlops:models: [{ name: iris }]\n", "mlops:models", 0, "run-1"),
                /not written as a block list of models \(a flow list/,
            );
        });
    });

    describe("command line", () => {
        it("reads --key value and --key=value, and requires stack, model and version", () => {
            assert.deepEqual(parseArgs(["--stack", "t", "--model=iris", "--version", "run-1", "--cwd", dir]), {
                dir,
                stack: "t",
                model: "iris",
                version: "run-1",
            });
            assert.throws(() => parseArgs(["--stack", "t", "--model", "iris"]), /--version is required/);
            assert.throws(() => parseArgs(["--stack", "t", "--model", "iris", "--version", "x", "--force"]), /unknown argument --force/);
        });

        it("exits 0 with what it did, 1 with the reason when refused", () => {
            write("t", STACK);
            const run = (...args: string[]) =>
                spawnSync(process.execPath, ["-r", "./stacks/plan/register.js", "scripts/promote.ts", "--cwd", dir, ...args], {
                    cwd: ROOT,
                    encoding: "utf8",
                });
            const ok = run("--stack", "t", "--model", "iris", "--version", "run-9");
            assert.equal(ok.status, 0, ok.stderr);
            assert.equal(ok.stdout, "Pulumi.t.yaml: mlops:models[0] (iris): servedVersion (none) -> run-9\n");
            const bad = run("--stack", "t", "--model", "fraud", "--version", "run-9");
            assert.equal(bad.status, 1);
            assert.match(bad.stderr, /^promote: Pulumi\.t\.yaml has no model named "fraud"/);
        });
    });
});
