/**
 * The platform's customer-managed KMS key (CKV_AWS_7 rotation; CIS-AWS5 3.6): one symmetric key per stack
 * encrypts the lake buckets, logs, audit trail, registries, SageMaker volumes and alert topic. Losing it
 * loses the data, so with `protectData` it is protected and retained when the stack is destroyed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import { awsAccount, PolicyStatement, policyDocument } from "../identity/aws";
import { throwIfProblems } from "../shared/problems";
import { AwsKmsKeyArgs, DELETION_WINDOW_DAYS, validateAwsKmsKey } from "./aws-args";

export * from "./aws-args";

/**
 * Key administration and use, granted to the account so that IAM policies decide who may use the key. An
 * explicit action list instead of `kms:*`: no wildcard action on the key. `kms:PutKeyPolicy` stays in, so
 * the key can never become unmanageable (KMS's lockout safety check).
 */
export const ACCOUNT_KEY_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:RetireGrant",
] as const;

export interface KeyPolicyContext {
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
}

/**
 * The key policy: the account (IAM decides), CloudWatch Logs for this account's log groups, CloudTrail for
 * this account's trails, CloudWatch alarms publishing to the encrypted alert topic, and EventBridge rules
 * delivering to it and to the pipelines' dead-letter queues. Service statements
 * follow the AWS guides (logs: "Encrypt log data in CloudWatch Logs using AWS KMS"; CloudTrail: "Configure
 * AWS KMS key policies for CloudTrail"; SNS: "Encryption at rest", CloudWatch as publisher).
 */
export function kmsKeyPolicy(c: KeyPolicyContext): { Version: string; Statement: readonly PolicyStatement[] } {
    const account = `arn:${c.partition}:iam::${c.accountId}:root`;
    return policyDocument([
        {
            Sid: "AccountAdministersAndUsesKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: account },
            Action: [...ACCOUNT_KEY_ACTIONS],
            Resource: "*",
        },
        {
            Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${c.region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${c.partition}:logs:${c.region}:${c.accountId}:log-group:*` },
            },
        },
        {
            Sid: "CloudTrailEncryptsThisAccountsTrails",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${c.partition}:cloudtrail:*:${c.accountId}:trail/*` },
                StringEquals: { "aws:SourceAccount": c.accountId },
            },
        },
        {
            Sid: "CloudTrailDescribesKey",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:DescribeKey",
            Resource: "*",
        },
        {
            Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": c.accountId } },
        },
        {
            // EventBridge rules deliver to the encrypted alert topic and dead-letter queues (EventBridge
            // user guide, "Encrypting EventBridge targets": events.amazonaws.com needs these two actions).
            Sid: "EventBridgeDeliversToEncryptedTargets",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": c.accountId } },
        },
    ]);
}

/** The platform's customer-managed KMS key: rotation on, protected and retained with `protectData`. */
export class AwsKmsKey extends pulumi.ComponentResource {
    /** ARN of the key (what encryption settings and key policies take). */
    public readonly keyArn: pulumi.Output<string>;
    /** The key's ID. */
    public readonly keyId: pulumi.Output<string>;

    constructor(name: string, args: AwsKmsKeyArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AwsKmsKey "${name}"`, validateAwsKmsKey(args));
        super("mlops:index:AwsKmsKey", name, args, opts);
        const window = args.deletionWindowDays ?? DELETION_WINDOW_DAYS.max;

        const protect = args.protectData ?? true;
        const account = awsAccount(this);
        const policy = pulumi
            .all([account.partition, account.accountId, account.region])
            .apply(([partition, accountId, region]) => JSON.stringify(kmsKeyPolicy({ partition, accountId, region })));
        const key = new kms.Key(
            `${name}-key`,
            {
                description: args.description ?? "mlops platform data key",
                enableKeyRotation: true,
                deletionWindowInDays: window,
                policy,
                tags: { ...args.tags },
            },
            { parent: this, protect, retainOnDelete: protect || (args.retainOnDelete ?? false) },
        );
        if (args.aliasName) new kms.Alias(`${name}-alias`, { name: args.aliasName, targetKeyId: key.keyId }, { parent: this });

        this.keyArn = key.arn;
        this.keyId = key.keyId;
        this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId });
    }
}
