/** Arguments of GcpObservability and their validator. Pure: no SDK. */
import type * as pulumi from "@pulumi/pulumi";
import type { ProblemDetail } from "../shared/problems";
import { validateNamePrefix } from "../naming/gcp";

export const DEFAULT_ERROR_RATE_PERCENT = 5;
export const DEFAULT_LATENCY_P95_MS = 2000;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** True for an https URL with a host (alerts leave the project over TLS only). */
function isHttpsUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "https:" && url.hostname.length > 0;
    } catch {
        return false;
    }
}

export interface GcpObservabilityArgs {
    /** Project of the alert policies, channels and log bucket. */
    readonly project: string;
    /** Prefix of alert names (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** Cloud Run service names to watch (Cloud Functions 2nd gen: the function names). @default [] */
    readonly cloudRunServices?: readonly string[];
    /** Vertex AI endpoint IDs to watch. @default [] */
    readonly vertexEndpoints?: readonly string[];
    /** Alert when more than this share of requests fail (5xx / errors), in percent. @default 5 */
    readonly errorRatePercent?: number;
    /** Alert when p95 latency exceeds this, in milliseconds. @default 2000 */
    readonly latencyP95Ms?: number;
    /** Email addresses notified of every alert (one `email` channel each). @default [] */
    readonly notificationEmails?: readonly string[];
    /**
     * https URLs notified of every alert (one `webhook_tokenauth` channel each). They usually carry a
     * token, so pass them as secrets (`pulumi.secret(url)`); they are stored as secrets either way and
     * never appear in names. @default []
     */
    readonly notificationWebhooks?: readonly pulumi.Input<string>[];
    /**
     * Names of existing notification channels (`projects/<p>/notificationChannels/<id>`) every alert also
     * goes to, e.g. another GcpObservability's `notificationChannels`. With no channel at all, alerts
     * show in the console only. @default []
     */
    readonly notificationChannels?: pulumi.Input<readonly pulumi.Input<string>[]>;
    /**
     * Days the project's `_Default` log bucket keeps logs (beyond 30 days, storage is billed). One
     * component per project should set it. @default - the `_Default` bucket is left as it is
     */
    readonly serviceLogRetentionDays?: number;
}

/** Every problem with the arguments (paths relative to them). */
export function validateGcpObservability(args: GcpObservabilityArgs): ProblemDetail[] {
    const errorRate = args.errorRatePercent ?? DEFAULT_ERROR_RATE_PERCENT;
    const latency = args.latencyP95Ms ?? DEFAULT_LATENCY_P95_MS;
    const retention = args.serviceLogRetentionDays;
    const problems = validateNamePrefix(args.namePrefix);
    if (typeof errorRate !== "number" || errorRate <= 0 || errorRate > 100)
        problems.push({ path: "errorRatePercent", value: errorRate, message: "must be more than 0 and at most 100" });
    if (!Number.isInteger(latency) || latency < 1)
        problems.push({ path: "latencyP95Ms", value: latency, message: "must be a whole number of milliseconds of at least 1" });
    if (retention !== undefined && (!Number.isInteger(retention) || retention < 1 || retention > 3650))
        problems.push({ path: "serviceLogRetentionDays", value: retention, message: "must be a whole number of days from 1 to 3650" });
    (args.notificationEmails ?? []).forEach((e, i) => {
        if (!EMAIL.test(e)) problems.push({ path: `notificationEmails[${i}]`, value: e, message: "is not an email address" });
    });
    // Only plain strings can be checked here; the URL may carry a token, so only its position is named.
    (args.notificationWebhooks ?? []).forEach((w, i) => {
        if (typeof w === "string" && !isHttpsUrl(w))
            problems.push({
                path: `notificationWebhooks[${i}]`,
                value: "(hidden)",
                message: "is not an https:// URL",
                fix: "alerts are sent over TLS only: use an https:// URL",
            });
    });
    return problems;
}
