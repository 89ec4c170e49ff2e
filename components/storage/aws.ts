/**
 * An S3 bucket with every control the baseline asks for, as @pulumi/aws v7 companion resources:
 * versioning (CKV_AWS_21), default encryption with a customer-managed key (CKV_AWS_19/145), all four public
 * access blocks (CKV2_AWS_6, CKV_AWS_53..56), ACLs disabled (CKV2_AWS_65), a policy that denies plain HTTP
 * and TLS below 1.2 (CIS-AWS5 2.1.1), lifecycle rules (CKV2_AWS_61, CKV_AWS_300) and server access logs
 * (CKV_AWS_18). With `protectData` the bucket and its companions are protected and kept on destroy, so a
 * retained bucket never loses its public access block or encryption settings.
 */
import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import type * as inputs from "@pulumi/aws/types/input";
import { PolicyStatement, policyJson } from "../identity/aws";
import { throwIfProblems } from "../shared/problems";
import { AwsSecureBucketArgs, bucketLifecycle, isPublicAllow, LifecycleSettings, validateAwsSecureBucket } from "./aws-args";

export * from "./aws-args";

/** Denies any request without TLS, and TLS older than 1.2, whoever sends it. */
export function secureTransportStatements(bucketArn: pulumi.Input<string>): PolicyStatement[] {
    const resources = [bucketArn, pulumi.interpolate`${bucketArn}/*`];
    return [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyTlsBelow12",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        },
    ];
}

/** Lifecycle rules: old versions and leftover delete markers expire, unfinished uploads are removed, and optionally objects expire or move to colder storage. */
export function lifecycleRules(s: LifecycleSettings): inputs.s3.BucketLifecycleConfigurationRule[] {
    const rules: inputs.s3.BucketLifecycleConfigurationRule[] = [
        {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: s.noncurrentVersionRetentionDays },
            ...(s.expirationDays === undefined ? { expiration: { expiredObjectDeleteMarker: true } } : {}),
        },
        {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: s.abortIncompleteUploadDays },
        },
    ];
    if (s.expirationDays !== undefined)
        rules.push({ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: s.expirationDays } });
    if (s.coldStorageAfterDays !== undefined) {
        rules.push({
            id: "move-to-colder-storage",
            status: "Enabled",
            filter: {},
            transitions: [{ days: s.coldStorageAfterDays, storageClass: s.coldStorageClass ?? "STANDARD_IA" }],
        });
    }
    return rules;
}

/** An S3 bucket with the baseline's controls: versioning, KMS encryption, public access blocked, ACLs disabled, TLS-only policy, lifecycle rules and server access logs. */
export class AwsSecureBucket extends pulumi.ComponentResource {
    /** The bucket's name. */
    public readonly bucketName: pulumi.Output<string>;
    /** The bucket's ARN. */
    public readonly bucketArn: pulumi.Output<string>;
    /** The bucket policy; writers that need it in place (CloudTrail, log delivery) depend on it. */
    public readonly policy: s3.BucketPolicy;

    constructor(name: string, args: AwsSecureBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const protect = args.protectData ?? true;
        throwIfProblems(`AwsSecureBucket "${name}"`, validateAwsSecureBucket(args));
        const life = bucketLifecycle(args);
        super("mlops:index:AwsSecureBucket", name, args, opts);

        const bucket = new s3.Bucket(
            `${name}-bucket`,
            { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false, tags: { ...args.tags } },
            { parent: this, protect, retainOnDelete: protect },
        );
        // Companions go when the bucket goes (deletedWith) and stay when it is retained.
        const companion: pulumi.CustomResourceOptions = { parent: this, protect, retainOnDelete: protect, deletedWith: bucket };

        const versioning = new s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            companion,
        );
        new s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    args.kmsKeyArn
                        ? {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            companion,
        );
        const publicAccessBlock = new s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            companion,
        );
        new s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            companion,
        );
        this.policy = new s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: pulumi
                    .all([policyJson(secureTransportStatements(bucket.arn)), args.extraPolicyStatementsJson ?? "[]"])
                    .apply(([base, extra]) => {
                        const document = JSON.parse(base);
                        const statements = JSON.parse(extra) as PolicyStatement[];
                        // Checked here too for values only known at deployment time.
                        if (statements.some(isPublicAllow))
                            throw new Error(`AwsSecureBucket "${name}": a policy statement allows every principal (CKV_AWS_70)`);
                        return JSON.stringify({ ...document, Statement: [...document.Statement, ...statements] });
                    }),
            },
            // S3 rejects policies while the public access block is being changed; set the block first.
            { ...companion, dependsOn: [publicAccessBlock] },
        );
        // Noncurrent-version rules only mean something on a versioned bucket: versioning is switched on first.
        new s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket: bucket.id, rules: lifecycleRules(life) },
            { ...companion, dependsOn: [versioning] },
        );
        if (args.accessLogBucketName !== undefined) {
            new s3.BucketLogging(
                `${name}-access-logs`,
                {
                    bucket: bucket.id,
                    targetBucket: args.accessLogBucketName,
                    targetPrefix: args.accessLogPrefix ?? pulumi.interpolate`${bucket.bucket}/`,
                },
                companion,
            );
        }

        if (args.eventBridge) {
            // The bucket's whole notification configuration (one per bucket): events go to EventBridge only.
            new s3.BucketNotification(`${name}-notifications`, { bucket: bucket.id, eventbridge: true }, companion);
        }

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
