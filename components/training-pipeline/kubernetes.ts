/**
 * Training pipelines on any Kubernetes cluster, in the ML platform's training namespace (its quota, limits and
 * egress to MLflow and MinIO): per model a CronJob `<model>-train` (the schedule, and the template of the runs
 * the pipelines' trigger starts on a new dataset version and the drift job starts on drift), a CronJob
 * `<model>-drift`, and one delivery poller that dispatches the promotion workflow when a version is approved
 * in MLflow. Every job runs its command behind samples/kubernetes/training/mlops_step.py, which logs the run
 * and registers the version in MLflow (REST API 2.0). docs/kubernetes.md ("Training, promotion and drift").
 */
import * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/kubernetes/types/input";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
import type { AcceleratorSettings, KubernetesDistribution } from "../accelerators/types";
// Given to the training CronJob of a model without a schedule: suspended, it is the template of new-data and drift runs.
import { SUSPENDED_SCHEDULE } from "../data-pipeline/kubernetes-args";
import {
    acceleratorLimits,
    acceleratorNodeSelector,
    acceleratorTolerations,
    cpuQuantity,
    jobPodSpec,
    memoryQuantity,
    minioCredentialsShim,
    restrictedContainerSecurityContext,
} from "../shared/kubernetes-pods";
import { throwIfProblems } from "../shared/problems";
import { driftJobName, TrainingPipelines, TrainingSpec, trainingPipelineName } from "./contract";
import {
    DEFAULT_STEP_IMAGE,
    DELIVERY_NAME,
    DELIVERY_SCHEDULE,
    driftUser,
    GITHUB_TOKEN_DIR,
    KubernetesTrainingPipelinesArgs,
    ROLE_LABEL,
    SPOT_NODES,
    STEP_DIR,
    STEP_SCRIPT,
    trainingAccelerators,
    TRAINING_CREDENTIALS_DIR,
    trainingUser,
    validateKubernetesTrainingPipelines,
} from "./kubernetes-args";

const SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
/** S3 URI of a lake location on MinIO (the zone is the bucket). */
const s3 = (l: { zone: string; prefix: string }) => `s3://${l.zone}/${l.prefix}`;
const envList = (env: Record<string, pulumi.Input<string>>) => Object.entries(env).map(([name, value]) => ({ name, value }));

/** Node affinity (preferred: on-demand nodes are the fallback) and toleration for spot capacity, per distribution. */
export function spotScheduling(
    spot: boolean,
    distribution: string,
): { affinity?: inputs.core.v1.Affinity; tolerations: inputs.core.v1.Toleration[] } {
    const nodes = spot ? SPOT_NODES[distribution as KubernetesDistribution] : undefined;
    if (!nodes?.label) return { tolerations: [] };
    const [key, value] = nodes.label;
    return {
        affinity: {
            nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, preference: { matchExpressions: [{ key, operator: "In", values: [value] }] } },
                ],
            },
        },
        tolerations: nodes.toleration ? [{ ...nodes.toleration }] : [],
    };
}

/** Training pipelines on Kubernetes: per model a training CronJob and a drift CronJob logging to MLflow, and a poller that dispatches the promotion workflow. */
export class KubernetesTrainingPipelines extends pulumi.ComponentResource implements TrainingPipelines {
    /** The training CronJob of each model, by model. */
    public readonly pipelineNames: pulumi.Output<Record<string, string>>;
    /** The drift CronJob of each monitored model, by model. */
    public readonly driftJobNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: KubernetesTrainingPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`KubernetesTrainingPipelines "${name}"`, validateKubernetesTrainingPipelines(args));
        const accelerators = trainingAccelerators(args);
        super("mlops:index:KubernetesTrainingPipelines", name, { ...args, delivery: undefined }, opts);

        const namespace = args.namespace;
        const labels = { ...args.tags, "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": name };
        const parent = { parent: this };
        // The step script, shared by every job; immutable and auto-named, so a new script makes new CronJob templates.
        const steps = new corev1.ConfigMap(
            `${name}-steps`,
            { metadata: { namespace, labels }, immutable: true, data: { ...args.stepFiles } },
            parent,
        );

        const trainJobs: Record<string, string> = {};
        const driftJobs: Record<string, string> = {};
        args.trainings.forEach((t, i) => {
            // The model's files (train.py, drift.py, ...) at /app, for both jobs; auto-named and immutable.
            const files = t.files
                ? new corev1.ConfigMap(
                      `${name}-${t.model}-files`,
                      {
                          metadata: { namespace, labels: { ...labels, "app.kubernetes.io/name": t.model } },
                          immutable: true,
                          data: { ...t.files },
                      },
                      parent,
                  )
                : undefined;
            trainJobs[t.model] = this.training(name, t, accelerators[i], args, labels, steps, files);
            if (t.drift) driftJobs[t.model] = this.drift(name, t, args, labels, steps, files);
        });

        // The pipelines' trigger starts `<model>-train` when a dataset manifest is written: it may read those
        // CronJobs and create Jobs, here only.
        const newData = args.trainings.filter((t) => t.onNewData);
        if (args.trigger && newData.length > 0) {
            const role = new rbacv1.Role(
                `${name}-trigger-role`,
                {
                    metadata: { name: "training-trigger", namespace, labels },
                    rules: [
                        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
                        {
                            apiGroups: ["batch"],
                            resources: ["cronjobs"],
                            verbs: ["get"],
                            resourceNames: newData.map((t) => trainingPipelineName(t.model)),
                        },
                    ],
                },
                parent,
            );
            new rbacv1.RoleBinding(
                `${name}-trigger-binding`,
                {
                    metadata: { name: "training-trigger", namespace, labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                    subjects: [{ kind: "ServiceAccount", name: args.trigger.serviceAccount, namespace: args.trigger.namespace }],
                },
                parent,
            );
        }

        if (args.delivery) this.delivery(name, args, labels, steps);

        this.pipelineNames = pulumi.output(trainJobs);
        this.driftJobNames = pulumi.output(driftJobs);
        this.registerOutputs({ pipelineNames: this.pipelineNames, driftJobNames: this.driftJobNames });
    }

    /** A Secret with one MinIO identity's keys, as files and in the AWS shared-credentials format. */
    private credentials(
        resourceName: string,
        secretName: string,
        user: string,
        args: KubernetesTrainingPipelinesArgs,
        labels: Record<string, string>,
    ) {
        const creds = pulumi.output(args.refs.credentials).apply((all) => {
            const c = all[user];
            if (!c) throw new Error(`the data lake has no MinIO user ${user}`);
            return c;
        });
        return new corev1.Secret(
            resourceName,
            {
                metadata: { name: secretName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: {
                    "access-key-id": creds.accessKeyId,
                    "secret-access-key": pulumi.secret(creds.secretAccessKey),
                    credentials: pulumi.secret(
                        pulumi.interpolate`[default]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`,
                    ),
                },
            },
            { parent: this },
        );
    }

    private account(resourceName: string, accountName: string, namespace: string, labels: Record<string, string>) {
        return new corev1.ServiceAccount(
            resourceName,
            { metadata: { name: accountName, namespace, labels }, automountServiceAccountToken: false },
            { parent: this },
        );
    }

    /** The env every job gets to reach MinIO with its mounted keys, and MLflow. */
    private lakeEnv(args: KubernetesTrainingPipelinesArgs): Record<string, pulumi.Input<string>> {
        return {
            MLOPS_S3_ENDPOINT: args.refs.endpoint,
            AWS_SHARED_CREDENTIALS_FILE: `${TRAINING_CREDENTIALS_DIR}/credentials`,
            AWS_REGION: "us-east-1",
            MLFLOW_TRACKING_URI: args.refs.trackingUri,
            TMPDIR: "/tmp",
            PYTHONUNBUFFERED: "1",
            PYTHONDONTWRITEBYTECODE: "1",
        };
    }

    /** One model's training: its files, MinIO keys, account and CronJob `<model>-train`. */
    private training(
        name: string,
        t: TrainingSpec,
        accelerator: AcceleratorSettings | undefined,
        args: KubernetesTrainingPipelinesArgs,
        labels: Record<string, string>,
        steps: corev1.ConfigMap,
        files: corev1.ConfigMap | undefined,
    ): string {
        const jobName = trainingPipelineName(t.model);
        const prefix = `${name}-${t.model}`;
        const jobLabels = { ...labels, "app.kubernetes.io/name": jobName, "app.kubernetes.io/component": "training" };
        const secret = this.credentials(`${prefix}-train-credentials`, `${jobName}-minio`, trainingUser(t.model), args, jobLabels);
        const account = this.account(`${prefix}-train-sa`, jobName, args.namespace, jobLabels);
        const env: Record<string, pulumi.Input<string>> = {
            ...t.env,
            MLOPS_PIPELINE: jobName,
            MLOPS_MODEL_NAME: t.model,
            MLOPS_SOURCE_URI: s3(t.dataset),
            MLOPS_TARGET_URI: s3(t.output),
            MLOPS_GATE_METRIC: t.metric,
            MLOPS_GATE_THRESHOLD: String(t.threshold),
            MLOPS_TRIGGER: "schedule",
            MLOPS_APPROVAL: t.approval,
            MLOPS_IMAGE_DIGEST: t.image.includes("@") ? t.image.slice(t.image.indexOf("@") + 1) : "",
            ...this.lakeEnv(args),
        };
        const memory = memoryQuantity(t.memoryMiB);
        const spot = spotScheduling(t.spot, args.distribution ?? "generic");
        const pod = this.pod(
            {
                name: "train",
                image: t.image,
                command: minioCredentialsShim(TRAINING_CREDENTIALS_DIR, [
                    "python",
                    `${STEP_DIR}/${STEP_SCRIPT}`,
                    "train",
                    "--",
                    ...t.command,
                ]),
                args: t.args.length > 0 ? [...t.args] : undefined,
                env: envList(env),
                resources: {
                    requests: { cpu: cpuQuantity(t.cpuMillicores), memory },
                    limits: { cpu: cpuQuantity(t.cpuMillicores), memory, ...acceleratorLimits(accelerator) },
                },
            },
            secret,
            steps,
            files,
        );
        const tolerations = [...(acceleratorTolerations(accelerator) ?? []), ...spot.tolerations];
        const podLabels = { ...jobLabels, [ROLE_LABEL]: "training-job" };
        new batchv1.CronJob(
            `${prefix}-train`,
            {
                metadata: { name: jobName, namespace: args.namespace, labels: jobLabels },
                spec: {
                    schedule: t.schedule ?? SUSPENDED_SCHEDULE,
                    // Without a schedule the CronJob is only the template new-data and drift runs are made from.
                    suspend: t.schedule === undefined,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 300,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: podLabels },
                        spec: {
                            // A run below its gate fails for good: one retry covers a lost node (spot), not the gate.
                            backoffLimit: 1,
                            activeDeadlineSeconds: t.timeoutMinutes * 60,
                            template: {
                                metadata: { labels: podLabels },
                                spec: {
                                    ...pod,
                                    serviceAccountName: account.metadata.name,
                                    restartPolicy: "Never",
                                    nodeSelector: acceleratorNodeSelector(accelerator),
                                    tolerations: tolerations.length > 0 ? tolerations : undefined,
                                    affinity: spot.affinity,
                                },
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
        return jobName;
    }

    /** One model's drift monitor: its MinIO keys, account and CronJob `<model>-drift`; with `retrain`, the right to start `<model>-train`. */
    private drift(
        name: string,
        t: TrainingSpec,
        args: KubernetesTrainingPipelinesArgs,
        labels: Record<string, string>,
        steps: corev1.ConfigMap,
        files: corev1.ConfigMap | undefined,
    ): string {
        const drift = t.drift!;
        const jobName = driftJobName(t.model);
        const prefix = `${name}-${t.model}`;
        const jobLabels = { ...labels, "app.kubernetes.io/name": jobName, "app.kubernetes.io/component": "drift-monitor" };
        const secret = this.credentials(`${prefix}-drift-credentials`, `${jobName}-minio`, driftUser(t.model), args, jobLabels);
        const account = this.account(`${prefix}-drift-sa`, jobName, args.namespace, jobLabels);
        const podLabels = { ...jobLabels, [ROLE_LABEL]: "drift-job", "mlops.dev/model": t.model };
        const env: Record<string, pulumi.Input<string>> = {
            ...t.env,
            MLOPS_PIPELINE: jobName,
            MLOPS_MODEL_NAME: t.model,
            MLOPS_SOURCE_URI: s3(drift.capture),
            MLOPS_TARGET_URI: s3(t.output),
            ...(t.servedVersion ? { MLOPS_MODEL_VERSION: t.servedVersion } : {}),
            MLOPS_PSI_THRESHOLD: String(drift.psiThreshold),
            MLOPS_KS_ALPHA: String(drift.ksAlpha),
            MLOPS_TRIGGER: "schedule",
            MLOPS_RETRAIN: String(drift.retrain),
            MLOPS_TRAIN_CRONJOB: trainingPipelineName(t.model),
            ...this.lakeEnv(args),
        };
        const pod = this.pod(
            {
                name: "drift",
                image: t.image,
                command: minioCredentialsShim(TRAINING_CREDENTIALS_DIR, [
                    "python",
                    `${STEP_DIR}/${STEP_SCRIPT}`,
                    "drift",
                    "--",
                    ...drift.command,
                ]),
                env: envList(env),
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
            },
            secret,
            steps,
            files,
            drift.retrain,
        );
        if (drift.retrain) {
            // Start `<model>-train` (trigger `drift`) and nothing else: get that CronJob, create Jobs, in this namespace.
            const role = new rbacv1.Role(
                `${prefix}-drift-role`,
                {
                    metadata: { name: jobName, namespace: args.namespace, labels: jobLabels },
                    rules: [
                        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
                        { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get"], resourceNames: [trainingPipelineName(t.model)] },
                    ],
                },
                { parent: this },
            );
            new rbacv1.RoleBinding(
                `${prefix}-drift-binding`,
                {
                    metadata: { name: jobName, namespace: args.namespace, labels: jobLabels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                    subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
                },
                { parent: this },
            );
            // The API server's address is cluster-specific: any address on 443/6443, for this model's drift pods only.
            new networkingv1.NetworkPolicy(
                `${prefix}-drift-allow-api`,
                {
                    metadata: { name: `${jobName}-allow-api`, namespace: args.namespace, labels: jobLabels },
                    spec: {
                        podSelector: { matchLabels: { [ROLE_LABEL]: "drift-job", "mlops.dev/model": t.model } },
                        policyTypes: ["Egress"],
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
                { parent: this },
            );
        }
        new batchv1.CronJob(
            `${prefix}-drift`,
            {
                metadata: { name: jobName, namespace: args.namespace, labels: jobLabels },
                spec: {
                    schedule: drift.schedule,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 300,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: podLabels },
                        spec: {
                            backoffLimit: 1,
                            activeDeadlineSeconds: 1800,
                            template: {
                                metadata: { labels: podLabels },
                                spec: { ...pod, serviceAccountName: account.metadata.name, restartPolicy: "Never" },
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
        return jobName;
    }

    /** The delivery poller: the GitHub token in a Secret, HTTPS out for its pods only, a CronJob `model-delivery`. */
    private delivery(name: string, args: KubernetesTrainingPipelinesArgs, labels: Record<string, string>, steps: corev1.ConfigMap): void {
        const d = args.delivery!;
        const jobLabels = { ...labels, "app.kubernetes.io/name": DELIVERY_NAME, "app.kubernetes.io/component": "model-delivery" };
        const podLabels = { ...jobLabels, [ROLE_LABEL]: "delivery" };
        const token = new corev1.Secret(
            `${name}-delivery-token`,
            {
                metadata: { name: `${DELIVERY_NAME}-github`, namespace: args.namespace, labels: jobLabels },
                type: "Opaque",
                stringData: { token: pulumi.secret(d.token) },
            },
            { parent: this },
        );
        const account = this.account(`${name}-delivery-sa`, DELIVERY_NAME, args.namespace, jobLabels);
        new networkingv1.NetworkPolicy(
            `${name}-delivery-allow-https`,
            {
                metadata: { name: `${DELIVERY_NAME}-allow-https`, namespace: args.namespace, labels: jobLabels },
                spec: {
                    podSelector: { matchLabels: { [ROLE_LABEL]: "delivery" } },
                    policyTypes: ["Egress"],
                    // api.github.com has no fixed addresses: HTTPS to any address, this pod only.
                    egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
                },
            },
            { parent: this },
        );
        const env: Record<string, pulumi.Input<string>> = {
            MLFLOW_TRACKING_URI: args.refs.trackingUri,
            MLOPS_GITHUB_REPOSITORY: d.repository,
            MLOPS_GITHUB_WORKFLOW: d.workflow,
            MLOPS_GITHUB_REF: d.branch,
            MLOPS_STACK: d.stack,
            MLOPS_GITHUB_TOKEN_FILE: `${GITHUB_TOKEN_DIR}/token`,
            MLOPS_DELIVERY_MODELS: JSON.stringify(args.trainings.map((t) => ({ model: t.model, servedVersion: t.servedVersion ?? "" }))),
            PYTHONUNBUFFERED: "1",
            PYTHONDONTWRITEBYTECODE: "1",
        };
        new batchv1.CronJob(
            `${name}-delivery`,
            {
                metadata: { name: DELIVERY_NAME, namespace: args.namespace, labels: jobLabels },
                spec: {
                    schedule: DELIVERY_SCHEDULE,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 300,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: podLabels },
                        spec: {
                            backoffLimit: 0,
                            activeDeadlineSeconds: 300,
                            template: {
                                metadata: { labels: podLabels },
                                spec: {
                                    ...jobPodSpec({
                                        containers: [
                                            {
                                                name: "deliver",
                                                image: args.stepImage ?? DEFAULT_STEP_IMAGE,
                                                command: ["python", `${STEP_DIR}/${STEP_SCRIPT}`, "deliver"],
                                                env: envList(env),
                                                resources: {
                                                    requests: { cpu: "50m", memory: "64Mi" },
                                                    limits: { cpu: "200m", memory: "128Mi" },
                                                },
                                                securityContext: restrictedContainerSecurityContext(),
                                                volumeMounts: [
                                                    { name: "steps", mountPath: STEP_DIR, readOnly: true },
                                                    { name: "github", mountPath: GITHUB_TOKEN_DIR, readOnly: true },
                                                ],
                                            },
                                        ],
                                        volumes: [
                                            { name: "steps", configMap: { name: steps.metadata.name } },
                                            { name: "github", secret: { secretName: token.metadata.name, defaultMode: 0o440 } },
                                        ],
                                    }),
                                    serviceAccountName: account.metadata.name,
                                    restartPolicy: "Never",
                                },
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
    }

    /** A restricted job pod: the container with the MinIO keys, the step files, the job's files and /tmp mounted. */
    private pod(
        container: inputs.core.v1.Container,
        secret: corev1.Secret,
        steps: corev1.ConfigMap,
        files: corev1.ConfigMap | undefined,
        kubeApi = false,
    ): inputs.core.v1.PodSpec {
        const mounts: inputs.core.v1.VolumeMount[] = [
            { name: "tmp", mountPath: "/tmp" },
            { name: "credentials", mountPath: TRAINING_CREDENTIALS_DIR, readOnly: true },
            { name: "steps", mountPath: STEP_DIR, readOnly: true },
        ];
        const volumes: inputs.core.v1.Volume[] = [
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "credentials", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
            { name: "steps", configMap: { name: steps.metadata.name } },
        ];
        if (files) {
            mounts.push({ name: "app", mountPath: "/app", readOnly: true });
            volumes.push({ name: "app", configMap: { name: files.metadata.name } });
        }
        if (kubeApi) {
            // A short-lived projected token, not the legacy automount: only pods that call the API get one.
            mounts.push({ name: "kube-api", mountPath: SA_PATH, readOnly: true });
            volumes.push({
                name: "kube-api",
                projected: {
                    defaultMode: 0o440,
                    sources: [
                        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                        { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                    ],
                },
            });
        }
        return jobPodSpec({
            containers: [{ ...container, securityContext: restrictedContainerSecurityContext(), volumeMounts: mounts }],
            volumes,
        });
    }
}
