/**
 * Load balancer listeners and access logs, alert delivery, and log groups that outlive the resource they
 * are named after (a replaced SageMaker endpoint or Lambda function must not take its logs with it).
 */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, list, oneOf, whenKnown } from "../lib/read";
import { AWS } from "./types";

const SERVICE = "components/container-service/aws.ts";

/** TLS policies that allow TLS 1.2 and 1.3 only (ELB "Security policies for your Application Load Balancer"). */
export const TLS12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

/** Whether a listener default action (`{ type, redirect: { protocol, statusCode } }`) redirects to HTTPS. */
const redirectsToHttps = (action: unknown) =>
    at(action, "type") === "redirect" &&
    at(action, "redirect.protocol") === "HTTPS" &&
    oneOf(["HTTP_301", "HTTP_302"], at(action, "redirect.statusCode"));

export const albListenerTls = resourceRule({
    name: "aws-alb-listener-tls",
    description: "Load balancer listeners serve HTTPS with a TLS 1.2+ security policy, or only redirect HTTP to HTTPS.",
    severity: "high",
    remediation: `leave mlops:containerService.aws.plainHttp unset (HTTPS on 443, port 80 redirects); with your own certificate set mlops:containerService.aws.certificateArn (${SERVICE}). An internal-only load balancer that opted out with plainHttp waives this rule in the policy config`,
    mirrors: ["CKV_AWS_2", "CKV_AWS_103", "CKV2_AWS_20", "AVD-AWS-0054", "AVD-AWS-0047"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: AWS.listener,
    check: (r) => {
        const protocol = r.props.protocol ?? "HTTP";
        if (protocol === "HTTPS" || protocol === "TLS") {
            const policy = r.props.sslPolicy;
            return oneOf(TLS12_POLICIES, policy)
                ? []
                : [`sslPolicy is ${policy ?? "unset (ELBSecurityPolicy-2016-08 allows TLS 1.0)"}, not a TLS 1.2+ policy`];
        }
        if (protocol !== "HTTP") return [];
        const actions = list(r.props.defaultActions);
        return actions.length > 0 && actions.every(redirectsToHttps)
            ? []
            : [`the ${protocol} listener on port ${r.props.port ?? 80} serves plain HTTP instead of redirecting to HTTPS`];
    },
});

export const albAccessLogs = resourceRule({
    name: "aws-alb-access-logs",
    description: "Application load balancers write access logs to S3 (accessLogs.enabled with a bucket).",
    severity: "medium",
    remediation: `keep the container service's accessLogs, which the AWS stack points at the lake's access-log bucket under alb/ (${SERVICE}, components/data-lake/aws.ts)`,
    mirrors: ["CKV_AWS_91", "AVD-AWS-0053 (logging)"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: AWS.loadBalancer,
    check: (r) => {
        if ((r.props.loadBalancerType ?? "application") !== "application") return [];
        const logs = r.props.accessLogs;
        return at(logs, "enabled") === true && at(logs, "bucket") ? [] : ["accessLogs is not enabled with a bucket"];
    },
});

export const alertsReachSomeone = stackRule({
    name: "aws-alerts-reach-someone",
    description: "In production, every CloudWatch alarm notifies an SNS topic of the stack that has at least one subscription.",
    severity: "high",
    remediation:
        "set mlops:notifications.emails or mlops:notifications.webhooks: the AWS stack subscribes each to the alert topic every alarm notifies (components/observability/aws.ts)",
    mirrors: [CUSTOM, "AWS Config CLOUDWATCH_ALARM_ACTION_CHECK"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.metricAlarm],
    validate: ({ view, inScope, report }) => {
        const topics = view.ofType([AWS.snsTopic]);
        const subscriptions = view.ofType([AWS.snsSubscription]);
        const subscribed = (topicUrn: string) =>
            subscriptions.some((s) => (s.propertyDependencies?.topic ?? []).some((d) => d.urn === topicUrn));
        for (const alarm of view.ofType([AWS.metricAlarm]).filter(inScope)) {
            const actions = whenKnown(() => list(alarm.props.alarmActions));
            if (actions === undefined) continue;
            if (actions.length === 0) {
                report(alarm, "has no alarmActions: it notifies nobody");
                continue;
            }
            const stackTopics = topics.filter((t) => (alarm.propertyDependencies?.alarmActions ?? []).some((d) => d.urn === t.urn));
            // Actions on topics outside the stack (an ARN string) cannot be checked here.
            if (stackTopics.length > 0 && !stackTopics.some((t) => subscribed(t.urn)))
                report(alarm, "notifies an SNS topic with no subscription: nobody hears it");
        }
    },
});

/** Log groups whose name AWS fixes after a resource that config edits replace (the endpoint, the function). */
export const REPLACEABLE_NAMED_LOG_GROUP = /^\/aws\/(sagemaker\/Endpoints|lambda|apprunner)\//;

export const logGroupOutlivesReplacement = resourceRule({
    name: "aws-log-group-kept-on-replace",
    description:
        "Log groups named after a resource that config edits replace (/aws/sagemaker/Endpoints/<endpoint>, /aws/lambda/<function>, /aws/apprunner/<service>) are kept when replaced (skipDestroy), expiring by their retention.",
    severity: "high",
    remediation:
        "set skipDestroy: true (and the resource option retainOnDelete) on the aws.cloudwatch.LogGroup; do not protect it, which would block the replacement (components/serverless-inference/aws.ts)",
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [AWS.logGroup],
    check: (r) => {
        const name = r.props.name;
        if (typeof name !== "string" || !REPLACEABLE_NAMED_LOG_GROUP.test(name)) return [];
        return r.props.skipDestroy === true
            ? []
            : [`${name} follows a replaceable resource's name, and without skipDestroy its logs are deleted with the old resource`];
    },
});

export const edgeAndAlertRules: readonly MlopsPolicy[] = [albListenerTls, albAccessLogs, alertsReachSomeone, logGroupOutlivesReplacement];
