/** Azure rules: the ADLS Gen2 lake, Key Vault, registry, Azure ML, Container Apps, Functions, role assignments and the audit trail. */
import { MlopsPolicy } from "../meta";
import { azurePipelineRules } from "./pipelines";
import { azurePlatformRules } from "./platform";
import { azureServingRules } from "./serving";
import { azureStorageRules } from "./storage";

export const azureRules: readonly MlopsPolicy[] = [
    ...azureStorageRules,
    ...azurePlatformRules,
    ...azureServingRules,
    ...azurePipelineRules,
];
