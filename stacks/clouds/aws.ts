/**
 * The AWS stack: the platform key, the VPC, the alert topic, then the four components (S3 data lake,
 * SageMaker platform, Fargate or App Runner container service, Lambda or SageMaker serverless inference)
 * and the container registry they share. Each component's arguments come from stacks/config/aws.ts, where
 * the config parser's whole-stack check (checkAwsStack) already ran every component validator on them: bad
 * config stops before any resource is registered.
 */
import {
    AppRunnerService,
    AwsAlertTopic,
    AwsContainerRegistry,
    AwsKmsKey,
    AwsNetwork,
    EcsFargateService,
    LambdaInference,
    S3DataLake,
    SageMakerInference,
    SageMakerPlatform,
} from "@mlops/components/aws";
import {
    AWS_COMPONENT_NAMES,
    awsAlertTopicArgs,
    awsAppRunnerArgs,
    awsDataLakeArgs,
    awsFargateArgs,
    awsKmsKeyArgs,
    awsLambdaArgs,
    awsNetworkArgs,
    awsPlatformArgs,
    awsRegistryArgs,
    AwsServingRefs,
    awsSageMakerInferenceArgs,
} from "../config/aws";
import { EcsFargatePipelines, FirehoseStreams, GluePipelines, MwaaAirflow } from "@mlops/components/aws";
import {
    AWS_PIPELINE_COMPONENT_NAMES,
    awsAirflowArgs,
    awsEcsPipelinesArgs,
    awsGluePipelinesArgs,
    AwsPipelineRefs,
    awsStreamsArgs,
} from "../config/aws-pipelines";
import { SageMakerTrainingPipelines } from "@mlops/components/aws";
import { AWS_TRAINING_COMPONENT_NAME, awsTrainingArgs, awsTrains } from "../config/aws-training";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig, StackOutputs } from "../config/schema";
import { servingSpecs } from "../models";

export function buildAwsStack(cfg: StackConfig): StackOutputs {
    if (!cfg.aws) throw new Error(`stack "${cfg.stack}" has no AWS settings: parse it with parseStackConfig`);
    const aws = cfg.aws;
    const containers = servingSpecs(cfg.models, "containerService");
    const onDemand = servingSpecs(cfg.models, "serverlessInference");

    const key = new AwsKmsKey("kms", awsKmsKeyArgs(cfg));
    const network = new AwsNetwork("network", awsNetworkArgs(cfg, { kmsKeyArn: key.keyArn }));
    // Every alarm notifies this topic; prod config names at least one target (the parser checks it).
    const alerts = new AwsAlertTopic("alerts", awsAlertTopicArgs(cfg, { kmsKeyArn: key.keyArn }));
    const lake = new S3DataLake("lake", awsDataLakeArgs(cfg, { kmsKeyArn: key.keyArn }));
    const modelsBucket = lake.bucketNames.apply((b) => b["models"]);
    const registry = new AwsContainerRegistry("registry", awsRegistryArgs(cfg, { kmsKeyArn: key.keyArn }));

    const platform = new SageMakerPlatform(
        "ml",
        awsPlatformArgs(cfg, {
            kmsKeyArn: key.keyArn,
            artifactBucket: modelsBucket,
            artifactBucketArn: lake.bucketArns.apply((a) => a["models"]),
            lakeBucketArns: lake.bucketArns.apply((a) => Object.values(a)),
            repositoryArns: registry.pullRepositoryArns,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
        }),
    );

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

    const refs: AwsServingRefs = {
        kmsKeyArn: key.keyArn,
        alertTopicArn: alerts.topicArn,
        vpcId: network.vpcId,
        vpcCidrBlock: network.cidrBlock,
        subnetIds: network.privateSubnetIds,
        internetEgress: network.internetEgress,
        registryHost: registry.registryHost,
        cachePrefix: registry.cachePrefix,
        pullRepositoryArns: registry.pullRepositoryArns,
        accessLogBucketName: lake.accessLogBucketName,
        appRunnerIngressEndpointId: network.interfaceEndpointIds.apply((ids) => ids["apprunner.requests"]),
        modelsBucketName: modelsBucket,
        s3PrefixListId: network.s3PrefixListId,
    };

    if (containers.length > 0) {
        let service: EcsFargateService | AppRunnerService;
        switch (cfg.containerService.implementation) {
            case "ecs-fargate": {
                const fargateService = new EcsFargateService(AWS_COMPONENT_NAMES.containerService, awsFargateArgs(cfg, refs));
                // Clients in the VPC trust the listeners' stack-issued certificates through this CA.
                if (!aws.containerService.plainHttp && aws.containerService.certificateArn === undefined)
                    awsOutputs.servingCaCertificate = fargateService.caCertificatePem;
                service = fargateService;
                break;
            }
            case "app-runner":
                service = new AppRunnerService(AWS_COMPONENT_NAMES.containerService, awsAppRunnerArgs(cfg, refs));
                break;
            default:
                throw new Error(`containerService implementation "${cfg.containerService.implementation}" has no AWS component`);
        }
        outputs.containerService = { endpoints: service.endpoints };
    }

    if (onDemand.length > 0) {
        let inference: LambdaInference | SageMakerInference;
        switch (cfg.serverlessInference.implementation) {
            case "lambda":
                inference = new LambdaInference(AWS_COMPONENT_NAMES.serverlessInference, awsLambdaArgs(cfg, refs));
                break;
            case "sagemaker-serverless":
            case "sagemaker-endpoint":
                inference = new SageMakerInference(AWS_COMPONENT_NAMES.serverlessInference, awsSageMakerInferenceArgs(cfg, refs));
                break;
            default:
                throw new Error(`serverlessInference implementation "${cfg.serverlessInference.implementation}" has no AWS component`);
        }
        outputs.serverlessInference = { endpoints: inference.endpoints };
    }

    // Data pipelines (mlops:pipelines): jobs on a schedule and on arrival, streams into raw.
    const pipelineRefs: AwsPipelineRefs = {
        kmsKeyArn: key.keyArn,
        alertTopicArn: alerts.topicArn,
        bucketNames: lake.bucketNames,
        accessLogBucketName: lake.accessLogBucketName,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        registryHost: registry.registryHost,
        cachePrefix: registry.cachePrefix,
        pullRepositoryArns: registry.pullRepositoryArns,
    };
    if (cfg.pipelines.jobs.length > 0) {
        let pipelines: EcsFargatePipelines | GluePipelines;
        switch (cfg.pipelines.implementation) {
            case "ecs-fargate":
                pipelines = new EcsFargatePipelines(AWS_PIPELINE_COMPONENT_NAMES.jobs, awsEcsPipelinesArgs(cfg, pipelineRefs));
                break;
            case "glue":
                pipelines = new GluePipelines(AWS_PIPELINE_COMPONENT_NAMES.jobs, awsGluePipelinesArgs(cfg, pipelineRefs));
                break;
            default:
                throw new Error(`pipelines implementation "${cfg.pipelines.implementation}" has no AWS component`);
        }
        awsOutputs.pipelineJobs = pipelines.jobNames;
        awsOutputs.pipelineDeadLetterQueues = pipelines.deadLetters;
        if (cfg.pipelines.orchestrator === "airflow") {
            // One DAG per job schedules it on Amazon MWAA; the native schedule is not created (the component's orchestrator arg).
            const runner =
                pipelines instanceof EcsFargatePipelines
                    ? {
                          kind: "ecs-fargate" as const,
                          clusterName: pipelines.clusterName,
                          clusterArn: pipelines.clusterArn,
                          taskFamilies: pipelines.taskFamilies,
                          securityGroupIds: [pipelines.securityGroupId],
                          subnetIds: network.privateSubnetIds,
                          passRoleArns: pipelines.taskRoleArns,
                      }
                    : { kind: "glue" as const, jobNames: pipelines.jobNames };
            const airflow = new MwaaAirflow(
                AWS_PIPELINE_COMPONENT_NAMES.airflow,
                awsAirflowArgs(cfg, {
                    kmsKeyArn: key.keyArn,
                    vpcId: network.vpcId,
                    subnetIds: network.privateSubnetIds.apply((ids) => ids.slice(0, 2)),
                    accessLogBucketName: lake.accessLogBucketName,
                    runner,
                }),
            );
            awsOutputs.airflowEnvironment = airflow.environmentName;
            awsOutputs.airflowWebserverUrl = airflow.webserverUrl;
        }
    }
    // Training pipelines (mlops:models[].training): SageMaker Pipelines, drift monitors, promotion to GitHub.
    if (awsTrains(cfg)) {
        const training = new SageMakerTrainingPipelines(
            AWS_TRAINING_COMPONENT_NAME,
            awsTrainingArgs(
                cfg,
                {
                    kmsKeyArn: key.keyArn,
                    alertTopicArn: alerts.topicArn,
                    bucketNames: lake.bucketNames,
                    registryHost: registry.registryHost,
                    cachePrefix: registry.cachePrefix,
                },
                (v) => pulumi.secret(v),
            ),
            // Versions are registered in the platform's package groups.
            { dependsOn: [platform] },
        );
        awsOutputs.trainingPipelines = training.pipelineNames;
        awsOutputs.driftPipelines = training.driftJobNames;
        awsOutputs.approverPolicyArn = training.approverPolicyArn;
    }
    if (cfg.pipelines.streams.length > 0) {
        const streams = new FirehoseStreams(AWS_PIPELINE_COMPONENT_NAMES.streams, awsStreamsArgs(cfg, pipelineRefs));
        awsOutputs.streams = streams.streamNames;
    }
    return outputs;
}
