/**
 * A namespace for one component: restricted Pod Security enforced by the API server, and a
 * NetworkPolicy that denies all ingress and egress until the component allows what it uses.
 * Kubernetes implementations only (loads @pulumi/kubernetes).
 */
import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { RESTRICTED_NAMESPACE_LABELS } from "./kubernetes-pods";

export interface RestrictedNamespace {
    readonly namespace: corev1.Namespace;
    /** The namespace name (known at preview: it is set explicitly). */
    readonly name: string;
}

/**
 * Creates namespace `name` (never `default`) with restricted PSS labels and a default-deny policy.
 * Children are named from `resourcePrefix` and parented to `parent`.
 */
export function restrictedNamespace(
    resourcePrefix: string,
    name: string,
    labels: Record<string, string>,
    parent: pulumi.Resource,
    opts: { protect?: boolean; retainOnDelete?: boolean } = {},
): RestrictedNamespace {
    if (name === "default") throw new Error(`namespace "default" is not allowed (CKV_K8S_21): give the component its own namespace`);
    const namespace = new corev1.Namespace(
        `${resourcePrefix}-ns`,
        { metadata: { name, labels: { ...labels, ...RESTRICTED_NAMESPACE_LABELS } } },
        // retainOnDelete matters: deleting a namespace deletes its PersistentVolumeClaims.
        { parent, protect: opts.protect, retainOnDelete: opts.retainOnDelete },
    );
    new networkingv1.NetworkPolicy(
        `${resourcePrefix}-deny-all`,
        {
            metadata: { name: "default-deny-all", namespace: name, labels },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        { parent, dependsOn: [namespace] },
    );
    return { namespace, name };
}

/** Egress to cluster DNS (kube-dns / CoreDNS in kube-system), which every pod that resolves names needs. */
export function allowDnsEgress(
    resourceName: string,
    namespace: string,
    podSelector: Record<string, string>,
    labels: Record<string, string>,
    parent: pulumi.Resource,
    dependsOn: pulumi.Resource[],
): networkingv1.NetworkPolicy {
    return new networkingv1.NetworkPolicy(
        resourceName,
        {
            metadata: { name: "allow-dns-egress", namespace, labels },
            spec: {
                podSelector: { matchLabels: podSelector },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ],
            },
        },
        { parent, dependsOn },
    );
}
