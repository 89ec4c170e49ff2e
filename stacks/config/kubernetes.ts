/**
 * The Kubernetes target's whole-stack check, and the arguments its four components get. The stack build
 * (stacks/clouds/kubernetes.ts) passes exactly the `*Args` computed here, and checkKubernetesStack runs
 * each component's validator on them before anything is created, with problems at the keys the user
 * wrote (`mlops:dataLake.minio.servers`, `mlops:models[0].port`). Pure: no SDK.
 *
 * The Kubernetes target has no `mlops:<section>.kubernetes` sub-objects: its settings are the cross-cloud
 * keys it owns (`mlops:dataLake.minio`, `distribution`, `clientNamespaces`, the Knative switches).
 */
import type * as pulumi from "@pulumi/pulumi";
import { atKeys, kubernetesLabels, ProblemDetail } from "@mlops/components";
import { namespaceName } from "@mlops/components/kubernetes-args";
import { ERASURE_LAYOUT_PATH, MinioDataLakeArgs, validateMinioDataLake } from "@mlops/components/kubernetes-args";
import { MlflowPlatformArgs, validateMlflowPlatform } from "@mlops/components/kubernetes-args";
import {
    KubernetesContainerServiceArgs,
    KubernetesServingLake,
    validateKubernetesContainerService,
} from "@mlops/components/kubernetes-args";
import { KNATIVE_SCHEDULING_FLAGS_MESSAGE, KnativeInferenceArgs, validateKnativeInference } from "@mlops/components/kubernetes-args";
import { servingSpecs } from "../models";
import { MODELS_ZONE } from "./training";
import { ServeTarget, StackConfig, ZONE_NAME } from "./schema";

/** Logical names of the stack's components (their URNs: never change them). */
export const KUBERNETES_COMPONENT_NAMES = {
    dataLake: "lake",
    mlPlatform: "ml",
    containerService: "serving",
    serverlessInference: "inference",
} as const;

/** One namespace per component (and one for training), named from the project and stack. */
export function kubernetesNamespaces(cfg: StackConfig) {
    const ns = (role: string) => namespaceName(cfg.project, cfg.stack, role);
    return { lake: ns("lake"), ml: ns("ml"), training: ns("training"), serving: ns("serving"), inference: ns("inference") };
}

function labels(cfg: StackConfig, component: string): Record<string, string> {
    return kubernetesLabels({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }, component);
}

export function minioDataLakeArgs(cfg: StackConfig): MinioDataLakeArgs {
    const ns = kubernetesNamespaces(cfg);
    return {
        namespace: ns.lake,
        zones: cfg.dataLake.zones,
        protectData: cfg.protectData,
        noncurrentVersionRetentionDays: cfg.dataLake.noncurrentVersionRetentionDays,
        abortIncompleteUploadDays: cfg.dataLake.abortIncompleteUploadDays,
        servers: cfg.dataLake.minio.servers,
        drivesPerServer: cfg.dataLake.minio.drivesPerServer,
        volumeSizeGiB: cfg.dataLake.minio.volumeSizeGiB,
        storageClassName: cfg.dataLake.minio.storageClassName,
        clientNamespaces: [ns.ml, ns.training],
        tags: labels(cfg, "data-lake"),
    };
}

/** What only the created data lake knows: its models bucket, endpoint and MLflow credentials. */
export interface MlflowRefs {
    readonly artifactBucket: pulumi.Input<string>;
    readonly artifactEndpoint: pulumi.Input<string>;
    readonly artifactAccessKeyId: pulumi.Input<string>;
    readonly artifactSecretAccessKey: pulumi.Input<string>;
}

export function mlflowPlatformArgs(cfg: StackConfig, refs: MlflowRefs): MlflowPlatformArgs {
    const ns = kubernetesNamespaces(cfg);
    return {
        namespace: ns.ml,
        trainingNamespace: ns.training,
        models: cfg.models.map((m) => m.name),
        ...refs,
        dataLakeNamespace: ns.lake,
        distribution: cfg.mlPlatform.distribution,
        training: cfg.mlPlatform.training,
        protectData: cfg.protectData,
        tags: labels(cfg, "ml-platform"),
    };
}

/** Models served with lake access: those that load a served version, and those whose inputs the drift monitor reads. */
export function servingLakeModels(cfg: StackConfig): string[] {
    return cfg.models.filter((m) => m.serveWith.length > 0 && (m.servedVersion !== undefined || m.training?.drift)).map((m) => m.name);
}

/** The env a served model gets from the loop: its served version's URI and the capture prefix. */
export function servingEnv(cfg: StackConfig, model: string): Record<string, string> {
    const m = cfg.models.find((x) => x.name === model);
    if (!m) return {};
    return {
        ...(m.servedVersion !== undefined
            ? {
                  MLOPS_MODEL_VERSION: m.servedVersion,
                  MLOPS_MODEL_URI: `s3://${MODELS_ZONE}/${m.name}/v=${m.servedVersion}/model.json`,
              }
            : {}),
        ...(m.training?.drift ? { MLOPS_CAPTURE_URI: `s3://${MODELS_ZONE}/${m.name}/_capture/` } : {}),
    };
}

/** What a serving component gets for the lake access of its models (undefined when none of them needs it). */
export function servingLake(
    cfg: StackConfig,
    target: ServeTarget,
    refs: { endpoint: KubernetesServingLake["endpoint"]; credentials: KubernetesServingLake["credentials"] },
): KubernetesServingLake | undefined {
    const models = servingLakeModels(cfg).filter((n) => cfg.models.find((m) => m.name === n)?.serveWith.includes(target));
    if (models.length === 0) return undefined;
    return { namespace: kubernetesNamespaces(cfg).lake, endpoint: refs.endpoint, credentials: refs.credentials, models };
}

/** What only the created data lake knows, for the served models that use it (stacks/config/kubernetes-training.ts). */
export interface ServingLakeRefs {
    readonly endpoint: pulumi.Input<string>;
    readonly credentials: pulumi.Input<Record<string, { accessKeyId: string; secretAccessKey: string }>>;
}

/** The served models with the loop's env (MLOPS_MODEL_VERSION/URI from servedVersion, MLOPS_CAPTURE_URI with drift). */
function servedWithLoop(cfg: StackConfig, target: ServeTarget) {
    return servingSpecs(cfg.models, target).map((m) => {
        const loop = servingEnv(cfg, m.name);
        return Object.keys(loop).length > 0 ? { ...m, env: { ...m.env, ...loop } } : m;
    });
}

/** The container service's arguments, or undefined when no model is served there (no component then). */
export function kubernetesContainerServiceArgs(cfg: StackConfig, lake?: ServingLakeRefs): KubernetesContainerServiceArgs | undefined {
    const models = servedWithLoop(cfg, "containerService");
    if (models.length === 0) return undefined;
    const access = servingLake(cfg, "containerService", lake ?? { endpoint: PLACEHOLDER, credentials: {} });
    return {
        namespace: kubernetesNamespaces(cfg).serving,
        models,
        ...(access ? { lake: access } : {}),
        distribution: cfg.containerService.distribution,
        clientNamespaces: cfg.containerService.clientNamespaces,
        protectData: cfg.protectData,
        tags: labels(cfg, "container-service"),
    };
}

/** Knative's arguments, or undefined when no model is served on demand (no component then). */
export function knativeInferenceArgs(cfg: StackConfig, lake?: ServingLakeRefs): KnativeInferenceArgs | undefined {
    const models = servedWithLoop(cfg, "serverlessInference");
    if (models.length === 0) return undefined;
    const access = servingLake(cfg, "serverlessInference", lake ?? { endpoint: PLACEHOLDER, credentials: {} });
    return {
        namespace: kubernetesNamespaces(cfg).inference,
        models,
        ...(access ? { lake: access } : {}),
        distribution: cfg.serverlessInference.distribution,
        clientNamespaces: cfg.serverlessInference.clientNamespaces,
        installKnative: cfg.serverlessInference.installKnative,
        knativeSchedulingFlagsEnabled: cfg.serverlessInference.knativeSchedulingFlagsEnabled,
        tags: labels(cfg, "serverless-inference"),
    };
}

/** Stands in for what only a created resource knows; no validator inspects it. */
const PLACEHOLDER = "placeholder";

/**
 * Every Kubernetes component validator on the arguments the build passes, at the keys the user wrote.
 * The target's `checkStack`: returns the problems, never throws.
 */
export function checkKubernetesStack(config: StackConfig): ProblemDetail[] {
    const ns = `${config.project}:`;
    const stack = `${ns}stack`; // names derived from the project and stack (namespaces, labels)
    const lake = `${ns}dataLake`;
    const ml = `${ns}mlPlatform`;
    const problems: ProblemDetail[] = [
        ...atKeys(
            lakeProblems(config, validateMinioDataLake(minioDataLakeArgs(config))),
            {
                namespace: stack,
                clientNamespaces: stack,
                tags: stack,
                zones: `${lake}.zones`,
                modelsZone: `${lake}.zones`,
                servers: `${lake}.minio.servers`,
                drivesPerServer: `${lake}.minio.drivesPerServer`,
                volumeSizeGiB: `${lake}.minio.volumeSizeGiB`,
                [ERASURE_LAYOUT_PATH]: `${lake}.minio`,
            },
            lake,
        ),
        ...atKeys(
            validateMlflowPlatform(
                mlflowPlatformArgs(config, {
                    artifactBucket: PLACEHOLDER,
                    artifactEndpoint: PLACEHOLDER,
                    artifactAccessKeyId: PLACEHOLDER,
                    artifactSecretAccessKey: PLACEHOLDER,
                }),
                // The parser checks model names (same or stricter rule, and duplicates) and the training
                // accelerator against the same catalog.
            ).filter((p) => !p.path.startsWith("models[") && p.path !== "training.accelerator"),
            {
                namespace: stack,
                trainingNamespace: stack,
                dataLakeNamespace: stack,
                tags: stack,
                training: `${ml}.training`,
                distribution: `${ml}.distribution`,
            },
            ml,
        ),
    ];
    const csArgs = kubernetesContainerServiceArgs(config);
    if (csArgs) problems.push(...servingProblems(config, "containerService", validateKubernetesContainerService(csArgs), ns));
    const siArgs = knativeInferenceArgs(config);
    if (siArgs) problems.push(...servingProblems(config, "serverlessInference", validateKnativeInference(siArgs), ns));
    // A model served both ways can break a shared rule twice (e.g. a file name): list it once.
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}

/**
 * The data lake's problems minus those the parser already reports at the same keys (zone names, their
 * count, duplicates and the `models` zone), with the erasure layout worded for the config.
 */
function lakeProblems(config: StackConfig, found: ProblemDetail[]): ProblemDetail[] {
    const { servers, drivesPerServer } = config.dataLake.minio;
    const zones = config.dataLake.zones;
    const coveredByParser = (p: ProblemDetail): boolean => {
        if (p.path === "zones" || p.path === "modelsZone") return zones.length === 0 || !zones.includes("models");
        const zone = /^zones\[(\d+)\]$/.exec(p.path);
        // The parser's zone rule is stricter than a bucket name's except for `--`, `xn--` and `-s3alias`.
        return zone !== null && (p.message === "is listed twice" || !ZONE_NAME.test(zones[Number(zone[1])]));
    };
    return found
        .filter((p) => !coveredByParser(p))
        .map((p) =>
            p.path === ERASURE_LAYOUT_PATH
                ? {
                      path: p.path,
                      value: `${servers} servers x ${drivesPerServer} drives`,
                      message:
                          "does not give MinIO an erasure-coded layout, which object versioning needs (at least 2 drives in all, split into equal sets of 2 to 16)",
                      fix: "use e.g. servers: 1, drivesPerServer: 4 (the default), or servers: 4, drivesPerServer: 1",
                  }
                : p,
        );
}

/**
 * One serving component's problems at the keys of the models it serves (a model's index among those
 * served there is not its index in `mlops:models`), minus what the parser already reports for every
 * model: names, image references and pinning, replica order, the catalog's accelerator refusals.
 */
function servingProblems(config: StackConfig, target: ServeTarget, found: ProblemDetail[], ns: string): ProblemDetail[] {
    const section = `${ns}${target}`;
    const indexes = config.models.flatMap((m, i) => (m.serveWith.includes(target) ? [i] : []));
    const keys: Record<string, string> = {
        namespace: `${ns}stack`,
        tags: `${ns}stack`,
        distribution: `${section}.distribution`,
        clientNamespaces: `${section}.clientNamespaces`,
    };
    indexes.forEach((i, j) => {
        keys[`models[${j}]`] = `${ns}models[${i}]`;
        if (target === "serverlessInference") {
            keys[`models[${j}].minReplicas`] = `${ns}models[${i}].serverlessMinReplicas`;
            keys[`models[${j}].maxReplicas`] = `${ns}models[${i}].serverlessMaxReplicas`;
        }
    });
    const field = (p: ProblemDetail) => /^models\[\d+\]\.(\w+)/.exec(p.path)?.[1];
    const coveredByParser = (p: ProblemDetail): boolean =>
        field(p) === "name" ||
        field(p) === "image" ||
        (field(p) === "minReplicas" && p.message.startsWith("is more than maxReplicas")) ||
        (field(p) === "accelerator" && p.message !== KNATIVE_SCHEDULING_FLAGS_MESSAGE);
    return atKeys(
        found
            .filter((p) => !coveredByParser(p))
            .map((p) => (p.message === KNATIVE_SCHEDULING_FLAGS_MESSAGE ? knativeFlags(p, section) : p)),
        keys,
        section,
    );
}

/** The Knative scheduling-flags problem worded for the config: the keys to set, not the arguments. */
function knativeFlags(p: ProblemDetail, si: string): ProblemDetail {
    const accelerator = p.value as { type: string; count: number } | undefined;
    return {
        path: p.path,
        value: accelerator ? `${accelerator.type}:${accelerator.count}` : p.value,
        message: "needs Knative's node-selector and toleration feature flags, which are off by default",
        fix: `have a cluster admin enable kubernetes.podspec-nodeselector and kubernetes.podspec-tolerations in the config-features ConfigMap of knative-serving and set ${si}.knativeSchedulingFlagsEnabled: true, or set ${si}.installKnative: true`,
    };
}
