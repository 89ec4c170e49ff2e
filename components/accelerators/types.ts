/**
 * The resolver's vocabulary: clouds, the services that take (or refuse) accelerators, the concrete
 * settings a service needs for one accelerator request, and the shape of a service's table. The
 * per-cloud catalogs (aws.ts, gcp.ts, azure.ts, kubernetes.ts) import only this file and names.ts;
 * resolve.ts imports them, so every import here points one way.
 */
import { AcceleratorName } from "./names";

export const CLOUDS = ["aws", "gcp", "azure", "kubernetes"] as const;
export type Cloud = (typeof CLOUDS)[number];

/**
 * Every service the catalog knows, per cloud. Services with no accelerator rows (Lambda, SageMaker
 * Serverless, ECS Fargate, App Runner, Glue, Cloud Functions, Cloud Run jobs, Azure Functions, Container
 * Apps jobs) reject any accelerator.
 */
export const SERVICES = {
    aws: ["sagemaker-training", "sagemaker-endpoint", "ec2", "eks", "lambda", "sagemaker-serverless", "ecs-fargate", "app-runner", "glue"],
    gcp: ["vertex-training", "vertex-endpoint", "compute-engine", "gke", "cloud-run", "cloud-functions", "cloud-run-jobs"],
    azure: ["azureml-compute", "azureml-endpoint", "aks", "container-apps", "functions", "container-apps-jobs"],
    kubernetes: ["kubernetes"],
} as const satisfies Record<Cloud, readonly string[]>;

export type Service = (typeof SERVICES)[Cloud][number];

/** Which managed Kubernetes labels GPU/TPU/Neuron nodes (decides node selectors and tolerations). */
export const KUBERNETES_DISTRIBUTIONS = ["generic", "eks", "gke", "aks"] as const;
export type KubernetesDistribution = (typeof KUBERNETES_DISTRIBUTIONS)[number];

export interface Toleration {
    readonly key: string;
    readonly operator: "Exists" | "Equal";
    readonly value?: string;
    readonly effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
}

/** The concrete settings for one (accelerator, count) on one service. Only the fields that service takes are set. */
export interface AcceleratorSettings {
    readonly accelerator: AcceleratorName;
    /** Accelerators per instance / node / pod. */
    readonly count: number;
    readonly cloud: Cloud;
    readonly service: Service;
    /** AWS: EC2 instance type (`g5.xlarge`) or SageMaker instance type (`ml.g5.xlarge`). */
    readonly instanceType?: string;
    /** GCP: machine type for Vertex AI, Compute Engine and GKE node pools (`g2-standard-8`, `ct5lp-hightpu-1t`). */
    readonly machineType?: string;
    /** GCP: Vertex AI enum (`NVIDIA_L4`, `TPU_V5_LITEPOD`) or Compute/GKE guest accelerator type (`nvidia-l4`). */
    readonly acceleratorType?: string;
    /** Azure: VM size for Azure ML compute, online endpoints and AKS (`Standard_NC4as_T4_v3`). */
    readonly vmSize?: string;
    /** Azure Container Apps: GPU workload profile type (`Consumption-GPU-NC8as-T4`). */
    readonly workloadProfileType?: string;
    /** Kubernetes extended resource requested per pod (`nvidia.com/gpu`, `aws.amazon.com/neuron`, `google.com/tpu`). */
    readonly resourceName?: string;
    /** Kubernetes node selector that lands the pod on a node with this accelerator. */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Kubernetes tolerations for the taints that managed node pools put on accelerator nodes. */
    readonly tolerations?: readonly Toleration[];
    /** Minimum vCPU per instance the service requires with this accelerator (Cloud Run GPU: 4). */
    readonly minCpu?: number;
    /** Minimum memory per instance in GiB the service requires with this accelerator (Cloud Run GPU: 16). */
    readonly minMemoryGiB?: number;
    /** Regions where the service offers it, when the service restricts them (Cloud Run GPU). */
    readonly regions?: readonly string[];
    /** Where this row comes from (provider docs or public catalog). */
    readonly source: string;
}

export interface ResolveRequest {
    readonly cloud: Cloud;
    readonly service: Service;
    /** What was asked for; `undefined` means CPU only and resolves to `undefined`. */
    readonly accelerator?: { readonly type: AcceleratorName; readonly count: number };
    /** For service `kubernetes` (and `eks`/`gke`/`aks`): whose node labels to use. @default "generic" */
    readonly distribution?: KubernetesDistribution;
    /** When given, services that restrict regions (Cloud Run GPU) reject other regions. */
    readonly region?: string;
}

/** One row of a service's table: the settings for one (accelerator, count), minus cloud and service. */
export type CatalogRow = Omit<AcceleratorSettings, "cloud" | "service">;

/** An implementation of this project that takes an accelerator, named for a service that takes none. */
export interface Alternative {
    /** The config keys (capabilities) that can select this implementation. */
    readonly capabilities: readonly ("containerService" | "serverlessInference" | "mlPlatform")[];
    /** The implementation to select, e.g. `sagemaker-endpoint`. */
    readonly implementation: string;
    /** What it offers, when narrower than the cloud's list, e.g. `nvidia-l4 only`. */
    readonly offers?: string;
}

/** One service's table. Services without accelerators have no rows and name the alternatives. */
export interface ServiceCatalog {
    readonly rows: readonly CatalogRow[];
    readonly alternatives?: readonly Alternative[];
}
