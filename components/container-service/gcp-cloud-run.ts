/**
 * Pure pieces of serving a model on Cloud Run (v2): the CPU/memory/GPU rules Cloud Run enforces, the
 * ingress names, the GPU settings of a model and the revision template (validation: gcp-args.ts). No
 * resources are created here.
 *
 * Sources: cloud.google.com/run/docs/configuring/services/memory-limits (memory per CPU, 512 MiB minimum
 * in the second generation environment, 32 GiB maximum); the provider's `limits` doc (CPU 1, 2, 4, 6 or 8);
 * cloud.google.com/run/docs/configuring/services/gpu (one nvidia-l4, at least 4 vCPU and 16 GiB, CPU always
 * allocated); cloud.google.com/run/docs/configuring/request-timeout (1 to 3600 s); the Cloud Run container
 * contract (PORT, K_SERVICE, K_REVISION and K_CONFIGURATION are set by Cloud Run).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/gcp/types/input";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import type { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";

/** vCPUs a Cloud Run instance may have, with the memory range (MiB) each allows. */
export const CLOUD_RUN_CPU_MEMORY_MIB: Readonly<Record<number, { min: number; max: number }>> = {
    1: { min: 512, max: 4096 },
    2: { min: 512, max: 8192 },
    4: { min: 2048, max: 16384 },
    6: { min: 4096, max: 24576 },
    8: { min: 4096, max: 32768 },
};
export const CLOUD_RUN_CPUS = Object.keys(CLOUD_RUN_CPU_MEMORY_MIB).map(Number);
export const MAX_CONCURRENCY = 1000;
export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;
/** Environment variables Cloud Run sets itself. */
export const RESERVED_ENV = ["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"] as const;
/** Where a model's files are mounted (read-only, from its files bucket). */
export const APP_PATH = "/app";

/** Ingress, in the user's words, and the Cloud Run value each means. */
export const INGRESS = {
    internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    all: "INGRESS_TRAFFIC_ALL",
} as const;
export const INGRESS_NAMES = Object.keys(INGRESS);

/** The service-level settings every model of one component shares. */
export interface CloudRunContext {
    readonly region: string;
    readonly ingress: string;
    readonly allowUnauthenticated: boolean;
    readonly invokers: readonly string[];
    readonly requestTimeoutSeconds: number;
}

/** The catalog's GPU settings of a model on Cloud Run in a region; undefined for CPU only or a GPU it does not offer there. */
export function cloudRunGpu(m: ModelServingSpec, region: string): AcceleratorSettings | undefined {
    if (!m.accelerator) return undefined;
    try {
        return resolveAccelerator({ cloud: "gcp", service: "cloud-run", accelerator: m.accelerator, region });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        return undefined;
    }
}

/** A short hash of a model's files: a new value rolls a new revision when the files change. */
export function filesHash(files: Readonly<Record<string, string>> | undefined): string {
    return shortHash(JSON.stringify(Object.entries(files ?? {}).sort(([a], [b]) => a.localeCompare(b))), 12);
}

/** What the revision template needs beyond the model itself. */
export interface TemplateInputs {
    readonly serviceAccountEmail: pulumi.Input<string>;
    /** The model's files bucket; `undefined` when the model has no files. */
    readonly filesBucket?: pulumi.Input<string>;
    readonly requestTimeoutSeconds: number;
    readonly gpuZonalRedundancy: boolean;
    readonly labels: Readonly<Record<string, string>>;
}

/** The Cloud Run v2 revision template of one model. */
export function revisionTemplate(
    m: ModelServingSpec,
    gpu: AcceleratorSettings | undefined,
    t: TemplateInputs,
): inputs.cloudrunv2.ServiceTemplate {
    const httpGet = { path: m.healthPath, port: m.port };
    const limits: Record<string, string> = { cpu: String(m.cpuMillicores / 1000), memory: `${m.memoryMiB}Mi` };
    if (gpu) limits[gpu.resourceName ?? "nvidia.com/gpu"] = String(gpu.count);
    const env = { ...(m.files ? { MLOPS_FILES_HASH: filesHash(m.files) } : {}), ...m.env };
    return {
        serviceAccount: t.serviceAccountEmail,
        // Second generation: needed for Cloud Storage volumes and full Linux compatibility.
        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
        timeout: `${t.requestTimeoutSeconds}s`,
        maxInstanceRequestConcurrency: m.concurrency,
        scaling: { minInstanceCount: m.minReplicas, maxInstanceCount: m.maxReplicas },
        labels: { ...t.labels },
        nodeSelector: gpu ? { accelerator: gpu.acceleratorType ?? "nvidia-l4" } : undefined,
        gpuZonalRedundancyDisabled: gpu ? !t.gpuZonalRedundancy : undefined,
        containers: [
            {
                name: "model",
                image: m.image,
                commands: m.command ? [...m.command] : undefined,
                args: m.args ? [...m.args] : undefined,
                ports: { name: "http1", containerPort: m.port },
                envs: Object.entries(env).map(([name, value]) => ({ name, value })),
                resources: {
                    limits,
                    // GPUs need CPU always allocated (instance-based billing); CPU-only models pay per request.
                    cpuIdle: gpu === undefined,
                    startupCpuBoost: true,
                },
                // Up to 5 minutes for a model to load before liveness starts counting.
                startupProbe: { httpGet, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
                livenessProbe: { httpGet, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                volumeMounts: m.files ? [{ name: "app", mountPath: APP_PATH }] : undefined,
            },
        ],
        volumes: m.files && t.filesBucket !== undefined ? [{ name: "app", gcs: { bucket: t.filesBucket, readOnly: true } }] : undefined,
    };
}
