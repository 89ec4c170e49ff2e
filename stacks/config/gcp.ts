/**
 * Gcp-only settings: the `gcp` sub-object of each `mlops:` section (`mlops:dataLake.gcp`,
 * `mlops:mlPlatform.gcp`, `mlops:containerService.gcp`, `mlops:serverlessInference.gcp`,
 * `mlops:models[i].gcp`). Parsed only when `mlops:cloud` is `gcp`.
 */
import { CloudSections } from "./cloud-sections";
import { Reader } from "./fields";

export interface GcpConfig {}

export function parseGcpConfig(sections: CloudSections, read: Reader): GcpConfig {
    for (const [path, value] of sections.all()) read.object(value, path, []);
    return {};
}
