/**
 * Pure pieces of the Vertex AI training pipelines: the compiled pipeline (KFP IR, PipelineSpec schema 2.1.0)
 * of one model, the registration and AutoML steps it runs, the workflows that start runs (new data, drift)
 * and deliver approvals to GitHub, and the drift log filters. No resources are created here.
 *
 * Sources: cloud.google.com/vertex-ai/docs/pipelines/build-pipeline (PipelineSpec: pipelineInfo, root dag,
 * components, deploymentSpec.executors); google-cloud-pipeline-components v1 custom_job launcher (the
 * CustomJob payload: worker_pool_specs with machine_spec, scheduling.strategy SPOT, service_account,
 * encryption_spec_key_name); cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models
 * (upload with modelId/parentModel; mergeVersionAliases, which needs aiplatform.models.update);
 * .../projects.locations.trainingPipelines (AutoML tabular: trainingTaskDefinition automl_tabular_1.0.0);
 * cloud.google.com/vertex-ai/docs/training/cloud-storage-file-system (buckets mounted at /gcs/ in custom jobs);
 * cloud.google.com/workflows/docs/reference/googleapis (aiplatform.v1 pipelineJobs.create, secretmanager
 * accessString).
 */
import { createHash } from "crypto";
import type { TrainingSpec } from "./contract";
import { driftJobName, trainingPipelineName } from "./contract";
import { AlertSignal, anyIncreaseQuery } from "../observability/gcp-conditions";

/** The google-cloud-pipeline-components image that launches the training custom job (pinned). */
export const GCPC_IMAGE = "gcr.io/ml-pipeline/google-cloud-pipeline-components:2.19.0";
/** The image of the registration and AutoML steps: a pinned Python with only the standard library used. */
export const STEP_IMAGE = "python:3.12.12-slim-bookworm";
/** Where Vertex AI custom jobs see Cloud Storage buckets (Cloud Storage FUSE). */
export const GCS_FUSE_ROOT = "/gcs";
/** The alias a registered version gets: `candidate` waits for a person; `approved` is what delivery ships. */
export const ALIASES = { manual: "candidate", automatic: "approved" } as const;
export const APPROVED_ALIAS = "approved";
/** The run id of a pipeline run, which names the version (`v=<run id>/`): the pipeline job's ID. */
export const RUN_ID_PLACEHOLDER = "{{$.pipeline_job_name}}";
export const AUTOML_TRAINING_DEFINITION = "gs://google-cloud-aiplatform/schema/trainingjob/definition/automl_tabular_1.0.0.yaml";
export const TABULAR_DATASET_SCHEMA = "gs://google-cloud-aiplatform/schema/dataset/metadata/tables_1.0.0.yaml";

/** What the spec of one model needs besides the training itself. */
export interface SpecContext {
    readonly project: string;
    readonly region: string;
    /** The dataset's and models' buckets (names, known when the spec is built). */
    readonly datasetBucket: string;
    readonly modelsBucket: string;
    readonly codeBucket: string;
    /** Folder of the training files in the code bucket (`<model>/app-<hash>/`), when the training has files. */
    readonly codePrefix?: string;
    readonly serviceAccount: string;
    readonly kmsKeyName: string;
    readonly modelId: string;
    readonly machine: { machineType: string; acceleratorType?: string; acceleratorCount?: number };
    readonly servingContainer: { image: string; command?: readonly string[]; port: number };
    readonly labels: Readonly<Record<string, string>>;
}

/** A short content hash (names of versioned objects). */
export function contentHash(text: string, length = 12): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** The environment of the training job: the contract's variables (trigger and dataset version from the run's parameters). */
export function trainingEnv(t: TrainingSpec, c: Pick<SpecContext, "datasetBucket" | "modelsBucket">): Record<string, string> {
    return {
        ...t.env,
        MLOPS_PIPELINE: trainingPipelineName(t.model),
        MLOPS_MODEL_NAME: t.model,
        MLOPS_SOURCE_URI: `gs://${c.datasetBucket}/${t.dataset.prefix}`,
        MLOPS_DATASET_VERSION: "{{$.inputs.parameters['dataset_version']}}",
        MLOPS_TARGET_URI: `gs://${c.modelsBucket}/${t.output.prefix}`,
        MLOPS_GATE_METRIC: t.metric,
        MLOPS_GATE_THRESHOLD: String(t.threshold),
        MLOPS_TRIGGER: "{{$.inputs.parameters['trigger']}}",
        MLOPS_RUN_ID: RUN_ID_PLACEHOLDER,
    };
}

/** The environment of the drift job (contract): captured inputs, the model's prefix, the served version, the rule. */
export function driftEnv(t: TrainingSpec, modelsBucket: string): Record<string, string> {
    const d = t.drift!;
    return {
        ...t.env,
        MLOPS_PIPELINE: driftJobName(t.model),
        MLOPS_MODEL_NAME: t.model,
        MLOPS_SOURCE_URI: `gs://${modelsBucket}/${d.capture.prefix}`,
        MLOPS_TARGET_URI: `gs://${modelsBucket}/${t.output.prefix}`,
        ...(t.servedVersion ? { MLOPS_MODEL_VERSION: t.servedVersion } : {}),
        MLOPS_PSI_THRESHOLD: String(d.psiThreshold),
        MLOPS_KS_ALPHA: String(d.ksAlpha),
        MLOPS_TRIGGER: "schedule",
    };
}

/**
 * The training command: with files, they are copied from the code bucket (mounted by Vertex AI at
 * /gcs/<bucket>/) to /app first, so `python /app/train.py` runs as it does on the other runners.
 */
export function trainingCommand(t: TrainingSpec, c: Pick<SpecContext, "codeBucket" | "codePrefix">): string[] {
    if (!c.codePrefix) return [...t.command];
    const from = `${GCS_FUSE_ROOT}/${c.codeBucket}/${c.codePrefix}`;
    return ["sh", "-c", `mkdir -p /app && cp ${from}* /app/ && exec "$@"`, "sh", ...t.command];
}

/** The CustomJob the train step launches: the catalog's machine, SPOT when `spot`, the pipeline's identity, CMEK. */
export function customJobPayload(t: TrainingSpec, c: SpecContext): Record<string, unknown> {
    const m = c.machine;
    const machineSpec: Record<string, unknown> = { machine_type: m.machineType };
    if (m.acceleratorType) {
        machineSpec.accelerator_type = m.acceleratorType;
        machineSpec.accelerator_count = m.acceleratorCount ?? 1;
    }
    return {
        display_name: `${trainingPipelineName(t.model)}-${RUN_ID_PLACEHOLDER}`,
        job_spec: {
            worker_pool_specs: [
                {
                    machine_spec: machineSpec,
                    replica_count: 1,
                    disk_spec: { boot_disk_type: "pd-ssd", boot_disk_size_gb: 100 },
                    container_spec: {
                        image_uri: t.image,
                        command: trainingCommand(t, c),
                        args: [...t.args],
                        env: Object.entries(trainingEnv(t, c)).map(([name, value]) => ({ name, value })),
                    },
                },
            ],
            scheduling: { timeout: `${t.timeoutMinutes * 60}s`, ...(t.spot ? { strategy: "SPOT" } : {}) },
            service_account: c.serviceAccount,
            base_output_directory: { output_uri_prefix: `gs://${c.modelsBucket}/${t.output.prefix}_pipeline/${RUN_ID_PLACEHOLDER}/` },
        },
        labels: { ...c.labels },
        encryption_spec: { kms_key_name: c.kmsKeyName },
    };
}

/** What the registration step is told (one JSON argument). */
export function registerConfig(t: TrainingSpec, c: SpecContext): Record<string, unknown> {
    return {
        project: c.project,
        region: c.region,
        model: t.model,
        modelId: c.modelId,
        bucket: c.modelsBucket,
        prefix: t.output.prefix,
        runId: RUN_ID_PLACEHOLDER,
        metric: t.metric,
        threshold: t.threshold,
        alias: ALIASES[t.approval],
        kmsKeyName: c.kmsKeyName,
        container: {
            imageUri: c.servingContainer.image,
            ...(c.servingContainer.command ? { command: [...c.servingContainer.command] } : {}),
            ports: [{ containerPort: c.servingContainer.port }],
        },
        labels: { ...c.labels },
    };
}

/** Shared Python of the steps: the metadata server's token and JSON calls to Google APIs (standard library only). */
const STEP_COMMON = `
import json, sys, time, urllib.error, urllib.parse, urllib.request
c = json.loads(sys.argv[1])
def token():
    r = urllib.request.Request("http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", headers={"Metadata-Flavor": "Google"})
    return json.load(urllib.request.urlopen(r, timeout=10))["access_token"]
def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    r = urllib.request.Request(url, data=data, method=method, headers={"Authorization": "Bearer " + token(), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {"error": e.read().decode(errors="replace")}
def log(**kv):
    print(json.dumps({"mlops": "training-step", "model": c["model"], **kv}), flush=True)
def fail(**kv):
    log(ok=False, **kv)
    sys.exit(1)
api = "https://%s-aiplatform.googleapis.com/v1" % c["region"]
parent = "projects/%s/locations/%s" % (c["project"], c["region"])
name = parent + "/models/" + c["modelId"]
def wait(op):
    while not op.get("done"):
        time.sleep(15)
        status, op = call("GET", api + "/" + op["name"])
        if status != 200:
            fail(step="wait", status=status, error=op)
    if "error" in op:
        fail(step="wait", error=op["error"])
    return op.get("response", {})
def alias(version_id):
    status, body = call("POST", "%s/%s@%s:mergeVersionAliases" % (api, name, version_id), {"versionAliases": [c["alias"]]})
    if status != 200:
        fail(step="alias", status=status, error=body)
    log(ok=True, step="registered", version=c["runId"], versionId=version_id, alias=c["alias"])
`;

/**
 * The registration step (custom mode): reads `v=<run id>/metrics.json`, fails below the gate (the pipeline's
 * own condition, after train.py's), uploads the version to the model `<modelId>` (creating it on the first
 * run), then gives it the alias: `candidate` (manual approval) or `approved` (automatic).
 */
export const REGISTER_PY = `${STEP_COMMON}
obj = urllib.parse.quote("%sv=%s/metrics.json" % (c["prefix"], c["runId"]), safe="")
status, metrics = call("GET", "https://storage.googleapis.com/storage/v1/b/%s/o/%s?alt=media" % (c["bucket"], obj))
if status != 200:
    fail(step="gate", status=status, error=metrics)
value = metrics.get(c["metric"])
if not isinstance(value, (int, float)) or value < c["threshold"]:
    fail(step="gate", metric=c["metric"], value=value, threshold=c["threshold"])
status, _ = call("GET", api + "/" + name)
if status not in (200, 404):
    fail(step="lookup", status=status)
model = {"displayName": c["model"], "artifactUri": "gs://%s/%sv=%s/" % (c["bucket"], c["prefix"], c["runId"]),
         "versionDescription": c["runId"], "containerSpec": c["container"], "labels": c["labels"],
         "encryptionSpec": {"kmsKeyName": c["kmsKeyName"]}}
body = {"model": model, "parentModel": name} if status == 200 else {"model": model, "modelId": c["modelId"]}
status, op = call("POST", api + "/" + parent + "/models:upload", body)
if status != 200:
    fail(step="upload", status=status, error=op)
alias(wait(op)["modelVersionId"])
`;

/**
 * The AutoML step (mode automl): a tabular dataset over the dataset version's CSV files, an AutoML tabular
 * training pipeline (budget from maxRuntimeMinutes) that uploads the version to `<modelId>`, the gate on the
 * model evaluation, then the alias as above.
 */
export const AUTOML_PY = `${STEP_COMMON}
import csv
src = c["datasetBucket"]
version = c["datasetVersion"].strip()
if not version:
    status, listing = call("GET", "https://storage.googleapis.com/storage/v1/b/%s/o?prefix=%s" % (src, urllib.parse.quote(c["datasetPrefix"] + "v=", safe="")))
    found = sorted(i["name"] for i in listing.get("items", []) if i["name"].endswith("/_manifest.json"))
    if not found:
        fail(step="dataset", error="no complete dataset version under " + c["datasetPrefix"])
    version = found[-1][len(c["datasetPrefix"]):].split("/")[0]
elif not version.startswith("v="):
    version = "v=" + version
uris = ["gs://%s/%s%s/*.csv" % (src, c["datasetPrefix"], version)]
# AutoML tabular trains on the columns it is given one transformation each (the Vertex AI SDK's default: "auto" for
# every column but the target, read from the CSV header): an empty list would give it no feature.
status, listing = call("GET", "https://storage.googleapis.com/storage/v1/b/%s/o?prefix=%s" % (src, urllib.parse.quote(c["datasetPrefix"] + version + "/", safe="")))
csvs = sorted(i["name"] for i in listing.get("items", []) if i["name"].endswith(".csv"))
if status != 200 or not csvs:
    fail(step="dataset", status=status, error="no CSV file under %s%s/" % (c["datasetPrefix"], version))
r = urllib.request.Request("https://storage.googleapis.com/storage/v1/b/%s/o/%s?alt=media" % (src, urllib.parse.quote(csvs[0], safe="")),
    headers={"Authorization": "Bearer " + token(), "Range": "bytes=0-1048575"})
with urllib.request.urlopen(r, timeout=60) as resp:
    lines = resp.read().decode("utf-8-sig", errors="replace").splitlines()
columns = [n for n in (next(csv.reader(lines[:1]), []) if lines else []) if n and n != c["targetColumn"]]
if not columns:
    fail(step="dataset", error="no feature column besides %s in %s" % (c["targetColumn"], csvs[0]))
status, op = call("POST", api + "/" + parent + "/datasets", {"displayName": "%s-%s" % (c["model"], c["runId"]),
    "metadataSchemaUri": c["datasetSchema"], "metadata": {"inputConfig": {"gcsSource": {"uri": uris}}},
    "encryptionSpec": {"kmsKeyName": c["kmsKeyName"]}})
if status != 200:
    fail(step="dataset", status=status, error=op)
dataset = wait(op)["name"].split("/")[-1]
status, existing = call("GET", api + "/" + name)
pipeline = {"displayName": "%s-%s" % (c["model"], c["runId"]), "trainingTaskDefinition": c["definition"],
    "trainingTaskInputs": {"targetColumn": c["targetColumn"], "predictionType": c["problemType"],
        "trainBudgetMilliNodeHours": c["budgetMilliNodeHours"],
        "transformations": [{"auto": {"columnName": n}} for n in columns]},
    "inputDataConfig": {"datasetId": dataset},
    "modelToUpload": {"displayName": c["model"], "versionDescription": c["runId"], "labels": c["labels"], "encryptionSpec": {"kmsKeyName": c["kmsKeyName"]}},
    "encryptionSpec": {"kmsKeyName": c["kmsKeyName"]}, "labels": c["labels"]}
if status == 200:
    pipeline["parentModel"] = name
else:
    pipeline["modelId"] = c["modelId"]
status, tp = call("POST", api + "/" + parent + "/trainingPipelines", pipeline)
if status != 200:
    fail(step="automl", status=status, error=tp)
while tp.get("state") not in ("PIPELINE_STATE_SUCCEEDED", "PIPELINE_STATE_FAILED", "PIPELINE_STATE_CANCELLED"):
    time.sleep(60)
    status, tp = call("GET", api + "/" + tp["name"])
if tp["state"] != "PIPELINE_STATE_SUCCEEDED":
    fail(step="automl", state=tp["state"], error=tp.get("error"))
version_id = tp["modelToUpload"]["versionId"]
status, evals = call("GET", "%s/%s@%s/evaluations" % (api, name, version_id))
metrics = (evals.get("modelEvaluations") or [{}])[0].get("metrics", {})
if c["problemType"] == "classification":
    at_half = [m for m in metrics.get("confidenceMetrics", []) if abs(m.get("confidenceThreshold", -1) - 0.5) < 1e-9]
    value = at_half[0].get("f1Score") if at_half else None
    if not isinstance(value, (int, float)) or value < c["threshold"]:
        fail(step="gate", metric="f1Score@0.5", value=value, threshold=c["threshold"], versionId=version_id)
alias(version_id)
`;

/** What the AutoML step is told (one JSON argument). */
export function automlConfig(t: TrainingSpec, c: SpecContext): Record<string, unknown> {
    const a = t.automl!;
    return {
        ...registerConfig(t, c),
        datasetBucket: c.datasetBucket,
        datasetPrefix: t.dataset.prefix,
        datasetVersion: "{{$.inputs.parameters['dataset_version']}}",
        datasetSchema: TABULAR_DATASET_SCHEMA,
        definition: AUTOML_TRAINING_DEFINITION,
        targetColumn: a.targetColumn,
        problemType: a.problemType,
        // One node hour is 1000 milli node hours: the budget is the most time the job may take.
        budgetMilliNodeHours: Math.max(1000, Math.round((a.maxRuntimeMinutes / 60) * 1000)),
    };
}

const PARAMS = {
    trigger: { parameterType: "STRING", defaultValue: "schedule" },
    dataset_version: { parameterType: "STRING", defaultValue: "" },
};
const FROM_ROOT = {
    trigger: { componentInputParameter: "trigger" },
    dataset_version: { componentInputParameter: "dataset_version" },
};

/**
 * The compiled pipeline of one model (PipelineSpec, schema 2.1.0). Custom mode: `train` launches a Vertex AI
 * custom job (the training image and command, the catalog's machine and accelerator, SPOT when `spot`), then
 * `register` gates on metrics.json and registers the version. AutoML mode: one `automl` step. Parameters:
 * `trigger` (schedule, new-data, drift) and `dataset_version` (empty: the newest complete version).
 */
export function pipelineSpec(t: TrainingSpec, c: SpecContext): Record<string, unknown> {
    const name = trainingPipelineName(t.model);
    const step = (script: string, config: Record<string, unknown>) => ({
        container: { image: STEP_IMAGE, command: ["python3", "-c", script], args: [JSON.stringify(config)] },
    });
    const component = (executorLabel: string, outputs = false) => ({
        executorLabel,
        inputDefinitions: { parameters: PARAMS },
        ...(outputs ? { outputDefinitions: { parameters: { gcp_resources: { parameterType: "STRING" } } } } : {}),
    });
    const custom = t.mode === "custom";
    const tasks = custom
        ? {
              train: { taskInfo: { name: "train" }, componentRef: { name: "comp-train" }, inputs: { parameters: FROM_ROOT } },
              register: {
                  taskInfo: { name: "register" },
                  componentRef: { name: "comp-register" },
                  dependentTasks: ["train"],
                  inputs: { parameters: FROM_ROOT },
              },
          }
        : { automl: { taskInfo: { name: "automl" }, componentRef: { name: "comp-automl" }, inputs: { parameters: FROM_ROOT } } };
    const components = custom
        ? { "comp-train": component("exec-train", true), "comp-register": component("exec-register") }
        : { "comp-automl": component("exec-automl") };
    const executors = custom
        ? {
              "exec-train": {
                  container: {
                      image: GCPC_IMAGE,
                      command: ["python3", "-u", "-m", "google_cloud_pipeline_components.container.v1.custom_job.launcher"],
                      args: [
                          "--type",
                          "CustomJob",
                          "--payload",
                          JSON.stringify(customJobPayload(t, c)),
                          "--project",
                          c.project,
                          "--location",
                          c.region,
                          "--gcp_resources",
                          "{{$.outputs.parameters['gcp_resources'].output_file}}",
                      ],
                  },
              },
              "exec-register": step(REGISTER_PY, registerConfig(t, c)),
          }
        : { "exec-automl": step(AUTOML_PY, automlConfig(t, c)) };
    return {
        pipelineInfo: { name, description: `mlops: trains, gates and registers model ${t.model}` },
        schemaVersion: "2.1.0",
        sdkVersion: "kfp-2.7.0",
        root: { inputDefinitions: { parameters: PARAMS }, dag: { tasks } },
        components,
        deploymentSpec: { executors },
    };
}

/** A YAML/JSON string literal (JSON is YAML). */
const lit = (s: string) => JSON.stringify(s);

/** What the launch workflow of one model needs. */
export interface LaunchWorkflowInputs {
    readonly project: string;
    readonly region: string;
    readonly pipeline: string;
    /** The compiled pipeline (JSON text). */
    readonly spec: string;
    readonly serviceAccount: string;
    readonly kmsKeyName: string;
    /** gs:// root of the runs' outputs. */
    readonly outputDirectory: string;
    readonly labels: Readonly<Record<string, string>>;
    /** New data: the dataset bucket and prefix whose `v=<run id>/_manifest.json` starts a run. */
    readonly dataset?: { readonly bucket: string; readonly prefix: string };
}

/**
 * The workflow that starts one run of the pipeline: called by the Eventarc trigger on the dataset bucket
 * (a `_manifest.json` finalized under the dataset prefix: trigger `new-data`, dataset version from its path;
 * other objects are ignored) and by the drift trigger (a Pub/Sub message: trigger `drift`).
 */
export function launchWorkflow(w: LaunchWorkflowInputs): string {
    const escaped = (w.dataset?.prefix ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const job = {
        displayName: w.pipeline,
        pipelineSpec: JSON.parse(w.spec) as unknown,
        serviceAccount: w.serviceAccount,
        encryptionSpec: { kmsKeyName: w.kmsKeyName },
        labels: { ...w.labels },
        runtimeConfig: { gcsOutputDirectory: w.outputDirectory, parameterValues: { trigger: "${trigger}", dataset_version: "${version}" } },
    };
    const lines = [
        "main:",
        "  params: [event]",
        "  steps:",
        "    - init:",
        "        assign:",
        '          - trigger: "drift"',
        '          - version: ""',
        "    - kind:",
        "        switch:",
        '          - condition: ${"bucket" in event.data}',
        "            steps:",
        "              - object:",
        "                  assign:",
        "                    - name: ${event.data.name}",
        '                    - trigger: "new-data"',
        "              - filter:",
        "                  switch:",
        `                    - condition: \${event.data.bucket != ${lit(w.dataset?.bucket ?? "")} or not(text.match_regex(name, ${lit(`^${escaped}v=[^/]+/_manifest\\.json$`)}))}`,
        "                      next: ignore",
        "              - version:",
        "                  assign:",
        `                    - version: \${text.split(text.replace_all(name, ${lit(w.dataset?.prefix ?? "")}, ""), "/")[0]}`,
        "    - start:",
        "        call: googleapis.aiplatform.v1.projects.locations.pipelineJobs.create",
        "        args:",
        `          parent: ${lit(`projects/${w.project}/locations/${w.region}`)}`,
        `          region: ${lit(w.region)}`,
        `          body: ${JSON.stringify(job)}`,
        "        result: created",
        "    - started:",
        "        return: ${created.name}",
        "    - ignore:",
        "        return: ignored",
        "",
    ];
    return lines.join("\n");
}

/** What the delivery workflow needs: the stack's models (Vertex AI model ID -> model name) and the GitHub target. */
export interface DeliveryWorkflowInputs {
    readonly project: string;
    readonly region: string;
    readonly models: Readonly<Record<string, string>>;
    /** The pipelines' service accounts of the models whose approval is manual: an alias they set is never delivered. */
    readonly trainingIdentities: Readonly<Record<string, string>>;
    readonly repository: string;
    readonly workflow: string;
    readonly branch: string;
    readonly stack: string;
    /** The Secret Manager secret holding the GitHub token (`projects/<p>/secrets/<id>`). */
    readonly tokenSecret: string;
}

/**
 * The workflow the Eventarc audit-log trigger starts when a model version's aliases change
 * (ModelService.MergeVersionAliases): for one of the stack's models, when the version now aliased `approved`
 * was approved by an allowed identity, it reads the run id from the version's description and dispatches the
 * promotion workflow on GitHub (`POST /repos/<repo>/actions/workflows/<workflow>/dispatches`).
 */
export function deliveryWorkflow(w: DeliveryWorkflowInputs): string {
    const api = `https://${w.region}-aiplatform.googleapis.com/v1`;
    return [
        "main:",
        "  params: [event]",
        "  steps:",
        "    - init:",
        "        assign:",
        `          - models: ${JSON.stringify(w.models)}`,
        `          - trainers: ${JSON.stringify(w.trainingIdentities)}`,
        "          - resource: ${event.data.protoPayload.resourceName}",
        '          - caller: ${default(map.get(event.data.protoPayload, ["authenticationInfo", "principalEmail"]), "")}',
        '          - requested: ${default(map.get(event.data.protoPayload, ["request", "versionAliases"]), [])}',
        '          - id: ${text.split(text.split(resource, "/models/")[1], "@")[0]}',
        "    - ours:",
        "        switch:",
        "          - condition: ${not(id in models)}",
        "            next: ignore",
        `          - condition: \${len(requested) > 0 and not(${lit(APPROVED_ALIAS)} in requested)}`,
        "            next: ignore",
        "          - condition: ${id in trainers and trainers[id] == caller}",
        "            next: ignore",
        "    - approved:",
        "        call: http.get",
        "        args:",
        `          url: \${${lit(`${api}/projects/${w.project}/locations/${w.region}/models/`)} + id + "@${APPROVED_ALIAS}"}`,
        "          auth:",
        "            type: OAuth2",
        "        result: version",
        "    - token:",
        "        call: googleapis.secretmanager.v1.projects.secrets.versions.accessString",
        "        args:",
        `          secret_id: ${lit(w.tokenSecret.split("/").pop() ?? "")}`,
        `          project_id: ${lit(w.project)}`,
        "        result: githubToken",
        "    - dispatch:",
        "        call: http.post",
        "        args:",
        `          url: ${lit(`https://api.github.com/repos/${w.repository}/actions/workflows/${w.workflow}/dispatches`)}`,
        "          headers:",
        '            Authorization: ${"Bearer " + githubToken}',
        "            Accept: application/vnd.github+json",
        "            X-GitHub-Api-Version: 2022-11-28",
        "          body:",
        `            ref: ${lit(w.branch)}`,
        "            inputs:",
        `              stack: ${lit(w.stack)}`,
        "              model: ${models[id]}",
        "              version: ${version.body.versionDescription}",
        "        result: dispatched",
        "    - delivered:",
        '        return: ${models[id] + " " + version.body.versionDescription}',
        "    - ignore:",
        "        return: ignored",
        "",
    ].join("\n");
}

/** Log entries of a model's drift job that report one feature as drifted (the log-based metric counts them). */
export function driftedFeatureFilter(driftJobs: readonly string[]): string {
    const jobs = driftJobs.map((j) => `"${j}"`).join(" OR ");
    return [
        'resource.type = "cloud_run_job"',
        `resource.labels.job_name = (${jobs})`,
        'jsonPayload.mlops = "drift"',
        "jsonPayload.drifted = true",
    ].join(" AND ");
}

/** Drifted features > 0 in the last hour, one series per model (the log-based metric counts one per feature and run). */
export function driftSignal(metric: string): AlertSignal {
    return {
        description: "a drift job found drifted features (`model`: the model; its report is under `models/<model>/_drift/`)",
        query: anyIncreaseQuery(`logging.googleapis.com/user/${metric}`, "cloud_run_job", [], ["model"], "1h"),
    };
}

/** The drift job's summary line when it found drift: routed to the retrain topic. */
export function driftFoundFilter(driftJob: string, model: string): string {
    return [
        'resource.type = "cloud_run_job"',
        `resource.labels.job_name = "${driftJob}"`,
        'jsonPayload.mlops = "drift-summary"',
        `jsonPayload.model = "${model}"`,
        "jsonPayload.driftedFeatures > 0",
    ].join(" AND ");
}
