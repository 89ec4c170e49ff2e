/**
 * The inputs every Azure component takes to place and name its resources, under the same names
 * everywhere (as Azure Verified Modules do for cross-cutting inputs).
 */
import type * as pulumi from "@pulumi/pulumi";

export interface AzurePlacementArgs {
    /** Resource group every child is created in. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of the children, e.g. `swedencentral`. */
    readonly location: string;
    /** Lowercase slug every name starts from (`namePrefix(project, stack)`). */
    readonly namePrefix: string;
    /** The stack's random 6-character suffix that keeps global names unique (see components/naming/azure.ts). */
    readonly nameSuffix: pulumi.Input<string>;
    /** Subscription of the deployment (from `authorization.getClientConfig`). */
    readonly subscriptionId: pulumi.Input<string>;
    /** ARM ID of the Log Analytics workspace that receives the children's diagnostics. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}
