/**
 * The private network of an Azure stack (built in prod): a virtual network with a subnet for private
 * endpoints, one per Container Apps environment and one for Functions integration (azure-layout.ts), a
 * network security group on every subnet (Azure's default rules: nothing inbound from the internet), and
 * the private DNS zones of every private link target the stack uses, linked to the network.
 *
 * Subnets are declared inside the virtual network, not as separate resources: an update of the network
 * then never drops a subnet it does not list (pulumi/pulumi-azure-native#611), and Azure never sees two
 * subnet operations on one network at once.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import {
    APP_DELEGATION,
    DEFAULT_ADDRESS_SPACE,
    DELEGATED_SUBNETS,
    PRIVATE_DNS_ZONES,
    JOBS_SUBNET,
    SUBNETS,
    SubnetRole,
    jobsSubnetPrefix,
    privateDnsZoneKeys,
    subnetPrefixes,
} from "./azure-layout";
import { AzureNetworkArgs, PrivateEndpointPlacement, validateAzureNetwork } from "./azure-args";
import { azureNames } from "../naming/azure";
import { throwIfProblems } from "../shared/problems";

export class AzureNetwork extends pulumi.ComponentResource {
    public readonly virtualNetworkId: pulumi.Output<string>;
    /** Subnet role -> ARM ID. */
    public readonly subnetIds: Readonly<Record<SubnetRole, pulumi.Output<string>>>;
    /** ARM ID of the data pipelines' `jobs` subnet (`jobsSubnet`). */
    public readonly jobsSubnetId?: pulumi.Output<string>;
    /** Private DNS zone name -> ARM ID. */
    public readonly dnsZoneIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: AzureNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureNetwork "${name}"`, validateAzureNetwork(args));
        const addressSpace = args.addressSpace ?? DEFAULT_ADDRESS_SPACE;
        super("mlops:index:AzureNetwork", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const prefixes: Record<string, string> = subnetPrefixes(addressSpace);
        const roles: string[] = [...SUBNETS];
        if (args.jobsSubnet) {
            roles.push(JOBS_SUBNET);
            prefixes[JOBS_SUBNET] = jobsSubnetPrefix(addressSpace);
        }
        const groups = Object.fromEntries(
            roles.map((role) => [
                role,
                new network.NetworkSecurityGroup(
                    `${name}-nsg-${role}`,
                    {
                        networkSecurityGroupName: azureNames.networkSecurityGroup(args.namePrefix, role),
                        resourceGroupName: rg,
                        location: args.location,
                        tags,
                    },
                    { parent: this },
                ),
            ]),
        ) as Record<string, network.NetworkSecurityGroup>;
        const vnetName = azureNames.virtualNetwork(args.namePrefix);
        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                virtualNetworkName: vnetName,
                resourceGroupName: rg,
                location: args.location,
                addressSpace: { addressPrefixes: [addressSpace] },
                subnets: roles.map((role) => ({
                    name: role,
                    addressPrefix: prefixes[role],
                    networkSecurityGroup: { id: groups[role].id },
                    delegations:
                        DELEGATED_SUBNETS.includes(role as SubnetRole) || role === JOBS_SUBNET
                            ? [{ name: "app-environments", serviceName: APP_DELEGATION }]
                            : [],
                })),
                tags,
            },
            { parent: this },
        );
        this.virtualNetworkId = vnet.id;
        // Built from the network's ID rather than read from its outputs, so they are known at preview.
        this.subnetIds = Object.fromEntries(SUBNETS.map((role) => [role, pulumi.interpolate`${vnet.id}/subnets/${role}`])) as Record<
            SubnetRole,
            pulumi.Output<string>
        >;

        if (args.jobsSubnet) this.jobsSubnetId = pulumi.interpolate`${vnet.id}/subnets/${JOBS_SUBNET}`;

        const zoneIds: Record<string, pulumi.Output<string>> = {};
        for (const key of privateDnsZoneKeys(args.queryEngine ?? false)) {
            const zoneName = PRIVATE_DNS_ZONES[key];
            const label = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
            const zone = new privatedns.PrivateZone(
                `${name}-dns-${label}`,
                { privateZoneName: zoneName, resourceGroupName: rg, location: "global", tags },
                { parent: this },
            );
            new privatedns.VirtualNetworkLink(
                `${name}-dns-${label}-link`,
                {
                    privateZoneName: zone.name,
                    resourceGroupName: rg,
                    virtualNetworkLinkName: vnetName,
                    location: "global",
                    virtualNetwork: { id: vnet.id },
                    registrationEnabled: false,
                    tags,
                },
                { parent: this },
            );
            zoneIds[zoneName] = zone.id;
        }
        this.dnsZoneIds = zoneIds;
        this.registerOutputs({ virtualNetworkId: this.virtualNetworkId, subnetIds: this.subnetIds, dnsZoneIds: this.dnsZoneIds });
    }

    /** Where a component puts its private endpoints. */
    public endpointPlacement(): PrivateEndpointPlacement {
        return { subnetId: this.subnetIds.endpoints, dnsZoneIds: this.dnsZoneIds };
    }
}
