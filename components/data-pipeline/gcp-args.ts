/**
 * Arguments of CloudRunPipelines and PubSubStreams, their validators, and the pure values the components
 * derive from valid arguments (job sizes, physical names). No SDK at runtime: the stack config runs these
 * validators before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PipelineJobSpec, StreamSpec } from "./contract";
import { CLOUD_RUN_CPU_MEMORY_MIB, CLOUD_RUN_CPUS } from "../container-service/gcp-cloud-run";
import { GCP_NAME_RULES, hyphenName, serviceAccountId, validateGcpRegion, validateNamePrefix } from "../naming/gcp";
import { cronProblem } from "../shared/cron";
import { isPinnedImage } from "../shared/images";
import type { ProblemDetail } from "../shared/problems";
import type { AlertSignal } from "../observability/gcp-conditions";
import { failedArrivalsSignal, failedRunsSignal } from "./gcp-run";
import { WORKLOAD_NAME } from "../shared/naming";

/** A prefix: folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`; or empty. */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*$/;
/** Environment variables the runner sets (the data-pipeline contract) or Cloud Run jobs set themselves. */
export const RESERVED_JOB_ENV = [
    "MLOPS_PIPELINE",
    "MLOPS_SOURCE_URI",
    "MLOPS_TARGET_URI",
    "MLOPS_TRIGGER",
    "MLOPS_IMAGE_DIGEST",
    "CLOUD_RUN_JOB",
    "CLOUD_RUN_EXECUTION",
    "CLOUD_RUN_TASK_INDEX",
    "CLOUD_RUN_TASK_ATTEMPT",
    "CLOUD_RUN_TASK_COUNT",
] as const;
/** Cloud Run jobs: a task runs at most 168 hours; a task is retried at most 10 times. */
export const MAX_TASK_TIMEOUT_MINUTES = 168 * 60;
export const MAX_TASK_RETRIES = 10;
/** Pub/Sub subscriptions keep unacknowledged messages 10 minutes to 7 days. */
export const MAX_STREAM_RETENTION_HOURS = 168;
/** Dead-letter topics and their inbox subscriptions keep messages 7 days (the subscription maximum). */
export const DEAD_LETTER_RETENTION_SECONDS = 7 * 86_400;

/** What every pipeline component of a stack shares. */
interface GcpPipelineCommonArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Region of the jobs, schedules, triggers and workflows: the lake buckets' region (Eventarc needs it). */
    readonly region: string;
    /** Prefix of project-unique names (jobs, accounts, topics); the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** The lake's bucket per zone (`raw` -> bucket name). */
    readonly zoneBuckets: Readonly<Record<string, pulumi.Input<string>>>;
    /** Cloud KMS key of topics, jobs, workflows and the job log bucket (its service agents must be able to use it). */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Protect and retain what holds data (dead-letter topics, streams); deletion protection on the jobs. Default: true. */
    readonly protectData?: boolean;
    /** Labels on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** A VPC network and one of its subnets. */
export interface GcpSubnetRef {
    /** The network's ID (`projects/<p>/global/networks/<name>`). */
    readonly networkId: pulumi.Input<string>;
    /** The subnet's ID (`projects/<p>/regions/<r>/subnetworks/<name>`). */
    readonly subnetId: pulumi.Input<string>;
}

export interface CloudRunPipelinesArgs extends GcpPipelineCommonArgs {
    /** The pipelines: one Cloud Run job each, with its own service accounts. */
    readonly jobs: PipelineJobSpec[];
    /** Cloud KMS key of the files bucket each job's `files` are uploaded to (the Cloud Storage agent must use it). */
    readonly filesKmsKeyName: pulumi.Input<string>;
    /** Bucket receiving the files buckets' access logs. Default: no access logs. */
    readonly accessLogBucket?: pulumi.Input<string>;
    /**
     * BigQuery dataset per zone: a pipeline whose target zone has one gets an external table over its
     * output (`<target>v=*.csv`, CSV with a header row). Default: {} (no tables).
     */
    readonly datasets?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Notification channels (`projects/<p>/notificationChannels/<id>`) the failed-run alerts go to. Default: []. */
    readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Build the component's own alert policy: one PromQL condition over failed runs and failed arrivals. `false`
     * leaves it to the caller, who combines `pipelineAlertSignals()` with other components' signals into one policy (Cloud
     * Monitoring bills each condition by the month). Default: true.
     */
    readonly alert?: boolean;
    /** Days the CMEK log bucket keeps the jobs' and workflows' logs. Default: 30. */
    readonly logRetentionDays?: number;
    /**
     * Run the jobs inside this network (Direct VPC egress, all traffic; the subnet needs Private Google
     * Access). Default: Cloud Run's own network.
     */
    readonly network?: GcpSubnetRef;
    /**
     * Start each job on its schedule with Cloud Scheduler. False when an Airflow environment (CloudComposer)
     * runs the schedules from DAGs instead; the arrival trigger stays either way. Default: true.
     */
    readonly nativeSchedule?: boolean;
}

export interface PubSubStreamsArgs extends GcpPipelineCommonArgs {
    /** The streams: a Pub/Sub topic each, delivered by a Cloud Storage subscription under its prefix of `raw`. */
    readonly streams: StreamSpec[];
}

function common(args: GcpPipelineCommonArgs, what: "jobs" | "streams", items: readonly { name: string }[]): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required", fix: "pass the project ID" });
    problems.push(...validateGcpRegion(args.region));
    problems.push(...validateNamePrefix(args.namePrefix));
    if (args.kmsKeyName === undefined)
        problems.push({ path: "kmsKeyName", value: undefined, message: "is required (topics, jobs and logs are CMEK-encrypted)" });
    if (!Array.isArray(items) || items.length === 0) problems.push({ path: what, value: items, message: "must list at least one" });
    (items ?? []).forEach((item, i) => {
        if (typeof item.name !== "string" || !WORKLOAD_NAME.test(item.name))
            problems.push({
                path: `${what}[${i}].name`,
                value: item.name,
                message: "must be 1-24 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
            });
        else if (items.findIndex((other) => other.name === item.name) !== i)
            problems.push({
                path: `${what}[${i}].name`,
                value: item.name,
                message: "is used by another entry",
                fix: "give each its own name",
            });
    });
    return problems;
}

function locationProblems(
    path: string,
    location: { zone: string; prefix: string } | undefined,
    zones: Readonly<Record<string, unknown>>,
): ProblemDetail[] {
    if (!location) return [{ path, value: location, message: "is required" }];
    const problems: ProblemDetail[] = [];
    if (!(location.zone in zones))
        problems.push({ path: `${path}.zone`, value: location.zone, message: "is not a zone of the lake", allowed: Object.keys(zones) });
    if (typeof location.prefix !== "string" || !PREFIX.test(location.prefix) || location.prefix.split("/").includes(".."))
        problems.push({
            path: `${path}.prefix`,
            value: location.prefix,
            message: "must be folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/` (or empty)",
            fix: "write e.g. `iris/`",
        });
    return problems;
}

/** The Cloud Run job size of a pipeline: its CPU rounded up to a size the second generation runs (1, 2, 4, 6 or 8 vCPU). */
export function jobCpu(cpuMillicores: number): number | undefined {
    return CLOUD_RUN_CPUS.find((cpu) => cpu * 1000 >= cpuMillicores);
}

/** Every problem with CloudRunPipelines arguments (paths relative to them). */
export function validateCloudRunPipelines(args: CloudRunPipelinesArgs): ProblemDetail[] {
    const problems = common(args, "jobs", args.jobs ?? []);
    const zones = args.zoneBuckets ?? {};
    if (args.filesKmsKeyName === undefined)
        problems.push({ path: "filesKmsKeyName", value: undefined, message: "is required (the job files bucket is CMEK-encrypted)" });
    const retention = args.logRetentionDays ?? 30;
    if (!Number.isInteger(retention) || retention < 1 || retention > 3650)
        problems.push({ path: "logRetentionDays", value: retention, message: "must be a whole number of days from 1 to 3650" });
    (args.jobs ?? []).forEach((job, i) => {
        const at = `jobs[${i}]`;
        if (typeof job.image !== "string" || !isPinnedImage(job.image))
            problems.push({
                path: `${at}.image`,
                value: job.image,
                message: "must be pinned to a version tag or digest",
                fix: "write e.g. `python:3.12.12-slim-bookworm`",
            });
        if (!Array.isArray(job.command) || job.command.length === 0)
            problems.push({
                path: `${at}.command`,
                value: job.command,
                message: "must name the program to run",
                fix: "write e.g. `[python, /app/etl.py]`",
            });
        problems.push(...locationProblems(`${at}.source`, job.source, zones), ...locationProblems(`${at}.target`, job.target, zones));
        if (job.source && job.target && job.source.zone === job.target.zone) {
            const [a, b] = [job.source.prefix, job.target.prefix];
            if (a.startsWith(b) || b.startsWith(a))
                problems.push({
                    path: `${at}.target`,
                    value: `${job.target.zone}/${job.target.prefix}`,
                    message: "overlaps the source: the job would read its own output (and on arrival start itself again)",
                });
        }
        if (job.schedule !== undefined) {
            const bad = cronProblem(job.schedule);
            if (bad)
                problems.push({ path: `${at}.schedule`, value: job.schedule, message: `is not a schedule Cloud Scheduler takes: ${bad}` });
        }
        if (job.schedule === undefined && !job.onArrival)
            problems.push({ path: at, value: job.name, message: "never runs: it has no schedule and onArrival is false" });
        const cpu = jobCpu(job.cpuMillicores);
        if (!Number.isInteger(job.cpuMillicores) || job.cpuMillicores < 1 || cpu === undefined)
            problems.push({
                path: `${at}.cpuMillicores`,
                value: job.cpuMillicores,
                message: `is more than Cloud Run jobs offer (at most ${Math.max(...CLOUD_RUN_CPUS) * 1000})`,
                allowed: CLOUD_RUN_CPUS.map((c) => c * 1000),
            });
        else {
            const range = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
            if (!Number.isInteger(job.memoryMiB) || job.memoryMiB < range.min || job.memoryMiB > range.max)
                problems.push({
                    path: `${at}.memoryMiB`,
                    value: job.memoryMiB,
                    message: `must be ${range.min} to ${range.max} MiB with ${cpu} vCPU (Cloud Run second generation)`,
                });
        }
        if (job.accelerator)
            problems.push({
                path: `${at}.accelerator`,
                value: job.accelerator,
                message: "is not offered by Cloud Run jobs in this project (the catalog lists no accelerator for cloud-run-jobs)",
                fix: "remove it, or train on Vertex AI (mlops:mlPlatform)",
            });
        if (!Number.isInteger(job.timeoutMinutes) || job.timeoutMinutes < 1 || job.timeoutMinutes > MAX_TASK_TIMEOUT_MINUTES)
            problems.push({
                path: `${at}.timeoutMinutes`,
                value: job.timeoutMinutes,
                message: `must be a whole number of minutes from 1 to ${MAX_TASK_TIMEOUT_MINUTES} (Cloud Run task timeout)`,
            });
        if (!Number.isInteger(job.retries) || job.retries < 0 || job.retries > MAX_TASK_RETRIES)
            problems.push({ path: `${at}.retries`, value: job.retries, message: `must be a whole number from 0 to ${MAX_TASK_RETRIES}` });
        for (const key of Object.keys(job.env ?? {})) {
            if ((RESERVED_JOB_ENV as readonly string[]).includes(key))
                problems.push({
                    path: `${at}.env.${key}`,
                    value: key,
                    message: "is set by the runner (data-pipeline contract or Cloud Run jobs)",
                    fix: "remove it",
                });
        }
    });
    return problems;
}

/** Every problem with PubSubStreams arguments (paths relative to them). */
export function validatePubSubStreams(args: PubSubStreamsArgs): ProblemDetail[] {
    const problems = common(args, "streams", args.streams ?? []);
    (args.streams ?? []).forEach((stream, i) => {
        const at = `streams[${i}]`;
        problems.push(...locationProblems(`${at}.target`, stream.target, args.zoneBuckets ?? {}));
        if (stream.target && stream.target.zone !== "raw")
            problems.push({
                path: `${at}.target.zone`,
                value: stream.target.zone,
                message: "must be raw: streams land events as they come",
            });
        if (!Number.isInteger(stream.retentionHours) || stream.retentionHours < 1 || stream.retentionHours > MAX_STREAM_RETENTION_HOURS)
            problems.push({
                path: `${at}.retentionHours`,
                value: stream.retentionHours,
                message: `must be a whole number of hours from 1 to ${MAX_STREAM_RETENTION_HOURS} (Pub/Sub subscription retention)`,
            });
    });
    return problems;
}

// ---- physical names (project-unique, built to fit)

/** Names of one pipeline's resources. */
export interface PipelineNames {
    /** Cloud Run job name (also the Cloud Monitoring `job_name`). */
    readonly job: string;
    /** The job's own service account ID. */
    readonly jobAccount: string;
    /** The account that starts runs: Cloud Scheduler's token, the Eventarc trigger and the workflow run as it. */
    readonly triggerAccount: string;
    readonly schedule: string;
    readonly workflow: string;
    readonly trigger: string;
    readonly deadLetterTopic: string;
    readonly deadLetterInbox: string;
}

export function pipelineNames(prefix: string, pipeline: string): PipelineNames {
    const name = (...parts: string[]) => hyphenName([prefix, ...parts], GCP_NAME_RULES.cloudRunService.max);
    return {
        job: name("pl", pipeline),
        jobAccount: serviceAccountId(prefix, "pl", pipeline),
        triggerAccount: serviceAccountId(prefix, "plt", pipeline),
        schedule: name("pl", pipeline, "schedule"),
        workflow: name("pl", pipeline, "arrival"),
        trigger: name("pl", pipeline, "arrival"),
        deadLetterTopic: name("pl", pipeline, "dlq"),
        deadLetterInbox: name("pl", pipeline, "dlq-inbox"),
    };
}

/** Names of one stream's resources. */
export interface StreamNames {
    readonly topic: string;
    readonly subscription: string;
    readonly deadLetterTopic: string;
    readonly deadLetterInbox: string;
}

export function streamNames(prefix: string, stream: string): StreamNames {
    const name = (...parts: string[]) => hyphenName([prefix, ...parts], GCP_NAME_RULES.cloudRunService.max);
    return {
        topic: name("stream", stream),
        subscription: name("stream", stream, "to-raw"),
        deadLetterTopic: name("stream", stream, "dlq"),
        deadLetterInbox: name("stream", stream, "dlq-inbox"),
    };
}

// ---- Cloud Composer (mlops:pipelines.orchestrator: airflow)

/**
 * The Composer image every environment runs: Cloud Composer 2 (its private IP environments take
 * `privateEnvironmentConfig`) with Airflow 2.11.1, the default Composer 2 image of the 2026-08-05 release
 * notes (cloud.google.com/composer/docs/release-notes; docs/gcp.md, "Airflow"). Pinned: an alias such as
 * `composer-2-airflow-2` would upgrade the environment whenever Pulumi replaces it.
 */
export const COMPOSER_IMAGE_VERSION = "composer-2.17.9-airflow-2.11.1";
/** Composer 2 image versions: `composer-2.<minor>.<patch>-airflow-<major>.<minor>.<patch>`, pinned (no alias). */
const COMPOSER_2_IMAGE = /^composer-2\.\d+\.\d+-airflow-2\.\d+\.\d+$/;
/** Environment sizes, smallest first (cloud.google.com/composer/docs/composer-2/optimize-environments). */
export const ComposerEnvironmentSize = {
    /** `ENVIRONMENT_SIZE_SMALL`. */
    Small: "ENVIRONMENT_SIZE_SMALL",
    /** `ENVIRONMENT_SIZE_MEDIUM`. */
    Medium: "ENVIRONMENT_SIZE_MEDIUM",
    /** `ENVIRONMENT_SIZE_LARGE`. */
    Large: "ENVIRONMENT_SIZE_LARGE",
} as const;
export type ComposerEnvironmentSize = (typeof ComposerEnvironmentSize)[keyof typeof ComposerEnvironmentSize];
/** The sizes as a list, smallest first. */
export const COMPOSER_ENVIRONMENT_SIZES: readonly ComposerEnvironmentSize[] = Object.values(ComposerEnvironmentSize);
/** Composer environment names: a letter, then lowercase letters, digits or hyphens, 64 at most, no trailing hyphen. */
const COMPOSER_NAME_MAX = 64;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** One pipeline as its DAG starts it: the Cloud Run job CloudRunPipelines defines for it. */
export interface ComposerPipeline {
    /** Pipeline name: the DAG id and the DAG file's name. */
    readonly name: string;
    /** 5-field cron in UTC; none for a DAG that only runs when triggered. */
    readonly schedule?: string;
    /** Minutes one Cloud Run task may run (the job's task timeout). */
    readonly timeoutMinutes: number;
    /** Times Cloud Run retries a failed task (the job's maxRetries); the DAG itself does not retry on top. */
    readonly retries: number;
    /** Shown in the Airflow UI, e.g. `raw/iris/ -> curated/iris/`. */
    readonly description: string;
}

export interface CloudComposerArgs {
    /** Project of the environment. */
    readonly project: string;
    /** Region of the environment: the pipelines' jobs' region. */
    readonly region: string;
    /** Prefix of project-unique names; the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /**
     * The pipelines, one DAG each, started by CloudRunExecuteJobOperator on the job CloudRunPipelines names
     * `pipelineNames(namePrefix, name).job`. Create the environment after that component (dependsOn): the
     * environment's account is granted run on exactly those jobs.
     */
    readonly pipelines: ComposerPipeline[];
    /**
     * Cloud KMS key of the environment (its database, bucket, disks and topics). Cannot be changed once the
     * environment exists. The Composer, Artifact Registry, GKE, Pub/Sub, Compute Engine and Cloud Storage
     * service agents must be able to use it (cloud.google.com/composer/docs/composer-2/configure-cmek-encryption).
     */
    readonly kmsKeyName: pulumi.Input<string>;
    /** The Composer image. Default: COMPOSER_IMAGE_VERSION. */
    readonly imageVersion?: string;
    /** Environment size (the infrastructure: database, Redis, web server). Default: "ENVIRONMENT_SIZE_SMALL". */
    readonly environmentSize?: ComposerEnvironmentSize;
    /** Most Airflow workers the environment scales out to (at least 1 always runs). Default: 1. */
    readonly maxWorkers?: number;
    /** The VPC network and subnet the environment's cluster runs in (the subnet needs Private Google Access). Default: the project's `default` network. */
    readonly network?: GcpSubnetRef;
    /**
     * A Private IP environment: the cluster's nodes and its control plane have no public endpoint. Needs
     * `network`. Default: true.
     */
    readonly privateEnvironment?: boolean;
    /**
     * IPv4 ranges allowed to reach the Airflow web server (it is served by Google, behind IAM sign-in).
     * Empty denies every address: the DAGs come from Pulumi, runs show in Cloud Logging. Default: [].
     */
    readonly webServerAllowedIpRanges?: string[];
    /** Protect and retain the environment (it holds the run history). Default: true. */
    readonly protectData?: boolean;
    /** Labels on the environment. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with CloudComposer arguments (paths relative to them). */
export function validateCloudComposer(args: CloudComposerArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required", fix: "pass the project ID" });
    problems.push(...validateGcpRegion(args.region));
    problems.push(...validateNamePrefix(args.namePrefix));
    if (args.kmsKeyName === undefined)
        problems.push({ path: "kmsKeyName", value: undefined, message: "is required (the environment is CMEK-encrypted)" });
    const image = args.imageVersion ?? COMPOSER_IMAGE_VERSION;
    if (typeof image !== "string" || !COMPOSER_2_IMAGE.test(image))
        problems.push({
            path: "imageVersion",
            value: image,
            message: "must be a pinned Cloud Composer 2 image (composer-2.x.y-airflow-2.x.y), not an alias",
            fix: `write e.g. \`${COMPOSER_IMAGE_VERSION}\``,
        });
    const size = args.environmentSize ?? "ENVIRONMENT_SIZE_SMALL";
    if (!(COMPOSER_ENVIRONMENT_SIZES as readonly string[]).includes(size))
        problems.push({
            path: "environmentSize",
            value: size,
            message: "is not a Composer 2 environment size",
            allowed: COMPOSER_ENVIRONMENT_SIZES,
        });
    const maxWorkers = args.maxWorkers ?? 1;
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > 100)
        problems.push({ path: "maxWorkers", value: maxWorkers, message: "must be a whole number from 1 to 100" });
    if ((args.privateEnvironment ?? true) && args.network === undefined)
        problems.push({
            path: "network",
            value: undefined,
            message: "is required for a Private IP environment (privateEnvironment defaults to true)",
            fix: "pass the platform network and subnet, or set privateEnvironment: false",
        });
    (args.webServerAllowedIpRanges ?? []).forEach((range, i) => {
        const m = IPV4_CIDR.exec(range);
        if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32 || range === "0.0.0.0/0")
            problems.push({
                path: `webServerAllowedIpRanges[${i}]`,
                value: range,
                message: "must be an IPv4 range in CIDR notation, narrower than 0.0.0.0/0",
                fix: "write your office's range, e.g. 203.0.113.0/24",
            });
    });
    const pipelines = args.pipelines ?? [];
    if (!Array.isArray(pipelines) || pipelines.length === 0)
        problems.push({
            path: "pipelines",
            value: pipelines,
            message: "must list at least one (an environment without DAGs bills for nothing)",
        });
    pipelines.forEach((p, i) => {
        const at = `pipelines[${i}]`;
        if (typeof p.name !== "string" || !WORKLOAD_NAME.test(p.name))
            problems.push({
                path: `${at}.name`,
                value: p.name,
                message: "must be 1-24 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
            });
        else if (pipelines.findIndex((other) => other.name === p.name) !== i)
            problems.push({ path: `${at}.name`, value: p.name, message: "is used by another pipeline", fix: "give each its own name" });
        if (p.schedule !== undefined) {
            const bad = cronProblem(p.schedule);
            if (bad) problems.push({ path: `${at}.schedule`, value: p.schedule, message: `is not a schedule Airflow takes: ${bad}` });
        }
        if (!Number.isInteger(p.timeoutMinutes) || p.timeoutMinutes < 1 || p.timeoutMinutes > MAX_TASK_TIMEOUT_MINUTES)
            problems.push({
                path: `${at}.timeoutMinutes`,
                value: p.timeoutMinutes,
                message: `must be a whole number of minutes from 1 to ${MAX_TASK_TIMEOUT_MINUTES} (Cloud Run task timeout)`,
            });
        if (!Number.isInteger(p.retries) || p.retries < 0 || p.retries > MAX_TASK_RETRIES)
            problems.push({ path: `${at}.retries`, value: p.retries, message: `must be a whole number from 0 to ${MAX_TASK_RETRIES}` });
    });
    const n = composerNames(args.namePrefix ?? "");
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(n.environment) || n.environment.length > COMPOSER_NAME_MAX)
        problems.push({
            path: "namePrefix",
            value: args.namePrefix,
            message: `gives the environment name ${n.environment}, which Composer refuses`,
        });
    return problems;
}

/** Names of the Composer environment's resources. */
export interface ComposerNames {
    /** The environment's name (also the start of its Cloud Storage bucket's name). */
    readonly environment: string;
    /** Its own service account ID. */
    readonly account: string;
}

export function composerNames(prefix: string): ComposerNames {
    return { environment: hyphenName([prefix, "airflow"], COMPOSER_NAME_MAX), account: serviceAccountId(prefix, "airflow") };
}

/**
 * What the pipelines' alert watches: failed runs of every job and failed arrivals of every on-arrival pipeline
 * (components/data-pipeline/gcp-run.ts). `CloudRunPipelines` alerts on them itself; with `alert: false` the caller
 * combines them with other components' signals into one policy (components/observability/gcp-signal-alert.ts).
 */
export function pipelineAlertSignals(namePrefix: string, jobs: readonly PipelineJobSpec[]): AlertSignal[] {
    if (jobs.length === 0) return [];
    const workflows = jobs.filter((j) => j.onArrival).map((j) => pipelineNames(namePrefix, j.name).workflow);
    return [
        failedRunsSignal(jobs.map((j) => pipelineNames(namePrefix, j.name).job)),
        ...(workflows.length > 0 ? [failedArrivalsSignal(workflows)] : []),
    ];
}
