/**
 * Data pipelines on Azure (docs/azure.md, "Data pipelines"):
 * - `AzureContainerAppsJobs`: per pipeline a user-assigned identity (Storage Blob Data Reader on the source
 *   container and Contributor on the target container, each narrowed by an ABAC condition to its prefix),
 *   a scheduled Container Apps job (cron, UTC) and an on-arrival job started by a KEDA `azure-queue` rule;
 *   the lake's Event Grid system topic sends BlobCreated events under the source prefix to the pipeline's
 *   queue, dead-lettering what it cannot deliver to a blob container. Queues and dead letters live in an
 *   events account encrypted with the lake's key; failed executions alert the stack's action group.
 * - `AzureEventHubsStreams`: a Standard Event Hubs namespace (Entra ID only, TLS 1.2) with one hub per
 *   stream, captured (Avro) into the lake's raw container under the stream's prefix.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as eventgrid from "@pulumi/azure-native/eventgrid";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as monitor from "@pulumi/azure-native/monitor";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as storage from "@pulumi/azure-native/storage";
import { secureStorageAccountArgs } from "../data-lake/azure-account";
import { dataProtection } from "../data-lake/azure-policy";
import { AzureWorkloadIdentity, grantRole } from "../identity/azure";
import { RoleGrant } from "../identity/azure-args";
import { privateEndpoint } from "../network/azure-private-endpoint";
import { blobAuditLogs, diagnosticSetting } from "../observability/azure";
import { ALERT_WINDOW } from "../observability/azure-alerts";
import { throwIfProblems } from "../shared/problems";
import type { DataPipelines } from "./contract";
import {
    AzureContainerAppsJobsArgs,
    AzureEventHubsStreamsArgs,
    DEAD_LETTER_CONTAINER,
    blobSubjectPrefix,
    blobUri,
    pipelineNames,
    prefixCondition,
    validateAzureContainerAppsJobs,
    validateAzureEventHubsStreams,
} from "./azure-args";
import { QUEUE_POLLING_SECONDS, arrivalScaleRule, jobFileSecrets, jobTemplate } from "./azure-jobs";

/** Private DNS zones of the queue and Event Hubs private endpoints (Azure public cloud). */
export const QUEUE_DNS_ZONE = "privatelink.queue.core.windows.net";
export const EVENT_HUBS_DNS_ZONE = "privatelink.servicebus.windows.net";

/** Links a private DNS zone to the network: the service's usual host name resolves to its private endpoint inside. */
function linkedZone(
    parent: pulumi.Resource,
    name: string,
    zoneName: string,
    vnetId: pulumi.Input<string>,
    rg: pulumi.Input<string>,
    tags: Record<string, string>,
) {
    const zone = new privatedns.PrivateZone(
        name,
        { privateZoneName: zoneName, resourceGroupName: rg, location: "global", tags },
        { parent },
    );
    new privatedns.VirtualNetworkLink(
        `${name}-link`,
        {
            privateZoneName: zone.name,
            resourceGroupName: rg,
            virtualNetworkLinkName: "pipelines",
            location: "global",
            virtualNetwork: { id: vnetId },
            registrationEnabled: false,
            tags,
        },
        { parent },
    );
    return zone;
}

/** Data pipelines on Azure Container Apps jobs: per pipeline an identity, a scheduled job and an on-arrival job started from blob events. */
export class AzureContainerAppsJobs extends pulumi.ComponentResource implements DataPipelines {
    /** The Container Apps job of each pipeline, by pipeline name. */
    public readonly jobNames: pulumi.Output<Record<string, string>>;
    /** Pipeline -> `<events account>/dead-letters/<PIPELINE>-ARRIVAL/`: where undeliverable arrival events land (upper case). */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;
    /** ARM ID of the jobs environment. */
    public readonly environmentId: pulumi.Output<string>;

    constructor(name: string, args: AzureContainerAppsJobsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureContainerAppsJobs "${name}"`, validateAzureContainerAppsJobs(args));
        super("mlops:index:AzureContainerAppsJobs", name, args, opts);

        const protect = args.protectData ?? true;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const net = args.network;
        // Private endpoints for the queues (prod), or the jobs subnet admitted by the events account's firewall (dev).
        const privateLink =
            net?.virtualNetworkId !== undefined && net.endpointsSubnetId !== undefined
                ? { virtualNetworkId: net.virtualNetworkId, subnetId: net.endpointsSubnetId }
                : undefined;
        const arrivals = args.jobs.filter((j) => j.onArrival);

        const environment = new app.ManagedEnvironment(
            `${name}-environment`,
            {
                environmentName: pipelineNames.environment(args.namePrefix) + (net ? "-vnet" : ""),
                resourceGroupName: rg,
                location: args.location,
                // Logs go to Azure Monitor and from there (diagnostic setting) to Log Analytics: no shared key in state.
                appLogsConfiguration: { destination: "azure-monitor" },
                workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
                peerTrafficConfiguration: { encryption: { enabled: true } },
                // Zone redundancy needs a network: on in prod.
                zoneRedundant: net !== undefined && (net.zoneRedundant ?? true),
                vnetConfiguration: net ? { infrastructureSubnetId: net.infrastructureSubnetId, internal: true } : undefined,
                // Jobs take no inbound traffic.
                publicNetworkAccess: "Disabled",
                tags,
            },
            { parent: this },
        );
        diagnosticSetting(
            `${name}-environment-diagnostics`,
            { resourceUri: environment.id, workspaceId: args.logAnalyticsWorkspaceId },
            { parent: this },
        );

        // Queues and dead letters: an account of their own, because queues are covered by a customer-managed
        // key only when the account is created with an account-scoped queue key (the lake's is not).
        let events: { account: storage.StorageAccount; queueEndpoint: pulumi.Output<string> } | undefined;
        if (arrivals.length > 0) {
            const base = secureStorageAccountArgs({
                accountName: pulumi.output(args.nameSuffix).apply((sfx) => pipelineNames.eventsAccount(args.namePrefix, sfx)),
                resourceGroupName: rg,
                location: args.location,
                replication: args.storageReplication ?? "LRS",
                hierarchicalNamespace: false,
                // Without a network the jobs come from no subnet a firewall could admit: Entra ID is the only gate.
                defaultAction: net ? "Deny" : "Allow",
                allowedIpRanges: [],
                allowedSubnetIds: net && !privateLink ? [net.infrastructureSubnetId] : [],
                customerManagedKey: args.encryptionKey,
                tags,
            });
            const encryption = base.encryption as { services: Record<string, unknown> };
            const account = new storage.StorageAccount(
                `${name}-events`,
                {
                    ...base,
                    encryption: {
                        ...(base.encryption as object),
                        keySource: "Microsoft.Keyvault",
                        services: { ...encryption.services, queue: { enabled: true, keyType: "Account" } },
                    } as storage.StorageAccountArgs["encryption"],
                },
                stateful,
            );
            // Dead letters are data: versioned and soft-deleted like every flat-namespace account's blobs.
            new storage.BlobServiceProperties(
                `${name}-events-blob-service`,
                {
                    accountName: account.name,
                    resourceGroupName: rg,
                    blobServicesName: "default",
                    ...dataProtection(protect ? 30 : 7, protect ? 30 : 7),
                },
                { parent: this },
            );
            new storage.BlobContainer(
                `${name}-dead-letters`,
                { accountName: account.name, resourceGroupName: rg, containerName: DEAD_LETTER_CONTAINER, publicAccess: "None" },
                stateful,
            );
            blobAuditLogs(`${name}-events-blob-diagnostics`, account.id, args.logAnalyticsWorkspaceId, { parent: this });
            diagnosticSetting(
                `${name}-events-queue-diagnostics`,
                {
                    resourceUri: pulumi.interpolate`${account.id}/queueServices/default`,
                    workspaceId: args.logAnalyticsWorkspaceId,
                    categories: ["StorageRead", "StorageWrite", "StorageDelete"],
                    metricCategories: ["Transaction"],
                },
                { parent: this },
            );
            if (privateLink) {
                const zone = linkedZone(this, `${name}-queue-dns`, QUEUE_DNS_ZONE, privateLink.virtualNetworkId, rg, tags);
                privateEndpoint(
                    `${name}-queue-endpoint`,
                    {
                        resourceGroupName: rg,
                        location: args.location,
                        subnetId: privateLink.subnetId,
                        targetName: account.name,
                        targetId: account.id,
                        group: "queue",
                        dnsZoneIds: { [QUEUE_DNS_ZONE]: zone.id },
                        tags,
                    },
                    { parent: this },
                );
            }
            events = { account, queueEndpoint: pulumi.interpolate`https://${account.name}.queue.core.windows.net/` };
        }

        const names: Record<string, string> = {};
        const deadLetters: Record<string, pulumi.Output<string>> = {};
        for (const job of args.jobs) {
            const source = args.lake.containerNames[job.source.zone];
            const target = args.lake.containerNames[job.target.zone];
            const queueName = pipelineNames.queue(job.name);
            const queue =
                job.onArrival && events
                    ? new storage.Queue(
                          `${name}-${job.name}-queue`,
                          { accountName: events.account.name, resourceGroupName: rg, queueName },
                          stateful,
                      )
                    : undefined;
            const grants: RoleGrant[] = [
                {
                    label: "read-source",
                    scope: args.lake.containerIds[job.source.zone],
                    role: "Storage Blob Data Reader",
                    condition: prefixCondition(job.source.prefix, false),
                },
                {
                    label: "write-target",
                    scope: args.lake.containerIds[job.target.zone],
                    role: "Storage Blob Data Contributor",
                    condition: prefixCondition(job.target.prefix, true),
                },
                ...(queue
                    ? [
                          { label: "queue-length", scope: queue.id, role: "Storage Queue Data Reader" },
                          { label: "queue-take", scope: queue.id, role: "Storage Queue Data Message Processor" },
                      ]
                    : []),
            ];
            const identity = new AzureWorkloadIdentity(
                `${name}-${job.name}-identity`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    identityName: pipelineNames.identity(args.namePrefix, job.name),
                    subscriptionId: args.subscriptionId,
                    grants,
                    tags,
                },
                { parent: this },
            );
            const runOf = (trigger: "schedule" | "arrival") =>
                pulumi
                    .all([args.lake.accountName, identity.clientId, events?.queueEndpoint ?? ""])
                    .apply(([account, clientId, queueEndpoint]) => ({
                        trigger,
                        sourceUri: blobUri(account, source, job.source.prefix),
                        targetUri: blobUri(account, target, job.target.prefix),
                        clientId,
                        queueUrl: queue ? `${queueEndpoint.replace(/\/$/, "")}/${queueName}` : undefined,
                    }));
            const common = {
                resourceGroupName: rg,
                location: args.location,
                environmentId: environment.id,
                workloadProfileName: "Consumption",
                identity: { type: "UserAssigned", userAssignedIdentities: [identity.identityId] },
                tags,
            };
            const configuration = (trigger: "schedule" | "arrival") => ({
                replicaTimeout: job.timeoutMinutes * 60,
                replicaRetryLimit: job.retries,
                secrets: jobFileSecrets(job, { trigger }),
            });
            const jobs: app.Job[] = [];
            if (job.schedule !== undefined) {
                const jobName = pipelineNames.job(job.name, "schedule");
                jobs.push(
                    new app.Job(
                        `${name}-${job.name}-schedule`,
                        {
                            ...common,
                            jobName,
                            configuration: {
                                ...configuration("schedule"),
                                triggerType: "Schedule",
                                scheduleTriggerConfig: { cronExpression: job.schedule, parallelism: 1, replicaCompletionCount: 1 },
                            },
                            template: runOf("schedule").apply((run) => jobTemplate(job, run)),
                        },
                        { parent: this, dependsOn: identity.assignments },
                    ),
                );
                names[job.name] = jobName;
            }
            if (queue && events && args.blobEventsTopic) {
                const jobName = pipelineNames.job(job.name, "arrival");
                jobs.push(
                    new app.Job(
                        `${name}-${job.name}-arrival`,
                        {
                            ...common,
                            jobName,
                            configuration: {
                                ...configuration("arrival"),
                                triggerType: "Event",
                                eventTriggerConfig: {
                                    parallelism: 1,
                                    replicaCompletionCount: 1,
                                    scale: {
                                        minExecutions: 0,
                                        maxExecutions: 10,
                                        pollingInterval: QUEUE_POLLING_SECONDS,
                                        rules: [
                                            pulumi
                                                .all([events.account.name, identity.identityId])
                                                .apply(([acc, id]) => arrivalScaleRule(acc, queueName, id)),
                                        ],
                                    },
                                },
                            },
                            template: runOf("arrival").apply((run) => jobTemplate(job, run)),
                        },
                        { parent: this, dependsOn: identity.assignments },
                    ),
                );
                if (names[job.name] === undefined) names[job.name] = jobName;

                // The topic's identity sends to this queue and writes dead letters; nothing else.
                const topicGrant = { principalId: args.blobEventsTopic.principalId, subscriptionId: args.subscriptionId };
                const sender = grantRole(
                    `${name}-${job.name}-topic-send`,
                    { ...topicGrant, scope: queue.id, role: "Storage Queue Data Message Sender" },
                    { parent: this },
                );
                const deadLetterScope = pulumi.interpolate`${events.account.id}/blobServices/default/containers/${DEAD_LETTER_CONTAINER}`;
                const deadLetterWriter = grantRole(
                    `${name}-${job.name}-topic-dead-letters`,
                    {
                        ...topicGrant,
                        scope: deadLetterScope,
                        role: "Storage Blob Data Contributor",
                        condition: prefixCondition(pipelineNames.deadLetterPrefix(job.name), true),
                    },
                    { parent: this },
                );
                new eventgrid.SystemTopicEventSubscription(
                    `${name}-${job.name}-arrivals`,
                    {
                        eventSubscriptionName: pipelineNames.subscription(job.name),
                        systemTopicName: args.blobEventsTopic.name,
                        resourceGroupName: rg,
                        eventDeliverySchema: "EventGridSchema",
                        filter: {
                            includedEventTypes: ["Microsoft.Storage.BlobCreated"],
                            subjectBeginsWith: blobSubjectPrefix(source, job.source.prefix),
                            isSubjectCaseSensitive: true,
                            // A run's own writes elsewhere never match; empty blobs (directory markers) start nothing.
                            advancedFilters: [{ operatorType: "NumberGreaterThan", key: "data.contentLength", value: 0 }],
                        },
                        deliveryWithResourceIdentity: {
                            identity: { type: "SystemAssigned" },
                            destination: {
                                endpointType: "StorageQueue",
                                resourceId: events.account.id,
                                queueName,
                                // Kept until a run takes them (-1: never expire).
                                queueMessageTimeToLiveInSeconds: -1,
                            },
                        },
                        deadLetterWithResourceIdentity: {
                            identity: { type: "SystemAssigned" },
                            deadLetterDestination: {
                                endpointType: "StorageBlob",
                                resourceId: events.account.id,
                                blobContainerName: DEAD_LETTER_CONTAINER,
                            },
                        },
                        retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
                    },
                    { parent: this, dependsOn: [sender, deadLetterWriter] },
                );
                deadLetters[job.name] =
                    pulumi.interpolate`${events.account.name}/${DEAD_LETTER_CONTAINER}/${pipelineNames.deadLetterPrefix(job.name)}`;
            }

            for (const [i, j] of jobs.entries()) {
                const trigger = j === jobs[0] && job.schedule !== undefined ? "schedule" : "arrival";
                new monitor.MetricAlert(
                    `${name}-${job.name}-${trigger}-failed`,
                    {
                        resourceGroupName: rg,
                        location: "global",
                        description: `pipeline ${job.name} (${trigger}): a job execution failed after ${job.retries} retries`,
                        enabled: true,
                        severity: 2,
                        scopes: [j.id],
                        ...ALERT_WINDOW,
                        autoMitigate: true,
                        criteria: {
                            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                            allOf: [
                                {
                                    criterionType: "StaticThresholdCriterion",
                                    name: "failed-executions",
                                    metricNamespace: "Microsoft.App/jobs",
                                    metricName: "Executions",
                                    operator: "GreaterThan",
                                    threshold: 0,
                                    timeAggregation: "Total",
                                    dimensions: [{ name: "state", operator: "Include", values: ["Failed"] }],
                                },
                            ],
                        },
                        actions: args.actionGroupId !== undefined ? [{ actionGroupId: args.actionGroupId }] : undefined,
                        tags,
                    },
                    { parent: this },
                );
                void i;
            }
        }

        this.environmentId = environment.id;
        this.jobNames = pulumi.output(names);
        this.deadLetters = pulumi.all(deadLetters);
        this.registerOutputs({ jobNames: this.jobNames, deadLetters: this.deadLetters, environmentId: this.environmentId });
    }
}

/** Streaming ingestion: an Event Hubs namespace with one hub per stream, captured to the lake. */
export class AzureEventHubsStreams extends pulumi.ComponentResource {
    /** Name of the Event Hubs namespace. */
    public readonly namespaceName: pulumi.Output<string>;
    /** Stream -> event hub name (producers send there with an Entra ID token and Azure Event Hubs Data Sender). */
    public readonly hubNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureEventHubsStreamsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureEventHubsStreams "${name}"`, validateAzureEventHubsStreams(args));
        super("mlops:index:AzureEventHubsStreams", name, args, opts);

        const protect = args.protectData ?? true;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const net = args.network;

        const namespace = new eventhub.Namespace(
            `${name}-namespace`,
            {
                namespaceName: pulumi.output(args.nameSuffix).apply((sfx) => pipelineNames.eventHubsNamespace(args.namePrefix, sfx)),
                resourceGroupName: rg,
                location: args.location,
                // Standard: the lowest tier with Capture. Customer-managed keys need Premium or Dedicated, so events
                // at rest in the hub are encrypted with Microsoft-managed keys; what Capture writes is under the lake's key.
                sku: { name: "Standard", tier: "Standard", capacity: args.throughputUnits ?? 1 },
                disableLocalAuth: true,
                minimumTlsVersion: "1.2",
                publicNetworkAccess: net ? "Disabled" : "Enabled",
                identity: { type: "SystemAssigned" },
                tags,
            },
            stateful,
        );
        diagnosticSetting(
            `${name}-diagnostics`,
            { resourceUri: namespace.id, workspaceId: args.logAnalyticsWorkspaceId },
            { parent: this },
        );
        if (net) {
            const zone = linkedZone(this, `${name}-dns`, EVENT_HUBS_DNS_ZONE, net.virtualNetworkId, rg, tags);
            privateEndpoint(
                `${name}-endpoint`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    subnetId: net.endpointsSubnetId,
                    targetName: namespace.name,
                    targetId: namespace.id,
                    group: "namespace",
                    dnsZoneIds: { [EVENT_HUBS_DNS_ZONE]: zone.id },
                    tags,
                },
                { parent: this },
            );
        }
        const principalId = namespace.identity.apply((i) => i?.principalId ?? "");
        const raw = args.lake.containerNames.raw;
        const hubs = args.streams.map((s) => {
            // Capture writes as the namespace's identity, only under the stream's prefix of raw.
            const writer = grantRole(
                `${name}-${s.name}-capture`,
                {
                    principalId,
                    subscriptionId: args.subscriptionId,
                    scope: args.lake.containerIds.raw,
                    role: "Storage Blob Data Contributor",
                    condition: prefixCondition(s.target.prefix, true),
                },
                { parent: this },
            );
            return new eventhub.EventHub(
                `${name}-${s.name}`,
                {
                    eventHubName: s.name,
                    namespaceName: namespace.name,
                    resourceGroupName: rg,
                    partitionCount: 2,
                    retentionDescription: { cleanupPolicy: "Delete", retentionTimeInHours: s.retentionHours },
                    captureDescription: {
                        enabled: true,
                        encoding: "Avro",
                        intervalInSeconds: 300,
                        sizeLimitInBytes: 314572800,
                        skipEmptyArchives: true,
                        destination: {
                            name: "EventHubArchive.AzureBlockBlob",
                            storageAccountResourceId: args.lake.accountId,
                            blobContainer: raw,
                            archiveNameFormat: `${s.target.prefix}{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}`,
                            identity: { type: "SystemAssigned" },
                        },
                    },
                },
                { ...stateful, dependsOn: [writer] },
            );
        });

        this.namespaceName = namespace.name;
        this.hubNames = pulumi.all(hubs.map((h) => h.name)).apply((n) => Object.fromEntries(args.streams.map((s, i) => [s.name, n[i]])));
        this.registerOutputs({ namespaceName: this.namespaceName, hubNames: this.hubNames });
    }
}
