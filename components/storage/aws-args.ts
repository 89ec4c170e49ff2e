/**
 * Arguments of AwsSecureBucket and their validator, with the S3 rules they are checked against. Pure: no
 * SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";
import type { ProblemDetail } from "../shared/problems";

/** Storage classes an S3 lifecycle rule may move objects to. */
export const COLD_STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;

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
export function isPublicAllow(s: PolicyStatement): boolean {
    const principal = s.Principal as unknown;
    const everyone =
        principal === "*" ||
        (typeof principal === "object" && principal !== null && [(principal as Record<string, unknown>).AWS].flat().includes("*"));
    return s.Effect === "Allow" && everyone;
}

export interface LifecycleSettings {
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly expirationDays?: number;
    readonly coldStorageAfterDays?: number;
    readonly coldStorageClass?: string;
}

export interface AwsSecureBucketArgs {
    /** The bucket's name (globally unique; see isValidBucketName). */
    readonly bucketName: pulumi.Input<string>;
    /**
     * KMS key for default encryption (SSE-KMS with an S3 bucket key). Leave it out only for buckets that
     * receive S3 server access logs, which get SSE-S3. Default: SSE-S3.
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Protect the bucket and its settings from deletion and keep them on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Empty the bucket when it is deleted (dev convenience; refused together with protectData). Default: false. */
    readonly forceDestroy?: boolean;
    /** Bucket receiving this bucket's server access logs. Default: no access logs. */
    readonly accessLogBucketName?: pulumi.Input<string>;
    /** Key prefix of this bucket's access logs. Default: "<bucket name>/". */
    readonly accessLogPrefix?: pulumi.Input<string>;
    /** Days an overwritten or deleted object version is kept. Default: 30. */
    readonly noncurrentVersionRetentionDays?: number;
    /** Days before unfinished multipart uploads are removed. Default: 7. */
    readonly abortIncompleteUploadDays?: number;
    /** Days after which objects expire (log buckets). Default: objects never expire. */
    readonly expirationDays?: number;
    /** Days after which objects move to `coldStorageClass` (at least 30). Default: they stay in STANDARD. */
    readonly coldStorageAfterDays?: number;
    /** Storage class of that move. Default: "STANDARD_IA". */
    readonly coldStorageClass?: string;
    /**
     * More bucket policy statements, as a JSON array (service principals that write here; see
     * statementsJson). An `Allow` for every principal is refused. Default: none.
     */
    readonly extraPolicyStatementsJson?: pulumi.Input<string>;
    /**
     * Send the bucket's events to EventBridge (S3 "Object Created" and others), for rules that start data
     * pipelines. The bucket's one BucketNotification: S3 keeps a single notification configuration per
     * bucket, so nothing else may declare one. Default: false.
     */
    readonly eventBridge?: boolean;
    /** Tags put on the bucket. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The bucket's lifecycle settings, defaults applied. */
export function bucketLifecycle(args: AwsSecureBucketArgs): LifecycleSettings {
    return {
        noncurrentVersionRetentionDays: args.noncurrentVersionRetentionDays ?? 30,
        abortIncompleteUploadDays: args.abortIncompleteUploadDays ?? 7,
        expirationDays: args.expirationDays,
        coldStorageAfterDays: args.coldStorageAfterDays,
        coldStorageClass: args.coldStorageClass,
    };
}

/** Every problem with AwsSecureBucket args. */
export function validateAwsSecureBucket(args: AwsSecureBucketArgs): ProblemDetail[] {
    const protect = args.protectData ?? true;
    const life = bucketLifecycle(args);
    const problems: ProblemDetail[] = [];
    if (typeof args.bucketName === "string" && !isValidBucketName(args.bucketName)) {
        problems.push({
            path: "bucketName",
            value: args.bucketName,
            message: "is not a valid S3 bucket name",
            fix: "use 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
        });
    }
    if (protect && args.forceDestroy) {
        problems.push({
            path: "forceDestroy",
            value: true,
            message: "would let a protected bucket be emptied on delete",
            fix: "leave forceDestroy off when protectData is on (prod)",
        });
    }
    const whole = (path: string, value: number | undefined, min: number) => {
        if (value !== undefined && (!Number.isInteger(value) || value < min))
            problems.push({ path, value, message: `must be a whole number of days of at least ${min}` });
    };
    whole("noncurrentVersionRetentionDays", life.noncurrentVersionRetentionDays, 1);
    whole("abortIncompleteUploadDays", life.abortIncompleteUploadDays, 1);
    whole("expirationDays", life.expirationDays, 1);
    // S3 refuses transitions to the infrequent-access classes before 30 days.
    whole("coldStorageAfterDays", life.coldStorageAfterDays, 30);
    if (life.coldStorageClass !== undefined && !(COLD_STORAGE_CLASSES as readonly string[]).includes(life.coldStorageClass)) {
        problems.push({
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
            problems.push({
                path: "extraPolicyStatementsJson",
                value: args.extraPolicyStatementsJson,
                message: "is not JSON",
                fix: "pass a JSON array of statements (statementsJson)",
            });
        }
        if (!Array.isArray(statements))
            problems.push({ path: "extraPolicyStatementsJson", value: statements, message: "must be a JSON array of statements" });
        else
            statements.forEach((s, i) => {
                if (isPublicAllow(s))
                    problems.push({
                        path: `extraPolicyStatementsJson[${i}]`,
                        value: s.Sid ?? i,
                        message: "allows every principal (CKV_AWS_70)",
                        fix: "name the service or account principal",
                    });
            });
    }
    return problems;
}
