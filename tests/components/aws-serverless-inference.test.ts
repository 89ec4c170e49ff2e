import * as assert from "node:assert/strict";
import {
    LambdaInference,
    LambdaInferenceArgs,
    SageMakerInference,
    SageMakerInferenceArgs,
} from "../../components/serverless-inference/aws";
import { ENDPOINT_GENERATION_BYTES, endpointName, modelTarball } from "../../components/serverless-inference/aws-sagemaker";
import { mockRandomIdHex } from "../../stacks/plan/mocks/kubernetes";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts";
const CONFIG = { "aws:region": "eu-west-1" };
const iris: ModelServingSpec = {
    name: "iris",
    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
    port: 8080,
    files: { "model.json": "{}" },
    env: { LOG_LEVEL: "info" },
    healthPath: "/healthz",
    cpuMillicores: 250,
    memoryMiB: 256,
    minReplicas: 0,
    maxReplicas: 3,
    concurrency: 80,
};

async function build(create: () => { endpoints: unknown }) {
    return capture({ project: "mlops", stack: "test", config: CONFIG }, () => ({ endpoints: create().endpoints }));
}

async function rejected(create: () => void): Promise<string> {
    let error: unknown;
    const result = await capture({ project: "mlops", stack: "test", config: CONFIG }, () => {
        try {
            create();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.deepEqual(
        result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
    );
    return error.message;
}

/** The parts of a metric-math alarm that decide when it fires. */
function rateInputs(a: any) {
    return {
        metrics: a.metricQueries
            .filter((q: any) => q.metric)
            .map((q: any) => [
                q.id,
                q.metric.namespace,
                q.metric.metricName,
                q.metric.dimensions,
                q.metric.stat,
                q.metric.period,
                q.returnData,
            ]),
        expression: a.metricQueries.filter((q: any) => q.expression).map((q: any) => [q.id, q.expression, q.returnData])[0],
        condition: [a.comparisonOperator, a.threshold, a.evaluationPeriods, a.datapointsToAlarm, a.treatMissingData],
    };
}

const lambdaArgs: LambdaInferenceArgs = {
    models: [iris],
    namePrefix: "mlops-test",
    code: { iris: { handler: "handler.handler", runtime: "python3.13", files: { "handler.py": "def handler(e, c):\n    return 1\n" } } },
    kmsKeyArn: KEY,
    vpcId: "vpc-1",
    vpcCidrBlock: "10.40.0.0/16",
    subnetIds: ["subnet-a", "subnet-b"],
    alarmTopicArn: TOPIC,
};

describe("LambdaInference", () => {
    let resources: CapturedResource[];
    let outputs: any;
    before(async () => ({ resources, outputs } = await build(() => new LambdaInference("inference", lambdaArgs))));

    it("runs the zip package in the private subnets with an explicit timeout, tracing, reserved concurrency and an encrypted environment", () => {
        const fn = only(resources, "aws:lambda/function:Function").inputs;
        assert.deepEqual(
            [fn.runtime, fn.handler, fn.timeout, fn.memorySize, fn.reservedConcurrentExecutions],
            ["python3.13", "handler.handler", 30, 256, 3],
        );
        assert.deepEqual(fn.tracingConfig, { mode: "Active" });
        assert.equal(fn.kmsKeyArn, KEY);
        assert.deepEqual(fn.vpcConfig, { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["inference-sg-id"] });
        assert.deepEqual(fn.environment, { variables: { MODEL_NAME: "iris", LOG_LEVEL: "info" } });
        assert.deepEqual(fn.loggingConfig, { logFormat: "JSON", logGroup: "/mlops-test/lambda/iris" });
        assert.deepEqual(fn.code, { asset: "[inline]" }, "an inline archive built from the package files");
    });

    it("answers on a function URL that requires IAM auth (CKV_AWS_258)", () => {
        const url = only(resources, "aws:lambda/functionUrl:FunctionUrl").inputs;
        assert.equal(url.authorizationType, "AWS_IAM");
        assert.match(outputs.endpoints.iris, /^https:\/\/[0-9a-f]+\.lambda-url\.eu-west-1\.on\.aws\/$/);
    });

    it("sends failed asynchronous invocations, without retries, to a KMS-encrypted dead-letter queue", () => {
        const queue = only(resources, "aws:sqs/queue:Queue");
        assert.equal(queue.inputs.kmsMasterKeyId, KEY);
        const fn = only(resources, "aws:lambda/function:Function").inputs;
        assert.match(fn.deadLetterConfig.targetArn, /:queue\/inference-iris-dlq-/);
        const async = only(resources, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").inputs;
        assert.deepEqual([async.maximumRetryAttempts, async.destinationConfig.onFailure.destination], [0, fn.deadLetterConfig.targetArn]);
    });

    it("grants the function its own log group, queue and key, and no wildcard action", () => {
        const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
        for (const s of statements) for (const a of [s.Action].flat()) assert.ok(!a.endsWith("*"), `${s.Sid}: ${a}`);
        const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
        assert.equal(bySid.WriteOwnLogs.Resource, "arn:aws:logs:eu-west-1:123456789012:log-group:/mlops-test/lambda/iris:*");
        assert.equal(bySid.UsePlatformKey.Resource, KEY);
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepEqual([logs.retentionInDays, logs.kmsKeyId], [365, KEY]);
    });

    it("lets the functions out only to HTTPS inside the VPC", () => {
        const egress = only(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").inputs;
        assert.deepEqual([egress.fromPort, egress.toPort, egress.cidrIpv4], [443, 443, "10.40.0.0/16"]);
        assert.equal(ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length, 0);
    });

    it("alarms on the error rate (metric math), throttles and p99 duration, never on no traffic", () => {
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "inference-iris-errors-alarm",
            "inference-iris-latency-alarm",
            "inference-iris-throttles-alarm",
        ]);
        const errors = alarms.find((a) => a.name === "inference-iris-errors-alarm")!.inputs;
        // The function's auto-generated name, as the mock engine resolves it.
        const fn = errors.metricQueries[0].metric.dimensions.FunctionName;
        assert.match(fn, /^inference-iris-fn-[0-9a-f]{7}$/);
        assert.deepEqual(rateInputs(errors), {
            metrics: [
                ["errors", "AWS/Lambda", "Errors", { FunctionName: fn }, "Sum", 300, false],
                ["requests", "AWS/Lambda", "Invocations", { FunctionName: fn }, "Sum", 300, false],
            ],
            expression: ["rate", "100 * errors / MAX([errors, requests])", true],
            condition: ["GreaterThanOrEqualToThreshold", 5, 3, 2, "notBreaching"],
        });
        assert.deepEqual(
            [errors.metricName, errors.period, errors.statistic],
            [undefined, undefined, undefined],
            "a metric-math alarm names no metric of its own",
        );
        const single = alarms
            .filter((a) => a.name !== "inference-iris-errors-alarm")
            .map((a) => [
                a.inputs.metricName,
                a.inputs.extendedStatistic ?? a.inputs.statistic,
                a.inputs.threshold,
                a.inputs.period,
                a.inputs.evaluationPeriods,
                a.inputs.datapointsToAlarm,
                a.inputs.treatMissingData,
            ]);
        assert.deepEqual(single.sort(), [
            ["Duration", "p99", 24000, 300, 3, 3, "notBreaching"],
            ["Throttles", "Sum", 1, 300, 1, 1, "notBreaching"],
        ]);
        for (const a of alarms) assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions], [[TOPIC], [TOPIC]]);
    });

    it("takes the error-rate threshold from errorRatePercent", async () => {
        const { resources: r } = await build(() => new LambdaInference("inference", { ...lambdaArgs, errorRatePercent: 1.5 }));
        assert.equal(
            ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name === "inference-iris-errors-alarm")!.inputs.threshold,
            1.5,
        );
    });

    it("fails when errorRatePercent is not a percentage above 0", async () => {
        const message = await rejected(() => new LambdaInference("inference", { ...lambdaArgs, errorRatePercent: 0 }));
        assert.match(message, /errorRatePercent: must be a percentage above 0 and at most 100 \(got 0\)/);
    });

    it("leaves concurrency unreserved when asked (new accounts cannot reserve any)", async () => {
        const { resources: r } = await build(() => new LambdaInference("inference", { ...lambdaArgs, reserveConcurrency: false }));
        assert.equal(only(r, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions, undefined);
    });

    it("fails without code, with a wrong handler or runtime, clashing files, warm instances or an accelerator", async () => {
        const message = await rejected(
            () =>
                new LambdaInference("inference", {
                    ...lambdaArgs,
                    timeoutSeconds: 901,
                    models: [
                        { ...iris, minReplicas: 1, accelerator: { type: "nvidia-t4", count: 1 } },
                        { ...iris, name: "churn" },
                    ],
                    code: { iris: { handler: "main.run", runtime: "python2.7", files: { "handler.py": "x", "model.json": "other" } } },
                }),
        );
        for (const p of [
            /^LambdaInference "inference" is invalid \(7 problems\)/,
            /timeoutSeconds: must be a whole number of seconds from 1 to 900/,
            /models\[0\]\.minReplicas: asks for warm instances/,
            /models\[0\]\.accelerator: aws\/lambda nvidia-t4: lambda runs on CPU only and takes no accelerator\. In this project an accelerator needs serverlessInference "sagemaker-endpoint"/,
            /code\.iris\.runtime: is not a Lambda runtime this stack supports/,
            /code\.iris\.files: is also one of the model's files/,
            /code\.iris\.handler: does not name a file and function in the package/,
            /code\.churn: is missing: Lambda runs a zip package/,
        ]) {
            assert.match(message, p);
        }
    });
});

const artifacts = { iris: { files: { "model.json": "{}" }, code: { "inference.py": "def model_fn(d):\n    return {}\n" } } };
const INF2_ENDPOINT = endpointName("mlops-test", "iris", mockRandomIdHex({ instanceType: "ml.inf2.xlarge" }, ENDPOINT_GENERATION_BYTES));
const sagemakerArgs: SageMakerInferenceArgs = {
    models: [{ ...iris, minReplicas: 0, maxReplicas: 4, accelerator: { type: "aws-inferentia2", count: 1 } }],
    namePrefix: "mlops-test",
    artifacts,
    artifactBucketName: "lake-models",
    kmsKeyArn: KEY,
    dataCaptureBucketName: "lake-models",
    dataCaptureSamplingPercent: 20,
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    minInstanceCount: 2,
    alarmTopicArn: TOPIC,
};

describe("SageMakerInference (sagemaker-endpoint)", () => {
    let resources: CapturedResource[];
    let outputs: any;
    before(async () => ({ resources, outputs } = await build(() => new SageMakerInference("inference", sagemakerArgs))));

    it("serves on the catalog's Inferentia2 instance with at least minInstanceCount instances, volumes encrypted with the key", () => {
        const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
        assert.deepEqual(config.productionVariants, [
            {
                variantName: "AllTraffic",
                modelName: config.productionVariants[0].modelName,
                instanceType: "ml.inf2.xlarge",
                initialInstanceCount: 2,
                initialVariantWeight: 1,
            },
        ]);
        assert.match(config.productionVariants[0].modelName, /^inference-iris-model-[0-9a-f]{7}$/);
        assert.equal(config.kmsKeyArn, KEY);
        assert.equal(config.name, undefined, "auto-named, so a changed configuration is created before the old one is deleted");
    });

    it("runs the AWS Neuron PyTorch container in the VPC with network isolation, from the uploaded artifact", () => {
        const model = only(resources, "aws:sagemaker/model:Model").inputs;
        assert.equal(
            model.primaryContainer.image,
            "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference-neuronx:2.1.2-neuronx-py310-sdk2.20.2-ubuntu20.04",
        );
        assert.equal(model.enableNetworkIsolation, true);
        assert.deepEqual(model.vpcConfig, { subnets: ["subnet-a", "subnet-b"], securityGroupIds: ["inference-sg-id"] });
        assert.deepEqual(model.primaryContainer.environment, {
            SAGEMAKER_PROGRAM: "inference.py",
            SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
            SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
            MODEL_NAME: "iris",
            LOG_LEVEL: "info",
        });
        const object = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2").inputs;
        assert.equal(model.primaryContainer.modelDataUrl, `s3://lake-models/${object.key}`);
        assert.deepEqual([object.serverSideEncryption, object.kmsKeyId], ["aws:kms", KEY]);
        assert.equal(object.contentBase64, modelTarball(artifacts.iris).toString("base64"));
    });

    it("creates the endpoint's log group first, encrypted and kept a year, so SageMaker does not create one that never expires", () => {
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepEqual([logs.name, logs.retentionInDays, logs.kmsKeyId], [`/aws/sagemaker/Endpoints/${INF2_ENDPOINT}`, 365, KEY]);
    });

    it("keeps the old endpoint's log group when a new accelerator replaces the endpoint: retained and skipDestroy, never protected", async () => {
        const { resources: g5 } = await build(
            () =>
                new SageMakerInference("inference", {
                    ...sagemakerArgs,
                    models: [{ ...sagemakerArgs.models[0], accelerator: { type: "nvidia-a10g", count: 1 } }],
                }),
        );
        const before = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        const after = only(g5, "aws:cloudwatch/logGroup:LogGroup");
        // Same logical resource, new physical name: Pulumi replaces it. The old group must outlive that.
        assert.equal(after.urn, before.urn);
        assert.notEqual(after.inputs.name, before.inputs.name);
        assert.equal(after.inputs.name, `/aws/sagemaker/Endpoints/${only(g5, "aws:sagemaker/endpoint:Endpoint").inputs.name}`);
        for (const group of [before, after]) {
            assert.deepEqual(
                [group.inputs.skipDestroy, group.options.retainOnDelete],
                [true, true],
                "the replaced group is kept and expires by its retention",
            );
            assert.equal(group.options.protect, false, "protect would block the routine replacement");
        }
    });

    it("names the endpoint after a random generation drawn anew with each instance type, so going back to an earlier one never collides with its kept log group", async () => {
        const generation = only(resources, "random:index/randomId:RandomId");
        assert.deepEqual(
            [generation.inputs.keepers, generation.inputs.byteLength],
            [{ instanceType: "ml.inf2.xlarge" }, ENDPOINT_GENERATION_BYTES],
        );
        const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint").inputs;
        assert.equal(
            endpoint.name,
            endpointName("mlops-test", "iris", mockRandomIdHex(generation.inputs.keepers, ENDPOINT_GENERATION_BYTES)),
        );
        // The name depends on the generation only: the same generation under another instance type names nothing new.
        assert.equal(endpointName("mlops-test", "iris", "abc123"), "mlops-test-iris-abc123");
    });

    it("fits the longest endpoint name with its generation into SageMaker's 63 characters", () => {
        const name = endpointName("mlops-" + "x".repeat(40), "m".repeat(24), "f".repeat(2 * ENDPOINT_GENERATION_BYTES));
        assert.ok(name.length <= 63, `${name.length}`);
        assert.match(name, /-ffffff$/);
    });

    it("captures requests and responses into the lake, encrypted", () => {
        const capture = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.dataCaptureConfig;
        assert.deepEqual(capture, {
            enableCapture: true,
            initialSamplingPercentage: 20,
            destinationS3Uri: "s3://lake-models/data-capture/iris",
            kmsKeyId: KEY,
            captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
            captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
        });
        const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
        assert.deepEqual(
            statements.find((s: any) => s.Sid === "WriteCapturedData").Resource,
            "arn:aws:s3:::lake-models/data-capture/iris/*",
        );
        assert.deepEqual(statements.find((s: any) => s.Sid === "PullServingImage").Resource, [
            "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference-neuronx",
        ]);
        // SageMaker reads the rollback alarm as the execution role during a blue/green deploy: that alarm only.
        const readAlarms = statements.find((s: any) => s.Sid === "ReadRollbackAlarms");
        assert.deepEqual(
            [readAlarms.Action, readAlarms.Resource],
            ["cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:inference-iris-rollback-alarm*"],
        );
    });

    it("autoscales instances on invocations from the floor to maxReplicas", () => {
        const target = only(resources, "aws:appautoscaling/target:Target").inputs;
        assert.deepEqual(
            [target.serviceNamespace, target.scalableDimension, target.resourceId, target.minCapacity, target.maxCapacity],
            ["sagemaker", "sagemaker:variant:DesiredInstanceCount", `endpoint/${INF2_ENDPOINT}/variant/AllTraffic`, 2, 4],
        );
        const policy = only(resources, "aws:appautoscaling/policy:Policy").inputs.targetTrackingScalingPolicyConfiguration;
        assert.equal(policy.predefinedMetricSpecification.predefinedMetricType, "SageMakerVariantInvocationsPerInstance");
    });

    it("updates blue/green and rolls back on a separate alarm: a 5XX rate sustained in 3 of 5 minutes of the bake", () => {
        const endpoint = only(resources, "aws:sagemaker/endpoint:Endpoint").inputs;
        assert.equal(endpoint.name, INF2_ENDPOINT);
        assert.match(INF2_ENDPOINT, /^mlops-test-iris-[0-9a-f]{6}$/);
        const dimensions = { EndpointName: INF2_ENDPOINT, VariantName: "AllTraffic" };
        const rollback = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
            (a) => a.name === "inference-iris-rollback-alarm",
        )!;
        assert.deepEqual(rateInputs(rollback.inputs), {
            metrics: [
                ["errors", "AWS/SageMaker", "Invocation5XXErrors", dimensions, "Sum", 60, false],
                ["requests", "AWS/SageMaker", "Invocations", dimensions, "Sum", 60, false],
            ],
            expression: ["rate", "100 * errors / MAX([errors, requests])", true],
            condition: ["GreaterThanOrEqualToThreshold", 5, 5, 3, "notBreaching"],
        });
        assert.match(
            endpoint.deploymentConfig.autoRollbackConfiguration.alarms[0].alarmName,
            /^inference-iris-rollback-alarm-[0-9a-f]{7}$/,
        );
        assert.equal(endpoint.deploymentConfig.autoRollbackConfiguration.alarms.length, 1);
        // The bake (wait interval) spans the alarm's 5 one-minute periods, so it can fire before SageMaker moves on.
        assert.deepEqual(endpoint.deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration, {
            type: "ALL_AT_ONCE",
            waitIntervalInSeconds: 300,
        });
        assert.equal(outputs.endpoints.iris, `https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/${INF2_ENDPOINT}/invocations`);
    });

    it("alarms on 5XX and 4XX rates over 2 of 3 five-minute periods and on p99 model latency", () => {
        const dimensions = { EndpointName: INF2_ENDPOINT, VariantName: "AllTraffic" };
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "inference-iris-errors-alarm",
            "inference-iris-latency-alarm",
            "inference-iris-rejected-alarm",
            "inference-iris-rollback-alarm",
        ]);
        const byName = (n: string) => alarms.find((a) => a.name === `inference-iris-${n}-alarm`)!.inputs;
        const requests = ["requests", "AWS/SageMaker", "Invocations", dimensions, "Sum", 300, false];
        const condition = ["GreaterThanOrEqualToThreshold", 5, 3, 2, "notBreaching"];
        const expression = ["rate", "100 * errors / MAX([errors, requests])", true];
        assert.deepEqual(rateInputs(byName("errors")), {
            metrics: [["errors", "AWS/SageMaker", "Invocation5XXErrors", dimensions, "Sum", 300, false], requests],
            expression,
            condition,
        });
        assert.deepEqual(rateInputs(byName("rejected")), {
            metrics: [["errors", "AWS/SageMaker", "Invocation4XXErrors", dimensions, "Sum", 300, false], requests],
            expression,
            condition,
        });
        assert.match(byName("rejected").alarmDescription, /4XX from the model .*no throttle metric/);
        const latency = byName("latency");
        assert.deepEqual(
            [
                latency.metricName,
                latency.extendedStatistic,
                latency.threshold,
                latency.period,
                latency.evaluationPeriods,
                latency.datapointsToAlarm,
                latency.dimensions,
            ],
            ["ModelLatency", "p99", 1_000_000, 300, 3, 3, dimensions],
        );
        for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, [TOPIC], a.name);
    });

    it("applies errorRatePercent to the errors, rejected and rollback alarms", async () => {
        const { resources: r } = await build(() => new SageMakerInference("inference", { ...sagemakerArgs, errorRatePercent: 2 }));
        const thresholds = ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.name, a.inputs.threshold]);
        assert.deepEqual(thresholds.sort(), [
            ["inference-iris-errors-alarm", 2],
            ["inference-iris-latency-alarm", 1_000_000],
            ["inference-iris-rejected-alarm", 2],
            ["inference-iris-rollback-alarm", 2],
        ]);
    });

    it("fails when errorRatePercent is above 100", async () => {
        const message = await rejected(() => new SageMakerInference("inference", { ...sagemakerArgs, errorRatePercent: 101 }));
        assert.match(message, /errorRatePercent: must be a percentage above 0 and at most 100 \(got 101\)/);
    });

    it("makes a new endpoint for a new instance type (SageMaker refuses to move an autoscaled variant), but keeps it for a new model version", async () => {
        const endpointOf = (r: CapturedResource[]) => only(r, "aws:sagemaker/endpoint:Endpoint").inputs.name;
        const { resources: g5 } = await build(
            () =>
                new SageMakerInference("inference", {
                    ...sagemakerArgs,
                    models: [{ ...sagemakerArgs.models[0], accelerator: { type: "nvidia-a10g", count: 1 } }],
                }),
        );
        assert.notEqual(endpointOf(g5), endpointOf(resources));
        const newVersion = { iris: { ...artifacts.iris, files: { "model.json": '{"v": 2}' } } };
        const { resources: v2 } = await build(() => new SageMakerInference("inference", { ...sagemakerArgs, artifacts: newVersion }));
        assert.equal(endpointOf(v2), endpointOf(resources));
        assert.notEqual(
            only(v2, "aws:s3/bucketObjectv2:BucketObjectv2").inputs.key,
            only(resources, "aws:s3/bucketObjectv2:BucketObjectv2").inputs.key,
            "a new version is a new artifact key, so a new model and configuration",
        );
    });

    it("leaves the volume key out on instance types with NVMe storage (nvidia-a10g is ml.g5), which SageMaker refuses", async () => {
        const { resources: g5 } = await build(
            () =>
                new SageMakerInference("inference", {
                    ...sagemakerArgs,
                    models: [{ ...sagemakerArgs.models[0], accelerator: { type: "nvidia-a10g", count: 1 } }],
                }),
        );
        const config = only(g5, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
        assert.equal(config.productionVariants[0].instanceType, "ml.g5.xlarge");
        assert.equal(config.kmsKeyArn, undefined);
        assert.equal(config.dataCaptureConfig.kmsKeyId, KEY, "captured data is still encrypted with the key");
        assert.match(
            only(g5, "aws:sagemaker/model:Model").inputs.primaryContainer.image,
            /pytorch-inference:2\.6\.0-gpu-py312-cu124-ubuntu22\.04-sagemaker$/,
        );
    });

    it("fails on accelerators the endpoint does not offer, missing code, foreign images and missing networking", async () => {
        const message = await rejected(
            () =>
                new SageMakerInference("inference", {
                    ...sagemakerArgs,
                    subnetIds: undefined,
                    minInstanceCount: 0,
                    images: { churn: "docker.io/library/python:3.12" },
                    artifacts: { iris: { files: {}, code: {} } },
                    models: [
                        { ...iris, accelerator: { type: "google-tpu-v5e", count: 1 } },
                        { ...iris, name: "churn" },
                    ],
                }),
        );
        for (const p of [
            /minInstanceCount: must be a whole number of at least 1/,
            /subnetIds: are required for real-time endpoints/,
            /models\[0\]\.accelerator: aws\/sagemaker-endpoint google-tpu-v5e: google-tpu-v5e exists only on Google Cloud/,
            /artifacts\.iris\.code: lacks inference\.py/,
            /images\.churn: is not a pinned ECR image/,
            /artifacts\.churn: is missing/,
        ]) {
            assert.match(message, p);
        }
    });
});

describe("SageMakerInference (sagemaker-serverless)", () => {
    let resources: CapturedResource[];
    before(
        async () =>
            ({ resources } = await build(
                () =>
                    new SageMakerInference("inference", {
                        ...sagemakerArgs,
                        serverless: true,
                        models: [{ ...iris, memoryMiB: 3000, minReplicas: 1, maxReplicas: 5 }],
                    }),
            )),
    );

    it("serves from a serverless variant sized from the model: memory in GB steps, concurrency, provisioned floor", () => {
        const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
        assert.deepEqual(config.productionVariants[0].serverlessConfig, {
            memorySizeInMb: 3072,
            maxConcurrency: 5,
            provisionedConcurrency: 1,
        });
        assert.equal(config.productionVariants[0].instanceType, undefined);
        assert.equal(config.kmsKeyArn, KEY);
        assert.equal(config.dataCaptureConfig, undefined, "serverless endpoints take no data capture");
        const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
        assert.equal(
            statements.find((s: any) => s.Sid === "ReadRollbackAlarms"),
            undefined,
            "no blue/green rollback, no alarm to read",
        );
    });

    it("runs the CPU PyTorch container without VPC or network isolation, which serverless endpoints refuse, and without autoscaling resources", () => {
        const model = only(resources, "aws:sagemaker/model:Model").inputs;
        assert.match(model.primaryContainer.image, /pytorch-inference:2\.6\.0-cpu-py312-ubuntu22\.04-sagemaker$/);
        assert.equal(model.vpcConfig, undefined);
        assert.equal(model.enableNetworkIsolation, false);
        assert.equal(ofType(resources, "aws:appautoscaling/target:Target").length, 0);
        assert.equal(ofType(resources, "aws:ec2/securityGroup:SecurityGroup").length, 0);
        assert.equal(only(resources, "aws:sagemaker/endpoint:Endpoint").inputs.deploymentConfig, undefined);
    });

    it("keeps its log group too (a switch to sagemaker-endpoint renames it)", () => {
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual([logs.inputs.skipDestroy, logs.options.retainOnDelete, logs.options.protect], [true, true, false]);
    });

    it("alarms on errors, rejected requests and latency, with no rollback alarm (no blue/green update to roll back)", () => {
        assert.deepEqual(
            ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
                .map((a) => a.name)
                .sort(),
            ["inference-iris-errors-alarm", "inference-iris-latency-alarm", "inference-iris-rejected-alarm"],
        );
    });

    it("fails on GPUs and on memory above 6 GB", async () => {
        const message = await rejected(
            () =>
                new SageMakerInference("inference", {
                    ...sagemakerArgs,
                    serverless: true,
                    models: [{ ...iris, memoryMiB: 8192, accelerator: { type: "nvidia-t4", count: 1 } }],
                }),
        );
        assert.match(message, /models\[0\]\.accelerator: aws\/sagemaker-serverless nvidia-t4: sagemaker-serverless runs on CPU only/);
        assert.match(message, /models\[0\]\.memoryMiB: is more than the 6144 MB a serverless endpoint offers/);
    });
});

describe("serverless inference with the model store (served version, capture)", () => {
    const BUCKET = "mlops-test-models-0a1b2c3d";
    const VERSION = "20261203T101500Z-1a2b3c4d";
    const store = { bucket: BUCKET, servedVersions: { iris: VERSION }, capture: ["iris"] };
    const viaS3 = { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } };

    describe("LambdaInference", () => {
        let resources: CapturedResource[];
        before(
            async () =>
                ({ resources } = await build(
                    () => new LambdaInference("inference", { ...lambdaArgs, modelStore: store, s3PrefixListId: "pl-63a5400a" }),
                )),
        );

        it("hands the function the served version's URI and the capture prefix, after the model's env", () => {
            assert.deepEqual(only(resources, "aws:lambda/function:Function").inputs.environment, {
                variables: {
                    MODEL_NAME: "iris",
                    LOG_LEVEL: "info",
                    MLOPS_MODEL_VERSION: VERSION,
                    MLOPS_MODEL_URI: `s3://${BUCKET}/iris/v=${VERSION}/model.json`,
                    MLOPS_CAPTURE_URI: `s3://${BUCKET}/iris/_capture/`,
                },
            });
        });

        it("lets the function role read its model's prefix and write its _capture/ only, with the key through S3", () => {
            const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
            assert.deepEqual(statements.slice(-3), [
                { Sid: "ReadServedModel", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/iris/*` },
                { Sid: "WriteCapturedInputs", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/iris/_capture/*` },
                {
                    Sid: "UseLakeKeyThroughS3",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: KEY,
                    Condition: viaS3,
                },
            ]);
            assert.equal(statements.filter((s: any) => [s.Action].flat().includes("s3:ListBucket")).length, 0);
        });

        it("lets the functions out to S3 through the gateway endpoint's prefix list, besides HTTPS inside the VPC", () => {
            const rules = ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => [
                r.name,
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.cidrIpv4 ?? r.inputs.prefixListId,
            ]);
            assert.deepEqual(rules, [
                ["inference-https-out", 443, 443, "10.40.0.0/16"],
                ["inference-s3-out", 443, 443, "pl-63a5400a"],
            ]);
        });

        it("adds neither env, grants nor the S3 rule for a model without a served version or capture", async () => {
            const { resources: plain } = await build(
                () => new LambdaInference("inference", { ...lambdaArgs, modelStore: { bucket: BUCKET }, s3PrefixListId: "pl-63a5400a" }),
            );
            assert.deepEqual(only(plain, "aws:lambda/function:Function").inputs.environment, {
                variables: { MODEL_NAME: "iris", LOG_LEVEL: "info" },
            });
            const sids = JSON.parse(only(plain, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement.map((s: any) => s.Sid);
            assert.deepEqual(sids, ["WriteOwnLogs", "DeadLetters", "UsePlatformKey", "AttachToVpc", "Tracing"]);
            assert.equal(ofType(plain, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length, 1);
        });

        it("fails without the S3 prefix list when a model uses the store", async () => {
            const message = await rejected(() => new LambdaInference("inference", { ...lambdaArgs, modelStore: store }));
            assert.match(message, /s3PrefixListId: is required when a model loads a served version or captures its inputs/);
        });
    });

    describe("SageMakerInference", () => {
        it("captures a drift-monitored model's requests under its own _capture/ prefix (SageMaker data capture records)", async () => {
            const { resources } = await build(
                () => new SageMakerInference("inference", { ...sagemakerArgs, modelStore: { bucket: "lake-models", capture: ["iris"] } }),
            );
            const config = only(resources, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.dataCaptureConfig;
            assert.equal(config.destinationS3Uri, "s3://lake-models/iris/_capture");
            const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
            assert.equal(statements.find((s: any) => s.Sid === "WriteCapturedData").Resource, "arn:aws:s3:::lake-models/iris/_capture/*");
        });

        it("refuses a served version on both endpoint kinds and capture on serverless endpoints, naming what supports them", async () => {
            const realtime = await rejected(
                () =>
                    new SageMakerInference("inference", {
                        ...sagemakerArgs,
                        modelStore: { bucket: "b", servedVersions: { iris: VERSION } },
                    }),
            );
            assert.match(
                realtime,
                /modelStore\.servedVersions\.iris: cannot be served by sagemaker-endpoint: .*lambda, ecs-fargate and app-runner load it/,
            );
            const serverless = await rejected(
                () =>
                    new SageMakerInference("inference", {
                        ...sagemakerArgs,
                        serverless: true,
                        modelStore: { bucket: "b", servedVersions: { iris: VERSION }, capture: ["iris"] },
                    }),
            );
            assert.match(serverless, /modelStore\.servedVersions\.iris: cannot be served by sagemaker-serverless/);
            assert.match(
                serverless,
                /modelStore\.capture\.iris: needs the model's scored inputs, and sagemaker-serverless endpoints have no data capture/,
            );
        });
    });
});
