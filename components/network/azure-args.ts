/**
 * Arguments of the Azure network component and their validator. Pure: no SDK at runtime, so stack-config
 * parsing runs the same checks before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AzureLocationArgs, AzureNamePrefixArgs, AzureResourceGroupArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";
import { DEFAULT_ADDRESS_SPACE, JOBS_SUBNET_MAX_PREFIX, addressSpaceIssue } from "./azure-layout";

export interface AzureNetworkArgs extends AzureResourceGroupArgs, AzureLocationArgs, AzureNamePrefixArgs {
    /** Private IPv4 block of the network, /16 to /22. Default: "10.42.0.0/16". */
    readonly addressSpace?: string;
    /** Also create Synapse's private DNS zones (the lake's query engine is on). Default: false. */
    readonly queryEngine?: boolean;
    /**
     * Add a fifth /24 subnet, `jobs`, delegated to Microsoft.App/environments, for the data pipelines' jobs
     * environment (the address space must then be /21 or larger). Default: false.
     */
    readonly jobsSubnet?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the network's arguments (paths relative to the args). */
export function validateAzureNetwork(args: AzureNetworkArgs): ProblemDetail[] {
    const addressSpace = args.addressSpace ?? DEFAULT_ADDRESS_SPACE;
    const issue = addressSpaceIssue(addressSpace);
    if (issue) return [{ path: "addressSpace", value: addressSpace, ...issue }];
    if (args.jobsSubnet && Number(addressSpace.split("/")[1]) > JOBS_SUBNET_MAX_PREFIX)
        return [
            {
                path: "addressSpace",
                value: addressSpace,
                message: `is too small for the data pipelines' jobs subnet: the network then needs five /24 subnets, a /${JOBS_SUBNET_MAX_PREFIX} or larger`,
                fix: `write a /${JOBS_SUBNET_MAX_PREFIX} or larger private block, e.g. ${DEFAULT_ADDRESS_SPACE}`,
            },
        ];
    return [];
}

export interface AzurePipelinesNetworkArgs extends AzureResourceGroupArgs, AzureLocationArgs, AzureNamePrefixArgs {
    /**
     * Private IPv4 block the jobs subnet is taken from: its fifth /24, the block the private network gives
     * the `jobs` subnet, so the address plan stays the same when the private network is turned on. /16 to /21.
     * Default: "10.42.0.0/16".
     */
    readonly addressSpace?: string;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the pipelines network's arguments (paths relative to the args). */
export function validateAzurePipelinesNetwork(args: AzurePipelinesNetworkArgs): ProblemDetail[] {
    const addressSpace = args.addressSpace ?? DEFAULT_ADDRESS_SPACE;
    const issue = addressSpaceIssue(addressSpace);
    if (issue) return [{ path: "addressSpace", value: addressSpace, ...issue }];
    if (Number(addressSpace.split("/")[1]) > JOBS_SUBNET_MAX_PREFIX)
        return [
            {
                path: "addressSpace",
                value: addressSpace,
                message: `is too small for the data pipelines' jobs subnet, which is its fifth /24 (as in the private network): a /${JOBS_SUBNET_MAX_PREFIX} or larger is needed`,
                fix: `write a /${JOBS_SUBNET_MAX_PREFIX} or larger private block, e.g. ${DEFAULT_ADDRESS_SPACE}`,
            },
        ];
    return [];
}

/** Where a component puts its private endpoints: built by `AzureNetwork`, passed in by the stack. */
export interface PrivateEndpointPlacement {
    /** ARM ID of the `endpoints` subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** Private DNS zone name (`privatelink.azurecr.io`) -> its ARM ID. */
    readonly dnsZoneIds: Readonly<Record<string, pulumi.Input<string>>>;
}

/** ARM IDs of the private network's subnets, by role (`AzureNetwork.subnetIds`). */
export interface AzureSubnetIds {
    /** The subnet private endpoints go in. */
    readonly endpoints: pulumi.Output<string>;
    /** The container service's Container Apps environment (delegated to Microsoft.App/environments). */
    readonly "apps-svc": pulumi.Output<string>;
    /** The serverless inference's Container Apps environment (delegated to Microsoft.App/environments). */
    readonly "apps-inf": pulumi.Output<string>;
    /** The Function App's virtual network integration (delegated to Microsoft.App/environments). */
    readonly functions: pulumi.Output<string>;
}
