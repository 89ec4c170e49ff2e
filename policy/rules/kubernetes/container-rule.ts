/** Builds the per-container rules shared by every workload kind (Deployment, StatefulSet, Job, Knative ...). */
import { MlopsPolicy, resourceRule, RuleConfig } from "../meta";
import { at, Fields } from "../lib/read";
import { Container, containersOf, label, LONG_RUNNING, podSpec, WORKLOADS } from "./types";

type Spec = Omit<Parameters<typeof resourceRule>[0], "types" | "check" | "clouds">;

/** A problem found in one container; the builder prefixes it with the container's name. */
export type ContainerCheck = (c: Container, pod: Fields, config: RuleConfig) => string | readonly string[] | undefined;

export function containerRule(
    spec: Spec & { readonly check: ContainerCheck; readonly longRunningOnly?: boolean; readonly containersOnly?: boolean },
): MlopsPolicy {
    return resourceRule({
        ...spec,
        clouds: ["kubernetes"],
        types: spec.longRunningOnly ? LONG_RUNNING : WORKLOADS,
        check: (r, config) => {
            const pod = podSpec(r.type, r.props) ?? {};
            const containers = containersOf(pod).filter((c) => !spec.containersOnly || c.kind === "container");
            return containers.flatMap((c) => [spec.check(c, pod, config) ?? []].flat().map((p) => `${label(c)}: ${p}`));
        },
    });
}

/** A pod-level setting inherited by the container unless it sets its own. */
export function effective(c: Container, pod: Fields, key: string): unknown {
    return at(c.spec, ["securityContext", key]) ?? at(pod, ["securityContext", key]);
}
