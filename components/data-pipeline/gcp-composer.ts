/**
 * Pure pieces of the Cloud Composer orchestrator (`mlops:pipelines.orchestrator: airflow` on GCP): the DAG
 * each pipeline gets, and where the environment reads DAGs from. No resources are created here.
 *
 * Sources: airflow.apache.org/docs/apache-airflow-providers-google (CloudRunExecuteJobOperator: project_id,
 * region, job_name, and `overrides` since provider 10.11.0, apache/airflow#34874; Composer 2 images of 2026
 * ship provider 22.x); cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs/run (overrides:
 * containerOverrides[].env, merged into the job's environment; they need run.jobs.runWithOverrides);
 * cloud.google.com/composer/docs/composer-2/manage-dags (DAG files go under the `dags/` folder of the
 * environment's bucket, `config.dagGcsPrefix`).
 */
import type { AirflowDagSpec } from "./airflow-dag";
import type { ComposerPipeline } from "./gcp-args";

/** The operator that starts a Cloud Run job and waits for its execution. */
export const CLOUD_RUN_OPERATOR = {
    module: "airflow.providers.google.cloud.operators.cloud_run",
    operator: "CloudRunExecuteJobOperator",
} as const;

/** Minutes a run may take to start (image pull, scheduling) on top of its tasks' own timeouts. */
const START_MINUTES = 10;

/**
 * The DAG of one pipeline: its schedule, one task that runs the pipeline's Cloud Run job with
 * MLOPS_TRIGGER=schedule (as Cloud Scheduler's runs are). Cloud Run retries a failed task itself
 * (the job's maxRetries), so the DAG does not retry on top of it; its timeout covers every attempt.
 */
export function composerDagSpec(pipeline: ComposerPipeline, target: { project: string; region: string; job: string }): AirflowDagSpec {
    return {
        dagId: pipeline.name,
        description: pipeline.description,
        schedule: pipeline.schedule,
        retries: 0,
        timeoutMinutes: pipeline.timeoutMinutes * (pipeline.retries + 1) + START_MINUTES,
        task: {
            ...CLOUD_RUN_OPERATOR,
            kwargs: {
                project_id: target.project,
                region: target.region,
                job_name: target.job,
                // The container is named `job` (CloudRunPipelines); env overrides merge into the job's own.
                overrides: { container_overrides: [{ name: "job", env: [{ name: "MLOPS_TRIGGER", value: "schedule" }] }] },
            },
        },
    };
}

/** The DAG file's object name: under the `dags/` folder the environment reads. */
export function dagObjectName(dagGcsPrefix: string, pipeline: string): string {
    const folder = parseGcsPrefix(dagGcsPrefix).prefix;
    return `${folder}/${pipeline}.py`;
}

/** `gs://<bucket>/<folder>` (the environment's `config.dagGcsPrefix`) as its bucket and folder. */
export function parseGcsPrefix(uri: string): { bucket: string; prefix: string } {
    const m = /^gs:\/\/([^/]+)\/(.+?)\/?$/.exec(uri);
    if (!m) throw new Error(`not a Cloud Storage folder URI (gs://bucket/folder): ${uri}`);
    return { bucket: m[1], prefix: m[2] };
}
