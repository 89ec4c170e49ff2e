/**
 * The lake's private endpoints: where they go and the Private Link groups they connect to (a storage
 * account's `blob` and `dfs`, its vault's `vault`). The endpoints themselves are made by the network's
 * `privateEndpoint` (components/network/azure-private-endpoint.ts), like every other private endpoint.
 */
export type { LakePrivateEndpoints } from "./azure-args";

/** Private Link sub-resources (group IDs) the lake connects to, and the DNS zone each one registers in. */
export const LAKE_PRIVATE_LINK_GROUPS = {
    blob: "privatelink.blob.core.windows.net",
    dfs: "privatelink.dfs.core.windows.net",
    vault: "privatelink.vaultcore.azure.net",
} as const;
export type LakePrivateLinkGroup = keyof typeof LAKE_PRIVATE_LINK_GROUPS;
