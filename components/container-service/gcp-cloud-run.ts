/**
 * Pure pieces of serving a model on Cloud Run (v2): the CPU/memory/GPU rules Cloud Run enforces, the
 * ingress names, validation of one model, and the revision template. No resources are created here.
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
import { isPinnedImage } from "../shared/images";
import type { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";
import { Problems } from "../shared/problems";

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

const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;
const OBJECT_NAME = /^[A-Za-z0-9._-]+$/;

/** Checks the settings shared by all models. */
export function contextProblems(c: CloudRunContext, problems: Problems): void {
    if (!INGRESS_NAMES.includes(c.ingress))
        problems.add({
            path: "ingress",
            value: c.ingress,
            message: "is not an ingress setting",
            allowed: INGRESS_NAMES,
            fix: "use internal unless callers come from the internet",
        });
    if (!isWhole(c.requestTimeoutSeconds) || c.requestTimeoutSeconds < 1 || c.requestTimeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) {
        problems.add({
            path: "requestTimeoutSeconds",
            value: c.requestTimeoutSeconds,
            message: `must be a whole number of seconds from 1 to ${MAX_REQUEST_TIMEOUT_SECONDS}`,
        });
    }
    c.invokers.forEach((m, i) => {
        if (m === "allUsers" || m === "allAuthenticatedUsers") {
            problems.add({
                path: `invokers[${i}]`,
                value: m,
                message: "would make the service public",
                fix: "set allowUnauthenticated: true if the service really must be public (CKV_GCP_102)",
            });
        } else if (!IAM_MEMBER.test(m)) {
            problems.add({
                path: `invokers[${i}]`,
                value: m,
                message: "is not an IAM member",
                fix: "write e.g. group:ml-clients@example.com or serviceAccount:caller@project.iam.gserviceaccount.com",
            });
        }
    });
}

/**
 * Every problem with one model on Cloud Run (paths under `at`); returns the catalog's GPU settings, or
 * undefined for CPU only (or an invalid request).
 */
export function cloudRunModelProblems(
    m: ModelServingSpec,
    at: string,
    region: string,
    problems: Problems,
): AcceleratorSettings | undefined {
    const bad = (field: string, value: unknown, message: string, fix?: string) =>
        problems.add({ path: `${at}.${field}`, value, message, fix });
    if (typeof m.name !== "string" || !/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/.test(m.name))
        bad("name", m.name, "is not a model name", "use 1-24 lowercase letters, digits or hyphens, starting with a letter");
    if (typeof m.image !== "string" || !isPinnedImage(m.image))
        bad("image", m.image, "is not pinned to a tag or digest", "pin a version tag or `@sha256:` digest");
    if (!isWhole(m.port) || m.port < 1 || m.port > 65535) bad("port", m.port, "is not a TCP port");
    for (const key of Object.keys(m.env ?? {})) {
        if ((RESERVED_ENV as readonly string[]).includes(key))
            bad(`env.${key}`, m.env?.[key], "is set by Cloud Run and may not be given", `remove it (reserved: ${RESERVED_ENV.join(", ")})`);
    }
    for (const file of Object.keys(m.files ?? {})) {
        if (!OBJECT_NAME.test(file)) bad("files", file, "is not a valid file name", "use letters, digits, '.', '_' and '-' only");
    }
    if (typeof m.healthPath !== "string" || !m.healthPath.startsWith("/")) bad("healthPath", m.healthPath, "is not an HTTP path");
    const cpu = m.cpuMillicores / 1000;
    const memory = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
    if (!isWhole(m.cpuMillicores) || memory === undefined) {
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            "is not a CPU size Cloud Run takes",
            `use ${CLOUD_RUN_CPUS.map((c) => c * 1000).join(", ")} (1, 2, 4, 6 or 8 vCPU)`,
        );
    } else if (!isWhole(m.memoryMiB) || m.memoryMiB < memory.min || m.memoryMiB > memory.max) {
        bad(
            "memoryMiB",
            m.memoryMiB,
            `is outside what ${cpu} vCPU allows on Cloud Run (${memory.min} to ${memory.max} MiB)`,
            "raise or lower memoryMiB, or change cpuMillicores",
        );
    }
    if (!isWhole(m.minReplicas) || m.minReplicas < 0) bad("minReplicas", m.minReplicas, "must be a whole number of at least 0");
    if (!isWhole(m.maxReplicas) || m.maxReplicas < 1 || m.maxReplicas < m.minReplicas)
        bad("maxReplicas", m.maxReplicas, "must be a whole number of at least 1 and at least minReplicas");
    if (!isWhole(m.concurrency) || m.concurrency < 1 || m.concurrency > MAX_CONCURRENCY)
        bad("concurrency", m.concurrency, `must be a whole number from 1 to ${MAX_CONCURRENCY}`);

    if (!m.accelerator) return undefined;
    let gpu: AcceleratorSettings | undefined;
    try {
        gpu = resolveAccelerator({ cloud: "gcp", service: "cloud-run", accelerator: m.accelerator, region });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.add(`${at}.accelerator: ${e.message}`);
        return undefined;
    }
    if (gpu?.minCpu !== undefined && cpu < gpu.minCpu)
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            `is below the ${gpu.minCpu} vCPU Cloud Run requires with ${gpu.accelerator}`,
            `set cpuMillicores to at least ${gpu.minCpu * 1000}`,
        );
    if (gpu?.minMemoryGiB !== undefined && m.memoryMiB < gpu.minMemoryGiB * 1024) {
        bad(
            "memoryMiB",
            m.memoryMiB,
            `is below the ${gpu.minMemoryGiB} GiB Cloud Run requires with ${gpu.accelerator}`,
            `set memoryMiB to at least ${gpu.minMemoryGiB * 1024}`,
        );
    }
    return gpu;
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
