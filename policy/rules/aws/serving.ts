/**
 * Serving on AWS: Lambda, App Runner (no public rule set covers it), SageMaker endpoints, and the
 * production floors of docs/security-baseline.md section 4 (instance counts, autoscaling, health checks).
 */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, Knob, MlopsPolicy, numberKnob, resourceRule, stackRule } from "../meta";
import { at, Fields, peek, records, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { AWS } from "./types";

const SERVERLESS = "components/serverless-inference/aws.ts";
const SERVICE = "components/container-service/aws.ts";
const MIN_INSTANCES: Knob = { schema: { type: "integer", minimum: 1, description: "Instance floor for production serving." }, default: 2 };

export const lambdaUrlAuth = resourceRule({
    name: "aws-lambda-url-auth",
    description: "Lambda function URLs require IAM authentication (authorizationType AWS_IAM, not NONE).",
    severity: "critical",
    remediation: `set authorizationType: AWS_IAM on the aws.lambda.FunctionUrl, or front the function with an authenticated API (${SERVERLESS})`,
    mirrors: ["CKV_AWS_258"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.lambdaFunctionUrl],
    check: (r) =>
        r.props.authorizationType === "AWS_IAM" ? [] : [`authorizationType is ${r.props.authorizationType ?? "unset"}, not AWS_IAM`],
});

export const lambdaPermissionNotPublic = resourceRule({
    name: "aws-lambda-permission-not-public",
    description: 'Lambda permissions name their caller: no Principal "*", and a service principal is bound to a source ARN or account.',
    severity: "critical",
    remediation: `grant lambda:InvokeFunction to the calling role or service with sourceArn (or sourceAccount) set (${SERVERLESS})`,
    mirrors: ["CKV_AWS_301", "AVD-AWS-0067"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.lambdaPermission],
    check: (r) => {
        const principal = r.props.principal;
        if (principal === "*") return ['principal is "*"'];
        const service = typeof principal === "string" && principal.endsWith(".amazonaws.com");
        return service && !r.props.sourceArn && !r.props.sourceAccount
            ? [`service principal ${principal} has no sourceArn or sourceAccount`]
            : [];
    },
});

export const lambdaLimits = resourceRule({
    name: "aws-lambda-limits",
    description:
        "Lambda functions set reserved concurrency and an explicit timeout (the 3 s default and unbounded scale-out both fail under load).",
    severity: "medium",
    remediation: `keep mlops:serverlessInference.aws.reserveLambdaConcurrency true and set mlops:serverlessInference.aws.lambdaTimeoutSeconds (${SERVERLESS}; concurrency follows mlops:models[].serverlessMaxReplicas)`,
    mirrors: ["CKV_AWS_115", "serverless-rules ES1006"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.lambdaFunction],
    check: (r) => [
        ...(typeof r.props.reservedConcurrentExecutions === "number" && r.props.reservedConcurrentExecutions >= 0
            ? []
            : ["reservedConcurrentExecutions is not set"]),
        ...(typeof r.props.timeout === "number" ? [] : ["timeout is not set (defaults to 3 seconds)"]),
    ],
});

export const lambdaTracing = resourceRule({
    name: "aws-lambda-tracing",
    description: "Lambda functions set X-Ray tracing (tracingConfig.mode).",
    severity: "low",
    remediation: `set tracingConfig: { mode: "Active" } on the aws.lambda.Function (${SERVERLESS})`,
    mirrors: ["CKV_AWS_50", "AVD-AWS-0066"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "advisory",
    types: [AWS.lambdaFunction],
    check: (r) => (at(r.props, "tracingConfig.mode") ? [] : ["tracingConfig.mode is not set"]),
});

export const appRunnerPrivate = resourceRule({
    name: "aws-apprunner-private",
    description: "App Runner services are not publicly accessible (ingress through a VPC endpoint only).",
    severity: "high",
    remediation: `set networkConfiguration.ingressConfiguration.isPubliclyAccessible: false on the aws.apprunner.Service (${SERVICE}), or use mlops:containerService.implementation ecs-fargate`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.appRunnerService],
    check: (r) =>
        at(r.props, "networkConfiguration.ingressConfiguration.isPubliclyAccessible") === false
            ? []
            : ["the service is publicly accessible (ingressConfiguration.isPubliclyAccessible is not false)"],
});

export const appRunnerKms = resourceRule({
    name: "aws-apprunner-kms",
    description: "App Runner services encrypt their source and logs with a customer-managed KMS key.",
    severity: "low",
    remediation: `set encryptionConfiguration.kmsKey on the aws.apprunner.Service (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "security",
    enforcement: "advisory",
    types: [AWS.appRunnerService],
    check: (r) => (at(r.props, "encryptionConfiguration.kmsKey") ? [] : ["encryptionConfiguration.kmsKey is not set"]),
});

export const appRunnerHealthCheck = resourceRule({
    name: "aws-apprunner-http-health-check",
    description: "App Runner services health-check the model over HTTP (the TCP default only sees an open port).",
    severity: "medium",
    remediation: `set healthCheckConfiguration { protocol: HTTP, path: mlops:models[].healthPath } on the aws.apprunner.Service (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.appRunnerService],
    check: (r) =>
        at(r.props, "healthCheckConfiguration.protocol") === "HTTP"
            ? []
            : [`health check protocol is ${at(r.props, "healthCheckConfiguration.protocol") ?? "TCP (default)"}, not HTTP`],
});

export const appRunnerMinInstances = stackRule({
    name: "aws-apprunner-min-instances",
    description: "App Runner services use an auto scaling configuration that keeps at least `minInstances` instances.",
    severity: "high",
    remediation: `attach an aws.apprunner.AutoScalingConfigurationVersion with minSize from mlops:models[].minReplicas (prod default 2; ${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.appRunnerService],
    knobs: { minInstances: MIN_INSTANCES },
    validate: ({ view, config, inScope, report }) => {
        for (const service of view.ofType([AWS.appRunnerService]).filter(inScope)) {
            const scaling = view
                .ofType([AWS.appRunnerScaling])
                .find((s) => (service.propertyDependencies?.autoScalingConfigurationArn ?? []).some((d) => d.urn === s.urn));
            if (!scaling) {
                report(service, "uses no auto scaling configuration of the stack (the default keeps 1 instance)");
                continue;
            }
            const min = whenKnown(() => scaling.props.minSize ?? 1);
            const floor = numberKnob(config, "minInstances");
            if (typeof min === "number" && min < floor)
                report(service, `its auto scaling configuration keeps ${min} instance(s), below ${floor}`);
        }
    },
});

/** SageMaker instance families with NVMe instance storage: they take no endpoint KMS key (hardware-encrypted). */
export const NVME_INSTANCE = /^ml\.(g4dn|g5|g6|g6e|gr6|p3dn|p4d|p4de|p5|p5e|p5en|trn1|trn1n|[cmr]\d[a-z]*d)\./;

const instanceVariants = (props: Fields) => records(props.productionVariants).filter((v) => !v.serverlessConfig);

export const sagemakerEndpointKms = resourceRule({
    name: "aws-sagemaker-endpoint-kms",
    description:
        "SageMaker endpoint configurations encrypt their storage with a KMS key (variants on NVMe-backed instance types are encrypted by hardware and take none).",
    severity: "high",
    remediation: `set kmsKeyArn on the aws.sagemaker.EndpointConfiguration to the platform key (${SERVERLESS})`,
    mirrors: ["CKV_AWS_98", "AWS Config SAGEMAKER_ENDPOINT_CONFIG_KMS_KEY_REQUIRED"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.sagemakerEndpointConfig],
    check: (r) => {
        if (r.props.kmsKeyArn) return [];
        const variants = records(r.props.productionVariants);
        const allNvme =
            variants.length > 0 && variants.every((v) => !v.serverlessConfig && NVME_INSTANCE.test(String(v.instanceType ?? "")));
        return allNvme ? [] : ["kmsKeyArn is not set"];
    },
});

export const sagemakerInstanceCount = resourceRule({
    name: "aws-sagemaker-endpoint-instances",
    description:
        "Real-time SageMaker production variants start at least `minInstances` instances, which SageMaker spreads across availability zones.",
    severity: "high",
    remediation: `raise mlops:models[].minReplicas (prod default 2); the sagemaker-endpoint implementation uses it as initialInstanceCount (${SERVERLESS})`,
    mirrors: ["Prowler sagemaker_endpoint_config_prod_variant_instances", "AWS Config SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.sagemakerEndpointConfig],
    knobs: { minInstances: MIN_INSTANCES },
    check: (r, config) => {
        const floor = numberKnob(config, "minInstances");
        return instanceVariants(r.props)
            .filter((v) => Number(v.initialInstanceCount ?? 1) < floor)
            .map(
                (v) =>
                    `production variant ${v.variantName ?? "(unnamed)"} starts ${v.initialInstanceCount ?? 1} instance(s), below ${floor}`,
            );
    },
});

export const sagemakerModelIsolation = resourceRule({
    name: "aws-sagemaker-model-network-isolation",
    description: "SageMaker models run with network isolation (the container makes no outbound calls).",
    severity: "low",
    remediation: `set enableNetworkIsolation: true on the aws.sagemaker.Model when the serving image needs no network (${SERVERLESS})`,
    mirrors: ["CKV_AWS_370"],
    clouds: ["aws"],
    category: "security",
    enforcement: "advisory",
    types: [AWS.sagemakerModel],
    check: (r) => (r.props.enableNetworkIsolation === true ? [] : ["enableNetworkIsolation is not true"]),
});

export const sagemakerDomainKms = resourceRule({
    name: "aws-sagemaker-domain-kms",
    description: "SageMaker Studio domains encrypt their storage with a customer-managed KMS key.",
    severity: "high",
    remediation: "set kmsKeyId on the aws.sagemaker.Domain to the stack key (components/ml-platform/aws.ts)",
    mirrors: ["CKV_AWS_187"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.sagemakerDomain],
    check: (r) => (r.props.kmsKeyId ? [] : ["kmsKeyId is not set"]),
});

export const sagemakerDomainVpcOnly = resourceRule({
    name: "aws-sagemaker-domain-vpc-only",
    description: "SageMaker Studio domains send traffic through the VPC only (appNetworkAccessType VpcOnly).",
    severity: "medium",
    remediation:
        "set appNetworkAccessType: VpcOnly on the aws.sagemaker.Domain, with the VPC endpoints Studio needs (components/ml-platform/aws.ts)",
    mirrors: ["CKV_AWS_122 (notebook equivalent)"],
    clouds: ["aws"],
    category: "security",
    enforcement: "advisory",
    types: [AWS.sagemakerDomain],
    check: (r) =>
        r.props.appNetworkAccessType === "VpcOnly"
            ? []
            : [`appNetworkAccessType is ${r.props.appNetworkAccessType ?? "PublicInternetOnly (default)"}, not VpcOnly`],
});

/** Serverless endpoints scale by themselves; only endpoints on instances need a scaling target. */
function onInstances(view: StackView, endpoint: PolicyResource): boolean {
    const configs = view
        .ofType([AWS.sagemakerEndpointConfig])
        .filter((c) => (endpoint.propertyDependencies?.endpointConfigName ?? []).some((d) => d.urn === c.urn));
    return configs.length === 0 || configs.some((c) => whenKnown(() => instanceVariants(c.props).length > 0) !== false);
}

export const servingAutoscaling = stackRule({
    name: "aws-serving-autoscaling",
    description:
        "ECS services and SageMaker real-time endpoints have an Application Auto Scaling target with minCapacity at least `minCapacity` and room to scale out.",
    severity: "high",
    remediation: `keep the aws.appautoscaling.Target and Policy of each serving deployment, minCapacity from mlops:models[].minReplicas and maxCapacity from maxReplicas (${SERVICE}, ${SERVERLESS})`,
    mirrors: ["AWS-WA MLREL05-BP01", CUSTOM],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.ecsService, AWS.sagemakerEndpoint],
    knobs: { minCapacity: MIN_INSTANCES },
    validate: ({ view, config, inScope, report }) => {
        const targets = view.ofType([AWS.scalingTarget]);
        for (const r of view.ofType([AWS.ecsService, AWS.sagemakerEndpoint]).filter(inScope)) {
            if (r.type === AWS.sagemakerEndpoint && !onInstances(view, r)) continue;
            const name = peek(r.props, "name");
            const target = targets.find(
                (t) =>
                    (t.propertyDependencies?.resourceId ?? []).some((d) => d.urn === r.urn) ||
                    (typeof name === "string" && String(peek(t.props, "resourceId")).split("/").includes(name)),
            );
            if (!target) {
                report(r, "no aws.appautoscaling.Target scales it");
                continue;
            }
            const capacity = whenKnown(() => ({ min: target.props.minCapacity, max: target.props.maxCapacity }));
            if (!capacity) continue;
            const floor = numberKnob(config, "minCapacity");
            if (capacity.min < floor) report(r, `its scaling target's minCapacity is ${capacity.min}, below ${floor}`);
            if (!(capacity.max > capacity.min))
                report(r, `its scaling target cannot scale out (maxCapacity ${capacity.max}, minCapacity ${capacity.min})`);
        }
    },
});

export const servingRules: readonly MlopsPolicy[] = [
    lambdaUrlAuth,
    lambdaPermissionNotPublic,
    lambdaLimits,
    lambdaTracing,
    appRunnerPrivate,
    appRunnerKms,
    appRunnerHealthCheck,
    appRunnerMinInstances,
    sagemakerEndpointKms,
    sagemakerInstanceCount,
    sagemakerModelIsolation,
    sagemakerDomainKms,
    sagemakerDomainVpcOnly,
    servingAutoscaling,
];
