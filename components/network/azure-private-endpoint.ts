/**
 * A private endpoint in the network's `endpoints` subnet for one private link group of a resource (a
 * workspace's `amlworkspace`, a vault's `vault`, a registry's `registry`, Synapse's `Sql`), with the DNS
 * zone group that registers its IPs in the matching `privatelink.*` zones. Used by the lake, the ML
 * platform, the container service and the stack (Synapse).
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { azureNames } from "../naming/azure";
import type { AzureLocationArgs, AzureResourceGroupArgs } from "../shared/azure-placement";
import type { PrivateEndpointPlacement } from "./azure-args";

export type { PrivateEndpointPlacement } from "./azure-args";

export interface PrivateEndpointOptions extends AzureResourceGroupArgs, AzureLocationArgs {
    readonly subnetId: pulumi.Input<string>;
    /** Name of the target (the endpoint is named `pe-<target>-<group>`). */
    readonly targetName: pulumi.Input<string>;
    /** ARM ID of the target. */
    readonly targetId: pulumi.Input<string>;
    /** The private link group (sub-resource), e.g. `amlworkspace`, `vault`, `registry`, `blob`. */
    readonly group: string;
    /** ARM IDs of the private DNS zones the endpoint registers in, by zone name. */
    readonly dnsZoneIds: Readonly<Record<string, pulumi.Input<string>>>;
    readonly tags?: Readonly<Record<string, string>>;
}

/** `<resourceName>` (the endpoint) and `<resourceName>-dns` (its zone group). */
export function privateEndpoint(
    resourceName: string,
    o: PrivateEndpointOptions,
    opts: pulumi.CustomResourceOptions,
): network.PrivateEndpoint {
    const endpointName = pulumi.output(o.targetName).apply((target) => azureNames.privateEndpoint(target, o.group));
    const endpoint = new network.PrivateEndpoint(
        resourceName,
        {
            privateEndpointName: endpointName,
            resourceGroupName: o.resourceGroupName,
            location: o.location,
            subnet: { id: o.subnetId },
            // Same tenant, and the deployer owns the target: the connection is approved on creation.
            privateLinkServiceConnections: [{ name: endpointName, privateLinkServiceId: o.targetId, groupIds: [o.group] }],
            tags: { ...o.tags },
        },
        opts,
    );
    new network.PrivateDnsZoneGroup(
        `${resourceName}-dns`,
        {
            privateEndpointName: endpoint.name,
            resourceGroupName: o.resourceGroupName,
            privateDnsZoneGroupName: "default",
            privateDnsZoneConfigs: Object.entries(o.dnsZoneIds).map(([zone, id]) => ({
                name: zone.replace(/\./g, "-"),
                privateDnsZoneId: id,
            })),
        },
        opts,
    );
    return endpoint;
}

/** The zone IDs of `zones`, from a placement; throws (a programming error) when the network lacks one. */
export function zonesOf(placement: PrivateEndpointPlacement, zones: readonly string[]): Record<string, pulumi.Input<string>> {
    return Object.fromEntries(
        zones.map((zone) => {
            const id = placement.dnsZoneIds[zone];
            if (id === undefined)
                throw new Error(`the network has no private DNS zone ${zone}; it has ${Object.keys(placement.dnsZoneIds).join(", ")}`);
            return [zone, id];
        }),
    );
}
