import * as assert from "node:assert/strict";
import * as path from "path";
import { AzureContainerAppsJobs, AzureEventHubsStreams } from "../../components/data-pipeline/azure";
import { AzureContainerAppsJobsArgs, AzureEventHubsStreamsArgs, prefixCondition } from "../../components/data-pipeline/azure-args";
import type { PipelineJobSpec } from "../../components/data-pipeline/contract";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { parseStackConfig } from "../../stacks/config/parse";
import { captureResources, ofType, only, rejectedBuild } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");
const job: PipelineJobSpec = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    files: { "etl.py": "print('etl')" },
    source: { zone: "raw", prefix: "iris/" },
    target: { zone: "curated", prefix: "iris/" },
    schedule: "0 3 * * *",
    onArrival: true,
    cpuMillicores: 500,
    memoryMiB: 1024,
    timeoutMinutes: 30,
    retries: 2,
};
const lake = {
    accountId: "/lake",
    accountName: "mlopslake",
    containerNames: { raw: "raw", curated: "curated" },
    containerIds: { raw: "/lake/containers/raw", curated: "/lake/containers/curated" },
};
const placement = {
    resourceGroupName: "rg",
    location: "swedencentral",
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    subscriptionId: "sub",
    logAnalyticsWorkspaceId: "/logs",
};
const jobsArgs = (over: Partial<AzureContainerAppsJobsArgs> = {}): AzureContainerAppsJobsArgs => ({
    ...placement,
    jobs: [job],
    lake,
    blobEventsTopic: { name: "lake-topic", principalId: "topic-principal" },
    encryptionKey: { keyVaultUri: "https://kv.vault.azure.net/", keyName: "lake-cmk", identityId: "/lake-encryption" },
    actionGroupId: "/action-group",
    protectData: true,
    ...over,
});
const roleOf = (r: { inputs: Record<string, any> }) => String(r.inputs.roleDefinitionId).split("/").pop();

describe("AzureContainerAppsJobs", () => {
    it("runs each pipeline on its cron schedule and on blob arrival under the source prefix, with retries and a timeout", async () => {
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs()));
        const scheduled = only(resources, "azure-native:app:Job", "pipelines-iris-etl-schedule");
        assert.equal(scheduled.inputs.jobName, "iris-etl-sched");
        assert.deepEqual(scheduled.inputs.configuration.scheduleTriggerConfig, {
            cronExpression: "0 3 * * *",
            parallelism: 1,
            replicaCompletionCount: 1,
        });
        assert.equal(scheduled.inputs.configuration.triggerType, "Schedule");
        assert.equal(scheduled.inputs.configuration.replicaTimeout, 1800);
        assert.equal(scheduled.inputs.configuration.replicaRetryLimit, 2);
        const env = Object.fromEntries(scheduled.inputs.template.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.MLOPS_SOURCE_URI, "https://mlopslake.blob.core.windows.net/raw/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "https://mlopslake.blob.core.windows.net/curated/iris/");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.deepEqual(scheduled.inputs.template.volumes[0].secrets, [{ secretRef: "file-etl-py", path: "etl.py" }]);

        const arrival = only(resources, "azure-native:app:Job", "pipelines-iris-etl-arrival");
        assert.equal(arrival.inputs.configuration.triggerType, "Event");
        const rule = arrival.inputs.configuration.eventTriggerConfig.scale.rules[0];
        assert.deepEqual(
            { type: rule.type, metadata: rule.metadata, auth: rule.auth },
            {
                type: "azure-queue",
                metadata: { accountName: "mlopstestevabc123", queueName: "arrivals-iris-etl", queueLength: "1" },
                auth: undefined,
            },
            "the scale rule reads the queue with the pipeline's identity, no connection string",
        );
        assert.match(rule.identity, /pipelines-iris-etl-identity-identity/);
        assert.equal(arrival.inputs.template.initContainers[0].name, "take-arrival-message");

        const sub = only(resources, "azure-native:eventgrid:SystemTopicEventSubscription");
        assert.deepEqual(sub.inputs.filter.includedEventTypes, ["Microsoft.Storage.BlobCreated"]);
        assert.equal(sub.inputs.filter.subjectBeginsWith, "/blobServices/default/containers/raw/blobs/iris/");
        assert.equal(sub.inputs.systemTopicName, "lake-topic");
        assert.deepEqual(sub.inputs.deliveryWithResourceIdentity.destination.queueName, "arrivals-iris-etl");
        assert.deepEqual(sub.inputs.deadLetterWithResourceIdentity.deadLetterDestination.blobContainerName, "dead-letters");
        assert.deepEqual(sub.inputs.deadLetterWithResourceIdentity.identity, { type: "SystemAssigned" });
    });

    it("gives each pipeline one identity: read on the source prefix, write on the target prefix, never the whole lake", async () => {
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs()));
        const grants = ofType(resources, "azure-native:authorization:RoleAssignment").filter((r) =>
            r.name.startsWith("pipelines-iris-etl-identity-"),
        );
        const byName = Object.fromEntries(
            grants.map((g) => [g.name.replace("pipelines-iris-etl-identity-", ""), [g.inputs.scope, roleOf(g), g.inputs.condition]]),
        );
        assert.deepEqual(byName["read-source"], [
            "/lake/containers/raw",
            BUILTIN_ROLES["Storage Blob Data Reader"],
            prefixCondition("iris/", false),
        ]);
        assert.deepEqual(byName["write-target"], [
            "/lake/containers/curated",
            BUILTIN_ROLES["Storage Blob Data Contributor"],
            prefixCondition("iris/", true),
        ]);
        assert.match(
            String(byName["read-source"][2]),
            /@Resource\[Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/blobs:path\] StringStartsWith 'iris\/'/,
        );
        assert.match(
            String(byName["write-target"][2]),
            /!\(ActionMatches\{'Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/blobs\/delete'\}\)/,
        );
        for (const g of grants) {
            assert.equal(g.inputs.conditionVersion ?? "2.0", "2.0");
            assert.doesNotMatch(String(g.inputs.scope), /^\/lake$/, "no grant on the account");
        }
        assert.deepEqual(
            grants
                .filter((g) => g.name.includes("queue"))
                .map((g) => roleOf(g))
                .sort(),
            [BUILTIN_ROLES["Storage Queue Data Message Processor"], BUILTIN_ROLES["Storage Queue Data Reader"]].sort(),
        );
        const send = only(resources, "azure-native:authorization:RoleAssignment", "pipelines-iris-etl-topic-send");
        assert.deepEqual([send.inputs.principalId, roleOf(send)], ["topic-principal", BUILTIN_ROLES["Storage Queue Data Message Sender"]]);
        // Event Grid names dead-letter blobs after the subscription in upper case (`IRIS-ETL-ARRIVAL/2019/8/8/5/<guid>.json`,
        // Microsoft "Set dead-letter location and retry policy"); StringStartsWith is case-sensitive.
        const deadLetters = only(resources, "azure-native:authorization:RoleAssignment", "pipelines-iris-etl-topic-dead-letters");
        assert.deepEqual(
            [deadLetters.inputs.principalId, roleOf(deadLetters), deadLetters.inputs.condition],
            ["topic-principal", BUILTIN_ROLES["Storage Blob Data Contributor"], prefixCondition("IRIS-ETL-ARRIVAL/", true)],
        );
        assert.doesNotMatch(String(deadLetters.inputs.condition), /'iris-etl-arrival\//);
    });

    it("keeps queues and dead letters in a CMK account (account-scoped queue key), protected in prod, and alerts on failed executions", async () => {
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs()));
        const account = only(resources, "azure-native:storage:StorageAccount", "pipelines-events");
        assert.equal(account.inputs.encryption.keySource, "Microsoft.Keyvault");
        assert.deepEqual(account.inputs.encryption.services.queue, { enabled: true, keyType: "Account" });
        assert.equal(account.inputs.allowSharedKeyAccess, false);
        for (const [type, n] of [
            ["azure-native:storage:StorageAccount", "pipelines-events"],
            ["azure-native:storage:Queue", "pipelines-iris-etl-queue"],
            ["azure-native:storage:BlobContainer", "pipelines-dead-letters"],
        ])
            assert.equal(only(resources, type, n).options.protect, true, n);
        const alerts = ofType(resources, "azure-native:monitor:MetricAlert");
        assert.deepEqual(alerts.map((a) => a.name).sort(), ["pipelines-iris-etl-arrival-failed", "pipelines-iris-etl-schedule-failed"]);
        for (const a of alerts) {
            assert.deepEqual(a.inputs.actions, [{ actionGroupId: "/action-group" }]);
            assert.equal(a.inputs.criteria.allOf[0].metricName, "Executions");
            assert.deepEqual(a.inputs.criteria.allOf[0].dimensions, [{ name: "state", operator: "Include", values: ["Failed"] }]);
        }
    });

    it("puts the jobs environment in the network's jobs subnet, internal, with a private endpoint for the queues", async () => {
        const network = {
            infrastructureSubnetId: "/vnet/subnets/jobs",
            virtualNetworkId: "/vnet",
            endpointsSubnetId: "/vnet/subnets/endpoints",
        };
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs({ network })));
        const env = only(resources, "azure-native:app:ManagedEnvironment");
        assert.deepEqual(env.inputs.vnetConfiguration, { infrastructureSubnetId: "/vnet/subnets/jobs", internal: true });
        assert.equal(env.inputs.appLogsConfiguration.destination, "azure-monitor");
        const pe = only(resources, "azure-native:network:PrivateEndpoint");
        assert.deepEqual(pe.inputs.privateLinkServiceConnections[0].groupIds, ["queue"]);
        assert.equal(env.inputs.zoneRedundant, true);
        // Through the private endpoint: the events account admits no subnet.
        assert.equal(only(resources, "azure-native:storage:StorageAccount").inputs.networkRuleSet.virtualNetworkRules, undefined);
    });

    it("without private endpoints, admits the jobs subnet (service endpoint) at the events account's firewall instead", async () => {
        const network = { infrastructureSubnetId: "/vnet/subnets/jobs", zoneRedundant: false };
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs({ network })));
        const env = only(resources, "azure-native:app:ManagedEnvironment").inputs;
        assert.deepEqual(
            [env.vnetConfiguration, env.zoneRedundant, env.publicNetworkAccess],
            [{ infrastructureSubnetId: "/vnet/subnets/jobs", internal: true }, false, "Disabled"],
        );
        const rules = only(resources, "azure-native:storage:StorageAccount").inputs.networkRuleSet;
        assert.deepEqual(
            [rules.defaultAction, rules.bypass, rules.ipRules, rules.virtualNetworkRules],
            ["Deny", "AzureServices", [], [{ virtualNetworkResourceId: "/vnet/subnets/jobs", action: "Allow" }]],
        );
        assert.deepEqual(ofType(resources, "azure-native:network:PrivateEndpoint"), []);
        assert.deepEqual(ofType(resources, "azure-native:privatedns:PrivateZone"), []);
    });

    it("without a network, runs the environment outside any and lets the events account admit every network (Entra ID only)", async () => {
        const { resources } = await captureResources(() => new AzureContainerAppsJobs("pipelines", jobsArgs()));
        assert.equal(only(resources, "azure-native:app:ManagedEnvironment").inputs.vnetConfiguration, undefined);
        const a = only(resources, "azure-native:storage:StorageAccount").inputs;
        assert.deepEqual(
            [a.networkRuleSet.defaultAction, a.networkRuleSet.virtualNetworkRules, a.allowSharedKeyAccess, a.publicNetworkAccess],
            ["Allow", undefined, false, "Enabled"],
        );
    });

    it("fails when a name makes no job name, a job asks for a GPU or too much CPU, or arrival has no blob events; registers nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new AzureContainerAppsJobs(
                    "pipelines",
                    jobsArgs({
                        blobEventsTopic: undefined,
                        jobs: [{ ...job, name: "iris--etl", accelerator: { type: "nvidia-t4", count: 1 } as never, cpuMillicores: 8000 }],
                    }),
                ),
            'AzureContainerAppsJobs "pipelines"',
        );
        assert.deepEqual(registered, []);
        for (const part of ["jobs[0].name", "jobs[0].accelerator", "jobs[0].cpuMillicores", "jobs[0].onArrival"])
            assert.ok(message.includes(part), message);
    });

    it("fails when env sets a runner variable, or the timeout and retries are out of range", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new AzureContainerAppsJobs(
                    "pipelines",
                    jobsArgs({ jobs: [{ ...job, env: { MLOPS_TRIGGER: "x" }, timeoutMinutes: 0, retries: 11 }] }),
                ),
            'AzureContainerAppsJobs "pipelines"',
        );
        assert.deepEqual(registered, []);
        for (const part of ["jobs[0].env.MLOPS_TRIGGER", "jobs[0].timeoutMinutes", "jobs[0].retries"])
            assert.ok(message.includes(part), message);
    });
});

describe("AzureEventHubsStreams", () => {
    const args = (over: Partial<AzureEventHubsStreamsArgs> = {}): AzureEventHubsStreamsArgs => ({
        ...placement,
        streams: [{ name: "events", target: { zone: "raw", prefix: "events/" }, retentionHours: 24 }],
        lake,
        protectData: true,
        ...over,
    });

    it("captures each hub into raw under its prefix, as the namespace's identity, Standard with Entra ID only", async () => {
        const { resources } = await captureResources(() => new AzureEventHubsStreams("streams", args()));
        const ns = only(resources, "azure-native:eventhub:Namespace");
        assert.deepEqual(
            { sku: ns.inputs.sku.name, local: ns.inputs.disableLocalAuth, tls: ns.inputs.minimumTlsVersion, protect: ns.options.protect },
            { sku: "Standard", local: true, tls: "1.2", protect: true },
        );
        const hub = only(resources, "azure-native:eventhub:EventHub");
        assert.deepEqual(hub.inputs.retentionDescription, { cleanupPolicy: "Delete", retentionTimeInHours: 24 });
        const dest = hub.inputs.captureDescription.destination;
        assert.deepEqual(
            { container: dest.blobContainer, account: dest.storageAccountResourceId, identity: dest.identity },
            { container: "raw", account: "/lake", identity: { type: "SystemAssigned" } },
        );
        assert.ok(dest.archiveNameFormat.startsWith("events/{Namespace}/{EventHub}/{PartitionId}/"));
        const grant = only(resources, "azure-native:authorization:RoleAssignment", "streams-events-capture");
        assert.deepEqual(
            [grant.inputs.scope, roleOf(grant), grant.inputs.condition],
            ["/lake/containers/raw", BUILTIN_ROLES["Storage Blob Data Contributor"], prefixCondition("events/", true)],
        );
        assert.equal(only(resources, "azure-native:monitor:DiagnosticSetting").inputs.resourceUri, "streams-namespace-id");
        assert.equal(hub.options.protect, true);
    });

    it("fails when a stream lands outside raw, has no prefix, or keeps events longer than Standard allows; registers nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new AzureEventHubsStreams(
                    "streams",
                    args({ streams: [{ name: "events", target: { zone: "curated", prefix: "" }, retentionHours: 200 }] }),
                ),
            'AzureEventHubsStreams "streams"',
        );
        assert.deepEqual(registered, []);
        for (const part of ["streams[0].target", "streams[0].retentionHours"]) assert.ok(message.includes(part), message);
    });
});

describe("Azure pipelines config", () => {
    it("rejects a pipeline whose name makes no Container Apps job name at its mlops:pipelines key, with a lake problem, registering nothing", async () => {
        const raw = {
            "mlops:cloud": "azure",
            "mlops:environment": "dev",
            "azure-native:location": "swedencentral",
            "mlops:dataLake": JSON.stringify({ azure: { softDeleteRetentionDays: 3 } }),
            "mlops:pipelines": JSON.stringify({
                jobs: [
                    {
                        name: "iris--etl",
                        image: "python:3.12.12-slim-bookworm",
                        command: ["python", "/app/etl.py"],
                        source: "raw/iris/",
                        target: "curated/iris/",
                        schedule: "0 3 * * *",
                    },
                ],
            }),
        };
        const { error, registered } = await rejectedBuild(
            () => parseStackConfig(raw, { project: "mlops", stack: "t", projectRoot: ROOT }),
            'stack config "t"',
        );
        assert.deepEqual(registered, []);
        assert.ok(
            error.problems.some((p) => p.startsWith("mlops:pipelines.jobs[0].name") && p.includes("Container Apps job name")),
            error.problems.join("\n"),
        );
        assert.ok(
            error.problems.some((p) => p.startsWith("mlops:dataLake.azure.softDeleteRetentionDays")),
            error.problems.join("\n"),
        );
        assert.equal(new Set(error.problems).size, error.problems.length);
    });
});
