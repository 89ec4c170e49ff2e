/**
 * Azure-only settings: the `azure` sub-object of each `mlops:` section (`mlops:dataLake.azure`,
 * `mlops:mlPlatform.azure`, `mlops:containerService.azure`, `mlops:serverlessInference.azure`,
 * `mlops:models[i].azure`). Parsed only when `mlops:cloud` is `azure`.
 */
import { CloudSections } from "./cloud-sections";
import { Reader } from "./fields";

export interface AzureConfig {}

export function parseAzureConfig(sections: CloudSections, read: Reader): AzureConfig {
    for (const [path, value] of sections.all()) read.object(value, path, []);
    return {};
}
