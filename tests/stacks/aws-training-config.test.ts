/**
 * AWS training config: what only the AWS target refuses (images SageMaker cannot pull, sizes no CPU
 * training instance has, an Autopilot regression gated on a classification metric) arrives in the one
 * config error at the `mlops:models[i].training` key the user wrote, with problems of other sections, and
 * nothing is registered; the stack's training args are what the build passes.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { buildStack } from "../../stacks/build";
import { parseStackConfig } from "../../stacks/config/parse";
import { awsTrainingArgs, checkAwsTraining } from "../../stacks/config/aws-training";
import { awsEventBridgeZones } from "../../stacks/config/aws";
import { capture } from "../../stacks/plan/capture";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");

function config(
    stack: string,
    edit: (models: any[], all: Record<string, string>) => void,
): { config: Record<string, string>; project: string } {
    const loaded = loadStackConfig(ROOT, stack);
    const all = { ...loaded.config };
    const models = JSON.parse(all["mlops:models"]);
    edit(models, all);
    all["mlops:models"] = JSON.stringify(models);
    return { config: all, project: loaded.project };
}

function problemsOf(stack: string, edit: (models: any[], all: Record<string, string>) => void): string {
    const { config: c, project } = config(stack, edit);
    try {
        parseStackConfig(c, { project, stack, projectRoot: ROOT });
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.message;
    }
    assert.fail("the config was accepted");
}

describe("AWS training config", () => {
    it("refuses a training image outside ECR at the model's training.image, in one error with another section's problem", () => {
        const message = problemsOf("aws-dev", (models, all) => {
            models[0].training.image = "python:3.12.12-slim-bookworm";
            all["mlops:environment"] = "dev";
            all["mlops:mlPlatform"] = JSON.stringify({ ...JSON.parse(all["mlops:mlPlatform"]), aws: { natGateways: 9 } });
        });
        assert.match(message, /mlops:models\[0\]\.training\.image: is not in Amazon ECR/);
        assert.match(message, /mlops:mlPlatform\.aws\.natGateways/);
    });

    it("refuses cpu and memory no CPU training instance has at training.memoryMiB", () => {
        const message = problemsOf("aws-dev", (models) => {
            models[0].training.cpuMillicores = 96000;
            models[0].training.memoryMiB = 786432;
        });
        assert.match(
            message,
            /mlops:models\[0\]\.training\.memoryMiB: with 96000 millicores is more than the largest CPU training instance/,
        );
    });

    it("refuses an Autopilot regression gated on f1Macro at training.metric", () => {
        const message = problemsOf("aws-dev", (models) => {
            const t = models[0].training;
            delete t.command;
            t.mode = "automl";
            t.metric = "f1Macro";
            t.automl = { targetColumn: "petal_width_cm", problemType: "regression" };
        });
        assert.match(message, /mlops:models\[0\]\.training\.metric: has no meaning for an Autopilot regression/);
    });

    it("refuses a served version of an Autopilot model (no model.json in the lake) at the model's servedVersion", () => {
        const message = problemsOf("aws-dev", (models) => {
            const t = models[0].training;
            delete t.command;
            t.mode = "automl";
            t.automl = { targetColumn: "species" };
            models[0].servedVersion = "20261203T101500Z-1a2b3c4d";
        });
        assert.match(message, /mlops:models\[0\]\.servedVersion: cannot be served from the lake with `mode: automl` on aws/);
    });

    it("refuses a served version on a SageMaker endpoint at the model's servedVersion, in one error with another section's problem", () => {
        const message = problemsOf("aws-prod", (models, all) => {
            models[1].servedVersion = "20261203T101500Z-1a2b3c4d";
            all["mlops:serverlessInference"] = JSON.stringify({
                ...JSON.parse(all["mlops:serverlessInference"]),
                aws: { dataCaptureSamplingPercent: 0 },
            });
        });
        assert.match(message, /\(2 problems\)/);
        assert.match(
            message,
            /mlops:models\[1\]\.servedVersion: cannot be served by sagemaker-endpoint: the endpoint runs the model artifact the stack packs \(inference\.py, network-isolated\), not serve\.py.*lambda, ecs-fargate and app-runner load it/,
        );
        assert.match(message, /mlops:serverlessInference\.aws\.dataCaptureSamplingPercent/);
    });

    it("refuses a drift monitor on a model served by sagemaker-serverless (no data capture) at its training.drift", () => {
        const message = problemsOf("aws-dev", (models, all) => {
            models[0].aws.sagemakerCode = "samples/aws/sagemaker";
            all["mlops:serverlessInference"] = JSON.stringify({ implementation: "sagemaker-serverless" });
        });
        assert.match(message, /\(1 problem\)/);
        assert.match(
            message,
            /mlops:models\[0\]\.training\.drift: needs the model's scored inputs, and sagemaker-serverless endpoints have no data capture/,
        );
    });

    it("refuses a model env that sets what the stack sets from servedVersion and training.drift, at the model's env", () => {
        const message = problemsOf("aws-prod", (models) => {
            models[0].env = { MLOPS_CAPTURE_URI: "s3://elsewhere/" };
        });
        assert.match(
            message,
            /mlops:models\[0\]\.env: sets MLOPS_CAPTURE_URI, which the stack sets from servedVersion and training\.drift/,
        );
    });

    it("registers nothing when the training config is bad", async () => {
        const { config: c, project } = config("aws-dev", (models) => {
            models[0].training.image = "ghcr.io/acme/train:1.0.0";
        });
        const { resources } = await capture({ project, stack: "aws-dev", config: c }, async () => {
            try {
                await buildStack(parseStackConfig(c, { project, stack: "aws-dev", projectRoot: ROOT }));
            } catch (e) {
                assert.ok(e instanceof ValidationError);
            }
            return {};
        });
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.type),
            [],
        );
    });

    it("passes the shipped stacks' trainings: prod manual with drift and retrain, dev automatic; the dataset bucket sends events", () => {
        for (const [stack, approval, retrain] of [
            ["aws-dev", "automatic", false],
            ["aws-prod", "manual", true],
        ] as const) {
            const { config: c, project } = config(stack, () => undefined);
            const parsed = parseStackConfig(c, { project, stack, projectRoot: ROOT });
            assert.deepEqual(checkAwsTraining(parsed), []);
            const args = awsTrainingArgs(parsed, {
                kmsKeyArn: "k",
                alertTopicArn: "t",
                bucketNames: {},
                registryHost: "h",
                cachePrefix: "c",
            });
            assert.equal(args.trainings.length, 1);
            assert.equal(args.trainings[0].approval, approval);
            assert.equal(args.trainings[0].drift?.retrain, retrain);
            assert.equal(args.trainings[0].datasetPipeline, "iris-etl");
            assert.ok(awsEventBridgeZones(parsed).includes("curated"));
        }
    });
});
