/**
 * Arguments of KubernetesContainerService and their validator, with the model checks both Kubernetes
 * model servers share (validateKubernetesServing; KnativeInference adds Knative's rules) and the
 * accelerator settings derived from them. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorSettings, KUBERNETES_DISTRIBUTIONS, KubernetesDistribution } from "../accelerators/types";
import { validateLabels, validateNamespaceName } from "../naming/kubernetes";
import { isPinnedImage } from "../shared/images";
import type { ModelServingSpec } from "../shared/model";
import type { MinioCredentials } from "../shared/minio";
import type { ProblemDetail } from "../shared/problems";
import type { ContainerServiceArgs } from "./contract";
import { WORKLOAD_NAME } from "../shared/naming";

export interface KubernetesContainerServiceArgs extends ContainerServiceArgs {
    /**
     * Namespace created for the model servers, with restricted Pod Security enforced and all traffic
     * denied except what this component allows. Never `default`.
     */
    readonly namespace: string;
    /**
     * Whose accelerator node labels and taints to use (`generic`, `eks`, `gke`, `aks`); decides the
     * node selector and tolerations of accelerator models.
     * Default: "generic".
     */
    readonly distribution?: string;
    /**
     * Namespaces whose pods may call the models (port `models[].port` only). Pods in `namespace` may
     * always call them.
     * Default: [] - only pods in `namespace`.
     */
    readonly clientNamespaces?: string[];
    /** MinIO access of the models that load a served version or capture inputs (KubernetesServingArgs.lake). Default: none. */
    readonly lake?: KubernetesServingLake;
}

/** The namespace and model arguments both Kubernetes model servers take. */
export interface KubernetesServingArgs {
    readonly models: ModelServingSpec[];
    readonly namespace: string;
    readonly distribution?: string;
    readonly clientNamespaces?: string[];
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * MinIO access of the models that load a served version (MLOPS_MODEL_URI) or capture their inputs
     * (MLOPS_CAPTURE_URI): their keys are mounted as files, the command runs behind a shell line that loads
     * them, and their pods may reach MinIO's S3 port. @default - no model reaches the lake
     */
    readonly lake?: KubernetesServingLake;
}

/** Where MinIO is, and the keys of the models that use it (`<model>-serve`: read `models/<model>/`, write its `_capture/`). */
export interface KubernetesServingLake {
    /** Namespace of MinIO. */
    readonly namespace: string;
    /** S3 endpoint (MLOPS_S3_ENDPOINT). */
    readonly endpoint: pulumi.Input<string>;
    /** The models with lake access. */
    readonly models: string[];
    /** Keys by MinIO user (`<model>-serve`): MinioDataLake.pipelineCredentials. */
    readonly credentials: pulumi.Input<Record<string, MinioCredentials>>;
}

/** Where a serving pod's MinIO keys are mounted. */
export const SERVING_CREDENTIALS_DIR = "/etc/mlops/minio";

/** Rules one platform adds on top of the shared ones (Knative's reserved ports and env vars). */
export interface PlatformRules {
    readonly reservedPorts?: readonly number[];
    readonly reservedEnv?: readonly string[];
}

/** ConfigMap keys (file names under /app). */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isKnownDistribution = (d: string) => (KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(d);

/** The catalog's settings for one model's accelerator, or its refusal. */
function resolveModel(m: ModelServingSpec, distribution: string): { settings?: AcceleratorSettings; refusal?: string } {
    if (!m.accelerator || !isKnownDistribution(distribution)) return {};
    try {
        return {
            settings: resolveAccelerator({
                cloud: "kubernetes",
                service: "kubernetes",
                accelerator: m.accelerator,
                distribution: distribution as KubernetesDistribution,
            }),
        };
    } catch (e) {
        return { refusal: e instanceof Error ? e.message : String(e) };
    }
}

/**
 * The catalog's accelerator settings per model (`undefined` for CPU only). Call it on valid arguments:
 * a request the catalog refuses is a problem of validateKubernetesServing.
 */
export function servingAccelerators(args: KubernetesServingArgs): (AcceleratorSettings | undefined)[] {
    const distribution = args.distribution ?? "generic";
    return args.models.map((m) => resolveModel(m, distribution).settings);
}

/** Checks the namespace arguments and every model: every problem at once. */
export function validateKubernetesServing(args: KubernetesServingArgs, rules: PlatformRules = {}): ProblemDetail[] {
    const problems: ProblemDetail[] = [
        ...validateNamespaceName("namespace", args.namespace),
        ...(args.clientNamespaces ?? []).flatMap((ns, i) => validateNamespaceName(`clientNamespaces[${i}]`, ns)),
        ...validateLabels(args.tags ?? {}),
    ];
    if (args.lake) {
        problems.push(...validateNamespaceName("lake.namespace", args.lake.namespace));
        args.lake.models.forEach((name, i) => {
            const m = args.models.find((model) => model.name === name);
            if (!m) problems.push({ path: `lake.models[${i}]`, value: name, message: "is not one of the models" });
            else if (!m.command || m.command.length === 0)
                problems.push({
                    path: `models[${args.models.indexOf(m)}].command`,
                    value: undefined,
                    message:
                        "is required when the model loads a served version or captures its inputs: the MinIO keys are loaded by a shell line in front of it",
                    fix: "set the command the image runs, e.g. `[python, /app/serve.py]`",
                });
        });
    }
    const distribution = args.distribution ?? "generic";
    if (!isKnownDistribution(distribution)) {
        problems.push({
            path: "distribution",
            value: distribution,
            message: "is not a known Kubernetes distribution",
            allowed: KUBERNETES_DISTRIBUTIONS,
            fix: "use `generic` for any other cluster",
        });
    }
    if (!Array.isArray(args.models) || args.models.length === 0) {
        problems.push({
            path: "models",
            value: args.models,
            message: "must list at least one model",
            fix: "add a model to `mlops:models`",
        });
        return problems;
    }

    const seen = new Set<string>();
    args.models.forEach((m, i) => {
        const at = `models[${i}]`;
        const bad = (field: string, value: unknown, message: string, fix: string) =>
            problems.push({ path: `${at}.${field}`, value, message, fix });
        if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name)) {
            bad(
                "name",
                m.name,
                "is not a valid model name",
                "use lowercase letters, digits and '-', starting with a letter, at most 24 characters",
            );
        } else if (seen.has(m.name)) {
            bad("name", m.name, "is used by another model", "give every model its own name");
        }
        seen.add(m.name);
        if (typeof m.image !== "string" || !isPinnedImage(m.image)) {
            bad(
                "image",
                m.image,
                "is not pinned to a tag or digest (CKV_K8S_14)",
                "pin a version tag or `@sha256:` digest; never `:latest` or no tag",
            );
        }
        if (!isWhole(m.port) || m.port < 1 || m.port > 65535) {
            bad("port", m.port, "is not a TCP port", "use a whole number from 1 to 65535, e.g. 8080");
        } else if (rules.reservedPorts?.includes(m.port)) {
            bad("port", m.port, "is reserved by the platform", `use another port (reserved: ${rules.reservedPorts.join(", ")}), e.g. 8080`);
        }
        for (const key of Object.keys(m.env ?? {})) {
            if (rules.reservedEnv?.includes(key)) {
                bad(
                    `env.${key}`,
                    m.env?.[key],
                    "is set by the platform and may not be given",
                    `remove it (reserved: ${rules.reservedEnv.join(", ")})`,
                );
            }
        }
        for (const key of Object.keys(m.files ?? {})) {
            if (!CONFIG_MAP_KEY.test(key))
                bad("files", key, "is not a valid file name", "use letters, digits, '-', '_' and '.' only (no directories)");
        }
        if (typeof m.healthPath !== "string" || !m.healthPath.startsWith("/")) {
            bad("healthPath", m.healthPath, "is not an HTTP path", "start it with '/', e.g. `/healthz`");
        }
        if (!isWhole(m.cpuMillicores) || m.cpuMillicores < 1) {
            bad("cpuMillicores", m.cpuMillicores, "must be a positive whole number of millicores", "e.g. 500 for half a vCPU");
        }
        if (!isWhole(m.memoryMiB) || m.memoryMiB < 1) {
            bad("memoryMiB", m.memoryMiB, "must be a positive whole number of MiB", "e.g. 512");
        }
        if (!isWhole(m.minReplicas) || m.minReplicas < 0) {
            bad("minReplicas", m.minReplicas, "must be a whole number of at least 0", "use 0 to scale to zero where the service allows it");
        }
        if (!isWhole(m.maxReplicas) || m.maxReplicas < 1) {
            bad("maxReplicas", m.maxReplicas, "must be a whole number of at least 1", "e.g. 3");
        } else if (isWhole(m.minReplicas) && m.minReplicas > m.maxReplicas) {
            bad("minReplicas", m.minReplicas, `is more than maxReplicas (${m.maxReplicas})`, "lower minReplicas or raise maxReplicas");
        }
        if (!isWhole(m.concurrency) || m.concurrency < 1) {
            bad("concurrency", m.concurrency, "must be a whole number of at least 1", "e.g. 80");
        }
        const { refusal } = resolveModel(m, distribution);
        // The catalog's message already lists what this distribution offers.
        if (refusal !== undefined)
            problems.push({ path: `${at}.accelerator`, value: `${m.accelerator?.type}:${m.accelerator?.count}`, message: refusal });
    });
    return problems;
}

/** Every problem with the container service's arguments. */
export function validateKubernetesContainerService(args: KubernetesContainerServiceArgs): ProblemDetail[] {
    return validateKubernetesServing(args);
}
