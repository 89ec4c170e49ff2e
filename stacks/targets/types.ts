/**
 * What a deployment target (a cloud, or any Kubernetes cluster) declares to plug into the program: its
 * config section, whole-stack checks, implementations with their defaults, and how its stack is built.
 * One file per target in this folder, registered by one line in ./index.ts (docs/extending.md).
 */
import type { ProblemDetail, Service } from "@mlops/components";
import type { CloudSections } from "../config/cloud-sections";
import type { Reader } from "../config/fields";
import type { Pillar, StackConfig, StackOutputs } from "../config/schema";

export interface Target {
    /** The `mlops:cloud` value that selects this target, e.g. `aws`. */
    readonly cloud: string;
    /**
     * Implementations of each pillar this target offers, the first one the default, each mapped to the
     * accelerator catalog service its compute runs on (what `models[].accelerator` is checked against).
     */
    readonly implementations: Readonly<Record<Pillar, Readonly<Record<string, Service>>>>;
    /**
     * Whether the stack creates alerts (error rate, latency, failed jobs), delivered to
     * `mlops:notifications`: required in prod when true, refused when false.
     */
    readonly createsAlerts: boolean;
    /**
     * Parses this target's own settings: the `<cloud>` sub-object of each section and model
     * (`mlops:mlPlatform.aws`, `mlops:models[0].aws`) and its provider config (`aws:region`). The result
     * is `StackConfig[cloud]`. Omitted when the target has no such settings.
     */
    readonly parseOptions?: (sections: CloudSections, read: Reader) => unknown;
    /** Provider config namespace handed to `parseOptions` (`aws:`, `gcp:`, `azure-native:`). */
    readonly providerNamespace?: string;
    /**
     * Checks that need the whole parsed config, including every component validator run on the args the
     * build will pass, with problems at the keys the user wrote. Pure: no SDK, never throws.
     */
    readonly checkStack?: (config: StackConfig) => ProblemDetail[];
    /**
     * Cross-cloud keys (paths under `mlops:`, e.g. `dataLake.abortIncompleteUploadDays`) that have no
     * effect on this target, with the reason: set there, they are refused instead of silently ignored.
     */
    readonly keysWithoutEffect?: Readonly<Record<string, string>>;
    /**
     * Cross-cloud keys only this target reads (paths under `mlops:`, e.g. `containerService.distribution`):
     * set on another target's stack, they are refused instead of silently ignored.
     */
    readonly ownKeys?: readonly string[];
    /** What the target's data pipelines can do (`mlops:pipelines`), checked before anything is built. */
    readonly pipelines: PipelineAbilities;
    /** What the target's training pipelines can do (`mlops:models[].training`), checked before anything is built. */
    readonly training: TrainingAbilities;
    /** Builds the stack. Loads the target's SDK modules lazily, so a stack loads only its own. */
    readonly build: (config: StackConfig) => Promise<StackOutputs>;
}

export interface PipelineAbilities {
    /** Whether a run can start when objects arrive under the source prefix (`onArrival: true`). */
    readonly onArrival: boolean;
    /** Whether the target offers streaming ingestion into `raw` (`mlops:pipelines.streams`). */
    readonly streams: boolean;
    /** Implementations that run the job's script from `files` on their own runtime, not its image (AWS Glue). */
    readonly scriptRunners?: readonly string[];
    /**
     * Where `orchestrator: airflow` runs (e.g. "Amazon MWAA"), or why the target offers no Airflow: the
     * message the config error gives.
     */
    readonly airflow: { readonly offered: true; readonly service: string } | { readonly offered: false; readonly why: string };
    /** Why the target's scheduler cannot take a (valid 5-field) cron expression, if it cannot. */
    readonly scheduleProblem?: (cron: string) => string | undefined;
}

export interface TrainingAbilities {
    /** The cloud's AutoML service (`mode: automl`), or why the target has none: the message the config error gives. */
    readonly automl: { readonly offered: true; readonly service: string } | { readonly offered: false; readonly why: string };
}
