/** Where the estimator's input comes from: a stack's offline plan (the CLI) or its recorded plan (tests, README table). */
import * as fs from "fs";
import * as path from "path";
import { RecordedPlan } from "../plan/recorded";
import { loadStackConfig } from "../plan/stack-config";
import { CostInput, CostResource } from "./types";

const REGION_KEYS: Record<string, string> = { aws: "aws:region", gcp: "gcp:region", azure: "azure-native:location" };

/** The stack's cloud and region, from its stack file (and Pulumi.yaml defaults). */
export function stackPlace(projectRoot: string, stack: string): { cloud: string; region: string } {
    const { config } = loadStackConfig(projectRoot, stack);
    const cloud = config["mlops:cloud"] ?? "kubernetes";
    const key = REGION_KEYS[cloud];
    return { cloud, region: key ? (config[key] ?? "") : "" };
}

export async function planInput(projectRoot: string, stack: string): Promise<CostInput> {
    const place = stackPlace(projectRoot, stack);
    const { planStack } = await import("../plan/plan");
    const plan = await planStack(projectRoot, stack);
    const resources: CostResource[] = plan.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        inputs: r.inputs as Record<string, unknown>,
    }));
    return { stack, ...place, resources, outputs: JSON.parse(JSON.stringify(plan.outputs ?? {})) };
}

export const RECORD_DIR = (projectRoot: string): string => path.join(projectRoot, "tests", "fixtures", "plans");

/** The estimator's input from tests/fixtures/plans/<stack>.json: no program run, so it is fast and stable. */
export function recordedInput(projectRoot: string, stack: string): CostInput {
    const record = JSON.parse(fs.readFileSync(path.join(RECORD_DIR(projectRoot), `${stack}.json`), "utf8")) as RecordedPlan;
    return { stack, ...stackPlace(projectRoot, stack), resources: record.resources, outputs: record.outputs };
}
