/**
 * Pure pieces of the Azure ML training pipelines (docs/azure.md, "Training, promotion and drift"): the job
 * an Azure ML schedule and the Logic Apps submit (a command job running the training image on the model's
 * cluster, or an AutoML job), the small standard-library script that registers a version that passed the
 * gate in the workspace's model registry, the Logic App workflow definitions (new data, retrain on drift,
 * delivery of approved versions to GitHub) and the Log Analytics query the drift alert runs. No SDK is loaded.
 */
import { gzipSync } from "zlib";
import type { TrainingSpec } from "./contract";
import { trainingNames } from "./azure-args";

/** Where the job's files are unpacked (what the contract's `python /app/train.py` refers to). */
export const APP_DIR = "/app";
/** The job's files, gzip-compressed JSON in base64: Azure ML has no inline file mount and the lake refuses key-based uploads. */
export const APP_FILES_ENV = "MLOPS_APP_FILES";
/** The registration script's file name under /app. */
export const REGISTER_FILE = "mlops-register.py";
/** ARM API version of the Azure ML jobs and model versions the Logic Apps and the script call. */
export const AML_API_VERSION = "2024-04-01";
const ARM = "https://management.azure.com";

/**
 * Registers the version train.py just wrote (`<target>v=<run id>/`) in the workspace's model registry, as
 * the pipeline's identity: model `<model>`, version `<run id>`, pointing at the lake folder through the
 * models datastore, tagged `approval: pending` (manual) or `approved` (automatic). Runs only after
 * train.py exited 0, i.e. after the gate passed.
 */
export const REGISTER_SCRIPT = `"""Register a trained version in the Azure ML workspace's model registry (mlops)."""
import json, os, urllib.parse, urllib.request

def token():
    resource = "https://management.azure.com/"
    client = os.environ.get("AZURE_CLIENT_ID", "")
    if os.environ.get("IDENTITY_ENDPOINT") and os.environ.get("IDENTITY_HEADER"):
        query = {"resource": resource, "api-version": "2019-08-01", "client_id": client}
        url, headers = os.environ["IDENTITY_ENDPOINT"] + "?" + urllib.parse.urlencode(query), {"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]}
    elif os.environ.get("MSI_ENDPOINT"):
        query = {"resource": resource, "api-version": "2017-09-01", "clientid": client}
        url, headers = os.environ["MSI_ENDPOINT"] + "?" + urllib.parse.urlencode(query), {"secret": os.environ.get("MSI_SECRET", "")}
    else:
        query = {"resource": resource, "api-version": "2018-02-01", "client_id": client}
        url, headers = "http://169.254.169.254/metadata/identity/oauth2/token?" + urllib.parse.urlencode(query), {"Metadata": "true"}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return json.load(response)["access_token"]

def main():
    env = os.environ
    run_id = env["MLOPS_RUN_ID"]
    body = {"properties": {
        "modelType": "custom_model",
        "modelUri": env["MLOPS_MODEL_ASSET_URI"].rstrip("/") + "/v=" + run_id + "/",
        "description": "trained by " + env["MLOPS_PIPELINE"] + " (" + env.get("MLOPS_TRIGGER", "") + ")",
        "tags": {"approval": env["MLOPS_APPROVAL"], "run": run_id, "pipeline": env["MLOPS_PIPELINE"],
                 "trigger": env.get("MLOPS_TRIGGER", ""), "dataset": env.get("MLOPS_DATASET_VERSION", "") or "newest"},
    }}
    url = env["MLOPS_REGISTRY_URL"].rstrip("/") + "/" + urllib.parse.quote(run_id) + "?api-version=${AML_API_VERSION}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Authorization": "Bearer " + token(), "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        print(json.dumps({"mlops": "registered", "model": env["MLOPS_MODEL_NAME"], "version": run_id,
                          "approval": env["MLOPS_APPROVAL"], "status": response.status}))

if __name__ == "__main__":
    main()
`;

/** Unpacks MLOPS_APP_FILES into /app (a `python -c` one-liner: the job's first step). */
const UNPACK =
    `python -c 'import base64,gzip,json,os;os.makedirs("${APP_DIR}",exist_ok=True);` +
    `[open(os.path.join("${APP_DIR}",k),"w").write(v) for k,v in json.loads(gzip.decompress(base64.b64decode(os.environ["${APP_FILES_ENV}"]))).items()]'`;

/** The job's files (the training's and the registration script), packed for MLOPS_APP_FILES. */
export function packFiles(files: Readonly<Record<string, string>>): string {
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
    // mtime 0 in the gzip header: the same files always pack to the same value (stable plans).
    return gzipSync(Buffer.from(JSON.stringify(sorted)), { level: 9 }).toString("base64");
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The command job's command: unpack the files, take the job's name as the run id (Azure ML sets
 * AZUREML_RUN_ID), train (exits 1 below the gate, writing nothing), then register the version.
 */
export function trainingCommand(spec: Pick<TrainingSpec, "command" | "args">): string {
    const train = [...spec.command, ...spec.args].map(shellQuote).join(" ");
    return [UNPACK, `export MLOPS_RUN_ID="\${MLOPS_RUN_ID:-$AZUREML_RUN_ID}"`, train, `python ${APP_DIR}/${REGISTER_FILE}`].join(" && ");
}

/** What only the deployment knows: the resources the jobs refer to (Outputs resolved by the component). */
export interface AzureJobContext {
    readonly accountName: string;
    readonly containerNames: Readonly<Record<string, string>>;
    readonly workspaceId: string;
    readonly computeId: string;
    readonly environmentId: string;
    /** The pipeline's user-assigned identity: ARM ID and client ID. */
    readonly identityId: string;
    readonly clientId: string;
    readonly modelsDatastore: string;
}

export type TrainingTrigger = "schedule" | "new-data" | "drift";

const blobUri = (account: string, container: string, prefix: string) => `https://${account}.blob.core.windows.net/${container}/${prefix}`;

/** The environment every run gets (components/training-pipeline/contract.ts), for one trigger. */
export function trainingEnv(spec: TrainingSpec, ctx: AzureJobContext, trigger: TrainingTrigger): Record<string, string> {
    const files = { ...(spec.files ?? {}), [REGISTER_FILE]: REGISTER_SCRIPT };
    return {
        ...spec.env,
        MLOPS_PIPELINE: trainingNames.schedule(spec.model),
        MLOPS_MODEL_NAME: spec.model,
        MLOPS_SOURCE_URI: blobUri(ctx.accountName, ctx.containerNames[spec.dataset.zone], spec.dataset.prefix),
        MLOPS_TARGET_URI: blobUri(ctx.accountName, ctx.containerNames[spec.output.zone], spec.output.prefix),
        MLOPS_GATE_METRIC: spec.metric,
        MLOPS_GATE_THRESHOLD: String(spec.threshold),
        MLOPS_TRIGGER: trigger,
        MLOPS_APPROVAL: spec.approval === "manual" ? "pending" : "approved",
        MLOPS_REGISTRY_URL: `${ARM}${ctx.workspaceId}/models/${spec.model}/versions`,
        MLOPS_MODEL_ASSET_URI: `azureml://datastores/${ctx.modelsDatastore}/paths/${spec.output.prefix.replace(/\/$/, "")}`,
        AZURE_CLIENT_ID: ctx.clientId,
        [APP_FILES_ENV]: packFiles(files),
    };
}

/** ISO 8601 duration of minutes (`PT120M`). */
export const minutes = (n: number) => `PT${n}M`;

/** The job a schedule or a Logic App submits: a command job (custom) or an AutoML job (automl). */
export function jobDefinition(spec: TrainingSpec, ctx: AzureJobContext, trigger: TrainingTrigger) {
    const common = {
        displayName: trainingNames.schedule(spec.model),
        experimentName: trainingNames.schedule(spec.model),
        computeId: ctx.computeId,
        identity: { identityType: "Managed" as const, resourceId: ctx.identityId, clientId: ctx.clientId },
        tags: { "mlops-model": spec.model, "mlops-trigger": trigger },
    };
    if (spec.mode === "automl" && spec.automl) {
        const a = spec.automl;
        const data = {
            jobInputType: "mltable" as const,
            uri: `azureml://datastores/${trainingNames.datastore(spec.dataset.zone)}/paths/${spec.dataset.prefix}`,
        };
        const limitSettings = { timeout: minutes(a.maxRuntimeMinutes), maxTrials: 20, enableEarlyTermination: true };
        return {
            ...common,
            jobType: "AutoML" as const,
            environmentVariables: { MLOPS_TRIGGER: trigger },
            // Registered by Azure ML when the job succeeds: model `<model>`, the next version number.
            outputs: { best_model: { jobOutputType: "mlflow_model" as const, assetName: spec.model } },
            taskDetails:
                a.problemType === "classification"
                    ? {
                          taskType: "Classification" as const,
                          targetColumnName: a.targetColumn,
                          trainingData: data,
                          primaryMetric: spec.metric === "accuracy" ? "Accuracy" : "AUCWeighted",
                          limitSettings: { ...limitSettings, exitScore: spec.threshold },
                      }
                    : { taskType: "Regression" as const, targetColumnName: a.targetColumn, trainingData: data, limitSettings },
        };
    }
    return {
        ...common,
        jobType: "Command" as const,
        command: trainingCommand(spec),
        environmentId: ctx.environmentId,
        environmentVariables: trainingEnv(spec, ctx, trigger),
        limits: { jobLimitsType: "Command" as const, timeout: minutes(spec.timeoutMinutes) },
        resources: { instanceCount: 1 },
    };
}

/**
 * Logic Apps evaluate a string that starts with `@` or holds `@{`: a literal one is written `@@`
 * (Microsoft, "Workflow Definition Language": escaping). Applied to the job before the workflow's own expressions are added.
 */
export function escapeLogic<T>(value: T): T {
    if (typeof value === "string") return value.replace(/@\{/g, "@@{").replace(/^@(?!@)/, "@@") as T;
    if (Array.isArray(value)) return value.map(escapeLogic) as T;
    if (value && typeof value === "object")
        return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, escapeLogic(v)])) as T;
    return value;
}

/** The index of the `v=<run id>` segment of a `_manifest.json` blob's Event Grid subject, split on `/`. */
export function datasetVersionSegment(prefix: string): number {
    // "", blobServices, default, containers, <container>, blobs, <prefix segments...>, v=<run id>, _manifest.json
    return 6 + prefix.split("/").filter((s) => s !== "").length;
}

const WDL_SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#";
const MSI_ARM = { type: "ManagedServiceIdentity", audience: `${ARM}/` };

/** The HTTP action that submits one job run (`PUT .../jobs/<new guid>`) with the workflow's identity. */
function submitAction(jobsUrl: string, job: object, runAfter: Record<string, string[]> = {}) {
    return {
        type: "Http",
        runAfter,
        inputs: {
            method: "PUT",
            uri: `${jobsUrl}/@{guid()}?api-version=${AML_API_VERSION}`,
            body: { properties: job },
            authentication: MSI_ARM,
        },
    };
}

/**
 * The new-data workflow: Event Grid delivers BlobCreated events of `_manifest.json` under the dataset's
 * prefix to its HTTP trigger (after the validation handshake it answers); each event submits one run with
 * MLOPS_TRIGGER `new-data` and MLOPS_DATASET_VERSION the event's `v=<run id>`.
 */
export function newDataWorkflow(spec: TrainingSpec, ctx: AzureJobContext) {
    const job = escapeLogic(jobDefinition(spec, ctx, "new-data")) as ReturnType<typeof jobDefinition>;
    const segment = datasetVersionSegment(spec.dataset.prefix);
    const withVersion =
        job.jobType === "Command"
            ? {
                  ...job,
                  environmentVariables: {
                      ...job.environmentVariables,
                      MLOPS_DATASET_VERSION: `@{split(first(triggerBody())?['subject'], '/')[${segment}]}`,
                  },
              }
            : job;
    return {
        $schema: WDL_SCHEMA,
        contentVersion: "1.0.0.0",
        triggers: {
            // Event Grid posts an array; the subscription's maxEventsPerBatch 1 makes it one event. No splitOn: a
            // workflow whose trigger splits on an array answers 202 at once, so its Response could not answer the handshake.
            manual: { type: "Request", kind: "Http", inputs: { schema: { type: "array" } } },
        },
        actions: {
            handshake: {
                type: "If",
                runAfter: {},
                expression: {
                    and: [{ equals: ["@first(triggerBody())?['eventType']", "Microsoft.EventGrid.SubscriptionValidationEvent"] }],
                },
                actions: {
                    validate: {
                        type: "Response",
                        kind: "Http",
                        runAfter: {},
                        inputs: { statusCode: 200, body: { validationResponse: "@{first(triggerBody())?['data']?['validationCode']}" } },
                    },
                },
                else: { actions: { submit: submitAction(`${ARM}${ctx.workspaceId}/jobs`, withVersion) } },
            },
        },
        outputs: {},
    };
}

/** The retrain workflow: the drift alert's action group calls its HTTP trigger; it submits one run with MLOPS_TRIGGER `drift`. */
export function retrainWorkflow(spec: TrainingSpec, ctx: AzureJobContext) {
    return {
        $schema: WDL_SCHEMA,
        contentVersion: "1.0.0.0",
        triggers: { manual: { type: "Request", kind: "Http", inputs: { schema: { type: "object" } } } },
        actions: {
            // Only a fired alert retrains; its resolution (monitorCondition Resolved) does not.
            fired: {
                type: "If",
                runAfter: {},
                expression: { and: [{ equals: ["@triggerBody()?['data']?['essentials']?['monitorCondition']", "Fired"] }] },
                actions: { submit: submitAction(`${ARM}${ctx.workspaceId}/jobs`, escapeLogic(jobDefinition(spec, ctx, "drift"))) },
                else: { actions: {} },
            },
        },
        outputs: {},
    };
}

/** What the delivery workflow needs per model: the registry's versions URL and who may not approve. */
export interface DeliveredModel {
    readonly model: string;
    readonly approval: TrainingSpec["approval"];
    /** The training identity's principal and client IDs: a version last modified by it was not approved by a person. */
    readonly trainerIds: readonly string[];
}

/**
 * The delivery workflow: every 15 minutes it lists each model's versions in the registry and, for each
 * version tagged `approval: approved` that is not yet tagged `delivered` (and, for manual approval, was
 * last modified by someone other than the training identity), dispatches the GitHub workflow with
 * `{stack, model, version}` and tags the version `delivered`.
 */
export function deliveryWorkflow(
    workspaceId: string,
    models: readonly DeliveredModel[],
    d: { repository: string; workflow: string; branch: string; stack: string },
) {
    const actions: Record<string, unknown> = {};
    let previous: string | undefined;
    for (const m of models) {
        const key = m.model.replace(/[^A-Za-z0-9]/g, "_");
        const list = `list_${key}`;
        const approved = `approved_${key}`;
        const deliver = `deliver_${key}`;
        actions[list] = {
            type: "Http",
            runAfter: previous ? { [previous]: ["Succeeded", "Failed"] } : {},
            inputs: {
                method: "GET",
                uri: `${ARM}${workspaceId}/models/${m.model}/versions?api-version=${AML_API_VERSION}&$orderBy=createdtime%20desc&$top=20`,
                authentication: MSI_ARM,
            },
        };
        actions[approved] = {
            type: "Query",
            runAfter: { [list]: ["Succeeded"] },
            inputs: {
                from: `@body('${list}')?['value']`,
                where: `@and(equals(item()?['properties']?['tags']?['approval'], 'approved'), empty(item()?['properties']?['tags']?['delivered'])${
                    m.approval === "manual"
                        ? `, ${m.trainerIds.map((id) => `not(equals(item()?['systemData']?['lastModifiedBy'], '${id}'))`).join(", ")}`
                        : ""
                })`,
            },
        };
        actions[deliver] = {
            type: "Foreach",
            runAfter: { [approved]: ["Succeeded"] },
            foreach: `@body('${approved}')`,
            actions: {
                dispatch: {
                    type: "Http",
                    runAfter: {},
                    inputs: {
                        method: "POST",
                        uri: `https://api.github.com/repos/${d.repository}/actions/workflows/${d.workflow}/dispatches`,
                        headers: {
                            Authorization: "Bearer @{parameters('githubToken')}",
                            Accept: "application/vnd.github+json",
                            "X-GitHub-Api-Version": "2022-11-28",
                        },
                        body: {
                            ref: d.branch,
                            inputs: { stack: d.stack, model: m.model, version: "@{items('" + deliver + "')?['name']}" },
                        },
                    },
                },
                mark: {
                    type: "Http",
                    runAfter: { dispatch: ["Succeeded"] },
                    inputs: {
                        method: "PUT",
                        uri: `@{items('${deliver}')?['id']}?api-version=${AML_API_VERSION}`,
                        body: {
                            properties:
                                `@setProperty(items('${deliver}')?['properties'], 'tags', ` +
                                `setProperty(items('${deliver}')?['properties']?['tags'], 'delivered', utcNow()))`,
                        },
                        authentication: MSI_ARM,
                    },
                },
            },
        };
        previous = deliver;
    }
    return {
        $schema: WDL_SCHEMA,
        contentVersion: "1.0.0.0",
        parameters: { githubToken: { type: "SecureString" } },
        triggers: { every15Minutes: { type: "Recurrence", recurrence: { frequency: "Minute", interval: 15 } } },
        actions,
        outputs: {},
    };
}

/**
 * The drift alert's query: the drift job's per-feature lines in the Container Apps console logs, one row
 * per drifted feature (the alert's `feature` dimension makes one time series per feature).
 */
export function driftQuery(model: string): string {
    return [
        "ContainerAppConsoleLogs",
        // A cheap term filter only: drift.py prints json.dumps' default `"mlops": "drift"` (with a space); the exact match is below.
        `| where Log has "drift"`,
        "| extend line = parse_json(Log)",
        `| where tostring(line.mlops) == "drift" and tostring(line.model) == "${model}" and tobool(line.drifted)`,
        "| extend feature = tostring(line.feature), psi = todouble(line.psi)",
        "| summarize driftedRuns = count(), psi = max(psi) by feature",
    ].join("\n");
}

/** The drift job's environment (the contract's), without the identity's client ID. */
export function driftEnv(spec: TrainingSpec, ctx: Pick<AzureJobContext, "accountName" | "containerNames">): Record<string, string> {
    const drift = spec.drift!;
    return {
        ...spec.env,
        MLOPS_PIPELINE: trainingNames.driftJob(spec.model),
        MLOPS_MODEL_NAME: spec.model,
        MLOPS_SOURCE_URI: blobUri(ctx.accountName, ctx.containerNames[drift.capture.zone], drift.capture.prefix),
        MLOPS_TARGET_URI: blobUri(ctx.accountName, ctx.containerNames[spec.output.zone], spec.output.prefix),
        ...(spec.servedVersion !== undefined ? { MLOPS_MODEL_VERSION: spec.servedVersion } : {}),
        MLOPS_PSI_THRESHOLD: String(drift.psiThreshold),
        MLOPS_KS_ALPHA: String(drift.ksAlpha),
        MLOPS_TRIGGER: "schedule",
    };
}
