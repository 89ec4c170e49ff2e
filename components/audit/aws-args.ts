/**
 * Arguments of AwsDataAccessTrail and their validator. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isLogRetention } from "../observability/aws-args";
import type { ProblemDetail } from "../shared/problems";

/** CloudTrail trail names: 3-128 letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit. */
export const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

export interface AwsDataAccessTrailArgs {
    /** Physical trail name (see TRAIL_NAME). */
    readonly trailName: string;
    /** Buckets whose object-level events are recorded. */
    readonly bucketArns: pulumi.Input<string>[];
    /** Name of the bucket created for the trail's log files. */
    readonly logBucketName: pulumi.Input<string>;
    /** KMS key encrypting log files, the trail bucket and the log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Days audit logs are kept, in the bucket and in CloudWatch Logs (a CloudWatch retention value, 365 or more). Default: 365. */
    readonly retentionDays?: number;
    /** Bucket receiving the trail bucket's own server access logs. Default: none. */
    readonly accessLogBucketName?: pulumi.Input<string>;
    /** Protect the trail bucket and keep it on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Empty the trail bucket on delete (dev only). Default: false. */
    readonly forceDestroy?: boolean;
    /** Tags put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with AwsDataAccessTrail args. */
export function validateAwsDataAccessTrail(args: AwsDataAccessTrailArgs): ProblemDetail[] {
    const retention = args.retentionDays ?? 365;
    const problems: ProblemDetail[] = [];
    if (!TRAIL_NAME.test(args.trailName) || /[._-]{2}/.test(args.trailName))
        problems.push({
            path: "trailName",
            value: args.trailName,
            message: "is not a CloudTrail trail name",
            fix: "3-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, no two symbols in a row",
        });
    if (!isLogRetention(retention) || retention < 365)
        problems.push({
            path: "retentionDays",
            value: retention,
            message: "must be a CloudWatch Logs retention of 365 days or more (audit logs are kept at least a year)",
            fix: "use 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
        });
    if (args.bucketArns.length === 0) problems.push({ path: "bucketArns", value: [], message: "must name at least one bucket to watch" });
    return problems;
}
