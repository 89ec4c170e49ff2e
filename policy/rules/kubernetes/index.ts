/** Kubernetes rules: the restricted pod profile, workloads, namespaces and production serving floors. */
import { MlopsPolicy } from "../meta";
import { namespaceRules } from "./namespaces";
import { podSecurityRules } from "./pod-security";
import { kubernetesReliabilityRules } from "./reliability";
import { workloadRules } from "./workloads";

export const kubernetesRules: readonly MlopsPolicy[] = [
    ...podSecurityRules,
    ...workloadRules,
    ...namespaceRules,
    ...kubernetesReliabilityRules,
];
