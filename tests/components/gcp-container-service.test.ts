import * as assert from "node:assert/strict";
import { CloudRunContainerService } from "../../components/container-service/gcp";
import { CloudRunContainerServiceArgs } from "../../components/container-service/gcp-args";
import { filesHash } from "../../components/container-service/gcp-cloud-run";
import { ModelServingSpec } from "../../components/shared/model";
import { capture } from "../../stacks/plan/capture";
import { mockAutoName } from "../../stacks/plan/mocks/gcp";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const iris: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    port: 8080,
    command: ["python", "/app/serve.py"],
    env: { MODEL_NAME: "iris" },
    files: { "serve.py": "print('serve')", "model.json": "{}" },
    healthPath: "/healthz",
    cpuMillicores: 1000,
    memoryMiB: 512,
    minReplicas: 1,
    maxReplicas: 3,
    concurrency: 80,
};

const llm: ModelServingSpec = {
    name: "llm",
    image: "us-docker.pkg.dev/p/models/llm@sha256:" + "a".repeat(64),
    port: 9000,
    healthPath: "/ready",
    cpuMillicores: 4000,
    memoryMiB: 16384,
    minReplicas: 2,
    maxReplicas: 4,
    concurrency: 4,
    accelerator: { type: "nvidia-l4", count: 1 },
};

const args: CloudRunContainerServiceArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    models: [iris, llm],
    registryKmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/registry",
    filesKmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/lake",
    invokers: ["group:ml-clients@example.com"],
    gpuZonalRedundancy: false,
    protectData: false,
    tags: { "mlops-stack": "gcp-dev" },
};

const build = (a: CloudRunContainerServiceArgs) =>
    capture({ project: "mlops", stack: "test", config: {} }, () => {
        const s = new CloudRunContainerService("serving", a);
        return { endpoints: s.endpoints, registry: s.registryUrl };
    });
const rejected = (a: CloudRunContainerServiceArgs) =>
    rejectedBuild(() => new CloudRunContainerService("serving", a), 'CloudRunContainerService "serving"');
const withModel = (patch: Partial<ModelServingSpec>): CloudRunContainerServiceArgs => ({ ...args, models: [{ ...iris, ...patch }] });

describe("CloudRunContainerService", () => {
    let resources: CapturedResource[];
    let outputs: Record<string, any>;
    before(async () => {
        ({ resources, outputs } = await build(args));
    });
    const service = (model: string) => only(resources, "gcp:cloudrunv2/service:Service", `serving-${model}-service`);

    it("keeps model images in a CMEK Docker repository with immutable tags and cleanup policies", () => {
        const repo = only(resources, "gcp:artifactregistry/repository:Repository");
        assert.equal(repo.inputs.repositoryId, "mlops-gcp-dev-models");
        assert.equal(repo.inputs.format, "DOCKER");
        assert.equal(repo.inputs.kmsKeyName, args.registryKmsKeyName);
        assert.deepEqual(repo.inputs.dockerConfig, { immutableTags: true });
        assert.equal(repo.inputs.cleanupPolicyDryRun, false);
        assert.deepEqual(repo.inputs.cleanupPolicies, [
            { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
            { id: "keep-recent-versions", action: "KEEP", mostRecentVersions: { keepCount: 10 } },
        ]);
        assert.equal(outputs.registry, "us-central1-docker.pkg.dev/p-123456/mlops-gcp-dev-models");
    });

    it("runs each model as its own service account, reachable internally only, with the IAM check on", () => {
        for (const model of ["iris", "llm"]) {
            const s = service(model);
            assert.equal(s.inputs.name, `mlops-gcp-dev-serve-${model}`);
            assert.equal(s.inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_ONLY");
            assert.equal(s.inputs.invokerIamDisabled, false);
            assert.equal(s.inputs.template.serviceAccount, `mlops-gcp-dev-serve-${model}@p-123456.iam.gserviceaccount.com`);
            assert.equal(s.inputs.deletionProtection, false, "dev stacks can be destroyed");
        }
        const invokers = ofType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember");
        assert.deepEqual(invokers.map((i) => [i.inputs.name, i.inputs.role, i.inputs.member]).sort(), [
            ["mlops-gcp-dev-serve-iris", "roles/run.invoker", "group:ml-clients@example.com"],
            ["mlops-gcp-dev-serve-llm", "roles/run.invoker", "group:ml-clients@example.com"],
        ]);
    });

    it("sizes, scales, probes and times out a CPU model explicitly", () => {
        const t = service("iris").inputs.template;
        assert.equal(t.executionEnvironment, "EXECUTION_ENVIRONMENT_GEN2");
        assert.equal(t.timeout, "300s");
        assert.equal(t.maxInstanceRequestConcurrency, 80);
        assert.deepEqual(t.scaling, { minInstanceCount: 1, maxInstanceCount: 3 });
        assert.equal(t.nodeSelector, undefined);
        const [c] = t.containers;
        assert.deepEqual(c.resources, { limits: { cpu: "1", memory: "512Mi" }, cpuIdle: true, startupCpuBoost: true });
        assert.deepEqual(c.ports, { name: "http1", containerPort: 8080 });
        assert.deepEqual(c.commands, ["python", "/app/serve.py"]);
        assert.deepEqual(c.startupProbe, {
            httpGet: { path: "/healthz", port: 8080 },
            initialDelaySeconds: 0,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 30,
        });
        assert.deepEqual(c.livenessProbe, {
            httpGet: { path: "/healthz", port: 8080 },
            periodSeconds: 30,
            timeoutSeconds: 5,
            failureThreshold: 3,
        });
        assert.deepEqual(c.envs, [
            { name: "MLOPS_FILES_HASH", value: filesHash(iris.files) },
            { name: "MODEL_NAME", value: "iris" },
        ]);
    });

    it("uploads the model's files to a private CMEK bucket only its service account reads, mounted read-only at /app", () => {
        const bucket = only(resources, "gcp:storage/bucket:Bucket", "serving-iris-files");
        assert.deepEqual(
            [
                bucket.inputs.uniformBucketLevelAccess,
                bucket.inputs.publicAccessPrevention,
                bucket.inputs.versioning,
                bucket.inputs.encryption,
            ],
            [true, "enforced", { enabled: true }, { defaultKmsKeyName: args.filesKmsKeyName }],
        );
        const objects = ofType(resources, "gcp:storage/bucketObject:BucketObject").map((o) => [o.inputs.name, o.inputs.content]);
        // Object content is a secret input of the provider; the revision's MLOPS_FILES_HASH ties it to the files.
        assert.deepEqual(objects.sort(), [
            ["model.json", "[secret]"],
            ["serve.py", "[secret]"],
        ]);
        const reader = only(resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "serving-iris-files-reader");
        assert.deepEqual(
            [reader.inputs.role, reader.inputs.member],
            ["roles/storage.objectViewer", "serviceAccount:mlops-gcp-dev-serve-iris@p-123456.iam.gserviceaccount.com"],
        );
        const t = service("iris").inputs.template;
        assert.deepEqual(t.volumes, [{ name: "app", gcs: { bucket: mockAutoName("serving-iris-files"), readOnly: true } }]);
        assert.deepEqual(t.containers[0].volumeMounts, [{ name: "app", mountPath: "/app" }]);
        assert.equal(ofType(resources, "gcp:storage/bucket:Bucket").length, 1, "models without files get no bucket");
    });

    it("gives a GPU model one nvidia-l4 with CPU always allocated, through the catalog", () => {
        const t = service("llm").inputs.template;
        assert.deepEqual(t.nodeSelector, { accelerator: "nvidia-l4" });
        assert.equal(t.gpuZonalRedundancyDisabled, true);
        assert.deepEqual(t.containers[0].resources, {
            limits: { cpu: "4", memory: "16384Mi", "nvidia.com/gpu": "1" },
            cpuIdle: false,
            startupCpuBoost: true,
        });
        assert.deepEqual(t.scaling, { minInstanceCount: 2, maxInstanceCount: 4 });
    });

    it("exports the service URL per model", () => {
        assert.match(outputs.endpoints.iris, /^https:\/\/mlops-gcp-dev-serve-iris-[0-9a-f]+-uc\.a\.run\.app$/);
        assert.ok(outputs.endpoints.llm);
    });

    it("adds the allUsers invoker only when allowUnauthenticated is set, and honours ingress", async () => {
        const { resources: r } = await build({
            ...args,
            models: [iris],
            allowUnauthenticated: true,
            ingress: "internal-and-cloud-load-balancing",
        });
        assert.deepEqual(
            ofType(r, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((i) => i.inputs.member),
            ["allUsers", "group:ml-clients@example.com"],
        );
        assert.equal(only(r, "gcp:cloudrunv2/service:Service").inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
    });

    it("turns on deletion protection and protects the registry and files bucket in prod", async () => {
        const { resources: r } = await build({ ...args, protectData: true });
        for (const s of ofType(r, "gcp:cloudrunv2/service:Service")) assert.equal(s.inputs.deletionProtection, true);
        assert.deepEqual(only(r, "gcp:artifactregistry/repository:Repository").options, { protect: true, retainOnDelete: true });
        const files = only(r, "gcp:storage/bucket:Bucket", "serving-iris-files");
        assert.deepEqual([files.options, files.inputs.forceDestroy], [{ protect: true, retainOnDelete: true }, false]);
    });

    it("fails when a CPU or memory size is one Cloud Run does not take", async () => {
        const { message, registered } = await rejected({
            ...args,
            models: [
                { ...iris, cpuMillicores: 250 },
                { ...iris, name: "big", cpuMillicores: 1000, memoryMiB: 8192 },
            ],
        });
        assert.match(
            message,
            /models\[0\].cpuMillicores: is not a CPU size Cloud Run takes \(got 250\)\. Fix: use 1000, 2000, 4000, 6000, 8000/,
        );
        assert.match(message, /models\[1\].memoryMiB: is outside what 1 vCPU allows on Cloud Run \(512 to 4096 MiB\) \(got 8192\)/);
        assert.deepEqual(registered, []);
    });

    it("fails when a GPU model is below Cloud Run's 4 vCPU / 16 GiB floor", async () => {
        const { message } = await rejected(
            withModel({ accelerator: { type: "nvidia-l4", count: 1 }, cpuMillicores: 2000, memoryMiB: 8192 }),
        );
        assert.match(message, /models\[0\].cpuMillicores: is below the 4 vCPU Cloud Run requires with nvidia-l4/);
        assert.match(message, /models\[0\].memoryMiB: is below the 16 GiB Cloud Run requires with nvidia-l4/);
    });

    it("fails when the region has no Cloud Run GPUs, or the accelerator is not an L4, with the catalog's message", async () => {
        const gpu = { accelerator: { type: "nvidia-l4" as const, count: 1 }, cpuMillicores: 4000, memoryMiB: 16384 };
        const region = await rejected({ ...withModel(gpu), region: "us-west1" });
        assert.match(
            region.message,
            /models\[0\].accelerator: gcp\/cloud-run nvidia-l4: cloud-run offers nvidia-l4 only in regions us-central1, us-east4, europe-west1, europe-west4, asia-southeast1, asia-south1; region "us-west1" has none/,
        );
        const t4 = await rejected(withModel({ ...gpu, accelerator: { type: "nvidia-t4", count: 1 } }));
        assert.match(
            t4.message,
            /models\[0\].accelerator: gcp\/cloud-run nvidia-t4: nvidia-t4 is not offered on gcp\/cloud-run; it offers nvidia-l4/,
        );
        assert.deepEqual(t4.registered, []);
    });

    it("fails when a public member is listed as an invoker, or ingress, timeout or env are invalid", async () => {
        const { message } = await rejected({
            ...withModel({ env: { PORT: "9000" } }),
            invokers: ["allUsers"],
            ingress: "public",
            requestTimeoutSeconds: 7200,
        });
        assert.match(message, /invokers\[0\]: would make the service public \(got "allUsers"\)/);
        assert.match(
            message,
            /ingress: is not an ingress setting \(got "public"\)\. Allowed: internal, internal-and-cloud-load-balancing, all/,
        );
        assert.match(message, /requestTimeoutSeconds: must be a whole number of seconds from 1 to 3600/);
        assert.match(message, /models\[0\].env.PORT: is set by Cloud Run and may not be given/);
    });

    it("fails when a model has files but no key for its bucket", async () => {
        const { message } = await rejected({ ...args, filesKmsKeyName: undefined });
        assert.match(message, /filesKmsKeyName: is required: model iris has files/);
    });
});
