/**
 * The Kubernetes target's data pipelines: the arguments of KubernetesDataPipelines and the pipeline part
 * of the data lake's arguments (MinIO users and bucket notifications), and the check that runs both
 * validators on exactly those arguments, with problems at `mlops:pipelines.jobs[i]...`. Pure: no SDK.
 */
import * as path from "path";
import { atKeys, kubernetesLabels, ProblemDetail } from "@mlops/components";
import { namespaceName } from "@mlops/components/kubernetes-args";
import { MinioDataLakeArgs, validateMinioDataLake } from "@mlops/components/kubernetes-args";
import {
    KubernetesAirflowArgs,
    KubernetesDataPipelinesArgs,
    KubernetesLakeRefs,
    TRIGGER_PORT,
    triggerEndpoint,
    validateKubernetesAirflow,
    validateKubernetesDataPipelines,
} from "@mlops/components/kubernetes-args";
import { kubernetesNamespaces, minioDataLakeArgs } from "./kubernetes";
import { readFiles } from "./files";
import { StackConfig } from "./schema";
import { pipelineJobSpecs } from "./pipelines";

/** Logical name of the pipelines component (its URN: never change it). */
export const KUBERNETES_PIPELINES_NAME = "pipelines";
/** Logical name of the Airflow component (`orchestrator: airflow`). */
export const KUBERNETES_AIRFLOW_NAME = "airflow";
/** The trigger's code, relative to the project root. */
export const TRIGGER_SOURCE = "samples/kubernetes/trigger";

/** The pipelines' namespace, e.g. `mlops-dev-pipelines`. */
export function pipelinesNamespace(cfg: StackConfig): string {
    return namespaceName(cfg.project, cfg.stack, "pipelines");
}

/** Airflow's namespace, e.g. `mlops-dev-airflow`. */
export function airflowNamespace(cfg: StackConfig): string {
    return namespaceName(cfg.project, cfg.stack, "airflow");
}

/** Whether Airflow schedules the stack's pipelines (`mlops:pipelines.orchestrator: airflow` with jobs). */
function withAirflow(cfg: StackConfig): boolean {
    return cfg.pipelines.orchestrator === "airflow" && cfg.pipelines.jobs.length > 0;
}

/**
 * The data lake's arguments with the pipelines' part: a MinIO user per pipeline, the trigger MinIO
 * notifies (when a pipeline runs on arrival), and the pipelines namespace among the S3 clients. Without
 * pipelines, exactly minioDataLakeArgs (nothing changes).
 */
export function kubernetesLakeArgsWithPipelines(cfg: StackConfig): MinioDataLakeArgs {
    const base = minioDataLakeArgs(cfg);
    const jobs = cfg.pipelines.jobs;
    if (jobs.length === 0) return base;
    const ns = pipelinesNamespace(cfg);
    return {
        ...base,
        clientNamespaces: [...(base.clientNamespaces ?? []), ns],
        pipelines: jobs.map((j) => ({ name: j.name, source: j.source, target: j.target, onArrival: j.onArrival })),
        pipelineTrigger: jobs.some((j) => j.onArrival) ? { endpoint: triggerEndpoint(ns), namespace: ns, port: TRIGGER_PORT } : undefined,
    };
}

/** The trigger's files, read from the project (problems, if any, go to `problems`). */
function triggerFiles(cfg: StackConfig, problems: ProblemDetail[] = []): Record<string, string> | undefined {
    if (!cfg.pipelines.jobs.some((j) => j.onArrival) && !withAirflow(cfg)) return undefined;
    return readFiles(TRIGGER_SOURCE, `${cfg.project}:pipelines`, projectRoot(), problems);
}

/** The project root (this file is stacks/config/). */
function projectRoot(): string {
    return path.resolve(__dirname, "..", "..");
}

/** KubernetesDataPipelines' arguments, or undefined when the stack has no pipeline jobs (no component then). */
export function kubernetesDataPipelinesArgs(cfg: StackConfig, lake: KubernetesLakeRefs): KubernetesDataPipelinesArgs | undefined {
    if (cfg.pipelines.jobs.length === 0) return undefined;
    return {
        namespace: pipelinesNamespace(cfg),
        lakeNamespace: kubernetesNamespaces(cfg).lake,
        jobs: pipelineJobSpecs(cfg),
        lake,
        triggerFiles: triggerFiles(cfg),
        triggerReplicas: cfg.protectData ? 2 : 1,
        protectData: cfg.protectData,
        tags: kubernetesLabels({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }, "data-pipeline"),
        ...(withAirflow(cfg) ? { airflow: { namespace: airflowNamespace(cfg) } } : {}),
    };
}

/**
 * KubernetesAirflow's arguments with `orchestrator: airflow` (undefined otherwise): one DAG per pipeline job,
 * calling the trigger with the run token the pipelines component generates (`runToken`).
 */
export function kubernetesAirflowArgs(cfg: StackConfig, runToken: KubernetesAirflowArgs["runToken"]): KubernetesAirflowArgs | undefined {
    if (!withAirflow(cfg)) return undefined;
    return {
        namespace: airflowNamespace(cfg),
        pipelinesNamespace: pipelinesNamespace(cfg),
        jobs: pipelineJobSpecs(cfg),
        runToken,
        protectData: cfg.protectData,
        tags: kubernetesLabels({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }, "airflow"),
    };
}

const PLACEHOLDER = "placeholder";

/**
 * Both validators on the arguments the build passes, at the keys the user wrote. What the pipelines
 * parser already reports (names, images, schedules, prefixes, accelerators) is not said twice.
 */
export function checkKubernetesPipelines(config: StackConfig): ProblemDetail[] {
    const ns = `${config.project}:`;
    const pl = `${ns}pipelines`;
    if (config.pipelines.jobs.length === 0) return [];
    const keys: Record<string, string> = { namespace: `${ns}stack`, lakeNamespace: `${ns}stack`, tags: `${ns}stack`, triggerFiles: pl };
    config.pipelines.jobs.forEach((_, i) => {
        keys[`jobs[${i}]`] = `${pl}.jobs[${i}]`;
        keys[`pipelines[${i}]`] = `${pl}.jobs[${i}]`;
    });
    const problems: ProblemDetail[] = [];
    const args = kubernetesDataPipelinesArgs(config, { endpoint: PLACEHOLDER, credentials: {}, notificationToken: PLACEHOLDER })!;
    const coveredByParser = (p: ProblemDetail) =>
        /^jobs\[\d+\](\.(name|image|schedule|source|target|accelerator|cpuMillicores|memoryMiB|timeoutMinutes|retries))?$/.test(p.path);
    problems.push(
        ...atKeys(
            validateKubernetesDataPipelines(args).filter((p) => !coveredByParser(p)),
            keys,
            pl,
        ),
    );
    // The lake's pipeline part (users, notifications); the rest of the lake is checkKubernetesStack's.
    const lakeProblems = validateMinioDataLake(kubernetesLakeArgsWithPipelines(config)).filter(
        (p) =>
            (p.path.startsWith("pipelines[") && !/^pipelines\[\d+\]\.(name|source\.zone|source\.prefix|target\.prefix)$/.test(p.path)) ||
            p.path.startsWith("pipelineTrigger"),
    );
    problems.push(
        ...atKeys(
            lakeProblems.map((p) => (p.path.endsWith(".target.zone") ? { ...p, path: p.path.replace(/\.zone$/, "") } : p)),
            { ...keys, pipelineTrigger: `${ns}stack` },
            pl,
        ),
    );
    // Airflow's part: the parser already reports names, schedules, timeouts and retries of the jobs.
    const airflow = kubernetesAirflowArgs(config, PLACEHOLDER);
    if (airflow)
        problems.push(
            ...atKeys(
                validateKubernetesAirflow(airflow).filter((p) => !coveredByParser(p)),
                { ...keys, pipelinesNamespace: `${ns}stack`, jobs: `${pl}.jobs` },
                `${pl}.orchestrator`,
            ),
        );
    triggerFiles(config, problems);
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}
