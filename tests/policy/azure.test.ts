/** Azure rules: the ADLS Gen2 lake, Key Vault, registry, Azure ML, role assignments, Synapse, audit trail, Container Apps, Functions. */
import * as pipe from "../../policy/rules/azure/pipelines";
import * as plat from "../../policy/rules/azure/platform";
import * as srv from "../../policy/rules/azure/serving";
import * as st from "../../policy/rules/azure/storage";
import * as tr from "../../policy/rules/azure/training";
import { AZ } from "../../policy/rules/azure/types";
import { describeRule, mutate, Res } from "./harness";

const tags = { "mlops-environment": "prod" };
const res = (name: string, type: string, props: Record<string, any>, extra: Partial<Res> = {}): Res => ({
    name,
    type,
    props: { ...props, tags },
    ...extra,
});

const account = () =>
    res("lake", AZ.storageAccount, {
        accountName: "mlopsprodlake",
        resourceGroupName: "rg",
        kind: "StorageV2",
        sku: { name: "Standard_GZRS" },
        isHnsEnabled: true,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        isLocalUserEnabled: false,
        networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
        encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName: "lake" } },
    });
const blobService = () =>
    res(
        "lake-blob",
        AZ.blobService,
        {
            accountName: "mlopsprodlake",
            resourceGroupName: "rg",
            deleteRetentionPolicy: { enabled: true, days: 30 },
            containerDeleteRetentionPolicy: { enabled: true, days: 30 },
        },
        { deps: { accountName: ["lake"] } },
    );
const diagnostics = (of: string, logs: object[], uri = `${of}-id`) =>
    res(`${of}-diagnostics`, AZ.diagnosticSetting, { resourceUri: uri, workspaceId: "logs-id", logs }, { deps: { resourceUri: [of] } });
const vault = () =>
    res("vault", AZ.vault, {
        resourceGroupName: "rg",
        properties: {
            tenantId: "t",
            sku: { family: "A", name: "standard" },
            enableSoftDelete: true,
            enablePurgeProtection: true,
            enableRbacAuthorization: true,
            publicNetworkAccess: "Disabled",
        },
    });
const registry = () =>
    res("registry", AZ.registry, {
        resourceGroupName: "rg",
        sku: { name: "Premium" },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: "Disabled",
        policies: { retentionPolicy: { status: "enabled", days: 7 } },
    });
const compute = () =>
    res("compute", AZ.mlCompute, {
        resourceGroupName: "rg",
        workspaceName: "w",
        properties: {
            computeType: "AmlCompute",
            disableLocalAuth: true,
            properties: { vmSize: "Standard_NC4as_T4_v3", scaleSettings: { minNodeCount: 0, maxNodeCount: 2 } },
        },
    });
const probe = (type: string) => ({ type, httpGet: { path: "/healthz", port: 8080 } });
const app = () =>
    res("app", AZ.containerApp, {
        resourceGroupName: "rg",
        identity: { type: "UserAssigned", userAssignedIdentities: ["id"] },
        configuration: {
            ingress: { external: false, allowInsecure: false, targetPort: 8080 },
            registries: [{ server: "acr.azurecr.io", identity: "id" }],
        },
        template: {
            scale: { minReplicas: 2, maxReplicas: 5 },
            containers: [{ name: "model", image: "acr.azurecr.io/iris:1.4.2", probes: [probe("Liveness"), probe("Readiness")] }],
        },
    });
const webApp = () =>
    res("fn", AZ.webApp, {
        resourceGroupName: "rg",
        kind: "functionapp,linux",
        httpsOnly: true,
        publicNetworkAccess: "Disabled",
        siteConfig: { minTlsVersion: "1.2", remoteDebuggingEnabled: false },
    });

describe("azure rules", () => {
    describe("the lake's storage account", () => {
        describeRule({
            rule: st.storageTransport,
            golden: () => [account()],
            fails: [
                { when: "HTTP is allowed", set: { enableHttpsTrafficOnly: false }, problems: ["enableHttpsTrafficOnly is false"] },
                {
                    when: "TLS 1.0 is accepted",
                    set: { minimumTlsVersion: "TLS1_0" },
                    problems: ["minimumTlsVersion is TLS1_0, not TLS1_2"],
                },
                {
                    when: "the TLS minimum is missing",
                    set: { minimumTlsVersion: undefined },
                    problems: ["minimumTlsVersion is unset, not TLS1_2"],
                },
            ],
            unknown: { minimumTlsVersion: 0 },
        });

        describeRule({
            rule: st.storageNoPublicBlobs,
            golden: () => [account()],
            fails: [
                {
                    when: "public blobs are allowed",
                    set: { allowBlobPublicAccess: true },
                    problems: ["allowBlobPublicAccess is not false"],
                },
                {
                    when: "the setting is missing",
                    set: { allowBlobPublicAccess: undefined },
                    problems: ["allowBlobPublicAccess is not false"],
                },
            ],
            unknown: { allowBlobPublicAccess: 0 },
        });

        describeRule({
            rule: st.storageNetworkDeny,
            golden: () => [account()],
            passes: [
                { when: "public network access is disabled outright", set: { networkRuleSet: undefined, publicNetworkAccess: "Disabled" } },
                {
                    when: "a dev account admits every network with Entra ID as its only gate (shared keys off)",
                    set: { "networkRuleSet.defaultAction": "Allow", tags: { "mlops-environment": "dev" } },
                },
            ],
            fails: [
                {
                    when: "the default action is Allow",
                    set: { "networkRuleSet.defaultAction": "Allow" },
                    problems: ["networkRuleSet.defaultAction is Allow, not Deny"],
                },
                {
                    when: "a dev account admits every network and still takes shared keys",
                    set: { "networkRuleSet.defaultAction": "Allow", allowSharedKeyAccess: true, tags: { "mlops-environment": "dev" } },
                    problems: ["networkRuleSet.defaultAction is Allow, not Deny"],
                },
                {
                    when: "a staging account admits every network",
                    set: { "networkRuleSet.defaultAction": "Allow", tags: { "mlops-environment": "staging" } },
                    problems: ["networkRuleSet.defaultAction is Allow, not Deny"],
                },
                {
                    when: "the network rules are missing",
                    set: { networkRuleSet: undefined },
                    problems: ["networkRuleSet.defaultAction is Allow (default), not Deny"],
                },
                {
                    when: "Azure services cannot bypass",
                    set: { "networkRuleSet.bypass": "None" },
                    problems: ["networkRuleSet.bypass does not include AzureServices"],
                },
            ],
            unknown: { networkRuleSet: 0 },
        });

        describeRule({
            rule: st.storageNoSharedKey,
            golden: () => [account()],
            fails: [
                { when: "Shared Key is allowed", set: { allowSharedKeyAccess: true }, problems: ["allowSharedKeyAccess is not false"] },
                {
                    when: "local users are not turned off",
                    set: { isLocalUserEnabled: undefined },
                    problems: ["isLocalUserEnabled is not false"],
                },
            ],
            unknown: { allowSharedKeyAccess: 0 },
        });

        describeRule({
            rule: st.storageGeoReplication,
            golden: () => [account()],
            fails: [
                {
                    when: "the account is zone-redundant only",
                    set: { "sku.name": "Standard_ZRS" },
                    problems: ["sku.name is Standard_ZRS, not geo-redundant"],
                },
                { when: "the SKU is missing", set: { sku: undefined }, problems: ["sku.name is unset, not geo-redundant"] },
            ],
            unknown: { sku: 0 },
        });

        describeRule({
            rule: st.storageCmk,
            golden: () => [account()],
            fails: [
                {
                    when: "Microsoft-managed keys are used",
                    set: { encryption: undefined },
                    problems: ["encryption.keySource is Microsoft.Storage (default)"],
                },
            ],
            unknown: { encryption: 0 },
        });

        describeRule({
            rule: st.blobSoftDelete,
            golden: () => [account(), blobService()],
            passes: [{ when: "a FileStorage account has no blob service", set: { kind: "FileStorage" }, drop: ["lake-blob"] }],
            fails: [
                {
                    when: "the account has no blob service properties",
                    drop: ["lake-blob"],
                    problems: ["no azure-native storage.BlobServiceProperties for this account"],
                },
                {
                    when: "blob soft delete is off",
                    set: { "lake-blob:deleteRetentionPolicy.enabled": false },
                    problems: ["blob soft delete (deleteRetentionPolicy) is not enabled"],
                },
                {
                    when: "blob soft delete keeps 1 day",
                    set: { "lake-blob:deleteRetentionPolicy.days": 1 },
                    problems: ["blob soft delete (deleteRetentionPolicy) keeps deleted data 1 days, below 7"],
                },
                {
                    when: "the days are missing",
                    set: { "lake-blob:deleteRetentionPolicy.days": undefined },
                    problems: ["blob soft delete (deleteRetentionPolicy) keeps deleted data an unset number of days, below 7"],
                },
            ],
            unknown: { "lake-blob:deleteRetentionPolicy": 0 },
        });

        describeRule({
            rule: st.containerSoftDelete,
            golden: () => [account(), blobService()],
            fails: [
                {
                    when: "container soft delete is missing",
                    set: { "lake-blob:containerDeleteRetentionPolicy": undefined },
                    problems: ["container soft delete (containerDeleteRetentionPolicy) is not enabled"],
                },
                {
                    when: "container soft delete keeps 3 days",
                    set: { "lake-blob:containerDeleteRetentionPolicy.days": 3 },
                    problems: ["container soft delete (containerDeleteRetentionPolicy) keeps deleted data 3 days, below 7"],
                },
                {
                    when: "the account has no blob service properties",
                    drop: ["lake-blob"],
                    problems: ["no azure-native storage.BlobServiceProperties for this account"],
                },
            ],
            unknown: { "lake-blob:containerDeleteRetentionPolicy": 0 },
        });

        // A flat-namespace account (e.g. the ML store): versioned; the HNS lake of the golden stack cannot be.
        const flat = { isHnsEnabled: false, "lake-blob:isVersioningEnabled": true };
        describeRule({
            rule: st.blobVersioning,
            golden: () => mutate([account(), blobService()], { set: flat }),
            passes: [
                {
                    when: "the properties name the account literally, with no dependency recorded",
                    drop: ["lake-blob"],
                    add: [{ ...mutate([blobService()], { set: { isVersioningEnabled: true } })[0], deps: {} }],
                },
                {
                    when: "the account has a hierarchical namespace (ADLS Gen2 cannot version)",
                    set: { isHnsEnabled: true, "lake-blob:isVersioningEnabled": undefined },
                },
            ],
            fails: [
                {
                    when: "versioning is off on a flat-namespace account",
                    set: { "lake-blob:isVersioningEnabled": false },
                    problems: ["isVersioningEnabled is not true"],
                },
                {
                    when: "the hierarchical namespace is unset (flat by default) and versioning is off",
                    set: { isHnsEnabled: undefined, "lake-blob:isVersioningEnabled": undefined },
                    problems: ["isVersioningEnabled is not true"],
                },
                {
                    when: "the properties belong to another account",
                    drop: ["lake-blob"],
                    add: [{ ...blobService(), deps: {}, props: { ...blobService().props, accountName: "other" } }],
                    problems: ["no azure-native storage.BlobServiceProperties for this account"],
                },
            ],
            unknown: { "lake-blob:isVersioningEnabled": 0 },
        });

        describeRule({
            rule: st.hnsUnsupportedBlobFeatures,
            golden: () => [account(), blobService()],
            passes: [
                {
                    when: "a flat-namespace account versions blobs and keeps a change feed",
                    set: {
                        isHnsEnabled: false,
                        "lake-blob:isVersioningEnabled": true,
                        "lake-blob:changeFeed": { enabled: true, retentionInDays: 30 },
                    },
                },
                {
                    when: "the HNS account's blob service sets them off explicitly",
                    set: {
                        "lake-blob:isVersioningEnabled": false,
                        "lake-blob:changeFeed": { enabled: false },
                        "lake-blob:restorePolicy": { enabled: false },
                    },
                },
                { when: "the account has no blob service properties (nothing enabled)", drop: ["lake-blob"] },
            ],
            fails: [
                {
                    when: "an HNS account's blob service enables versioning",
                    set: { "lake-blob:isVersioningEnabled": true },
                    problems: ["blob versioning (isVersioningEnabled) is on on a hierarchical-namespace account"],
                },
                {
                    when: "an HNS account's blob service enables change feed and point-in-time restore",
                    set: {
                        "lake-blob:changeFeed": { enabled: true, retentionInDays: 365 },
                        "lake-blob:restorePolicy": { enabled: true, days: 6 },
                    },
                    problems: [
                        "change feed (changeFeed.enabled) is on on a hierarchical-namespace account",
                        "point-in-time restore (restorePolicy.enabled) is on on a hierarchical-namespace account",
                    ],
                },
            ],
            unknown: { isHnsEnabled: 0 },
        });

        describeRule({
            rule: st.containerPrivate,
            golden: () => [res("raw", AZ.blobContainer, { accountName: "mlopsprodlake", resourceGroupName: "rg", publicAccess: "None" })],
            passes: [{ when: "publicAccess is left at its default", set: { publicAccess: undefined } }],
            fails: [{ when: "anonymous blob reads are allowed", set: { publicAccess: "Blob" }, problems: ["publicAccess is Blob"] }],
            unknown: { publicAccess: 0 },
        });

        describeRule({
            rule: plat.storageDiagnostics,
            golden: () => [
                account(),
                diagnostics(
                    "lake",
                    [
                        { category: "StorageRead", enabled: true },
                        { category: "StorageWrite", enabled: true },
                        { category: "StorageDelete", enabled: true },
                    ],
                    "lake-id/blobServices/default",
                ),
            ],
            passes: [
                { when: "the audit category group is sent", set: { "lake-diagnostics:logs": [{ categoryGroup: "audit", enabled: true }] } },
            ],
            fails: [
                {
                    when: "no diagnostic setting exists",
                    drop: ["lake-diagnostics"],
                    problems: ["no diagnostic setting sends its StorageRead/StorageWrite/StorageDelete logs anywhere"],
                },
                {
                    when: "the setting sends metrics only",
                    set: { "lake-diagnostics:logs": [] },
                    problems: ["no diagnostic setting sends its StorageRead/StorageWrite/StorageDelete logs anywhere"],
                },
                {
                    when: "the setting has no destination",
                    set: { "lake-diagnostics:workspaceId": undefined },
                    problems: ["no diagnostic setting sends its StorageRead/StorageWrite/StorageDelete logs anywhere"],
                },
                {
                    when: "the logs are disabled",
                    set: { "lake-diagnostics:logs": [{ category: "StorageRead", enabled: false }] },
                    problems: ["no diagnostic setting sends its StorageRead/StorageWrite/StorageDelete logs anywhere"],
                },
            ],
            unknown: { "lake-diagnostics:logs": 0 },
        });
    });

    describe("Key Vault, registry, Azure ML, IAM, Synapse, logs", () => {
        describeRule({
            rule: plat.vaultRecoverable,
            golden: () => [vault()],
            fails: [
                {
                    when: "purge protection is missing",
                    set: { "properties.enablePurgeProtection": undefined },
                    problems: ["properties.enablePurgeProtection is not true"],
                },
                {
                    when: "soft delete is off",
                    set: { "properties.enableSoftDelete": false },
                    problems: ["properties.enableSoftDelete is false"],
                },
            ],
            unknown: { "properties.enablePurgeProtection": 0 },
        });

        describeRule({
            rule: plat.vaultAccess,
            golden: () => [vault()],
            passes: [
                {
                    when: "the network ACL denies by default",
                    set: {
                        "properties.publicNetworkAccess": undefined,
                        "properties.networkAcls": { defaultAction: "Deny", bypass: "AzureServices" },
                    },
                },
            ],
            fails: [
                {
                    when: "access policies are used instead of RBAC",
                    set: { "properties.enableRbacAuthorization": false },
                    problems: ["properties.enableRbacAuthorization is not true"],
                },
                {
                    when: "the vault is open to the public network",
                    set: { "properties.publicNetworkAccess": "Enabled" },
                    problems: ["the vault is open to the public network"],
                },
            ],
            unknown: { "properties.enableRbacAuthorization": 0 },
        });

        describeRule({
            rule: plat.vaultDiagnostics,
            golden: () => [vault(), diagnostics("vault", [{ categoryGroup: "allLogs", enabled: true }])],
            passes: [
                { when: "AuditEvent is sent by category", set: { "vault-diagnostics:logs": [{ category: "AuditEvent", enabled: true }] } },
            ],
            fails: [
                {
                    when: "no diagnostic setting exists",
                    drop: ["vault-diagnostics"],
                    problems: ["no diagnostic setting sends its AuditEvent logs anywhere"],
                },
                {
                    when: "another resource's setting exists only",
                    drop: ["vault-diagnostics"],
                    add: [registry(), diagnostics("registry", [{ categoryGroup: "allLogs", enabled: true }])],
                    problems: ["no diagnostic setting sends its AuditEvent logs anywhere"],
                },
            ],
            unknown: { "vault-diagnostics:logs": 0 },
        });

        describeRule({
            rule: plat.registryNoSharedAccess,
            golden: () => [registry()],
            fails: [
                { when: "the admin user is on", set: { adminUserEnabled: true }, problems: ["adminUserEnabled is true"] },
                { when: "anonymous pull is on", set: { anonymousPullEnabled: true }, problems: ["anonymousPullEnabled is true"] },
            ],
            unknown: { adminUserEnabled: 0 },
        });

        describeRule({
            rule: plat.registryPrivate,
            golden: () => [registry()],
            fails: [
                {
                    when: "public network access is left on",
                    set: { publicNetworkAccess: undefined },
                    problems: ["publicNetworkAccess is Enabled (default)"],
                },
            ],
            unknown: { publicNetworkAccess: 0 },
        });

        describeRule({
            rule: plat.registryRetention,
            golden: () => [registry()],
            fails: [
                {
                    when: "there is no retention policy",
                    set: { policies: undefined },
                    problems: ["policies.retentionPolicy is not enabled"],
                },
            ],
            unknown: { policies: 0 },
        });

        describeRule({
            rule: plat.mlWorkspacePrivate,
            golden: () => [res("workspace", AZ.mlWorkspace, { resourceGroupName: "rg", publicNetworkAccess: "Disabled" })],
            fails: [
                {
                    when: "public access is enabled",
                    set: { publicNetworkAccess: "Enabled" },
                    problems: ["publicNetworkAccess is Enabled, not Disabled"],
                },
                {
                    when: "the setting is missing (counts as public)",
                    set: { publicNetworkAccess: undefined },
                    problems: ["publicNetworkAccess is unset, not Disabled"],
                },
            ],
            unknown: { publicNetworkAccess: 0 },
        });

        describeRule({
            rule: plat.mlComputeLocalAuth,
            golden: () => [compute()],
            passes: [
                {
                    when: "the compute is not an AmlCompute cluster",
                    set: { "properties.computeType": "Kubernetes", "properties.disableLocalAuth": undefined },
                },
            ],
            fails: [
                {
                    when: "local auth is left on",
                    set: { "properties.disableLocalAuth": undefined },
                    problems: ["properties.disableLocalAuth is not true"],
                },
            ],
            unknown: { "properties.disableLocalAuth": 0 },
        });

        describeRule({
            rule: plat.mlComputeScaleToZero,
            golden: () => [compute()],
            fails: [
                {
                    when: "a node is kept warm",
                    set: { "properties.properties.scaleSettings.minNodeCount": 1 },
                    problems: ["scaleSettings.minNodeCount is 1, not 0"],
                },
            ],
            unknown: { "properties.properties.scaleSettings": 0 },
        });

        describeRule({
            rule: plat.mlOnlineInstances,
            golden: () => [
                res("deployment", AZ.mlOnlineDeployment, {
                    resourceGroupName: "rg",
                    workspaceName: "w",
                    endpointName: "iris",
                    sku: { name: "Default", capacity: 2 },
                    properties: {
                        endpointComputeType: "Managed",
                        instanceType: "Standard_DS3_v2",
                        scaleSettings: { scaleType: "Default" },
                    },
                }),
            ],
            passes: [
                {
                    when: "target-utilization scaling keeps two instances",
                    set: {
                        sku: undefined,
                        "properties.scaleSettings": { scaleType: "TargetUtilization", minInstances: 2, maxInstances: 4 },
                    },
                },
            ],
            fails: [
                { when: "one instance runs", set: { "sku.capacity": 1 }, problems: ["runs 1 instance(s), below 2"] },
                { when: "the capacity is missing", set: { sku: undefined }, problems: ["runs 1 instance(s), below 2"] },
                {
                    when: "target-utilization scaling keeps one instance",
                    set: { "properties.scaleSettings": { scaleType: "TargetUtilization", minInstances: 1, maxInstances: 4 } },
                    problems: ["runs 1 instance(s), below 2"],
                },
            ],
            unknown: { sku: 0 },
        });

        const assignment = () =>
            res("assignment", AZ.roleAssignment, {
                principalId: "p",
                principalType: "ServicePrincipal",
                roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lake",
            });

        describeRule({
            rule: plat.noPrivilegedRoleAssignments,
            golden: () => [assignment()],
            passes: [
                {
                    when: "Contributor is scoped to one resource group",
                    set: {
                        roleDefinitionId:
                            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                        scope: "/subscriptions/s/resourceGroups/rg",
                    },
                },
            ],
            fails: [
                {
                    when: "Owner is assigned",
                    set: {
                        roleDefinitionId:
                            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                    },
                    problems: ["assigns Owner"],
                },
                {
                    when: "User Access Administrator is assigned",
                    set: { roleDefinitionId: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" },
                    problems: ["assigns User Access Administrator"],
                },
                {
                    when: "Contributor is assigned on the subscription",
                    set: {
                        roleDefinitionId:
                            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                        scope: "/subscriptions/s",
                    },
                    problems: ["assigns Contributor on the whole subscription"],
                },
            ],
            unknown: { roleDefinitionId: 0 },
        });

        describeRule({
            rule: plat.synapseHardening,
            golden: () => [
                res("synapse", AZ.synapse, {
                    resourceGroupName: "rg",
                    managedVirtualNetwork: "default",
                    managedVirtualNetworkSettings: { preventDataExfiltration: true },
                }),
            ],
            fails: [
                {
                    when: "there is no managed virtual network",
                    set: { managedVirtualNetwork: undefined },
                    problems: ["managedVirtualNetwork is not default"],
                },
                {
                    when: "data exfiltration is not prevented",
                    set: { "managedVirtualNetworkSettings.preventDataExfiltration": false },
                    problems: ["managedVirtualNetworkSettings.preventDataExfiltration is not true"],
                },
            ],
            unknown: { managedVirtualNetwork: 0 },
        });

        const workspace = () => res("workspace", AZ.mlWorkspace, { resourceGroupName: "rg", publicNetworkAccess: "Disabled" });
        const endpointTo = (name: string, target: string, group: string) =>
            res(
                name,
                AZ.privateEndpoint,
                {
                    resourceGroupName: "rg",
                    subnet: { id: "endpoints" },
                    privateLinkServiceConnections: [{ name, privateLinkServiceId: `${target}-id`, groupIds: [group] }],
                },
                { deps: { privateLinkServiceConnections: [target] } },
            );

        describeRule({
            rule: plat.privateEndpoints,
            golden: () => [
                workspace(),
                vault(),
                endpointTo("workspace-pe", "workspace", "amlworkspace"),
                endpointTo("vault-pe", "vault", "vault"),
            ],
            passes: [
                {
                    when: "the endpoint names the workspace by its ID only",
                    set: {
                        "workspace:id": "workspace-id",
                        "workspace-pe:privateLinkServiceConnections.0.privateLinkServiceId": "workspace-id",
                    },
                    add: [],
                },
            ],
            fails: [
                { when: "the workspace has no private endpoint", drop: ["workspace-pe"], problems: ["has no private endpoint"] },
                { when: "the vault has no private endpoint", drop: ["vault-pe"], problems: ["has no private endpoint"], on: "vault" },
            ],
            unknown: "reads no input",
        });

        const alert = () =>
            res(
                "alert",
                AZ.metricAlert,
                {
                    resourceGroupName: "rg",
                    location: "global",
                    severity: 2,
                    enabled: true,
                    scopes: ["app-id"],
                    actions: [{ actionGroupId: "group-id" }],
                },
                { deps: { actions: ["group"] } },
            );
        const group = () =>
            res("group", AZ.actionGroup, {
                resourceGroupName: "rg",
                groupShortName: "mlops",
                enabled: true,
                emailReceivers: [{ name: "email-0", emailAddress: "oncall@example.com", useCommonAlertSchema: true }],
            });

        describeRule({
            rule: plat.alertsNotify,
            golden: () => [alert(), group()],
            passes: [
                {
                    when: "the group only has a webhook",
                    set: {
                        "group:emailReceivers": [],
                        "group:webhookReceivers": [{ name: "webhook-0", serviceUri: "https://hooks.example.com/x" }],
                    },
                },
            ],
            fails: [
                { when: "the alert has no action", set: { actions: undefined }, problems: ["notifies no action group"] },
                {
                    when: "the action group has no receiver",
                    set: { "group:emailReceivers": [] },
                    problems: ["notifies only action groups without receivers"],
                },
                {
                    when: "the action group is disabled",
                    set: { "group:enabled": false },
                    problems: ["notifies only action groups without receivers"],
                },
            ],
            unknown: { actions: 0 },
        });

        describeRule({
            rule: plat.logAnalyticsRetention,
            golden: () => [
                res("logs", AZ.logAnalytics, { resourceGroupName: "rg", retentionInDays: 365 }),
                res("insights", AZ.appInsights, {
                    resourceGroupName: "rg",
                    kind: "web",
                    applicationType: "web",
                    workspaceResourceId: "logs-id",
                }),
            ],
            fails: [
                {
                    when: "the workspace retention is missing",
                    set: { retentionInDays: undefined },
                    problems: ["retentionInDays is not set"],
                },
                {
                    when: "classic Application Insights has no retention",
                    set: { "insights:workspaceResourceId": undefined },
                    problems: ["retentionInDays is not set"],
                    on: "insights",
                },
            ],
            unknown: { retentionInDays: 0 },
        });
    });

    describe("Container Apps and Functions", () => {
        describeRule({
            rule: srv.appHttpsOnly,
            golden: () => [app()],
            fails: [
                {
                    when: "plain HTTP is allowed",
                    set: { "configuration.ingress.allowInsecure": true },
                    problems: ["configuration.ingress.allowInsecure is true"],
                },
            ],
            unknown: { "configuration.ingress": 0 },
        });

        const environment = (internal: boolean) =>
            res("environment", AZ.managedEnvironment, {
                resourceGroupName: "rg",
                vnetConfiguration: { infrastructureSubnetId: "subnet-id", internal },
            });
        const publicApp = () => mutate([app()], { set: { "configuration.ingress.external": true } })[0];
        const linked = (a: Res): Res => ({
            ...a,
            props: { ...a.props, environmentId: "environment-id", containerAppName: "iris" },
            deps: { environmentId: ["environment"] },
        });
        const auth = () =>
            res(
                "auth",
                AZ.containerAppAuth,
                {
                    resourceGroupName: "rg",
                    containerAppName: "iris",
                    authConfigName: "current",
                    platform: { enabled: true },
                    globalValidation: { unauthenticatedClientAction: "Return401" },
                    identityProviders: {
                        azureActiveDirectory: {
                            enabled: true,
                            registration: { clientId: "client", openIdIssuer: "https://login.microsoftonline.com/t/v2.0" },
                        },
                    },
                },
                { deps: { containerAppName: ["app"] } },
            );

        describeRule({
            rule: srv.appInternalIngress,
            golden: () => [linked(publicApp()), environment(true)],
            passes: [
                {
                    when: "ingress stays inside a public environment",
                    set: { "configuration.ingress.external": false, "environment:vnetConfiguration.internal": false },
                },
            ],
            fails: [
                {
                    when: "ingress is external in an environment with a public IP",
                    set: { "environment:vnetConfiguration.internal": false },
                    problems: ["ingress is external in an environment with a public IP (reachable from the internet)"],
                },
                {
                    when: "ingress is external and the environment is not in the stack",
                    drop: ["environment"],
                    problems: ["ingress is external in an environment with a public IP (reachable from the internet)"],
                },
            ],
            unknown: { "configuration.ingress": 0 },
        });

        describeRule({
            rule: srv.appAuthenticated,
            golden: () => [linked(publicApp()), environment(false), auth()],
            passes: [
                {
                    when: "the environment is internal and nothing authenticates",
                    set: { "environment:vnetConfiguration.internal": true },
                    drop: ["auth"],
                },
                { when: "ingress stays inside the environment", set: { "configuration.ingress.external": false }, drop: ["auth"] },
            ],
            fails: [
                {
                    when: "a public app has no authentication config",
                    drop: ["auth"],
                    problems: ["is reachable from the internet and no authentication config requires a token"],
                },
                {
                    when: "the authentication config lets anonymous callers through",
                    set: { "auth:globalValidation.unauthenticatedClientAction": "AllowAnonymous" },
                    problems: ["is reachable from the internet and no authentication config requires a token"],
                },
                {
                    when: "authentication is switched off",
                    set: { "auth:platform.enabled": false },
                    problems: ["is reachable from the internet and no authentication config requires a token"],
                },
            ],
            unknown: { "configuration.ingress": 0 },
        });

        describeRule({
            rule: srv.environmentInNetwork,
            golden: () => [environment(true)],
            fails: [
                {
                    when: "the environment is outside any network",
                    set: { vnetConfiguration: undefined },
                    problems: ["vnetConfiguration.infrastructureSubnetId is not set (the environment is outside any virtual network)"],
                },
            ],
            unknown: { vnetConfiguration: 0 },
        });

        const endpoint = () =>
            res("endpoint", AZ.mlOnlineEndpoint, {
                resourceGroupName: "rg",
                workspaceName: "w",
                endpointName: "iris",
                properties: { authMode: "Key", publicNetworkAccess: "Disabled" },
            });

        describeRule({
            rule: srv.mlEndpointAuthenticated,
            golden: () => [endpoint()],
            passes: [{ when: "Entra ID tokens are required", set: { "properties.authMode": "AADToken" } }],
            fails: [
                { when: "the auth mode is missing", set: { "properties.authMode": undefined }, problems: ["properties.authMode is unset"] },
                {
                    when: "the auth mode is not one Azure ML authenticates with",
                    set: { "properties.authMode": "None" },
                    problems: ["properties.authMode is None"],
                },
            ],
            unknown: { "properties.authMode": 0 },
        });

        describeRule({
            rule: srv.mlEndpointPrivate,
            golden: () => [endpoint()],
            fails: [
                {
                    when: "the endpoint is public",
                    set: { "properties.publicNetworkAccess": "Enabled" },
                    problems: ["properties.publicNetworkAccess is Enabled"],
                },
            ],
            unknown: { "properties.publicNetworkAccess": 0 },
        });

        describeRule({
            rule: srv.appManagedIdentity,
            golden: () => [app()],
            fails: [
                { when: "the app has no identity", set: { identity: undefined }, problems: ["the app has no managed identity"] },
                {
                    when: "the registry is pulled with a password",
                    set: {
                        "configuration.registries.0": { server: "acr.azurecr.io", username: "admin", passwordSecretRef: "acr-password" },
                    },
                    problems: ["pulls from acr.azurecr.io with a password"],
                },
            ],
            unknown: { identity: 0 },
        });

        describeRule({
            rule: srv.appScaling,
            golden: () => [app()],
            fails: [
                {
                    when: "maxReplicas is missing",
                    set: { "template.scale.maxReplicas": undefined },
                    problems: ["template.scale.maxReplicas is not set"],
                },
                {
                    when: "the scale block is missing",
                    set: { "template.scale": undefined },
                    problems: ["template.scale.maxReplicas is not set"],
                },
            ],
            unknown: { "template.scale": 0 },
        });

        describeRule({
            rule: srv.appProbes,
            golden: () => [app()],
            fails: [
                {
                    when: "the readiness probe is missing",
                    set: { "template.containers.0.probes": [probe("Liveness")] },
                    problems: ["container model has no Readiness probe"],
                },
                {
                    when: "there are no probes",
                    set: { "template.containers.0.probes": undefined },
                    problems: ["container model has no Liveness probe", "container model has no Readiness probe"],
                },
            ],
            unknown: { "template.containers": 0 },
        });

        describeRule({
            rule: srv.environmentZoneRedundant,
            golden: () => [res("environment", AZ.managedEnvironment, { resourceGroupName: "rg", zoneRedundant: true })],
            fails: [{ when: "the environment is in one zone", set: { zoneRedundant: undefined }, problems: ["zoneRedundant is not true"] }],
            unknown: { zoneRedundant: 0 },
        });

        describeRule({
            rule: srv.webAppTransport,
            golden: () => [webApp()],
            fails: [
                { when: "HTTP is allowed", set: { httpsOnly: undefined }, problems: ["httpsOnly is not true"] },
                {
                    when: "TLS 1.0 is accepted",
                    set: { "siteConfig.minTlsVersion": "1.0" },
                    problems: ["siteConfig.minTlsVersion is 1.0, not 1.2"],
                },
                {
                    when: "remote debugging is on",
                    set: { "siteConfig.remoteDebuggingEnabled": true },
                    problems: ["siteConfig.remoteDebuggingEnabled is true"],
                },
            ],
            unknown: { httpsOnly: 0 },
        });

        describeRule({
            rule: srv.webAppPrivate,
            golden: () => [webApp()],
            fails: [
                {
                    when: "public network access is on",
                    set: { publicNetworkAccess: "Enabled" },
                    problems: ["publicNetworkAccess is Enabled"],
                },
            ],
            unknown: { publicNetworkAccess: 0 },
        });
    });
});

describe("azure data pipeline rules", () => {
    const namespace = () =>
        res("streams-namespace", "azure-native:eventhub:Namespace", {
            resourceGroupName: "rg",
            sku: { name: "Standard", tier: "Standard", capacity: 1 },
            disableLocalAuth: true,
            minimumTlsVersion: "1.2",
        });
    const eventsAccount = () =>
        res("pipelines-events", AZ.storageAccount, {
            accountName: "mlopsprodev",
            encryption: {
                keySource: "Microsoft.Keyvault",
                services: { blob: { keyType: "Account" }, queue: { enabled: true, keyType: "Account" } },
            },
        });
    describeRule({
        rule: pipe.pipelineStoresEncrypted,
        golden: () => [namespace(), eventsAccount()],
        passes: [
            {
                when: "a Premium namespace has a customer-managed key",
                set: { "sku.name": "Premium", "encryption.keySource": "Microsoft.KeyVault" },
            },
        ],
        fails: [
            {
                when: "shared access keys work",
                set: { disableLocalAuth: false },
                problems: ["disableLocalAuth is not true (shared access keys work)"],
            },
            { when: "TLS 1.0 is accepted", set: { minimumTlsVersion: "1.0" }, problems: ["minimumTlsVersion is 1.0, not 1.2"] },
            {
                when: "a Premium namespace has no customer-managed key",
                set: { "sku.name": "Premium" },
                problems: ["sku is Premium and encryption.keySource is not Microsoft.KeyVault"],
            },
            {
                when: "the events account's queues use the service key",
                set: { "pipelines-events:encryption.services.queue.keyType": "Service" },
                on: "pipelines-events",
                problems: ["queues are not covered by the account key (encryption.services.queue.keyType is not Account)"],
            },
        ],
        unknown: { disableLocalAuth: 0 },
    });

    const blobGrant = () =>
        res("pipelines-iris-etl-identity-read-source", AZ.roleAssignment, {
            scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lake/blobServices/default/containers/raw",
            roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            principalId: "p",
            condition:
                "((!(ActionMatches{'x'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'iris/'))",
            conditionVersion: "2.0",
        });
    describeRule({
        rule: pipe.blobRolesNoWildcard,
        golden: () => [blobGrant()],
        passes: [{ when: "a whole container is granted without a condition", set: { condition: undefined, conditionVersion: undefined } }],
        fails: [
            {
                when: "the role is granted on the whole account",
                set: { scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lake" },
                problems: [
                    "grants a blob data role on /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lake, wider than one container",
                ],
            },
            {
                when: "the role is granted on the resource group",
                set: { scope: "/subscriptions/s/resourceGroups/rg" },
                problems: ["grants a blob data role on /subscriptions/s/resourceGroups/rg, wider than one container"],
            },
            {
                when: "the path condition is an empty prefix",
                set: { condition: "(@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith '')" },
                problems: ["its condition matches every blob path"],
            },
        ],
        unknown: { scope: 0 },
    });
});

describe("azure training pipeline rules", () => {
    const RG = "/subscriptions/s/resourceGroups/rg";
    const WS = `${RG}/providers/Microsoft.MachineLearningServices/workspaces/w`;
    const identity = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mlops-train-iris`;
    const job = (approval = "pending") => ({
        jobType: "Command",
        displayName: "iris-train",
        computeId: `${WS}/computes/t-iris`,
        environmentId: `${WS}/environments/iris-train/versions/1`,
        identity: { identityType: "Managed", resourceId: identity, clientId: "c" },
        command: "python /app/train.py",
        environmentVariables: { MLOPS_APPROVAL: approval, MLOPS_TRIGGER: "schedule" },
    });
    const schedule = () =>
        res("training-iris-schedule", AZ.mlSchedule, {
            resourceGroupName: "rg",
            workspaceName: "w",
            name: "iris-train",
            properties: {
                isEnabled: true,
                trigger: { triggerType: "Cron", expression: "0 4 * * 1", timeZone: "UTC" },
                action: { actionType: "CreateJob", jobDefinition: job() },
            },
        });
    const submitter = () =>
        res("training-iris-new-data", AZ.logicWorkflow, {
            resourceGroupName: "rg",
            workflowName: "mlops-iris-new-data",
            identity: { type: "SystemAssigned" },
            definition: {
                triggers: { manual: { type: "Request", kind: "Http" } },
                actions: {
                    handshake: {
                        type: "If",
                        actions: { validate: { type: "Response", kind: "Http", inputs: { statusCode: 200 } } },
                        else: {
                            actions: {
                                submit: {
                                    type: "Http",
                                    inputs: {
                                        method: "PUT",
                                        uri: `https://management.azure.com${WS}/jobs/@{guid()}?api-version=2024-04-01`,
                                        body: { properties: job() },
                                        authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        });

    describeRule({
        rule: tr.customRolesNarrow,
        golden: () => [
            res("training-registrar-role", AZ.roleDefinition, {
                roleName: "mlops model registrar (mlops-azure-prod)",
                scope: RG,
                assignableScopes: [RG],
                permissions: [
                    {
                        actions: [
                            "Microsoft.MachineLearningServices/workspaces/read",
                            "Microsoft.MachineLearningServices/workspaces/models/versions/write",
                        ],
                        dataActions: [],
                    },
                ],
            }),
        ],
        passes: [{ when: "the role is assignable in the whole subscription", set: { assignableScopes: ["/subscriptions/s"] } }],
        fails: [
            {
                when: "an action is a wildcard",
                set: { "permissions.0.actions.1": "Microsoft.MachineLearningServices/workspaces/*" },
                problems: ["permissions[0].actions allows Microsoft.MachineLearningServices/workspaces/* (a wildcard)"],
            },
            {
                when: "a data action is everything",
                set: { "permissions.0.dataActions": ["*"] },
                problems: ["permissions[0].dataActions allows * (a wildcard)"],
            },
            {
                when: "the role can write role assignments",
                set: { "permissions.0.actions.1": "Microsoft.Authorization/roleAssignments/write" },
                problems: [
                    "permissions[0].actions allows Microsoft.Authorization/roleAssignments/write: holders could change who has access",
                ],
            },
            {
                when: "the role is assignable at the root",
                set: { assignableScopes: ["/"] },
                problems: ["assignableScopes includes /, beyond one subscription"],
            },
        ],
        unknown: { permissions: 0 },
    });

    describeRule({
        rule: tr.mlJobsOwnIdentity,
        golden: () => [schedule(), submitter()],
        passes: [
            { when: "the schedule starts no job (e.g. a monitor)", set: { "properties.action": { actionType: "CreateMonitor" } } },
            {
                when: "a Logic App action only reads jobs",
                set: { "training-iris-new-data:definition.actions.handshake.else.actions.submit.inputs.method": "GET" },
            },
        ],
        fails: [
            {
                when: "the scheduled job has no identity (runs as the schedule's creator)",
                set: { "properties.action.jobDefinition.identity": undefined },
                problems: ["properties.action.jobDefinition: identity is not set (the job runs as whoever submitted it)"],
            },
            {
                when: "the scheduled job runs with the user's identity",
                set: { "properties.action.jobDefinition.identity": { identityType: "UserIdentity" } },
                problems: ["properties.action.jobDefinition: identity is UserIdentity, not the pipeline's user-assigned managed identity"],
            },
            {
                when: "the scheduled job names no compute (serverless, outside the stack's cluster)",
                set: { "properties.action.jobDefinition.computeId": undefined },
                problems: ["properties.action.jobDefinition: computeId is not set: the job does not run on the stack's cluster"],
            },
            {
                when: "a Logic App submits a job with the AML token",
                set: {
                    "training-iris-new-data:definition.actions.handshake.else.actions.submit.inputs.body.properties.identity": {
                        identityType: "AMLToken",
                    },
                },
                on: "training-iris-new-data",
                problems: ["action submit: identity is AMLToken, not the pipeline's user-assigned managed identity"],
            },
        ],
        unknown: { properties: 0 },
    });

    describeRule({
        rule: tr.prodVersionsPending,
        golden: () => [schedule(), submitter()],
        passes: [
            {
                when: "an AutoML job registers its best model untagged (pending until tagged approved)",
                set: {
                    "properties.action.jobDefinition": {
                        ...job(),
                        jobType: "AutoML",
                        environmentVariables: { MLOPS_TRIGGER: "schedule" },
                        outputs: { best_model: { jobOutputType: "mlflow_model", assetName: "iris" } },
                    },
                },
            },
        ],
        fails: [
            {
                when: "the scheduled job registers versions approved",
                set: { "properties.action.jobDefinition.environmentVariables.MLOPS_APPROVAL": "approved" },
                problems: ["properties.action.jobDefinition: registers versions as approved, not pending (MLOPS_APPROVAL)"],
            },
            {
                when: "the new-data workflow's job registers versions approved",
                set: {
                    "training-iris-new-data:definition.actions.handshake.else.actions.submit.inputs.body.properties.environmentVariables.MLOPS_APPROVAL":
                        "approved",
                },
                on: "training-iris-new-data",
                problems: ["action submit: registers versions as approved, not pending (MLOPS_APPROVAL)"],
            },
            {
                when: "an AutoML output is tagged approved",
                set: {
                    "properties.action.jobDefinition.outputs": {
                        best_model: { jobOutputType: "mlflow_model", assetName: "iris", tags: { approval: "approved" } },
                    },
                },
                problems: ["properties.action.jobDefinition: output best_model registers versions tagged approval: approved"],
            },
        ],
        unknown: { properties: 0 },
    });

    const approverRole = () =>
        res("training-approver-role", AZ.roleDefinition, {
            roleName: "mlops model approver (mlops-azure-prod)",
            scope: RG,
            assignableScopes: [RG],
            permissions: [{ actions: ["Microsoft.MachineLearningServices/workspaces/models/versions/write"] }],
        });
    const registrarRole = () =>
        res("training-registrar-role", AZ.roleDefinition, {
            roleName: "mlops model registrar (mlops-azure-prod)",
            scope: RG,
            assignableScopes: [RG],
            permissions: [{ actions: ["Microsoft.MachineLearningServices/workspaces/models/versions/write"] }],
        });
    const grant = () =>
        res(
            "training-iris-registrar",
            AZ.roleAssignment,
            { scope: WS, roleDefinitionId: "training-registrar-role-id", principalId: "p", principalType: "ServicePrincipal" },
            { deps: { scope: ["ml-workspace"], roleDefinitionId: ["training-registrar-role"] } },
        );
    describeRule({
        rule: tr.approvalSeparate,
        golden: () => [grant(), registrarRole(), approverRole(), res("ml-workspace", AZ.mlWorkspace, { resourceGroupName: "rg" })],
        passes: [
            {
                when: "Contributor is granted on something other than the workspace (a storage account)",
                set: {
                    scope: `${RG}/providers/Microsoft.Storage/storageAccounts/lake`,
                    roleDefinitionId:
                        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                },
                drop: ["ml-workspace"],
            },
        ],
        fails: [
            {
                when: "the stack assigns the approver role to a principal it creates",
                add: [
                    res(
                        "training-iris-approver",
                        AZ.roleAssignment,
                        { scope: WS, roleDefinitionId: "training-approver-role-id", principalId: "p" },
                        { deps: { roleDefinitionId: ["training-approver-role"] } },
                    ),
                ],
                on: "training-iris-approver",
                problems: [
                    "assigns the approver role (mlops model approver (mlops-azure-prod)) to a principal the stack creates: approval would not be a person's",
                ],
            },
            {
                when: "a pipeline gets AzureML Data Scientist on the workspace",
                set: {
                    roleDefinitionId:
                        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/f6c7c914-8db3-469d-8ca1-694a8f32e121",
                },
                drop: ["training-registrar-role"],
                problems: [
                    "assigns AzureML Data Scientist on an Azure ML workspace or its resource group: it includes models/versions/write, so the holder could approve versions",
                ],
            },
            {
                when: "a pipeline gets Contributor on the resource group (written literally)",
                set: {
                    scope: RG,
                    roleDefinitionId:
                        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                },
                drop: ["ml-workspace", "training-registrar-role"],
                problems: [
                    "assigns Contributor on an Azure ML workspace or its resource group: it includes models/versions/write, so the holder could approve versions",
                ],
            },
        ],
        unknown: { roleDefinitionId: 0 },
    });

    const delivery = () =>
        res("training-delivery", AZ.logicWorkflow, {
            resourceGroupName: "rg",
            workflowName: "mlops-delivery",
            identity: { type: "SystemAssigned" },
            parameters: { githubToken: { type: "SecureString", value: "t" } },
            definition: {
                parameters: { githubToken: { type: "SecureString" } },
                triggers: { every15Minutes: { type: "Recurrence", recurrence: { frequency: "Minute", interval: 15 } } },
                actions: {
                    list_iris: {
                        type: "Http",
                        inputs: {
                            method: "GET",
                            uri: `https://management.azure.com${WS}/models/iris/versions`,
                            authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
                        },
                    },
                    deliver_iris: {
                        type: "Foreach",
                        actions: {
                            dispatch: {
                                type: "Http",
                                inputs: {
                                    method: "POST",
                                    uri: "https://api.github.com/repos/acme/mlops/actions/workflows/promote.yml/dispatches",
                                    headers: {
                                        Authorization: "Bearer @{parameters('githubToken')}",
                                        Accept: "application/vnd.github+json",
                                    },
                                },
                            },
                        },
                    },
                },
            },
        });
    describeRule({
        rule: tr.logicAppSecrets,
        golden: () => [delivery()],
        fails: [
            {
                when: "the token parameter is a plain String",
                set: { "definition.parameters.githubToken.type": "String", "parameters.githubToken.type": "String" },
                problems: [
                    "definition parameter githubToken is String, not SecureString: its value shows in run history",
                    "parameter githubToken is String, not SecureString: its value shows in run history",
                ],
            },
            {
                when: "the token is written into the header",
                set: { "definition.actions.deliver_iris.actions.dispatch.inputs.headers.Authorization": "Bearer ghp_0123456789" },
                problems: ["action dispatch sends a literal Authorization header: the credential is in the definition"],
            },
            {
                when: "an ARM call has no managed identity",
                set: { "definition.actions.list_iris.inputs.authentication": undefined },
                problems: ["action list_iris calls Azure Resource Manager without the workflow's managed identity"],
            },
        ],
        unknown: { definition: 0 },
    });

    const driftAlert = () =>
        res(
            "training-iris-drift-alert",
            AZ.scheduledQueryRule,
            {
                resourceGroupName: "rg",
                kind: "LogAlert",
                scopes: ["logs-id"],
                criteria: { allOf: [{ query: "ContainerAppConsoleLogs", operator: "GreaterThan", threshold: 0 }] },
                actions: { actionGroups: ["alerts-action-group-id", "retrain-group-id"] },
            },
            { deps: { actions: ["alerts-action-group", "retrain-group"] } },
        );
    const people = () =>
        res("alerts-action-group", AZ.actionGroup, {
            resourceGroupName: "rg",
            enabled: true,
            emailReceivers: [{ name: "email-0", emailAddress: "ml-oncall@example.com" }],
        });
    const retrain = () =>
        res("retrain-group", AZ.actionGroup, {
            resourceGroupName: "rg",
            enabled: true,
            logicAppReceivers: [{ name: "retrain", resourceId: "wf", callbackUrl: "https://x" }],
        });
    describeRule({
        rule: tr.logAlertsNotify,
        golden: () => [driftAlert(), people(), retrain()],
        passes: [
            {
                when: "one group is outside the stack (cannot be judged here)",
                set: {
                    "actions.actionGroups": [
                        "/subscriptions/s/resourceGroups/ops/providers/microsoft.insights/actionGroups/oncall",
                        "retrain-group-id",
                    ],
                },
                drop: ["alerts-action-group"],
            },
        ],
        fails: [
            { when: "the alert has no action group", set: { actions: undefined }, problems: ["notifies no action group"] },
            {
                when: "the alert only starts retraining (no person hears of drift)",
                set: { "actions.actionGroups": ["retrain-group-id"] },
                drop: ["alerts-action-group"],
                problems: ["notifies only action groups that reach no person (automation receivers only)"],
            },
        ],
        unknown: { actions: 0 },
    });
});
