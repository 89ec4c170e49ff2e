/**
 * Container service on any Kubernetes cluster: per model a Deployment of a restricted, non-root,
 * read-only pod, a ClusterIP Service, a CPU HorizontalPodAutoscaler, a PodDisruptionBudget and a
 * NetworkPolicy that lets only the component's own namespace and the named client namespaces in.
 * Everything lives in a namespace of its own with restricted Pod Security and default-deny traffic.
 */
import * as pulumi from "@pulumi/pulumi";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import type { AcceleratorSettings } from "../accelerators/types";
import { restrictedNamespace } from "../shared/kubernetes-namespace";
import { ModelServingSpec } from "../shared/model";
import { throwIfProblems } from "../shared/problems";
import { ContainerService } from "./contract";
import {
    KubernetesContainerServiceArgs,
    KubernetesServingLake,
    servingAccelerators,
    validateKubernetesContainerService,
} from "./kubernetes-args";
import { modelLabels, modelPodSpec, PodLakeAccess, selectorLabels } from "./kubernetes-pod";

/**
 * A model's MinIO access, when `lake` lists it: a Secret with its `<model>-serve` keys (files and the AWS
 * shared-credentials format) and egress from its pods to MinIO's S3 port and cluster DNS, nothing else.
 * Shared with KnativeInference. Returns what the pod mounts, or undefined without access.
 */
export function servingLakeAccess(
    parent: pulumi.Resource,
    prefix: string,
    model: string,
    lake: KubernetesServingLake | undefined,
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    podSelector: Record<string, string>,
): PodLakeAccess | undefined {
    if (!lake || !lake.models.includes(model)) return undefined;
    const user = `${model}-serve`;
    const creds = pulumi.output(lake.credentials).apply((all) => {
        const c = all[user];
        if (!c) throw new Error(`the data lake has no MinIO user ${user}`);
        return c;
    });
    const secret = new corev1.Secret(
        `${prefix}-lake-credentials`,
        {
            metadata: { name: `${model}-minio`, namespace, labels },
            type: "Opaque",
            stringData: {
                "access-key-id": creds.accessKeyId,
                "secret-access-key": pulumi.secret(creds.secretAccessKey),
                credentials: pulumi.secret(
                    pulumi.interpolate`[default]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`,
                ),
            },
        },
        { parent },
    );
    new networkingv1.NetworkPolicy(
        `${prefix}-allow-lake`,
        {
            metadata: { name: `allow-${model}-lake`, namespace, labels },
            spec: {
                podSelector: { matchLabels: podSelector },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": lake.namespace } } }],
                        ports: [{ protocol: "TCP", port: LAKE_S3_PORT }],
                    },
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ],
            },
        },
        { parent },
    );
    return { secretName: secret.metadata.name, endpoint: lake.endpoint };
}

/** MinIO's S3 port (components/data-lake/kubernetes-minio.ts). */
const LAKE_S3_PORT = 9000;

/** CPU utilisation (percent of the request) the autoscaler keeps each model at. */
export const TARGET_CPU_UTILIZATION = 70;

/**
 * `protectData` has nothing to protect here: the images come from an existing registry and the
 * children (Deployments, Services) hold no data, so nothing is `protect`ed.
 */
export class KubernetesContainerService extends pulumi.ComponentResource implements ContainerService {
    /** Model name -> `http://<model>.<namespace>.svc.cluster.local:<port>` (cluster-internal). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** The namespace the model servers run in. */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: KubernetesContainerServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate before registering anything, so bad arguments leave no half-built component behind.
        throwIfProblems(`KubernetesContainerService "${name}"`, validateKubernetesContainerService(args));
        const accelerators = servingAccelerators(args);

        super("mlops:index:KubernetesContainerService", name, args, opts);

        const ns = restrictedNamespace(name, args.namespace, { ...args.tags, "app.kubernetes.io/managed-by": "pulumi" }, this);
        const namespace = ns.namespace.metadata.name;
        const services = args.models.map((m, i) => this.serveModel(name, m, accelerators[i], namespace, args));

        this.namespaceName = namespace;
        this.endpoints = pulumi
            .all([namespace, ...services.map((s) => s.metadata.name)])
            .apply(([nsName, ...serviceNames]) =>
                Object.fromEntries(args.models.map((m, i) => [m.name, `http://${serviceNames[i]}.${nsName}.svc.cluster.local:${m.port}`])),
            );
        this.registerOutputs({ endpoints: this.endpoints, namespaceName: this.namespaceName });
    }

    /** The children of one model; returns its Service (the endpoint). */
    private serveModel(
        name: string,
        m: ModelServingSpec,
        accelerator: AcceleratorSettings | undefined,
        namespace: pulumi.Output<string>,
        args: KubernetesContainerServiceArgs,
    ): corev1.Service {
        const prefix = `${name}-${m.name}`;
        const labels = modelLabels(args.tags, name, m.name);
        const selector = selectorLabels(name, m.name);
        const replicas = Math.max(1, m.minReplicas);

        // Auto-named and immutable: new files make a new ConfigMap, and the new name rolls the pods.
        const files = m.files
            ? new corev1.ConfigMap(
                  `${prefix}-files`,
                  { metadata: { namespace, labels }, immutable: true, data: { ...m.files } },
                  { parent: this },
              )
            : undefined;

        const deployment = new appsv1.Deployment(
            `${prefix}-deployment`,
            {
                metadata: { name: m.name, namespace, labels },
                spec: {
                    // No `replicas`: the autoscaler owns the count (it starts at 1 and the autoscaler
                    // raises it to minReplicas at once). Setting it here would reset the autoscaler's
                    // count on every `pulumi up`.
                    selector: { matchLabels: selector },
                    // Never below the current capacity during a rollout: one extra pod at a time.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: { labels },
                        spec: modelPodSpec(
                            m,
                            accelerator,
                            files?.metadata.name,
                            "deployment",
                            servingLakeAccess(this, prefix, m.name, args.lake, namespace, labels, selector),
                        ),
                    },
                },
            },
            { parent: this },
        );

        const service = new corev1.Service(
            `${prefix}-service`,
            {
                metadata: { name: m.name, namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: m.port, targetPort: "http", protocol: "TCP" }] },
            },
            { parent: this },
        );

        new autoscalingv2.HorizontalPodAutoscaler(
            `${prefix}-hpa`,
            {
                metadata: { name: m.name, namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                    minReplicas: replicas,
                    maxReplicas: m.maxReplicas,
                    metrics: [
                        {
                            type: "Resource",
                            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: TARGET_CPU_UTILIZATION } },
                        },
                    ],
                },
            },
            { parent: this },
        );

        // With two or more replicas, keep one serving through node drains. With one, `minAvailable: 1`
        // would forbid every voluntary eviction and block drains and upgrades for good, so allow one
        // pod out at a time instead. Unhealthy pods may always be evicted, so a crash-looping pod
        // cannot hold a drain hostage either.
        new policyv1.PodDisruptionBudget(
            `${prefix}-pdb`,
            {
                metadata: { name: m.name, namespace, labels },
                spec: {
                    selector: { matchLabels: selector },
                    ...(m.minReplicas >= 2 ? { minAvailable: 1 } : { maxUnavailable: 1 }),
                    unhealthyPodEvictionPolicy: "AlwaysAllow",
                },
            },
            { parent: this },
        );

        // The namespace denies all traffic; open the model port to this namespace and the clients only.
        new networkingv1.NetworkPolicy(
            `${prefix}-netpol`,
            {
                metadata: { name: `allow-${m.name}-clients`, namespace, labels },
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                { podSelector: {} },
                                ...(args.clientNamespaces ?? []).map((client) => ({
                                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": client } },
                                })),
                            ],
                            ports: [{ protocol: "TCP", port: m.port }],
                        },
                    ],
                },
            },
            { parent: this },
        );

        return service;
    }
}
