import * as assert from "node:assert/strict";
import { CloudFunctionsInference, CloudRunInference, VertexEndpointInference } from "../../components/serverless-inference/gcp";
import {
    CloudFunctionsInferenceArgs,
    CloudRunInferenceArgs,
    VertexEndpointInferenceArgs,
} from "../../components/serverless-inference/gcp-args";
import { vertexEndpointId } from "../../components/naming/gcp";
import { GCF_SOURCES_CONDITION, archiveObjectName, dedicatedPredictUrl } from "../../components/serverless-inference/gcp-serverless";
import { ModelServingSpec } from "../../components/shared/model";
import { capture } from "../../stacks/plan/capture";
import { mockAutoName } from "../../stacks/plan/mocks/gcp";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const iris: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    port: 8080,
    command: ["python", "/app/serve.py"],
    files: { "serve.py": "x = 1", "model.json": "{}" },
    healthPath: "/healthz",
    cpuMillicores: 1000,
    memoryMiB: 512,
    minReplicas: 0,
    maxReplicas: 3,
    concurrency: 40,
};
const keys = {
    lake: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/lake",
    registry: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/registry",
    vertex: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/vertex",
};
const base = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    protectData: false,
    tags: { "mlops-stack": "gcp-dev" },
};
const run = (build: () => unknown) =>
    capture(
        { project: "mlops", stack: "test", config: {} },
        () => ({ endpoints: (build() as { endpoints: unknown }).endpoints }) as Record<string, unknown>,
    );

describe("CloudRunInference", () => {
    const args: CloudRunInferenceArgs = { ...base, models: [iris], filesKmsKeyName: keys.lake };

    it("scales each model to zero on its own internal Cloud Run service", async () => {
        const { resources, outputs } = await run(() => new CloudRunInference("inference", args));
        const s = only(resources, "gcp:cloudrunv2/service:Service");
        assert.equal(s.inputs.name, "mlops-gcp-dev-infer-iris");
        assert.equal(s.inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_ONLY");
        assert.deepEqual(s.inputs.template.scaling, { minInstanceCount: 0, maxInstanceCount: 3 });
        assert.equal(s.inputs.template.containers[0].resources.cpuIdle, true, "billed per request while scaled down");
        assert.equal(ofType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").length, 0, "no invoker unless configured");
        assert.match((outputs.endpoints as Record<string, string>).iris, /^https:\/\/mlops-gcp-dev-infer-iris-/);
    });

    it("serves nvidia-l4 models in a GPU region, and fails elsewhere with the catalog's message", async () => {
        const gpu = { ...iris, accelerator: { type: "nvidia-l4" as const, count: 1 }, cpuMillicores: 4000, memoryMiB: 16384 };
        const { resources } = await run(() => new CloudRunInference("inference", { ...args, region: "europe-west4", models: [gpu] }));
        assert.deepEqual(only(resources, "gcp:cloudrunv2/service:Service").inputs.template.nodeSelector, { accelerator: "nvidia-l4" });
        const { message, registered } = await rejectedBuild(
            () => new CloudRunInference("inference", { ...args, region: "asia-east1", models: [gpu] }),
            'CloudRunInference "inference"',
        );
        assert.match(message, /models\[0\].accelerator: gcp\/cloud-run nvidia-l4: cloud-run offers nvidia-l4 only in regions/);
        assert.deepEqual(registered, []);
    });
});

describe("CloudFunctionsInference", () => {
    const handler = { "main.py": "import serve", "requirements.txt": "functions-framework==3.8.2\n" };
    const args: CloudFunctionsInferenceArgs = {
        ...base,
        models: [iris],
        handlerFiles: handler,
        sourceKmsKeyName: keys.lake,
        invokers: ["serviceAccount:caller@p-123456.iam.gserviceaccount.com"],
    };
    let resources: CapturedResource[];
    let outputs: Record<string, any>;
    before(async () => {
        ({ resources, outputs } = await run(() => new CloudFunctionsInference("inference", args)));
    });

    it("uploads the model's files plus the handler as one content-addressed source archive to a private CMEK bucket", () => {
        const bucket = only(resources, "gcp:storage/bucket:Bucket");
        assert.deepEqual(
            [
                bucket.inputs.uniformBucketLevelAccess,
                bucket.inputs.publicAccessPrevention,
                bucket.inputs.versioning,
                bucket.inputs.encryption,
            ],
            [true, "enforced", { enabled: true }, { defaultKmsKeyName: keys.lake }],
        );
        const archive = only(resources, "gcp:storage/bucketObject:BucketObject");
        assert.equal(archive.inputs.name, archiveObjectName("iris", { ...iris.files, ...handler }));
        assert.match(archive.inputs.name, /^iris\/source-[0-9a-f]{16}\.zip$/);
        assert.notEqual(
            archiveObjectName("iris", { ...iris.files, ...handler }),
            archiveObjectName("iris", { ...iris.files, ...handler, "main.py": "changed" }),
            "new content, new object, new deployment",
        );
    });

    it("runs each model as a CPU-only, internal function with explicit sizing, scaling and timeout", () => {
        const fn = only(resources, "gcp:cloudfunctionsv2/function:Function");
        assert.equal(fn.inputs.name, "mlops-gcp-dev-fn-iris");
        assert.deepEqual(fn.inputs.buildConfig.source, {
            storageSource: { bucket: mockAutoName("inference-sources"), object: archiveObjectName("iris", { ...iris.files, ...handler }) },
        });
        assert.deepEqual([fn.inputs.buildConfig.runtime, fn.inputs.buildConfig.entryPoint], ["python312", "predict"]);
        assert.equal(
            fn.inputs.buildConfig.serviceAccount,
            "projects/p-123456/serviceAccounts/mlops-gcp-dev-fn-build@p-123456.iam.gserviceaccount.com",
        );
        assert.deepEqual(fn.inputs.serviceConfig, {
            availableCpu: "1",
            availableMemory: "512Mi",
            minInstanceCount: 0,
            maxInstanceCount: 3,
            maxInstanceRequestConcurrency: 40,
            timeoutSeconds: 300,
            ingressSettings: "ALLOW_INTERNAL_ONLY",
            allTrafficOnLatestRevision: true,
            serviceAccountEmail: "mlops-gcp-dev-fn-iris@p-123456.iam.gserviceaccount.com",
            environmentVariables: { MODEL_NAME: "iris" },
        });
        assert.equal(outputs.endpoints.iris, "https://us-central1-p-123456.cloudfunctions.net/mlops-gcp-dev-fn-iris");
    });

    it("builds as a dedicated account: logs, and reads and writes limited to the Cloud Functions build resources", () => {
        const member = "serviceAccount:mlops-gcp-dev-fn-build@p-123456.iam.gserviceaccount.com";
        const project = ofType(resources, "gcp:projects/iAMMember:IAMMember").map((m) => [
            m.inputs.role,
            m.inputs.member,
            m.inputs.condition?.expression,
        ]);
        assert.deepEqual(project.sort(), [
            [
                "roles/artifactregistry.writer",
                member,
                'resource.name.startsWith("projects/p-123456/locations/us-central1/repositories/gcf-artifacts")',
            ],
            ["roles/logging.logWriter", member, undefined],
            ["roles/storage.objectViewer", member, GCF_SOURCES_CONDITION],
        ]);
        const reader = only(resources, "gcp:storage/bucketIAMMember:BucketIAMMember");
        assert.deepEqual([reader.inputs.role, reader.inputs.member], ["roles/storage.objectViewer", member]);
        assert.equal(
            ofType(resources, "gcp:artifactregistry/repository:Repository").length,
            0,
            "builds go to Cloud Functions' own repository",
        );
    });

    it("grants invokers run.invoker on the function's service, never allUsers by default", () => {
        const invokers = ofType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((i) => [
            i.inputs.name,
            i.inputs.role,
            i.inputs.member,
        ]);
        assert.deepEqual(invokers, [
            ["mlops-gcp-dev-fn-iris", "roles/run.invoker", "serviceAccount:caller@p-123456.iam.gserviceaccount.com"],
        ]);
    });

    it("fails when a model asks for an accelerator, naming the implementations that take one", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new CloudFunctionsInference("inference", { ...args, models: [{ ...iris, accelerator: { type: "nvidia-l4", count: 1 } }] }),
            'CloudFunctionsInference "inference"',
        );
        assert.match(
            message,
            /models\[0\].accelerator: gcp\/cloud-functions nvidia-l4: cloud-functions runs on CPU only and takes no accelerator\. In this project an accelerator needs containerService or serverlessInference "cloud-run" \(nvidia-l4 only\), or serverlessInference "vertex-endpoint"/,
        );
        assert.deepEqual(registered, []);
    });

    it("fails when the source has no main.py, the runtime is unknown or ingress is invalid", async () => {
        const { message } = await rejectedBuild(
            () => new CloudFunctionsInference("inference", { ...args, handlerFiles: {}, runtime: "nodejs22", ingress: "everyone" }),
            'CloudFunctionsInference "inference"',
        );
        assert.match(message, /models\[0\].files: has no main.py: a Python function needs one/);
        assert.match(message, /runtime: is not a supported runtime \(got "nodejs22"\)\. Allowed: python311, python312, python313/);
        assert.match(message, /ingress: is not an ingress setting/);
    });
});

describe("VertexEndpointInference", () => {
    const tpu: ModelServingSpec = {
        ...iris,
        name: "gemma",
        accelerator: { type: "google-tpu-v5e", count: 4 },
        minReplicas: 0,
        maxReplicas: 2,
    };
    const args: VertexEndpointInferenceArgs = { ...base, models: [iris, tpu], kmsKeyName: keys.vertex, replicaFloor: 2 };

    it("creates a dedicated, CMEK-encrypted endpoint per model with a numeric ID", async () => {
        const { resources, outputs } = await run(() => new VertexEndpointInference("inference", args));
        const endpoints = ofType(resources, "gcp:vertex/aiEndpoint:AiEndpoint");
        assert.equal(endpoints.length, 2);
        for (const e of endpoints) {
            assert.deepEqual(e.inputs.encryptionSpec, { kmsKeyName: keys.vertex });
            assert.equal(e.inputs.dedicatedEndpointEnabled, true);
            assert.equal(e.inputs.privateServiceConnectConfig, undefined);
            assert.match(e.inputs.name, /^[1-9]\d{9}$/, "Vertex endpoint IDs are numeric, at most 10 digits");
            assert.deepEqual([e.inputs.location, e.inputs.region], ["us-central1", "us-central1"]);
        }
        const id = only(resources, "gcp:vertex/aiEndpoint:AiEndpoint", "inference-iris").inputs.name;
        assert.match(
            (outputs.endpoints as Record<string, string>).iris,
            new RegExp(
                `^https://${id}\\..*\\.prediction\\.vertexai\\.goog/v1/projects/p-123456/locations/us-central1/endpoints/${id}:predict$`,
            ),
        );
    });

    it("builds one https predict URL whether the provider reports the dedicated DNS with or without its scheme", () => {
        const path = "projects/p/locations/us-central1/endpoints/1234567890";
        const url = `https://1234567890.us-central1-1.prediction.vertexai.goog/v1/${path}:predict`;
        assert.equal(dedicatedPredictUrl("https://1234567890.us-central1-1.prediction.vertexai.goog", path), url);
        assert.equal(dedicatedPredictUrl("1234567890.us-central1-1.prediction.vertexai.goog", path), url);
    });

    it("exports deploy settings from the catalog, TPU v5e included, with the prod replica floor", async () => {
        const { outputs } = await capture({ project: "mlops", stack: "test", config: {} }, () => ({
            deploy: new VertexEndpointInference("inference", args).deploySettings,
        }));
        const deploy = outputs.deploy as Record<string, any>;
        assert.deepEqual(
            { ...deploy.gemma, endpoint: undefined },
            {
                endpoint: undefined,
                machineType: "ct5lp-hightpu-4t",
                acceleratorType: "TPU_V5_LITEPOD",
                acceleratorCount: 4,
                minReplicaCount: 2,
                maxReplicaCount: 2,
            },
        );
        assert.deepEqual(
            { ...deploy.iris, endpoint: undefined },
            {
                endpoint: undefined,
                machineType: "n1-standard-2",
                acceleratorType: "none",
                acceleratorCount: 0,
                minReplicaCount: 2,
                maxReplicaCount: 3,
            },
        );
        assert.match(deploy.iris.endpoint, /^projects\/p-123456\/locations\/us-central1\/endpoints\/\d{10}$/);
    });

    it("uses Private Service Connect, allowed for the project only, when asked", async () => {
        const { resources } = await run(
            () => new VertexEndpointInference("inference", { ...args, endpointAccess: "private-service-connect" }),
        );
        for (const e of ofType(resources, "gcp:vertex/aiEndpoint:AiEndpoint")) {
            assert.deepEqual(e.inputs.privateServiceConnectConfig, { enablePrivateServiceConnect: true, projectAllowlists: ["p-123456"] });
            assert.equal(e.inputs.dedicatedEndpointEnabled, undefined);
        }
    });

    it("gives a Private Service Connect endpoint its own ID, so switching endpointAccess (immutable on an endpoint) creates before it deletes", async () => {
        const dedicated = await run(() => new VertexEndpointInference("inference", args));
        const psc = await run(() => new VertexEndpointInference("inference", { ...args, endpointAccess: "private-service-connect" }));
        const idOf = (r: CapturedResource[]) => only(r, "gcp:vertex/aiEndpoint:AiEndpoint", "inference-iris").inputs.name;
        // Dedicated endpoints keep the ID every earlier version gave them: no replacement on upgrade.
        assert.equal(idOf(dedicated.resources), vertexEndpointId("p-123456", "mlops-gcp-dev", "iris"));
        assert.equal(idOf(psc.resources), vertexEndpointId("p-123456", "mlops-gcp-dev", "iris", "private-service-connect"));
        assert.notEqual(idOf(psc.resources), idOf(dedicated.resources));
        assert.match(idOf(psc.resources), /^[1-9]\d{9}$/);
    });

    it("fails when an accelerator is not offered for Vertex prediction, or the floor or access mode is invalid", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new VertexEndpointInference("inference", {
                    ...args,
                    replicaFloor: 0,
                    endpointAccess: "public",
                    models: [{ ...iris, accelerator: { type: "nvidia-h200", count: 8 } }],
                }),
            'VertexEndpointInference "inference"',
        );
        assert.match(
            message,
            /models\[0\].accelerator: gcp\/vertex-endpoint nvidia-h200:8: nvidia-h200 is not offered on gcp\/vertex-endpoint/,
        );
        assert.match(message, /replicaFloor: must be a whole number of at least 1/);
        assert.match(
            message,
            /endpointAccess: is not an endpoint access mode \(got "public"\)\. Allowed: dedicated, private-service-connect/,
        );
        assert.deepEqual(registered, []);
    });
});
