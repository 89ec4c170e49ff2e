/**
 * Pure pieces of serverless inference on Google Cloud: Cloud Functions (2nd gen) settings and the
 * source archive's content, and the settings a Vertex AI endpoint's deployed model takes (validation:
 * gcp-args.ts). No SDK.
 */
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import type { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";

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

/** What a pipeline deploys onto a Vertex AI endpoint (`gcloud ai endpoints deploy-model` flags). */
export interface VertexDeploySettings {
    /** Machine type of the deployed model's replicas (`--machine-type`). */
    readonly machineType: string;
    /** Vertex accelerator enum, or "none". */
    readonly acceleratorType: string;
    /** Accelerators per replica (`--accelerator=count=`). */
    readonly acceleratorCount: number;
    /** Fewest replicas (`--min-replica-count`). */
    readonly minReplicaCount: number;
    /** Most replicas (`--max-replica-count`). */
    readonly maxReplicaCount: number;
}

/** A model's deploy settings with the endpoint they deploy onto (`VertexEndpointInference.deploySettings`). */
export interface VertexEndpointDeploySettings extends VertexDeploySettings {
    /** The endpoint's resource name (`projects/<p>/locations/<r>/endpoints/<id>`). */
    readonly endpoint: string;
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

/** The catalog's settings of a model's accelerator on a Vertex AI endpoint; undefined for CPU only or one it does not offer. */
export function vertexEndpointAccelerator(m: ModelServingSpec): AcceleratorSettings | undefined {
    if (!m.accelerator) return undefined;
    try {
        return resolveAccelerator({ cloud: "gcp", service: "vertex-endpoint", accelerator: m.accelerator });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        return undefined;
    }
}
