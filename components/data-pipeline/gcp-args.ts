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

/** Pipeline and stream names (the contract's rule). */
const NAME = /^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/;
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
    /** Protect and retain what holds data (dead-letter topics, streams); deletion protection on the jobs. @default true */
    readonly protectData?: boolean;
    /** Labels on every resource. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

export interface CloudRunPipelinesArgs extends GcpPipelineCommonArgs {
    /** The pipelines: one Cloud Run job each, with its own service accounts. */
    readonly jobs: readonly PipelineJobSpec[];
    /** Cloud KMS key of the files bucket each job's `files` are uploaded to (the Cloud Storage agent must use it). */
    readonly filesKmsKeyName: pulumi.Input<string>;
    /** Bucket receiving the files buckets' access logs. @default - no access logs */
    readonly accessLogBucket?: pulumi.Input<string>;
    /**
     * BigQuery dataset per zone: a pipeline whose target zone has one gets an external table over its
     * output (`<target>v=*.csv`, CSV with a header row). @default {} (no tables)
     */
    readonly datasets?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Notification channels (`projects/<p>/notificationChannels/<id>`) the failed-run alerts go to. @default [] */
    readonly notificationChannels?: pulumi.Input<readonly pulumi.Input<string>[]>;
    /** Days the CMEK log bucket keeps the jobs' and workflows' logs. @default 30 */
    readonly logRetentionDays?: number;
    /**
     * Run the jobs inside this network (Direct VPC egress, all traffic; the subnet needs Private Google
     * Access). @default - Cloud Run's own network
     */
    readonly network?: { readonly networkId: pulumi.Input<string>; readonly subnetId: pulumi.Input<string> };
}

export interface PubSubStreamsArgs extends GcpPipelineCommonArgs {
    /** The streams: a Pub/Sub topic each, delivered by a Cloud Storage subscription under its prefix of `raw`. */
    readonly streams: readonly StreamSpec[];
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
        if (typeof item.name !== "string" || !NAME.test(item.name))
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
