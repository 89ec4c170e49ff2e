/**
 * The ML platform on any Kubernetes cluster: an MLflow tracking server and model registry (SQLite on a
 * volume, artifacts proxied to the data lake's models bucket), the registered models, and a training
 * namespace whose LimitRange and quota admit the accelerator catalog's training pod shape.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { MlPlatform, TrainingDefaults } from "./contract";
import { MlflowPlatformArgs, mlflowSettings, mlflowTraining, validateMlflowPlatform } from "./kubernetes-args";
import * as mlflow from "./kubernetes-mlflow";
import { dnsLabel } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { jobPodSpec, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/kubernetes-pods";
import { allowDnsEgress, restrictedNamespace } from "../shared/kubernetes-namespace";

/**
 * MLflow tracking server and model registry (one replica: SQLite has one writer). Each name in `models`
 * is created in the registry by a Job that calls `MlflowClient.create_registered_model` and skips names
 * that exist. With `protectData`, the namespace and the database volume are protected and retained.
 */
export class MlflowPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** `http://<service>.<namespace>.svc.cluster.local:5000`; resolves once the server is ready. */
    public readonly trackingUri: pulumi.Output<string>;
    /** The registry is served by the tracking server; resolves once every model is registered. */
    public readonly modelRegistry: pulumi.Output<string>;
    /** Training defaults resolved from the accelerator catalog. */
    public readonly trainingDefaults: pulumi.Output<TrainingDefaults>;
    /** The namespace the MLflow server runs in. */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: MlflowPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`MlflowPlatform "${name}"`, validateMlflowPlatform(args));
        const s = mlflowSettings(args);
        const { accelerator, pod } = mlflowTraining(s);
        const protect = args.protectData ?? true;
        // Component inputs are stored in state: keep the keys secret even when a caller passes plain strings.
        const stored = {
            ...args,
            artifactAccessKeyId: pulumi.secret(args.artifactAccessKeyId),
            artifactSecretAccessKey: pulumi.secret(args.artifactSecretAccessKey),
        };
        super("mlops:index:MlflowPlatform", name, stored, opts);

        const labels = { ...s.tags };
        const ns = restrictedNamespace(name, s.namespace, labels, this, { protect, retainOnDelete: protect });
        const training = restrictedNamespace(`${name}-training`, s.trainingNamespace, labels, this);
        const namespace = ns.name;
        const inNamespace = { parent: this, dependsOn: [ns.namespace] };
        const inTraining = { parent: this, dependsOn: [training.namespace] };
        const serverName = dnsLabel([name, "mlflow"]);
        const serverLabels = { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": serverName };
        const registerLabels = { "app.kubernetes.io/name": "mlflow-register-models", "app.kubernetes.io/instance": serverName };
        const host = `${serverName}.${namespace}.svc.cluster.local`;
        const byNamespace = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });
        const tcp = (port: number) => [{ protocol: "TCP", port }];

        // A shared-credentials file mounted read-only, so the keys never sit in the pod spec or env (CKV_K8S_35).
        const credentials = new corev1.Secret(
            `${name}-artifact-credentials`,
            {
                metadata: { name: dnsLabel([name, "artifact-credentials"]), namespace, labels },
                type: "Opaque",
                stringData: {
                    credentials: pulumi.secret(
                        pulumi.interpolate`[default]\naws_access_key_id = ${args.artifactAccessKeyId}\naws_secret_access_key = ${args.artifactSecretAccessKey}\n`,
                    ),
                },
            },
            inNamespace,
        );
        const database = new corev1.PersistentVolumeClaim(
            `${name}-backend`,
            {
                metadata: { name: dnsLabel([name, "backend"]), namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: args.storageClassName,
                    resources: { requests: { storage: `${s.backendVolumeSizeGiB}Gi` } },
                },
            },
            { ...inNamespace, protect, retainOnDelete: protect },
        );

        const policy = (
            resourceName: string,
            metadataName: string,
            policyNamespace: string,
            spec: k8s.types.input.networking.v1.NetworkPolicySpec,
            options: pulumi.CustomResourceOptions,
        ) =>
            new networkingv1.NetworkPolicy(
                resourceName,
                { metadata: { name: metadataName, namespace: policyNamespace, labels }, spec },
                options,
            );
        const policies = [
            policy(
                `${name}-allow-tracking`,
                "allow-tracking-ingress",
                namespace,
                {
                    podSelector: { matchLabels: serverLabels },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ podSelector: {} }, byNamespace(s.trainingNamespace)], ports: tcp(mlflow.TRACKING_PORT) }],
                },
                inNamespace,
            ),
            policy(
                `${name}-allow-artifact-store`,
                "allow-artifact-store-egress",
                namespace,
                {
                    podSelector: { matchLabels: serverLabels },
                    policyTypes: ["Egress"],
                    egress: [{ to: [byNamespace(s.dataLakeNamespace)], ports: tcp(mlflow.ARTIFACT_STORE_PORT) }],
                },
                inNamespace,
            ),
            allowDnsEgress(`${name}-allow-dns`, namespace, { "app.kubernetes.io/instance": serverName }, labels, this, [ns.namespace]),
        ];

        const server = new appsv1.Deployment(
            `${name}-server`,
            {
                metadata: { name: serverName, namespace, labels },
                spec: {
                    replicas: 1,
                    // The volume is ReadWriteOnce and SQLite takes one writer: stop the old pod first.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: serverLabels },
                    template: {
                        metadata: { labels: { ...labels, ...serverLabels } },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPodSecurityContext(),
                            containers: [
                                {
                                    name: "mlflow",
                                    image: s.image,
                                    command: pulumi
                                        .output(args.artifactBucket)
                                        .apply((bucket) => mlflow.mlflowServerCommand(bucket, mlflow.allowedHosts(serverName, namespace))),
                                    env: [
                                        { name: "MLFLOW_S3_ENDPOINT_URL", value: args.artifactEndpoint },
                                        { name: "AWS_SHARED_CREDENTIALS_FILE", value: mlflow.AWS_CREDENTIALS_FILE },
                                        // MinIO's default region; boto3 signs requests with it.
                                        { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    ports: [{ name: "http", containerPort: mlflow.TRACKING_PORT, protocol: "TCP" }],
                                    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
                                    // Start-up runs the SQLite schema migrations (all of them on a new database, the new
                                    // ones after an image upgrade): up to 10 minutes before liveness starts counting.
                                    startupProbe: {
                                        httpGet: { path: "/health", port: mlflow.TRACKING_PORT },
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 60,
                                    },
                                    livenessProbe: {
                                        httpGet: { path: "/health", port: mlflow.TRACKING_PORT },
                                        periodSeconds: 20,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    readinessProbe: {
                                        httpGet: { path: "/health", port: mlflow.TRACKING_PORT },
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [
                                        { name: "backend", mountPath: mlflow.BACKEND_DIR },
                                        { name: "tmp", mountPath: "/tmp" },
                                        { name: "aws", mountPath: "/etc/mlflow/aws", readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "backend", persistentVolumeClaim: { claimName: database.metadata.name } },
                                { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                                { name: "aws", secret: { secretName: credentials.metadata.name, defaultMode: 0o440 } },
                            ],
                        },
                    },
                },
            },
            // The provider waits for readiness (10 minutes by default): leave room for the startup probe.
            { parent: this, dependsOn: [ns.namespace, ...policies], customTimeouts: { create: "15m", update: "15m" } },
        );
        const service = new corev1.Service(
            `${name}-service`,
            {
                metadata: { name: serverName, namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector: serverLabels,
                    ports: [{ name: "http", port: mlflow.TRACKING_PORT, targetPort: mlflow.TRACKING_PORT, protocol: "TCP" }],
                },
            },
            inNamespace,
        );
        const trackingUri = `http://${host}:${mlflow.TRACKING_PORT}`;
        // The provider waits for the Deployment to be ready, so this resolves once MLflow answers.
        this.trackingUri = pulumi.all([server.metadata.name, service.metadata.name]).apply(() => trackingUri);

        let registered: pulumi.Output<unknown> = this.trackingUri;
        if (s.models.length > 0) {
            const egress = policy(
                `${name}-allow-register`,
                "allow-register-egress",
                namespace,
                {
                    podSelector: { matchLabels: registerLabels },
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ podSelector: { matchLabels: serverLabels } }], ports: tcp(mlflow.TRACKING_PORT) }],
                },
                inNamespace,
            );
            const register = new batchv1.Job(
                `${name}-register-models`,
                {
                    metadata: { namespace, labels },
                    spec: {
                        backoffLimit: 6,
                        activeDeadlineSeconds: 1200,
                        template: {
                            metadata: { labels: { ...labels, ...registerLabels } },
                            spec: jobPodSpec({
                                containers: [
                                    {
                                        name: "register",
                                        image: s.image,
                                        command: ["python", "-c", mlflow.REGISTER_MODELS_SCRIPT],
                                        env: [
                                            { name: "MLFLOW_TRACKING_URI", value: trackingUri },
                                            { name: "MLOPS_MODELS", value: JSON.stringify(s.models) },
                                            { name: "HOME", value: "/tmp" },
                                        ],
                                        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
                                        securityContext: restrictedContainerSecurityContext(),
                                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                    },
                                ],
                                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                            }),
                        },
                    },
                },
                // Jobs are immutable and auto-named, so a new image or model list replaces this one: keep the
                // old Job and its pod logs (the record of what was registered); the namespace takes them along.
                {
                    parent: this,
                    dependsOn: [server, service, egress],
                    customTimeouts: { create: "20m", update: "20m" },
                    retainOnDelete: true,
                },
            );
            registered = register.metadata.name;
        }
        this.modelRegistry = pulumi.all([this.trackingUri, registered]).apply(([uri]) => uri);

        // Training: pods run as the `trainer` account; the LimitRange and quota admit the catalog's training
        // pod (`maxNodes` of them plus a launcher), so a pod sized for the accelerator is never refused.
        new corev1.ServiceAccount(
            `${name}-trainer`,
            { metadata: { name: "trainer", namespace: s.trainingNamespace, labels }, automountServiceAccountToken: false },
            inTraining,
        );
        new corev1.ResourceQuota(
            `${name}-training-quota`,
            {
                metadata: { name: "training-quota", namespace: s.trainingNamespace, labels },
                spec: { hard: mlflow.trainingQuota(s, pod, accelerator) },
            },
            inTraining,
        );
        new corev1.LimitRange(
            `${name}-training-limits`,
            {
                metadata: { name: "training-limits", namespace: s.trainingNamespace, labels },
                spec: { limits: [mlflow.trainingLimitRange(pod, accelerator)] },
            },
            inTraining,
        );
        policy(
            `${name}-training-allow-egress`,
            "allow-training-egress",
            s.trainingNamespace,
            {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    { to: [byNamespace(s.namespace)], ports: tcp(mlflow.TRACKING_PORT) },
                    { to: [byNamespace(s.dataLakeNamespace)], ports: tcp(mlflow.ARTIFACT_STORE_PORT) },
                ],
            },
            inTraining,
        );
        allowDnsEgress(`${name}-training-allow-dns`, s.trainingNamespace, {}, labels, this, [training.namespace]);

        this.namespaceName = ns.namespace.metadata.name;
        this.trainingDefaults = pulumi.output({
            accelerator: accelerator?.accelerator ?? "none",
            acceleratorCount: accelerator?.count ?? 0,
            compute: accelerator?.resourceName ?? "cpu",
            maxNodes: s.maxNodes,
            spot: args.training?.spot ?? true,
        });
        this.registerOutputs({
            trackingUri: this.trackingUri,
            modelRegistry: this.modelRegistry,
            trainingDefaults: this.trainingDefaults,
            namespaceName: this.namespaceName,
        });
    }
}
