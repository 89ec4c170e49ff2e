/** Arguments of VertexPlatform and their validator. Pure: no SDK at runtime. */
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorRequest } from "../accelerators/names";
import type { ProblemDetail } from "../shared/problems";
import type { MlPlatformArgs } from "./contract";
import { validateNamePrefix } from "../naming/gcp";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import { WORKLOAD_NAME } from "../shared/naming";

export interface VertexPlatformArgs extends MlPlatformArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Vertex AI region; the keys must be in the same location. */
    readonly region: string;
    /** Zone of the Workbench instance. Default: `<region>-b`. */
    readonly zone?: string;
    /** Prefix of project-unique names (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** Cloud KMS key for TensorBoard and a created metadata store (the Vertex AI service agent must be able to use it). */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Cloud KMS key for the Workbench disks (the Compute Engine service agent must be able to use it). */
    readonly workbenchKmsKeyName?: pulumi.Input<string>;
    /** Buckets training may read (the artifact bucket is read-write). Default: []. */
    readonly readBuckets?: pulumi.Input<string>[];
    /** Machine type of CPU-only training (with an accelerator, the catalog decides). Default: "n1-standard-4". */
    readonly trainingMachineType?: string;
    /**
     * Create the project's `default` metadata store (the only one Vertex AI Experiments and Pipelines use),
     * CMEK-encrypted with `kmsKeyName`. Vertex AI creates that store itself, Google-encrypted, on the first
     * pipeline run or experiment, and its key can never change afterwards: this works only in a project and
     * region where that has not happened yet (elsewhere `pulumi up` fails with "already exists"). The store
     * is the project's, so it is retained when the stack goes. Default: false - the store is referenced.
     */
    readonly createMetadataStore?: boolean;
    /** Create a Workbench instance. It bills while running (idle shutdown stops it). Default: true. */
    readonly workbench?: boolean;
    /** Workbench machine type when it has no accelerator. Default: "e2-standard-4". */
    readonly workbenchMachineType?: string;
    /** Workbench GPU (catalog name); its machine type then comes from the catalog. Costs money. Default: none. */
    readonly workbenchAccelerator?: AcceleratorRequest;
    /** Minutes of inactivity after which Workbench stops itself. Default: 60. */
    readonly workbenchIdleShutdownMinutes?: number;
    /** Workbench boot disk size in GB (150 is Workbench's minimum). Default: 150. */
    readonly workbenchBootDiskGb?: number;
    /** Network of the Workbench instance (GcpNetwork `networkId`). Required with `workbench`. Default: none. */
    readonly networkId?: pulumi.Input<string>;
    /** Subnet of the Workbench instance (GcpNetwork `subnetId`). Required with `workbench`. Default: none. */
    readonly subnetId?: pulumi.Input<string>;
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

/** Every problem with the arguments (paths relative to them, `training.*` under `training`). */
export function validateVertexPlatform(args: VertexPlatformArgs): ProblemDetail[] {
    const s = vertexSettings(args);
    const problems: ProblemDetail[] = [];
    for (const [path, value] of [
        ["project", s.project],
        ["region", s.region],
    ] as const) {
        if (typeof value !== "string" || value.length === 0) problems.push({ path, value, message: "is required" });
    }
    problems.push(...validateNamePrefix(s.namePrefix));
    if (s.workbench && (typeof s.zone !== "string" || !s.zone.startsWith(`${s.region}-`))) {
        problems.push({
            path: "zone",
            value: s.zone,
            message: `is not a zone of region ${s.region}`,
            fix: `use e.g. ${s.region}-b (Workbench instances are zonal)`,
        });
    }
    if (s.workbench && !s.hasNetwork)
        problems.push({
            path: "subnetId",
            value: undefined,
            message: "is required for the Workbench instance (it has no public IP)",
            fix: "pass GcpNetwork's networkId and subnetId",
        });
    if (s.workbench && args.workbenchKmsKeyName === undefined)
        problems.push({ path: "workbenchKmsKeyName", value: undefined, message: "is required for the Workbench instance's CMEK disks" });
    (s.models ?? []).forEach((m, i) => {
        if (!WORKLOAD_NAME.test(m)) problems.push({ path: `models[${i}]`, value: m, message: "is not a model name" });
    });
    if (!Number.isInteger(s.maxNodes) || s.maxNodes < 1)
        problems.push({ path: "training.maxNodes", value: s.maxNodes, message: "must be a whole number of at least 1" });
    for (const [path, value] of [
        ["trainingMachineType", s.trainingMachineType],
        ["workbenchMachineType", s.workbenchMachineType],
    ] as const) {
        if (!MACHINE_TYPE.test(value)) problems.push({ path, value, message: "is not a machine type", fix: "write e.g. n1-standard-4" });
    }
    if (!Number.isInteger(s.workbenchIdleShutdownMinutes) || s.workbenchIdleShutdownMinutes < 10 || s.workbenchIdleShutdownMinutes > 1440) {
        problems.push({
            path: "workbenchIdleShutdownMinutes",
            value: s.workbenchIdleShutdownMinutes,
            message: "must be a whole number of minutes from 10 to 1440",
        });
    }
    if (!Number.isInteger(s.workbenchBootDiskGb) || s.workbenchBootDiskGb < 150 || s.workbenchBootDiskGb > 64000) {
        problems.push({
            path: "workbenchBootDiskGb",
            value: s.workbenchBootDiskGb,
            message: "must be a whole number of GB from 150 (Workbench's minimum) to 64000",
        });
    }
    const training = resolveVertexAccelerator(s.trainingAccelerator);
    if (training.error) problems.push({ path: "training.accelerator", value: s.trainingAccelerator, message: training.error });
    const workbench = s.workbench ? resolveVertexAccelerator(s.workbenchAccelerator) : {};
    if (workbench.error) problems.push({ path: "workbenchAccelerator", value: s.workbenchAccelerator, message: workbench.error });
    if (workbench.settings && !WORKBENCH_TYPES.includes(workbench.settings.acceleratorType ?? "")) {
        problems.push({
            path: "workbenchAccelerator",
            value: s.workbenchAccelerator,
            message: `is not offered on Workbench instances (they take GPUs, not ${workbench.settings.accelerator})`,
            fix: "pick a GPU (nvidia-t4, nvidia-l4, ...) or none; train on TPUs through Vertex AI training jobs instead",
        });
    }
    return problems;
}

/** The arguments with their defaults applied (what the component builds from and the validator checks). */
export interface VertexSettings {
    readonly project: string;
    readonly region: string;
    readonly zone: string;
    readonly namePrefix: string;
    readonly models: string[];
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

export function vertexSettings(args: VertexPlatformArgs): VertexSettings {
    return {
        project: args.project,
        region: args.region,
        zone: args.zone ?? `${args.region}-b`,
        namePrefix: args.namePrefix,
        models: args.models,
        trainingAccelerator: args.training?.accelerator,
        trainingMachineType: args.trainingMachineType ?? "n1-standard-4",
        maxNodes: args.training?.maxNodes ?? 1,
        workbench: args.workbench ?? true,
        workbenchMachineType: args.workbenchMachineType ?? "e2-standard-4",
        workbenchAccelerator: args.workbenchAccelerator,
        workbenchIdleShutdownMinutes: args.workbenchIdleShutdownMinutes ?? 60,
        workbenchBootDiskGb: args.workbenchBootDiskGb ?? 150,
        hasNetwork: args.subnetId !== undefined && args.networkId !== undefined,
    };
}

/** The catalog's settings of an accelerator on Vertex AI training, or why it has none (no request: neither). */
export function resolveVertexAccelerator(request: AcceleratorRequest | undefined): { settings?: AcceleratorSettings; error?: string } {
    if (!request) return {};
    try {
        return { settings: resolveAccelerator({ cloud: "gcp", service: "vertex-training", accelerator: request }) };
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        return { error: e.message };
    }
}
