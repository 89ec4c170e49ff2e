/**
 * The data lake on Azure: an ADLS Gen2 storage account (StorageV2 with hierarchical namespace) encrypted
 * with a customer-managed key from its own Key Vault, one private container per zone, blob and container
 * soft delete (versioning, change feed and point-in-time restore are not supported on a hierarchical
 * namespace), a lifecycle policy, storage read/write/delete logs in Log Analytics, and optionally Synapse
 * serverless SQL over the files. In prod (`protectData`) the account, containers, vault and key are
 * protected and retained, and a CanNotDelete lock sits on the account. With `privateEndpoints` the account
 * (blob, dfs) and the vault get private endpoints, and the account's public network access is disabled
 * (unless `trustedServicesAccess`: Event Hubs Capture writes as a trusted service, not through them).
 * `allowedSubnetIds` admits subnets with the Microsoft.Storage service endpoint (the pipelines' jobs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventgrid from "@pulumi/azure-native/eventgrid";
import * as storage from "@pulumi/azure-native/storage";
import { secureStorageAccountArgs } from "./azure-account";
import * as synapse from "@pulumi/azure-native/synapse";
import { DataLake } from "./contract";
import {
    AzureBlobEventsTopic,
    AzureDataLakeArgs,
    AzureLakeEncryptionKey,
    AzureSynapseQueryArgs,
    validateAzureDataLake,
    validateAzureSynapseQuery,
} from "./azure-args";
import { SYNAPSE_FILESYSTEM, lakeDataProtection, lifecyclePolicy, zoneContainerName } from "./azure-policy";
import { LAKE_PRIVATE_LINK_GROUPS } from "./azure-private-endpoint";
import { AzureKeyVault } from "../encryption/azure";
import { AzureWorkloadIdentity, grantRole } from "../identity/azure";
import { azureNames } from "../naming/azure";
import { ipRangeBounds } from "../network/azure-ip-ranges";
import { privateEndpoint } from "../network/azure-private-endpoint";
import { blobAuditLogs, diagnosticSetting } from "../observability/azure";
import { throwIfProblems } from "../shared/problems";

/** The key the account is encrypted with. */
export const LAKE_KEY_NAME = "lake-cmk";

/** The data lake on Azure: an ADLS Gen2 account encrypted with a customer-managed key, one private container per zone, soft delete, a lifecycle policy and logs in Log Analytics. */
export class AzureDataLake extends pulumi.ComponentResource implements DataLake {
    /** Zone -> container name. */
    public readonly bucketNames: pulumi.Output<Record<string, string>>;
    /** `https://<account>.dfs.core.windows.net/` (ADLS Gen2 endpoint). */
    public readonly endpoint: pulumi.Output<string>;
    /** The storage account's name. */
    public readonly accountName: pulumi.Output<string>;
    /** ARM ID of the storage account. */
    public readonly accountId: pulumi.Output<string>;
    /** Zone -> ARM ID of its container: the scope of per-zone role assignments. */
    public readonly containerIds: pulumi.Output<Record<string, string>>;
    /** Synapse serverless SQL endpoint, or "" without `queryEngine`. */
    public readonly queryEndpoint: pulumi.Output<string>;
    /** `https://<account>.blob.core.windows.net/` (Blob endpoint, what the pipeline jobs read and write). */
    public readonly blobEndpoint: pulumi.Output<string>;
    /** The account's customer-managed key (vault URI, key name) and the identity that unwraps it: other stores of lake data reuse them. */
    public readonly encryptionKey: AzureLakeEncryptionKey;
    /** The Event Grid system topic of the account's blob events (`blobEvents`), its name and identity's principal. */
    public readonly blobEventsTopic?: AzureBlobEventsTopic;

    constructor(name: string, args: AzureDataLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureDataLake "${name}"`, validateAzureDataLake(args));
        const protect = args.protectData ?? true;
        const s = {
            replication: args.replication ?? "GRS",
            softDeleteRetentionDays: args.softDeleteRetentionDays ?? 7,
            rawColdStorageAfterDays: args.rawColdStorageAfterDays ?? 90,
            allowedIpRanges: args.allowedIpRanges ?? [],
            queryAllowedIpRanges: args.queryAllowedIpRanges ?? [],
        };
        const firewall = args.firewall ?? true;
        super("mlops:index:AzureDataLake", name, args, opts);

        const stateful = { parent: this, protect, retainOnDelete: protect };
        const tags = { ...args.tags };
        const named = (build: (suffix: string) => string) => pulumi.output(args.nameSuffix).apply(build);
        const rg = args.resourceGroupName;

        const keys = new AzureKeyVault(
            `${name}-keys`,
            {
                resourceGroupName: rg,
                location: args.location,
                vaultName: named((sfx) => azureNames.keyVault(args.namePrefix, "dl", sfx)),
                tenantId: args.tenantId,
                logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
                keyNames: [LAKE_KEY_NAME],
                softDeleteRetentionDays: args.keyVaultSoftDeleteRetentionDays,
                protectData: protect,
                tags,
            },
            { parent: this },
        );
        // The account unwraps its key as this identity; it may use that one key and nothing else. Without
        // the identity or its grant the (retained) account's data cannot be read, so both are kept in prod.
        const encryption = new AzureWorkloadIdentity(
            `${name}-encryption`,
            {
                resourceGroupName: rg,
                location: args.location,
                identityName: azureNames.identity(args.namePrefix, "lake-encryption"),
                subscriptionId: args.subscriptionId,
                grants: [{ label: "cmk", scope: keys.keys[0].id, role: "Key Vault Crypto Service Encryption User" }],
                protectData: protect,
                tags,
            },
            { parent: this },
        );

        const synapseName = named((sfx) => azureNames.synapseWorkspace(args.namePrefix, sfx));
        const synapseId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Synapse/workspaces/${synapseName}`;
        const trusted = [...(args.trustedResourceIds ?? []), ...(args.queryEngine ? [synapseId] : [])];
        const account = new storage.StorageAccount(
            `${name}-account`,
            secureStorageAccountArgs({
                accountName: named((sfx) => azureNames.storageAccount(args.namePrefix, "dl", sfx)),
                resourceGroupName: rg,
                location: args.location,
                replication: s.replication,
                hierarchicalNamespace: true,
                // Without the firewall (a stack without a network) Entra ID is the only gate: no rule to list.
                defaultAction: firewall ? "Deny" : "Allow",
                // Enabled with private endpoints only when a trusted service writes without one (Event Hubs Capture).
                publicNetworkAccess: args.privateEndpoints && !args.trustedServicesAccess ? "Disabled" : "Enabled",
                allowedIpRanges: s.allowedIpRanges,
                allowedSubnetIds: args.allowedSubnetIds,
                trustedResources: firewall ? trusted.map((resourceId) => ({ tenantId: args.tenantId, resourceId })) : [],
                customerManagedKey: { keyName: LAKE_KEY_NAME, keyVaultUri: keys.vaultUri, identityId: encryption.identityId },
                tags,
            }),
            // The identity must hold its key role before the account asks Key Vault for the key.
            { ...stateful, dependsOn: encryption.assignments },
        );
        const inAccount = { accountName: account.name, resourceGroupName: rg };

        new storage.BlobServiceProperties(
            `${name}-blob-service`,
            { ...inAccount, blobServicesName: "default", ...lakeDataProtection(s.softDeleteRetentionDays) },
            { parent: this },
        );
        const lifecycle = lifecyclePolicy(args.zones, s.rawColdStorageAfterDays);
        // Azure refuses a management policy without rules.
        if (lifecycle.rules.length > 0)
            new storage.ManagementPolicy(
                `${name}-lifecycle`,
                { ...inAccount, managementPolicyName: "default", policy: lifecycle },
                { parent: this },
            );
        blobAuditLogs(`${name}-blob-diagnostics`, account.id, args.logAnalyticsWorkspaceId, { parent: this });
        if (protect) {
            new authorization.ManagementLockByScope(
                `${name}-lock`,
                {
                    scope: account.id,
                    level: "CanNotDelete",
                    lockName: "mlops-data-lake",
                    notes: "The data lake of a protected (prod) stack; remove this lock on purpose before deleting the account.",
                },
                { parent: this },
            );
        }

        const pe = args.privateEndpoints;
        if (pe) {
            const at = { resourceGroupName: rg, location: args.location, subnetId: pe.subnetId, tags };
            const zone = (group: keyof typeof LAKE_PRIVATE_LINK_GROUPS, id: pulumi.Input<string>) => ({
                group,
                dnsZoneIds: { [LAKE_PRIVATE_LINK_GROUPS[group]]: id },
            });
            privateEndpoint(
                `${name}-blob-endpoint`,
                { ...at, targetName: account.name, targetId: account.id, ...zone("blob", pe.blobDnsZoneId) },
                { parent: this },
            );
            privateEndpoint(
                `${name}-dfs-endpoint`,
                { ...at, targetName: account.name, targetId: account.id, ...zone("dfs", pe.dfsDnsZoneId) },
                { parent: this },
            );
            privateEndpoint(
                `${name}-vault-endpoint`,
                { ...at, targetName: keys.vaultName, targetId: keys.vaultId, ...zone("vault", pe.vaultDnsZoneId) },
                { parent: this },
            );
        }

        if (args.blobEvents) {
            const topic = new eventgrid.SystemTopic(
                `${name}-blob-events`,
                {
                    systemTopicName: pulumi.interpolate`${account.name}-blob-events`,
                    resourceGroupName: rg,
                    location: args.location,
                    source: account.id,
                    topicType: "Microsoft.Storage.StorageAccounts",
                    // Delivers to queues and dead-letters blobs as itself (Entra ID): no keys, through firewalls as a trusted service.
                    identity: { type: "SystemAssigned" },
                    tags,
                },
                { parent: this },
            );
            this.blobEventsTopic = { name: topic.name, principalId: topic.identity.apply((i) => i?.principalId ?? "") };
        }

        const container = (resourceName: string, containerName: string) =>
            new storage.BlobContainer(resourceName, { ...inAccount, containerName, publicAccess: "None" }, stateful);
        const containers = args.zones.map((zone) => container(`${name}-${zone}`, zoneContainerName(zone)));

        let queryEndpoint: pulumi.Output<string> = pulumi.output("");
        if (args.queryEngine) {
            const filesystem = container(`${name}-synapse-filesystem`, SYNAPSE_FILESYSTEM);
            const query = new AzureSynapseQuery(
                `${name}-query`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    workspaceName: synapseName,
                    subscriptionId: args.subscriptionId,
                    tenantId: args.tenantId,
                    storageAccountId: account.id,
                    dfsEndpoint: account.primaryEndpoints.apply((e) => e.dfs ?? ""),
                    filesystem: SYNAPSE_FILESYSTEM,
                    filesystemContainerId: filesystem.id,
                    readableContainerIds: Object.fromEntries(args.zones.map((zone, i) => [zone, containers[i].id])),
                    administratorObjectId: args.queryAdministratorObjectId!,
                    logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
                    allowedIpRanges: s.queryAllowedIpRanges,
                    protectData: protect,
                    tags,
                },
                { parent: this },
            );
            queryEndpoint = query.sqlEndpoint;
        }

        this.accountName = account.name;
        this.accountId = account.id;
        this.endpoint = account.primaryEndpoints.apply((e) => e.dfs ?? "");
        this.bucketNames = pulumi
            .all(containers.map((c) => c.name))
            .apply((names) => Object.fromEntries(args.zones.map((zone, i) => [zone, names[i]])));
        this.containerIds = pulumi
            .all(containers.map((c) => c.id))
            .apply((ids) => Object.fromEntries(args.zones.map((zone, i) => [zone, ids[i]])));
        this.queryEndpoint = queryEndpoint;
        this.blobEndpoint = account.primaryEndpoints.apply((e) => e.blob ?? "");
        this.encryptionKey = { keyVaultUri: keys.vaultUri, keyName: LAKE_KEY_NAME, identityId: encryption.identityId };
        this.registerOutputs({
            bucketNames: this.bucketNames,
            endpoint: this.endpoint,
            accountName: this.accountName,
            accountId: this.accountId,
            containerIds: this.containerIds,
            queryEndpoint: this.queryEndpoint,
        });
    }
}

/**
 * The lake's query engine on Azure: a Synapse workspace whose built-in serverless SQL pool queries the
 * lake's files in place (pay per TB scanned; no dedicated pool). Managed virtual network with data
 * exfiltration protection, Entra ID authentication only, public network access off unless an IP
 * allow-list opens it, read access to the zones and write access to its own filesystem only.
 */
export class AzureSynapseQuery extends pulumi.ComponentResource {
    /** ARM ID of the Synapse workspace. */
    public readonly workspaceId: pulumi.Output<string>;
    /** Serverless SQL endpoint, `<workspace>-ondemand.sql.azuresynapse.net`. */
    public readonly sqlEndpoint: pulumi.Output<string>;

    constructor(name: string, args: AzureSynapseQueryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureSynapseQuery "${name}"`, validateAzureSynapseQuery(args));
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
