/**
 * The Azure stack: one resource group per stack holding a Log Analytics workspace (the audit trail), the
 * data lake (ADLS Gen2 with a customer-managed key, optional Synapse), the Azure ML platform, the
 * Container Apps service and the selected serverless implementation. Names come from the project, the
 * stack and a random suffix generated once per stack (docs/azure.md, "Names").
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { RandomString } from "@pulumi/random/randomString";
import { ownershipTags } from "@mlops/components";
import {
    AzureAlertRecipients,
    AzureContainerApps,
    AzureContainerAppsInference,
    AzureDataLake,
    AzureFunctionsInference,
    AzureMlEndpointInference,
    AzureMlPlatform,
    AzureMonitoring,
    AzureNetwork,
    NAME_SUFFIX_LENGTH,
    PRIVATE_DNS_ZONES,
    azureNames,
    namePrefix,
    privateEndpoint,
    zonesOf,
} from "@mlops/components/azure";
import { StackConfig } from "../config/schema";
import { LOCATION_KEY, checkAzureStack, containerAppsPublic } from "../config/azure";
import { servingSpecs } from "../models";
import { StackOutputs } from "../config/schema";

/** The lake zone the ML platform keeps artifacts in (the config parser requires it). */
const MODELS_ZONE = "models";

export function buildAzureStack(cfg: StackConfig): StackOutputs {
    const az = cfg.azure;
    const location = az?.location;
    // The parser requires the location; this only narrows the types.
    if (!az || !location) throw new Error(`${LOCATION_KEY} is missing: the config parser should have reported it`);
    // Before any resource: prod must not serve models publicly without authentication.
    checkAzureStack(cfg);
    const tags = ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment });
    const prefix = namePrefix(cfg.project, cfg.stack);
    const protect = cfg.protectData;
    const prod = cfg.environment === "prod";
    const client = authorization.getClientConfigOutput();

    const group = new resources.ResourceGroup(
        "resource-group",
        { resourceGroupName: azureNames.resourceGroup(prefix), location, tags },
        { protect, retainOnDelete: protect },
    );
    // Generated once and kept in state: a re-created stack draws a new one, so no name collides with a
    // soft-deleted key vault or ML workspace. Protected in prod: a new suffix would rename (replace) everything.
    const suffix = new RandomString(
        "name-suffix",
        { length: NAME_SUFFIX_LENGTH, lower: true, upper: false, numeric: true, special: false },
        { protect },
    );
    const nameSuffix = suffix.result;
    const common = { resourceGroupName: group.name, location, namePrefix: prefix, subscriptionId: client.subscriptionId, tags };

    const monitoring = new AzureMonitoring("monitoring", {
        resourceGroupName: group.name,
        location,
        workspaceName: azureNames.logAnalytics(prefix),
        retentionDays: cfg.dataLake.auditLogRetentionDays,
        protectData: protect,
        tags,
    });
    const logAnalyticsWorkspaceId = monitoring.workspaceId;
    // Every alert of the stack notifies mlops:notifications (prod requires at least one target).
    const { emails, webhooks } = cfg.notifications;
    const actionGroupId =
        emails.length + webhooks.length > 0
            ? new AzureAlertRecipients("alerts", { resourceGroupName: group.name, namePrefix: prefix, emails, webhookUrls: webhooks, tags })
                  .actionGroupId
            : undefined;
    // The private network (prod by default): private endpoints, Container Apps and Functions inside it.
    const network = az.mlPlatform.privateNetwork
        ? new AzureNetwork("network", {
              resourceGroupName: group.name,
              location,
              namePrefix: prefix,
              addressSpace: az.mlPlatform.networkAddressSpace,
              queryEngine: cfg.dataLake.queryEngine,
              tags,
          })
        : undefined;
    const endpoints = network?.endpointPlacement();
    const keyVaultSoftDeleteRetentionDays = prod ? 90 : 7;

    const mlWorkspaceName = nameSuffix.apply((sfx) => azureNames.mlWorkspace(prefix, sfx));
    const lake = new AzureDataLake("lake", {
        ...common,
        nameSuffix,
        tenantId: client.tenantId,
        logAnalyticsWorkspaceId,
        zones: cfg.dataLake.zones,
        protectData: protect,
        rawColdStorageAfterDays: cfg.dataLake.rawColdStorageAfterDays,
        auditLogRetentionDays: cfg.dataLake.auditLogRetentionDays,
        queryEngine: cfg.dataLake.queryEngine,
        queryAdministratorObjectId: client.objectId,
        replication: az.dataLake.replication,
        softDeleteRetentionDays: az.dataLake.softDeleteRetentionDays,
        allowedIpRanges: az.dataLake.allowedIpRanges,
        queryAllowedIpRanges: az.dataLake.queryAllowedIpRanges,
        // The ML workspace reaches its datastore on the lake with its identity, through the firewall.
        trustedResourceIds: [
            pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${group.name}/providers/Microsoft.MachineLearningServices/workspaces/${mlWorkspaceName}`,
        ],
        keyVaultSoftDeleteRetentionDays,
        privateEndpoints: endpoints && {
            subnetId: endpoints.subnetId,
            blobDnsZoneId: endpoints.dnsZoneIds[PRIVATE_DNS_ZONES.blob],
            dfsDnsZoneId: endpoints.dnsZoneIds[PRIVATE_DNS_ZONES.dfs],
            vaultDnsZoneId: endpoints.dnsZoneIds[PRIVATE_DNS_ZONES.vault],
        },
    });
    if (endpoints && cfg.dataLake.queryEngine) {
        // Synapse serverless SQL and Studio from inside the network. Its ID is built from its name, so wait for the lake that creates it.
        const synapseName = nameSuffix.apply((sfx) => azureNames.synapseWorkspace(prefix, sfx));
        const synapseId = pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${group.name}/providers/Microsoft.Synapse/workspaces/${synapseName}`;
        const at = {
            resourceGroupName: group.name,
            location,
            subnetId: endpoints.subnetId,
            targetName: synapseName,
            targetId: synapseId,
            tags,
        };
        privateEndpoint(
            "synapse-sql-endpoint",
            { ...at, group: "SqlOnDemand", dnsZoneIds: zonesOf(endpoints, [PRIVATE_DNS_ZONES.synapseSql]) },
            { dependsOn: [lake] },
        );
        privateEndpoint(
            "synapse-dev-endpoint",
            { ...at, group: "Dev", dnsZoneIds: zonesOf(endpoints, [PRIVATE_DNS_ZONES.synapseDev]) },
            { dependsOn: [lake] },
        );
    }

    const ml = new AzureMlPlatform("ml", {
        ...common,
        nameSuffix,
        tenantId: client.tenantId,
        logAnalyticsWorkspaceId,
        models: cfg.models.map((m) => m.name),
        artifactBucket: lake.bucketNames.apply((b) => b[MODELS_ZONE]),
        artifactStorageAccountName: lake.accountName,
        artifactContainerId: lake.containerIds.apply((c) => c[MODELS_ZONE]),
        readableContainerIds: Object.fromEntries(
            cfg.dataLake.zones.filter((z) => z !== MODELS_ZONE).map((z) => [z, lake.containerIds.apply((c) => c[z])]),
        ),
        training: cfg.mlPlatform.training,
        protectData: protect,
        publicNetworkAccess: az.mlPlatform.publicNetworkAccess,
        cpuVmSize: az.mlPlatform.cpuVmSize,
        idleSecondsBeforeScaleDown: az.mlPlatform.idleSecondsBeforeScaleDown,
        registrySku: az.mlPlatform.registrySku,
        untaggedRetentionDays: az.mlPlatform.untaggedRetentionDays,
        storageReplication: az.dataLake.replication,
        keyVaultSoftDeleteRetentionDays,
        privateEndpoints: endpoints,
        managedNetwork: network !== undefined,
        artifactStorageAccountId: lake.accountId,
    });

    const outputs: StackOutputs = {
        dataLake: { endpoint: lake.endpoint, buckets: lake.bucketNames },
        mlPlatform: { trackingUri: ml.trackingUri, modelRegistry: ml.modelRegistry, training: ml.trainingDefaults },
    };
    const azure: Record<string, unknown> = {
        resourceGroup: group.name,
        location,
        queryEndpoint: lake.queryEndpoint,
        mlWorkspace: ml.workspaceName,
    };
    if (network) azure.virtualNetwork = network.virtualNetworkId;
    /** Container Apps access for one role: its own subnet when the network is on, and Entra ID auth when configured. */
    const appsAccess = (section: { publicIngress: boolean; authClientId?: string }, subnet: "apps-svc" | "apps-inf") => ({
        infrastructureSubnetId: network?.subnetIds[subnet],
        virtualNetworkId: network?.virtualNetworkId,
        publicIngress: section.publicIngress,
        authClientId: section.authClientId,
        tenantId: section.authClientId !== undefined ? client.tenantId : undefined,
        actionGroupId,
    });

    let registry: { id: pulumi.Output<string>; loginServer: pulumi.Output<string> } | undefined;
    const served = servingSpecs(cfg.models, "containerService");
    if (served.length > 0) {
        const service = new AzureContainerApps("serving", {
            ...common,
            nameSuffix,
            logAnalyticsWorkspaceId,
            models: served,
            protectData: protect,
            registrySku: az.containerService.registrySku,
            untaggedRetentionDays: az.containerService.untaggedRetentionDays,
            externalIngress: az.containerService.externalIngress,
            allowedIpRanges: az.containerService.allowedIpRanges,
            ...appsAccess(az.containerService, "apps-svc"),
            registryPrivateEndpoint: endpoints && az.containerService.registrySku === "Premium" ? endpoints : undefined,
        });
        registry = { id: service.registryId, loginServer: service.registryLoginServer };
        outputs.containerService = { endpoints: service.endpoints };
        azure.containerRegistry = service.registryLoginServer;
    }

    const onDemand = servingSpecs(cfg.models, "serverlessInference");
    if (onDemand.length > 0) {
        const si = az.serverlessInference;
        const implementation = cfg.serverlessInference.implementation;
        switch (implementation) {
            case "container-apps": {
                const inference = new AzureContainerAppsInference("inference", {
                    ...common,
                    logAnalyticsWorkspaceId,
                    models: onDemand,
                    registryId: registry?.id,
                    registryLoginServer: registry?.loginServer,
                    externalIngress: si.externalIngress,
                    allowedIpRanges: si.allowedIpRanges,
                    ...appsAccess(si, "apps-inf"),
                });
                outputs.serverlessInference = { endpoints: inference.endpoints };
                break;
            }
            case "functions": {
                const inference = new AzureFunctionsInference("inference", {
                    ...common,
                    nameSuffix,
                    logAnalyticsWorkspaceId,
                    models: onDemand,
                    instanceMemoryMB: si.functionsInstanceMemoryMB,
                    pythonVersion: si.functionsPythonVersion,
                    allowedIpRanges: si.allowedIpRanges,
                    virtualNetworkSubnetId: network?.subnetIds.functions,
                    actionGroupId,
                });
                outputs.serverlessInference = { endpoints: inference.endpoints };
                azure.functionApps = inference.appNames;
                break;
            }
            case "azureml-endpoint": {
                const scoringPaths = Object.fromEntries(cfg.models.map((m, i) => [m.name, az.models[i]?.scoringPath ?? "/predict"]));
                const inference = new AzureMlEndpointInference("inference", {
                    resourceGroupName: group.name,
                    location,
                    namePrefix: prefix,
                    nameSuffix,
                    tags,
                    workspaceName: ml.workspaceName,
                    logAnalyticsWorkspaceId,
                    models: onDemand,
                    authMode: si.endpointAuthMode,
                    cpuInstanceType: si.endpointInstanceType,
                    // Two instances keep a prod endpoint serving through an instance failure.
                    minInstances: prod ? 2 : 1,
                    // Key or token auth always; public only when asked for (through the workspace's private endpoint otherwise).
                    publicNetworkAccess: containerAppsPublic(az, "serverlessInference"),
                    scoringPaths,
                    actionGroupId,
                });
                outputs.serverlessInference = { endpoints: inference.endpoints };
                break;
            }
            default:
                throw new Error(
                    `serverlessInference implementation "${implementation}" has no Azure component; the config parser allows container-apps, functions and azureml-endpoint`,
                );
        }
    }
    outputs.azure = azure;
    return outputs;
}
