/**
 * Records each resource's `dependencies` and `propertyDependencies` while the offline plan runs. The
 * plan's JSON contract carries no dependencies, but stack rules join companions through them (as the
 * policy server does at preview, where IDs are unknown). We read them from the same registration
 * request the engine would receive, by wrapping the mocked engine's `registerResource` once; the wrapper
 * only observes and then calls the original.
 */
import * as mocks from "@pulumi/pulumi/runtime/mocks";

export interface Dependencies {
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
}

const recorded = new Map<string, Dependencies>();
let installed = false;

function install(): void {
    if (installed) return;
    installed = true;
    const proto = (mocks as unknown as { MockMonitor: { prototype: any } }).MockMonitor.prototype;
    const original = proto.registerResource;
    proto.registerResource = function (this: any, req: any, callback: unknown) {
        const urn: string = this.newUrn(req.getParent(), req.getType(), req.getName());
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v: any, k: string) => {
            propertyDependencies[k] = v.getUrnsList();
        });
        recorded.set(urn, { dependencies: req.getDependenciesList(), propertyDependencies });
        return original.call(this, req, callback);
    };
}

/** Runs `fn` (a plan) and returns its result with the dependencies recorded meanwhile, by URN. */
export async function withDependencies<T>(fn: () => Promise<T>): Promise<{ result: T; dependencies: ReadonlyMap<string, Dependencies> }> {
    install();
    recorded.clear();
    const result = await fn();
    const dependencies = new Map(recorded);
    recorded.clear();
    return { result, dependencies };
}
