/**
 * Serverless inference on AWS, three implementations of one contract:
 *
 * - `LambdaInference` (`lambda`): per model a function from a zip package, behind a function URL with IAM
 *   auth (CKV_AWS_258), in the private subnets (CKV_AWS_117), with reserved concurrency (CKV_AWS_115), an
 *   explicit timeout, X-Ray tracing (CKV_AWS_50), a KMS-encrypted environment (CKV_AWS_173), a KMS-encrypted
 *   dead-letter queue (CKV_AWS_116) and a log group with retention. Scales to zero.
 * - `SageMakerInference` with `serverless` (`sagemaker-serverless`): a serverless endpoint, CPU only, memory
 *   and concurrency from the model. Scales to zero.
 * - `SageMakerInference` without it (`sagemaker-endpoint`): a real-time endpoint on the catalog's instance
 *   type for the model's accelerator (Inferentia2 included), at least `minInstanceCount` instances, an
 *   Application Auto Scaling target and policy, data capture to the lake, blue/green updates that roll back
 *   on a sustained 5XX rate (the `rollback` alarm), and the model in the VPC with network isolation.
 *
 * Every deployment alarms on its error rate, on throttles (Lambda) or rejected requests (SageMaker), and on
 * latency.
 */
import * as pulumi from "@pulumi/pulumi";
import * as appautoscaling from "@pulumi/aws/appautoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as lambda from "@pulumi/aws/lambda";
import * as s3 from "@pulumi/aws/s3";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as sqs from "@pulumi/aws/sqs";
import * as vpc from "@pulumi/aws/vpc";
import { RandomId } from "@pulumi/random/randomId";
import { logGroupName, sagemakerName } from "../naming/aws";
import { awsAccount, policyJson, serviceRole } from "../identity/aws";
import { createAlarms, lambdaAlarms, rollbackAlarm, sagemakerAlarms } from "../observability/aws";
import { ServerlessInference } from "./contract";
import { lambdaMemoryMb, lambdaRoleStatements } from "./aws-lambda";
import { modelStoreEnvOutput, modelStoreStatements, modelStoreUse } from "../container-service/aws-model-store";
import {
    artifactKey,
    ENDPOINT_GENERATION_BYTES,
    endpointName as instanceEndpointName,
    sagemakerEndpointLogGroupName,
    hasInstanceStore,
    inferenceRoleStatements,
    modelTarball,
    repositoryArnOfImage,
    servingImage,
} from "./aws-sagemaker";
import {
    LambdaInferenceArgs,
    lambdaPackages,
    SageMakerInferenceArgs,
    sageMakerModelSettings,
    validateLambdaInference,
    validateSageMakerInference,
} from "./aws-args";
import { throwIfProblems } from "../shared/problems";

export * from "./aws-args";

/** The variant every endpoint serves its model on. */
export const VARIANT = "AllTraffic";

/** Serverless inference on Lambda: per model a function behind a function URL with IAM auth, in the private subnets. */
export class LambdaInference extends pulumi.ComponentResource implements ServerlessInference {
    /** The function URL per model (IAM-authenticated: sign requests with SigV4). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: LambdaInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`LambdaInference "${name}"`, validateLambdaInference(args, name));
        const packages = lambdaPackages(args);
        super("mlops:index:LambdaInference", name, args, opts);

        const tags = { ...args.tags };
        const timeout = args.timeoutSeconds ?? 30;
        const sg = new ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: "Inference functions: HTTPS to AWS endpoints in the VPC only", tags },
            { parent: this },
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-https-out`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: args.vpcCidrBlock,
                description: "AWS APIs through interface endpoints",
            },
            { parent: this },
        );
        // Served versions and captured inputs are read and written in S3 through the VPC's gateway endpoint.
        const storeUsers = args.models.filter((m) => modelStoreUse(m.name, args.modelStore));
        const account = storeUsers.length > 0 ? awsAccount(this) : undefined;
        if (storeUsers.length > 0 && args.s3PrefixListId !== undefined)
            new vpc.SecurityGroupEgressRule(
                `${name}-s3-out`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    prefixListId: args.s3PrefixListId,
                    description: "S3 through the gateway endpoint: served versions and captured inputs",
                },
                { parent: this },
            );

        const urls = args.models.map((m, i) => {
            const prefix = `${name}-${m.name}`;
            const code = args.code[m.name];
            const use = modelStoreUse(m.name, args.modelStore);
            const logGroup = new cloudwatch.LogGroup(
                `${prefix}-logs`,
                {
                    name: logGroupName(args.namePrefix, "lambda", m.name),
                    retentionInDays: args.logRetentionDays ?? 365,
                    kmsKeyId: args.kmsKeyArn,
                    tags,
                },
                { parent: this },
            );
            const queue = new sqs.Queue(
                `${prefix}-dlq`,
                { kmsMasterKeyId: args.kmsKeyArn, messageRetentionSeconds: 1209600, tags },
                { parent: this },
            );
            const role = serviceRole(this, `${prefix}-role`, {
                service: "lambda.amazonaws.com",
                description: `Runs the ${m.name} inference function`,
                policy: policyJson([
                    ...lambdaRoleStatements({ logGroupArn: logGroup.arn, queueArn: queue.arn, kmsKeyArn: args.kmsKeyArn }),
                    ...(use && args.modelStore && account
                        ? modelStoreStatements({
                              model: m.name,
                              use,
                              bucket: args.modelStore.bucket,
                              ...account,
                              kmsKeyArn: args.kmsKeyArn,
                          })
                        : []),
                ]),
                tags,
            });
            const archive = new pulumi.asset.AssetArchive(
                Object.fromEntries(Object.entries(packages[i]).map(([file, content]) => [file, new pulumi.asset.StringAsset(content)])),
            );
            const fn = new lambda.Function(
                `${prefix}-fn`,
                {
                    description: `Serves the ${m.name} model`,
                    role: role.role.arn,
                    runtime: code.runtime,
                    handler: code.handler,
                    code: archive,
                    architectures: ["x86_64"],
                    memorySize: lambdaMemoryMb(m.memoryMiB),
                    timeout,
                    ...((args.reserveConcurrency ?? true) ? { reservedConcurrentExecutions: m.maxReplicas } : {}),
                    environment: {
                        variables: use
                            ? modelStoreEnvOutput(m.name, use, args.modelStore?.bucket ?? "").apply((env) => ({
                                  MODEL_NAME: m.name,
                                  ...m.env,
                                  ...env,
                              }))
                            : { MODEL_NAME: m.name, ...m.env },
                    },
                    kmsKeyArn: args.kmsKeyArn,
                    tracingConfig: { mode: "Active" },
                    deadLetterConfig: { targetArn: queue.arn },
                    loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                    vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
                    tags,
                },
                { parent: this, dependsOn: [role.policy] },
            );
            // Asynchronous invocations are not retried and failures land in the dead-letter queue.
            new lambda.FunctionEventInvokeConfig(
                `${prefix}-async`,
                {
                    functionName: fn.name,
                    maximumRetryAttempts: 0,
                    maximumEventAgeInSeconds: 3600,
                    destinationConfig: { onFailure: { destination: queue.arn } },
                },
                { parent: this },
            );
            const url = new lambda.FunctionUrl(
                `${prefix}-url`,
                { functionName: fn.name, authorizationType: "AWS_IAM", invokeMode: "BUFFERED" },
                { parent: this },
            );
            createAlarms(this, prefix, lambdaAlarms(fn.name, timeout, args.errorRatePercent), { topicArn: args.alarmTopicArn, tags });
            return url.functionUrl;
        });
        this.endpoints = pulumi.all(urls).apply((u) => Object.fromEntries(args.models.map((m, i) => [m.name, u[i]])));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}

/** Serverless inference on SageMaker: per model a serverless or real-time endpoint. */
export class SageMakerInference extends pulumi.ComponentResource implements ServerlessInference {
    /** The endpoint's invocation URL per model (`https://runtime.sagemaker.<region>.amazonaws.com/endpoints/<name>/invocations`). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SageMakerInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`SageMakerInference "${name}"`, validateSageMakerInference(args, name));
        const settings = sageMakerModelSettings(args);
        super("mlops:index:SageMakerInference", name, args, opts);

        const tags = { ...args.tags };
        const serverless = args.serverless ?? false;
        const account = awsAccount(this);
        const sg = serverless
            ? undefined
            : new ec2.SecurityGroup(
                  `${name}-sg`,
                  { vpcId: args.vpcId, description: "SageMaker models: HTTPS out for artifacts and images only", tags },
                  { parent: this },
              );
        if (sg)
            new vpc.SecurityGroupEgressRule(
                `${name}-https-out`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                    description: "S3 and ECR (gateway endpoint, interface endpoints or NAT)",
                },
                { parent: this },
            );

        const urls = args.models.map((m, i) => {
            const prefix = `${name}-${m.name}`;
            const s = settings[i];
            const tarball = modelTarball(args.artifacts[m.name]);
            const key = artifactKey(m.name, tarball);
            const artifact = new s3.BucketObjectv2(
                `${prefix}-artifact`,
                {
                    bucket: args.artifactBucketName,
                    key,
                    contentBase64: tarball.toString("base64"),
                    contentType: "application/gzip",
                    serverSideEncryption: "aws:kms",
                    kmsKeyId: args.kmsKeyArn,
                    tags,
                },
                { parent: this, retainOnDelete: args.retainArtifacts ?? false },
            );
            const defaultImage = servingImage(s.accelerator);
            const image = args.images?.[m.name] ?? sagemaker.getPrebuiltEcrImageOutput(defaultImage, { parent: this }).registryPath;
            // Validation accepts ECR images only, so the repository ARN can always be read from the URI.
            const repositoryArn = pulumi
                .all([image, account.partition])
                .apply(([uri, partition]) => repositoryArnOfImage(uri, partition) ?? "");
            // A model with a drift monitor captures under its own `_capture/` prefix, where the drift job reads.
            const driftCapture = !serverless && (args.modelStore?.capture ?? []).includes(m.name);
            const capturePath = driftCapture ? `${m.name}/_capture` : `${args.dataCapturePrefix ?? "data-capture"}/${m.name}`;
            const capture = !serverless && args.dataCaptureBucketName !== undefined;
            const role = serviceRole(this, `${prefix}-role`, {
                service: "sagemaker.amazonaws.com",
                description: `Hosts the ${m.name} model`,
                policy: policyJson(
                    inferenceRoleStatements({
                        partition: account.partition,
                        region: account.region,
                        accountId: account.accountId,
                        artifactObjectArns: [pulumi.interpolate`arn:${account.partition}:s3:::${args.artifactBucketName}/${key}`],
                        dataCaptureArn: capture
                            ? pulumi.interpolate`arn:${account.partition}:s3:::${args.dataCaptureBucketName}/${capturePath}/*`
                            : undefined,
                        kmsKeyArn: args.kmsKeyArn,
                        imageRepositoryArns: [repositoryArn],
                        // The deployment guardrails read the rollback alarm as this role (AWS: "Auto-Rollback Configuration").
                        rollbackAlarmNamePrefix: serverless ? undefined : `${prefix}-rollback-alarm`,
                    }),
                ),
                tags,
            });
            const model = new sagemaker.Model(
                `${prefix}-model`,
                {
                    executionRoleArn: role.role.arn,
                    primaryContainer: {
                        image,
                        modelDataUrl: pulumi.interpolate`s3://${args.artifactBucketName}/${key}`,
                        // The PyTorch inference toolkit loads /opt/ml/model/code/inference.py.
                        environment: {
                            SAGEMAKER_PROGRAM: "inference.py",
                            SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
                            SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
                            MODEL_NAME: m.name,
                            ...m.env,
                        },
                    },
                    // Serverless endpoints refuse network isolation and VPC settings (SageMaker "feature exclusions").
                    enableNetworkIsolation: !serverless,
                    ...(sg ? { vpcConfig: { subnets: args.subnetIds ?? [], securityGroupIds: [sg.id] } } : {}),
                    tags,
                },
                { parent: this, dependsOn: [role.policy, artifact] },
            );
            // Auto-named: a changed model or instance type makes a new configuration, created before the
            // old one is deleted, instead of colliding with its name.
            const config = new sagemaker.EndpointConfiguration(
                `${prefix}-config`,
                {
                    productionVariants: [
                        serverless
                            ? {
                                  variantName: VARIANT,
                                  modelName: model.name,
                                  serverlessConfig: {
                                      memorySizeInMb: s.memoryMb,
                                      maxConcurrency: m.maxReplicas,
                                      ...(m.minReplicas > 0 ? { provisionedConcurrency: m.minReplicas } : {}),
                                  },
                              }
                            : {
                                  variantName: VARIANT,
                                  modelName: model.name,
                                  instanceType: s.instanceType,
                                  initialInstanceCount: s.instances,
                                  initialVariantWeight: 1,
                              },
                    ],
                    // Instance types with NVMe storage refuse a volume key; their storage is encrypted by the hardware.
                    ...(serverless || !hasInstanceStore(s.instanceType) ? { kmsKeyArn: args.kmsKeyArn } : {}),
                    ...(capture
                        ? {
                              dataCaptureConfig: {
                                  enableCapture: true,
                                  initialSamplingPercentage: args.dataCaptureSamplingPercent ?? 100,
                                  destinationS3Uri: pulumi.interpolate`s3://${args.dataCaptureBucketName}/${capturePath}`,
                                  kmsKeyId: args.kmsKeyArn,
                                  captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
                                  captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
                              },
                          }
                        : {}),
                    tags,
                },
                { parent: this },
            );
            // A new instance type draws a new generation, hence a new endpoint name (see endpointName).
            const generation = serverless
                ? undefined
                : new RandomId(
                      `${prefix}-generation`,
                      { byteLength: ENDPOINT_GENERATION_BYTES, keepers: { instanceType: s.instanceType } },
                      { parent: this },
                  );
            const endpointName = generation
                ? generation.hex.apply((g) => instanceEndpointName(args.namePrefix, m.name, g))
                : pulumi.output(sagemakerName([args.namePrefix, m.name]));
            // SageMaker writes the endpoint's logs here; created first so it has a retention and the key. Its
            // name follows the endpoint's, so a new instance type replaces it: the old group is kept (never
            // deleted, in any environment) and expires by its retention; the new name never repeats an old
            // one, so going back to an earlier instance type does not collide with the kept group. Not
            // protected: protect would block that routine replacement.
            const logGroup = new cloudwatch.LogGroup(
                `${prefix}-logs`,
                {
                    name: endpointName.apply(sagemakerEndpointLogGroupName),
                    retentionInDays: args.logRetentionDays ?? 365,
                    kmsKeyId: args.kmsKeyArn,
                    skipDestroy: true,
                    tags,
                },
                { parent: this, retainOnDelete: true },
            );
            const alarms = createAlarms(
                this,
                prefix,
                [
                    ...sagemakerAlarms(endpointName, VARIANT, args.latencyThresholdMs ?? 1000, args.errorRatePercent),
                    ...(serverless ? [] : [rollbackAlarm(endpointName, VARIANT, args.errorRatePercent)]),
                ],
                { topicArn: args.alarmTopicArn, tags },
            );
            const endpoint = new sagemaker.Endpoint(
                `${prefix}-endpoint`,
                {
                    name: endpointName,
                    endpointConfigName: config.name,
                    ...(serverless
                        ? {}
                        : {
                              deploymentConfig: {
                                  blueGreenUpdatePolicy: {
                                      trafficRoutingConfiguration: { type: "ALL_AT_ONCE", waitIntervalInSeconds: 300 },
                                      terminationWaitInSeconds: 300,
                                      maximumExecutionTimeoutInSeconds: 3600,
                                  },
                                  autoRollbackConfiguration: { alarms: [{ alarmName: alarms.rollback.name }] },
                              },
                          }),
                    tags,
                },
                { parent: this, dependsOn: [logGroup] },
            );
            if (!serverless) {
                const target = new appautoscaling.Target(
                    `${prefix}-scaling`,
                    {
                        serviceNamespace: "sagemaker",
                        scalableDimension: "sagemaker:variant:DesiredInstanceCount",
                        resourceId: pulumi.interpolate`endpoint/${endpoint.name}/variant/${VARIANT}`,
                        minCapacity: s.instances,
                        maxCapacity: s.maxInstances,
                    },
                    { parent: this },
                );
                new appautoscaling.Policy(
                    `${prefix}-invocations-scaling`,
                    {
                        policyType: "TargetTrackingScaling",
                        serviceNamespace: target.serviceNamespace,
                        scalableDimension: target.scalableDimension,
                        resourceId: target.resourceId,
                        targetTrackingScalingPolicyConfiguration: {
                            predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
                            targetValue: args.invocationsPerInstanceTarget ?? 100,
                            scaleInCooldown: 300,
                            scaleOutCooldown: 60,
                        },
                    },
                    { parent: this },
                );
            }
            return pulumi.interpolate`https://runtime.sagemaker.${account.region}.${account.dnsSuffix}/endpoints/${endpoint.name}/invocations`;
        });
        this.endpoints = pulumi.all(urls).apply((u) => Object.fromEntries(args.models.map((m, i) => [m.name, u[i]])));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
