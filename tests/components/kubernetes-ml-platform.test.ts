import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { MlflowPlatform, MlflowPlatformArgs } from "../../components/ml-platform/kubernetes";
import { REGISTER_MODELS_SCRIPT, trainingQuota } from "../../components/ml-platform/mlflow-setup";
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
const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } };
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
        for (const [name, ns] of [["ml-ns", "ml"], ["ml-training-ns", "training"]]) {
            const r = only(resources, NS, name);
            assert.equal(r.inputs.metadata.name, ns);
            assert.equal(r.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        }
        for (const [name, ns] of [["ml-deny-all", "ml"], ["ml-training-deny-all", "training"]]) {
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
            "mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--workers", "1",
            "--backend-store-uri", "sqlite:////mlflow/db/mlflow.db",
            "--serve-artifacts", "--artifacts-destination", "s3://models/mlflow",
            "--allowed-hosts", "ml-mlflow:5000,ml-mlflow.ml:5000,ml-mlflow.ml.svc:5000,ml-mlflow.ml.svc.cluster.local:5000,localhost:*,127.0.0.1:*",
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
        assert.deepEqual(c.startupProbe, { httpGet: { path: "/health", port: 5000 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 });
        assert.equal(c.livenessProbe.initialDelaySeconds, undefined);
        assert.deepEqual(c.livenessProbe.httpGet, { path: "/health", port: 5000 });
        assert.deepEqual(c.readinessProbe.httpGet, { path: "/health", port: 5000 });
        const svc = only(resources, "kubernetes:core/v1:Service", "ml-service");
        assert.deepEqual([svc.inputs.metadata.name, svc.inputs.spec.type, svc.inputs.spec.selector, svc.inputs.spec.ports[0].port], ["ml-mlflow", "ClusterIP", SERVER_LABELS, 5000]);
    });

    it("runs every pod under the restricted profile with limits and no service-account token", () => {
        for (const r of [only(resources, DEPLOYMENT, "ml-server"), only(resources, JOB, "ml-register-models")]) {
            const pod = podSpec(r);
            assert.equal(pod.automountServiceAccountToken, false, r.name);
            assert.deepEqual(pod.securityContext, RESTRICTED_POD, r.name);
            for (const c of pod.containers) {
                assert.deepEqual(c.securityContext, RESTRICTED_CONTAINER, c.name);
                assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory, c.name);
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
        assert.deepEqual(only(r, PVC, "ml-backend").inputs.spec, { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "20Gi" } } });
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
        assert.deepEqual(ofType(r, POLICY).filter((x) => x.name === "ml-allow-register"), []);
        assert.equal(await valueOf(p.modelRegistry), "http://ml-mlflow.ml.svc.cluster.local:5000");
    });

    it("caps the training namespace: nvidia-t4:2 on 3 nodes is 6 GPUs, other accelerators 0", () => {
        const quota = only(resources, QUOTA, "ml-training-quota");
        assert.equal(quota.inputs.metadata.namespace, "training");
        assert.deepEqual(quota.inputs.spec.hard, {
            pods: "4",
            "requests.cpu": "12000m",
            "limits.cpu": "12000m",
            "requests.memory": "49152Mi",
            "limits.memory": "49152Mi",
            "requests.nvidia.com/gpu": "6",
            "requests.aws.amazon.com/neuron": "0",
            "requests.google.com/tpu": "0",
        });
        const limits = only(resources, "kubernetes:core/v1:LimitRange", "ml-training-limits");
        assert.deepEqual(limits.inputs.spec.limits, [
            { type: "Container", defaultRequest: { cpu: "500m", memory: "1024Mi" }, default: { cpu: "2000m", memory: "4096Mi" }, max: { cpu: "4000m", memory: "16384Mi" } },
        ]);
        const sa = only(resources, "kubernetes:core/v1:ServiceAccount", "ml-trainer");
        assert.deepEqual([sa.inputs.metadata.name, sa.inputs.metadata.namespace, sa.inputs.automountServiceAccountToken], ["trainer", "training", false]);
    });

    it("resolves TPUs through the catalog with the gke distribution", async () => {
        const { resources: r, platform: p } = await build({ ...baseArgs, distribution: "gke", training: { accelerator: { type: "google-tpu-v5e", count: 4 }, maxNodes: 2 } });
        const hard = only(r, QUOTA, "ml-training-quota").inputs.spec.hard;
        assert.deepEqual([hard["requests.google.com/tpu"], hard["requests.nvidia.com/gpu"], hard.pods], ["8", "0", "3"]);
        assert.deepEqual(await valueOf(p.trainingDefaults), { accelerator: "google-tpu-v5e", acceleratorCount: 4, compute: "google.com/tpu", maxNodes: 2, spot: true });
    });

    it("allows no accelerator at all for CPU-only training", async () => {
        const { resources: r, platform: p } = await build({ ...baseArgs, training: undefined, trainingCpuMillicoresPerNode: 1000, trainingMemoryMiBPerNode: 2048 });
        assert.deepEqual(only(r, QUOTA, "ml-training-quota").inputs.spec.hard, {
            pods: "2",
            "requests.cpu": "1000m",
            "limits.cpu": "1000m",
            "requests.memory": "2048Mi",
            "limits.memory": "2048Mi",
            "requests.nvidia.com/gpu": "0",
            "requests.aws.amazon.com/neuron": "0",
            "requests.google.com/tpu": "0",
        });
        assert.deepEqual(await valueOf(p.trainingDefaults), { accelerator: "none", acceleratorCount: 0, compute: "cpu", maxNodes: 1, spot: true });
        const limits = only(r, "kubernetes:core/v1:LimitRange", "ml-training-limits").inputs.spec.limits[0];
        assert.deepEqual(limits.default, { cpu: "1000m", memory: "2048Mi" });
    });

    it("exposes the tracking URI, registry, training defaults and namespace", async () => {
        assert.equal(await valueOf(platform.trackingUri), "http://ml-mlflow.ml.svc.cluster.local:5000");
        assert.equal(await valueOf(platform.modelRegistry), "http://ml-mlflow.ml.svc.cluster.local:5000");
        assert.equal(await valueOf(platform.namespaceName), "ml");
        assert.deepEqual(await valueOf(platform.trainingDefaults), { accelerator: "nvidia-t4", acceleratorCount: 2, compute: "nvidia.com/gpu", maxNodes: 3, spot: false });
    });

    describe("validation", () => {
        it("fails when the catalog rejects the accelerator, naming training.accelerator", async () => {
            const { message, registered } = await rejected({ ...baseArgs, training: { accelerator: { type: "google-tpu-v5e", count: 1 } } });
            assert.ok(message.includes("training.accelerator: kubernetes/kubernetes google-tpu-v5e: google-tpu-v5e exists only on Google Cloud"), message);
            assert.ok(message.includes("set distribution: gke"), message);
            assert.deepEqual(registered, []);
        });

        it("fails when the accelerator count is not offered", async () => {
            const { message } = await rejected({ ...baseArgs, training: { accelerator: { type: "nvidia-t4", count: 3 } } });
            assert.ok(message.includes("training.accelerator: kubernetes/kubernetes nvidia-t4:3: nvidia-t4 comes in counts 1, 2, 4, 8"), message);
        });

        it("fails when the distribution is unknown", async () => {
            const { message } = await rejected({ ...baseArgs, distribution: "openshift" });
            assert.ok(message.includes('distribution: is not a known Kubernetes distribution (got "openshift"). Allowed: generic, eks, gke, aks.'), message);
        });

        it("fails when maxNodes, sizes or the volume are not whole numbers in range", async () => {
            const { message } = await rejected({ ...baseArgs, training: { maxNodes: 0 }, backendVolumeSizeGiB: 2.5, trainingCpuMillicoresPerNode: 50, trainingMemoryMiBPerNode: 64 });
            assert.ok(message.includes("training.maxNodes: must be a whole number of at least 1 (got 0)"), message);
            assert.ok(message.includes("backendVolumeSizeGiB: must be a whole number of at least 1 (got 2.5)"), message);
            assert.ok(message.includes("trainingCpuMillicoresPerNode: must be a whole number of at least 100 (got 50)"), message);
            assert.ok(message.includes("trainingMemoryMiBPerNode: must be a whole number of at least 128 (got 64)"), message);
        });

        it("fails when a namespace is default, invalid, or shared by MLflow and training", async () => {
            const a = await rejected({ ...baseArgs, namespace: "default", dataLakeNamespace: "Lake" });
            assert.ok(a.message.includes('namespace: must not be the default namespace (CKV_K8S_21) (got "default")'), a.message);
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
            assert.ok(message.includes('image: is not pinned to a tag or digest (CKV_K8S_14) (got "ghcr.io/mlflow/mlflow:latest")'), message);
            assert.ok(message.includes('tags.team: is not a valid Kubernetes label (got "ml ops")'), message);
        });

        it("fails with every problem at once, before registering anything", async () => {
            const { message, registered } = await rejected({ ...baseArgs, namespace: "default", models: ["a b"], image: "mlflow", training: { accelerator: { type: "nvidia-t4", count: 3 }, maxNodes: 0 } });
            assert.match(message, /is invalid \(5 problems\)/);
            assert.deepEqual(registered, []);
        });
    });
});

describe("mlflow-setup (pure)", () => {
    it("sizes the quota from maxNodes and the accelerator, zeroing the others", () => {
        const hard = trainingQuota({ maxNodes: 2, cpuMillicoresPerNode: 8000, memoryMiBPerNode: 32768 }, {
            accelerator: "aws-inferentia2", count: 1, cloud: "kubernetes", service: "kubernetes", resourceName: "aws.amazon.com/neuron", source: "test",
        });
        assert.deepEqual([hard["requests.aws.amazon.com/neuron"], hard["requests.nvidia.com/gpu"], hard["requests.cpu"], hard["limits.memory"]], ["2", "0", "16000m", "65536Mi"]);
    });
});
