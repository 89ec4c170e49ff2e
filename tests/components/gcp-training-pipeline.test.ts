import * as assert from "node:assert/strict";
import { VertexTrainingPipelines } from "../../components/training-pipeline/gcp";
import {
    VertexTrainingPipelinesArgs,
    stackTrainingNames,
    trainingAlertSignals,
    trainingNames,
} from "../../components/training-pipeline/gcp-args";
import { execFileSync } from "node:child_process";
import {
    ALIASES,
    AUTOML_PY,
    GCPC_IMAGE,
    REGISTER_PY,
    SpecContext,
    automlConfig,
    driftSignal,
    launchWorkflow,
    deliveryWorkflow,
} from "../../components/training-pipeline/gcp-spec";
import { TrainingSpec } from "../../components/training-pipeline/contract";
import { signalsCondition } from "../../components/observability/gcp-conditions";
import { CapturedResource, captureResources, ofType, only, rejectedBuild } from "../harness";
import { irisTraining } from "../harness/training";

const KEY = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/training";
const LAKE_KEY = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/lake";
const CHANNEL = "projects/p-123456/notificationChannels/42";
const EMAIL = (id: string) => `${id}@p-123456.iam.gserviceaccount.com`;

const iris: TrainingSpec = irisTraining({ files: { "train.py": "print('train')\n", "lakeio.py": "# io\n" }, metric: "f1Macro" });

const args: VertexTrainingPipelinesArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-prod",
    trainings: [iris],
    delivery: { repository: "acme/ml-platform", workflow: "promote.yml", branch: "main", stack: "gcp-prod", token: "ghp_secret" },
    zoneBuckets: { raw: "lake-raw", curated: "lake-curated", models: "lake-models" },
    kmsKeyName: KEY,
    codeKmsKeyName: LAKE_KEY,
    notificationChannels: [CHANNEL],
    servingContainers: { iris: { image: "python:3.12.12-slim-bookworm", command: ["python", "/app/serve.py"], port: 8080 } },
    protectData: false,
};

const n = trainingNames("mlops-gcp-prod", "iris");
const named = (resources: readonly CapturedResource[], type: string, suffix: string) => {
    const found = ofType(resources, type).filter((r) => r.name.endsWith(suffix));
    assert.equal(found.length, 1, `${type} ${suffix}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
};

describe("VertexTrainingPipelines (GCP training pipelines)", () => {
    let resources: CapturedResource[];
    before(async () => {
        ({ resources } = await captureResources(() => new VertexTrainingPipelines("training", args)));
    });
    const schedule = () => only(resources, "gcp:colab/schedule:Schedule");
    const spec = () => JSON.parse(schedule().inputs.createPipelineJobRequest.pipelineJob.pipelineSpec);
    const payload = () => JSON.parse(spec().deploymentSpec.executors["exec-train"].container.args[3]);

    it("schedules the pipeline on the cron in UTC, as the pipeline's identity, with CMEK and the schedule trigger", () => {
        const s = schedule();
        assert.equal(s.inputs.cron, "TZ=Etc/UTC 0 4 * * 1");
        assert.equal(s.inputs.displayName, n.pipeline);
        const job = s.inputs.createPipelineJobRequest.pipelineJob;
        assert.equal(job.serviceAccount, EMAIL(n.pipelineAccount));
        assert.deepEqual(job.encryptionSpec, { kmsKeyName: KEY });
        assert.deepEqual(job.runtimeConfig.parameterValues, { trigger: "schedule", dataset_version: "" });
        assert.equal(job.runtimeConfig.gcsOutputDirectory, "gs://lake-models/iris/_pipeline/");
    });

    it("trains in a custom job on the catalog's L4 machine, SPOT, with the contract's environment and the files copied to /app", () => {
        const s = spec();
        assert.equal(s.schemaVersion, "2.1.0");
        assert.deepEqual(Object.keys(s.root.dag.tasks), ["train", "register"]);
        assert.deepEqual(s.root.dag.tasks.register.dependentTasks, ["train"]);
        assert.equal(s.deploymentSpec.executors["exec-train"].container.image, GCPC_IMAGE);
        const p = payload();
        const pool = p.job_spec.worker_pool_specs[0];
        assert.equal(pool.machine_spec.accelerator_type, "NVIDIA_L4");
        assert.equal(pool.machine_spec.accelerator_count, 1);
        assert.match(pool.machine_spec.machine_type, /^g2-/);
        assert.equal(p.job_spec.scheduling.strategy, "SPOT");
        assert.equal(p.job_spec.scheduling.timeout, "3600s");
        assert.equal(p.job_spec.service_account, EMAIL(n.pipelineAccount));
        assert.deepEqual(p.encryption_spec, { kms_key_name: KEY });
        const env = Object.fromEntries(pool.container_spec.env.map((e: { name: string; value: string }) => [e.name, e.value]));
        assert.equal(env.MLOPS_SOURCE_URI, "gs://lake-curated/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "gs://lake-models/iris/");
        assert.equal(env.MLOPS_GATE_METRIC, "f1Macro");
        assert.equal(env.MLOPS_GATE_THRESHOLD, "0.9");
        assert.equal(env.MLOPS_PIPELINE, "iris-train");
        assert.equal(env.MLOPS_TRIGGER, "{{$.inputs.parameters['trigger']}}");
        assert.deepEqual(pool.container_spec.command.slice(-2), ["python", "/app/train.py"]);
        assert.match(pool.container_spec.command[2], /cp \/gcs\/.+\/iris\/app-[0-9a-f]{12}\/\* \/app\//);
    });

    it("registers manually approved versions as candidate (a person moves `approved`)", () => {
        const register = JSON.parse(spec().deploymentSpec.executors["exec-register"].container.args[0]);
        assert.equal(register.alias, "candidate");
        assert.equal(register.modelId, n.modelId);
        assert.equal(register.metric, "f1Macro");
        assert.equal(register.container.imageUri, "python:3.12.12-slim-bookworm");
    });

    it("registers automatically approved versions as approved, without spot when spot is off", async () => {
        const { resources: dev } = await captureResources(
            () =>
                new VertexTrainingPipelines("training", {
                    ...args,
                    delivery: undefined,
                    trainings: [{ ...iris, approval: "automatic", spot: false, accelerator: undefined, drift: undefined }],
                }),
        );
        const s = JSON.parse(only(dev, "gcp:colab/schedule:Schedule").inputs.createPipelineJobRequest.pipelineJob.pipelineSpec);
        assert.equal(JSON.parse(s.deploymentSpec.executors["exec-register"].container.args[0]).alias, ALIASES.automatic);
        const p = JSON.parse(s.deploymentSpec.executors["exec-train"].container.args[3]);
        assert.equal(p.job_spec.scheduling.strategy, undefined);
        assert.deepEqual(p.job_spec.worker_pool_specs[0].machine_spec, { machine_type: "n1-standard-4" });
        assert.equal(ofType(dev, "gcp:monitoring/alertPolicy:AlertPolicy").length, 0, "no drift, no alert condition");
        assert.equal(ofType(dev, "gcp:secretmanager/secret:Secret").length, 0, "no delivery, no secret");
    });

    it("stores the spec versioned by content hash in the CMEK code bucket", () => {
        const obj = named(resources, "gcp:storage/bucketObject:BucketObject", "-spec");
        assert.match(obj.inputs.name, /^iris\/mlops-gcp-prod-iris-train-[0-9a-f]{12}\.json$/);
        const bucket = only(resources, "gcp:storage/bucket:Bucket");
        assert.equal(bucket.inputs.encryption.defaultKmsKeyName, LAKE_KEY);
        assert.equal(bucket.inputs.publicAccessPrevention, "enforced");
    });

    it("gives the pipeline identity read on the dataset prefix and write on models/<model>/ only, and no approval role", () => {
        const member = `serviceAccount:${EMAIL(n.pipelineAccount)}`;
        const grants = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember").filter((g) => g.inputs.member === member);
        const by = (suffix: string) => grants.find((g) => g.name.endsWith(suffix))!;
        assert.equal(by("-dataset-read").inputs.bucket, "lake-curated");
        assert.match(by("-dataset-read").inputs.condition.expression, /buckets\/lake-curated\/objects\/iris\/"\)$/);
        assert.equal(by("-model-create").inputs.role, "roles/storage.objectCreator");
        assert.match(by("-model-create").inputs.condition.expression, /buckets\/lake-models\/objects\/iris\/"\)$/);
        assert.ok(!grants.some((g) => g.inputs.role === "roles/storage.objectAdmin"));
        const roles = ofType(resources, "gcp:projects/iAMMember:IAMMember")
            .filter((r) => r.inputs.member === member)
            .map((r) => r.inputs.role)
            .sort();
        assert.deepEqual(roles, ["roles/aiplatform.user", "roles/logging.logWriter", "roles/monitoring.metricWriter"]);
        const approver = only(resources, "gcp:projects/iAMCustomRole:IAMCustomRole");
        assert.deepEqual(approver.inputs.permissions, ["aiplatform.models.get", "aiplatform.models.list", "aiplatform.models.update"]);
    });

    it("starts a run when a _manifest.json lands under the dataset prefix (Eventarc -> workflow as the launcher)", () => {
        const trigger = named(resources, "gcp:eventarc/trigger:Trigger", "-new-data");
        assert.deepEqual(trigger.inputs.matchingCriterias, [
            { attribute: "type", value: "google.cloud.storage.object.v1.finalized" },
            { attribute: "bucket", value: "lake-curated" },
        ]);
        assert.equal(trigger.inputs.serviceAccount, EMAIL(n.launcherAccount));
        const wf = named(resources, "gcp:workflows/workflow:Workflow", "-launch");
        assert.equal(wf.inputs.cryptoKeyName, KEY);
        assert.match(wf.inputs.sourceContents, /pipelineJobs\.create/);
        assert.match(wf.inputs.sourceContents, /iris\/v=\[\^\/\]\+\/_manifest\\\\.json\$/);
        assert.match(wf.inputs.sourceContents, /"trigger":"\$\{trigger\}"/);
        const actAs = named(resources, "gcp:serviceaccount/iAMMember:IAMMember", "-launcher-actas");
        assert.equal(actAs.inputs.member, `serviceAccount:${EMAIL(n.launcherAccount)}`);
    });

    it("runs the drift job on Cloud Run on its schedule, with the contract's environment and its own narrow grants", () => {
        const job = only(resources, "gcp:cloudrunv2/job:Job");
        assert.equal(job.inputs.name, n.driftJob);
        const c = job.inputs.template.template.containers[0];
        assert.deepEqual(c.commands, ["python", "/app/drift.py"]);
        const env = Object.fromEntries(c.envs.map((e: { name: string; value: string }) => [e.name, e.value]));
        assert.equal(env.MLOPS_SOURCE_URI, "gs://lake-models/iris/_capture/");
        assert.equal(env.MLOPS_TARGET_URI, "gs://lake-models/iris/");
        assert.equal(env.MLOPS_MODEL_VERSION, "20261203T101500Z-1a2b3c4d");
        assert.equal(env.MLOPS_PSI_THRESHOLD, "0.2");
        assert.equal(env.MLOPS_PIPELINE, "iris-drift");
        assert.equal(job.inputs.template.template.encryptionKey, KEY);
        const sched = only(resources, "gcp:cloudscheduler/job:Job");
        assert.equal(sched.inputs.schedule, "0 * * * *");
        assert.equal(sched.inputs.timeZone, "Etc/UTC");
        const report = named(resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "-drift-report-create");
        assert.match(report.inputs.condition.expression, /objects\/iris\/_drift\/"\)$/);
    });

    it("counts drifted features per feature and alerts the stack's channels with one condition for every model, one incident per model", async () => {
        const metric = only(resources, "gcp:logging/metric:Metric");
        assert.match(metric.inputs.filter, /jsonPayload.mlops = "drift"/);
        assert.deepEqual(metric.inputs.labelExtractors, { model: "EXTRACT(jsonPayload.model)", feature: "EXTRACT(jsonPayload.feature)" });
        const alert = only(resources, "gcp:monitoring/alertPolicy:AlertPolicy");
        assert.equal(alert.name, "training-drift-alert");
        assert.deepEqual(alert.inputs.conditions, [signalsCondition(alert.inputs.displayName, [driftSignal(metric.inputs.name)])]);
        assert.equal(
            alert.inputs.conditions[0].conditionPrometheusQueryLanguage.query,
            `(sum by (model) (increase({"logging.googleapis.com/user/${metric.inputs.name}", monitored_resource="cloud_run_job"}[1h])) > 0)`,
        );
        assert.deepEqual(alert.inputs.notificationChannels, [CHANNEL]);
        // A second monitored model joins the same condition (the metric counts both drift jobs).
        const { resources: two } = await captureResources(
            () => new VertexTrainingPipelines("training", { ...args, delivery: undefined, trainings: [iris, { ...iris, model: "wine" }] }),
        );
        const shared = only(two, "gcp:monitoring/alertPolicy:AlertPolicy");
        assert.equal(shared.inputs.conditions.length, 1);
        assert.match(only(two, "gcp:logging/metric:Metric").inputs.filter, /iris-drift.*wine-drift|wine-drift.*iris-drift/);
    });

    it("leaves the drift alert to the caller with alert: false (trainingAlertSignals gives its signal), and has none without drift", async () => {
        const { resources: none } = await captureResources(
            () => new VertexTrainingPipelines("training", { ...args, delivery: undefined, alert: false }),
        );
        assert.deepEqual(ofType(none, "gcp:monitoring/alertPolicy:AlertPolicy"), []);
        assert.equal(ofType(none, "gcp:logging/metric:Metric").length, 1, "the metric stays: the caller's condition reads it");
        assert.deepEqual(trainingAlertSignals(args.namePrefix, args.trainings), [
            driftSignal(stackTrainingNames(args.namePrefix).driftMetric),
        ]);
        assert.deepEqual(trainingAlertSignals(args.namePrefix, [{ ...iris, drift: undefined }]), []);
    });

    it("retrains on drift: the summary line goes to a CMEK topic whose trigger starts the launch workflow", () => {
        const sink = only(resources, "gcp:logging/projectSink:ProjectSink");
        assert.match(sink.inputs.filter, /jsonPayload.driftedFeatures > 0/);
        const topic = only(resources, "gcp:pubsub/topic:Topic");
        assert.equal(topic.inputs.kmsKeyName, KEY);
        const trigger = named(resources, "gcp:eventarc/trigger:Trigger", "-drift-retrain");
        assert.deepEqual(trigger.inputs.matchingCriterias, [{ attribute: "type", value: "google.cloud.pubsub.topic.v1.messagePublished" }]);
    });

    it("delivers approvals: the audit log of MergeVersionAliases starts a workflow that dispatches the GitHub workflow with the CMEK secret", () => {
        const trigger = named(resources, "gcp:eventarc/trigger:Trigger", "-model-approved");
        assert.deepEqual(trigger.inputs.matchingCriterias, [
            { attribute: "type", value: "google.cloud.audit.log.v1.written" },
            { attribute: "serviceName", value: "aiplatform.googleapis.com" },
            { attribute: "methodName", value: "google.cloud.aiplatform.v1.ModelService.MergeVersionAliases" },
        ]);
        const secret = only(resources, "gcp:secretmanager/secret:Secret");
        assert.equal(secret.inputs.replication.userManaged.replicas[0].customerManagedEncryption.kmsKeyName, KEY);
        const wf = named(resources, "gcp:workflows/workflow:Workflow", "-delivery");
        assert.match(
            wf.inputs.sourceContents,
            /https:\/\/api\.github\.com\/repos\/acme\/ml-platform\/actions\/workflows\/promote\.yml\/dispatches/,
        );
        assert.match(wf.inputs.sourceContents, /stack: "gcp-prod"/);
        // Manual approval: an alias the pipeline's own identity sets is never delivered.
        assert.ok(wf.inputs.sourceContents.includes(EMAIL(n.pipelineAccount)));
    });

    it("refuses bad arguments before registering anything", async () => {
        const bad: VertexTrainingPipelinesArgs = {
            ...args,
            trainings: [{ ...iris, memoryMiB: 100_000, timeoutMinutes: 20_000, env: { MLOPS_TRIGGER: "x" } }],
            zoneBuckets: { curated: "c" },
        };
        const { message, registered } = await rejectedBuild(
            () => new VertexTrainingPipelines("training", bad),
            'VertexTrainingPipelines "training"',
        );
        for (const p of [
            /zoneBuckets: must include the `models` zone/,
            /trainings\[0\]\.timeoutMinutes: must be a whole number of minutes from 1 to 10080/,
            /trainings\[0\]\.env\.MLOPS_TRIGGER: is set by the runner/,
            /trainings\[0\]\.memoryMiB: must be .* for the drift job/,
        ])
            assert.match(message, p);
        assert.equal(registered.length, 0);
    });
});

describe("GCP training workflows (sources)", () => {
    it("the launch workflow without new data only starts drift runs", () => {
        const src = launchWorkflow({
            project: "p",
            region: "us-central1",
            pipeline: "x",
            spec: "{}",
            serviceAccount: "sa@p.iam.gserviceaccount.com",
            kmsKeyName: KEY,
            outputDirectory: "gs://m/iris/_pipeline/",
            labels: {},
        });
        assert.match(src, /trigger: "drift"/);
    });
    it("the delivery workflow ignores other aliases and other models", () => {
        const src = deliveryWorkflow({
            project: "p",
            region: "us-central1",
            models: { "mlops-gcp-prod-iris": "iris" },
            trainingIdentities: {},
            repository: "a/b",
            workflow: "promote.yml",
            branch: "main",
            stack: "gcp-prod",
            tokenSecret: "projects/p/secrets/t",
        });
        assert.match(src, /not\(id in models\)/);
        assert.match(src, /not\("approved" in requested\)/);
        assert.match(src, /secret_id: "t"/);
    });
});

/**
 * Runs a step's Python (python3, standard library) with urllib answered by `routes` (URL substring -> JSON or text
 * body, or a status code); prints the JSON bodies it POSTed, by URL.
 */
function runStep(script: string, config: Record<string, unknown>, routes: [string, unknown][]): Record<string, unknown> {
    const harness = `
import io, json, sys, time, urllib.error, urllib.request
routes, posted = json.loads(sys.argv[1]), {}
class Resp(io.BytesIO):
    status = 200
    def __enter__(self): return self
    def __exit__(self, *a): return False
def urlopen(req, timeout=None):
    url = req.full_url
    if req.get_method() == "POST":
        posted[url] = json.loads(req.data)
    for key, answer in routes:
        if key in url:
            if isinstance(answer, int):
                raise urllib.error.HTTPError(url, answer, "status", {}, io.BytesIO(b"{}"))
            return Resp(answer.encode() if isinstance(answer, str) else json.dumps(answer).encode())
    raise AssertionError("unexpected call " + url)
urllib.request.urlopen, time.sleep = urlopen, lambda s: None
sys.argv = ["step", sys.argv[2]]
try:
    exec(compile(sys.stdin.read(), "step", "exec"), {"__name__": "__main__"})
except SystemExit as e:
    posted["exit"] = e.code
print(json.dumps(posted))
`;
    const out = execFileSync("python3", ["-c", harness, JSON.stringify(routes), JSON.stringify(config)], {
        input: script,
        encoding: "utf8",
    });
    return JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("GCP training steps (Python)", () => {
    const automl: TrainingSpec = {
        ...iris,
        mode: "automl",
        approval: "automatic",
        automl: { targetColumn: "species", problemType: "classification", maxRuntimeMinutes: 60 },
    };
    const ctx: SpecContext = {
        project: "p",
        region: "us-central1",
        datasetBucket: "lake-curated",
        modelsBucket: "lake-models",
        codeBucket: "code",
        serviceAccount: EMAIL("pipe"),
        kmsKeyName: KEY,
        modelId: "mlops-gcp-prod-iris",
        machine: { machineType: "n1-standard-4" },
        servingContainer: { image: "python:3.12.12-slim-bookworm", port: 8080 },
        labels: {},
    };

    it("both steps are valid Python", () => {
        for (const script of [REGISTER_PY, AUTOML_PY])
            execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: script });
    });

    it("the AutoML step gives Vertex AI one auto transformation per feature column of the version's CSV (not an empty list)", () => {
        const config = { ...automlConfig(automl, ctx), datasetVersion: "v=20261203", runId: "iris-train-1" };
        const posted = runStep(AUTOML_PY, config, [
            ["metadata.google.internal", { access_token: "t" }],
            ["/o?prefix=", { items: [{ name: "iris/v=20261203/part-1.csv" }, { name: "iris/v=20261203/_manifest.json" }] }],
            ["alt=media", "\ufeffsepal_length_cm,petal_length_cm,species\n5.1,1.4,setosa\n"],
            ["/datasets", { done: true, response: { name: "projects/p/locations/us-central1/datasets/7" } }],
            [":mergeVersionAliases", {}],
            ["/evaluations", { modelEvaluations: [{ metrics: { confidenceMetrics: [{ confidenceThreshold: 0.5, f1Score: 0.97 }] } }] }],
            ["/trainingPipelines", { name: "tp/1", state: "PIPELINE_STATE_SUCCEEDED", modelToUpload: { versionId: "1" } }],
            ["/models/mlops-gcp-prod-iris", 404],
        ]);
        assert.equal(posted.exit, undefined, JSON.stringify(posted));
        const tp = Object.entries(posted).find(([url]) => url.endsWith("/trainingPipelines"))![1] as {
            trainingTaskInputs: { targetColumn: string; transformations: unknown[] };
            modelId?: string;
        };
        assert.equal(tp.trainingTaskInputs.targetColumn, "species");
        assert.deepEqual(tp.trainingTaskInputs.transformations, [
            { auto: { columnName: "sepal_length_cm" } },
            { auto: { columnName: "petal_length_cm" } },
        ]);
        assert.equal(tp.modelId, "mlops-gcp-prod-iris");
        const merged = Object.entries(posted).find(([url]) => url.endsWith("@1:mergeVersionAliases"));
        assert.deepEqual(merged?.[1], { versionAliases: ["approved"] });
    });
});
