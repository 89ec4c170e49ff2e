/**
 * The metric alerts every Azure serving deployment gets: server errors and latency, per service, with
 * the metric names each service publishes. Pure (no SDK).
 *
 * Sources: Container Apps `Requests` (dimension `statusCodeCategory`) and `ResponseTime` in ms
 * (https://learn.microsoft.com/azure/container-apps/metrics); App Service / Functions `Http5xx` and
 * `HttpResponseTime` in seconds (https://learn.microsoft.com/azure/app-service/web-sites-monitor);
 * managed online endpoints `RequestsPerMinute` (dimension `statusCodeClass`) and `RequestLatency_P99` in ms
 * (https://learn.microsoft.com/azure/machine-learning/monitor-azure-machine-learning-reference).
 */

export const ALERT_TARGETS = ["containerApp", "functionApp", "onlineEndpoint"] as const;
export type AlertTarget = (typeof ALERT_TARGETS)[number];

export interface AlertThresholds {
    /** Server errors (HTTP 5xx) in the 5-minute window that fire the error alert. */
    readonly serverErrors: number;
    /** Latency in milliseconds that fires the latency alert. */
    readonly latencyMs: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = { serverErrors: 5, latencyMs: 2000 };

/** One alert rule: a single static-threshold criterion on one resource. */
export interface MetricAlertSpec {
    /** `errors` or `latency`: names the child resource. */
    readonly key: "errors" | "latency";
    readonly description: string;
    /** 0 (critical) to 4 (verbose). */
    readonly severity: number;
    readonly metricNamespace: string;
    readonly metricName: string;
    readonly timeAggregation: string;
    readonly threshold: number;
    readonly dimensions?: readonly { name: string; operator: "Include"; values: string[] }[];
}

/** Window and frequency every serving alert uses (ISO 8601). */
export const ALERT_WINDOW = { windowSize: "PT5M", evaluationFrequency: "PT1M" } as const;

export function servingAlerts(target: AlertTarget, t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): MetricAlertSpec[] {
    switch (target) {
        case "containerApp":
            return [
                {
                    key: "errors",
                    description: `More than ${t.serverErrors} HTTP 5xx responses in 5 minutes`,
                    severity: 2,
                    metricNamespace: "Microsoft.App/containerApps",
                    metricName: "Requests",
                    timeAggregation: "Total",
                    threshold: t.serverErrors,
                    dimensions: [{ name: "statusCodeCategory", operator: "Include", values: ["5xx"] }],
                },
                {
                    key: "latency",
                    description: `Average response time above ${t.latencyMs} ms`,
                    severity: 3,
                    metricNamespace: "Microsoft.App/containerApps",
                    metricName: "ResponseTime",
                    timeAggregation: "Average",
                    threshold: t.latencyMs,
                },
            ];
        case "functionApp":
            return [
                {
                    key: "errors",
                    description: `More than ${t.serverErrors} HTTP 5xx responses in 5 minutes`,
                    severity: 2,
                    metricNamespace: "Microsoft.Web/sites",
                    metricName: "Http5xx",
                    timeAggregation: "Total",
                    threshold: t.serverErrors,
                },
                // HttpResponseTime is reported in seconds.
                {
                    key: "latency",
                    description: `Average response time above ${t.latencyMs} ms`,
                    severity: 3,
                    metricNamespace: "Microsoft.Web/sites",
                    metricName: "HttpResponseTime",
                    timeAggregation: "Average",
                    threshold: t.latencyMs / 1000,
                },
            ];
        case "onlineEndpoint":
            return [
                // RequestsPerMinute is averaged per minute: N errors in 5 minutes is N/5 per minute.
                {
                    key: "errors",
                    description: `More than ${t.serverErrors} HTTP 5xx responses in 5 minutes`,
                    severity: 2,
                    metricNamespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                    metricName: "RequestsPerMinute",
                    timeAggregation: "Average",
                    threshold: t.serverErrors / 5,
                    dimensions: [{ name: "statusCodeClass", operator: "Include", values: ["5xx"] }],
                },
                {
                    key: "latency",
                    description: `P99 request latency above ${t.latencyMs} ms`,
                    severity: 3,
                    metricNamespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                    metricName: "RequestLatency_P99",
                    timeAggregation: "Average",
                    threshold: t.latencyMs,
                },
            ];
        default: {
            const unknown: never = target;
            throw new Error(`unknown alert target ${String(unknown)}; targets: ${ALERT_TARGETS.join(", ")}`);
        }
    }
}

/** The `criteria` input of a metric alert for one spec. */
export function alertCriteria(spec: MetricAlertSpec) {
    return {
        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria" as const,
        allOf: [
            {
                criterionType: "StaticThresholdCriterion" as const,
                name: spec.key,
                metricNamespace: spec.metricNamespace,
                metricName: spec.metricName,
                operator: "GreaterThan",
                threshold: spec.threshold,
                timeAggregation: spec.timeAggregation,
                dimensions: spec.dimensions?.map((d) => ({ ...d, values: [...d.values] })),
            },
        ],
    };
}
