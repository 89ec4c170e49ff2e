/**
 * Test harness: run code under Pulumi's mocked engine and query what it registered. Built on the same
 * capture the offline plan uses (stacks/plan/capture.ts).
 */
import * as assert from "node:assert/strict";
import { capture, CapturedResource, CaptureResult } from "../../stacks/plan/capture";

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
    assert.equal(found.length, 1, `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
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
