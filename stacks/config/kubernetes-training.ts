/**
 * The Kubernetes target's training loop (`mlops:models[].training`, `servedVersion`, `mlops:delivery`): the
 * arguments of KubernetesTrainingPipelines, the MinIO identities the data lake creates for it (per model
 * `<model>-train`, `<model>-drift`, `<model>-serve`, each scoped to its prefixes), the trigger routes of new
 * dataset versions, what the serving pods get (MLOPS_MODEL_URI, MLOPS_CAPTURE_URI and their keys), and the
 * check that runs the validators on exactly those arguments, with problems at `mlops:models[i].training...`.
 * Pure: no SDK.
 */
import * as path from "path";
import { atKeys, kubernetesLabels, ProblemDetail } from "@mlops/components";
import type { MinioDataLakeArgs, MinioPipelineAccess } from "@mlops/components/kubernetes-args";
import type { KubernetesDataPipelinesArgs, KubernetesLakeRefs } from "@mlops/components/kubernetes-args";
import {
    TRIGGER_NAME,
    TRIGGER_PORT,
    triggerEndpoint,
    validateKubernetesDataPipelines,
    validateMinioDataLake,
} from "@mlops/components/kubernetes-args";
import { mlflowSettings, mlflowTraining } from "@mlops/components/kubernetes-args";
import {
    driftUser,
    KubernetesTrainingPipelinesArgs,
    KubernetesTrainingRefs,
    servingUser,
    trainingRoutes,
    trainingUser,
    validateKubernetesTrainingPipelines,
} from "@mlops/components/kubernetes-args";
import type { DeliverySpec, TrainingSpec } from "@mlops/components";
import { kubernetesNamespaces, mlflowPlatformArgs, servingLakeModels } from "./kubernetes";
import { kubernetesDataPipelinesArgs, kubernetesLakeArgsWithPipelines, pipelinesNamespace, TRIGGER_SOURCE } from "./kubernetes-pipelines";
import { readFiles } from "./files";
import { StackConfig } from "./schema";
import { MODELS_ZONE, trainingSpecs } from "./training";

/** Logical name of the training component (its URN: never change it). */
export const KUBERNETES_TRAINING_NAME = "training";
/** The step script's folder (mlops_step.py), relative to the project root. */
export const TRAINING_STEP_SOURCE = "samples/kubernetes/training";

/** The project root (this file is stacks/config/). */
function projectRoot(): string {
    return path.resolve(__dirname, "..", "..");
}

/**
 * The MinIO identities of the loop, in the data lake's pipeline-user shape (read `source`, read/write `target`):
 *   `<model>-train`  read the dataset, write `models/<model>/` (versions, metrics, baseline, `_runs/`); its
 *                    dataset's new objects are sent to the trigger when the model retrains on new data
 *   `<model>-drift`  read `models/<model>/` (baseline, `_capture/`), write `models/<model>/_drift/`
 *   `<model>-serve`  read `models/<model>/` (the served version), write `models/<model>/_capture/`
 */
export function trainingLakeAccess(cfg: StackConfig): MinioPipelineAccess[] {
    const model = (m: string, sub = "") => ({ zone: MODELS_ZONE, prefix: `${m}/${sub}` });
    const served = servingLakeModels(cfg);
    return trainingSpecs(cfg)
        .flatMap((t) => [
            { name: trainingUser(t.model), source: { ...t.dataset }, target: t.output, onArrival: t.onNewData, modelAccess: true },
            ...(t.drift
                ? [{ name: driftUser(t.model), source: model(t.model), target: model(t.model, "_drift/"), modelAccess: true }]
                : []),
        ])
        .concat(served.map((m) => ({ name: servingUser(m), source: model(m), target: model(m, "_capture/"), modelAccess: true })));
}

/** Whether the trigger must run for the trainings (a model retrains on new data). */
function needsTrigger(cfg: StackConfig): boolean {
    return trainingSpecs(cfg).some((t) => t.onNewData);
}

/**
 * The data lake's arguments with the pipelines' part and the loop's MinIO identities; the serving namespaces
 * become S3 clients when a served model uses the lake. Without trainings or served versions, exactly
 * kubernetesLakeArgsWithPipelines.
 */
export function kubernetesLakeArgsWithTraining(cfg: StackConfig): MinioDataLakeArgs {
    const base = kubernetesLakeArgsWithPipelines(cfg);
    const access = trainingLakeAccess(cfg);
    if (access.length === 0) return base;
    const ns = kubernetesNamespaces(cfg);
    const served = servingLakeModels(cfg);
    const servingNamespaces = [
        ...(cfg.models.some((m) => served.includes(m.name) && m.serveWith.includes("containerService")) ? [ns.serving] : []),
        ...(cfg.models.some((m) => served.includes(m.name) && m.serveWith.includes("serverlessInference")) ? [ns.inference] : []),
    ];
    const pipelines = pipelinesNamespace(cfg);
    return {
        ...base,
        clientNamespaces: [
            ...(base.clientNamespaces ?? []),
            ...servingNamespaces.filter((n) => !(base.clientNamespaces ?? []).includes(n)),
        ],
        pipelines: [...(base.pipelines ?? []), ...access],
        pipelineTrigger:
            base.pipelineTrigger ??
            (needsTrigger(cfg) ? { endpoint: triggerEndpoint(pipelines), namespace: pipelines, port: TRIGGER_PORT } : undefined),
    };
}

/**
 * The pipelines component's arguments with the training routes of new dataset versions. A stack whose models
 * retrain on new data but that has no pipeline jobs still gets the pipelines namespace and its trigger.
 */
export function kubernetesPipelinesArgsWithTraining(
    cfg: StackConfig,
    lake: KubernetesLakeRefs,
    problems: ProblemDetail[] = [],
): KubernetesDataPipelinesArgs | undefined {
    const base = kubernetesDataPipelinesArgs(cfg, lake);
    const routes = trainingRoutes(trainingSpecs(cfg), kubernetesNamespaces(cfg).training);
    if (routes.length === 0) return base;
    const triggerFiles = base?.triggerFiles ?? readFiles(TRIGGER_SOURCE, `${cfg.project}:models`, projectRoot(), problems);
    if (base) return { ...base, triggerFiles, trainingRoutes: routes };
    return {
        namespace: pipelinesNamespace(cfg),
        lakeNamespace: kubernetesNamespaces(cfg).lake,
        jobs: [],
        lake,
        triggerFiles,
        triggerReplicas: cfg.protectData ? 2 : 1,
        protectData: cfg.protectData,
        tags: kubernetesLabels({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }, "data-pipeline"),
        trainingRoutes: routes,
    };
}

/** KubernetesTrainingPipelines' arguments, or undefined when no model has `training` (no component then). */
export function kubernetesTrainingArgs(
    cfg: StackConfig,
    refs: KubernetesTrainingRefs,
    delivery: DeliverySpec | undefined,
    problems: ProblemDetail[] = [],
): KubernetesTrainingPipelinesArgs | undefined {
    const trainings: TrainingSpec[] = trainingSpecs(cfg);
    if (trainings.length === 0) return undefined;
    return {
        trainings,
        delivery,
        namespace: kubernetesNamespaces(cfg).training,
        refs,
        stepFiles: readFiles(TRAINING_STEP_SOURCE, `${cfg.project}:models`, projectRoot(), problems) ?? {},
        distribution: cfg.mlPlatform.distribution,
        trigger: trainings.some((t) => t.onNewData) ? { namespace: pipelinesNamespace(cfg), serviceAccount: TRIGGER_NAME } : undefined,
        protectData: cfg.protectData,
        tags: kubernetesLabels({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }, "training-pipeline"),
    };
}

const PLACEHOLDER = "placeholder";
/** Env names the loop sets on a served model: the user may not set them. */
const SERVING_ENV = [
    "MLOPS_MODEL_VERSION",
    "MLOPS_MODEL_URI",
    "MLOPS_CAPTURE_URI",
    "MLOPS_S3_ENDPOINT",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_REGION",
];

/**
 * The training validators on the arguments the build passes, at the keys the user wrote; what the training
 * parser already reports (images, schedules, commands, threshold, the accelerator) is not said twice.
 */
export function checkKubernetesTraining(config: StackConfig): ProblemDetail[] {
    const ns = `${config.project}:`;
    const problems: ProblemDetail[] = [];
    const specs = trainingSpecs(config);
    const modelIndex = (model: string) => config.models.findIndex((m) => m.name === model);
    const keys: Record<string, string> = {
        namespace: `${ns}stack`,
        tags: `${ns}stack`,
        stepFiles: `${ns}models`,
        distribution: `${ns}mlPlatform.distribution`,
    };
    specs.forEach((t, i) => {
        const at = `${ns}models[${modelIndex(t.model)}]`;
        keys[`trainings[${i}]`] = `${at}.training`;
        keys[`trainings[${i}].model`] = `${at}.name`;
    });
    const args = kubernetesTrainingArgs(
        config,
        { endpoint: PLACEHOLDER, credentials: {}, trackingUri: PLACEHOLDER },
        config.delivery?.githubToken
            ? {
                  repository: config.delivery.repository,
                  workflow: config.delivery.workflow,
                  branch: config.delivery.branch,
                  stack: config.stack,
                  token: PLACEHOLDER,
              }
            : undefined,
        problems,
    );
    if (args) {
        const coveredByParser = (p: ProblemDetail) =>
            /^trainings\[\d+\]\.(image|command|schedule|drift\.schedule|threshold|accelerator|mode|cpuMillicores|memoryMiB|timeoutMinutes|dataset)$/.test(
                p.path,
            ) ||
            /^trainings\[\d+\]$/.test(p.path) ||
            p.path.startsWith("delivery.");
        problems.push(
            ...atKeys(
                validateKubernetesTrainingPipelines(args).filter((p) => !coveredByParser(p)),
                keys,
                `${ns}models`,
            ),
        );

        // Every training pod must fit the training namespace's LimitRange (the catalog's training pod shape).
        const { pod } = mlflowTraining(
            mlflowSettings(
                mlflowPlatformArgs(config, {
                    artifactBucket: PLACEHOLDER,
                    artifactEndpoint: PLACEHOLDER,
                    artifactAccessKeyId: PLACEHOLDER,
                    artifactSecretAccessKey: PLACEHOLDER,
                }),
            ),
        );
        specs.forEach((t) => {
            const at = `${ns}models[${modelIndex(t.model)}].training`;
            if (t.cpuMillicores > pod.cpuMillicores)
                problems.push({
                    path: `${at}.cpuMillicores`,
                    value: t.cpuMillicores,
                    message: `is more than one training pod may take in the training namespace (${pod.cpuMillicores} millicores, the LimitRange from mlops:mlPlatform.training)`,
                    fix: `set at most ${pod.cpuMillicores}, or choose a larger training accelerator`,
                });
            if (t.memoryMiB > pod.memoryMiB)
                problems.push({
                    path: `${at}.memoryMiB`,
                    value: t.memoryMiB,
                    message: `is more than one training pod may take in the training namespace (${pod.memoryMiB} MiB, the LimitRange from mlops:mlPlatform.training)`,
                    fix: `set at most ${pod.memoryMiB}, or choose a larger training accelerator`,
                });
        });
    }

    // Served models that use the lake: the loop owns their env (the serving validators require their command).
    const served = servingLakeModels(config);
    config.models.forEach((m, i) => {
        if (!served.includes(m.name)) return;
        for (const key of Object.keys(m.env ?? {}))
            if (SERVING_ENV.includes(key))
                problems.push({
                    path: `${ns}models[${i}].env.${key}`,
                    value: key,
                    message: "is set by the stack (servedVersion, training.drift and the model's MinIO access)",
                    fix: "remove it",
                });
    });

    // The lake's identities and the trigger's routes, as the build passes them.
    if (specs.length > 0) {
        const own = new Set(trainingLakeAccess(config).map((a) => a.name));
        const lakeArgs = kubernetesLakeArgsWithTraining(config);
        const indexOf = (i: number) => {
            const name = lakeArgs.pipelines?.[i]?.name ?? "";
            const model = config.models.findIndex((m) => [trainingUser(m.name), driftUser(m.name), servingUser(m.name)].includes(name));
            return model >= 0 && own.has(name) ? `${ns}models[${model}]` : undefined;
        };
        for (const p of validateMinioDataLake(lakeArgs)) {
            const at = /^pipelines\[(\d+)\]/.exec(p.path);
            const key = at ? indexOf(Number(at[1])) : undefined;
            // Name problems are the training validator's (model names); the rest of the lake is checkKubernetesStack's.
            if (key && !p.path.endsWith(".name")) problems.push({ ...p, path: key });
        }
        const pipelines = kubernetesPipelinesArgsWithTraining(
            config,
            { endpoint: PLACEHOLDER, credentials: {}, notificationToken: PLACEHOLDER },
            problems,
        );
        if (pipelines && config.pipelines.jobs.length === 0)
            problems.push(
                ...atKeys(
                    validateKubernetesDataPipelines(pipelines),
                    { namespace: `${ns}stack`, lakeNamespace: `${ns}stack`, tags: `${ns}stack`, triggerFiles: `${ns}models` },
                    `${ns}models`,
                ),
            );
    }
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}
