/**
 * The Aws stack. Placeholder until the Aws components land: fails clearly instead of deploying half a
 * platform.
 */
import { StackConfig } from "../config/schema";
import { StackOutputs } from "../build";
import { notYetImplemented } from "./not-yet-implemented";

export function buildAwsStack(config: StackConfig): StackOutputs {
    return notYetImplemented(config);
}
