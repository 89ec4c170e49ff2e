import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MlflowPlatform } from "../../components/ml-platform/kubernetes";
import { MlflowPlatformArgs } from "../../components/ml-platform/kubernetes-args";
import {
    ContainerLimits,
    REGISTER_MODELS_SCRIPT,
    launcherShape,
    trainingLimitRange,
    trainingQuota,
} from "../../components/ml-platform/kubernetes-mlflow";
import { KUBERNETES_CATALOG, PodShape, trainingPodShape } from "../../components/accelerators/kubernetes";
import { KUBERNETES_DISTRIBUTIONS } from "../../components/accelerators/types";
import { CapturedResource, captureResources, ofType, only, rejectedBuild, podSpec, valueOf } from "../harness";

const NS = "kubernetes:core/v1:Namespace";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SECRET = "kubernetes:core/v1:Secret";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const QUOTA = "kubernetes:core/v1:ResourceQuota";

const SECRET_KEY = "artifact-secret-key-value";
const baseArgs: MlflowPlatformArgs = {
    namespace: "ml",
    trainingNamespace: "training",
    models: ["churn", "fraud"],
    artifactBucket: pulumi.output("models"),
    artifactEndpoint: pulumi.output("http://lake.lake.svc.cluster.local:9000"),
    artifactAccessKeyId: pulumi.secret("mlflow"),
    artifactSecretAccessKey: SECRET_KEY,
    dataLakeNamespace: "lake",
    training: { accelerator: { type: "nvidia-t4", count: 2 }, maxNodes: 3, spot: false },
    tags: { "mlops.dev/stack": "test" },
};

// OnRootMismatch: the kubelet chowns a volume only when needed, not every file on every restart.
const RESTRICTED_POD = {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};
const RESTRICTED_CONTAINER = {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
const SERVER_LABELS = { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "ml-mlflow" };
const byNamespace = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });

async function build(args: MlflowPlatformArgs = baseArgs): Promise<{ resources: CapturedResource[]; platform: MlflowPlatform }> {
    let platform: MlflowPlatform | undefined;
    const { resources } = await captureResources(() => {
        platform = new MlflowPlatform("ml", args);
    });
    return { resources, platform: platform! };
}

const rejected = (args: MlflowPlatformArgs) => rejectedBuild(() => new MlflowPlatform("ml", args), 'MlflowPlatform "ml"');

describe("MlflowPlatform (kubernetes)", () => {
    let resources: CapturedResource[];
    let platform: MlflowPlatform;
    before(async () => {
        ({ resources, platform } = await build());
    });

    it("creates restricted MLflow and training namespaces, each with a default-deny policy", () => {
        for (const [name, ns] of [
            ["ml-ns", "ml"],
            ["ml-training-ns", "training"],
        ]) {
            const r = only(resources, NS, name);
            assert.equal(r.inputs.metadata.name, ns);
            assert.equal(r.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        }
        for (const [name, ns] of [
            ["ml-deny-all", "ml"],
            ["ml-training-deny-all", "training"],
        ]) {
            const deny = only(resources, POLICY, name);
            assert.equal(deny.inputs.metadata.namespace, ns);
            assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        }
    });

    it("names every child from the component and parents it to the component", () => {
        const component = only(resources, "mlops:index:MlflowPlatform", "ml");
        for (const r of resources.filter((x) => x.custom)) {
            assert.ok(r.name.startsWith("ml-"), r.name);
            assert.equal(r.parent, component.urn, `${r.name} is not a child of the component`);
        }
    });

    it("runs one MLflow replica with Recreate, SQLite on the volume and artifacts proxied to the models bucket", () => {
        const d = only(resources, DEPLOYMENT, "ml-server");
        assert.equal(d.inputs.spec.replicas, 1);
        assert.deepEqual(d.inputs.spec.strategy, { type: "Recreate" });
        const c = podSpec(d).containers[0];
        assert.equal(c.image, "ghcr.io/mlflow/mlflow:v3.16.0-full");
        assert.deepEqual(c.command, [
            "mlflow",
            "server",
            "--host",
            "0.0.0.0",
            "--port",
            "5000",
            "--workers",
            "1",
            "--backend-store-uri",
            "sqlite:////mlflow/db/mlflow.db",
            "--serve-artifacts",
            "--artifacts-destination",
            "s3://models/mlflow",
            "--allowed-hosts",
            "ml-mlflow:5000,ml-mlflow.ml:5000,ml-mlflow.ml.svc:5000,ml-mlflow.ml.svc.cluster.local:5000,localhost:*,127.0.0.1:*",
        ]);
        assert.deepEqual(c.env, [
            { name: "MLFLOW_S3_ENDPOINT_URL", value: "http://lake.lake.svc.cluster.local:9000" },
            { name: "AWS_SHARED_CREDENTIALS_FILE", value: "/etc/mlflow/aws/credentials" },
            { name: "AWS_DEFAULT_REGION", value: "us-east-1" },
            { name: "HOME", value: "/tmp" },
        ]);
        assert.deepEqual(c.volumeMounts, [
            { name: "backend", mountPath: "/mlflow/db" },
            { name: "tmp", mountPath: "/tmp" },
            { name: "aws", mountPath: "/etc/mlflow/aws", readOnly: true },
        ]);
        const volumes = podSpec(d).volumes;
        assert.deepEqual(volumes[0], { name: "backend", persistentVolumeClaim: { claimName: "ml-backend" } });
        assert.deepEqual(volumes[2], { name: "aws", secret: { secretName: "ml-artifact-credentials", defaultMode: 0o440 } });
        // Schema migrations run at start-up: a startup probe holds liveness off for up to 10 minutes.
        assert.deepEqual(c.startupProbe, {
            httpGet: { path: "/health", port: 5000 },
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 60,
        });
        assert.equal(c.livenessProbe.initialDelaySeconds, undefined);
        assert.deepEqual(c.livenessProbe.httpGet, { path: "/health", port: 5000 });
        assert.deepEqual(c.readinessProbe.httpGet, { path: "/health", port: 5000 });
        const svc = only(resources, "kubernetes:core/v1:Service", "ml-service");
        assert.deepEqual(
            [svc.inputs.metadata.name, svc.inputs.spec.type, svc.inputs.spec.selector, svc.inputs.spec.ports[0].port],
            ["ml-mlflow", "ClusterIP", SERVER_LABELS, 5000],
        );
    });

    it("runs every pod under the restricted profile with limits and no service-account token", () => {
        for (const r of [only(resources, DEPLOYMENT, "ml-server"), only(resources, JOB, "ml-register-models")]) {
            const pod = podSpec(r);
            assert.equal(pod.automountServiceAccountToken, false, r.name);
            assert.deepEqual(pod.securityContext, RESTRICTED_POD, r.name);
            for (const c of pod.containers) {
                assert.deepEqual(c.securityContext, RESTRICTED_CONTAINER, c.name);
                assert.ok(
                    c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory,
                    c.name,
                );
                assert.equal(c.image, "ghcr.io/mlflow/mlflow:v3.16.0-full");
            }
        }
    });

    it("keeps artifact credentials in a secret Secret mounted as a file, never in env", () => {
        const secret = only(resources, SECRET, "ml-artifact-credentials");
        assert.equal(secret.inputs.stringData, "[secret]", "the Secret's data is not marked secret");
        assert.equal(secret.inputs.metadata.namespace, "ml");
        const env = podSpec(only(resources, DEPLOYMENT, "ml-server")).containers[0].env.map((e: any) => e.name);
        for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) assert.ok(!env.includes(name), name);
        for (const r of resources.filter((x) => x.type !== SECRET)) {
            assert.ok(!JSON.stringify(r.inputs).includes(SECRET_KEY), `${r.name} carries the secret key in its inputs`);
        }
    });

    it("keeps the database on a protected, retained volume", () => {
        const pvc = only(resources, PVC, "ml-backend");
        assert.deepEqual(pvc.inputs.spec, { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } });
        assert.deepEqual(pvc.options, { protect: true, retainOnDelete: true });
        assert.deepEqual(only(resources, NS, "ml-ns").options, { protect: true, retainOnDelete: true });
        assert.deepEqual(only(resources, DEPLOYMENT, "ml-server").options, { protect: false, retainOnDelete: false });
    });

    it("neither protects nor retains anything when protectData is false, and sizes the volume", async () => {
        const { resources: r } = await build({ ...baseArgs, protectData: false, backendVolumeSizeGiB: 20, storageClassName: "standard" });
        assert.deepEqual(only(r, PVC, "ml-backend").options, { protect: false, retainOnDelete: false });
        assert.deepEqual(only(r, NS, "ml-ns").options, { protect: false, retainOnDelete: false });
        assert.deepEqual(only(r, PVC, "ml-backend").inputs.spec, {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "standard",
            resources: { requests: { storage: "20Gi" } },
        });
    });

    it("lets its own and the training namespace reach port 5000, and MLflow reach only the lake's S3 port", () => {
        assert.deepEqual(only(resources, POLICY, "ml-allow-tracking").inputs.spec, {
            podSelector: { matchLabels: SERVER_LABELS },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: {} }, byNamespace("training")], ports: [{ protocol: "TCP", port: 5000 }] }],
        });
        assert.deepEqual(only(resources, POLICY, "ml-allow-artifact-store").inputs.spec, {
            podSelector: { matchLabels: SERVER_LABELS },
            policyTypes: ["Egress"],
            egress: [{ to: [byNamespace("lake")], ports: [{ protocol: "TCP", port: 9000 }] }],
        });
        assert.deepEqual(only(resources, POLICY, "ml-allow-register").inputs.spec, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "mlflow-register-models", "app.kubernetes.io/instance": "ml-mlflow" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: SERVER_LABELS } }], ports: [{ protocol: "TCP", port: 5000 }] }],
        });
        const dns = only(resources, POLICY, "ml-allow-dns");
        assert.deepEqual(dns.inputs.spec.podSelector, { matchLabels: { "app.kubernetes.io/instance": "ml-mlflow" } });
        assert.deepEqual(dns.inputs.spec.egress[0].to, [byNamespace("kube-system")]);
        assert.deepEqual(only(resources, POLICY, "ml-training-allow-egress").inputs.spec, {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [byNamespace("ml")], ports: [{ protocol: "TCP", port: 5000 }] },
                { to: [byNamespace("lake")], ports: [{ protocol: "TCP", port: 9000 }] },
            ],
        });
        assert.equal(only(resources, POLICY, "ml-training-allow-dns").inputs.metadata.namespace, "training");
    });

    it("registers each model with an idempotent Job against the tracking server", () => {
        const c = podSpec(only(resources, JOB, "ml-register-models")).containers[0];
        assert.deepEqual(c.command, ["python", "-c", REGISTER_MODELS_SCRIPT]);
        assert.deepEqual(c.env, [
            { name: "MLFLOW_TRACKING_URI", value: "http://ml-mlflow.ml.svc.cluster.local:5000" },
            { name: "MLOPS_MODELS", value: '["churn","fraud"]' },
            { name: "HOME", value: "/tmp" },
        ]);
        assert.ok(REGISTER_MODELS_SCRIPT.includes("client.create_registered_model(name"));
        assert.ok(REGISTER_MODELS_SCRIPT.includes('e.error_code == "RESOURCE_ALREADY_EXISTS"'));
    });

    it("registers nothing, and opens no egress for it, when there are no models", async () => {
        const { resources: r, platform: p } = await build({ ...baseArgs, models: [] });
        assert.deepEqual(ofType(r, JOB), []);
        assert.deepEqual(
            ofType(r, POLICY).filter((x) => x.name === "ml-allow-register"),
            [],
        );
        assert.equal(await valueOf(p.modelRegistry), "http://ml-mlflow.ml.svc.cluster.local:5000");
    });

    it("caps the training namespace at the catalog's shape: nvidia-t4:2 pods (6 vCPU, 20 GiB) on 3 nodes, 6 GPUs, other accelerators 0", () => {
        const quota = only(resources, QUOTA, "ml-training-quota");
        assert.equal(quota.inputs.metadata.namespace, "training");
        // 3 x 6000m + a 2000m launcher; 3 x 20480Mi + a 4096Mi launcher.
        assert.deepEqual(quota.inputs.spec.hard, {
            pods: "4",
            "requests.cpu": "20000m",
            "limits.cpu": "20000m",
            "requests.memory": "65536Mi",
            "limits.memory": "65536Mi",
            "requests.nvidia.com/gpu": "6",
            "requests.aws.amazon.com/neuron": "0",
            "requests.google.com/tpu": "0",
        });
        const limits = only(resources, "kubernetes:core/v1:LimitRange", "ml-training-limits");
        assert.deepEqual(limits.inputs.spec.limits, [
            {
                type: "Container",
                defaultRequest: { cpu: "500m", memory: "1024Mi", "nvidia.com/gpu": "0" },
                default: { cpu: "2000m", memory: "4096Mi", "nvidia.com/gpu": "0" },
                max: { cpu: "6000m", memory: "20480Mi", "nvidia.com/gpu": "2" },
            },
        ]);
        const sa = only(resources, "kubernetes:core/v1:ServiceAccount", "ml-trainer");
        assert.deepEqual(
            [sa.inputs.metadata.name, sa.inputs.metadata.namespace, sa.inputs.automountServiceAccountToken],
            ["trainer", "training", false],
        );
    });

    it("resolves TPUs through the catalog with the gke distribution", async () => {
        const { resources: r, platform: p } = await build({
            ...baseArgs,
            distribution: "gke",
            training: { accelerator: { type: "google-tpu-v5e", count: 4 }, maxNodes: 2 },
        });
        const hard = only(r, QUOTA, "ml-training-quota").inputs.spec.hard;
        assert.deepEqual([hard["requests.google.com/tpu"], hard["requests.nvidia.com/gpu"], hard.pods], ["8", "0", "3"]);
        assert.deepEqual(await valueOf(p.trainingDefaults), {
            accelerator: "google-tpu-v5e",
            acceleratorCount: 4,
            compute: "google.com/tpu",
            maxNodes: 2,
            spot: true,
        });
    });

    it("allows no accelerator at all for CPU-only training", async () => {
        const { resources: r, platform: p } = await build({
            ...baseArgs,
            training: undefined,
            trainingCpuMillicoresPerNode: 1000,
            trainingMemoryMiBPerNode: 2048,
        });
        assert.deepEqual(only(r, QUOTA, "ml-training-quota").inputs.spec.hard, {
            pods: "2",
            "requests.cpu": "2000m",
            "limits.cpu": "2000m",
            "requests.memory": "4096Mi",
            "limits.memory": "4096Mi",
            "requests.nvidia.com/gpu": "0",
            "requests.aws.amazon.com/neuron": "0",
            "requests.google.com/tpu": "0",
        });
        assert.deepEqual(await valueOf(p.trainingDefaults), {
            accelerator: "none",
            acceleratorCount: 0,
            compute: "cpu",
            maxNodes: 1,
            spot: true,
        });
        const limits = only(r, "kubernetes:core/v1:LimitRange", "ml-training-limits").inputs.spec.limits[0];
        assert.deepEqual(limits.default, { cpu: "1000m", memory: "2048Mi" });
        assert.deepEqual(limits.max, { cpu: "1000m", memory: "2048Mi" });
    });

    it("sizes a CPU-only training pod at 4 vCPU and 16 GiB when no size is given", async () => {
        const { resources: r } = await build({ ...baseArgs, training: { maxNodes: 2 } });
        assert.deepEqual(only(r, "kubernetes:core/v1:LimitRange", "ml-training-limits").inputs.spec.limits[0].max, {
            cpu: "4000m",
            memory: "16384Mi",
        });
        const hard = only(r, QUOTA, "ml-training-quota").inputs.spec.hard;
        assert.deepEqual([hard["limits.cpu"], hard["limits.memory"]], ["10000m", "36864Mi"]);
    });

    it("takes training sizes larger than the catalog's shape (a bigger node)", async () => {
        const { resources: r } = await build({ ...baseArgs, trainingCpuMillicoresPerNode: 16000, trainingMemoryMiBPerNode: 65536 });
        assert.deepEqual(only(r, "kubernetes:core/v1:LimitRange", "ml-training-limits").inputs.spec.limits[0].max, {
            cpu: "16000m",
            memory: "65536Mi",
            "nvidia.com/gpu": "2",
        });
    });

    it("keeps the registration Job and its logs when a new image or model list replaces it", async () => {
        assert.equal(only(resources, JOB, "ml-register-models").options.retainOnDelete, true);
        const { resources: r } = await build({ ...baseArgs, protectData: false });
        assert.equal(only(r, JOB, "ml-register-models").options.retainOnDelete, true);
    });

    it("never renames or reshapes the database volume on a routine edit (image, models, accelerator, nodes, tags)", async () => {
        const routine: MlflowPlatformArgs = {
            ...baseArgs,
            image: "ghcr.io/mlflow/mlflow:v3.17.0-full",
            models: ["churn"],
            training: { accelerator: { type: "nvidia-l4", count: 8 }, maxNodes: 1 },
            tags: { "mlops.dev/stack": "test", team: "ml" },
        };
        const { resources: r } = await build(routine);
        const before = only(resources, PVC, "ml-backend");
        const after = only(r, PVC, "ml-backend");
        // Same logical name, metadata.name, namespace and spec: the provider updates labels in place at most.
        assert.deepEqual(
            [after.urn, after.inputs.metadata.name, after.inputs.metadata.namespace, after.inputs.spec],
            [before.urn, "ml-backend", "ml", before.inputs.spec],
        );
        assert.deepEqual(after.options, { protect: true, retainOnDelete: true });
        const server = only(r, DEPLOYMENT, "ml-server");
        assert.deepEqual(podSpec(server).volumes[0], { name: "backend", persistentVolumeClaim: { claimName: "ml-backend" } });
    });

    it("exposes the tracking URI, registry, training defaults and namespace", async () => {
        assert.equal(await valueOf(platform.trackingUri), "http://ml-mlflow.ml.svc.cluster.local:5000");
        assert.equal(await valueOf(platform.modelRegistry), "http://ml-mlflow.ml.svc.cluster.local:5000");
        assert.equal(await valueOf(platform.namespaceName), "ml");
        assert.deepEqual(await valueOf(platform.trainingDefaults), {
            accelerator: "nvidia-t4",
            acceleratorCount: 2,
            compute: "nvidia.com/gpu",
            maxNodes: 3,
            spot: false,
        });
    });

    describe("validation", () => {
        it("fails when the catalog rejects the accelerator, naming training.accelerator", async () => {
            const { message, registered } = await rejected({
                ...baseArgs,
                training: { accelerator: { type: "google-tpu-v5e", count: 1 } },
            });
            assert.ok(
                message.includes("training.accelerator: kubernetes/kubernetes google-tpu-v5e: google-tpu-v5e exists only on Google Cloud"),
                message,
            );
            assert.ok(message.includes("set distribution: gke"), message);
            assert.deepEqual(registered, []);
        });

        it("fails when the accelerator count is not offered", async () => {
            const { message } = await rejected({ ...baseArgs, training: { accelerator: { type: "nvidia-t4", count: 3 } } });
            assert.ok(
                message.includes("training.accelerator: kubernetes/kubernetes nvidia-t4:3: nvidia-t4 comes in counts 1, 2, 4, 8"),
                message,
            );
        });

        it("fails when the distribution is unknown", async () => {
            const { message } = await rejected({ ...baseArgs, distribution: "openshift" });
            assert.ok(
                message.includes(
                    'distribution: is not a known Kubernetes distribution (got "openshift"). Allowed: generic, eks, gke, aks.',
                ),
                message,
            );
        });

        it("fails when a training size is smaller than the catalog's pod for the accelerator, naming the key", async () => {
            const { message, registered } = await rejected({
                ...baseArgs,
                training: { accelerator: { type: "nvidia-h100-80gb", count: 8 } },
                trainingCpuMillicoresPerNode: 4000,
                trainingMemoryMiBPerNode: 16384,
            });
            assert.ok(
                message.includes(
                    "trainingCpuMillicoresPerNode: is smaller than one nvidia-h100-80gb:8 training pod, which the accelerator catalog sizes at 80000m (got 4000). Fix: leave it unset, or set at least 80000",
                ),
                message,
            );
            assert.ok(
                message.includes(
                    "trainingMemoryMiBPerNode: is smaller than one nvidia-h100-80gb:8 training pod, which the accelerator catalog sizes at 1310720Mi (got 16384)",
                ),
                message,
            );
            assert.deepEqual(registered, []);
        });

        it("fails when maxNodes, sizes or the volume are not whole numbers in range", async () => {
            const { message } = await rejected({
                ...baseArgs,
                training: { maxNodes: 0 },
                backendVolumeSizeGiB: 2.5,
                trainingCpuMillicoresPerNode: 50,
                trainingMemoryMiBPerNode: 64,
            });
            assert.ok(message.includes("training.maxNodes: must be a whole number of at least 1 (got 0)"), message);
            assert.ok(message.includes("backendVolumeSizeGiB: must be a whole number of at least 1 (got 2.5)"), message);
            assert.ok(message.includes("trainingCpuMillicoresPerNode: must be a whole number of at least 100 (got 50)"), message);
            assert.ok(message.includes("trainingMemoryMiBPerNode: must be a whole number of at least 128 (got 64)"), message);
        });

        it("fails when a namespace is default, invalid, or shared by MLflow and training", async () => {
            const a = await rejected({ ...baseArgs, namespace: "default", dataLakeNamespace: "Lake" });
            assert.ok(a.message.includes('namespace: must not be the `default` namespace (CKV_K8S_21) (got "default")'), a.message);
            assert.ok(a.message.includes('dataLakeNamespace: is not a valid namespace name (got "Lake")'), a.message);
            const b = await rejected({ ...baseArgs, trainingNamespace: "ml" });
            assert.ok(b.message.includes('trainingNamespace: must differ from namespace (got "ml")'), b.message);
        });

        it("fails when a model name is invalid or repeated", async () => {
            const { message } = await rejected({ ...baseArgs, models: ["churn", "bad name", "churn"] });
            assert.ok(message.includes('models[1]: is not a valid registered model name (got "bad name")'), message);
            assert.ok(message.includes('models[2]: is listed twice (got "churn")'), message);
        });

        it("fails when the image is not pinned or a tag is not a label", async () => {
            const { message } = await rejected({ ...baseArgs, image: "ghcr.io/mlflow/mlflow:latest", tags: { team: "ml ops" } });
            assert.ok(
                message.includes('image: is not pinned to a tag or digest (CKV_K8S_14) (got "ghcr.io/mlflow/mlflow:latest")'),
                message,
            );
            assert.ok(message.includes('tags.team: is not a valid Kubernetes label (got "ml ops")'), message);
        });

        it("fails with every problem at once, before registering anything", async () => {
            const { message, registered } = await rejected({
                ...baseArgs,
                namespace: "default",
                models: ["a b"],
                image: "mlflow",
                training: { accelerator: { type: "nvidia-t4", count: 3 }, maxNodes: 0 },
            });
            assert.match(message, /is invalid \(5 problems\)/);
            assert.deepEqual(registered, []);
        });
    });
});

describe("kubernetes-mlflow (pure)", () => {
    it("sizes the quota from maxNodes, the pod and the accelerator, zeroing the others", () => {
        const hard = trainingQuota(
            { maxNodes: 2 },
            { cpuMillicores: 8000, memoryMiB: 32768 },
            {
                accelerator: "aws-inferentia2",
                count: 1,
                cloud: "kubernetes",
                service: "kubernetes",
                resourceName: "aws.amazon.com/neuron",
                source: "test",
            },
        );
        // 2 pods plus a launcher of 2000m / 4096Mi.
        assert.deepEqual(
            [hard["requests.aws.amazon.com/neuron"], hard["requests.nvidia.com/gpu"], hard["requests.cpu"], hard["limits.memory"]],
            ["2", "0", "18000m", "69632Mi"],
        );
    });
});

/** `6000m` -> 6, `20480Mi` -> 20480 * 2^20, `8` -> 8 (the suffixes this project writes). */
function quantity(q: string): number {
    const m = /^(\d+)(m|Mi)?$/.exec(q);
    if (!m) throw new Error(`unexpected quantity ${q}`);
    const n = Number(m[1]);
    return m[2] === "m" ? n / 1000 : m[2] === "Mi" ? n * 2 ** 20 : n;
}

interface Container {
    readonly requests: Record<string, string>;
    readonly limits: Record<string, string>;
}

/**
 * Why the API server would refuse these pods (one container each) under the LimitRange and quota, the
 * way the LimitRanger and ResourceQuota admission plugins judge them: a container without a limit gets
 * the defaults; every limit must be at most `max`, and a resource in `max` needs a limit; the pods'
 * summed requests and limits must fit the quota's `requests.*` and `limits.*`.
 */
function refusals(pods: readonly Partial<Container>[], limits: ContainerLimits, hard: Record<string, string> | undefined): string[] {
    const out: string[] = [];
    const admitted = pods.map((p): Container => ({
        requests: { ...limits.defaultRequest, ...(p.limits ?? {}), ...(p.requests ?? {}) },
        limits: { ...limits.default, ...(p.limits ?? {}) },
    }));
    admitted.forEach((c, i) => {
        for (const [resource, max] of Object.entries(limits.max)) {
            const limit = c.limits[resource];
            if (limit === undefined) out.push(`pod ${i}: no ${resource} limit under max ${max}`);
            else if (quantity(limit) > quantity(max)) out.push(`pod ${i}: ${resource} limit ${limit} is over max ${max}`);
        }
    });
    if (!hard) return out;
    if (pods.length > Number(hard.pods)) out.push(`${pods.length} pods over quota ${hard.pods}`);
    for (const [key, cap] of Object.entries(hard)) {
        const [kind, ...rest] = key.split(".");
        if (kind !== "requests" && kind !== "limits") continue;
        const resource = rest.join(".");
        const used = admitted.reduce((sum, c) => sum + quantity(c[kind][resource] ?? "0"), 0);
        if (used > quantity(cap)) out.push(`${key}: ${used} over quota ${cap}`);
    }
    return out;
}

/** A training pod of `shape` with `chips` of `resource`, requests equal to limits. */
function trainingPod(shape: PodShape, resource?: string, chips = 0): Partial<Container> {
    const r: Record<string, string> = {
        cpu: `${shape.cpuMillicores}m`,
        memory: `${shape.memoryMiB}Mi`,
        ...(resource ? { [resource]: String(chips) } : {}),
    };
    return { requests: r, limits: r };
}

describe("training LimitRange and quota admit the catalog's training pod", () => {
    for (const distribution of KUBERNETES_DISTRIBUTIONS) {
        for (const row of KUBERNETES_CATALOG[distribution].rows) {
            const at = `${distribution} ${row.accelerator}:${row.count}`;
            it(`${at}: maxNodes pods of the training shape plus a launcher fit`, () => {
                const settings = { ...row, cloud: "kubernetes" as const, service: "kubernetes" as const };
                const shape = trainingPodShape(settings);
                const limits = trainingLimitRange(shape, settings);
                for (const maxNodes of [1, 3]) {
                    const pods = [...Array(maxNodes).fill(trainingPod(shape, row.resourceName, row.count)), {}];
                    assert.deepEqual(refusals(pods, limits, trainingQuota({ maxNodes }, shape, settings)), [], at);
                }
                // The launcher (no resources) takes no accelerator; one chip over the shape is refused.
                assert.equal(refusals([{}], limits, undefined).length, 0);
                assert.equal(launcherShape(shape).limit.cpuMillicores <= shape.cpuMillicores, true);
                assert.deepEqual(refusals([trainingPod(shape, row.resourceName, row.count + 1)], limits, undefined), [
                    `pod 0: ${row.resourceName} limit ${row.count + 1} is over max ${row.count}`,
                ]);
            });
        }
    }

    it("fails when the old fixed cap (4 vCPU / 16 GiB, no accelerator) meets a GPU training pod", () => {
        const oldLimits: ContainerLimits = {
            type: "Container",
            defaultRequest: { cpu: "500m", memory: "1024Mi" },
            default: { cpu: "2000m", memory: "4096Mi" },
            max: { cpu: "4000m", memory: "16384Mi" },
        };
        const h100 = trainingPodShape({ accelerator: "nvidia-h100-80gb", count: 8 });
        assert.deepEqual(h100, { cpuMillicores: 80000, memoryMiB: 1310720 });
        assert.deepEqual(refusals([trainingPod(h100, "nvidia.com/gpu", 8)], oldLimits, undefined), [
            "pod 0: cpu limit 80000m is over max 4000m",
            "pod 0: memory limit 1310720Mi is over max 16384Mi",
        ]);
        const t4 = trainingPodShape({ accelerator: "nvidia-t4", count: 2 });
        assert.deepEqual(refusals([trainingPod(t4, "nvidia.com/gpu", 2)], oldLimits, undefined), [
            "pod 0: cpu limit 6000m is over max 4000m",
            "pod 0: memory limit 20480Mi is over max 16384Mi",
        ]);
    });

    it("fails when a quota is one chip short of the pods it must admit", () => {
        const settings = {
            ...KUBERNETES_CATALOG.generic.rows.find((r) => r.accelerator === "nvidia-l4" && r.count === 4)!,
            cloud: "kubernetes" as const,
            service: "kubernetes" as const,
        };
        const shape = trainingPodShape(settings);
        const hard = { ...trainingQuota({ maxNodes: 2 }, shape, settings), "requests.nvidia.com/gpu": "7" };
        const pod = trainingPod(shape, "nvidia.com/gpu", 4);
        assert.deepEqual(refusals([pod, pod, {}], trainingLimitRange(shape, settings), hard), ["requests.nvidia.com/gpu: 8 over quota 7"]);
    });
});
