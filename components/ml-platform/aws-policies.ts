/**
 * What the SageMaker execution role may do, written out instead of `AmazonSageMakerFullAccess`: read the
 * lake, read and write the models zone, use the platform key, pull its own images, write SageMaker logs
 * and metrics, attach to the VPC, run training and processing jobs as itself, and register models in its
 * own package groups. Pure: no SDK here.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";

export interface ExecutionGrants {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** Bucket of the models zone: read and write. */
    readonly artifactBucketArn: pulumi.Input<string>;
    /** Every lake bucket: read. */
    readonly lakeBucketArns: pulumi.Input<pulumi.Input<string>[]>;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ECR repositories (or patterns) images are pulled from. */
    readonly repositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The role's own ARN, which it may pass to the jobs it starts. */
    readonly roleArn: pulumi.Input<string>;
    /** Model package groups it registers models in. */
    readonly modelPackageGroupArns: readonly pulumi.Input<string>[];
}

export function executionRoleStatements(g: ExecutionGrants): PolicyStatement[] {
    const arn = (service: string, resource: string) =>
        pulumi.interpolate`arn:${g.partition}:${service}:${g.region}:${g.accountId}:${resource}`;
    const lakeObjects = pulumi.output(g.lakeBucketArns).apply((arns) => arns.map((a) => `${a}/*`));
    const groupPackages = g.modelPackageGroupArns.map((a) =>
        pulumi.output(a).apply((x) => `${x.replace(":model-package-group/", ":model-package/")}/*`),
    );
    return [
        { Sid: "ListLake", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: pulumi.output(g.lakeBucketArns) },
        { Sid: "ReadLake", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: lakeObjects },
        {
            Sid: "WriteModelArtifacts",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: pulumi.interpolate`${g.artifactBucketArn}/*`,
        },
        {
            Sid: "UsePlatformKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: g.kmsKeyArn,
        },
        {
            Sid: "GrantKeyToSageMakerVolumes",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: g.kmsKeyArn,
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
        },
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "PullOwnImages",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: pulumi.output(g.repositoryArns),
        },
        {
            Sid: "WriteSageMakerLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn("logs", "log-group:/aws/sagemaker/*"), arn("logs", "log-group:/aws/sagemaker/*:log-stream:*")],
        },
        {
            Sid: "PublishSageMakerMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
        },
        {
            Sid: "AttachToVpc",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            Resource: "*",
        },
        {
            Sid: "RunJobs",
            Effect: "Allow",
            Action: [
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:AddTags",
            ],
            Resource: [arn("sagemaker", "training-job/*"), arn("sagemaker", "processing-job/*")],
        },
        {
            Sid: "PassOwnRoleToJobs",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: g.roleArn,
            Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
        },
        {
            Sid: "RegisterModels",
            Effect: "Allow",
            Action: [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:UpdateModelPackage",
                "sagemaker:DescribeModelPackageGroup",
            ],
            Resource: [...g.modelPackageGroupArns, ...groupPackages],
        },
        // List actions take no resource ARN (Service Authorization Reference), so they are granted on "*".
        { Sid: "ListModelPackages", Effect: "Allow", Action: "sagemaker:ListModelPackages", Resource: "*" },
    ];
}

/** Studio apps and spaces the role runs, in its own domain only (a separate policy: it needs the domain ID). */
export function studioStatements(g: {
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    domainId: pulumi.Input<string>;
}): PolicyStatement[] {
    const arn = (resource: pulumi.Input<string>) => pulumi.interpolate`arn:${g.partition}:sagemaker:${g.region}:${g.accountId}:${resource}`;
    return [
        {
            Sid: "UseOwnStudioDomain",
            Effect: "Allow",
            Action: [
                "sagemaker:CreateApp",
                "sagemaker:DeleteApp",
                "sagemaker:DescribeApp",
                "sagemaker:CreateSpace",
                "sagemaker:DescribeSpace",
                "sagemaker:UpdateSpace",
                "sagemaker:DeleteSpace",
                "sagemaker:DescribeDomain",
                "sagemaker:DescribeUserProfile",
            ],
            Resource: [
                arn(pulumi.interpolate`domain/${g.domainId}`),
                arn(pulumi.interpolate`app/${g.domainId}/*`),
                arn(pulumi.interpolate`space/${g.domainId}/*`),
                arn(pulumi.interpolate`user-profile/${g.domainId}/*`),
            ],
        },
        {
            Sid: "ListStudio",
            Effect: "Allow",
            Action: ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"],
            Resource: "*",
        },
    ];
}
