/**
 * Arguments of KubernetesDataPipelines (CronJobs per pipeline, an in-cluster trigger for on-arrival runs),
 * their defaults, the names the component and the data lake share, and the validator. Pure: no SDK at
 * runtime, so the stack config check runs the same validation before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings } from "../accelerators/types";
import { validateLabels, validateNamespaceName } from "../naming/kubernetes";
import { cronProblem } from "../shared/cron";
import { isPinnedImage } from "../shared/images";
import type { MinioCredentials } from "../shared/minio";
import type { ProblemDetail } from "../shared/problems";
import type { DataPipelinesArgs, PipelineJobSpec } from "./contract";
import { WORKLOAD_NAME } from "../shared/naming";

/** The trigger's image: the pinned public Python image the sample model server uses (stdlib only). */
export const DEFAULT_TRIGGER_IMAGE = "python:3.12.12-slim-bookworm";
/** Name of the trigger's Deployment, Service and ServiceAccount in the pipelines namespace. */
export const TRIGGER_NAME = "pipeline-trigger";
/** Port the trigger listens on. */
export const TRIGGER_PORT = 8080;
/** Path MinIO posts bucket notifications to. */
export const TRIGGER_PATH = "/events";
/** Where a job's MinIO credentials are mounted (files `access-key-id`, `secret-access-key`, `credentials`). */
export const CREDENTIALS_DIR = "/etc/mlops/minio";
/** Where the trigger's shared token is mounted (file `token`). */
export const TRIGGER_TOKEN_DIR = "/etc/mlops/trigger";
/** Schedule given to the CronJob of an on-arrival-only pipeline, which is suspended (the CronJob is its template). */
export const SUSPENDED_SCHEDULE = "0 0 1 1 *";
/** Finished on-arrival Jobs are deleted after a day (the CronJob's history limits apply to scheduled runs only). */
export const ARRIVAL_JOB_TTL_SECONDS = 86400;
/** Most retries a Job gets: each retry is a pod restart inside the same deadline. */
export const MAX_RETRIES = 10;

/** Path prefix of the trigger's run endpoint: `POST /run/<pipeline>` starts a Job from the pipeline's CronJob. */
export const RUN_PATH = "/run/";
/** Where the trigger's run token (Airflow's) is mounted (file `run-token`, next to MinIO's `token`). */
export const RUN_TOKEN_FILE = `${TRIGGER_TOKEN_DIR}/run-token`;

/** The in-cluster URL MinIO notifies: the trigger Service in the pipelines namespace. */
export function triggerEndpoint(namespace: string): string {
    return `http://${TRIGGER_NAME}.${namespace}.svc.cluster.local:${TRIGGER_PORT}${TRIGGER_PATH}`;
}

/** What only the created data lake knows: where MinIO is and the pipelines' keys. */
export interface KubernetesLakeRefs {
    /** S3 endpoint of MinIO, e.g. `http://lake.mlops-dev-lake.svc.cluster.local:9000`. */
    readonly endpoint: pulumi.Input<string>;
    /** Per pipeline name, its MinIO user's keys (MinioDataLake.pipelineCredentials). */
    readonly credentials: pulumi.Input<Record<string, MinioCredentials>>;
    /** The token MinIO sends with bucket notifications (MinioDataLake.notificationToken). */
    readonly notificationToken: pulumi.Input<string>;
}

/** Where the Airflow scheduler runs (KubernetesAirflow). */
export interface KubernetesAirflowRef {
    /** The Airflow namespace: its scheduler's pods may call the trigger. */
    readonly namespace: string;
}

export interface KubernetesDataPipelinesArgs extends DataPipelinesArgs {
    /** Namespace the component creates for the jobs and the trigger (restricted Pod Security, default-deny traffic). */
    readonly namespace: string;
    /** Namespace of MinIO: jobs may reach its S3 port, and its servers may reach the trigger. */
    readonly lakeNamespace: string;
    /** The data lake's endpoint, the pipelines' keys and the notification token. */
    readonly lake: KubernetesLakeRefs;
    /**
     * The trigger's files (`trigger.py`, samples/kubernetes/trigger), mounted at /app. Required when any job
     * has `onArrival`. Default: none.
     */
    readonly triggerFiles?: Readonly<Record<string, string>>;
    /** The trigger's image, pinned. Default: "python:3.12.12-slim-bookworm". */
    readonly triggerImage?: string;
    /** Trigger replicas (prod: 2, so a drain or a crash does not stop on-arrival runs). Default: 1. */
    readonly triggerReplicas?: number;
    /**
     * `orchestrator: airflow`: Airflow in this namespace schedules the pipelines. Every CronJob is then
     * suspended (it stays the template of every run), and the trigger also serves `POST /run/<pipeline>`
     * (its own token, generated here) to the Airflow scheduler's pods only. Default: native CronJob schedules.
     */
    readonly airflow?: KubernetesAirflowRef;
    /**
     * Training pipelines the trigger also starts, when a dataset version's manifest is written under their
     * prefix (components/training-pipeline/kubernetes-args.ts `trainingRoutes`): their CronJobs live in the
     * training namespace, whose Role lets the trigger's account start them. Default: [].
     */
    readonly trainingRoutes?: TriggerRoute[];
}

/** A route of the trigger to a CronJob in another namespace, for keys ending in `suffix`, started with MLOPS_TRIGGER=`trigger`. */
export interface TriggerRoute {
    /** The pipeline (or training, `<model>-train`) the route starts. */
    readonly pipeline: string;
    /** The CronJob a run is created from. */
    readonly cronJob: string;
    /** The CronJob's namespace. */
    readonly namespace: string;
    /** The bucket whose new objects start it. */
    readonly bucket: string;
    /** The key prefix in that bucket (`""` or ending in `/`). */
    readonly prefix: string;
    /** The key suffix that starts it, e.g. `/_manifest.json`. */
    readonly suffix: string;
    /** The MLOPS_TRIGGER value the run gets, e.g. `new-data`. */
    readonly trigger: string;
}

/** The catalog's accelerator settings per job (`undefined` for CPU only), or why the catalog refuses it. */
function resolveJob(job: PipelineJobSpec): { settings?: AcceleratorSettings; refusal?: string } {
    if (!job.accelerator) return {};
    try {
        return {
            settings: resolveAccelerator({
                cloud: "kubernetes",
                service: "kubernetes",
                accelerator: job.accelerator,
                distribution: "generic",
            }),
        };
    } catch (e) {
        return { refusal: e instanceof Error ? e.message : String(e) };
    }
}

/** Accelerator settings per job. Call it on valid arguments: a refused request is a problem of the validator. */
export function pipelineAccelerators(args: KubernetesDataPipelinesArgs): (AcceleratorSettings | undefined)[] {
    return args.jobs.map((j) => resolveJob(j).settings);
}

/** S3 URI of a lake location on MinIO (the zone is the bucket). */
export function minioUri(location: { zone: string; prefix: string }): string {
    return `s3://${location.zone}/${location.prefix}`;
}

const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*$/;
/** Env vars the runner sets itself (docs: components/data-pipeline/contract.ts). */
const RESERVED_ENV = /^(MLOPS_|AWS_)/;

function wholeNumber(path: string, value: number, min: number, max: number, unit = ""): ProblemDetail[] {
    if (Number.isInteger(value) && value >= min && value <= max) return [];
    return [{ path, value, message: `must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ""}` }];
}

/** Every problem with the arguments, so one error lists them all. */
export function validateKubernetesDataPipelines(args: KubernetesDataPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [
        ...validateNamespaceName("namespace", args.namespace),
        ...validateNamespaceName("lakeNamespace", args.lakeNamespace),
        ...validateLabels(args.tags ?? {}),
    ];
    if (args.namespace === args.lakeNamespace)
        problems.push({
            path: "namespace",
            value: args.namespace,
            message: "must not be the data lake's namespace",
            fix: "give the pipelines their own namespace",
        });
    args.jobs.forEach((job, i) => {
        const at = `jobs[${i}]`;
        if (!WORKLOAD_NAME.test(job.name))
            problems.push({
                path: `${at}.name`,
                value: job.name,
                message: "is not 1-24 lowercase letters, digits or hyphens, starting with a letter",
            });
        else if (args.jobs.findIndex((j) => j.name === job.name) !== i)
            problems.push({ path: `${at}.name`, value: job.name, message: "is used by another pipeline" });
        if (job.name === TRIGGER_NAME)
            problems.push({ path: `${at}.name`, value: job.name, message: "is the trigger's name", fix: "name the pipeline differently" });
        if (!isPinnedImage(job.image))
            problems.push({
                path: `${at}.image`,
                value: job.image,
                message: "is not pinned to a tag or digest (CKV_K8S_14)",
                fix: "write e.g. `python:3.12.12-slim-bookworm`",
            });
        if (job.command.length === 0)
            problems.push({ path: `${at}.command`, value: job.command, message: "is empty", fix: "write e.g. `[python, /app/etl.py]`" });
        for (const side of ["source", "target"] as const) {
            const loc = job[side];
            if (!PREFIX.test(loc.prefix) || loc.prefix.split("/").some((seg) => seg === "." || seg === ".."))
                problems.push({
                    path: `${at}.${side}`,
                    value: `${loc.zone}/${loc.prefix}`,
                    message: "has a prefix that is not folders ending in `/`",
                });
        }
        if (job.schedule !== undefined) {
            const bad = cronProblem(job.schedule);
            if (bad) problems.push({ path: `${at}.schedule`, value: job.schedule, message: `is not a 5-field cron expression: ${bad}` });
        } else if (!job.onArrival)
            problems.push({
                path: at,
                value: job.name,
                message: "never runs: it has no schedule and onArrival is false",
                fix: "set a schedule, onArrival, or both",
            });
        problems.push(
            ...wholeNumber(`${at}.cpuMillicores`, job.cpuMillicores, 10, 64000, "millicores"),
            ...wholeNumber(`${at}.memoryMiB`, job.memoryMiB, 32, 262144, "MiB"),
            ...wholeNumber(`${at}.timeoutMinutes`, job.timeoutMinutes, 1, 1440, "minutes"),
            ...wholeNumber(`${at}.retries`, job.retries, 0, MAX_RETRIES),
        );
        const refusal = resolveJob(job).refusal;
        if (refusal) problems.push({ path: `${at}.accelerator`, value: job.accelerator, message: refusal });
        for (const key of Object.keys(job.env ?? {}))
            if (RESERVED_ENV.test(key))
                problems.push({
                    path: `${at}.env.${key}`,
                    value: key,
                    message: "is set by the runner (MLOPS_* and AWS_* variables carry the pipeline's contract and credentials)",
                    fix: "use another name",
                });
    });
    const arrivals = args.jobs.some((j) => j.onArrival) || (args.trainingRoutes ?? []).length > 0;
    if ((arrivals || args.airflow) && (!args.triggerFiles || !("trigger.py" in args.triggerFiles)))
        problems.push({
            path: "triggerFiles",
            value: args.triggerFiles ? Object.keys(args.triggerFiles) : undefined,
            message: `must hold trigger.py when ${arrivals ? "a pipeline runs on arrival" : "Airflow starts the pipelines"}`,
            fix: "pass the files of samples/kubernetes/trigger",
        });
    if (args.airflow) {
        problems.push(...validateNamespaceName("airflow.namespace", args.airflow.namespace));
        if (args.airflow.namespace === args.namespace || args.airflow.namespace === args.lakeNamespace)
            problems.push({
                path: "airflow.namespace",
                value: args.airflow.namespace,
                message: "must not be the pipelines' or the data lake's namespace",
                fix: "give Airflow its own namespace",
            });
    }
    const image = args.triggerImage ?? DEFAULT_TRIGGER_IMAGE;
    if (!isPinnedImage(image))
        problems.push({ path: "triggerImage", value: image, message: "is not pinned to a tag or digest (CKV_K8S_14)" });
    problems.push(...wholeNumber("triggerReplicas", args.triggerReplicas ?? 1, 1, 5));
    return problems;
}

/** The Apache Airflow Helm chart's repository (https://airflow.apache.org/docs/helm-chart/). */
export const AIRFLOW_CHART_REPO = "https://airflow.apache.org";
/** Chart version: pinned; its default Airflow is 2.10.5 (chart RELEASE_NOTES, 1.16.0). */
export const AIRFLOW_CHART_VERSION = "1.16.0";
/** The apache/airflow image tag (and `airflowVersion`): the chart version's default, pinned. */
export const AIRFLOW_IMAGE_TAG = "2.10.5";
/**
 * The bundled PostgreSQL's image. The chart's default (`bitnami/postgresql:16.1.0-debian-11-r15`) was moved by
 * Bitnami to the `bitnamilegacy` Docker Hub organisation in 2025; the same tag is pulled from there.
 */
export const AIRFLOW_POSTGRES_IMAGE = { repository: "bitnamilegacy/postgresql", tag: "16.1.0-debian-11-r15" } as const;
/** Helm release name: the chart names its objects from it (`airflow-webserver`, `airflow-postgresql`, ...). */
export const AIRFLOW_RELEASE = "airflow";
/** The Airflow connection the DAGs call the trigger through (env AIRFLOW_CONN_MLOPS_TRIGGER, from a Secret). */
export const AIRFLOW_TRIGGER_CONNECTION = "mlops_trigger";

export interface KubernetesAirflowArgs {
    /** Namespace the component creates for Airflow (restricted Pod Security, default-deny traffic). */
    readonly namespace: string;
    /** Namespace of the pipelines (their CronJobs and the trigger the DAGs call). */
    readonly pipelinesNamespace: string;
    /** The pipelines: one DAG each, on its schedule (none: a DAG you trigger by hand). */
    readonly jobs: PipelineJobSpec[];
    /** The token the trigger expects on `POST /run/<pipeline>` (KubernetesDataPipelines.runToken). */
    readonly runToken: pulumi.Input<string>;
    /** Size of the bundled PostgreSQL's volume (the metadata database: DAG runs, task history). Default: 8. */
    readonly databaseVolumeGiB?: number;
    /** StorageClass of the database and task-log volumes. Default: the cluster's default StorageClass. */
    readonly storageClass?: string;
    /** Size of the scheduler's task-log volume (LocalExecutor runs the tasks in the scheduler). Default: 5. */
    readonly logVolumeGiB?: number;
    /** Protect the release and retain the namespace (the database's volume) on delete. Default: true. */
    readonly protectData?: boolean;
    /** Labels put on every object the component creates itself. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the arguments, so one error lists them all. */
export function validateKubernetesAirflow(args: KubernetesAirflowArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [
        ...validateNamespaceName("namespace", args.namespace),
        ...validateNamespaceName("pipelinesNamespace", args.pipelinesNamespace),
        ...validateLabels(args.tags ?? {}),
    ];
    if (args.namespace === args.pipelinesNamespace)
        problems.push({
            path: "namespace",
            value: args.namespace,
            message: "must not be the pipelines' namespace",
            fix: "give Airflow its own namespace",
        });
    if (args.jobs.length === 0)
        problems.push({ path: "jobs", value: [], message: "is empty: Airflow would schedule nothing", fix: "add a pipeline job" });
    args.jobs.forEach((job, i) => {
        if (!WORKLOAD_NAME.test(job.name))
            problems.push({
                path: `jobs[${i}].name`,
                value: job.name,
                message: "is not 1-24 lowercase letters, digits or hyphens, starting with a letter (it is the DAG id and the run path)",
            });
        if (job.schedule !== undefined) {
            const bad = cronProblem(job.schedule);
            if (bad)
                problems.push({ path: `jobs[${i}].schedule`, value: job.schedule, message: `is not a 5-field cron expression: ${bad}` });
        }
        problems.push(
            ...wholeNumber(`jobs[${i}].timeoutMinutes`, job.timeoutMinutes, 1, 1440, "minutes"),
            ...wholeNumber(`jobs[${i}].retries`, job.retries, 0, MAX_RETRIES),
        );
    });
    problems.push(
        ...wholeNumber("databaseVolumeGiB", args.databaseVolumeGiB ?? 8, 1, 1024, "GiB"),
        ...wholeNumber("logVolumeGiB", args.logVolumeGiB ?? 5, 1, 1024, "GiB"),
    );
    if (args.storageClass !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(args.storageClass))
        problems.push({ path: "storageClass", value: args.storageClass, message: "is not a StorageClass name (a DNS subdomain)" });
    return problems;
}
