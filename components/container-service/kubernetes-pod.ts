/**
 * What the two Kubernetes model servers share, written once: the up-front validation of their models
 * (every problem collected before any child exists) and the pod one model runs in. KubernetesContainerService
 * puts the pod in a Deployment, KnativeInference in a Knative Service; `flavour` covers the few places
 * where Knative's webhook accepts less than a Deployment does. Plain objects only: no resources here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/kubernetes/types/input";
import { resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorSettings, KUBERNETES_DISTRIBUTIONS, KubernetesDistribution } from "../accelerators/types";
import { isPinnedImage } from "../shared/images";
import {
    acceleratorLimits,
    acceleratorNodeSelector,
    acceleratorTolerations,
    cpuQuantity,
    memoryQuantity,
    NON_ROOT_UID,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
} from "../shared/kubernetes-pods";
import { ModelServingSpec } from "../shared/model";
import { DNS_LABEL, fitName } from "../shared/naming";
import { Problems } from "../shared/problems";

type PodSpec = inputs.core.v1.PodSpec;
type Container = inputs.core.v1.Container;
type Probe = inputs.core.v1.Probe;

/** `deployment` (apps/v1 pods) or `knative` (a Knative Service's revision template). */
export type PodFlavour = "deployment" | "knative";

/** Where the model's files (the `files` ConfigMap) are mounted, read-only. */
export const APP_PATH = "/app";
/** Writable scratch space; the root filesystem is read-only. Knative reserves `/tmp` (and `/var`), so its pods use `/var/tmp`. */
export const SCRATCH_PATH: Readonly<Record<PodFlavour, string>> = { deployment: "/tmp", knative: "/var/tmp" };
/** CPU limit as a multiple of the request: headroom for model loading, bounded so one pod cannot starve a node. */
export const CPU_LIMIT_FACTOR = 2;

/** A model name: a DNS label that starts with a letter, at most 24 characters (shared/model.ts). */
const MODEL_NAME = /^[a-z]([-a-z0-9]{0,22}[a-z0-9])?$/;
/** ConfigMap keys (file names under /app). */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** The namespace and model arguments both Kubernetes components take. */
export interface ServingArgs {
    readonly models: readonly ModelServingSpec[];
    readonly namespace: string;
    readonly distribution?: string;
    readonly clientNamespaces?: readonly string[];
}

/** Rules one platform adds on top of the shared ones (Knative's reserved ports and env vars). */
export interface PlatformRules {
    readonly reservedPorts?: readonly number[];
    readonly reservedEnv?: readonly string[];
}

const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function checkNamespace(path: string, value: unknown, problems: Problems): void {
    if (typeof value !== "string" || !DNS_LABEL.test(value) || value.length > 63) {
        problems.add({
            path,
            value,
            message: "is not a namespace name",
            fix: "use a DNS label: lowercase letters, digits and '-', at most 63 characters",
        });
    } else if (value === "default") {
        problems.add({
            path,
            value,
            message: "must not be the `default` namespace (CKV_K8S_21)",
            fix: "give the component its own namespace, e.g. `models`",
        });
    }
}

/**
 * Checks the namespace arguments and every model, adding each problem to `problems`. Returns the
 * catalog's accelerator settings per model (`undefined` for CPU only or when the request is invalid).
 */
export function validateServing(args: ServingArgs, problems: Problems, rules: PlatformRules = {}): (AcceleratorSettings | undefined)[] {
    checkNamespace("namespace", args.namespace, problems);
    (args.clientNamespaces ?? []).forEach((ns, i) => checkNamespace(`clientNamespaces[${i}]`, ns, problems));
    const distribution = args.distribution ?? "generic";
    const distributionOk = (KUBERNETES_DISTRIBUTIONS as readonly string[]).includes(distribution);
    if (!distributionOk) {
        problems.add({
            path: "distribution",
            value: distribution,
            message: "is not a known Kubernetes distribution",
            allowed: KUBERNETES_DISTRIBUTIONS,
            fix: "use `generic` for any other cluster",
        });
    }
    if (!Array.isArray(args.models) || args.models.length === 0) {
        problems.add({ path: "models", value: args.models, message: "must list at least one model", fix: "add a model to `mlops:models`" });
        return [];
    }

    const seen = new Set<string>();
    return args.models.map((m, i) => {
        const at = `models[${i}]`;
        const bad = (field: string, value: unknown, message: string, fix: string) =>
            problems.add({ path: `${at}.${field}`, value, message, fix });
        if (typeof m.name !== "string" || !MODEL_NAME.test(m.name)) {
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
        if (!m.accelerator || !distributionOk) return undefined;
        try {
            return resolveAccelerator({
                cloud: "kubernetes",
                service: "kubernetes",
                accelerator: m.accelerator,
                distribution: distribution as KubernetesDistribution,
            });
        } catch (e) {
            // The catalog's message already lists what this distribution offers.
            problems.add(`${at}.accelerator: ${e instanceof Error ? e.message : String(e)}`);
            return undefined;
        }
    });
}

/** Labels that select one model's pods; never change them (a Deployment's selector is immutable). */
export function selectorLabels(componentName: string, model: string): Record<string, string> {
    return { "app.kubernetes.io/name": model, "app.kubernetes.io/instance": fitName([componentName], 63) };
}

/** Labels put on every child for one model: the caller's tags plus the recommended Kubernetes labels. */
export function modelLabels(
    tags: Readonly<Record<string, string>> | undefined,
    componentName: string,
    model: string,
): Record<string, string> {
    return {
        ...tags,
        ...selectorLabels(componentName, model),
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

function probes(m: ModelServingSpec, flavour: PodFlavour): Pick<Container, "readinessProbe" | "livenessProbe" | "startupProbe"> {
    const httpGet = { path: m.healthPath, port: m.port };
    if (flavour === "knative") {
        return {
            // Knative rewrites readiness to run in queue-proxy, which probes far more often than the
            // kubelet to keep cold starts short; the timing is left to it. Probes target the container port.
            readinessProbe: { httpGet },
            // No startup probe: Knative documents that one lengthens every cold start. The initial delay
            // and threshold give a loading model about a minute before liveness restarts it.
            livenessProbe: { httpGet, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
        };
    }
    const probe = (periodSeconds: number, failureThreshold: number): Probe => ({
        httpGet,
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
    });
    return {
        // Up to 5 minutes for a slow model load before liveness starts counting.
        startupProbe: probe(5, 60),
        readinessProbe: probe(10, 3),
        livenessProbe: probe(20, 3),
    };
}

/** The one model-server container, identical on both platforms except where Knative accepts less. */
export function modelContainer(m: ModelServingSpec, accelerator: AcceleratorSettings | undefined, flavour: PodFlavour): Container {
    // Knative sets PORT itself and rejects it from users; a Deployment has to say it.
    const env: Record<string, string> =
        flavour === "knative" ? { TMPDIR: SCRATCH_PATH.knative, ...m.env } : { PORT: String(m.port), ...m.env };
    const memory = memoryQuantity(m.memoryMiB);
    // Without a pod-level context (Knative needs a feature flag for one), the container carries the
    // UID/GID itself; every field below is accepted by Knative's webhook by default.
    const securityContext =
        flavour === "knative"
            ? { ...restrictedContainerSecurityContext(), runAsUser: NON_ROOT_UID, runAsGroup: NON_ROOT_UID }
            : restrictedContainerSecurityContext();
    const mounts: inputs.core.v1.VolumeMount[] = [{ name: "scratch", mountPath: SCRATCH_PATH[flavour] }];
    if (m.files) mounts.push({ name: "app", mountPath: APP_PATH, readOnly: true });
    return {
        name: "model",
        image: m.image,
        command: m.command ? [...m.command] : undefined,
        args: m.args ? [...m.args] : undefined,
        // Knative reads the protocol from the port name: only `http1` or `h2c` are accepted.
        ports: [{ name: flavour === "knative" ? "http1" : "http", containerPort: m.port, protocol: "TCP" }],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        resources: {
            requests: { cpu: cpuQuantity(m.cpuMillicores), memory },
            // Memory limit = request: no overcommit, so a model is never OOM-killed for a neighbour's use.
            limits: { cpu: cpuQuantity(m.cpuMillicores * CPU_LIMIT_FACTOR), memory, ...acceleratorLimits(accelerator) },
        },
        securityContext,
        volumeMounts: mounts,
        ...probes(m, flavour),
    };
}

/**
 * The pod for one model. `configMapName` is the files ConfigMap (when the model has files). Knative pods
 * get no pod-level securityContext (it needs `kubernetes.podspec-securitycontext`); nodeSelector and
 * tolerations need `kubernetes.podspec-nodeselector` / `kubernetes.podspec-tolerations` there.
 */
export function modelPodSpec(
    m: ModelServingSpec,
    accelerator: AcceleratorSettings | undefined,
    configMapName: pulumi.Input<string> | undefined,
    flavour: PodFlavour,
): PodSpec {
    const volumes: inputs.core.v1.Volume[] = [{ name: "scratch", emptyDir: { sizeLimit: "256Mi" } }];
    if (configMapName !== undefined) volumes.push({ name: "app", configMap: { name: configMapName } });
    return {
        // Model servers never call the Kubernetes API (CKV_K8S_38).
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: flavour === "deployment" ? restrictedPodSecurityContext() : undefined,
        containers: [modelContainer(m, accelerator, flavour)],
        volumes,
        nodeSelector: acceleratorNodeSelector(accelerator),
        tolerations: acceleratorTolerations(accelerator),
    };
}
