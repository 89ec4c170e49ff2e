import * as assert from "node:assert/strict";
import { secureStorageAccountArgs } from "../../components/data-lake/azure-account";
import {
    HNS_UNSUPPORTED_FEATURES,
    dataProtection,
    lakeDataProtection,
    lifecyclePolicy,
    zoneContainerName,
} from "../../components/data-lake/azure-policy";
import { validateAzureDataLake } from "../../components/data-lake/azure-args";
import { LAKE_PRIVATE_LINK_GROUPS } from "../../components/data-lake/azure-private-endpoint";
import {
    AppPlan,
    fileSecretName,
    planApps,
    profileName,
    validateAppPlans,
    validateServingModels,
    workloadProfiles,
} from "../../components/container-service/azure-apps";
import { registryArgs, validateRegistrySettings } from "../../components/container-service/azure-registry";
import { validateAzureKeyVault } from "../../components/encryption/azure-args";
import { AzureMlPlatformArgs, azureTrainingDefaults, validateAzureMlPlatform } from "../../components/ml-platform/azure-args";
import { alertCriteria, servingAlerts } from "../../components/observability/azure-alerts";
import { ModelServingSpec } from "../../components/shared/model";
import { AcceleratorRequest } from "../../components/accelerators/names";
import { ProblemDetail, formatProblem } from "../../components/shared/problems";

/** Problems as the error lists them. */
const listed = (problems: readonly ProblemDetail[]) => ({ all: problems.map(formatProblem) });

interface LakeSettings {
    zones: string[];
    namePrefix: string;
    nameSuffix: string;
    replication: string;
    protectData: boolean;
    softDeleteRetentionDays: number;
    noncurrentVersionRetentionDays?: number;
    rawColdStorageAfterDays: number;
    allowedIpRanges: string[];
    queryAllowedIpRanges: string[];
    privateEndpoints: boolean;
}

/** The lake's validator on these settings (placement and private endpoints filled in). */
const lakeProblems = (s: LakeSettings) =>
    listed(
        validateAzureDataLake({
            resourceGroupName: "rg",
            location: "swedencentral",
            subscriptionId: "sub",
            logAnalyticsWorkspaceId: "logs",
            tenantId: "tenant",
            ...s,
            privateEndpoints: s.privateEndpoints
                ? { subnetId: "sn", blobDnsZoneId: "b", dfsDnsZoneId: "d", vaultDnsZoneId: "v" }
                : undefined,
        }),
    );

const lake: LakeSettings = {
    zones: ["raw", "curated", "features", "models"],
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    replication: "LRS",
    protectData: false,
    softDeleteRetentionDays: 7,
    rawColdStorageAfterDays: 90,
    allowedIpRanges: [],
    queryAllowedIpRanges: [],
    privateEndpoints: false,
};

const model: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    port: 8080,
    healthPath: "/healthz",
    cpuMillicores: 250,
    memoryMiB: 512,
    minReplicas: 1,
    maxReplicas: 3,
    concurrency: 80,
};

function hasProblem(problems: { all: readonly string[] }, ...parts: string[]): void {
    assert.ok(
        problems.all.some((p) => parts.every((part) => p.includes(part))),
        `no problem mentions ${parts.join(" + ")}:\n${problems.all.join("\n")}`,
    );
}

describe("Azure data lake rules (pure)", () => {
    it("accepts the defaults", () => {
        assert.deepEqual(lakeProblems(lake).all, []);
    });

    it("fails when a protected (prod) lake is not geo-redundant (CKV_AZURE_206)", () => {
        hasProblem(
            lakeProblems({ ...lake, protectData: true, replication: "ZRS" }),
            "replication",
            '"ZRS"',
            "CKV_AZURE_206",
            "Allowed: GRS, RAGRS, GZRS, RAGZRS",
        );
        assert.deepEqual(lakeProblems({ ...lake, protectData: true, replication: "GZRS" }).all, []);
    });

    it("fails when soft delete is outside 7-365 days, replication unknown, zones unusable or IP ranges bad", () => {
        const problems = lakeProblems({
            ...lake,
            softDeleteRetentionDays: 3,
            replication: "XRS",
            zones: ["raw", "raw", "a--b"],
            allowedIpRanges: ["10.0.0.1"],
            nameSuffix: "UPPER!",
        });
        hasProblem(problems, "softDeleteRetentionDays", "from 7 to 365");
        hasProblem(problems, "replication", '"XRS"', "Allowed: LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS");
        hasProblem(problems, "zones[1]", "listed twice");
        hasProblem(problems, "zones[2]", "blob container name");
        hasProblem(problems, "allowedIpRanges[0]", "private or reserved");
        hasProblem(problems, "nameSuffix", "6 lowercase letters or digits");
        hasProblem(lakeProblems({ ...lake, zones: [] }), "zones", "at least one zone");
    });

    it("gives short zones a container name Azure accepts", () => {
        assert.equal(zoneContainerName("raw"), "raw");
        assert.equal(zoneContainerName("ab"), "ab-zone");
    });

    it("protects the ADLS Gen2 lake with blob and container soft delete only: no versioning, change feed or point-in-time restore", () => {
        const lakeService = lakeDataProtection(14);
        assert.deepEqual(lakeService, {
            deleteRetentionPolicy: { enabled: true, days: 14, allowPermanentDelete: false },
            containerDeleteRetentionPolicy: { enabled: true, days: 14 },
        });
        // Azure rejects these on a hierarchical-namespace account ("Blob Storage feature support in Azure Storage accounts").
        for (const key of ["isVersioningEnabled", "changeFeed", "restorePolicy", "automaticSnapshotPolicyEnabled"])
            assert.equal(key in lakeService, false, key);
        assert.deepEqual(HNS_UNSUPPORTED_FEATURES, [
            "blob versioning (isVersioningEnabled)",
            "change feed (changeFeed)",
            "point-in-time restore (restorePolicy)",
        ]);
    });

    it("versions flat-namespace accounts (ML store, Functions stores) on top of the same soft delete", () => {
        assert.deepEqual(dataProtection(7, 30), {
            isVersioningEnabled: true,
            changeFeed: { enabled: true, retentionInDays: 30 },
            deleteRetentionPolicy: { enabled: true, days: 7, allowPermanentDelete: false },
            containerDeleteRetentionPolicy: { enabled: true, days: 7 },
        });
    });

    it("fails when noncurrentVersionRetentionDays is given: the lake keeps no versions, so the key would do nothing", () => {
        hasProblem(
            lakeProblems({ ...lake, noncurrentVersionRetentionDays: 30 }),
            "noncurrentVersionRetentionDays",
            "(got 30)",
            "keeps no blob versions",
            "softDeleteRetentionDays",
        );
    });

    it("fails when IP allow-list entries are given with private endpoints (public network access is disabled, so Azure ignores them)", () => {
        hasProblem(
            lakeProblems({ ...lake, privateEndpoints: true, allowedIpRanges: ["203.0.113.7/32"] }),
            "allowedIpRanges",
            "no effect with privateEndpoints",
        );
        assert.deepEqual(lakeProblems({ ...lake, privateEndpoints: true }).all, []);
        assert.deepEqual(
            lakeProblems({ ...lake, allowedIpRanges: ["203.0.113.7/32"] }).all,
            [],
            "without private endpoints the firewall applies them",
        );
    });

    it("cools the raw zone and has no version or snapshot rule; no raw zone, no rule", () => {
        const { rules } = lifecyclePolicy(["raw", "models"], 90);
        assert.deepEqual(rules, [
            {
                name: "raw-to-cool",
                enabled: true,
                type: "Lifecycle",
                definition: {
                    filters: { blobTypes: ["blockBlob"], prefixMatch: ["raw/"] },
                    actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 90 } } },
                },
            },
        ]);
        assert.deepEqual(lifecyclePolicy(["curated", "models"], 90).rules, []);
    });

    it("names the Private Link groups and DNS zones of the lake's private endpoints", () => {
        assert.deepEqual(LAKE_PRIVATE_LINK_GROUPS, {
            blob: "privatelink.blob.core.windows.net",
            dfs: "privatelink.dfs.core.windows.net",
            vault: "privatelink.vaultcore.azure.net",
        });
    });

    it("builds storage accounts private to Entra ID: HTTPS, TLS 1.2, no shared keys, no public blobs, no local users", () => {
        const args = secureStorageAccountArgs({
            accountName: "acct",
            resourceGroupName: "rg",
            location: "swedencentral",
            replication: "GRS",
            hierarchicalNamespace: true,
            defaultAction: "Deny",
            allowedIpRanges: ["203.0.113.7/32"],
            trustedResources: [{ tenantId: "t", resourceId: "/ws" }],
        });
        assert.equal(args.kind, "StorageV2");
        assert.deepEqual(args.sku, { name: "Standard_GRS" });
        const expected = {
            isHnsEnabled: true,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            allowSharedKeyAccess: false,
            isLocalUserEnabled: false,
            isSftpEnabled: false,
            allowCrossTenantReplication: false,
            allowedCopyScope: "AAD",
            defaultToOAuthAuthentication: true,
        };
        for (const [k, v] of Object.entries(expected)) assert.equal((args as any)[k], v, k);
        assert.deepEqual(args.networkRuleSet, {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [{ iPAddressOrRange: "203.0.113.7", action: "Allow" }],
            resourceAccessRules: [{ tenantId: "t", resourceId: "/ws" }],
        });
        assert.deepEqual(args.encryption, {
            keySource: "Microsoft.Storage",
            requireInfrastructureEncryption: true,
            services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
        });
        assert.equal(args.identity, undefined);
        assert.equal(args.publicNetworkAccess, "Enabled", "the firewall's rules apply by default");
        const closed = secureStorageAccountArgs({
            accountName: "acct",
            resourceGroupName: "rg",
            location: "x",
            replication: "GRS",
            hierarchicalNamespace: true,
            defaultAction: "Deny",
            allowedIpRanges: [],
            publicNetworkAccess: "Disabled",
        });
        assert.equal(closed.publicNetworkAccess, "Disabled");
        assert.deepEqual(
            closed.networkRuleSet,
            { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], resourceAccessRules: [] },
            "the rule set stays closed behind a disabled endpoint",
        );
    });

    it("encrypts with the customer-managed key as the key's user-assigned identity, following the key's rotations", () => {
        const args = secureStorageAccountArgs({
            accountName: "acct",
            resourceGroupName: "rg",
            location: "x",
            replication: "LRS",
            hierarchicalNamespace: false,
            defaultAction: "Allow",
            allowedIpRanges: [],
            customerManagedKey: { keyName: "k", keyVaultUri: "https://v.vault.azure.net/", identityId: "/uami" },
        });
        assert.deepEqual(args.encryption, {
            keySource: "Microsoft.Keyvault",
            keyVaultProperties: { keyName: "k", keyVaultUri: "https://v.vault.azure.net/" },
            encryptionIdentity: { encryptionUserAssignedIdentity: "/uami" },
            requireInfrastructureEncryption: true,
            services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
        });
        assert.deepEqual(args.identity, { type: "UserAssigned", userAssignedIdentities: ["/uami"] });
    });
});

describe("Azure registry, key vault and ML settings (pure)", () => {
    it("turns the registry admin user and anonymous pull off, and purges untagged manifests on Premium only", () => {
        const premium = registryArgs({
            registryName: "r",
            resourceGroupName: "rg",
            location: "x",
            sku: "Premium",
            untaggedRetentionDays: 7,
        });
        assert.equal(premium.adminUserEnabled, false);
        assert.equal(premium.anonymousPullEnabled, false);
        assert.deepEqual(premium.policies, { retentionPolicy: { status: "enabled", days: 7 } });
        assert.equal(premium.dataEndpointEnabled, true);
        const basic = registryArgs({ registryName: "r", resourceGroupName: "rg", location: "x", sku: "Basic", untaggedRetentionDays: 7 });
        assert.equal(basic.policies, undefined, "Basic has no retention policy");
        const problems = listed(validateRegistrySettings({ sku: "Gold", untaggedRetentionDays: 400 }));
        hasProblem(problems, "registrySku", '"Gold"', "Allowed: Basic, Standard, Premium");
        hasProblem(problems, "untaggedRetentionDays", "from 0 to 365");
    });

    it("fails when key vault settings break Azure's limits", () => {
        const problems = listed(
            validateAzureKeyVault({
                resourceGroupName: "rg",
                location: "x",
                vaultName: "1bad--name",
                tenantId: "t",
                logAnalyticsWorkspaceId: "w",
                softDeleteRetentionDays: 120,
                keySizeBits: 1024,
                keyRotationDays: 90,
                keyExpiryDays: 100,
                keyNames: ["bad name"],
                allowedIpRanges: ["nope"],
            }),
        );
        hasProblem(problems, "vaultName", "not a valid key vault name");
        hasProblem(problems, "softDeleteRetentionDays", "from 7 to 90");
        hasProblem(problems, "keySizeBits", "Allowed: 2048, 3072, 4096");
        hasProblem(problems, "keyExpiryDays", "rotates before it expires");
        hasProblem(problems, "keyNames[0]", "not a valid key name");
        hasProblem(problems, "allowedIpRanges[0]", "not an IPv4 address");
    });

    it("sizes training from the catalog (azureml-compute), and says what it offers when it cannot", () => {
        const base: AzureMlPlatformArgs = {
            resourceGroupName: "rg",
            location: "swedencentral",
            namePrefix: "mlops-test",
            nameSuffix: "abc123",
            subscriptionId: "sub",
            logAnalyticsWorkspaceId: "logs",
            tenantId: "tenant",
            artifactBucket: "models",
            artifactStorageAccountName: "lake",
            artifactContainerId: "models",
            models: ["iris"],
            training: { maxNodes: 2, spot: true },
            cpuVmSize: "Standard_DS3_v2",
            idleSecondsBeforeScaleDown: 120,
            registrySku: "Basic",
            untaggedRetentionDays: 7,
            storageReplication: "LRS",
        };
        const training = (accelerator: AcceleratorRequest) => ({ ...base.training, accelerator });
        assert.deepEqual(azureTrainingDefaults({ ...base, training: training({ type: "nvidia-a100-80gb", count: 1 }) }), {
            accelerator: "nvidia-a100-80gb",
            acceleratorCount: 1,
            compute: "Standard_NC24ads_A100_v4",
            maxNodes: 2,
            spot: true,
        });
        assert.equal(azureTrainingDefaults(base).compute, "Standard_DS3_v2");
        const problems = listed(
            validateAzureMlPlatform({
                ...base,
                training: training({ type: "nvidia-l4", count: 1 }),
                cpuVmSize: "big",
                idleSecondsBeforeScaleDown: 5,
            }),
        );
        hasProblem(problems, "training.accelerator: azure/azureml-compute nvidia-l4: nvidia-l4 is not offered", "nvidia-t4");
        hasProblem(problems, "cpuVmSize", "not an Azure VM size");
        hasProblem(problems, "idleSecondsBeforeScaleDown", "from 60 to 604800");
    });
});

describe("Container Apps sizing and profiles (pure)", () => {
    it("sizes CPU models in the Consumption profile's fixed pairs (2 GiB per vCPU)", () => {
        const models = [model, { ...model, name: "big", cpuMillicores: 500, memoryMiB: 3072 }];
        const problems = listed(validateAppPlans(models));
        const [small, memoryBound] = planApps(models);
        assert.deepEqual(small, { profileType: "Consumption", profileName: "Consumption", cpu: 0.25, memory: "0.5Gi" });
        assert.deepEqual(memoryBound, { profileType: "Consumption", profileName: "Consumption", cpu: 1.5, memory: "3Gi" });
        assert.deepEqual(problems.all, []);
    });

    it("puts GPU models on the catalog's serverless GPU profile under a short name", () => {
        const [t4] = planApps([{ ...model, accelerator: { type: "nvidia-t4", count: 1 }, cpuMillicores: 4000, memoryMiB: 16384 }]);
        assert.deepEqual(t4, { profileType: "Consumption-GPU-NC8as-T4", profileName: "gpu-t4", cpu: 4, memory: "16Gi" });
        assert.equal(profileName("Consumption-GPU-NC24-A100"), "gpu-a100");
        assert.equal(profileName("NC48-A100"), "nc48-a100");
        for (const type of ["Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100", "NC96-A100"])
            assert.ok(profileName(type).length <= 15, type);
    });

    it("adds serverless GPU profiles without node counts and dedicated ones with them", () => {
        const models = [model, { ...model, name: "t4" }, { ...model, name: "a100x2", maxReplicas: 2 }];
        const plans: AppPlan[] = [
            { profileType: "Consumption", profileName: "Consumption", cpu: 0.25, memory: "0.5Gi" },
            { profileType: "Consumption-GPU-NC8as-T4", profileName: "gpu-t4", cpu: 4, memory: "16Gi" },
            { profileType: "NC48-A100", profileName: "nc48-a100", cpu: 4, memory: "16Gi" },
        ];
        assert.deepEqual(workloadProfiles(models, plans), [
            { name: "Consumption", workloadProfileType: "Consumption" },
            { name: "gpu-t4", workloadProfileType: "Consumption-GPU-NC8as-T4" },
            { name: "nc48-a100", workloadProfileType: "NC48-A100", minimumCount: 0, maximumCount: 2 },
        ]);
    });

    it("fails when a model needs more than its profile gives or asks for a GPU Container Apps lacks", () => {
        const problems = listed(
            validateAppPlans([
                { ...model, cpuMillicores: 8000 },
                { ...model, name: "l4", accelerator: { type: "nvidia-l4", count: 1 } },
            ]),
        );
        hasProblem(problems, "models[0]", "more than the Consumption profile gives (4 vCPU, 8 GiB)");
        hasProblem(problems, "models[1].accelerator: azure/container-apps nvidia-l4", "nvidia-t4");
    });

    it("fails when models are unusable on Azure", () => {
        const problems = listed(
            validateServingModels([
                { ...model, image: "python:latest", env: { "BAD-NAME": "x" }, files: { "a.b": "1", "a-b": "2" } },
                { ...model, maxReplicas: 0 },
            ]),
        );
        hasProblem(problems, "models[0].image", "not pinned");
        hasProblem(problems, "models[0].env.BAD-NAME", "environment variable name");
        hasProblem(problems, "models[0].files", "same secret");
        hasProblem(problems, "models[1].name", "used by another model");
        hasProblem(problems, "models[1].maxReplicas", "from max(1, minReplicas) to 1000");
        const none = listed(validateServingModels([]));
        hasProblem(none, "models", "at least one model");
        assert.equal(fileSecretName("serve.py"), "file-serve-py");
    });
});

describe("serving alerts (pure)", () => {
    it("alert on 5xx errors and latency with each service's own metrics and units", () => {
        const [errors, latency] = servingAlerts("containerApp", { serverErrors: 5, latencyMs: 2000 });
        assert.deepEqual(alertCriteria(errors), {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [
                {
                    criterionType: "StaticThresholdCriterion",
                    name: "errors",
                    metricNamespace: "Microsoft.App/containerApps",
                    metricName: "Requests",
                    operator: "GreaterThan",
                    threshold: 5,
                    timeAggregation: "Total",
                    dimensions: [{ name: "statusCodeCategory", operator: "Include", values: ["5xx"] }],
                },
            ],
        });
        assert.deepEqual([latency.metricName, latency.threshold], ["ResponseTime", 2000]);
        const fn = servingAlerts("functionApp", { serverErrors: 5, latencyMs: 2000 });
        assert.deepEqual(
            fn.map((a) => [a.metricNamespace, a.metricName, a.threshold]),
            [
                ["Microsoft.Web/sites", "Http5xx", 5],
                ["Microsoft.Web/sites", "HttpResponseTime", 2],
            ],
            "HttpResponseTime is in seconds",
        );
        const ep = servingAlerts("onlineEndpoint", { serverErrors: 5, latencyMs: 2000 });
        assert.deepEqual(
            ep.map((a) => [a.metricName, a.threshold, a.dimensions?.[0]?.name]),
            [
                ["RequestsPerMinute", 1, "statusCodeClass"],
                ["RequestLatency_P99", 2000, undefined],
            ],
        );
    });
});
