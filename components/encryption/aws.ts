/**
 * The platform's customer-managed KMS key (CKV_AWS_7 rotation; CIS-AWS5 3.6): one symmetric key per stack
 * encrypts the lake buckets, logs, audit trail, registries, SageMaker volumes and alert topic. Losing it
 * loses the data, so with `protectData` it is protected and retained when the stack is destroyed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import { awsAccount, PolicyStatement, policyDocument } from "../identity/aws";
import { Problems } from "../shared/problems";

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
 * this account's trails, and CloudWatch alarms publishing to the encrypted alert topic. Service statements
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
    ]);
}

/** KMS accepts a pending-deletion window of 7 to 30 days. */
export const DELETION_WINDOW_DAYS = { min: 7, max: 30 } as const;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

export interface AwsKmsKeyArgs {
    /** What the key protects, shown in the KMS console. @default "mlops platform data key" */
    readonly description?: string;
    /** Alias (`alias/...`) so people find the key. @default - no alias */
    readonly aliasName?: string;
    /** Protect the key from deletion and keep it when the stack is destroyed. @default true */
    readonly protectData?: boolean;
    /**
     * Keep the key on destroy even without `protectData`: set it when an account-wide setting keeps using
     * the key after the stack is gone (the Glue Data Catalog encryption setting). @default false
     */
    readonly retainOnDelete?: boolean;
    /** Days a deleted key waits before it is destroyed (7 to 30); it can be recovered meanwhile. @default 30 */
    readonly deletionWindowDays?: number;
    /** Tags put on the key. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

export class AwsKmsKey extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;

    constructor(name: string, args: AwsKmsKeyArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        const window = args.deletionWindowDays ?? DELETION_WINDOW_DAYS.max;
        if (!Number.isInteger(window) || window < DELETION_WINDOW_DAYS.min || window > DELETION_WINDOW_DAYS.max) {
            problems.add({
                path: "deletionWindowDays",
                value: window,
                message: "must be a whole number of days from 7 to 30 (the window KMS accepts)",
            });
        }
        if (args.aliasName !== undefined && (!ALIAS.test(args.aliasName) || args.aliasName.startsWith("alias/aws/"))) {
            problems.add({
                path: "aliasName",
                value: args.aliasName,
                message: "is not a KMS alias name",
                fix: "write `alias/<letters, digits, /, _ or ->`, not under `alias/aws/` (reserved for AWS)",
            });
        }
        problems.throwIfAny(`AwsKmsKey "${name}"`);
        super("mlops:index:AwsKmsKey", name, args, opts);

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
