/**
 * S3 buckets and their companion resources. With @pulumi/aws v7 versioning, encryption, public access
 * blocks, ownership, policy, logging and lifecycle are separate resources, so these are stack rules
 * joining each bucket with the companions whose `bucket` input came from it (Checkov's graph checks
 * CKV_AWS_21, CKV2_AWS_6 ... do the same on Terraform).
 */
import { PolicyResource } from "@pulumi/policy";
import { MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, list, records, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { deniesInsecureTransport, publicAllows, statementsOf } from "./documents";
import { AWS } from "./types";

const LAKE = "AwsSecureBucket in components/storage/aws.ts";
/** What a companion's `bucket` input holds: the bucket's name, which is also its ID. */
const BUCKET_IDS = ["bucket", "id"];

type Judge = (bucket: PolicyResource, view: StackView) => readonly string[];

/** A stack rule judging each bucket; a bucket whose companions are unknown at preview is skipped. */
function bucketRule(spec: Omit<Parameters<typeof stackRule>[0], "validate" | "types" | "clouds">, judge: Judge): MlopsPolicy {
    return stackRule({
        ...spec,
        clouds: ["aws"],
        types: AWS.bucket,
        validate: ({ view, inScope, report }) => {
            for (const bucket of view.ofType(AWS.bucket).filter(inScope)) {
                for (const problem of whenKnown(() => judge(bucket, view)) ?? []) report(bucket, problem);
            }
        },
    });
}

const companions = (view: StackView, bucket: PolicyResource, types: readonly string[], linkProp = "bucket") =>
    view.companions(bucket, types, linkProp, BUCKET_IDS);

/** Buckets that receive server access logs: S3 log delivery only supports SSE-S3 there. */
export const isLogTarget = (view: StackView, bucket: PolicyResource): boolean =>
    companions(view, bucket, AWS.bucketLogging, "targetBucket").length > 0;

export const s3Versioning = bucketRule(
    {
        name: "aws-s3-versioning",
        description: "S3 buckets keep object versions: an aws.s3.BucketVersioning with status Enabled.",
        severity: "high",
        remediation: `keep the aws.s3.BucketVersioning (status Enabled) created for every bucket (${LAKE}); old versions expire after mlops:dataLake.noncurrentVersionRetentionDays`,
        mirrors: ["CKV_AWS_21", "AVD-AWS-0090"],
        category: "data-loss",
        enforcement: "mandatory",
    },
    (bucket, view) => {
        if (bucket.props.versioning?.enabled === true) return [];
        const found = companions(view, bucket, AWS.bucketVersioning);
        if (found.length === 0) return ["no aws.s3.BucketVersioning for this bucket"];
        const status = found[0].props.versioningConfiguration?.status;
        return status === "Enabled" ? [] : [`versioning status is ${status ?? "unset"}, not Enabled`];
    },
);

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

export const s3Encryption = bucketRule(
    {
        name: "aws-s3-kms-encryption",
        description:
            "S3 buckets encrypt by default with a customer-managed KMS key (aws.s3.BucketServerSideEncryptionConfiguration, aws:kms); buckets receiving server access logs may use SSE-S3, the only encryption log delivery supports.",
        severity: "high",
        remediation: `keep the aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and the stack's KMS key (${LAKE}, key from components/encryption/aws.ts)`,
        mirrors: ["CKV_AWS_19", "CKV_AWS_145", "AVD-AWS-0088", "AVD-AWS-0132"],
        category: "security",
        enforcement: "mandatory",
    },
    (bucket, view) => {
        const inline = bucket.props.serverSideEncryptionConfiguration?.rule;
        const rules = [...(inline ? [inline] : []), ...companions(view, bucket, AWS.bucketEncryption).flatMap((c) => list(c.props.rules))];
        if (rules.length === 0) return ["no aws.s3.BucketServerSideEncryptionConfiguration for this bucket"];
        const defaults = rules.map((r) => r?.applyServerSideEncryptionByDefault).find((d) => d);
        const algorithm = defaults?.sseAlgorithm;
        if (isLogTarget(view, bucket) && (algorithm === "AES256" || KMS_ALGORITHMS.includes(algorithm))) return [];
        if (!KMS_ALGORITHMS.includes(algorithm)) return [`default encryption is ${algorithm ?? "unset"}, not aws:kms`];
        return defaults?.kmsMasterKeyId ? [] : ["default encryption names no kmsMasterKeyId (customer-managed key)"];
    },
);

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = bucketRule(
    {
        name: "aws-s3-public-access-block",
        description: "Every S3 bucket has an aws.s3.BucketPublicAccessBlock with all four blocks on.",
        severity: "critical",
        remediation: `keep the aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true (${LAKE})`,
        mirrors: [
            "CKV2_AWS_6",
            "CKV_AWS_53",
            "CKV_AWS_54",
            "CKV_AWS_55",
            "CKV_AWS_56",
            "AVD-AWS-0086",
            "AVD-AWS-0087",
            "AVD-AWS-0091",
            "AVD-AWS-0093",
            "AVD-AWS-0094",
            "CIS-AWS5 2.1.4",
        ],
        category: "security",
        enforcement: "mandatory",
    },
    (bucket, view) => {
        const found = companions(view, bucket, AWS.bucketPublicAccessBlock);
        if (found.length === 0) return ["no aws.s3.BucketPublicAccessBlock for this bucket"];
        return BLOCK_FLAGS.filter((f) => found[0].props[f] !== true).map((f) => `${f} is not true in its aws.s3.BucketPublicAccessBlock`);
    },
);

export const s3AclsDisabled = bucketRule(
    {
        name: "aws-s3-acls-disabled",
        description: "S3 buckets disable ACLs: aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
        severity: "high",
        remediation: `keep the aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced (${LAKE})`,
        mirrors: ["CKV2_AWS_65", "AVD-AWS-0092"],
        category: "security",
        enforcement: "mandatory",
    },
    (bucket, view) => {
        const found = companions(view, bucket, AWS.bucketOwnershipControls);
        if (found.length === 0) return ["no aws.s3.BucketOwnershipControls for this bucket"];
        const ownership = found[0].props.rule?.objectOwnership;
        return ownership === "BucketOwnerEnforced" ? [] : [`objectOwnership is ${ownership ?? "unset"}, not BucketOwnerEnforced`];
    },
);

export const s3TlsOnly = bucketRule(
    {
        name: "aws-s3-tls-only",
        description: "S3 bucket policies deny requests that do not use TLS (Deny when aws:SecureTransport is false).",
        severity: "high",
        remediation: `keep the bucket policy statement that denies aws:SecureTransport=false (${LAKE})`,
        mirrors: ["CIS-AWS5 2.1.1"],
        category: "security",
        enforcement: "mandatory",
    },
    (bucket, view) => {
        const documents = [bucket.props.policy, ...companions(view, bucket, AWS.bucketPolicy).map((p) => p.props.policy)].filter(
            (d) => d !== undefined,
        );
        const denies = documents.some((d) => (statementsOf(d) ?? []).some(deniesInsecureTransport));
        return denies ? [] : ["no bucket policy denies requests without TLS (Deny with Condition Bool aws:SecureTransport false)"];
    },
);

export const s3PolicyNotPublic = resourceRule({
    name: "aws-s3-policy-not-public",
    description: 'S3 bucket policies allow no one-and-all principal (Allow with Principal "*").',
    severity: "critical",
    remediation: `grant access to named roles, never Principal "*"; the lake grants its readers through IAM roles (components/identity/aws.ts)`,
    mirrors: ["CKV_AWS_70"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: AWS.bucketPolicy,
    check: (r) => {
        const statements = statementsOf(r.props.policy);
        if (!statements) return ["policy is not a JSON policy document"];
        return publicAllows(statements).map((s) => `statement ${s.index} allows Principal "*"`);
    },
});

export const s3AccessLogging = bucketRule(
    {
        name: "aws-s3-access-logging",
        description: "S3 buckets write server access logs (aws.s3.BucketLogging); buckets that receive logs are exempt.",
        severity: "low",
        remediation: `keep the aws.s3.BucketLogging to the log bucket (${LAKE})`,
        mirrors: ["CKV_AWS_18", "AVD-AWS-0089"],
        category: "security",
        enforcement: "advisory",
    },
    (bucket, view) => {
        if (bucket.props.logging?.targetBucket || isLogTarget(view, bucket)) return [];
        return companions(view, bucket, AWS.bucketLogging).length > 0 ? [] : ["server access logging is off (no aws.s3.BucketLogging)"];
    },
);

export const s3Lifecycle = bucketRule(
    {
        name: "aws-s3-lifecycle",
        description:
            "S3 buckets have lifecycle rules that abort incomplete multipart uploads and expire noncurrent versions, so versioning does not grow storage without bound.",
        severity: "low",
        remediation: `keep the aws.s3.BucketLifecycleConfiguration (mlops:dataLake.abortIncompleteUploadDays and noncurrentVersionRetentionDays; ${LAKE})`,
        mirrors: ["CKV2_AWS_61", "CKV_AWS_300"],
        category: "data-loss",
        enforcement: "advisory",
    },
    (bucket, view) => {
        const found = companions(view, bucket, AWS.bucketLifecycle);
        if (found.length === 0) return ["no aws.s3.BucketLifecycleConfiguration for this bucket"];
        const enabled = found.flatMap((c) => records(c.props.rules)).filter((r) => r.status === "Enabled");
        return [
            ...(enabled.some((r) => at(r, "abortIncompleteMultipartUpload.daysAfterInitiation"))
                ? []
                : ["no enabled lifecycle rule aborts incomplete multipart uploads"]),
            ...(enabled.some((r) => at(r, "noncurrentVersionExpiration.noncurrentDays"))
                ? []
                : ["no enabled lifecycle rule expires noncurrent versions"]),
        ];
    },
);

/** Whether a trail records S3 object-level (data) events, through classic or advanced selectors. */
export function recordsS3DataEvents(trail: PolicyResource): boolean {
    const classic = records(trail.props.eventSelectors).some((s) => records(s.dataResources).some((d) => d.type === "AWS::S3::Object"));
    const advanced = records(trail.props.advancedEventSelectors).some((s) => {
        const selectors = records(s.fieldSelectors);
        const has = (field: string, value: string) => selectors.some((f) => f.field === field && list(f.equals).includes(value));
        return has("eventCategory", "Data") && has("resources.type", "AWS::S3::Object");
    });
    return classic || advanced;
}

export const s3DataEventsAudited = stackRule({
    name: "aws-s3-data-events-audited",
    description: "A stack with S3 buckets has a CloudTrail trail recording S3 data events (object reads and writes).",
    severity: "high",
    remediation:
        "keep mlops:dataLake.aws.dataAccessTrail true: the trail records S3 data events on the lake buckets (components/audit/aws.ts)",
    mirrors: ["CIS-AWS5 3.8", "CIS-AWS5 3.9", "AVD-AWS-0171", "AVD-AWS-0172"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: AWS.bucket,
    validate: ({ view, report }) => {
        const verdicts = view.ofType([AWS.trail]).map((t) => whenKnown(() => recordsS3DataEvents(t)));
        // A selector unknown at preview may well record data events: judge it once it is known.
        if (verdicts.includes(true) || verdicts.includes(undefined)) return;
        report(undefined, "no CloudTrail trail in the stack records S3 data events");
    },
});

export const s3Rules: readonly MlopsPolicy[] = [
    s3Versioning,
    s3Encryption,
    s3PublicAccessBlock,
    s3AclsDisabled,
    s3TlsOnly,
    s3PolicyNotPublic,
    s3AccessLogging,
    s3Lifecycle,
    s3DataEventsAudited,
];
