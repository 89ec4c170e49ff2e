/**
 * Serverless inference on any Kubernetes cluster with Knative Serving: per model a cluster-local Knative
 * Service that scales to zero (when the model's floor is 0) and a NetworkPolicy that lets the Knative
 * data plane in. The pod is the one the container service runs (../container-service/kubernetes-pod.ts),
 * cut to what Knative's admission webhook accepts. Optionally installs Knative Serving and Kourier.
 *
 * Knative feature flags (`config-features` in `knative-serving`), checked against knative/serving
 * pkg/apis/config/features.go and pkg/apis/serving/fieldmask.go:
 *   - used without flags: container securityContext (runAsNonRoot, runAsUser, runAsGroup,
 *     readOnlyRootFilesystem, allowPrivilegeEscalation, capabilities.drop, seccompProfile, and
 *     privileged=false from Knative 1.17, knative/serving#15643), automountServiceAccountToken=false, configMap volumes, and
 *     emptyDir volumes (`kubernetes.podspec-volumes-emptydir`, enabled by default);
 *   - not used: a pod-level securityContext (`kubernetes.podspec-securitycontext`, off by default);
 *     the container context above already meets the restricted Pod Security Standard;
 *   - needed by accelerator models: `kubernetes.podspec-nodeselector` and `kubernetes.podspec-tolerations`
 *     (both off by default). This component enables them when it installs Knative; on a cluster it does
 *     not manage, an admin enables them and says so with `knativeSchedulingFlagsEnabled`.
 * The namespace enforces restricted Pod Security, which Knative's own queue-proxy sidecar meets since it
 * sets seccompProfile RuntimeDefault again (knative/serving#14363, Knative 1.12).
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as yamlv2 from "@pulumi/kubernetes/yaml/v2";
import type { AcceleratorSettings } from "../accelerators/types";
import { servingAccelerators } from "../container-service/kubernetes-args";
import { modelLabels, modelPodSpec, selectorLabels } from "../container-service/kubernetes-pod";
import { servingLakeAccess } from "../container-service/kubernetes";
import { restrictedNamespace } from "../shared/kubernetes-namespace";
import { ModelServingSpec } from "../shared/model";
import { throwIfProblems } from "../shared/problems";
import { ServerlessInference } from "./contract";
import { KnativeInferenceArgs, validateKnativeInference } from "./kubernetes-args";

/** Knative Serving and net-kourier release installed by `installKnative` (released together). */
export const KNATIVE_VERSION = "knative-v1.23.0";
export const KNATIVE_MANIFESTS = {
    crds: `https://github.com/knative/serving/releases/download/${KNATIVE_VERSION}/serving-crds.yaml`,
    core: `https://github.com/knative/serving/releases/download/${KNATIVE_VERSION}/serving-core.yaml`,
    kourier: `https://github.com/knative-extensions/net-kourier/releases/download/${KNATIVE_VERSION}/kourier.yaml`,
} as const;

/**
 * queue-proxy ports: requests (8012 HTTP/1, 8013 h2c, 8112 when system-internal TLS is on), admin 8022,
 * autoscaler metrics 9090 (knative/serving pkg/apis/networking ports.go).
 */
const QUEUE_PROXY_TRAFFIC_PORTS = [8012, 8013];
const QUEUE_PROXY_SYSTEM_PORTS = [8012, 8013, 8112, 8022, 9090];

const namespaceSelector = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** Serverless inference with Knative Serving: per model a cluster-local Knative Service that scales to zero. */
export class KnativeInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> `http://<model>.<namespace>.svc.cluster.local` (cluster-local). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** The namespace the Knative Services run in. */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: KnativeInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`KnativeInference "${name}"`, validateKnativeInference(args));
        const accelerators = servingAccelerators(args);
        super("mlops:index:KnativeInference", name, args, opts);

        const needsScheduling = accelerators.some((a) => a?.nodeSelector || a?.tolerations);
        const knative = args.installKnative ? this.installKnative(name, needsScheduling) : [];
        const ns = restrictedNamespace(name, args.namespace, { ...args.tags, "app.kubernetes.io/managed-by": "pulumi" }, this);
        const namespace = ns.namespace.metadata.name;
        const services = args.models.map((m, i) => this.serveModel(name, m, accelerators[i], namespace, args, knative));

        this.namespaceName = namespace;
        this.endpoints = pulumi
            .all([namespace, ...services.map((s) => s.metadata.name)])
            .apply(([nsName, ...names]) =>
                Object.fromEntries(args.models.map((m, i) => [m.name, `http://${names[i]}.${nsName}.svc.cluster.local`])),
            );
        this.registerOutputs({ endpoints: this.endpoints, namespaceName: this.namespaceName });
    }

    /** Knative Serving + Kourier from the pinned release manifests; returns what Services must wait for. */
    private installKnative(name: string, needsScheduling: boolean): pulumi.Resource[] {
        const crds = new yamlv2.ConfigFile(`${name}-knative-crds`, { file: KNATIVE_MANIFESTS.crds }, { parent: this });
        const core = new yamlv2.ConfigFile(`${name}-knative-core`, { file: KNATIVE_MANIFESTS.core }, { parent: this, dependsOn: [crds] });
        const kourier = new yamlv2.ConfigFile(`${name}-kourier`, { file: KNATIVE_MANIFESTS.kourier }, { parent: this, dependsOn: [core] });
        // Server-side-apply patches own only the keys they set, so the manifests' other keys stay as shipped.
        const patch = (role: string, configMap: string, data: Record<string, string>) =>
            new corev1.ConfigMapPatch(
                `${name}-knative-${role}`,
                { metadata: { name: configMap, namespace: "knative-serving", annotations: { "pulumi.com/patchForce": "true" } }, data },
                { parent: this, dependsOn: [core] },
            );
        const network = patch("network", "config-network", { "ingress-class": "kourier.ingress.networking.knative.dev" });
        const installed: pulumi.Resource[] = [crds, core, kourier, network];
        if (needsScheduling) {
            // Cluster-wide: lets every Knative Service set these, so only turned on when a model needs them.
            const flags = { "kubernetes.podspec-nodeselector": "enabled", "kubernetes.podspec-tolerations": "enabled" };
            installed.push(patch("features", "config-features", flags));
        }
        return installed;
    }

    /** The children of one model; returns its Knative Service (the endpoint). */
    private serveModel(
        name: string,
        m: ModelServingSpec,
        accelerator: AcceleratorSettings | undefined,
        namespace: pulumi.Output<string>,
        args: KnativeInferenceArgs,
        knative: pulumi.Resource[],
    ): CustomResource {
        const prefix = `${name}-${m.name}`;
        const labels = modelLabels(args.tags, name, m.name);
        const files = m.files
            ? new corev1.ConfigMap(
                  `${prefix}-files`,
                  { metadata: { namespace, labels }, immutable: true, data: { ...m.files } },
                  { parent: this },
              )
            : undefined;

        const service = new CustomResource(
            `${prefix}-ksvc`,
            {
                apiVersion: "serving.knative.dev/v1",
                kind: "Service",
                // Private by default: no route through the external gateway, only <model>.<ns>.svc.cluster.local.
                metadata: { name: m.name, namespace, labels: { ...labels, "networking.knative.dev/visibility": "cluster-local" } },
                spec: {
                    template: {
                        metadata: {
                            labels,
                            annotations: {
                                // min-scale 0 is scale to zero: no pods (and no cost) while idle.
                                "autoscaling.knative.dev/min-scale": String(m.minReplicas),
                                "autoscaling.knative.dev/max-scale": String(m.maxReplicas),
                                "autoscaling.knative.dev/target": String(m.concurrency),
                            },
                        },
                        // The same number as a hard limit: a model server is never sent more at once.
                        spec: {
                            containerConcurrency: m.concurrency,
                            ...modelPodSpec(
                                m,
                                accelerator,
                                files?.metadata.name,
                                "knative",
                                servingLakeAccess(this, prefix, m.name, args.lake, namespace, labels, selectorLabels(name, m.name)),
                            ),
                        },
                    },
                },
            },
            { parent: this, dependsOn: knative },
        );

        // Requests arrive from Kourier or the activator (the data plane); callers in this namespace and the
        // client namespaces may also reach queue-proxy directly. Everything goes through queue-proxy: the
        // model port itself stays closed.
        new networkingv1.NetworkPolicy(
            `${prefix}-netpol`,
            {
                metadata: { name: `allow-${m.name}-knative`, namespace, labels },
                spec: {
                    podSelector: { matchLabels: selectorLabels(name, m.name) },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: (args.dataPlaneNamespaces ?? ["knative-serving", "kourier-system"]).map(namespaceSelector),
                            ports: tcp(QUEUE_PROXY_SYSTEM_PORTS),
                        },
                        {
                            from: [{ podSelector: {} }, ...(args.clientNamespaces ?? []).map(namespaceSelector)],
                            ports: tcp(QUEUE_PROXY_TRAFFIC_PORTS),
                        },
                    ],
                },
            },
            { parent: this },
        );
        return service;
    }
}
