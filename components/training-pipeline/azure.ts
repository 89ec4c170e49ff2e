/**
 * Training pipelines on Azure ML (docs/azure.md, "Training, promotion and drift"), per model:
 * - a user-assigned identity (Storage Blob Data Reader on the dataset's prefix, Contributor on
 *   `models/<model>/` only, both narrowed by ABAC path conditions; the custom registrar role on the
 *   workspace: model versions read/write, nothing else), attached to a cluster of its own (`t-<model>`:
 *   the catalog's VM size for the stack's training accelerator, low priority when spot, scales to zero);
 * - an environment version of the training image and an Azure ML schedule (cron, UTC) that submits the
 *   command job (train, gate, register) or the AutoML job;
 * - new data: the lake's Event Grid system topic sends BlobCreated of `_manifest.json` under the dataset
 *   prefix to a Logic App (consumption) that submits the same job with its own identity (job submitter role);
 * - drift: a scheduled Container Apps job running the drift command; its JSON lines land in Log Analytics
 *   (ContainerAppConsoleLogs) and a scheduled query rule alerts the stack's action group per drifted feature,
 *   and, with `retrain`, an action group of its own calls the retrain Logic App;
 * - delivery (with `delivery`): a Logic App that dispatches the GitHub promotion workflow for approved versions.
 * Approval is a tag (`approval: pending|approved`) on the model version; the approver role is a separate custom role.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventgrid from "@pulumi/azure-native/eventgrid";
import * as logic from "@pulumi/azure-native/logic";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as monitor from "@pulumi/azure-native/monitor";
import { jobSize, prefixCondition, blobSubjectPrefix } from "../data-pipeline/azure-args";
import { fileSecretName } from "../container-service/azure-apps";
import { AzureWorkloadIdentity } from "../identity/azure";
import { roleAssignmentGuid } from "../identity/azure-roles";
import { diagnosticSetting } from "../observability/azure";
import { shortHash } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import type { TrainingPipelines, TrainingSpec } from "./contract";
import { AzureMlTrainingPipelinesArgs, trainingNames, trainingVmSize, validateAzureMlTrainingPipelines } from "./azure-args";
import {
    APP_DIR,
    AzureJobContext,
    deliveryWorkflow,
    driftEnv,
    driftQuery,
    jobDefinition,
    newDataWorkflow,
    retrainWorkflow,
} from "./azure-job";

const ML = "Microsoft.MachineLearningServices/workspaces";

/** What each custom role may do (docs/azure.md, "Training, promotion and drift": approval). */
export const CUSTOM_ROLE_ACTIONS = {
    /** The training identity and the delivery workflow: register versions (and so write their tags). */
    registrar: [
        `${ML}/read`,
        `${ML}/models/read`,
        `${ML}/models/write`,
        `${ML}/models/versions/read`,
        `${ML}/models/versions/write`,
        `${ML}/datastores/read`,
    ],
    /** People who approve: the same registry rights (Azure RBAC cannot tell a tag change from a registration). */
    approver: [`${ML}/read`, `${ML}/models/read`, `${ML}/models/versions/read`, `${ML}/models/versions/write`],
    /** The new-data and retrain workflows: submit jobs that run as the pipeline's identity. */
    submitter: [
        `${ML}/read`,
        `${ML}/jobs/read`,
        `${ML}/jobs/write`,
        `${ML}/computes/read`,
        `${ML}/environments/versions/read`,
        `${ML}/datastores/read`,
        "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
    ],
} as const;

/** A deterministic GUID (custom role definition names must be GUIDs). */
function guidOf(seed: string): string {
    return roleAssignmentGuid(seed, "mlops-role-definition", "00000000");
}

/** Training pipelines on Azure ML: per model an identity, a cluster and a schedule that trains (or runs AutoML), gates and registers versions, started on new data, and a drift monitor. */
export class AzureMlTrainingPipelines extends pulumi.ComponentResource implements TrainingPipelines {
    /** The Azure ML schedule of each model's training, by model. */
    public readonly pipelineNames: pulumi.Output<Record<string, string>>;
    /** The drift job of each monitored model, by model. */
    public readonly driftJobNames: pulumi.Output<Record<string, string>>;
    /** The approver role's name: assign it to the people who approve (`az role assignment create --role ...`). */
    public readonly approverRole: pulumi.Output<string>;

    constructor(name: string, args: AzureMlTrainingPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureMlTrainingPipelines "${name}"`, validateAzureMlTrainingPipelines(args));
        super("mlops:index:AzureMlTrainingPipelines", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const ws = args.workspace;
        const resourceGroupId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${rg}`;

        const role = (key: keyof typeof CUSTOM_ROLE_ACTIONS, roleName: string, description: string) =>
            new authorization.RoleDefinition(
                `${name}-${key}-role`,
                {
                    roleDefinitionId: resourceGroupId.apply((id) => guidOf(`${id}|${roleName}`)),
                    roleName,
                    description,
                    scope: resourceGroupId,
                    assignableScopes: [resourceGroupId],
                    permissions: [{ actions: [...CUSTOM_ROLE_ACTIONS[key]], notActions: [], dataActions: [], notDataActions: [] }],
                },
                { parent: this },
            );
        const registrar = role(
            "registrar",
            trainingNames.registrarRole(args.namePrefix),
            "mlops: register model versions in the workspace",
        );
        const approver = role(
            "approver",
            trainingNames.approverRole(args.namePrefix),
            "mlops: approve model versions (tag approval=approved)",
        );
        const submitter = role(
            "submitter",
            trainingNames.submitterRole(args.namePrefix),
            "mlops: submit training jobs as a pipeline identity",
        );
        const assign = (
            resourceName: string,
            scope: pulumi.Input<string>,
            definition: authorization.RoleDefinition,
            principalId: pulumi.Input<string>,
        ) =>
            new authorization.RoleAssignment(
                resourceName,
                {
                    scope,
                    roleDefinitionId: definition.id,
                    principalId,
                    principalType: "ServicePrincipal",
                    roleAssignmentName: pulumi.all([scope, definition.id, principalId]).apply(([s, d, p]) => roleAssignmentGuid(s, d, p)),
                    description: "mlops: training pipelines",
                },
                { parent: this },
            );

        const containerIds = args.lake.containerIds;
        const pipelineNames: Record<string, string> = {};
        const driftNames: Record<string, string> = {};
        const delivered: { model: string; approval: TrainingSpec["approval"]; ids: pulumi.Output<string[]> }[] = [];
        let driftEnvironmentId: pulumi.Input<string> | undefined = args.driftEnvironmentId;

        for (const t of args.trainings) {
            const m = t.model;
            const identity = new AzureWorkloadIdentity(
                `${name}-${m}-identity`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    identityName: trainingNames.identity(args.namePrefix, m),
                    subscriptionId: args.subscriptionId,
                    grants: [
                        {
                            label: "read-dataset",
                            scope: containerIds[t.dataset.zone],
                            role: "Storage Blob Data Reader",
                            condition: prefixCondition(t.dataset.prefix, false),
                        },
                        {
                            label: "write-model",
                            scope: containerIds[t.output.zone],
                            role: "Storage Blob Data Contributor",
                            condition: prefixCondition(t.output.prefix, true),
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            const registers = assign(`${name}-${m}-registrar`, ws.id, registrar, identity.principalId);

            const compute = new ml.Compute(
                `${name}-${m}-compute`,
                {
                    workspaceName: ws.name,
                    resourceGroupName: rg,
                    computeName: trainingNames.compute(m),
                    location: args.location,
                    identity: { type: "UserAssigned", userAssignedIdentities: [identity.identityId] },
                    properties: {
                        computeType: "AmlCompute",
                        disableLocalAuth: true,
                        description: `Training of ${m}: ${t.accelerator ? `${t.accelerator.type} x${t.accelerator.count}` : "CPU"}`,
                        properties: {
                            vmSize: trainingVmSize(t, args.cpuVmSize),
                            vmPriority: t.spot ? "LowPriority" : "Dedicated",
                            osType: "Linux",
                            scaleSettings: { minNodeCount: 0, maxNodeCount: 1, nodeIdleTimeBeforeScaleDown: "PT120S" },
                            remoteLoginPortPublicAccess: "Disabled",
                            enableNodePublicIp: ws.managedNetwork ? false : undefined,
                        },
                    },
                    tags,
                },
                { parent: this },
            );
            const environment = new ml.EnvironmentVersion(
                `${name}-${m}-environment`,
                {
                    workspaceName: ws.name,
                    resourceGroupName: rg,
                    name: trainingNames.environment(m),
                    // Versions are immutable: a new image is a new version.
                    version: shortHash(t.image, 8),
                    properties: { image: t.image, osType: "Linux", autoRebuild: "Disabled", description: `Training image of ${m}`, tags },
                },
                { parent: this },
            );
            if (t.mode === "automl")
                new ml.Datastore(
                    `${name}-${m}-datastore`,
                    {
                        workspaceName: ws.name,
                        resourceGroupName: rg,
                        name: trainingNames.datastore(t.dataset.zone),
                        properties: {
                            datastoreType: "AzureDataLakeGen2",
                            accountName: args.lake.accountName,
                            filesystem: args.lake.containerNames[t.dataset.zone],
                            credentials: { credentialsType: "None" },
                            serviceDataAccessAuthIdentity: "WorkspaceSystemAssignedIdentity",
                            description: `The data lake's ${t.dataset.zone} zone (AutoML training data)`,
                        },
                    },
                    { parent: this },
                );

            const context: pulumi.Output<AzureJobContext> = pulumi
                .all([args.lake.accountName, ws.id, compute.id, environment.id, identity.identityId, identity.clientId])
                .apply(([accountName, workspaceId, computeId, environmentId, identityId, clientId]) => ({
                    accountName,
                    containerNames: args.lake.containerNames,
                    workspaceId,
                    computeId,
                    environmentId,
                    identityId,
                    clientId,
                    modelsDatastore: ws.modelsDatastore,
                }));
            const ready = [registers, ...identity.assignments];

            if (t.schedule !== undefined)
                new ml.Schedule(
                    `${name}-${m}-schedule`,
                    {
                        workspaceName: ws.name,
                        resourceGroupName: rg,
                        name: trainingNames.schedule(m),
                        properties: {
                            displayName: trainingNames.schedule(m),
                            description: `Retrains ${m} (${t.mode}), gate ${t.metric} >= ${t.threshold}, approval ${t.approval}`,
                            isEnabled: true,
                            trigger: { triggerType: "Cron", expression: t.schedule, timeZone: "UTC" },
                            action: { actionType: "CreateJob", jobDefinition: context.apply((c) => jobDefinition(t, c, "schedule")) },
                            tags: { ...tags, "mlops-model": m },
                        },
                    },
                    { parent: this, dependsOn: ready },
                );
            pipelineNames[m] = trainingNames.schedule(m);

            // A workflow that submits the job with its own identity, allowed to submit in the workspace and to run jobs as the pipeline's identity.
            const submitterWorkflow = (kind: "new-data" | "retrain", definition: pulumi.Output<unknown>) => {
                const workflow = new logic.Workflow(
                    `${name}-${m}-${kind}`,
                    {
                        workflowName:
                            kind === "new-data"
                                ? trainingNames.newDataWorkflow(args.namePrefix, m)
                                : trainingNames.retrainWorkflow(args.namePrefix, m),
                        resourceGroupName: rg,
                        location: args.location,
                        identity: { type: "SystemAssigned" },
                        state: "Enabled",
                        definition,
                        tags,
                    },
                    { parent: this },
                );
                const principal = workflow.identity.apply((i) => i?.principalId ?? "");
                const grants = [
                    assign(`${name}-${m}-${kind}-submit`, ws.id, submitter, principal),
                    assign(`${name}-${m}-${kind}-assign`, identity.identityId, submitter, principal),
                ];
                diagnosticSetting(
                    `${name}-${m}-${kind}-diagnostics`,
                    { resourceUri: workflow.id, workspaceId: args.logAnalyticsWorkspaceId },
                    { parent: this },
                );
                const callback = pulumi.secret(
                    logic
                        .listWorkflowTriggerCallbackUrlOutput(
                            { resourceGroupName: rg, workflowName: workflow.name, triggerName: "manual" },
                            { parent: this },
                        )
                        .apply((r) => r.value),
                );
                return { workflow, callback, grants };
            };

            if (t.onNewData && args.lake.blobEventsTopic) {
                const { callback, grants } = submitterWorkflow(
                    "new-data",
                    context.apply((c) => newDataWorkflow(t, c)),
                );
                new eventgrid.SystemTopicEventSubscription(
                    `${name}-${m}-new-data`,
                    {
                        eventSubscriptionName: trainingNames.subscription(m),
                        systemTopicName: args.lake.blobEventsTopic.name,
                        resourceGroupName: rg,
                        eventDeliverySchema: "EventGridSchema",
                        destination: { endpointType: "WebHook", endpointUrl: callback, maxEventsPerBatch: 1 },
                        filter: {
                            includedEventTypes: ["Microsoft.Storage.BlobCreated"],
                            subjectBeginsWith: blobSubjectPrefix(args.lake.containerNames[t.dataset.zone], t.dataset.prefix),
                            subjectEndsWith: "/_manifest.json",
                            isSubjectCaseSensitive: true,
                        },
                        retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
                    },
                    { parent: this, dependsOn: [...grants, ...ready] },
                );
            }

            if (t.drift) {
                if (driftEnvironmentId === undefined) {
                    const env = new app.ManagedEnvironment(
                        `${name}-drift-environment`,
                        {
                            environmentName: trainingNames.driftEnvironment(args.namePrefix),
                            resourceGroupName: rg,
                            location: args.location,
                            appLogsConfiguration: { destination: "azure-monitor" },
                            workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
                            vnetConfiguration: args.driftSubnetId
                                ? { infrastructureSubnetId: args.driftSubnetId, internal: true }
                                : undefined,
                            publicNetworkAccess: "Disabled",
                            tags,
                        },
                        { parent: this },
                    );
                    diagnosticSetting(
                        `${name}-drift-environment-diagnostics`,
                        { resourceUri: env.id, workspaceId: args.logAnalyticsWorkspaceId },
                        { parent: this },
                    );
                    driftEnvironmentId = env.id;
                }
                const drift = t.drift;
                const files = Object.keys(t.files ?? {});
                const driftJob = new app.Job(
                    `${name}-${m}-drift`,
                    {
                        jobName: trainingNames.driftJob(m),
                        resourceGroupName: rg,
                        location: args.location,
                        environmentId: driftEnvironmentId,
                        workloadProfileName: "Consumption",
                        identity: { type: "UserAssigned", userAssignedIdentities: [identity.identityId] },
                        configuration: {
                            triggerType: "Schedule",
                            scheduleTriggerConfig: { cronExpression: drift.schedule, parallelism: 1, replicaCompletionCount: 1 },
                            replicaTimeout: Math.min(t.timeoutMinutes, 1440) * 60,
                            replicaRetryLimit: 1,
                            secrets: Object.entries(t.files ?? {}).map(([file, value]) => ({ name: fileSecretName(file), value })),
                        },
                        template: pulumi.all([args.lake.accountName, identity.clientId]).apply(([accountName, clientId]) => ({
                            containers: [
                                {
                                    name: "drift",
                                    image: t.image,
                                    command: [...drift.command],
                                    env: [
                                        ...Object.entries(driftEnv(t, { accountName, containerNames: args.lake.containerNames })).map(
                                            ([n, value]) => ({ name: n, value }),
                                        ),
                                        { name: "AZURE_CLIENT_ID", value: clientId },
                                    ],
                                    resources: jobSize({
                                        cpuMillicores: Math.min(t.cpuMillicores, 4000),
                                        memoryMiB: Math.min(t.memoryMiB, 8192),
                                    }),
                                    volumeMounts: files.length > 0 ? [{ volumeName: "job-files", mountPath: APP_DIR }] : undefined,
                                },
                            ],
                            volumes:
                                files.length > 0
                                    ? [
                                          {
                                              name: "job-files",
                                              storageType: "Secret",
                                              secrets: files.map((f) => ({ secretRef: fileSecretName(f), path: f })),
                                          },
                                      ]
                                    : undefined,
                        })),
                        tags,
                    },
                    { parent: this, dependsOn: identity.assignments },
                );
                driftNames[m] = trainingNames.driftJob(m);

                const actionGroups: pulumi.Input<string>[] = args.actionGroupId !== undefined ? [args.actionGroupId] : [];
                if (drift.retrain) {
                    const { workflow, callback } = submitterWorkflow(
                        "retrain",
                        context.apply((c) => retrainWorkflow(t, c)),
                    );
                    const retrain = new monitor.ActionGroup(
                        `${name}-${m}-retrain-group`,
                        {
                            actionGroupName: trainingNames.retrainActionGroup(args.namePrefix, m),
                            groupShortName: trainingNames.retrainShortName(m),
                            resourceGroupName: rg,
                            location: "Global",
                            enabled: true,
                            logicAppReceivers: [
                                { name: "retrain", resourceId: workflow.id, callbackUrl: callback, useCommonAlertSchema: true },
                            ],
                            tags,
                        },
                        { parent: this },
                    );
                    actionGroups.push(retrain.id);
                }
                new monitor.ScheduledQueryRule(
                    `${name}-${m}-drift-alert`,
                    {
                        ruleName: trainingNames.driftAlert(args.namePrefix, m),
                        resourceGroupName: rg,
                        location: args.location,
                        kind: "LogAlert",
                        displayName: `${m}: features drifted`,
                        description: `model ${m}: the drift job (${driftNames[m]}) found features with PSI > ${drift.psiThreshold} and KS p < ${drift.ksAlpha}${drift.retrain ? "; retraining starts" : ""}`,
                        severity: 2,
                        enabled: true,
                        scopes: [args.logAnalyticsWorkspaceId],
                        evaluationFrequency: "PT1H",
                        windowSize: "PT1H",
                        // One retrain per drifted window: the actions stay muted for the next window.
                        muteActionsDuration: "PT1H",
                        autoMitigate: false,
                        criteria: {
                            allOf: [
                                {
                                    query: driftQuery(m),
                                    timeAggregation: "Total",
                                    metricMeasureColumn: "driftedRuns",
                                    operator: "GreaterThan",
                                    threshold: 0,
                                    dimensions: [{ name: "feature", operator: "Include", values: ["*"] }],
                                    failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
                                },
                            ],
                        },
                        actions: actionGroups.length > 0 ? { actionGroups } : undefined,
                        tags,
                    },
                    { parent: this, dependsOn: [driftJob] },
                );
            }
            delivered.push({ model: m, approval: t.approval, ids: pulumi.all([identity.principalId, identity.clientId]) });
        }

        const d = args.delivery;
        if (d) {
            const definition = pulumi.all([pulumi.output(ws.id), pulumi.all(delivered.map((x) => x.ids))]).apply(([workspaceId, ids]) =>
                deliveryWorkflow(
                    workspaceId,
                    delivered.map((x, i) => ({ model: x.model, approval: x.approval, trainerIds: ids[i] })),
                    d,
                ),
            );
            const workflow = new logic.Workflow(
                `${name}-delivery`,
                {
                    workflowName: trainingNames.deliveryWorkflow(args.namePrefix),
                    resourceGroupName: rg,
                    location: args.location,
                    identity: { type: "SystemAssigned" },
                    state: "Enabled",
                    definition,
                    // A secure parameter: never shown in run history or outputs.
                    parameters: { githubToken: { type: "SecureString", value: pulumi.secret(d.token) } },
                    tags,
                },
                { parent: this },
            );
            assign(
                `${name}-delivery-registry`,
                ws.id,
                registrar,
                workflow.identity.apply((i) => i?.principalId ?? ""),
            );
            diagnosticSetting(
                `${name}-delivery-diagnostics`,
                { resourceUri: workflow.id, workspaceId: args.logAnalyticsWorkspaceId },
                { parent: this },
            );
        }

        this.pipelineNames = pulumi.output(pipelineNames);
        this.driftJobNames = pulumi.output(driftNames);
        this.approverRole = approver.roleName.apply((n) => n ?? trainingNames.approverRole(args.namePrefix));
        this.registerOutputs({ pipelineNames: this.pipelineNames, driftJobNames: this.driftJobNames, approverRole: this.approverRole });
    }
}
