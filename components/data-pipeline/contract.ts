/**
 * The data pipeline contract: jobs that refine lake data from one zone prefix into another, started on a
 * schedule and when new objects arrive under their source prefix, and streams that land events in `raw`.
 * Implementations: aws (ecs-fargate, glue), gcp (cloud-run-jobs), azure (container-apps-jobs),
 * kubernetes (cronjob). The stack builds these specs from `mlops:pipelines`; components never read config.
 *
 * What every runner hands the job (the sample jobs in samples/jobs/ read exactly these):
 *   MLOPS_PIPELINE     the pipeline's name
 *   MLOPS_SOURCE_URI   where it reads: s3://bucket/prefix/, gs://bucket/prefix/,
 *                      https://account.blob.core.windows.net/container/prefix/ (or file:///... locally)
 *   MLOPS_TARGET_URI   where it writes, same forms; it writes only under this prefix:
 *                        <target>v=<run id>/...            the new dataset version (accepted rows)
 *                        <target>v=<run id>/_manifest.json its manifest
 *                        <target>_quarantine/<run id>/...  rejected rows with the reason
 *                        <target>_runs/<run id>.json        the audit record of the run
 *   MLOPS_TRIGGER      `schedule` or `arrival`
 *   MLOPS_S3_ENDPOINT  only for S3-compatible stores other than AWS (MinIO): the endpoint URL
 * plus the platform's own credentials mechanism (task role, service account, managed identity, or a
 * mounted access key on Kubernetes). The image digest, when the runner knows it, is MLOPS_IMAGE_DIGEST.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorRequest } from "../accelerators/names";

/** A place in the lake: a zone and a prefix inside it (`""` for the whole zone, else ending in `/`). */
export interface LakeLocation {
    /** Zone name, one of the lake's zones, e.g. `raw`. */
    readonly zone: string;
    /** Object key prefix inside the zone, e.g. `iris/`. */
    readonly prefix: string;
}

export interface PipelineJobSpec {
    /** Pipeline name: lowercase letters, digits and hyphens, starting with a letter (at most 24 characters). */
    readonly name: string;
    /** Container image, pinned by tag or digest. Runners that run a script instead (Glue) ignore it. */
    readonly image: string;
    /** Command the container runs, e.g. `["python", "/app/etl.py"]`. */
    readonly command: string[];
    /** Arguments to the command. Default: []. */
    readonly args?: string[];
    /** Plain environment variables (never secrets). Default: {}. */
    readonly env?: Readonly<Record<string, string>>;
    /** Small files mounted read-only at `/app` (file name -> content): the job's code. Default: none. */
    readonly files?: Readonly<Record<string, string>>;
    /** What the job reads: it gets read-only access to this prefix and nothing else of the lake. */
    readonly source: LakeLocation;
    /** What the job writes: it gets write access to this prefix and nothing else. */
    readonly target: LakeLocation;
    /** When it runs, as a 5-field cron expression in UTC (`0 3 * * *`). Default: no schedule. */
    readonly schedule?: string;
    /** Also run when an object is created under the source prefix. Default: false. */
    readonly onArrival: boolean;
    /** CPU of the job in millicores (1000 = one vCPU). */
    readonly cpuMillicores: number;
    /** Memory of the job in MiB. */
    readonly memoryMiB: number;
    /** Accelerator, where the runner offers one (the catalog decides). Default: CPU only. */
    readonly accelerator?: AcceleratorRequest;
    /** A run is stopped after this many minutes and counts as failed. */
    readonly timeoutMinutes: number;
    /** Times a failed run is retried before it counts as failed (and alerts). */
    readonly retries: number;
}

export interface StreamSpec {
    /** Stream name: lowercase letters, digits and hyphens, starting with a letter (at most 24 characters). */
    readonly name: string;
    /** Where delivered events land: a prefix of the `raw` zone. */
    readonly target: LakeLocation;
    /** How long undelivered events are kept by the stream or queue, in hours. */
    readonly retentionHours: number;
}

export interface DataPipelinesArgs {
    /** The pipelines to run. */
    readonly jobs: PipelineJobSpec[];
    /** Protect and retain what holds data (streams with retention, dead-letter queues). Default: true. */
    readonly protectData?: boolean;
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Outputs every data pipeline implementation exposes. */
export interface DataPipelines {
    /** The runner's name of each pipeline's job (job, task definition family, CronJob), by pipeline name. */
    readonly jobNames: pulumi.Output<Record<string, string>>;
    /** Where events that could not start a run are kept, by pipeline name (queue, topic or container). */
    readonly deadLetters: pulumi.Output<Record<string, string>>;
}

/** Lake URI of a location, given the zone's bucket (or container) URI ending in `/`. */
export function locationUri(zoneUri: string, location: LakeLocation): string {
    return `${zoneUri}${location.prefix}`;
}
