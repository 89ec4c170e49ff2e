/**
 * The private bucket every GCP component keeps its code or files in (model files, function sources, job
 * files, training specs): uniform access, public access prevented, CMEK, versioned with soft delete, noncurrent
 * versions deleted after `keepNoncurrentDays`, access-logged, kept on destroy when protected
 * (docs/security-baseline.md sections 1 and 3).
 */
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/gcp/storage";

export interface PrivateCodeBucketArgs {
    readonly project: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** The customer-managed key of the bucket's default encryption. */
    readonly kmsKeyName: pulumi.Input<string>;
    /** The lake's access-log bucket. @default - no access logs */
    readonly accessLogBucket?: pulumi.Input<string>;
    /** Days a replaced or deleted object version is kept. */
    readonly keepNoncurrentDays: number;
    /** Protected: kept on destroy and never force-destroyed. */
    readonly protect: boolean;
    readonly labels: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export function privateCodeBucket(name: string, a: PrivateCodeBucketArgs, opts: pulumi.CustomResourceOptions): storage.Bucket {
    return new storage.Bucket(
        name,
        {
            project: a.project,
            location: a.location,
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            encryption: { defaultKmsKeyName: a.kmsKeyName },
            softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
            lifecycleRules: [
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: a.keepNoncurrentDays, withState: "ARCHIVED" } },
            ],
            logging: a.accessLogBucket === undefined ? undefined : { logBucket: a.accessLogBucket },
            forceDestroy: !a.protect,
            labels: a.labels,
        },
        { ...opts, protect: a.protect, retainOnDelete: a.protect },
    );
}
