/**
 * Offline enforcement: plan a shipped stack with the mocked engine (stacks/plan), turn its resources
 * into what the policy server would see, and run the whole pack. The stack's `mlops:environment` is
 * passed as the `mlops:environment` stack tag, as `pulumi stack tag set` does for a real preview.
 */
import { EnforcementLevel, Policy } from "@pulumi/policy";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { Plan, PlanResource, planStack } from "../../stacks/plan/plan";
import { UNKNOWN as PLAN_UNKNOWN } from "../../stacks/plan/capture";
import { loadStackConfig } from "../../stacks/plan/stack-config";
import { ENVIRONMENT_TAG } from "../rules/lib/environment";
import { Dependencies } from "./dependencies";
import { Finding, OfflineResource, PackConfig, runPolicies } from "./engine";

export interface StackReport {
    readonly stack: string;
    readonly environment: string;
    readonly resources: number;
    readonly findings: Finding[];
}

/** The plan prints unknowns as "[unknown]"; policies meet them as the engine's unknown sentinel. */
function restoreUnknowns(value: unknown): unknown {
    if (value === PLAN_UNKNOWN) return rpc.unknownValue;
    if (Array.isArray(value)) return value.map(restoreUnknowns);
    if (value !== null && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreUnknowns(v)]));
    return value;
}

/** A plan resource as the policy server shows it. */
export function toOfflineResource(r: PlanResource, deps?: Dependencies): OfflineResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: restoreUnknowns(r.inputs) as Record<string, unknown>,
        protect: r.options.protect,
        id: r.id ?? undefined,
        parent: r.parent ?? undefined,
        dependencies: deps?.dependencies ?? [],
        propertyDependencies: deps?.propertyDependencies ?? {},
    };
}

/** The stack tags a preview of this stack carries once `mlops:environment` is tagged. */
export function stackTagsFor(project: string, environment: string): Map<string, string> {
    return new Map([
        ["pulumi:project", project],
        ["pulumi:runtime", "nodejs"],
        [ENVIRONMENT_TAG, environment],
    ]);
}

export interface CheckOptions {
    readonly config?: PackConfig;
    /** Leave out the `mlops:environment` stack tag (a stack nobody tagged): rules fall back to labels. */
    readonly withoutEnvironmentTag?: boolean;
    readonly packEnforcement?: EnforcementLevel;
}

/**
 * What the same stack looks like during `pulumi preview` of a first deployment: no resource exists yet,
 * so every input that carries another resource's ID (the bucket name a BucketVersioning points at, an
 * ARN or resource URI built from an ID) is unknown. Property dependencies stay known, as in the engine.
 */
export function asFirstPreview(resources: readonly OfflineResource[]): OfflineResource[] {
    const ids = resources.map((r) => r.id).filter((id): id is string => typeof id === "string" && id.length > 0);
    const hide = (value: unknown): unknown => {
        if (typeof value === "string") return ids.some((id) => value.includes(id)) ? rpc.unknownValue : value;
        if (Array.isArray(value)) return value.map(hide);
        if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v)]));
        return value;
    };
    return resources.map((r) => ({ ...r, props: hide(r.props) as Record<string, unknown> }));
}

/** A stack's resources as the policy server would see them, planned offline. */
export interface PlannedStack {
    readonly stack: string;
    readonly project: string;
    readonly environment: string;
    readonly resources: OfflineResource[];
}

/**
 * Plans a stack offline (or takes a plan already made) with each resource's dependencies, which the
 * capture reads from the same registration requests the engine receives.
 */
export async function planForPolicies(projectRoot: string, stack: string, planned?: Promise<Plan>): Promise<PlannedStack> {
    const loaded = loadStackConfig(projectRoot, stack);
    const plan = await (planned ?? planStack(projectRoot, stack));
    const dependencies = plan.dependencies ?? new Map();
    return {
        stack,
        project: loaded.project,
        environment: loaded.config["mlops:environment"] ?? "dev",
        resources: plan.resources.map((r) => toOfflineResource(r, dependencies.get(r.urn))),
    };
}

/** Runs `policies` over a planned stack. */
export async function checkPlanned(planned: PlannedStack, policies: readonly Policy[], options: CheckOptions = {}): Promise<StackReport> {
    const stackTags = stackTagsFor(planned.project, planned.environment);
    if (options.withoutEnvironmentTag) stackTags.delete(ENVIRONMENT_TAG);
    const findings = await runPolicies(policies, planned.resources, {
        stackTags,
        config: options.config,
        packEnforcement: options.packEnforcement ?? "advisory",
    });
    return { stack: planned.stack, environment: planned.environment, resources: planned.resources.length, findings };
}
