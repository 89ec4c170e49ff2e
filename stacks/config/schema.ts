/**
 * The typed stack configuration: what `mlops:*` keys parse into, the implementations each cloud
 * offers, and the defaults. Documented for users in Pulumi.yaml and README.md ("Configuration").
 */
import { AcceleratorRequest, Approval, AutoMlProblemType, Cloud, GateMetric, KubernetesDistribution } from "@mlops/components";
import type { AwsConfig } from "./aws-options";
import type { AzureConfig } from "./azure-options";
import type { GcpConfig } from "./gcp-options";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The top-level keys (docs/configuration.md); any other `mlops:` key is a typo and reported. */
export const TOP_LEVEL_KEYS = [
    "cloud",
    "environment",
    "dataLake",
    "mlPlatform",
    "containerService",
    "serverlessInference",
    "models",
    "notifications",
    "pipelines",
    "delivery",
] as const;

/**
 * The keys each structured config object accepts (anything else is reported as a typo). Each target with
 * its own settings adds its sub-object key (`aws`, `gcp`, ...) to the sections and models.
 */
export const KEYS = {
    dataLake: [
        "zones",
        "noncurrentVersionRetentionDays",
        "abortIncompleteUploadDays",
        "rawColdStorageAfterDays",
        "auditLogRetentionDays",
        "queryEngine",
        "minio",
    ],
    minio: ["servers", "drivesPerServer", "volumeSizeGiB", "storageClassName"],
    mlPlatform: ["implementation", "training", "distribution"],
    training: ["accelerator", "maxNodes", "spot"],
    containerService: ["implementation", "distribution", "clientNamespaces"],
    serverlessInference: ["implementation", "distribution", "clientNamespaces", "installKnative", "knativeSchedulingFlagsEnabled"],
    notifications: ["emails", "webhooks"],
    pipelines: ["implementation", "orchestrator", "jobs", "streams"],
    pipelineJob: [
        "name",
        "image",
        "command",
        "args",
        "env",
        "files",
        "source",
        "target",
        "schedule",
        "onArrival",
        "cpuMillicores",
        "memoryMiB",
        "accelerator",
        "timeoutMinutes",
        "retries",
    ],
    stream: ["name", "target", "retentionHours"],
    model: [
        "name",
        "image",
        "port",
        "command",
        "args",
        "env",
        "files",
        "healthPath",
        "cpuMillicores",
        "memoryMiB",
        "minReplicas",
        "maxReplicas",
        "serverlessMinReplicas",
        "serverlessMaxReplicas",
        "concurrency",
        "accelerator",
        "serveWith",
        "training",
        "servedVersion",
    ],
    modelTraining: [
        "mode",
        "image",
        "command",
        "args",
        "env",
        "files",
        "dataset",
        "schedule",
        "onNewData",
        "metric",
        "threshold",
        "approval",
        "cpuMillicores",
        "memoryMiB",
        "timeoutMinutes",
        "automl",
        "drift",
    ],
    automl: ["targetColumn", "problemType", "maxRuntimeMinutes"],
    drift: ["schedule", "command", "psiThreshold", "ksAlpha", "retrain"],
    delivery: ["repository", "workflow", "branch", "githubToken"],
} as const;

/** The capabilities a target implements (`mlops:pipelines` is the data pipelines); each target names its implementations in stacks/targets/<cloud>.ts. */
export const PILLARS = ["mlPlatform", "containerService", "serverlessInference", "pipelines"] as const;
export type Pillar = (typeof PILLARS)[number];

/** Cloud-neutral stack outputs. */
export type StackOutputs = Record<string, unknown>;

/** Where a model is served. */
export const SERVE_TARGETS = ["containerService", "serverlessInference"] as const;
export type ServeTarget = (typeof SERVE_TARGETS)[number];

export interface MinioConfig {
    readonly servers: number;
    readonly drivesPerServer: number;
    readonly volumeSizeGiB: number;
    readonly storageClassName?: string;
}

export interface DataLakeConfig {
    readonly zones: string[];
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly rawColdStorageAfterDays: number;
    readonly auditLogRetentionDays: number;
    readonly queryEngine: boolean;
    /** Kubernetes only. */
    readonly minio: MinioConfig;
}

export interface TrainingConfig {
    readonly accelerator?: AcceleratorRequest;
    readonly maxNodes: number;
    readonly spot: boolean;
}

export interface MlPlatformConfig {
    readonly implementation: string;
    readonly training: TrainingConfig;
    /** Kubernetes: whose node labels select accelerator nodes. */
    readonly distribution: KubernetesDistribution;
}

export interface ContainerServiceConfig {
    readonly implementation: string;
    readonly distribution: KubernetesDistribution;
    /** Kubernetes: namespaces whose pods may call the models. */
    readonly clientNamespaces: string[];
}

export interface ServerlessInferenceConfig {
    readonly implementation: string;
    readonly distribution: KubernetesDistribution;
    readonly clientNamespaces: string[];
    /** Kubernetes: install Knative Serving from its release manifests. */
    readonly installKnative: boolean;
    /**
     * Kubernetes: a cluster admin enabled Knative's `kubernetes.podspec-nodeselector` and
     * `kubernetes.podspec-tolerations` flags, which accelerator models need.
     */
    readonly knativeSchedulingFlagsEnabled: boolean;
}

export interface ModelConfig {
    readonly name: string;
    readonly image: string;
    readonly port: number;
    readonly command?: string[];
    readonly args?: string[];
    readonly env: Record<string, string>;
    /** Files read from the `files` directory (name -> content), mounted at /app. */
    readonly files?: Record<string, string>;
    readonly healthPath: string;
    readonly cpuMillicores: number;
    readonly memoryMiB: number;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly serverlessMinReplicas: number;
    readonly serverlessMaxReplicas: number;
    readonly concurrency: number;
    readonly accelerator?: AcceleratorRequest;
    readonly serveWith: ServeTarget[];
    /** `mlops:models[].training`: how the model is retrained, gated, registered and watched for drift. */
    readonly training?: ModelTrainingConfig;
    /** The registered version serving runs (a training run id), written by the promotion pull request. */
    readonly servedVersion?: string;
}

/** `mlops:models[].training.automl`: the cloud's AutoML instead of the model's own training code. */
export interface AutoMlConfig {
    readonly targetColumn: string;
    readonly problemType: AutoMlProblemType;
    readonly maxRuntimeMinutes: number;
}

/** `mlops:models[].training.drift`: the drift monitor of the served model. */
export interface DriftConfig {
    readonly schedule: string;
    readonly command: string[];
    readonly psiThreshold: number;
    readonly ksAlpha: number;
    readonly retrain: boolean;
}

/** `mlops:models[].training`: the model's training pipeline. */
export interface ModelTrainingConfig {
    readonly mode: "custom" | "automl";
    readonly image: string;
    readonly command: string[];
    readonly args: string[];
    readonly env: Record<string, string>;
    /** Files read from the `files` directory (name -> content), mounted at /app. */
    readonly files?: Record<string, string>;
    /** The curated dataset (zone and prefix) it trains on. */
    readonly dataset: LakeLocationConfig;
    /** 5-field cron in UTC. */
    readonly schedule?: string;
    readonly onNewData: boolean;
    readonly metric: GateMetric;
    readonly threshold: number;
    readonly approval: Approval;
    readonly cpuMillicores: number;
    readonly memoryMiB: number;
    readonly timeoutMinutes: number;
    readonly automl?: AutoMlConfig;
    readonly drift?: DriftConfig;
}

/** `mlops:delivery`: where an approved model version becomes a pull request on this stack's config. */
export interface DeliveryConfig {
    /** `owner/name` on GitHub. */
    readonly repository: string;
    /** The promotion workflow's file name. */
    readonly workflow: string;
    /** The branch the pull request targets. */
    readonly branch: string;
    /** A GitHub token that may dispatch the workflow; set with `pulumi config set --secret --path mlops:delivery.githubToken`. */
    readonly githubToken?: string;
}

/** Who hears the stack's alerts (`mlops:notifications`). */
export interface NotificationsConfig {
    /** Email addresses; each cloud mails a confirmation or sends alerts directly. */
    readonly emails: readonly string[];
    /** https URLs that receive alert payloads; may be secrets. */
    readonly webhooks: readonly string[];
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly cloud: Cloud;
    readonly environment: Environment;
    /** Protect and retain stateful resources (prod). */
    readonly protectData: boolean;
    readonly dataLake: DataLakeConfig;
    readonly mlPlatform: MlPlatformConfig;
    readonly containerService: ContainerServiceConfig;
    readonly serverlessInference: ServerlessInferenceConfig;
    readonly models: ModelConfig[];
    readonly notifications: NotificationsConfig;
    readonly pipelines: PipelinesConfig;
    /** Where approved model versions are delivered. @default - none: promotion is a manual workflow dispatch */
    readonly delivery?: DeliveryConfig;
    /** Cloud-only settings, set when that cloud is selected (`mlops:<section>.<cloud>`). */
    readonly aws?: AwsConfig;
    readonly gcp?: GcpConfig;
    readonly azure?: AzureConfig;
}

/**
 * Reliability floors per environment (docs/security-baseline.md section 4): `minReplicas`
 * is the default warm capacity (and the floor of always-on endpoints); `lowestMinReplicas` is the lowest
 * a model may ask for (0 = scale to zero, where the service allows it; prod keeps 2).
 */
export const FLOORS: Record<Environment, { minReplicas: number; lowestMinReplicas: number }> = {
    dev: { minReplicas: 1, lowestMinReplicas: 0 },
    staging: { minReplicas: 1, lowestMinReplicas: 0 },
    prod: { minReplicas: 2, lowestMinReplicas: 2 },
};

/** Model names: the components' name rule, short enough for every cloud's naming rules with suffixes. */
export { WORKLOAD_NAME as MODEL_NAME, WORKLOAD_NAME_RULE as MODEL_NAME_RULE } from "@mlops/components";

/** Zone names become bucket-name parts. */
/** Zone names become bucket names (MinIO) or parts of them: 3 characters at least, as S3 requires. */
export const ZONE_NAME = /^[a-z][a-z0-9-]{1,14}[a-z0-9]$/;
export const ZONE_NAME_RULE = "3-16 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit";

/** Largest total size of a model's `files` (a Kubernetes ConfigMap holds at most 1 MiB). */
export const MAX_FILES_BYTES = 900 * 1024;

/** Where a pipeline reads or writes: a lake zone and a prefix in it (`""` or ending in `/`). */
export interface LakeLocationConfig {
    readonly zone: string;
    readonly prefix: string;
}

/** One data pipeline (`mlops:pipelines.jobs[]`): a job from a source prefix to a target prefix. */
export interface PipelineJobConfig {
    readonly name: string;
    readonly image: string;
    readonly command: string[];
    readonly args: string[];
    readonly env: Record<string, string>;
    /** Files read from the `files` directory (name -> content), mounted at /app. */
    readonly files?: Record<string, string>;
    readonly source: LakeLocationConfig;
    readonly target: LakeLocationConfig;
    /** 5-field cron in UTC. */
    readonly schedule?: string;
    readonly onArrival: boolean;
    readonly cpuMillicores: number;
    readonly memoryMiB: number;
    readonly accelerator?: AcceleratorRequest;
    readonly timeoutMinutes: number;
    readonly retries: number;
}

/** One stream into the lake's `raw` zone (`mlops:pipelines.streams[]`). */
export interface StreamConfig {
    readonly name: string;
    readonly target: LakeLocationConfig;
    readonly retentionHours: number;
}

export const ORCHESTRATORS = ["native", "airflow"] as const;
export type Orchestrator = (typeof ORCHESTRATORS)[number];

/** `mlops:pipelines`: the data pipelines and streams of the stack. */
export interface PipelinesConfig {
    /** The runner, one of the target's pipeline implementations (first one the default). */
    readonly implementation: string;
    /**
     * What schedules the jobs: `native` (the cloud's own scheduler, the default) or `airflow` (a managed
     * Airflow environment runs one generated DAG per job; it bills while idle).
     */
    readonly orchestrator: Orchestrator;
    readonly jobs: PipelineJobConfig[];
    readonly streams: StreamConfig[];
}
