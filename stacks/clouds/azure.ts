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
    AzurePipelinesNetwork,
    NAME_SUFFIX_LENGTH,
    PRIVATE_DNS_ZONES,
    azureNames,
    privateEndpoint,
    zonesOf,
} from "@mlops/components/azure";
import { AzureContainerAppsJobs, AzureEventHubsStreams, AzureMlTrainingPipelines, zoneContainerName } from "@mlops/components/azure";
import { StackConfig, StackOutputs } from "../config/schema";
import { AzureDeployment, AzureNetworkPlacement, LOCATION_KEY, azureStackArgs } from "../config/azure";
import { azurePipelineArgs } from "../config/azure-pipelines";
import { azureTrainingArgs } from "../config/azure-training";
import { deliverySpec } from "../config/training";

/** The lake zone the ML platform keeps artifacts in (the config parser requires it). */
const MODELS_ZONE = "models";

export function buildAzureStack(cfg: StackConfig): StackOutputs {
    const az = cfg.azure;
    const location = az?.location;
    // The parser requires the location, and checkAzureStack (run by the parser) has checked every
    // component's args below: this only narrows the types.
    if (!az || !location) throw new Error(`${LOCATION_KEY} is missing: the config parser should have reported it`);
    const args = azureStackArgs(cfg);
    const { tags, prefix } = args;
    const protect = cfg.protectData;
    const client = authorization.getClientConfigOutput();

    const group = new resources.ResourceGroup(
        "resource-group",
        { resourceGroupName: args.resourceGroupName, location, tags },
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

    const monitoring = new AzureMonitoring("monitoring", args.monitoring(group.name));
    // Every alert of the stack notifies mlops:notifications (prod requires at least one target).
    const alerts = args.alerts(group.name);
    const actionGroupId = alerts ? new AzureAlertRecipients("alerts", alerts).actionGroupId : undefined;
    const d: AzureDeployment = {
        resourceGroupName: group.name,
        nameSuffix,
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        objectId: client.objectId,
        logAnalyticsWorkspaceId: monitoring.workspaceId,
        actionGroupId,
    };
    // The private network (prod by default): private endpoints, Container Apps and Functions inside it.
    const networkArgs = args.network(group.name);
    const network = networkArgs ? new AzureNetwork("network", networkArgs) : undefined;
    const endpoints = network?.endpointPlacement();
    const net: AzureNetworkPlacement | undefined =
        network && endpoints
            ? { virtualNetworkId: network.virtualNetworkId, subnetIds: network.subnetIds, endpoints, jobsSubnetId: network.jobsSubnetId }
            : undefined;
    // Without it, the pipeline jobs get a network of their own: a subnet the lake's firewall admits.
    const pipelinesNetworkArgs = args.pipelinesNetwork(group.name);
    const pipelinesSubnetId = pipelinesNetworkArgs
        ? new AzurePipelinesNetwork("pipelines-network", pipelinesNetworkArgs).jobsSubnetId
        : undefined;

    const mlWorkspaceName = nameSuffix.apply((sfx) => azureNames.mlWorkspace(prefix, sfx));
    const lake = new AzureDataLake(
        "lake",
        args.lake(d, net, {
            // The ML workspace reaches its datastore on the lake with its identity, through the firewall.
            trustedResourceIds: [
                pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${group.name}/providers/Microsoft.MachineLearningServices/workspaces/${mlWorkspaceName}`,
            ],
            dnsZoneId: (zone) => endpoints!.dnsZoneIds[PRIVATE_DNS_ZONES[zone]],
            pipelinesSubnetId,
        }),
    );
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

    const ml = new AzureMlPlatform(
        "ml",
        args.ml(d, net, {
            artifactBucket: lake.bucketNames.apply((b) => b[MODELS_ZONE]),
            artifactStorageAccountName: lake.accountName,
            artifactContainerId: lake.containerIds.apply((c) => c[MODELS_ZONE]),
            readableContainerIds: Object.fromEntries(
                cfg.dataLake.zones.filter((z) => z !== MODELS_ZONE).map((z) => [z, lake.containerIds.apply((c) => c[z])]),
            ),
            artifactStorageAccountId: lake.accountId,
        }),
    );

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

    // Served versions are read, and scored inputs captured, in the lake's models zone (docs/azure.md, "Training, promotion and drift").
    const artifacts = {
        accountName: lake.accountName,
        containerName: zoneContainerName(MODELS_ZONE),
        containerId: lake.containerIds.apply((c) => c[MODELS_ZONE]),
        models: {},
    };
    let registry: { id: pulumi.Output<string>; loginServer: pulumi.Output<string> } | undefined;
    const serviceArgs = args.containerService(d, net, artifacts);
    if (serviceArgs) {
        const service = new AzureContainerApps("serving", serviceArgs);
        // The registry exists only when the stack serves images from it (mlops:containerService.azure.registry).
        if (service.registryId && service.registryLoginServer) {
            registry = { id: service.registryId, loginServer: service.registryLoginServer };
            azure.containerRegistry = service.registryLoginServer;
        }
        outputs.containerService = { endpoints: service.endpoints };
    }

    const serverless = args.serverless(d, net, { registry, mlWorkspaceName: ml.workspaceName, artifacts });
    if (serverless) {
        switch (serverless.implementation) {
            case "container-apps": {
                const inference = new AzureContainerAppsInference("inference", serverless.args);
                outputs.serverlessInference = { endpoints: inference.endpoints };
                break;
            }
            case "functions": {
                const inference = new AzureFunctionsInference("inference", serverless.args);
                outputs.serverlessInference = { endpoints: inference.endpoints };
                azure.functionApps = inference.appNames;
                break;
            }
            case "azureml-endpoint": {
                const inference = new AzureMlEndpointInference("inference", serverless.args);
                outputs.serverlessInference = { endpoints: inference.endpoints };
                break;
            }
        }
    }
    // Data pipelines (mlops:pipelines): jobs from one lake prefix to another, and streams into raw.
    const pipelines = azurePipelineArgs(cfg);
    const pipelineLake = {
        accountId: lake.accountId,
        accountName: lake.accountName,
        containerIds: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, lake.containerIds.apply((c) => c[z])])),
        encryptionKey: lake.encryptionKey,
        blobEventsTopic: lake.blobEventsTopic,
    };
    const jobsArgs = pipelines.jobs(d, net, pipelineLake, pipelinesSubnetId);
    let jobsEnvironmentId: pulumi.Output<string> | undefined;
    if (jobsArgs) {
        const jobs = new AzureContainerAppsJobs("pipelines", jobsArgs);
        jobsEnvironmentId = jobs.environmentId;
        azure.pipelineJobs = jobs.jobNames;
        azure.pipelineDeadLetters = jobs.deadLetters;
    }
    const streamsArgs = pipelines.streams(d, net, pipelineLake);
    if (streamsArgs) {
        const streams = new AzureEventHubsStreams("streams", streamsArgs);
        azure.eventHubsNamespace = streams.namespaceName;
        azure.streams = streams.hubNames;
    }
    // Training pipelines (mlops:models[].training): Azure ML schedules, new-data and retrain Logic Apps, drift jobs and alerts, delivery.
    const trainingArgs = azureTrainingArgs(
        cfg,
        d,
        {
            lake: {
                accountName: lake.accountName,
                containerIds: pipelineLake.containerIds,
                blobEventsTopic: lake.blobEventsTopic,
            },
            workspace: { name: ml.workspaceName, id: ml.modelRegistry },
            jobsEnvironmentId,
            jobsSubnetId: net?.jobsSubnetId ?? pipelinesSubnetId,
        },
        deliverySpec(cfg, (v) => pulumi.secret(v)),
    );
    if (trainingArgs) {
        const training = new AzureMlTrainingPipelines("training", trainingArgs, { dependsOn: [ml] });
        azure.trainingSchedules = training.pipelineNames;
        azure.driftJobs = training.driftJobNames;
        azure.modelApproverRole = training.approverRole;
    }
    outputs.azure = azure;
    return outputs;
}
