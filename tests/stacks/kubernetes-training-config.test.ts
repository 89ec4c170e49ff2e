/**
 * Kubernetes training config: what only the CronJob/MLflow implementation refuses, at the key the user wrote,
 * in one error with other problems; and the dev stack's training wiring (MinIO identities, trigger route,
 * serving env).
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../../stacks/config/parse";
import { loadStackConfig } from "../../stacks/plan/stack-config";
import {
    kubernetesLakeArgsWithTraining,
    kubernetesPipelinesArgsWithTraining,
    trainingLakeAccess,
} from "../../stacks/config/kubernetes-training";
import { kubernetesContainerServiceArgs } from "../../stacks/config/kubernetes";
import { shippedPlan } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");

function withModel(edit: (model: Record<string, unknown>) => void, more: Record<string, string> = {}) {
    const base = loadStackConfig(ROOT, "dev");
    const models = JSON.parse(base.config["mlops:models"]) as Record<string, unknown>[];
    edit(models[0]);
    return { project: base.project, config: { ...base.config, ...more, "mlops:models": JSON.stringify(models) } };
}
function refused(edit: (model: Record<string, unknown>) => void, more: Record<string, string> = {}): ValidationError {
    const { project, config } = withModel(edit, more);
    try {
        parseStackConfig(config, { project, stack: "dev", projectRoot: ROOT });
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e;
    }
    return assert.fail("parse accepted it");
}
const parsed = (edit: (model: Record<string, unknown>) => void = () => undefined) => {
    const { project, config } = withModel(edit);
    return parseStackConfig(config, { project, stack: "dev", projectRoot: ROOT });
};

describe("Kubernetes training config (checkKubernetesTraining)", () => {
    it("refuses a training pod larger than the training namespace admits, a reserved env var and a model name too long for its MinIO users, in one error with another section's problem", () => {
        const e = refused(
            (m) => {
                m.name = "iris-classifier-long";
                const t = m.training as Record<string, unknown>;
                t.cpuMillicores = 8000;
                t.env = { MLFLOW_TRACKING_URI: "http://elsewhere" };
            },
            {
                "mlops:dataLake": JSON.stringify({
                    zones: ["raw", "curated", "features", "models"],
                    minio: { servers: 1, drivesPerServer: 1 },
                }),
            },
        );
        assert.match(
            e.message,
            /mlops:models\[0\]\.training\.cpuMillicores: is more than one training pod may take in the training namespace \(4000 millicores/,
        );
        assert.match(e.message, /mlops:models\[0\]\.training\.env\.MLFLOW_TRACKING_URI: is set by the runner/);
        assert.match(e.message, /mlops:models\[0\]\.name: is not 1-18 lowercase letters/);
        assert.match(e.message, /mlops:dataLake\.minio/);
    });

    it("refuses a served model without a command (the key-loading shell line needs one) and an env var the loop sets", () => {
        const e = refused((m) => {
            m.servedVersion = "20261203T101500Z-1a2b3c4d";
            delete m.command;
            delete m.files;
            m.env = { MLOPS_MODEL_URI: "s3://elsewhere/model.json" };
        });
        assert.match(e.message, /mlops:models\[0\]\.command: is required when the model loads a served version or captures its inputs/);
        assert.match(e.message, /mlops:models\[0\]\.env\.MLOPS_MODEL_URI: is set by the stack/);
    });

    it("scopes the loop's MinIO identities: train reads the dataset and writes models/iris/, drift writes _drift/, serving writes _capture/", () => {
        const cfg = parsed();
        assert.deepEqual(
            trainingLakeAccess(cfg).map((a) => [
                a.name,
                `${a.source.zone}/${a.source.prefix}`,
                `${a.target.zone}/${a.target.prefix}`,
                !!a.onArrival,
            ]),
            [
                ["iris-train", "curated/iris/", "models/iris/", true],
                ["iris-drift", "models/iris/", "models/iris/_drift/", false],
                ["iris-serve", "models/iris/", "models/iris/_capture/", false],
            ],
        );
        const lake = kubernetesLakeArgsWithTraining(cfg);
        assert.ok(lake.clientNamespaces?.includes("mlops-dev-serving") && lake.clientNamespaces.includes("mlops-dev-inference"));
        const pipelines = kubernetesPipelinesArgsWithTraining(cfg, { endpoint: "e", credentials: {}, notificationToken: "t" })!;
        assert.deepEqual(pipelines.trainingRoutes, [
            {
                pipeline: "iris-train",
                cronJob: "iris-train",
                namespace: "mlops-dev-training",
                bucket: "curated",
                prefix: "iris/",
                suffix: "/_manifest.json",
                trigger: "new-data",
            },
        ]);
    });

    it("gives a served version's model MLOPS_MODEL_VERSION/URI and MLOPS_CAPTURE_URI, and its pods the lake", () => {
        const cfg = parsed((m) => {
            m.servedVersion = "v=20261203T101500Z-1a2b3c4d";
        });
        const args = kubernetesContainerServiceArgs(cfg, { endpoint: "http://lake:9000", credentials: {} })!;
        assert.deepEqual(
            { ...args.models[0].env },
            {
                MODEL_NAME: "iris",
                MLOPS_MODEL_VERSION: "20261203T101500Z-1a2b3c4d",
                MLOPS_MODEL_URI: "s3://models/iris/v=20261203T101500Z-1a2b3c4d/model.json",
                MLOPS_CAPTURE_URI: "s3://models/iris/_capture/",
            },
        );
        assert.deepEqual(args.lake?.models, ["iris"]);
    });

    it("the dev stack plans the training and drift CronJobs in the training namespace and the trigger's training route", async () => {
        const plan = await shippedPlan("dev");
        const byName = (n: string) => plan.resources.find((r) => r.name === n)!;
        assert.equal((byName("training-iris-train").inputs as any).metadata.namespace, "mlops-dev-training");
        assert.equal((byName("training-iris-drift").inputs as any).spec.schedule, "0 * * * *");
        const trigger = byName("pipelines-trigger").inputs as any;
        const routes = JSON.parse(trigger.spec.template.spec.containers[0].env.find((e: any) => e.name === "MLOPS_TRIGGER_ROUTES").value);
        assert.ok(
            routes.some((r: any) => r.cronJob === "iris-train" && r.namespace === "mlops-dev-training" && r.suffix === "/_manifest.json"),
        );
    });
});
