/**
 * The private network of an Azure stack (built in prod): a virtual network with a subnet for private
 * endpoints, one per Container Apps environment and one for Functions integration (azure-layout.ts), a
 * network security group on every subnet (Azure's default rules: nothing inbound from the internet), and
 * the private DNS zones of every private link target the stack uses, linked to the network.
 *
 * `AzurePipelinesNetwork` (a stack without the private network that runs data pipelines): a virtual network
 * holding only the jobs subnet, with the `Microsoft.Storage` service endpoint, so the storage accounts the
 * jobs use admit that subnet by a virtual network rule and keep denying everything else.
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
    STORAGE_SERVICE_ENDPOINT,
    SUBNETS,
    SubnetRole,
    jobsSubnetPrefix,
    privateDnsZoneKeys,
    subnetPrefixes,
} from "./azure-layout";
import {
    AzureNetworkArgs,
    AzureSubnetIds,
    AzurePipelinesNetworkArgs,
    PrivateEndpointPlacement,
    validateAzureNetwork,
    validateAzurePipelinesNetwork,
} from "./azure-args";
import { azureNames } from "../naming/azure";
import { throwIfProblems } from "../shared/problems";

/** The private network of an Azure stack: a virtual network with subnets for private endpoints and each environment, network security groups, and the private DNS zones it needs. */
export class AzureNetwork extends pulumi.ComponentResource {
    /** ARM ID of the virtual network. */
    public readonly virtualNetworkId: pulumi.Output<string>;
    /** Subnet role -> ARM ID. */
    public readonly subnetIds: AzureSubnetIds;
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

/**
 * The jobs environment's network in a stack without the private network: one virtual network with one
 * subnet, `jobs` (the address space's fifth /24, as in `AzureNetwork`), delegated to
 * Microsoft.App/environments, with a network security group (Azure's default rules) and the
 * `Microsoft.Storage` service endpoint. Requests from the subnet to storage accounts in the region (and its
 * pair) then carry the subnet's identity, which the accounts' virtual network rules admit: the lake and the
 * events account stay on default action Deny. The network, subnet, group and endpoint cost nothing; the
 * environment placed in the subnet is billed for its managed load balancer and egress IP (docs/azure.md).
 */
export class AzurePipelinesNetwork extends pulumi.ComponentResource {
    /** ARM ID of the virtual network. */
    public readonly virtualNetworkId: pulumi.Output<string>;
    /** ARM ID of the `jobs` subnet. */
    public readonly jobsSubnetId: pulumi.Output<string>;

    constructor(name: string, args: AzurePipelinesNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzurePipelinesNetwork "${name}"`, validateAzurePipelinesNetwork(args));
        const prefix = jobsSubnetPrefix(args.addressSpace ?? DEFAULT_ADDRESS_SPACE);
        super("mlops:index:AzurePipelinesNetwork", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        // Names of their own: the private network's (`AzureNetwork`) never collide with them if it is turned on later.
        const group = new network.NetworkSecurityGroup(
            `${name}-nsg`,
            {
                networkSecurityGroupName: azureNames.networkSecurityGroup(args.namePrefix, "pipelines"),
                resourceGroupName: rg,
                location: args.location,
                tags,
            },
            { parent: this },
        );
        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                virtualNetworkName: azureNames.virtualNetwork(`${args.namePrefix}-pipelines`),
                resourceGroupName: rg,
                location: args.location,
                addressSpace: { addressPrefixes: [prefix] },
                subnets: [
                    {
                        name: JOBS_SUBNET,
                        // A /24: a workload-profiles environment needs at least a /27.
                        addressPrefix: prefix,
                        networkSecurityGroup: { id: group.id },
                        delegations: [{ name: "app-environments", serviceName: APP_DELEGATION }],
                        serviceEndpoints: [{ service: STORAGE_SERVICE_ENDPOINT }],
                    },
                ],
                tags,
            },
            { parent: this },
        );
        this.virtualNetworkId = vnet.id;
        this.jobsSubnetId = pulumi.interpolate`${vnet.id}/subnets/${JOBS_SUBNET}`;
        this.registerOutputs({ virtualNetworkId: this.virtualNetworkId, jobsSubnetId: this.jobsSubnetId });
    }
}
