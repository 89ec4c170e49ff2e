/**
 * Arguments of the Azure ML training pipelines component, its validator and the physical names it uses.
 * Pure: no SDK at runtime, so stack-config parsing runs the same checks before anything is created
 * (docs/azure.md, "Training, promotion and drift").
 */
import type * as pulumi from "@pulumi/pulumi";
import { resolveAccelerator } from "../accelerators/resolve";
import { DEFAULT_CPU_VM_SIZE, VM_SIZE } from "../ml-platform/azure-args";
import { cronProblem } from "../shared/cron";
import { isPinnedImage } from "../shared/images";
import { fitName, WORKLOAD_NAME } from "../shared/naming";
import type { AzurePlacementArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";
import type { TrainingPipelinesArgs, TrainingSpec } from "./contract";

/** The lake as the training pipelines use it: the account and the zone containers. */
export interface AzureTrainingLake {
    /** The account's name (`https://<account>.blob.core.windows.net/`). */
    readonly accountName: pulumi.Input<string>;
    /** Zone -> container name. */
    readonly containerNames: Readonly<Record<string, string>>;
    /** Zone -> ARM ID of the container (scope of the pipelines' role assignments). */
    readonly containerIds: Readonly<Record<string, pulumi.Input<string>>>;
    /** The account's Event Grid system topic: the new-data triggers subscribe to it. Required when a training has `onNewData`. */
    readonly blobEventsTopic?: AzureEventsTopicRef;
}

/** The Azure ML workspace the pipelines run in (created by `AzureMlPlatform`). */
export interface AzureTrainingWorkspace {
    /** The workspace's name. */
    readonly name: pulumi.Input<string>;
    /** ARM ID of the workspace: scope of the registrar and submitter roles, and the model registry. */
    readonly id: pulumi.Input<string>;
    /** The workspace's datastore on the lake's models zone (`lake_models`). */
    readonly modelsDatastore: string;
    /** Run the clusters in the workspace's managed network (no public node IPs). Default: false. */
    readonly managedNetwork?: boolean;
}

/** An Event Grid system topic, by name. */
export interface AzureEventsTopicRef {
    /** The system topic's name. */
    readonly name: pulumi.Input<string>;
}

export interface AzureMlTrainingPipelinesArgs extends TrainingPipelinesArgs, AzurePlacementArgs {
    /** The Azure ML workspace the pipelines run and register in (AzureMlPlatform). */
    readonly workspace: AzureTrainingWorkspace;
    /** The lake: the account, its zone containers and its blob events. */
    readonly lake: AzureTrainingLake;
    /** VM size of CPU-only training nodes. Default: "Standard_DS3_v2". */
    readonly cpuVmSize?: string;
    /**
     * The Container Apps environment the drift jobs run in (the data pipelines' jobs environment, whose subnet
     * the lake's firewall admits). Default: an environment of the component's own, in `driftSubnetId` if given.
     */
    readonly driftEnvironmentId?: pulumi.Input<string>;
    /** Subnet (delegated to Microsoft.App/environments) of the component's own drift environment. Default: none. */
    readonly driftSubnetId?: pulumi.Input<string>;
    /** Action group drift alerts notify (the stack's). Default: none: alerts show only in Azure Monitor. */
    readonly actionGroupId?: pulumi.Input<string>;
}

/** Physical names of the training resources. */
export const trainingNames = {
    /** Azure ML compute names are 3-16 characters: `t-<model>` fitted. */
    compute: (model: string) => fitName(["t", model], 16),
    /** The schedule, environment and job names of the contract (`<model>-train`). */
    schedule: (model: string) => `${model}-train`,
    environment: (model: string) => `${model}-train`,
    /** Container Apps job of the drift monitor: `<model>-drift` (2-32 characters). */
    driftJob: (model: string) => `${model}-drift`,
    identity: (prefix: string, model: string) => fitName([prefix, "train", model], 100),
    /** Logic Apps: 1-80 characters. */
    newDataWorkflow: (prefix: string, model: string) => fitName([prefix, model, "new-data"], 80),
    retrainWorkflow: (prefix: string, model: string) => fitName([prefix, model, "retrain"], 80),
    deliveryWorkflow: (prefix: string) => fitName([prefix, "delivery"], 80),
    subscription: (model: string) => fitName([model, "new-data"], 64),
    driftAlert: (prefix: string, model: string) => fitName([prefix, model, "drift"], 260),
    retrainActionGroup: (prefix: string, model: string) => fitName([prefix, model, "retrain"], 260),
    /** Action group short names are at most 12 characters. */
    retrainShortName: (model: string) => fitName(["rt", model], 12),
    driftEnvironment: (prefix: string) => fitName(["drift", prefix], 32),
    /** Workspace datastore of a lake zone the AutoML jobs read (`lake_<zone>`). */
    datastore: (zone: string) => `lake_${zone.replace(/[^A-Za-z0-9_]/g, "_")}`,
    registrarRole: (prefix: string) => `mlops model registrar (${prefix})`,
    approverRole: (prefix: string) => `mlops model approver (${prefix})`,
    submitterRole: (prefix: string) => `mlops job submitter (${prefix})`,
};

/** Variables the runner sets on the training and drift jobs: a training's `env` may not set them. */
export const TRAINING_RUNNER_ENV = [
    "MLOPS_PIPELINE",
    "MLOPS_MODEL_NAME",
    "MLOPS_SOURCE_URI",
    "MLOPS_DATASET_VERSION",
    "MLOPS_TARGET_URI",
    "MLOPS_GATE_METRIC",
    "MLOPS_GATE_THRESHOLD",
    "MLOPS_TRIGGER",
    "MLOPS_RUN_ID",
    "MLOPS_APP_FILES",
    "MLOPS_REGISTRY_URL",
    "MLOPS_APPROVAL",
    "MLOPS_MODEL_ASSET_URI",
    "AZURE_CLIENT_ID",
] as const;

/** Container Apps job names: 2-32 lowercase letters, digits and single hyphens, starting with a letter. */
const JOB_NAME = /^[a-z](?!.*--)([a-z0-9-]{0,30}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9][-._A-Za-z0-9]*$/;
/** Azure ML caps a command job's run at this (CommandJobLimits.timeout); the stack's parser caps at 7200 minutes. */
export const MAX_TIMEOUT_MINUTES = 7200;

/** The training VM size: the catalog's for the accelerator (service `azureml-compute`), else `cpuVmSize`; throws on one the catalog refuses. */
export function trainingVmSize(spec: Pick<TrainingSpec, "accelerator">, cpuVmSize = DEFAULT_CPU_VM_SIZE): string {
    if (!spec.accelerator) return cpuVmSize;
    return resolveAccelerator({ cloud: "azure", service: "azureml-compute", accelerator: spec.accelerator })?.vmSize ?? cpuVmSize;
}

/** Every problem with one training, at `trainings[i]`. */
function trainingProblems(t: TrainingSpec, i: number, args: AzureMlTrainingPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const at = (field: string) => `trainings[${i}]${field ? `.${field}` : ""}`;
    if (typeof t.model !== "string" || !WORKLOAD_NAME.test(t.model) || !JOB_NAME.test(trainingNames.driftJob(t.model)))
        problems.push({
            path: at("model"),
            value: t.model,
            message: "does not make Azure ML and Container Apps job names (`<model>-train`, `<model>-drift`)",
            fix: "use 1-24 lowercase letters, digits and single hyphens, starting with a letter",
        });
    if (typeof t.image !== "string" || !isPinnedImage(t.image))
        problems.push({
            path: at("image"),
            value: t.image,
            message: "is not pinned to a tag or digest",
            fix: "pin a version tag or digest",
        });
    if (t.mode === "custom" && (!Array.isArray(t.command) || t.command.length === 0))
        problems.push({
            path: at("command"),
            value: t.command,
            message: "must name the training program",
            fix: "e.g. `[python, /app/train.py]`",
        });
    if (t.mode === "automl" && !t.automl) problems.push({ path: at("automl"), value: undefined, message: "is required with mode automl" });
    for (const key of Object.keys(t.env ?? {})) {
        if (!ENV_NAME.test(key)) problems.push({ path: at(`env.${key}`), value: key, message: "is not a valid environment variable name" });
        else if ((TRAINING_RUNNER_ENV as readonly string[]).includes(key))
            problems.push({ path: at(`env.${key}`), value: key, message: "is set by the runner for every run", fix: "remove it from env" });
    }
    for (const file of Object.keys(t.files ?? {}))
        if (!FILE_NAME.test(file))
            problems.push({
                path: at("files"),
                value: file,
                message: "is not a valid file name",
                fix: "use letters, digits, '-', '_' and '.'",
            });
    for (const side of ["dataset", "output"] as const) {
        const loc = t[side];
        if (!loc || !(loc.zone in args.lake.containerNames))
            problems.push({
                path: at(side),
                value: loc?.zone,
                message: "names a zone the lake has no container for",
                allowed: Object.keys(args.lake.containerNames),
            });
        else if (typeof loc.prefix !== "string" || loc.prefix.includes("'"))
            problems.push({ path: at(side), value: loc.prefix, message: "has a prefix a role condition cannot quote" });
    }
    if (t.output && t.output.prefix === "")
        problems.push({ path: at("output"), value: "", message: "must be the model's own prefix: the pipeline may write nowhere else" });
    if (t.schedule !== undefined) {
        const bad = cronProblem(t.schedule);
        if (bad) problems.push({ path: at("schedule"), value: t.schedule, message: `is not a schedule Azure ML takes: ${bad}` });
    }
    if (t.schedule === undefined && !t.onNewData && !t.drift?.retrain)
        problems.push({
            path: at(""),
            value: t.model,
            message: "never runs: it has no schedule, onNewData is false and drift does not retrain",
        });
    if (t.onNewData && args.lake.blobEventsTopic === undefined)
        problems.push({
            path: at("onNewData"),
            value: true,
            message: "needs the lake's blob events (lake.blobEventsTopic), which were not given",
            fix: "create the lake with blobEvents: true and pass its blobEventsTopic",
        });
    if (typeof t.threshold !== "number" || !(t.threshold > 0 && t.threshold <= 1))
        problems.push({ path: at("threshold"), value: t.threshold, message: "must be above 0 and at most 1" });
    if (!Number.isInteger(t.timeoutMinutes) || t.timeoutMinutes < 5 || t.timeoutMinutes > MAX_TIMEOUT_MINUTES)
        problems.push({
            path: at("timeoutMinutes"),
            value: t.timeoutMinutes,
            message: `must be a whole number of minutes from 5 to ${MAX_TIMEOUT_MINUTES}`,
        });
    try {
        const size = trainingVmSize(t, args.cpuVmSize);
        if (!VM_SIZE.test(size)) problems.push({ path: "cpuVmSize", value: size, message: "is not an Azure VM size" });
    } catch (e) {
        problems.push({ path: at("accelerator"), value: t.accelerator, message: (e as Error).message });
    }
    if (t.drift) {
        const bad = cronProblem(t.drift.schedule);
        if (bad)
            problems.push({
                path: at("drift.schedule"),
                value: t.drift.schedule,
                message: `is not a schedule Container Apps takes: ${bad}`,
            });
        if (!Array.isArray(t.drift.command) || t.drift.command.length === 0)
            problems.push({ path: at("drift.command"), value: t.drift.command, message: "must name the drift program" });
        if (t.drift.capture?.zone !== t.output?.zone || !t.drift.capture.prefix.startsWith(t.output.prefix))
            problems.push({
                path: at("drift.capture"),
                value: t.drift.capture,
                message: "must be under the model's prefix (the serving side may write only there)",
            });
    }
    return problems;
}

/** Every problem with the training pipelines' arguments (paths relative to the args). */
export function validateAzureMlTrainingPipelines(args: AzureMlTrainingPipelinesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!Array.isArray(args.trainings) || args.trainings.length === 0) {
        problems.push({ path: "trainings", value: args.trainings, message: "must list at least one training" });
        return problems;
    }
    const seen = new Set<string>();
    args.trainings.forEach((t, i) => {
        problems.push(...trainingProblems(t, i, args));
        if (seen.has(t.model)) problems.push({ path: `trainings[${i}].model`, value: t.model, message: "has a training already" });
        seen.add(t.model);
    });
    if (args.cpuVmSize !== undefined && !VM_SIZE.test(args.cpuVmSize))
        problems.push({
            path: "cpuVmSize",
            value: args.cpuVmSize,
            message: "is not an Azure VM size",
            fix: `write e.g. ${DEFAULT_CPU_VM_SIZE}`,
        });
    const d = args.delivery;
    if (d) {
        if (typeof d.repository !== "string" || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(d.repository))
            problems.push({ path: "delivery.repository", value: d.repository, message: "is not `owner/name` of a GitHub repository" });
        if (typeof d.workflow !== "string" || !/^[A-Za-z0-9_.-]+\.ya?ml$/.test(d.workflow))
            problems.push({ path: "delivery.workflow", value: d.workflow, message: "is not a workflow file name" });
    }
    return problems;
}
