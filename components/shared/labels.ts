/**
 * Labels and tags put on every resource, with the same keys on every cloud (GCP label rules are the
 * strictest: lowercase keys and values, at most 63 characters, so every value is slugged to fit).
 */
import { fitName } from "./naming";
import { Problems } from "./problems";

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

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Adds a problem for every tag that is not a valid Kubernetes label (key and value rules). */
export function labelProblems(tags: Readonly<Record<string, string>>, problems: Problems): void {
    for (const [key, value] of Object.entries(tags)) {
        if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
            problems.add({
                path: `tags.${key}`,
                value,
                message: "is not a valid Kubernetes label",
                fix: "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            });
        }
    }
}
