/**
 * The shape of the GCP settings (`StackConfig.gcp`): the `gcp` sub-object of each `mlops:` section and
 * the provider's `gcp:project`, `gcp:region` and `gcp:zone`. Types and value lists only; parsed and
 * checked in ./gcp.ts. Imports nothing from the rest of the config code, so schema.ts can use it.
 */
import type { AcceleratorRequest } from "@mlops/components";

export const INGRESS_SETTINGS = ["internal", "internal-and-cloud-load-balancing", "all"] as const;
export const ENDPOINT_ACCESS_SETTINGS = ["dedicated", "private-service-connect"] as const;
export const FUNCTION_RUNTIME_SETTINGS = ["python311", "python312", "python313"] as const;

export interface GcpDataLakeConfig {
    readonly softDeleteRetentionDays: number;
    readonly accessLogRetentionDays: number;
    readonly serviceLogRetentionDays: number;
    readonly keyRotationDays: number;
}

export interface GcpMlPlatformConfig {
    readonly workbench: boolean;
    readonly workbenchMachineType: string;
    readonly workbenchAccelerator?: AcceleratorRequest;
    readonly workbenchIdleShutdownMinutes: number;
    readonly trainingMachineType: string;
    /** Create the project's `default` Vertex metadata store with the stack's key (else reference it). */
    readonly createMetadataStore: boolean;
    readonly subnetCidr: string;
    readonly natGateway: boolean;
}

/** Settings of Cloud Run / Functions / Vertex serving shared by both serving sections. */
export interface GcpServingConfig {
    readonly ingress: (typeof INGRESS_SETTINGS)[number];
    readonly allowUnauthenticated: boolean;
    readonly invokers: string[];
    readonly requestTimeoutSeconds: number;
    readonly gpuZonalRedundancy: boolean;
    readonly errorRatePercent: number;
    readonly latencyP95Ms: number;
}

export interface GcpContainerServiceConfig extends GcpServingConfig {
    readonly registryKeepVersions: number;
    readonly registryUntaggedDays: number;
    /**
     * The stack's p95 latency alerts (Cloud Run services, functions and Vertex AI endpoints alike): one
     * condition per kind of deployment, USD 1.50 a month each. Default: on, except in dev.
     */
    readonly latencyAlert: boolean;
}

export interface GcpServerlessConfig extends GcpServingConfig {
    readonly endpointAccess: (typeof ENDPOINT_ACCESS_SETTINGS)[number];
    readonly vertexCpuMachineType: string;
    /** The handler directory, relative to the project root. */
    readonly functionSource: string;
    /**
     * The files of `functionSource` (name -> content), read when the config is parsed; undefined when it
     * is not a directory (reported only when serverless inference is cloud-functions).
     */
    readonly functionFiles?: Readonly<Record<string, string>>;
    readonly functionRuntime: (typeof FUNCTION_RUNTIME_SETTINGS)[number];
}

export interface GcpConfig {
    /** `gcp:project`; required (the parser reports it missing). */
    readonly project?: string;
    /** `gcp:region`; required to deploy. */
    readonly region?: string;
    /** `gcp:zone`, else `<region>-b`. */
    readonly zone?: string;
    readonly dataLake: GcpDataLakeConfig;
    readonly mlPlatform: GcpMlPlatformConfig;
    readonly containerService: GcpContainerServiceConfig;
    readonly serverlessInference: GcpServerlessConfig;
}
