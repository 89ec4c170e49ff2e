/**
 * Arguments of GcsDataLake, their validators, and the pure pieces the component builds from: lifecycle
 * rules, the data-access audit filter, dataset IDs. No SDK at runtime: unit-tested on their own.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProblemDetail } from "../shared/problems";
import type { DataLakeArgs } from "./contract";
import { GCP_NAME_RULES, autoNameBudget, datasetId, fitsGcpRule, validateNamePrefix } from "../naming/gcp";

export interface GcsDataLakeArgs extends DataLakeArgs {
    /** Project of every resource (and of the audit configuration). */
    readonly project: string;
    /** Region of the buckets, datasets and audit log bucket; the keys must be in the same location. */
    readonly region: string;
    /** Prefix of project-unique names (datasets, log bucket, sink); the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** Cloud KMS key for every bucket (the Cloud Storage service agent must be able to use it). */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Cloud KMS key for the BigQuery datasets. Required when `queryEngine` is on. Default: none. */
    readonly bigQueryKmsKeyName?: pulumi.Input<string>;
    /** Days deleted objects stay recoverable (soft delete), 7 to 90. Soft-deleted bytes are billed. Default: 7. */
    readonly softDeleteRetentionDays?: number;
    /** Days access-log objects are kept. Default: 90. */
    readonly accessLogRetentionDays?: number;
}

/** Soft delete keeps deleted objects 7 to 90 days (storage.Bucket softDeletePolicy.retentionDurationSeconds). */
export const SOFT_DELETE_DAYS = { min: 7, max: 90 } as const;
/** Colder storage classes bill at least 30 days (NEARLINE), so moving earlier costs more, not less. */
export const MIN_COLD_STORAGE_DAYS = 30;
export const SECONDS_PER_DAY = 86_400;

/** The zone that transitions to colder storage after `rawColdStorageAfterDays`. */
export const RAW_ZONE = "raw";
/** Zones are bucket-name parts (shared ZONE_NAME rule in stacks/config/schema.ts). */
const ZONE = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;

/** The lifecycle settings every bucket gets. */
export interface LifecycleSettings {
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    /** Move live objects to NEARLINE after this many days; `undefined` for no transition. */
    readonly coldStorageAfterDays?: number;
    /** Delete live objects after this many days (log buckets); `undefined` keeps them. */
    readonly deleteAfterDays?: number;
}

/** A GCS lifecycle rule in the shape `storage.Bucket` takes. */
export interface LifecycleRule {
    readonly action: { readonly type: string; readonly storageClass?: string };
    readonly condition: Record<string, unknown>;
}

/**
 * Lifecycle rules: expire noncurrent versions, abort stale multipart uploads (CKV_AWS_300's GCS
 * counterpart), and optionally move or delete live objects by age.
 */
export function lifecycleRules(s: LifecycleSettings): LifecycleRule[] {
    const rules: LifecycleRule[] = [
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: s.noncurrentVersionRetentionDays, withState: "ARCHIVED" } },
        { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: s.abortIncompleteUploadDays } },
    ];
    if (s.coldStorageAfterDays !== undefined) {
        rules.push({
            action: { type: "SetStorageClass", storageClass: "NEARLINE" },
            condition: { age: s.coldStorageAfterDays, matchesStorageClasses: ["STANDARD"], withState: "LIVE" },
        });
    }
    if (s.deleteAfterDays !== undefined) {
        rules.push({ action: { type: "Delete" }, condition: { age: s.deleteAfterDays, withState: "LIVE" } });
    }
    return rules;
}

/** Data Access audit log entries of every service (Cloud Audit Logs log name, URL-encoded slash). */
export const DATA_ACCESS_FILTER = 'logName:"cloudaudit.googleapis.com%2Fdata_access"';

/** Every audit log type: admin reads plus data reads and writes (CKV2_GCP_5 wants all of them). */
export const AUDIT_LOG_TYPES = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"] as const;

/** The BigQuery dataset ID of a zone: `<prefix>_<zone>` with underscores. */
export function zoneDatasetId(prefix: string, zone: string): string {
    return datasetId(prefix, zone);
}

/** The logical name of a zone's bucket; Pulumi appends "-" and 7 random characters (names are global). */
export const bucketLogicalName = (component: string, zone: string) => `${component}-${zone}`;
/** The logical name of the access-log bucket. */
export const logBucketLogicalName = (component: string) => `${component}-access-logs`;

/** The arguments with their defaults applied (what the component builds from). */
export interface GcsLakeSettings {
    readonly zones: string[];
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly rawColdStorageAfterDays: number;
    readonly auditLogRetentionDays: number;
    readonly accessLogRetentionDays: number;
    readonly softDeleteRetentionDays: number;
    readonly queryEngine: boolean;
}

export function gcsLakeSettings(args: GcsDataLakeArgs): GcsLakeSettings {
    return {
        zones: args.zones,
        noncurrentVersionRetentionDays: args.noncurrentVersionRetentionDays ?? 30,
        abortIncompleteUploadDays: args.abortIncompleteUploadDays ?? 7,
        rawColdStorageAfterDays: args.rawColdStorageAfterDays ?? 90,
        auditLogRetentionDays: args.auditLogRetentionDays ?? 365,
        accessLogRetentionDays: args.accessLogRetentionDays ?? 90,
        softDeleteRetentionDays: args.softDeleteRetentionDays ?? SOFT_DELETE_DAYS.min,
        queryEngine: args.queryEngine ?? false,
    };
}

function whole(path: string, value: number, min: number, max: number, unit = "days"): ProblemDetail[] {
    return !Number.isInteger(value) || value < min || value > max
        ? [{ path, value, message: `must be a whole number of ${unit} from ${min} to ${max}` }]
        : [];
}

/** Every problem with the arguments (paths relative to them); the component's name is checked by validateGcsDataLakeName. */
export function validateGcsDataLake(args: GcsDataLakeArgs): ProblemDetail[] {
    const s = gcsLakeSettings(args);
    const problems: ProblemDetail[] = [];
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required" });
    if (typeof args.region !== "string" || args.region.length === 0)
        problems.push({
            path: "region",
            value: args.region,
            message: "is required",
            fix: "pass a region such as us-central1 (buckets, datasets and the key must share it)",
        });
    problems.push(...validateNamePrefix(args.namePrefix));
    if (!Array.isArray(s.zones) || s.zones.length === 0)
        problems.push({ path: "zones", value: s.zones, message: "must name at least one zone" });
    (s.zones ?? []).forEach((zone, i) => {
        if (!ZONE.test(zone))
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "is not a zone name",
                fix: "use 1-16 lowercase letters, digits or hyphens, starting with a letter",
            });
        if (s.zones.indexOf(zone) !== i) problems.push({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
        if (ZONE.test(zone) && !fitsGcpRule("datasetId", zoneDatasetId(args.namePrefix ?? "x", zone)))
            problems.push({ path: `zones[${i}]`, value: zone, message: "does not make a BigQuery dataset ID" });
    });
    problems.push(
        ...whole("noncurrentVersionRetentionDays", s.noncurrentVersionRetentionDays, 1, 3650),
        ...whole("abortIncompleteUploadDays", s.abortIncompleteUploadDays, 1, 365),
        ...whole("rawColdStorageAfterDays", s.rawColdStorageAfterDays, MIN_COLD_STORAGE_DAYS, 3650),
        ...whole("auditLogRetentionDays", s.auditLogRetentionDays, 365, 3650),
        ...whole("accessLogRetentionDays", s.accessLogRetentionDays, 1, 3650),
        ...whole("softDeleteRetentionDays", s.softDeleteRetentionDays, SOFT_DELETE_DAYS.min, SOFT_DELETE_DAYS.max),
    );
    if (s.queryEngine && args.bigQueryKmsKeyName === undefined) {
        problems.push({
            path: "bigQueryKmsKeyName",
            value: undefined,
            message: "is required when queryEngine is on (datasets are CMEK-encrypted)",
            fix: "pass the BigQuery key from GcpEncryption",
        });
    }
    return problems;
}

/** Problems of the component's name with these zones: bucket logical names must leave room for Pulumi's random suffix. */
export function validateGcsDataLakeName(name: string, zones: readonly string[]): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    (zones ?? []).forEach((zone, i) => {
        if (ZONE.test(zone) && bucketLogicalName(name, zone).length > autoNameBudget(GCP_NAME_RULES.bucket.max))
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "makes a bucket name longer than 63 characters with the random suffix",
            });
    });
    if (logBucketLogicalName(name).length > autoNameBudget(GCP_NAME_RULES.bucket.max))
        problems.push({ path: "name", value: name, message: "is too long for bucket names with the random suffix" });
    return problems;
}
