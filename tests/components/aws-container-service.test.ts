import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { AppRunnerService, AppRunnerServiceArgs, EcsFargateService, EcsFargateServiceArgs } from "../../components/container-service/aws";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { capture, SECRET } from "../../stacks/plan/capture";
import { placeholderPem } from "../../stacks/plan/mocks/tls";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const iris: ModelServingSpec = {
    name: "iris",
    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
    port: 8080,
    command: ["python", "/app/serve.py"],
    files: { "serve.py": "print(1)", "model.json": "{}" },
    healthPath: "/healthz",
    cpuMillicores: 500,
    memoryMiB: 1024,
    minReplicas: 2,
    maxReplicas: 6,
    concurrency: 80,
};
const fargate: EcsFargateServiceArgs = {
    models: [iris],
    namePrefix: "mlops-test",
    vpcId: "vpc-1",
    vpcCidrBlock: "10.40.0.0/16",
    subnetIds: ["subnet-a", "subnet-b"],
    kmsKeyArn: KEY,
    registryHost: HOST,
    cachePrefix: "mlops-test-ecr-public",
    pullRepositoryArns: [
        `arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test/iris`,
        `arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test-ecr-public/*`,
    ],
    internetEgress: true,
    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
    protectData: true,
    accessLogBucketName: "mlops-test-access-logs-0a1b2c3d",
};

const CONFIG = { "aws:region": "eu-west-1" };

/** `n` characters of text gzip cannot shrink much (base64 of a SHA-256 chain), deterministic. */
function incompressible(n: number): string {
    let out = "";
    let block = Buffer.from("seed");
    while (out.length < n) {
        block = createHash("sha256").update(block).digest();
        out += block.toString("base64");
    }
    return out.slice(0, n);
}
async function build(create: () => { endpoints: unknown; caCertificatePem?: unknown }) {
    return capture({ project: "mlops", stack: "test", config: CONFIG }, () => {
        const c = create();
        return { endpoints: c.endpoints, ...(c.caCertificatePem ? { caCertificatePem: c.caCertificatePem } : {}) };
    });
}

async function rejected(create: () => void): Promise<string> {
    let error: unknown;
    const result = await capture({ project: "mlops", stack: "test", config: CONFIG }, () => {
        try {
            create();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.deepEqual(
        result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
    );
    return error.message;
}

/** The parts of a metric-math alarm that decide when it fires. */
function rateInputs(a: any) {
    return {
        metrics: a.metricQueries
            .filter((q: any) => q.metric)
            .map((q: any) => [
                q.id,
                q.metric.namespace,
                q.metric.metricName,
                q.metric.dimensions,
                q.metric.stat,
                q.metric.period,
                q.returnData,
            ]),
        expression: a.metricQueries.filter((q: any) => q.expression).map((q: any) => [q.id, q.expression, q.returnData])[0],
        condition: [a.comparisonOperator, a.threshold, a.evaluationPeriods, a.datapointsToAlarm, a.treatMissingData],
    };
}

describe("EcsFargateService", () => {
    let resources: CapturedResource[];
    let outputs: any;
    before(async () => ({ resources, outputs } = await build(() => new EcsFargateService("serving", fargate))));

    it("runs tasks on a Container Insights cluster, in private subnets, with no public IP, behind the load balancer", () => {
        assert.deepEqual(only(resources, "aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
        const svc = only(resources, "aws:ecs/service:Service").inputs;
        assert.deepEqual(svc.networkConfiguration, {
            subnets: ["subnet-a", "subnet-b"],
            securityGroups: ["serving-iris-task-sg-id"],
            assignPublicIp: false,
        });
        assert.deepEqual([svc.launchType, svc.platformVersion, svc.desiredCount], ["FARGATE", "LATEST", 2]);
        assert.deepEqual(svc.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.deepEqual(svc.loadBalancers, [
            { targetGroupArn: svc.loadBalancers[0].targetGroupArn, containerName: "model", containerPort: 8080 },
        ]);
    });

    it("keeps the task and execution roles apart; the task role has no permissions", () => {
        const task = only(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs;
        assert.match(task.executionRoleArn, /role\/serving-iris-execution-/);
        assert.match(task.taskRoleArn, /role\/serving-iris-task-/);
        assert.notEqual(task.executionRoleArn, task.taskRoleArn);
        assert.deepEqual(
            ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((p) => p.name),
            ["serving-iris-execution-policy"],
        );
        assert.deepEqual([task.cpu, task.memory, task.networkMode, task.requiresCompatibilities], ["512", "1024", "awsvpc", ["FARGATE"]]);
        const trust = JSON.parse(only(resources, "aws:iam/role:Role", "serving-iris-task").inputs.assumeRolePolicy).Statement[0];
        assert.deepEqual(trust.Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
        });
    });

    it("pulls the public image through the account's pull-through cache, and the execution role may fill the cache", () => {
        const [, model] = JSON.parse(only(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
        assert.equal(model.image, `${HOST}/mlops-test-ecr-public/docker/library/python:3.12.12-slim-bookworm`);
        assert.equal(model.readonlyRootFilesystem, true);
        assert.equal(model.user, "10001:10001");
        const statements = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement;
        const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
        assert.deepEqual(bySid.PullModelImages.Resource, fargate.pullRepositoryArns);
        assert.deepEqual(bySid.FillPullThroughCache, {
            Sid: "FillPullThroughCache",
            Effect: "Allow",
            Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            Resource: "arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test-ecr-public/*",
        });
        assert.match(bySid.WriteLogs.Resource, /^arn:aws:logs:eu-west-1:123456789012:log-group:\/mlops-test\/ecs\/iris:\*$/);
    });

    it("health-checks the model's path on an internal load balancer that drops invalid headers, open to the VPC only", () => {
        const alb = only(resources, "aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.deepEqual(
            [alb.internal, alb.dropInvalidHeaderFields, alb.enableDeletionProtection, alb.name],
            [true, true, true, "mlops-test-iris"],
        );
        const tg = only(resources, "aws:lb/targetGroup:TargetGroup").inputs;
        assert.deepEqual(tg.healthCheck, {
            enabled: true,
            path: "/healthz",
            matcher: "200",
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        });
        assert.deepEqual([tg.port, tg.protocol, tg.targetType], [8080, "HTTP", "ip"]);
        const ingress = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [
            r.name,
            r.inputs.fromPort,
            r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId,
        ]);
        // 443 for HTTPS, 80 only to be redirected to it.
        assert.deepEqual(
            ingress.sort(),
            [
                ["serving-iris-alb-in-0", 443, "10.40.0.0/16"],
                ["serving-iris-alb-redirect-in-0", 80, "10.40.0.0/16"],
                ["serving-iris-task-in", 8080, "serving-iris-alb-sg-id"],
            ].sort(),
        );
        assert.match(outputs.endpoints.iris, /^https:\/\/internal-mlops-test-iris-[0-9a-f]+\.eu-west-1\.elb\.amazonaws\.com$/);
    });

    it("scales between minReplicas and maxReplicas on CPU, and logs to an encrypted group kept a year", () => {
        const target = only(resources, "aws:appautoscaling/target:Target").inputs;
        assert.deepEqual([target.minCapacity, target.maxCapacity, target.scalableDimension], [2, 6, "ecs:service:DesiredCount"]);
        assert.match(target.resourceId, /^service\/mlops-test-models\/serving-iris-service-[0-9a-f]{7}$/);
        const policy = only(resources, "aws:appautoscaling/policy:Policy").inputs.targetTrackingScalingPolicyConfiguration;
        assert.deepEqual(
            [policy.predefinedMetricSpecification.predefinedMetricType, policy.targetValue],
            ["ECSServiceAverageCPUUtilization", 70],
        );
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual([logs.inputs.name, logs.inputs.retentionInDays, logs.inputs.kmsKeyId], ["/mlops-test/ecs/iris", 365, KEY]);
    });

    it("keeps the log group with protectData (protected, retained, skipDestroy), and lets dev delete it", async () => {
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual([logs.inputs.skipDestroy, logs.options.protect, logs.options.retainOnDelete], [true, true, true]);
        const dev = only(
            (await build(() => new EcsFargateService("serving", { ...fargate, protectData: false }))).resources,
            "aws:cloudwatch/logGroup:LogGroup",
        );
        assert.deepEqual([dev.inputs.skipDestroy, dev.options.protect, dev.options.retainOnDelete], [false, false, false]);
    });

    it("alarms on the target 5XX rate, the load balancer's own 5XX rate and p99 latency, notifying the topic", () => {
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "serving-iris-certificate-expiry-alarm",
            "serving-iris-errors-alarm",
            "serving-iris-latency-alarm",
            "serving-iris-rejected-alarm",
        ]);
        const byName = (n: string) => alarms.find((a) => a.name === `serving-iris-${n}-alarm`)!.inputs;
        const errors = byName("errors");
        const target = errors.metricQueries[0].metric.dimensions;
        assert.deepEqual(Object.keys(target).sort(), ["LoadBalancer", "TargetGroup"]);
        const lb = { LoadBalancer: target.LoadBalancer };
        const expression = ["rate", "100 * errors / MAX([errors, requests])", true];
        const condition = ["GreaterThanOrEqualToThreshold", 5, 3, 2, "notBreaching"];
        assert.deepEqual(rateInputs(errors), {
            metrics: [
                ["errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", target, "Sum", 300, false],
                ["requests", "AWS/ApplicationELB", "RequestCount", target, "Sum", 300, false],
            ],
            expression,
            condition,
        });
        assert.deepEqual(rateInputs(byName("rejected")), {
            metrics: [
                ["errors", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum", 300, false],
                ["requests", "AWS/ApplicationELB", "RequestCount", lb, "Sum", 300, false],
            ],
            expression,
            condition,
        });
        const latency = byName("latency");
        assert.deepEqual(
            [
                latency.metricName,
                latency.extendedStatistic,
                latency.threshold,
                latency.period,
                latency.evaluationPeriods,
                latency.datapointsToAlarm,
                latency.dimensions,
            ],
            ["TargetResponseTime", "p99", 1, 300, 3, 3, target],
        );
        for (const a of alarms.filter((x) => x.name !== "serving-iris-certificate-expiry-alarm"))
            assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions], [[fargate.alarmTopicArn], [fargate.alarmTopicArn]]);
    });

    it("serves HTTPS on 443 with a TLS 1.2+ policy and redirects port 80 to it with a 301", () => {
        const listeners = Object.fromEntries(ofType(resources, "aws:lb/listener:Listener").map((l) => [l.name, l]));
        const https = listeners["serving-iris-listener"].inputs;
        assert.deepEqual(
            [https.port, https.protocol, https.sslPolicy, https.defaultActions[0].type],
            [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", "forward"],
        );
        const redirect = listeners["serving-iris-http-redirect"];
        assert.deepEqual(
            [redirect.inputs.port, redirect.inputs.protocol, redirect.inputs.defaultActions],
            [80, "HTTP", [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]],
        );
        // An existing stack's listener moves from 80 to 443 before the redirect takes port 80.
        assert.ok(redirect.dependencies.includes(listeners["serving-iris-listener"].urn));
    });

    it("issues the listener's certificate from its own CA for the load balancer's DNS name, imported into ACM", () => {
        const ca = only(resources, "tls:index/selfSignedCert:SelfSignedCert").inputs;
        assert.deepEqual(
            [ca.isCaCertificate, ca.validityPeriodHours, ca.earlyRenewalHours, ca.allowedUses],
            [true, 43800, 2160, ["cert_signing", "crl_signing"]],
        );
        for (const key of ofType(resources, "tls:index/privateKey:PrivateKey"))
            assert.deepEqual([key.inputs.algorithm, key.inputs.rsaBits], ["RSA", 2048], key.name);
        const request = only(resources, "tls:index/certRequest:CertRequest").inputs;
        assert.match(request.dnsNames[0], /^internal-mlops-test-iris-[0-9a-f]+\.eu-west-1\.elb\.amazonaws\.com$/);
        assert.equal(request.subject.commonName, "iris");
        const server = only(resources, "tls:index/locallySignedCert:LocallySignedCert").inputs;
        assert.deepEqual(
            [server.validityPeriodHours, server.earlyRenewalHours, server.allowedUses],
            [8760, 720, ["digital_signature", "key_encipherment", "server_auth"]],
        );
        const imported = only(resources, "aws:acm/certificate:Certificate").inputs;
        assert.equal(imported.privateKey, SECRET, "the key stays a secret");
        assert.equal(imported.certificateBody, placeholderPem("CERTIFICATE", "serving-iris-tls-cert"));
        assert.equal(imported.certificateChain, placeholderPem("CERTIFICATE", "serving-ca"));
        assert.equal(outputs.caCertificatePem, placeholderPem("CERTIFICATE", "serving-ca"), "clients trust the CA from the output");
        const listener = only(resources, "aws:lb/listener:Listener", "serving-iris-listener").inputs;
        assert.match(listener.certificateArn, /^arn:aws:acm:eu-west-1:123456789012:certificate\/serving-iris-certificate-[0-9a-f]{7}$/);
        const expiry = only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "serving-iris-certificate-expiry-alarm").inputs;
        assert.deepEqual(
            [
                expiry.namespace,
                expiry.metricName,
                expiry.statistic,
                expiry.comparisonOperator,
                expiry.threshold,
                expiry.period,
                expiry.alarmActions,
            ],
            ["AWS/CertificateManager", "DaysToExpiry", "Minimum", "LessThanThreshold", 21, 86400, [fargate.alarmTopicArn]],
        );
    });

    it("sends access logs to the given bucket under alb/", () => {
        const alb = only(resources, "aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.deepEqual(alb.accessLogs, { enabled: true, bucket: "mlops-test-access-logs-0a1b2c3d", prefix: "alb" });
    });

    it("serves plain HTTP on 80 without a certificate, CA or redirect only with plainHttp", async () => {
        const { resources: plain, outputs: o } = await build(() => new EcsFargateService("serving", { ...fargate, plainHttp: true }));
        const listener = only(plain, "aws:lb/listener:Listener").inputs;
        assert.deepEqual(
            [listener.port, listener.protocol, listener.certificateArn, listener.sslPolicy],
            [80, "HTTP", undefined, undefined],
        );
        assert.deepEqual(
            plain.filter((r) => r.type.startsWith("tls:") || r.type === "aws:acm/certificate:Certificate").map((r) => r.name),
            [],
        );
        assert.match((o as any).endpoints.iris, /^http:\/\//);
    });

    it("fails when errorRatePercent is not a percentage above 0", async () => {
        const message = await rejected(() => new EcsFargateService("serving", { ...fargate, errorRatePercent: -5 }));
        assert.match(message, /errorRatePercent: must be a percentage above 0 and at most 100 \(got -5\)/);
    });

    it("serves over HTTPS with a TLS 1.2+ policy when given a certificate", async () => {
        const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
        const { resources: tls, outputs: o } = await build(
            () => new EcsFargateService("serving", { ...fargate, listenerCertificateArn: cert }),
        );
        const listener = only(tls, "aws:lb/listener:Listener", "serving-iris-listener").inputs;
        assert.deepEqual(
            [listener.port, listener.protocol, listener.certificateArn, listener.sslPolicy],
            [443, "HTTPS", cert, "ELBSecurityPolicy-TLS13-1-2-2021-06"],
        );
        assert.match((o as any).endpoints.iris, /^https:\/\//);
        // The user's certificate replaces the stack's CA entirely.
        assert.deepEqual(
            tls.filter((r) => r.type.startsWith("tls:") || r.type === "aws:acm/certificate:Certificate").map((r) => r.name),
            [],
        );
    });

    it("fails when asked for an accelerator, naming the implementations that take one", async () => {
        const message = await rejected(
            () => new EcsFargateService("serving", { ...fargate, models: [{ ...iris, accelerator: { type: "nvidia-t4", count: 1 } }] }),
        );
        assert.match(
            message,
            /models\[0\]\.accelerator: aws\/ecs-fargate nvidia-t4: ecs-fargate runs on CPU only and takes no accelerator\. In this project an accelerator needs serverlessInference "sagemaker-endpoint", or mlPlatform "sagemaker"/,
        );
    });

    it("fails when an image outside the account's ECR has no NAT to come through", async () => {
        const message = await rejected(
            () =>
                new EcsFargateService("serving", {
                    ...fargate,
                    internetEgress: false,
                    models: [iris, { ...iris, name: "hub", image: "python:3.12" }],
                }),
        );
        assert.match(message, /models\[0\]\.image: is outside the account's ECR/);
        assert.match(message, /models\[1\]\.image: is outside the account's ECR/);
        assert.match(message, /turn a NAT gateway on/);
    });

    it("fails on sizes Fargate lacks, oversized files, unpinned images, no replicas and bad settings", async () => {
        const message = await rejected(
            () =>
                new EcsFargateService("serving", {
                    ...fargate,
                    namePrefix: "UP",
                    logRetentionDays: 100,
                    cpuTargetPercent: 99,
                    listenerCertificateArn: "not-an-arn",
                    plainHttp: true,
                    accessLogPrefix: "/alb/AWSLogs",
                    models: [
                        {
                            ...iris,
                            cpuMillicores: 64000,
                            files: { "big.txt": incompressible(60000) },
                            image: "python:latest",
                            minReplicas: 0,
                        },
                    ],
                }),
        );
        for (const p of [
            /namePrefix/,
            /logRetentionDays: is not a retention/,
            /cpuTargetPercent/,
            /listenerCertificateArn: is not an ACM certificate ARN/,
            /plainHttp: turns TLS off, yet listenerCertificateArn is set/,
            /accessLogPrefix: is not a key prefix ELB accepts/,
            /models\[0\]: is larger than any Fargate task/,
            /models\[0\]\.files: is more than the 49152 bytes/,
            /models\[0\]\.image: is not pinned/,
            /models\[0\]\.minReplicas: must be a whole number of at least 1 on ecs-fargate/,
        ]) {
            assert.match(message, p);
        }
    });
});

describe("AppRunnerService", () => {
    const model: ModelServingSpec = {
        ...iris,
        files: undefined,
        command: ["python", "-m", "http.server", "8080"],
        minReplicas: 1,
        maxReplicas: 3,
    };
    const args: AppRunnerServiceArgs = {
        models: [model],
        namePrefix: "mlops-test",
        kmsKeyArn: KEY,
        vpcId: "vpc-1",
        ingressEndpointId: "vpce-1",
        alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
    };

    it("runs the ECR Public image directly, encrypted, traced, health-checked, autoscaled, reachable from the VPC only", async () => {
        const { resources, outputs } = await build(() => new AppRunnerService("serving", args));
        const svc = only(resources, "aws:apprunner/service:Service").inputs;
        assert.deepEqual(svc.sourceConfiguration.imageRepository, {
            imageIdentifier: model.image,
            imageRepositoryType: "ECR_PUBLIC",
            imageConfiguration: { port: "8080", runtimeEnvironmentVariables: {}, startCommand: "python -m http.server 8080" },
        });
        assert.equal(svc.sourceConfiguration.authenticationConfiguration, undefined);
        assert.deepEqual(svc.instanceConfiguration, { cpu: "512", memory: "1024" });
        assert.deepEqual(svc.encryptionConfiguration, { kmsKey: KEY });
        assert.deepEqual(svc.networkConfiguration.ingressConfiguration, { isPubliclyAccessible: false });
        assert.deepEqual(svc.healthCheckConfiguration, {
            protocol: "HTTP",
            path: "/healthz",
            interval: 10,
            timeout: 5,
            healthyThreshold: 1,
            unhealthyThreshold: 5,
        });
        assert.equal(svc.observabilityConfiguration.observabilityEnabled, true);
        assert.deepEqual(only(resources, "aws:apprunner/observabilityConfiguration:ObservabilityConfiguration").inputs.traceConfiguration, {
            vendor: "AWSXRAY",
        });
        const scaling = only(resources, "aws:apprunner/autoScalingConfigurationVersion:AutoScalingConfigurationVersion").inputs;
        assert.deepEqual([scaling.minSize, scaling.maxSize, scaling.maxConcurrency], [1, 3, 80]);
        const ingress = only(resources, "aws:apprunner/vpcIngressConnection:VpcIngressConnection").inputs;
        assert.deepEqual(ingress.ingressVpcConfiguration, { vpcId: "vpc-1", vpcEndpointId: "vpce-1" });
        assert.match((outputs as any).endpoints.iris, /^https:\/\/[0-9a-f]+\.eu-west-1\.awsapprunner\.com$/);
        assert.equal(ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 3);
    });

    it("alarms on 5XX and 4XX rates of the service (4XX includes its 429s) and p99 latency, with errorRatePercent as threshold", async () => {
        const { resources } = await build(() => new AppRunnerService("serving", { ...args, errorRatePercent: 10 }));
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => a.name).sort(), [
            "serving-iris-errors-alarm",
            "serving-iris-latency-alarm",
            "serving-iris-rejected-alarm",
        ]);
        const byName = (n: string) => alarms.find((a) => a.name === `serving-iris-${n}-alarm`)!.inputs;
        const dimensions = byName("errors").metricQueries[0].metric.dimensions;
        assert.deepEqual(Object.keys(dimensions).sort(), ["ServiceID", "ServiceName"]);
        const requests = ["requests", "AWS/AppRunner", "Requests", dimensions, "Sum", 300, false];
        const expression = ["rate", "100 * errors / MAX([errors, requests])", true];
        const condition = ["GreaterThanOrEqualToThreshold", 10, 3, 2, "notBreaching"];
        assert.deepEqual(rateInputs(byName("errors")), {
            metrics: [["errors", "AWS/AppRunner", "5xxStatusResponses", dimensions, "Sum", 300, false], requests],
            expression,
            condition,
        });
        assert.deepEqual(rateInputs(byName("rejected")), {
            metrics: [["errors", "AWS/AppRunner", "4xxStatusResponses", dimensions, "Sum", 300, false], requests],
            expression,
            condition,
        });
        assert.deepEqual(
            [byName("latency").metricName, byName("latency").extendedStatistic, byName("latency").threshold],
            ["RequestLatency", "p99", 1000],
        );
    });

    it("fails when errorRatePercent is above 100", async () => {
        const message = await rejected(() => new AppRunnerService("serving", { ...args, errorRatePercent: 150 }));
        assert.match(message, /errorRatePercent: must be a percentage above 0 and at most 100 \(got 150\)/);
    });

    it("pulls the account's ECR images with an access role limited to its repositories", async () => {
        const image = `${HOST}/mlops-test/iris:1.0`;
        const { resources } = await build(
            () =>
                new AppRunnerService("serving", {
                    ...args,
                    pullRepositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test/iris"],
                    models: [{ ...model, image }],
                }),
        );
        const svc = only(resources, "aws:apprunner/service:Service").inputs;
        assert.equal(svc.sourceConfiguration.imageRepository.imageRepositoryType, "ECR");
        assert.match(svc.sourceConfiguration.authenticationConfiguration.accessRoleArn, /role\/serving-iris-access-/);
        const trust = JSON.parse(only(resources, "aws:iam/role:Role").inputs.assumeRolePolicy).Statement[0];
        assert.deepEqual(trust.Principal, { Service: "build.apprunner.amazonaws.com" });
        const pull = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy").inputs.policy).Statement[1];
        assert.deepEqual(pull.Resource, ["arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test/iris"]);
    });

    it("serves on the public URL only when asked", async () => {
        const { resources, outputs } = await build(
            () => new AppRunnerService("serving", { ...args, publiclyAccessible: true, vpcId: undefined, ingressEndpointId: undefined }),
        );
        assert.equal(ofType(resources, "aws:apprunner/vpcIngressConnection:VpcIngressConnection").length, 0);
        assert.equal(
            only(resources, "aws:apprunner/service:Service").inputs.networkConfiguration.ingressConfiguration.isPubliclyAccessible,
            true,
        );
        assert.match((outputs as any).endpoints.iris, /awsapprunner\.com$/);
    });

    it("fails on files, quoted commands, registries App Runner cannot pull, accelerators and a private service without its endpoint", async () => {
        const message = await rejected(
            () =>
                new AppRunnerService("serving", {
                    ...args,
                    ingressEndpointId: undefined,
                    models: [
                        {
                            ...model,
                            files: { "serve.py": "x" },
                            command: ["sh", "-c", "python serve.py"],
                            image: "ghcr.io/acme/model:1.0",
                            accelerator: { type: "nvidia-t4", count: 1 },
                            concurrency: 500,
                            maxReplicas: 30,
                        },
                    ],
                }),
        );
        for (const p of [
            /ingressEndpointId: is required for a private service/,
            /models\[0\]\.files: cannot be mounted/,
            /models\[0\]\.command: has words with spaces or quotes/,
            /models\[0\]\.image: is not in ECR or ECR Public/,
            /models\[0\]\.accelerator: aws\/app-runner nvidia-t4: app-runner runs on CPU only/,
            /models\[0\]\.concurrency: must be from 1 to 200/,
            /models\[0\]\.maxReplicas: must be a whole number from max\(1, minReplicas\) to 25 on app-runner/,
        ]) {
            assert.match(message, p);
        }
    });
});

describe("EcsFargateService files", () => {
    const files = {
        "serve.py": "import json\nprint('héllo')\n".repeat(500),
        "model.json": JSON.stringify({ features: ["a", "b"], weights: [[1, 2]] }),
        "lakeio.py": "# lake io\n".repeat(2000),
    };

    it("hands the prepare container each file gzip-compressed and base64-encoded, which decode to the files given", async () => {
        const { resources } = await build(() => new EcsFargateService("serving", { ...fargate, models: [{ ...iris, files }] }));
        const [prepare, model] = JSON.parse(only(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
        const names = Object.keys(files).sort();
        assert.deepEqual(
            prepare.environment.map((e: any) => e.name),
            names.map((_, i) => `MLOPS_FILE_${i}`),
        );
        const decoded = Object.fromEntries(
            prepare.environment.map((e: any, i: number) => [names[i], gunzipSync(Buffer.from(e.value, "base64")).toString("utf8")]),
        );
        assert.deepEqual(decoded, files);
        assert.deepEqual(prepare.entryPoint, ["/bin/sh", "-c"]);
        assert.deepEqual(prepare.command[0].split("\n"), [
            "set -eu",
            "chmod 1777 /scratch",
            `printf '%s' "$MLOPS_FILE_0" | base64 -d | gzip -dc > /app/lakeio.py`,
            `printf '%s' "$MLOPS_FILE_1" | base64 -d | gzip -dc > /app/model.json`,
            `printf '%s' "$MLOPS_FILE_2" | base64 -d | gzip -dc > /app/serve.py`,
            "chmod -R a+rX /app",
        ]);
        assert.equal(
            model.environment.some((e: any) => e.name.startsWith("MLOPS_FILE_")),
            false,
        );
    });

    it("takes files whose plain base64 is above the limit when their encoded (compressed) size fits", async () => {
        const big = { "serve.py": "def f():\n    return 1\n".repeat(3000) };
        assert.ok(Buffer.from(big["serve.py"]).toString("base64").length > 49152);
        const { resources } = await build(() => new EcsFargateService("serving", { ...fargate, models: [{ ...iris, files: big }] }));
        assert.equal(ofType(resources, "aws:ecs/taskDefinition:TaskDefinition").length, 1);
    });
});

const BUCKET = "mlops-test-models-0a1b2c3d";
const statementsOf = (r: CapturedResource) => JSON.parse(r.inputs.policy).Statement;
const storeStatements = (model: string, read: boolean, write: boolean) => [
    ...(read ? [{ Sid: "ReadServedModel", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/${model}/*` }] : []),
    ...(write
        ? [{ Sid: "WriteCapturedInputs", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/${model}/_capture/*` }]
        : []),
    {
        Sid: "UseLakeKeyThroughS3",
        Effect: "Allow",
        Action: [...(read ? ["kms:Decrypt"] : []), ...(write ? ["kms:GenerateDataKey"] : [])],
        Resource: KEY,
        Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
    },
];

describe("EcsFargateService with the model store (served version, capture)", () => {
    const other: ModelServingSpec = { ...iris, name: "other", env: { LOG_LEVEL: "info" } };
    const store = { bucket: BUCKET, servedVersions: { iris: "20261203T101500Z-1a2b3c4d" }, capture: ["iris", "other"] };
    let resources: CapturedResource[];
    before(
        async () =>
            ({ resources } = await build(() => new EcsFargateService("serving", { ...fargate, models: [iris, other], modelStore: store }))),
    );

    const envOf = (family: string) => {
        const task = ofType(resources, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === family)!;
        return JSON.parse(task.inputs.containerDefinitions)[1].environment;
    };

    it("gives the model container the served version's URI and the capture prefix, after its own env", () => {
        assert.deepEqual(envOf("mlops-test-iris"), [
            { name: "PORT", value: "8080" },
            { name: "MLOPS_MODEL_VERSION", value: "20261203T101500Z-1a2b3c4d" },
            { name: "MLOPS_MODEL_URI", value: `s3://${BUCKET}/iris/v=20261203T101500Z-1a2b3c4d/model.json` },
            { name: "MLOPS_CAPTURE_URI", value: `s3://${BUCKET}/iris/_capture/` },
        ]);
        assert.deepEqual(envOf("mlops-test-other"), [
            { name: "PORT", value: "8080" },
            { name: "LOG_LEVEL", value: "info" },
            { name: "MLOPS_CAPTURE_URI", value: `s3://${BUCKET}/other/_capture/` },
        ]);
    });

    it("lets each task role read its own model's prefix (served version) and write its own _capture/ only, with the key through S3", () => {
        assert.deepEqual(
            statementsOf(only(resources, "aws:iam/rolePolicy:RolePolicy", "serving-iris-task-policy")),
            storeStatements("iris", true, true),
        );
        assert.deepEqual(
            statementsOf(only(resources, "aws:iam/rolePolicy:RolePolicy", "serving-other-task-policy")),
            storeStatements("other", false, true),
        );
        const iamRole = only(resources, "aws:iam/rolePolicy:RolePolicy", "serving-iris-task-policy").inputs.role;
        assert.match(iamRole, /^serving-iris-task-/);
    });

    it("adds nothing for a model that neither has a served version nor captures", async () => {
        const { resources: plain } = await build(
            () =>
                new EcsFargateService("serving", {
                    ...fargate,
                    models: [iris],
                    modelStore: { bucket: BUCKET, servedVersions: {}, capture: [] },
                }),
        );
        assert.deepEqual(
            ofType(plain, "aws:iam/rolePolicy:RolePolicy").map((p) => p.name),
            ["serving-iris-execution-policy"],
        );
        const [, model] = JSON.parse(only(plain, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
        assert.deepEqual(model.environment, [{ name: "PORT", value: "8080" }]);
    });

    it("fails when the store names models it does not serve, a version that is no run id, or a model's env sets the store's variables", async () => {
        const message = await rejected(
            () =>
                new EcsFargateService("serving", {
                    ...fargate,
                    models: [{ ...iris, env: { MLOPS_MODEL_URI: "s3://elsewhere/model.json" } }],
                    modelStore: { bucket: BUCKET, servedVersions: { iris: "1", ghost: "2" }, capture: ["iris", "phantom"] },
                }),
        );
        assert.match(message, /modelStore\.servedVersions\.ghost: names a model this component does not serve/);
        assert.match(message, /modelStore\.capture\.phantom: names a model this component does not serve/);
        assert.match(message, /models\[0\]\.env: sets MLOPS_MODEL_URI, which the stack sets from servedVersion and training\.drift/);
        const bad = await rejected(
            () => new EcsFargateService("serving", { ...fargate, modelStore: { bucket: BUCKET, servedVersions: { iris: "v=../x" } } }),
        );
        assert.match(bad, /modelStore\.servedVersions\.iris: is not a training run id/);
    });
});

describe("AppRunnerService with the model store", () => {
    const model: ModelServingSpec = {
        ...iris,
        files: undefined,
        command: undefined,
        env: { LOG_LEVEL: "info" },
        minReplicas: 1,
        maxReplicas: 3,
    };
    const args: AppRunnerServiceArgs = {
        models: [model],
        namePrefix: "mlops-test",
        kmsKeyArn: KEY,
        vpcId: "vpc-1",
        ingressEndpointId: "vpce-1",
    };

    it("runs a model with a served version and capture under its own instance role, scoped to its prefixes, with the env", async () => {
        const { resources } = await build(
            () =>
                new AppRunnerService("serving", {
                    ...args,
                    modelStore: { bucket: BUCKET, servedVersions: { iris: "run-7" }, capture: ["iris"] },
                }),
        );
        const svc = only(resources, "aws:apprunner/service:Service").inputs;
        assert.deepEqual(svc.sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables, {
            LOG_LEVEL: "info",
            MLOPS_MODEL_VERSION: "run-7",
            MLOPS_MODEL_URI: `s3://${BUCKET}/iris/v=run-7/model.json`,
            MLOPS_CAPTURE_URI: `s3://${BUCKET}/iris/_capture/`,
        });
        assert.match(svc.instanceConfiguration.instanceRoleArn, /role\/serving-iris-instance-/);
        const trust = JSON.parse(only(resources, "aws:iam/role:Role", "serving-iris-instance").inputs.assumeRolePolicy).Statement[0];
        assert.deepEqual(trust.Principal, { Service: "tasks.apprunner.amazonaws.com" });
        assert.deepEqual(
            statementsOf(only(resources, "aws:iam/rolePolicy:RolePolicy", "serving-iris-instance-policy")),
            storeStatements("iris", true, true),
        );
    });

    it("gives a model without either no instance role and only its own env", async () => {
        const { resources } = await build(() => new AppRunnerService("serving", args));
        const svc = only(resources, "aws:apprunner/service:Service").inputs;
        assert.equal(svc.instanceConfiguration.instanceRoleArn, undefined);
        assert.deepEqual(svc.sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables, { LOG_LEVEL: "info" });
        assert.deepEqual(ofType(resources, "aws:iam/role:Role"), []);
    });
});
