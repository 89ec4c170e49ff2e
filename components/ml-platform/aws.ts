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
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import { awsAccount, policyJson } from "../identity/aws";
import { NAME_PREFIX, sagemakerName } from "../data-lake/aws-naming";
import { Problems } from "../shared/problems";
import { MlPlatform, MlPlatformArgs, TrainingDefaults } from "./contract";
import { executionRoleStatements, studioStatements } from "./aws-policies";

const MODEL_NAME = /^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/;
const SAGEMAKER_INSTANCE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

export interface SageMakerPlatformArgs extends MlPlatformArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** ARN of the models zone's bucket (`artifactBucket`): read and write. */
    readonly artifactBucketArn: pulumi.Input<string>;
    /** ARNs of every lake bucket: read. */
    readonly lakeBucketArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The platform's KMS key: Studio storage, volumes and artifacts. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ECR repositories the platform's jobs pull from. */
    readonly repositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The VPC Studio and jobs run in. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for Studio and jobs (two zones or more). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Create the SageMaker Studio domain (VPC only: notebooks reach AWS APIs through interface endpoints or
     * NAT, which cost money; see the network settings). The domain itself is free; its EFS home storage is
     * billed. @default true
     */
    readonly studio?: boolean;
    /** Training instance type when no accelerator is asked for. @default "ml.m5.xlarge" */
    readonly cpuTrainingInstanceType?: string;
}

export class SageMakerPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** The Studio URL, or the SageMaker console of the region without Studio. */
    public readonly trackingUri: pulumi.Output<string>;
    /** ARN prefix of this stack's model package groups (`arn:...:model-package-group/`). */
    public readonly modelRegistry: pulumi.Output<string>;
    public readonly trainingDefaults: pulumi.Output<TrainingDefaults>;
    /** Model package group ARN per model. */
    public readonly modelPackageGroupArns: pulumi.Output<Record<string, string>>;
    /** The execution role training and processing jobs run as. */
    public readonly executionRoleArn: pulumi.Output<string>;

    constructor(name: string, args: SageMakerPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const training = validate(name, args);
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

/** Checks every argument and resolves the training compute from the catalog (service `sagemaker-training`). */
function validate(name: string, args: SageMakerPlatformArgs): TrainingDefaults {
    const problems = new Problems();
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.add({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    args.models.forEach((m, i) => {
        if (!MODEL_NAME.test(m))
            problems.add({
                path: `models[${i}]`,
                value: m,
                message: "is not a valid model name",
                fix: "use 1-24 lowercase letters, digits and '-', starting with a letter",
            });
        if (args.models.indexOf(m) !== i) problems.add({ path: `models[${i}]`, value: m, message: "is listed twice" });
    });
    const maxNodes = args.training?.maxNodes ?? 1;
    if (!Number.isInteger(maxNodes) || maxNodes < 1)
        problems.add({ path: "training.maxNodes", value: maxNodes, message: "must be a whole number of at least 1" });
    const cpuType = args.cpuTrainingInstanceType ?? "ml.m5.xlarge";
    if (!SAGEMAKER_INSTANCE.test(cpuType))
        problems.add({
            path: "cpuTrainingInstanceType",
            value: cpuType,
            message: "is not a SageMaker instance type",
            fix: 'write e.g. "ml.m5.xlarge"',
        });
    let compute = cpuType;
    const accelerator = args.training?.accelerator;
    try {
        compute = resolveAccelerator({ cloud: "aws", service: "sagemaker-training", accelerator })?.instanceType ?? cpuType;
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.add({ path: "training.accelerator", value: accelerator, message: e.message });
    }
    problems.throwIfAny(`SageMakerPlatform "${name}"`);
    return {
        accelerator: accelerator?.type ?? "none",
        acceleratorCount: accelerator?.count ?? 0,
        compute,
        maxNodes,
        spot: args.training?.spot ?? true,
    };
}
