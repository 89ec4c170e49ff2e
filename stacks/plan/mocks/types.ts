import type * as pulumi from "@pulumi/pulumi";

/** A resource's inputs as the SDK's mock engine hands them over (`MockResourceArgs.inputs`, untyped JSON). */
export type MockInputs = pulumi.runtime.MockResourceArgs["inputs"];
/** A function call's arguments as the SDK's mock engine hands them over (`MockCallArgs.inputs`). */
export type MockCallInputs = pulumi.runtime.MockCallArgs["inputs"];

/** One provider's share of the mocked engine: computed outputs of resources, results of function calls. */
export interface ProviderMocks {
    /** Provider-computed outputs to add to a resource's inputs (ARNs, URLs, auto-names, ...). */
    state?(type: string, name: string, inputs: MockInputs): Record<string, unknown>;
    /** The result of a provider function (`aws:index/getCallerIdentity:getCallerIdentity`, ...). */
    call?(token: string, inputs: MockCallInputs): Record<string, unknown> | undefined;
}
