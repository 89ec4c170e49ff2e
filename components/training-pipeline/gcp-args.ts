/**
 * Arguments of VertexTrainingPipelines, their validator, and the pure values the component derives from
 * valid arguments (physical names, the training machine). No SDK at runtime: the stack config runs the
 * validator before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { TrainingPipelinesArgs, TrainingSpec } from "./contract";
import { GATE_METRICS } from "./contract";
import { CLOUD_RUN_CPU_MEMORY_MIB } from "../container-service/gcp-cloud-run";
import { jobCpu } from "../data-pipeline/gcp-args";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import { GCP_NAME_RULES, hyphenName, serviceAccountId, validateGcpRegion, validateNamePrefix } from "../naming/gcp";
import { cronProblem } from "../shared/cron";
import { isPinnedImage } from "../shared/images";
import type { ProblemDetail } from "../shared/problems";
import type { AlertSignal } from "../observability/gcp-conditions";
import { driftSignal } from "./gcp-spec";
import { WORKLOAD_NAME } from "../shared/naming";

/** A prefix: folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`. */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)+$/;
/** Vertex AI model IDs: `[a-z0-9_-]`, a letter first, at most 63 (projects.locations.models/upload, modelId). */
const MODEL_ID_MAX = 63;
/** Workflows and Eventarc trigger names: a letter, then letters, digits, `-` or `_`, 64 at most; kept to Cloud Run's 49. */
const RESOURCE_MAX = GCP_NAME_RULES.cloudRunService.max;
/** Environment variables the runner sets (the training contract) or Vertex AI / Cloud Run set themselves. */
export const RESERVED_TRAINING_ENV = [
    "MLOPS_PIPELINE",
    "MLOPS_MODEL_NAME",
    "MLOPS_SOURCE_URI",
    "MLOPS_DATASET_VERSION",
    "MLOPS_TARGET_URI",
    "MLOPS_GATE_METRIC",
    "MLOPS_GATE_THRESHOLD",
    "MLOPS_MIN_ACCURACY",
    "MLOPS_TRIGGER",
    "MLOPS_RUN_ID",
    "MLOPS_MODEL_VERSION",
    "MLOPS_PSI_THRESHOLD",
    "MLOPS_KS_ALPHA",
    "CLOUD_ML_JOB_ID",
    "AIP_MODEL_DIR",
] as const;
/** Vertex AI custom jobs: the longest timeout a job takes (7 days). */
export const MAX_TRAINING_TIMEOUT_MINUTES = 7 * 24 * 60;

export interface VertexTrainingPipelinesArgs extends TrainingPipelinesArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Region of the pipelines, jobs, schedules, workflows and triggers (the lake buckets' region). */
    readonly region: string;
    /** Prefix of project-unique names (accounts, jobs, workflows); the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** The lake's bucket per zone: the datasets are read from theirs, model versions written to `models`'. */
    readonly zoneBuckets: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Cloud KMS key of the pipeline runs and custom jobs (Vertex AI agent), the drift jobs (Cloud Run), the
     * workflows, triggers and topics (Workflows, Eventarc, Pub/Sub) and the GitHub token secret (Secret Manager):
     * the component grants the Secret Manager agent; the others must already be able to use it.
     */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Cloud KMS key of the code bucket (pipeline specs, training and drift files); the Cloud Storage agent uses it. */
    readonly codeKmsKeyName: pulumi.Input<string>;
    /** Bucket receiving the code bucket's access logs. Default: no access logs. */
    readonly accessLogBucket?: pulumi.Input<string>;
    /** Machine type of CPU-only training (with an accelerator, the catalog decides). Default: "n1-standard-4". */
    readonly trainingMachineType?: string;
    /** Notification channels (`projects/<p>/notificationChannels/<id>`) the drift alerts go to. Default: []. */
    readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Build the component's own drift alert policy (one PromQL condition for every monitored model). `false`
     * leaves it to the caller, who combines `trainingAlertSignals()` with other components' signals into one policy (Cloud
     * Monitoring bills each condition by the month). Default: true.
     */
    readonly alert?: boolean;
    /**
     * The serving image and command of each model (`mlops:models[]`), recorded as the registered version's
     * serving container (Vertex AI Model Registry requires one for a custom model). Default: the training image.
     */
    readonly servingContainers?: Readonly<Record<string, VertexServingContainer>>;
}

/** The serving container recorded with a model's registered versions in Vertex AI Model Registry. */
export interface VertexServingContainer {
    /** The serving image (the model's `mlops:models[].image`), pinned. */
    readonly image: string;
    /** Overrides the image's entrypoint. Default: the image's own. */
    readonly command?: string[];
    /** Port the server listens on. */
    readonly port: number;
}

function locationProblems(path: string, location: { zone: string; prefix: string } | undefined, zones: readonly string[]): ProblemDetail[] {
    if (!location) return [{ path, value: location, message: "is required" }];
    const problems: ProblemDetail[] = [];
    if (!zones.includes(location.zone))
        problems.push({ path: `${path}.zone`, value: location.zone, message: "is not a zone of the lake", allowed: zones });
    if (typeof location.prefix !== "string" || !PREFIX.test(location.prefix) || location.prefix.split("/").includes(".."))
        problems.push({
            path: `${path}.prefix`,
            value: location.prefix,
            message: "must be folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`",
            fix: "write e.g. `iris/`",
        });
    return problems;
}

/** The catalog's settings of the training accelerator on Vertex AI training, or why it has none. */
export function trainingAccelerator(t: Pick<TrainingSpec, "accelerator">): { settings?: AcceleratorSettings; error?: string } {
    if (!t.accelerator) return {};
    try {
        return { settings: resolveAccelerator({ cloud: "gcp", service: "vertex-training", accelerator: t.accelerator }) };
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        return { error: e.message };
    }
}

/** Every problem with VertexTrainingPipelines arguments (paths relative to them). */
export function validateVertexTrainingPipelines(args: VertexTrainingPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required", fix: "pass the project ID" });
    problems.push(...validateGcpRegion(args.region));
    problems.push(...validateNamePrefix(args.namePrefix));
    if (args.kmsKeyName === undefined)
        problems.push({
            path: "kmsKeyName",
            value: undefined,
            message: "is required (pipeline runs, jobs, workflows and topics are CMEK-encrypted)",
        });
    if (args.codeKmsKeyName === undefined)
        problems.push({ path: "codeKmsKeyName", value: undefined, message: "is required (the code bucket is CMEK-encrypted)" });
    const zones = Object.keys(args.zoneBuckets ?? {});
    if (!zones.includes("models"))
        problems.push({ path: "zoneBuckets", value: zones, message: "must include the `models` zone, where model versions are written" });
    const trainings = args.trainings ?? [];
    if (!Array.isArray(trainings) || trainings.length === 0)
        problems.push({ path: "trainings", value: trainings, message: "must list at least one" });
    trainings.forEach((t, i) => {
        const at = `trainings[${i}]`;
        if (typeof t.model !== "string" || !WORKLOAD_NAME.test(t.model))
            problems.push({
                path: `${at}.model`,
                value: t.model,
                message: "must be 1-24 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
            });
        else if (trainings.findIndex((o) => o.model === t.model) !== i)
            problems.push({ path: `${at}.model`, value: t.model, message: "has a second training", fix: "give each model one training" });
        else {
            const n = trainingNames(args.namePrefix ?? "", t.model);
            if (n.modelId.length > MODEL_ID_MAX)
                problems.push({
                    path: `${at}.model`,
                    value: t.model,
                    message: `gives the Vertex AI model ID ${n.modelId}, longer than 63`,
                });
        }
        if (typeof t.image !== "string" || !isPinnedImage(t.image))
            problems.push({ path: `${at}.image`, value: t.image, message: "must be pinned to a version tag or digest" });
        if (t.mode === "custom" && (!Array.isArray(t.command) || t.command.length === 0))
            problems.push({
                path: `${at}.command`,
                value: t.command,
                message: "must name the training program",
                fix: "write e.g. `[python, /app/train.py]`",
            });
        if (t.mode === "automl" && !t.automl)
            problems.push({ path: `${at}.automl`, value: undefined, message: "is required with mode automl (the target column)" });
        problems.push(...locationProblems(`${at}.dataset`, t.dataset, zones));
        problems.push(...locationProblems(`${at}.output`, t.output, zones));
        if (t.output && t.output.zone !== "models")
            problems.push({ path: `${at}.output.zone`, value: t.output.zone, message: "must be models: model versions are written there" });
        if (t.dataset && t.dataset.zone === "models")
            problems.push({
                path: `${at}.dataset.zone`,
                value: t.dataset.zone,
                message: "must not be the models zone: train on a curated dataset",
            });
        if (t.schedule !== undefined) {
            const bad = cronProblem(t.schedule);
            if (bad) problems.push({ path: `${at}.schedule`, value: t.schedule, message: `is not a schedule Vertex AI takes: ${bad}` });
        }
        if (t.schedule === undefined && !t.onNewData)
            problems.push({ path: at, value: t.model, message: "never trains: it has no schedule and onNewData is false" });
        if (!(GATE_METRICS as readonly string[]).includes(t.metric))
            problems.push({ path: `${at}.metric`, value: t.metric, message: "is not a gate metric", allowed: GATE_METRICS });
        if (typeof t.threshold !== "number" || !(t.threshold > 0 && t.threshold <= 1))
            problems.push({ path: `${at}.threshold`, value: t.threshold, message: "must be above 0 and at most 1" });
        if (!Number.isInteger(t.timeoutMinutes) || t.timeoutMinutes < 1 || t.timeoutMinutes > MAX_TRAINING_TIMEOUT_MINUTES)
            problems.push({
                path: `${at}.timeoutMinutes`,
                value: t.timeoutMinutes,
                message: `must be a whole number of minutes from 1 to ${MAX_TRAINING_TIMEOUT_MINUTES} (Vertex AI custom job timeout)`,
            });
        const accel = trainingAccelerator(t);
        if (accel.error) problems.push({ path: `${at}.accelerator`, value: t.accelerator, message: accel.error });
        for (const key of Object.keys(t.env ?? {}))
            if ((RESERVED_TRAINING_ENV as readonly string[]).includes(key))
                problems.push({
                    path: `${at}.env.${key}`,
                    value: key,
                    message: "is set by the runner (training contract or Vertex AI)",
                    fix: "remove it",
                });
        if (t.drift) {
            const d = t.drift;
            const bad = cronProblem(d.schedule);
            if (bad)
                problems.push({
                    path: `${at}.drift.schedule`,
                    value: d.schedule,
                    message: `is not a schedule Cloud Scheduler takes: ${bad}`,
                });
            if (!Array.isArray(d.command) || d.command.length === 0)
                problems.push({ path: `${at}.drift.command`, value: d.command, message: "must name the drift program" });
            if (d.capture && (d.capture.zone !== "models" || !d.capture.prefix.startsWith(t.output?.prefix ?? "\0")))
                problems.push({
                    path: `${at}.drift.capture`,
                    value: `${d.capture.zone}/${d.capture.prefix}`,
                    message: "must be under the model's prefix of the models zone (the serving side writes there)",
                });
            // The drift job runs on Cloud Run jobs: the training size, within what Cloud Run offers.
            const cpu = jobCpu(t.cpuMillicores);
            if (cpu === undefined)
                problems.push({
                    path: `${at}.cpuMillicores`,
                    value: t.cpuMillicores,
                    message: "is more than Cloud Run jobs (the drift job) offer: at most 8000",
                });
            else {
                const range = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
                if (t.memoryMiB < range.min || t.memoryMiB > range.max)
                    problems.push({
                        path: `${at}.memoryMiB`,
                        value: t.memoryMiB,
                        message: `must be ${range.min} to ${range.max} MiB with ${cpu} vCPU for the drift job (Cloud Run second generation)`,
                    });
            }
        }
    });
    if (args.delivery) {
        if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(args.delivery.repository ?? ""))
            problems.push({ path: "delivery.repository", value: args.delivery.repository, message: "must be `owner/name`" });
        if (args.delivery.token === undefined) problems.push({ path: "delivery.token", value: undefined, message: "is required" });
    }
    return problems;
}

// ---- physical names (project-unique, built to fit)

/** Names of one model's training resources. */
export interface TrainingNames {
    /** The Vertex AI model ID in the registry (`projects/<p>/locations/<r>/models/<modelId>`); its display name is the model's. */
    readonly modelId: string;
    /** The pipeline's service account: runs the pipeline and its custom job. */
    readonly pipelineAccount: string;
    /** The account that starts runs on new data and drift (the launch workflow and its triggers). */
    readonly launcherAccount: string;
    /** The drift job's account, and the one Cloud Scheduler starts it as. */
    readonly driftAccount: string;
    readonly driftStarterAccount: string;
    /** The Vertex AI schedule's display name, the pipeline jobs' display name (`<prefix>-<model>-train`). */
    readonly pipeline: string;
    readonly launchWorkflow: string;
    readonly newDataTrigger: string;
    readonly driftTrigger: string;
    readonly driftJob: string;
    readonly driftSchedule: string;
    readonly driftTopic: string;
    readonly driftSink: string;
}

export function trainingNames(prefix: string, model: string): TrainingNames {
    const name = (...parts: string[]) => hyphenName([prefix, ...parts], RESOURCE_MAX);
    return {
        modelId: hyphenName([prefix, model], MODEL_ID_MAX),
        pipelineAccount: serviceAccountId(prefix, "tr", model),
        launcherAccount: serviceAccountId(prefix, "trl", model),
        driftAccount: serviceAccountId(prefix, "dr", model),
        driftStarterAccount: serviceAccountId(prefix, "drs", model),
        pipeline: name(model, "train"),
        launchWorkflow: name(model, "train-launch"),
        newDataTrigger: name(model, "train-new-data"),
        driftTrigger: name(model, "train-drift"),
        driftJob: name(model, "drift"),
        driftSchedule: name(model, "drift-schedule"),
        driftTopic: name(model, "drift-found"),
        driftSink: name(model, "drift-found"),
    };
}

/** Names of the stack-wide pieces (delivery, the drift metric, the approver role). */
export interface StackTrainingNames {
    readonly deliveryAccount: string;
    readonly deliveryWorkflow: string;
    readonly deliveryTriggers: { readonly aliases: string; readonly upload: string };
    readonly tokenSecret: string;
    /** The log-based metric counting drifted features (labels model, feature). */
    readonly driftMetric: string;
    /** Custom role ID of the people who approve versions (`aiplatform.models.update`, which moves aliases). */
    readonly approverRole: string;
}

export function stackTrainingNames(prefix: string): StackTrainingNames {
    const name = (...parts: string[]) => hyphenName([prefix, ...parts], RESOURCE_MAX);
    return {
        deliveryAccount: serviceAccountId(prefix, "deliver"),
        deliveryWorkflow: name("model-delivery"),
        deliveryTriggers: { aliases: name("model-approved"), upload: name("model-uploaded") },
        tokenSecret: name("github-token"),
        driftMetric: hyphenName([prefix, "drifted-features"], 100),
        approverRole: `${prefix.replace(/-/g, "_")}_model_approver`.slice(0, 64),
    };
}

/** The Vertex AI machine of a training: the catalog's with an accelerator, else the CPU machine type. */
export function trainingMachine(
    t: Pick<TrainingSpec, "accelerator">,
    cpuMachineType: string,
): { machineType: string; acceleratorType?: string; acceleratorCount?: number } {
    const s = trainingAccelerator(t).settings;
    return s
        ? { machineType: s.machineType ?? cpuMachineType, acceleratorType: s.acceleratorType, acceleratorCount: s.count }
        : { machineType: cpuMachineType };
}

/**
 * What the drift alert watches: the stack's drifted-features metric, when a model monitors drift
 * (components/training-pipeline/gcp-spec.ts). `VertexTrainingPipelines` alerts on it itself; with `alert: false`
 * the caller combines it with other components' signals into one policy (components/observability/gcp-signal-alert.ts).
 */
export function trainingAlertSignals(namePrefix: string, trainings: readonly TrainingSpec[]): AlertSignal[] {
    return trainings.some((t) => t.drift) ? [driftSignal(stackTrainingNames(namePrefix).driftMetric)] : [];
}
