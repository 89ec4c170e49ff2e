/** Namespaces: no object in `default`, restricted Pod Security admission, default-deny traffic, nothing exposed. */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, oneOf, peek, whenKnown } from "../lib/read";
import { K8S, NAMESPACED } from "./types";

export const noDefaultNamespace = resourceRule({
    name: "k8s-no-default-namespace",
    description: "Namespaced objects name their namespace, and it is not `default`.",
    severity: "medium",
    remediation:
        "set metadata.namespace to a namespace the stack owns (mlops components create one per component with restrictedNamespace() in components/shared/kubernetes-namespace.ts)",
    mirrors: ["CKV_K8S_21", "KSV-0110", "CIS-K8s 5.7.4"],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: NAMESPACED,
    check: (r) => {
        const ns = at(r.props, "metadata.namespace");
        if (ns === undefined || ns === null || ns === "")
            return ["metadata.namespace is not set, so the object lands in the default namespace"];
        return ns === "default" ? ['metadata.namespace is "default"'] : [];
    },
});

const ENFORCE = "pod-security.kubernetes.io/enforce";

export const restrictedAdmission = resourceRule({
    name: "k8s-namespace-restricted-admission",
    description: "Namespaces enforce the restricted Pod Security Standard through Pod Security admission.",
    severity: "high",
    remediation: `label the namespace ${ENFORCE}: restricted (RESTRICTED_NAMESPACE_LABELS in components/shared/kubernetes-pods.ts)`,
    mirrors: ["CIS-K8s 5.2.1", CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.namespace],
    check: (r) => {
        const level = at(r.props, ["metadata", "labels", ENFORCE]);
        return level === "restricted" ? [] : [`label ${ENFORCE} is ${level === undefined ? "unset" : `"${level}"`}, not "restricted"`];
    },
});

/** A NetworkPolicy selecting every pod of its namespace and denying both directions unless allowed. */
function isDefaultDeny(policy: PolicyResource): boolean {
    const spec = policy.props.spec ?? {};
    const selector = spec.podSelector ?? {};
    const selectsAll = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
    const types: unknown[] = spec.policyTypes ?? [];
    return (
        selectsAll &&
        types.includes("Ingress") &&
        types.includes("Egress") &&
        (spec.ingress ?? []).length === 0 &&
        (spec.egress ?? []).length === 0
    );
}

export const defaultDenyNetworkPolicy = stackRule({
    name: "k8s-default-deny-network-policy",
    description:
        "Every namespace the stack creates has a default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules); other policies then allow what is used.",
    severity: "high",
    remediation:
        "create a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] in the namespace (restrictedNamespace() in components/shared/kubernetes-namespace.ts does), then allow traffic explicitly",
    mirrors: ["CIS-K8s 5.3.2", CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.namespace],
    validate: ({ view, report }) => {
        const policies = view.ofType([K8S.networkPolicy]);
        for (const ns of view.ofType([K8S.namespace])) {
            const name = peek(ns.props, "metadata.name");
            // Joined by namespace name when it is known, else by the policy's dependency on the Namespace.
            const inNamespace = policies.filter((p) => {
                const pns = peek(p.props, "metadata.namespace");
                if (typeof name === "string" && pns === name) return true;
                return [...(p.propertyDependencies?.metadata ?? []), ...(p.dependencies ?? [])].some((d) => d.urn === ns.urn);
            });
            const verdicts = inNamespace.map((p) => whenKnown(() => isDefaultDeny(p)));
            // A policy unknown at preview may be the default deny: it is judged again on `up`.
            if (!verdicts.includes(true) && !verdicts.includes(undefined))
                report(ns, `namespace ${typeof name === "string" ? name : ns.name} has no default-deny NetworkPolicy`);
        }
    },
});

const PUBLIC_SERVICE_TYPES = ["LoadBalancer", "NodePort"];
const VISIBILITY = "networking.knative.dev/visibility";

export const noPublicExposure = resourceRule({
    name: "k8s-no-public-exposure",
    description: "Services are cluster-internal: no LoadBalancer or NodePort Service, and Knative Services are cluster-local.",
    severity: "high",
    remediation: `keep Services ClusterIP and label Knative Services ${VISIBILITY}: cluster-local (components/serverless-inference/kubernetes.ts does); publish through your own authenticated ingress`,
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.service, K8S.knativeService],
    check: (r) => {
        if (r.type === K8S.knativeService) {
            return at(r.props, ["metadata", "labels", VISIBILITY]) === "cluster-local"
                ? []
                : [`Knative Service is reachable from outside the cluster (label ${VISIBILITY} is not cluster-local)`];
        }
        const type = at(r.props, "spec.type");
        return oneOf(PUBLIC_SERVICE_TYPES, type) ? [`Service type is ${type}`] : [];
    },
});

export const namespaceRules: readonly MlopsPolicy[] = [noDefaultNamespace, restrictedAdmission, defaultDenyNetworkPolicy, noPublicExposure];
