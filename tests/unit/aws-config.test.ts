import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { buildAwsStack } from "../../stacks/clouds/aws";
import { parseStackConfig } from "../../stacks/config/parse";
import { rejectedBuild } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");

function raw(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `mlops:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}
const parse = (values: Record<string, unknown>, environment = "dev") =>
    parseStackConfig(raw({ cloud: "aws", environment, ...values }), { project: "mlops", stack: "t", projectRoot: ROOT });

function problemsOf(values: Record<string, unknown>, environment = "dev"): readonly string[] {
    try {
        parse(values, environment);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

function has(problems: readonly string[], ...parts: string[]) {
    assert.ok(
        problems.some((p) => parts.every((part) => p.includes(part))),
        `no problem mentions ${parts.join(" + ")}:\n${problems.join("\n")}`,
    );
}

const iris = { name: "iris", image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm", files: "samples/model" };

describe("AWS stack config (mlops:<section>.aws)", () => {
    it("defaults to a cheap network (two zones, no NAT, no interface endpoints) and secure settings", () => {
        const aws = parse({}).aws!;
        assert.deepEqual(aws.network, {
            vpcCidr: "10.40.0.0/16",
            availabilityZones: 2,
            natGateways: 0,
            interfaceEndpoints: false,
            flowLogs: true,
        });
        assert.deepEqual(aws.mlPlatform, { studio: true, cpuTrainingInstanceType: "ml.m5.xlarge" });
        assert.deepEqual(aws.dataLake, {
            coldStorageClass: "STANDARD_IA",
            catalogEncryption: true,
            dataAccessTrail: true,
            forceDestroy: true,
            queryBytesScannedCutoffGiB: 10,
        });
        // HTTPS by default: no certificate means the stack issues one; plain HTTP is an explicit opt-out.
        assert.deepEqual(aws.containerService, {
            publicIngress: false,
            certificateArn: undefined,
            plainHttp: false,
            allowedCidrs: undefined,
            latencyThresholdMs: 1000,
        });
        assert.deepEqual(aws.serverlessInference, {
            reserveLambdaConcurrency: true,
            lambdaTimeoutSeconds: 30,
            dataCaptureSamplingPercent: 100,
            latencyThresholdMs: 1000,
        });
        assert.equal(
            parse({ notifications: { emails: ["ml-oncall@example.com"] } }, "prod").aws!.dataLake.forceDestroy,
            false,
            "prod buckets are never force-destroyed",
        );
    });

    it("reads every setting, including the provider's region and the model code directories", () => {
        const c = parse({
            "aws:region": "eu-west-1",
            mlPlatform: {
                aws: {
                    vpcCidr: "10.8.0.0/16",
                    availabilityZones: 3,
                    natGateways: 3,
                    interfaceEndpoints: true,
                    flowLogs: false,
                    studio: false,
                },
            },
            dataLake: { aws: { coldStorageClass: "GLACIER_IR", dataAccessTrail: false } },
            containerService: {
                aws: {
                    publicIngress: true,
                    allowedCidrs: ["10.0.0.0/8"],
                    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012",
                },
            },
            serverlessInference: { aws: { lambdaTimeoutSeconds: 60, reserveLambdaConcurrency: false } },
            models: [
                { ...iris, aws: { lambdaCode: "samples/aws/lambda", sagemakerCode: "samples/aws/sagemaker", lambdaRuntime: "python3.12" } },
            ],
        });
        const aws = c.aws!;
        assert.equal(aws.region, "eu-west-1");
        assert.deepEqual(
            [aws.network.availabilityZones, aws.network.natGateways, aws.network.interfaceEndpoints, aws.network.flowLogs],
            [3, 3, true, false],
        );
        assert.deepEqual(Object.keys(aws.models[0].lambdaCode!), ["handler.py"]);
        assert.deepEqual(Object.keys(aws.models[0].sagemakerCode!), ["inference.py"]);
        assert.equal(aws.models[0].lambdaRuntime, "python3.12");
        assert.equal(aws.models[0].lambdaHandler, "handler.handler");
        assert.equal(
            aws.containerService.certificateArn,
            "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012",
        );
        assert.equal(parse({ containerService: { aws: { plainHttp: true } } }).aws!.containerService.plainHttp, true);
    });

    it("fails when alarmEmail is still set, saying it moved to mlops:notifications.emails (and only that, once)", () => {
        const problems = problemsOf({ mlPlatform: { aws: { alarmEmail: "ml@example.com" } } });
        assert.deepEqual(problems.filter((p) => p.includes("alarmEmail")).length, 1, problems.join("\n"));
        has(problems, "mlops:mlPlatform.aws.alarmEmail", "has moved to `mlops:notifications.emails`");
    });

    it("fails when the certificate is in another region than the stack, or plainHttp is set with a certificate", () => {
        const problems = problemsOf({
            "aws:region": "eu-west-1",
            containerService: {
                aws: {
                    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012",
                    plainHttp: true,
                },
            },
        });
        has(
            problems,
            "mlops:containerService.aws.certificateArn",
            "is in us-east-1, but a load balancer can only use an ACM certificate of its own region (aws:region eu-west-1)",
        );
        has(problems, "mlops:containerService.aws.plainHttp", "turns TLS off, yet certificateArn is set");
    });

    it("fails on unknown keys, bad values and settings that cost safety, listing them all", () => {
        const problems = problemsOf(
            {
                "aws:region": "mars-1",
                mlPlatform: { aws: { natGateway: true, availabilityZones: 1, natGateways: 3, vpcCidr: "big" } },
                dataLake: { aws: { forceDestroy: true, coldStorageClass: "ICE" } },
                containerService: { aws: { allowedCidrs: ["anywhere"], certificateArn: "cert" } },
                models: [{ ...iris, aws: { lambdaCode: "samples/none", sagemakerImage: "python:3.12" } }],
            },
            "prod",
        );
        has(problems, "aws:region", "is not an AWS Region");
        has(problems, "mlops:mlPlatform.aws.natGateway", "is not a known key");
        has(problems, "mlops:mlPlatform.aws.availabilityZones", "between 2 and 6");
        has(problems, "mlops:mlPlatform.aws.natGateways", "between 0 and 2");
        has(problems, "mlops:mlPlatform.aws.vpcCidr", "IPv4 CIDR");
        has(problems, "mlops:dataLake.aws.forceDestroy", "would let `pulumi destroy` empty the prod lake");
        has(problems, "mlops:dataLake.aws.coldStorageClass", "is not an allowed value", "GLACIER_IR");
        has(problems, "mlops:containerService.aws.allowedCidrs[0]", "is not an IPv4 CIDR block");
        has(problems, "mlops:containerService.aws.certificateArn", "ACM certificate ARN");
        has(problems, "mlops:models[0].aws.lambdaCode", "is not a directory in the project");
        has(problems, "mlops:models[0].aws.sagemakerImage", "pinned ECR image URI");
    });
});

/** The keys (`path:` before the message) of every problem in the config error. */
const pathsOf = (problems: readonly string[]) => problems.map((p) => p.slice(0, p.indexOf(": ")));

describe("AWS whole-stack checks (checkAwsStack, in the config error)", () => {
    it("requires a zip package for models Lambda serves, and no warm instances", () => {
        const problems = problemsOf({ models: [{ ...iris, serverlessMinReplicas: 1, serveWith: ["serverlessInference"] }] });
        assert.deepEqual(pathsOf(problems).sort(), ["mlops:models[0].aws.lambdaCode", "mlops:models[0].serverlessMinReplicas"]);
        has(problems, "mlops:models[0].aws.lambdaCode", "Lambda runs a zip package");
        has(problems, "mlops:models[0].serverlessMinReplicas", "warm instances");
        assert.ok(parse({ models: [{ ...iris, serveWith: ["serverlessInference"], aws: { lambdaCode: "samples/aws/lambda" } }] }));
    });

    it("requires inference.py or an own image for models SageMaker serves", () => {
        const problems = problemsOf({
            serverlessInference: { implementation: "sagemaker-endpoint" },
            models: [{ ...iris, serveWith: ["serverlessInference"], aws: { lambdaCode: "samples/aws/lambda" } }],
        });
        assert.deepEqual(pathsOf(problems), ["mlops:models[0].aws.sagemakerCode"]);
        has(problems, "mlops:models[0].aws.sagemakerCode", "inference.py");
    });

    it("requires NAT for Fargate images outside the account's ECR, and endpoints or NAT for Fargate at all", () => {
        const problems = problemsOf({ models: [{ ...iris, serveWith: ["containerService"] }] });
        assert.deepEqual(pathsOf(problems).sort(), ["mlops:mlPlatform.aws.interfaceEndpoints", "mlops:models[0].image"]);
        has(problems, "mlops:models[0].image", "natGateways: 1");
        const privateImage = {
            ...iris,
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops/iris:1.0",
            serveWith: ["containerService"],
        };
        assert.ok(
            parse({ mlPlatform: { aws: { interfaceEndpoints: true } }, models: [privateImage] }),
            "the account's ECR over interface endpoints needs no NAT",
        );
        assert.ok(parse({ mlPlatform: { aws: { natGateways: 1 } }, models: [{ ...iris, serveWith: ["containerService"] }] }));
    });

    it("refuses model files on App Runner", () => {
        const problems = problemsOf({
            containerService: { implementation: "app-runner" },
            models: [{ ...iris, serveWith: ["containerService"] }],
        });
        assert.deepEqual(pathsOf(problems), ["mlops:models[0].files"]);
    });

    it("runs the component validators at the user's keys: a VPC range the network refuses, with a problem from another section, all at once", () => {
        // The parser only checks the CIDR's shape; AwsNetwork needs an aligned /16 to /24.
        const problems = problemsOf({
            mlPlatform: { aws: { vpcCidr: "10.0.0.0/8", interfaceEndpoints: true } },
            serverlessInference: { implementation: "sagemaker-serverless" },
            models: [{ ...iris, memoryMiB: 8192, serveWith: ["serverlessInference"], aws: { sagemakerCode: "samples/aws/sagemaker" } }],
        });
        has(problems, "mlops:mlPlatform.aws.vpcCidr", "aligned IPv4 CIDR block from /16 to /24");
        has(problems, "mlops:models[0].memoryMiB", "6144 MB a serverless endpoint offers");
        assert.equal(problems.length, new Set(problems).size, "no problem is listed twice");
    });

    it("maps a served model's problems to its own index in mlops:models, not its place among the served ones", () => {
        const problems = problemsOf({
            containerService: { implementation: "app-runner" },
            models: [
                {
                    ...iris,
                    name: "first",
                    files: undefined,
                    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
                    serveWith: ["serverlessInference"],
                    aws: { lambdaCode: "samples/aws/lambda" },
                },
                { ...iris, name: "second", files: undefined, image: "docker.io/library/python:3.12", serveWith: ["containerService"] },
            ],
        });
        assert.deepEqual(pathsOf(problems), ["mlops:models[1].image"]);
        has(problems, "mlops:models[1].image", "App Runner pulls from");
    });

    it("checks aws:region against the list of AWS Regions, naming the close ones", () => {
        const problems = problemsOf({ "aws:region": "eu-west-9" });
        has(problems, "aws:region", "is not an AWS Region", "eu-west-1", "eu-central-1");
        assert.ok(!problems.some((p) => p.includes("us-east-1")), "only the close Regions are listed");
        assert.ok(parse({ "aws:region": "ap-southeast-7" }));
        has(problemsOf({ "aws:region": "europe-west1" }), "aws:region", "is not an AWS Region");
    });

    it("stops the stack before any resource is registered", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                buildAwsStack(
                    parse({
                        mlPlatform: { aws: { vpcCidr: "10.40.0.0/12", interfaceEndpoints: true } },
                        notifications: { emails: ["oncall@example.com"] },
                        models: [
                            {
                                ...iris,
                                serverlessMinReplicas: 1,
                                serveWith: ["serverlessInference"],
                                aws: { lambdaCode: "samples/aws/lambda" },
                            },
                        ],
                    }),
                ),
            'stack config "t"',
        );
        assert.match(message, /mlops:mlPlatform\.aws\.vpcCidr/);
        assert.match(message, /mlops:models\[0\]\.serverlessMinReplicas/);
        assert.deepEqual(registered, []);
    });
});
