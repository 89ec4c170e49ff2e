/**
 * Arguments of the Azure data pipeline components (Container Apps jobs, Event Hubs streams), their
 * validators and the pure pieces they are built from: physical names, sizes on the Consumption profile,
 * and the ABAC conditions that narrow a lake role to one blob path prefix. Pure: no SDK at runtime, so
 * stack-config parsing runs the same checks before anything is created (docs/azure.md, "Data pipelines").
 */
import type * as pulumi from "@pulumi/pulumi";
import { compactName } from "../naming/azure";
import { isPinnedImage } from "../shared/images";
import { fitName } from "../shared/naming";
import type { AzurePlacementArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";
import type { PipelineJobSpec, StreamSpec } from "./contract";

/** The lake the pipelines read and write: the ADLS Gen2 account and its zone containers. */
export interface AzureLakeRef {
    /** ARM ID of the storage account. */
    readonly accountId: pulumi.Input<string>;
    /** The account's name (the host of `https://<account>.blob.core.windows.net/`). */
    readonly accountName: pulumi.Input<string>;
    /** Zone -> container name. */
    readonly containerNames: Readonly<Record<string, string>>;
    /** Zone -> ARM ID of the container: the scope of the jobs' role assignments. */
    readonly containerIds: Readonly<Record<string, pulumi.Input<string>>>;
}

/** The lake's customer-managed key, reused for the storage account that holds the arrival queues. */
export interface AzureLakeKey {
    /** URI of the key vault holding the key. */
    readonly keyVaultUri: pulumi.Input<string>;
    /** The key's name in the vault. */
    readonly keyName: string;
    /** ARM ID of the user-assigned identity that may wrap and unwrap with the key. */
    readonly identityId: pulumi.Input<string>;
}

/** The lake account's Event Grid system topic of blob events (`AzureDataLake.blobEventsTopic`). */
export interface AzureBlobEventsTopicRef {
    /** The system topic's name. */
    readonly name: pulumi.Input<string>;
    /** Principal ID of the topic's system-assigned identity (it delivers to the arrival queues). */
    readonly principalId: pulumi.Input<string>;
}

/** Where the event hubs namespace gets its private endpoint. */
export interface AzureStreamsNetwork {
    /** ARM ID of the virtual network the private DNS zone is linked to. */
    readonly virtualNetworkId: pulumi.Input<string>;
    /** ARM ID of the subnet the private endpoint goes in. */
    readonly endpointsSubnetId: pulumi.Input<string>;
}

/**
 * Where the jobs environment runs: a subnet of its own (delegated to Microsoft.App/environments). Either
 * inside the stack's private network (prod: `virtualNetworkId` and `endpointsSubnetId` given, the queues get
 * a private endpoint), or in the pipelines network of a stack without one (dev: only the subnet, which
 * carries the Microsoft.Storage service endpoint; the events account admits it by a virtual network rule).
 */
export interface AzureJobsNetwork {
    /** ARM ID of the subnet of the jobs environment (delegated to Microsoft.App/environments). */
    readonly infrastructureSubnetId: pulumi.Input<string>;
    /** ARM ID of the virtual network the queue's private DNS zone is linked to. Default: no private endpoint. */
    readonly virtualNetworkId?: pulumi.Input<string>;
    /** ARM ID of the subnet private endpoints go in. Default: no private endpoint: the events account admits `infrastructureSubnetId`. */
    readonly endpointsSubnetId?: pulumi.Input<string>;
    /** Zone-redundant environment (needs a region with availability zones). Default: true. */
    readonly zoneRedundant?: boolean;
}

export interface AzureContainerAppsJobsArgs extends AzurePlacementArgs {
    /** The pipelines: one user-assigned identity each, a scheduled job and an on-arrival job. */
    readonly jobs: PipelineJobSpec[];
    /** The lake (read on each source prefix, written on each target prefix). */
    readonly lake: AzureLakeRef;
    /**
     * The lake account's Event Grid system topic (`AzureDataLake` with `blobEvents`): the on-arrival
     * triggers subscribe to it. Required when a job has `onArrival`.
     */
    readonly blobEventsTopic?: AzureBlobEventsTopicRef;
    /** The key the arrival queues and dead letters are encrypted with (the lake's). */
    readonly encryptionKey: AzureLakeKey;
    /** Replication of the events account (queues and dead letters). Default: "LRS". */
    readonly storageReplication?: string;
    /**
     * Run the jobs environment (internal) in this subnet. Without it the environment has no stable outbound
     * address and no subnet a storage firewall could admit: the events account then admits every network
     * (Entra ID only, shared keys off), and the lake must too (`AzureDataLake` `firewall: false`).
     * Default: no network.
     */
    readonly network?: AzureJobsNetwork;
    /** Action group failed executions alert. Default: none: the alerts only show in Azure Monitor. */
    readonly actionGroupId?: pulumi.Input<string>;
    /** Protect and retain the events account, its queues and dead letters (prod). Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

export interface AzureEventHubsStreamsArgs extends AzurePlacementArgs {
    /** The streams: one event hub each, captured to the lake's raw container under the stream's prefix. */
    readonly streams: StreamSpec[];
    /** The lake (the raw zone's container receives the captures). */
    readonly lake: AzureLakeRef;
    /** Throughput units of the Standard namespace (1 MB/s in, 2 MB/s out each). Default: 1. */
    readonly throughputUnits?: number;
    /**
     * Private endpoint of the namespace in this subnet, registered in a private DNS zone linked to the
     * network; public network access is then disabled. Default: public endpoint, Entra ID auth only.
     */
    readonly network?: AzureStreamsNetwork;
    /** Protect and retain the namespace and hubs (prod). Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Variables every runner sets (components/data-pipeline/contract.ts): a job's `env` may not set them. */
export const RUNNER_ENV = ["MLOPS_PIPELINE", "MLOPS_SOURCE_URI", "MLOPS_TARGET_URI", "MLOPS_TRIGGER", "MLOPS_IMAGE_DIGEST"] as const;

/** Container Apps job names: 2-32 lowercase letters, digits and single hyphens, starting with a letter. */
const JOB_NAME = /^[a-z](?!.*--)([a-z0-9-]{0,30}[a-z0-9])?$/;
/** Storage queue names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
/** Event hub names: 1-256 letters, digits, `.`, `_` or `-`, starting and ending with a letter or digit. */
const HUB_NAME = /^[a-zA-Z0-9]([\w.-]{0,254}[a-zA-Z0-9])?$/;
/** Event Hubs namespace names: 6-50 letters, digits and hyphens, starting with a letter, ending with a letter or digit. */
const NAMESPACE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9][-._A-Za-z0-9]*$/;
const REPLICATIONS = ["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"];

/** Where a job's files are mounted, as for the models (components/container-service/azure-apps.ts). */
export const JOB_FILES_PATH = "/app";
/** The Consumption profile gives a job replica 0.25-4 vCPU with 2 GiB per vCPU. */
export const JOB_MAX_CPU = 4;
/** Container Apps caps a replica's timeout (`replicaTimeout`) at one day. */
export const JOB_MAX_TIMEOUT_MINUTES = 1440;
/** Container Apps caps `replicaRetryLimit` at 10 (not confirmed: docs/azure.md, "Not confirmed"). */
export const JOB_MAX_RETRIES = 10;
/** Event Hubs Standard keeps events up to 7 days. */
export const STANDARD_MAX_RETENTION_HOURS = 168;
/** Event Hubs Standard allows 1-40 throughput units per namespace. */
export const THROUGHPUT_UNITS = { min: 1, max: 40 } as const;
/** The events account's dead-letter container (Event Grid writes undeliverable events there). */
export const DEAD_LETTER_CONTAINER = "dead-letters";

/** Physical names of the pipeline resources, from the stack's prefix and random suffix. */
export const pipelineNames = {
    /** `<pipeline>-sched` and `<pipeline>-arrival`: pipeline names are at most 24 characters, so these fit 32. */
    job: (pipeline: string, trigger: "schedule" | "arrival") => `${pipeline}-${trigger === "schedule" ? "sched" : "arrival"}`,
    queue: (pipeline: string) => `arrivals-${pipeline}`,
    subscription: (pipeline: string) => `${pipeline}-arrival`,
    /**
     * Where Event Grid writes a subscription's dead letters in the container: under the subscription's name in
     * upper case (`IRIS-ETL-ARRIVAL/<yyyy>/<m>/<d>/<h>/<guid>.json`, Microsoft, "Set dead-letter location and
     * retry policy"). ABAC's StringStartsWith is case-sensitive, so the writer's condition must use this form.
     */
    deadLetterPrefix: (pipeline: string) => `${pipelineNames.subscription(pipeline).toUpperCase()}/`,
    environment: (prefix: string) => fitName(["jobs", prefix], 32),
    identity: (prefix: string, pipeline: string) => fitName([prefix, "pipeline", pipeline], 100),
    /** 3-24 lowercase letters and digits: `ev` for events. */
    eventsAccount: (prefix: string, suffix: string) => `${compactName([prefix], 16)}ev${suffix}`,
    /** Globally unique, 6-50 characters: `<prefix>-evh-<suffix>`. */
    eventHubsNamespace: (prefix: string, suffix: string) => `${fitName([prefix, "evh"], 42)}-${suffix}`,
};

/** The URI of a lake location, as the job gets it (MLOPS_SOURCE_URI, MLOPS_TARGET_URI). */
export function blobUri(accountName: string, container: string, prefix: string): string {
    return `https://${accountName}.blob.core.windows.net/${container}/${prefix}`;
}

/** Event Grid subject of blobs under a prefix of a container: what `subjectBeginsWith` takes. */
export function blobSubjectPrefix(container: string, prefix: string): string {
    return `/blobServices/default/containers/${container}/blobs/${prefix}`;
}

const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

/**
 * The ABAC condition that keeps a Storage Blob Data Reader or Contributor assignment on a container to one
 * path prefix (https://learn.microsoft.com/azure/storage/blobs/storage-auth-abac-examples, "Read or list
 * blobs in named folders"): reads and writes only of blobs whose path starts with the prefix, listing only
 * with a `prefix` parameter that starts with it, and (`write`) no delete or rename anywhere. An empty
 * prefix (a whole zone) needs no path condition.
 */
export function prefixCondition(prefix: string, write: boolean): string | undefined {
    const clauses: string[] = [];
    if (prefix !== "") {
        const actions = write ? ["read", "write", "add/action"] : ["read"];
        const matches = actions.map((a) => `ActionMatches{'${BLOBS}/${a}'}`);
        const notTouching = [`!(${matches[0]} AND NOT SubOperationMatches{'Blob.List'})`, ...matches.slice(1).map((m) => `!(${m})`)];
        clauses.push(`((${notTouching.join(" AND ")}) OR (@Resource[${BLOBS}:path] StringStartsWith '${prefix}'))`);
        clauses.push(
            `((!(${matches[0]} AND SubOperationMatches{'Blob.List'})) OR (@Request[${BLOBS}:prefix] StringStartsWith '${prefix}'))`,
        );
    }
    if (write) clauses.push(`((!(ActionMatches{'${BLOBS}/delete'})) AND (!(ActionMatches{'${BLOBS}/move/action'})))`);
    return clauses.length > 0 ? clauses.join(" AND ") : undefined;
}

const quarter = (n: number) => Math.ceil(n * 4 - 1e-9) / 4;

/** A job replica's size on the Consumption profile: fixed pairs of 0.25 vCPU : 0.5 GiB up to 4 : 8. */
export function jobSize(job: Pick<PipelineJobSpec, "cpuMillicores" | "memoryMiB">): { cpu: number; memory: string } {
    const cpu = Math.max(0.25, quarter(Math.max(job.cpuMillicores / 1000, job.memoryMiB / 1024 / 2)));
    return { cpu, memory: `${cpu * 2}Gi` };
}

const plain = (v: unknown): v is string => typeof v === "string";

/** Every problem with one job, at `jobs[i]`. */
function jobProblems(job: PipelineJobSpec, i: number, args: AzureContainerAppsJobsArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const at = (field: string) => `jobs[${i}]${field ? `.${field}` : ""}`;
    const name = job.name;
    if (typeof name !== "string" || !JOB_NAME.test(pipelineNames.job(name, "arrival")) || name.length > 24)
        problems.push({
            path: at("name"),
            value: name,
            message: "does not make a Container Apps job name (`<name>-arrival`: 2-32 lowercase letters, digits and single hyphens)",
            fix: "use 1-24 lowercase letters, digits and single hyphens, starting with a letter, e.g. `iris-etl`",
        });
    if (typeof job.image !== "string" || !isPinnedImage(job.image))
        problems.push({
            path: at("image"),
            value: job.image,
            message: "is not pinned to a tag or digest",
            fix: "pin a version tag or `@sha256:` digest",
        });
    if (!Array.isArray(job.command) || job.command.length === 0)
        problems.push({
            path: at("command"),
            value: job.command,
            message: "must name the program the job runs",
            fix: "e.g. `[python, /app/etl.py]`",
        });
    for (const key of Object.keys(job.env ?? {})) {
        if (!ENV_NAME.test(key)) problems.push({ path: at(`env.${key}`), value: key, message: "is not a valid environment variable name" });
        else if ((RUNNER_ENV as readonly string[]).includes(key))
            problems.push({ path: at(`env.${key}`), value: key, message: "is set by the runner for every run", fix: "remove it from env" });
    }
    for (const file of Object.keys(job.files ?? {}))
        if (!FILE_NAME.test(file))
            problems.push({
                path: at("files"),
                value: file,
                message: "is not a valid file name",
                fix: "use letters, digits, '-', '_' and '.' (no directories)",
            });
    for (const side of ["source", "target"] as const) {
        const zone = job[side]?.zone;
        if (!(zone in args.lake.containerNames))
            problems.push({
                path: at(side),
                value: zone,
                message: "names a zone the lake has no container for",
                allowed: Object.keys(args.lake.containerNames),
            });
        if (typeof job[side]?.prefix !== "string" || job[side].prefix.includes("'"))
            problems.push({ path: at(side), value: job[side]?.prefix, message: "has a prefix a role condition cannot quote" });
    }
    if (job.accelerator !== undefined && job.accelerator !== null)
        problems.push({
            path: at("accelerator"),
            value: job.accelerator,
            message: "is not offered by Container Apps jobs here: they run on the Consumption (CPU) profile",
            fix: "remove it, and run GPU work on the ML platform",
        });
    const { cpu } = jobSize(job);
    if (!Number.isFinite(cpu) || cpu > JOB_MAX_CPU)
        problems.push({
            path: at("cpuMillicores"),
            value: `${job.cpuMillicores}m CPU, ${job.memoryMiB} MiB`,
            message: `needs ${cpu} vCPU and ${cpu * 2} GiB, more than the Consumption profile gives a job (${JOB_MAX_CPU} vCPU, ${JOB_MAX_CPU * 2} GiB)`,
            fix: "lower cpuMillicores/memoryMiB to at most 4000m and 8192 MiB",
        });
    if (!Number.isInteger(job.timeoutMinutes) || job.timeoutMinutes < 1 || job.timeoutMinutes > JOB_MAX_TIMEOUT_MINUTES)
        problems.push({
            path: at("timeoutMinutes"),
            value: job.timeoutMinutes,
            message: `must be a whole number of minutes from 1 to ${JOB_MAX_TIMEOUT_MINUTES}`,
        });
    if (!Number.isInteger(job.retries) || job.retries < 0 || job.retries > JOB_MAX_RETRIES)
        problems.push({ path: at("retries"), value: job.retries, message: `must be a whole number from 0 to ${JOB_MAX_RETRIES}` });
    if (job.schedule === undefined && !job.onArrival)
        problems.push({ path: at(""), value: name, message: "never runs: it has no schedule and onArrival is false" });
    if (job.onArrival && args.blobEventsTopic === undefined)
        problems.push({
            path: at("onArrival"),
            value: true,
            message: "needs the lake's blob events (blobEventsTopic), which were not given",
            fix: "create the lake with blobEvents: true and pass its blobEventsTopic",
        });
    return problems;
}

/** Every problem with the Container Apps jobs' arguments (paths relative to the args). */
export function validateAzureContainerAppsJobs(args: AzureContainerAppsJobsArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!Array.isArray(args.jobs) || args.jobs.length === 0) {
        problems.push({ path: "jobs", value: args.jobs, message: "must list at least one pipeline" });
        return problems;
    }
    const seen = new Set<string>();
    args.jobs.forEach((job, i) => {
        problems.push(...jobProblems(job, i, args));
        if (seen.has(job.name)) problems.push({ path: `jobs[${i}].name`, value: job.name, message: "is used by another pipeline" });
        seen.add(job.name);
        if (typeof job.name === "string" && !QUEUE_NAME.test(pipelineNames.queue(job.name)))
            problems.push({
                path: `jobs[${i}].name`,
                value: job.name,
                message: "does not make a storage queue name (single hyphens only)",
            });
    });
    const replication = args.storageReplication ?? "LRS";
    if (!REPLICATIONS.includes(replication))
        problems.push({
            path: "storageReplication",
            value: replication,
            message: "is not a storage replication kind",
            allowed: REPLICATIONS,
        });
    if (
        plain(args.namePrefix) &&
        plain(args.nameSuffix) &&
        !/^[a-z0-9]{3,24}$/.test(pipelineNames.eventsAccount(args.namePrefix, args.nameSuffix))
    )
        problems.push({
            path: "nameSuffix",
            value: args.nameSuffix,
            message: "does not make a storage account name (lowercase letters and digits)",
        });
    return problems;
}

/** Every problem with the Event Hubs streams' arguments (paths relative to the args). */
export function validateAzureEventHubsStreams(args: AzureEventHubsStreamsArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!Array.isArray(args.streams) || args.streams.length === 0) {
        problems.push({ path: "streams", value: args.streams, message: "must list at least one stream" });
        return problems;
    }
    const seen = new Set<string>();
    args.streams.forEach((s, i) => {
        if (typeof s.name !== "string" || !HUB_NAME.test(s.name))
            problems.push({ path: `streams[${i}].name`, value: s.name, message: "is not an event hub name" });
        else if (seen.has(s.name)) problems.push({ path: `streams[${i}].name`, value: s.name, message: "is used by another stream" });
        seen.add(s.name);
        if (s.target?.zone !== "raw" || !("raw" in args.lake.containerNames))
            problems.push({ path: `streams[${i}].target`, value: s.target?.zone, message: "must be a prefix of the lake's raw zone" });
        if (typeof s.target?.prefix !== "string" || s.target.prefix === "" || s.target.prefix.includes("'"))
            problems.push({
                path: `streams[${i}].target`,
                value: s.target?.prefix,
                message: "needs a prefix of its own in raw (Capture writes under it, and the namespace may write nowhere else)",
                fix: "write e.g. `raw/events/`",
            });
        if (!Number.isInteger(s.retentionHours) || s.retentionHours < 1 || s.retentionHours > STANDARD_MAX_RETENTION_HOURS)
            problems.push({
                path: `streams[${i}].retentionHours`,
                value: s.retentionHours,
                message: `must be a whole number of hours from 1 to ${STANDARD_MAX_RETENTION_HOURS} (Event Hubs Standard keeps events 7 days at most)`,
            });
    });
    const tu = args.throughputUnits ?? 1;
    if (!Number.isInteger(tu) || tu < THROUGHPUT_UNITS.min || tu > THROUGHPUT_UNITS.max)
        problems.push({
            path: "throughputUnits",
            value: tu,
            message: `must be a whole number from ${THROUGHPUT_UNITS.min} to ${THROUGHPUT_UNITS.max}`,
        });
    if (
        plain(args.namePrefix) &&
        plain(args.nameSuffix) &&
        !NAMESPACE_NAME.test(pipelineNames.eventHubsNamespace(args.namePrefix, args.nameSuffix))
    )
        problems.push({ path: "namePrefix", value: args.namePrefix, message: "does not make an Event Hubs namespace name" });
    return problems;
}
