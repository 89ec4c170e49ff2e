/**
 * The data lake contract: one bucket (or container) per zone, versioned and encrypted, with a catalog
 * and query engine where the cloud has one. Implementations: kubernetes (MinIO); aws, gcp and azure
 * follow the same args and outputs.
 */
import * as pulumi from "@pulumi/pulumi";

/** The default zones, in the order data flows through them. */
export const DEFAULT_ZONES = ["raw", "curated", "features", "models"] as const;

export interface DataLakeArgs {
    /** Zones, one bucket each, e.g. `["raw", "curated", "features", "models"]`. */
    readonly zones: string[];
    /**
     * Protect stateful resources (buckets, keys, volumes) from deletion and keep them when the stack is
     * destroyed. The stacks turn this on in `prod`. Default: true.
     */
    readonly protectData?: boolean;
    /** Days to keep an object version after it is overwritten or deleted. Default: 30. */
    readonly noncurrentVersionRetentionDays?: number;
    /** Days after which unfinished multipart uploads are removed. Default: 7. */
    readonly abortIncompleteUploadDays?: number;
    /** Days after which raw-zone objects move to colder storage (clouds only). Default: 90. */
    readonly rawColdStorageAfterDays?: number;
    /** Days to keep data-access audit logs. Default: 365. */
    readonly auditLogRetentionDays?: number;
    /** Create the catalog and SQL query engine over the lake (clouds only; costs money on Azure). Default: false. */
    readonly queryEngine?: boolean;
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Outputs every data lake implementation exposes. */
export interface DataLake {
    /** Bucket (or container) name per zone. */
    readonly bucketNames: pulumi.Output<Record<string, string>>;
    /** The object-store endpoint clients use (S3 API endpoint, GCS/ADLS URL, in-cluster MinIO URL). */
    readonly endpoint: pulumi.Output<string>;
}
