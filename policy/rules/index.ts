/**
 * Every rule of the pack, importable without starting the policy server (policy/index.ts is the only
 * module that constructs the PolicyPack). Tests and the offline runner import this module.
 */
import { awsRules } from "./aws";
import { azureRules } from "./azure";
import { commonRules } from "./common/data-safety";
import { gcpRules } from "./gcp";
import { kubernetesRules } from "./kubernetes";
import { MlopsPolicy } from "./meta";

export type { MlopsPolicy } from "./meta";

export const policies: readonly MlopsPolicy[] = [...commonRules, ...kubernetesRules, ...awsRules, ...gcpRules, ...azureRules];
