/**
 * Serverless inference on Azure Functions (`functions`): per model a Flex Consumption function app (its
 * own plan, which Flex requires) with its own managed identity and its own storage account, reached with
 * Entra ID only (`AzureWebJobsStorage__credential=managedidentity`, shared keys off). HTTPS only, TLS 1.2,
 * FTP and basic-auth publishing off, scale to zero, CPU only, logs to Log Analytics, error and latency alerts.
 *
 * The function code is not uploaded here: Flex Consumption deploys packages through its OneDeploy
 * endpoint, which has no Azure Resource Manager resource, and the Pulumi Blob resource cannot write to an
 * account without shared keys (pulumi/pulumi-azure-native#2015). Publish with
 * `func azure functionapp publish <app>` (docs/azure.md); the app's deployment container is ready for it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import { ServerlessInference, ServerlessInferenceArgs } from "./contract";
import { FLEX_INSTANCE_MEMORY_MB, FLEX_PYTHON_VERSIONS, PACKAGE_CONTAINER } from "./azure-settings";
import { resolveAccelerator } from "../accelerators/resolve";
import { modelProblems, thresholdProblems } from "../container-service/azure-apps";
import { secureStorageAccountArgs } from "../data-lake/azure-account";
import { dataProtection } from "../data-lake/azure-policy";
import { AzureWorkloadIdentity } from "../identity/azure";
import { cidrRange, ipRangeProblems } from "../network/azure";
import { azureNames } from "../naming/azure";
import { blobAuditLogs, diagnosticSetting, servingAlertRules } from "../observability/azure";
import { Problems } from "../shared/problems";
import { AzurePlacementArgs } from "../shared/azure-placement";

export interface AzureFunctionsInferenceArgs extends ServerlessInferenceArgs, AzurePlacementArgs {
    /** Memory per instance in MB: 512, 2048 or 4096 (billed per GB-second while running). @default 2048 */
    readonly instanceMemoryMB?: number;
    /** Python version of the function apps. @default "3.12" */
    readonly pythonVersion?: string;
    /** Public IPv4 addresses or CIDR blocks allowed to call the apps. @default [] - no IP restriction */
    readonly allowedIpRanges?: readonly string[];
    /**
     * Subnet (delegated to Microsoft.App/environments) the apps send their outbound traffic through, so they
     * reach private endpoints in the network. Inbound stays on the public endpoint, guarded by function keys.
     * @default - no virtual network integration
     */
    readonly virtualNetworkSubnetId?: pulumi.Input<string>;
    /** Action group the alerts notify. @default - none */
    readonly actionGroupId?: pulumi.Input<string>;
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. @default 5 */
    readonly alertServerErrors?: number;
    /** Average response time in ms that fires a model's latency alert. @default 2000 */
    readonly alertLatencyMs?: number;
}

export class AzureFunctionsInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> `https://<app>.azurewebsites.net/api`. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Model name -> function app name (what `func azure functionapp publish` takes). */
    public readonly appNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureFunctionsInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const memory = args.instanceMemoryMB ?? 2048;
        const python = args.pythonVersion ?? "3.12";
        const problems = new Problems();
        modelProblems(args.models, problems);
        (args.models ?? []).forEach((m, i) => {
            try {
                resolveAccelerator({ cloud: "azure", service: "functions", accelerator: m.accelerator });
            } catch (e) {
                problems.add(`models[${i}].accelerator: ${(e as Error).message}`);
            }
        });
        if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(memory))
            problems.add({
                path: "instanceMemoryMB",
                value: memory,
                message: "is not a Flex Consumption instance size",
                allowed: FLEX_INSTANCE_MEMORY_MB,
            });
        if (!(FLEX_PYTHON_VERSIONS as readonly string[]).includes(python))
            problems.add({
                path: "pythonVersion",
                value: python,
                message: "is not a Python version Flex Consumption runs",
                allowed: FLEX_PYTHON_VERSIONS,
            });
        ipRangeProblems(args.allowedIpRanges ?? [], "allowedIpRanges", problems);
        thresholdProblems(args, problems);
        problems.throwIfAny(`AzureFunctionsInference "${name}"`);
        super("mlops:index:AzureFunctionsInference", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const named = (build: (suffix: string) => string) => pulumi.output(args.nameSuffix).apply(build);
        const ranges = args.allowedIpRanges ?? [];
        const apps = args.models.map((m) => {
            const prefix = `${name}-${m.name}`;
            // Flex Consumption without virtual network integration reaches its store over the public
            // endpoint, so this firewall stays open; access still needs Entra ID (shared keys are off).
            const store = new storage.StorageAccount(
                `${prefix}-store`,
                secureStorageAccountArgs({
                    accountName: named((sfx) => azureNames.functionStorage(args.namePrefix, m.name, sfx)),
                    resourceGroupName: rg,
                    location: args.location,
                    replication: "LRS",
                    hierarchicalNamespace: false,
                    defaultAction: "Allow",
                    allowedIpRanges: [],
                    tags,
                }),
                { parent: this },
            );
            blobAuditLogs(`${prefix}-store-blob-diagnostics`, store.id, args.logAnalyticsWorkspaceId, { parent: this });
            new storage.BlobServiceProperties(
                `${prefix}-store-blob-service`,
                { accountName: store.name, resourceGroupName: rg, blobServicesName: "default", ...dataProtection(7, 7) },
                { parent: this },
            );
            const packages = new storage.BlobContainer(
                `${prefix}-package`,
                { accountName: store.name, resourceGroupName: rg, containerName: PACKAGE_CONTAINER, publicAccess: "None" },
                { parent: this },
            );
            // The host keeps its leases and keys in this account: Blob Data Owner on it, and nothing elsewhere.
            const identity = new AzureWorkloadIdentity(
                `${prefix}-identity`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    identityName: azureNames.identity(args.namePrefix, `fn-${m.name}`),
                    subscriptionId: args.subscriptionId,
                    grants: [{ label: "host-storage", scope: store.id, role: "Storage Blob Data Owner" }],
                    tags,
                },
                { parent: this },
            );
            const plan = new web.AppServicePlan(
                `${prefix}-plan`,
                {
                    name: azureNames.appServicePlan(args.namePrefix, m.name),
                    resourceGroupName: rg,
                    location: args.location,
                    kind: "functionapp",
                    reserved: true,
                    sku: { name: "FC1", tier: "FlexConsumption" },
                    tags,
                },
                { parent: this },
            );
            const app = new web.WebApp(
                prefix,
                {
                    name: named((sfx) => azureNames.functionApp(args.namePrefix, m.name, sfx)),
                    resourceGroupName: rg,
                    location: args.location,
                    kind: "functionapp,linux",
                    serverFarmId: plan.id,
                    httpsOnly: true,
                    publicNetworkAccess: "Enabled",
                    virtualNetworkSubnetId: args.virtualNetworkSubnetId,
                    // All outbound traffic through the network (not only RFC 1918 addresses), so private DNS applies.
                    outboundVnetRouting: args.virtualNetworkSubnetId !== undefined ? { allTraffic: true } : undefined,
                    identity: { type: "UserAssigned", userAssignedIdentities: [identity.identityId] },
                    functionAppConfig: {
                        deployment: {
                            storage: {
                                type: "blobContainer",
                                value: pulumi.interpolate`${store.primaryEndpoints.blob}${PACKAGE_CONTAINER}`,
                                authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: identity.identityId },
                            },
                        },
                        runtime: { name: "python", version: python },
                        scaleAndConcurrency: { maximumInstanceCount: m.maxReplicas, instanceMemoryMB: memory },
                    },
                    siteConfig: {
                        minTlsVersion: "1.2",
                        scmMinTlsVersion: "1.2",
                        ftpsState: "Disabled",
                        http20Enabled: true,
                        remoteDebuggingEnabled: false,
                        ipSecurityRestrictions: ranges.map((r, i) => ({
                            name: `allow-${i}`,
                            ipAddress: cidrRange(r),
                            action: "Allow",
                            priority: 100 + i,
                        })),
                        ipSecurityRestrictionsDefaultAction: ranges.length > 0 ? "Deny" : "Allow",
                        appSettings: [
                            { name: "AzureWebJobsStorage__accountName", value: store.name },
                            { name: "AzureWebJobsStorage__credential", value: "managedidentity" },
                            { name: "AzureWebJobsStorage__clientId", value: identity.clientId },
                            ...Object.entries(m.env ?? {}).map(([key, value]) => ({ name: key, value })),
                        ],
                    },
                    tags,
                },
                { parent: this, dependsOn: [...identity.assignments, packages] },
            );
            const inApp = { name: app.name, resourceGroupName: rg };
            new web.WebAppFtpAllowed(`${prefix}-ftp`, { ...inApp, allow: false }, { parent: this });
            new web.WebAppScmAllowed(`${prefix}-scm-basic-auth`, { ...inApp, allow: false }, { parent: this });
            diagnosticSetting(
                `${prefix}-diagnostics`,
                { resourceUri: app.id, workspaceId: args.logAnalyticsWorkspaceId },
                { parent: this },
            );
            servingAlertRules(
                `${prefix}-alert`,
                {
                    resourceGroupName: rg,
                    scope: app.id,
                    target: "functionApp",
                    subject: `model ${m.name} (functions)`,
                    thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
                    actionGroupId: args.actionGroupId,
                    tags,
                },
                { parent: this },
            );
            return app;
        });

        this.appNames = pulumi
            .all(apps.map((a) => a.name))
            .apply((names) => Object.fromEntries(args.models.map((m, i) => [m.name, names[i]])));
        this.endpoints = pulumi
            .all(apps.map((a) => a.defaultHostName))
            .apply((hosts) => Object.fromEntries(args.models.map((m, i) => [m.name, `https://${hosts[i]}/api`])));
        this.registerOutputs({ endpoints: this.endpoints, appNames: this.appNames });
    }
}
