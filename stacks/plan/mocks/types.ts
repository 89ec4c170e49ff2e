/** One provider's share of the mocked engine: computed outputs of resources, results of function calls. */
export interface ProviderMocks {
    /** Provider-computed outputs to add to a resource's inputs (ARNs, URLs, auto-names, ...). */
    state?(type: string, name: string, inputs: Record<string, any>): Record<string, any>;
    /** The result of a provider function (`aws:index/getCallerIdentity:getCallerIdentity`, ...). */
    call?(token: string, inputs: Record<string, any>): Record<string, any> | undefined;
}
