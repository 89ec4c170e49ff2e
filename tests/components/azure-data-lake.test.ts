import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AzureDataLake, LAKE_KEY_NAME } from "../../components/data-lake/azure";
import { AzureDataLakeArgs } from "../../components/data-lake/azure-args";
import { roleAssignmentGuid, roleDefinitionId } from "../../components/identity/azure-roles";
import { isValidAzureName, namePrefix } from "../../components/naming/azure";
import { ValidationError } from "../../components/shared/problems";
import { CapturedResource, captureResources, ofType, only, rejectedBuild } from "../harness";

const T = {
    account: "azure-native:storage:StorageAccount",
    container: "azure-native:storage:BlobContainer",
    blobService: "azure-native:storage:BlobServiceProperties",
    policy: "azure-native:storage:ManagementPolicy",
    vault: "azure-native:keyvault:Vault",
    key: "azure-native:keyvault:Key",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment",
    lock: "azure-native:authorization:ManagementLockByScope",
    diagnostics: "azure-native:monitor:DiagnosticSetting",
    synapse: "azure-native:synapse:Workspace",
    synapseAdmin: "azure-native:synapse:WorkspaceAadAdmin",
    synapseFirewall: "azure-native:synapse:IpFirewallRule",
    endpoint: "azure-native:network:PrivateEndpoint",
    dnsZoneGroup: "azure-native:network:PrivateDnsZoneGroup",
};
const SUB = "00000000-0000-4000-8000-000000000501";
const TENANT = "00000000-0000-4000-8000-0000000007e0";
const LOGS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
const ML_WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.MachineLearningServices/workspaces/ws`;
const NET = "/subscriptions/sub/resourceGroups/rg-test/providers/Microsoft.Network";
const PRIVATE_ENDPOINTS = {
    subnetId: `${NET}/virtualNetworks/vnet/subnets/private-endpoints`,
    blobDnsZoneId: `${NET}/privateDnsZones/privatelink.blob.core.windows.net`,
    dfsDnsZoneId: `${NET}/privateDnsZones/privatelink.dfs.core.windows.net`,
    vaultDnsZoneId: `${NET}/privateDnsZones/privatelink.vaultcore.azure.net`,
};

const base: AzureDataLakeArgs = {
    resourceGroupName: "rg-test",
    location: "swedencentral",
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    subscriptionId: SUB,
    tenantId: TENANT,
    logAnalyticsWorkspaceId: LOGS,
    zones: ["raw", "curated", "features", "models"],
    protectData: false,
    replication: "LRS",
    trustedResourceIds: [ML_WORKSPACE],
    tags: { "mlops-stack": "test" },
};

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));

async function build(args: AzureDataLakeArgs = base): Promise<{ resources: CapturedResource[]; lake: AzureDataLake }> {
    let lake: AzureDataLake | undefined;
    const { resources } = await captureResources(() => {
        lake = new AzureDataLake("lake", args);
    });
    return { resources, lake: lake! };
}

async function rejected(args: AzureDataLakeArgs): Promise<string> {
    let error: unknown;
    const { resources } = await captureResources(() => {
        try {
            new AzureDataLake("lake", args);
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, /^AzureDataLake "lake" is invalid/);
    assert.deepEqual(
        resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad arguments",
    );
    return error.message;
}

describe("AzureDataLake", () => {
    let resources: CapturedResource[];
    let lake: AzureDataLake;
    before(async () => ({ resources, lake } = await build()));

    it("is an ADLS Gen2 account reachable only over HTTPS/TLS 1.2 with Entra ID, behind a default-deny firewall", () => {
        const account = only(resources, T.account, "lake-account").inputs;
        assert.equal(account.accountName, "mlopstestdlabc123");
        assert.equal(account.kind, "StorageV2");
        assert.equal(account.isHnsEnabled, true);
        assert.deepEqual(account.sku, { name: "Standard_LRS" });
        for (const [k, v] of Object.entries({
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            allowSharedKeyAccess: false,
            isLocalUserEnabled: false,
            isSftpEnabled: false,
            allowCrossTenantReplication: false,
            publicNetworkAccess: "Enabled",
        })) {
            assert.equal(account[k], v, k);
        }
        assert.deepEqual(account.networkRuleSet, {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [],
            resourceAccessRules: [{ tenantId: TENANT, resourceId: ML_WORKSPACE }],
        });
        assert.deepEqual(account.tags, { "mlops-stack": "test" });
    });

    it("encrypts with its own customer-managed key, unwrapped by an identity that may use that one key only", () => {
        const account = only(resources, T.account, "lake-account").inputs;
        const identity = only(resources, T.identity, "lake-encryption-identity");
        const key = only(resources, T.key, `lake-keys-${LAKE_KEY_NAME}`);
        assert.deepEqual(account.encryption, {
            keySource: "Microsoft.Keyvault",
            keyVaultProperties: { keyName: LAKE_KEY_NAME, keyVaultUri: "https://mlops-test-dl-abc123.vault.azure.net/" },
            encryptionIdentity: { encryptionUserAssignedIdentity: identity.id },
            requireInfrastructureEncryption: true,
            services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
        });
        assert.deepEqual(account.identity, { type: "UserAssigned", userAssignedIdentities: [identity.id] });
        const grant = only(resources, T.role, "lake-encryption-cmk").inputs;
        const definition = roleDefinitionId(SUB, "Key Vault Crypto Service Encryption User");
        assert.deepEqual(grant, {
            scope: key.id,
            roleDefinitionId: definition,
            principalId: grant.principalId,
            principalType: "ServicePrincipal",
            roleAssignmentName: roleAssignmentGuid(key.id!, definition, grant.principalId),
            description: "mlops: Key Vault Crypto Service Encryption User",
        });
        assert.equal(key.inputs.properties.kty, "RSA");
        assert.equal(key.inputs.properties.keySize, 3072);
        assert.deepEqual(key.inputs.properties.rotationPolicy.lifetimeActions[0], {
            trigger: { timeAfterCreate: "P90D" },
            action: { type: "rotate" },
        });
    });

    it("keeps its key in an RBAC vault with purge protection, no public access and audit logs", () => {
        const vault = only(resources, T.vault, "lake-keys-vault").inputs;
        assert.equal(vault.vaultName, "mlops-test-dl-abc123");
        assert.ok(isValidAzureName("keyVault", vault.vaultName));
        assert.deepEqual(
            {
                rbac: vault.properties.enableRbacAuthorization,
                softDelete: vault.properties.enableSoftDelete,
                purge: vault.properties.enablePurgeProtection,
                days: vault.properties.softDeleteRetentionInDays,
                public: vault.properties.publicNetworkAccess,
                acls: vault.properties.networkAcls,
                tenant: vault.properties.tenantId,
            },
            {
                rbac: true,
                softDelete: true,
                purge: true,
                days: 90,
                public: "Disabled",
                acls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [] },
                tenant: TENANT,
            },
        );
        const vaultLogs = only(resources, T.diagnostics, "lake-keys-diagnostics").inputs;
        assert.deepEqual(
            [vaultLogs.resourceUri, vaultLogs.workspaceId, vaultLogs.logs],
            ["lake-keys-vault-id", LOGS, [{ categoryGroup: "allLogs", enabled: true }]],
        );
    });

    it("has one private container per zone and blob and container soft delete, without the versioning, change feed or restore an ADLS Gen2 account rejects", () => {
        const containers = ofType(resources, T.container);
        assert.deepEqual(
            containers.map((c) => [c.name, c.inputs.containerName, c.inputs.publicAccess, c.inputs.accountName]),
            base.zones.map((z) => [`lake-${z}`, z, "None", "mlopstestdlabc123"]),
        );
        const blob = only(resources, T.blobService, "lake-blob-service").inputs;
        assert.deepEqual(blob, {
            accountName: "mlopstestdlabc123",
            resourceGroupName: "rg-test",
            blobServicesName: "default",
            deleteRetentionPolicy: { enabled: true, days: 7, allowPermanentDelete: false },
            containerDeleteRetentionPolicy: { enabled: true, days: 7 },
        });
    });

    it("cools the raw zone through a lifecycle policy with no version or snapshot rule", () => {
        const policy = only(resources, T.policy, "lake-lifecycle").inputs;
        assert.equal(policy.managementPolicyName, "default");
        assert.deepEqual(
            policy.policy.rules.map((r: any) => [r.name, Object.keys(r.definition.actions)]),
            [["raw-to-cool", ["baseBlob"]]],
        );
    });

    it("has no lifecycle policy without a raw zone (Azure refuses a policy without rules)", async () => {
        const { resources: noRaw } = await build({ ...base, zones: ["curated", "models"] });
        assert.deepEqual(ofType(noRaw, T.policy), []);
    });

    it("creates no private endpoint and keeps the public endpoint behind the firewall without privateEndpoints", () => {
        assert.deepEqual([...ofType(resources, T.endpoint), ...ofType(resources, T.dnsZoneGroup)], []);
        assert.equal(only(resources, T.account).inputs.publicNetworkAccess, "Enabled");
    });

    it("admits allowedSubnetIds by virtual network rules and nothing else, still denying by default", async () => {
        assert.equal(only(resources, T.account).inputs.networkRuleSet.virtualNetworkRules, undefined);
        const { resources: withSubnet } = await build({ ...base, allowedSubnetIds: ["/vnet/subnets/jobs"] });
        const rules = only(withSubnet, T.account).inputs.networkRuleSet;
        assert.deepEqual(
            [rules.defaultAction, rules.ipRules, rules.virtualNetworkRules],
            ["Deny", [], [{ virtualNetworkResourceId: "/vnet/subnets/jobs", action: "Allow" }]],
        );
    });

    it("with firewall: false admits every network and lists no rule; shared keys and anonymous access stay off", async () => {
        const { resources: open } = await build({ ...base, firewall: false, trustedResourceIds: ["/ml/workspace"] });
        const a = only(open, T.account).inputs;
        assert.deepEqual(
            [a.publicNetworkAccess, a.networkRuleSet.defaultAction, a.networkRuleSet.ipRules, a.networkRuleSet.resourceAccessRules],
            ["Enabled", "Allow", [], []],
        );
        assert.deepEqual([a.allowSharedKeyAccess, a.allowBlobPublicAccess, a.isLocalUserEnabled], [false, false, false]);
    });

    it("refuses firewall: false with private endpoints, IP ranges or subnets, in one error, registering nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new AzureDataLake("lake", {
                    ...base,
                    firewall: false,
                    allowedIpRanges: ["203.0.113.7"],
                    allowedSubnetIds: ["/vnet/subnets/jobs"],
                    privateEndpoints: PRIVATE_ENDPOINTS,
                }),
            'AzureDataLake "lake"',
        );
        for (const key of ["privateEndpoints", "allowedIpRanges", "allowedSubnetIds"])
            assert.match(message, new RegExp(`${key}: has no effect with firewall: false \\(the account admits every network\\)`), key);
        assert.deepEqual(registered, []);
    });

    it("sends blob reads, writes and deletes to Log Analytics (the audit trail)", () => {
        const logs = only(resources, T.diagnostics, "lake-blob-diagnostics").inputs;
        assert.equal(logs.resourceUri, "lake-account-id/blobServices/default");
        assert.equal(logs.workspaceId, LOGS);
        assert.equal(logs.logAnalyticsDestinationType, "Dedicated");
        assert.deepEqual(
            logs.logs,
            ["StorageRead", "StorageWrite", "StorageDelete"].map((category) => ({ category, enabled: true })),
        );
        assert.deepEqual(logs.metrics, [{ category: "Transaction", enabled: true }]);
    });

    it("protects nothing and locks nothing outside prod; no Synapse without queryEngine", () => {
        for (const r of resources.filter((x) => x.custom)) assert.deepEqual(r.options, { protect: false, retainOnDelete: false }, r.name);
        assert.deepEqual(ofType(resources, T.lock), []);
        assert.deepEqual(ofType(resources, T.synapse), []);
    });

    it("exports zone containers and the dfs endpoint", async () => {
        assert.deepEqual(await valueOf(lake.bucketNames), { raw: "raw", curated: "curated", features: "features", models: "models" });
        assert.equal(await valueOf(lake.endpoint), "https://mlopstestdlabc123.dfs.core.windows.net/");
        assert.deepEqual(await valueOf(lake.containerIds), {
            raw: "lake-raw-id",
            curated: "lake-curated-id",
            features: "lake-features-id",
            models: "lake-models-id",
        });
    });

    describe("with protectData (prod), queryEngine and IP allow-lists", () => {
        let prod: CapturedResource[];
        before(async () => {
            ({ resources: prod } = await build({
                ...base,
                protectData: true,
                replication: "GZRS",
                queryEngine: true,
                queryAdministratorObjectId: "deployer-oid",
                allowedIpRanges: ["203.0.113.7/32"],
                queryAllowedIpRanges: ["198.51.100.0/24"],
                softDeleteRetentionDays: 30,
            }));
        });

        it("protects and retains the account, containers, vault, key and Synapse, and locks the account", () => {
            // The encryption identity and its key grant too: without them the retained account cannot read its key.
            for (const name of [
                "lake-account",
                "lake-raw",
                "lake-models",
                "lake-synapse-filesystem",
                "lake-keys-vault",
                `lake-keys-${LAKE_KEY_NAME}`,
                "lake-query-workspace",
                "lake-encryption-identity",
                "lake-encryption-cmk",
            ]) {
                assert.deepEqual(prod.find((r) => r.name === name)!.options, { protect: true, retainOnDelete: true }, name);
            }
            const lock = only(prod, T.lock, "lake-lock").inputs;
            assert.deepEqual([lock.scope, lock.level], ["lake-account-id", "CanNotDelete"]);
            assert.deepEqual(only(prod, T.account).inputs.sku, { name: "Standard_GZRS" });
            assert.equal(only(prod, T.blobService).inputs.deleteRetentionPolicy.days, 30);
        });

        it("lets only the listed addresses and the Synapse and ML workspaces through the firewall", () => {
            const rules = only(prod, T.account).inputs.networkRuleSet;
            assert.deepEqual(rules.ipRules, [{ iPAddressOrRange: "203.0.113.7", action: "Allow" }]);
            assert.deepEqual(
                rules.resourceAccessRules.map((r: any) => r.resourceId),
                [ML_WORKSPACE, `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.Synapse/workspaces/mlops-test-syn-abc123`],
            );
        });

        it("queries the lake with Synapse serverless SQL: managed VNet, exfiltration protection, Entra ID only, read-only zones", () => {
            const ws = only(prod, T.synapse, "lake-query-workspace").inputs;
            assert.deepEqual(
                {
                    name: ws.workspaceName,
                    vnet: ws.managedVirtualNetwork,
                    settings: ws.managedVirtualNetworkSettings,
                    aadOnly: ws.azureADOnlyAuthentication,
                    public: ws.publicNetworkAccess,
                    storage: ws.defaultDataLakeStorage,
                },
                {
                    name: "mlops-test-syn-abc123",
                    vnet: "default",
                    settings: { preventDataExfiltration: true, allowedAadTenantIdsForLinking: [] },
                    aadOnly: true,
                    public: "Enabled",
                    storage: {
                        accountUrl: "https://mlopstestdlabc123.dfs.core.windows.net/",
                        filesystem: "synapse-workspace",
                        resourceId: "lake-account-id",
                        createManagedPrivateEndpoint: true,
                    },
                },
            );
            assert.deepEqual(only(prod, T.synapseFirewall).inputs, {
                workspaceName: "mlops-test-syn-abc123",
                resourceGroupName: "rg-test",
                ruleName: "allow-0",
                startIpAddress: "198.51.100.0",
                endIpAddress: "198.51.100.255",
            });
            assert.equal(only(prod, T.synapseAdmin).inputs.sid, "deployer-oid");
            const grants = ofType(prod, T.role).filter((r) => r.name.startsWith("lake-query-"));
            const byName = Object.fromEntries(grants.map((g) => [g.name, [g.inputs.scope, g.inputs.roleDefinitionId.split("/").pop()]]));
            assert.deepEqual(byName, {
                "lake-query-own-filesystem": ["lake-synapse-filesystem-id", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
                "lake-query-read-raw": ["lake-raw-id", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
                "lake-query-read-curated": ["lake-curated-id", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
                "lake-query-read-features": ["lake-features-id", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
                "lake-query-read-models": ["lake-models-id", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
            });
        });
    });

    it("fits every name on the longest stack name", async () => {
        const { resources: long } = await build({ ...base, namePrefix: namePrefix("mlops", "x".repeat(60)), nameSuffix: "z9z9z9" });
        assert.ok(isValidAzureName("storageAccount", only(long, T.account).inputs.accountName));
        assert.ok(isValidAzureName("keyVault", only(long, T.vault).inputs.vaultName));
        assert.ok(isValidAzureName("userAssignedIdentity", only(long, T.identity).inputs.resourceName));
    });

    it("fails when a protected lake is not geo-redundant", async () => {
        const message = await rejected({ ...base, protectData: true, replication: "LRS" });
        assert.ok(
            message.includes('replication: keeps the protected lake in one region (CKV_AZURE_206 wants geo-redundant storage) (got "LRS")'),
            message,
        );
    });

    it("fails when soft delete retention is outside 7-365 days", async () => {
        assert.match(
            await rejected({ ...base, softDeleteRetentionDays: 400 }),
            /softDeleteRetentionDays: must be a whole number of days from 7 to 365 \(got 400\)/,
        );
    });

    it("fails when the vault's soft delete retention is outside 7-90 days, before registering the vault or anything else", async () => {
        assert.match(
            await rejected({ ...base, keyVaultSoftDeleteRetentionDays: 365 }),
            /keyVaultSoftDeleteRetentionDays: must be a whole number of days from 7 to 90 \(got 365\)/,
        );
    });

    describe("with privateEndpoints (the prod network)", () => {
        let priv: CapturedResource[];
        before(async () => ({ resources: priv } = await build({ ...base, privateEndpoints: PRIVATE_ENDPOINTS })));

        it("puts blob, dfs and vault private endpoints in the subnet, each connected to its target's group", () => {
            // The subnet is a reference: only its ID matters (the SDK adds its own defaults next to it).
            const endpoints = Object.fromEntries(
                ofType(priv, T.endpoint).map((e) => [e.name, { ...e.inputs, subnet: { id: e.inputs.subnet.id } }]),
            );
            const expected = (name: string, target: string, group: string) => ({
                privateEndpointName: name,
                resourceGroupName: "rg-test",
                location: "swedencentral",
                subnet: { id: PRIVATE_ENDPOINTS.subnetId },
                privateLinkServiceConnections: [{ name, privateLinkServiceId: target, groupIds: [group] }],
                tags: { "mlops-stack": "test" },
            });
            assert.deepEqual(endpoints, {
                "lake-blob-endpoint": expected("pe-mlopstestdlabc123-blob", "lake-account-id", "blob"),
                "lake-dfs-endpoint": expected("pe-mlopstestdlabc123-dfs", "lake-account-id", "dfs"),
                "lake-vault-endpoint": expected("pe-mlops-test-dl-abc123-vault", "lake-keys-vault-id", "vault"),
            });
            for (const e of ofType(priv, T.endpoint))
                assert.ok(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/.test(e.inputs.privateEndpointName), e.inputs.privateEndpointName);
        });

        it("registers each endpoint in its private DNS zone through a zone group", () => {
            const groups = Object.fromEntries(ofType(priv, T.dnsZoneGroup).map((g) => [g.name, g.inputs]));
            const expected = (endpoint: string, zone: string, zoneId: string) => ({
                privateEndpointName: endpoint,
                resourceGroupName: "rg-test",
                privateDnsZoneGroupName: "default",
                privateDnsZoneConfigs: [{ name: zone, privateDnsZoneId: zoneId }],
            });
            assert.deepEqual(groups, {
                "lake-blob-endpoint-dns": expected(
                    "pe-mlopstestdlabc123-blob",
                    "privatelink-blob-core-windows-net",
                    PRIVATE_ENDPOINTS.blobDnsZoneId,
                ),
                "lake-dfs-endpoint-dns": expected(
                    "pe-mlopstestdlabc123-dfs",
                    "privatelink-dfs-core-windows-net",
                    PRIVATE_ENDPOINTS.dfsDnsZoneId,
                ),
                "lake-vault-endpoint-dns": expected(
                    "pe-mlops-test-dl-abc123-vault",
                    "privatelink-vaultcore-azure-net",
                    PRIVATE_ENDPOINTS.vaultDnsZoneId,
                ),
            });
        });

        it("disables the account's public network access and keeps the vault's disabled (trusted services still reach the key)", () => {
            const account = only(priv, T.account).inputs;
            assert.equal(account.publicNetworkAccess, "Disabled");
            assert.deepEqual(account.networkRuleSet.defaultAction, "Deny", "the rule set stays closed if public access is ever re-enabled");
            const vault = only(priv, T.vault).inputs.properties;
            assert.deepEqual([vault.publicNetworkAccess, vault.networkAcls.bypass], ["Disabled", "AzureServices"]);
        });

        it("keeps public network access Enabled (default Deny, trusted services, no IP rule) with trustedServicesAccess, for Event Hubs Capture", async () => {
            const { resources: open } = await build({ ...base, privateEndpoints: PRIVATE_ENDPOINTS, trustedServicesAccess: true });
            const account = only(open, T.account).inputs;
            assert.deepEqual(
                [
                    account.publicNetworkAccess,
                    account.networkRuleSet.defaultAction,
                    account.networkRuleSet.bypass,
                    account.networkRuleSet.ipRules,
                ],
                ["Enabled", "Deny", "AzureServices", []],
            );
            assert.equal(ofType(open, T.endpoint).length, 3, "the private endpoints stay");
            assert.match(
                await rejected({
                    ...base,
                    privateEndpoints: PRIVATE_ENDPOINTS,
                    trustedServicesAccess: true,
                    allowedIpRanges: ["203.0.113.7/32"],
                }),
                /allowedIpRanges: is refused with privateEndpoints: the public endpoint stays on only for trusted Azure services/,
            );
        });

        it("fails when an IP allow-list is given with private endpoints (Azure would ignore it)", async () => {
            assert.match(
                await rejected({ ...base, privateEndpoints: PRIVATE_ENDPOINTS, allowedIpRanges: ["203.0.113.7/32"] }),
                /allowedIpRanges: has no effect with privateEndpoints/,
            );
        });
    });

    it("fails when noncurrentVersionRetentionDays is given (an ADLS Gen2 lake keeps no versions)", async () => {
        assert.match(
            await rejected({ ...base, noncurrentVersionRetentionDays: 30 }),
            /noncurrentVersionRetentionDays: has no effect on Azure: an ADLS Gen2 \(hierarchical namespace\) account keeps no blob versions/,
        );
    });

    it("fails when queryEngine has no Synapse administrator", async () => {
        assert.match(await rejected({ ...base, queryEngine: true }), /queryAdministratorObjectId: is required with queryEngine/);
    });

    it("fails when an allow-list holds a private range or a zone makes no container name", async () => {
        const message = await rejected({ ...base, allowedIpRanges: ["192.168.1.0/24"], zones: ["raw", "a--b", "models"] });
        assert.match(message, /allowedIpRanges\[0\]: is a private or reserved range/);
        assert.match(message, /zones\[1\]: does not make a valid blob container name/);
    });
});
