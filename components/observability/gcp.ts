/**
 * Observability of the serving deployments: per kind of deployment (Cloud Run services, which Cloud
 * Functions 2nd gen run on; Vertex AI endpoints), an alert policy on the 5xx error rate and one on p95
 * latency, each with ONE condition across every deployment of that kind (grouped by its name, so each
 * deployment raises its own incident; components/observability/gcp-conditions.ts), sent to every
 * notification channel (email and token-authenticated webhook channels it creates, plus any it is given);
 * and an explicit retention on the project's `_Default` log bucket, where the logs of every Cloud Run
 * service, function and endpoint land (they are not stored per service, so replacing one keeps its logs).
 */
import * as pulumi from "@pulumi/pulumi";
import * as logging from "@pulumi/gcp/logging";
import * as monitoring from "@pulumi/gcp/monitoring";
import type * as inputs from "@pulumi/gcp/types/input";
import { throwIfProblems } from "../shared/problems";
import { exactNames } from "./gcp-conditions";
import {
    DEFAULT_ERROR_RATE_PERCENT,
    DEFAULT_LATENCY_P95_MS,
    GcpObservabilityArgs,
    GcpServingWatch,
    validateGcpObservability,
} from "./gcp-args";

type Condition = inputs.monitoring.AlertPolicyCondition;

const WINDOW = "300s";

/**
 * Cloud Monitoring channel types and the label each takes (notificationChannelDescriptors): `email` takes
 * `email_address`; `webhook_tokenauth` takes `url`, and its token travels in that URL's query string, so
 * the URL is a secret. The provider's `sensitiveLabels` hold only `authToken` (slack), `password`
 * (webhook_basicauth) and `serviceKey` (pagerduty): the URL stays in `labels`, wrapped as a Pulumi secret.
 */
export const CHANNEL_TYPES = {
    email: { type: "email", label: "email_address" },
    webhook: { type: "webhook_tokenauth", label: "url" },
} as const;

/** Metrics of one kind of serving deployment (Cloud Monitoring metric list, run.googleapis.com and aiplatform.googleapis.com). */
export const SERVING_METRICS = {
    "cloud-run": {
        resource: "cloud_run_revision",
        label: "service_name",
        requests: "run.googleapis.com/request_count",
        errorsFilter: 'metric.labels.response_code_class = "5xx"',
        errors: "run.googleapis.com/request_count",
        latency: "run.googleapis.com/request_latencies",
    },
    "vertex-endpoint": {
        resource: "aiplatform.googleapis.com/Endpoint",
        label: "endpoint_id",
        requests: "aiplatform.googleapis.com/prediction/online/prediction_count",
        errorsFilter: "",
        errors: "aiplatform.googleapis.com/prediction/online/error_count",
        latency: "aiplatform.googleapis.com/prediction/online/prediction_latencies",
    },
} as const;
export type ServingKind = keyof typeof SERVING_METRICS;

/** How each kind of deployment is named in alert and condition names. */
const KIND_NAMES: Readonly<Record<ServingKind, string>> = { "cloud-run": "Cloud Run services", "vertex-endpoint": "Vertex AI endpoints" };

/**
 * The two alert conditions (error ratio, p95 latency) over every deployment of one kind with these
 * thresholds: the deployments are named exactly (never by prefix) and grouped by their name label, so
 * each one is its own time series and raises its own incident. Pure, for tests.
 */
export function servingConditions(
    kind: ServingKind,
    ids: readonly string[],
    errorRatePercent: number,
    latencyP95Ms: number,
): { errors: Condition; latency: Condition } {
    const m = SERVING_METRICS[kind];
    const base = `resource.type = "${m.resource}" AND ${exactNames(m.label, ids)}`;
    const perDeployment = { crossSeriesReducer: "REDUCE_SUM", groupByFields: [`resource.label.${m.label}`] };
    const rate = [{ alignmentPeriod: WINDOW, perSeriesAligner: "ALIGN_RATE", ...perDeployment }];
    const what = KIND_NAMES[kind];
    return {
        errors: {
            displayName: `${what}: error rate above ${errorRatePercent}% (one incident per ${m.label})`,
            conditionThreshold: {
                filter: [base, `metric.type = "${m.errors}"`, m.errorsFilter].filter((p) => p.length > 0).join(" AND "),
                denominatorFilter: `${base} AND metric.type = "${m.requests}"`,
                aggregations: rate,
                denominatorAggregations: rate,
                comparison: "COMPARISON_GT",
                thresholdValue: errorRatePercent / 100,
                duration: WINDOW,
                trigger: { count: 1 },
            },
        },
        latency: {
            displayName: `${what}: p95 latency above ${latencyP95Ms} ms (one incident per ${m.label})`,
            conditionThreshold: {
                filter: `${base} AND metric.type = "${m.latency}"`,
                aggregations: [
                    {
                        alignmentPeriod: WINDOW,
                        perSeriesAligner: "ALIGN_PERCENTILE_95",
                        crossSeriesReducer: "REDUCE_MAX",
                        groupByFields: [`resource.label.${m.label}`],
                    },
                ],
                comparison: "COMPARISON_GT",
                thresholdValue: latencyP95Ms,
                duration: WINDOW,
                trigger: { count: 1 },
            },
        },
    };
}

/** One group of deployments with its thresholds (the component's own, then each of additionalServing). */
export interface ServingWatchGroup {
    readonly ids: Readonly<Record<ServingKind, readonly string[]>>;
    readonly errors: number;
    readonly latency: number;
}

/**
 * The conditions of one kind and signal: one per distinct threshold, over every deployment of that kind
 * with it (in the shipped stacks, one). Empty when the stack has no deployment of that kind. Pure.
 */
export function servingPolicyConditions(
    kind: ServingKind,
    signal: "errors" | "latency",
    watches: readonly ServingWatchGroup[],
): Condition[] {
    const byThreshold = new Map<string, { watch: ServingWatchGroup; ids: string[] }>();
    for (const w of watches) {
        if (w.ids[kind].length === 0) continue;
        const key = signal === "errors" ? `${w.errors}` : `${w.latency}`;
        const group = byThreshold.get(key) ?? { watch: w, ids: [] };
        group.ids.push(...w.ids[kind]);
        byThreshold.set(key, group);
    }
    return [...byThreshold.values()].map(({ watch, ids }) => servingConditions(kind, ids, watch.errors, watch.latency)[signal]);
}

/** Alerts on the serving deployments' 5xx error rate and p95 latency, sent to the stack's notification channels, and the retention of the `_Default` log bucket. */
export class GcpObservability extends pulumi.ComponentResource {
    /** Alert policy names. */
    public readonly alertPolicies: pulumi.Output<string[]>;
    /** Names of the channels this component created (pass them to another one to share them). */
    public readonly notificationChannels: pulumi.Output<string[]>;

    constructor(name: string, args: GcpObservabilityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GcpObservability "${name}"`, validateGcpObservability(args));
        const errorRate = args.errorRatePercent ?? DEFAULT_ERROR_RATE_PERCENT;
        const latency = args.latencyP95Ms ?? DEFAULT_LATENCY_P95_MS;
        const retention = args.serviceLogRetentionDays;
        // The component's own inputs are recorded in state too: webhook URLs go there as secrets only.
        super(
            "mlops:index:GcpObservability",
            name,
            { ...args, notificationWebhooks: args.notificationWebhooks?.map((url) => pulumi.secret(url)) },
            opts,
        );

        const child = { parent: this, dependsOn: opts.dependsOn };
        if (retention !== undefined) {
            // _Default always exists; this sets its retention (and leaves the bucket in place on destroy).
            new logging.ProjectBucketConfig(
                `${name}-default-logs`,
                { project: args.project, location: "global", bucketId: "_Default", retentionDays: retention },
                child,
            );
        }

        const { email, webhook } = CHANNEL_TYPES;
        const channels = [
            ...(args.notificationEmails ?? []).map(
                (address, i) =>
                    new monitoring.NotificationChannel(
                        `${name}-email-${i}`,
                        {
                            project: args.project,
                            type: email.type,
                            displayName: `${args.namePrefix} ${address}`,
                            labels: { [email.label]: address },
                        },
                        child,
                    ),
            ),
            ...(args.notificationWebhooks ?? []).map(
                (url, i) =>
                    new monitoring.NotificationChannel(
                        `${name}-webhook-${i}`,
                        {
                            project: args.project,
                            type: webhook.type,
                            displayName: `${args.namePrefix} webhook ${i + 1}`,
                            labels: { [webhook.label]: pulumi.secret(url) },
                        },
                        { ...child, additionalSecretOutputs: ["labels"] },
                    ),
            ),
        ];
        const created = channels.map((ch) => ch.name);
        const notificationChannels = pulumi
            .all([pulumi.all(created), pulumi.output(args.notificationChannels ?? [])])
            .apply(([own, given]) => [...own, ...given]);
        const own: GcpServingWatch = { cloudRunServices: args.cloudRunServices, vertexEndpoints: args.vertexEndpoints };
        const watches: ServingWatchGroup[] = [own, ...(args.additionalServing ?? [])].map((w) => ({
            ids: { "cloud-run": w.cloudRunServices ?? [], "vertex-endpoint": w.vertexEndpoints ?? [] },
            errors: w.errorRatePercent ?? errorRate,
            latency: w.latencyP95Ms ?? latency,
        }));
        const signals = args.latencyAlert === false ? (["errors"] as const) : (["errors", "latency"] as const);
        const policies = (["cloud-run", "vertex-endpoint"] as const).flatMap((kind) =>
            signals.flatMap((signal) => {
                const conditions = servingPolicyConditions(kind, signal, watches);
                if (conditions.length === 0) return [];
                const label = SERVING_METRICS[kind].label;
                return [
                    new monitoring.AlertPolicy(
                        `${name}-${kind}-${signal}`,
                        {
                            project: args.project,
                            displayName: `${args.namePrefix} ${KIND_NAMES[kind]} ${signal === "errors" ? "error rate" : "p95 latency"}`,
                            combiner: "OR",
                            severity: signal === "errors" ? "ERROR" : "WARNING",
                            conditions,
                            notificationChannels,
                            alertStrategy: { autoClose: "1800s" },
                            documentation: {
                                mimeType: "text/markdown",
                                content: `${KIND_NAMES[kind]} of ${args.namePrefix}: the incident names the deployment (\`${label}\`). See docs/gcp.md, "Alerts".`,
                            },
                        },
                        child,
                    ),
                ];
            }),
        );
        this.alertPolicies = pulumi.all(policies.map((p) => p.name));
        this.notificationChannels = pulumi.all(created);
        this.registerOutputs({ alertPolicies: this.alertPolicies, notificationChannels: this.notificationChannels });
    }
}
