/**
 * Pure pieces of the Vertex AI platform: the arguments with their defaults, training defaults and the
 * Workbench accelerator from the catalog, the training identity's roles. No SDK.
 */
import type { AcceleratorSettings } from "../accelerators/types";

/**
 * Project-level roles of the training identity: run Vertex AI jobs and log to Experiments, write logs and
 * metrics. No basic role, no Service Account User, no admin role (CKV_GCP_41/42/117). Data access is
 * granted per bucket, not here.
 */
export const TRAINING_PROJECT_ROLES = ["roles/aiplatform.user", "roles/logging.logWriter", "roles/monitoring.metricWriter"] as const;

/** Roles that must never be granted at project level to a workload identity. */
export const FORBIDDEN_PROJECT_ROLES = [
    "roles/owner",
    "roles/editor",
    "roles/viewer",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
] as const;

/**
 * The metadata store Vertex AI Experiments and Pipelines use: always the one named `default`, which
 * Vertex AI creates itself on the first pipeline run or experiment of a project and region
 * (cloud.google.com/vertex-ai/docs/experiments/setup; .../ml-metadata/configure).
 */
export const DEFAULT_METADATA_STORE = "default";

/** The resource name of the project's `default` metadata store in a region. */
export function metadataStoreName(project: string, region: string): string {
    return `projects/${project}/locations/${region}/metadataStores/${DEFAULT_METADATA_STORE}`;
}

/** Training defaults exported for pipelines: the catalog decides machine and accelerator. */
export interface GcpTrainingDefaults {
    /** Canonical accelerator name, or "none". */
    readonly accelerator: string;
    /** Accelerators per training node (0 for CPU only). */
    readonly acceleratorCount: number;
    /** Vertex AI machine type. */
    readonly compute: string;
    /** Vertex AI accelerator enum (`NVIDIA_L4`, `TPU_V5_LITEPOD`), or "none". */
    readonly acceleratorType: string;
    /** Most nodes a training job may use. */
    readonly maxNodes: number;
    /** Whether training uses Spot VMs. */
    readonly spot: boolean;
    /** Email of the service account training jobs run as. */
    readonly serviceAccount: string;
}

export function trainingDefaults(
    resolved: AcceleratorSettings | undefined,
    cpuMachineType: string,
    maxNodes: number,
    spot: boolean,
    serviceAccount: string,
): GcpTrainingDefaults {
    return {
        accelerator: resolved?.accelerator ?? "none",
        acceleratorCount: resolved?.count ?? 0,
        compute: resolved?.machineType ?? cpuMachineType,
        acceleratorType: resolved?.acceleratorType ?? "none",
        maxNodes,
        spot,
        serviceAccount,
    };
}
