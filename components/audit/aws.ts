/**
 * Data-access audit: a CloudTrail trail recording object-level reads and writes (S3 data events, CIS-AWS5
 * 3.8/3.9) on the buckets it is given, with log-file validation (CKV_AWS_36), a customer-managed key
 * (CKV_AWS_35), multi-region (CKV_AWS_67) and a copy in CloudWatch Logs (CKV2_AWS_10). Management events
 * are left to the account's own trail: a second copy of them is billed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudtrail from "@pulumi/aws/cloudtrail";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { awsAccount, logStreamsArn, PolicyStatement, policyJson, serviceRole, statementsJson } from "../identity/aws";
import { AwsSecureBucket } from "../storage/aws";
import { throwIfProblems } from "../shared/problems";
import { AwsDataAccessTrailArgs, validateAwsDataAccessTrail } from "./aws-args";

export * from "./aws-args";

/** Bucket policy CloudTrail needs to deliver to a bucket, limited to one trail (aws:SourceArn). */
export function cloudTrailDeliveryStatements(
    bucketArn: pulumi.Input<string>,
    trailArn: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
): PolicyStatement[] {
    const principal = { Service: "cloudtrail.amazonaws.com" };
    return [
        {
            Sid: "CloudTrailChecksBucketAcl",
            Effect: "Allow",
            Principal: principal,
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailWritesLogs",
            Effect: "Allow",
            Principal: principal,
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}

/** Advanced event selector: every object-level event (read and write) under the given buckets, nothing else. */
export function dataEventSelectors(bucketArns: readonly pulumi.Input<string>[]) {
    return [
        {
            name: "Object-level reads and writes on the data lake",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: bucketArns.map((arn) => pulumi.interpolate`${arn}/`) },
            ],
        },
    ];
}

/** A CloudTrail trail recording object-level reads and writes on the given buckets, with log-file validation, KMS encryption and a copy in CloudWatch Logs. */
export class AwsDataAccessTrail extends pulumi.ComponentResource {
    /** ARN of the CloudTrail trail recording the buckets' data events. */
    public readonly trailArn: pulumi.Output<string>;
    /** Name of the bucket the trail delivers its log files to. */
    public readonly logBucketName: pulumi.Output<string>;

    constructor(name: string, args: AwsDataAccessTrailArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AwsDataAccessTrail "${name}"`, validateAwsDataAccessTrail(args));
        super("mlops:index:AwsDataAccessTrail", name, args, opts);
        const retention = args.retentionDays ?? 365;

        const tags = { ...args.tags };
        const account = awsAccount(this);
        const trailArn = pulumi.interpolate`arn:${account.partition}:cloudtrail:${account.region}:${account.accountId}:trail/${args.trailName}`;
        const bucket = new AwsSecureBucket(
            `${name}-logs`,
            {
                bucketName: args.logBucketName,
                kmsKeyArn: args.kmsKeyArn,
                protectData: args.protectData,
                forceDestroy: args.forceDestroy,
                accessLogBucketName: args.accessLogBucketName,
                expirationDays: retention,
                extraPolicyStatementsJson: statementsJson(
                    cloudTrailDeliveryStatements(
                        pulumi.interpolate`arn:${account.partition}:s3:::${args.logBucketName}`,
                        trailArn,
                        account.accountId,
                    ),
                ),
                tags,
            },
            { parent: this },
        );
        // Audit records: with protectData the CloudWatch copy is protected and kept, like the trail bucket.
        const protect = args.protectData ?? true;
        const logGroup = new cloudwatch.LogGroup(
            `${name}-log-group`,
            { retentionInDays: retention, kmsKeyId: args.kmsKeyArn, tags },
            { parent: this, protect, retainOnDelete: protect },
        );
        const writer = serviceRole(this, `${name}-cloudwatch-role`, {
            service: "cloudtrail.amazonaws.com",
            description: "CloudTrail copies the data-access trail into its CloudWatch log group",
            policy: policyJson([
                { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logStreamsArn(logGroup.arn) },
            ]),
            tags,
        });
        const trail = new cloudtrail.Trail(
            `${name}-trail`,
            {
                name: args.trailName,
                s3BucketName: bucket.bucketName,
                kmsKeyId: args.kmsKeyArn,
                enableLogFileValidation: true,
                enableLogging: true,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                advancedEventSelectors: dataEventSelectors(args.bucketArns),
                cloudWatchLogsGroupArn: logStreamsArn(logGroup.arn),
                cloudWatchLogsRoleArn: writer.role.arn,
                tags,
            },
            { parent: this, dependsOn: [bucket.policy, writer.policy] },
        );

        this.trailArn = trail.arn;
        this.logBucketName = bucket.bucketName;
        this.registerOutputs({ trailArn: this.trailArn, logBucketName: this.logBucketName });
    }
}
