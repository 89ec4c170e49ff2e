import { runDag as runAirflowDag } from "../harness/airflow";
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { KubernetesAirflow, KubernetesDataPipelines } from "../../components/data-pipeline/kubernetes";
import { KubernetesAirflowArgs, KubernetesDataPipelinesArgs, triggerEndpoint } from "../../components/data-pipeline/kubernetes-args";
import { MinioDataLake } from "../../components/data-lake/kubernetes";
import { MinioDataLakeArgs } from "../../components/data-lake/kubernetes-args";
import { NOTIFY_ARN, pipelinePolicyJson, setupScript } from "../../components/data-lake/kubernetes-minio";
import { fernetKey, metadataConnectionUrl, triggerConnectionJson } from "../../components/data-pipeline/kubernetes-airflow";
import { buildKubernetesStack } from "../../stacks/clouds/kubernetes";
import { SECRET } from "../../stacks/plan/capture";
import { parseStackConfig } from "../../stacks/config/parse";
import { CapturedResource, captureResources, ofType, only, podSpec, rejectedBuild } from "../harness";

const NS = "mlops-t-pipelines";
const LAKE_NS = "mlops-t-lake";
const job = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    files: { "etl.py": "print('etl')\n" },
    source: { zone: "raw", prefix: "iris/" },
    target: { zone: "curated", prefix: "iris/" },
    schedule: "0 3 * * *",
    onArrival: true,
    cpuMillicores: 500,
    memoryMiB: 1024,
    timeoutMinutes: 30,
    retries: 2,
};
const args: KubernetesDataPipelinesArgs = {
    namespace: NS,
    lakeNamespace: LAKE_NS,
    jobs: [
        job,
        {
            ...job,
            name: "nightly",
            source: { zone: "raw", prefix: "events/" },
            target: { zone: "features", prefix: "events/" },
            onArrival: false,
        },
    ],
    lake: {
        endpoint: "http://lake.mlops-t-lake.svc.cluster.local:9000",
        credentials: {
            "iris-etl": { accessKeyId: "pipeline-iris-etl", secretAccessKey: "s1" },
            nightly: { accessKeyId: "pipeline-nightly", secretAccessKey: "s2" },
        },
        notificationToken: "tok",
    },
    triggerFiles: { "trigger.py": "print('trigger')\n" },
};

async function build(a: KubernetesDataPipelinesArgs = args): Promise<CapturedResource[]> {
    return (await captureResources(() => new KubernetesDataPipelines("pipelines", a))).resources;
}
const envOf = (container: any): Record<string, string> => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
const cronPod = (r: CapturedResource): any => r.inputs.spec.jobTemplate.spec.template.spec;

describe("KubernetesDataPipelines (kubernetes cronjob)", () => {
    let resources: CapturedResource[];
    before(async () => {
        resources = await build();
    });

    it("runs each pipeline as a CronJob: its schedule in UTC, no overlapping runs, deadline and retries from the spec", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "pipelines-iris-etl-cronjob");
        assert.equal(cron.inputs.metadata.namespace, NS);
        assert.equal(cron.inputs.spec.schedule, "0 3 * * *");
        assert.equal(cron.inputs.spec.timeZone, "Etc/UTC");
        assert.equal(cron.inputs.spec.suspend, false);
        assert.equal(cron.inputs.spec.concurrencyPolicy, "Forbid");
        assert.equal(cron.inputs.spec.jobTemplate.spec.activeDeadlineSeconds, 1800);
        assert.equal(cron.inputs.spec.jobTemplate.spec.backoffLimit, 2);
    });

    it("runs the job restricted, with the contract's environment, its files at /app and its MinIO keys as files only", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "pipelines-iris-etl-cronjob");
        const pod = cronPod(cron);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.restartPolicy, "Never");
        const c = pod.containers[0];
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(c.resources, { requests: { cpu: "500m", memory: "1024Mi" }, limits: { cpu: "500m", memory: "1024Mi" } });
        const env = envOf(c);
        assert.equal(env.MLOPS_PIPELINE, "iris-etl");
        assert.equal(env.MLOPS_SOURCE_URI, "s3://raw/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "s3://curated/iris/");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.equal(env.MLOPS_S3_ENDPOINT, "http://lake.mlops-t-lake.svc.cluster.local:9000");
        assert.ok(
            c.env.every((e: any) => e.valueFrom === undefined),
            "no secret reaches the environment from the pod spec",
        );
        assert.deepEqual(c.command.slice(3), ["python", "/app/etl.py"]);
        assert.match(c.command[2], /cat \/etc\/mlops\/minio\/access-key-id/);
        assert.equal(only(resources, "kubernetes:core/v1:Secret", "pipelines-iris-etl-credentials").inputs.metadata.name, "iris-etl-minio");
        assert.ok(pod.volumes.some((v: any) => v.name === "credentials" && v.secret && v.secret.defaultMode === 0o440));
        const files = only(resources, "kubernetes:core/v1:ConfigMap", "pipelines-iris-etl-files");
        assert.equal(files.inputs.immutable, true);
        assert.ok(c.volumeMounts.some((m: any) => m.mountPath === "/app" && m.readOnly));
    });

    it("gives the trigger RBAC to create Jobs and read only the on-arrival CronJobs, in its namespace only", () => {
        const role = only(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.equal(role.inputs.metadata.namespace, NS);
        assert.deepEqual(role.inputs.rules, [
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
            { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get"], resourceNames: ["iris-etl"] },
        ]);
        assert.equal(ofType(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
        const trigger = only(resources, "kubernetes:apps/v1:Deployment", "pipelines-trigger");
        const pod = podSpec(trigger);
        assert.equal(pod.automountServiceAccountToken, false, "a projected, expiring token instead");
        assert.equal(pod.volumes.find((v: any) => v.name === "kube-api").projected.sources[0].serviceAccountToken.expirationSeconds, 3600);
        const env = envOf(pod.containers[0]);
        assert.deepEqual(JSON.parse(env.MLOPS_TRIGGER_ROUTES), [
            { pipeline: "iris-etl", cronJob: "iris-etl", bucket: "raw", prefix: "iris/" },
        ]);
        assert.ok(pod.containers[0].readinessProbe && pod.containers[0].livenessProbe);
        assert.equal(only(resources, "kubernetes:core/v1:Service", "pipelines-trigger-service").inputs.spec.type, "ClusterIP");
    });

    it("denies all traffic but jobs to MinIO's S3 port, MinIO to the trigger, the trigger to the API server, and DNS", () => {
        const deny = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-deny-all");
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const lake = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-allow-lake");
        assert.deepEqual(lake.inputs.spec.egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": LAKE_NS } } }],
                ports: [{ protocol: "TCP", port: 9000 }],
            },
        ]);
        const trigger = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-trigger-netpol");
        assert.deepEqual(trigger.inputs.spec.ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": LAKE_NS } } },
        ]);
    });

    it("builds no trigger when no pipeline runs on arrival, and suspends an on-arrival-only CronJob", async () => {
        const scheduled = await build({ ...args, jobs: [{ ...job, onArrival: false }], triggerFiles: undefined });
        assert.equal(ofType(scheduled, "kubernetes:apps/v1:Deployment").length, 0);
        const arrivalOnly = await build({ ...args, jobs: [{ ...job, schedule: undefined }] });
        const cron = only(arrivalOnly, "kubernetes:batch/v1:CronJob");
        assert.equal(cron.inputs.spec.suspend, true);
    });

    it("fails when a job is unbounded, unpinned, reserved-env or the trigger is missing: every problem, nothing registered", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new KubernetesDataPipelines("pipelines", {
                    ...args,
                    namespace: "default",
                    jobs: [
                        { ...job, image: "python", retries: 11, timeoutMinutes: 0, schedule: "every day", env: { AWS_ACCESS_KEY_ID: "x" } },
                    ],
                    triggerFiles: {},
                }),
            'KubernetesDataPipelines "pipelines"',
        );
        assert.deepEqual(registered, []);
        for (const part of [
            "namespace: must not be the `default` namespace",
            "jobs[0].image: is not pinned",
            "jobs[0].retries: must be a whole number from 0 to 10",
            "jobs[0].timeoutMinutes: must be a whole number from 1 to 1440",
            "jobs[0].schedule: is not a 5-field cron expression",
            "jobs[0].env.AWS_ACCESS_KEY_ID: is set by the runner",
            "triggerFiles: must hold trigger.py",
        ])
            assert.ok(message.includes(part), `${part}\n${message}`);
    });
});

describe("MinioDataLake pipeline users and notifications (kubernetes)", () => {
    const lakeArgs: MinioDataLakeArgs = {
        namespace: LAKE_NS,
        zones: ["raw", "curated", "features", "models"],
        pipelines: [
            { name: "iris-etl", source: { zone: "raw", prefix: "iris/" }, target: { zone: "curated", prefix: "iris/" }, onArrival: true },
        ],
        pipelineTrigger: { endpoint: triggerEndpoint(NS), namespace: NS, port: 8080 },
    };

    it("scopes each pipeline's MinIO user to its prefixes: list+get on the source, list+get+put on the target, no wildcard", () => {
        const doc = JSON.parse(pipelinePolicyJson(lakeArgs.pipelines![0]));
        assert.deepEqual(doc.Statement, [
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::raw"],
                Condition: { StringLike: { "s3:prefix": ["iris/*"] } },
            },
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: ["arn:aws:s3:::raw/iris/*"] },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::curated"],
                Condition: { StringLike: { "s3:prefix": ["iris/*"] } },
            },
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource: ["arn:aws:s3:::curated/iris/*"] },
        ]);
    });

    it("notifies the trigger of new objects under the source prefix only, and leaves the script as it was without pipelines", () => {
        const script = setupScript({
            host: "h",
            zones: ["raw"],
            modelsZone: "raw",
            noncurrentVersionRetentionDays: 30,
            pipelines: lakeArgs.pipelines,
        });
        assert.match(script, new RegExp(`mc event add lake/raw ${NOTIFY_ARN.replace(/[:]/g, ":")} --event put --prefix 'iris/'`));
        assert.match(script, /mc admin user add lake pipeline-iris-etl "\$\(cat \/etc\/minio\/pipelines\/iris-etl\)"/);
        const without = setupScript({ host: "h", zones: ["raw"], modelsZone: "raw", noncurrentVersionRetentionDays: 30 });
        assert.doesNotMatch(without, /pipeline|mc event/);
    });

    it("configures MinIO's webhook with a queue, its token from a mounted file, and egress to the trigger only", async () => {
        const { resources } = await captureResources(() => new MinioDataLake("lake", lakeArgs));
        const sts = only(resources, "kubernetes:apps/v1:StatefulSet");
        const env = envOf(podSpec(sts).containers[0]);
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_ENABLE_PIPELINES, "on");
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_PIPELINES, `http://pipeline-trigger.${NS}.svc.cluster.local:8080/events`);
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_PIPELINES, "/tmp/notify-queue");
        assert.equal(env.MINIO_CONFIG_ENV_FILE, "/etc/minio/notify/config.env");
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_PIPELINES, undefined, "the token is not in the pod spec");
        const notify = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "lake-allow-notify");
        assert.deepEqual(notify.inputs.spec.egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        const policies = only(resources, "kubernetes:core/v1:ConfigMap", "lake-pipeline-policies");
        assert.equal(policies.inputs.metadata.labels["mlops.dev/minio-policies"], "true");
    });

    it("fails when an on-arrival pipeline has no trigger, or a pipeline writes the models zone", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new MinioDataLake("lake", {
                    ...lakeArgs,
                    pipelines: [{ ...lakeArgs.pipelines![0], target: { zone: "models", prefix: "x/" } }],
                    pipelineTrigger: undefined,
                }),
            'MinioDataLake "lake"',
        );
        assert.deepEqual(registered, []);
        assert.ok(message.includes("pipelineTrigger: is required"), message);
        assert.ok(message.includes("pipelines[0].target.zone: is the models zone"), message);
    });
});

describe("Kubernetes pipelines config (checkKubernetesPipelines through parseStackConfig)", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const parse = (values: Record<string, unknown>) =>
        parseStackConfig(
            Object.fromEntries(
                Object.entries({ cloud: "kubernetes", environment: "dev", ...values }).map(([k, v]) => [
                    `mlops:${k}`,
                    typeof v === "string" ? v : JSON.stringify(v),
                ]),
            ),
            { project: "mlops", stack: "t", projectRoot: ROOT },
        );
    const sample = {
        name: "iris-etl",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };

    it("accepts the sample pipeline", () => {
        assert.equal(parse({ pipelines: { jobs: [sample] } }).pipelines.jobs.length, 1);
    });

    it("rejects pipeline problems at the user's keys, with another section's problem, in one error", () => {
        let error: unknown;
        try {
            parse({
                dataLake: { minio: { volumeSizeGiB: 0 } },
                pipelines: {
                    jobs: [{ ...sample, target: "models/iris/", env: { MLOPS_TRIGGER: "x" } }],
                    streams: [{ name: "events", target: "raw/events/" }],
                },
            });
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof ValidationError, String(error));
        const problems = error.problems;
        const has = (text: string) =>
            assert.ok(
                problems.some((p) => p.includes(text)),
                `${text}\n${problems.join("\n")}`,
            );
        has("mlops:pipelines.jobs[0].target: is the models zone, which only MLflow writes");
        has("mlops:pipelines.jobs[0].env.MLOPS_TRIGGER: is set by the runner");
        has("mlops:pipelines.streams: is not offered when mlops:cloud is kubernetes");
        has("mlops:dataLake.minio.volumeSizeGiB");
    });
});

describe("Airflow on Kubernetes (orchestrator: airflow, the Apache Airflow Helm chart)", () => {
    const AIRFLOW_NS = "mlops-t-airflow";
    const withAirflow: KubernetesDataPipelinesArgs = { ...args, airflow: { namespace: AIRFLOW_NS } };
    const airflowArgs: KubernetesAirflowArgs = {
        namespace: AIRFLOW_NS,
        pipelinesNamespace: NS,
        jobs: [job, { ...args.jobs[1], schedule: undefined, onArrival: true }],
        runToken: "run-tok",
    };
    let pipelines: CapturedResource[];
    let airflow: CapturedResource[];
    before(async () => {
        pipelines = await build(withAirflow);
        airflow = (await captureResources(() => new KubernetesAirflow("airflow", airflowArgs))).resources;
    });

    /** What a generated DAG declares, run against the stand-in airflow package (tests/harness/airflow.ts). */
    const runDag = (dag: string) => runAirflowDag(dag, ["airflow.providers.http.operators.http.HttpOperator"]);

    it("suspends every CronJob (it stays the template) and keeps the on-arrival trigger", () => {
        for (const r of ofType(pipelines, "kubernetes:batch/v1:CronJob")) assert.equal(r.inputs.spec.suspend, true, r.name);
        assert.equal(only(pipelines, "kubernetes:batch/v1:CronJob", "pipelines-iris-etl-cronjob").inputs.spec.schedule, "0 3 * * *");
        const env = envOf(podSpec(only(pipelines, "kubernetes:apps/v1:Deployment", "pipelines-trigger")).containers[0]);
        assert.deepEqual(JSON.parse(env.MLOPS_TRIGGER_ROUTES), [
            { pipeline: "iris-etl", cronJob: "iris-etl", bucket: "raw", prefix: "iris/" },
        ]);
        assert.deepEqual(JSON.parse(env.MLOPS_TRIGGER_PIPELINES), [
            { pipeline: "iris-etl", cronJob: "iris-etl" },
            { pipeline: "nightly", cronJob: "nightly" },
        ]);
        assert.equal(env.MLOPS_TRIGGER_RUN_TOKEN_FILE, "/etc/mlops/trigger/run-token");
    });

    it("lets the trigger read every pipeline's CronJob, and only Airflow's scheduler reach it besides MinIO", () => {
        const role = only(pipelines, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.deepEqual(role.inputs.rules[1], {
            apiGroups: ["batch"],
            resources: ["cronjobs"],
            verbs: ["get"],
            resourceNames: ["iris-etl", "nightly"],
        });
        const netpol = only(pipelines, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-trigger-netpol");
        assert.deepEqual(netpol.inputs.spec.ingress[1], {
            from: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": AIRFLOW_NS } },
                    podSelector: { matchLabels: { tier: "airflow", component: "scheduler", release: "airflow" } },
                },
            ],
            ports: [{ protocol: "TCP", port: 8080 }],
        });
        const token = only(pipelines, "kubernetes:core/v1:Secret", "pipelines-trigger-token");
        assert.equal(token.inputs.stringData, SECRET, "MinIO's token and the run token stay secret");
        assert.equal(ofType(pipelines, "random:index/randomPassword:RandomPassword").length, 1);
    });

    it("installs the pinned chart and image with LocalExecutor, keys from Secrets, a private web server and no default user", () => {
        const release = only(airflow, "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.chart, "airflow");
        assert.equal(release.inputs.version, "1.16.0");
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://airflow.apache.org" });
        assert.equal(release.inputs.namespace, AIRFLOW_NS);
        assert.equal(release.inputs.name, "airflow");
        const v = release.inputs.values;
        assert.equal(v.executor, "LocalExecutor");
        assert.deepEqual(v.images.airflow, { repository: "apache/airflow", tag: "2.10.5", pullPolicy: "IfNotPresent" });
        assert.equal(v.airflowVersion, "2.10.5");
        assert.equal(v.fernetKeySecretName, "mlops-airflow-fernet-key");
        assert.equal(v.webserverSecretKeySecretName, "mlops-airflow-webserver-secret-key");
        assert.deepEqual(v.data, { metadataSecretName: "mlops-airflow-metadata" });
        assert.equal(v.fernetKey, undefined);
        assert.equal(v.webserverSecretKey, undefined);
        assert.deepEqual(v.webserver.service, { type: "ClusterIP" });
        assert.deepEqual(v.webserver.defaultUser, { enabled: false });
        assert.deepEqual(v.ingress, { web: { enabled: false }, flower: { enabled: false } });
        assert.deepEqual(v.config.webserver, { expose_config: "False" });
        for (const part of ["redis", "statsd", "pgbouncer", "flower", "triggerer", "dagProcessor"])
            assert.equal(v[part].enabled, false, part);
        assert.deepEqual(v.secret, [
            { envName: "AIRFLOW_CONN_MLOPS_TRIGGER", secretName: "mlops-airflow-trigger-connection", secretKey: "connection" },
        ]);
    });

    it("runs every pod as close to the restricted profile as the chart allows", () => {
        const v = only(airflow, "kubernetes:helm.sh/v3:Release").inputs.values;
        assert.deepEqual(v.securityContexts, {
            pod: { runAsNonRoot: true, runAsUser: 50000, runAsGroup: 0, fsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
            containers: {
                allowPrivilegeEscalation: false,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
        });
        assert.deepEqual(v.postgresql.primary.containerSecurityContext, {
            enabled: true,
            runAsUser: 1001,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        const ns = only(airflow, "kubernetes:core/v1:Namespace");
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("keeps the bundled PostgreSQL on a persistent volume with a generated password; prod protects the release and retains the namespace", async () => {
        const v = only(airflow, "kubernetes:helm.sh/v3:Release").inputs.values;
        assert.equal(v.postgresql.enabled, true);
        assert.deepEqual(v.postgresql.auth, { existingSecret: "mlops-airflow-postgres" });
        assert.deepEqual(v.postgresql.primary.persistence, { enabled: true, size: "8Gi" });
        assert.deepEqual(v.postgresql.image, { repository: "bitnamilegacy/postgresql", tag: "16.1.0-debian-11-r15" });
        assert.deepEqual(v.workers.persistence, { enabled: true, size: "5Gi" });
        const release = only(airflow, "kubernetes:helm.sh/v3:Release");
        assert.equal(release.options?.protect, true);
        assert.equal(only(airflow, "kubernetes:core/v1:Namespace").options?.retainOnDelete, true);
        const dev = (await captureResources(() => new KubernetesAirflow("airflow", { ...airflowArgs, protectData: false }))).resources;
        assert.notEqual(only(dev, "kubernetes:helm.sh/v3:Release").options?.protect, true);
        assert.equal(ofType(airflow, "random:index/randomBytes:RandomBytes").length, 1, "the Fernet key");
        assert.equal(ofType(airflow, "random:index/randomPassword:RandomPassword").length, 2, "web server key and database password");
        for (const secret of [
            "airflow-metadata",
            "airflow-fernet-key",
            "airflow-webserver-secret-key",
            "airflow-postgres",
            "airflow-trigger-connection",
        ])
            assert.equal(only(airflow, "kubernetes:core/v1:Secret", secret).inputs.stringData, SECRET, secret);
        assert.equal(
            metadataConnectionUrl("mlops-t-airflow", "p@ss"),
            "postgresql://postgres:p%40ss@airflow-postgresql.mlops-t-airflow:5432/postgres?sslmode=disable",
        );
        const key = fernetKey(Buffer.alloc(32, 0xfb).toString("base64"));
        assert.match(key, /^[A-Za-z0-9_-]{43}=$/);
        assert.equal(Buffer.from(key, "base64url").length, 32);
    });

    it("mounts one DAG per pipeline from a ConfigMap (no DAG volume, no git-sync), ignoring the ConfigMap's own directories", () => {
        const v = only(airflow, "kubernetes:helm.sh/v3:Release").inputs.values;
        assert.deepEqual(v.dags, { persistence: { enabled: false }, gitSync: { enabled: false } });
        assert.deepEqual(v.volumes, [{ name: "dags", configMap: { name: "mlops-airflow-dags" } }]);
        assert.deepEqual(v.volumeMounts, [{ name: "dags", mountPath: "/opt/airflow/dags", readOnly: true }]);
        const dags = only(airflow, "kubernetes:core/v1:ConfigMap", "airflow-dags");
        assert.deepEqual(Object.keys(dags.inputs.data).sort(), [".airflowignore", "iris-etl.py", "nightly.py"]);
        assert.equal(dags.inputs.data[".airflowignore"], "^\\.\\.\n");
    });

    it("each DAG POSTs /run/<pipeline> through the connection, on the pipeline's schedule, with no token in the DAG", () => {
        const data = only(airflow, "kubernetes:core/v1:ConfigMap", "airflow-dags").inputs.data;
        const record = runDag(data["iris-etl.py"]);
        assert.deepEqual(record.dag, {
            dag_id: "iris-etl",
            description: "raw/iris/ -> curated/iris/",
            schedule: "0 3 * * *",
            catchup: false,
            max_active_runs: 1,
            tags: ["mlops", "pipeline"],
        });
        assert.deepEqual(record.default_args, { retries: 2, retry_delay: 300, execution_timeout: 300 });
        assert.deepEqual(record.task, {
            operator: "HttpOperator",
            module: "airflow.providers.http.operators.http",
            task_id: "run",
            http_conn_id: "mlops_trigger",
            endpoint: "/run/iris-etl",
            method: "POST",
            log_response: true,
        });
        assert.equal(runDag(data["nightly.py"]).dag.schedule, null, "no schedule: a DAG you trigger by hand");
        for (const text of Object.values(data) as string[]) assert.doesNotMatch(text, /run-tok|Authorization/);
        const connection = JSON.parse(triggerConnectionJson(NS, "run-tok"));
        assert.deepEqual(connection, {
            conn_type: "http",
            host: `pipeline-trigger.${NS}.svc.cluster.local`,
            schema: "http",
            port: 8080,
            extra: { Authorization: "Bearer run-tok" },
        });
    });

    it("denies all traffic but Airflow's pods to each other, DNS, and the scheduler to the trigger", () => {
        const deny = only(airflow, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "airflow-deny-all");
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const same = only(airflow, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "airflow-allow-namespace");
        assert.deepEqual(same.inputs.spec.ingress, [{ from: [{ podSelector: {} }] }]);
        assert.deepEqual(same.inputs.spec.egress, [{ to: [{ podSelector: {} }] }]);
        const trigger = only(airflow, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "airflow-allow-trigger");
        assert.deepEqual(trigger.inputs.spec, {
            podSelector: { matchLabels: { tier: "airflow", component: "scheduler", release: "airflow" } },
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } },
                            podSelector: { matchLabels: { "app.kubernetes.io/name": "pipeline-trigger" } },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: 8080 }],
                },
            ],
        });
        assert.equal(ofType(airflow, "kubernetes:core/v1:Service").length, 0, "no Service of ours: the chart's web server is ClusterIP");
    });

    it("fails on bad arguments: every problem, nothing registered", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new KubernetesAirflow("airflow", {
                    ...airflowArgs,
                    namespace: NS,
                    jobs: [{ ...job, name: "Bad_Name", schedule: "daily", retries: 11 }],
                    databaseVolumeGiB: 0,
                    storageClass: "Not A Class",
                }),
            'KubernetesAirflow "airflow"',
        );
        assert.deepEqual(registered, []);
        for (const part of [
            "namespace: must not be the pipelines' namespace",
            "jobs[0].name: is not 1-24 lowercase letters",
            "jobs[0].schedule: is not a 5-field cron expression",
            "jobs[0].retries: must be a whole number from 0 to 10",
            "databaseVolumeGiB: must be a whole number from 1 to 1024 GiB",
            "storageClass: is not a StorageClass name",
        ])
            assert.ok(message.includes(part), `${part}\n${message}`);
        const empty = await rejectedBuild(
            () => new KubernetesAirflow("airflow", { ...airflowArgs, jobs: [] }),
            'KubernetesAirflow "airflow"',
        );
        assert.ok(empty.message.includes("jobs: is empty"), empty.message);
        const pipelinesBad = await rejectedBuild(
            () => new KubernetesDataPipelines("pipelines", { ...withAirflow, airflow: { namespace: LAKE_NS }, triggerFiles: undefined }),
            'KubernetesDataPipelines "pipelines"',
        );
        assert.ok(
            pipelinesBad.message.includes("airflow.namespace: must not be the pipelines' or the data lake's namespace"),
            pipelinesBad.message,
        );
        assert.ok(pipelinesBad.message.includes("triggerFiles: must hold trigger.py"), pipelinesBad.message);
    });
});

describe("Kubernetes config with orchestrator: airflow (parseStackConfig and the stack build)", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const config = (orchestrator: string, environment = "dev") =>
        Object.fromEntries(
            Object.entries({
                cloud: "kubernetes",
                environment,
                pipelines: {
                    orchestrator,
                    jobs: [
                        {
                            name: "iris-etl",
                            image: "python:3.12.12-slim-bookworm",
                            command: ["python", "/app/etl.py"],
                            source: "raw/iris/",
                            target: "curated/iris/",
                            schedule: "0 3 * * *",
                            onArrival: true,
                        },
                    ],
                },
            }).map(([k, v]) => [`mlops:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
        );

    it("selects Airflow: the environment, one DAG per job, suspended CronJobs, the on-arrival trigger as it was", async () => {
        const cfg = parseStackConfig(config("airflow"), { project: "mlops", stack: "t", projectRoot: ROOT });
        assert.equal(cfg.pipelines.orchestrator, "airflow");
        const { resources } = await captureResources(() => buildKubernetesStack(cfg), { stack: "t" });
        const release = only(resources, "kubernetes:helm.sh/v3:Release");
        assert.equal(release.inputs.namespace, "mlops-t-airflow");
        assert.deepEqual(Object.keys(only(resources, "kubernetes:core/v1:ConfigMap", "airflow-dags").inputs.data).sort(), [
            ".airflowignore",
            "iris-etl.py",
        ]);
        assert.equal(only(resources, "kubernetes:batch/v1:CronJob").inputs.spec.suspend, true, "no native schedule");
        const lake = only(resources, "kubernetes:apps/v1:StatefulSet", "lake-minio");
        assert.equal(envOf(podSpec(lake).containers[0]).MINIO_NOTIFY_WEBHOOK_ENABLE_PIPELINES, "on", "on arrival stays");
    });

    it("changes nothing with the native orchestrator: no Airflow, the CronJob schedules", async () => {
        const cfg = parseStackConfig(config("native"), { project: "mlops", stack: "t", projectRoot: ROOT });
        const { resources } = await captureResources(() => buildKubernetesStack(cfg), { stack: "t" });
        assert.equal(ofType(resources, "kubernetes:helm.sh/v3:Release").length, 0);
        assert.equal(ofType(resources, "mlops:index:KubernetesAirflow").length, 0);
        assert.equal(only(resources, "kubernetes:batch/v1:CronJob").inputs.spec.suspend, false);
    });

    it("protects the Airflow release in prod", async () => {
        const cfg = parseStackConfig(config("airflow", "prod"), { project: "mlops", stack: "t", projectRoot: ROOT });
        const { resources } = await captureResources(() => buildKubernetesStack(cfg), { stack: "t" });
        assert.equal(only(resources, "kubernetes:helm.sh/v3:Release").options?.protect, true);
    });
});
