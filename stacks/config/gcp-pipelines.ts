/**
 * The pure half of a GCP stack's data pipelines (`mlops:pipelines`, implementation `cloud-run-jobs`): the
 * arguments of the pipeline key, CloudRunPipelines and PubSubStreams, derived from the config (the build in
 * stacks/clouds/gcp.ts passes exactly these), and checkGcpPipelines, which runs their validators on those
 * arguments before anything exists, reporting each problem at the `mlops:pipelines...` key the user wrote.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ProblemDetail, atKeys, isPinnedImage } from "@mlops/components";
import {
    CloudComposerArgs,
    CloudRunPipelinesArgs,
    PubSubStreamsArgs,
    validateCloudComposer,
    validateCloudRunPipelines,
    validatePubSubStreams,
} from "@mlops/components/gcp-args";
import { GcpEncryptionArgs, validateGcpEncryption, validateGcpEncryptionName } from "@mlops/components/gcp-args";
import { validateGcpRegion } from "@mlops/components/gcp-args";
import { GcpStackInputs, gcpStackInputs } from "./gcp";
import type { StackConfig } from "./schema";
import { pipelineJobSpecs, streamSpecs } from "./pipelines";

type Ref = pulumi.Input<string>;

/** Logical names of the pipeline components (their URNs start with them: never rename one). */
export const GCP_PIPELINE_COMPONENTS = { keys: "pipeline-keys", pipelines: "pipelines", streams: "streams", airflow: "airflow" } as const;

/** The purpose (key name) of the pipelines' CMEK key. */
export const PIPELINE_KEY = "pipelines";
/** The purpose of the Airflow environment's key (on the pipelines' ring; only with `orchestrator: airflow`). */
export const AIRFLOW_KEY = "airflow";
/**
 * The service agents a Cloud Composer 2 environment's key must serve
 * (cloud.google.com/composer/docs/composer-2/configure-cmek-encryption): Composer, Artifact Registry, GKE,
 * Pub/Sub, Compute Engine and Cloud Storage.
 */
export const AIRFLOW_KEY_AGENTS = ["composer", "artifactregistry", "container", "pubsub", "compute", "storage"] as const;

/** Whether the stack runs its pipelines' schedules from Airflow DAGs (Cloud Composer). */
export const usesAirflow = (cfg: StackConfig): boolean => cfg.pipelines.orchestrator === "airflow" && cfg.pipelines.jobs.length > 0;

/** The APIs the Composer environment needs besides the pipelines' own (none without Airflow). */
export function airflowApis(cfg: StackConfig): string[] {
    return usesAirflow(cfg)
        ? ["composer.googleapis.com", "container.googleapis.com", "compute.googleapis.com", "artifactregistry.googleapis.com"]
        : [];
}

/**
 * The pipelines' own key ring and key, with the service agents that use it: Cloud Run (jobs), Cloud Logging
 * (the log bucket), Workflows, Eventarc and Pub/Sub (arrival triggers, dead-letter topics, streams). A key
 * ring of its own, so the stack's other keys (and what waits for them) stay exactly as they are. None
 * without pipelines or streams.
 */
export function pipelineKeyArgs(s: GcpStackInputs): GcpEncryptionArgs | undefined {
    const { jobs, streams } = s.cfg.pipelines;
    if (jobs.length === 0 && streams.length === 0) return undefined;
    const arrival = jobs.some((j) => j.onArrival);
    const agents = [
        ...(jobs.length > 0 ? ["run", "logging"] : []),
        ...(arrival ? ["eventarc", "workflows"] : []),
        ...(arrival || streams.length > 0 ? ["pubsub"] : []),
    ];
    return {
        project: s.project,
        location: s.region,
        keys: { [PIPELINE_KEY]: agents, ...(usesAirflow(s.cfg) ? { [AIRFLOW_KEY]: [...AIRFLOW_KEY_AGENTS] } : {}) },
        rotationDays: s.gcp.dataLake.keyRotationDays,
        tags: s.tags,
    };
}

/** The APIs the pipeline components wait for (all enabled by gcpApis when the stack has pipelines). */
export function pipelineApiDeps(cfg: StackConfig): string[] {
    const { jobs, streams } = cfg.pipelines;
    return [
        "cloudresourcemanager.googleapis.com",
        "iam.googleapis.com",
        "storage.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        ...(jobs.length > 0 ? ["run.googleapis.com"] : []),
        ...(jobs.some((j) => j.schedule !== undefined) ? ["cloudscheduler.googleapis.com"] : []),
        ...(jobs.some((j) => j.onArrival)
            ? ["eventarc.googleapis.com", "workflows.googleapis.com", "workflowexecutions.googleapis.com"]
            : []),
        ...(jobs.some((j) => j.onArrival) || streams.length > 0 ? ["pubsub.googleapis.com"] : []),
        ...(jobs.length > 0 && cfg.dataLake.queryEngine ? ["bigquery.googleapis.com"] : []),
    ];
}

export interface PipelineRefs {
    readonly zoneBuckets: Readonly<Record<string, Ref>>;
    /** The pipelines key (pipeline-keys) and the lake key (files buckets). */
    readonly pipelineKey: Ref;
    readonly lakeKey: Ref;
    readonly accessLogBucket?: Ref;
    /** BigQuery dataset per zone, with the lake's query engine. */
    readonly datasets?: Readonly<Record<string, Ref>>;
    /** The platform network (prod runs the jobs in it). */
    readonly network?: { readonly networkId: Ref; readonly subnetId: Ref };
}

export function pipelinesArgs(s: GcpStackInputs, refs: PipelineRefs): CloudRunPipelinesArgs | undefined {
    if (s.cfg.pipelines.jobs.length === 0) return undefined;
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        jobs: pipelineJobSpecs(s.cfg),
        zoneBuckets: refs.zoneBuckets,
        kmsKeyName: refs.pipelineKey,
        filesKmsKeyName: refs.lakeKey,
        accessLogBucket: refs.accessLogBucket,
        datasets: s.cfg.dataLake.queryEngine ? refs.datasets : undefined,
        // The stack folds the alert into its one policy for pipelines and models (stacks/clouds/gcp.ts).
        alert: false,
        logRetentionDays: s.gcp.dataLake.serviceLogRetentionDays,
        // Private networking in prod, where the platform network exists (docs/security-baseline.md).
        network: s.cfg.environment === "prod" ? refs.network : undefined,
        protectData: s.cfg.protectData,
        tags: s.tags,
        // With Airflow the DAGs run the schedules; Cloud Scheduler is not created (the arrival trigger stays).
        ...(usesAirflow(s.cfg) ? { nativeSchedule: false } : {}),
    };
}

/**
 * The Cloud Composer environment of `orchestrator: airflow`: one DAG per pipeline, the stack's own Airflow
 * key, the platform network when the stack has one, a Private IP environment in prod. None otherwise.
 */
export function composerArgs(
    s: GcpStackInputs,
    refs: { airflowKey: Ref; network?: { readonly networkId: Ref; readonly subnetId: Ref } },
): CloudComposerArgs | undefined {
    if (!usesAirflow(s.cfg)) return undefined;
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        pipelines: s.cfg.pipelines.jobs.map((j) => ({
            name: j.name,
            schedule: j.schedule,
            timeoutMinutes: j.timeoutMinutes,
            retries: j.retries,
            description: `${j.source.zone}/${j.source.prefix} -> ${j.target.zone}/${j.target.prefix}`,
        })),
        kmsKeyName: refs.airflowKey,
        network: refs.network,
        // Private IP in prod (docs/security-baseline.md); dev keeps public node IPs (no peering ranges to plan).
        privateEnvironment: s.cfg.environment === "prod",
        protectData: s.cfg.protectData,
        tags: s.tags,
    };
}

export function streamsArgs(s: GcpStackInputs, refs: Pick<PipelineRefs, "zoneBuckets" | "pipelineKey">): PubSubStreamsArgs | undefined {
    if (s.cfg.pipelines.streams.length === 0) return undefined;
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        streams: streamSpecs(s.cfg),
        zoneBuckets: refs.zoneBuckets,
        kmsKeyName: refs.pipelineKey,
        protectData: s.cfg.protectData,
        tags: s.tags,
    };
}

/** Stands in for resource outputs the config cannot know. */
const PLACEHOLDER = "(known once deployed)";
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * What the shared parser (stacks/config/pipelines.ts and parse.ts) already reported: names, images,
 * commands, locations, schedules and accelerators of each entry. The component validators check them too;
 * here they are left to the parser, so each problem is listed once.
 */
const PARSER_OWNS = /^(jobs|streams)\[\d+\](\.(name|image|command|source|target|schedule|accelerator)(\.|$)|$)/;

/**
 * Every problem the GCP pipeline validators find in the arguments the build will pass, at the key the user
 * wrote (`mlops:pipelines.jobs[0].memoryMiB`). Never throws; project, region and the name prefix are
 * checked (and reported) by checkGcpStack.
 */
export function checkGcpPipelines(config: StackConfig): ProblemDetail[] {
    const gcp = config.gcp;
    if (!gcp || (config.pipelines.jobs.length === 0 && config.pipelines.streams.length === 0)) return [];
    const region = gcp.region !== undefined && validateGcpRegion(gcp.region).length === 0 ? gcp.region : "us-central1";
    const project = gcp.project !== undefined && PROJECT_ID.test(gcp.project) ? gcp.project : "placeholder-project";
    const s = gcpStackInputs({ ...config, gcp: { ...gcp, region, project } });
    const ns = `${config.project}:`;
    const keys = { jobs: `${ns}pipelines.jobs`, streams: `${ns}pipelines.streams` };
    const at = `${ns}pipelines`;
    const zoneBuckets = Object.fromEntries(config.dataLake.zones.map((z) => [z, PLACEHOLDER]));
    const refs = { zoneBuckets, pipelineKey: PLACEHOLDER, lakeKey: PLACEHOLDER };
    const own = (problems: ProblemDetail[]) => problems.filter((p) => /^(jobs|streams)\[/.test(p.path) && !PARSER_OWNS.test(p.path));

    const problems: ProblemDetail[] = [];
    const keyArgs = pipelineKeyArgs(s);
    if (keyArgs)
        problems.push(
            ...atKeys(
                [...validateGcpEncryption(keyArgs), ...validateGcpEncryptionName(GCP_PIPELINE_COMPONENTS.keys)].filter(
                    (p) => !/^(project|location|rotationDays)$/.test(p.path),
                ),
                {},
                at,
            ),
        );
    const jobs = pipelinesArgs(s, refs);
    if (jobs) {
        // An unpinned image was reported by the parser; a stand-in keeps the validator from saying it again.
        const specs = jobs.jobs.map((j) => ({ ...j, image: isPinnedImage(j.image) ? j.image : "registry.invalid/placeholder:1" }));
        problems.push(...atKeys(own(validateCloudRunPipelines({ ...jobs, jobs: specs })), keys, at));
    }
    const streams = streamsArgs(s, refs);
    if (streams) problems.push(...atKeys(own(validatePubSubStreams(streams)), keys, at));
    // The platform network exists with Workbench (stacks/config/gcp.ts networkArgs); the network is a placeholder here.
    const network = s.gcp.mlPlatform.workbench ? { networkId: PLACEHOLDER, subnetId: PLACEHOLDER } : undefined;
    const airflow = composerArgs(s, { airflowKey: PLACEHOLDER, network });
    if (airflow) {
        // Names, schedules, timeouts and retries of the pipelines are the jobs' own: reported once, above.
        const composerProblems = validateCloudComposer(airflow)
            .filter((p) => !/^(project|region|namePrefix|pipelines\[)/.test(p.path))
            .map((p) =>
                p.path === "network"
                    ? {
                          ...p,
                          message: "needs the platform network in prod (the Composer environment is a Private IP environment)",
                          fix: "turn on mlops:mlPlatform.gcp.workbench, which creates the platform network, or keep the native orchestrator",
                      }
                    : p,
            );
        problems.push(...atKeys(composerProblems, { network: `${ns}pipelines.orchestrator` }, `${ns}pipelines.orchestrator`));
    }
    return problems;
}
