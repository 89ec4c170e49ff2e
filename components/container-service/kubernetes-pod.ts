/**
 * The pod one model runs in, shared by the two Kubernetes model servers (their shared validation is
 * validateKubernetesServing in ./kubernetes-args.ts). KubernetesContainerService puts the pod in a
 * Deployment, KnativeInference in a Knative Service; `flavour` covers the few places where Knative's
 * webhook accepts less than a Deployment does. Plain objects only: no resources here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as inputs from "@pulumi/kubernetes/types/input";
import type { AcceleratorSettings } from "../accelerators/types";
import {
    acceleratorLimits,
    acceleratorNodeSelector,
    acceleratorTolerations,
    cpuQuantity,
    memoryQuantity,
    minioCredentialsShim,
    NON_ROOT_UID,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
} from "../shared/kubernetes-pods";
import { ModelServingSpec } from "../shared/model";
import { SERVING_CREDENTIALS_DIR } from "./kubernetes-args";
import { fitName } from "../shared/naming";

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

/** A model's MinIO access in its pod: the Secret with its keys, and MinIO's endpoint. */
export interface PodLakeAccess {
    readonly secretName: pulumi.Input<string>;
    readonly endpoint: pulumi.Input<string>;
}

/** The one model-server container, identical on both platforms except where Knative accepts less. */
export function modelContainer(
    m: ModelServingSpec,
    accelerator: AcceleratorSettings | undefined,
    flavour: PodFlavour,
    lake?: PodLakeAccess,
): Container {
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
    const lakeEnv: { name: string; value: pulumi.Input<string> }[] = [];
    if (lake) {
        mounts.push({ name: "lake-credentials", mountPath: SERVING_CREDENTIALS_DIR, readOnly: true });
        lakeEnv.push(
            { name: "MLOPS_S3_ENDPOINT", value: lake.endpoint },
            { name: "AWS_SHARED_CREDENTIALS_FILE", value: `${SERVING_CREDENTIALS_DIR}/credentials` },
            { name: "AWS_REGION", value: "us-east-1" },
        );
    }
    // With lake access the keys are loaded from the mounted files by a shell line in front of the command.
    const command = m.command ? (lake ? minioCredentialsShim(SERVING_CREDENTIALS_DIR, m.command) : [...m.command]) : undefined;
    return {
        name: "model",
        image: m.image,
        command,
        args: m.args ? [...m.args] : undefined,
        // Knative reads the protocol from the port name: only `http1` or `h2c` are accepted.
        ports: [{ name: flavour === "knative" ? "http1" : "http", containerPort: m.port, protocol: "TCP" }],
        env: [...Object.entries(env).map(([name, value]) => ({ name, value })), ...lakeEnv],
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
    lake?: PodLakeAccess,
): PodSpec {
    const volumes: inputs.core.v1.Volume[] = [{ name: "scratch", emptyDir: { sizeLimit: "256Mi" } }];
    if (configMapName !== undefined) volumes.push({ name: "app", configMap: { name: configMapName } });
    if (lake) volumes.push({ name: "lake-credentials", secret: { secretName: lake.secretName, defaultMode: 0o440 } });
    return {
        // Model servers never call the Kubernetes API (CKV_K8S_38).
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: flavour === "deployment" ? restrictedPodSecurityContext() : undefined,
        containers: [modelContainer(m, accelerator, flavour, lake)],
        volumes,
        nodeSelector: acceleratorNodeSelector(accelerator),
        tolerations: acceleratorTolerations(accelerator),
    };
}
