/**
 * The Azure stack. Placeholder until the Azure components land: fails clearly instead of deploying half a
 * platform.
 */
import { StackConfig } from "../config/schema";
import { StackOutputs } from "../build";
import { notYetImplemented } from "./not-yet-implemented";

export function buildAzureStack(config: StackConfig): StackOutputs {
    return notYetImplemented(config);
}
