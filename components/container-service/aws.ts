/**
 * The container service on AWS, two implementations of one contract:
 *
 * - `EcsFargateService`: per model a Fargate service in private subnets (no public IP, CKV_AWS_333) behind
 *   an internal Application Load Balancer whose health checks gate traffic (HTTPS on 443 with TLS 1.2+, port
 *   80 redirecting to it, access logs to S3), CPU target-tracking autoscaling,
 *   separate task and execution roles (CKV_AWS_249), an encrypted log group with retention, on a cluster
 *   with Container Insights (CKV_AWS_65).
 * - `AppRunnerService`: per model an App Runner service (KMS-encrypted, X-Ray traced, health-checked,
 *   autoscaled on concurrency), reachable only from the VPC unless asked otherwise.
 *
 * Both alarm on their 5XX rate, on requests rejected before the model answered (ALB 5XX; App Runner 4XX,
 * which include its 429s) and on latency. Neither takes an accelerator (the catalog has no rows for
 * them); asking for one names the implementations that do.
 */
import * as pulumi from "@pulumi/pulumi";
import * as appautoscaling from "@pulumi/aws/appautoscaling";
import * as apprunner from "@pulumi/aws/apprunner";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as ecs from "@pulumi/aws/ecs";
import * as iam from "@pulumi/aws/iam";
import * as lb from "@pulumi/aws/lb";
import * as vpc from "@pulumi/aws/vpc";
import { ContainerService } from "./contract";
import { containerDefinitions, executionRoleStatements, MODEL_CONTAINER, taskVolumes } from "./aws-ecs";
import { modelStoreEnv, modelStoreEnvOutput, modelStoreStatements, modelStoreUse } from "./aws-model-store";
import { appRunnerStartCommand, fargateImage, imageSource } from "./aws-images";
import { EXPIRY_ALARM_DAYS, issuedCertificate, servingCa, ServingCa } from "./aws-tls";
import {
    AppRunnerServiceArgs,
    appRunnerSizes,
    EcsFargateServiceArgs,
    fargateSizes,
    validateAppRunnerService,
    validateEcsFargateService,
} from "./aws-args";
import { appRunnerName, loadBalancerName, logGroupName, targetGroupName } from "../naming/aws";
import { awsAccount, policyJson, serviceRole, serviceTrustPolicy } from "../identity/aws";
import { albAlarms, appRunnerAlarms, createAlarms } from "../observability/aws";
import { ECR_PULL_ACTIONS } from "../registry/aws";
import { ModelServingSpec } from "../shared/model";
import { throwIfProblems } from "../shared/problems";

export * from "./aws-args";

/** TLS policy of HTTPS listeners: TLS 1.3 and 1.2 only (ELB "Security policies for your ALB"). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The container service on ECS Fargate: per model a service in private subnets behind an internal HTTPS load balancer, with autoscaling and encrypted logs. */
export class EcsFargateService extends pulumi.ComponentResource implements ContainerService {
    /** `https://<internal-alb>` per model (`http://` with plainHttp). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** PEM of the private CA that signed the listeners' certificates; "" when a certificate ARN is given or with plainHttp. */
    public readonly caCertificatePem: pulumi.Output<string>;

    constructor(name: string, args: EcsFargateServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`EcsFargateService "${name}"`, validateEcsFargateService(args, name));
        const sizes = fargateSizes(args);
        super("mlops:index:EcsFargateService", name, args, opts);

        const tags = { ...args.tags };
        const protect = args.protectData ?? true;
        const account = awsAccount(this);
        const cluster = new ecs.Cluster(
            `${name}-cluster`,
            { name: `${args.namePrefix}-models`, settings: [{ name: "containerInsights", value: "enabled" }], tags },
            { parent: this },
        );
        const ca = !args.plainHttp && args.listenerCertificateArn === undefined ? servingCa(this, name, args.namePrefix) : undefined;
        const urls = args.models.map((m, i) => this.serveModel(name, m, sizes[i], args, { cluster, account, tags, protect, ca }));
        this.endpoints = pulumi.all(urls).apply((u) => Object.fromEntries(args.models.map((m, i) => [m.name, u[i]])));
        this.caCertificatePem = ca ? ca.certPem : pulumi.output("");
        this.registerOutputs({ endpoints: this.endpoints, caCertificatePem: this.caCertificatePem });
    }

    private serveModel(
        name: string,
        m: ModelServingSpec,
        size: { cpu: number; memory: number },
        args: EcsFargateServiceArgs,
        c: { cluster: ecs.Cluster; account: ReturnType<typeof awsAccount>; tags: Record<string, string>; protect: boolean; ca?: ServingCa },
    ): pulumi.Output<string> {
        const prefix = `${name}-${m.name}`;
        const { tags, account } = c;
        // Named after the model, not the task definition or service, so redeploying keeps it; with
        // protectData (prod) it is protected and kept when the model leaves the service, expiring by retention.
        const logGroup = new cloudwatch.LogGroup(
            `${prefix}-logs`,
            {
                name: logGroupName(args.namePrefix, "ecs", m.name),
                retentionInDays: args.logRetentionDays ?? 365,
                kmsKeyId: args.kmsKeyArn,
                skipDestroy: c.protect,
                tags,
            },
            { parent: this, protect: c.protect, retainOnDelete: c.protect },
        );
        const ecsTrust = {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${account.partition}:ecs:${account.region}:${account.accountId}:*` },
        };
        const execution = serviceRole(this, `${prefix}-execution`, {
            service: "ecs-tasks.amazonaws.com",
            description: `ECS pulls ${m.name}'s image and writes its logs`,
            trustConditions: ecsTrust,
            policy: policyJson(
                executionRoleStatements({
                    pullRepositoryArns: args.pullRepositoryArns,
                    cacheRepositoryArn: args.cachePrefix
                        ? pulumi.interpolate`arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/${args.cachePrefix}/*`
                        : undefined,
                    logGroupArn: logGroup.arn,
                }),
            ),
            tags,
        });
        // The application's own identity: separate from the execution role, granted nothing but the model
        // store's prefixes when the model loads a served version or captures its inputs.
        const use = modelStoreUse(m.name, args.modelStore);
        const taskRole = new iam.Role(
            `${prefix}-task`,
            {
                description: use
                    ? `Identity of ${m.name}'s containers (its prefix in the models zone only)`
                    : `Identity of ${m.name}'s containers (no permissions)`,
                assumeRolePolicy: policyJson(serviceTrustPolicy("ecs-tasks.amazonaws.com", ecsTrust)),
                tags,
            },
            { parent: this },
        );
        const taskPolicy =
            use && args.modelStore
                ? new iam.RolePolicy(
                      `${prefix}-task-policy`,
                      {
                          role: taskRole.id,
                          policy: policyJson(
                              modelStoreStatements({
                                  model: m.name,
                                  use,
                                  bucket: args.modelStore.bucket,
                                  ...account,
                                  kmsKeyArn: args.kmsKeyArn,
                              }),
                          ),
                      },
                      { parent: this },
                  )
                : undefined;
        const storeBucket = pulumi.output(args.modelStore?.bucket ?? "");
        const image = pulumi.output(args.registryHost).apply((host) => fargateImage(m.image, host, args.cachePrefix));
        const task = new ecs.TaskDefinition(
            `${prefix}-task-definition`,
            {
                family: `${args.namePrefix}-${m.name}`,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(size.cpu),
                memory: String(size.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                executionRoleArn: execution.role.arn,
                taskRoleArn: taskRole.arn,
                volumes: taskVolumes(m),
                containerDefinitions: pulumi
                    .all([image, logGroup.name, account.region, storeBucket])
                    .apply(([img, group, region, bucket]) =>
                        JSON.stringify(
                            containerDefinitions({
                                model: m,
                                image: img,
                                logGroupName: group,
                                region,
                                extraEnv: modelStoreEnv(m.name, use, bucket),
                            }),
                        ),
                    ),
                tags,
            },
            { parent: this },
        );

        const https = !args.plainHttp;
        const listenerPort = https ? 443 : 80;
        const albSg = new ec2.SecurityGroup(
            `${prefix}-alb-sg`,
            { vpcId: args.vpcId, description: `Load balancer of ${m.name}: clients in, model port out`, tags },
            { parent: this },
        );
        const taskSg = new ec2.SecurityGroup(
            `${prefix}-task-sg`,
            { vpcId: args.vpcId, description: `Tasks of ${m.name}: load balancer in, HTTPS out (ECR, logs)`, tags },
            { parent: this },
        );
        const rule = { parent: this };
        const clients = args.allowedCidrs ?? [args.vpcCidrBlock];
        clients.forEach((cidr, i) => {
            new vpc.SecurityGroupIngressRule(
                `${prefix}-alb-in-${i}`,
                {
                    securityGroupId: albSg.id,
                    ipProtocol: "tcp",
                    fromPort: listenerPort,
                    toPort: listenerPort,
                    cidrIpv4: cidr,
                    description: "Model clients",
                },
                rule,
            );
            if (https)
                new vpc.SecurityGroupIngressRule(
                    `${prefix}-alb-redirect-in-${i}`,
                    {
                        securityGroupId: albSg.id,
                        ipProtocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                        cidrIpv4: cidr,
                        description: "Model clients, redirected to HTTPS",
                    },
                    rule,
                );
        });
        new vpc.SecurityGroupEgressRule(
            `${prefix}-alb-out`,
            {
                securityGroupId: albSg.id,
                ipProtocol: "tcp",
                fromPort: m.port,
                toPort: m.port,
                referencedSecurityGroupId: taskSg.id,
                description: "To the model tasks",
            },
            rule,
        );
        new vpc.SecurityGroupIngressRule(
            `${prefix}-task-in`,
            {
                securityGroupId: taskSg.id,
                ipProtocol: "tcp",
                fromPort: m.port,
                toPort: m.port,
                referencedSecurityGroupId: albSg.id,
                description: "From the load balancer",
            },
            rule,
        );
        new vpc.SecurityGroupEgressRule(
            `${prefix}-task-out`,
            {
                securityGroupId: taskSg.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
                description: "Image pulls and logs (ECR, S3, CloudWatch)",
            },
            rule,
        );

        const alb = new lb.LoadBalancer(
            `${prefix}-alb`,
            {
                name: loadBalancerName([args.namePrefix, m.name]),
                internal: true,
                loadBalancerType: "application",
                subnets: args.subnetIds,
                securityGroups: [albSg.id],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: c.protect,
                // ELB delivers only into SSE-S3 buckets: the lake's access-log bucket, whose policy lets it write.
                ...(args.accessLogBucketName !== undefined
                    ? { accessLogs: { enabled: true, bucket: args.accessLogBucketName, prefix: args.accessLogPrefix ?? "alb" } }
                    : {}),
                tags,
            },
            { parent: this },
        );
        const targets = new lb.TargetGroup(
            `${prefix}-tg`,
            {
                // The port is in the name: changing it replaces the group without a name clash.
                name: targetGroupName(args.namePrefix, m.name, m.port),
                port: m.port,
                protocol: "HTTP",
                targetType: "ip",
                vpcId: args.vpcId,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true,
                    path: m.healthPath,
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
                tags,
            },
            { parent: this },
        );
        const issued =
            https && c.ca ? issuedCertificate(this, prefix, { ca: c.ca, commonName: m.name, dnsName: alb.dnsName, tags }) : undefined;
        const listener = new lb.Listener(
            `${prefix}-listener`,
            {
                loadBalancerArn: alb.arn,
                port: listenerPort,
                protocol: https ? "HTTPS" : "HTTP",
                ...(https ? { certificateArn: issued ? issued.arn : args.listenerCertificateArn, sslPolicy: TLS_POLICY } : {}),
                defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
                tags,
            },
            { parent: this },
        );
        if (https) {
            // After the main listener: on an existing stack it moves from port 80 to 443 first.
            new lb.Listener(
                `${prefix}-http-redirect`,
                {
                    loadBalancerArn: alb.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                    tags,
                },
                { parent: this, dependsOn: [listener] },
            );
        }
        if (issued) {
            // Imported certificates do not renew by themselves: this fires when `pulumi up` missed the renewal window.
            new cloudwatch.MetricAlarm(
                `${prefix}-certificate-expiry-alarm`,
                {
                    alarmDescription: `The load balancer's stack-issued certificate expires within ${EXPIRY_ALARM_DAYS} days: run \`pulumi up\` to renew it`,
                    namespace: "AWS/CertificateManager",
                    metricName: "DaysToExpiry",
                    dimensions: { CertificateArn: issued.arn },
                    statistic: "Minimum",
                    period: 86400,
                    evaluationPeriods: 1,
                    comparisonOperator: "LessThanThreshold",
                    threshold: EXPIRY_ALARM_DAYS,
                    treatMissingData: "missing",
                    alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
                    tags,
                },
                { parent: this },
            );
        }
        const service = new ecs.Service(
            `${prefix}-service`,
            {
                cluster: c.cluster.arn,
                taskDefinition: task.arn,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                desiredCount: m.minReplicas,
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [taskSg.id], assignPublicIp: false },
                loadBalancers: [{ targetGroupArn: targets.arn, containerName: MODEL_CONTAINER, containerPort: m.port }],
                healthCheckGracePeriodSeconds: 60,
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                tags,
            },
            // Autoscaling owns the task count once the service exists.
            { parent: this, dependsOn: [listener, execution.policy, ...(taskPolicy ? [taskPolicy] : [])], ignoreChanges: ["desiredCount"] },
        );
        const scaling = new appautoscaling.Target(
            `${prefix}-scaling`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${c.cluster.name}/${service.name}`,
                minCapacity: m.minReplicas,
                maxCapacity: m.maxReplicas,
            },
            { parent: this },
        );
        new appautoscaling.Policy(
            `${prefix}-cpu-scaling`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: scaling.serviceNamespace,
                scalableDimension: scaling.scalableDimension,
                resourceId: scaling.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
                    targetValue: args.cpuTargetPercent ?? 70,
                    scaleInCooldown: 300,
                    scaleOutCooldown: 60,
                },
            },
            { parent: this },
        );
        createAlarms(this, prefix, albAlarms(alb.arnSuffix, targets.arnSuffix, args.latencyThresholdMs ?? 1000, args.errorRatePercent), {
            topicArn: args.alarmTopicArn,
            tags,
        });
        return pulumi.interpolate`${https ? "https" : "http"}://${alb.dnsName}`;
    }
}

/** The container service on App Runner: one service per model. */
export class AppRunnerService extends pulumi.ComponentResource implements ContainerService {
    /** `https://<domain>` per model (the VPC ingress domain when private). */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppRunnerServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AppRunnerService "${name}"`, validateAppRunnerService(args, name));
        const sizes = appRunnerSizes(args);
        super("mlops:index:AppRunnerService", name, args, opts);

        const tags = { ...args.tags };
        const account = args.models.some((m) => modelStoreUse(m.name, args.modelStore)) ? awsAccount(this) : undefined;
        const observability = new apprunner.ObservabilityConfiguration(
            `${name}-tracing`,
            {
                observabilityConfigurationName: appRunnerName([args.namePrefix, "tracing"], 32),
                traceConfiguration: { vendor: "AWSXRAY" },
                tags,
            },
            { parent: this },
        );
        const urls = args.models.map((m, i) => {
            const prefix = `${name}-${m.name}`;
            const privateImage = imageSource(m.image) === "ecr";
            const access = privateImage
                ? serviceRole(this, `${prefix}-access`, {
                      service: "build.apprunner.amazonaws.com",
                      description: `App Runner pulls ${m.name}'s image from ECR`,
                      policy: policyJson([
                          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                          {
                              Effect: "Allow",
                              Action: [...ECR_PULL_ACTIONS, "ecr:DescribeImages"],
                              Resource: pulumi.output(args.pullRepositoryArns ?? []),
                          },
                      ]),
                      tags,
                  })
                : undefined;
            const scaling = new apprunner.AutoScalingConfigurationVersion(
                `${prefix}-scaling`,
                {
                    autoScalingConfigurationName: appRunnerName([args.namePrefix, m.name], 32),
                    minSize: Math.max(1, m.minReplicas),
                    maxSize: m.maxReplicas,
                    maxConcurrency: m.concurrency,
                    tags,
                },
                { parent: this },
            );
            // The instance role (what the running code calls AWS as) exists only for a model that uses the store.
            const use = modelStoreUse(m.name, args.modelStore);
            const instance =
                use && args.modelStore && account
                    ? serviceRole(this, `${prefix}-instance`, {
                          service: "tasks.apprunner.amazonaws.com",
                          description: `Identity of ${m.name}'s instances (its prefix in the models zone only)`,
                          policy: policyJson(
                              modelStoreStatements({
                                  model: m.name,
                                  use,
                                  bucket: args.modelStore.bucket,
                                  ...account,
                                  kmsKeyArn: args.kmsKeyArn,
                              }),
                          ),
                          tags,
                      })
                    : undefined;
            const startCommand = appRunnerStartCommand(m.command, m.args);
            const service = new apprunner.Service(
                `${prefix}-service`,
                {
                    serviceName: appRunnerName([args.namePrefix, m.name], 40),
                    sourceConfiguration: {
                        autoDeploymentsEnabled: false,
                        ...(access ? { authenticationConfiguration: { accessRoleArn: access.role.arn } } : {}),
                        imageRepository: {
                            imageIdentifier: m.image,
                            imageRepositoryType: privateImage ? "ECR" : "ECR_PUBLIC",
                            imageConfiguration: {
                                port: String(m.port),
                                runtimeEnvironmentVariables: use
                                    ? modelStoreEnvOutput(m.name, use, args.modelStore?.bucket ?? "").apply((env) => ({ ...m.env, ...env }))
                                    : { ...m.env },
                                ...(startCommand ? { startCommand } : {}),
                            },
                        },
                    },
                    instanceConfiguration: {
                        cpu: String(sizes[i].cpu),
                        memory: String(sizes[i].memory),
                        ...(instance ? { instanceRoleArn: instance.role.arn } : {}),
                    },
                    healthCheckConfiguration: {
                        protocol: "HTTP",
                        path: m.healthPath,
                        interval: 10,
                        timeout: 5,
                        healthyThreshold: 1,
                        unhealthyThreshold: 5,
                    },
                    encryptionConfiguration: { kmsKey: args.kmsKeyArn },
                    networkConfiguration: {
                        ingressConfiguration: { isPubliclyAccessible: args.publiclyAccessible ?? false },
                        egressConfiguration: { egressType: "DEFAULT" },
                    },
                    observabilityConfiguration: { observabilityEnabled: true, observabilityConfigurationArn: observability.arn },
                    autoScalingConfigurationArn: scaling.arn,
                    tags,
                },
                { parent: this, dependsOn: [...(access ? [access.policy] : []), ...(instance ? [instance.policy] : [])] },
            );
            createAlarms(
                this,
                prefix,
                appRunnerAlarms(service.serviceName, service.serviceId, args.latencyThresholdMs ?? 1000, args.errorRatePercent),
                { topicArn: args.alarmTopicArn, tags },
            );
            if (args.publiclyAccessible) return pulumi.interpolate`https://${service.serviceUrl}`;
            const ingress = new apprunner.VpcIngressConnection(
                `${prefix}-ingress`,
                {
                    name: appRunnerName([args.namePrefix, m.name], 40),
                    serviceArn: service.arn,
                    ingressVpcConfiguration: { vpcId: args.vpcId, vpcEndpointId: args.ingressEndpointId },
                    tags,
                },
                { parent: this },
            );
            return pulumi.interpolate`https://${ingress.domainName}`;
        });
        this.endpoints = pulumi.all(urls).apply((u) => Object.fromEntries(args.models.map((m, i) => [m.name, u[i]])));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
