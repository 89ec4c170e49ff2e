/**
 * The lake's private endpoints: where they go and the Private Link groups they connect to (a storage
 * account's `blob` and `dfs`, its vault's `vault`). The endpoints themselves are made by the network's
 * `privateEndpoint` (components/network/azure-private-endpoint.ts), like every other private endpoint.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where the lake's private endpoints go: built by the network component, passed in by the stack. */
export interface LakePrivateEndpoints {
    /** ARM ID of the subnet the endpoints take their private IPs from. */
    readonly subnetId: pulumi.Input<string>;
    /** ARM IDs of the private DNS zones `privatelink.blob.core.windows.net`, `privatelink.dfs.core.windows.net`, `privatelink.vaultcore.azure.net`. */
    readonly blobDnsZoneId: pulumi.Input<string>;
    readonly dfsDnsZoneId: pulumi.Input<string>;
    readonly vaultDnsZoneId: pulumi.Input<string>;
}

/** Private Link sub-resources (group IDs) the lake connects to, and the DNS zone each one registers in. */
export const LAKE_PRIVATE_LINK_GROUPS = {
    blob: "privatelink.blob.core.windows.net",
    dfs: "privatelink.dfs.core.windows.net",
    vault: "privatelink.vaultcore.azure.net",
} as const;
export type LakePrivateLinkGroup = keyof typeof LAKE_PRIVATE_LINK_GROUPS;
