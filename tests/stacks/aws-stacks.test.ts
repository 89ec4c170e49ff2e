/**
 * Pulumi.aws-dev.yaml and Pulumi.aws-prod.yaml, planned end to end through the offline engine, checked
 * for the baseline (docs/security-baseline.md 1.1) and the platform's promises.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { isValidBucketName } from "../../components/storage/aws";
import { capture } from "../../stacks/plan/capture";
import { Plan, PlanResource } from "../../stacks/plan/plan";
import { shippedPlan } from "../harness";
import { loadStackConfig } from "../../stacks/plan/stack-config";
import { gunzipSync } from "node:zlib";
import { lambdaPackages } from "../../components/serverless-inference/aws-args";
import { awsLambdaArgs, AwsServingRefs } from "../../stacks/config/aws";
import { parseStackConfig } from "../../stacks/config/parse";
import { readFiles } from "../../stacks/config/files";

const ROOT = path.resolve(__dirname, "..", "..");
const T = {
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    logging: "aws:s3/bucketLogging:BucketLogging",
    key: "aws:kms/key:Key",
    repo: "aws:ecr/repository:Repository",
    group: "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    domain: "aws:sagemaker/domain:Domain",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const one = (plan: Plan, type: string, name?: string) => {
    const found = ofType(plan, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `${type} ${name ?? ""}: found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
};
/** The companion of `type` configuring `bucket` (joined on the bucket's ID, as a stack policy would). */
const companion = (plan: Plan, type: string, bucket: PlanResource) => ofType(plan, type).filter((r) => r.inputs.bucket === bucket.id);

/** The baseline checks both stacks must meet. */
function invariants(plan: Plan, environment: "dev" | "prod") {
    const prod = environment === "prod";

    it("versions, encrypts, blocks public access to, disables ACLs on and denies plain HTTP to every bucket (CKV_AWS_21/19/145, CKV2_AWS_6/65, CIS 2.1.1)", () => {
        const buckets = ofType(plan, T.bucket);
        const platformKey = (plan.outputs as any).aws.kmsKeyArn;
        assert.match(platformKey, /^arn:aws:kms:us-east-1:\d{12}:key\//);
        assert.ok(buckets.length >= 7);
        for (const b of buckets) {
            assert.ok(isValidBucketName(b.inputs.bucket), b.inputs.bucket);
            assert.deepEqual(
                companion(plan, T.versioning, b).map((v) => v.inputs.versioningConfiguration.status),
                ["Enabled"],
                b.name,
            );
            const [sse] = companion(plan, T.sse, b);
            const algorithm = sse.inputs.rules[0].applyServerSideEncryptionByDefault;
            if (b.name === "lake-access-logs-bucket")
                assert.deepEqual(algorithm, { sseAlgorithm: "AES256" }, "S3 access log delivery needs SSE-S3");
            else assert.deepEqual([algorithm.sseAlgorithm, algorithm.kmsMasterKeyId], ["aws:kms", platformKey], b.name);
            const [pab] = companion(plan, T.pab, b);
            assert.deepEqual(
                [pab.inputs.blockPublicAcls, pab.inputs.blockPublicPolicy, pab.inputs.ignorePublicAcls, pab.inputs.restrictPublicBuckets],
                [true, true, true, true],
                b.name,
            );
            assert.deepEqual(
                companion(plan, T.ownership, b).map((o) => o.inputs.rule.objectOwnership),
                ["BucketOwnerEnforced"],
                b.name,
            );
            const statements = JSON.parse(companion(plan, T.policy, b)[0].inputs.policy).Statement;
            assert.ok(
                statements.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"),
                b.name,
            );
            for (const s of statements) assert.ok(!(s.Effect === "Allow" && s.Principal === "*"), `${b.name}: public Allow (CKV_AWS_70)`);
            const rules = companion(plan, T.lifecycle, b)[0].inputs.rules;
            assert.ok(
                rules.some((r: any) => r.noncurrentVersionExpiration?.noncurrentDays > 0) &&
                    rules.some((r: any) => r.abortIncompleteMultipartUpload?.daysAfterInitiation > 0),
                b.name,
            );
            assert.equal(b.inputs.forceDestroy, !prod, `${b.name}: force-destroyed only in dev`);
        }
    });

    it("logs access to every bucket but the log bucket itself (CKV_AWS_18)", () => {
        const target = one(plan, T.bucket, "lake-access-logs-bucket").inputs.bucket;
        for (const b of ofType(plan, T.bucket).filter((b) => b.name !== "lake-access-logs-bucket")) {
            assert.deepEqual(
                companion(plan, T.logging, b).map((l) => l.inputs.targetBucket),
                [target],
                b.name,
            );
        }
    });

    it(`${prod ? "protects and retains" : "neither protects nor retains"} the lake, registries and model registry`, () => {
        const artifact = "aws:s3/bucketObjectv2:BucketObjectv2";
        const stateful = plan.resources.filter(
            (r) => (r.type.startsWith("aws:s3/") && r.type !== artifact) || [T.repo, T.group, T.domain].includes(r.type as never),
        );
        assert.ok(stateful.length > 40);
        for (const r of stateful) assert.deepEqual(r.options, { protect: prod, retainOnDelete: prod }, r.name);
        // Model artifacts are replaced by new versions (new keys), so they are retained but not protected.
        for (const r of ofType(plan, artifact)) assert.deepEqual(r.options, { protect: false, retainOnDelete: prod }, r.name);
        const key = one(plan, T.key);
        assert.deepEqual(
            key.options,
            { protect: prod, retainOnDelete: true },
            "the key also outlives a dev destroy: the account-wide Glue setting uses it",
        );
        assert.equal(key.inputs.enableKeyRotation, true);
        for (const r of ofType(plan, T.repo)) assert.equal(r.inputs.forceDelete, !prod, r.name);
    });

    it("keeps every ECR repository immutable, scanned on push and KMS-encrypted (CKV_AWS_51/163/136)", () => {
        for (const r of ofType(plan, T.repo)) {
            assert.deepEqual(
                [
                    r.inputs.imageTagMutability,
                    r.inputs.imageScanningConfiguration.scanOnPush,
                    r.inputs.encryptionConfigurations[0].encryptionType,
                ],
                ["IMMUTABLE", true, "KMS"],
                r.name,
            );
        }
    });

    it("encrypts every log group with the key and keeps it at least a year (CKV_AWS_158/338)", () => {
        const groups = ofType(plan, T.logGroup);
        assert.ok(groups.length >= 3);
        for (const g of groups) {
            assert.match(g.inputs.kmsKeyId, /^arn:aws:kms:/, g.name);
            assert.ok(g.inputs.retentionInDays >= 365, `${g.name}: ${g.inputs.retentionInDays}`);
        }
    });

    it("grants no wildcard action, attaches no managed policy and trusts only named principals (CKV_AWS_60/62/63/274)", () => {
        const policies = [...ofType(plan, "aws:iam/rolePolicy:RolePolicy"), ...ofType(plan, "aws:s3/bucketPolicy:BucketPolicy")];
        for (const p of policies) {
            for (const s of JSON.parse(p.inputs.policy).Statement.filter((s: any) => s.Effect === "Allow")) {
                for (const a of [s.Action].flat()) assert.ok(a !== "*" && !/^[a-z0-9-]+:\*$/.test(a), `${p.name} ${s.Sid ?? ""}: ${a}`);
            }
        }
        for (const role of ofType(plan, "aws:iam/role:Role")) {
            assert.equal(role.inputs.managedPolicyArns, undefined, role.name);
            for (const s of JSON.parse(role.inputs.assumeRolePolicy).Statement)
                assert.ok(s.Principal !== "*" && !s.Principal.AWS, `${role.name} trusts ${JSON.stringify(s.Principal)}`);
        }
    });

    it("records lake data access with a multi-region, validated, KMS-encrypted trail (CKV_AWS_35/36/67, CIS 3.8/3.9)", () => {
        const trail = one(plan, "aws:cloudtrail/trail:Trail").inputs;
        assert.deepEqual([trail.isMultiRegionTrail, trail.enableLogFileValidation, trail.enableLogging], [true, true, true]);
        assert.match(trail.kmsKeyId, /^arn:aws:kms:/);
        const zones = Object.values((plan.outputs as any).dataLake.buckets) as string[];
        assert.deepEqual(
            trail.advancedEventSelectors[0].fieldSelectors[2].startsWiths,
            zones.map((b) => `arn:aws:s3:::${b}/`),
        );
    });

    it("encrypts the Glue catalog and enforces encrypted Athena results (CKV_AWS_94/159/82)", () => {
        assert.equal(
            one(plan, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings").inputs.dataCatalogEncryptionSettings
                .encryptionAtRest.catalogEncryptionMode,
            "SSE-KMS",
        );
        const wg = one(plan, "aws:athena/workgroup:Workgroup").inputs.configuration;
        assert.deepEqual(
            [wg.enforceWorkgroupConfiguration, wg.resultConfiguration.encryptionConfiguration.encryptionOption],
            [true, "SSE_KMS"],
        );
        assert.equal(ofType(plan, "aws:glue/catalogDatabase:CatalogDatabase").length, 4);
    });

    it("puts Studio in the private subnets, VPC-only and encrypted (CKV_AWS_187), and empties the default security group (CKV2_AWS_12)", () => {
        const d = one(plan, T.domain).inputs;
        assert.deepEqual([d.appNetworkAccessType, d.subnetIds.length], ["VpcOnly", 2]);
        assert.match(d.kmsKeyId, /^arn:aws:kms:/);
        const sg = one(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs;
        assert.deepEqual([sg.ingress, sg.egress], [undefined, undefined]);
        assert.equal(one(plan, "aws:ec2/flowLog:FlowLog").inputs.trafficType, "ALL");
        for (const rule of ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"))
            assert.notEqual(rule.inputs.cidrIpv4, "0.0.0.0/0", rule.name);
        assert.ok(ofType(plan, "aws:ec2/subnet:Subnet").every((s) => s.inputs.mapPublicIpOnLaunch === false));
    });

    it("alarms on errors, throttles (Lambda) or rejected requests (the rest) and latency for every serving deployment, and rolls endpoints back on their own alarm", () => {
        const deployments = [
            ...ofType(plan, "aws:lambda/function:Function"),
            ...ofType(plan, "aws:sagemaker/endpoint:Endpoint"),
            ...ofType(plan, "aws:ecs/service:Service"),
            ...ofType(plan, "aws:apprunner/service:Service"),
        ];
        assert.ok(deployments.length >= 1);
        const alarms = ofType(plan, T.alarm).map((a) => a.name);
        for (const d of deployments) {
            const prefix = d.name.replace(/-(fn|endpoint|service)$/, "");
            const roles = [
                "errors",
                d.type === "aws:lambda/function:Function" ? "throttles" : "rejected",
                "latency",
                ...(d.inputs.deploymentConfig ? ["rollback"] : []),
            ];
            const certificate =
                d.type === "aws:ecs/service:Service" && ofType(plan, "aws:acm/certificate:Certificate").length > 0
                    ? ["certificate-expiry"]
                    : [];
            assert.deepEqual(
                alarms.filter((a) => a.startsWith(`${prefix}-`)).sort(),
                [...roles, ...certificate].map((role) => `${prefix}-${role}-alarm`).sort(),
                d.name,
            );
            if (d.inputs.deploymentConfig)
                assert.match(
                    d.inputs.deploymentConfig.autoRollbackConfiguration.alarms[0].alarmName,
                    new RegExp(`^${prefix}-rollback-alarm-`),
                    d.name,
                );
        }
        for (const a of ofType(plan, T.alarm)) {
            assert.match(a.inputs.alarmActions[0], /^arn:aws:sns:/, a.name);
            if (a.name.endsWith("-certificate-expiry-alarm")) continue;
            assert.equal(a.inputs.treatMissingData, "notBreaching", a.name);
            if (/-(errors|rejected|rollback)-alarm$/.test(a.name))
                assert.equal(
                    a.inputs.metricQueries.find((q: any) => q.returnData).expression,
                    "100 * errors / MAX([errors, requests])",
                    a.name,
                );
        }
        assert.match(one(plan, "aws:sns/topic:Topic").inputs.kmsMasterKeyId, /^arn:aws:kms:/);
    });

    it("exports the cloud-neutral outputs", () => {
        const o = plan.outputs as any;
        assert.match(o.dataLake.endpoint, /^https:\/\/s3\.us-east-1\.amazonaws\.com$/);
        assert.deepEqual(Object.keys(o.dataLake.buckets), ["raw", "curated", "features", "models"]);
        assert.match(o.mlPlatform.trackingUri, /^https:\/\/d-[0-9a-f]+\.studio\.us-east-1\.sagemaker\.aws$/);
        assert.match(o.mlPlatform.modelRegistry, /^arn:aws:sagemaker:us-east-1:\d{12}:model-package-group\/$/);
        assert.deepEqual(Object.keys(o.mlPlatform.training), ["accelerator", "acceleratorCount", "compute", "maxNodes", "spot"]);
        assert.ok(Object.keys(o.serverlessInference.endpoints).length > 0);
    });
}

describe("aws-dev: a cheap, scale-to-zero platform serving the sample model", () => {
    const plan: Plan = { stack: "aws-dev", project: "mlops", resources: [], outputs: {} };
    before(async () => Object.assign(plan, await shippedPlan("aws-dev")));
    invariants(plan, "dev");

    it("has no NAT gateway, internet gateway or interface endpoint, and no GPU", () => {
        for (const t of ["aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/eip:Eip"])
            assert.equal(ofType(plan, t).length, 0, t);
        assert.deepEqual(
            ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs.vpcEndpointType),
            ["Gateway"],
        );
        assert.equal((plan.outputs as any).mlPlatform.training.accelerator, "none");
        assert.equal(ofType(plan, "aws:sagemaker/endpoint:Endpoint").length, 0, "nothing bills per hour for serving");
    });

    it("serves iris from Lambda, packaged from the repository, behind an IAM-authenticated URL, scaling to zero", () => {
        const fn = one(plan, "aws:lambda/function:Function", "inference-iris-fn").inputs;
        assert.deepEqual([fn.runtime, fn.handler, fn.tracingConfig.mode], ["python3.13", "handler.handler", "Active"]);
        assert.equal(fn.reservedConcurrentExecutions, undefined, "dev leaves concurrency unreserved: new accounts cannot reserve any");
        assert.equal(one(plan, "aws:lambda/functionUrl:FunctionUrl").inputs.authorizationType, "AWS_IAM");
        assert.equal(ofType(plan, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig").length, 0);
        assert.match((plan.outputs as any).serverlessInference.endpoints.iris, /^https:\/\/.+\.lambda-url\.us-east-1\.on\.aws\/$/);
    });

    it("hands the Lambda the capture prefix of iris's drift monitor (no served version yet) and lets it write there only, through the S3 gateway endpoint", () => {
        const models = one(plan, T.bucket, "lake-models-bucket").inputs.bucket;
        const fn = one(plan, "aws:lambda/function:Function", "inference-iris-fn").inputs;
        assert.deepEqual(fn.environment.variables, { MODEL_NAME: "iris", MLOPS_CAPTURE_URI: `s3://${models}/iris/_capture/` });
        const statements = JSON.parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "inference-iris-role-policy").inputs.policy).Statement;
        const s3 = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith("s3:")));
        assert.deepEqual(s3, [
            { Sid: "WriteCapturedInputs", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${models}/iris/_capture/*` },
        ]);
        const egress = one(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "inference-s3-out").inputs;
        const s3Endpoint = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")[0];
        assert.equal(s3Endpoint.inputs.vpcEndpointType, "Gateway");
        assert.deepEqual([egress.fromPort, egress.toPort, egress.prefixListId], [443, 443, "pl-63a5400a"]);
    });

    it("packs serve.py's lakeio.py (samples/model, a link to samples/jobs/lakeio.py) into the Lambda package beside the handler", () => {
        const loaded = loadStackConfig(ROOT, "aws-dev");
        const cfg = parseStackConfig(loaded.config, { project: loaded.project, stack: "aws-dev", projectRoot: ROOT });
        const [files] = lambdaPackages(awsLambdaArgs(cfg, { modelsBucketName: "b", s3PrefixListId: "pl" } as unknown as AwsServingRefs));
        assert.deepEqual(Object.keys(files).sort(), ["handler.py", "lakeio.py", "model.json", "serve.py"]);
        assert.equal(files["lakeio.py"], readFiles("samples/jobs", "x", ROOT, [])?.["lakeio.py"]);
    });
});

describe("aws-prod: production protections and accelerated serving", () => {
    const plan: Plan = { stack: "aws-prod", project: "mlops", resources: [], outputs: {} };
    before(async () => Object.assign(plan, await shippedPlan("aws-prod")));
    invariants(plan, "prod");

    it("has a NAT gateway per zone and interface endpoints for ECR, logs, STS and SageMaker", () => {
        assert.equal(ofType(plan, "aws:ec2/natGateway:NatGateway").length, 2);
        const services = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").map((e) =>
            e.inputs.serviceName.replace("com.amazonaws.us-east-1.", ""),
        );
        assert.deepEqual(services.sort(), ["ecr.api", "ecr.dkr", "logs", "s3", "sagemaker.api", "sagemaker.runtime", "sts"]);
    });

    it("serves the accelerated model on an Inferentia2 endpoint with two instances at least, autoscaled, volumes encrypted, data captured", () => {
        const config = one(plan, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs;
        const [variant] = config.productionVariants;
        assert.deepEqual([variant.instanceType, variant.initialInstanceCount], ["ml.inf2.xlarge", 2]);
        assert.match(config.kmsKeyArn, /^arn:aws:kms:/, "Inferentia2 has no instance store, so the volume key applies (CKV_AWS_98)");
        assert.equal(config.dataCaptureConfig.enableCapture, true);
        assert.match(config.dataCaptureConfig.destinationS3Uri, /^s3:\/\/mlops-aws-prod-models-[0-9a-f]{8}\/data-capture\/iris-neuron$/);
        const target = one(plan, "aws:appautoscaling/target:Target", "inference-iris-neuron-scaling").inputs;
        assert.deepEqual([target.minCapacity, target.maxCapacity], [2, 4]);
        assert.equal(
            one(plan, "aws:appautoscaling/policy:Policy", "inference-iris-neuron-invocations-scaling").inputs.policyType,
            "TargetTrackingScaling",
        );
        const model = one(plan, "aws:sagemaker/model:Model").inputs;
        assert.match(model.primaryContainer.image, /\/pytorch-inference-neuronx:/);
        assert.equal(model.enableNetworkIsolation, true);
    });

    it("keeps two Fargate tasks at least behind an internal load balancer with deletion protection", () => {
        const svc = one(plan, "aws:ecs/service:Service").inputs;
        assert.equal(svc.desiredCount, 2);
        assert.equal(svc.networkConfiguration.assignPublicIp, false);
        assert.equal(one(plan, "aws:appautoscaling/target:Target", "serving-iris-scaling").inputs.minCapacity, 2);
        const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.deepEqual([alb.internal, alb.enableDeletionProtection, alb.dropInvalidHeaderFields], [true, true, true]);
        assert.match((plan.outputs as any).containerService.endpoints.iris, /^https:\/\/internal-/);
    });

    it("serves the load balancer on HTTPS with the stack-issued certificate, redirects 80 to 443, and logs access to the lake's log bucket under alb/", () => {
        const listeners = Object.fromEntries(ofType(plan, "aws:lb/listener:Listener").map((l) => [l.name, l.inputs]));
        assert.deepEqual(Object.keys(listeners).sort(), ["serving-iris-http-redirect", "serving-iris-listener"]);
        assert.deepEqual(
            [
                listeners["serving-iris-listener"].protocol,
                listeners["serving-iris-listener"].port,
                listeners["serving-iris-listener"].sslPolicy,
            ],
            ["HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06"],
        );
        assert.deepEqual(listeners["serving-iris-http-redirect"].defaultActions[0].redirect, {
            protocol: "HTTPS",
            port: "443",
            statusCode: "HTTP_301",
        });
        assert.match(
            listeners["serving-iris-listener"].certificateArn,
            /^arn:aws:acm:us-east-1:\d{12}:certificate\/serving-iris-certificate-/,
        );
        assert.match((plan.outputs as any).aws.servingCaCertificate, /^-----BEGIN CERTIFICATE-----/);
        const logBucket = one(plan, T.bucket, "lake-access-logs-bucket").inputs.bucket;
        assert.deepEqual(one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs, {
            enabled: true,
            bucket: logBucket,
            prefix: "alb",
        });
        const policy = JSON.parse(one(plan, T.policy, "lake-access-logs-policy").inputs.policy);
        assert.ok(
            policy.Statement.some(
                (st: any) => st.Sid === "ElbAccessLogsDelivery" && st.Resource === `arn:aws:s3:::${logBucket}/alb/AWSLogs/123456789012/*`,
            ),
        );
        assert.deepEqual(
            one(plan, T.sse, "lake-access-logs-encryption").inputs.rules[0].applyServerSideEncryptionByDefault,
            { sseAlgorithm: "AES256" },
            "ELB delivers only to SSE-S3 buckets",
        );
    });

    it("subscribes the on-call address from mlops:notifications to the alert topic", () => {
        const subs = ofType(plan, "aws:sns/topicSubscription:TopicSubscription").map((r) => [r.inputs.protocol, r.inputs.endpoint]);
        assert.deepEqual(subs, [["email", "ml-oncall@example.com"]]);
    });

    it("keeps every serving log group on delete, and never protects the SageMaker endpoint's (it follows the endpoint's name)", () => {
        for (const g of ofType(plan, T.logGroup).filter((l) =>
            /^\/(aws\/sagemaker\/Endpoints|mlops-aws-prod\/ecs)\//.test(l.inputs.name ?? ""),
        )) {
            assert.deepEqual([g.inputs.skipDestroy, g.options.retainOnDelete], [true, true], g.name);
            assert.equal(g.options.protect, !g.inputs.name.startsWith("/aws/sagemaker/"), g.name);
        }
        assert.equal(ofType(plan, T.logGroup).filter((l) => (l.inputs.name ?? "").startsWith("/aws/sagemaker/Endpoints/")).length, 1);
    });

    it("runs iris on Fargate with its files gzip-compressed in the task (they decode to samples/model) and the drift capture prefix", () => {
        const models = one(plan, T.bucket, "lake-models-bucket").inputs.bucket;
        const task = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === "mlops-aws-prod-iris")!;
        const [prepare, model] = JSON.parse(task.inputs.containerDefinitions);
        const expected = readFiles("samples/model", "x", ROOT, [])!;
        const names = Object.keys(expected).sort();
        assert.deepEqual(names, ["lakeio.py", "model.json", "serve.py"]);
        const decoded = Object.fromEntries(
            prepare.environment.map((e: any, i: number) => [names[i], gunzipSync(Buffer.from(e.value, "base64")).toString("utf8")]),
        );
        assert.deepEqual(decoded, expected);
        assert.ok(prepare.environment.reduce((n: number, e: any) => n + e.value.length, 0) <= 49152);
        assert.deepEqual(model.environment, [
            { name: "PORT", value: "8080" },
            { name: "MLOPS_CAPTURE_URI", value: `s3://${models}/iris/_capture/` },
        ]);
        const statements = JSON.parse(one(plan, "aws:iam/rolePolicy:RolePolicy", "serving-iris-task-policy").inputs.policy).Statement;
        assert.deepEqual(
            statements.map((st: any) => [st.Sid, st.Action, st.Resource]),
            [
                ["WriteCapturedInputs", "s3:PutObject", `arn:aws:s3:::${models}/iris/_capture/*`],
                ["UseLakeKeyThroughS3", ["kms:GenerateDataKey"], (plan.outputs as any).aws.kmsKeyArn],
            ],
        );
    });

    it("trains on the catalog's A10G instance with spot capacity", () => {
        assert.deepEqual((plan.outputs as any).mlPlatform.training, {
            accelerator: "nvidia-a10g",
            acceleratorCount: 1,
            compute: "ml.g5.xlarge",
            maxNodes: 4,
            spot: true,
        });
    });
});

describe("aws stacks: one-line config edits and config errors", () => {
    const variant = async (stack: string, edit: (c: Record<string, string>) => Record<string, string>) => {
        const loaded = loadStackConfig(ROOT, stack);
        const { readStackConfig } = await import("../../stacks/config/read");
        const { buildStack } = await import("../../stacks/build");
        let error: unknown;
        const result = await capture({ project: "mlops", stack: `${stack}-variant`, config: edit({ ...loaded.config }) }, async () => {
            try {
                return await buildStack(readStackConfig());
            } catch (e) {
                error = e;
                return {};
            }
        });
        return { ...result, error };
    };

    it("switches the endpoint's accelerator to nvidia-a10g (ml.g5, NVMe storage): no volume key, GPU container", async () => {
        const { resources } = await variant("aws-prod", (c) => {
            const models = JSON.parse(c["mlops:models"]);
            models[1].accelerator = "nvidia-a10g";
            return { ...c, "mlops:models": JSON.stringify(models) };
        });
        const config = resources.find((r) => r.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration")!;
        assert.equal(config.inputs.productionVariants[0].instanceType, "ml.g5.xlarge");
        assert.equal(config.inputs.kmsKeyArn, undefined);
        // A new endpoint name, so a new log group under the same URN: the old one must be kept, not deleted.
        const logs = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.name === "inference-iris-neuron-logs")!;
        const shipped = one(await shippedPlan("aws-prod"), "aws:cloudwatch/logGroup:LogGroup", "inference-iris-neuron-logs");
        assert.notEqual(logs.inputs.name, shipped.inputs.name);
        assert.deepEqual([shipped.inputs.skipDestroy, shipped.options.retainOnDelete, shipped.options.protect], [true, true, false]);
    });

    it("stops with one message when prod still sets mlPlatform.aws.alarmEmail, naming where it moved", async () => {
        const { resources, error } = await variant("aws-prod", (c) => ({
            ...c,
            "mlops:mlPlatform": JSON.stringify({ ...JSON.parse(c["mlops:mlPlatform"]), aws: { alarmEmail: "ml-oncall@example.com" } }),
        }));
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, /mlops:mlPlatform\.aws\.alarmEmail: has moved to `mlops:notifications\.emails`/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });

    it("switches dev's serverless inference to sagemaker-serverless once the model has inference code", async () => {
        const { resources, error } = await variant("aws-dev", (c) => {
            const models = JSON.parse(c["mlops:models"]);
            models[0].aws.sagemakerCode = "samples/aws/sagemaker";
            // Serverless endpoints have no data capture for the drift monitor (refused: aws-training-config.test.ts).
            delete models[0].training.drift;
            return {
                ...c,
                "mlops:serverlessInference": JSON.stringify({ implementation: "sagemaker-serverless" }),
                "mlops:models": JSON.stringify(models),
            };
        });
        assert.equal(error, undefined);
        const config = resources.find((r) => r.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration")!;
        assert.deepEqual(config.inputs.productionVariants[0].serverlessConfig, { memorySizeInMb: 2048, maxConcurrency: 3 });
    });

    it("serves prod's iris at the version the promotion pull request sets: the model's URI, read on its prefix", async () => {
        const { resources, error } = await variant("aws-prod", (c) => {
            const models = JSON.parse(c["mlops:models"]);
            models[0].servedVersion = "v=20261203T101500Z-1a2b3c4d";
            return { ...c, "mlops:models": JSON.stringify(models) };
        });
        assert.equal(error, undefined);
        const models = resources.find((r) => r.name === "lake-models-bucket")!.inputs.bucket;
        const task = resources.find((r) => r.name === "serving-iris-task-definition")!;
        assert.deepEqual(JSON.parse(task.inputs.containerDefinitions)[1].environment, [
            { name: "PORT", value: "8080" },
            { name: "MLOPS_MODEL_VERSION", value: "20261203T101500Z-1a2b3c4d" },
            { name: "MLOPS_MODEL_URI", value: `s3://${models}/iris/v=20261203T101500Z-1a2b3c4d/model.json` },
            { name: "MLOPS_CAPTURE_URI", value: `s3://${models}/iris/_capture/` },
        ]);
        const policy = resources.find((r) => r.name === "serving-iris-task-policy")!;
        assert.deepEqual(
            JSON.parse(policy.inputs.policy).Statement.map((st: any) => [st.Sid, st.Action, st.Resource]),
            [
                ["ReadServedModel", "s3:GetObject", `arn:aws:s3:::${models}/iris/*`],
                ["WriteCapturedInputs", "s3:PutObject", `arn:aws:s3:::${models}/iris/_capture/*`],
                ["UseLakeKeyThroughS3", ["kms:Decrypt", "kms:GenerateDataKey"], JSON.parse(policy.inputs.policy).Statement[2].Resource],
            ],
        );
    });

    it("stops before registering anything when dev would serve a public image on Fargate without NAT", async () => {
        const { resources, error } = await variant("aws-dev", (c) => {
            const models = JSON.parse(c["mlops:models"]);
            models[0].serveWith = ["containerService", "serverlessInference"];
            return {
                ...c,
                "mlops:containerService": JSON.stringify({ implementation: "ecs-fargate" }),
                "mlops:models": JSON.stringify(models),
            };
        });
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, /^stack config "aws-dev-variant" is invalid \(2 problems\)/);
        assert.match(error.message, /mlops:models\[0\]\.image: is outside the account's ECR/);
        assert.match(error.message, /mlops:mlPlatform\.aws\.interfaceEndpoints: must be on for ecs-fargate without NAT/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});
