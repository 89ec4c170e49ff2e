/**
 * `mlops:pipelines` on Azure: the args of the Container Apps jobs and Event Hubs streams components from
 * the parsed config (the build in stacks/clouds/azure.ts passes exactly these), and the whole-stack check
 * that runs their validators before anything is created, each problem at the key the user wrote
 * (`mlops:pipelines.jobs[0].name`). Pure: no SDK. Documented in docs/azure.md, "Data pipelines".
 */
import type * as pulumi from "@pulumi/pulumi";
import {
    AzureContainerAppsJobsArgs,
    AzureEventHubsStreamsArgs,
    AzureLakeKey,
    validateAzureContainerAppsJobs,
    validateAzureEventHubsStreams,
} from "@mlops/components/azure-args";
import { zoneContainerName } from "@mlops/components/azure-args";
import { ProblemDetail, atKeys } from "@mlops/components";
import { AT_DEPLOY, AzureDeployment, AzureNetworkPlacement, PLACEHOLDER_DEPLOYMENT, PLACEHOLDER_NETWORK, azureStackArgs } from "./azure";
import type { StackConfig } from "./schema";
import { pipelineJobSpecs, streamSpecs } from "./pipelines";

/** What the lake the stack built gives the pipelines (Outputs in the build, placeholders in the check). */
export interface AzurePipelineLake {
    readonly accountId: pulumi.Input<string>;
    readonly accountName: pulumi.Input<string>;
    readonly containerIds: Readonly<Record<string, pulumi.Input<string>>>;
    readonly encryptionKey: AzureLakeKey;
    readonly blobEventsTopic?: { readonly name: pulumi.Input<string>; readonly principalId: pulumi.Input<string> };
}

/** The pipelines' args builders: undefined when the stack has no jobs (or no streams). */
export function azurePipelineArgs(cfg: StackConfig) {
    const base = azureStackArgs(cfg);
    const containerNames = Object.fromEntries(cfg.dataLake.zones.map((z) => [z, zoneContainerName(z)]));
    const placed = (d: AzureDeployment) => ({
        resourceGroupName: d.resourceGroupName,
        location: base.location,
        namePrefix: base.prefix,
        nameSuffix: d.nameSuffix,
        subscriptionId: d.subscriptionId,
        logAnalyticsWorkspaceId: d.logAnalyticsWorkspaceId,
        protectData: cfg.protectData,
        tags: base.tags,
    });
    const lakeRef = (lake: AzurePipelineLake) => ({
        accountId: lake.accountId,
        accountName: lake.accountName,
        containerNames,
        containerIds: lake.containerIds,
    });
    return {
        jobs: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            lake: AzurePipelineLake,
            /** The pipelines network's jobs subnet (stacks without the private network). */
            pipelinesSubnetId?: pulumi.Input<string>,
        ): AzureContainerAppsJobsArgs | undefined =>
            cfg.pipelines.jobs.length === 0
                ? undefined
                : {
                      ...placed(d),
                      jobs: pipelineJobSpecs(cfg),
                      lake: lakeRef(lake),
                      blobEventsTopic: lake.blobEventsTopic,
                      encryptionKey: lake.encryptionKey,
                      storageReplication: cfg.azure?.dataLake.replication,
                      network:
                          net && net.jobsSubnetId !== undefined
                              ? {
                                    infrastructureSubnetId: net.jobsSubnetId,
                                    virtualNetworkId: net.virtualNetworkId,
                                    endpointsSubnetId: net.endpoints.subnetId,
                                }
                              : pipelinesSubnetId !== undefined
                                ? // Dev: the environment in the pipelines network, not zone-redundant; no private endpoints.
                                  { infrastructureSubnetId: pipelinesSubnetId, zoneRedundant: false }
                                : undefined,
                      actionGroupId: d.actionGroupId,
                  },
        streams: (
            d: AzureDeployment,
            net: AzureNetworkPlacement | undefined,
            lake: AzurePipelineLake,
        ): AzureEventHubsStreamsArgs | undefined =>
            cfg.pipelines.streams.length === 0
                ? undefined
                : {
                      ...placed(d),
                      streams: streamSpecs(cfg),
                      lake: lakeRef(lake),
                      network: net ? { virtualNetworkId: net.virtualNetworkId, endpointsSubnetId: net.endpoints.subnetId } : undefined,
                  },
    };
}

/**
 * Problems the cloud-neutral pipelines parser (stacks/config/pipelines.ts) reports in its own words:
 * left out here so the config error lists each once.
 */
const CHECKED_BY_PIPELINES_PARSER = /^(jobs|streams)\[\d+\]\.(image|command|accelerator)$|\.onArrival$|^jobs\[\d+\]$|^(jobs|streams)$/;

/** Whole-stack check of the Azure pipelines: the components' validators on the build's args, at `mlops:pipelines...`. */
export function checkAzurePipelines(cfg: StackConfig): ProblemDetail[] {
    if (!cfg.azure) return [];
    const ns = `${cfg.project}:pipelines`;
    const d = PLACEHOLDER_DEPLOYMENT;
    const net = cfg.azure.mlPlatform.privateNetwork ? PLACEHOLDER_NETWORK : undefined;
    const lake: AzurePipelineLake = {
        accountId: AT_DEPLOY,
        accountName: AT_DEPLOY,
        containerIds: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, AT_DEPLOY])),
        encryptionKey: { keyVaultUri: AT_DEPLOY, keyName: "lake-cmk", identityId: AT_DEPLOY },
        blobEventsTopic: { name: AT_DEPLOY, principalId: AT_DEPLOY },
    };
    const args = azurePipelineArgs(cfg);
    const problems: ProblemDetail[] = [];
    const keep = (found: ProblemDetail[]) =>
        found.filter((p) => !CHECKED_BY_PIPELINES_PARSER.test(p.path) && !/^is used by another (pipeline|stream)$/.test(p.message));
    const jobs = args.jobs(d, net, lake, azureStackArgs(cfg).pipelinesNetwork(d.resourceGroupName) ? AT_DEPLOY : undefined);
    if (jobs)
        problems.push(
            ...atKeys(keep(validateAzureContainerAppsJobs(jobs)), { storageReplication: `${cfg.project}:dataLake.azure.replication` }, ns),
        );
    const streams = args.streams(d, net, lake);
    if (streams) problems.push(...atKeys(keep(validateAzureEventHubsStreams(streams)), {}, ns));
    return problems;
}
