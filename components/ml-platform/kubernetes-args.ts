/**
 * Arguments of MlflowPlatform, their defaults and their validator (with the accelerator catalog), and the
 * training pod shape derived from them. Pure: no SDK at runtime, so the stack config check runs the same
 * validation before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PodShape, trainingPodShape } from "../accelerators/kubernetes";
import type { AcceleratorRequest } from "../accelerators/names";
import { resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorSettings, KUBERNETES_DISTRIBUTIONS, KubernetesDistribution } from "../accelerators/types";
import { validateLabels, validateNamespaceName } from "../naming/kubernetes";
import { isPinnedImage } from "../shared/images";
import type { ProblemDetail } from "../shared/problems";
import type { MlPlatformArgs } from "./contract";

/**
 * The `-full` variant carries MLflow's extras (boto3 for S3 artifacts, database drivers); the plain image
 * has core MLflow only (mlflow/mlflow docker/README.md, docker/Dockerfile.full: `mlflow[extras,...]`).
 * `-full` images exist from v3.9.0.
 */
export const DEFAULT_MLFLOW_IMAGE = "ghcr.io/mlflow/mlflow:v3.16.0-full";

export interface MlflowPlatformArgs extends MlPlatformArgs {
    /** Namespace the component creates for MLflow (restricted Pod Security, default-deny network policy). */
    readonly namespace: string;
    /** Namespace the component creates for training pods, capped by a ResourceQuota. */
    readonly trainingNamespace: string;
    /** S3 endpoint of the artifact store, e.g. the MinIO data lake's `endpoint`. */
    readonly artifactEndpoint: pulumi.Input<string>;
    /** Access key with read/write on `artifactBucket` (secret). */
    readonly artifactAccessKeyId: pulumi.Input<string>;
    /** Secret key for `artifactAccessKeyId` (secret). */
    readonly artifactSecretAccessKey: pulumi.Input<string>;
    /** Namespace of the artifact store: MLflow's only egress besides DNS goes to its S3 port (9000). */
    readonly dataLakeNamespace: string;
    /** Whose node labels the accelerator catalog uses: generic, eks, gke or aks. Default: "generic". */
    readonly distribution?: string;
    /** MLflow image, pinned; it must contain boto3. Default: "ghcr.io/mlflow/mlflow:v3.16.0-full". */
    readonly image?: string;
    /** Size in GiB of the volume holding the SQLite tracking and registry database. Default: 5. */
    readonly backendVolumeSizeGiB?: number;
    /** StorageClass of that volume. Default: the cluster's default StorageClass. */
    readonly storageClassName?: string;
    /**
     * CPU per training pod in millicores: the LimitRange max per container, and the quota allows
     * `training.maxNodes` of them. Larger than the catalog's shape for a bigger node; never smaller.
     * Default: the catalog's training shape: 3000 to 20000 per accelerator chip (e.g. 80000 for
     * nvidia-h100-80gb:8), 4000 without an accelerator.
     */
    readonly trainingCpuMillicoresPerNode?: number;
    /**
     * Memory per training pod in MiB, like `trainingCpuMillicoresPerNode`.
     * Default: the catalog's training shape (e.g. 1310720 for nvidia-h100-80gb:8), 16384 without an accelerator.
     */
    readonly trainingMemoryMiBPerNode?: number;
}

/** The arguments with every default applied: what the component builds from. */
export interface MlflowSettings {
    readonly namespace: string;
    readonly trainingNamespace: string;
    readonly dataLakeNamespace: string;
    readonly models: string[];
    readonly distribution: string;
    readonly accelerator?: AcceleratorRequest;
    readonly maxNodes: number;
    /** What the caller asked for; unset means the catalog's training shape. */
    readonly cpuMillicoresPerNode?: number;
    readonly memoryMiBPerNode?: number;
    readonly image: string;
    readonly backendVolumeSizeGiB: number;
    readonly tags: Readonly<Record<string, string>>;
}

export function mlflowSettings(args: MlflowPlatformArgs): MlflowSettings {
    return {
        namespace: args.namespace,
        trainingNamespace: args.trainingNamespace,
        dataLakeNamespace: args.dataLakeNamespace,
        models: args.models,
        distribution: args.distribution ?? "generic",
        accelerator: args.training?.accelerator,
        maxNodes: args.training?.maxNodes ?? 1,
        cpuMillicoresPerNode: args.trainingCpuMillicoresPerNode,
        memoryMiBPerNode: args.trainingMemoryMiBPerNode,
        image: args.image ?? DEFAULT_MLFLOW_IMAGE,
        backendVolumeSizeGiB: args.backendVolumeSizeGiB ?? 5,
        tags: args.tags ?? {},
    };
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

function wholeNumber(path: string, value: number, min: number): ProblemDetail[] {
    return Number.isInteger(value) && value >= min ? [] : [{ path, value, message: `must be a whole number of at least ${min}` }];
}

/** The catalog's settings for the training accelerator, or the catalog's refusal as a problem. */
function resolveTraining(s: MlflowSettings): { accelerator?: AcceleratorSettings; problem?: ProblemDetail } {
    if (!(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(s.distribution)) return {};
    try {
        const accelerator = resolveAccelerator({
            cloud: "kubernetes",
            service: "kubernetes",
            accelerator: s.accelerator,
            distribution: s.distribution as KubernetesDistribution,
        });
        return { accelerator };
    } catch (e) {
        const value = s.accelerator ? `${s.accelerator.type}:${s.accelerator.count}` : s.accelerator;
        return { problem: { path: "training.accelerator", value, message: (e as Error).message } };
    }
}

/**
 * The catalog settings for the training accelerator (`undefined` for CPU only) and the CPU and memory of
 * one training pod: the caller's sizes, else the catalog's training shape. Call it on valid arguments.
 */
export function mlflowTraining(s: MlflowSettings): { accelerator?: AcceleratorSettings; pod: PodShape } {
    const { accelerator } = resolveTraining(s);
    const catalog = trainingPodShape(accelerator);
    return {
        accelerator,
        pod: { cpuMillicores: s.cpuMillicoresPerNode ?? catalog.cpuMillicores, memoryMiB: s.memoryMiBPerNode ?? catalog.memoryMiB },
    };
}

/** Every problem with the arguments, the catalog's refusal of the training accelerator included. */
export function validateMlflowPlatform(args: MlflowPlatformArgs): ProblemDetail[] {
    const s = mlflowSettings(args);
    const problems: ProblemDetail[] = [
        ...validateNamespaceName("namespace", s.namespace),
        ...validateNamespaceName("trainingNamespace", s.trainingNamespace),
        ...validateNamespaceName("dataLakeNamespace", s.dataLakeNamespace),
    ];
    if (s.trainingNamespace === s.namespace)
        problems.push({
            path: "trainingNamespace",
            value: s.trainingNamespace,
            message: "must differ from namespace",
            fix: "training pods get their own quota-capped namespace",
        });
    s.models.forEach((model, i) => {
        if (!MODEL_NAME.test(model))
            problems.push({
                path: `models[${i}]`,
                value: model,
                message: "is not a valid registered model name",
                fix: "use letters, digits, '.', '_' and '-', starting with a letter or digit",
            });
        if (s.models.indexOf(model) !== i) problems.push({ path: `models[${i}]`, value: model, message: "is listed twice" });
    });
    problems.push(...wholeNumber("training.maxNodes", s.maxNodes, 1), ...wholeNumber("backendVolumeSizeGiB", s.backendVolumeSizeGiB, 1));
    if (!isPinnedImage(s.image))
        problems.push({
            path: "image",
            value: s.image,
            message: "is not pinned to a tag or digest (CKV_K8S_14)",
            fix: `use a release tag such as ${DEFAULT_MLFLOW_IMAGE}`,
        });
    problems.push(...validateLabels(s.tags));
    if (!(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(s.distribution))
        problems.push({
            path: "distribution",
            value: s.distribution,
            message: "is not a known Kubernetes distribution",
            allowed: KUBERNETES_DISTRIBUTIONS,
        });
    const { accelerator, problem } = resolveTraining(s);
    if (problem) problems.push(problem);
    problems.push(...podSizeProblems(s, accelerator));
    return problems;
}

/**
 * A size the caller sets for a training pod may exceed the catalog's shape (a bigger node), never undercut
 * it: the LimitRange max and the quota would then reject the pods the accelerator is sized for. A CPU-only
 * pod has no catalog floor: the caller may size it down to the minimum.
 */
function podSizeProblems(s: MlflowSettings, accelerator: AcceleratorSettings | undefined): ProblemDetail[] {
    const catalog = trainingPodShape(accelerator);
    const what = accelerator ? `one ${accelerator.accelerator}:${accelerator.count} training pod` : "one CPU-only training pod";
    const size = (path: string, value: number | undefined, min: number, floor: number, unit: string): ProblemDetail[] => {
        if (value === undefined) return [];
        const whole = wholeNumber(path, value, min);
        if (whole.length > 0 || !accelerator || value >= floor) return whole;
        return [
            {
                path,
                value,
                message: `is smaller than ${what}, which the accelerator catalog sizes at ${floor}${unit}`,
                fix: `leave it unset, or set at least ${floor}`,
            },
        ];
    };
    return [
        ...size("trainingCpuMillicoresPerNode", s.cpuMillicoresPerNode, 100, catalog.cpuMillicores, "m"),
        ...size("trainingMemoryMiBPerNode", s.memoryMiBPerNode, 128, catalog.memoryMiB, "Mi"),
    ];
}
