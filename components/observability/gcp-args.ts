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

/** Serving deployments watched with their own thresholds (see GcpObservabilityArgs.additionalServing). */
export interface GcpServingWatch {
    /** Cloud Run service names (Cloud Functions 2nd gen: the function names). Default: []. */
    readonly cloudRunServices?: string[];
    /** Vertex AI endpoint IDs. Default: []. */
    readonly vertexEndpoints?: string[];
    /** Error-rate threshold of these deployments, in percent. Default: the component's errorRatePercent. */
    readonly errorRatePercent?: number;
    /** p95 latency threshold of these deployments, in milliseconds. Default: the component's latencyP95Ms. */
    readonly latencyP95Ms?: number;
}

/**
 * Alerts of the serving deployments: one alert policy per kind of deployment (Cloud Run, which also runs
 * Cloud Functions 2nd gen; Vertex AI endpoints) and signal (error rate, p95 latency), whose one condition
 * watches every deployment of that kind with the same threshold, grouped by its name so each deployment
 * raises its own incident. Deployments with other thresholds add one condition each (Cloud Monitoring
 * bills per condition, not per deployment).
 */
export interface GcpObservabilityArgs {
    /** Project of the alert policies, channels and log bucket. */
    readonly project: string;
    /** Prefix of alert names (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** Cloud Run service names to watch (Cloud Functions 2nd gen: the function names). Default: []. */
    readonly cloudRunServices?: string[];
    /** Vertex AI endpoint IDs to watch. Default: []. */
    readonly vertexEndpoints?: string[];
    /** Alert when more than this share of requests fail (5xx / errors), in percent. Default: 5. */
    readonly errorRatePercent?: number;
    /** Alert when p95 latency exceeds this, in milliseconds. Default: 2000. */
    readonly latencyP95Ms?: number;
    /**
     * More deployments, with thresholds of their own (e.g. the serverless inference's, next to the container
     * service's). Those with the same thresholds as others share their conditions. Default: [].
     */
    readonly additionalServing?: GcpServingWatch[];
    /**
     * Create the p95 latency alerts (one condition per kind of deployment, USD 1.50 a month each). Without
     * them, only the error-rate alerts watch serving. Default: true.
     */
    readonly latencyAlert?: boolean;
    /** Email addresses notified of every alert (one `email` channel each). Default: []. */
    readonly notificationEmails?: string[];
    /**
     * https URLs notified of every alert (one `webhook_tokenauth` channel each). They usually carry a
     * token, so pass them as secrets (`pulumi.secret(url)`); they are stored as secrets either way and
     * never appear in names. Default: [].
     */
    readonly notificationWebhooks?: pulumi.Input<string>[];
    /**
     * Names of existing notification channels (`projects/<p>/notificationChannels/<id>`) every alert also
     * goes to, e.g. another GcpObservability's `notificationChannels`. With no channel at all, alerts
     * show in the console only. Default: [].
     */
    readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Days the project's `_Default` log bucket keeps logs (beyond 30 days, storage is billed). One
     * component per project should set it. Default: the `_Default` bucket is left as it is.
     */
    readonly serviceLogRetentionDays?: number;
}

/** Every problem with the arguments (paths relative to them). */
export function validateGcpObservability(args: GcpObservabilityArgs): ProblemDetail[] {
    const errorRate = args.errorRatePercent ?? DEFAULT_ERROR_RATE_PERCENT;
    const latency = args.latencyP95Ms ?? DEFAULT_LATENCY_P95_MS;
    const retention = args.serviceLogRetentionDays;
    const problems = validateNamePrefix(args.namePrefix);
    const rateOk = (rate: number) => typeof rate === "number" && rate > 0 && rate <= 100;
    const p95Ok = (p95: number) => Number.isInteger(p95) && p95 >= 1;
    const rateProblem = (path: string, value: number) => ({ path, value, message: "must be more than 0 and at most 100" });
    const p95Problem = (path: string, value: number) => ({ path, value, message: "must be a whole number of milliseconds of at least 1" });
    if (!rateOk(errorRate)) problems.push(rateProblem("errorRatePercent", errorRate));
    if (!p95Ok(latency)) problems.push(p95Problem("latencyP95Ms", latency));
    (args.additionalServing ?? []).forEach((w, i) => {
        if (w.errorRatePercent !== undefined && !rateOk(w.errorRatePercent))
            problems.push(rateProblem(`additionalServing[${i}].errorRatePercent`, w.errorRatePercent));
        if (w.latencyP95Ms !== undefined && !p95Ok(w.latencyP95Ms))
            problems.push(p95Problem(`additionalServing[${i}].latencyP95Ms`, w.latencyP95Ms));
    });
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
