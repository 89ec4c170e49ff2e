/**
 * The ML platform on AWS (SageMaker): a Studio domain in the private subnets, encrypted with the platform
 * key (CKV_AWS_187), VPC-only; an execution role granted exactly what the platform needs (no managed
 * `*FullAccess` policy); one model package group per model (the model registry); and training defaults
 * resolved from the accelerator catalog (instance type, count, spot), exported for pipelines.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as vpc from "@pulumi/aws/vpc";
import { awsAccount, policyJson } from "../identity/aws";
import { sagemakerName } from "../naming/aws";
import { throwIfProblems } from "../shared/problems";
import { MlPlatform, TrainingDefaults } from "./contract";
import { SageMakerPlatformArgs, trainingDefaults, validateSageMakerPlatform } from "./aws-args";
import { executionRoleStatements, studioStatements } from "./aws-policies";

export * from "./aws-args";

/** The ML platform on AWS: a SageMaker Studio domain (VPC only, KMS), an execution role, one model package group per model, and training defaults from the accelerator catalog. */
export class SageMakerPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** The Studio URL, or the SageMaker console of the region without Studio. */
    public readonly trackingUri: pulumi.Output<string>;
    /** ARN prefix of this stack's model package groups (`arn:...:model-package-group/`). */
    public readonly modelRegistry: pulumi.Output<string>;
    /** Training defaults resolved from the accelerator catalog. */
    public readonly trainingDefaults: pulumi.Output<TrainingDefaults>;
    /** Model package group ARN per model. */
    public readonly modelPackageGroupArns: pulumi.Output<Record<string, string>>;
    /** The execution role training and processing jobs run as. */
    public readonly executionRoleArn: pulumi.Output<string>;

    constructor(name: string, args: SageMakerPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`SageMakerPlatform "${name}"`, validateSageMakerPlatform(args));
        const training = trainingDefaults(args);
        super("mlops:index:SageMakerPlatform", name, args, opts);

        const protect = args.protectData ?? true;
        const tags = { ...args.tags };
        const account = awsAccount(this);
        const groups = args.models.map(
            (model) =>
                new sagemaker.ModelPackageGroup(
                    `${name}-${model}-registry`,
                    {
                        modelPackageGroupName: sagemakerName([args.namePrefix, model]),
                        modelPackageGroupDescription: `Registered versions of ${model}`,
                        tags,
                    },
                    // The registry holds every approved model version: protected and kept in prod.
                    { parent: this, protect, retainOnDelete: protect },
                ),
        );

        // The role's policy names the role itself (iam:PassRole), so the role exists first.
        const role = new iam.Role(
            `${name}-execution`,
            {
                description: "SageMaker Studio, training and processing jobs of the ML platform",
                assumeRolePolicy: policyJson([
                    { Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" },
                ]),
                tags,
            },
            { parent: this },
        );
        const grants = new iam.RolePolicy(
            `${name}-execution-policy`,
            {
                role: role.id,
                policy: policyJson(
                    executionRoleStatements({
                        partition: account.partition,
                        region: account.region,
                        accountId: account.accountId,
                        artifactBucketArn: args.artifactBucketArn,
                        lakeBucketArns: args.lakeBucketArns,
                        kmsKeyArn: args.kmsKeyArn,
                        repositoryArns: args.repositoryArns,
                        roleArn: role.arn,
                        modelPackageGroupArns: groups.map((g) => g.arn),
                    }),
                ),
            },
            { parent: this },
        );

        let trackingUri: pulumi.Output<string> = pulumi.interpolate`https://${account.region}.console.aws.amazon.com/sagemaker/home?region=${account.region}`;
        if (args.studio ?? true) {
            // Studio apps reach their EFS home over NFS and each other on 8192-65535; HTTPS out for AWS APIs.
            const sg = new ec2.SecurityGroup(
                `${name}-studio-sg`,
                { vpcId: args.vpcId, description: "SageMaker Studio: NFS and app traffic within the domain, HTTPS out", tags },
                { parent: this },
            );
            const self = { securityGroupId: sg.id, referencedSecurityGroupId: sg.id, ipProtocol: "tcp" };
            for (const [role, from, to] of [
                ["nfs", 2049, 2049],
                ["apps", 8192, 65535],
            ] as const) {
                new vpc.SecurityGroupIngressRule(
                    `${name}-studio-${role}-in`,
                    { ...self, fromPort: from, toPort: to, description: `Studio ${role} within the domain` },
                    { parent: this },
                );
                new vpc.SecurityGroupEgressRule(
                    `${name}-studio-${role}-out`,
                    { ...self, fromPort: from, toPort: to, description: `Studio ${role} within the domain` },
                    { parent: this },
                );
            }
            new vpc.SecurityGroupEgressRule(
                `${name}-studio-https-out`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                    description: "AWS APIs (endpoints, S3, NAT)",
                },
                { parent: this },
            );
            const domain = new sagemaker.Domain(
                `${name}-studio`,
                {
                    domainName: sagemakerName([args.namePrefix]),
                    authMode: "IAM",
                    appNetworkAccessType: "VpcOnly",
                    vpcId: args.vpcId,
                    subnetIds: args.subnetIds,
                    kmsKeyId: args.kmsKeyArn,
                    defaultUserSettings: { executionRole: role.arn, securityGroups: [sg.id] },
                    retentionPolicy: { homeEfsFileSystem: protect ? "Retain" : "Delete" },
                    tags,
                },
                { parent: this, protect, retainOnDelete: protect, dependsOn: [grants] },
            );
            new iam.RolePolicy(
                `${name}-studio-policy`,
                {
                    role: role.id,
                    policy: policyJson(
                        studioStatements({
                            partition: account.partition,
                            region: account.region,
                            accountId: account.accountId,
                            domainId: domain.id,
                        }),
                    ),
                },
                { parent: this },
            );
            trackingUri = domain.url;
        }

        this.trackingUri = trackingUri;
        this.modelRegistry = pulumi.interpolate`arn:${account.partition}:sagemaker:${account.region}:${account.accountId}:model-package-group/`;
        this.modelPackageGroupArns = pulumi.all(Object.fromEntries(args.models.map((m, i) => [m, groups[i].arn])));
        this.executionRoleArn = role.arn;
        this.trainingDefaults = pulumi.output(training);
        this.registerOutputs({
            trackingUri: this.trackingUri,
            modelRegistry: this.modelRegistry,
            trainingDefaults: this.trainingDefaults,
            modelPackageGroupArns: this.modelPackageGroupArns,
            executionRoleArn: this.executionRoleArn,
        });
    }
}
