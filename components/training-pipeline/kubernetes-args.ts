/**
 * Arguments of KubernetesTrainingPipelines (per model a training CronJob, a drift CronJob, and one delivery
 * poller, all in the ML platform's training namespace, registering in the stack's MLflow), their defaults,
 * the names the stack shares with the data lake and the pipelines' trigger, and the validator. Pure: no SDK
 * at runtime, so the stack config check runs the same validation before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorSettings, KUBERNETES_DISTRIBUTIONS, KubernetesDistribution, Toleration } from "../accelerators/types";
import { validateLabels, validateNamespaceName } from "../naming/kubernetes";
import { cronProblem } from "../shared/cron";
import { isPinnedImage } from "../shared/images";
import type { MinioCredentials } from "../shared/minio";
import type { ProblemDetail } from "../shared/problems";
import { driftJobName, TrainingPipelinesArgs, TrainingSpec, trainingPipelineName } from "./contract";

/** The poller's and the step's image when a model's own is not used: the pinned public Python image (stdlib only). */
export const DEFAULT_STEP_IMAGE = "python:3.12.12-slim-bookworm";
/** Where the step files (samples/kubernetes/training: mlops_step.py) are mounted in every job. */
export const STEP_DIR = "/mlops";
/** The step script, in the step files. */
export const STEP_SCRIPT = "mlops_step.py";
/** Where a job's MinIO keys are mounted (files `access-key-id`, `secret-access-key`, `credentials`). */
export const TRAINING_CREDENTIALS_DIR = "/etc/mlops/minio";
/** Where the delivery poller's GitHub token is mounted (file `token`). */
export const GITHUB_TOKEN_DIR = "/etc/mlops/github";
/** Name of the delivery poller's CronJob and ServiceAccount. */
export const DELIVERY_NAME = "model-delivery";
/** How often the poller looks for newly approved versions (UTC). */
export const DELIVERY_SCHEDULE = "*/10 * * * *";
/** The key suffix that marks a complete dataset version: the trigger starts training on it only. */
export const MANIFEST_SUFFIX = "/_manifest.json";
/** Label on every training, drift and delivery pod (network policies select them). */
export const ROLE_LABEL = "mlops.dev/role";

/** The MinIO identities of the loop, by model: one per job kind, each scoped to its prefixes (the data lake creates them). */
export function trainingUser(model: string): string {
    return trainingPipelineName(model);
}
export function driftUser(model: string): string {
    return driftJobName(model);
}
/** The serving pods' MinIO identity of a model: read `models/<model>/`, write `models/<model>/_capture/`. */
export function servingUser(model: string): string {
    return `${model}-serve`;
}

/** What only created resources know: MinIO's endpoint, the loop's MinIO keys, MLflow's tracking URI. */
export interface KubernetesTrainingRefs {
    /** S3 endpoint of MinIO, e.g. `http://lake.mlops-dev-lake.svc.cluster.local:9000`. */
    readonly endpoint: pulumi.Input<string>;
    /** Keys by identity name (trainingUser / driftUser): MinioDataLake.pipelineCredentials. */
    readonly credentials: pulumi.Input<Record<string, MinioCredentials>>;
    /** MLflow's in-cluster tracking URI (MlflowPlatform.trackingUri). */
    readonly trackingUri: pulumi.Input<string>;
}

/** The data pipelines' trigger (KubernetesDataPipelines), by its identity. */
export interface KubernetesTriggerRef {
    /** The pipelines' namespace, where the trigger runs. */
    readonly namespace: string;
    /** The trigger's service account. */
    readonly serviceAccount: string;
}

export interface KubernetesTrainingPipelinesArgs extends TrainingPipelinesArgs {
    /**
     * The ML platform's training namespace (MlflowPlatform creates it, with its quota, limits and the egress to
     * MLflow and MinIO every pod there gets). The component creates nothing that holds data.
     */
    readonly namespace: string;
    /** What only created resources know: MinIO's endpoint, the loop's MinIO keys, MLflow's tracking URI. */
    readonly refs: KubernetesTrainingRefs;
    /** The step files (samples/kubernetes/training), mounted at /mlops; must hold mlops_step.py. */
    readonly stepFiles: Readonly<Record<string, string>>;
    /** Whose node labels and taints the accelerator and spot settings use: generic, eks, gke or aks. Default: "generic". */
    readonly distribution?: string;
    /**
     * The pipelines' trigger (KubernetesDataPipelines), which starts `<model>-train` when a dataset manifest is
     * written: it may get the training CronJobs of models with `onNewData` and create Jobs here. Default: none.
     */
    readonly trigger?: KubernetesTriggerRef;
    /** Image of the delivery poller. Default: "python:3.12.12-slim-bookworm". */
    readonly stepImage?: string;
}

/** The route the pipelines' trigger takes for one model's new dataset versions. */
export interface TrainingRoute {
    readonly pipeline: string;
    readonly cronJob: string;
    readonly namespace: string;
    readonly bucket: string;
    readonly prefix: string;
    readonly suffix: string;
    readonly trigger: "new-data";
}

/** The trigger routes of the trainings that retrain on new data. */
export function trainingRoutes(trainings: readonly TrainingSpec[], namespace: string): TrainingRoute[] {
    return trainings
        .filter((t) => t.onNewData)
        .map((t) => ({
            pipeline: trainingPipelineName(t.model),
            cronJob: trainingPipelineName(t.model),
            namespace,
            bucket: t.dataset.zone,
            prefix: t.dataset.prefix,
            suffix: MANIFEST_SUFFIX,
            trigger: "new-data",
        }));
}

/**
 * Spot capacity per distribution: the node label managed node pools put on spot nodes, and the taint some put
 * on them. Generic clusters have no common label: spot is then not expressed (docs/kubernetes.md).
 *   eks: `eks.amazonaws.com/capacityType: SPOT` (managed node groups; no taint)
 *   gke: `cloud.google.com/gke-spot: "true"` (Spot VMs; a taint only if the pool sets one)
 *   aks: `kubernetes.azure.com/scalesetpriority: spot` and the taint `...=spot:NoSchedule` AKS always sets
 */
export const SPOT_NODES: Readonly<Record<KubernetesDistribution, { label?: [string, string]; toleration?: Toleration } | undefined>> = {
    generic: undefined,
    eks: { label: ["eks.amazonaws.com/capacityType", "SPOT"] },
    gke: {
        label: ["cloud.google.com/gke-spot", "true"],
        toleration: { key: "cloud.google.com/gke-spot", operator: "Equal", value: "true", effect: "NoSchedule" },
    },
    aks: {
        label: ["kubernetes.azure.com/scalesetpriority", "spot"],
        toleration: { key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" },
    },
};

/** The catalog's accelerator settings of a training (`undefined` for CPU only), or the catalog's refusal. */
function resolveTraining(t: TrainingSpec, distribution: string): { settings?: AcceleratorSettings; refusal?: string } {
    if (!t.accelerator || !(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(distribution)) return {};
    try {
        return {
            settings: resolveAccelerator({
                cloud: "kubernetes",
                service: "kubernetes",
                accelerator: t.accelerator,
                distribution: distribution as KubernetesDistribution,
            }),
        };
    } catch (e) {
        return { refusal: e instanceof Error ? e.message : String(e) };
    }
}

/** Accelerator settings per training. Call it on valid arguments. */
export function trainingAccelerators(args: KubernetesTrainingPipelinesArgs): (AcceleratorSettings | undefined)[] {
    return args.trainings.map((t) => resolveTraining(t, args.distribution ?? "generic").settings);
}

/** Model names: DNS labels short enough for `<model>-train` / `-drift` / `-serve` MinIO users (24 characters). */
const MODEL = /^[a-z]([a-z0-9-]{0,16}[a-z0-9])?$/;
/** Env vars the runner sets itself (the contract's MLOPS_* and the MinIO keys). */
const RESERVED_ENV = /^(MLOPS_|AWS_|MLFLOW_)/;

function wholeNumber(path: string, value: number, min: number, max: number, unit = ""): ProblemDetail[] {
    if (Number.isInteger(value) && value >= min && value <= max) return [];
    return [{ path, value, message: `must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ""}` }];
}

/** Every problem with the arguments, so one error lists them all. */
export function validateKubernetesTrainingPipelines(args: KubernetesTrainingPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [...validateNamespaceName("namespace", args.namespace), ...validateLabels(args.tags ?? {})];
    const distribution = args.distribution ?? "generic";
    if (!(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(distribution))
        problems.push({
            path: "distribution",
            value: distribution,
            message: "is not a known Kubernetes distribution",
            allowed: KUBERNETES_DISTRIBUTIONS,
        });
    if (!(STEP_SCRIPT in args.stepFiles))
        problems.push({
            path: "stepFiles",
            value: Object.keys(args.stepFiles),
            message: `must hold ${STEP_SCRIPT}`,
            fix: "pass the files of samples/kubernetes/training",
        });
    args.trainings.forEach((t, i) => {
        const at = `trainings[${i}]`;
        if (!MODEL.test(t.model))
            problems.push({
                path: `${at}.model`,
                value: t.model,
                message:
                    "is not 1-18 lowercase letters, digits or hyphens, starting with a letter (it names the MinIO users `<model>-train`, `-drift` and `-serve`, at most 24 characters)",
                fix: "give the model a shorter name",
            });
        else if (args.trainings.findIndex((o) => o.model === t.model) !== i)
            problems.push({ path: `${at}.model`, value: t.model, message: "has two trainings" });
        if (t.mode !== "custom")
            problems.push({
                path: `${at}.mode`,
                value: t.mode,
                message: "is not offered on Kubernetes: a cluster has no managed AutoML service",
                allowed: ["custom"],
            });
        if (!isPinnedImage(t.image))
            problems.push({ path: `${at}.image`, value: t.image, message: "is not pinned to a tag or digest (CKV_K8S_14)" });
        if (t.mode === "custom" && t.command.length === 0) problems.push({ path: `${at}.command`, value: t.command, message: "is empty" });
        for (const [key, cron] of [
            ["schedule", t.schedule],
            ["drift.schedule", t.drift?.schedule],
        ] as const) {
            const bad = cron === undefined ? undefined : cronProblem(cron);
            if (bad) problems.push({ path: `${at}.${key}`, value: cron, message: `is not a 5-field cron expression: ${bad}` });
        }
        if (t.schedule === undefined && !t.onNewData && !t.drift?.retrain)
            problems.push({ path: at, value: t.model, message: "never trains: no schedule, onNewData false and no drift retraining" });
        if (t.output.prefix !== `${t.model}/`)
            problems.push({
                path: `${at}.output`,
                value: `${t.output.zone}/${t.output.prefix}`,
                message: "must be the model's own prefix `<model>/`",
            });
        if (t.dataset.zone === t.output.zone)
            problems.push({
                path: `${at}.dataset`,
                value: `${t.dataset.zone}/${t.dataset.prefix}`,
                message: "is in the zone model versions are written to",
            });
        problems.push(
            ...wholeNumber(`${at}.cpuMillicores`, t.cpuMillicores, 100, 96000, "millicores"),
            ...wholeNumber(`${at}.memoryMiB`, t.memoryMiB, 128, 786432, "MiB"),
            ...wholeNumber(`${at}.timeoutMinutes`, t.timeoutMinutes, 1, 7200, "minutes"),
        );
        if (!(t.threshold > 0 && t.threshold <= 1))
            problems.push({ path: `${at}.threshold`, value: t.threshold, message: "must be above 0 and at most 1" });
        const refusal = resolveTraining(t, distribution).refusal;
        if (refusal) problems.push({ path: `${at}.accelerator`, value: t.accelerator, message: refusal });
        for (const key of Object.keys(t.env))
            if (RESERVED_ENV.test(key))
                problems.push({
                    path: `${at}.env.${key}`,
                    value: key,
                    message: "is set by the runner (MLOPS_*, AWS_* and MLFLOW_* carry the training contract, MinIO keys and MLflow)",
                    fix: "use another name",
                });
    });
    if (args.delivery && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(args.delivery.repository))
        problems.push({ path: "delivery.repository", value: args.delivery.repository, message: "is not `owner/name`" });
    if (args.trigger) problems.push(...validateNamespaceName("trigger.namespace", args.trigger.namespace));
    const image = args.stepImage ?? DEFAULT_STEP_IMAGE;
    if (!isPinnedImage(image)) problems.push({ path: "stepImage", value: image, message: "is not pinned to a tag or digest (CKV_K8S_14)" });
    return problems;
}
