/**
 * The training loop on Kubernetes (components/training-pipeline/kubernetes.ts): every training, drift and
 * delivery job runs under its own ServiceAccount with no automounted token (one identity per pipeline, RBAC
 * scoped to it), only named pods may reach the internet, on HTTPS only (the delivery poller calls GitHub), and
 * in prod training jobs register versions pending a person's approval.
 * docs/kubernetes.md, "Training, promotion and drift".
 */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, fields, records } from "../lib/read";
import { containersOf, K8S, label, podSpec } from "./types";

/** `app.kubernetes.io/component` of the loop's CronJobs. */
const LOOP_COMPONENTS = ["training", "drift-monitor", "model-delivery"];
/** CIDRs that mean "any address". */
const ANYWHERE = ["0.0.0.0/0", "::/0"];

export const trainingOwnIdentity = resourceRule({
    name: "k8s-training-own-identity",
    description:
        "Training, drift and delivery CronJobs run under their own ServiceAccount (never `default`) and do not automount its token, so each pipeline's rights are its own and no pod holds an API token it does not use.",
    severity: "high",
    remediation:
        "set serviceAccountName to the job's own account and automountServiceAccountToken: false (mount a projected token only where the job calls the API), as KubernetesTrainingPipelines in components/training-pipeline/kubernetes.ts does",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.cronJob],
    check: (r) => {
        const component = at(r.props, ["metadata", "labels", "app.kubernetes.io/component"]);
        if (!LOOP_COMPONENTS.includes(String(component))) return [];
        const spec = podSpec(r.type, r.props);
        const problems: string[] = [];
        const account = spec ? spec.serviceAccountName : undefined;
        if (typeof account !== "string" || account === "" || account === "default")
            problems.push(
                `the ${String(component)} pod runs as ${account === undefined ? "the namespace's default ServiceAccount" : `ServiceAccount ${String(account)}`}`,
            );
        if (!spec || spec.automountServiceAccountToken !== false)
            problems.push(`the ${String(component)} pod automounts its ServiceAccount token (automountServiceAccountToken is not false)`);
        return problems;
    },
});

export const internetEgressScoped = resourceRule({
    name: "k8s-internet-egress-scoped",
    description:
        "A NetworkPolicy that lets pods reach any address (ipBlock 0.0.0.0/0 or ::/0) selects named pods, not a whole namespace, and opens TCP 443 only.",
    severity: "high",
    remediation:
        "select the pods by label (podSelector.matchLabels, e.g. mlops.dev/role: delivery) and allow only TCP 443, as the model-delivery policy in components/training-pipeline/kubernetes.ts does",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.networkPolicy],
    check: (r) => {
        const problems: string[] = [];
        const wide = records(at(r.props, "spec.egress")).filter((rule) =>
            records(rule.to).some((peer) => ANYWHERE.includes(String(at(peer, "ipBlock.cidr")))),
        );
        if (wide.length === 0) return [];
        const selected = fields(at(r.props, "spec.podSelector.matchLabels"));
        if (Object.keys(selected).length === 0 && records(at(r.props, "spec.podSelector.matchExpressions")).length === 0)
            problems.push("it lets every pod of the namespace reach any address (empty podSelector)");
        for (const rule of wide) {
            const ports = records(rule.ports);
            if (ports.length === 0) problems.push("it allows any port to any address");
            for (const p of ports)
                if (p.port !== 443 || (p.protocol !== undefined && p.protocol !== "TCP"))
                    problems.push(
                        `it allows ${String(p.protocol ?? "TCP")} ${String(p.port ?? "any port")} to any address, not HTTPS only`,
                    );
        }
        return problems;
    },
});

/**
 * The MLOPS_APPROVAL value that registers versions pending approval: the component passes the training spec's
 * `approval` (manual | automatic), and the training step tags a version `approved` only for `automatic`
 * (samples/kubernetes/training/mlops_step.py).
 */
const PENDING_APPROVAL = "manual";

export const prodVersionsPending = resourceRule({
    name: "k8s-prod-versions-pending-approval",
    description:
        "In prod, training CronJobs and Jobs register every version pending a person's approval: each container's MLOPS_APPROVAL is manual, never automatic, and is a literal value the rule can read.",
    severity: "high",
    remediation:
        "leave mlops:models[].training.approval out in prod (manual is the prod default); KubernetesTrainingPipelines (components/training-pipeline/kubernetes.ts) then sets MLOPS_APPROVAL=manual and versions are tagged approval: pending",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.cronJob, K8S.job],
    check: (r) =>
        containersOf(podSpec(r.type, r.props)).flatMap((c) =>
            records(c.spec.env)
                .filter((e) => e.name === "MLOPS_APPROVAL")
                .flatMap((e) => {
                    if (e.valueFrom !== undefined)
                        return [`${label(c)}: MLOPS_APPROVAL comes from valueFrom, so it cannot be shown to be ${PENDING_APPROVAL}`];
                    return e.value === PENDING_APPROVAL
                        ? []
                        : [
                              `${label(c)}: MLOPS_APPROVAL is ${e.value === undefined ? "empty" : String(e.value)}, not ${PENDING_APPROVAL}${e.value === "automatic" ? ": versions that pass the gate are approved without a person" : ""}`,
                          ];
                }),
        ),
});

export const trainingRules: readonly MlopsPolicy[] = [trainingOwnIdentity, internetEgressScoped, prodVersionsPending];
