import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AzureMlPlatform, LAKE_DATASTORE } from "../../components/ml-platform/azure";
import { AzureMlPlatformArgs } from "../../components/ml-platform/azure-args";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { isValidAzureName, namePrefix } from "../../components/naming/azure";
import { ValidationError } from "../../components/shared/problems";
import { PRIVATE_DNS_ZONES } from "../../components/network/azure-layout";
import { CapturedResource, captureResources, ofType, only } from "../harness";

const T = {
    workspace: "azure-native:machinelearningservices:Workspace",
    compute: "azure-native:machinelearningservices:Compute",
    model: "azure-native:machinelearningservices:ModelContainer",
    datastore: "azure-native:machinelearningservices:Datastore",
    registry: "azure-native:containerregistry:Registry",
    account: "azure-native:storage:StorageAccount",
    vault: "azure-native:keyvault:Vault",
    insights: "azure-native:applicationinsights:Component",
    role: "azure-native:authorization:RoleAssignment",
    diagnostics: "azure-native:monitor:DiagnosticSetting",
    endpoint: "azure-native:network:PrivateEndpoint",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
};
const SUB = "00000000-0000-4000-8000-000000000501";
const TENANT = "00000000-0000-4000-8000-0000000007e0";
const LOGS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";

const base: AzureMlPlatformArgs = {
    resourceGroupName: "rg-test",
    location: "swedencentral",
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    subscriptionId: SUB,
    tenantId: TENANT,
    logAnalyticsWorkspaceId: LOGS,
    models: ["iris", "churn"],
    artifactBucket: "models",
    artifactStorageAccountName: "mlopstestdlabc123",
    artifactContainerId: "/lake/containers/models",
    readableContainerIds: { raw: "/lake/containers/raw" },
    training: { maxNodes: 3, spot: true },
    protectData: false,
};

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));
const roleGuid = (r: CapturedResource) => String(r.inputs.roleDefinitionId).split("/").pop();

async function build(args: AzureMlPlatformArgs = base): Promise<{ resources: CapturedResource[]; ml: AzureMlPlatform }> {
    let ml: AzureMlPlatform | undefined;
    const { resources } = await captureResources(() => {
        ml = new AzureMlPlatform("ml", args);
    });
    return { resources, ml: ml! };
}

async function rejected(args: AzureMlPlatformArgs): Promise<string> {
    let error: unknown;
    const { resources } = await captureResources(() => {
        try {
            new AzureMlPlatform("ml", args);
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.deepEqual(
        resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad arguments",
    );
    return error.message;
}

describe("AzureMlPlatform", () => {
    let resources: CapturedResource[];
    let ml: AzureMlPlatform;
    before(async () => ({ resources, ml } = await build()));

    it("creates a private workspace with a system identity, wired to its own vault, insights, registry and store", () => {
        const ws = only(resources, T.workspace, "ml-workspace").inputs;
        assert.deepEqual(
            {
                name: ws.workspaceName,
                identity: ws.identity,
                vault: ws.keyVault,
                insights: ws.applicationInsights,
                registry: ws.containerRegistry,
                store: ws.storageAccount,
                auth: ws.systemDatastoresAuthMode,
                public: ws.publicNetworkAccess,
                legacy: ws.v1LegacyMode,
            },
            {
                name: "mlops-test-mlw-abc123",
                identity: { type: "SystemAssigned" },
                vault: "ml-keys-vault-id",
                insights: "ml-insights-id",
                registry: "ml-registry-id",
                store: "ml-store-id",
                auth: "Identity",
                public: "Disabled",
                legacy: false,
            },
        );
        const vault = only(resources, T.vault, "ml-keys-vault").inputs.properties;
        assert.deepEqual([vault.enableRbacAuthorization, vault.enablePurgeProtection, vault.publicNetworkAccess], [true, true, "Disabled"]);
        const insights = only(resources, T.insights, "ml-insights").inputs;
        assert.deepEqual([insights.workspaceResourceId, insights.ingestionMode, insights.kind], [LOGS, "LogAnalytics", "web"]);
    });

    it("keeps the workspace store (not ADLS) Entra-ID-only and behind a firewall that lets the workspace in", () => {
        const store = only(resources, T.account, "ml-store").inputs;
        assert.equal(store.isHnsEnabled, false);
        assert.equal(store.allowSharedKeyAccess, false);
        assert.equal(store.minimumTlsVersion, "TLS1_2");
        assert.deepEqual(store.networkRuleSet, {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [],
            resourceAccessRules: [
                {
                    tenantId: TENANT,
                    resourceId: `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.MachineLearningServices/workspaces/mlops-test-mlw-abc123`,
                },
            ],
        });
    });

    it("uses a registry without admin user or anonymous pull, and logs the workspace, registry, vault and store", () => {
        const registry = only(resources, T.registry, "ml-registry").inputs;
        assert.deepEqual(
            [registry.registryName, registry.adminUserEnabled, registry.anonymousPullEnabled, registry.sku],
            ["mlopstestmlabc123", false, false, { name: "Basic" }],
        );
        const logged = ofType(resources, T.diagnostics)
            .map((d) => [d.name, d.inputs.resourceUri, d.inputs.workspaceId])
            .sort();
        assert.deepEqual(logged, [
            ["ml-diagnostics", "ml-workspace-id", LOGS],
            ["ml-keys-diagnostics", "ml-keys-vault-id", LOGS],
            ["ml-registry-diagnostics", "ml-registry-id", LOGS],
            ["ml-store-blob-diagnostics", "ml-store-id/blobServices/default", LOGS],
        ]);
        assert.deepEqual(
            only(resources, T.diagnostics, "ml-store-blob-diagnostics").inputs.logs.map((l: any) => l.category),
            ["StorageRead", "StorageWrite", "StorageDelete"],
        );
    });

    it("trains on a cluster that scales to zero, runs as its own identity, with local auth and public SSH off", () => {
        const compute = only(resources, T.compute, "ml-compute").inputs;
        assert.deepEqual(compute.identity, { type: "UserAssigned", userAssignedIdentities: ["ml-training-identity-id"] });
        assert.equal(compute.properties.disableLocalAuth, true);
        assert.deepEqual(compute.properties.properties, {
            vmSize: "Standard_DS3_v2",
            vmPriority: "LowPriority",
            osType: "Linux",
            scaleSettings: { minNodeCount: 0, maxNodeCount: 3, nodeIdleTimeBeforeScaleDown: "PT120S" },
            remoteLoginPortPublicAccess: "Disabled",
        });
    });

    it("grants least privilege: the workspace and the trainer write the models zone, read other zones, pull from the registry", () => {
        const grants = Object.fromEntries(
            ofType(resources, T.role).map((r) => [r.name, [r.inputs.scope, roleGuid(r), r.inputs.principalType]]),
        );
        assert.deepEqual(grants, {
            "ml-workspace-models": ["/lake/containers/models", BUILTIN_ROLES["Storage Blob Data Contributor"], "ServicePrincipal"],
            "ml-training-models": ["/lake/containers/models", BUILTIN_ROLES["Storage Blob Data Contributor"], "ServicePrincipal"],
            "ml-training-read-raw": ["/lake/containers/raw", BUILTIN_ROLES["Storage Blob Data Reader"], "ServicePrincipal"],
            "ml-training-registry": ["ml-registry-id", BUILTIN_ROLES.AcrPull, "ServicePrincipal"],
        });
    });

    it("registers each model and reaches the lake's models zone through an identity-based datastore", () => {
        assert.deepEqual(
            ofType(resources, T.model)
                .map((m) => [m.name, m.inputs.name, m.inputs.workspaceName])
                .sort(),
            [
                ["ml-model-churn", "churn", "mlops-test-mlw-abc123"],
                ["ml-model-iris", "iris", "mlops-test-mlw-abc123"],
            ],
        );
        const datastore = only(resources, T.datastore).inputs;
        assert.equal(datastore.name, LAKE_DATASTORE);
        assert.deepEqual(datastore.properties, {
            datastoreType: "AzureDataLakeGen2",
            accountName: "mlopstestdlabc123",
            filesystem: "models",
            credentials: { credentialsType: "None" },
            serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
            description: "The data lake's models zone",
        });
    });

    it("exports the MLflow tracking URI, the registry and the training defaults", async () => {
        assert.match(
            await valueOf(ml.trackingUri),
            /^azureml:\/\/swedencentral\.api\.azureml\.ms\/mlflow\/v1\.0\/.*\/workspaces\/mlops-test-mlw-abc123$/,
        );
        assert.equal(await valueOf(ml.modelRegistry), "ml-workspace-id");
        assert.deepEqual(await valueOf(ml.trainingDefaults), {
            accelerator: "none",
            acceleratorCount: 0,
            compute: "Standard_DS3_v2",
            maxNodes: 3,
            spot: true,
        });
        for (const r of resources.filter((x) => x.custom)) assert.deepEqual(r.options, { protect: false, retainOnDelete: false }, r.name);
    });

    it("sizes GPU training from the catalog and protects the workspace, registry, store, vault and models in prod", async () => {
        const { resources: prod } = await build({
            ...base,
            protectData: true,
            training: { accelerator: { type: "nvidia-t4", count: 1 }, maxNodes: 2, spot: false },
            registrySku: "Premium",
            publicNetworkAccess: true,
        });
        const compute = only(prod, T.compute).inputs.properties.properties;
        assert.deepEqual([compute.vmSize, compute.vmPriority], ["Standard_NC4as_T4_v3", "Dedicated"]);
        for (const name of ["ml-workspace", "ml-registry", "ml-store", "ml-keys-vault", "ml-model-iris"]) {
            assert.deepEqual(prod.find((r) => r.name === name)!.options, { protect: true, retainOnDelete: true }, name);
        }
        assert.deepEqual(only(prod, T.registry).inputs.policies, { retentionPolicy: { status: "enabled", days: 7 } });
        assert.equal(only(prod, T.workspace).inputs.publicNetworkAccess, "Enabled");
        assert.equal(only(prod, T.account).inputs.networkRuleSet.defaultAction, "Allow");
    });

    it("fits its names on the longest stack name", async () => {
        const { resources: long } = await build({ ...base, namePrefix: namePrefix("mlops", "y".repeat(60)), nameSuffix: "z9z9z9" });
        assert.ok(isValidAzureName("mlWorkspace", only(long, T.workspace).inputs.workspaceName));
        assert.ok(isValidAzureName("storageAccount", only(long, T.account).inputs.accountName));
        assert.ok(isValidAzureName("containerRegistry", only(long, T.registry).inputs.registryName));
        assert.ok(isValidAzureName("keyVault", only(long, T.vault).inputs.vaultName));
    });

    it("fails when the training accelerator is not an Azure ML compute size, listing what is offered", async () => {
        const message = await rejected({ ...base, training: { accelerator: { type: "aws-trainium", count: 1 } } });
        assert.match(
            message,
            /training\.accelerator: azure\/azureml-compute aws-trainium: aws-trainium exists only on AWS; .* offers nvidia-t4, nvidia-t4:4/,
        );
    });

    describe("in the stack's network (prod)", () => {
        const LAKE_ACCOUNT = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/mlopstestdlabc123";
        const zoneIds = Object.fromEntries(Object.values(PRIVATE_DNS_ZONES).map((z) => [z, `/zones/${z}`]));
        const networked: AzureMlPlatformArgs = {
            ...base,
            registrySku: "Premium",
            managedNetwork: true,
            artifactStorageAccountId: LAKE_ACCOUNT,
            privateEndpoints: { subnetId: "/vnet/subnets/endpoints", dnsZoneIds: zoneIds },
        };
        let net: CapturedResource[];
        before(async () => ({ resources: net } = await build(networked)));

        it("trains in the managed network with internet outbound, reaching the lake through managed blob and dfs endpoints, on nodes without public IPs", () => {
            const ws = only(net, T.workspace).inputs;
            assert.equal(ws.publicNetworkAccess, "Disabled");
            assert.equal(ws.managedNetwork.isolationMode, "AllowInternetOutbound");
            assert.deepEqual(ws.managedNetwork.outboundRules, {
                "lake-blob": {
                    type: "PrivateEndpoint",
                    category: "UserDefined",
                    destination: { serviceResourceId: LAKE_ACCOUNT, subresourceTarget: "blob", sparkEnabled: false },
                },
                "lake-dfs": {
                    type: "PrivateEndpoint",
                    category: "UserDefined",
                    destination: { serviceResourceId: LAKE_ACCOUNT, subresourceTarget: "dfs", sparkEnabled: false },
                },
            });
            const cluster = ofType(net, T.compute).find((c) => c.inputs.properties?.computeType === "AmlCompute");
            assert.ok(cluster);
            assert.equal(cluster.inputs.properties.properties.enableNodePublicIp, false);
        });

        it("puts the workspace, its vault, store and Premium registry behind private endpoints registered in their zones", () => {
            const endpoints = ofType(net, T.endpoint);
            const groups = Object.fromEntries(endpoints.map((e) => [e.name, e.inputs.privateLinkServiceConnections[0].groupIds]));
            assert.deepEqual(groups, {
                "ml-workspace-endpoint": ["amlworkspace"],
                "ml-keys-endpoint": ["vault"],
                "ml-store-endpoint": ["blob"],
                "ml-registry-endpoint": ["registry"],
            });
            for (const e of endpoints) assert.equal(e.inputs.subnet.id, "/vnet/subnets/endpoints", e.name);
            const zonesOfGroup = (name: string) =>
                only(
                    net.filter((r) => r.name === `${name}-dns`),
                    T.zoneGroup,
                ).inputs.privateDnsZoneConfigs.map((c: any) => c.privateDnsZoneId);
            assert.deepEqual(zonesOfGroup("ml-workspace-endpoint"), [
                `/zones/${PRIVATE_DNS_ZONES.amlApi}`,
                `/zones/${PRIVATE_DNS_ZONES.amlNotebooks}`,
            ]);
            assert.deepEqual(zonesOfGroup("ml-keys-endpoint"), [`/zones/${PRIVATE_DNS_ZONES.vault}`]);
            assert.deepEqual(zonesOfGroup("ml-store-endpoint"), [`/zones/${PRIVATE_DNS_ZONES.blob}`]);
            assert.deepEqual(zonesOfGroup("ml-registry-endpoint"), [`/zones/${PRIVATE_DNS_ZONES.registry}`]);
        });

        it("creates no private endpoint and no managed network without them", () => {
            assert.deepEqual(ofType(resources, T.endpoint), []);
            assert.equal(only(resources, T.workspace).inputs.managedNetwork, undefined);
        });

        it("fails when managedNetwork is asked for without the lake's account ID", async () => {
            assert.match(
                await rejected({ ...networked, artifactStorageAccountId: undefined }),
                /artifactStorageAccountId: is required with managedNetwork/,
            );
        });
    });

    it("fails when settings are outside Azure's limits", async () => {
        const message = await rejected({
            ...base,
            cpuVmSize: "DS3",
            idleSecondsBeforeScaleDown: 30,
            registrySku: "Free",
            storageReplication: "XRS",
            training: { maxNodes: 500 },
            keyVaultSoftDeleteRetentionDays: 3,
        });
        for (const part of [
            "keyVaultSoftDeleteRetentionDays: must be a whole number of days from 7 to 90",
            "cpuVmSize: is not an Azure VM size",
            "idleSecondsBeforeScaleDown: must be a whole number of seconds from 60",
            "registrySku: is not a registry SKU",
            "storageReplication: is not a storage replication kind",
            "training.maxNodes: must be a whole number from 1 to 100",
        ]) {
            assert.ok(message.includes(part), `${part}\n${message}`);
        }
    });
});
