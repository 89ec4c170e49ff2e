/**
 * The registered deployment targets: one line each. A target declares its config, checks,
 * implementations and build in its own file (./types.ts says what; docs/extending.md walks through it).
 */
import { awsTarget } from "./aws";
import { azureTarget } from "./azure";
import { gcpTarget } from "./gcp";
import { kubernetesTarget } from "./kubernetes";
import type { Service } from "@mlops/components";
import { PILLARS, type Pillar } from "../config/schema";
import type { Target } from "./types";

export type { Target } from "./types";

export const TARGETS: readonly Target[] = [
    awsTarget, //
    gcpTarget,
    azureTarget,
    kubernetesTarget,
];

/** Implementations per pillar and target (first one the default), as the targets declare them. */
export function implementationsByPillar(targets: readonly Target[] = TARGETS): Record<Pillar, Record<string, Record<string, Service>>> {
    return Object.fromEntries(
        PILLARS.map((pillar) => [pillar, Object.fromEntries(targets.map((t) => [t.cloud, { ...t.implementations[pillar] }]))]),
    ) as Record<Pillar, Record<string, Record<string, Service>>>;
}

/** The target a cloud name selects, if registered. */
export function targetFor(cloud: string, targets: readonly Target[] = TARGETS): Target | undefined {
    return targets.find((t) => t.cloud === cloud);
}
