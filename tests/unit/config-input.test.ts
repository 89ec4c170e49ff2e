/**
 * Stack config as a new user types it: blank values, YAML syntax errors, version numbers YAML reads as
 * floats, malformed image references and keys that belong to another target. Each is one clear problem
 * at the key the user wrote, never a stack trace, a silent default or a problem listed twice.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProblemDetail, ValidationError, imageReferenceProblem } from "@mlops/components";
import { Reader } from "../../stacks/config/fields";
import { parseStackConfig } from "../../stacks/config/parse";
import { StackConfigError, loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const opts = { project: "mlops", stack: "t", projectRoot: ROOT };
const model = { name: "iris", image: "registry.example/iris:1.0" };

function problemsOf(values: Record<string, unknown>): readonly string[] {
    const raw = Object.fromEntries(
        Object.entries({ "mlops:cloud": "kubernetes", "mlops:environment": "dev", ...values }).map(([k, v]) => [
            k,
            typeof v === "string" ? v : JSON.stringify(v),
        ]),
    );
    try {
        parseStackConfig(raw, opts);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
    return assert.fail("expected the config to be rejected");
}

describe("stack config as typed by a user", () => {
    describe("blank values", () => {
        it("fails on a blank top-level key, once, as blank rather than missing", () => {
            const problems = problemsOf({ "mlops:cloud": "" });
            assert.deepEqual(
                problems.filter((p) => p.startsWith("mlops:cloud:")),
                [
                    "mlops:cloud: is blank (YAML reads `key:` with nothing after it as null) (got null). Fix: write a value, or remove the key",
                ],
            );
        });

        it("fails on a blank provider key instead of using the text null as a value", () => {
            const problems = problemsOf({ "mlops:cloud": "azure", "azure-native:location": "null" });
            assert.ok(
                problems.some((p) => p.startsWith("azure-native:location: is blank")),
                problems.join("\n"),
            );
            assert.equal(problems.filter((p) => p.startsWith("azure-native:location:")).length, 1, problems.join("\n"));
        });

        it("fails on a blank model name rather than generating one", () => {
            const problems = problemsOf({ "mlops:models": [{ name: null, image: model.image }] });
            assert.ok(
                problems.some((p) => p.startsWith("mlops:models[0].name: is blank")),
                problems.join("\n"),
            );
        });

        it("fails on a blank section (`dataLake:` with nothing under it)", () => {
            const problems = problemsOf({ "mlops:dataLake": null });
            assert.ok(
                problems.some((p) => p.startsWith("mlops:dataLake: is blank")),
                problems.join("\n"),
            );
        });
    });

    describe("version numbers YAML reads as numbers", () => {
        const read = (value: unknown): { version: string; problems: ProblemDetail[] } => {
            const problems: ProblemDetail[] = [];
            const version = new Reader(problems).version({ v: value }, "v", "mlops:x", ["3.10", "3.11", "3.12"], "3.11");
            return { version, problems };
        };

        it("accepts an unquoted 3.12 as the version 3.12", () => assert.deepEqual(read(3.12), { version: "3.12", problems: [] }));
        it("accepts a quoted version", () => assert.deepEqual(read("3.10"), { version: "3.10", problems: [] }));

        it("fails on an unquoted 3.10, which YAML reads as 3.1, and says to quote it", () => {
            const { problems } = read(3.1);
            assert.equal(problems.length, 1);
            assert.match(problems[0].message, /unquoted 3\.10/);
            assert.equal(problems[0].fix, 'quote it: v: "3.10"');
        });

        it("fails on a version that is not offered, listing those that are", () => {
            const { problems } = read(2.7);
            assert.deepEqual(problems[0].allowed, ["3.10", "3.11", "3.12"]);
        });
    });

    describe("image references", () => {
        for (const good of [
            "registry.example/iris:1.0",
            "ghcr.io/acme/iris:1.2.3",
            "python:3.12-slim",
            "localhost:5000/team/model:v1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris@sha256:" + "a".repeat(64),
            "my_org/my__model:latest",
        ]) {
            it(`accepts ${good}`, () => assert.equal(imageReferenceProblem(good), undefined));
        }
        for (const [bad, why] of [
            ["ghcr.io/Acme/iris:1.0", /upper-case/],
            ["https://ghcr.io/acme/iris:1.0", /URL scheme/],
            ["ghcr.io/acme/iris:", /invalid tag/],
            ["ghcr.io/acme/iris:1.0 ", /whitespace/],
            ["ghcr.io/acme/iris@sha256:abc", /digest/],
            ["ghcr.io/acme/-iris:1.0", /invalid repository path/],
            ["ghcr.io/acme//iris:1.0", /invalid repository path/],
        ] as const) {
            it(`fails on ${JSON.stringify(bad)}`, () => assert.match(imageReferenceProblem(bad) ?? "", why));
        }

        it("fails at the model's image key, once, for an invalid reference", () => {
            const problems = problemsOf({ "mlops:models": [{ name: "iris", image: "ghcr.io/Acme/iris:1.0" }] });
            assert.deepEqual(
                problems.filter((p) => p.startsWith("mlops:models[0].image")),
                [
                    'mlops:models[0].image: is not a valid image reference: it has upper-case letters in the repository path "Acme" (registries accept lower case only) (got "ghcr.io/Acme/iris:1.0"). Fix: write registry/repository:tag in lower case, e.g. `ghcr.io/acme/iris:1.2.3` or `registry/image@sha256:<64 hex>`',
                ],
            );
        });
    });

    describe("keys of another target", () => {
        it("fails on Kubernetes-only keys on a cloud stack, every one of them", () => {
            const problems = problemsOf({
                "mlops:cloud": "aws",
                "aws:region": "eu-west-1",
                "mlops:containerService": { distribution: "eks", clientNamespaces: ["web"] },
                "mlops:serverlessInference": { installKnative: true },
                "mlops:dataLake": { minio: { servers: 1 } },
            });
            for (const key of [
                "containerService.distribution",
                "containerService.clientNamespaces",
                "serverlessInference.installKnative",
                "dataLake.minio",
            ]) {
                assert.ok(
                    problems.some((p) => p.startsWith(`mlops:${key}: only applies when mlops:cloud is kubernetes`)),
                    `${key} not reported:\n${problems.join("\n")}`,
                );
            }
        });

        it("accepts the same keys on the Kubernetes stack", () => {
            assert.doesNotThrow(() =>
                parseStackConfig(
                    {
                        "mlops:cloud": "kubernetes",
                        "mlops:environment": "dev",
                        "mlops:containerService": JSON.stringify({ distribution: "eks", clientNamespaces: ["web"] }),
                    },
                    opts,
                ),
            );
        });
    });

    describe("YAML syntax errors", () => {
        it("fails with the file, line and column instead of a stack trace", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-yaml-"));
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: mlops\nruntime: nodejs\n");
            fs.writeFileSync(
                path.join(dir, "Pulumi.bad.yaml"),
                "config:\n  mlops:cloud: aws\n  mlops:models:\n    - name: iris\n     image: x\n",
            );
            assert.throws(
                () => loadStackConfig(dir, "bad"),
                (e: unknown) => e instanceof StackConfigError && /^Pulumi\.bad\.yaml:5:6: invalid YAML: bad indentation/.test(e.message),
            );
        });
    });
});
