/**
 * Arguments of the AWS observability component (AwsAlertTopic) and their validator, with the values
 * CloudWatch accepts that every AWS component's validator shares (log retention, error-rate thresholds).
 * Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProblemDetail } from "../shared/problems";

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The shortest retention CloudWatch accepts that keeps logs at least `days` (capped at ten years). */
export function logRetentionDays(days: number): number {
    return LOG_RETENTION_DAYS.find((d) => d >= days) ?? LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1];
}

export function isLogRetention(days: number): boolean {
    return (LOG_RETENTION_DAYS as readonly number[]).includes(days);
}

/** A problem when an error-rate threshold is outside (0, 100] percent; none when it is left out. */
export function validateErrorRatePercent(value: number | undefined, path = "errorRatePercent"): ProblemDetail[] {
    if (value === undefined || (Number.isFinite(value) && value > 0 && value <= 100)) return [];
    return [{ path, value, message: "must be a percentage above 0 and at most 100" }];
}

/** A problem when `days` is not a retention CloudWatch Logs accepts. */
export function validateLogRetention(days: number, path = "logRetentionDays"): ProblemDetail[] {
    if (isLogRetention(days)) return [];
    return [
        { path, value: days, message: "is not a retention CloudWatch Logs accepts", fix: "use logRetentionDays() to round up, e.g. 365" },
    ];
}

export interface AwsAlertTopicArgs {
    /** KMS key encrypting the topic (its policy must let CloudWatch use it; AwsKmsKey's does). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Email addresses subscribed to alarms; AWS mails each a confirmation link first. Default: []. */
    readonly emails?: string[];
    /**
     * https:// endpoints subscribed to alarms (they are kept secret: URLs often carry a token). Each must
     * confirm the subscription by fetching the SubscribeURL SNS posts to it first. Default: [].
     */
    readonly webhooks?: pulumi.Input<string>[];
    /**
     * Let EventBridge rules of this account publish to the topic (data pipelines alert on failed runs that
     * way). Adds a topic policy: the account's own principals as before, and `events.amazonaws.com` for
     * rules of this account. The topic's key must let EventBridge use it too. Default: false.
     */
    readonly eventBridgePublish?: boolean;
    /** Tags put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Every problem with AwsAlertTopic args. */
export function validateAwsAlertTopic(args: AwsAlertTopicArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const emails = args.emails ?? [];
    emails.forEach((e, i) => {
        if (!EMAIL.test(e)) problems.push({ path: `emails[${i}]`, value: e, message: "is not an email address" });
        else if (emails.indexOf(e) !== i) problems.push({ path: `emails[${i}]`, value: e, message: "is listed twice" });
    });
    (args.webhooks ?? []).forEach((w, i) => {
        // Only plain strings can be checked here; the value itself may be a secret, so it is not shown.
        if (typeof w === "string" && !/^https:\/\/[^/\s]+/.test(w))
            problems.push({ path: `webhooks[${i}]`, value: "(hidden)", message: "is not an https:// URL" });
    });
    return problems;
}
