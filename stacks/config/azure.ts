/**
 * Azure-only settings: the `azure` sub-object of each `mlops:` section (`mlops:dataLake.azure`,
 * `mlops:mlPlatform.azure`, `mlops:containerService.azure`, `mlops:serverlessInference.azure`,
 * `mlops:models[i].azure`) and the provider's `azure-native:location`. Parsed only when `mlops:cloud` is
 * `azure`. Documented in docs/azure.md ("Configuration"). Imports only pure component modules, so
 * parsing loads no cloud SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ProblemDetail, ownershipTags } from "@mlops/components";
import { REGISTRY_SKUS, RETENTION_DAYS } from "@mlops/components/azure-args";
import { AzureContainerAppsArgs, AzureModelArtifacts, validateAzureContainerApps } from "@mlops/components/azure-args";
import { GEO_REPLICATIONS, REPLICATIONS } from "@mlops/components/azure-args";
import { AzureDataLakeArgs, validateAzureDataLake } from "@mlops/components/azure-args";
import { SOFT_DELETE_DAYS } from "@mlops/components/azure-args";
import { AzureMlPlatformArgs, DEFAULT_CPU_VM_SIZE, VM_SIZE, validateAzureMlPlatform } from "@mlops/components/azure-args";
import { NAME_SUFFIX_LENGTH, azureNames, namePrefix, validateAzureLocation } from "@mlops/components/azure-args";
import {
    AzureNetworkArgs,
    AzurePipelinesNetworkArgs,
    PrivateEndpointPlacement,
    validateAzureNetwork,
    validateAzurePipelinesNetwork,
} from "@mlops/components/azure-args";
import { ipRangeIssue } from "@mlops/components/azure-args";
import { DEFAULT_ADDRESS_SPACE, addressSpaceIssue } from "@mlops/components/azure-args";
import {
    AzureAlertRecipientsArgs,
    AzureMonitoringArgs,
    validateAzureAlertRecipients,
    validateAzureMonitoring,
} from "@mlops/components/azure-args";
import {
    AzureContainerAppsInferenceArgs,
    AzureFunctionsInferenceArgs,
    AzureMlEndpointInferenceArgs,
    DEFAULT_SCORING_PATH,
    ENDPOINT_AUTH_MODES,
    FLEX_INSTANCE_MEMORY_MB,
    FLEX_PYTHON_VERSIONS,
    validateAzureContainerAppsInference,
    validateAzureFunctionsInference,
    validateAzureMlEndpointInference,
} from "@mlops/components/azure-args";
import { atKeys } from "@mlops/components";
import { servingSpecs } from "../models";
import { AZURE_KEYS, AzureConfig, LOCATION_KEY } from "./azure-options";
import { CloudSection, CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import type { ServeTarget, StackConfig } from "./schema";

export { AZURE_KEYS, LOCATION_KEY } from "./azure-options";
export type { AzureConfig } from "./azure-options";

/** An Entra ID application (client) ID. */
const CLIENT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The usable ranges of an allow-list; each bad one is a problem and left out (so no later check reports it again). */
function ipRanges(read: Reader, obj: Obj | undefined, key: string, path: string): string[] {
    const ranges = read.stringList(obj, key, path, []);
    return ranges.filter((range, i) => {
        const issue = ipRangeIssue(range);
        if (issue) read.problems.push({ path: `${path}.${key}[${i}]`, value: range, ...issue });
        return issue === undefined;
    });
}

/** A boolean key whose default depends on other settings: `{ [key]: value }` when written, `{}` when not. */
function optionalBool(read: Reader, obj: Obj | undefined, key: string, path: string): { [k: string]: boolean } {
    return obj !== undefined && obj[key] !== undefined ? { [key]: read.bool(obj, key, path, false) } : {};
}

function vmSize(read: Reader, obj: Obj | undefined, key: string, path: string): string {
    return read.matching(obj, key, path, VM_SIZE, `an Azure VM size such as ${DEFAULT_CPU_VM_SIZE}`) ?? DEFAULT_CPU_VM_SIZE;
}

export function parseAzureConfig(sections: CloudSections, read: Reader): AzureConfig {
    const prod = sections.environment === "prod";
    const at = (s: CloudSection) => sections.path(s);

    const location = sections.providerConfig[LOCATION_KEY];
    if (location === undefined) {
        read.problems.push({
            path: LOCATION_KEY,
            value: undefined,
            message: "is required: every Azure resource of the stack is created in this region",
            fix: "run `pulumi config set azure-native:location swedencentral` (pick a region that offers the GPUs you configure)",
        });
    } else {
        for (const p of validateAzureLocation(location))
            read.problems.push({
                ...p,
                path: LOCATION_KEY,
                fix: `run \`pulumi config set azure-native:location ${p.allowed?.[0] ?? "swedencentral"}\` (the programmatic name: lowercase, no spaces; see \`az account list-locations -o table\`)`,
            });
    }

    const lakePath = at("dataLake");
    const lake = read.object(sections.sections.dataLake, lakePath, AZURE_KEYS.dataLake);
    const replication = read.oneOf(
        lake,
        "replication",
        lakePath,
        REPLICATIONS,
        prod ? "GRS" : sections.environment === "staging" ? "ZRS" : "LRS",
    );
    const regional = prod && !(GEO_REPLICATIONS as readonly string[]).includes(replication);
    if (regional) {
        read.problems.push({
            path: `${lakePath}.replication`,
            value: replication,
            message: "keeps a prod lake in one region",
            allowed: GEO_REPLICATIONS,
            fix: "use GRS or GZRS in prod (CKV_AZURE_206)",
        });
    }
    const dataLake: AzureConfig["dataLake"] = {
        // Reported above: the lake's own check of the same rule then stays quiet.
        replication: regional ? "GRS" : replication,
        softDeleteRetentionDays: read.int(lake, "softDeleteRetentionDays", lakePath, prod ? 30 : 7, { ...SOFT_DELETE_DAYS, unit: "days" }),
        ...optionalBool(read, lake, "firewall", lakePath),
        allowedIpRanges: ipRanges(read, lake, "allowedIpRanges", lakePath),
        queryAllowedIpRanges: ipRanges(read, lake, "queryAllowedIpRanges", lakePath),
    };

    const mlPath = at("mlPlatform");
    const ml = read.object(sections.sections.mlPlatform, mlPath, AZURE_KEYS.mlPlatform);
    const mlPlatform = {
        publicNetworkAccess: read.bool(ml, "publicNetworkAccess", mlPath, false),
        cpuVmSize: vmSize(read, ml, "cpuVmSize", mlPath),
        idleSecondsBeforeScaleDown: read.int(ml, "idleSecondsBeforeScaleDown", mlPath, 120, { min: 60, max: 604800, unit: "seconds" }),
        ...optionalBool(read, ml, "registry", mlPath),
        registrySku: read.oneOf(ml, "registrySku", mlPath, REGISTRY_SKUS, prod ? "Premium" : "Basic"),
        untaggedRetentionDays: read.int(ml, "untaggedRetentionDays", mlPath, 7, { ...RETENTION_DAYS, unit: "days" }),
        privateNetwork: read.bool(ml, "privateNetwork", mlPath, prod),
        networkAddressSpace: read.string(ml, "networkAddressSpace", mlPath, DEFAULT_ADDRESS_SPACE),
    };
    const spaceIssue = addressSpaceIssue(mlPlatform.networkAddressSpace);
    if (spaceIssue) {
        read.problems.push({ path: `${mlPath}.networkAddressSpace`, value: mlPlatform.networkAddressSpace, ...spaceIssue });
        mlPlatform.networkAddressSpace = DEFAULT_ADDRESS_SPACE;
    }
    const clientId = (obj: Obj | undefined, path: string) =>
        read.matching(
            obj,
            "authClientId",
            path,
            CLIENT_ID,
            "the application (client) ID of an Entra ID app registration, e.g. 00000000-0000-0000-0000-000000000000",
        );

    const csPath = at("containerService");
    const cs = read.object(sections.sections.containerService, csPath, AZURE_KEYS.containerService);
    const containerService = {
        ...optionalBool(read, cs, "registry", csPath),
        registrySku: read.oneOf(cs, "registrySku", csPath, REGISTRY_SKUS, prod ? "Premium" : "Basic"),
        untaggedRetentionDays: read.int(cs, "untaggedRetentionDays", csPath, 7, { ...RETENTION_DAYS, unit: "days" }),
        externalIngress: read.bool(cs, "externalIngress", csPath, true),
        publicIngress: read.bool(cs, "publicIngress", csPath, false),
        authClientId: clientId(cs, csPath),
        allowedIpRanges: ipRanges(read, cs, "allowedIpRanges", csPath),
    };

    const siPath = at("serverlessInference");
    const si = read.object(sections.sections.serverlessInference, siPath, AZURE_KEYS.serverlessInference);
    let memory = read.int(si, "functionsInstanceMemoryMB", siPath, 2048, { min: 512, max: 4096, unit: "MB" });
    if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(memory)) {
        read.problems.push({
            path: `${siPath}.functionsInstanceMemoryMB`,
            value: memory,
            message: "is not a Flex Consumption instance size",
            allowed: FLEX_INSTANCE_MEMORY_MB,
        });
        memory = 2048;
    }
    const serverlessInference = {
        externalIngress: read.bool(si, "externalIngress", siPath, true),
        publicIngress: read.bool(si, "publicIngress", siPath, false),
        authClientId: clientId(si, siPath),
        allowedIpRanges: ipRanges(read, si, "allowedIpRanges", siPath),
        endpointAuthMode: read.oneOf(si, "endpointAuthMode", siPath, Object.keys(ENDPOINT_AUTH_MODES), "key"),
        endpointInstanceType: vmSize(read, si, "endpointInstanceType", siPath),
        functionsInstanceMemoryMB: memory,
        functionsPythonVersion: read.version(si, "functionsPythonVersion", siPath, FLEX_PYTHON_VERSIONS, "3.12"),
    };

    for (const [path, section] of [
        [csPath, containerService],
        [siPath, serverlessInference],
    ] as const) {
        if (section.publicIngress && !mlPlatform.privateNetwork) {
            read.problems.push({
                path: `${path}.publicIngress`,
                value: true,
                message: "has no effect without a network: a Container Apps environment outside a virtual network is always public",
                fix: `remove it, or set ${mlPath}.privateNetwork: true`,
            });
        }
    }

    if (dataLake.firewall === false && (prod || mlPlatform.privateNetwork)) {
        read.problems.push({
            path: `${lakePath}.firewall`,
            value: false,
            message: mlPlatform.privateNetwork
                ? `cannot be false with ${mlPath}.privateNetwork: the lake is reached through its private endpoints and its public network access is off`
                : "is refused in prod: a prod lake keeps its firewall (default action Deny)",
            fix: "remove it",
        });
    }

    const models = sections.models.map((value, i) => {
        const path = sections.modelPath(i);
        const m = read.object(value, path, AZURE_KEYS.model);
        return { scoringPath: read.matching(m, "scoringPath", path, /^\/\S*$/, "a path starting with /") ?? DEFAULT_SCORING_PATH };
    });

    return { location, dataLake, mlPlatform, containerService, serverlessInference, models };
}

/**
 * Whether the lake's firewall is on (default action Deny): as configured, else in prod and with the private
 * network. Off (dev's default without the private network) the lake admits every network, Entra ID only:
 * the dev workloads run outside any virtual network and nothing else would let them in (docs/azure.md, "Idle cost").
 */
export function lakeFirewall(cfg: StackConfig): boolean {
    const az = cfg.azure;
    return az?.dataLake.firewall ?? (cfg.environment === "prod" || az?.mlPlatform.privateNetwork === true);
}

/** Whether Container Apps serving is reachable from the internet: ingress outside the environment, and no internal network. */
export function containerAppsPublic(az: AzureConfig, section: "containerService" | "serverlessInference"): boolean {
    const s = az[section];
    return s.externalIngress && (!az.mlPlatform.privateNetwork || s.publicIngress);
}

/**
 * Models served from the container service's own registry: images named `<the stack's serving registry>.azurecr.io/...`
 * (its name is the stack's prefix, `cs` and the stack's random suffix; docs/azure.md, "Costs").
 */
export function imagesInStackRegistry(cfg: StackConfig): { index: number; image: string }[] {
    const base = azureNames.containerRegistry(namePrefix(cfg.project, cfg.stack), "cs", "").toLowerCase();
    const own = new RegExp(`^${base}[a-z0-9]{${NAME_SUFFIX_LENGTH}}\\.azurecr\\.io/`, "i");
    return cfg.models.flatMap((m, index) => (own.test(m.image) ? [{ index, image: m.image }] : []));
}

/** Whether the container service creates its registry: as configured, else in prod or when a model's image is in it. */
export function servingRegistry(cfg: StackConfig): boolean {
    return cfg.azure?.containerService.registry ?? (cfg.environment === "prod" || imagesInStackRegistry(cfg).length > 0);
}

/** Whether the ML workspace gets a registry of the stack's: as configured, else in prod or with the private network. */
export function mlRegistry(cfg: StackConfig): boolean {
    const ml = cfg.azure?.mlPlatform;
    return ml?.registry ?? (cfg.environment === "prod" || ml?.privateNetwork === true);
}

/**
 * What only the deployment knows (the resource group, the random suffix, the client, IDs of resources
 * created first): Outputs in the stack build, placeholders when the config is checked.
 */
export interface AzureDeployment {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly nameSuffix: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    /** The deployer (Synapse SQL administrator). */
    readonly objectId: pulumi.Input<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** The alert action group, when `mlops:notifications` names any target. */
    readonly actionGroupId?: pulumi.Input<string>;
}

/** The network's part of a component's args: its subnets and DNS zones (undefined without the network). */
export interface AzureNetworkPlacement {
    readonly virtualNetworkId: pulumi.Input<string>;
    readonly subnetIds: Readonly<Record<"endpoints" | "apps-svc" | "apps-inf" | "functions", pulumi.Input<string>>>;
    readonly endpoints: PrivateEndpointPlacement;
    /** The data pipelines' jobs subnet, when the stack has pipelines. */
    readonly jobsSubnetId?: pulumi.Input<string>;
}

/**
 * The args of every component the Azure stack builds, from the config and the deployment's values: the
 * build (stacks/clouds/azure.ts) creates the components from exactly these, and `checkAzureStack` runs the
 * components' validators on them (with placeholders for the deployment's values) before anything exists.
 */
export function azureStackArgs(cfg: StackConfig) {
    const az = cfg.azure!;
    const location = az.location ?? "";
    const tags = ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment });
    const prefix = namePrefix(cfg.project, cfg.stack);
    const protect = cfg.protectData;
    const prod = cfg.environment === "prod";
    const keyVaultSoftDeleteRetentionDays = prod ? 90 : 7;
    const { emails, webhooks } = cfg.notifications;
    const placed = (d: AzureDeployment) => ({
        resourceGroupName: d.resourceGroupName,
        location,
        namePrefix: prefix,
        subscriptionId: d.subscriptionId,
        tags,
    });
    /** Container Apps access for one role: its own subnet when the network is on, and Entra ID auth when configured. */
    const appsAccess = (
        d: AzureDeployment,
        net: AzureNetworkPlacement | undefined,
        section: { publicIngress: boolean; authClientId?: string },
        subnet: "apps-svc" | "apps-inf",
    ) => ({
        infrastructureSubnetId: net?.subnetIds[subnet],
        virtualNetworkId: net?.virtualNetworkId,
        publicIngress: section.publicIngress,
        authClientId: section.authClientId,
        tenantId: section.authClientId !== undefined ? d.tenantId : undefined,
        actionGroupId: d.actionGroupId,
    });
    return {
        location,
        tags,
        prefix,
        resourceGroupName: azureNames.resourceGroup(prefix),
        monitoring: (resourceGroupName: pulumi.Input<string>): AzureMonitoringArgs => ({
            resourceGroupName,
            location,
            workspaceName: azureNames.logAnalytics(prefix),
            retentionDays: cfg.dataLake.auditLogRetentionDays,
            protectData: protect,
            tags,
        }),
        /** Undefined when `mlops:notifications` is empty. */
        alerts: (resourceGroupName: pulumi.Input<string>): AzureAlertRecipientsArgs | undefined =>
            emails.length + webhooks.length > 0
                ? { resourceGroupName, namePrefix: prefix, emails: [...emails], webhookUrls: [...webhooks], tags }
                : undefined,
        /** Undefined without `mlops:mlPlatform.azure.privateNetwork`. */
        network: (resourceGroupName: pulumi.Input<string>): AzureNetworkArgs | undefined =>
            az.mlPlatform.privateNetwork
                ? {
                      resourceGroupName,
                      location,
                      namePrefix: prefix,
                      addressSpace: az.mlPlatform.networkAddressSpace,
                      queryEngine: cfg.dataLake.queryEngine,
                      // The data pipelines' jobs environment gets a subnet of its own.
                      ...(needsJobsSubnet(cfg) ? { jobsSubnet: true } : {}),
                      tags,
                  }
                : undefined,
        /**
         * Without the private network but with the lake's firewall on, a stack with pipeline jobs gets a network of
         * its own for the jobs environment (its subnet has the Microsoft.Storage service endpoint the lake's
         * firewall admits). Undefined otherwise.
         */
        pipelinesNetwork: (resourceGroupName: pulumi.Input<string>): AzurePipelinesNetworkArgs | undefined =>
            !az.mlPlatform.privateNetwork && lakeFirewall(cfg) && needsJobsSubnet(cfg)
                ? { resourceGroupName, location, namePrefix: prefix, addressSpace: az.mlPlatform.networkAddressSpace, tags }
                : undefined,
        lake: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            more: {
                trustedResourceIds: pulumi.Input<string>[];
                dnsZoneId: (zone: "blob" | "dfs" | "vault") => pulumi.Input<string>;
                /** The pipelines network's jobs subnet (`pipelinesNetwork`), admitted by the lake's firewall. */
                pipelinesSubnetId?: pulumi.Input<string>;
            },
        ): AzureDataLakeArgs => ({
            ...placed(d),
            nameSuffix: d.nameSuffix,
            tenantId: d.tenantId,
            logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
            zones: cfg.dataLake.zones,
            protectData: protect,
            rawColdStorageAfterDays: cfg.dataLake.rawColdStorageAfterDays,
            auditLogRetentionDays: cfg.dataLake.auditLogRetentionDays,
            queryEngine: cfg.dataLake.queryEngine,
            queryAdministratorObjectId: d.objectId,
            replication: az.dataLake.replication,
            softDeleteRetentionDays: az.dataLake.softDeleteRetentionDays,
            firewall: lakeFirewall(cfg),
            allowedIpRanges: az.dataLake.allowedIpRanges,
            queryAllowedIpRanges: az.dataLake.queryAllowedIpRanges,
            trustedResourceIds: more.trustedResourceIds,
            keyVaultSoftDeleteRetentionDays,
            privateEndpoints: net && {
                subnetId: net.endpoints.subnetId,
                blobDnsZoneId: more.dnsZoneId("blob"),
                dfsDnsZoneId: more.dnsZoneId("dfs"),
                vaultDnsZoneId: more.dnsZoneId("vault"),
            },
            // The on-arrival triggers of the data pipelines subscribe to the account's blob events.
            // ...and so do the training pipelines' new-data triggers.
            ...(cfg.pipelines.jobs.some((j) => j.onArrival) || cfg.models.some((m) => m.training?.onNewData) ? { blobEvents: true } : {}),
            // The jobs reach the lake from their subnet's service endpoint when there is no private network.
            ...(more.pipelinesSubnetId !== undefined ? { allowedSubnetIds: [more.pipelinesSubnetId] } : {}),
            // Event Hubs Capture writes into raw as a trusted service, not through the private endpoints.
            ...(net && cfg.pipelines.streams.length > 0 ? { trustedServicesAccess: true } : {}),
        }),
        ml: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            lake: Pick<
                AzureMlPlatformArgs,
                | "artifactBucket"
                | "artifactStorageAccountName"
                | "artifactContainerId"
                | "readableContainerIds"
                | "artifactStorageAccountId"
            >,
        ): AzureMlPlatformArgs => ({
            ...placed(d),
            nameSuffix: d.nameSuffix,
            tenantId: d.tenantId,
            logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
            models: cfg.models.map((m) => m.name),
            ...lake,
            training: cfg.mlPlatform.training,
            protectData: protect,
            publicNetworkAccess: az.mlPlatform.publicNetworkAccess,
            cpuVmSize: az.mlPlatform.cpuVmSize,
            idleSecondsBeforeScaleDown: az.mlPlatform.idleSecondsBeforeScaleDown,
            registry: mlRegistry(cfg),
            registrySku: az.mlPlatform.registrySku,
            untaggedRetentionDays: az.mlPlatform.untaggedRetentionDays,
            storageReplication: az.dataLake.replication,
            keyVaultSoftDeleteRetentionDays,
            privateEndpoints: net?.endpoints,
            managedNetwork: net !== undefined,
        }),
        /** Undefined when no model is served by the container service. */
        containerService: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            /** The lake's models zone, for served versions and input capture (`modelArtifacts`). */
            artifacts?: AzureModelArtifacts,
        ): AzureContainerAppsArgs | undefined => {
            const models = servingSpecs(cfg.models, "containerService");
            if (models.length === 0) return undefined;
            const cs = az.containerService;
            return {
                ...placed(d),
                nameSuffix: d.nameSuffix,
                logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
                models,
                protectData: protect,
                registry: servingRegistry(cfg),
                registrySku: cs.registrySku,
                untaggedRetentionDays: cs.untaggedRetentionDays,
                externalIngress: cs.externalIngress,
                allowedIpRanges: cs.allowedIpRanges,
                ...appsAccess(d, net, cs, "apps-svc"),
                registryPrivateEndpoint: net && cs.registrySku === "Premium" && servingRegistry(cfg) ? net.endpoints : undefined,
                ...servedArtifacts(cfg, "containerService", artifacts),
            };
        },
        /** The selected serverless implementation's args; undefined when no model is served on demand. */
        serverless: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            more: {
                registry?: { id: pulumi.Input<string>; loginServer: pulumi.Input<string> };
                mlWorkspaceName: pulumi.Input<string>;
                artifacts?: AzureModelArtifacts;
            },
        ):
            | { implementation: "container-apps"; args: AzureContainerAppsInferenceArgs }
            | { implementation: "functions"; args: AzureFunctionsInferenceArgs }
            | { implementation: "azureml-endpoint"; args: AzureMlEndpointInferenceArgs }
            | undefined => {
            const models = servingSpecs(cfg.models, "serverlessInference");
            if (models.length === 0) return undefined;
            const si = az.serverlessInference;
            const implementation = cfg.serverlessInference.implementation;
            switch (implementation) {
                case "container-apps":
                    return {
                        implementation,
                        args: {
                            ...placed(d),
                            logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
                            models,
                            registryId: more.registry?.id,
                            registryLoginServer: more.registry?.loginServer,
                            externalIngress: si.externalIngress,
                            allowedIpRanges: si.allowedIpRanges,
                            ...appsAccess(d, net, si, "apps-inf"),
                            ...servedArtifacts(cfg, "serverlessInference", more.artifacts),
                        },
                    };
                case "functions":
                    return {
                        implementation,
                        args: {
                            ...placed(d),
                            nameSuffix: d.nameSuffix,
                            logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
                            models,
                            instanceMemoryMB: si.functionsInstanceMemoryMB,
                            pythonVersion: si.functionsPythonVersion,
                            allowedIpRanges: si.allowedIpRanges,
                            virtualNetworkSubnetId: net?.subnetIds.functions,
                            actionGroupId: d.actionGroupId,
                        },
                    };
                case "azureml-endpoint":
                    return {
                        implementation,
                        args: {
                            resourceGroupName: d.resourceGroupName,
                            location,
                            namePrefix: prefix,
                            nameSuffix: d.nameSuffix,
                            tags,
                            workspaceName: more.mlWorkspaceName,
                            logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
                            models,
                            authMode: si.endpointAuthMode,
                            cpuInstanceType: si.endpointInstanceType,
                            // Two instances keep a prod endpoint serving through an instance failure.
                            minInstances: prod ? 2 : 1,
                            // Key or token auth always; public only when asked for (through the workspace's private endpoint otherwise).
                            publicNetworkAccess: containerAppsPublic(az, "serverlessInference"),
                            scoringPaths: Object.fromEntries(
                                cfg.models.map((m, i) => [m.name, az.models[i]?.scoringPath ?? DEFAULT_SCORING_PATH]),
                            ),
                            actionGroupId: d.actionGroupId,
                        },
                    };
                default:
                    throw new Error(
                        `serverlessInference implementation "${implementation}" has no Azure component; the config parser allows container-apps, functions and azureml-endpoint`,
                    );
            }
        },
    };
}

/** The data pipelines' jobs and the training pipelines' drift jobs run in a subnet the lake's firewall admits. */
export function needsJobsSubnet(cfg: StackConfig): boolean {
    return cfg.pipelines.jobs.length > 0 || cfg.models.some((m) => m.training?.drift !== undefined);
}

/**
 * The `modelArtifacts` of a Container Apps serving component: the models it serves that run a served version
 * or capture inputs for drift. Empty when none does.
 */
function servedArtifacts(cfg: StackConfig, target: ServeTarget, artifacts: AzureModelArtifacts | undefined) {
    if (!artifacts) return {};
    const models = Object.fromEntries(
        cfg.models
            .filter((m) => m.serveWith.includes(target) && (m.servedVersion !== undefined || m.training?.drift !== undefined))
            .map((m) => [m.name, { servedVersion: m.servedVersion, capture: m.training?.drift !== undefined }]),
    );
    return Object.keys(models).length > 0 ? { modelArtifacts: { ...artifacts, models } } : {};
}

/**
 * A deployment's value the config cannot know: a pending promise, which the validators skip (they check
 * only plain strings), never resolved and never sent anywhere.
 */
export const AT_DEPLOY: pulumi.Input<string> = new Promise<string>(() => undefined);
export const PLACEHOLDER_DEPLOYMENT: AzureDeployment = {
    resourceGroupName: AT_DEPLOY,
    nameSuffix: AT_DEPLOY,
    subscriptionId: AT_DEPLOY,
    tenantId: AT_DEPLOY,
    objectId: AT_DEPLOY,
    logAnalyticsWorkspaceId: AT_DEPLOY,
    actionGroupId: AT_DEPLOY,
};
export const PLACEHOLDER_NETWORK: AzureNetworkPlacement = {
    virtualNetworkId: AT_DEPLOY,
    subnetIds: { endpoints: AT_DEPLOY, "apps-svc": AT_DEPLOY, "apps-inf": AT_DEPLOY, functions: AT_DEPLOY },
    endpoints: { subnetId: AT_DEPLOY, dnsZoneIds: {} },
    jobsSubnetId: AT_DEPLOY,
};

/**
 * Model fields the cloud-neutral model parser (models.ts, parse.ts) already checks with its own words:
 * the serving validators' problems there are left out, so the config error lists each once.
 */
const CHECKED_BY_MODEL_PARSER =
    /models\[\d+\]\.(name|image|minReplicas|maxReplicas|serverlessMinReplicas|serverlessMaxReplicas|accelerator)$/;

/**
 * Argument path -> stack key for a serving component whose `models` are the config's models served by
 * `target` (a filtered list: `models[0]` of the component may be `mlops:models[2]`).
 */
function servedModelKeys(cfg: StackConfig, target: ServeTarget, ns: string): Record<string, string> {
    const keys: Record<string, string> = { models: `${ns}models` };
    const indexes = cfg.models.flatMap((m, i) => (m.serveWith.includes(target) ? [i] : []));
    indexes.forEach((i, j) => {
        keys[`models[${j}]`] = `${ns}models[${i}]`;
        if (target === "serverlessInference") {
            keys[`models[${j}].minReplicas`] = `${ns}models[${i}].serverlessMinReplicas`;
            keys[`models[${j}].maxReplicas`] = `${ns}models[${i}].serverlessMaxReplicas`;
        }
    });
    return keys;
}

/**
 * Whole-stack Azure checks, each problem at the key the user wrote:
 * - every component validator, run on exactly the args the build passes (`azureStackArgs`), with the
 *   deployment's values as placeholders;
 * - in prod, models served on Container Apps from the internet must require an Entra ID token.
 * Pure: no SDK, never throws.
 */
export function checkAzureStack(cfg: StackConfig): ProblemDetail[] {
    const az = cfg.azure;
    if (!az) return [];
    const ns = `${cfg.project}:`;
    const key = (section: CloudSection | "models" | "notifications", field: string) =>
        section === "models" || section === "notifications" ? `${ns}${section}.${field}` : `${ns}${section}.azure.${field}`;
    const lakeKey = `${ns}dataLake`;
    const problems: ProblemDetail[] = [];
    const at = (found: ProblemDetail[], keys: Record<string, string>, fallback: string) => problems.push(...atKeys(found, keys, fallback));

    const args = azureStackArgs(cfg);
    const d = PLACEHOLDER_DEPLOYMENT;
    const net = az.mlPlatform.privateNetwork ? PLACEHOLDER_NETWORK : undefined;
    at(validateAzureMonitoring(args.monitoring(d.resourceGroupName)), { retentionDays: `${lakeKey}.auditLogRetentionDays` }, lakeKey);
    const alerts = args.alerts(d.resourceGroupName);
    if (alerts)
        at(
            validateAzureAlertRecipients(alerts),
            { emails: key("notifications", "emails"), webhookUrls: key("notifications", "webhooks") },
            `${ns}notifications`,
        );
    const network = args.network(d.resourceGroupName);
    if (network) at(validateAzureNetwork(network), { addressSpace: key("mlPlatform", "networkAddressSpace") }, `${ns}mlPlatform.azure`);
    const pipelinesNetwork = args.pipelinesNetwork(d.resourceGroupName);
    if (pipelinesNetwork)
        at(
            validateAzurePipelinesNetwork(pipelinesNetwork),
            { addressSpace: key("mlPlatform", "networkAddressSpace") },
            `${ns}mlPlatform.azure`,
        );
    at(
        validateAzureDataLake(
            args.lake(d, net, {
                trustedResourceIds: [AT_DEPLOY],
                dnsZoneId: () => AT_DEPLOY,
                ...(pipelinesNetwork ? { pipelinesSubnetId: AT_DEPLOY } : {}),
            }),
        ),
        {
            zones: `${lakeKey}.zones`,
            rawColdStorageAfterDays: `${lakeKey}.rawColdStorageAfterDays`,
            replication: key("dataLake", "replication"),
            softDeleteRetentionDays: key("dataLake", "softDeleteRetentionDays"),
            firewall: key("dataLake", "firewall"),
            allowedIpRanges: key("dataLake", "allowedIpRanges"),
            queryAllowedIpRanges: key("dataLake", "queryAllowedIpRanges"),
        },
        `${lakeKey}.azure`,
    );
    const ml = validateAzureMlPlatform(
        args.ml(d, net, {
            artifactBucket: AT_DEPLOY,
            artifactStorageAccountName: AT_DEPLOY,
            artifactContainerId: AT_DEPLOY,
            readableContainerIds: {},
            artifactStorageAccountId: AT_DEPLOY,
        }),
    );
    at(
        // Model names and the training accelerator are the cloud-neutral parser's (same or stricter rules).
        ml.filter((p) => !p.path.startsWith("models") && p.path !== "training.accelerator"),
        {
            "training.maxNodes": `${ns}mlPlatform.training.maxNodes`,
            cpuVmSize: key("mlPlatform", "cpuVmSize"),
            idleSecondsBeforeScaleDown: key("mlPlatform", "idleSecondsBeforeScaleDown"),
            registry: key("mlPlatform", "registry"),
            registrySku: key("mlPlatform", "registrySku"),
            untaggedRetentionDays: key("mlPlatform", "untaggedRetentionDays"),
            storageReplication: key("dataLake", "replication"),
        },
        `${ns}mlPlatform.azure`,
    );
    const served = (found: ProblemDetail[], target: ServeTarget, keys: Record<string, string>, fallback: string) => {
        const rooted = atKeys(found, { ...servedModelKeys(cfg, target, ns), ...keys }, fallback);
        problems.push(...rooted.filter((p) => !CHECKED_BY_MODEL_PARSER.test(p.path)));
    };
    const cs = args.containerService(d, net);
    if (cs)
        served(
            validateAzureContainerApps(cs),
            "containerService",
            {
                registrySku: key("containerService", "registrySku"),
                untaggedRetentionDays: key("containerService", "untaggedRetentionDays"),
                allowedIpRanges: key("containerService", "allowedIpRanges"),
            },
            `${ns}containerService.azure`,
        );
    const si = args.serverless(d, net, {
        registry: cs && servingRegistry(cfg) ? { id: AT_DEPLOY, loginServer: AT_DEPLOY } : undefined,
        mlWorkspaceName: AT_DEPLOY,
    });
    const siKeys = {
        allowedIpRanges: key("serverlessInference", "allowedIpRanges"),
        instanceMemoryMB: key("serverlessInference", "functionsInstanceMemoryMB"),
        pythonVersion: key("serverlessInference", "functionsPythonVersion"),
        authMode: key("serverlessInference", "endpointAuthMode"),
        cpuInstanceType: key("serverlessInference", "endpointInstanceType"),
        ...Object.fromEntries(cfg.models.map((m, i) => [`scoringPaths.${m.name}`, `${ns}models[${i}].azure.scoringPath`])),
    };
    const siFallback = `${ns}serverlessInference.azure`;
    if (si?.implementation === "container-apps")
        served(validateAzureContainerAppsInference(si.args), "serverlessInference", siKeys, siFallback);
    if (si?.implementation === "functions") served(validateAzureFunctionsInference(si.args), "serverlessInference", siKeys, siFallback);
    if (si?.implementation === "azureml-endpoint")
        served(validateAzureMlEndpointInference(si.args), "serverlessInference", siKeys, siFallback);

    if (az.containerService.registry === false)
        for (const { index, image } of imagesInStackRegistry(cfg))
            problems.push({
                path: key("containerService", "registry"),
                value: false,
                message: `turns off the stack's registry, but ${ns}models[${index}].image (${image}) is pulled from it`,
                fix: "remove registry: false (the registry is then created: Basic about $5/month), or serve an image from another registry",
            });
    if (cfg.environment === "prod") problems.push(...publicServingProblems(cfg, az, ns));
    return problems;
}

/** In prod, models served on Container Apps from the internet must require an Entra ID token. */
function publicServingProblems(cfg: StackConfig, az: AzureConfig, ns: string): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const check = (section: "containerService" | "serverlessInference", served: boolean) => {
        if (!served || !containerAppsPublic(az, section) || az[section].authClientId !== undefined) return;
        problems.push({
            path: `${ns}${section}.azure.authClientId`,
            value: undefined,
            message: `is required: prod serves models on a public Container Apps endpoint (${ns}${section}.azure ${az.mlPlatform.privateNetwork ? "publicIngress: true" : `externalIngress with ${ns}mlPlatform.azure.privateNetwork: false`}) and nothing would authenticate the callers`,
            fix: `give the client ID of an Entra ID app registration (callers then need a token for it), or keep the models private: remove publicIngress, or set externalIngress: false`,
        });
    };
    check(
        "containerService",
        cfg.models.some((m) => m.serveWith.includes("containerService")),
    );
    check(
        "serverlessInference",
        cfg.serverlessInference.implementation === "container-apps" && cfg.models.some((m) => m.serveWith.includes("serverlessInference")),
    );
    return problems;
}
