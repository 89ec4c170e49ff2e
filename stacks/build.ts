/**
 * Builds the stack for the configured cloud. Each cloud's module is loaded only when selected, so a
 * stack loads only its own cloud's SDK (tests/stacks/sdk-isolation.test.ts proves it).
 */
import { StackConfig } from "./config/schema";

/** Cloud-neutral stack outputs. */
export type StackOutputs = Record<string, unknown>;

export async function buildStack(config: StackConfig): Promise<StackOutputs> {
    switch (config.cloud) {
        case "kubernetes":
            return (await import("./clouds/kubernetes")).buildKubernetesStack(config);
        case "aws":
            return (await import("./clouds/aws")).buildAwsStack(config);
        case "gcp":
            return (await import("./clouds/gcp")).buildGcpStack(config);
        case "azure":
            return (await import("./clouds/azure")).buildAzureStack(config);
        default: {
            const unknown: never = config.cloud;
            throw new Error(`unknown cloud ${String(unknown)}`);
        }
    }
}
