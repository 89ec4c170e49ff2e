/**
 * The lake's query engine on Azure: a Synapse workspace whose built-in serverless SQL pool queries the
 * lake's files in place (pay per TB scanned; no dedicated pool). Managed virtual network with data
 * exfiltration protection, Entra ID authentication only, public network access off unless an IP
 * allow-list opens it, read access to the zones and write access to its own filesystem only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as synapse from "@pulumi/azure-native/synapse";
import { grantRole } from "../identity/azure";
import { ipRangeBounds, ipRangeProblems } from "../network/azure";
import { isValidAzureName } from "../naming/azure";
import { diagnosticSetting } from "../observability/azure";
import { Problems } from "../shared/problems";

export interface AzureSynapseQueryArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Globally unique workspace name from `azureNames.synapseWorkspace` (checked here when a plain string). */
    readonly workspaceName: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    /** ARM ID and `https://<account>.dfs.core.windows.net/` endpoint of the lake's storage account. */
    readonly storageAccountId: pulumi.Input<string>;
    readonly dfsEndpoint: pulumi.Input<string>;
    /** The filesystem (container) Synapse keeps its own data in, and its ARM ID. */
    readonly filesystem: string;
    readonly filesystemContainerId: pulumi.Input<string>;
    /** Zone -> ARM ID of the zone's container, which Synapse may read. */
    readonly readableContainerIds: Readonly<Record<string, pulumi.Input<string>>>;
    /** Entra ID object made the workspace's SQL administrator (the deployer). */
    readonly administratorObjectId: pulumi.Input<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** Public IPv4 addresses or CIDR blocks allowed to reach the workspace. @default [] - public network access disabled */
    readonly allowedIpRanges?: readonly string[];
    /** Protect the workspace and keep it on destroy. @default true */
    readonly protectData?: boolean;
    /** Tags on every resource. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

export class AzureSynapseQuery extends pulumi.ComponentResource {
    public readonly workspaceId: pulumi.Output<string>;
    /** Serverless SQL endpoint, `<workspace>-ondemand.sql.azuresynapse.net`. */
    public readonly sqlEndpoint: pulumi.Output<string>;

    constructor(name: string, args: AzureSynapseQueryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        if (typeof args.workspaceName === "string" && !isValidAzureName("synapseWorkspace", args.workspaceName))
            problems.add({
                path: "workspaceName",
                value: args.workspaceName,
                message: "is not a valid Synapse workspace name",
                fix: "use 1-50 lowercase letters, digits and '-', without `-ondemand`",
            });
        ipRangeProblems(args.allowedIpRanges ?? [], "allowedIpRanges", problems);
        problems.throwIfAny(`AzureSynapseQuery "${name}"`);
        super("mlops:index:AzureSynapseQuery", name, args, opts);

        const protect = args.protectData ?? true;
        const ranges = args.allowedIpRanges ?? [];
        const workspace = new synapse.Workspace(
            `${name}-workspace`,
            {
                workspaceName: args.workspaceName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                identity: { type: "SystemAssigned" },
                defaultDataLakeStorage: {
                    accountUrl: args.dfsEndpoint,
                    filesystem: args.filesystem,
                    resourceId: args.storageAccountId,
                    createManagedPrivateEndpoint: true,
                },
                managedVirtualNetwork: "default",
                managedVirtualNetworkSettings: { preventDataExfiltration: true, allowedAadTenantIdsForLinking: [] },
                azureADOnlyAuthentication: true,
                publicNetworkAccess: ranges.length > 0 ? "Enabled" : "Disabled",
                tags: { ...args.tags },
            },
            { parent: this, protect, retainOnDelete: protect },
        );
        const inWorkspace = { parent: this, dependsOn: [workspace] };
        new synapse.WorkspaceAadAdmin(
            `${name}-admin`,
            {
                workspaceName: workspace.name,
                resourceGroupName: args.resourceGroupName,
                administratorType: "ActiveDirectory",
                login: "mlops-deployer",
                sid: args.administratorObjectId,
                tenantId: args.tenantId,
            },
            inWorkspace,
        );
        ranges.forEach((range, i) => {
            const { start, end } = ipRangeBounds(range);
            new synapse.IpFirewallRule(
                `${name}-allow-${i}`,
                {
                    workspaceName: workspace.name,
                    resourceGroupName: args.resourceGroupName,
                    ruleName: `allow-${i}`,
                    startIpAddress: start,
                    endIpAddress: end,
                },
                inWorkspace,
            );
        });

        const principalId = workspace.identity.apply((id) => id?.principalId ?? "");
        const grant = { principalId, subscriptionId: args.subscriptionId };
        grantRole(
            `${name}-own-filesystem`,
            { ...grant, scope: args.filesystemContainerId, role: "Storage Blob Data Contributor" },
            { parent: this },
        );
        for (const [zone, scope] of Object.entries(args.readableContainerIds))
            grantRole(`${name}-read-${zone}`, { ...grant, scope, role: "Storage Blob Data Reader" }, { parent: this });
        diagnosticSetting(
            `${name}-diagnostics`,
            { resourceUri: workspace.id, workspaceId: args.logAnalyticsWorkspaceId },
            { parent: this },
        );

        this.workspaceId = workspace.id;
        this.sqlEndpoint = workspace.connectivityEndpoints.apply((e) => e?.sqlOnDemand ?? "");
        this.registerOutputs({ workspaceId: this.workspaceId, sqlEndpoint: this.sqlEndpoint });
    }
}
