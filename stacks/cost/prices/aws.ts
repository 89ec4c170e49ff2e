/**
 * AWS list prices (USD, on-demand, no free tier, no savings plans) for us-east-1, the region of the shipped
 * aws-dev and aws-prod stacks, and the rule that prices each resource kind those stacks register.
 *
 * Dated table: the figures are the author's knowledge of the public pricing pages linked on each price
 * (`verified: false`), written down on the table's date; none could be read live from this environment.
 * Refresh them from the linked pages when they matter (prices change; a stale figure is a wrong estimate).
 */
import { fixed, free, input, num, perHour, perMonth, rate, usage } from "../rules";
import { CloudPricing, CostResource, HOURS_PER_MONTH, PriceTable, Rule } from "../types";

const VPC = "https://aws.amazon.com/vpc/pricing/";
const PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const FARGATE = "https://aws.amazon.com/fargate/pricing/";
const SAGEMAKER = "https://aws.amazon.com/sagemaker/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const ECR = "https://aws.amazon.com/ecr/pricing/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const FIREHOSE = "https://aws.amazon.com/firehose/pricing/";
const GLUE = "https://aws.amazon.com/glue/pricing/";
const ATHENA = "https://aws.amazon.com/athena/pricing/";
const SQS = "https://aws.amazon.com/sqs/pricing/";
const SNS = "https://aws.amazon.com/sns/pricing/";
const EVENTBRIDGE = "https://aws.amazon.com/eventbridge/pricing/";
const CLOUDTRAIL = "https://aws.amazon.com/cloudtrail/pricing/";
const MWAA = "https://aws.amazon.com/managed-workflows-for-apache-airflow/pricing/";

const p = (usd: number, per: string, url: string) => ({ usd, per, url, verified: false });

/** SageMaker instance prices per hour, training and real-time hosting (us-east-1). */
const SAGEMAKER_INSTANCES: Record<string, number> = {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.c5.xlarge": 0.204,
    "ml.g4dn.xlarge": 0.736,
    "ml.g5.xlarge": 1.408,
    "ml.g5.12xlarge": 7.09,
    "ml.inf2.xlarge": 0.99,
    "ml.p4d.24xlarge": 37.688,
};

export const AWS_US_EAST_1: PriceTable = {
    region: "us-east-1",
    read: "2026-12-03",
    prices: {
        "nat-hour": p(0.045, "hour", VPC),
        "nat-gb": p(0.045, "GB processed", VPC),
        "public-ipv4-hour": p(0.005, "hour", VPC),
        "interface-endpoint-az-hour": p(0.01, "endpoint-AZ-hour", PRIVATELINK),
        "endpoint-gb": p(0.01, "GB processed", PRIVATELINK),
        "alb-hour": p(0.0225, "hour", ELB),
        "alb-lcu-hour": p(0.008, "LCU-hour", ELB),
        "nlb-hour": p(0.0225, "hour", ELB),
        "kms-key-month": p(1.0, "key-month", KMS),
        "kms-requests": p(0.03, "10,000 requests", KMS),
        "alarm-month": p(0.1, "alarm-month", CLOUDWATCH),
        "custom-metric-month": p(0.3, "metric-month, prorated by the hours it receives data", CLOUDWATCH),
        "logs-ingest-gb": p(0.5, "GB ingested", CLOUDWATCH),
        "logs-store-gb-month": p(0.03, "GB-month stored", CLOUDWATCH),
        "vended-logs-gb": p(0.5, "GB delivered", CLOUDWATCH),
        "fargate-vcpu-hour": p(0.04048, "vCPU-hour", FARGATE),
        "fargate-gb-hour": p(0.004445, "GB-hour", FARGATE),
        "s3-gb-month": p(0.023, "GB-month (Standard)", S3),
        "s3-put-1k": p(0.005, "1,000 PUT requests", S3),
        "ecr-gb-month": p(0.1, "GB-month", ECR),
        "lambda-requests": p(0.2, "million requests", LAMBDA),
        "lambda-gb-second": p(0.0000166667, "GB-second", LAMBDA),
        "firehose-gb": p(0.029, "GB ingested", FIREHOSE),
        "glue-dpu-hour": p(0.44, "DPU-hour", GLUE),
        "athena-tb": p(5.0, "TB scanned", ATHENA),
        "sqs-requests": p(0.4, "million requests", SQS),
        "sns-requests": p(0.5, "million publishes", SNS),
        "events-custom": p(1.0, "million events", EVENTBRIDGE),
        "scheduler-invocations": p(1.0, "million invocations", EVENTBRIDGE),
        "cloudtrail-data-events": p(0.1, "100,000 data events", CLOUDTRAIL),
        "mwaa-mw1.small-hour": p(0.49, "environment-hour", MWAA),
        "mwaa-mw1.medium-hour": p(0.74, "environment-hour", MWAA),
        "mwaa-mw1.large-hour": p(0.99, "environment-hour", MWAA),
        ...Object.fromEntries(
            Object.entries(SAGEMAKER_INSTANCES).map(([type, usd]) => [`sagemaker:${type}`, p(usd, "instance-hour", SAGEMAKER)]),
        ),
    },
};

/** Interface endpoints bill per AZ (one per subnet); gateway endpoints (S3, DynamoDB) are free. */
const vpcEndpoint: Rule = (r, ctx) => {
    if (input(r, "vpcEndpointType") !== "Interface") return [{ section: "free", note: "gateway endpoint: no charge" }];
    const azs = Math.max(1, (input(r, "subnetIds") as unknown[] | undefined)?.length ?? 1);
    return [
        fixed(`interface endpoint in ${azs} AZ`, azs * HOURS_PER_MONTH, "interface-endpoint-az-hour", ctx),
        rate("data processed", "endpoint-gb", ctx),
    ];
};

const loadBalancer: Rule = (r, ctx) =>
    input(r, "loadBalancerType") === "network"
        ? [fixed("network load balancer", HOURS_PER_MONTH, "nlb-hour", ctx)]
        : [fixed("application load balancer", HOURS_PER_MONTH, "alb-hour", ctx), rate("load balancer capacity units", "alb-lcu-hour", ctx)];

/** The task definition an ECS service runs: the sibling under the same component (one per service). */
function taskDefinitionOf(service: CostResource, all: readonly CostResource[]): CostResource | undefined {
    const siblings = all.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.parent === service.parent);
    return siblings.length === 1 ? siblings[0] : siblings.find((t) => t.name.startsWith(service.name.replace(/-service$/, "")));
}

/** Fargate tasks kept running by a service (desiredCount) bill their vCPU and memory all month. */
const ecsService: Rule = (r, ctx) => {
    const count = num(input(r, "desiredCount"), 1);
    if (input(r, "launchType") !== "FARGATE") return [{ section: "unpriced", reason: "ECS on EC2 capacity: priced as the instances" }];
    if (count === 0) return [rate("Fargate vCPU while tasks run", "fargate-vcpu-hour", ctx)];
    const task = taskDefinitionOf(r, ctx.resources);
    if (!task) return [{ section: "unpriced", reason: "task definition not found in the plan" }];
    const vcpu = num(input(task, "cpu")) / 1024;
    const gb = num(input(task, "memory")) / 1024;
    return [
        fixed(`${count} Fargate task(s) x ${vcpu} vCPU`, count * vcpu * HOURS_PER_MONTH, "fargate-vcpu-hour", ctx),
        fixed(`${count} Fargate task(s) x ${gb} GB`, count * gb * HOURS_PER_MONTH, "fargate-gb-hour", ctx),
    ];
};

/** A real-time endpoint bills its instances from creation; serverless variants bill per use. */
const endpointConfiguration: Rule = (r, ctx) =>
    ((input(r, "productionVariants") as Record<string, unknown>[] | undefined) ?? []).map((v) => {
        const type = v.instanceType as string | undefined;
        if (!type) return { section: "usage", item: "serverless inference (GB-seconds)", price: "lambda-gb-second" } as const;
        const count = num(v.initialInstanceCount, 1);
        return fixed(`${count} x ${type} (real-time endpoint)`, count * HOURS_PER_MONTH, `sagemaker:${type}`, ctx);
    });

const mwaa: Rule = (r, ctx) => {
    const cls = (input(r, "environmentClass") as string | undefined) ?? "mw1.small";
    return [fixed(`Airflow environment ${cls}`, HOURS_PER_MONTH, `mwaa-${cls}-hour`, ctx)];
};

const alarm = perMonth("standard-resolution alarm", "alarm-month");

const RULES: Record<string, Rule> = {
    "aws:ec2/natGateway:NatGateway": perHour("NAT gateway", "nat-hour", ["data processed", "nat-gb"]),
    "aws:ec2/eip:Eip": perHour("public IPv4 address", "public-ipv4-hour"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:kms/key:Key": perMonth("customer-managed key", "kms-key-month", ["API requests", "kms-requests"]),
    "aws:cloudwatch/metricAlarm:MetricAlarm": alarm,
    "aws:ecs/service:Service": ecsService,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": endpointConfiguration,
    "aws:mwaa/environment:Environment": mwaa,
    "aws:cloudwatch/logGroup:LogGroup": usage(["ingestion", "logs-ingest-gb"], ["storage", "logs-store-gb-month"]),
    "aws:ec2/flowLog:FlowLog": usage(["flow log delivery", "vended-logs-gb"]),
    "aws:s3/bucket:Bucket": usage(["storage", "s3-gb-month"], ["writes", "s3-put-1k"]),
    "aws:ecr/repository:Repository": usage(["image storage", "ecr-gb-month"]),
    "aws:lambda/function:Function": usage(["requests", "lambda-requests"], ["compute", "lambda-gb-second"]),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": usage(["ingestion", "firehose-gb"]),
    "aws:glue/job:Job": usage(["job runs", "glue-dpu-hour"]),
    "aws:glue/crawler:Crawler": usage(["crawler runs", "glue-dpu-hour"]),
    "aws:athena/workgroup:Workgroup": usage(["queries", "athena-tb"]),
    "aws:sqs/queue:Queue": usage(["requests", "sqs-requests"]),
    "aws:sns/topic:Topic": usage(["publishes", "sns-requests"]),
    "aws:cloudwatch/eventRule:EventRule": usage(["custom events (schedules and AWS events are free)", "events-custom"]),
    "aws:scheduler/schedule:Schedule": usage(["invocations (14 million a month free)", "scheduler-invocations"]),
    "aws:cloudtrail/trail:Trail": usage(["S3 data events", "cloudtrail-data-events"]),
    "aws:sagemaker/domain:Domain": free("Studio domain: apps bill per instance-hour while running"),
    "aws:sagemaker/endpoint:Endpoint": free("billed as its endpoint configuration's instances"),
    "aws:sagemaker/model:Model": free("no charge"),
    "aws:sagemaker/pipeline:Pipeline": free("no charge itself: its steps bill per instance-hour while they run"),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": usage(["custom metrics it publishes", "custom-metric-month"]),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": free("no charge"),
    "aws:ecs/cluster:Cluster": free("no charge (tasks bill)"),
    "aws:ecs/taskDefinition:TaskDefinition": free("billed as the tasks that run it"),
    "aws:acm/certificate:Certificate": free("imported certificate: no charge"),
    "aws:s3/bucketObjectv2:BucketObjectv2": free("stored in its bucket"),
};

for (const type of [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:kms/alias:Alias",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:glue/catalogTable:CatalogTable",
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
    "aws:glue/securityConfiguration:SecurityConfiguration",
    "aws:glue/trigger:Trigger",
    "aws:glue/workflow:Workflow",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:lambda/functionUrl:FunctionUrl",
    "aws:lambda/permission:Permission",
    "aws:lb/listener:Listener",
    "aws:lb/targetGroup:TargetGroup",
    "aws:cloudwatch/logStream:LogStream",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:appautoscaling/policy:Policy",
    "aws:appautoscaling/target:Target",
]) {
    RULES[type] ??= free("no charge");
}

/** Training compute: the instance type the accelerator catalog resolved, per hour while a job runs. */
function training(outputs: unknown): { compute?: string; spot?: boolean } {
    const t = (outputs as { mlPlatform?: { training?: { compute?: string; spot?: boolean } } } | undefined)?.mlPlatform?.training;
    return { compute: t?.compute, spot: t?.spot };
}

export const AWS_PRICING: CloudPricing = {
    cloud: "aws",
    defaultRegion: "us-east-1",
    tables: { "us-east-1": AWS_US_EAST_1 },
    rules: RULES,
    fromOutputs: (outputs, ctx) => {
        const t = training(outputs);
        if (!t.compute) return [];
        const spot = t.spot ? " (on-demand rate; managed spot saves up to 90%)" : "";
        return [
            {
                resource: "training jobs",
                kind: "sagemaker/trainingJob",
                charges: [rate(`per training hour on ${t.compute}${spot}`, `sagemaker:${t.compute}`, ctx)],
            },
        ];
    },
};
