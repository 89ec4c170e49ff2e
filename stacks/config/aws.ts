/**
 * Aws-only settings: the `aws` sub-object of each `mlops:` section (`mlops:dataLake.aws`,
 * `mlops:mlPlatform.aws`, `mlops:containerService.aws`, `mlops:serverlessInference.aws`,
 * `mlops:models[i].aws`). Parsed only when `mlops:cloud` is `aws`. Documented in docs/aws.md.
 *
 * The network lives under `mlops:mlPlatform.aws` because one VPC serves SageMaker, Fargate and Lambda.
 * Checks that need the rest of the config (which implementation serves which model) are in
 * `awsConfigProblems`, run by the AWS stack before it creates anything.
 */
import * as fs from "fs";
import * as path from "path";
import { ProblemDetail } from "@mlops/components";
import { ACM_CERTIFICATE_ARN, COLD_STORAGE_CLASSES } from "@mlops/components/data-lake/aws-naming";
import { CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import type { StackConfig } from "./schema";

/** Where `lambdaCode` and `sagemakerCode` directories are resolved from: the project root. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export const AWS_KEYS = {
    mlPlatform: ["vpcCidr", "availabilityZones", "natGateways", "interfaceEndpoints", "flowLogs", "studio", "cpuTrainingInstanceType"],
    dataLake: ["coldStorageClass", "catalogEncryption", "dataAccessTrail", "forceDestroy", "queryBytesScannedCutoffGiB"],
    containerService: ["publicIngress", "certificateArn", "plainHttp", "allowedCidrs", "latencyThresholdMs"],
    serverlessInference: ["reserveLambdaConcurrency", "lambdaTimeoutSeconds", "dataCaptureSamplingPercent", "latencyThresholdMs"],
    model: ["lambdaCode", "lambdaHandler", "lambdaRuntime", "sagemakerCode", "sagemakerImage"],
} as const;

/** Keys that moved elsewhere: reported with where they went instead of "not a known key". */
const MOVED_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    mlPlatform: {
        alarmEmail: "`mlops:notifications.emails` (a list: `emails: [oncall@your-company.com]`), which every cloud's alerts use",
    },
};

export interface AwsNetworkConfig {
    readonly vpcCidr: string;
    readonly availabilityZones: number;
    /** 0 (no internet egress), 1 (shared) or one per zone. Each costs per hour and per GB. */
    readonly natGateways: number;
    /** Interface endpoints for the AWS APIs the private compute calls (cost per hour per zone). */
    readonly interfaceEndpoints: boolean;
    readonly flowLogs: boolean;
}

export interface AwsModelConfig {
    /** `lambdaCode` directory read into name -> content. */
    readonly lambdaCode?: Record<string, string>;
    readonly lambdaHandler: string;
    readonly lambdaRuntime: string;
    /** `sagemakerCode` directory read into name -> content (placed under code/ in model.tar.gz). */
    readonly sagemakerCode?: Record<string, string>;
    readonly sagemakerImage?: string;
}

export interface AwsConfig {
    /** `aws:region`, when set in the stack (the provider can also take it from AWS_REGION). */
    readonly region?: string;
    readonly network: AwsNetworkConfig;
    readonly mlPlatform: { readonly studio: boolean; readonly cpuTrainingInstanceType: string };
    readonly dataLake: {
        readonly coldStorageClass: string;
        readonly catalogEncryption: boolean;
        readonly dataAccessTrail: boolean;
        readonly forceDestroy: boolean;
        readonly queryBytesScannedCutoffGiB: number;
    };
    readonly containerService: {
        readonly publicIngress: boolean;
        /** The HTTPS listener's ACM certificate; without it (and without plainHttp) the stack issues one from its own CA. */
        readonly certificateArn?: string;
        /** Plain HTTP on port 80 for an internal-only load balancer (the documented opt-out of TLS). */
        readonly plainHttp: boolean;
        readonly allowedCidrs?: string[];
        readonly latencyThresholdMs: number;
    };
    readonly serverlessInference: {
        readonly reserveLambdaConcurrency: boolean;
        readonly lambdaTimeoutSeconds: number;
        readonly dataCaptureSamplingPercent: number;
        readonly latencyThresholdMs: number;
    };
    /** Per model, by index in `mlops:models`. */
    readonly models: AwsModelConfig[];
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export function parseAwsConfig(sections: CloudSections, read: Reader): AwsConfig {
    const at = (s: Parameters<CloudSections["path"]>[0]) => sections.path(s);
    const ml = objectWithMovedKeys(sections.sections.mlPlatform, at("mlPlatform"), "mlPlatform", read);
    const lake = read.object(sections.sections.dataLake, at("dataLake"), AWS_KEYS.dataLake);
    const cs = read.object(sections.sections.containerService, at("containerService"), AWS_KEYS.containerService);
    const si = read.object(sections.sections.serverlessInference, at("serverlessInference"), AWS_KEYS.serverlessInference);

    const region = sections.providerConfig["aws:region"];
    if (region !== undefined && !REGION.test(region))
        read.problems.push({
            path: "aws:region",
            value: region,
            message: "is not an AWS region name",
            fix: "e.g. `pulumi config set aws:region eu-west-1`",
        });

    const zones = read.int(ml, "availabilityZones", at("mlPlatform"), 2, { min: 2, max: 6, unit: "zones; two at least, for availability" });
    const vpcCidr = read.matching(ml, "vpcCidr", at("mlPlatform"), CIDR, "an IPv4 CIDR block such as 10.40.0.0/16") ?? "10.40.0.0/16";
    const prod = sections.environment === "prod";
    const forceDestroy = read.bool(lake, "forceDestroy", at("dataLake"), !prod);
    if (prod && forceDestroy)
        read.problems.push({
            path: `${at("dataLake")}.forceDestroy`,
            value: true,
            message: "would let `pulumi destroy` empty the prod lake",
            fix: "remove it: prod buckets are protected, retained and never force-destroyed",
        });
    const certificateArn = read.matching(
        cs,
        "certificateArn",
        at("containerService"),
        ACM_CERTIFICATE_ARN,
        "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
    );
    const certificateRegion = certificateArn === undefined ? undefined : ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
    if (certificateRegion !== undefined && region !== undefined && certificateRegion !== region) {
        read.problems.push({
            path: `${at("containerService")}.certificateArn`,
            value: certificateArn,
            message: `is in ${certificateRegion}, but a load balancer can only use an ACM certificate of its own region (aws:region ${region})`,
            fix: `request or import the certificate in ${region}, or leave certificateArn out and the stack issues one from its own CA`,
        });
    }
    const plainHttp = read.bool(cs, "plainHttp", at("containerService"), false);
    if (plainHttp && certificateArn !== undefined) {
        read.problems.push({
            path: `${at("containerService")}.plainHttp`,
            value: true,
            message: "turns TLS off, yet certificateArn is set",
            fix: "remove one of them: plainHttp only for an internal-only load balancer without TLS",
        });
    }
    const allowedCidrs = cs?.allowedCidrs === undefined ? undefined : read.stringList(cs, "allowedCidrs", at("containerService"), []);
    allowedCidrs?.forEach((c, i) => {
        if (!CIDR.test(c))
            read.problems.push({ path: `${at("containerService")}.allowedCidrs[${i}]`, value: c, message: "is not an IPv4 CIDR block" });
    });

    return {
        region,
        network: {
            vpcCidr,
            availabilityZones: zones,
            natGateways: read.int(ml, "natGateways", at("mlPlatform"), 0, {
                min: 0,
                max: zones,
                unit: "NAT gateways; each costs per hour and per GB",
            }),
            interfaceEndpoints: read.bool(ml, "interfaceEndpoints", at("mlPlatform"), false),
            flowLogs: read.bool(ml, "flowLogs", at("mlPlatform"), true),
        },
        mlPlatform: {
            studio: read.bool(ml, "studio", at("mlPlatform"), true),
            cpuTrainingInstanceType:
                read.matching(
                    ml,
                    "cpuTrainingInstanceType",
                    at("mlPlatform"),
                    /^ml\.[a-z0-9]+\.[a-z0-9]+$/,
                    "a SageMaker instance type such as ml.m5.xlarge",
                ) ?? "ml.m5.xlarge",
        },
        dataLake: {
            coldStorageClass: read.oneOf(lake, "coldStorageClass", at("dataLake"), COLD_STORAGE_CLASSES, "STANDARD_IA"),
            catalogEncryption: read.bool(lake, "catalogEncryption", at("dataLake"), true),
            dataAccessTrail: read.bool(lake, "dataAccessTrail", at("dataLake"), true),
            forceDestroy: forceDestroy && !prod,
            queryBytesScannedCutoffGiB: read.int(lake, "queryBytesScannedCutoffGiB", at("dataLake"), 10, {
                min: 1,
                max: 1_000_000,
                unit: "GiB",
            }),
        },
        containerService: {
            publicIngress: read.bool(cs, "publicIngress", at("containerService"), false),
            certificateArn,
            plainHttp,
            allowedCidrs,
            latencyThresholdMs: read.int(cs, "latencyThresholdMs", at("containerService"), 1000, { min: 1, max: 600000, unit: "ms" }),
        },
        serverlessInference: {
            reserveLambdaConcurrency: read.bool(si, "reserveLambdaConcurrency", at("serverlessInference"), true),
            lambdaTimeoutSeconds: read.int(si, "lambdaTimeoutSeconds", at("serverlessInference"), 30, {
                min: 1,
                max: 900,
                unit: "seconds",
            }),
            dataCaptureSamplingPercent: read.int(si, "dataCaptureSamplingPercent", at("serverlessInference"), 100, {
                min: 1,
                max: 100,
                unit: "percent",
            }),
            latencyThresholdMs: read.int(si, "latencyThresholdMs", at("serverlessInference"), 1000, { min: 1, max: 600000, unit: "ms" }),
        },
        models: sections.models.map((raw, i) => parseModel(raw, sections.modelPath(i), read)),
    };
}

/** `read.object`, except that a key that moved is reported once, with where it went. */
function objectWithMovedKeys(
    value: unknown,
    at: string,
    section: keyof typeof AWS_KEYS & keyof typeof MOVED_KEYS,
    read: Reader,
): Obj | undefined {
    const moved = MOVED_KEYS[section];
    const given = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : undefined;
    const obj = read.object(
        given ? Object.fromEntries(Object.entries(given).filter(([k]) => !(k in moved))) : value,
        at,
        AWS_KEYS[section],
    );
    for (const [key, where] of Object.entries(moved)) {
        if (given && key in given)
            read.problems.push({
                path: `${at}.${key}`,
                value: given[key],
                message: `has moved to ${where}`,
                fix: `remove ${key} and list the address under mlops:notifications.emails`,
            });
    }
    return obj;
}

function parseModel(raw: unknown, at: string, read: Reader): AwsModelConfig {
    const m = read.object(raw, at, AWS_KEYS.model);
    return {
        lambdaCode: readDirectory(m, "lambdaCode", at, read),
        lambdaHandler:
            read.matching(
                m,
                "lambdaHandler",
                at,
                /^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/,
                "`<file>.<function>`, e.g. handler.handler",
            ) ?? "handler.handler",
        lambdaRuntime: read.string(m, "lambdaRuntime", at) ?? "python3.13",
        sagemakerCode: readDirectory(m, "sagemakerCode", at, read),
        sagemakerImage: read.matching(
            m,
            "sagemakerImage",
            at,
            /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^:@\s]+(:[^\s]+|@sha256:[0-9a-f]{64})$/,
            "a pinned ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)",
        ),
    };
}

/** Reads a flat directory of text files (relative to the project root) into name -> content. */
function readDirectory(obj: Obj | undefined, key: string, at: string, read: Reader): Record<string, string> | undefined {
    const dir = read.string(obj, key, at);
    if (dir === undefined) return undefined;
    const full = path.resolve(PROJECT_ROOT, dir);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
        read.problems.push({
            path: `${at}.${key}`,
            value: dir,
            message: "is not a directory in the project",
            fix: "give a path relative to the project root, e.g. `samples/aws/lambda`",
        });
        return undefined;
    }
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isFile()) files[entry.name] = fs.readFileSync(path.join(full, entry.name), "utf8");
    }
    if (Object.keys(files).length === 0) read.problems.push({ path: `${at}.${key}`, value: dir, message: "holds no files" });
    return files;
}

/** Images Fargate in private subnets can pull without NAT: the account's own ECR. */
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/**
 * Checks that need the whole config: what each implementation needs from the models and the network. The
 * AWS stack runs them before creating anything and reports them with the parser's problems' format.
 */
export function awsConfigProblems(config: StackConfig): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const aws = config.aws;
    if (!aws) return problems;
    const ns = `${config.project}:`;
    const net = aws.network;
    const model = (i: number) => `${ns}models[${i}]`;
    config.models.forEach((m, i) => {
        const a = aws.models[i];
        const served = (target: "containerService" | "serverlessInference") => m.serveWith.includes(target);
        if (served("serverlessInference")) {
            switch (config.serverlessInference.implementation) {
                case "lambda":
                    if (!a?.lambdaCode)
                        problems.push({
                            path: `${model(i)}.aws.lambdaCode`,
                            value: undefined,
                            message: "is required: Lambda runs a zip package, not the model's image",
                            fix: "point it at the function's directory, e.g. samples/aws/lambda",
                        });
                    if (m.serverlessMinReplicas > 0)
                        problems.push({
                            path: `${model(i)}.serverlessMinReplicas`,
                            value: m.serverlessMinReplicas,
                            message: "asks for warm Lambda instances, which this platform does not provision",
                            fix: "set it to 0, or use sagemaker-serverless or sagemaker-endpoint",
                        });
                    break;
                case "sagemaker-serverless":
                case "sagemaker-endpoint":
                    if (!a?.sagemakerImage && !a?.sagemakerCode?.["inference.py"]) {
                        problems.push({
                            path: `${model(i)}.aws.sagemakerCode`,
                            value: a?.sagemakerCode ? Object.keys(a.sagemakerCode) : undefined,
                            message: "must hold inference.py for the AWS PyTorch serving container",
                            fix: "point it at e.g. samples/aws/sagemaker, or set sagemakerImage to your own serving image",
                        });
                    }
                    break;
            }
        }
        if (served("containerService") && config.containerService.implementation === "ecs-fargate") {
            if (!PRIVATE_ECR.test(m.image) && net.natGateways === 0) {
                problems.push({
                    path: `${model(i)}.image`,
                    value: m.image,
                    message:
                        "is outside the account's ECR, and Fargate in private subnets can only reach it through NAT (ECR's first pull through its cache also needs NAT)",
                    fix: `set ${ns}mlPlatform.aws.natGateways: 1, or push the image to the model's ECR repository and use that URI`,
                });
            }
            if (net.natGateways === 0 && !net.interfaceEndpoints) {
                problems.push({
                    path: `${ns}mlPlatform.aws.interfaceEndpoints`,
                    value: false,
                    message: "must be on for ecs-fargate without NAT: tasks reach ECR and CloudWatch Logs through interface endpoints",
                    fix: "set interfaceEndpoints: true or natGateways: 1",
                });
            }
        }
        if (served("containerService") && config.containerService.implementation === "app-runner" && m.files) {
            problems.push({
                path: `${model(i)}.files`,
                value: Object.keys(m.files),
                message: "cannot be mounted on App Runner, which runs the image as it is",
                fix: "bake the files into the image, or use containerService ecs-fargate",
            });
        }
    });
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}
