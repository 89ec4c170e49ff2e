/**
 * Builder pieces of KubernetesAirflow (the Apache Airflow Helm chart): the chart's values, the DAG files and
 * the Airflow connection to the pipelines' trigger. Pure: no SDK at runtime, so tests read the exact values.
 * Chart keys are those of the chart version pinned in kubernetes-args.ts (AIRFLOW_CHART_VERSION).
 */
import { airflowDag } from "./airflow-dag";
import type { PipelineJobSpec } from "./contract";
import {
    AIRFLOW_IMAGE_TAG,
    AIRFLOW_POSTGRES_IMAGE,
    AIRFLOW_RELEASE,
    AIRFLOW_TRIGGER_CONNECTION,
    RUN_PATH,
    TRIGGER_NAME,
    TRIGGER_PORT,
} from "./kubernetes-args";

/** The apache/airflow image's user (uid 50000, gid 0: the image's files are group 0). */
export const AIRFLOW_UID = 50000;
/** The bundled (Bitnami) PostgreSQL image's user. */
export const POSTGRES_UID = 1001;
/** Where the chart's Airflow reads DAGs (`{{ .Values.airflowHome }}/dags`). */
export const AIRFLOW_DAGS_DIR = "/opt/airflow/dags";
/** Env var the chart sets on every Airflow container from the connection Secret (Airflow reads AIRFLOW_CONN_<ID>). */
export const AIRFLOW_CONNECTION_ENV = `AIRFLOW_CONN_${AIRFLOW_TRIGGER_CONNECTION.toUpperCase()}`;

/**
 * `.airflowignore` of the DAGs ConfigMap: a mounted ConfigMap also holds its files under `..data/` and a
 * timestamped `..<date>/` directory; without this each DAG would be found twice (a duplicate DAG id error).
 */
export const AIRFLOWIGNORE = "^\\.\\.\n";

/** The DAG file name of a pipeline. */
export function dagFileName(pipeline: string): string {
    return `${pipeline}.py`;
}

/**
 * One DAG per pipeline: on the pipeline's schedule, its one task asks the trigger to start the Job the
 * pipeline's CronJob defines (`POST /run/<pipeline>`), through the connection whose extra carries the
 * Authorization header (HttpHook sends a connection's extra fields as headers), so no token is in the DAG.
 * The task succeeds once the Job exists; the run itself is the Job's (its retries and deadline).
 */
export function kubernetesAirflowDags(jobs: readonly PipelineJobSpec[]): Record<string, string> {
    const files: Record<string, string> = { ".airflowignore": AIRFLOWIGNORE };
    for (const job of jobs) {
        files[dagFileName(job.name)] = airflowDag({
            dagId: job.name,
            description: `${job.source.zone}/${job.source.prefix} -> ${job.target.zone}/${job.target.prefix}`,
            schedule: job.schedule,
            // The call is retried; the Job's own retries are its backoffLimit.
            retries: Math.max(job.retries, 1),
            // Starting a Job takes seconds; the run's deadline is the Job's activeDeadlineSeconds.
            timeoutMinutes: 5,
            task: {
                module: "airflow.providers.http.operators.http",
                operator: "HttpOperator",
                kwargs: {
                    http_conn_id: AIRFLOW_TRIGGER_CONNECTION,
                    endpoint: `${RUN_PATH}${job.name}`,
                    method: "POST",
                    log_response: true,
                },
            },
        });
    }
    return files;
}

/** The trigger's connection as Airflow's JSON connection format (AIRFLOW_CONN_*), with the token as a header. */
export function triggerConnectionJson(pipelinesNamespace: string, token: string): string {
    return JSON.stringify({
        conn_type: "http",
        host: `${TRIGGER_NAME}.${pipelinesNamespace}.svc.cluster.local`,
        schema: "http",
        port: TRIGGER_PORT,
        extra: { Authorization: `Bearer ${token}` },
    });
}

/** A Fernet key from 32 random bytes in standard base64: the same bytes in URL-safe base64, with padding. */
export function fernetKey(base64: string): string {
    return base64.replace(/\+/g, "-").replace(/\//g, "_");
}

/** The metadata database's SQLAlchemy URL (the bundled PostgreSQL's Service is `<release>-postgresql`). */
export function metadataConnectionUrl(namespace: string, password: string): string {
    return `postgresql://postgres:${encodeURIComponent(password)}@${AIRFLOW_RELEASE}-postgresql.${namespace}:5432/postgres?sslmode=disable`;
}

export interface AirflowChartSecrets {
    /** Secret with key `fernet-key`. */
    readonly fernetKey: string;
    /** Secret with key `webserver-secret-key`. */
    readonly webserverSecretKey: string;
    /** Secret with key `connection` (the metadata database URL). */
    readonly metadata: string;
    /** Secret with key `postgres-password` (the bundled PostgreSQL's admin password). */
    readonly postgres: string;
    /** Secret with key `connection` (the trigger's Airflow connection). */
    readonly triggerConnection: string;
    /** ConfigMap with the DAG files. */
    readonly dags: string;
}

/** Pod security context of every Airflow pod: the restricted profile's pod fields. */
export function airflowPodSecurityContext(): Record<string, unknown> {
    return {
        runAsNonRoot: true,
        runAsUser: AIRFLOW_UID,
        runAsGroup: 0,
        fsGroup: 0,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Container security context of every Airflow container. Not read-only: Airflow and gunicorn write under
 * AIRFLOW_HOME and /tmp in the image (the restricted profile does not require a read-only root).
 */
export function airflowContainerSecurityContext(): Record<string, unknown> {
    return {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * The chart's values: LocalExecutor (tasks run in the scheduler: no Redis, no workers, no pod-launching
 * RBAC), the bundled PostgreSQL on a persistent volume with a generated password, keys from Secrets, the web
 * server as a ClusterIP Service without a default user, DAGs from a ConfigMap (no DAG volume, no git-sync),
 * the chart's optional parts off, and restricted security contexts everywhere the chart takes them.
 */
export function airflowChartValues(
    args: { namespace: string; databaseVolumeGiB: number; logVolumeGiB: number; storageClass?: string },
    names: AirflowChartSecrets,
): Record<string, unknown> {
    const storageClass = args.storageClass === undefined ? {} : { storageClassName: args.storageClass };
    return {
        executor: "LocalExecutor",
        airflowVersion: AIRFLOW_IMAGE_TAG,
        defaultAirflowRepository: "apache/airflow",
        defaultAirflowTag: AIRFLOW_IMAGE_TAG,
        images: { airflow: { repository: "apache/airflow", tag: AIRFLOW_IMAGE_TAG, pullPolicy: "IfNotPresent" } },
        fernetKeySecretName: names.fernetKey,
        webserverSecretKeySecretName: names.webserverSecretKey,
        data: { metadataSecretName: names.metadata },
        secret: [{ envName: AIRFLOW_CONNECTION_ENV, secretName: names.triggerConnection, secretKey: "connection" }],
        securityContexts: { pod: airflowPodSecurityContext(), containers: airflowContainerSecurityContext() },
        networkPolicies: { enabled: false },
        dags: { persistence: { enabled: false }, gitSync: { enabled: false } },
        volumes: [{ name: "dags", configMap: { name: names.dags } }],
        volumeMounts: [{ name: "dags", mountPath: AIRFLOW_DAGS_DIR, readOnly: true }],
        config: {
            core: { load_examples: "False", dags_are_paused_at_creation: "False" },
            webserver: { expose_config: "False" },
        },
        webserver: {
            replicas: 1,
            service: { type: "ClusterIP" },
            defaultUser: { enabled: false },
            resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        },
        scheduler: {
            replicas: 1,
            resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        },
        // With LocalExecutor the scheduler is a StatefulSet whose task-log volume comes from these settings.
        workers: { persistence: { enabled: true, size: `${args.logVolumeGiB}Gi`, ...storageClass } },
        logs: { persistence: { enabled: false } },
        triggerer: { enabled: false },
        dagProcessor: { enabled: false },
        redis: { enabled: false },
        statsd: { enabled: false },
        pgbouncer: { enabled: false },
        flower: { enabled: false },
        ingress: { web: { enabled: false }, flower: { enabled: false } },
        postgresql: {
            enabled: true,
            image: { ...AIRFLOW_POSTGRES_IMAGE },
            auth: { existingSecret: names.postgres },
            primary: {
                persistence: {
                    enabled: true,
                    size: `${args.databaseVolumeGiB}Gi`,
                    ...(args.storageClass === undefined ? {} : { storageClass: args.storageClass }),
                },
                podSecurityContext: { enabled: true, fsGroup: POSTGRES_UID, seccompProfile: { type: "RuntimeDefault" } },
                containerSecurityContext: {
                    enabled: true,
                    runAsUser: POSTGRES_UID,
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            },
            volumePermissions: { enabled: false },
        },
    };
}
