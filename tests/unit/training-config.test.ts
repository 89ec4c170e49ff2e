/**
 * `mlops:models[].training`, `servedVersion` and `mlops:delivery` as the config parser reads them: defaults,
 * the specs the training components take, and every rule the whole config decides, each reported at the key
 * the user wrote, all at once.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { parseStackConfig } from "../../stacks/config/parse";
import { configProblems, hasProblem } from "../harness";
import { deliverySpec, trainingSpecs } from "../../stacks/config/training";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const opts = { project: "mlops", stack: "t", projectRoot: ROOT };
const etl = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    source: "raw/iris/",
    target: "curated/iris/",
    schedule: "0 3 * * *",
};
const training = {
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/train.py"],
    files: "samples/jobs",
    dataset: "curated/iris/",
    schedule: "0 4 * * 1",
};
const model = (t: unknown, extra: Record<string, unknown> = {}) => ({
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/serve.py"],
    serveWith: ["containerService"],
    training: t,
    ...extra,
});

const stack = (cloud: string, environment: string, models: unknown[], more: Record<string, string> = {}): Record<string, string> => ({
    "mlops:cloud": cloud,
    "mlops:environment": environment,
    "mlops:models": JSON.stringify(models),
    "mlops:pipelines": JSON.stringify({ jobs: [etl] }),
    ...(environment === "prod" && cloud !== "kubernetes"
        ? { "mlops:notifications": JSON.stringify({ emails: ["oncall@example.com"] }) }
        : {}),
    ...more,
});
const kubernetes = (models: unknown[], environment = "dev", more: Record<string, string> = {}) =>
    stack("kubernetes", environment, models, more);

const problemsOf = (raw: Record<string, string>): readonly string[] => configProblems(raw, opts);
const has = hasProblem;

describe("mlops:models[].training", () => {
    it("is optional: a model without it has no training spec", () => {
        const c = parseStackConfig(kubernetes([model(undefined)]), opts);
        assert.equal(c.models[0].training, undefined);
        assert.deepEqual(trainingSpecs(c), []);
    });

    it("reads a training with its defaults (dev: automatic approval) into the spec the components take", () => {
        const c = parseStackConfig(kubernetes([model(training)]), opts);
        const [spec] = trainingSpecs(c);
        assert.equal(spec.model, "iris");
        assert.equal(spec.mode, "custom");
        assert.deepEqual(spec.command, ["python", "/app/train.py"]);
        assert.deepEqual(spec.dataset, { zone: "curated", prefix: "iris/" });
        assert.equal(spec.datasetPipeline, "iris-etl", "the ETL job writes the dataset: its completion starts retraining");
        assert.deepEqual(spec.output, { zone: "models", prefix: "iris/" });
        assert.equal(spec.schedule, "0 4 * * 1");
        assert.equal(spec.onNewData, true);
        assert.equal(spec.metric, "accuracy");
        assert.equal(spec.threshold, 0.9);
        assert.equal(spec.approval, "automatic");
        assert.equal(spec.spot, true, "spot comes from mlops:mlPlatform.training.spot");
        assert.equal(spec.drift, undefined);
        assert.ok(spec.files && "train.py" in spec.files, "the files directory is read");
    });

    it("takes the stack's training accelerator and spot setting", () => {
        const c = parseStackConfig(
            kubernetes([model(training)], "dev", {
                "mlops:mlPlatform": JSON.stringify({ training: { accelerator: "nvidia-t4", spot: false } }),
            }),
            opts,
        );
        const [spec] = trainingSpecs(c);
        assert.deepEqual(spec.accelerator, { type: "nvidia-t4", count: 1 });
        assert.equal(spec.spot, false);
    });

    it("defaults prod approval to manual and reads the drift monitor with its defaults", () => {
        const c = parseStackConfig(kubernetes([model({ ...training, drift: {} })], "prod"), opts);
        const [spec] = trainingSpecs(c);
        assert.equal(spec.approval, "manual");
        assert.deepEqual(spec.drift, {
            schedule: "0 * * * *",
            command: ["python", "/app/drift.py"],
            capture: { zone: "models", prefix: "iris/_capture/" },
            psiThreshold: 0.2,
            ksAlpha: 0.05,
            retrain: false,
        });
    });

    it("reads the gate, decimals included, and a quoted threshold", () => {
        const c = parseStackConfig(kubernetes([model({ ...training, metric: "f1Macro", threshold: "0.85" })]), opts);
        assert.equal(c.models[0].training?.metric, "f1Macro");
        assert.equal(c.models[0].training?.threshold, 0.85);
    });

    it("refuses automatic approval in prod", () => {
        has(
            problemsOf(kubernetes([model({ ...training, approval: "automatic" })], "prod")),
            "mlops:models[0].training.approval",
            "must be `manual` in prod",
        );
    });

    it("refuses AutoML on Kubernetes and names the targets that offer it", () => {
        has(
            problemsOf(
                kubernetes([
                    model({ image: training.image, dataset: "curated/iris/", mode: "automl", automl: { targetColumn: "species" } }),
                ]),
            ),
            "mlops:models[0].training.mode",
            "is not offered when mlops:cloud is kubernetes",
            "aws (SageMaker Autopilot)",
            "gcp (Vertex AI AutoML (tabular))",
            "azure (Azure ML automated ML)",
        );
    });

    it("reads AutoML where offered, and requires its target column", () => {
        // The shipped aws-dev stack (Glue pipelines, a Lambda-served model) with its model trained by Autopilot.
        const shipped = loadStackConfig(ROOT, "aws-dev").config;
        const raw = (automl: unknown) => {
            const models = JSON.parse(shipped["mlops:models"]) as Record<string, unknown>[];
            models[0] = {
                ...models[0],
                training: {
                    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
                    files: "samples/jobs",
                    dataset: "curated/iris/",
                    mode: "automl",
                    automl,
                },
            };
            return { ...shipped, "mlops:models": JSON.stringify(models) };
        };
        const c = parseStackConfig(raw({ targetColumn: "species" }), opts);
        assert.deepEqual(c.models[0].training?.automl, { targetColumn: "species", problemType: "classification", maxRuntimeMinutes: 60 });
        has(problemsOf(raw({})), "mlops:models[0].training.automl.targetColumn", "is required");
    });

    it("reports every problem of a training at once, each at its key", () => {
        const problems = problemsOf(
            kubernetes([
                model({
                    image: "python",
                    dataset: "models/iris/",
                    schedule: "61 * * * *",
                    onNewData: false,
                    metric: "auc",
                    threshold: 1.5,
                    automl: { targetColumn: "species" },
                    drift: { psiThreshold: 0, ksAlpha: 0.9, retrain: "yes" },
                    tuning: true,
                }),
            ]),
        );
        has(problems, "mlops:models[0].training.image", "must be pinned");
        has(problems, "mlops:models[0].training.command", "is required");
        has(problems, "mlops:models[0].training.dataset", "is in the `models` zone");
        has(problems, "mlops:models[0].training.schedule", "is not a schedule this target takes");
        has(problems, "mlops:models[0].training.metric");
        has(problems, "mlops:models[0].training.threshold", "at most 1");
        has(problems, "mlops:models[0].training.automl", "applies only with `mode: automl`");
        has(problems, "mlops:models[0].training.drift.psiThreshold", "more than 0");
        has(problems, "mlops:models[0].training.drift.ksAlpha", "at most 0.5");
        has(problems, "mlops:models[0].training.drift.retrain", "true or false");
        has(problems, "mlops:models[0].training.tuning", "is not a known key");
    });

    it("refuses training env that sets the contract's variables, on every target", () => {
        has(
            problemsOf(kubernetes([model({ ...training, env: { MLOPS_GATE_THRESHOLD: "0.1", LOG_LEVEL: "debug" } })])),
            "mlops:models[0].training.env.MLOPS_GATE_THRESHOLD",
            "is set by the runner",
        );
    });

    it("refuses a training that never runs, and one on raw data", () => {
        has(
            problemsOf(kubernetes([model({ ...training, schedule: undefined, onNewData: false })])),
            "mlops:models[0].training",
            "never retrains",
        );
        has(
            problemsOf(kubernetes([model({ ...training, dataset: "raw/iris/" })])),
            "mlops:models[0].training.dataset",
            "is in the raw zone",
        );
    });

    it("needs the lake's models zone", () => {
        has(
            problemsOf(kubernetes([model(training)], "dev", { "mlops:dataLake": JSON.stringify({ zones: ["raw", "curated"] }) })),
            "mlops:models[0].training",
            "needs the lake's `models` zone",
        );
    });
});

describe("mlops:models[].servedVersion", () => {
    it("is a training run id; a leading v= is dropped, and the spec carries it", () => {
        const c = parseStackConfig(kubernetes([model(training, { servedVersion: "v=20261203T101500Z-1a2b3c4d" })]), opts);
        assert.equal(c.models[0].servedVersion, "20261203T101500Z-1a2b3c4d");
        assert.equal(trainingSpecs(c)[0].servedVersion, "20261203T101500Z-1a2b3c4d");
    });

    it("refuses what is not a run id, and a version for a model that is not served", () => {
        has(
            problemsOf(kubernetes([model(training, { servedVersion: "../latest" })])),
            "mlops:models[0].servedVersion",
            "a training run id",
        );
        has(
            problemsOf(kubernetes([model(training, { servedVersion: "20261203T101500Z-1a2b3c4d", serveWith: [] })])),
            "mlops:models[0].servedVersion",
            "the model is not served",
        );
    });
});

describe("mlops:delivery", () => {
    it("reads the repository with its defaults; the spec exists only with a token, which stays secret", () => {
        const without = parseStackConfig(
            kubernetes([model(training)], "dev", { "mlops:delivery": JSON.stringify({ repository: "acme/ml" }) }),
            opts,
        );
        assert.deepEqual(without.delivery, { repository: "acme/ml", workflow: "promote.yml", branch: "main", githubToken: undefined });
        assert.equal(
            deliverySpec(without, (v) => v),
            undefined,
        );
        const withToken = parseStackConfig(
            kubernetes([model(training)], "dev", { "mlops:delivery": JSON.stringify({ repository: "acme/ml", githubToken: "ghp_x" }) }),
            opts,
        );
        const wrapped: string[] = [];
        const spec = deliverySpec(withToken, (v) => {
            wrapped.push(v);
            return `secret(${v})`;
        });
        assert.deepEqual(wrapped, ["ghp_x"]);
        assert.deepEqual(spec, { repository: "acme/ml", workflow: "promote.yml", branch: "main", stack: "t", token: "secret(ghp_x)" });
    });

    it("refuses a bad repository, workflow and branch, and an unknown key, all at once", () => {
        const problems = problemsOf(
            kubernetes([model(training)], "dev", {
                "mlops:delivery": JSON.stringify({ repository: "acme", workflow: "promote", branch: "a b", token: "x" }),
            }),
        );
        has(problems, "mlops:delivery.repository", "`owner/name`");
        has(problems, "mlops:delivery.workflow", "a workflow file name");
        has(problems, "mlops:delivery.branch", "a branch name");
        has(problems, "mlops:delivery.token", "is not a known key");
    });
});
