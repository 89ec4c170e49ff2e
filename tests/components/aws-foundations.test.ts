/**
 * The AWS foundations under Pulumi's mocked engine: the platform key, the VPC, the secure bucket, the
 * data-access trail, the container registry and the alert topic. Exact inputs that matter are asserted;
 * every validation rule has a failing case that registers nothing.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AwsDataAccessTrail } from "../../components/audit/aws";
import { AwsKmsKey } from "../../components/encryption/aws";
import { AwsNetwork } from "../../components/network/aws";
import { AwsAlertTopic } from "../../components/observability/aws";
import { AwsContainerRegistry } from "../../components/registry/aws";
import { AwsSecureBucket } from "../../components/storage/aws";
import { ValidationError } from "../../components/shared/problems";
import { shortHash } from "../../components/shared/naming";
import { capture, SECRET } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const CONFIG = { "aws:region": "eu-west-1" };

async function build(create: () => void) {
    return (await capture({ project: "mlops", stack: "test", config: CONFIG }, () => create())).resources;
}

/** Builds with bad args: returns the error; fails unless it is a ValidationError and nothing was registered. */
async function rejected(create: () => void, subject: RegExp): Promise<string> {
    let error: unknown;
    const result = await capture({ project: "mlops", stack: "test", config: CONFIG }, () => {
        try {
            create();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, subject);
    assert.deepEqual(
        result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad args",
    );
    return error.message;
}

const policyOf = (r: CapturedResource) => JSON.parse(r.inputs.policy);

describe("AwsKmsKey", () => {
    it("rotates yearly-by-default keys, waits 30 days before deletion and carries the service policy", async () => {
        const resources = await build(() => new AwsKmsKey("kms", { aliasName: "alias/mlops-test" }));
        const key = only(resources, "aws:kms/key:Key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.inputs.deletionWindowInDays, 30);
        const policy = policyOf(key);
        assert.deepEqual(
            policy.Statement.map((s: any) => s.Sid),
            [
                "AccountAdministersAndUsesKeyThroughIam",
                "CloudWatchLogsEncryptsThisAccountsLogGroups",
                "CloudTrailEncryptsThisAccountsTrails",
                "CloudTrailDescribesKey",
                "CloudWatchAlarmsPublishToEncryptedTopics",
                "EventBridgeDeliversToEncryptedTargets",
            ],
        );
        const events = policy.Statement[5];
        assert.deepEqual(events.Principal, { Service: "events.amazonaws.com" });
        assert.deepEqual(events.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.deepEqual(events.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        assert.equal(policy.Statement[1].Principal.Service, "logs.eu-west-1.amazonaws.com", "the region comes from the provider");
        assert.equal(only(resources, "aws:kms/alias:Alias").inputs.name, "alias/mlops-test");
    });

    it("is protected and retained by default, and retained only on request without protectData", async () => {
        assert.deepEqual(only(await build(() => new AwsKmsKey("kms", {})), "aws:kms/key:Key").options, {
            protect: true,
            retainOnDelete: true,
        });
        assert.deepEqual(only(await build(() => new AwsKmsKey("kms", { protectData: false })), "aws:kms/key:Key").options, {
            protect: false,
            retainOnDelete: false,
        });
        assert.deepEqual(
            only(await build(() => new AwsKmsKey("kms", { protectData: false, retainOnDelete: true })), "aws:kms/key:Key").options,
            { protect: false, retainOnDelete: true },
        );
    });

    it("fails when the deletion window or alias is out of KMS's rules", async () => {
        const message = await rejected(
            () => new AwsKmsKey("kms", { deletionWindowDays: 5, aliasName: "alias/aws/mine" }),
            /^AwsKmsKey "kms" is invalid \(2 problems\)/,
        );
        assert.match(message, /deletionWindowDays: must be a whole number of days from 7 to 30/);
        assert.match(message, /aliasName: is not a KMS alias name/);
    });
});

describe("AwsNetwork", () => {
    it("builds private subnets in two zones with an S3 gateway endpoint, and no NAT, internet gateway or interface endpoint by default", async () => {
        const resources = await build(() => new AwsNetwork("net", { kmsKeyArn: KEY }));
        const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
        assert.deepEqual(
            subnets.map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone, s.inputs.mapPublicIpOnLaunch]),
            [
                ["10.40.0.0/20", "eu-west-1a", false],
                ["10.40.16.0/20", "eu-west-1b", false],
            ],
        );
        for (const t of [
            "aws:ec2/natGateway:NatGateway",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/eip:Eip",
            "aws:ec2/securityGroup:SecurityGroup",
        ])
            assert.equal(ofType(resources, t).length, 0, t);
        const endpoints = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.deepEqual(
            endpoints.map((e) => [e.inputs.serviceName, e.inputs.vpcEndpointType, e.inputs.routeTableIds.length]),
            [["com.amazonaws.eu-west-1.s3", "Gateway", 2]],
        );
        assert.deepEqual(ofType(resources, "aws:ec2/route:Route"), [], "private subnets have no default route without NAT");
    });

    it("empties the default security group and logs all flows to an encrypted log group kept a year", async () => {
        const resources = await build(() => new AwsNetwork("net", { kmsKeyArn: KEY }));
        const sg = only(resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        assert.equal(sg.inputs.ingress, undefined);
        assert.equal(sg.inputs.egress, undefined);
        const group = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual([group.inputs.retentionInDays, group.inputs.kmsKeyId], [365, KEY]);
        const flow = only(resources, "aws:ec2/flowLog:FlowLog");
        assert.deepEqual([flow.inputs.trafficType, flow.inputs.logDestinationType], ["ALL", "cloud-watch-logs"]);
        const role = only(resources, "aws:iam/role:Role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
        });
    });

    it("adds NAT gateways in public subnets, default routes through them, and HTTPS-only interface endpoints when asked", async () => {
        const resources = await build(
            () =>
                new AwsNetwork("net", {
                    availabilityZoneCount: 3,
                    natGatewayCount: 1,
                    interfaceEndpointServices: ["ecr.api", "ecr.dkr", "logs"],
                }),
        );
        assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 1);
        const privateRoutes = ofType(resources, "aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
        assert.deepEqual(
            privateRoutes.map((r) => r.inputs.natGatewayId),
            ["net-nat-0-id", "net-nat-0-id", "net-nat-0-id"],
            "every zone routes through the one gateway",
        );
        const interfaces = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.deepEqual(
            interfaces.map((e) => [e.inputs.serviceName, e.inputs.privateDnsEnabled, e.inputs.subnetIds.length]),
            [
                ["com.amazonaws.eu-west-1.ecr.api", true, 3],
                ["com.amazonaws.eu-west-1.ecr.dkr", true, 3],
                ["com.amazonaws.eu-west-1.logs", true, 3],
            ],
        );
        const https = only(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual([https.inputs.fromPort, https.inputs.toPort, https.inputs.cidrIpv4], [443, 443, "10.40.0.0/16"]);
    });

    it("fails when the layout is not one AWS and availability allow", async () => {
        const message = await rejected(
            () =>
                new AwsNetwork("net", {
                    cidrBlock: "10.40.1.0/16",
                    availabilityZoneCount: 1,
                    natGatewayCount: 2,
                    interfaceEndpointServices: ["s3", "logs", "logs"],
                    flowLogRetentionDays: 500,
                }),
            /^AwsNetwork "net" is invalid \(6 problems\)/,
        );
        for (const p of [
            /cidrBlock: must be an aligned IPv4 CIDR/,
            /availabilityZoneCount: must be a whole number from 2 to 8/,
            /natGatewayCount: must be a whole number from 0 to availabilityZoneCount \(1\)/,
            /interfaceEndpointServices\[0\]: is not an endpoint this network offers/,
            /interfaceEndpointServices\[2\]: is listed twice/,
            /flowLogRetentionDays: is not a retention CloudWatch Logs accepts/,
        ]) {
            assert.match(message, p);
        }
    });
});

describe("AwsSecureBucket", () => {
    const args = { bucketName: "mlops-test-raw-1a2b3c4d", kmsKeyArn: KEY, accessLogBucketName: "mlops-test-logs", accessLogPrefix: "raw/" };

    it("encrypts with the key, versions, blocks public access, disables ACLs, logs access and sets lifecycle rules", async () => {
        const resources = await build(() => new AwsSecureBucket("b", { ...args, coldStorageAfterDays: 90 }));
        assert.equal(only(resources, "aws:s3/bucket:Bucket").inputs.bucket, "mlops-test-raw-1a2b3c4d");
        assert.deepEqual(only(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        assert.deepEqual(
            only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules,
            [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }, bucketKeyEnabled: true }],
        );
        const pab = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
        assert.deepEqual(
            [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
            [true, true, true, true],
        );
        assert.deepEqual(only(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, {
            objectOwnership: "BucketOwnerEnforced",
        });
        const logging = only(resources, "aws:s3/bucketLogging:BucketLogging").inputs;
        assert.deepEqual([logging.targetBucket, logging.targetPrefix], ["mlops-test-logs", "raw/"]);
        const rules = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        assert.deepEqual(
            rules.map((r: any) => r.id),
            ["expire-noncurrent-versions", "abort-incomplete-multipart-uploads", "move-to-colder-storage"],
        );
    });

    it("denies plain HTTP and TLS below 1.2 for everyone, on the bucket and its objects", async () => {
        const policy = policyOf(only(await build(() => new AwsSecureBucket("b", args)), "aws:s3/bucketPolicy:BucketPolicy"));
        const arn = "arn:aws:s3:::mlops-test-raw-1a2b3c4d";
        assert.deepEqual(policy.Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyTlsBelow12",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ]);
    });

    it("protects and retains the bucket and every setting with protectData, and ties settings to the bucket's deletion", async () => {
        const resources = await build(() => new AwsSecureBucket("b", args));
        const custom = resources.filter((r) => r.custom);
        assert.equal(custom.length, 8);
        for (const r of custom) assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        const dev = (await build(() => new AwsSecureBucket("b", { ...args, protectData: false, forceDestroy: true }))).filter(
            (r) => r.custom,
        );
        for (const r of dev) assert.deepEqual(r.options, { protect: false, retainOnDelete: false }, r.name);
        assert.equal(only(dev, "aws:s3/bucket:Bucket").inputs.forceDestroy, true);
    });

    it("uses SSE-S3 only when no key is given (buckets receiving server access logs)", async () => {
        const sse = only(
            await build(() => new AwsSecureBucket("logs", { bucketName: "mlops-test-logs" })),
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        );
        assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    });

    it("fails on an invalid name, force-destroying protected data, short lifecycles or a public grant", async () => {
        const message = await rejected(
            () =>
                new AwsSecureBucket("b", {
                    bucketName: "Not_Valid",
                    forceDestroy: true,
                    coldStorageAfterDays: 10,
                    coldStorageClass: "FROZEN",
                    noncurrentVersionRetentionDays: 0,
                    extraPolicyStatementsJson: JSON.stringify([
                        { Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "*" },
                    ]),
                }),
            /^AwsSecureBucket "b" is invalid \(6 problems\)/,
        );
        for (const p of [
            /bucketName: is not a valid S3 bucket name/,
            /forceDestroy: would let a protected bucket be emptied/,
            /coldStorageAfterDays: must be a whole number of days of at least 30/,
            /coldStorageClass: is not a storage class/,
            /noncurrentVersionRetentionDays/,
            /extraPolicyStatementsJson\[0\]: allows every principal \(CKV_AWS_70\)/,
        ]) {
            assert.match(message, p);
        }
    });
});

describe("AwsDataAccessTrail", () => {
    const bucketArns = ["arn:aws:s3:::lake-raw", "arn:aws:s3:::lake-models"];
    const build1 = () =>
        build(
            () =>
                new AwsDataAccessTrail("audit", {
                    trailName: "mlops-test-lake-data-events",
                    bucketArns,
                    logBucketName: "mlops-test-audit-1a2b3c4d",
                    kmsKeyArn: KEY,
                    protectData: false,
                }),
        );

    it("records object-level reads and writes on the lake only, multi-region, validated and encrypted, copied to CloudWatch", async () => {
        const resources = await build1();
        const trail = only(resources, "aws:cloudtrail/trail:Trail").inputs;
        assert.deepEqual(
            [trail.enableLogFileValidation, trail.isMultiRegionTrail, trail.enableLogging, trail.kmsKeyId],
            [true, true, true, KEY],
        );
        assert.deepEqual(trail.advancedEventSelectors[0].fieldSelectors, [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "resources.ARN", startsWiths: ["arn:aws:s3:::lake-raw/", "arn:aws:s3:::lake-models/"] },
        ]);
        assert.match(trail.cloudWatchLogsGroupArn, /:log-group:.+:\*$/);
        const group = only(resources, "aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepEqual([group.retentionInDays, group.kmsKeyId], [365, KEY]);
    });

    it("lets only this trail write to its bucket, which expires logs after the retention", async () => {
        const resources = await build1();
        const statements = policyOf(only(resources, "aws:s3/bucketPolicy:BucketPolicy")).Statement;
        const trailArn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/mlops-test-lake-data-events";
        const write = statements.find((s: any) => s.Sid === "CloudTrailWritesLogs");
        assert.deepEqual(write, {
            Sid: "CloudTrailWritesLogs",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::mlops-test-audit-1a2b3c4d/AWSLogs/123456789012/*",
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        });
        const rules = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        assert.deepEqual(rules.find((r: any) => r.id === "expire-objects").expiration, { days: 365 });
    });

    it("fails when audit logs would be kept less than a year or the name is invalid", async () => {
        const message = await rejected(
            () =>
                new AwsDataAccessTrail("audit", {
                    trailName: "-bad--name",
                    bucketArns: [],
                    logBucketName: "x-audit",
                    kmsKeyArn: KEY,
                    retentionDays: 180,
                }),
            /is invalid \(3 problems\)/,
        );
        assert.match(message, /trailName: is not a CloudTrail trail name/);
        assert.match(message, /retentionDays: must be a CloudWatch Logs retention of 365 days or more/);
        assert.match(message, /bucketArns: must name at least one bucket/);
    });
});

describe("AwsContainerRegistry", () => {
    it("makes one immutable, scanned, KMS-encrypted repository per model with an untagged-image lifecycle", async () => {
        const resources = await build(
            () => new AwsContainerRegistry("registry", { namespace: "mlops-test", models: ["iris", "churn"], kmsKeyArn: KEY }),
        );
        const repos = ofType(resources, "aws:ecr/repository:Repository");
        assert.deepEqual(
            repos.map((r) => r.inputs.name),
            ["mlops-test/iris", "mlops-test/churn"],
        );
        for (const r of repos) {
            assert.equal(r.inputs.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(r.inputs.imageScanningConfiguration, { scanOnPush: true });
            assert.deepEqual(r.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: KEY }]);
            assert.equal(r.inputs.forceDelete, false);
            assert.deepEqual(r.options, { protect: true, retainOnDelete: true });
        }
        assert.equal(
            JSON.parse(ofType(resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy")[0].inputs.policy).rules[0].selection.tagStatus,
            "untagged",
        );
    });

    it("caches ECR Public under the stack's prefix, creating cached repositories KMS-encrypted through a scoped role", async () => {
        const resources = await build(
            () => new AwsContainerRegistry("registry", { namespace: "mlops-test", models: ["iris"], kmsKeyArn: KEY, protectData: false }),
        );
        const rule = only(resources, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule").inputs;
        assert.deepEqual([rule.ecrRepositoryPrefix, rule.upstreamRegistryUrl], ["mlops-test-ecr-public", "public.ecr.aws"]);
        const template = only(resources, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate").inputs;
        assert.deepEqual(
            [template.prefix, template.appliedFors, template.encryptionConfigurations],
            ["mlops-test-ecr-public", ["PULL_THROUGH_CACHE"], [{ encryptionType: "KMS", kmsKey: KEY }]],
        );
        const statements = policyOf(only(resources, "aws:iam/rolePolicy:RolePolicy")).Statement;
        assert.deepEqual(statements[0].Resource, "arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test-ecr-public/*");
        assert.deepEqual(statements[1], {
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
            Resource: KEY,
        });
        assert.equal(
            only(resources, "aws:ecr/repository:Repository").inputs.forceDelete,
            true,
            "dev repositories may be deleted with their images",
        );
    });

    it("fails on a namespace or model ECR refuses", async () => {
        const message = await rejected(
            () =>
                new AwsContainerRegistry("registry", {
                    namespace: "Bad_NS",
                    models: ["iris", "iris"],
                    kmsKeyArn: KEY,
                    untaggedImageExpiryDays: 0,
                }),
            /is invalid/,
        );
        assert.match(message, /namespace: must be lowercase/);
        assert.match(message, /models\[1\]: is listed twice/);
        assert.match(message, /untaggedImageExpiryDays/);
    });
});

describe("AwsAlertTopic", () => {
    const subscriptions = (resources: CapturedResource[]) => ofType(resources, "aws:sns/topicSubscription:TopicSubscription");

    it("encrypts the topic with the key and subscribes every email and webhook", async () => {
        const resources = await build(
            () =>
                new AwsAlertTopic("alerts", {
                    kmsKeyArn: KEY,
                    emails: ["ml-oncall@example.com", "lead@example.org"],
                    webhooks: ["https://hooks.example.com/T0/abc"],
                }),
        );
        assert.equal(only(resources, "aws:sns/topic:Topic").inputs.kmsMasterKeyId, KEY);
        const subs = subscriptions(resources).map((r) => [r.name, r.inputs.protocol, r.inputs.endpoint]);
        assert.deepEqual(
            new Set(subs.map((x) => JSON.stringify(x))),
            new Set(
                [
                    [`alerts-email-${shortHash("ml-oncall@example.com", 8)}`, "email", "ml-oncall@example.com"],
                    [`alerts-email-${shortHash("lead@example.org", 8)}`, "email", "lead@example.org"],
                    // Webhook URLs often carry a token: the endpoint is a secret and the name holds no part of it.
                    ["alerts-webhook-0", "https", SECRET],
                ].map((x) => JSON.stringify(x)),
            ),
        );
    });

    it("keeps the former alarmEmail subscription (`alerts-email`) as the first email's alias", async () => {
        const aliases: Record<string, unknown[]> = {};
        await build(() => {
            // The plan does not capture aliases: read them from the options the component passes.
            pulumi.runtime.registerStackTransformation((t) => {
                if (t.type === "aws:sns/topicSubscription:TopicSubscription") aliases[t.name] = [...((t.opts.aliases as unknown[]) ?? [])];
                return undefined;
            });
            new AwsAlertTopic("alerts", { kmsKeyArn: KEY, emails: ["ml-oncall@example.com", "lead@example.org"] });
        });
        assert.deepEqual(aliases, {
            [`alerts-email-${shortHash("ml-oncall@example.com", 8)}`]: [{ name: "alerts-email" }],
            [`alerts-email-${shortHash("lead@example.org", 8)}`]: [],
        });
    });

    it("subscribes nothing when no target is given (dev)", async () => {
        assert.deepEqual(subscriptions(await build(() => new AwsAlertTopic("alerts", { kmsKeyArn: pulumi.output(KEY) }))), []);
    });

    it("fails when an email is not an address, is listed twice, or a webhook is not https", async () => {
        const message = await rejected(
            () =>
                new AwsAlertTopic("alerts", {
                    kmsKeyArn: KEY,
                    emails: ["a@example.com", "not-an-address", "a@example.com"],
                    webhooks: ["http://hooks.example.com/x"],
                }),
            /AwsAlertTopic "alerts" is invalid/,
        );
        assert.match(message, /emails\[1\]: is not an email address/);
        assert.match(message, /emails\[2\]: is listed twice/);
        assert.match(message, /webhooks\[0\]: is not an https:\/\/ URL/);
        assert.doesNotMatch(message, /hooks\.example\.com/, "a webhook URL may be a secret and is never printed");
    });
});
