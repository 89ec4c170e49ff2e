/**
 * Builds the stack of the configured target (stacks/targets/). Each target loads its SDK modules only
 * when selected, so a stack loads only its own cloud's SDK (tests/stacks/sdk-isolation.test.ts proves it).
 */
import { StackConfig, StackOutputs } from "./config/schema";
import { TARGETS, Target, targetFor } from "./targets";

export async function buildStack(config: StackConfig, targets: readonly Target[] = TARGETS): Promise<StackOutputs> {
    const target = targetFor(config.cloud, targets);
    if (!target) throw new Error(`unknown cloud ${config.cloud}: targets are ${targets.map((t) => t.cloud).join(", ")}`);
    return target.build(config);
}
