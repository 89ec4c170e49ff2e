/**
 * Pure pieces of the GCS data lake: lifecycle rules, the data-access audit filter, dataset IDs and
 * argument validation. No SDK: unit-tested on their own.
 */
import { Problems } from "../shared/problems";
import { GCP_NAME_RULES, autoNameBudget, datasetId, fitsGcpRule, namePrefixProblems } from "../naming/gcp";

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

/** The arguments the validator checks, with defaults applied. */
export interface GcsLakeSettings {
    readonly name: string;
    readonly project: string;
    readonly region: string;
    readonly namePrefix: string;
    readonly zones: readonly string[];
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly rawColdStorageAfterDays: number;
    readonly auditLogRetentionDays: number;
    readonly accessLogRetentionDays: number;
    readonly softDeleteRetentionDays: number;
    readonly queryEngine: boolean;
    readonly hasBigQueryKey: boolean;
}

function whole(problems: Problems, path: string, value: number, min: number, max: number, unit = "days"): void {
    if (!Number.isInteger(value) || value < min || value > max)
        problems.add({ path, value, message: `must be a whole number of ${unit} from ${min} to ${max}` });
}

export function gcsLakeProblems(s: GcsLakeSettings): Problems {
    const problems = new Problems();
    if (typeof s.project !== "string" || s.project.length === 0)
        problems.add({ path: "project", value: s.project, message: "is required" });
    if (typeof s.region !== "string" || s.region.length === 0)
        problems.add({
            path: "region",
            value: s.region,
            message: "is required",
            fix: "pass a region such as us-central1 (buckets, datasets and the key must share it)",
        });
    namePrefixProblems(s.namePrefix, problems);
    if (!Array.isArray(s.zones) || s.zones.length === 0)
        problems.add({ path: "zones", value: s.zones, message: "must name at least one zone" });
    (s.zones ?? []).forEach((zone, i) => {
        if (!ZONE.test(zone))
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "is not a zone name",
                fix: "use 1-16 lowercase letters, digits or hyphens, starting with a letter",
            });
        else if (bucketLogicalName(s.name, zone).length > autoNameBudget(GCP_NAME_RULES.bucket.max))
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "makes a bucket name longer than 63 characters with the random suffix",
            });
        if (s.zones.indexOf(zone) !== i) problems.add({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
        if (ZONE.test(zone) && !fitsGcpRule("datasetId", zoneDatasetId(s.namePrefix ?? "x", zone)))
            problems.add({ path: `zones[${i}]`, value: zone, message: "does not make a BigQuery dataset ID" });
    });
    whole(problems, "noncurrentVersionRetentionDays", s.noncurrentVersionRetentionDays, 1, 3650);
    whole(problems, "abortIncompleteUploadDays", s.abortIncompleteUploadDays, 1, 365);
    whole(problems, "rawColdStorageAfterDays", s.rawColdStorageAfterDays, MIN_COLD_STORAGE_DAYS, 3650);
    whole(problems, "auditLogRetentionDays", s.auditLogRetentionDays, 365, 3650);
    whole(problems, "accessLogRetentionDays", s.accessLogRetentionDays, 1, 3650);
    whole(problems, "softDeleteRetentionDays", s.softDeleteRetentionDays, SOFT_DELETE_DAYS.min, SOFT_DELETE_DAYS.max);
    if (s.queryEngine && !s.hasBigQueryKey) {
        problems.add({
            path: "bigQueryKmsKeyName",
            value: undefined,
            message: "is required when queryEngine is on (datasets are CMEK-encrypted)",
            fix: "pass the BigQuery key from GcpEncryption",
        });
    }
    if (logBucketLogicalName(s.name).length > autoNameBudget(GCP_NAME_RULES.bucket.max))
        problems.add({ path: "name", value: s.name, message: "is too long for bucket names with the random suffix" });
    return problems;
}
