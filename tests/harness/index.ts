/**
 * Test harness: run code under Pulumi's mocked engine and query what it registered. Built on the same
 * capture the offline plan uses (stacks/plan/capture.ts).
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "@mlops/components";
import * as path from "path";
import { capture, CapturedResource, CaptureResult } from "../../stacks/plan/capture";
import { Plan, planStack } from "../../stacks/plan/plan";
import { parseStackConfig } from "../../stacks/config/parse";

export type { CapturedResource, CaptureResult };

/** Runs `build` (which creates components) under mocks as stack `test` of project `mlops`. */
export async function captureResources(
    build: () => unknown,
    options: { stack?: string; config?: Record<string, string>; preview?: boolean } = {},
): Promise<CaptureResult> {
    return capture(
        { project: "mlops", stack: options.stack ?? "test", config: options.config ?? {}, preview: options.preview },
        async () => {
            build();
            return {};
        },
    );
}

/** All captured resources of a type token, e.g. `kubernetes:apps/v1:Deployment`. */
export function ofType(resources: readonly CapturedResource[], type: string): CapturedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The one resource of a type (and name, when given); fails the test when there is not exactly one. */
export function only(resources: readonly CapturedResource[], type: string, name?: string): CapturedResource {
    const found = ofType(resources, type).filter((r) => name === undefined || r.name === name);
    assert.equal(
        found.length,
        1,
        `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`,
    );
    return found[0];
}

/** Children of a resource (direct). */
export function childrenOf(resources: readonly CapturedResource[], parent: CapturedResource): CapturedResource[] {
    return resources.filter((r) => r.parent === parent.urn);
}

/** Asserts that `fn` throws an Error whose message matches every pattern. */
export function assertThrowsAll(fn: () => unknown, patterns: readonly (RegExp | string)[]): Error {
    let error: unknown;
    try {
        fn();
    } catch (e) {
        error = e;
    }
    assert.ok(error instanceof Error, "expected an error to be thrown");
    for (const p of patterns) {
        if (typeof p === "string") assert.ok(error.message.includes(p), `message lacks ${JSON.stringify(p)}:\n${error.message}`);
        else assert.match(error.message, p);
    }
    return error;
}

/** Resolves an Output's value (run without preview: unknowns would never resolve). */
export const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));

/** The pod spec of a workload (Deployment, StatefulSet, Job, Knative Service). */
export const podSpec = (r: CapturedResource): any => r.inputs.spec.template.spec;

/**
 * Builds a component with bad args. Returns the ValidationError (asserting it names `subject`, e.g.
 * `MinioDataLake "lake"`) and every resource registered before it was thrown: there must be none.
 */
export async function rejectedBuild(
    build: () => unknown,
    subject: string,
): Promise<{ error: ValidationError; message: string; registered: string[] }> {
    let error: unknown;
    const { resources } = await captureResources(() => {
        try {
            build();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.ok(error.message.startsWith(`${subject} is invalid`), error.message);
    const registered = resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type} ${r.name}`);
    return { error, message: error.message, registered };
}

const plans = new Map<string, Promise<Plan>>();

/**
 * The offline plan of a shipped stack, computed once per test run: plans are deterministic, and several
 * suites (stack invariants, per-cloud stack tests) read the same one. Treat the result as read-only.
 */
export function shippedPlan(stack: string): Promise<Plan> {
    if (!plans.has(stack)) plans.set(stack, planStack(path.resolve(__dirname, "..", ".."), stack));
    return plans.get(stack)!;
}

/** The problems `parseStackConfig` lists for a stack config it must refuse (fails the test if it accepts it). */
export function configProblems(
    raw: Record<string, string>,
    opts: { project: string; stack: string; projectRoot: string },
): readonly string[] {
    try {
        parseStackConfig(raw, opts);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
    return assert.fail("expected the config to be rejected");
}

/** Asserts exactly one problem starts with the key `start` and contains every part. */
export function hasProblem(problems: readonly string[], start: string, ...parts: (string | RegExp)[]): void {
    const found = problems.filter(
        (p) => p.startsWith(start) && parts.every((part) => (typeof part === "string" ? p.includes(part) : part.test(p))),
    );
    assert.equal(found.length, 1, `expected one problem at ${start} with ${parts.join(" + ")}; problems:\n${problems.join("\n")}`);
}
