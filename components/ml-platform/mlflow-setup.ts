/**
 * Pure pieces of the MLflow platform: image, argument validation with the accelerator catalog, the
 * `mlflow server` command line, the model-registration script and the training quota. No SDK is loaded.
 */
import { AcceleratorSettings, KUBERNETES_DISTRIBUTIONS, KubernetesDistribution } from "../accelerators/types";
import { resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorRequest } from "../accelerators/names";
import { PodShape, trainingPodShape } from "../accelerators/kubernetes";
import { Problems } from "../shared/problems";
import { DNS_LABEL } from "../shared/naming";
import { labelProblems } from "../shared/labels";
import { isPinnedImage } from "../shared/kubernetes-pods";

/**
 * The `-full` variant carries MLflow's extras (boto3 for S3 artifacts, database drivers); the plain image
 * has core MLflow only (mlflow/mlflow docker/README.md, docker/Dockerfile.full: `mlflow[extras,...]`).
 * `-full` images exist from v3.9.0.
 */
export const DEFAULT_MLFLOW_IMAGE = "ghcr.io/mlflow/mlflow:v3.16.0-full";
export const TRACKING_PORT = 5000;
/** MinIO's S3 port, where the artifact store listens. */
export const ARTIFACT_STORE_PORT = 9000;
/** The SQLite file lives on the PersistentVolumeClaim mounted here. */
export const BACKEND_DIR = "/mlflow/db";
export const AWS_CREDENTIALS_FILE = "/etc/mlflow/aws/credentials";
/**
 * Extended resources of every accelerator in the catalog (accelerators/kubernetes.ts). The training quota
 * sets all of them: the chosen one to its cap, the others to 0, so the namespace cannot take other chips.
 */
export const ACCELERATOR_RESOURCES = ["nvidia.com/gpu", "aws.amazon.com/neuron", "google.com/tpu"] as const;

export interface MlflowSettings {
    readonly namespace: string;
    readonly trainingNamespace: string;
    readonly dataLakeNamespace: string;
    readonly models: readonly string[];
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

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

function wholeNumber(problems: Problems, path: string, value: number, min: number): void {
    if (!Number.isInteger(value) || value < min) problems.add({ path, value, message: `must be a whole number of at least ${min}` });
}

/**
 * Every problem with the arguments, the catalog settings for the training accelerator (`undefined` for
 * CPU only, or when the catalog refused it: the refusal is one of the problems), and the CPU and memory
 * of one training pod: the caller's sizes, else the catalog's training shape for that accelerator.
 */
export function checkMlflow(s: MlflowSettings): { problems: Problems; accelerator?: AcceleratorSettings; pod: PodShape } {
    const problems = new Problems();
    const namespaces: [string, string][] = [
        ["namespace", s.namespace],
        ["trainingNamespace", s.trainingNamespace],
        ["dataLakeNamespace", s.dataLakeNamespace],
    ];
    for (const [path, ns] of namespaces) {
        if (!DNS_LABEL.test(ns) || ns.length > 63)
            problems.add({
                path,
                value: ns,
                message: "is not a valid namespace name",
                fix: "use at most 63 lowercase letters, digits and '-'",
            });
        if (ns === "default") problems.add({ path, value: ns, message: "must not be the default namespace (CKV_K8S_21)" });
    }
    if (s.trainingNamespace === s.namespace)
        problems.add({
            path: "trainingNamespace",
            value: s.trainingNamespace,
            message: "must differ from namespace",
            fix: "training pods get their own quota-capped namespace",
        });
    s.models.forEach((model, i) => {
        if (!MODEL_NAME.test(model))
            problems.add({
                path: `models[${i}]`,
                value: model,
                message: "is not a valid registered model name",
                fix: "use letters, digits, '.', '_' and '-', starting with a letter or digit",
            });
        if (s.models.indexOf(model) !== i) problems.add({ path: `models[${i}]`, value: model, message: "is listed twice" });
    });
    wholeNumber(problems, "training.maxNodes", s.maxNodes, 1);
    wholeNumber(problems, "backendVolumeSizeGiB", s.backendVolumeSizeGiB, 1);
    if (!isPinnedImage(s.image))
        problems.add({
            path: "image",
            value: s.image,
            message: "is not pinned to a tag or digest (CKV_K8S_14)",
            fix: `use a release tag such as ${DEFAULT_MLFLOW_IMAGE}`,
        });
    labelProblems(s.tags, problems);

    let accelerator: AcceleratorSettings | undefined;
    if (!(KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(s.distribution)) {
        problems.add({
            path: "distribution",
            value: s.distribution,
            message: "is not a known Kubernetes distribution",
            allowed: KUBERNETES_DISTRIBUTIONS,
        });
    } else {
        try {
            accelerator = resolveAccelerator({
                cloud: "kubernetes",
                service: "kubernetes",
                accelerator: s.accelerator,
                distribution: s.distribution as KubernetesDistribution,
            });
        } catch (e) {
            problems.add(`training.accelerator: ${(e as Error).message}`);
        }
    }
    return { problems, accelerator, pod: podShape(problems, s, accelerator) };
}

/**
 * One training pod's CPU and memory. A size the caller sets may exceed the catalog's shape (a bigger
 * node), never undercut it: the LimitRange max and the quota would then reject the pods the accelerator
 * is sized for.
 */
function podShape(problems: Problems, s: MlflowSettings, accelerator: AcceleratorSettings | undefined): PodShape {
    const catalog = trainingPodShape(accelerator);
    const what = accelerator ? `one ${accelerator.accelerator}:${accelerator.count} training pod` : "one CPU-only training pod";
    const size = (path: string, value: number | undefined, min: number, floor: number, unit: string): number => {
        if (value === undefined) return floor;
        wholeNumber(problems, path, value, min);
        // A CPU-only pod has no catalog floor: the caller may size it down to the minimum.
        if (accelerator && Number.isInteger(value) && value >= min && value < floor) {
            problems.add({
                path,
                value,
                message: `is smaller than ${what}, which the accelerator catalog sizes at ${floor}${unit}`,
                fix: `leave it unset, or set at least ${floor}`,
            });
        }
        return value;
    };
    return {
        cpuMillicores: size("trainingCpuMillicoresPerNode", s.cpuMillicoresPerNode, 100, catalog.cpuMillicores, "m"),
        memoryMiB: size("trainingMemoryMiBPerNode", s.memoryMiBPerNode, 128, catalog.memoryMiB, "Mi"),
    };
}

/** The hosts the tracking server answers to: its Service names (MLflow rejects other Host headers). */
export function allowedHosts(service: string, namespace: string): string[] {
    const names = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
    return [...names.map((n) => `${n}:${TRACKING_PORT}`), "localhost:*", "127.0.0.1:*"];
}

/**
 * `mlflow server`: SQLite on the volume (one writer, so one worker and one replica), artifacts proxied by
 * the server to `s3://<bucket>/mlflow`, so clients need no object-store credentials.
 */
export function mlflowServerCommand(artifactBucket: string, hosts: readonly string[]): string[] {
    return [
        "mlflow",
        "server",
        "--host",
        "0.0.0.0",
        "--port",
        String(TRACKING_PORT),
        "--workers",
        "1",
        "--backend-store-uri",
        `sqlite:///${BACKEND_DIR}/mlflow.db`,
        "--serve-artifacts",
        "--artifacts-destination",
        `s3://${artifactBucket}/mlflow`,
        "--allowed-hosts",
        hosts.join(","),
    ];
}

/** Creates each registered model unless it exists; retries while the server starts. Names come from MLOPS_MODELS. */
export const REGISTER_MODELS_SCRIPT = `import json, os, time
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
deadline = time.time() + 900
for name in json.loads(os.environ["MLOPS_MODELS"]):
    while True:
        try:
            client.create_registered_model(name, description="Registered by the mlops Pulumi program.")
            print("created", name)
            break
        except MlflowException as e:
            if e.error_code == "RESOURCE_ALREADY_EXISTS":
                print("exists", name)
                break
            if time.time() > deadline:
                raise
        except Exception:
            if time.time() > deadline:
                raise
        time.sleep(5)
`;

/** Requests and limits a container gets from the LimitRange when it sets none (e.g. a launcher). */
export function launcherShape(pod: PodShape): { request: PodShape; limit: PodShape } {
    return {
        request: { cpuMillicores: Math.min(500, pod.cpuMillicores), memoryMiB: Math.min(1024, pod.memoryMiB) },
        limit: { cpuMillicores: Math.min(2000, pod.cpuMillicores), memoryMiB: Math.min(4096, pod.memoryMiB) },
    };
}

/** A `type: Container` LimitRange item. */
export interface ContainerLimits {
    readonly type: "Container";
    readonly defaultRequest: Readonly<Record<string, string>>;
    readonly default: Readonly<Record<string, string>>;
    readonly max: Readonly<Record<string, string>>;
}

const cpu = (m: number) => `${m}m`;
const mem = (mi: number) => `${mi}Mi`;

/**
 * The training namespace's container limits. `max` admits exactly one training pod's shape, including
 * the accelerator's extended resource; defaults size containers that set nothing. The extended resource
 * defaults to 0: without a default, Kubernetes defaults a container's limit to `max`, and every launcher
 * would take (and wait for) a whole node's accelerators.
 */
export function trainingLimitRange(pod: PodShape, accelerator?: AcceleratorSettings): ContainerLimits {
    const { request, limit } = launcherShape(pod);
    const extended = (value: (count: number) => string): Record<string, string> =>
        accelerator?.resourceName ? { [accelerator.resourceName]: value(accelerator.count) } : {};
    return {
        type: "Container",
        defaultRequest: { cpu: cpu(request.cpuMillicores), memory: mem(request.memoryMiB), ...extended(() => "0") },
        default: { cpu: cpu(limit.cpuMillicores), memory: mem(limit.memoryMiB), ...extended(() => "0") },
        max: { cpu: cpu(pod.cpuMillicores), memory: mem(pod.memoryMiB), ...extended((count) => String(count)) },
    };
}

/**
 * Hard limits for the training namespace: `maxNodes` training pods of shape `pod` plus one launcher at the
 * LimitRange default, the chosen accelerator times `maxNodes`, every other accelerator at 0, and
 * `maxNodes + 1` pods.
 */
export function trainingQuota(s: { maxNodes: number }, pod: PodShape, accelerator?: AcceleratorSettings): Record<string, string> {
    const { limit } = launcherShape(pod);
    const cpuTotal = cpu(s.maxNodes * pod.cpuMillicores + limit.cpuMillicores);
    const memTotal = mem(s.maxNodes * pod.memoryMiB + limit.memoryMiB);
    const quota: Record<string, string> = {
        pods: String(s.maxNodes + 1),
        "requests.cpu": cpuTotal,
        "limits.cpu": cpuTotal,
        "requests.memory": memTotal,
        "limits.memory": memTotal,
    };
    const resources =
        accelerator?.resourceName && !ACCELERATOR_RESOURCES.includes(accelerator.resourceName as never)
            ? [...ACCELERATOR_RESOURCES, accelerator.resourceName]
            : ACCELERATOR_RESOURCES;
    for (const resource of resources) {
        // Quota takes extended resources only as requests.* (they cannot be overcommitted).
        quota[`requests.${resource}`] = resource === accelerator?.resourceName ? String(s.maxNodes * accelerator.count) : "0";
    }
    return quota;
}
