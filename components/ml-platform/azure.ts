/**
 * The ML platform on Azure: an Azure Machine Learning workspace (system-assigned identity, public network
 * access off unless opened, Entra ID access to its store) with its own Key Vault, workspace-based
 * Application Insights, container registry and storage account; a training cluster sized from the
 * accelerator catalog that scales to zero; the workspace model registry with one entry per model; and
 * an identity-based datastore on the data lake's models zone.
 *
 * Azure ML grants the workspace identity access to its own store, vault, registry and insights when it
 * creates the workspace, so the deployer needs permission to create role assignments on them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as storage from "@pulumi/azure-native/storage";
import { MlPlatform, TrainingDefaults } from "./contract";
import {
    AzureMlPlatformArgs,
    LAKE_DATASTORE_NAME,
    azureTrainingDefaults,
    idleDuration,
    mlSettings,
    validateAzureMlPlatform,
} from "./azure-args";
import { registryArgs } from "../container-service/azure-registry";
import { secureStorageAccountArgs } from "../data-lake/azure-account";
import { dataProtection } from "../data-lake/azure-policy";
import { AzureKeyVault } from "../encryption/azure";
import { AzureWorkloadIdentity, grantRole } from "../identity/azure";
import { RoleGrant } from "../identity/azure-args";
import { azureNames } from "../naming/azure";
import { PRIVATE_DNS_ZONES } from "../network/azure-layout";
import { privateEndpoint, zonesOf } from "../network/azure-private-endpoint";
import { blobAuditLogs, diagnosticSetting } from "../observability/azure";
import { throwIfProblems } from "../shared/problems";

/** The workspace datastore on the lake's models zone. */
export const LAKE_DATASTORE = LAKE_DATASTORE_NAME;

/** Isolation mode of the managed network: outbound internet stays open (pip, conda, model hubs) without a paid firewall. */
export const MANAGED_NETWORK_ISOLATION = "AllowInternetOutbound";

/** The ML platform on Azure Machine Learning: a workspace with its vault, insights, registry and store, a training cluster sized from the accelerator catalog, and one registry entry per model. */
export class AzureMlPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** The workspace's MLflow tracking URI (`azureml://<region>.api.azureml.ms/mlflow/v1.0/...`). */
    public readonly trackingUri: pulumi.Output<string>;
    /** ARM ID of the workspace, whose model registry holds the models. */
    public readonly modelRegistry: pulumi.Output<string>;
    /** Training defaults resolved from the accelerator catalog. */
    public readonly trainingDefaults: pulumi.Output<TrainingDefaults>;
    /** The Azure ML workspace's name. */
    public readonly workspaceName: pulumi.Output<string>;
    /** The workspace registry's login server; undefined with `registry: false` (Azure ML then makes one on first image build). */
    public readonly registryLoginServer: pulumi.Output<string> | undefined;

    constructor(name: string, args: AzureMlPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureMlPlatform "${name}"`, validateAzureMlPlatform(args));
        const s = mlSettings(args);
        const training = azureTrainingDefaults(args);
        super("mlops:index:AzureMlPlatform", name, args, opts);

        const protect = args.protectData ?? true;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const tags = { ...args.tags };
        const rg = args.resourceGroupName;
        const open = args.publicNetworkAccess ?? false;
        const named = (build: (suffix: string) => string) => pulumi.output(args.nameSuffix).apply(build);
        const workspaceName = named((sfx) => azureNames.mlWorkspace(args.namePrefix, sfx));
        const workspaceId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${workspaceName}`;

        const vault = new AzureKeyVault(
            `${name}-keys`,
            {
                resourceGroupName: rg,
                location: args.location,
                vaultName: named((sfx) => azureNames.keyVault(args.namePrefix, "ml", sfx)),
                tenantId: args.tenantId,
                logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
                softDeleteRetentionDays: args.keyVaultSoftDeleteRetentionDays,
                protectData: protect,
                tags,
            },
            { parent: this },
        );
        const insights = new applicationinsights.Component(
            `${name}-insights`,
            {
                resourceName: azureNames.appInsights(args.namePrefix, "ml"),
                resourceGroupName: rg,
                location: args.location,
                kind: "web",
                applicationType: "web",
                ingestionMode: "LogAnalytics",
                workspaceResourceId: args.logAnalyticsWorkspaceId,
                tags,
            },
            { parent: this },
        );
        // Billed every day it exists; without it Azure ML creates a Basic one the first time it builds an image.
        const registry = s.registry
            ? new containerregistry.Registry(
                  `${name}-registry`,
                  registryArgs({
                      registryName: named((sfx) => azureNames.containerRegistry(args.namePrefix, "ml", sfx)),
                      resourceGroupName: rg,
                      location: args.location,
                      sku: s.registrySku,
                      untaggedRetentionDays: s.untaggedRetentionDays,
                      tags,
                  }),
                  stateful,
              )
            : undefined;
        if (registry)
            diagnosticSetting(
                `${name}-registry-diagnostics`,
                { resourceUri: registry.id, workspaceId: args.logAnalyticsWorkspaceId },
                { parent: this },
            );
        // Not ADLS Gen2: Azure ML does not take a hierarchical-namespace account as its default store.
        const store = new storage.StorageAccount(
            `${name}-store`,
            secureStorageAccountArgs({
                accountName: named((sfx) => azureNames.storageAccount(args.namePrefix, "ml", sfx)),
                resourceGroupName: rg,
                location: args.location,
                replication: s.storageReplication,
                hierarchicalNamespace: false,
                defaultAction: open ? "Allow" : "Deny",
                allowedIpRanges: [],
                trustedResources: [{ tenantId: args.tenantId, resourceId: workspaceId }],
                tags,
            }),
            stateful,
        );
        blobAuditLogs(`${name}-store-blob-diagnostics`, store.id, args.logAnalyticsWorkspaceId, { parent: this });
        new storage.BlobServiceProperties(
            `${name}-store-blob-service`,
            { accountName: store.name, resourceGroupName: rg, blobServicesName: "default", ...dataProtection(7, 30) },
            { parent: this },
        );

        const workspace = new ml.Workspace(
            `${name}-workspace`,
            {
                workspaceName,
                resourceGroupName: rg,
                location: args.location,
                sku: { name: "Basic", tier: "Basic" },
                identity: { type: "SystemAssigned" },
                keyVault: vault.vaultId,
                applicationInsights: insights.id,
                containerRegistry: registry?.id,
                storageAccount: store.id,
                // The workspace reaches its store with its identity, not account keys (shared keys are off).
                systemDatastoresAuthMode: "Identity",
                publicNetworkAccess: open ? "Enabled" : "Disabled",
                managedNetwork: args.managedNetwork ? managedNetwork(args.artifactStorageAccountId!) : undefined,
                v1LegacyMode: false,
                description: "MLOps platform workspace: tracking, model registry and training compute",
                tags,
            },
            stateful,
        );
        diagnosticSetting(
            `${name}-diagnostics`,
            { resourceUri: workspace.id, workspaceId: args.logAnalyticsWorkspaceId },
            { parent: this },
        );
        const pe = args.privateEndpoints;
        if (pe) {
            const at = { resourceGroupName: rg, location: args.location, subnetId: pe.subnetId, tags };
            privateEndpoint(
                `${name}-workspace-endpoint`,
                {
                    ...at,
                    targetName: workspace.name,
                    targetId: workspace.id,
                    group: "amlworkspace",
                    dnsZoneIds: zonesOf(pe, [PRIVATE_DNS_ZONES.amlApi, PRIVATE_DNS_ZONES.amlNotebooks]),
                },
                { parent: this },
            );
            privateEndpoint(
                `${name}-keys-endpoint`,
                {
                    ...at,
                    targetName: vault.vaultName,
                    targetId: vault.vaultId,
                    group: "vault",
                    dnsZoneIds: zonesOf(pe, [PRIVATE_DNS_ZONES.vault]),
                },
                { parent: this },
            );
            privateEndpoint(
                `${name}-store-endpoint`,
                { ...at, targetName: store.name, targetId: store.id, group: "blob", dnsZoneIds: zonesOf(pe, [PRIVATE_DNS_ZONES.blob]) },
                { parent: this },
            );
            // Basic and Standard registries have no private link.
            if (registry && s.registrySku === "Premium")
                privateEndpoint(
                    `${name}-registry-endpoint`,
                    {
                        ...at,
                        targetName: registry.name,
                        targetId: registry.id,
                        group: "registry",
                        dnsZoneIds: zonesOf(pe, [PRIVATE_DNS_ZONES.registry]),
                    },
                    { parent: this },
                );
        }
        const inWorkspace = { workspaceName: workspace.name, resourceGroupName: rg };

        // The workspace reads and writes the lake's models zone through the datastore with its own identity.
        const workspacePrincipal = workspace.identity.apply((i) => i?.principalId ?? "");
        const workspaceGrant = grantRole(
            `${name}-workspace-models`,
            {
                scope: args.artifactContainerId,
                role: "Storage Blob Data Contributor",
                principalId: workspacePrincipal,
                subscriptionId: args.subscriptionId,
            },
            { parent: this },
        );
        new ml.Datastore(
            `${name}-datastore`,
            {
                ...inWorkspace,
                name: LAKE_DATASTORE,
                properties: {
                    datastoreType: "AzureDataLakeGen2",
                    accountName: args.artifactStorageAccountName,
                    filesystem: args.artifactBucket,
                    credentials: { credentialsType: "None" },
                    serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
                    description: "The data lake's models zone",
                },
            },
            { parent: this, dependsOn: [workspaceGrant] },
        );

        // Training nodes run as their own identity: write the models zone, read the other zones, pull images.
        const grants: RoleGrant[] = [
            { label: "models", scope: args.artifactContainerId, role: "Storage Blob Data Contributor" },
            ...Object.entries(args.readableContainerIds ?? {}).map(([zone, scope]) => ({
                label: `read-${zone}`,
                scope,
                role: "Storage Blob Data Reader",
            })),
            ...(registry ? [{ label: "registry", scope: registry.id, role: "AcrPull" }] : []),
        ];
        const trainer = new AzureWorkloadIdentity(
            `${name}-training`,
            {
                resourceGroupName: rg,
                location: args.location,
                identityName: azureNames.identity(args.namePrefix, "ml-training"),
                subscriptionId: args.subscriptionId,
                grants,
                tags,
            },
            { parent: this },
        );
        new ml.Compute(
            `${name}-compute`,
            {
                ...inWorkspace,
                computeName: azureNames.amlCompute(),
                location: args.location,
                identity: { type: "UserAssigned", userAssignedIdentities: [trainer.identityId] },
                properties: {
                    computeType: "AmlCompute",
                    disableLocalAuth: true,
                    description: `Training: ${training.accelerator === "none" ? "CPU" : `${training.accelerator} x${training.acceleratorCount}`}`,
                    properties: {
                        vmSize: training.compute,
                        vmPriority: training.spot ? "LowPriority" : "Dedicated",
                        osType: "Linux",
                        scaleSettings: {
                            minNodeCount: 0,
                            maxNodeCount: training.maxNodes,
                            nodeIdleTimeBeforeScaleDown: idleDuration(s.idleSecondsBeforeScaleDown),
                        },
                        remoteLoginPortPublicAccess: "Disabled",
                        // In the managed network nodes need no public IP (outbound goes through the managed network).
                        enableNodePublicIp: args.managedNetwork ? false : undefined,
                    },
                },
                tags,
            },
            { parent: this },
        );

        for (const model of args.models) {
            new ml.ModelContainer(
                `${name}-model-${model}`,
                { ...inWorkspace, name: model, properties: { description: `Registered by the mlops stack for model ${model}` } },
                stateful,
            );
        }

        this.trackingUri = workspace.mlFlowTrackingUri;
        this.modelRegistry = workspace.id;
        this.trainingDefaults = pulumi.output(training);
        this.workspaceName = workspace.name;
        this.registryLoginServer = registry?.loginServer;
        this.registerOutputs({
            trackingUri: this.trackingUri,
            modelRegistry: this.modelRegistry,
            trainingDefaults: this.trainingDefaults,
            workspaceName: this.workspaceName,
            registryLoginServer: this.registryLoginServer,
        });
    }
}

/** The managed network: internet outbound allowed, and private endpoints to the lake's blob and dfs endpoints. */
export function managedNetwork(lakeAccountId: pulumi.Input<string>) {
    const lake = (subresourceTarget: string) => ({
        type: "PrivateEndpoint" as const,
        category: "UserDefined",
        destination: { serviceResourceId: lakeAccountId, subresourceTarget, sparkEnabled: false },
    });
    return { isolationMode: MANAGED_NETWORK_ISOLATION, outboundRules: { "lake-blob": lake("blob"), "lake-dfs": lake("dfs") } };
}
