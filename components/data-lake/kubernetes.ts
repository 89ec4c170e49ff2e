/**
 * The data lake on any Kubernetes cluster: MinIO in erasure-coded mode (a StatefulSet with one volume per
 * drive), one versioned, SSE-S3-encrypted bucket per zone with a noncurrent-version lifecycle rule, and a
 * least-privilege MinIO user for MLflow that may use the models zone's bucket only; with data pipelines,
 * one MinIO user per pipeline scoped to its source and target prefixes, and bucket notifications of new
 * objects under on-arrival source prefixes to the pipelines' in-cluster trigger.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { RandomBytes } from "@pulumi/random/randomBytes";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { DataLake } from "./contract";
import { MinioDataLakeArgs, minioSettings, validateMinioDataLake } from "./kubernetes-args";
import * as setup from "./kubernetes-minio";
import type { MinioCredentials } from "../shared/minio";
import { dnsLabel } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { jobPodSpec, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/kubernetes-pods";
import { allowDnsEgress, restrictedNamespace } from "../shared/kubernetes-namespace";

/**
 * MinIO data lake. Data safety: objects are versioned and encrypted at rest with MinIO's static KMS key
 * (SSE-S3 default encryption on every bucket); volumes outlive the StatefulSet; with `protectData` the
 * namespace, StatefulSet, credentials Secret and generated keys are protected and retained on delete.
 * Losing the credentials Secret loses the KMS key and with it every object.
 */
export class MinioDataLake extends pulumi.ComponentResource implements DataLake {
    /** Bucket name per zone (the zone itself). Resolves once the setup Job has configured every bucket. */
    public readonly bucketNames: pulumi.Output<Record<string, string>>;
    /** In-cluster S3 endpoint, `http://<service>.<namespace>.svc.cluster.local:9000`. */
    public readonly endpoint: pulumi.Output<string>;
    /** The namespace MinIO runs in. */
    public readonly namespaceName: pulumi.Output<string>;
    /** Root (admin) access key. Secret. Give workloads the scoped `mlflow*` credentials instead. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Root (admin) secret key. Secret. */
    public readonly secretAccessKey: pulumi.Output<string>;
    /** Access key of the MLflow user: read/write on the models zone's bucket, nothing else. Secret. */
    public readonly mlflowAccessKeyId: pulumi.Output<string>;
    /** Secret key of the MLflow user. Secret. */
    public readonly mlflowSecretAccessKey: pulumi.Output<string>;
    /** Per pipeline (by name), its MinIO user's keys: read its source prefix, read/write its target prefix. Secret. */
    public readonly pipelineCredentials: pulumi.Output<Record<string, MinioCredentials>>;
    /** The token MinIO sends (`Authorization: Bearer ...`) with bucket notifications; "" without a trigger. Secret. */
    public readonly notificationToken: pulumi.Output<string>;

    constructor(name: string, args: MinioDataLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`MinioDataLake "${name}"`, validateMinioDataLake(args));
        const s = minioSettings(args);
        const protect = args.protectData ?? true;
        super("mlops:index:MinioDataLake", name, args, opts);

        const labels = { ...s.tags };
        const ns = restrictedNamespace(name, s.namespace, labels, this, { protect, retainOnDelete: protect });
        const namespace = ns.name;
        const inNamespace = { parent: this, dependsOn: [ns.namespace] };
        const stateful = { ...inNamespace, protect, retainOnDelete: protect };

        // The StatefulSet name ends up in pod names and revision labels, which must stay under 63 characters.
        const serverName = dnsLabel([name], 52);
        const host = `${serverName}.${namespace}.svc.cluster.local`;
        const serverLabels = { "app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": serverName };
        const setupLabels = { "app.kubernetes.io/name": "minio-setup", "app.kubernetes.io/instance": serverName };
        const drives = [...Array(s.drivesPerServer).keys()];

        // Replacing any of these re-keys the lake (the KMS key decrypts every object), hence protect.
        const rootPassword = new RandomPassword(`${name}-root-password`, { length: 40, special: false }, { parent: this, protect });
        const mlflowSecretKey = new RandomPassword(`${name}-mlflow-secret-key`, { length: 40, special: false }, { parent: this, protect });
        const kmsKey = new RandomBytes(`${name}-kms-key`, { length: 32 }, { parent: this, protect });
        const K = setup.SECRET_KEYS;
        const credentials = new corev1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: dnsLabel([name, "credentials"]), namespace, labels },
                type: "Opaque",
                stringData: {
                    [K.rootUser]: setup.ROOT_USER,
                    [K.rootPassword]: rootPassword.result,
                    [K.kmsKey]: pulumi.interpolate`${setup.KMS_KEY_NAME}:${kmsKey.base64}`,
                    [K.mlflowSecretKey]: mlflowSecretKey.result,
                },
            },
            stateful,
        );
        // Pipeline users: one generated secret key each, and a policy document each (a ConfigMap the policy pack reads).
        const pipelineKeys = s.pipelines.map(
            (p) => new RandomPassword(`${name}-pipeline-${p.name}-secret-key`, { length: 40, special: false }, { parent: this }),
        );
        const pipelineSecret =
            s.pipelines.length > 0
                ? new corev1.Secret(
                      `${name}-pipeline-keys`,
                      {
                          metadata: { name: dnsLabel([name, "pipeline-keys"]), namespace, labels },
                          type: "Opaque",
                          stringData: Object.fromEntries(s.pipelines.map((p, i) => [p.name, pipelineKeys[i].result])),
                      },
                      inNamespace,
                  )
                : undefined;
        const pipelinePolicies =
            s.pipelines.length > 0
                ? new corev1.ConfigMap(
                      `${name}-pipeline-policies`,
                      {
                          metadata: {
                              name: dnsLabel([name, "pipeline-policies"]),
                              namespace,
                              labels: { ...labels, [setup.PIPELINE_POLICIES_LABEL]: "true" },
                          },
                          data: Object.fromEntries(
                              s.pipelines.map((p) => [`${setup.pipelineUser(p.name)}.json`, setup.pipelinePolicyJson(p)]),
                          ),
                      },
                      inNamespace,
                  )
                : undefined;
        // Bucket notifications: the webhook's shared token, handed to MinIO in an env file (MINIO_CONFIG_ENV_FILE).
        const trigger = s.pipelineTrigger;
        const notifyToken = trigger
            ? new RandomPassword(`${name}-notify-token`, { length: 40, special: false }, { parent: this })
            : undefined;
        const notifySecret = notifyToken
            ? new corev1.Secret(
                  `${name}-notify`,
                  {
                      metadata: { name: dnsLabel([name, "notify"]), namespace, labels },
                      type: "Opaque",
                      stringData: { [setup.NOTIFY_ENV_KEY]: notifyToken.result.apply(setup.notifyEnvFile) },
                  },
                  inNamespace,
              )
            : undefined;

        // Each pod mounts only the keys it reads, as files (CKV_K8S_35: secrets as files, not env vars).
        const secretVolume = (keys: string[]) => ({
            name: "credentials",
            secret: { secretName: credentials.metadata.name, defaultMode: 0o440, items: keys.map((key) => ({ key, path: key })) },
        });
        const secretMount = { name: "credentials", mountPath: setup.SECRETS_DIR, readOnly: true };
        const secretFile = (key: string) => `${setup.SECRETS_DIR}/${key}`;
        const s3Port = [{ name: "s3", port: setup.S3_PORT, targetPort: setup.S3_PORT, protocol: "TCP" }];

        // Peers find each other through the headless Service before they are ready (quorum needs them all).
        const headless = new corev1.Service(
            `${name}-headless`,
            {
                metadata: { name: dnsLabel([name, "hl"]), namespace, labels },
                spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: serverLabels, ports: s3Port },
            },
            inNamespace,
        );
        const service = new corev1.Service(
            `${name}-api`,
            { metadata: { name: serverName, namespace, labels }, spec: { type: "ClusterIP", selector: serverLabels, ports: s3Port } },
            inNamespace,
        );

        const statefulSet = new appsv1.StatefulSet(
            `${name}-minio`,
            {
                metadata: { name: serverName, namespace, labels },
                spec: {
                    serviceName: headless.metadata.name,
                    replicas: s.servers,
                    // MinIO servers wait for each other; ordered start would deadlock a multi-server pool.
                    podManagementPolicy: "Parallel",
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    selector: { matchLabels: serverLabels },
                    template: {
                        metadata: { labels: { ...labels, ...serverLabels } },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPodSecurityContext(),
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: serverLabels },
                                },
                            ],
                            containers: [
                                {
                                    name: "minio",
                                    image: s.image,
                                    args: setup.minioServerArgs({
                                        servers: s.servers,
                                        drivesPerServer: s.drivesPerServer,
                                        statefulSetName: serverName,
                                        headlessServiceName: dnsLabel([name, "hl"]),
                                        namespace,
                                    }),
                                    env: [
                                        { name: "MINIO_ROOT_USER_FILE", value: secretFile(K.rootUser) },
                                        { name: "MINIO_ROOT_PASSWORD_FILE", value: secretFile(K.rootPassword) },
                                        { name: "MINIO_KMS_SECRET_KEY_FILE", value: secretFile(K.kmsKey) },
                                        // MinIO's stand-in for AbortIncompleteMultipartUpload (it has no such lifecycle rule).
                                        { name: "MINIO_API_STALE_UPLOADS_EXPIRY", value: `${s.abortIncompleteUploadDays * 24}h` },
                                        { name: "MINIO_BROWSER", value: "off" },
                                        { name: "MINIO_UPDATE", value: "off" },
                                        // MinIO creates ~/.minio/certs at start; the root filesystem is read-only.
                                        { name: "HOME", value: "/tmp" },
                                        ...(trigger ? setup.notifyServerEnv(trigger.endpoint) : []),
                                    ],
                                    ports: [{ name: "s3", containerPort: setup.S3_PORT, protocol: "TCP" }],
                                    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
                                    livenessProbe: {
                                        httpGet: { path: "/minio/health/live", port: setup.S3_PORT },
                                        initialDelaySeconds: 10,
                                        periodSeconds: 15,
                                        timeoutSeconds: 5,
                                        failureThreshold: 4,
                                    },
                                    readinessProbe: {
                                        httpGet: { path: "/minio/health/ready", port: setup.S3_PORT },
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [
                                        ...drives.map((i) => ({ name: `data-${i}`, mountPath: `/data${i}` })),
                                        { name: "tmp", mountPath: "/tmp" },
                                        secretMount,
                                        ...(notifySecret ? [{ name: "notify", mountPath: setup.NOTIFY_DIR, readOnly: true }] : []),
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                                secretVolume([K.rootUser, K.rootPassword, K.kmsKey]),
                                ...(notifySecret
                                    ? [{ name: "notify", secret: { secretName: notifySecret.metadata.name, defaultMode: 0o440 } }]
                                    : []),
                            ],
                        },
                    },
                    // Only the fixed server labels: the provider replaces a StatefulSet whose claim templates
                    // change (Kubernetes forbids updating them), so a changed tag must not reach them.
                    volumeClaimTemplates: drives.map((i) => ({
                        metadata: { name: `data-${i}`, labels: serverLabels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: args.storageClassName,
                            resources: { requests: { storage: `${s.volumeSizeGiB}Gi` } },
                        },
                    })),
                },
            },
            stateful,
        );

        const policy = (role: string, metadataName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new networkingv1.NetworkPolicy(`${name}-${role}`, { metadata: { name: metadataName, namespace, labels }, spec }, inNamespace);
        const tcp = [{ protocol: "TCP", port: setup.S3_PORT }];
        const policies = [
            policy("allow-s3", "allow-s3-ingress", {
                podSelector: { matchLabels: serverLabels },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            { podSelector: {} },
                            ...s.clientNamespaces.map((n) => ({
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } },
                            })),
                        ],
                        ports: tcp,
                    },
                ],
            }),
            policy("allow-peers", "allow-minio-peer-egress", {
                podSelector: { matchLabels: serverLabels },
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: { matchLabels: serverLabels } }], ports: tcp }],
            }),
            policy("allow-setup", "allow-setup-egress", {
                podSelector: { matchLabels: setupLabels },
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: { matchLabels: serverLabels } }], ports: tcp }],
            }),
            allowDnsEgress(`${name}-allow-dns`, namespace, { "app.kubernetes.io/instance": serverName }, labels, this, [ns.namespace]),
        ];
        if (trigger)
            policies.push(
                // MinIO's servers deliver bucket notifications to the pipelines trigger, and nowhere else.
                policy("allow-notify", "allow-notify-egress", {
                    podSelector: { matchLabels: serverLabels },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": trigger.namespace } } }],
                            ports: [{ protocol: "TCP", port: trigger.port }],
                        },
                    ],
                }),
            );

        const job = new batchv1.Job(
            `${name}-setup`,
            {
                metadata: { namespace, labels },
                spec: {
                    backoffLimit: 10,
                    activeDeadlineSeconds: 1800,
                    template: {
                        metadata: { labels: { ...labels, ...setupLabels } },
                        spec: jobPodSpec({
                            containers: [
                                {
                                    name: "mc",
                                    image: s.clientImage,
                                    command: [
                                        "/bin/sh",
                                        "-c",
                                        setup.setupScript({
                                            host,
                                            zones: s.zones,
                                            modelsZone: s.modelsZone,
                                            noncurrentVersionRetentionDays: s.noncurrentVersionRetentionDays,
                                            pipelines: s.pipelines,
                                        }),
                                    ],
                                    env: [{ name: "HOME", value: "/tmp" }],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [
                                        { name: "tmp", mountPath: "/tmp" },
                                        secretMount,
                                        ...(pipelineSecret && pipelinePolicies
                                            ? [
                                                  { name: "pipeline-keys", mountPath: setup.PIPELINE_KEYS_DIR, readOnly: true },
                                                  { name: "pipeline-policies", mountPath: setup.PIPELINE_POLICIES_DIR, readOnly: true },
                                              ]
                                            : []),
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                secretVolume([K.rootUser, K.rootPassword, K.mlflowSecretKey]),
                                ...(pipelineSecret && pipelinePolicies
                                    ? [
                                          {
                                              name: "pipeline-keys",
                                              secret: { secretName: pipelineSecret.metadata.name, defaultMode: 0o440 },
                                          },
                                          { name: "pipeline-policies", configMap: { name: pipelinePolicies.metadata.name } },
                                      ]
                                    : []),
                            ],
                        }),
                    },
                },
            },
            // Jobs are immutable and auto-named, so new zones, retention or client image replace this one: keep
            // the old Job and its pod logs (the record of how the buckets were set up); the namespace takes them along.
            {
                parent: this,
                dependsOn: [ns.namespace, statefulSet, service, ...policies],
                customTimeouts: { create: "30m", update: "30m" },
                retainOnDelete: true,
            },
        );

        // The provider waits for the Job to complete, so consumers of these outputs wait for configured buckets.
        const configured = job.metadata.name;
        this.namespaceName = ns.namespace.metadata.name;
        this.endpoint = configured.apply(() => `http://${host}:${setup.S3_PORT}`);
        this.bucketNames = configured.apply(() => Object.fromEntries(s.zones.map((zone) => [zone, zone])));
        const afterSetup = (value: pulumi.Input<string>) => pulumi.secret(pulumi.all([configured, value]).apply(([, v]) => v));
        this.accessKeyId = afterSetup(setup.ROOT_USER);
        this.secretAccessKey = afterSetup(rootPassword.result);
        this.mlflowAccessKeyId = afterSetup(setup.MLFLOW_USER);
        this.mlflowSecretAccessKey = afterSetup(mlflowSecretKey.result);
        this.pipelineCredentials = pulumi.secret(
            pulumi
                .all([configured, ...pipelineKeys.map((k) => k.result)])
                .apply(([, ...keys]) =>
                    Object.fromEntries(
                        s.pipelines.map((p, i) => [p.name, { accessKeyId: setup.pipelineUser(p.name), secretAccessKey: keys[i] }]),
                    ),
                ),
        );
        this.notificationToken = afterSetup(notifyToken ? notifyToken.result : "");
        this.registerOutputs({
            bucketNames: this.bucketNames,
            endpoint: this.endpoint,
            namespaceName: this.namespaceName,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
            mlflowAccessKeyId: this.mlflowAccessKeyId,
            mlflowSecretAccessKey: this.mlflowSecretAccessKey,
            pipelineCredentials: this.pipelineCredentials,
            notificationToken: this.notificationToken,
        });
    }
}
