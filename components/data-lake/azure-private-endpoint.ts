/**
 * A private endpoint into the caller's subnet for one sub-resource of an Azure resource (a storage
 * account's `blob` or `dfs`, a vault's `vault`), and the DNS zone group that registers its private IP in
 * the matching `privatelink.*` zone, so the resource's usual host name resolves to that IP inside the
 * virtual network.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

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
export const LAKE_PRIVATE_LINK_GROUPS = { blob: "privatelink.blob.core.windows.net", dfs: "privatelink.dfs.core.windows.net", vault: "privatelink.vaultcore.azure.net" } as const;
export type LakePrivateLinkGroup = keyof typeof LAKE_PRIVATE_LINK_GROUPS;

export interface PrivateEndpointOptions {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** The target's name, used to name the endpoint `pe-<target>-<group>` (Azure allows 2-64 characters). */
    readonly targetName: pulumi.Input<string>;
    /** ARM ID of the resource the endpoint connects to. */
    readonly targetId: pulumi.Input<string>;
    readonly group: LakePrivateLinkGroup;
    readonly subnetId: pulumi.Input<string>;
    readonly dnsZoneId: pulumi.Input<string>;
    readonly tags?: Readonly<Record<string, string>>;
}

/** `<resourceName>` (the endpoint) and `<resourceName>-dns` (its zone group). */
export function privateEndpointWithDns(resourceName: string, o: PrivateEndpointOptions, opts: pulumi.CustomResourceOptions): { endpoint: network.PrivateEndpoint; dnsZoneGroup: network.PrivateDnsZoneGroup } {
    const endpointName = pulumi.interpolate`pe-${o.targetName}-${o.group}`;
    const endpoint = new network.PrivateEndpoint(
        resourceName,
        {
            privateEndpointName: endpointName,
            resourceGroupName: o.resourceGroupName,
            location: o.location,
            subnet: { id: o.subnetId },
            // Same tenant and the deployer owns the target: the connection is approved on creation.
            privateLinkServiceConnections: [{ name: endpointName, privateLinkServiceId: o.targetId, groupIds: [o.group] }],
            tags: { ...o.tags },
        },
        opts,
    );
    const dnsZoneGroup = new network.PrivateDnsZoneGroup(
        `${resourceName}-dns`,
        {
            privateEndpointName: endpointName,
            resourceGroupName: o.resourceGroupName,
            privateDnsZoneGroupName: "default",
            privateDnsZoneConfigs: [{ name: LAKE_PRIVATE_LINK_GROUPS[o.group].replace(/\./g, "-"), privateDnsZoneId: o.dnsZoneId }],
        },
        { ...opts, dependsOn: [endpoint] },
    );
    return { endpoint, dnsZoneGroup };
}
