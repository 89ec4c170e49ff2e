/**
 * The offline plan: run a shipped stack's program against the mocked engine and return every resource
 * it would register, in the JSON shape of docs/architecture.md ("Offline plan").
 */
import { capture, CapturedInputs, CapturedResource } from "./capture";
import { loadStackConfig } from "./stack-config";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly id: string | null;
    readonly parent: string | null;
    /** Resolved inputs, JSON (see CapturedInputs). */
    readonly inputs: CapturedInputs;
    readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean };
}

export interface Plan {
    readonly stack: string;
    readonly project: string;
    readonly resources: PlanResource[];
    /** Stack outputs as the program returned them (not part of the JSON contract). */
    readonly outputs: Record<string, unknown>;
    /** Each resource's dependencies by URN, as the engine would receive them (not part of the JSON contract). */
    readonly dependencies?: ReadonlyMap<string, Pick<CapturedResource, "dependencies" | "propertyDependencies">>;
}

export async function planStack(projectRoot: string, stack: string): Promise<Plan> {
    const loaded = loadStackConfig(projectRoot, stack);
    // Loaded lazily so config is set before the program's modules (and provider SDKs) evaluate.
    const { readStackConfig } = await import("../config/read");
    const { buildStack } = await import("../build");
    const result = await capture(
        { project: loaded.project, stack: loaded.stack, config: loaded.config, secretKeys: loaded.secretKeys },
        () => buildStack(readStackConfig(projectRoot)),
    );
    return {
        stack: loaded.stack,
        project: loaded.project,
        resources: result.resources.map(toPlanResource),
        outputs: result.outputs,
        dependencies: new Map(
            result.resources.map((r) => [r.urn, { dependencies: r.dependencies, propertyDependencies: r.propertyDependencies }]),
        ),
    };
}

function toPlanResource(r: CapturedResource): PlanResource {
    return { urn: r.urn, type: r.type, name: r.name, id: r.id, parent: r.parent, inputs: r.inputs, options: r.options };
}
