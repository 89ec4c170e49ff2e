/** Azure rules: the ADLS Gen2 lake, Key Vault, registry, Azure ML, Container Apps, Functions, role assignments, the audit trail, data pipelines and training pipelines. */
import { MlopsPolicy } from "../meta";
import { azurePipelineRules } from "./pipelines";
import { azurePlatformRules } from "./platform";
import { azureServingRules } from "./serving";
import { azureStorageRules } from "./storage";
import { azureTrainingRules } from "./training";

export const azureRules: readonly MlopsPolicy[] = [
    ...azureStorageRules,
    ...azurePlatformRules,
    ...azureServingRules,
    ...azurePipelineRules,
    ...azureTrainingRules,
];
