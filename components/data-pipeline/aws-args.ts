/**
 * Arguments of the AWS data pipeline components (EcsFargatePipelines, GluePipelines, FirehoseStreams) and
 * their validators, with the AWS limits they are checked against. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { gzipSync } from "zlib";
import { FARGATE_SIZES, smallestSize } from "../container-service/aws-images";
import { NAME_PREFIX } from "../naming/aws";
import { validateLogRetention } from "../observability/aws-args";
import { cronProblem, eventBridgeCronProblem } from "../shared/cron";
import type { ProblemDetail } from "../shared/problems";
import type { DataPipelinesArgs, LakeLocation, PipelineJobSpec, StreamSpec } from "./contract";
import { WORKLOAD_NAME } from "../shared/naming";

/** A prefix inside a zone: `""` or folders each ending in `/`. */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*$/;
/** A job's files together, gzipped and base64-encoded: what fits in a task definition (the container service's limit). */
export const PIPELINE_FILES_LIMIT_BYTES = 48 * 1024;
/** EventBridge (rule targets and Scheduler) retries a failed start at most 185 times. */
export const MAX_EVENT_RETRIES = 185;
/** Glue jobs retry a failed run at most 10 times (Glue `MaxRetries`). */
export const MAX_GLUE_RETRIES = 10;
/** Memory of a Glue Python shell job: 1/16 DPU (1 GB) or 1 DPU (16 GB). */
export const GLUE_PYTHON_SHELL_MAX_MIB = 16384;
/** Firehose Direct PUT keeps data it could not deliver for 24 hours (not configurable). */
export const FIREHOSE_RETENTION_HOURS = 24;

interface AwsPipelinesBaseArgs extends DataPipelinesArgs {
    /** Prefix of every physical name, e.g. `mlops-aws-dev` (namePrefix in components/naming/aws.ts). */
    readonly namePrefix: string;
    /** The lake's zones (the jobs' sources and targets must be among them). */
    readonly zones: string[];
    /** The lake's bucket of each zone, by zone name. */
    readonly bucketNames: pulumi.Input<Record<string, string>>;
    /** The platform key: logs, queues, schedules and everything the jobs write are encrypted with it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The stack's SNS alert topic: failed runs are published there. */
    readonly alertTopicArn: pulumi.Input<string>;
    /** Days job logs are kept (a CloudWatch retention). Default: 365. */
    readonly logRetentionDays?: number;
    /** Days an event that could not start a run is kept in its dead-letter queue (1-14). Default: 14. */
    readonly deadLetterRetentionDays?: number;
    /**
     * What starts the scheduled runs: `native` (EventBridge Scheduler or a Glue SCHEDULED trigger) or
     * `airflow` (a MwaaAirflow environment runs one DAG per job; no native schedule is created, the
     * on-arrival trigger stays). Default: "native".
     */
    readonly orchestrator?: PipelineOrchestrator;
}

/** What starts a pipeline's scheduled runs (`mlops:pipelines.orchestrator`). */
export const PipelineOrchestrator = {
    /** The cloud's own scheduler (EventBridge Scheduler or a Glue SCHEDULED trigger). */
    Native: "native",
    /** An Airflow environment (MwaaAirflow) runs one DAG per job. */
    Airflow: "airflow",
} as const;
export type PipelineOrchestrator = (typeof PipelineOrchestrator)[keyof typeof PipelineOrchestrator];

export interface EcsFargatePipelinesArgs extends AwsPipelinesBaseArgs {
    /** The platform VPC (the tasks' security group lives there). */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the tasks run in (no public IP). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The account's ECR host (`<account>.dkr.ecr.<region>.amazonaws.com`), for the pull-through cache. */
    readonly registryHost: pulumi.Input<string>;
    /** Pull-through cache prefix for ECR Public images. Default: images are pulled as written. */
    readonly cachePrefix?: string;
    /** Repositories the execution role may pull from (the stack's registry and its cache). */
    readonly pullRepositoryArns: pulumi.Input<pulumi.Input<string>[]>;
}

export interface GluePipelinesArgs extends AwsPipelinesBaseArgs {
    /** The Glue catalog database of each zone (the lake's query engine creates them), by zone name. */
    readonly catalogDatabases: Readonly<Record<string, string>>;
    /** The lake's access-log bucket: the scripts bucket logs there. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** Empty the scripts bucket when it is deleted (dev only; refused with protectData). Default: false. */
    readonly forceDestroy?: boolean;
}

export interface FirehoseStreamsArgs {
    /** The streams: one Firehose Direct PUT delivery stream each, writing to its zone and prefix. */
    readonly streams: StreamSpec[];
    /** Prefix of every physical name. */
    readonly namePrefix: string;
    /** The lake's zones (a stream's zone must be one of them). */
    readonly zones: string[];
    /** Bucket name per zone (S3DataLake.bucketNames). */
    readonly bucketNames: pulumi.Input<Record<string, string>>;
    /** KMS key the delivered objects and the delivery logs are encrypted with. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Days delivery-error logs are kept. Default: 365. */
    readonly logRetentionDays?: number;
    /** Seconds Firehose buffers before writing an object (60-900). Default: 300. */
    readonly bufferingIntervalSeconds?: number;
    /** Protect the delivery streams and their logs. Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The file a Glue Python shell job runs: the `/app/<file>` its command names. */
export function glueScriptFile(job: PipelineJobSpec): string | undefined {
    const app = [...job.command, ...(job.args ?? [])].find((w) => w.startsWith("/app/"));
    return app?.slice("/app/".length);
}

/** Glue Python shell capacity (DPU) for a job's memory: 0.0625 (1 GB) or 1 (16 GB). */
export function gluePythonShellCapacity(memoryMiB: number): number {
    return memoryMiB <= 1024 ? 0.0625 : 1;
}

/** Total size of a job's files as the task carries them (gzip, then base64). */
export function encodedBytes(files: Readonly<Record<string, string>>): number {
    return Object.values(files).reduce((n, c) => n + Math.ceil(gzipSync(Buffer.from(c, "utf8"), { level: 9 }).length / 3) * 4, 0);
}

function locationProblems(path: string, l: LakeLocation, zones: readonly string[]): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!zones.includes(l.zone))
        problems.push({ path, value: `${l.zone}/${l.prefix}`, message: "names a zone the lake does not have", allowed: zones });
    if (!PREFIX.test(l.prefix) || l.prefix.split("/").some((s) => s === "." || s === ".."))
        problems.push({ path, value: `${l.zone}/${l.prefix}`, message: "has a prefix that is not folders each ending in `/`" });
    return problems;
}

function baseProblems(args: AwsPipelinesBaseArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({
            path: "namePrefix",
            value: args.namePrefix,
            message: "must be 1-40 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
        });
    const dlq = args.deadLetterRetentionDays ?? 14;
    if (!Number.isInteger(dlq) || dlq < 1 || dlq > 14)
        problems.push({ path: "deadLetterRetentionDays", value: dlq, message: "must be 1-14 days (SQS keeps messages at most 14 days)" });
    args.jobs.forEach((job, i) => {
        const at = `jobs[${i}]`;
        if (!WORKLOAD_NAME.test(job.name))
            problems.push({
                path: `${at}.name`,
                value: job.name,
                message: "must be 1-24 lowercase letters, digits or hyphens, starting with a letter",
            });
        if (args.jobs.findIndex((j) => j.name === job.name) !== i)
            problems.push({ path: `${at}.name`, value: job.name, message: "is used by another pipeline" });
        problems.push(...locationProblems(`${at}.source`, job.source, args.zones));
        problems.push(...locationProblems(`${at}.target`, job.target, args.zones));
        if (job.command.length === 0) problems.push({ path: `${at}.command`, value: job.command, message: "must name what the job runs" });
        if (job.schedule !== undefined) {
            const bad = cronProblem(job.schedule) ?? eventBridgeCronProblem(job.schedule);
            if (bad)
                problems.push({ path: `${at}.schedule`, value: job.schedule, message: `is not a schedule EventBridge takes: it ${bad}` });
        }
        if (job.schedule === undefined && !job.onArrival)
            problems.push({ path: at, value: job.name, message: "never runs: it has no schedule and onArrival is false" });
        if (!Number.isInteger(job.timeoutMinutes) || job.timeoutMinutes < 1 || job.timeoutMinutes > 1440)
            problems.push({
                path: `${at}.timeoutMinutes`,
                value: job.timeoutMinutes,
                message: "must be a whole number of minutes from 1 to 1440",
            });
        if (job.accelerator !== undefined)
            problems.push({
                path: `${at}.accelerator`,
                value: job.accelerator,
                message: "is not offered by the AWS pipeline runners (Fargate and Glue Python shell run on CPU)",
                fix: "remove it",
            });
    });
    return problems;
}

/** Every problem with EcsFargatePipelines args. */
export function validateEcsFargatePipelines(args: EcsFargatePipelinesArgs): ProblemDetail[] {
    const problems = baseProblems(args);
    args.jobs.forEach((job, i) => {
        const at = `jobs[${i}]`;
        if (job.image.trim() === "") problems.push({ path: `${at}.image`, value: job.image, message: "is required by ecs-fargate" });
        if (smallestSize(FARGATE_SIZES, job.cpuMillicores, job.memoryMiB) === undefined)
            problems.push({
                path: `${at}.memoryMiB`,
                value: job.memoryMiB,
                message: `with ${job.cpuMillicores} millicores fits no Fargate task size (at most 16 vCPU and 120 GiB)`,
            });
        const size = encodedBytes(job.files ?? {});
        if (size > PIPELINE_FILES_LIMIT_BYTES)
            problems.push({
                path: `${at}.files`,
                value: `${size} bytes gzipped and base64-encoded`,
                message: `exceed the ${PIPELINE_FILES_LIMIT_BYTES} bytes a task definition can carry`,
                fix: "bake larger code into the image",
            });
        if (!Number.isInteger(job.retries) || job.retries < 0 || job.retries > MAX_EVENT_RETRIES)
            problems.push({ path: `${at}.retries`, value: job.retries, message: `must be a whole number from 0 to ${MAX_EVENT_RETRIES}` });
    });
    if (Array.isArray(args.subnetIds) && args.subnetIds.length === 0)
        problems.push({ path: "subnetIds", value: [], message: "must list the private subnets the tasks run in" });
    return problems;
}

/** Every problem with GluePipelines args. */
export function validateGluePipelines(args: GluePipelinesArgs): ProblemDetail[] {
    const problems = baseProblems(args);
    if ((args.protectData ?? true) && args.forceDestroy)
        problems.push({ path: "forceDestroy", value: true, message: "would let the protected scripts bucket be emptied on delete" });
    args.jobs.forEach((job, i) => {
        const at = `jobs[${i}]`;
        const files = job.files ?? {};
        const script = glueScriptFile(job);
        if (Object.keys(files).length === 0)
            problems.push({
                path: `${at}.files`,
                value: undefined,
                message: "must hold the job's script: glue runs a script, not an image",
            });
        else if (script === undefined || !(script in files))
            problems.push({
                path: `${at}.command`,
                value: job.command,
                message: "must name the script to run as /app/<file>, one of the job's files",
                allowed: Object.keys(files).map((f) => `/app/${f}`),
                fix: "write e.g. `command: [python, /app/etl.py]`",
            });
        Object.keys(files).forEach((f) => {
            if (!/^[A-Za-z0-9_.-]+$/.test(f))
                problems.push({ path: `${at}.files`, value: f, message: "has a file name that is not a plain S3 key" });
        });
        if (job.memoryMiB > GLUE_PYTHON_SHELL_MAX_MIB)
            problems.push({
                path: `${at}.memoryMiB`,
                value: job.memoryMiB,
                message: `is more than a Glue Python shell job has (${GLUE_PYTHON_SHELL_MAX_MIB} MiB at 1 DPU)`,
                fix: "use implementation ecs-fargate for larger jobs",
            });
        if (!Number.isInteger(job.retries) || job.retries < 0 || job.retries > MAX_GLUE_RETRIES)
            problems.push({
                path: `${at}.retries`,
                value: job.retries,
                message: `must be a whole number from 0 to ${MAX_GLUE_RETRIES} (Glue MaxRetries)`,
            });
        if (args.zones.includes(job.target.zone) && args.catalogDatabases[job.target.zone] === undefined)
            problems.push({
                path: `${at}.target`,
                value: `${job.target.zone}/${job.target.prefix}`,
                message: "has no Glue catalog database for the crawler to keep its table in: the lake's query engine is off",
                fix: "set mlops:dataLake.queryEngine: true, or use implementation ecs-fargate",
            });
    });
    return problems;
}

/** Every problem with FirehoseStreams args. */
export function validateFirehoseStreams(args: FirehoseStreamsArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix)) problems.push({ path: "namePrefix", value: args.namePrefix, message: "is not a name prefix" });
    const buffer = args.bufferingIntervalSeconds ?? 300;
    if (!Number.isInteger(buffer) || buffer < 60 || buffer > 900)
        problems.push({ path: "bufferingIntervalSeconds", value: buffer, message: "must be 60-900 seconds (Firehose buffering interval)" });
    args.streams.forEach((s, i) => {
        const at = `streams[${i}]`;
        if (!WORKLOAD_NAME.test(s.name))
            problems.push({
                path: `${at}.name`,
                value: s.name,
                message: "must be 1-24 lowercase letters, digits or hyphens, starting with a letter",
            });
        if (args.streams.findIndex((o) => o.name === s.name) !== i)
            problems.push({ path: `${at}.name`, value: s.name, message: "is used by another stream" });
        problems.push(...locationProblems(`${at}.target`, s.target, args.zones));
        if (s.target.prefix === "")
            problems.push({
                path: `${at}.target`,
                value: `${s.target.zone}/`,
                message: "must name a prefix: each stream lands under its own prefix of the zone",
                fix: `write e.g. \`${s.target.zone}/${s.name}/\``,
            });
        args.streams.forEach((o, j) => {
            if (
                j < i &&
                o.target.zone === s.target.zone &&
                (o.target.prefix.startsWith(s.target.prefix) || s.target.prefix.startsWith(o.target.prefix))
            )
                problems.push({
                    path: `${at}.target`,
                    value: `${s.target.zone}/${s.target.prefix}`,
                    message: `overlaps the target of streams[${j}]`,
                });
        });
        if (s.retentionHours !== FIREHOSE_RETENTION_HOURS)
            problems.push({
                path: `${at}.retentionHours`,
                value: s.retentionHours,
                message: `must be ${FIREHOSE_RETENTION_HOURS}: Firehose Direct PUT keeps undelivered data 24 hours and no longer`,
                allowed: [FIREHOSE_RETENTION_HOURS],
            });
    });
    return problems;
}

/** MWAA environment classes, smallest first (MWAA API `EnvironmentClass`; @pulumi/aws 7.48 mwaa.Environment). */
export const MWAA_ENVIRONMENT_CLASSES = ["mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge"] as const;
/**
 * Airflow versions MWAA runs that the generated DAGs work on (`schedule=` needs 2.4; the DAG imports are
 * Airflow 2's). MWAA's list of supported versions, read 2025: docs/aws.md, "Airflow".
 */
export const MWAA_AIRFLOW_VERSIONS = ["2.4.3", "2.5.1", "2.6.3", "2.7.2", "2.8.1", "2.9.2", "2.10.1", "2.10.3"] as const;
/** Log levels MWAA takes for each Airflow log type. */
export const MWAA_LOG_LEVELS = ["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] as const;
/** MWAA environment names: a letter, then letters, digits, `-` or `_`, at most 80 (MWAA API `Name`). */
const MWAA_NAME = /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/;

/** What the Airflow tasks start. */
export const MwaaRunnerKind = {
    /** The pipelines' ECS Fargate task definitions (EcsFargatePipelines). */
    EcsFargate: "ecs-fargate",
    /** The pipelines' Glue jobs (GluePipelines). */
    Glue: "glue",
} as const;
export type MwaaRunnerKind = (typeof MwaaRunnerKind)[keyof typeof MwaaRunnerKind];

/**
 * What the Airflow tasks start: the ECS Fargate task definitions or the Glue jobs of the pipelines. The
 * fields of the kind are required (validateMwaaAirflow says which is missing); those of the other kind are ignored.
 */
export interface MwaaRunner {
    /** `ecs-fargate` or `glue`. */
    readonly kind: MwaaRunnerKind;
    /** (ecs-fargate) The pipelines' ECS cluster, by name. */
    readonly clusterName?: pulumi.Input<string>;
    /** (ecs-fargate) The pipelines' ECS cluster, by ARN. */
    readonly clusterArn?: pulumi.Input<string>;
    /** (ecs-fargate) Task definition family per job name. */
    readonly taskFamilies?: Readonly<Record<string, string>>;
    /** (ecs-fargate) The tasks' security group(s), as the native schedule runs them. */
    readonly securityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** (ecs-fargate) The tasks' private subnets, as the native schedule runs them. */
    readonly subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** (ecs-fargate) The task and execution roles RunTask passes to ECS. */
    readonly passRoleArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** (glue) Glue job name per job name. */
    readonly jobNames?: pulumi.Input<Record<string, string>>;
}

/** The ECS Fargate runner with every field it needs. */
export interface MwaaEcsFargateRunner {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly taskFamilies: Readonly<Record<string, string>>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly passRoleArns: pulumi.Input<pulumi.Input<string>[]>;
}

const ECS_RUNNER_FIELDS = ["clusterName", "clusterArn", "taskFamilies", "securityGroupIds", "subnetIds", "passRoleArns"] as const;

/** The runner's ECS Fargate fields when its kind is `ecs-fargate` and it has them all, else undefined. */
export function mwaaEcsFargateRunner(runner: MwaaRunner): MwaaEcsFargateRunner | undefined {
    const { clusterName, clusterArn, taskFamilies, securityGroupIds, subnetIds, passRoleArns } = runner;
    return runner.kind === "ecs-fargate" &&
        clusterName !== undefined &&
        clusterArn !== undefined &&
        taskFamilies !== undefined &&
        securityGroupIds !== undefined &&
        subnetIds !== undefined &&
        passRoleArns !== undefined
        ? { clusterName, clusterArn, taskFamilies, securityGroupIds, subnetIds, passRoleArns }
        : undefined;
}

/** Problems of the runner's shape (what the TypeScript type of each kind enforced, checked for every language). */
function runnerShapeProblems(runner: MwaaRunner): ProblemDetail[] {
    const kinds: readonly string[] = Object.values(MwaaRunnerKind);
    if (!kinds.includes(runner.kind)) return [{ path: "runner.kind", value: runner.kind, message: "is not a runner kind", allowed: kinds }];
    const missing =
        runner.kind === "ecs-fargate"
            ? ECS_RUNNER_FIELDS.filter((f) => runner[f] === undefined)
            : runner.jobNames === undefined
              ? ["jobNames"]
              : [];
    return missing.map((f) => ({ path: `runner.${f}`, value: undefined, message: `is required when runner.kind is ${runner.kind}` }));
}

export interface MwaaAirflowArgs {
    /** Prefix of every physical name (must start with a letter: MWAA names do). */
    readonly namePrefix: string;
    /** The pipelines: one DAG each, on the job's schedule, with its retries and timeout. */
    readonly jobs: PipelineJobSpec[];
    /** What each DAG's task starts. */
    readonly runner: MwaaRunner;
    /** The platform key: the environment, its DAG bucket and its logs are encrypted with it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The platform VPC. */
    readonly vpcId: pulumi.Input<string>;
    /** Exactly two private subnets in different availability zones (MWAA takes two). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Whether the private subnets reach AWS APIs through NAT. MWAA needs SQS, CloudWatch, KMS, ECR and its
     * own service endpoints, and the DAGs call ECS or Glue; the platform network offers no endpoints for
     * those, so the environment needs NAT.
     */
    readonly internetEgress: boolean;
    /** The lake's access-log bucket: the DAG bucket logs there. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** One of MWAA_ENVIRONMENT_CLASSES. Default: "mw1.micro" - the smallest. */
    readonly environmentClass?: string;
    /** One of MWAA_AIRFLOW_VERSIONS. Default: "2.10.3". */
    readonly airflowVersion?: string;
    /** Level of every Airflow log type sent to CloudWatch Logs. Default: "INFO". */
    readonly logLevel?: string;
    /** Days Airflow logs are kept (a CloudWatch retention). Default: 365. */
    readonly logRetentionDays?: number;
    /** Protect the environment (its metadata database holds run history), its DAG bucket and logs. Default: true. */
    readonly protectData?: boolean;
    /** Empty the DAG bucket when it is deleted (dev only; refused with protectData). Default: false. */
    readonly forceDestroy?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The MWAA environment's name. */
export function mwaaEnvironmentName(namePrefix: string): string {
    return `${namePrefix}-airflow`;
}

/** Schedulers, workers and web servers of a class: mw1.micro runs one of each; larger classes two schedulers and web servers. */
export function mwaaCapacity(environmentClass: string): {
    schedulers: number;
    minWorkers: number;
    maxWorkers: number;
    minWebservers: number;
    maxWebservers: number;
} {
    return environmentClass === "mw1.micro"
        ? { schedulers: 1, minWorkers: 1, maxWorkers: 1, minWebservers: 1, maxWebservers: 1 }
        : { schedulers: 2, minWorkers: 1, maxWorkers: 10, minWebservers: 2, maxWebservers: 2 };
}

/** Every problem with MwaaAirflow args. */
export function validateMwaaAirflow(args: MwaaAirflowArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix) || !MWAA_NAME.test(mwaaEnvironmentName(args.namePrefix)))
        problems.push({
            path: "namePrefix",
            value: args.namePrefix,
            message:
                "must start with a letter and be 1-40 lowercase letters, digits and hyphens: MWAA environment names start with a letter",
        });
    if (args.jobs.length === 0) problems.push({ path: "jobs", value: [], message: "must list at least one pipeline for Airflow to run" });
    const cls = args.environmentClass ?? "mw1.micro";
    if (!(MWAA_ENVIRONMENT_CLASSES as readonly string[]).includes(cls))
        problems.push({
            path: "environmentClass",
            value: cls,
            message: "is not an MWAA environment class",
            allowed: MWAA_ENVIRONMENT_CLASSES,
        });
    const version = args.airflowVersion ?? "2.10.3";
    if (!(MWAA_AIRFLOW_VERSIONS as readonly string[]).includes(version))
        problems.push({
            path: "airflowVersion",
            value: version,
            message: "is not an MWAA Airflow version the generated DAGs run on (2.4 or later, Airflow 2)",
            allowed: MWAA_AIRFLOW_VERSIONS,
        });
    const level = args.logLevel ?? "INFO";
    if (!(MWAA_LOG_LEVELS as readonly string[]).includes(level))
        problems.push({ path: "logLevel", value: level, message: "is not an MWAA log level", allowed: MWAA_LOG_LEVELS });
    if (args.logRetentionDays !== undefined) problems.push(...validateLogRetention(args.logRetentionDays));
    if (Array.isArray(args.subnetIds) && args.subnetIds.length !== 2)
        problems.push({
            path: "subnetIds",
            value: args.subnetIds,
            message: "must be exactly two private subnets in different availability zones (MWAA takes two)",
        });
    if (!args.internetEgress)
        problems.push({
            path: "internetEgress",
            value: false,
            message:
                "must be true for Amazon MWAA: its private subnets need egress to AWS APIs (SQS, CloudWatch Logs and metrics, KMS, ECR, the MWAA service endpoints, and ECS or Glue to start the runs), and the platform network has no NAT gateway and no interface endpoints for those",
            fix: "set mlops:mlPlatform.aws.natGateways: 1 (or more), or leave mlops:pipelines.orchestrator out for the native scheduler",
        });
    if ((args.protectData ?? true) && args.forceDestroy)
        problems.push({ path: "forceDestroy", value: true, message: "would let the protected DAG bucket be emptied on delete" });
    problems.push(...runnerShapeProblems(args.runner));
    const families = args.runner.kind === "ecs-fargate" ? args.runner.taskFamilies : undefined;
    if (families) {
        args.jobs.forEach((job, i) => {
            if (families[job.name] === undefined)
                problems.push({ path: `jobs[${i}].name`, value: job.name, message: "has no ECS task definition family to run" });
        });
    }
    return problems;
}
