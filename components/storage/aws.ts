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
import { COLD_STORAGE_CLASSES } from "../data-lake/aws-naming";
import { Problems } from "../shared/problems";

/**
 * S3 general purpose bucket names (docs: "Bucket naming rules"): 3-63 lowercase letters, digits, hyphens
 * (no dots, so virtual-host TLS works), start and end with a letter or digit, and none of the reserved
 * prefixes and suffixes.
 */
export function isValidBucketName(name: string): boolean {
    return (
        /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name) &&
        !["xn--", "sthree-", "amzn-s3-demo-"].some((p) => name.startsWith(p)) &&
        !["-s3alias", "--ol-s3", "--x-s3", "--table-s3"].some((s) => name.endsWith(s))
    );
}

/** An `Allow` for everyone: a public bucket policy (CKV_AWS_70). */
function isPublicAllow(s: PolicyStatement): boolean {
    const principal = s.Principal as unknown;
    const everyone =
        principal === "*" ||
        (typeof principal === "object" && principal !== null && [(principal as Record<string, unknown>).AWS].flat().includes("*"));
    return s.Effect === "Allow" && everyone;
}

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

export interface LifecycleSettings {
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly expirationDays?: number;
    readonly coldStorageAfterDays?: number;
    readonly coldStorageClass?: string;
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

export interface AwsSecureBucketArgs {
    /** The bucket's name (globally unique; see isValidBucketName). */
    readonly bucketName: pulumi.Input<string>;
    /**
     * KMS key for default encryption (SSE-KMS with an S3 bucket key). Leave it out only for buckets that
     * receive S3 server access logs, which get SSE-S3. @default - SSE-S3
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Protect the bucket and its settings from deletion and keep them on destroy. @default true */
    readonly protectData?: boolean;
    /** Empty the bucket when it is deleted (dev convenience; refused together with protectData). @default false */
    readonly forceDestroy?: boolean;
    /** Bucket receiving this bucket's server access logs. @default - no access logs */
    readonly accessLogBucketName?: pulumi.Input<string>;
    /** Key prefix of this bucket's access logs. @default "<bucket name>/" */
    readonly accessLogPrefix?: pulumi.Input<string>;
    /** Days an overwritten or deleted object version is kept. @default 30 */
    readonly noncurrentVersionRetentionDays?: number;
    /** Days before unfinished multipart uploads are removed. @default 7 */
    readonly abortIncompleteUploadDays?: number;
    /** Days after which objects expire (log buckets). @default - objects never expire */
    readonly expirationDays?: number;
    /** Days after which objects move to `coldStorageClass` (at least 30). @default - they stay in STANDARD */
    readonly coldStorageAfterDays?: number;
    /** Storage class of that move. @default "STANDARD_IA" */
    readonly coldStorageClass?: string;
    /**
     * More bucket policy statements, as a JSON array (service principals that write here; see
     * statementsJson). An `Allow` for every principal is refused. @default - none
     */
    readonly extraPolicyStatementsJson?: pulumi.Input<string>;
    /** Tags put on the bucket. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

export class AwsSecureBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The bucket policy; writers that need it in place (CloudTrail, log delivery) depend on it. */
    public readonly policy: s3.BucketPolicy;

    constructor(name: string, args: AwsSecureBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const protect = args.protectData ?? true;
        const life: LifecycleSettings = {
            noncurrentVersionRetentionDays: args.noncurrentVersionRetentionDays ?? 30,
            abortIncompleteUploadDays: args.abortIncompleteUploadDays ?? 7,
            expirationDays: args.expirationDays,
            coldStorageAfterDays: args.coldStorageAfterDays,
            coldStorageClass: args.coldStorageClass,
        };
        validate(name, args, life, protect);
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

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}

function validate(name: string, args: AwsSecureBucketArgs, life: LifecycleSettings, protect: boolean): void {
    const problems = new Problems();
    if (typeof args.bucketName === "string" && !isValidBucketName(args.bucketName)) {
        problems.add({
            path: "bucketName",
            value: args.bucketName,
            message: "is not a valid S3 bucket name",
            fix: "use 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
        });
    }
    if (protect && args.forceDestroy) {
        problems.add({
            path: "forceDestroy",
            value: true,
            message: "would let a protected bucket be emptied on delete",
            fix: "leave forceDestroy off when protectData is on (prod)",
        });
    }
    const whole = (path: string, value: number | undefined, min: number) => {
        if (value !== undefined && (!Number.isInteger(value) || value < min))
            problems.add({ path, value, message: `must be a whole number of days of at least ${min}` });
    };
    whole("noncurrentVersionRetentionDays", life.noncurrentVersionRetentionDays, 1);
    whole("abortIncompleteUploadDays", life.abortIncompleteUploadDays, 1);
    whole("expirationDays", life.expirationDays, 1);
    // S3 refuses transitions to the infrequent-access classes before 30 days.
    whole("coldStorageAfterDays", life.coldStorageAfterDays, 30);
    if (life.coldStorageClass !== undefined && !(COLD_STORAGE_CLASSES as readonly string[]).includes(life.coldStorageClass)) {
        problems.add({
            path: "coldStorageClass",
            value: life.coldStorageClass,
            message: "is not a storage class lifecycle rules move objects to",
            allowed: COLD_STORAGE_CLASSES,
        });
    }
    if (typeof args.extraPolicyStatementsJson === "string") {
        let statements: PolicyStatement[] = [];
        try {
            statements = JSON.parse(args.extraPolicyStatementsJson);
        } catch {
            problems.add({
                path: "extraPolicyStatementsJson",
                value: args.extraPolicyStatementsJson,
                message: "is not JSON",
                fix: "pass a JSON array of statements (statementsJson)",
            });
        }
        if (!Array.isArray(statements))
            problems.add({ path: "extraPolicyStatementsJson", value: statements, message: "must be a JSON array of statements" });
        else
            statements.forEach((s, i) => {
                if (isPublicAllow(s))
                    problems.add({
                        path: `extraPolicyStatementsJson[${i}]`,
                        value: s.Sid ?? i,
                        message: "allows every principal (CKV_AWS_70)",
                        fix: "name the service or account principal",
                    });
            });
    }
    problems.throwIfAny(`AwsSecureBucket "${name}"`);
}
