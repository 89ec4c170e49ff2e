/**
 * Arguments of SageMakerTrainingPipelines, their validator, and the pure values derived from valid args
 * (physical names, instance types, image URIs). Pure: no SDK at runtime. See docs/aws.md, "Training,
 * promotion and drift".
 */
import type * as pulumi from "@pulumi/pulumi";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import { imageSource, fargateImage } from "../container-service/aws-images";
import { NAME_PREFIX, sagemakerName } from "../naming/aws";
import { fitName, shortHash, WORKLOAD_NAME } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";
import { driftJobName, TrainingPipelinesArgs, TrainingSpec, trainingPipelineName } from "./contract";

export interface SageMakerTrainingPipelinesArgs extends TrainingPipelinesArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** The lake's zones; every dataset and the `models` zone must be one of them. */
    readonly zones: string[];
    /** Bucket name per lake zone. */
    readonly bucketNames: pulumi.Input<Record<string, string>>;
    /** The platform key: artifacts, training volumes, schedules, logs, the delivery connection's secret. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The stack's alert topic: drift alarms notify it. */
    readonly alertTopicArn: pulumi.Input<string>;
    /**
     * The models the ML platform registers (one SageMaker model package group each, named
     * `sagemakerName([namePrefix, model])` by SageMakerPlatform); every training's model must be one of them.
     */
    readonly registeredModels: string[];
    /** `<account>.dkr.ecr.<region>.amazonaws.com`: SageMaker pulls images from the account's ECR only. */
    readonly registryHost: pulumi.Input<string>;
    /** The ECR pull-through cache prefix for ECR Public images, when the registry has one. */
    readonly cachePrefix: string | undefined;
    /** Training instance type without an accelerator, when the training's cpu and memory fit it. Default: the smallest ml.m5 that fits. */
    readonly cpuTrainingInstanceType?: string;
    /** Instance type of the drift job (a SageMaker Processing job). Default: "ml.t3.medium". */
    readonly driftInstanceType?: string;
    /** Days the SageMaker Processing log group keeps the drift job's lines. Default: 365. */
    readonly logRetentionDays?: number;
}

/** ml.m5 sizes (vCPU, GiB) for CPU training, smallest first (SageMaker pricing page, instance details). */
export const CPU_TRAINING_INSTANCES: readonly { readonly type: string; readonly vcpu: number; readonly memoryGiB: number }[] = [
    { type: "ml.m5.large", vcpu: 2, memoryGiB: 8 },
    { type: "ml.m5.xlarge", vcpu: 4, memoryGiB: 16 },
    { type: "ml.m5.2xlarge", vcpu: 8, memoryGiB: 32 },
    { type: "ml.m5.4xlarge", vcpu: 16, memoryGiB: 64 },
    { type: "ml.m5.12xlarge", vcpu: 48, memoryGiB: 192 },
    { type: "ml.m5.24xlarge", vcpu: 96, memoryGiB: 384 },
];

/** Names of a model's resources: SageMaker pipelines (<= 256, `[a-zA-Z0-9](-*[a-zA-Z0-9])*`), schedules and rules (<= 64). */
export function trainingNames(namePrefix: string, model: string) {
    return {
        pipeline: fitName([namePrefix, trainingPipelineName(model)], 256),
        driftPipeline: fitName([namePrefix, driftJobName(model)], 256),
        group: sagemakerName([namePrefix, model]),
        schedule: fitName([namePrefix, model, "train"], 64),
        driftSchedule: fitName([namePrefix, model, "drift"], 64),
        newDataRule: fitName([namePrefix, model, "new-data"], 64),
        retrainRule: fitName([namePrefix, model, "drift-retrain"], 64),
        approvedRule: fitName([namePrefix, model, "approved"], 64),
        driftAlarm: fitName([namePrefix, model, "drift"], 255),
    };
}

/** The CloudWatch namespace of the drift metrics. */
export const DRIFT_NAMESPACE = "mlops/drift";

/** Key prefix (under the model's prefix) of the code the stack uploads for its jobs; the content hash versions it. */
export function codePrefix(spec: TrainingSpec): string {
    const files = spec.files ?? {};
    const digest = shortHash(
        Object.keys(files)
            .sort()
            .map((f) => `${f}\n${files[f]}`)
            .join("\n\0"),
        16,
    );
    return `${spec.output.prefix}_code/${digest}/`;
}

/** The training instance: the catalog's for the accelerator, else the smallest ml.m5 with the cpu and memory asked. Call after validation. */
export function trainingInstanceType(spec: TrainingSpec, cpuType?: string): string {
    const accelerated = resolveAccelerator({ cloud: "aws", service: "sagemaker-training", accelerator: spec.accelerator });
    if (accelerated?.instanceType) return accelerated.instanceType;
    if (cpuType) return cpuType;
    const fit = CPU_TRAINING_INSTANCES.find((i) => i.vcpu * 1000 >= spec.cpuMillicores && i.memoryGiB * 1024 >= spec.memoryMiB);
    return (fit ?? CPU_TRAINING_INSTANCES[CPU_TRAINING_INSTANCES.length - 1]).type;
}

/** The image as SageMaker pulls it: ECR Public through the pull-through cache; a private ECR image unchanged. */
export function sagemakerImage(image: string, registryHost: string, cachePrefix: string | undefined): string {
    return fargateImage(image, registryHost, cachePrefix);
}

/** Every problem with SageMakerTrainingPipelines args. */
export function validateSageMakerTrainingPipelines(args: SageMakerTrainingPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    if (!args.zones.includes("models"))
        problems.push({ path: "zones", value: args.zones, message: "has no `models` zone, where model versions are written" });
    args.trainings.forEach((t, i) => {
        const at = `trainings[${i}]`;
        if (!WORKLOAD_NAME.test(t.model))
            problems.push({
                path: `${at}.model`,
                value: t.model,
                message: "is not a valid model name",
                fix: "use 1-24 lowercase letters, digits and '-', starting with a letter",
            });
        else if (!args.registeredModels.includes(t.model))
            problems.push({
                path: `${at}.model`,
                value: t.model,
                message: "has no model package group in the ML platform: versions could not be registered",
                allowed: args.registeredModels,
            });
        if (args.trainings.findIndex((o) => o.model === t.model) !== i)
            problems.push({ path: `${at}.model`, value: t.model, message: "has two trainings" });
        if (t.mode === "automl" && t.servedVersion !== undefined)
            problems.push({
                path: `${at}.servedVersion`,
                value: t.servedVersion,
                message:
                    "cannot be served from the lake with `mode: automl` on aws: Autopilot writes no v=<run id>/model.json for the sample server to load",
                fix: "serve an Autopilot model from its model package (a SageMaker endpoint), or train with `mode: custom`",
            });
        const source = imageSource(t.image);
        if (source === "other")
            problems.push({
                path: `${at}.image`,
                value: t.image,
                message:
                    "is not in Amazon ECR: SageMaker training and processing jobs pull only from the account's private ECR (ECR Public images through the stack's pull-through cache)",
                fix: "use an ECR Public image (e.g. public.ecr.aws/docker/library/python:3.12.12-slim-bookworm) or push the image to this account's ECR",
            });
        else if (source === "ecr-public" && args.cachePrefix === undefined)
            problems.push({
                path: `${at}.image`,
                value: t.image,
                message: "is an ECR Public image, but the registry has no pull-through cache to bring it into the account's ECR",
            });
        if (!t.dataset.zone || !args.zones.includes(t.dataset.zone))
            problems.push({ path: `${at}.dataset`, value: t.dataset.zone, message: "is not a zone of the lake", allowed: args.zones });
        if (t.output.zone !== "models" || t.output.prefix !== `${t.model}/`)
            problems.push({
                path: `${at}.output`,
                value: t.output,
                message: "must be the model's own prefix in the models zone (`<model>/`)",
            });
        if (t.mode === "custom" && t.command.length === 0)
            problems.push({ path: `${at}.command`, value: t.command, message: "is empty: a custom training needs a command" });
        if (t.mode === "automl" && !t.automl)
            problems.push({ path: `${at}.automl`, value: undefined, message: "is required with mode automl" });
        if (t.mode === "automl" && t.automl?.problemType === "regression" && t.metric !== "accuracy")
            problems.push({
                path: `${at}.metric`,
                value: t.metric,
                message:
                    "has no meaning for an Autopilot regression: its gate is R2 of the best candidate (metric `accuracy` stands for it, the threshold is the least R2)",
                allowed: ["accuracy"],
            });
        try {
            resolveAccelerator({ cloud: "aws", service: "sagemaker-training", accelerator: t.accelerator });
        } catch (e) {
            if (!(e instanceof AcceleratorError)) throw e;
            problems.push({ path: `${at}.accelerator`, value: t.accelerator, message: e.message });
        }
        const largest = CPU_TRAINING_INSTANCES[CPU_TRAINING_INSTANCES.length - 1];
        if (
            !t.accelerator &&
            !args.cpuTrainingInstanceType &&
            (t.cpuMillicores > largest.vcpu * 1000 || t.memoryMiB > largest.memoryGiB * 1024)
        )
            problems.push({
                path: `${at}.memoryMiB`,
                value: t.memoryMiB,
                message: `with ${t.cpuMillicores} millicores is more than the largest CPU training instance (${largest.type}: ${largest.vcpu} vCPU, ${largest.memoryGiB} GiB)`,
            });
        if (t.timeoutMinutes > 28 * 24 * 60)
            problems.push({ path: `${at}.timeoutMinutes`, value: t.timeoutMinutes, message: "is more than SageMaker's 28-day limit" });
        if (t.drift && !(t.drift.capture.zone === t.output.zone && t.drift.capture.prefix.startsWith(t.output.prefix)))
            problems.push({
                path: `${at}.drift.capture`,
                value: t.drift.capture,
                message: "must be under the model's prefix (`<model>/_capture/`)",
            });
    });
    if (args.delivery) {
        if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(args.delivery.repository))
            problems.push({ path: "delivery.repository", value: args.delivery.repository, message: "is not `owner/name`" });
        if (!/^[A-Za-z0-9_.-]+\.ya?ml$/.test(args.delivery.workflow))
            problems.push({ path: "delivery.workflow", value: args.delivery.workflow, message: "is not a workflow file name" });
    }
    const dri = args.driftInstanceType ?? "ml.t3.medium";
    if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(dri))
        problems.push({ path: "driftInstanceType", value: dri, message: "is not a SageMaker instance type" });
    return problems;
}
