/** Kubernetes rules: the restricted pod profile, workloads, namespaces, production serving floors, data pipelines and the training loop. */
import { MlopsPolicy } from "../meta";
import { namespaceRules } from "./namespaces";
import { pipelineRules } from "./pipelines";
import { podSecurityRules } from "./pod-security";
import { kubernetesReliabilityRules } from "./reliability";
import { trainingRules } from "./training";
import { workloadRules } from "./workloads";

export const kubernetesRules: readonly MlopsPolicy[] = [
    ...podSecurityRules,
    ...workloadRules,
    ...namespaceRules,
    ...kubernetesReliabilityRules,
    ...pipelineRules,
    ...trainingRules,
];
