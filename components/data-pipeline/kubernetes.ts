/**
 * Data pipelines on any Kubernetes cluster: per pipeline a CronJob (the schedule, and the template of every
 * run) in a restricted namespace, with the pipeline's own MinIO keys mounted as files; for pipelines that run
 * on arrival, a small in-cluster trigger (samples/kubernetes/trigger/trigger.py) that MinIO notifies and that
 * creates a Job from the pipeline's CronJob. docs/kubernetes.md ("Data pipelines") says what this target
 * cannot do: no streams, no durable dead-letter queue, no alert channel.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { RandomBytes } from "@pulumi/random/randomBytes";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { AcceleratorSettings } from "../accelerators/types";
import { allowDnsEgress, restrictedNamespace } from "../shared/kubernetes-namespace";
import {
    acceleratorLimits,
    acceleratorNodeSelector,
    acceleratorTolerations,
    cpuQuantity,
    jobPodSpec,
    memoryQuantity,
    minioCredentialsShim,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
} from "../shared/kubernetes-pods";
import { throwIfProblems } from "../shared/problems";
import { DataPipelines, PipelineJobSpec } from "./contract";
import { airflowChartValues, fernetKey, kubernetesAirflowDags, metadataConnectionUrl, triggerConnectionJson } from "./kubernetes-airflow";
import {
    AIRFLOW_CHART_REPO,
    AIRFLOW_CHART_VERSION,
    AIRFLOW_RELEASE,
    CREDENTIALS_DIR,
    DEFAULT_TRIGGER_IMAGE,
    KubernetesAirflowArgs,
    KubernetesDataPipelinesArgs,
    minioUri,
    pipelineAccelerators,
    RUN_TOKEN_FILE,
    SUSPENDED_SCHEDULE,
    TRIGGER_NAME,
    TRIGGER_PORT,
    TRIGGER_TOKEN_DIR,
    validateKubernetesAirflow,
    validateKubernetesDataPipelines,
} from "./kubernetes-args";

/**
 * The job's command behind a `/bin/sh` line that loads the MinIO keys from the mounted files into the
 * process environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, what the sample ETL reads), so the keys
 * never appear in the pod spec (CKV_K8S_35). The image needs /bin/sh.
 */
export function credentialsShim(command: readonly string[]): string[] {
    return minioCredentialsShim(CREDENTIALS_DIR, command);
}

/** The S3 port of MinIO (components/data-lake/kubernetes-minio.ts). */
const LAKE_S3_PORT = 9000;
/** Label on every pipeline job's pods (network policies select them). */
const ROLE_LABEL = "mlops.dev/role";
/** Labels the Airflow chart puts on the scheduler's pods (with LocalExecutor, the tasks run there). */
const AIRFLOW_SCHEDULER_SELECTOR = { tier: "airflow", component: "scheduler", release: AIRFLOW_RELEASE };

/**
 * KubernetesDataPipelines. `protectData` has nothing to protect here: jobs and the trigger hold no data
 * (the lake does), and there is no queue to retain. Events the trigger cannot act on are logged and counted.
 */
export class KubernetesDataPipelines extends pulumi.ComponentResource implements DataPipelines {
    /** CronJob name per pipeline. */
    public readonly jobNames: pulumi.Output<Record<string, string>>;
    /** Where undeliverable events are recorded, per on-arrival pipeline: the trigger's log (no durable queue). */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;
    /** The namespace the pipelines run in. */
    public readonly namespaceName: pulumi.Output<string>;
    /** With `airflow`: the token the trigger expects on `POST /run/<pipeline>` (secret), for KubernetesAirflow. */
    public readonly runToken?: pulumi.Output<string>;

    constructor(name: string, args: KubernetesDataPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`KubernetesDataPipelines "${name}"`, validateKubernetesDataPipelines(args));
        const accelerators = pipelineAccelerators(args);
        super("mlops:index:KubernetesDataPipelines", name, args, opts);

        const labels = { ...args.tags, "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": name };
        const ns = restrictedNamespace(name, args.namespace, labels, this);
        const namespace = ns.name;
        const inNamespace = { parent: this, dependsOn: [ns.namespace] };

        const cronJobs = args.jobs.map((job, i) => this.pipeline(name, job, accelerators[i], args, labels, inNamespace));

        // Jobs reach MinIO's S3 port and DNS, nothing else.
        const jobSelector = { [ROLE_LABEL]: "pipeline-job", "app.kubernetes.io/part-of": name };
        new networkingv1.NetworkPolicy(
            `${name}-allow-lake`,
            {
                metadata: { name: "allow-lake-egress", namespace, labels },
                spec: {
                    podSelector: { matchLabels: jobSelector },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.lakeNamespace } } }],
                            ports: [{ protocol: "TCP", port: LAKE_S3_PORT }],
                        },
                    ],
                },
            },
            inNamespace,
        );
        allowDnsEgress(`${name}-allow-dns`, namespace, { "app.kubernetes.io/part-of": name }, labels, this, [ns.namespace]);

        const arrivals = args.jobs.filter((j) => j.onArrival);
        if (args.airflow) {
            // Airflow's own token for `POST /run/<pipeline>`: MinIO's token can only report objects.
            const runToken = new RandomPassword(`${name}-run-token`, { length: 40, special: false }, { parent: this });
            this.runToken = pulumi.secret(runToken.result);
        }
        const training = args.trainingRoutes ?? [];
        if (arrivals.length > 0 || args.airflow || training.length > 0)
            this.trigger(name, args, labels, inNamespace, arrivals, this.runToken);

        this.namespaceName = ns.namespace.metadata.name;
        this.jobNames = pulumi
            .all(cronJobs.map((c) => c.metadata.name))
            .apply((names) => Object.fromEntries(args.jobs.map((j, i) => [j.name, names[i]])));
        this.deadLetters = pulumi.output(
            Object.fromEntries(
                arrivals.map((j) => [j.name, `logs of deployment/${TRIGGER_NAME} in namespace ${namespace} (no durable queue)`]),
            ),
        );
        this.registerOutputs({ jobNames: this.jobNames, deadLetters: this.deadLetters, namespaceName: this.namespaceName });
    }

    /** One pipeline: its files, its MinIO keys and its CronJob. */
    private pipeline(
        name: string,
        job: PipelineJobSpec,
        accelerator: AcceleratorSettings | undefined,
        args: KubernetesDataPipelinesArgs,
        labels: Record<string, string>,
        inNamespace: pulumi.CustomResourceOptions,
    ): batchv1.CronJob {
        const prefix = `${name}-${job.name}`;
        const namespace = args.namespace;
        const jobLabels = { ...labels, "app.kubernetes.io/name": job.name, "app.kubernetes.io/component": "data-pipeline" };
        // Auto-named and immutable, like a model's files: new files make a new ConfigMap and a new CronJob template.
        const files = job.files
            ? new corev1.ConfigMap(
                  `${prefix}-files`,
                  { metadata: { namespace, labels: jobLabels }, immutable: true, data: { ...job.files } },
                  inNamespace,
              )
            : undefined;
        const creds = pulumi.output(args.lake.credentials).apply((all) => {
            const c = all[job.name];
            if (!c) throw new Error(`the data lake has no MinIO user for pipeline ${job.name}`);
            return c;
        });
        const secret = new corev1.Secret(
            `${prefix}-credentials`,
            {
                metadata: { name: `${job.name}-minio`, namespace, labels: jobLabels },
                type: "Opaque",
                stringData: {
                    "access-key-id": creds.accessKeyId,
                    "secret-access-key": creds.secretAccessKey,
                    // The same keys in the AWS shared-credentials format (AWS_SHARED_CREDENTIALS_FILE).
                    credentials: pulumi.interpolate`[default]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`,
                },
            },
            inNamespace,
        );

        const env: Record<string, pulumi.Input<string>> = {
            ...job.env,
            MLOPS_PIPELINE: job.name,
            MLOPS_SOURCE_URI: minioUri(job.source),
            MLOPS_TARGET_URI: minioUri(job.target),
            MLOPS_TRIGGER: "schedule",
            MLOPS_S3_ENDPOINT: args.lake.endpoint,
            MLOPS_IMAGE_DIGEST: job.image.includes("@") ? job.image.slice(job.image.indexOf("@") + 1) : "",
            AWS_SHARED_CREDENTIALS_FILE: `${CREDENTIALS_DIR}/credentials`,
            MLOPS_S3_ACCESS_KEY_ID_FILE: `${CREDENTIALS_DIR}/access-key-id`,
            MLOPS_S3_SECRET_ACCESS_KEY_FILE: `${CREDENTIALS_DIR}/secret-access-key`,
            AWS_REGION: "us-east-1",
            TMPDIR: "/tmp",
        };
        const memory = memoryQuantity(job.memoryMiB);
        const mounts: inputs.core.v1.VolumeMount[] = [
            { name: "tmp", mountPath: "/tmp" },
            { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
        ];
        const volumes: inputs.core.v1.Volume[] = [
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "credentials", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
        ];
        if (files) {
            mounts.push({ name: "app", mountPath: "/app", readOnly: true });
            volumes.push({ name: "app", configMap: { name: files.metadata.name } });
        }
        const podLabels = { ...jobLabels, [ROLE_LABEL]: "pipeline-job" };
        return new batchv1.CronJob(
            `${prefix}-cronjob`,
            {
                metadata: { name: job.name, namespace, labels: jobLabels },
                spec: {
                    schedule: job.schedule ?? SUSPENDED_SCHEDULE,
                    // On-arrival-only pipelines, and every pipeline Airflow schedules: the CronJob is only the
                    // template the trigger copies.
                    suspend: job.schedule === undefined || args.airflow !== undefined,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 300,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: podLabels },
                        spec: {
                            backoffLimit: job.retries,
                            // The deadline bounds the whole run, retries included.
                            activeDeadlineSeconds: job.timeoutMinutes * 60,
                            template: {
                                metadata: { labels: podLabels },
                                spec: {
                                    ...jobPodSpec({
                                        containers: [
                                            {
                                                name: "job",
                                                image: job.image,
                                                command: credentialsShim(job.command),
                                                args: job.args ? [...job.args] : undefined,
                                                env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
                                                resources: {
                                                    requests: { cpu: cpuQuantity(job.cpuMillicores), memory },
                                                    limits: {
                                                        cpu: cpuQuantity(job.cpuMillicores),
                                                        memory,
                                                        ...acceleratorLimits(accelerator),
                                                    },
                                                },
                                                securityContext: restrictedContainerSecurityContext(),
                                                volumeMounts: mounts,
                                            },
                                        ],
                                        volumes,
                                    }),
                                    // A failed run is retried in a new pod, so its logs stay for `kubectl logs`.
                                    restartPolicy: "Never",
                                    nodeSelector: acceleratorNodeSelector(accelerator),
                                    tolerations: acceleratorTolerations(accelerator),
                                },
                            },
                        },
                    },
                },
            },
            inNamespace,
        );
    }

    /** The in-cluster trigger MinIO notifies: a Deployment and Service allowed to create Jobs in this namespace. */
    private trigger(
        name: string,
        args: KubernetesDataPipelinesArgs,
        labels: Record<string, string>,
        inNamespace: pulumi.CustomResourceOptions,
        arrivals: readonly PipelineJobSpec[],
        runToken: pulumi.Output<string> | undefined,
    ): void {
        const namespace = args.namespace;
        const selector = { "app.kubernetes.io/name": TRIGGER_NAME, "app.kubernetes.io/instance": name };
        const triggerLabels = { ...labels, ...selector, "app.kubernetes.io/component": "pipeline-trigger" };

        const account = new corev1.ServiceAccount(
            `${name}-trigger-sa`,
            { metadata: { name: TRIGGER_NAME, namespace, labels: triggerLabels }, automountServiceAccountToken: false },
            inNamespace,
        );
        // Create Jobs, and read only the CronJobs the trigger starts (on-arrival ones; all with Airflow), in this namespace only.
        const started = args.airflow ? args.jobs : arrivals;
        const role = new rbacv1.Role(
            `${name}-trigger-role`,
            {
                metadata: { name: TRIGGER_NAME, namespace, labels: triggerLabels },
                rules: [
                    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
                    { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get"], resourceNames: started.map((j) => j.name) },
                ],
            },
            inNamespace,
        );
        const binding = new rbacv1.RoleBinding(
            `${name}-trigger-binding`,
            {
                metadata: { name: TRIGGER_NAME, namespace, labels: triggerLabels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
            },
            inNamespace,
        );
        const token = new corev1.Secret(
            `${name}-trigger-token`,
            {
                metadata: { name: `${TRIGGER_NAME}-token`, namespace, labels: triggerLabels },
                type: "Opaque",
                stringData: {
                    token: pulumi.secret(args.lake.notificationToken),
                    ...(runToken ? { "run-token": runToken } : {}),
                },
            },
            inNamespace,
        );
        const files = new corev1.ConfigMap(
            `${name}-trigger-files`,
            { metadata: { namespace, labels: triggerLabels }, immutable: true, data: { ...(args.triggerFiles ?? {}) } },
            inNamespace,
        );
        const routes = [
            ...arrivals.map((j) => ({ pipeline: j.name, cronJob: j.name, bucket: j.source.zone, prefix: j.source.prefix })),
            ...(args.trainingRoutes ?? []),
        ];
        const probe = (periodSeconds: number) => ({
            httpGet: { path: "/healthz", port: TRIGGER_PORT },
            periodSeconds,
            timeoutSeconds: 2,
            failureThreshold: 3,
        });
        new appsv1.Deployment(
            `${name}-trigger`,
            {
                metadata: { name: TRIGGER_NAME, namespace, labels: triggerLabels },
                spec: {
                    replicas: args.triggerReplicas ?? 1,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: { labels: triggerLabels },
                        spec: {
                            serviceAccountName: account.metadata.name,
                            // The token is mounted below as a short-lived projected volume, not the legacy automount.
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPodSecurityContext(),
                            containers: [
                                {
                                    name: "trigger",
                                    image: args.triggerImage ?? DEFAULT_TRIGGER_IMAGE,
                                    command: ["python", "/app/trigger.py"],
                                    ports: [{ name: "http", containerPort: TRIGGER_PORT, protocol: "TCP" }],
                                    env: [
                                        { name: "PORT", value: String(TRIGGER_PORT) },
                                        { name: "MLOPS_TRIGGER_ROUTES", value: JSON.stringify(routes) },
                                        { name: "MLOPS_TRIGGER_TOKEN_FILE", value: `${TRIGGER_TOKEN_DIR}/token` },
                                        ...(args.airflow
                                            ? [
                                                  {
                                                      name: "MLOPS_TRIGGER_PIPELINES",
                                                      value: JSON.stringify(args.jobs.map((j) => ({ pipeline: j.name, cronJob: j.name }))),
                                                  },
                                                  { name: "MLOPS_TRIGGER_RUN_TOKEN_FILE", value: RUN_TOKEN_FILE },
                                              ]
                                            : []),
                                        { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
                                        { name: "PYTHONUNBUFFERED", value: "1" },
                                    ],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                                    securityContext: restrictedContainerSecurityContext(),
                                    readinessProbe: probe(10),
                                    livenessProbe: probe(20),
                                    volumeMounts: [
                                        { name: "app", mountPath: "/app", readOnly: true },
                                        { name: "token", mountPath: TRIGGER_TOKEN_DIR, readOnly: true },
                                        { name: "kube-api", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "app", configMap: { name: files.metadata.name } },
                                { name: "token", secret: { secretName: token.metadata.name, defaultMode: 0o440 } },
                                {
                                    name: "kube-api",
                                    projected: {
                                        defaultMode: 0o440,
                                        sources: [
                                            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                                            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                                            {
                                                downwardAPI: {
                                                    items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }],
                                                },
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            { ...inNamespace, dependsOn: [...(inNamespace.dependsOn as pulumi.Resource[]), binding] },
        );
        new corev1.Service(
            `${name}-trigger-service`,
            {
                metadata: { name: TRIGGER_NAME, namespace, labels: triggerLabels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: TRIGGER_PORT, targetPort: "http", protocol: "TCP" }] },
            },
            inNamespace,
        );
        // In: MinIO's servers (and Airflow's scheduler, which runs the DAG tasks). Out: the API server (its address is
        // cluster-specific, so any address on 443/6443).
        const fromAirflow = args.airflow
            ? [
                  {
                      from: [
                          {
                              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.airflow.namespace } },
                              podSelector: { matchLabels: AIRFLOW_SCHEDULER_SELECTOR },
                          },
                      ],
                      ports: [{ protocol: "TCP", port: TRIGGER_PORT }],
                  },
              ]
            : [];
        new networkingv1.NetworkPolicy(
            `${name}-trigger-netpol`,
            {
                metadata: { name: "allow-trigger", namespace, labels },
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        {
                            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.lakeNamespace } } }],
                            ports: [{ protocol: "TCP", port: TRIGGER_PORT }],
                        },
                        ...fromAirflow,
                    ],
                    egress: [
                        {
                            ports: [
                                { protocol: "TCP", port: 443 },
                                { protocol: "TCP", port: 6443 },
                            ],
                        },
                    ],
                },
            },
            inNamespace,
        );
    }
}

/**
 * `mlops:pipelines.orchestrator: airflow` on Kubernetes: the Apache Airflow Helm chart (pinned chart and
 * image) in its own restricted namespace, LocalExecutor, the bundled PostgreSQL on a persistent volume, the
 * web server private (ClusterIP, no default user), keys generated here and kept in Secrets, one DAG per
 * pipeline from a ConfigMap. Each DAG asks the pipelines' trigger to start the Job the pipeline's (suspended)
 * CronJob defines. Traffic: default-deny, then Airflow's pods to each other, DNS, and the scheduler to the trigger.
 */
export class KubernetesAirflow extends pulumi.ComponentResource {
    /** The namespace Airflow runs in. */
    public readonly namespaceName: pulumi.Output<string>;
    /** The web server's ClusterIP Service (`kubectl port-forward svc/<name> 8080:8080`). */
    public readonly webserverService: pulumi.Output<string>;
    /** DAG file names in the DAGs ConfigMap. */
    public readonly dagFiles: string[];

    constructor(name: string, args: KubernetesAirflowArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`KubernetesAirflow "${name}"`, validateKubernetesAirflow(args));
        super("mlops:index:KubernetesAirflow", name, args, opts);

        const protect = args.protectData ?? true;
        const namespace = args.namespace;
        const labels = {
            ...args.tags,
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": name,
            "app.kubernetes.io/component": "airflow",
        };
        // Deleting the namespace would delete the database's PersistentVolumeClaim: prod retains it.
        const ns = restrictedNamespace(name, namespace, labels, this, { protect, retainOnDelete: protect });
        const inNamespace = { parent: this, dependsOn: [ns.namespace] };

        const fernet = new RandomBytes(`${name}-fernet-key`, { length: 32 }, { parent: this });
        const webserverKey = new RandomPassword(`${name}-webserver-secret-key`, { length: 48, special: false }, { parent: this });
        const dbPassword = new RandomPassword(`${name}-db-password`, { length: 32, special: false }, { parent: this });
        const secret = (suffix: string, secretName: string, data: Record<string, pulumi.Input<string>>) =>
            new corev1.Secret(
                `${name}-${suffix}`,
                { metadata: { name: secretName, namespace, labels }, type: "Opaque", stringData: data },
                inNamespace,
            );
        const secrets = [
            // Fernet wants 32 bytes in URL-safe base64 (with padding).
            secret("fernet-key", "mlops-airflow-fernet-key", {
                "fernet-key": pulumi.secret(fernet.base64.apply(fernetKey)),
            }),
            secret("webserver-secret-key", "mlops-airflow-webserver-secret-key", {
                "webserver-secret-key": pulumi.secret(webserverKey.result),
            }),
            secret("postgres", "mlops-airflow-postgres", { "postgres-password": pulumi.secret(dbPassword.result) }),
            secret("metadata", "mlops-airflow-metadata", {
                connection: pulumi.secret(dbPassword.result.apply((pw) => metadataConnectionUrl(namespace, pw))),
            }),
            secret("trigger-connection", "mlops-airflow-trigger-connection", {
                connection: pulumi.secret(pulumi.output(args.runToken).apply((t) => triggerConnectionJson(args.pipelinesNamespace, t))),
            }),
        ];
        const dagFiles = kubernetesAirflowDags(args.jobs);
        // Named and mutable: the kubelet updates the mounted files in place, and the scheduler picks up the new DAGs.
        const dags = new corev1.ConfigMap(
            `${name}-dags`,
            { metadata: { name: "mlops-airflow-dags", namespace, labels }, data: dagFiles },
            inNamespace,
        );

        // Airflow's pods talk to each other (scheduler, web server, database, log server) and to nothing else
        // but DNS and, from the scheduler, the pipelines' trigger.
        new networkingv1.NetworkPolicy(
            `${name}-allow-namespace`,
            {
                metadata: { name: "allow-same-namespace", namespace, labels },
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [{ from: [{ podSelector: {} }] }],
                    egress: [{ to: [{ podSelector: {} }] }],
                },
            },
            inNamespace,
        );
        allowDnsEgress(`${name}-allow-dns`, namespace, {}, labels, this, [ns.namespace]);
        new networkingv1.NetworkPolicy(
            `${name}-allow-trigger`,
            {
                metadata: { name: "allow-trigger-egress", namespace, labels },
                spec: {
                    podSelector: { matchLabels: AIRFLOW_SCHEDULER_SELECTOR },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [
                                {
                                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.pipelinesNamespace } },
                                    podSelector: { matchLabels: { "app.kubernetes.io/name": TRIGGER_NAME } },
                                },
                            ],
                            ports: [{ protocol: "TCP", port: TRIGGER_PORT }],
                        },
                    ],
                },
            },
            inNamespace,
        );

        const release = new Release(
            `${name}-release`,
            {
                name: AIRFLOW_RELEASE,
                chart: "airflow",
                version: AIRFLOW_CHART_VERSION,
                repositoryOpts: { repo: AIRFLOW_CHART_REPO },
                namespace,
                createNamespace: false,
                values: airflowChartValues(
                    {
                        namespace,
                        databaseVolumeGiB: args.databaseVolumeGiB ?? 8,
                        logVolumeGiB: args.logVolumeGiB ?? 5,
                        storageClass: args.storageClass,
                    },
                    {
                        fernetKey: "mlops-airflow-fernet-key",
                        webserverSecretKey: "mlops-airflow-webserver-secret-key",
                        metadata: "mlops-airflow-metadata",
                        postgres: "mlops-airflow-postgres",
                        triggerConnection: "mlops-airflow-trigger-connection",
                        dags: "mlops-airflow-dags",
                    },
                ),
                // The database migration runs as a Helm hook; the first install pulls images and migrates.
                timeout: 900,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [ns.namespace, ...secrets, dags], protect },
        );

        this.namespaceName = ns.namespace.metadata.name;
        this.webserverService = release.status.apply((s) => `${s.name}-webserver`);
        this.dagFiles = Object.keys(dagFiles).filter((f) => f.endsWith(".py"));
        this.registerOutputs({ namespaceName: this.namespaceName, webserverService: this.webserverService, dagFiles: this.dagFiles });
    }
}
