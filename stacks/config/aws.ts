/**
 * Aws-only settings: the `aws` sub-object of each `mlops:` section (`mlops:dataLake.aws`,
 * `mlops:mlPlatform.aws`, `mlops:containerService.aws`, `mlops:serverlessInference.aws`,
 * `mlops:models[i].aws`). Parsed only when `mlops:cloud` is `aws`.
 */
import { CloudSections } from "./cloud-sections";
import { Reader } from "./fields";

export interface AwsConfig {}

export function parseAwsConfig(sections: CloudSections, read: Reader): AwsConfig {
    for (const [path, value] of sections.all()) read.object(value, path, []);
    return {};
}
