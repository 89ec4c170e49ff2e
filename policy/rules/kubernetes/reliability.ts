/**
 * Reliability floors for production serving on Kubernetes (docs/security-baseline.md section 4): probes,
 * replicas, autoscaling and disruption budgets for model servers, bounded Knative scaling. Serving
 * workloads are Deployments labelled app.kubernetes.io/component with one of `servingComponents`
 * (default `model-server`, the label the mlops container service sets); stateful singletons such as
 * MLflow on SQLite keep one replica by design.
 */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, Knob, MlopsPolicy, numberKnob, resourceRule, stackRule, stringsKnob } from "../meta";
import { at, Fields, oneOf, peek, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { containerRule } from "./container-rule";
import { K8S } from "./types";

const COMPONENT = "app.kubernetes.io/component";

const SERVING_COMPONENTS: Knob = {
    schema: { type: "array", items: { type: "string" }, description: `Values of the ${COMPONENT} label that mark serving Deployments.` },
    default: ["model-server"],
};
const MIN_REPLICAS: Knob = { schema: { type: "integer", minimum: 1, description: "Replica floor for serving Deployments." }, default: 2 };

export const probes = containerRule({
    name: "k8s-probes",
    description: "Long-running containers have liveness and readiness probes.",
    severity: "medium",
    remediation: "add livenessProbe and readinessProbe (mlops models probe mlops:models[].healthPath, default /healthz)",
    mirrors: ["CKV_K8S_8", "CKV_K8S_9"],
    category: "reliability",
    enforcement: "prod",
    longRunningOnly: true,
    containersOnly: true,
    check: (c) => [...(c.spec.livenessProbe ? [] : ["no livenessProbe"]), ...(c.spec.readinessProbe ? [] : ["no readinessProbe"])],
});

function servingDeployments(view: StackView, components: readonly string[], inScope: (r: PolicyResource) => boolean): PolicyResource[] {
    return view.ofType([K8S.deployment]).filter((d) => inScope(d) && oneOf(components, peek(d.props, ["metadata", "labels", COMPONENT])));
}

/** HorizontalPodAutoscalers scaling `deployment`: by scaleTargetRef (same namespace), or by dependency. */
function autoscalersOf(view: StackView, deployment: PolicyResource): PolicyResource[] {
    const name = peek(deployment.props, "metadata.name");
    const namespace = peek(deployment.props, "metadata.namespace");
    return view.ofType([K8S.hpa]).filter((h) => {
        if ((h.propertyDependencies?.spec ?? []).some((d) => d.urn === deployment.urn)) return true;
        const ref = peek(h.props, "spec.scaleTargetRef") as Record<string, unknown> | undefined;
        return (
            ref?.kind === "Deployment" && typeof name === "string" && ref.name === name && peek(h.props, "metadata.namespace") === namespace
        );
    });
}

export const servingReplicas = stackRule({
    name: "k8s-serving-replicas",
    description:
        "Serving Deployments keep at least `minReplicas` replicas (the HPA's minReplicas when one scales them, else spec.replicas).",
    severity: "high",
    remediation: "raise mlops:models[].minReplicas (prod default 2); the container service sets it as the HPA's minReplicas",
    mirrors: ["pulumi-premium kubernetes-apps-v1-deployment-configure-minimum-replica-count"],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.deployment],
    knobs: { servingComponents: SERVING_COMPONENTS, minReplicas: MIN_REPLICAS },
    validate: ({ view, config, inScope, report }) => {
        for (const d of servingDeployments(view, stringsKnob(config, "servingComponents"), inScope)) {
            const hpa = autoscalersOf(view, d)[0];
            const floor = whenKnown(() => (hpa ? (hpa.props.spec?.minReplicas ?? 1) : (d.props.spec?.replicas ?? 1)));
            const minReplicas = numberKnob(config, "minReplicas");
            if (typeof floor === "number" && floor < minReplicas) {
                report(
                    d,
                    `keeps ${floor} replica${floor === 1 ? "" : "s"} (${hpa ? "HorizontalPodAutoscaler minReplicas" : "spec.replicas"}), below ${minReplicas}`,
                );
            }
        }
    },
});

export const servingAutoscaling = stackRule({
    name: "k8s-serving-autoscaling",
    description: "Serving Deployments have a HorizontalPodAutoscaler that can scale them out (maxReplicas above minReplicas).",
    severity: "medium",
    remediation: "set mlops:models[].maxReplicas above minReplicas; the container service creates the HorizontalPodAutoscaler",
    mirrors: ["AWS-WA MLREL05-BP01", CUSTOM],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.deployment],
    knobs: { servingComponents: SERVING_COMPONENTS },
    validate: ({ view, config, inScope, report }) => {
        for (const d of servingDeployments(view, stringsKnob(config, "servingComponents"), inScope)) {
            const hpas = autoscalersOf(view, d);
            if (hpas.length === 0) {
                report(d, "no HorizontalPodAutoscaler scales it");
                continue;
            }
            const spec = whenKnown(() => ({ min: hpas[0].props.spec?.minReplicas ?? 1, max: hpas[0].props.spec?.maxReplicas }));
            if (spec && !(typeof spec.max === "number" && spec.max > spec.min))
                report(d, `its HorizontalPodAutoscaler cannot scale out (maxReplicas ${spec.max}, minReplicas ${spec.min})`);
        }
    },
});

/** Whether every matchLabels entry of a selector is among the pod labels. */
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
    !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** A budget that forbids every voluntary disruption blocks node drains and upgrades. */
const blocksAll = (spec: Fields): boolean => spec.maxUnavailable === 0 || spec.maxUnavailable === "0%" || spec.minAvailable === "100%";

export const servingDisruptionBudget = stackRule({
    name: "k8s-serving-disruption-budget",
    description:
        "Serving Deployments have a PodDisruptionBudget that keeps replicas up during drains without blocking them (not maxUnavailable 0 / minAvailable 100%).",
    severity: "medium",
    remediation:
        "keep the PodDisruptionBudget the container service creates (maxUnavailable: 1, components/container-service/kubernetes.ts)",
    mirrors: ["pulumi-premium kubernetes-policy-v1-poddisruptionbudget-disallow-zero-voluntary-disruption"],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.deployment],
    knobs: { servingComponents: SERVING_COMPONENTS },
    validate: ({ view, config, inScope, report }) => {
        for (const d of servingDeployments(view, stringsKnob(config, "servingComponents"), inScope)) {
            const labels = peek(d.props, "spec.template.metadata.labels") as Record<string, string> | undefined;
            const namespace = peek(d.props, "metadata.namespace");
            const budgets = view
                .ofType([K8S.pdb])
                .filter(
                    (b) =>
                        peek(b.props, "metadata.namespace") === namespace &&
                        selects(peek(b.props, "spec.selector.matchLabels") as Record<string, string>, labels),
                );
            if (budgets.length === 0) report(d, "no PodDisruptionBudget selects its pods");
            else if (budgets.every((b) => whenKnown(() => blocksAll(b.props.spec ?? {})) === true))
                report(d, "its PodDisruptionBudget allows no voluntary disruption");
        }
    },
});

const MAX_SCALE = "autoscaling.knative.dev/max-scale";

export const knativeBoundedScale = resourceRule({
    name: "k8s-knative-bounded-scale",
    description: "Knative Services cap their scale-out (autoscaling.knative.dev/max-scale), bounding cost and load on dependencies.",
    severity: "medium",
    remediation: "set mlops:models[].serverlessMaxReplicas; the knative implementation writes it as the max-scale annotation",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.knativeService],
    check: (r) => {
        const value = Number(at(r.props, ["spec", "template", "metadata", "annotations", MAX_SCALE]));
        return Number.isInteger(value) && value > 0 ? [] : [`annotation ${MAX_SCALE} is not a positive number`];
    },
});

export const kubernetesReliabilityRules: readonly MlopsPolicy[] = [
    probes,
    servingReplicas,
    servingAutoscaling,
    servingDisruptionBudget,
    knativeBoundedScale,
];
