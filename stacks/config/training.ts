/**
 * `mlops:models[].training`: how a model is retrained (its own image and command, or the cloud's AutoML), on
 * which curated dataset, when (schedule, new dataset version, drift), the gate that decides registration, who
 * approves, and the drift monitor; `mlops:models[].servedVersion`, the version serving runs; and
 * `mlops:delivery`, where an approved version becomes a pull request. Checks what the whole config decides:
 * the dataset is a lake location outside the models zone, the lake has a `models` zone, prod approval is
 * manual, AutoML only where the target offers it, schedules the target's scheduler takes.
 */
import {
    APPROVALS,
    AUTOML_PROBLEM_TYPES,
    DeliverySpec,
    GATE_METRICS,
    TrainingSpec,
    cronProblem,
    imageReferenceProblem,
    isPinnedImage,
} from "@mlops/components";
import type { TrainingAbilities } from "../targets/types";
import { Obj, Reader } from "./fields";
import { readFiles } from "./files";
import { location, overlaps, show } from "./pipelines";
import {
    AutoMlConfig,
    DeliveryConfig,
    DriftConfig,
    Environment,
    KEYS,
    ModelTrainingConfig,
    PipelineJobConfig,
    StackConfig,
} from "./schema";

/** The zone model versions are written to (`<models zone>/<model>/`). */
export const MODELS_ZONE = "models";

/** A registered version: a training run id (samples/jobs/lakeio.py RUN_ID), optionally written `v=<run id>`. */
export const SERVED_VERSION = /^(v=)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `owner/name` of a GitHub repository. */
const REPOSITORY = /^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/;

export interface TrainingContext {
    readonly zones: readonly string[];
    readonly environment: Environment;
    readonly abilities: TrainingAbilities;
    /** Schedules the target's scheduler cannot take (the same scheduler as the data pipelines). */
    readonly scheduleProblem?: (cron: string) => string | undefined;
    readonly cloud: string;
    readonly projectRoot: string;
    /** The targets that offer AutoML, with their service, for the error on one that does not. */
    readonly automlTargets: readonly string[];
}

/** Parses one model's `training` mapping (`at` is `mlops:models[i].training`). */
export function parseTraining(value: unknown, at: string, ctx: TrainingContext, read: Reader): ModelTrainingConfig | undefined {
    if (value === undefined) return undefined;
    const t = read.object(value, at, KEYS.modelTraining);
    if (!t) return undefined;
    const mode = read.oneOf(t, "mode", at, ["custom", "automl"] as const, "custom");
    if (mode === "automl" && !ctx.abilities.automl.offered)
        read.problems.push({
            path: `${at}.mode`,
            value: mode,
            message: `is not offered when mlops:cloud is ${ctx.cloud}: ${ctx.abilities.automl.why}; AutoML is offered on ${ctx.automlTargets.join(", ")}`,
            allowed: ["custom"],
            fix: "train with your own code (`mode: custom`, with image and command), or deploy the model on a target with AutoML",
        });

    const image = read.string(t, "image", at);
    if (t.image === undefined)
        read.problems.push({
            path: `${at}.image`,
            value: undefined,
            message: mode === "automl" ? "is required: the drift job runs in it" : "is required",
            fix: "set the training image, pinned by tag or digest, e.g. `python:3.12.12-slim-bookworm`",
        });
    const badReference = image ? imageReferenceProblem(image) : undefined;
    if (image && badReference)
        read.problems.push({ path: `${at}.image`, value: image, message: `is not a valid image reference: it ${badReference}` });
    else if (image && !isPinnedImage(image))
        read.problems.push({
            path: `${at}.image`,
            value: image,
            message: "must be pinned to a version tag or digest, not `latest` or no tag",
            fix: "write e.g. `registry/image:1.2.3`",
        });
    const command = read.stringList(t, "command", at, mode === "custom" ? [] : ["python", "/app/train.py"]);
    if (mode === "custom" && t.command === undefined)
        read.problems.push({
            path: `${at}.command`,
            value: undefined,
            message: "is required",
            fix: "write e.g. `command: [python, /app/train.py]`",
        });
    if (mode === "automl" && t.command !== undefined)
        read.problems.push({
            path: `${at}.command`,
            value: t.command,
            message: "has no effect with `mode: automl`: the cloud's AutoML trains the model",
            fix: "remove it",
        });

    const dataset = location(read, t, "dataset", at, ctx.zones);
    if (dataset && dataset.zone === MODELS_ZONE)
        read.problems.push({
            path: `${at}.dataset`,
            value: show(dataset),
            message: `is in the \`${MODELS_ZONE}\` zone, where model versions are written: train on a curated dataset`,
            fix: "write e.g. `curated/iris/` (a data pipeline's target)",
        });
    if (!ctx.zones.includes(MODELS_ZONE))
        read.problems.push({
            path: at,
            value: undefined,
            message: `needs the lake's \`${MODELS_ZONE}\` zone, where model versions are written, and mlops:dataLake.zones has none`,
            fix: `add \`${MODELS_ZONE}\` to mlops:dataLake.zones`,
        });

    const schedule = cron(read, t, "schedule", at, ctx);
    const onNewData = read.bool(t, "onNewData", at, true);
    if (schedule === undefined && !onNewData && t.schedule === undefined)
        read.problems.push({
            path: at,
            value: undefined,
            message: "never retrains: it has no schedule and onNewData is false",
            fix: 'set `schedule: "0 4 * * 1"`, `onNewData: true`, or both',
        });

    const metric = read.oneOf(t, "metric", at, GATE_METRICS, "accuracy");
    const threshold = read.number(t, "threshold", at, 0.9, { min: 0, max: 1, exclusiveMin: true });
    const defaultApproval = ctx.environment === "prod" ? "manual" : "automatic";
    const approval = read.oneOf(t, "approval", at, APPROVALS, defaultApproval);
    if (ctx.environment === "prod" && approval !== "manual")
        read.problems.push({
            path: `${at}.approval`,
            value: approval,
            message: "must be `manual` in prod: a person approves each version before it is delivered to serving",
            allowed: ["manual"],
            fix: "remove the key (prod approval is manual)",
        });

    let automl: AutoMlConfig | undefined;
    if (mode === "automl") {
        const a = read.object(t.automl ?? {}, `${at}.automl`, KEYS.automl);
        const targetColumn = read.matching(
            a,
            "targetColumn",
            `${at}.automl`,
            /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
            "a column name (letters, digits, `_`)",
        );
        if (a && a.targetColumn === undefined)
            read.problems.push({
                path: `${at}.automl.targetColumn`,
                value: undefined,
                message: "is required with `mode: automl`",
                fix: "name the column to predict, e.g. `species`",
            });
        automl = {
            targetColumn: targetColumn ?? "",
            problemType: read.oneOf(a, "problemType", `${at}.automl`, AUTOML_PROBLEM_TYPES, "classification"),
            maxRuntimeMinutes: read.int(a, "maxRuntimeMinutes", `${at}.automl`, 60, { min: 60, max: 4320, unit: "minutes" }),
        };
    } else if (t.automl !== undefined)
        read.problems.push({
            path: `${at}.automl`,
            value: t.automl,
            message: "applies only with `mode: automl`",
            fix: "remove it, or set `mode: automl`",
        });

    let drift: DriftConfig | undefined;
    if (t.drift !== undefined) {
        const d = read.object(t.drift, `${at}.drift`, KEYS.drift);
        const dAt = `${at}.drift`;
        drift = {
            schedule: cron(read, d, "schedule", dAt, ctx) ?? "0 * * * *",
            command: read.stringList(d, "command", dAt, ["python", "/app/drift.py"]),
            psiThreshold: read.number(d, "psiThreshold", dAt, 0.2, { min: 0, max: 10, exclusiveMin: true }),
            ksAlpha: read.number(d, "ksAlpha", dAt, 0.05, { min: 0, max: 0.5, exclusiveMin: true }),
            retrain: read.bool(d, "retrain", dAt, false),
        };
    }

    // The training contract's variables are the runner's on every target (components/training-pipeline/contract.ts);
    // each target's check adds the variables of its own platform (credentials, tracking URIs).
    const env = read.stringMap(t, "env", at);
    for (const key of Object.keys(env).filter((k) => k.startsWith("MLOPS_")))
        read.problems.push({
            path: `${at}.env.${key}`,
            value: key,
            message: "is set by the runner for every run (the training contract, docs/ml-automation.md)",
            fix: "remove it from env; the gate is `metric` and `threshold`, the data `dataset`",
        });

    const filesDir = read.string(t, "files", at);
    return {
        mode,
        image: image ?? "",
        command,
        args: read.stringList(t, "args", at, []),
        env,
        files: filesDir === undefined ? undefined : readFiles(filesDir, `${at}.files`, ctx.projectRoot, read.problems),
        dataset: dataset ?? { zone: "", prefix: "" },
        schedule,
        onNewData,
        metric,
        threshold,
        approval,
        cpuMillicores: read.int(t, "cpuMillicores", at, 1000, { min: 250, max: 96000, unit: "millicores" }),
        memoryMiB: read.int(t, "memoryMiB", at, 2048, { min: 512, max: 786432, unit: "MiB" }),
        timeoutMinutes: read.int(t, "timeoutMinutes", at, 120, { min: 5, max: 7200, unit: "minutes" }),
        automl,
        drift,
    };
}

function cron(read: Reader, obj: Obj | undefined, key: string, at: string, ctx: TrainingContext): string | undefined {
    const schedule = read.string(obj, key, at);
    const bad = schedule === undefined ? undefined : (cronProblem(schedule) ?? ctx.scheduleProblem?.(schedule));
    if (schedule !== undefined && bad) {
        read.problems.push({
            path: `${at}.${key}`,
            value: schedule,
            message: `is not a schedule this target takes: ${bad}`,
            fix: 'write 5-field cron in UTC, e.g. "0 4 * * 1" (Mondays at 04:00)',
        });
        return undefined;
    }
    return schedule;
}

/** `mlops:models[i].servedVersion`, without a leading `v=`. */
export function parseServedVersion(m: Obj, at: string, read: Reader): string | undefined {
    const version = read.matching(m, "servedVersion", at, SERVED_VERSION, "a training run id, e.g. `20261203T101500Z-1a2b3c4d`");
    return version?.replace(/^v=/, "");
}

/** Parses `mlops:delivery`. */
export function parseDelivery(value: unknown, at: string, read: Reader): DeliveryConfig | undefined {
    if (value === undefined) return undefined;
    const d = read.object(value, at, KEYS.delivery);
    if (!d) return undefined;
    const repository = read.matching(d, "repository", at, REPOSITORY, "`owner/name` of a GitHub repository");
    if (d.repository === undefined)
        read.problems.push({
            path: `${at}.repository`,
            value: undefined,
            message: "is required",
            fix: "write e.g. `repository: acme/ml-platform`",
        });
    const workflow =
        read.matching(d, "workflow", at, /^[A-Za-z0-9_.-]+\.ya?ml$/, "a workflow file name, e.g. `promote.yml`") ?? "promote.yml";
    const branch = read.matching(d, "branch", at, /^[A-Za-z0-9._/-]{1,255}$/, "a branch name") ?? "main";
    const githubToken = read.string(d, "githubToken", at);
    return { repository: repository ?? "", workflow, branch, githubToken };
}

/** Cross-section checks: a model's dataset must be a place some pipeline writes or a prefix outside `raw`. */
export function checkTrainings(config: StackConfig, modelKey: (i: number) => string): import("@mlops/components").ProblemDetail[] {
    const problems: import("@mlops/components").ProblemDetail[] = [];
    config.models.forEach((m, i) => {
        const t = m.training;
        if (!t || !t.dataset.zone) return;
        if (t.dataset.zone === "raw")
            problems.push({
                path: `${modelKey(i)}.training.dataset`,
                value: show(t.dataset),
                message: "is in the raw zone: train on a validated, versioned dataset a pipeline writes (e.g. curated/iris/)",
                fix: "point it at a data pipeline's target, e.g. `curated/iris/`",
            });
        if (m.servedVersion !== undefined && m.serveWith.length === 0)
            problems.push({
                path: `${modelKey(i)}.servedVersion`,
                value: m.servedVersion,
                message: "names a served version, but the model is not served (serveWith is empty)",
                fix: "add serveWith, or remove servedVersion",
            });
    });
    return problems;
}

/** The data pipeline whose target holds the dataset (its completion starts retraining), if any. */
export function datasetPipeline(jobs: readonly PipelineJobConfig[], dataset: { zone: string; prefix: string }): string | undefined {
    return jobs.find((j) => j.target.zone === dataset.zone && overlaps(j.target, dataset))?.name;
}

/** The stack's trainings as the training-pipeline components take them (what every target's build passes). */
export function trainingSpecs(config: StackConfig): TrainingSpec[] {
    const { accelerator, spot } = config.mlPlatform.training;
    return config.models.flatMap((m): TrainingSpec[] => {
        const t = m.training;
        if (!t) return [];
        return [
            {
                model: m.name,
                mode: t.mode,
                image: t.image,
                command: t.command,
                args: t.args,
                env: t.env,
                files: t.files,
                dataset: { ...t.dataset },
                datasetPipeline: datasetPipeline(config.pipelines.jobs, t.dataset),
                output: { zone: MODELS_ZONE, prefix: `${m.name}/` },
                schedule: t.schedule,
                onNewData: t.onNewData,
                metric: t.metric,
                threshold: t.threshold,
                approval: t.approval,
                cpuMillicores: t.cpuMillicores,
                memoryMiB: t.memoryMiB,
                timeoutMinutes: t.timeoutMinutes,
                accelerator,
                spot,
                automl: t.automl ? { ...t.automl } : undefined,
                drift: t.drift
                    ? {
                          schedule: t.drift.schedule,
                          command: t.drift.command,
                          capture: { zone: MODELS_ZONE, prefix: `${m.name}/_capture/` },
                          psiThreshold: t.drift.psiThreshold,
                          ksAlpha: t.drift.ksAlpha,
                          retrain: t.drift.retrain,
                      }
                    : undefined,
                servedVersion: m.servedVersion,
            },
        ];
    });
}

/** The delivery spec for the build (the token a Pulumi secret), when `mlops:delivery` is set with a token. */
export function deliverySpec(
    config: StackConfig,
    secret: (value: string) => import("@pulumi/pulumi").Input<string>,
): DeliverySpec | undefined {
    const d = config.delivery;
    if (!d || !d.githubToken) return undefined;
    return { repository: d.repository, workflow: d.workflow, branch: d.branch, stack: config.stack, token: secret(d.githubToken) };
}
