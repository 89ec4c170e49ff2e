/**
 * Pure pieces of the Cloud Run jobs pipelines: the job's environment (the data-pipeline contract), the IAM
 * conditions that scope its storage roles to its prefixes, the Run Admin API call Cloud Scheduler makes,
 * the workflow that turns a Cloud Storage event into a run, and the alert conditions on failed runs and
 * arrivals (one each across every pipeline of the stack). No
 * resources are created here.
 *
 * Sources: cloud.google.com/run/docs/execute/jobs-on-schedule (Scheduler -> `jobs/<job>:run` with an OAuth
 * token); cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs/run (overrides need
 * `run.jobs.runWithOverrides`); cloud.google.com/storage/docs/access-control/iam (IAM Conditions on
 * `resource.name`, object names `projects/_/buckets/<b>/objects/<o>`); cloud.google.com/eventarc/docs/workflows/
 * route-trigger-cloud-storage (the event reaches the workflow as its argument, `event.data.name`);
 * cloud.google.com/monitoring/api/metrics_gcp (run.googleapis.com/job/completed_execution_count with label
 * `result`, workflows.googleapis.com/finished_execution_count with label `status`).
 */
import type { LakeLocation, PipelineJobSpec } from "./contract";
import { AlertSignal, anyIncreaseQuery, promqlExactNames } from "../observability/gcp-conditions";

export const APP_PATH = "/app";
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
export const STORAGE_FINALIZED = "google.cloud.storage.object.v1.finalized";

/** The Run Admin API v2 URL that starts one execution of a job. */
export function runJobUri(project: string, region: string, job: string): string {
    return `https://run.googleapis.com/v2/projects/${project}/locations/${region}/jobs/${job}:run`;
}

/** The job's environment: the data-pipeline contract plus the pipeline's own plain variables. */
export function jobEnv(job: PipelineJobSpec, sourceUri: string, targetUri: string): Record<string, string> {
    const digest = /@(sha256:[0-9a-f]{64})$/.exec(job.image)?.[1];
    return {
        ...job.env,
        MLOPS_PIPELINE: job.name,
        MLOPS_SOURCE_URI: sourceUri,
        MLOPS_TARGET_URI: targetUri,
        // Scheduled runs start the job as it is; the arrival workflow overrides this with `arrival`.
        MLOPS_TRIGGER: "schedule",
        ...(digest ? { MLOPS_IMAGE_DIGEST: digest } : {}),
    };
}

/** `gs://<bucket>/<prefix>`: where a location is, given its zone's bucket. */
export function gsUri(bucket: string, location: LakeLocation): string {
    return `gs://${bucket}/${location.prefix}`;
}

/**
 * The IAM condition that limits an object role to one prefix of a bucket. Object-level permissions
 * (get, create) are checked against the object's name, so they honour it; `storage.objects.list` is
 * checked against the bucket, whose name never starts with `.../objects/`, so a conditioned role never
 * grants listing: that is granted separately (legacyBucketReader on the bucket, names only).
 */
export function prefixCondition(bucket: string, prefix: string, title: string): { title: string; description: string; expression: string } {
    return {
        title,
        description: `objects under gs://${bucket}/${prefix} only`,
        expression: `resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}")`,
    };
}

/** The roles a pipeline's job account gets on the lake: read its source, read and create under its target. */
export const JOB_STORAGE_ROLES = {
    sourceRead: "roles/storage.objectViewer",
    targetRead: "roles/storage.objectViewer",
    targetCreate: "roles/storage.objectCreator",
    /** storage.buckets.get and storage.objects.list (object names, not contents) on the buckets it uses. */
    list: "roles/storage.legacyBucketReader",
} as const;

/** A YAML/JSON string literal (JSON is YAML). */
const lit = (s: string) => JSON.stringify(s);

/**
 * The workflow an Eventarc "object finalized" trigger starts: it ignores objects outside the source
 * prefix (Eventarc filters Cloud Storage events by bucket only), starts the job with MLOPS_TRIGGER=arrival
 * (retrying the Run API on transient errors), and when the run cannot be started publishes the event to
 * the dead-letter topic and fails (which alerts).
 */
export function arrivalWorkflow(w: {
    project: string;
    region: string;
    job: string;
    bucket: string;
    prefix: string;
    deadLetterTopic: string;
    pipeline: string;
}): string {
    const escaped = w.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return [
        "main:",
        "  params: [event]",
        "  steps:",
        "    - init:",
        "        assign:",
        "          - object: ${event.data.name}",
        "          - bucket: ${event.data.bucket}",
        "    - filter:",
        "        switch:",
        `          - condition: \${bucket != ${lit(w.bucket)} or not(text.match_regex(object, ${lit(`^${escaped}`)})) or text.match_regex(object, "/$")}`,
        "            next: ignore",
        "    - run:",
        "        try:",
        "          call: googleapis.run.v2.projects.locations.jobs.run",
        "          args:",
        `            name: ${lit(`projects/${w.project}/locations/${w.region}/jobs/${w.job}`)}`,
        "            body:",
        "              overrides:",
        "                containerOverrides:",
        "                  - env:",
        "                      - name: MLOPS_TRIGGER",
        "                        value: arrival",
        "            connector_params:",
        "              skip_polling: true",
        "          result: operation",
        "        retry:",
        "          predicate: ${http.default_retry_predicate}",
        "          max_retries: 5",
        "          backoff:",
        "            initial_delay: 2",
        "            max_delay: 60",
        "            multiplier: 2",
        "        except:",
        "          as: e",
        "          steps:",
        "            - deadLetter:",
        "                call: googleapis.pubsub.v1.projects.topics.publish",
        "                args:",
        `                  topic: ${lit(`projects/${w.project}/topics/${w.deadLetterTopic}`)}`,
        "                  body:",
        "                    messages:",
        "                      - data: ${base64.encode(json.encode(event))}",
        "                        attributes:",
        `                          pipeline: ${lit(w.pipeline)}`,
        "                          object: ${object}",
        "            - failed:",
        "                raise: ${e}",
        "    - started:",
        "        return: ${operation.name}",
        "    - ignore:",
        "        return: ignored",
        "",
    ].join("\n");
}

/**
 * A pipeline run failed: a failed execution of one of these Cloud Run jobs in the last 5 minutes, one series
 * per job (`job_name`).
 */
export function failedRunsSignal(jobs: readonly string[]): AlertSignal {
    return {
        description: "a pipeline run failed (`job_name`: the Cloud Run job)",
        query: anyIncreaseQuery(
            "run.googleapis.com/job/completed_execution_count",
            "cloud_run_job",
            [promqlExactNames("job_name", jobs), 'result="failed"'],
            ["job_name"],
        ),
    };
}

/**
 * An arrival workflow failed: the run could not be started. The workflow first publishes the event to its
 * pipeline's dead-letter topic, then fails, so this also covers every dead-lettered event (the topic has no
 * other publisher). One series per workflow (`workflow_id`).
 */
export function failedArrivalsSignal(workflows: readonly string[]): AlertSignal {
    return {
        description: "an arrival could not start a run (`workflow_id`: the workflow; the event is in the pipeline's dead-letter topic)",
        query: anyIncreaseQuery(
            "workflows.googleapis.com/finished_execution_count",
            "workflows.googleapis.com/Workflow",
            [promqlExactNames("workflow_id", workflows), 'status="FAILED"'],
            ["workflow_id"],
        ),
    };
}

/** Log entries of the pipelines' jobs and workflows (routed to the CMEK log bucket). */
export function pipelineLogFilter(jobs: readonly string[], workflows: readonly string[]): string {
    const any = (values: readonly string[]) => values.map((v) => `"${v}"`).join(" OR ");
    const parts = [`(resource.type = "cloud_run_job" AND resource.labels.job_name = (${any(jobs)}))`];
    if (workflows.length > 0)
        parts.push(`(resource.type = "workflows.googleapis.com/Workflow" AND resource.labels.workflow_id = (${any(workflows)}))`);
    return parts.join(" OR ");
}
