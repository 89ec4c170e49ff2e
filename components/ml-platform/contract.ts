/**
 * The ML platform contract: a workspace with experiment tracking and a model registry, and training
 * compute sized from the accelerator catalog. Implementations: kubernetes (MLflow); aws (SageMaker),
 * gcp (Vertex AI), azure (Azure ML) follow the same args and outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AcceleratorRequest } from "../accelerators/names";

export interface TrainingArgs {
    /** Accelerator per training node. Default: CPU only. */
    readonly accelerator?: AcceleratorRequest;
    /** Most training nodes (or pods) running at once. Default: 1. */
    readonly maxNodes?: number;
    /** Use spot / preemptible / low-priority capacity for training. Default: true. */
    readonly spot?: boolean;
}

export interface MlPlatformArgs {
    /** Models registered in the model registry (one registry entry / package group each). */
    readonly models: string[];
    /** Bucket of the data lake's models zone: artifacts and registered models live there. */
    readonly artifactBucket: pulumi.Input<string>;
    /** Training compute defaults. */
    readonly training?: TrainingArgs;
    /** Protect the workspace, registry and their stores from deletion; keep them on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Training defaults resolved from the catalog, exported for pipelines. */
export interface TrainingDefaults {
    /** Canonical accelerator name, or "none". */
    readonly accelerator: string;
    /** Accelerators per training node (0 for CPU only). */
    readonly acceleratorCount: number;
    /** The instance type / machine type / VM size / Kubernetes resource name this resolves to. */
    readonly compute: string;
    /** Most nodes a training job may use. */
    readonly maxNodes: number;
    /** Whether training uses spot / preemptible / low-priority capacity. */
    readonly spot: boolean;
}

/** Outputs every ML platform implementation exposes. */
export interface MlPlatform {
    /** Where clients reach the workspace / tracking server. */
    readonly trackingUri: pulumi.Output<string>;
    /** The model registry's identifier (registry URL, ARN or workspace ID). */
    readonly modelRegistry: pulumi.Output<string>;
    /** Training defaults resolved from the accelerator catalog. */
    readonly trainingDefaults: pulumi.Output<TrainingDefaults>;
}
