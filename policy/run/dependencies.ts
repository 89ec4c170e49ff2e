/**
 * A resource's `dependencies` and `propertyDependencies`, as the engine receives them in the
 * registration request. The offline capture (stacks/plan/capture.ts) records them; stack rules join
 * companions through them, as the policy server does at preview, where IDs are unknown.
 */
export interface Dependencies {
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}
