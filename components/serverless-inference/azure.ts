/**
 * Serverless inference on Azure, three implementations:
 * - `container-apps` (here): one app per model in its own Container Apps environment, scaling to zero
 *   between requests (`serverlessMinReplicas`, default 0), GPU through the catalog's serverless GPU
 *   profiles (billed per second while a replica runs);
 * - `functions`: Flex Consumption, CPU only;
 * - `azureml-endpoint`: managed online endpoints on catalog VM sizes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as monitor from "@pulumi/azure-native/monitor";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import { ServerlessInference } from "./contract";
import {
    AzureContainerAppsInferenceArgs,
    AzureFunctionsInferenceArgs,
    AzureMlEndpointInferenceArgs,
    DEFAULT_SCORING_PATH,
    ENDPOINT_AUTH_MODES,
    PACKAGE_CONTAINER,
    endpointInstanceTypes,
    validateAzureContainerAppsInference,
    validateAzureFunctionsInference,
    validateAzureMlEndpointInference,
} from "./azure-args";
import { inferenceRoutes } from "./azure-ml-endpoint";
import { planApps } from "../container-service/azure-apps";
import { deployContainerApps, hostAccess } from "../container-service/azure-host";
import { secureStorageAccountArgs } from "../data-lake/azure-account";
import { dataProtection } from "../data-lake/azure-policy";
import { AzureWorkloadIdentity } from "../identity/azure";
import { azureNames } from "../naming/azure";
import { cidrRange } from "../network/azure-ip-ranges";
import { blobAuditLogs, diagnosticSetting, servingAlertRules } from "../observability/azure";
import { shortHash } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";

/** Serverless inference on Azure Container Apps: one app per model in its own environment, scaling to zero. */
export class AzureContainerAppsInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> `https://<app fqdn>`. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureContainerAppsInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureContainerAppsInference "${name}"`, validateAzureContainerAppsInference(args));
        const plans = planApps(args.models);
        super("mlops:index:AzureContainerAppsInference", name, args, opts);

        const host = deployContainerApps(this, name, {
            role: "inf",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            namePrefix: args.namePrefix,
            subscriptionId: args.subscriptionId,
            logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
            registry:
                args.registryId !== undefined && args.registryLoginServer !== undefined
                    ? { id: args.registryId, loginServer: args.registryLoginServer }
                    : undefined,
            external: args.externalIngress ?? true,
            allowedIpRanges: args.allowedIpRanges ?? [],
            models: args.models,
            plans,
            thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
            ...hostAccess(args),
            tags: { ...args.tags },
        });
        this.endpoints = host.endpoints;
        this.registerOutputs({ endpoints: this.endpoints });
    }
}

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
export class AzureFunctionsInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> `https://<app>.azurewebsites.net/api`. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Model name -> function app name (what `func azure functionapp publish` takes). */
    public readonly appNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureFunctionsInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureFunctionsInference "${name}"`, validateAzureFunctionsInference(args));
        const memory = args.instanceMemoryMB ?? 2048;
        const python = args.pythonVersion ?? "3.12";
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

/**
 * Serverless inference on Azure ML managed online endpoints (`azureml-endpoint`): per model an endpoint
 * (key or Entra ID token auth, system identity) with one deployment, `main`, running the model's image as
 * a custom container (an environment whose inference routes are the model's health and scoring paths) on
 * the VM size the accelerator catalog gives, with Azure Monitor autoscale on CPU between the instance
 * floor (2 in prod) and `maxReplicas`, probes, logs to Log Analytics and error and latency alerts.
 *
 * The image must serve the model itself: managed deployments run the image's own entrypoint, so `files`,
 * `command` and `args` (what the sample uses on Container Apps) cannot be applied and are refused.
 * A new deployment gets no endpoint traffic until it is assigned (`az ml online-endpoint update --traffic
 * main=100`, which ARM cannot express without a cycle); until then callers send the header
 * `azureml-model-deployment: main`.
 */
export class AzureMlEndpointInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> scoring URI. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureMlEndpointInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureMlEndpointInference "${name}"`, validateAzureMlEndpointInference(args));
        const instanceTypes = endpointInstanceTypes(args);
        super("mlops:index:AzureMlEndpointInference", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const inWorkspace = { workspaceName: args.workspaceName, resourceGroupName: rg };
        const endpoints = args.models.map((m, i) => {
            const prefix = `${name}-${m.name}`;
            const routes = inferenceRoutes(m, args.scoringPaths?.[m.name] ?? DEFAULT_SCORING_PATH);
            const environment = new ml.EnvironmentVersion(
                `${prefix}-environment`,
                {
                    ...inWorkspace,
                    name: `${m.name}-serving`,
                    version: shortHash(JSON.stringify({ image: m.image, routes }), 8),
                    properties: {
                        image: m.image,
                        osType: "Linux",
                        inferenceConfig: routes,
                        description: `Serving container of model ${m.name}`,
                    },
                },
                { parent: this },
            );
            const endpoint = new ml.OnlineEndpoint(
                `${prefix}-endpoint`,
                {
                    ...inWorkspace,
                    endpointName: pulumi.output(args.nameSuffix).apply((sfx) => azureNames.onlineEndpoint(args.namePrefix, m.name, sfx)),
                    location: args.location,
                    identity: { type: "SystemAssigned" },
                    properties: {
                        authMode: ENDPOINT_AUTH_MODES[(args.authMode ?? "key") as keyof typeof ENDPOINT_AUTH_MODES],
                        publicNetworkAccess: (args.publicNetworkAccess ?? true) ? "Enabled" : "Disabled",
                        description: `Model ${m.name}`,
                    },
                    tags,
                },
                { parent: this },
            );
            const instances = Math.max(args.minInstances ?? 1, m.minReplicas);
            const probe = { initialDelay: "PT10S", period: "PT10S", timeout: "PT5S", failureThreshold: 3, successThreshold: 1 };
            const deployment = new ml.OnlineDeployment(
                `${prefix}-deployment`,
                {
                    ...inWorkspace,
                    endpointName: endpoint.name,
                    deploymentName: azureNames.onlineDeployment(),
                    location: args.location,
                    sku: { name: "Default", capacity: instances },
                    properties: {
                        endpointComputeType: "Managed",
                        instanceType: instanceTypes[i],
                        environmentId: environment.id,
                        environmentVariables: { ...m.env },
                        appInsightsEnabled: true,
                        livenessProbe: probe,
                        readinessProbe: probe,
                        requestSettings: { maxConcurrentRequestsPerInstance: m.concurrency },
                    },
                    tags,
                },
                { parent: this },
            );
            // Managed deployments scale through Azure Monitor autoscale on the deployment resource.
            const cpu = (
                operator: "GreaterThan" | "LessThan",
                threshold: number,
                direction: "Increase" | "Decrease",
                cooldown: string,
            ) => ({
                metricTrigger: {
                    metricName: "CpuUtilizationPercentage",
                    metricNamespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
                    metricResourceUri: deployment.id,
                    operator,
                    statistic: "Average" as const,
                    threshold,
                    timeAggregation: "Average" as const,
                    timeGrain: "PT1M",
                    timeWindow: "PT5M",
                },
                scaleAction: { direction, type: "ChangeCount" as const, value: "1", cooldown },
            });
            new monitor.AutoscaleSetting(
                `${prefix}-autoscale`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    targetResourceUri: deployment.id,
                    enabled: true,
                    profiles: [
                        {
                            name: "cpu",
                            capacity: {
                                minimum: String(instances),
                                maximum: String(Math.max(instances, m.maxReplicas)),
                                default: String(instances),
                            },
                            rules: [cpu("GreaterThan", 70, "Increase", "PT5M"), cpu("LessThan", 25, "Decrease", "PT10M")],
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            diagnosticSetting(
                `${prefix}-diagnostics`,
                { resourceUri: endpoint.id, workspaceId: args.logAnalyticsWorkspaceId },
                { parent: this },
            );
            servingAlertRules(
                `${prefix}-alert`,
                {
                    resourceGroupName: rg,
                    scope: endpoint.id,
                    target: "onlineEndpoint",
                    subject: `model ${m.name} (azureml-endpoint)`,
                    thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
                    actionGroupId: args.actionGroupId,
                    tags,
                },
                { parent: this },
            );
            return endpoint;
        });

        this.endpoints = pulumi
            .all(endpoints.map((e) => e.properties.apply((p) => p.scoringUri ?? "")))
            .apply((uris) => Object.fromEntries(args.models.map((m, i) => [m.name, uris[i]])));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
