/**
 * Pure pieces of serverless inference on Google Cloud: Cloud Functions (2nd gen) settings and the
 * source archive's content, and the settings a Vertex AI endpoint's deployed model takes. No SDK.
 */
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import type { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";
import { Problems } from "../shared/problems";
import { CLOUD_RUN_CPU_MEMORY_MIB, CLOUD_RUN_CPUS, RESERVED_ENV } from "../container-service/gcp-cloud-run";

/** Cloud Functions ingress, in the user's words (CKV_GCP_124: internal or internal-and-GCLB). */
export const FUNCTION_INGRESS = {
    internal: "ALLOW_INTERNAL_ONLY",
    "internal-and-cloud-load-balancing": "ALLOW_INTERNAL_AND_GCLB",
    all: "ALLOW_ALL",
} as const;
/** Python runtimes of Cloud Functions (2nd gen) this project supports (cloud.google.com/functions/docs/runtime-support). */
export const FUNCTION_RUNTIMES = ["python311", "python312", "python313"] as const;
/** The longest request a 2nd gen HTTP function may take (seconds). */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 3600;
/** The file a Python function's source must have. */
export const FUNCTION_MAIN = "main.py";

/**
 * Roles of the identity Cloud Build runs function builds as (cloud.google.com/functions/docs/securing/
 * build-custom-sa): write build logs; read the source from the function sources bucket Cloud Functions
 * copies it to, and push to the `gcf-artifacts` repository Cloud Functions creates, each through an IAM
 * condition on that resource's name.
 */
export const BUILD_PROJECT_ROLE = "roles/logging.logWriter";
export const GCF_SOURCES_CONDITION = 'resource.name.startsWith("projects/_/buckets/gcf-v2-sources-")';
export function gcfArtifactsCondition(project: string, region: string): string {
    return `resource.name.startsWith("projects/${project}/locations/${region}/repositories/gcf-artifacts")`;
}

/** The files of one function's source archive: the model's files plus the handler files. */
export function functionSourceFiles(m: ModelServingSpec, handlerFiles: Readonly<Record<string, string>>): Record<string, string> {
    return { ...(m.files ?? {}), ...handlerFiles };
}

/** The source archive's object name: changes with the content, so an edit redeploys the function. */
export function archiveObjectName(model: string, files: Readonly<Record<string, string>>): string {
    return `${model}/source-${shortHash(JSON.stringify(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))), 16)}.zip`;
}

/** Every problem with one model on Cloud Functions. */
export function functionModelProblems(
    m: ModelServingSpec,
    at: string,
    handlerFiles: Readonly<Record<string, string>>,
    problems: Problems,
): void {
    const bad = (field: string, value: unknown, message: string, fix?: string) =>
        problems.add({ path: `${at}.${field}`, value, message, fix });
    if (typeof m.name !== "string" || !/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/.test(m.name)) bad("name", m.name, "is not a model name");
    if (m.accelerator) {
        try {
            resolveAccelerator({ cloud: "gcp", service: "cloud-functions", accelerator: m.accelerator });
        } catch (e) {
            if (!(e instanceof AcceleratorError)) throw e;
            problems.add(`${at}.accelerator: ${e.message}`);
        }
    }
    const cpu = m.cpuMillicores / 1000;
    const memory = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
    if (memory === undefined)
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            "is not a CPU size Cloud Functions takes",
            `use ${CLOUD_RUN_CPUS.map((c) => c * 1000).join(", ")}`,
        );
    else if (m.memoryMiB < memory.min || m.memoryMiB > memory.max)
        bad("memoryMiB", m.memoryMiB, `is outside what ${cpu} vCPU allows (${memory.min} to ${memory.max} MiB)`);
    if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < 1 || m.maxReplicas < m.minReplicas)
        bad("maxReplicas", m.maxReplicas, "must be at least 1 and at least minReplicas");
    if (!Number.isInteger(m.concurrency) || m.concurrency < 1 || m.concurrency > 1000)
        bad("concurrency", m.concurrency, "must be a whole number from 1 to 1000");
    for (const key of Object.keys(m.env ?? {})) {
        if ((RESERVED_ENV as readonly string[]).includes(key))
            bad(`env.${key}`, m.env?.[key], "is set by the platform and may not be given");
    }
    if (!(FUNCTION_MAIN in functionSourceFiles(m, handlerFiles))) {
        bad(
            "files",
            Object.keys(m.files ?? {}),
            `has no ${FUNCTION_MAIN}: a Python function needs one`,
            "add a functions-framework handler (see samples/gcp/function) through handlerFiles or the model's files",
        );
    }
}

/** What a pipeline deploys onto a Vertex AI endpoint (`gcloud ai endpoints deploy-model` flags). */
export interface VertexDeploySettings {
    readonly machineType: string;
    /** Vertex accelerator enum, or "none". */
    readonly acceleratorType: string;
    readonly acceleratorCount: number;
    readonly minReplicaCount: number;
    readonly maxReplicaCount: number;
}

/**
 * Deploy settings of one model: the catalog decides machine and accelerator; CPU-only models use
 * `cpuMachineType`. Vertex keeps at least one replica deployed; `replicaFloor` raises that (2 in prod).
 */
export function vertexDeploySettings(
    m: ModelServingSpec,
    resolved: AcceleratorSettings | undefined,
    cpuMachineType: string,
    replicaFloor: number,
): VertexDeploySettings {
    const min = Math.max(1, replicaFloor, m.minReplicas);
    return {
        machineType: resolved?.machineType ?? cpuMachineType,
        acceleratorType: resolved?.acceleratorType ?? "none",
        acceleratorCount: resolved?.count ?? 0,
        minReplicaCount: min,
        maxReplicaCount: Math.max(min, m.maxReplicas),
    };
}

/**
 * The predict URL of a dedicated endpoint. The provider documents `dedicatedEndpointDns` as
 * `https://<id>.<region>-<number>.prediction.vertexai.goog`, while the API has returned the bare host:
 * either way gives one `https://` URL.
 */
export function dedicatedPredictUrl(dns: string, endpointPath: string): string {
    return `https://${dns.replace(/^https?:\/\//, "").replace(/\/+$/, "")}/v1/${endpointPath}:predict`;
}

/** Endpoint access: a dedicated public DNS name, or Private Service Connect (private, per allowed project). */
export const ENDPOINT_ACCESS = ["dedicated", "private-service-connect"] as const;

/** Every problem with one model on a Vertex AI endpoint; returns the catalog's settings. */
export function vertexModelProblems(m: ModelServingSpec, at: string, problems: Problems): AcceleratorSettings | undefined {
    if (typeof m.name !== "string" || !/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/.test(m.name))
        problems.add({ path: `${at}.name`, value: m.name, message: "is not a model name" });
    if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < 1)
        problems.add({ path: `${at}.maxReplicas`, value: m.maxReplicas, message: "must be a whole number of at least 1" });
    if (!m.accelerator) return undefined;
    try {
        return resolveAccelerator({ cloud: "gcp", service: "vertex-endpoint", accelerator: m.accelerator });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.add(`${at}.accelerator: ${e.message}`);
        return undefined;
    }
}
