/**
 * The training pipeline contract: per model, a versioned pipeline that trains on a curated dataset version,
 * evaluates against a gate, registers the version in the ML platform's model registry (pending a human
 * approval where `approval` is `manual`), started on a schedule and when a new dataset version is written;
 * and a drift monitor that compares captured inference inputs with the training baseline, publishes a
 * drift metric per feature and alerts (and optionally starts retraining). Implementations: aws (SageMaker
 * Pipelines), gcp (Vertex AI Pipelines), azure (Azure ML jobs and schedules), kubernetes (CronJobs and
 * MLflow). The stack builds these specs from `mlops:models[].training`; components never read config.
 *
 * What every runner hands the training job (samples/jobs/train.py reads exactly these):
 *   MLOPS_PIPELINE        the training pipeline's name (`<model>-train`)
 *   MLOPS_MODEL_NAME      the model's name
 *   MLOPS_SOURCE_URI      the curated dataset's prefix (s3://, gs://, https://account.blob.core.windows.net/...)
 *   MLOPS_DATASET_VERSION the dataset version to train on, when the trigger knows it (`v=<run id>`); else
 *                         the job takes the newest complete version
 *   MLOPS_TARGET_URI      the model's prefix in the models zone (`<models bucket>/<model>/`): the job writes
 *                           <target>v=<run id>/model.json, metrics.json, baseline.json and
 *                           <target>_runs/<run id>.json (the audit record linking model -> dataset -> code)
 *   MLOPS_GATE_METRIC     the metric that gates registration (`accuracy` or `f1Macro`)
 *   MLOPS_GATE_THRESHOLD  the gate's threshold: below it the run fails and no version is written
 *   MLOPS_TRIGGER         `schedule`, `new-data` or `drift`
 *   MLOPS_S3_ENDPOINT     only for S3-compatible stores other than AWS (MinIO)
 * and what every runner hands the drift job (samples/jobs/drift.py):
 *   MLOPS_PIPELINE        `<model>-drift`;  MLOPS_MODEL_NAME as above
 *   MLOPS_SOURCE_URI      the prefix where the serving side's captured inputs land (`capture` below)
 *   MLOPS_TARGET_URI      the model's prefix (reads the served version's baseline.json, writes _drift/<run id>.json)
 *   MLOPS_MODEL_VERSION   the served version (`servedVersion`), whose baseline is compared; else the newest
 *   MLOPS_PSI_THRESHOLD, MLOPS_KS_ALPHA  the drift rule (a feature drifts when PSI > threshold AND KS p < alpha)
 * The drift job prints one JSON line per feature on stdout,
 *   {"mlops":"drift","model":"iris","feature":"petal_length_cm","psi":0.41,"ksP":0.0003,"drifted":true}
 * and one summary line {"mlops":"drift-summary","model":"iris","driftedFeatures":1,"features":4}: each cloud
 * turns these log lines into metrics (log metric filter, log-based metric, log query) and alerts on them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorRequest } from "../accelerators/names";
import type { LakeLocation } from "../data-pipeline/contract";

/** Metrics a training run can be gated on (train.py computes both on the held-out rows). */
export const GateMetric = {
    /** Share of held-out rows predicted right. */
    Accuracy: "accuracy",
    /** F1 score averaged over the classes (macro). */
    F1Macro: "f1Macro",
} as const;
export type GateMetric = (typeof GateMetric)[keyof typeof GateMetric];
export const GATE_METRICS: readonly GateMetric[] = Object.values(GateMetric);

/** Who moves a registered version to approved: a person (prod) or the pipeline itself when it passes its gate. */
export const Approval = {
    /** Versions are registered pending approval; a person with the approver role approves them. */
    Manual: "manual",
    /** A version that passed its gate is registered approved. */
    Automatic: "automatic",
} as const;
export type Approval = (typeof Approval)[keyof typeof Approval];
export const APPROVALS: readonly Approval[] = Object.values(Approval);

/** What the cloud's AutoML predicts. */
export const AutoMlProblemType = {
    /** A class (the target column's values). */
    Classification: "classification",
    /** A number. */
    Regression: "regression",
} as const;
export type AutoMlProblemType = (typeof AutoMlProblemType)[keyof typeof AutoMlProblemType];
export const AUTOML_PROBLEM_TYPES: readonly AutoMlProblemType[] = Object.values(AutoMlProblemType);

/** How a model is trained. */
export const TrainingMode = {
    /** The model's own training image and command. */
    Custom: "custom",
    /** The cloud's AutoML. */
    Automl: "automl",
} as const;
export type TrainingMode = (typeof TrainingMode)[keyof typeof TrainingMode];

/** The cloud's AutoML trains the model instead of the model's own training code. */
export interface AutoMlSpec {
    /** The dataset column to predict, e.g. `species`. */
    readonly targetColumn: string;
    /** `classification` or `regression`. */
    readonly problemType: AutoMlProblemType;
    /** Most time the AutoML job may take, in minutes (its budget). */
    readonly maxRuntimeMinutes: number;
}

/** The drift monitor of the served model. */
export interface DriftSpec {
    /** When it runs, 5-field cron in UTC. */
    readonly schedule: string;
    /** Command of the drift job in the training image, e.g. `["python", "/app/drift.py"]`. */
    readonly command: string[];
    /** Where the serving side's captured inputs land: the model's `_capture/` prefix in the models zone. */
    readonly capture: LakeLocation;
    /** A feature drifts when its PSI is above this... */
    readonly psiThreshold: number;
    /** ...and the two-sample KS test's p-value is below this. */
    readonly ksAlpha: number;
    /** Start the training pipeline (trigger `drift`) when drift is found. */
    readonly retrain: boolean;
}

export interface TrainingSpec {
    /** The model's name (`mlops:models[].name`): the registry entry (package group, Vertex model, Azure ML model, MLflow model). */
    readonly model: string;
    /** `custom`: the model's own training image and command; `automl`: the cloud's AutoML. */
    readonly mode: TrainingMode;
    /** Training image, pinned. Runs the training command (custom) and the drift job (both modes). */
    readonly image: string;
    /** Training command, e.g. `["python", "/app/train.py"]` (custom mode). */
    readonly command: string[];
    /** Arguments to the training command. */
    readonly args: string[];
    /** Plain environment variables (never secrets). */
    readonly env: Readonly<Record<string, string>>;
    /** Small files mounted read-only at `/app` (file name -> content): the training and drift code. */
    readonly files?: Readonly<Record<string, string>>;
    /** The curated dataset it trains on: read-only access to this prefix. */
    readonly dataset: LakeLocation;
    /** The data pipeline (`mlops:pipelines.jobs[].name`) whose target is the dataset, when the stack has one: its completion starts retraining. */
    readonly datasetPipeline?: string;
    /** Where model versions are written: `{ zone: <models zone>, prefix: "<model>/" }`; write access to this prefix only. */
    readonly output: LakeLocation;
    /** Retraining schedule, 5-field cron in UTC. Default: none. */
    readonly schedule?: string;
    /** Retrain when a new dataset version is complete (its `_manifest.json` is written). */
    readonly onNewData: boolean;
    /** The gate: the version is registered only when this metric on the held-out rows reaches the threshold. */
    readonly metric: GateMetric;
    /** Between 0 and 1. */
    readonly threshold: number;
    /** `manual` registers versions as pending approval (always in prod); `automatic` approves a version that passed the gate. */
    readonly approval: Approval;
    /** CPU of the training job in millicores (1000 = one vCPU). */
    readonly cpuMillicores: number;
    /** Memory of the training job in MiB. */
    readonly memoryMiB: number;
    /** Most minutes a training run may take before it is stopped. */
    readonly timeoutMinutes: number;
    /** Accelerator per training node (the stack's `mlops:mlPlatform.training.accelerator`). Default: CPU only. */
    readonly accelerator?: AcceleratorRequest;
    /** Spot / preemptible / low-priority capacity (the stack's `mlops:mlPlatform.training.spot`). */
    readonly spot: boolean;
    /** Set when `mode` is `automl`. */
    readonly automl?: AutoMlSpec;
    /** The drift monitor. Default: none. */
    readonly drift?: DriftSpec;
    /** The version serving runs (`mlops:models[].servedVersion`, written by the promotion pull request). Default: none yet. */
    readonly servedVersion?: string;
}

/** Where an approved version is delivered: a GitHub repository whose promotion workflow opens the pull request. */
export interface DeliverySpec {
    /** `owner/name` of the repository holding this program and its stack files. */
    readonly repository: string;
    /** The workflow file the registry's approval event dispatches (`promote.yml`). */
    readonly workflow: string;
    /** The branch the pull request targets. */
    readonly branch: string;
    /** The stack whose config the pull request changes (this stack). */
    readonly stack: string;
    /** A GitHub token allowed to dispatch the workflow (fine-grained: Actions read/write on the repository), a Pulumi secret. */
    readonly token: pulumi.Input<string>;
}

export interface TrainingPipelinesArgs {
    /** One training pipeline per model (and its drift monitor when `drift` is set). */
    readonly trainings: TrainingSpec[];
    /** Where approvals are delivered; without it, promotion is the documented manual dispatch of the workflow. Default: none. */
    readonly delivery?: DeliverySpec;
    /** Protect and retain what holds data. Default: true. */
    readonly protectData?: boolean;
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Outputs every training pipeline implementation exposes. */
export interface TrainingPipelines {
    /** The runner's name of each model's training pipeline (SageMaker pipeline, Vertex schedule, Azure ML schedule, CronJob), by model. */
    readonly pipelineNames: pulumi.Output<Record<string, string>>;
    /** The drift job of each monitored model, by model. */
    readonly driftJobNames: pulumi.Output<Record<string, string>>;
}

/** The pipeline name of a model's training (`<model>-train`) and drift (`<model>-drift`) jobs. */
export const trainingPipelineName = (model: string): string => `${model}-train`;
export const driftJobName = (model: string): string => `${model}-drift`;
