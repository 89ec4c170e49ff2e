import * as assert from "node:assert/strict";
import { KubernetesContainerService } from "../../components/container-service/kubernetes";
import { KubernetesContainerServiceArgs } from "../../components/container-service/kubernetes-args";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, only, rejectedBuild, podSpec } from "../harness";

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
    minReplicas: 2,
    maxReplicas: 5,
    concurrency: 80,
};

const llm: ModelServingSpec = {
    name: "llm",
    image: "ghcr.io/example/llm@sha256:" + "a".repeat(64),
    port: 9000,
    healthPath: "/ready",
    cpuMillicores: 4000,
    memoryMiB: 16384,
    minReplicas: 0,
    maxReplicas: 2,
    concurrency: 4,
    accelerator: { type: "nvidia-l4", count: 2 },
};

const baseArgs: KubernetesContainerServiceArgs = {
    namespace: "models",
    models: [iris, llm],
    distribution: "gke",
    clientNamespaces: ["apps"],
    tags: { "mlops-stack": "test" },
};

async function build(args: KubernetesContainerServiceArgs) {
    return capture({ project: "mlops", stack: "test", config: {} }, () => {
        const service = new KubernetesContainerService("serving", args);
        return { endpoints: service.endpoints, namespaceName: service.namespaceName };
    });
}

const rejected = (args: KubernetesContainerServiceArgs) =>
    rejectedBuild(() => new KubernetesContainerService("serving", args), 'KubernetesContainerService "serving"');

const withModel = (patch: Partial<ModelServingSpec>): KubernetesContainerServiceArgs => ({ ...baseArgs, models: [{ ...iris, ...patch }] });

describe("KubernetesContainerService", () => {
    let resources: CapturedResource[];
    let outputs: Record<string, unknown>;
    before(async () => {
        ({ resources, outputs } = await build(baseArgs));
    });

    it("creates a restricted namespace with a default-deny policy, never in `default`", () => {
        const ns = only(resources, "kubernetes:core/v1:Namespace", "serving-ns");
        assert.equal(ns.inputs.metadata.name, "models");
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const deny = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "serving-deny-all");
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("runs each model as a rolling Deployment with restricted pod and container security contexts", () => {
        const d = only(resources, "kubernetes:apps/v1:Deployment", "serving-iris-deployment");
        assert.equal(d.inputs.metadata.name, "iris");
        assert.equal(d.inputs.metadata.namespace, "models");
        assert.equal(d.inputs.spec.replicas, undefined, "the autoscaler owns the replica count");
        assert.deepEqual(d.inputs.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        assert.deepEqual(d.inputs.spec.selector.matchLabels, { "app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": "serving" });
        const pod = podSpec(d);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        const [c] = pod.containers;
        assert.equal(pod.containers.length, 1);
        assert.equal(c.image, "python:3.12.15-slim-bookworm");
        assert.deepEqual(c.command, ["python", "/app/serve.py"]);
        assert.deepEqual(c.securityContext, {
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepEqual(c.env, [
            { name: "PORT", value: "8080" },
            { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
        ]);
        assert.deepEqual(c.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        assert.equal(pod.nodeSelector, undefined);
        assert.equal(pod.tolerations, undefined);
    });

    it("sets memory requests equal to limits, a CPU request from cpuMillicores and a bounded CPU limit", () => {
        const c = podSpec(only(resources, "kubernetes:apps/v1:Deployment", "serving-iris-deployment")).containers[0];
        assert.deepEqual(c.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    });

    it("probes health on the model port: startup (slow loads), readiness and liveness", () => {
        const c = podSpec(only(resources, "kubernetes:apps/v1:Deployment", "serving-iris-deployment")).containers[0];
        const httpGet = { path: "/healthz", port: 8080 };
        assert.deepEqual(c.startupProbe, { httpGet, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 60 });
        assert.deepEqual(c.readinessProbe, { httpGet, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
        assert.deepEqual(c.livenessProbe, { httpGet, periodSeconds: 20, timeoutSeconds: 2, failureThreshold: 3 });
    });

    it("mounts the model files read-only at /app from an immutable ConfigMap, and scratch space at /tmp", () => {
        const cm = only(resources, "kubernetes:core/v1:ConfigMap", "serving-iris-files");
        assert.deepEqual(cm.inputs.data, iris.files);
        assert.equal(cm.inputs.immutable, true);
        assert.equal(cm.inputs.metadata.namespace, "models");
        const pod = podSpec(only(resources, "kubernetes:apps/v1:Deployment", "serving-iris-deployment"));
        assert.deepEqual(pod.containers[0].volumeMounts, [
            { name: "scratch", mountPath: "/tmp" },
            { name: "app", mountPath: "/app", readOnly: true },
        ]);
        assert.deepEqual(pod.volumes[0], { name: "scratch", emptyDir: { sizeLimit: "256Mi" } });
        assert.equal(pod.volumes[1].name, "app");
        // The mocked engine names the auto-named ConfigMap `<logical name>-<suffix>`.
        assert.match(pod.volumes[1].configMap.name, /^serving-iris-files-[0-9a-f]{7}$/);
        assert.equal(ofName(resources, "serving-llm-files"), undefined, "a model without files gets no ConfigMap");
    });

    it("requests accelerators from the catalog: nvidia.com/gpu limit, GKE node selector and GPU toleration", () => {
        const pod = podSpec(only(resources, "kubernetes:apps/v1:Deployment", "serving-llm-deployment"));
        assert.deepEqual(pod.containers[0].resources.limits, { cpu: "8000m", memory: "16384Mi", "nvidia.com/gpu": "2" });
        assert.deepEqual(pod.nodeSelector, { "cloud.google.com/gke-accelerator": "nvidia-l4" });
        assert.deepEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        assert.equal(pod.volumes.length, 1, "only scratch space: no files");
    });

    it("exposes each model through a ClusterIP Service", () => {
        const s = only(resources, "kubernetes:core/v1:Service", "serving-iris-service");
        assert.equal(s.inputs.metadata.name, "iris");
        assert.deepEqual(s.inputs.spec, {
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": "serving" },
            ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
        });
    });

    it("autoscales on 70% CPU between minReplicas (at least 1) and maxReplicas", () => {
        const hpa = only(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "serving-iris-hpa");
        assert.deepEqual(hpa.inputs.spec, {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "iris" },
            minReplicas: 2,
            maxReplicas: 5,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        });
        const llmHpa = only(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "serving-llm-hpa");
        assert.equal(llmHpa.inputs.spec.minReplicas, 1, "minReplicas 0 still keeps one pod on a Deployment");
    });

    it("keeps one pod through drains with 2+ replicas, and allows one out at a time with fewer", () => {
        const pdb = only(resources, "kubernetes:policy/v1:PodDisruptionBudget", "serving-iris-pdb");
        assert.deepEqual(pdb.inputs.spec, {
            selector: { matchLabels: { "app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": "serving" } },
            minAvailable: 1,
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
        const single = only(resources, "kubernetes:policy/v1:PodDisruptionBudget", "serving-llm-pdb");
        assert.equal(single.inputs.spec.maxUnavailable, 1);
        assert.equal(single.inputs.spec.minAvailable, undefined);
    });

    it("opens only the model port, only to its own namespace and the client namespaces", () => {
        const np = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "serving-iris-netpol");
        assert.equal(np.inputs.metadata.namespace, "models");
        assert.deepEqual(np.inputs.spec, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "iris", "app.kubernetes.io/instance": "serving" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }],
                    ports: [{ protocol: "TCP", port: 8080 }],
                },
            ],
        });
    });

    it("labels children with the caller's tags and parents them to the component", () => {
        const component = only(resources, "mlops:index:KubernetesContainerService", "serving");
        const d = only(resources, "kubernetes:apps/v1:Deployment", "serving-iris-deployment");
        assert.equal(d.parent, component.urn);
        assert.equal(d.inputs.metadata.labels["mlops-stack"], "test");
        assert.equal(d.inputs.spec.template.metadata.labels["app.kubernetes.io/name"], "iris");
        const children = resources.filter((r) => r.parent === component.urn).map((r) => r.name);
        assert.ok(
            children.every((n) => n.startsWith("serving-")),
            children.join(", "),
        );
    });

    it("outputs cluster-internal endpoints and the namespace", () => {
        assert.deepEqual(outputs.endpoints, {
            iris: "http://iris.models.svc.cluster.local:8080",
            llm: "http://llm.models.svc.cluster.local:9000",
        });
        assert.equal(outputs.namespaceName, "models");
    });

    it("fails when an image is not pinned (`:latest` or no tag), creating nothing", async () => {
        const { error, registered } = await rejected({
            ...baseArgs,
            models: [
                { ...iris, image: "python:latest" },
                { ...llm, image: "ghcr.io/example/llm" },
            ],
        });
        assert.match(error.message, /models\[0\]\.image: is not pinned to a tag or digest \(CKV_K8S_14\) \(got "python:latest"\)/);
        assert.match(error.message, /models\[1\]\.image: is not pinned to a tag or digest \(CKV_K8S_14\) \(got "ghcr.io\/example\/llm"\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when minReplicas is more than maxReplicas", async () => {
        const { error, registered } = await rejected(withModel({ minReplicas: 4, maxReplicas: 3 }));
        assert.match(error.message, /models\[0\]\.minReplicas: is more than maxReplicas \(3\) \(got 4\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when maxReplicas is below 1", async () => {
        const { error, registered } = await rejected(withModel({ minReplicas: 0, maxReplicas: 0 }));
        assert.match(error.message, /models\[0\]\.maxReplicas: must be a whole number of at least 1 \(got 0\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when a port is out of range", async () => {
        const { error, registered } = await rejected({
            ...baseArgs,
            models: [
                { ...iris, port: 0 },
                { ...llm, port: 70000 },
            ],
        });
        assert.match(error.message, /models\[0\]\.port: is not a TCP port \(got 0\)/);
        assert.match(error.message, /models\[1\]\.port: is not a TCP port \(got 70000\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when CPU or memory is not positive", async () => {
        const { error, registered } = await rejected(withModel({ cpuMillicores: 0, memoryMiB: -1 }));
        assert.match(error.message, /models\[0\]\.cpuMillicores: must be a positive whole number of millicores \(got 0\)/);
        assert.match(error.message, /models\[0\]\.memoryMiB: must be a positive whole number of MiB \(got -1\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when two models share a name", async () => {
        const { error, registered } = await rejected({ ...baseArgs, models: [iris, { ...llm, name: "iris" }] });
        assert.match(error.message, /models\[1\]\.name: is used by another model \(got "iris"\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when a model name is not a DNS label", async () => {
        const { error, registered } = await rejected(withModel({ name: "Iris_Model" }));
        assert.match(error.message, /models\[0\]\.name: is not a valid model name \(got "Iris_Model"\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when the catalog rejects an accelerator, with the catalog's message under the model's path", async () => {
        const { error, registered } = await rejected({ ...baseArgs, models: [{ ...llm, accelerator: { type: "nvidia-l4", count: 3 } }] });
        assert.match(
            error.message,
            /models\[0\]\.accelerator: kubernetes\/kubernetes nvidia-l4:3: nvidia-l4 comes in counts 1, 2, 4, 8 on kubernetes\/kubernetes \(distribution gke\), not 3/,
        );
        assert.deepEqual(registered, []);
    });

    it("fails when the namespace is `default` or a client namespace is not a name, and lists every problem at once", async () => {
        const { error, registered } = await rejected({
            ...baseArgs,
            namespace: "default",
            clientNamespaces: ["Bad NS"],
            distribution: "openshift",
            models: [{ ...iris, image: "python", maxReplicas: 0 }],
        });
        assert.match(error.message, /namespace: must not be the `default` namespace \(CKV_K8S_21\)/);
        assert.match(error.message, /clientNamespaces\[0\]: is not a valid namespace name \(got "Bad NS"\)/);
        assert.match(
            error.message,
            /distribution: is not a known Kubernetes distribution \(got "openshift"\)\. Allowed: generic, eks, gke, aks\./,
        );
        assert.equal((error as ValidationError).problems.length, 5, (error as ValidationError).problems.join("\n"));
        assert.deepEqual(registered, []);
    });
});

function ofName(resources: readonly CapturedResource[], name: string): CapturedResource | undefined {
    return resources.find((r) => r.name === name);
}
