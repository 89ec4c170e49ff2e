/**
 * Observability on AWS: log retention that CloudWatch accepts, the alarms every serving deployment gets
 * (errors, throttles, latency), and the encrypted SNS topic they notify.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import { Problems } from "../shared/problems";

export { isLogRetention, LOG_RETENTION_DAYS, logRetentionDays } from "../data-lake/aws-naming";

/** One alarm on one metric. */
export interface AlarmSpec {
    /** `errors`, `throttles` or `latency`: the child resource is `<prefix>-<role>-alarm`. */
    readonly role: "errors" | "throttles" | "latency";
    readonly description: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
    /** `Sum`, or a percentile such as `p99` (sent as extendedStatistic). */
    readonly statistic: string;
    readonly threshold: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
}

const sum = (spec: Omit<AlarmSpec, "statistic" | "threshold" | "periodSeconds" | "evaluationPeriods">): AlarmSpec => ({ ...spec, statistic: "Sum", threshold: 1, periodSeconds: 300, evaluationPeriods: 1 });
const p99 = (spec: Omit<AlarmSpec, "statistic" | "periodSeconds" | "evaluationPeriods">): AlarmSpec => ({ ...spec, statistic: "p99", periodSeconds: 300, evaluationPeriods: 3 });

/** Lambda: any error or throttle; p99 duration above 80% of the timeout (requests about to time out). */
export function lambdaAlarms(functionName: pulumi.Input<string>, timeoutSeconds: number): AlarmSpec[] {
    const dimensions = { FunctionName: functionName };
    return [
        sum({ role: "errors", description: "Invocations ended in a function error", namespace: "AWS/Lambda", metricName: "Errors", dimensions }),
        sum({ role: "throttles", description: "Invocations were throttled (reserved concurrency reached)", namespace: "AWS/Lambda", metricName: "Throttles", dimensions }),
        p99({ role: "latency", description: "p99 duration is above 80% of the timeout", namespace: "AWS/Lambda", metricName: "Duration", dimensions, threshold: Math.round(timeoutSeconds * 1000 * 0.8) }),
    ];
}

/**
 * SageMaker endpoint variant: 5XX errors; 4XX errors, which include throttling (SageMaker reports no
 * separate throttle metric for endpoints); p99 model latency (the metric is in microseconds).
 */
export function sagemakerAlarms(endpointName: pulumi.Input<string>, variantName: string, latencyThresholdMs: number): AlarmSpec[] {
    const dimensions = { EndpointName: endpointName, VariantName: variantName };
    return [
        sum({ role: "errors", description: "The model returned 5XX errors", namespace: "AWS/SageMaker", metricName: "Invocation5XXErrors", dimensions }),
        sum({ role: "throttles", description: "Requests were rejected with 4XX, which includes throttling", namespace: "AWS/SageMaker", metricName: "Invocation4XXErrors", dimensions }),
        p99({ role: "latency", description: `p99 model latency is above ${latencyThresholdMs} ms`, namespace: "AWS/SageMaker", metricName: "ModelLatency", dimensions, threshold: latencyThresholdMs * 1000 }),
    ];
}

/** ECS behind an ALB: target 5XX; load balancer 5XX (no healthy target or no capacity); p99 response time (seconds). */
export function albAlarms(loadBalancer: pulumi.Input<string>, targetGroup: pulumi.Input<string>, latencyThresholdMs: number): AlarmSpec[] {
    const dimensions = { LoadBalancer: loadBalancer, TargetGroup: targetGroup };
    return [
        sum({ role: "errors", description: "The model returned 5XX errors", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions }),
        sum({ role: "throttles", description: "The load balancer answered 5XX itself: no healthy or free target", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: loadBalancer } }),
        p99({ role: "latency", description: `p99 response time is above ${latencyThresholdMs} ms`, namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions, threshold: latencyThresholdMs / 1000 }),
    ];
}

/** App Runner: 5XX; 4XX, which include the 429s App Runner sends at its concurrency limit; p99 latency (ms). */
export function appRunnerAlarms(serviceName: pulumi.Input<string>, serviceId: pulumi.Input<string>, latencyThresholdMs: number): AlarmSpec[] {
    const dimensions = { ServiceName: serviceName, ServiceID: serviceId };
    return [
        sum({ role: "errors", description: "The model returned 5XX errors", namespace: "AWS/AppRunner", metricName: "5xxStatusResponses", dimensions }),
        sum({ role: "throttles", description: "Requests got 4XX, which includes 429 at the concurrency limit", namespace: "AWS/AppRunner", metricName: "4xxStatusResponses", dimensions }),
        p99({ role: "latency", description: `p99 request latency is above ${latencyThresholdMs} ms`, namespace: "AWS/AppRunner", metricName: "RequestLatency", dimensions, threshold: latencyThresholdMs }),
    ];
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
                    namespace: s.namespace,
                    metricName: s.metricName,
                    dimensions: { ...s.dimensions },
                    ...(s.statistic.startsWith("p") ? { extendedStatistic: s.statistic } : { statistic: s.statistic }),
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: s.threshold,
                    period: s.periodSeconds,
                    evaluationPeriods: s.evaluationPeriods,
                    // No traffic is not an outage: a scaled-to-zero model sends no data points.
                    treatMissingData: "notBreaching",
                    alarmActions: actions,
                    okActions: actions,
                    tags: { ...o.tags },
                },
                { parent },
            ),
        ]),
    );
}

export interface AwsAlertTopicArgs {
    /** KMS key encrypting the topic (its policy must let CloudWatch use it; AwsKmsKey's does). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Email address subscribed to alarms; AWS sends a confirmation mail first. @default - no subscription */
    readonly email?: string;
    /** Tags put on every resource. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The encrypted SNS topic every alarm notifies (CKV_AWS_26), with an optional email subscription. */
export class AwsAlertTopic extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AwsAlertTopicArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        if (args.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.email)) problems.add({ path: "email", value: args.email, message: "is not an email address" });
        problems.throwIfAny(`AwsAlertTopic "${name}"`);
        super("mlops:index:AwsAlertTopic", name, args, opts);

        const topic = new sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.kmsKeyArn, tags: { ...args.tags } }, { parent: this });
        if (args.email) new sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.email }, { parent: this });
        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
