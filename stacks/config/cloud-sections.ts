/**
 * Cloud-specific settings live in a sub-object named after the cloud inside each section, e.g.
 * `mlops:mlPlatform.aws.natGateways`. This gathers those sub-objects for the selected cloud's parser.
 */
import { Environment } from "./schema";

export const CLOUD_SECTIONS = ["dataLake", "mlPlatform", "containerService", "serverlessInference"] as const;
export type CloudSection = (typeof CLOUD_SECTIONS)[number];

export class CloudSections {
    constructor(
        /** Key path prefix, e.g. `mlops:`. */
        readonly ns: string,
        readonly environment: Environment,
        /** The cloud's sub-object of each section (undefined when not set). */
        readonly sections: Readonly<Record<CloudSection, unknown>>,
        /** The cloud's sub-object of each model, by model index. */
        readonly models: readonly unknown[],
        /** The cloud key, e.g. `aws`. */
        readonly cloud: string,
        /** The provider's own config (`aws:region`, `gcp:project`, `azure-native:location`, ...), read-only. */
        readonly providerConfig: Readonly<Record<string, string>> = {},
        /** The project root (where Pulumi.yaml is): model `files` and sample code paths are relative to it. */
        readonly projectRoot: string = "",
    ) {}

    /** Key path of a section's sub-object: `mlops:mlPlatform.aws`. */
    path(section: CloudSection): string {
        return `${this.ns}${section}.${this.cloud}`;
    }

    /** Key path of a model's sub-object: `mlops:models[0].aws`. */
    modelPath(index: number): string {
        return `${this.ns}models[${index}].${this.cloud}`;
    }

    /** Every [path, value] pair, sections then models. */
    all(): [string, unknown][] {
        return [
            ...CLOUD_SECTIONS.map((s): [string, unknown] => [this.path(s), this.sections[s]]),
            ...this.models.map((m, i): [string, unknown] => [this.modelPath(i), m]),
        ];
    }
}
