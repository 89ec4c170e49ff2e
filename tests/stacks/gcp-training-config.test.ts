/**
 * GCP training config: what only the Vertex AI implementation refuses, at the key the user wrote, in one
 * error with the other problems, and nothing registered; and the shipped GCP stacks' training wiring.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { buildStack } from "../../stacks/build";
import { parseStackConfig } from "../../stacks/config/parse";
import { capture } from "../../stacks/plan/capture";
import { loadStackConfig } from "../../stacks/plan/stack-config";
import { shippedPlan } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");

/** The shipped stack's config with the first model's `training` (and the model itself) edited. */
function withModel(stack: string, edit: (model: Record<string, unknown>) => void): { project: string; config: Record<string, string> } {
    const base = loadStackConfig(ROOT, stack);
    const models = JSON.parse(base.config["mlops:models"]) as Record<string, unknown>[];
    edit(models[0]);
    return { project: base.project, config: { ...base.config, "mlops:models": JSON.stringify(models) } };
}

function refused(stack: string, edit: (model: Record<string, unknown>) => void): ValidationError {
    const { project, config } = withModel(stack, edit);
    try {
        parseStackConfig(config, { project, stack, projectRoot: ROOT });
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e;
    }
    return assert.fail("parse accepted it");
}

describe("GCP training config (checkGcpTraining)", () => {
    it("refuses a drift job larger than Cloud Run jobs, a reserved env variable and too much drift memory, in one error", () => {
        const e = refused("gcp-prod", (m) => {
            const t = m.training as Record<string, unknown>;
            t.cpuMillicores = 16000;
            t.env = { MLOPS_TRIGGER: "mine" };
        });
        assert.match(e.message, /mlops:models\[0\]\.training\.cpuMillicores: is more than Cloud Run jobs \(the drift job\) offer/);
        assert.match(e.message, /mlops:models\[0\]\.training\.env\.MLOPS_TRIGGER: is set by the runner/);
    });

    it("refuses drift memory outside what the CPU allows on Cloud Run", () => {
        const e = refused("gcp-prod", (m) => {
            (m.training as Record<string, unknown>).memoryMiB = 8192;
        });
        assert.match(e.message, /mlops:models\[0\]\.training\.memoryMiB: must be 512 to 4096 MiB with 1 vCPU for the drift job/);
    });

    it("refuses drift and a served version with AutoML, with a problem of another section in the same error", () => {
        const base = withModel("gcp-prod", (m) => {
            m.servedVersion = "20261203T101500Z-1a2b3c4d";
            m.training = {
                mode: "automl",
                image: "python:3.12.12-slim-bookworm",
                dataset: "curated/iris/",
                automl: { targetColumn: "species" },
                drift: {},
            };
        });
        const config = {
            ...base.config,
            "mlops:dataLake": JSON.stringify({ ...JSON.parse(base.config["mlops:dataLake"]), queryEngine: "maybe" }),
        };
        let error: unknown;
        try {
            parseStackConfig(config, { project: base.project, stack: "gcp-prod", projectRoot: ROOT });
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /mlops:models\[0\]\.training\.drift: is not available with `mode: automl` on gcp/);
        assert.match(error.message, /mlops:models\[0\]\.servedVersion: cannot be served from the lake with `mode: automl` on gcp/);
        assert.match(error.message, /mlops:dataLake\.queryEngine/);
    });

    it("registers nothing but the stack when the training config is refused", async () => {
        const { project, config } = withModel("gcp-prod", (m) => {
            (m.training as Record<string, unknown>).cpuMillicores = 16000;
        });
        const { resources } = await capture({ project, stack: "gcp-prod", config, secretKeys: [] }, async () => {
            try {
                await buildStack(parseStackConfig(config, { project, stack: "gcp-prod", projectRoot: ROOT }));
            } catch {
                // refused
            }
        });
        assert.deepEqual(
            resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});

describe("shipped GCP stacks: training", () => {
    it("gcp-dev: automatic approval, CPU training on demand, a daily drift job with the stack's one drift alert", async () => {
        const plan = await shippedPlan("gcp-dev");
        const schedule = plan.resources.find((r) => r.type === "gcp:colab/schedule:Schedule")!;
        const spec = JSON.parse(schedule.inputs.createPipelineJobRequest.pipelineJob.pipelineSpec);
        assert.equal(JSON.parse(spec.deploymentSpec.executors["exec-register"].container.args[0]).alias, "approved");
        const payload = JSON.parse(spec.deploymentSpec.executors["exec-train"].container.args[3]);
        assert.equal(payload.job_spec.worker_pool_specs[0].machine_spec.accelerator_type, undefined);
        assert.equal(payload.job_spec.scheduling.strategy, "SPOT");
        // Drift joins the data pipelines' failures in the stack's one loop condition (no policy of the training component's).
        const alerts = plan.resources.filter((r) => r.type === "gcp:monitoring/alertPolicy:AlertPolicy" && !r.name.startsWith("serving-"));
        assert.deepEqual(
            alerts.map((a) => [a.name, a.inputs.conditions.length]),
            [["loop-alerts", 1]],
        );
        assert.match(
            alerts[0].inputs.conditions[0].conditionPrometheusQueryLanguage.query,
            /sum by \(model\).*user\/mlops-gcp-dev-drifted-features/,
        );
        const driftSchedule = plan.resources.find((r) => r.name === "training-iris-drift-schedule")!;
        assert.equal(driftSchedule.inputs.schedule, "0 6 * * *");
    });

    it("gcp-prod: manual approval on the L4 spot machine, drift alert to the stack's channels, capture write for serving", async () => {
        const plan = await shippedPlan("gcp-prod");
        const schedule = plan.resources.find((r) => r.type === "gcp:colab/schedule:Schedule")!;
        const spec = JSON.parse(schedule.inputs.createPipelineJobRequest.pipelineJob.pipelineSpec);
        assert.equal(JSON.parse(spec.deploymentSpec.executors["exec-register"].container.args[0]).alias, "candidate");
        const payload = JSON.parse(spec.deploymentSpec.executors["exec-train"].container.args[3]);
        assert.equal(payload.job_spec.worker_pool_specs[0].machine_spec.accelerator_type, "NVIDIA_L4");
        assert.equal(payload.job_spec.scheduling.strategy, "SPOT");
        const loop = plan.resources.find((r) => r.type === "gcp:monitoring/alertPolicy:AlertPolicy" && r.name === "loop-alerts")!;
        assert.equal(loop.inputs.conditions.length, 1);
        assert.match(loop.inputs.conditions[0].conditionPrometheusQueryLanguage.query, /sum by \(model\)/);
        assert.ok(loop.inputs.notificationChannels.length > 0, "prod's drift alert reaches the stack's channels");
        const serving = plan.resources.find((r) => r.name === "serving-iris-service")!;
        const envs = serving.inputs.template.containers[0].envs as { name: string; value: string }[];
        assert.ok(
            envs.some((e) => e.name === "MLOPS_CAPTURE_URI" && /^gs:\/\/.+\/iris\/_capture\/$/.test(e.value)),
            JSON.stringify(envs),
        );
        assert.ok(plan.resources.some((r) => r.name === "serving-iris-capture-write"));
        assert.ok(!plan.resources.some((r) => r.name === "serving-iris-model-read"), "no served version yet");
    });
});
