/**
 * The AWS stack: the platform key, the VPC, the alert topic, then the four components (S3 data lake,
 * SageMaker platform, Fargate or App Runner container service, Lambda or SageMaker serverless inference)
 * and the container registry they share. Config checks that need the whole config run first, so bad
 * config stops before any resource is registered.
 */
import { formatProblem, ownershipTags, ValidationError } from "@mlops/components";
import {
    AppRunnerService,
    AwsAlertTopic,
    AwsContainerRegistry,
    AwsKmsKey,
    AwsNetwork,
    awsNamePrefix,
    EcsFargateService,
    LambdaInference,
    logRetentionDays,
    S3DataLake,
    SageMakerInference,
    SageMakerPlatform,
} from "@mlops/components/aws";
import { awsConfigProblems } from "../config/aws";
import { FLOORS, StackConfig } from "../config/schema";
import { servingSpecs } from "../models";
import { StackOutputs } from "../config/schema";

/** Interface endpoints `interfaceEndpoints: true` creates: what Fargate, SageMaker and Studio call. */
export const PRIVATE_API_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "sts", "sagemaker.api", "sagemaker.runtime"] as const;
/** Key prefix of the load balancers' access logs in the lake's access-log bucket. */
const ALB_LOG_PREFIX = "alb";
/** Serving logs are kept a year (CKV_AWS_338). */
const SERVING_LOG_DAYS = 365;

export function buildAwsStack(cfg: StackConfig): StackOutputs {
    const problems = awsConfigProblems(cfg);
    if (problems.length > 0 || !cfg.aws) throw new ValidationError(`stack config "${cfg.stack}"`, problems.map(formatProblem));
    const aws = cfg.aws;
    const protectData = cfg.protectData;
    const namePrefix = awsNamePrefix(cfg.project, cfg.stack);
    const tags = (component: string) => ({
        ...ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }),
        "mlops-component": component,
    });
    const containers = servingSpecs(cfg.models, "containerService");
    const onDemand = servingSpecs(cfg.models, "serverlessInference");
    const privateAppRunner =
        cfg.containerService.implementation === "app-runner" && containers.length > 0 && !aws.containerService.publicIngress;
    const catalogEncrypted = cfg.dataLake.queryEngine && aws.dataLake.catalogEncryption;

    const key = new AwsKmsKey("kms", {
        description: `mlops ${cfg.stack}: data lake, logs, registry, SageMaker, alerts`,
        aliasName: `alias/${namePrefix}`,
        protectData,
        // The account-wide Glue catalog setting keeps using the key after the stack is gone.
        retainOnDelete: catalogEncrypted,
        deletionWindowDays: protectData ? 30 : 7,
        tags: tags("encryption"),
    });
    const network = new AwsNetwork("network", {
        cidrBlock: aws.network.vpcCidr,
        availabilityZoneCount: aws.network.availabilityZones,
        natGatewayCount: aws.network.natGateways,
        interfaceEndpointServices: [
            ...(aws.network.interfaceEndpoints ? PRIVATE_API_ENDPOINTS : []),
            ...(privateAppRunner ? ["apprunner.requests"] : []),
        ],
        flowLogs: aws.network.flowLogs,
        flowLogRetentionDays: SERVING_LOG_DAYS,
        kmsKeyArn: key.keyArn,
        tags: tags("network"),
    });
    // Every alarm notifies this topic; prod config names at least one target (the parser checks it).
    const alerts = new AwsAlertTopic("alerts", {
        kmsKeyArn: key.keyArn,
        emails: cfg.notifications.emails,
        webhooks: cfg.notifications.webhooks,
        tags: tags("observability"),
    });
    const fargate = cfg.containerService.implementation === "ecs-fargate" && containers.length > 0;

    const lake = new S3DataLake("lake", {
        namePrefix,
        zones: cfg.dataLake.zones,
        kmsKeyArn: key.keyArn,
        protectData,
        forceDestroy: aws.dataLake.forceDestroy,
        noncurrentVersionRetentionDays: cfg.dataLake.noncurrentVersionRetentionDays,
        abortIncompleteUploadDays: cfg.dataLake.abortIncompleteUploadDays,
        rawColdStorageAfterDays: cfg.dataLake.rawColdStorageAfterDays,
        coldStorageClass: aws.dataLake.coldStorageClass,
        auditLogRetentionDays: logRetentionDays(cfg.dataLake.auditLogRetentionDays),
        queryEngine: cfg.dataLake.queryEngine,
        catalogEncryption: aws.dataLake.catalogEncryption,
        dataAccessTrail: aws.dataLake.dataAccessTrail,
        queryBytesScannedCutoffGiB: aws.dataLake.queryBytesScannedCutoffGiB,
        ...(fargate ? { loadBalancerLogPrefix: ALB_LOG_PREFIX } : {}),
        tags: tags("data-lake"),
    });
    const modelsBucket = lake.bucketNames.apply((b) => b["models"]);
    const registry = new AwsContainerRegistry("registry", {
        namespace: namePrefix,
        models: cfg.models.map((m) => m.name),
        kmsKeyArn: key.keyArn,
        protectData,
        tags: tags("registry"),
    });

    const platform = new SageMakerPlatform("ml", {
        namePrefix,
        models: cfg.models.map((m) => m.name),
        artifactBucket: modelsBucket,
        artifactBucketArn: lake.bucketArns.apply((a) => a["models"]),
        lakeBucketArns: lake.bucketArns.apply((a) => Object.values(a)),
        kmsKeyArn: key.keyArn,
        repositoryArns: registry.pullRepositoryArns,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        studio: aws.mlPlatform.studio,
        cpuTrainingInstanceType: aws.mlPlatform.cpuTrainingInstanceType,
        training: cfg.mlPlatform.training,
        protectData,
        tags: tags("ml-platform"),
    });

    const awsOutputs: Record<string, unknown> = {
        kmsKeyArn: key.keyArn,
        vpcId: network.vpcId,
        repositories: registry.repositoryUrls,
        modelPackageGroups: platform.modelPackageGroupArns,
        executionRoleArn: platform.executionRoleArn,
        alertTopicArn: alerts.topicArn,
        queryWorkgroup: lake.workgroupName,
    };
    const outputs: StackOutputs = {
        dataLake: { endpoint: lake.endpoint, buckets: lake.bucketNames },
        mlPlatform: { trackingUri: platform.trackingUri, modelRegistry: platform.modelRegistry, training: platform.trainingDefaults },
        aws: awsOutputs,
    };

    if (containers.length > 0) {
        const common = {
            models: containers,
            namePrefix,
            kmsKeyArn: key.keyArn,
            protectData,
            alarmTopicArn: alerts.topicArn,
            latencyThresholdMs: aws.containerService.latencyThresholdMs,
            tags: tags("container-service"),
        };
        let service: EcsFargateService | AppRunnerService;
        switch (cfg.containerService.implementation) {
            case "ecs-fargate": {
                const fargateService = new EcsFargateService("serving", {
                    ...common,
                    vpcId: network.vpcId,
                    vpcCidrBlock: network.cidrBlock,
                    subnetIds: network.privateSubnetIds,
                    registryHost: registry.registryHost,
                    cachePrefix: registry.cachePrefix,
                    pullRepositoryArns: registry.pullRepositoryArns,
                    internetEgress: network.internetEgress,
                    listenerCertificateArn: aws.containerService.certificateArn,
                    plainHttp: aws.containerService.plainHttp,
                    accessLogBucketName: lake.accessLogBucketName,
                    accessLogPrefix: ALB_LOG_PREFIX,
                    allowedCidrs: aws.containerService.allowedCidrs,
                    logRetentionDays: SERVING_LOG_DAYS,
                });
                // Clients in the VPC trust the listeners' stack-issued certificates through this CA.
                if (!aws.containerService.plainHttp && aws.containerService.certificateArn === undefined)
                    awsOutputs.servingCaCertificate = fargateService.caCertificatePem;
                service = fargateService;
                break;
            }
            case "app-runner":
                service = new AppRunnerService("serving", {
                    ...common,
                    pullRepositoryArns: registry.pullRepositoryArns,
                    publiclyAccessible: aws.containerService.publicIngress,
                    vpcId: network.vpcId,
                    ingressEndpointId: network.interfaceEndpointIds.apply((ids) => ids["apprunner.requests"]),
                });
                break;
            default:
                throw new Error(`containerService implementation "${cfg.containerService.implementation}" has no AWS component`);
        }
        outputs.containerService = { endpoints: service.endpoints };
    }

    if (onDemand.length > 0) {
        const common = {
            models: onDemand,
            namePrefix,
            kmsKeyArn: key.keyArn,
            alarmTopicArn: alerts.topicArn,
            logRetentionDays: SERVING_LOG_DAYS,
            tags: tags("serverless-inference"),
        };
        const hosted = {
            retainArtifacts: protectData,
            latencyThresholdMs: aws.serverlessInference.latencyThresholdMs,
            artifactBucketName: modelsBucket,
        };
        const artifacts = Object.fromEntries(
            onDemand.map((m) => [m.name, { files: m.files ?? {}, code: modelAws(cfg, m.name)?.sagemakerCode ?? {} }]),
        );
        const images = Object.fromEntries(
            onDemand.flatMap((m) =>
                modelAws(cfg, m.name)?.sagemakerImage ? [[m.name, modelAws(cfg, m.name)?.sagemakerImage as string]] : [],
            ),
        );
        let inference: LambdaInference | SageMakerInference;
        switch (cfg.serverlessInference.implementation) {
            case "lambda":
                inference = new LambdaInference("inference", {
                    ...common,
                    code: Object.fromEntries(
                        onDemand.map((m) => {
                            const a = modelAws(cfg, m.name);
                            return [
                                m.name,
                                {
                                    handler: a?.lambdaHandler ?? "handler.handler",
                                    runtime: a?.lambdaRuntime ?? "python3.13",
                                    files: a?.lambdaCode ?? {},
                                },
                            ];
                        }),
                    ),
                    vpcId: network.vpcId,
                    vpcCidrBlock: network.cidrBlock,
                    subnetIds: network.privateSubnetIds,
                    timeoutSeconds: aws.serverlessInference.lambdaTimeoutSeconds,
                    reserveConcurrency: aws.serverlessInference.reserveLambdaConcurrency,
                });
                break;
            case "sagemaker-serverless":
                inference = new SageMakerInference("inference", { ...common, ...hosted, serverless: true, artifacts, images });
                break;
            case "sagemaker-endpoint":
                inference = new SageMakerInference("inference", {
                    ...common,
                    ...hosted,
                    serverless: false,
                    artifacts,
                    images,
                    dataCaptureBucketName: modelsBucket,
                    dataCaptureSamplingPercent: aws.serverlessInference.dataCaptureSamplingPercent,
                    vpcId: network.vpcId,
                    subnetIds: network.privateSubnetIds,
                    minInstanceCount: FLOORS[cfg.environment].minReplicas,
                });
                break;
            default:
                throw new Error(`serverlessInference implementation "${cfg.serverlessInference.implementation}" has no AWS component`);
        }
        outputs.serverlessInference = { endpoints: inference.endpoints };
    }
    return outputs;
}

/** The `aws` settings of a model, by name. */
function modelAws(cfg: StackConfig, name: string) {
    return cfg.aws?.models[cfg.models.findIndex((m) => m.name === name)];
}
