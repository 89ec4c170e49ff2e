/**
 * The inputs every Azure component takes to place and name its resources, under the same names
 * everywhere (as Azure Verified Modules do for cross-cutting inputs).
 *
 * One interface per input, so that an args interface extends exactly the ones it takes: Pulumi's schema
 * analyzer reads inherited properties with their documentation, but not those of a `Pick<...>` (it sees
 * them as untyped, undocumented `Any`).
 */
import type * as pulumi from "@pulumi/pulumi";

export interface AzureResourceGroupArgs {
    /** Resource group every child is created in. */
    readonly resourceGroupName: pulumi.Input<string>;
}

export interface AzureLocationArgs {
    /** Azure region of the children, e.g. `swedencentral`. */
    readonly location: string;
}

export interface AzureNamePrefixArgs {
    /** Lowercase slug every name starts from (`namePrefix(project, stack)`). */
    readonly namePrefix: string;
}

export interface AzureNameSuffixArgs {
    /** The stack's random 6-character suffix that keeps global names unique (see components/naming/azure.ts). */
    readonly nameSuffix: pulumi.Input<string>;
}

export interface AzureSubscriptionArgs {
    /** Subscription of the deployment (from `authorization.getClientConfig`). */
    readonly subscriptionId: pulumi.Input<string>;
}

export interface AzureLogAnalyticsArgs {
    /** ARM ID of the Log Analytics workspace that receives the children's diagnostics. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}

/** Every placement input. */
export interface AzurePlacementArgs
    extends
        AzureResourceGroupArgs,
        AzureLocationArgs,
        AzureNamePrefixArgs,
        AzureNameSuffixArgs,
        AzureSubscriptionArgs,
        AzureLogAnalyticsArgs {}
