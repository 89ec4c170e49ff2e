/**
 * Arguments of KnativeInference and their validator: the model checks every Kubernetes model server runs
 * (validateKubernetesServing) plus what Knative's admission webhook refuses. Pure: no SDK at runtime.
 */
import { KubernetesServingLake, servingAccelerators, validateKubernetesServing } from "../container-service/kubernetes-args";
import { isNamespaceName } from "../naming/kubernetes";
import type { ProblemDetail } from "../shared/problems";
import type { ServerlessInferenceArgs } from "./contract";

/** Ports Knative keeps for its queue-proxy sidecar and profiling (k8s_validation.go `reservedPorts`). */
export const KNATIVE_RESERVED_PORTS = [8008, 8012, 8013, 8022, 9090, 9091] as const;
/** Environment variables Knative sets itself and rejects from users (`reservedEnvVars`). */
export const KNATIVE_RESERVED_ENV = ["PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"] as const;
/** Why an accelerator model is refused on a Knative whose scheduling flags are off. */
export const KNATIVE_SCHEDULING_FLAGS_MESSAGE =
    "needs node selectors and tolerations, which Knative refuses unless `kubernetes.podspec-nodeselector` and `kubernetes.podspec-tolerations` are enabled";

export interface KnativeInferenceArgs extends ServerlessInferenceArgs {
    /**
     * Namespace created for the Knative Services, with restricted Pod Security enforced and all traffic
     * denied except what this component allows. Never `default`.
     */
    readonly namespace: string;
    /**
     * Whose accelerator node labels and taints to use (`generic`, `eks`, `gke`, `aks`).
     * Default: "generic".
     */
    readonly distribution?: string;
    /**
     * Namespaces whose pods may call the models. Requests normally reach the pods through Kourier and
     * the activator (`dataPlaneNamespaces`), so this only adds direct pod access via queue-proxy.
     * Default: [] - only pods in `namespace`.
     */
    readonly clientNamespaces?: string[];
    /**
     * Install Knative Serving and Kourier (pinned to `KNATIVE_VERSION`) and configure them: Kourier as
     * the ingress, plus the node selector / toleration flags when a model needs an accelerator. Leave
     * off on clusters where Knative is already installed (it is cluster-wide).
     * Default: false.
     */
    readonly installKnative?: boolean;
    /**
     * Set when the cluster's Knative already has `kubernetes.podspec-nodeselector` and
     * `kubernetes.podspec-tolerations` enabled; accelerator models are refused otherwise (unless
     * `installKnative` enables them), since Knative's webhook would reject their pods.
     * Default: false.
     */
    readonly knativeSchedulingFlagsEnabled?: boolean;
    /**
     * Namespaces of the Knative data plane that must reach the pods: the activator and autoscaler
     * (`knative-serving`) and the ingress gateway (`kourier-system` for Kourier).
     * Default: ["knative-serving", "kourier-system"].
     */
    readonly dataPlaneNamespaces?: string[];
    /** MinIO access of the models that load a served version or capture inputs (KubernetesServingArgs.lake). Default: none. */
    readonly lake?: KubernetesServingLake;
}

/** Every problem with the arguments at once. */
export function validateKnativeInference(args: KnativeInferenceArgs): ProblemDetail[] {
    const problems = validateKubernetesServing(args, { reservedPorts: KNATIVE_RESERVED_PORTS, reservedEnv: KNATIVE_RESERVED_ENV });
    (args.dataPlaneNamespaces ?? []).forEach((ns, i) => {
        if (!isNamespaceName(ns))
            problems.push({
                path: `dataPlaneNamespaces[${i}]`,
                value: ns,
                message: "is not a valid namespace name",
                fix: "use a DNS label, e.g. `knative-serving`",
            });
    });
    if (!args.installKnative && !args.knativeSchedulingFlagsEnabled && Array.isArray(args.models)) {
        // Requests the catalog refuses are already problems above; servingAccelerators skips them.
        servingAccelerators(args).forEach((a, i) => {
            if (!a?.nodeSelector && !a?.tolerations) return;
            problems.push({
                path: `models[${i}].accelerator`,
                value: args.models[i].accelerator,
                message: KNATIVE_SCHEDULING_FLAGS_MESSAGE,
                fix: "have a cluster admin enable both in the `config-features` ConfigMap of `knative-serving` and set knativeSchedulingFlagsEnabled, or set installKnative",
            });
        });
    }
    return problems;
}
