import * as assert from "node:assert/strict";
import { gunzipSync } from "zlib";
import { AzureMlTrainingPipelines } from "../../components/training-pipeline/azure";
import { AzureMlTrainingPipelinesArgs } from "../../components/training-pipeline/azure-args";
import { APP_FILES_ENV, datasetVersionSegment, driftQuery, escapeLogic } from "../../components/training-pipeline/azure-job";
import type { TrainingSpec } from "../../components/training-pipeline/contract";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { prefixCondition } from "../../components/data-pipeline/azure-args";
import { captureResources, ofType, only, rejectedBuild } from "../harness";
import { irisTraining } from "../harness/training";

const spec: TrainingSpec = irisTraining({
    files: { "train.py": "print('train')" },
    datasetPipeline: undefined,
    accelerator: { type: "nvidia-t4", count: 1 },
    servedVersion: undefined,
});
const args = (over: Partial<AzureMlTrainingPipelinesArgs> = {}, t: Partial<TrainingSpec> = {}): AzureMlTrainingPipelinesArgs => ({
    resourceGroupName: "rg",
    location: "swedencentral",
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    subscriptionId: "sub",
    logAnalyticsWorkspaceId: "/logs",
    trainings: [{ ...spec, ...t }],
    workspace: { name: "mlw", id: "/ws", modelsDatastore: "lake_models" },
    lake: {
        accountName: "mlopslake",
        containerNames: { curated: "curated", models: "models" },
        containerIds: { curated: "/lake/curated", models: "/lake/models" },
        blobEventsTopic: { name: "lake-topic" },
    },
    actionGroupId: "/action-group",
    ...over,
});
const roleOf = (r: { inputs: Record<string, any> }) => String(r.inputs.roleDefinitionId).split("/").pop();
const envOf = (job: any): Record<string, string> => job.environmentVariables;

describe("AzureMlTrainingPipelines", () => {
    it("schedules the training job on the model's own cluster: catalog VM size for the accelerator, low priority for spot, the pipeline's identity", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        const compute = only(resources, "azure-native:machinelearningservices:Compute", "training-iris-compute");
        assert.equal(compute.inputs.computeName, "t-iris");
        assert.equal(compute.inputs.properties.properties.vmSize, "Standard_NC4as_T4_v3");
        assert.equal(compute.inputs.properties.properties.vmPriority, "LowPriority");
        assert.equal(compute.inputs.properties.properties.scaleSettings.minNodeCount, 0);
        const identity = only(resources, "azure-native:managedidentity:UserAssignedIdentity");
        assert.deepEqual(compute.inputs.identity.userAssignedIdentities, [identity.id]);

        const schedule = only(resources, "azure-native:machinelearningservices:Schedule", "training-iris-schedule");
        assert.equal(schedule.inputs.name, "iris-train");
        assert.deepEqual(schedule.inputs.properties.trigger, { triggerType: "Cron", expression: "0 4 * * 1", timeZone: "UTC" });
        const job = schedule.inputs.properties.action.jobDefinition;
        assert.equal(job.jobType, "Command");
        assert.equal(job.computeId, compute.id);
        assert.equal(job.identity.identityType, "Managed");
        assert.equal(job.identity.resourceId, identity.id);
        assert.equal(job.limits.timeout, "PT60M");
        const env = envOf(job);
        assert.equal(env.MLOPS_PIPELINE, "iris-train");
        assert.equal(env.MLOPS_SOURCE_URI, "https://mlopslake.blob.core.windows.net/curated/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "https://mlopslake.blob.core.windows.net/models/iris/");
        assert.equal(env.MLOPS_GATE_METRIC, "accuracy");
        assert.equal(env.MLOPS_GATE_THRESHOLD, "0.9");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.equal(env.MLOPS_APPROVAL, "pending", "manual approval registers versions pending");
        assert.equal(env.MLOPS_REGISTRY_URL, "https://management.azure.com/ws/models/iris/versions");
        const files = JSON.parse(gunzipSync(Buffer.from(env[APP_FILES_ENV], "base64")).toString());
        assert.deepEqual(Object.keys(files).sort(), ["mlops-register.py", "train.py"]);
        assert.match(
            job.command,
            /python \/app\/train\.py && python \/app\/mlops-register\.py$/,
            "registration runs only after the gate passed",
        );
    });

    it("registers approved in automatic mode", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args({}, { approval: "automatic" })));
        const schedule = only(resources, "azure-native:machinelearningservices:Schedule");
        assert.equal(envOf(schedule.inputs.properties.action.jobDefinition).MLOPS_APPROVAL, "approved");
    });

    it("gives the pipeline's identity read on the dataset prefix, write on models/<model>/ only, and the registrar role on the workspace, not the approver's", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        const read = only(resources, "azure-native:authorization:RoleAssignment", "training-iris-identity-read-dataset");
        assert.equal(read.inputs.scope, "/lake/curated");
        assert.equal(roleOf(read), BUILTIN_ROLES["Storage Blob Data Reader"]);
        assert.equal(read.inputs.condition, prefixCondition("iris/", false));
        const write = only(resources, "azure-native:authorization:RoleAssignment", "training-iris-identity-write-model");
        assert.equal(write.inputs.scope, "/lake/models");
        assert.equal(roleOf(write), BUILTIN_ROLES["Storage Blob Data Contributor"]);
        assert.equal(write.inputs.condition, prefixCondition("iris/", true));
        const registrar = only(resources, "azure-native:authorization:RoleDefinition", "training-registrar-role");
        const approver = only(resources, "azure-native:authorization:RoleDefinition", "training-approver-role");
        assert.notEqual(registrar.inputs.roleName, approver.inputs.roleName);
        const assigned = only(resources, "azure-native:authorization:RoleAssignment", "training-iris-registrar");
        assert.equal(assigned.inputs.scope, "/ws");
        assert.equal(assigned.inputs.roleDefinitionId, registrar.id);
        assert.ok(
            ofType(resources, "azure-native:authorization:RoleAssignment").every((r) => r.inputs.roleDefinitionId !== approver.id),
            "the approver role is assigned to people (docs/azure.md), never to the pipeline's identities",
        );
    });

    it("starts a new-data run from the lake's Event Grid topic on _manifest.json under the dataset prefix, through a Logic App", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        const sub = only(resources, "azure-native:eventgrid:SystemTopicEventSubscription", "training-iris-new-data");
        assert.equal(sub.inputs.systemTopicName, "lake-topic");
        assert.deepEqual(sub.inputs.filter.includedEventTypes, ["Microsoft.Storage.BlobCreated"]);
        assert.equal(sub.inputs.filter.subjectBeginsWith, "/blobServices/default/containers/curated/blobs/iris/");
        assert.equal(sub.inputs.filter.subjectEndsWith, "/_manifest.json");
        assert.equal(sub.inputs.destination, "[secret]", "the Logic App's callback URL (with its SAS signature) is a secret");
        const workflow = only(resources, "azure-native:logic:Workflow", "training-iris-new-data");
        const submit = workflow.inputs.definition.actions.handshake.else.actions.submit;
        assert.equal(submit.inputs.method, "PUT");
        assert.equal(submit.inputs.authentication.type, "ManagedServiceIdentity");
        const env = submit.inputs.body.properties.environmentVariables;
        assert.equal(env.MLOPS_TRIGGER, "new-data");
        assert.equal(env.MLOPS_DATASET_VERSION, "@{split(first(triggerBody())?['subject'], '/')[7]}");
    });

    it("answers Event Grid's validation handshake synchronously (no splitOn: a splitOn trigger replies 202 before any Response)", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        const definition = only(resources, "azure-native:logic:Workflow", "training-iris-new-data").inputs.definition;
        assert.equal(definition.triggers.manual.splitOn, undefined);
        assert.equal(definition.triggers.manual.inputs.schema.type, "array", "Event Grid posts an array of events");
        const handshake = definition.actions.handshake;
        assert.deepEqual(handshake.expression.and[0].equals, [
            "@first(triggerBody())?['eventType']",
            "Microsoft.EventGrid.SubscriptionValidationEvent",
        ]);
        assert.deepEqual(handshake.actions.validate.inputs, {
            statusCode: 200,
            body: { validationResponse: "@{first(triggerBody())?['data']?['validationCode']}" },
        });
    });

    it("the drift alert's query keeps the lines drift.py prints (json.dumps default separators)", () => {
        // What samples/jobs/drift.py prints: Python's json.dumps puts a space after ':' and ','.
        const line = '{"mlops": "drift", "model": "iris", "feature": "petal_length_cm", "psi": 0.41, "ksP": 0.0003, "drifted": true}';
        const query = driftQuery("iris");
        const filters = Array.from(query.matchAll(/Log has (?:'([^']*)'|"([^"]*)")/g), (m) => m[1] ?? m[2]);
        assert.ok(filters.length > 0);
        for (const literal of filters) assert.ok(line.includes(literal), `the term filter ${literal} must occur in the printed line`);
        assert.match(query, /tostring\(line\.mlops\) == "drift" and tostring\(line\.model\) == "iris" and tobool\(line\.drifted\)/);
    });

    it("runs the drift job on its schedule with the contract's env, alerts the stack's action group per drifted feature, and retrains", async () => {
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        const job = only(resources, "azure-native:app:Job", "training-iris-drift");
        assert.equal(job.inputs.jobName, "iris-drift");
        assert.equal(job.inputs.configuration.scheduleTriggerConfig.cronExpression, "0 * * * *");
        const env = Object.fromEntries(job.inputs.template.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.MLOPS_PIPELINE, "iris-drift");
        assert.equal(env.MLOPS_SOURCE_URI, "https://mlopslake.blob.core.windows.net/models/iris/_capture/");
        assert.equal(env.MLOPS_PSI_THRESHOLD, "0.2");
        assert.equal(env.MLOPS_KS_ALPHA, "0.05");
        assert.deepEqual(job.inputs.template.containers[0].command, ["python", "/app/drift.py"]);
        const alert = only(resources, "azure-native:monitor:ScheduledQueryRule");
        assert.deepEqual(alert.inputs.scopes, ["/logs"]);
        const condition = alert.inputs.criteria.allOf[0];
        assert.match(condition.query, /ContainerAppConsoleLogs/);
        assert.equal(condition.operator, "GreaterThan");
        assert.equal(condition.threshold, 0);
        assert.equal(condition.dimensions[0].name, "feature");
        const retrain = only(resources, "azure-native:monitor:ActionGroup", "training-iris-retrain-group");
        assert.deepEqual(alert.inputs.actions.actionGroups, ["/action-group", retrain.id]);
        const workflow = only(resources, "azure-native:logic:Workflow", "training-iris-retrain");
        assert.equal(retrain.inputs.logicAppReceivers, "[secret]", "the receiver carries the callback URL");
        assert.equal(
            workflow.inputs.definition.actions.fired.actions.submit.inputs.body.properties.environmentVariables.MLOPS_TRIGGER,
            "drift",
        );
    });

    it("without retrain, drift alerts only the stack's action group", async () => {
        const { resources } = await captureResources(
            () => new AzureMlTrainingPipelines("training", args({}, { drift: { ...spec.drift!, retrain: false } })),
        );
        assert.deepEqual(only(resources, "azure-native:monitor:ScheduledQueryRule").inputs.actions.actionGroups, ["/action-group"]);
        assert.equal(ofType(resources, "azure-native:monitor:ActionGroup").length, 0);
    });

    it("delivers approved versions to the GitHub workflow with the token as a secure parameter, only with delivery", async () => {
        const delivery = { repository: "acme/ml", workflow: "promote.yml", branch: "main", stack: "azure-prod", token: "ghp_x" };
        const { resources } = await captureResources(() => new AzureMlTrainingPipelines("training", args({ delivery })));
        const workflow = only(resources, "azure-native:logic:Workflow", "training-delivery");
        assert.equal(workflow.inputs.parameters, "[secret]", "the token never shows in the plan");
        assert.equal(workflow.inputs.definition.parameters.githubToken.type, "SecureString");
        const dispatch = workflow.inputs.definition.actions.deliver_iris.actions.dispatch.inputs;
        assert.equal(dispatch.uri, "https://api.github.com/repos/acme/ml/actions/workflows/promote.yml/dispatches");
        assert.equal(dispatch.headers.Authorization, "Bearer @{parameters('githubToken')}");
        assert.deepEqual(dispatch.body.inputs.stack, "azure-prod");
        assert.match(
            workflow.inputs.definition.actions.approved_iris.inputs.where,
            /lastModifiedBy/,
            "manual: the trainer's own approval is not delivered",
        );
        const none = await captureResources(() => new AzureMlTrainingPipelines("training", args()));
        assert.equal(ofType(none.resources, "azure-native:logic:Workflow").filter((w) => w.name === "training-delivery").length, 0);
    });

    it("escapes literal @ in job values for the Logic App and finds the version segment of a subject", () => {
        assert.deepEqual(escapeLogic({ a: "@decorator", b: "x @{y}", c: ["ok"] }), { a: "@@decorator", b: "x @@{y}", c: ["ok"] });
        assert.equal(datasetVersionSegment("iris/"), 7);
        assert.equal(datasetVersionSegment("a/b/"), 8);
    });

    it("fails when a training sets a runner variable or needs blob events that were not given, before any resource", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new AzureMlTrainingPipelines(
                    "training",
                    args({ lake: { ...args().lake, blobEventsTopic: undefined } }, { env: { MLOPS_TRIGGER: "x" } }),
                ),
            'AzureMlTrainingPipelines "training"',
        );
        assert.match(message, /trainings\[0\]\.env\.MLOPS_TRIGGER/);
        assert.match(message, /trainings\[0\]\.onNewData/);
        assert.deepEqual(registered, []);
    });
});
