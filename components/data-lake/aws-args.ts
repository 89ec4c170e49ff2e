/**
 * Arguments of S3DataLake and their validator. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { NAME_PREFIX } from "../naming/aws";
import { isLogRetention } from "../observability/aws-args";
import type { ProblemDetail } from "../shared/problems";
import { COLD_STORAGE_CLASSES } from "../storage/aws-args";
import type { DataLakeArgs } from "./contract";

/** Zone names become bucket and database name parts. */
const ZONE = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;

export interface S3DataLakeArgs extends DataLakeArgs {
    /** Prefix of every physical name, e.g. `mlops-aws-dev` (see namePrefix in components/naming/aws.ts). */
    readonly namePrefix: string;
    /** The platform's KMS key: buckets, trail, query results and the catalog are encrypted with it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Zone whose objects move to colder storage after `rawColdStorageAfterDays`. Default: "raw". */
    readonly rawZone?: string;
    /** Storage class old raw objects move to. Default: "STANDARD_IA". */
    readonly coldStorageClass?: string;
    /**
     * Encrypt the Glue Data Catalog with the key. The setting is account- and region-wide: one stack per
     * account and region should own it. Default: true.
     */
    readonly catalogEncryption?: boolean;
    /** Record object-level reads and writes with CloudTrail (billed per 100,000 events). Default: true. */
    readonly dataAccessTrail?: boolean;
    /** Empty buckets when they are deleted (dev only; refused with protectData). Default: false. */
    readonly forceDestroy?: boolean;
    /** Largest scan one Athena query may do, in GiB (a cost guard; at least 1). Default: 10. */
    readonly queryBytesScannedCutoffGiB?: number;
    /** Days Athena query results are kept. Default: 30. */
    readonly queryResultRetentionDays?: number;
    /**
     * Key prefix under which load balancers may write access logs to the access-log bucket (the only lake
     * bucket ELB can write to: it accepts SSE-S3 buckets only). Default: no load balancer logs.
     */
    readonly loadBalancerLogPrefix?: string;
    /**
     * Zones whose buckets send their events to EventBridge (the source zones of pipelines that run when
     * objects arrive). Default: [] - none.
     */
    readonly eventBridgeZones?: string[];
}

/** The lake's settings, defaults applied. */
export function lakeSettings(args: S3DataLakeArgs) {
    return {
        protect: args.protectData ?? true,
        noncurrent: args.noncurrentVersionRetentionDays ?? 30,
        abortUploads: args.abortIncompleteUploadDays ?? 7,
        coldAfter: args.rawColdStorageAfterDays ?? 90,
        audit: args.auditLogRetentionDays ?? 365,
        rawZone: args.rawZone ?? "raw",
        coldClass: args.coldStorageClass ?? "STANDARD_IA",
        cutoffGiB: args.queryBytesScannedCutoffGiB ?? 10,
        resultDays: args.queryResultRetentionDays ?? 30,
    };
}

/** Every problem with S3DataLake args. */
export function validateS3DataLake(args: S3DataLakeArgs): ProblemDetail[] {
    const s = lakeSettings(args);
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({
            path: "namePrefix",
            value: args.namePrefix,
            message: "must be 1-40 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
            fix: "use namePrefix(project, stack) from components/naming/aws.ts",
        });
    if (args.zones.length === 0) problems.push({ path: "zones", value: args.zones, message: "must name at least one zone" });
    args.zones.forEach((zone, i) => {
        if (!ZONE.test(zone))
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "must be 1-16 lowercase letters, digits or hyphens, starting with a letter",
            });
        if (args.zones.indexOf(zone) !== i) problems.push({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
        if (["access-logs", "query-results", "audit"].includes(zone))
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "is the name of one of the lake's own buckets",
                fix: "rename the zone",
            });
    });
    const whole = (path: string, value: number, min: number, why = "") => {
        if (!Number.isInteger(value) || value < min)
            problems.push({ path, value, message: `must be a whole number of at least ${min}${why}` });
    };
    whole("noncurrentVersionRetentionDays", s.noncurrent, 1);
    whole("abortIncompleteUploadDays", s.abortUploads, 1);
    whole("rawColdStorageAfterDays", s.coldAfter, 30, " (S3 moves objects to infrequent-access classes after 30 days at the earliest)");
    whole("queryBytesScannedCutoffGiB", s.cutoffGiB, 1);
    whole("queryResultRetentionDays", s.resultDays, 1);
    if (
        args.loadBalancerLogPrefix !== undefined &&
        (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(args.loadBalancerLogPrefix) ||
            args.loadBalancerLogPrefix.includes("AWSLogs"))
    ) {
        problems.push({
            path: "loadBalancerLogPrefix",
            value: args.loadBalancerLogPrefix,
            message: "is not a key prefix ELB accepts (no leading or trailing '/', no 'AWSLogs')",
            fix: 'e.g. "alb"',
        });
    }
    if (!isLogRetention(s.audit) || s.audit < 365) {
        problems.push({
            path: "auditLogRetentionDays",
            value: s.audit,
            message: "must be a CloudWatch Logs retention of 365 days or more",
            fix: "use 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 (logRetentionDays() rounds up)",
        });
    }
    if (!(COLD_STORAGE_CLASSES as readonly string[]).includes(s.coldClass))
        problems.push({
            path: "coldStorageClass",
            value: s.coldClass,
            message: "is not a storage class lifecycle rules move objects to",
            allowed: COLD_STORAGE_CLASSES,
        });
    (args.eventBridgeZones ?? []).forEach((zone, i) => {
        if (!args.zones.includes(zone))
            problems.push({ path: `eventBridgeZones[${i}]`, value: zone, message: "is not one of the lake's zones", allowed: args.zones });
    });
    if (s.protect && args.forceDestroy)
        problems.push({
            path: "forceDestroy",
            value: true,
            message: "would let protected buckets be emptied on delete",
            fix: "leave forceDestroy off when protectData is on (prod)",
        });
    return problems;
}
