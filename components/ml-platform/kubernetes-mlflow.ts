/**
 * Pure pieces of the MLflow platform's workloads: the `mlflow server` command line, the model-registration
 * script, and the training namespace's LimitRange and quota. No SDK is loaded. Arguments and their
 * validation: ./kubernetes-args.ts.
 */
import type { AcceleratorSettings } from "../accelerators/types";
import type { PodShape } from "../accelerators/kubernetes";

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
