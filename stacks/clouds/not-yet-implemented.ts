/**
 * AWS, GCP and Azure: their config is parsed and validated (implementations, accelerators) already,
 * but their components are not in this release. Fail clearly instead of deploying half a platform.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/schema";

const TRACKING: Record<string, string> = { aws: "issue #3", gcp: "issue #4", azure: "issue #5" };

export function notYetImplemented(config: StackConfig): never {
    throw new pulumi.RunError(
        `mlops:cloud "${config.cloud}" is not implemented in this release (tracked in ${TRACKING[config.cloud]}). ` +
            `Its config was validated; deploy with mlops:cloud "kubernetes" meanwhile.`,
    );
}
