import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../../stacks/config/parse";

const ROOT = path.resolve(__dirname, "..", "..");

/** Builds the namespaced config map the CLI hands the program (structured values as JSON). */
function raw(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [`mlops:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

const parse = (values: Record<string, unknown>) =>
    parseStackConfig(raw({ cloud: "kubernetes", environment: "dev", ...values }), { project: "mlops", stack: "t", projectRoot: ROOT });

/** Parses and returns the ValidationError's problems (fails the test when parsing succeeds). */
function problemsOf(values: Record<string, unknown>, base = { cloud: "kubernetes", environment: "dev" }): readonly string[] {
    try {
        parseStackConfig(raw({ ...base, ...values }), { project: "mlops", stack: "t", projectRoot: ROOT });
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected ValidationError, got ${e}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

function hasProblem(problems: readonly string[], ...parts: (string | RegExp)[]): void {
    const found = problems.find((p) => parts.every((part) => (typeof part === "string" ? p.includes(part) : part.test(p))));
    assert.ok(found, `no problem mentions ${parts.join(" + ")}; problems:\n${problems.join("\n")}`);
}

const model = { name: "iris", image: "registry.example/iris:1.0" };

describe("stack config", () => {
    describe("defaults", () => {
        it("fills every default for a minimal kubernetes stack", () => {
            const c = parse({});
            assert.equal(c.cloud, "kubernetes");
            assert.equal(c.protectData, false);
            assert.deepEqual(c.dataLake.zones, ["raw", "curated", "features", "models"]);
            assert.equal(c.dataLake.noncurrentVersionRetentionDays, 30);
            assert.equal(c.dataLake.auditLogRetentionDays, 365);
            assert.equal(c.dataLake.queryEngine, false);
            assert.deepEqual(c.dataLake.minio, { servers: 1, drivesPerServer: 4, volumeSizeGiB: 10, storageClassName: undefined });
            assert.equal(c.mlPlatform.implementation, "mlflow");
            assert.deepEqual(c.mlPlatform.training, { accelerator: undefined, maxNodes: 1, spot: true });
            assert.equal(c.containerService.implementation, "kubernetes");
            assert.equal(c.serverlessInference.implementation, "knative");
            assert.equal(c.serverlessInference.installKnative, false);
            assert.deepEqual(c.models, []);
        });

        it("defaults each cloud to its first implementation and query engine", () => {
            const cloud = (name: string, provider: Record<string, string>) =>
                parseStackConfig(
                    { ...raw({ cloud: name, environment: "dev" }), ...provider },
                    { project: "mlops", stack: "t", projectRoot: ROOT },
                );
            const aws = cloud("aws", { "aws:region": "us-east-1" });
            assert.deepEqual(
                [
                    aws.mlPlatform.implementation,
                    aws.containerService.implementation,
                    aws.serverlessInference.implementation,
                    aws.dataLake.queryEngine,
                ],
                ["sagemaker", "ecs-fargate", "lambda", true],
            );
            const gcp = cloud("gcp", { "gcp:project": "my-project-1", "gcp:region": "us-central1" });
            assert.deepEqual(
                [
                    gcp.mlPlatform.implementation,
                    gcp.containerService.implementation,
                    gcp.serverlessInference.implementation,
                    gcp.dataLake.queryEngine,
                ],
                ["vertex", "cloud-run", "cloud-run", true],
            );
            const azure = cloud("azure", { "azure-native:location": "swedencentral" });
            assert.deepEqual(
                [
                    azure.mlPlatform.implementation,
                    azure.containerService.implementation,
                    azure.serverlessInference.implementation,
                    azure.dataLake.queryEngine,
                ],
                ["azureml", "container-apps", "container-apps", false],
            );
        });

        it("protects data and raises the replica floor in prod", () => {
            const c = parse({ environment: "prod", models: [model] });
            assert.equal(c.protectData, true);
            assert.equal(c.models[0].minReplicas, 2);
            assert.equal(c.models[0].maxReplicas, 3);
            assert.equal(c.models[0].serverlessMinReplicas, 0);
        });

        it("fills model defaults", () => {
            const [m] = parse({ models: [model] }).models;
            assert.deepEqual(
                {
                    port: m.port,
                    healthPath: m.healthPath,
                    cpu: m.cpuMillicores,
                    mem: m.memoryMiB,
                    min: m.minReplicas,
                    max: m.maxReplicas,
                    conc: m.concurrency,
                    acc: m.accelerator,
                    serveWith: m.serveWith,
                },
                {
                    port: 8080,
                    healthPath: "/healthz",
                    cpu: 500,
                    mem: 512,
                    min: 1,
                    max: 3,
                    conc: 80,
                    acc: undefined,
                    serveWith: ["containerService", "serverlessInference"],
                },
            );
        });
    });

    describe("accelerators in all three written forms", () => {
        for (const [written, expected] of [
            ["nvidia-t4", { type: "nvidia-t4", count: 1 }],
            ["nvidia-t4:2", { type: "nvidia-t4", count: 2 }],
            [
                { type: "nvidia-t4", count: 2 },
                { type: "nvidia-t4", count: 2 },
            ],
            ["none", undefined],
        ] as const) {
            it(`parses ${JSON.stringify(written)}`, () => {
                const c = parse({
                    mlPlatform: { training: { accelerator: written } },
                    serverlessInference: { knativeSchedulingFlagsEnabled: true },
                    models: [{ ...model, accelerator: written }],
                });
                assert.deepEqual(c.mlPlatform.training.accelerator, expected);
                assert.deepEqual(c.models[0].accelerator, expected);
            });
        }
    });

    describe("models files", () => {
        it("reads the sample model directory into the model", () => {
            const [m] = parse({ models: [{ ...model, files: "samples/model" }] }).models;
            assert.ok(m.files && "serve.py" in m.files, "serve.py is mounted");
            assert.match(m.files!["serve.py"], /healthz/);
        });

        it("fails when the files directory does not exist", () => {
            hasProblem(problemsOf({ models: [{ ...model, files: "no/such/dir" }] }), "mlops:models[0].files", "is not a directory");
        });
    });

    describe("invalid config", () => {
        it("fails when a data lake key is set where the target has nothing to act on, naming why", () => {
            let azure: readonly string[] = [];
            try {
                parseStackConfig(
                    {
                        ...raw({
                            cloud: "azure",
                            environment: "dev",
                            dataLake: { noncurrentVersionRetentionDays: 30, abortIncompleteUploadDays: 7 },
                        }),
                        "azure-native:location": "swedencentral",
                    },
                    { project: "mlops", stack: "t", projectRoot: ROOT },
                );
                assert.fail("expected the config to be rejected");
            } catch (e) {
                assert.ok(e instanceof ValidationError, String(e));
                azure = e.problems;
            }
            hasProblem(
                azure,
                "mlops:dataLake.noncurrentVersionRetentionDays",
                "no effect when mlops:cloud is azure",
                "keeps no blob versions",
                "softDeleteRetentionDays",
            );
            hasProblem(azure, "mlops:dataLake.abortIncompleteUploadDays", "no effect when mlops:cloud is azure");
            const k8s = problemsOf({ dataLake: { rawColdStorageAfterDays: 60, auditLogRetentionDays: 400 } });
            hasProblem(k8s, "mlops:dataLake.rawColdStorageAfterDays", "no effect when mlops:cloud is kubernetes", "MinIO");
            hasProblem(k8s, "mlops:dataLake.auditLogRetentionDays", "no effect when mlops:cloud is kubernetes");
        });

        it("accepts the same data lake keys where they act", () => {
            assert.equal(
                parse({ dataLake: { noncurrentVersionRetentionDays: 45, abortIncompleteUploadDays: 3 } }).dataLake
                    .noncurrentVersionRetentionDays,
                45,
            );
        });

        it("fails when the cloud is unknown, listing the clouds", () => {
            hasProblem(problemsOf({ cloud: "digitalocean" }), "mlops:cloud", '"digitalocean"', "Allowed: aws, gcp, azure, kubernetes");
        });

        it("fails when cloud or environment is missing", () => {
            try {
                parseStackConfig({}, { project: "mlops", stack: "t", projectRoot: ROOT });
                assert.fail("expected an error");
            } catch (e) {
                assert.ok(e instanceof ValidationError);
                hasProblem(e.problems, "mlops:cloud", "is required");
                hasProblem(e.problems, "mlops:environment", "is required");
            }
        });

        it("fails when the environment is unknown", () => {
            hasProblem(problemsOf({ environment: "production" }), "mlops:environment", '"production"', "Allowed: dev, staging, prod");
        });

        it("fails when the accelerator is unknown, listing the canonical names", () => {
            hasProblem(
                problemsOf({ models: [{ ...model, accelerator: "nvidia-rtx4090" }] }),
                "mlops:models[0].accelerator",
                '"nvidia-rtx4090"',
                "nvidia-t4",
                "google-tpu-v5e",
            );
        });

        for (const count of [0, -1, 1.5, "two"]) {
            it(`fails when the accelerator count is ${JSON.stringify(count)}`, () => {
                hasProblem(
                    problemsOf({ mlPlatform: { training: { accelerator: { type: "nvidia-t4", count } } } }),
                    "mlops:mlPlatform.training.accelerator.count",
                    "at least 1",
                );
            });
        }

        it("fails when the written count is zero", () => {
            hasProblem(problemsOf({ models: [{ ...model, accelerator: "nvidia-l4:0" }] }), "mlops:models[0].accelerator", "at least 1");
        });

        it("fails when a serverless service without accelerators is asked for one, naming the implementations that take one", () => {
            const problems = problemsOf(
                { models: [{ ...model, accelerator: "nvidia-t4", serveWith: ["serverlessInference"] }] },
                { cloud: "aws", environment: "dev" },
            );
            hasProblem(problems, "mlops:models[0].accelerator", "serverlessInference implementation `lambda`", "sagemaker-endpoint");
        });

        it("fails when Fargate is asked for an accelerator", () => {
            const problems = problemsOf(
                { models: [{ ...model, accelerator: "nvidia-a10g", serveWith: ["containerService"] }] },
                { cloud: "aws", environment: "dev" },
            );
            hasProblem(problems, "mlops:models[0].accelerator", "containerService implementation `ecs-fargate`");
        });

        it("fails when the cloud does not offer the accelerator, listing what it offers", () => {
            const problems = problemsOf(
                { models: [{ ...model, accelerator: "nvidia-a10g", serveWith: ["containerService"] }] },
                { cloud: "gcp", environment: "dev" },
            );
            hasProblem(problems, "mlops:models[0].accelerator", "`cloud-run`", "nvidia-l4");
        });

        it("fails when training asks for an accelerator count the service does not offer", () => {
            const problems = problemsOf({ mlPlatform: { training: { accelerator: "nvidia-l4:3" } } }, { cloud: "aws", environment: "dev" });
            hasProblem(problems, "mlops:mlPlatform.training.accelerator", "mlPlatform implementation `sagemaker`");
        });

        it("fails when an implementation belongs to another cloud, listing this cloud's", () => {
            hasProblem(
                problemsOf({ containerService: { implementation: "cloud-run" } }),
                "mlops:containerService.implementation",
                '"cloud-run"',
                "Allowed: kubernetes",
            );
        });

        it("fails when an accelerator model goes to Knative without its scheduling flags", () => {
            hasProblem(
                problemsOf({ models: [{ ...model, accelerator: "nvidia-t4" }] }),
                "mlops:models[0].accelerator",
                "Knative's node-selector and toleration feature flags",
                "knativeSchedulingFlagsEnabled",
            );
            const ok = parse({
                serverlessInference: { knativeSchedulingFlagsEnabled: true },
                models: [{ ...model, accelerator: "nvidia-t4" }],
            });
            assert.deepEqual(ok.models[0].accelerator, { type: "nvidia-t4", count: 1 });
        });

        it("fails when a model misses its required keys", () => {
            const problems = problemsOf({ models: [{ port: 8080 }] });
            hasProblem(problems, "mlops:models[0].name", "is required");
            hasProblem(problems, "mlops:models[0].image", "is required");
        });

        it("fails when values have the wrong type", () => {
            const problems = problemsOf({
                models: "iris",
                dataLake: { zones: "raw" },
                mlPlatform: { training: { maxNodes: "many", spot: "yes" } },
            });
            hasProblem(problems, "mlops:models", "must be a list");
            hasProblem(problems, "mlops:dataLake.zones", "list of non-empty strings");
            hasProblem(problems, "mlops:mlPlatform.training.maxNodes", "whole number");
            hasProblem(problems, "mlops:mlPlatform.training.spot", "true or false");
        });

        it("fails when counts are zero or negative", () => {
            const problems = problemsOf({
                mlPlatform: { training: { maxNodes: 0 } },
                models: [{ ...model, maxReplicas: 0, memoryMiB: -5 }],
            });
            hasProblem(problems, "mlops:mlPlatform.training.maxNodes", "between 1 and 100");
            hasProblem(problems, "mlops:models[0].maxReplicas", "between 1 and 1000");
            hasProblem(problems, "mlops:models[0].memoryMiB", "between 64");
        });

        it("fails when a key is misspelled, at the top level or inside", () => {
            const problems = problemsOf({ modles: [], dataLake: { zone: ["raw"] } });
            hasProblem(problems, "mlops:modles", "is not a known key", "mlops:models");
            hasProblem(problems, "mlops:dataLake.zone", "is not a known key", "zones");
        });

        it("fails when the image is not pinned", () => {
            hasProblem(problemsOf({ models: [{ name: "a", image: "python:latest" }] }), "mlops:models[0].image", "pinned");
            hasProblem(problemsOf({ models: [{ name: "a", image: "python" }] }), "mlops:models[0].image", "pinned");
        });

        it("lets dev and staging scale to zero, and keeps one warm replica by default", () => {
            assert.equal(parse({ models: [{ ...model, minReplicas: 0 }] }).models[0].minReplicas, 0);
            assert.equal(parse({ environment: "staging", models: [model] }).models[0].minReplicas, 1);
        });

        it("fails when prod replicas fall below the floor", () => {
            hasProblem(
                problemsOf({ models: [{ ...model, minReplicas: 1 }] }, { cloud: "kubernetes", environment: "prod" }),
                "mlops:models[0].minReplicas",
                "prod floor of 2",
            );
        });

        it("fails when min exceeds max replicas", () => {
            hasProblem(
                problemsOf({ models: [{ ...model, minReplicas: 4, maxReplicas: 2 }] }),
                "mlops:models[0].maxReplicas",
                "below minReplicas",
            );
        });

        it("fails when model names clash or break the naming rule", () => {
            const problems = problemsOf({ models: [model, model, { name: "Bad_Name", image: "a/b:1" }] });
            hasProblem(problems, "mlops:models[1].name", "used by another model");
            hasProblem(problems, "mlops:models[2].name", "lowercase letters");
        });

        it("fails when the zones lack models, repeat, or break the naming rule", () => {
            hasProblem(problemsOf({ dataLake: { zones: ["raw"] } }), "mlops:dataLake.zones", "`models` zone");
            hasProblem(problemsOf({ dataLake: { zones: ["raw", "raw", "models"] } }), "mlops:dataLake.zones[1]", "listed twice");
            hasProblem(problemsOf({ dataLake: { zones: ["Raw", "models"] } }), "mlops:dataLake.zones[0]", "lowercase");
        });

        it("fails when the MinIO layout has no erasure coding, at the config key", () => {
            hasProblem(
                problemsOf({ dataLake: { minio: { servers: 1, drivesPerServer: 1 } } }),
                "mlops:dataLake.minio",
                '"1 servers x 1 drives"',
                "erasure-coded",
                "drivesPerServer: 4",
            );
            assert.equal(parse({ dataLake: { minio: { servers: 4, drivesPerServer: 1 } } }).dataLake.minio.servers, 4);
        });

        it("fails when a zone name is too short to be a bucket name", () => {
            hasProblem(problemsOf({ dataLake: { zones: ["ab", "models"] } }), "mlops:dataLake.zones[0]", '"ab"', "3-16 lowercase");
        });

        it("fails when audit logs would be kept under a year", () => {
            hasProblem(problemsOf({ dataLake: { auditLogRetentionDays: 30 } }), "mlops:dataLake.auditLogRetentionDays", "at least a year");
        });

        it("fails when the Kubernetes lake asks for a query engine or a cloud asks for MinIO", () => {
            hasProblem(problemsOf({ dataLake: { queryEngine: true } }), "mlops:dataLake.queryEngine", "Kubernetes");
            hasProblem(
                problemsOf({ dataLake: { minio: { servers: 1 } } }, { cloud: "gcp", environment: "dev" }),
                "mlops:dataLake.minio",
                "only applies when mlops:cloud is kubernetes",
            );
        });

        it("fails when a setting of another cloud is given, and when a cloud's own block has unknown keys", () => {
            hasProblem(
                problemsOf({ mlPlatform: { gcp: { notebooks: true } } }, { cloud: "aws", environment: "dev" }),
                "mlops:mlPlatform.gcp",
                "only applies when mlops:cloud is gcp",
            );
            hasProblem(
                problemsOf({ models: [{ ...model, azure: {} }] }, { cloud: "aws", environment: "dev" }),
                "mlops:models[0].azure",
                "only applies when mlops:cloud is azure",
            );
            hasProblem(
                problemsOf({ dataLake: { aws: { nosuchsetting: 1 } } }, { cloud: "aws", environment: "dev" }),
                "mlops:dataLake.aws.nosuchsetting",
                "is not a known key",
            );
        });

        it("lists every problem at once", () => {
            const problems = problemsOf({
                cloud: "nope",
                environment: "qa",
                models: [{ name: "x", image: "y:latest", accelerator: "tpu" }],
            });
            assert.equal(problems.length, 4, problems.join("\n"));
            hasProblem(problems, "mlops:cloud");
            hasProblem(problems, "mlops:environment");
            hasProblem(problems, "mlops:models[0].image");
            hasProblem(problems, "mlops:models[0].accelerator");
        });
    });
});
