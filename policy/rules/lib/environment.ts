/**
 * Which environment (`dev`, `staging`, `prod`) a resource belongs to, so reliability floors and `protect`
 * apply to production only. `pulumi preview --policy-pack` and the offline runner must give the same
 * answer, so the sources are ones both see:
 *
 *   1. the stack tag `mlops:environment` (`pulumi stack tag set mlops:environment prod`; the offline
 *      runner passes the stack's `mlops:environment` config as this tag);
 *   2. the resource's own ownership label, which every mlops component sets from `mlops:environment`
 *      (`mlops-environment` tag or label on AWS, GCP and Azure, `mlops.dev/environment` on Kubernetes);
 *   3. the one environment every labelled resource of the stack agrees on (for types without labels,
 *      such as a GCP key ring or an Azure blob container);
 *   4. otherwise `prod`: a resource nobody labelled gets the strictest checks, never the loosest.
 */
import { peek } from "./read";

export const ENVIRONMENT_TAG = "mlops:environment";
export const STRICTEST_ENVIRONMENT = "prod";

/** Where the ownership label lives, per provider family: [map path, key]. */
const LABELS: readonly (readonly [string, string])[] = [
    ["tags", "mlops-environment"],
    ["labels", "mlops-environment"],
    ["metadata.labels", "mlops.dev/environment"],
];

/** The environment label a resource carries itself, if any. */
export function labelledEnvironment(props: unknown): string | undefined {
    for (const [mapPath, key] of LABELS) {
        const value = peek(peek(props, mapPath), [key]);
        if (typeof value === "string" && value.length > 0) return value;
    }
    return undefined;
}

/** The single environment the labelled resources of a stack agree on, if they agree. */
export function stackEnvironment(allProps: readonly unknown[]): string | undefined {
    const seen = new Set(allProps.map(labelledEnvironment).filter((e): e is string => e !== undefined));
    return seen.size === 1 ? [...seen][0] : undefined;
}

/** Resolves a resource's environment with the precedence described above. */
export function environmentOf(props: unknown, stackTags: ReadonlyMap<string, string>, consensus?: string): string {
    return stackTags.get(ENVIRONMENT_TAG) ?? labelledEnvironment(props) ?? consensus ?? STRICTEST_ENVIRONMENT;
}
