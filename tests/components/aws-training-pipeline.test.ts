import * as assert from "node:assert/strict";
import {
    approvedPattern,
    dispatchTemplate,
    manifestCreatedPattern,
    SageMakerTrainingPipelines,
    SageMakerTrainingPipelinesArgs,
    trainingInstanceType,
} from "../../components/training-pipeline/aws";
import type { TrainingSpec } from "../../components/training-pipeline/contract";
import { captureResources, CapturedResource, ofType, only, rejectedBuild } from "../harness";
import { irisTraining } from "../harness/training";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts";
const BUCKETS = { raw: "lake-raw-b", curated: "lake-curated-b", features: "lake-features-b", models: "lake-models-b" };
const T = {
    pipeline: "aws:sagemaker/pipeline:Pipeline",
    role: "aws:iam/role:Role",
    schedule: "aws:scheduler/schedule:Schedule",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    connection: "aws:cloudwatch/eventConnection:EventConnection",
    destination: "aws:cloudwatch/eventApiDestination:EventApiDestination",
    policy: "aws:iam/policy:Policy",
} as const;

const iris: TrainingSpec = irisTraining({
    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
    env: { MLOPS_SEED: "7" },
    accelerator: { type: "nvidia-a10g", count: 1 },
});

const args = (over: Partial<SageMakerTrainingPipelinesArgs> = {}): SageMakerTrainingPipelinesArgs => ({
    trainings: [iris],
    namePrefix: "mlops-test",
    zones: ["raw", "curated", "features", "models"],
    bucketNames: BUCKETS,
    kmsKeyArn: KEY,
    alertTopicArn: TOPIC,
    registeredModels: ["iris"],
    registryHost: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    cachePrefix: "mlops-test-ecr-public",
    protectData: false,
    ...over,
});

async function build(a: SageMakerTrainingPipelinesArgs): Promise<CapturedResource[]> {
    const { resources } = await captureResources(() => new SageMakerTrainingPipelines("training", a));
    return resources;
}

const definition = (r: CapturedResource) => JSON.parse(r.inputs.pipelineDefinition as string);
const inlinePolicy = (role: CapturedResource) => JSON.parse(role.inputs.inlinePolicies[0].policy as string).Statement as any[];
const stmt = (statements: any[], sid: string) => {
    const s = statements.find((x) => x.Sid === sid);
    assert.ok(s, `no statement ${sid}`);
    return s;
};

describe("SageMakerTrainingPipelines", () => {
    it("trains on the stack's accelerator with spot, the platform key and the contract's env, then registers pending approval", async () => {
        const resources = await build(args());
        const pipeline = only(resources, T.pipeline, "training-iris-pipeline");
        assert.equal(pipeline.inputs.pipelineName, "mlops-test-iris-train");
        const def = definition(pipeline);
        const [train, register] = def.Steps;
        assert.equal(train.Type, "Training");
        const a = train.Arguments;
        assert.equal(a.ResourceConfig.InstanceType, trainingInstanceType(iris));
        assert.match(a.ResourceConfig.InstanceType, /^ml\.g5\./);
        assert.equal(a.EnableManagedSpotTraining, true);
        assert.deepEqual(a.StoppingCondition, { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
        // ml.g5 has NVMe instance storage: SageMaker refuses a volume key there (hardware-encrypted); the artifacts keep the key.
        assert.equal("VolumeKmsKeyId" in a.ResourceConfig, false);
        assert.equal(a.OutputDataConfig.KmsKeyId, KEY);
        assert.equal(a.OutputDataConfig.S3OutputPath, "s3://lake-models-b/iris/_sagemaker/");
        assert.equal(
            a.AlgorithmSpecification.TrainingImage,
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-test-ecr-public/docker/library/python:3.12.12-slim-bookworm",
        );
        assert.deepEqual(a.AlgorithmSpecification.ContainerEntrypoint.slice(-2), ["python", "/app/train.py"]);
        assert.match(a.InputDataConfig[0].DataSource.S3DataSource.S3Uri, /^s3:\/\/lake-models-b\/iris\/_code\/[0-9a-f]{16}\/$/);
        assert.deepEqual(
            { ...a.Environment },
            {
                MLOPS_SEED: "7",
                MLOPS_PIPELINE: "mlops-test-iris-train",
                MLOPS_MODEL_NAME: "iris",
                MLOPS_SOURCE_URI: "s3://lake-curated-b/iris/",
                MLOPS_DATASET_VERSION: { Get: "Parameters.DatasetVersion" },
                MLOPS_TARGET_URI: "s3://lake-models-b/iris/",
                MLOPS_GATE_METRIC: "accuracy",
                MLOPS_GATE_THRESHOLD: "0.9",
                MLOPS_TRIGGER: { Get: "Parameters.Trigger" },
                MLOPS_RUN_ID: { Get: "Execution.PipelineExecutionId" },
                AWS_REGION: a.Environment.AWS_REGION,
            },
        );
        assert.equal(register.Type, "RegisterModel");
        assert.equal(register.Arguments.ModelPackageGroupName, "mlops-test-iris");
        assert.deepEqual(register.Arguments.ModelApprovalStatus, { Get: "Parameters.ModelApprovalStatus" });
        assert.equal(def.Parameters.find((p: any) => p.Name === "ModelApprovalStatus").DefaultValue, "PendingManualApproval");
        assert.deepEqual(register.Arguments.ModelPackageDescription, { Get: "Execution.PipelineExecutionId" });
        // The code is uploaded under a content-hash key, encrypted.
        const objects = ofType(resources, T.object);
        assert.deepEqual(objects.map((o) => o.inputs.key.replace(/_code\/[0-9a-f]+\//, "_code/H/")).sort(), [
            "iris/_code/H/drift.py",
            "iris/_code/H/train.py",
        ]);
        for (const o of objects) assert.equal(o.inputs.kmsKeyId, KEY);
    });

    it("registers approved versions when approval is automatic, and trains on CPU without spot when asked", async () => {
        const resources = await build(
            args({ trainings: [{ ...iris, approval: "automatic", accelerator: undefined, spot: false, drift: undefined }] }),
        );
        const def = definition(only(resources, T.pipeline, "training-iris-pipeline"));
        assert.equal(def.Parameters.find((p: any) => p.Name === "ModelApprovalStatus").DefaultValue, "Approved");
        const a = def.Steps[0].Arguments;
        assert.equal(a.ResourceConfig.InstanceType, "ml.m5.large");
        assert.equal(a.ResourceConfig.VolumeKmsKeyId, KEY);
        assert.equal(a.EnableManagedSpotTraining, false);
        assert.deepEqual(a.StoppingCondition, { MaxRuntimeInSeconds: 3600 });
        assert.equal(ofType(resources, T.filter).length, 0);
    });

    it("gives the pipeline one identity: dataset read-only, models/<model>/ read-write, its group to register in, never approval", async () => {
        const resources = await build(args());
        const role = only(resources, T.role, "training-iris-role");
        assert.equal(role.inputs.tags["mlops-training"], "iris");
        const s = inlinePolicy(role);
        assert.deepEqual(stmt(s, "ReadDataset").Action, ["s3:GetObject", "s3:GetObjectVersion"]);
        assert.equal(stmt(s, "ReadDataset").Resource, "arn:aws:s3:::lake-curated-b/iris/*");
        assert.deepEqual(stmt(s, "ListDataset").Condition, { StringLike: { "s3:prefix": ["iris/", "iris/*"] } });
        assert.equal(stmt(s, "ReadWriteModel").Resource, "arn:aws:s3:::lake-models-b/iris/*");
        assert.equal(stmt(s, "NeverRewriteCode").Effect, "Deny");
        assert.deepEqual(stmt(s, "NeverApprove"), {
            Sid: "NeverApprove",
            Effect: "Deny",
            Action: "sagemaker:UpdateModelPackage",
            Resource: "*",
        });
        assert.ok(stmt(s, "RegisterVersions").Action.includes("sagemaker:CreateModelPackage"));
        assert.ok(stmt(s, "RegisterVersions").Resource.every((r: string) => /model-package(-group)?\/mlops-test-iris(\/\*)?$/.test(r)));
        const writes = s.filter((x) => x.Effect === "Allow" && [x.Action].flat().some((act: string) => act === "s3:PutObject"));
        assert.deepEqual(
            writes.map((x) => x.Resource),
            ["arn:aws:s3:::lake-models-b/iris/*"],
        );
        assert.ok(
            !s.some(
                (x) => x.Effect === "Allow" && [x.Action].flat().some((act: string) => /UpdateModelPackage|^sagemaker:\*$|^\*$/.test(act)),
            ),
        );
        // The approver policy is the separate identity that may approve.
        const approver = only(resources, T.policy);
        const ap = JSON.parse(approver.inputs.policy).Statement;
        assert.deepEqual(ap[0].Action, ["sagemaker:UpdateModelPackage", "sagemaker:DescribeModelPackage"]);
        assert.match(ap[0].Resource[0], /model-package\/mlops-test-iris\/\*$/);
    });

    it("starts training on its schedule and on a dataset version's manifest, with a role that may start only its pipelines", async () => {
        const resources = await build(args());
        const schedule = only(resources, T.schedule, "training-iris-schedule");
        assert.equal(schedule.inputs.scheduleExpression, "cron(0 4 ? * MON *)");
        assert.equal(schedule.inputs.kmsKeyArn, KEY);
        assert.match(schedule.inputs.target.arn, /:pipeline\/training-iris-pipeline-/);
        assert.deepEqual(schedule.inputs.target.sagemakerPipelineParameters, {
            pipelineParameters: [{ name: "Trigger", value: "schedule" }],
        });
        const rule = only(resources, T.rule, "training-iris-new-data");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern), manifestCreatedPattern("lake-curated-b", "iris/"));
        const target = only(resources, T.target, "training-iris-new-data-target");
        assert.deepEqual(target.inputs.sagemakerPipelineTarget, { pipelineParameterLists: [{ name: "Trigger", value: "new-data" }] });
        const starter = only(resources, T.role, "training-iris-starter");
        const s = inlinePolicy(starter);
        assert.equal(s.length, 1);
        assert.equal(s[0].Action, "sagemaker:StartPipelineExecution");
        assert.equal(s[0].Resource.length, 2);
        assert.match(s[0].Resource[0], /:pipeline\/training-iris-pipeline-/);
        assert.match(s[0].Resource[1], /:pipeline\/training-iris-drift-pipeline-/);
    });

    it("turns the drift job's lines into a metric per feature, alarms to the alert topic, and retrains on the alarm", async () => {
        const resources = await build(args());
        const drift = definition(only(resources, T.pipeline, "training-iris-drift-pipeline"));
        const step = drift.Steps[0];
        assert.equal(step.Type, "Processing");
        assert.equal(step.Arguments.Environment.MLOPS_SOURCE_URI, "s3://lake-models-b/iris/_capture/");
        assert.equal(step.Arguments.Environment.MLOPS_MODEL_VERSION, "20261203T101500Z-1a2b3c4d");
        assert.equal(step.Arguments.Environment.MLOPS_PSI_THRESHOLD, "0.2");
        assert.equal(step.Arguments.Environment.MLOPS_KS_ALPHA, "0.05");
        assert.deepEqual(step.Arguments.AppSpecification.ContainerEntrypoint.slice(-2), ["python", "/app/drift.py"]);
        assert.equal(step.Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId, KEY);
        const feature = only(resources, T.filter, "training-iris-drift-feature");
        assert.equal(feature.inputs.pattern, '{ ($.mlops = "drift") && ($.model = "iris") }');
        assert.deepEqual(feature.inputs.metricTransformation.dimensions, { model: "$.model", feature: "$.feature" });
        const summary = only(resources, T.filter, "training-iris-drift-summary");
        assert.equal(summary.inputs.metricTransformation.value, "$.driftedFeatures");
        const alarm = only(resources, T.alarm, "training-iris-drift-alarm");
        assert.deepEqual(alarm.inputs.alarmActions, [TOPIC]);
        assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(alarm.inputs.threshold, 0);
        const retrain = only(resources, T.target, "training-iris-drift-retrain-target");
        assert.match(retrain.inputs.arn, /:pipeline\/training-iris-pipeline-/);
        assert.deepEqual(retrain.inputs.sagemakerPipelineTarget, { pipelineParameterLists: [{ name: "Trigger", value: "drift" }] });
        const driftRole = inlinePolicy(only(resources, T.role, "training-iris-drift-role"));
        assert.equal(stmt(driftRole, "WriteDriftRecords").Resource, "arn:aws:s3:::lake-models-b/iris/_drift/*");
        assert.equal(stmt(driftRole, "NeverApprove").Effect, "Deny");
    });

    it("without retrain, drift alarms but starts nothing", async () => {
        const resources = await build(args({ trainings: [{ ...iris, drift: { ...iris.drift!, retrain: false } }] }));
        assert.equal(ofType(resources, T.alarm).length, 1);
        assert.equal(ofType(resources, T.target).filter((t) => t.name.includes("retrain")).length, 0);
    });

    it("delivers approved versions to the GitHub workflow dispatch, only when delivery is given", async () => {
        assert.equal(ofType(await build(args()), T.destination).length, 0);
        const resources = await build(
            args({ delivery: { repository: "acme/ml", workflow: "promote.yml", branch: "main", stack: "aws-prod", token: "ghp_x" } }),
        );
        const destination = only(resources, T.destination);
        assert.equal(
            destination.inputs.invocationEndpoint,
            "https://api.github.com/repos/acme/ml/actions/workflows/promote.yml/dispatches",
        );
        assert.equal(destination.inputs.httpMethod, "POST");
        const connection = only(resources, T.connection);
        assert.equal(connection.inputs.authorizationType, "API_KEY");
        assert.equal(connection.inputs.kmsKeyIdentifier, KEY);
        const rule = only(resources, T.rule, "training-iris-approved");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern), approvedPattern("mlops-test-iris"));
        const target = only(resources, T.target, "training-iris-approved-dispatch");
        assert.deepEqual(target.inputs.inputTransformer.inputPaths, { version: "$.detail.ModelPackageDescription" });
        assert.equal(target.inputs.inputTransformer.inputTemplate, dispatchTemplate({ branch: "main", stack: "aws-prod", model: "iris" }));
        assert.equal(
            dispatchTemplate({ branch: "main", stack: "aws-prod", model: "iris" }).replace("<version>", '"abc123"'),
            JSON.stringify({ ref: "main", inputs: { stack: "aws-prod", model: "iris", version: "abc123" } }),
        );
        assert.equal(target.inputs.httpTarget.headerParameters.Accept, "application/vnd.github+json");
    });

    it("runs Autopilot for mode automl, gated on the best candidate, registering it", async () => {
        const resources = await build(
            args({
                trainings: [
                    {
                        ...iris,
                        mode: "automl",
                        metric: "f1Macro",
                        drift: undefined,
                        servedVersion: undefined, // an Autopilot model is not served from the lake
                        automl: { targetColumn: "species", problemType: "classification", maxRuntimeMinutes: 120 },
                    },
                ],
            }),
        );
        const def = definition(only(resources, T.pipeline, "training-iris-pipeline"));
        const [automl, gate] = def.Steps;
        assert.equal(automl.Type, "AutoML");
        assert.equal(automl.Arguments.AutoMLJobObjective.MetricName, "F1macro");
        assert.equal(automl.Arguments.InputDataConfig[0].TargetAttributeName, "species");
        assert.equal(automl.Arguments.AutoMLJobConfig.CompletionCriteria.MaxAutoMLJobRuntimeInSeconds, 7200);
        assert.equal(automl.Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId, KEY);
        assert.equal(gate.Type, "Condition");
        assert.equal(gate.Arguments.Conditions[0].Type, "GreaterThanOrEqualTo");
        assert.equal(gate.Arguments.Conditions[0].RightValue, 0.9);
        assert.equal(gate.Arguments.IfSteps[0].Type, "RegisterModel");
        assert.equal(gate.Arguments.ElseSteps[0].Type, "Fail");
        const s = inlinePolicy(only(resources, T.role, "training-iris-role"));
        assert.ok(stmt(s, "RunOwnJobs").Action.includes("sagemaker:CreateAutoMLJob"));
    });

    it("fails before creating anything on an image SageMaker cannot pull and an unregistered model", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new SageMakerTrainingPipelines(
                    "training",
                    args({
                        trainings: [
                            { ...iris, image: "python:3.12.12-slim-bookworm" },
                            { ...iris, model: "wine" },
                        ],
                    }),
                ),
            'SageMakerTrainingPipelines "training"',
        );
        assert.match(message, /trainings\[0\]\.image.*not in Amazon ECR/);
        assert.match(message, /trainings\[1\]\.model.*no model package group/);
        assert.deepEqual(registered, []);
    });
});
