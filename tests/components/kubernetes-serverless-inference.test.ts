import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { KnativeInference, KNATIVE_MANIFESTS } from "../../components/serverless-inference/kubernetes";
import { KnativeInferenceArgs } from "../../components/serverless-inference/kubernetes-args";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const KSVC = "kubernetes:serving.knative.dev/v1:Service";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
const PATCH = "kubernetes:core/v1:ConfigMapPatch";

const iris: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.15-slim-bookworm",
    port: 8080,
    command: ["python", "/app/serve.py"],
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    files: { "serve.py": "print('hi')", "model.json": "{}" },
    healthPath: "/healthz",
    cpuMillicores: 250,
    memoryMiB: 256,
    minReplicas: 0,
    maxReplicas: 3,
    concurrency: 80,
};

const llm: ModelServingSpec = {
    name: "llm",
    image: "ghcr.io/example/llm:1.4.2",
    port: 9000,
    healthPath: "/ready",
    cpuMillicores: 4000,
    memoryMiB: 16384,
    minReplicas: 1,
    maxReplicas: 2,
    concurrency: 4,
    accelerator: { type: "nvidia-l4", count: 2 },
};

const baseArgs: KnativeInferenceArgs = {
    namespace: "inference",
    models: [iris],
    clientNamespaces: ["apps"],
    tags: { "mlops-stack": "test" },
};

/** Builds the component; `options` records each child's resource options (dependsOn is not in the inputs). */
async function build(args: KnativeInferenceArgs) {
    const options: Record<string, pulumi.CustomResourceOptions> = {};
    const record: pulumi.ResourceTransformation = (a) => {
        options[a.name] = a.opts;
        return undefined;
    };
    const result = await capture({ project: "mlops", stack: "test", config: {} }, () => {
        const inference = new KnativeInference("inference", args, { transformations: [record] });
        return { endpoints: inference.endpoints, namespaceName: inference.namespaceName };
    });
    return { ...result, options };
}

const rejected = (args: KnativeInferenceArgs) =>
    rejectedBuild(() => new KnativeInference("inference", args), 'KnativeInference "inference"');

const names = (deps: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined) =>
    ([] as unknown[]).concat(deps ?? []).map((d) => (d as { __name?: string }).__name);
const templateOf = (r: CapturedResource) => r.inputs.spec.template;

describe("KnativeInference", () => {
    describe("on a cluster with Knative already installed", () => {
        let resources: CapturedResource[];
        let outputs: Record<string, unknown>;
        let options: Record<string, pulumi.CustomResourceOptions>;
        before(async () => {
            ({ resources, outputs, options } = await build(baseArgs));
        });

        it("creates a cluster-local Knative Service that scales to zero, bounded by maxReplicas and the concurrency target", () => {
            const ksvc = only(resources, KSVC, "inference-iris-ksvc");
            assert.equal(ksvc.inputs.apiVersion, "serving.knative.dev/v1");
            assert.equal(ksvc.inputs.kind, "Service");
            assert.equal(ksvc.inputs.metadata.name, "iris");
            assert.equal(ksvc.inputs.metadata.namespace, "inference");
            assert.equal(ksvc.inputs.metadata.labels["networking.knative.dev/visibility"], "cluster-local");
            assert.deepEqual(templateOf(ksvc).metadata.annotations, {
                "autoscaling.knative.dev/min-scale": "0",
                "autoscaling.knative.dev/max-scale": "3",
                "autoscaling.knative.dev/target": "80",
            });
            assert.equal(templateOf(ksvc).spec.containerConcurrency, 80);
        });

        it("uses only the securityContext fields Knative accepts without feature flags, still meeting the restricted profile", () => {
            const spec = templateOf(only(resources, KSVC, "inference-iris-ksvc")).spec;
            assert.equal(spec.securityContext, undefined, "a pod-level context needs kubernetes.podspec-securitycontext");
            assert.equal(spec.automountServiceAccountToken, false);
            assert.deepEqual(spec.containers[0].securityContext, {
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
                runAsUser: 10001,
                runAsGroup: 10001,
            });
        });

        it("names the port http1, leaves PORT to Knative and probes readiness and liveness on the container port only", () => {
            const [c] = templateOf(only(resources, KSVC, "inference-iris-ksvc")).spec.containers;
            assert.deepEqual(c.ports, [{ name: "http1", containerPort: 8080, protocol: "TCP" }]);
            assert.deepEqual(c.env, [
                { name: "TMPDIR", value: "/var/tmp" },
                { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
            ]);
            assert.deepEqual(c.readinessProbe, { httpGet: { path: "/healthz", port: 8080 } });
            assert.deepEqual(c.livenessProbe, {
                httpGet: { path: "/healthz", port: 8080 },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 6,
            });
            assert.equal(c.startupProbe, undefined, "a startup probe turns off Knative's fast cold-start probing");
            assert.deepEqual(c.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        });

        it("mounts the files read-only at /app and scratch space at /var/tmp (Knative reserves /tmp)", () => {
            const spec = templateOf(only(resources, KSVC, "inference-iris-ksvc")).spec;
            assert.deepEqual(spec.containers[0].volumeMounts, [
                { name: "scratch", mountPath: "/var/tmp" },
                { name: "app", mountPath: "/app", readOnly: true },
            ]);
            assert.deepEqual(spec.volumes[0], { name: "scratch", emptyDir: { sizeLimit: "256Mi" } });
            assert.match(spec.volumes[1].configMap.name, /^inference-iris-files-[0-9a-f]{7}$/);
            const cm = only(resources, "kubernetes:core/v1:ConfigMap", "inference-iris-files");
            assert.deepEqual(cm.inputs.data, iris.files);
        });

        it("lets only the Knative data plane and the callers reach queue-proxy, never the model port", () => {
            const np = only(resources, NETPOL, "inference-iris-netpol");
            const ns = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
            const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
            assert.deepEqual(np.inputs.spec, {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": "inference" } },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [ns("knative-serving"), ns("kourier-system")], ports: tcp(8012, 8013, 8112, 8022, 9090) },
                    { from: [{ podSelector: {} }, ns("apps")], ports: tcp(8012, 8013) },
                ],
            });
            assert.deepEqual(templateOf(only(resources, KSVC, "inference-iris-ksvc")).metadata.labels["app.kubernetes.io/name"], "iris");
        });

        it("installs nothing cluster-wide and waits on nothing", () => {
            assert.deepEqual(ofType(resources, CONFIG_FILE), []);
            assert.deepEqual(ofType(resources, PATCH), []);
            assert.deepEqual(names(options["inference-iris-ksvc"].dependsOn), []);
        });

        it("outputs cluster-local URLs and the namespace", () => {
            assert.deepEqual(outputs.endpoints, { iris: "http://iris.inference.svc.cluster.local" });
            assert.equal(outputs.namespaceName, "inference");
        });
    });

    describe("with installKnative", () => {
        let resources: CapturedResource[];
        let options: Record<string, pulumi.CustomResourceOptions>;
        before(async () => {
            ({ resources, options } = await build({ ...baseArgs, distribution: "gke", installKnative: true, models: [iris, llm] }));
        });

        it("installs Knative Serving and Kourier from the pinned release manifests, in order", () => {
            assert.equal(
                only(resources, CONFIG_FILE, "inference-knative-crds").inputs.file,
                "https://github.com/knative/serving/releases/download/knative-v1.23.0/serving-crds.yaml",
            );
            assert.equal(
                only(resources, CONFIG_FILE, "inference-knative-core").inputs.file,
                "https://github.com/knative/serving/releases/download/knative-v1.23.0/serving-core.yaml",
            );
            assert.equal(only(resources, CONFIG_FILE, "inference-kourier").inputs.file, KNATIVE_MANIFESTS.kourier);
            assert.equal(
                KNATIVE_MANIFESTS.kourier,
                "https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.23.0/kourier.yaml",
            );
            assert.deepEqual(names(options["inference-knative-core"].dependsOn), ["inference-knative-crds"]);
            assert.deepEqual(names(options["inference-kourier"].dependsOn), ["inference-knative-core"]);
        });

        it("makes Kourier the ingress and enables node selectors and tolerations for the accelerator model", () => {
            const network = only(resources, PATCH, "inference-knative-network");
            assert.deepEqual(network.inputs.metadata, {
                name: "config-network",
                namespace: "knative-serving",
                annotations: { "pulumi.com/patchForce": "true" },
            });
            assert.deepEqual(network.inputs.data, { "ingress-class": "kourier.ingress.networking.knative.dev" });
            const features = only(resources, PATCH, "inference-knative-features");
            assert.equal(features.inputs.metadata.name, "config-features");
            assert.deepEqual(features.inputs.data, {
                "kubernetes.podspec-nodeselector": "enabled",
                "kubernetes.podspec-tolerations": "enabled",
            });
        });

        it("makes every Knative Service wait for the install and its configuration", () => {
            const expected = [
                "inference-knative-crds",
                "inference-knative-core",
                "inference-kourier",
                "inference-knative-network",
                "inference-knative-features",
            ];
            assert.deepEqual(names(options["inference-iris-ksvc"].dependsOn), expected);
            assert.deepEqual(names(options["inference-llm-ksvc"].dependsOn), expected);
        });

        it("requests accelerators from the catalog: nvidia.com/gpu limit, GKE node selector and GPU toleration", () => {
            const spec = templateOf(only(resources, KSVC, "inference-llm-ksvc")).spec;
            assert.deepEqual(spec.containers[0].resources.limits, { cpu: "8000m", memory: "16384Mi", "nvidia.com/gpu": "2" });
            assert.deepEqual(spec.nodeSelector, { "cloud.google.com/gke-accelerator": "nvidia-l4" });
            assert.deepEqual(spec.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
            assert.equal(
                templateOf(only(resources, KSVC, "inference-llm-ksvc")).metadata.annotations["autoscaling.knative.dev/min-scale"],
                "1",
            );
        });
    });

    it("leaves the feature flags alone when no model needs an accelerator", async () => {
        const { resources } = await build({ ...baseArgs, installKnative: true });
        assert.deepEqual(
            ofType(resources, PATCH).map((r) => r.name),
            ["inference-knative-network"],
        );
    });

    it("accepts an accelerator model without installing Knative when the admin has enabled the flags", async () => {
        const { resources } = await build({ ...baseArgs, distribution: "gke", knativeSchedulingFlagsEnabled: true, models: [llm] });
        assert.deepEqual(templateOf(only(resources, KSVC, "inference-llm-ksvc")).spec.nodeSelector, {
            "cloud.google.com/gke-accelerator": "nvidia-l4",
        });
        assert.deepEqual(ofType(resources, PATCH), []);
    });

    it("fails when an accelerator model needs node selectors that the cluster's Knative refuses", async () => {
        const { error, registered } = await rejected({ ...baseArgs, distribution: "gke", models: [iris, llm] });
        assert.match(
            error.message,
            /models\[1\]\.accelerator: needs node selectors and tolerations, which Knative refuses unless `kubernetes\.podspec-nodeselector` and `kubernetes\.podspec-tolerations` are enabled/,
        );
        assert.match(
            error.message,
            /Fix: have a cluster admin enable both .* and set knativeSchedulingFlagsEnabled, or set installKnative/,
        );
        assert.deepEqual(registered, []);
    });

    it("fails when a model uses a port or an environment variable Knative reserves", async () => {
        const { error, registered } = await rejected({
            ...baseArgs,
            models: [{ ...iris, port: 8012, env: { PORT: "8012", K_SERVICE: "x" } }],
        });
        assert.match(
            error.message,
            /models\[0\]\.port: is reserved by the platform \(got 8012\)\. Fix: use another port \(reserved: 8008, 8012, 8013, 8022, 9090, 9091\)/,
        );
        assert.match(error.message, /models\[0\]\.env\.PORT: is set by the platform and may not be given \(got "8012"\)/);
        assert.match(error.message, /models\[0\]\.env\.K_SERVICE: is set by the platform and may not be given/);
        assert.deepEqual(registered, []);
    });

    it("fails on the shared model rules too (unpinned image, minReplicas > maxReplicas, catalog), all at once", async () => {
        const { error, registered } = await rejected({
            ...baseArgs,
            installKnative: true,
            dataPlaneNamespaces: ["Kourier System"],
            models: [
                { ...iris, image: "python:latest", minReplicas: 5, maxReplicas: 2 },
                { ...llm, accelerator: { type: "google-tpu-v5e", count: 1 } },
            ],
        });
        const problems = (error as ValidationError).problems;
        assert.match(problems[0], /^models\[0\]\.image: is not pinned to a tag or digest/);
        assert.match(problems[1], /^models\[0\]\.minReplicas: is more than maxReplicas \(2\) \(got 5\)/);
        assert.match(problems[2], /^models\[1\]\.accelerator: kubernetes\/kubernetes google-tpu-v5e: google-tpu-v5e exists only on /);
        assert.match(problems[3], /^dataPlaneNamespaces\[0\]: is not a valid namespace name \(got "Kourier System"\)/);
        assert.equal(problems.length, 4, problems.join("\n"));
        assert.deepEqual(registered, []);
    });

    it("fails when the namespace is `default`", async () => {
        const { error, registered } = await rejected({ ...baseArgs, namespace: "default" });
        assert.match(error.message, /namespace: must not be the `default` namespace \(CKV_K8S_21\) \(got "default"\)/);
        assert.deepEqual(registered, []);
    });
});
