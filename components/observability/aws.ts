/**
 * Observability on AWS: log retention that CloudWatch accepts, the alarms every serving deployment gets
 * (an error rate, throttles or rejected requests, latency; plus a rollback alarm for SageMaker real-time
 * endpoints), and the encrypted SNS topic they notify.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import { awsAccount, policyJson } from "../identity/aws";
import { shortHash } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { AwsAlertTopicArgs, validateAwsAlertTopic } from "./aws-args";

export * from "./aws-args";

/**
 * What each alarm watches. `errors` and `rejected` are error rates in percent of requests (metric math),
 * so one failed request among many does not page anyone; `throttles` (Lambda only) and `latency` watch one
 * metric. `rollback` is the SageMaker real-time endpoint's blue/green rollback alarm (see `rollbackAlarm`).
 */
export type AlarmRole = "errors" | "throttles" | "rejected" | "latency" | "rollback";

interface AlarmBase {
    /** The child resource is `<prefix>-<role>-alarm`. */
    readonly role: AlarmRole;
    readonly description: string;
    readonly threshold: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    /** How many of the evaluation periods must breach (M of N). */
    readonly datapointsToAlarm: number;
    /** The role this alarm had before, kept as a Pulumi alias so renaming it does not replace it. */
    readonly formerRole?: string;
}

/** An alarm on one metric's statistic. */
export interface SingleMetricAlarmSpec extends AlarmBase {
    readonly kind: "metric";
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
    /** `Sum`, or a percentile such as `p99` (sent as extendedStatistic). */
    readonly statistic: string;
}

/** An alarm on `100 * errors / requests` (both `Sum` over the period), in percent. */
export interface RateAlarmSpec extends AlarmBase {
    readonly kind: "rate";
    readonly namespace: string;
    readonly errors: { readonly metricName: string; readonly dimensions: Readonly<Record<string, pulumi.Input<string>>> };
    readonly requests: { readonly metricName: string; readonly dimensions: Readonly<Record<string, pulumi.Input<string>>> };
}

export type AlarmSpec = SingleMetricAlarmSpec | RateAlarmSpec;

/** Error-rate threshold of the `errors`, `rejected` and `rollback` alarms when none is given, in percent. */
export const DEFAULT_ERROR_RATE_PERCENT = 5;

/**
 * The error rate in percent. Metric math treats a missing value as 0 and drops a data point that would
 * divide by zero (CloudWatch "Metric math syntax and functions"), so a period without requests yields no
 * data point (missing, which the alarms treat as not breaching) instead of a division error. The MAX keeps
 * the rate at most 100 when errors are counted without matching requests (an ALB counts no request for a
 * 503 it answers without choosing a target). No FILL: CloudWatch warns that FILL in an alarm can pin the
 * latest, not yet published, data point to the fill value.
 */
export const ERROR_RATE_EXPRESSION = "100 * errors / MAX([errors, requests])";

/**
 * Notification alarms on rates: at least `percent` of requests failed in 2 of the last 3 five-minute
 * periods. Five-minute buckets hold enough requests for a meaningful ratio on a quiet model endpoint (a
 * one-minute bucket with two requests swings between 0, 50 and 100%), and 2 of 3 ignores one bad bucket
 * (a deployment or scale-out blip) while still alarming within 10 to 15 minutes of a sustained problem,
 * the same window as the latency alarm.
 */
const rate = (spec: Omit<RateAlarmSpec, "kind" | "periodSeconds" | "evaluationPeriods" | "datapointsToAlarm">): RateAlarmSpec => ({
    kind: "rate",
    ...spec,
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
});
const sum = (
    spec: Omit<SingleMetricAlarmSpec, "kind" | "statistic" | "threshold" | "periodSeconds" | "evaluationPeriods" | "datapointsToAlarm">,
): SingleMetricAlarmSpec => ({
    kind: "metric",
    ...spec,
    statistic: "Sum",
    threshold: 1,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
});
const p99 = (
    spec: Omit<SingleMetricAlarmSpec, "kind" | "statistic" | "periodSeconds" | "evaluationPeriods" | "datapointsToAlarm">,
): SingleMetricAlarmSpec => ({
    kind: "metric",
    ...spec,
    statistic: "p99",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
});
const pct = (percent: number) => `${percent}%`;

/** Lambda: function-error rate; any throttle (reserved concurrency reached); p99 duration above 80% of the timeout. */
export function lambdaAlarms(
    functionName: pulumi.Input<string>,
    timeoutSeconds: number,
    errorRatePercent = DEFAULT_ERROR_RATE_PERCENT,
): AlarmSpec[] {
    const dimensions = { FunctionName: functionName };
    return [
        // Invocations counts successful and failed invocations (not throttled ones), so Errors is a part of it.
        rate({
            role: "errors",
            description: `At least ${pct(errorRatePercent)} of invocations ended in a function error`,
            namespace: "AWS/Lambda",
            errors: { metricName: "Errors", dimensions },
            requests: { metricName: "Invocations", dimensions },
            threshold: errorRatePercent,
        }),
        sum({
            role: "throttles",
            description: "Invocations were throttled (reserved concurrency reached)",
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions,
        }),
        p99({
            role: "latency",
            description: "p99 duration is above 80% of the timeout",
            namespace: "AWS/Lambda",
            metricName: "Duration",
            dimensions,
            threshold: Math.round(timeoutSeconds * 1000 * 0.8),
        }),
    ];
}

/**
 * SageMaker endpoint variant: 5XX rate; 4XX rate (requests the model itself answered 4XX, i.e. rejected as
 * bad input: SageMaker publishes no throttling metric for endpoints); p99 model latency (microseconds).
 */
export function sagemakerAlarms(
    endpointName: pulumi.Input<string>,
    variantName: string,
    latencyThresholdMs: number,
    errorRatePercent = DEFAULT_ERROR_RATE_PERCENT,
): AlarmSpec[] {
    const dimensions = { EndpointName: endpointName, VariantName: variantName };
    const requests = { metricName: "Invocations", dimensions };
    return [
        rate({
            role: "errors",
            description: `At least ${pct(errorRatePercent)} of requests got a 5XX from the model`,
            namespace: "AWS/SageMaker",
            errors: { metricName: "Invocation5XXErrors", dimensions },
            requests,
            threshold: errorRatePercent,
        }),
        rate({
            role: "rejected",
            formerRole: "throttles",
            description: `At least ${pct(errorRatePercent)} of requests got a 4XX from the model (bad requests; SageMaker has no throttle metric for endpoints)`,
            namespace: "AWS/SageMaker",
            errors: { metricName: "Invocation4XXErrors", dimensions },
            requests,
            threshold: errorRatePercent,
        }),
        p99({
            role: "latency",
            description: `p99 model latency is above ${latencyThresholdMs} ms`,
            namespace: "AWS/SageMaker",
            metricName: "ModelLatency",
            dimensions,
            threshold: latencyThresholdMs * 1000,
        }),
    ];
}

/**
 * The blue/green rollback alarm of a SageMaker real-time endpoint. SageMaker rolls back if it is in ALARM
 * during the baking period (`waitIntervalInSeconds`, 5 minutes here), so it works on one-minute data and
 * fires when the 5XX rate is at least `percent` in 3 of the last 5 minutes: a sustained failure of the new
 * fleet within the bake, never a single failed request. It notifies the topic too: a rollback is news.
 */
export function rollbackAlarm(
    endpointName: pulumi.Input<string>,
    variantName: string,
    errorRatePercent = DEFAULT_ERROR_RATE_PERCENT,
): RateAlarmSpec {
    const dimensions = { EndpointName: endpointName, VariantName: variantName };
    return {
        kind: "rate",
        role: "rollback",
        description: `Rolls a blue/green update back: at least ${pct(errorRatePercent)} of requests got a 5XX in 3 of 5 minutes`,
        namespace: "AWS/SageMaker",
        errors: { metricName: "Invocation5XXErrors", dimensions },
        requests: { metricName: "Invocations", dimensions },
        threshold: errorRatePercent,
        periodSeconds: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
    };
}

/**
 * ECS behind an ALB: target 5XX rate; rate of 5XX the load balancer answered itself (no healthy target,
 * target connection failed or timed out); p99 response time (seconds). An ALB has no throttling metric.
 */
export function albAlarms(
    loadBalancer: pulumi.Input<string>,
    targetGroup: pulumi.Input<string>,
    latencyThresholdMs: number,
    errorRatePercent = DEFAULT_ERROR_RATE_PERCENT,
): AlarmSpec[] {
    const dimensions = { LoadBalancer: loadBalancer, TargetGroup: targetGroup };
    const lb = { LoadBalancer: loadBalancer };
    return [
        rate({
            role: "errors",
            description: `At least ${pct(errorRatePercent)} of requests got a 5XX from the model`,
            namespace: "AWS/ApplicationELB",
            errors: { metricName: "HTTPCode_Target_5XX_Count", dimensions },
            requests: { metricName: "RequestCount", dimensions },
            threshold: errorRatePercent,
        }),
        rate({
            role: "rejected",
            formerRole: "throttles",
            description: `At least ${pct(errorRatePercent)} of requests got a 5XX from the load balancer itself: no healthy target, or the target could not be reached in time`,
            namespace: "AWS/ApplicationELB",
            errors: { metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb },
            requests: { metricName: "RequestCount", dimensions: lb },
            threshold: errorRatePercent,
        }),
        p99({
            role: "latency",
            description: `p99 response time is above ${latencyThresholdMs} ms`,
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            dimensions,
            threshold: latencyThresholdMs / 1000,
        }),
    ];
}

/** App Runner: 5XX rate; 4XX rate, which includes the 429s App Runner sends at its concurrency limit; p99 latency (ms). */
export function appRunnerAlarms(
    serviceName: pulumi.Input<string>,
    serviceId: pulumi.Input<string>,
    latencyThresholdMs: number,
    errorRatePercent = DEFAULT_ERROR_RATE_PERCENT,
): AlarmSpec[] {
    const dimensions = { ServiceName: serviceName, ServiceID: serviceId };
    const requests = { metricName: "Requests", dimensions };
    return [
        rate({
            role: "errors",
            description: `At least ${pct(errorRatePercent)} of requests got a 5XX`,
            namespace: "AWS/AppRunner",
            errors: { metricName: "5xxStatusResponses", dimensions },
            requests,
            threshold: errorRatePercent,
        }),
        rate({
            role: "rejected",
            formerRole: "throttles",
            description: `At least ${pct(errorRatePercent)} of requests got a 4XX, which includes 429 at the concurrency limit`,
            namespace: "AWS/AppRunner",
            errors: { metricName: "4xxStatusResponses", dimensions },
            requests,
            threshold: errorRatePercent,
        }),
        p99({
            role: "latency",
            description: `p99 request latency is above ${latencyThresholdMs} ms`,
            namespace: "AWS/AppRunner",
            metricName: "RequestLatency",
            dimensions,
            threshold: latencyThresholdMs,
        }),
    ];
}

/** The metric part of a MetricAlarm's inputs for one spec (single metric, or metric math for a rate). */
export function alarmMetricInputs(s: AlarmSpec): Partial<cloudwatch.MetricAlarmArgs> {
    if (s.kind === "metric") {
        return {
            namespace: s.namespace,
            metricName: s.metricName,
            dimensions: { ...s.dimensions },
            ...(s.statistic.startsWith("p") ? { extendedStatistic: s.statistic } : { statistic: s.statistic }),
            period: s.periodSeconds,
        };
    }
    const query = (id: string, m: RateAlarmSpec["errors"]) => ({
        id,
        returnData: false,
        metric: { namespace: s.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, stat: "Sum", period: s.periodSeconds },
    });
    return {
        metricQueries: [
            query("errors", s.errors),
            query("requests", s.requests),
            { id: "rate", expression: ERROR_RATE_EXPRESSION, label: "Error rate (%)", returnData: true },
        ],
    };
}

/** Creates `<prefix>-<role>-alarm` per spec, parented to `parent`; returns them by role. */
export function createAlarms(
    parent: pulumi.Resource,
    prefix: string,
    specs: readonly AlarmSpec[],
    o: { readonly topicArn?: pulumi.Input<string>; readonly tags?: Readonly<Record<string, string>> } = {},
): Record<string, cloudwatch.MetricAlarm> {
    const actions = o.topicArn ? [o.topicArn] : [];
    return Object.fromEntries(
        specs.map((s) => [
            s.role,
            new cloudwatch.MetricAlarm(
                `${prefix}-${s.role}-alarm`,
                {
                    alarmDescription: s.description,
                    ...alarmMetricInputs(s),
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: s.threshold,
                    evaluationPeriods: s.evaluationPeriods,
                    datapointsToAlarm: s.datapointsToAlarm,
                    // No traffic is not an outage: a scaled-to-zero model sends no data points.
                    treatMissingData: "notBreaching",
                    alarmActions: actions,
                    okActions: actions,
                    tags: { ...o.tags },
                },
                { parent, ...(s.formerRole ? { aliases: [{ name: `${prefix}-${s.formerRole}-alarm` }] } : {}) },
            ),
        ]),
    );
}

/**
 * The encrypted SNS topic every alarm notifies (CKV_AWS_26), with an email subscription per address and an
 * https subscription per webhook. Email subscriptions are named after a hash of the address, so removing
 * one address leaves the others (and their confirmations) alone.
 */
export class AwsAlertTopic extends pulumi.ComponentResource {
    /** ARN of the SNS topic alarms publish to. */
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AwsAlertTopicArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AwsAlertTopic "${name}"`, validateAwsAlertTopic(args));
        super("mlops:index:AwsAlertTopic", name, args, opts);
        const emails = args.emails ?? [];
        const webhooks = args.webhooks ?? [];

        const topic = new sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.kmsKeyArn, tags: { ...args.tags } }, { parent: this });
        emails.forEach(
            (email, i) =>
                new sns.TopicSubscription(
                    `${name}-email-${shortHash(email.toLowerCase(), 8)}`,
                    { topic: topic.arn, protocol: "email", endpoint: email },
                    // The single subscription of the former `alarmEmail` setting was `<name>-email`.
                    { parent: this, ...(i === 0 ? { aliases: [{ name: `${name}-email` }] } : {}) },
                ),
        );
        webhooks.forEach(
            (url, i) =>
                new sns.TopicSubscription(
                    `${name}-webhook-${i}`,
                    { topic: topic.arn, protocol: "https", endpoint: pulumi.secret(url), endpointAutoConfirms: false },
                    { parent: this },
                ),
        );
        if (args.eventBridgePublish) {
            const account = awsAccount(this);
            new sns.TopicPolicy(
                `${name}-policy`,
                {
                    arn: topic.arn,
                    policy: policyJson([
                        {
                            Sid: "AccountPublishesAndManages",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:${account.partition}:iam::${account.accountId}:root` },
                            Action: [
                                "sns:Publish",
                                "sns:Subscribe",
                                "sns:GetTopicAttributes",
                                "sns:SetTopicAttributes",
                                "sns:ListSubscriptionsByTopic",
                            ],
                            Resource: topic.arn,
                        },
                        {
                            Sid: "CloudWatchAlarmsOfThisAccountPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
                        },
                        {
                            Sid: "EventBridgeRulesOfThisAccountPublish",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
                        },
                    ]),
                },
                { parent: this },
            );
        }
        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
