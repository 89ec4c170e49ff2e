/**
 * Pure pieces of the Vertex AI platform: training defaults and the Workbench accelerator from the
 * catalog, the training identity's roles, and argument validation. No SDK.
 */
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import type { AcceleratorRequest } from "../accelerators/names";
import { Problems } from "../shared/problems";
import { namePrefixProblems } from "../naming/gcp";

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

/** Workbench takes the Vertex accelerator enum, but no TPU (google_workbench_instance accelerator_configs.type). */
const WORKBENCH_TYPES = [
    "NVIDIA_TESLA_T4",
    "NVIDIA_TESLA_V100",
    "NVIDIA_TESLA_A100",
    "NVIDIA_A100_80GB",
    "NVIDIA_L4",
    "NVIDIA_H100_80GB",
    "NVIDIA_H200_141GB",
];

/** Machine types are family-shape (`n1-standard-4`, `e2-standard-2`, `g2-standard-8`). */
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z]+(-[0-9]+[a-z]*)?(-[a-z0-9]+)?$/;

export interface VertexSettings {
    readonly project: string;
    readonly region: string;
    readonly zone: string;
    readonly namePrefix: string;
    readonly models: readonly string[];
    readonly trainingAccelerator?: AcceleratorRequest;
    readonly trainingMachineType: string;
    readonly maxNodes: number;
    readonly workbench: boolean;
    readonly workbenchMachineType: string;
    readonly workbenchAccelerator?: AcceleratorRequest;
    readonly workbenchIdleShutdownMinutes: number;
    readonly workbenchBootDiskGb: number;
    readonly hasNetwork: boolean;
}

export interface VertexChecked {
    readonly problems: Problems;
    readonly training?: AcceleratorSettings;
    readonly workbench?: AcceleratorSettings;
}

function accelerator(problems: Problems, path: string, request: AcceleratorRequest | undefined): AcceleratorSettings | undefined {
    if (!request) return undefined;
    try {
        return resolveAccelerator({ cloud: "gcp", service: "vertex-training", accelerator: request });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.add(`${path}: ${e.message}`);
        return undefined;
    }
}

/** Every problem with the arguments, and the catalog's settings for training and the Workbench instance. */
export function checkVertex(s: VertexSettings): VertexChecked {
    const problems = new Problems();
    for (const [path, value] of [
        ["project", s.project],
        ["region", s.region],
    ] as const) {
        if (typeof value !== "string" || value.length === 0) problems.add({ path, value, message: "is required" });
    }
    namePrefixProblems(s.namePrefix, problems);
    if (s.workbench && (typeof s.zone !== "string" || !s.zone.startsWith(`${s.region}-`))) {
        problems.add({
            path: "zone",
            value: s.zone,
            message: `is not a zone of region ${s.region}`,
            fix: `use e.g. ${s.region}-b (Workbench instances are zonal)`,
        });
    }
    if (s.workbench && !s.hasNetwork)
        problems.add({
            path: "subnetId",
            value: undefined,
            message: "is required for the Workbench instance (it has no public IP)",
            fix: "pass GcpNetwork's networkId and subnetId",
        });
    s.models.forEach((m, i) => {
        if (!/^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/.test(m)) problems.add({ path: `models[${i}]`, value: m, message: "is not a model name" });
    });
    if (!Number.isInteger(s.maxNodes) || s.maxNodes < 1)
        problems.add({ path: "training.maxNodes", value: s.maxNodes, message: "must be a whole number of at least 1" });
    for (const [path, value] of [
        ["trainingMachineType", s.trainingMachineType],
        ["workbenchMachineType", s.workbenchMachineType],
    ] as const) {
        if (!MACHINE_TYPE.test(value)) problems.add({ path, value, message: "is not a machine type", fix: "write e.g. n1-standard-4" });
    }
    if (!Number.isInteger(s.workbenchIdleShutdownMinutes) || s.workbenchIdleShutdownMinutes < 10 || s.workbenchIdleShutdownMinutes > 1440) {
        problems.add({
            path: "workbenchIdleShutdownMinutes",
            value: s.workbenchIdleShutdownMinutes,
            message: "must be a whole number of minutes from 10 to 1440",
        });
    }
    if (!Number.isInteger(s.workbenchBootDiskGb) || s.workbenchBootDiskGb < 150 || s.workbenchBootDiskGb > 64000) {
        problems.add({
            path: "workbenchBootDiskGb",
            value: s.workbenchBootDiskGb,
            message: "must be a whole number of GB from 150 (Workbench's minimum) to 64000",
        });
    }

    const training = accelerator(problems, "training.accelerator", s.trainingAccelerator);
    const workbench = s.workbench ? accelerator(problems, "workbenchAccelerator", s.workbenchAccelerator) : undefined;
    if (workbench && !WORKBENCH_TYPES.includes(workbench.acceleratorType ?? "")) {
        problems.add({
            path: "workbenchAccelerator",
            value: s.workbenchAccelerator,
            message: `is not offered on Workbench instances (they take GPUs, not ${workbench.accelerator})`,
            fix: "pick a GPU (nvidia-t4, nvidia-l4, ...) or none; train on TPUs through Vertex AI training jobs instead",
        });
    }
    return { problems, training, workbench };
}

/** Training defaults exported for pipelines: the catalog decides machine and accelerator. */
export interface GcpTrainingDefaults {
    readonly accelerator: string;
    readonly acceleratorCount: number;
    /** Vertex AI machine type. */
    readonly compute: string;
    /** Vertex AI accelerator enum (`NVIDIA_L4`, `TPU_V5_LITEPOD`), or "none". */
    readonly acceleratorType: string;
    readonly maxNodes: number;
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
