/**
 * Labels and tags put on every resource, with the same keys on every cloud (GCP label rules are the
 * strictest: lowercase keys and values, at most 63 characters, so every value is slugged to fit).
 */
import { fitName } from "./naming";

export interface Ownership {
    /** The Pulumi project, e.g. `mlops`. */
    project: string;
    /** The Pulumi stack, e.g. `dev`. */
    stack: string;
    /** `dev`, `staging` or `prod`. */
    environment: string;
}

/** Cloud tags / labels: `{ "mlops-project": ..., "mlops-stack": ..., "mlops-environment": ... }`. */
export function ownershipTags(o: Ownership): Record<string, string> {
    return {
        "mlops-project": fitName([o.project], 63),
        "mlops-stack": fitName([o.stack], 63),
        "mlops-environment": fitName([o.environment], 63),
        "managed-by": "pulumi",
    };
}

/** Kubernetes recommended labels plus the ownership labels. */
export function kubernetesLabels(o: Ownership, component: string, name?: string): Record<string, string> {
    const labels: Record<string, string> = {
        "app.kubernetes.io/part-of": fitName([o.project], 63),
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/component": fitName([component], 63),
        "mlops.dev/stack": fitName([o.stack], 63),
        "mlops.dev/environment": fitName([o.environment], 63),
    };
    if (name) labels["app.kubernetes.io/name"] = fitName([name], 63);
    return labels;
}
