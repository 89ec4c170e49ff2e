/**
 * Aws-only settings: the `aws` sub-object of each `mlops:` section (`mlops:dataLake.aws`,
 * `mlops:mlPlatform.aws`, `mlops:containerService.aws`, `mlops:serverlessInference.aws`,
 * `mlops:models[i].aws`). Parsed only when `mlops:cloud` is `aws`. Documented in docs/aws.md.
 *
 * The network lives under `mlops:mlPlatform.aws` because one VPC serves SageMaker, Fargate and Lambda.
 * Checks that need the rest of the config are in `checkAwsStack` (the AWS target's `checkStack`): what each
 * implementation needs from the models and the network, and every AWS component's validator run on the
 * arguments the stack build passes (`aws*Args` below, shared with stacks/clouds/aws.ts), with problems at
 * the keys the user wrote. Pure: no SDK.
 */
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { atKeys, ownershipTags, ProblemDetail } from "@mlops/components";
import { ACM_CERTIFICATE_ARN, namePrefix, validateRegion } from "@mlops/components/aws-args";
import { COLD_STORAGE_CLASSES } from "@mlops/components/aws-args";
import { logRetentionDays } from "@mlops/components/aws-args";
import { AwsKmsKeyArgs, validateAwsKmsKey } from "@mlops/components/aws-args";
import { AwsNetworkArgs, validateAwsNetwork } from "@mlops/components/aws-args";
import { AwsAlertTopicArgs, validateAwsAlertTopic } from "@mlops/components/aws-args";
import { S3DataLakeArgs, validateS3DataLake } from "@mlops/components/aws-args";
import { AwsContainerRegistryArgs, validateAwsContainerRegistry } from "@mlops/components/aws-args";
import { SageMakerPlatformArgs, validateSageMakerPlatform } from "@mlops/components/aws-args";
import {
    AppRunnerServiceArgs,
    EcsFargateServiceArgs,
    validateAppRunnerService,
    validateEcsFargateService,
} from "@mlops/components/aws-args";
import type { AwsModelStoreArgs } from "@mlops/components/aws-args";
import {
    LambdaInferenceArgs,
    SageMakerInferenceArgs,
    validateLambdaInference,
    validateSageMakerInference,
} from "@mlops/components/aws-args";
import { servingSpecs } from "../models";
import { AWS_KEYS, AwsConfig, AwsModelConfig } from "./aws-options";
import { CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import { FLOORS, StackConfig } from "./schema";

export { AWS_KEYS } from "./aws-options";
export type { AwsConfig, AwsModelConfig, AwsNetworkConfig } from "./aws-options";

/** Keys that moved elsewhere: reported with where they went instead of "not a known key". */
const MOVED_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    mlPlatform: {
        alarmEmail: "`mlops:notifications.emails` (a list: `emails: [oncall@your-company.com]`), which every cloud's alerts use",
    },
};

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

export function parseAwsConfig(sections: CloudSections, read: Reader): AwsConfig {
    const at = (s: Parameters<CloudSections["path"]>[0]) => sections.path(s);
    const ml = objectWithMovedKeys(sections.sections.mlPlatform, at("mlPlatform"), "mlPlatform", read);
    const lake = read.object(sections.sections.dataLake, at("dataLake"), AWS_KEYS.dataLake);
    const cs = read.object(sections.sections.containerService, at("containerService"), AWS_KEYS.containerService);
    const si = read.object(sections.sections.serverlessInference, at("serverlessInference"), AWS_KEYS.serverlessInference);

    const region = sections.providerConfig["aws:region"];
    read.problems.push(...validateRegion(region, "aws:region"));

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
        models: sections.models.map((raw, i) => parseModel(raw, sections.modelPath(i), read, sections.projectRoot)),
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

function parseModel(raw: unknown, at: string, read: Reader, root: string): AwsModelConfig {
    const m = read.object(raw, at, AWS_KEYS.model);
    return {
        lambdaCode: readDirectory(m, "lambdaCode", at, read, root),
        lambdaHandler:
            read.matching(
                m,
                "lambdaHandler",
                at,
                /^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/,
                "`<file>.<function>`, e.g. handler.handler",
            ) ?? "handler.handler",
        lambdaRuntime: read.string(m, "lambdaRuntime", at) ?? "python3.13",
        sagemakerCode: readDirectory(m, "sagemakerCode", at, read, root),
        sagemakerImage: read.matching(
            m,
            "sagemakerImage",
            at,
            /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^:@\s]+(:[^\s]+|@sha256:[0-9a-f]{64})$/,
            "a pinned ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)",
        ),
    };
}

/** Reads a flat directory of text files (relative to the project root `root`) into name -> content. */
function readDirectory(obj: Obj | undefined, key: string, at: string, read: Reader, root: string): Record<string, string> | undefined {
    const dir = read.string(obj, key, at);
    if (dir === undefined) return undefined;
    const full = path.resolve(root, dir);
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

/** Interface endpoints `interfaceEndpoints: true` creates: what Fargate, SageMaker and Studio call. */
export const PRIVATE_API_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "sts", "sagemaker.api", "sagemaker.runtime"] as const;
/** Key prefix of the load balancers' access logs in the lake's access-log bucket. */
export const ALB_LOG_PREFIX = "alb";
/** Serving logs are kept a year (CKV_AWS_338). */
export const SERVING_LOG_DAYS = 365;

/*
 * The AWS components' arguments, computed from the config: the stack build (stacks/clouds/aws.ts) passes
 * exactly these, and checkAwsStack runs each component's validator on them before anything is created.
 * What only a created resource knows (ARNs, IDs) comes in `refs`; the check passes placeholders, which the
 * validators do not inspect.
 */

type In = pulumi.Input<string>;
type InList = pulumi.Input<pulumi.Input<string>[]>;

/** The stack's name prefix and each component's tags. */
export function awsStackBasics(cfg: StackConfig) {
    const prefix = namePrefix(cfg.project, cfg.stack);
    const tags = (component: string) => ({
        ...ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }),
        "mlops-component": component,
    });
    return { namePrefix: prefix, tags };
}

function awsOf(cfg: StackConfig): AwsConfig {
    if (!cfg.aws) throw new Error(`stack "${cfg.stack}" has no AWS settings (mlops:cloud is ${cfg.cloud})`);
    return cfg.aws;
}

/** Whether the stack serves models on App Runner privately (needs the `apprunner.requests` endpoint). */
function privateAppRunner(cfg: StackConfig): boolean {
    return (
        cfg.containerService.implementation === "app-runner" &&
        servingSpecs(cfg.models, "containerService").length > 0 &&
        !awsOf(cfg).containerService.publicIngress
    );
}

export function awsKmsKeyArgs(cfg: StackConfig): AwsKmsKeyArgs {
    const { namePrefix: prefix, tags } = awsStackBasics(cfg);
    return {
        description: `mlops ${cfg.stack}: data lake, logs, registry, SageMaker, alerts`,
        aliasName: `alias/${prefix}`,
        protectData: cfg.protectData,
        // The account-wide Glue catalog setting keeps using the key after the stack is gone.
        retainOnDelete: cfg.dataLake.queryEngine && awsOf(cfg).dataLake.catalogEncryption,
        deletionWindowDays: cfg.protectData ? 30 : 7,
        tags: tags("encryption"),
    };
}

export function awsNetworkArgs(cfg: StackConfig, refs: { kmsKeyArn: In }): AwsNetworkArgs {
    const net = awsOf(cfg).network;
    return {
        cidrBlock: net.vpcCidr,
        availabilityZoneCount: net.availabilityZones,
        natGatewayCount: net.natGateways,
        interfaceEndpointServices: [
            ...(net.interfaceEndpoints ? PRIVATE_API_ENDPOINTS : []),
            ...(privateAppRunner(cfg) ? ["apprunner.requests"] : []),
        ],
        flowLogs: net.flowLogs,
        flowLogRetentionDays: SERVING_LOG_DAYS,
        kmsKeyArn: refs.kmsKeyArn,
        tags: awsStackBasics(cfg).tags("network"),
    };
}

export function awsAlertTopicArgs(cfg: StackConfig, refs: { kmsKeyArn: In }): AwsAlertTopicArgs {
    return {
        kmsKeyArn: refs.kmsKeyArn,
        emails: [...cfg.notifications.emails],
        webhooks: [...cfg.notifications.webhooks],
        // Data pipelines publish failed runs through EventBridge (components/data-pipeline/aws.ts).
        ...(cfg.pipelines.jobs.length > 0 ? { eventBridgePublish: true } : {}),
        tags: awsStackBasics(cfg).tags("observability"),
    };
}

/** Whether the stack runs Fargate services (their load balancers log to the lake). */
function fargate(cfg: StackConfig): boolean {
    return cfg.containerService.implementation === "ecs-fargate" && servingSpecs(cfg.models, "containerService").length > 0;
}

/**
 * Zones whose buckets send events to EventBridge: the sources of pipelines that run when objects arrive, and
 * the datasets of trainings that run when a dataset version is complete (`training.onNewData`).
 */
export function awsEventBridgeZones(cfg: StackConfig): string[] {
    const trainings = cfg.models.flatMap((m) => (m.training?.onNewData && m.training.dataset.zone ? [m.training.dataset.zone] : []));
    return [...new Set([...cfg.pipelines.jobs.filter((j) => j.onArrival).map((j) => j.source.zone), ...trainings])];
}

export function awsDataLakeArgs(cfg: StackConfig, refs: { kmsKeyArn: In }): S3DataLakeArgs {
    const aws = awsOf(cfg);
    return {
        namePrefix: awsStackBasics(cfg).namePrefix,
        zones: cfg.dataLake.zones,
        kmsKeyArn: refs.kmsKeyArn,
        protectData: cfg.protectData,
        forceDestroy: aws.dataLake.forceDestroy,
        noncurrentVersionRetentionDays: cfg.dataLake.noncurrentVersionRetentionDays,
        abortIncompleteUploadDays: cfg.dataLake.abortIncompleteUploadDays,
        rawColdStorageAfterDays: cfg.dataLake.rawColdStorageAfterDays,
        coldStorageClass: aws.dataLake.coldStorageClass,
        auditLogRetentionDays: logRetentionDays(cfg.dataLake.auditLogRetentionDays),
        queryEngine: cfg.dataLake.queryEngine,
        catalogEncryption: aws.dataLake.catalogEncryption,
        dataAccessTrail: aws.dataLake.dataAccessTrail,
        queryBytesScannedCutoffGiB: aws.dataLake.queryBytesScannedCutoffGiB,
        ...(fargate(cfg) ? { loadBalancerLogPrefix: ALB_LOG_PREFIX } : {}),
        ...(awsEventBridgeZones(cfg).length > 0 ? { eventBridgeZones: awsEventBridgeZones(cfg) } : {}),
        tags: awsStackBasics(cfg).tags("data-lake"),
    };
}

export function awsRegistryArgs(cfg: StackConfig, refs: { kmsKeyArn: In }): AwsContainerRegistryArgs {
    return {
        namespace: awsStackBasics(cfg).namePrefix,
        models: cfg.models.map((m) => m.name),
        kmsKeyArn: refs.kmsKeyArn,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("registry"),
    };
}

export function awsPlatformArgs(
    cfg: StackConfig,
    refs: {
        kmsKeyArn: In;
        artifactBucket: In;
        artifactBucketArn: In;
        lakeBucketArns: InList;
        repositoryArns: InList;
        vpcId: In;
        subnetIds: InList;
    },
): SageMakerPlatformArgs {
    const aws = awsOf(cfg);
    return {
        namePrefix: awsStackBasics(cfg).namePrefix,
        models: cfg.models.map((m) => m.name),
        artifactBucket: refs.artifactBucket,
        artifactBucketArn: refs.artifactBucketArn,
        lakeBucketArns: refs.lakeBucketArns,
        kmsKeyArn: refs.kmsKeyArn,
        repositoryArns: refs.repositoryArns,
        vpcId: refs.vpcId,
        subnetIds: refs.subnetIds,
        studio: aws.mlPlatform.studio,
        cpuTrainingInstanceType: aws.mlPlatform.cpuTrainingInstanceType,
        training: cfg.mlPlatform.training,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("ml-platform"),
    };
}

/** What the serving components take from the resources before them. */
export interface AwsServingRefs {
    readonly kmsKeyArn: In;
    readonly alertTopicArn: In;
    readonly vpcId: In;
    readonly vpcCidrBlock: In;
    readonly subnetIds: InList;
    /** Whether the private subnets reach the internet (NAT gateways exist). */
    readonly internetEgress: boolean;
    readonly registryHost: In;
    readonly cachePrefix: string | undefined;
    readonly pullRepositoryArns: InList;
    readonly accessLogBucketName: In;
    readonly appRunnerIngressEndpointId: In;
    readonly modelsBucketName: In;
    /** The S3 gateway endpoint's prefix list (Lambda reaches served versions and captures through it). */
    readonly s3PrefixListId: In;
}

/**
 * The models zone as the serving components on `target` take it (training contract, loop step 4): the served
 * version of each model served there that has one (`servedVersion`), and the models with a drift monitor
 * (`training.drift`), whose scored inputs are captured. Undefined when no model there has either.
 */
export function awsModelStore(
    cfg: StackConfig,
    target: "containerService" | "serverlessInference",
    bucket: In,
): AwsModelStoreArgs | undefined {
    const served = cfg.models.filter((m) => m.serveWith.includes(target));
    const servedVersions = Object.fromEntries(served.flatMap((m) => (m.servedVersion !== undefined ? [[m.name, m.servedVersion]] : [])));
    const capture = served.filter((m) => m.training?.drift !== undefined).map((m) => m.name);
    if (Object.keys(servedVersions).length === 0 && capture.length === 0) return undefined;
    return {
        bucket,
        ...(Object.keys(servedVersions).length > 0 ? { servedVersions } : {}),
        ...(capture.length > 0 ? { capture } : {}),
    };
}

function containerCommon(cfg: StackConfig, refs: AwsServingRefs) {
    const modelStore = awsModelStore(cfg, "containerService", refs.modelsBucketName);
    return {
        models: servingSpecs(cfg.models, "containerService"),
        ...(modelStore ? { modelStore } : {}),
        namePrefix: awsStackBasics(cfg).namePrefix,
        kmsKeyArn: refs.kmsKeyArn,
        protectData: cfg.protectData,
        alarmTopicArn: refs.alertTopicArn,
        latencyThresholdMs: awsOf(cfg).containerService.latencyThresholdMs,
        tags: awsStackBasics(cfg).tags("container-service"),
    };
}

export function awsFargateArgs(cfg: StackConfig, refs: AwsServingRefs): EcsFargateServiceArgs {
    const cs = awsOf(cfg).containerService;
    return {
        ...containerCommon(cfg, refs),
        vpcId: refs.vpcId,
        vpcCidrBlock: refs.vpcCidrBlock,
        subnetIds: refs.subnetIds,
        registryHost: refs.registryHost,
        cachePrefix: refs.cachePrefix,
        pullRepositoryArns: refs.pullRepositoryArns,
        internetEgress: refs.internetEgress,
        listenerCertificateArn: cs.certificateArn,
        plainHttp: cs.plainHttp,
        accessLogBucketName: refs.accessLogBucketName,
        accessLogPrefix: ALB_LOG_PREFIX,
        allowedCidrs: cs.allowedCidrs,
        logRetentionDays: SERVING_LOG_DAYS,
    };
}

export function awsAppRunnerArgs(cfg: StackConfig, refs: AwsServingRefs): AppRunnerServiceArgs {
    return {
        ...containerCommon(cfg, refs),
        pullRepositoryArns: refs.pullRepositoryArns,
        publiclyAccessible: awsOf(cfg).containerService.publicIngress,
        vpcId: refs.vpcId,
        ingressEndpointId: refs.appRunnerIngressEndpointId,
    };
}

/**
 * The `aws` settings of a model served on demand, by name (looked up among those models, so a name the
 * parser refused as used twice does not pick another model's settings).
 */
function modelAws(cfg: StackConfig, name: string): AwsModelConfig | undefined {
    return cfg.aws?.models[cfg.models.findIndex((m) => m.name === name && m.serveWith.includes("serverlessInference"))];
}

function inferenceCommon(cfg: StackConfig, refs: AwsServingRefs) {
    const modelStore = awsModelStore(cfg, "serverlessInference", refs.modelsBucketName);
    return {
        models: servingSpecs(cfg.models, "serverlessInference"),
        ...(modelStore ? { modelStore } : {}),
        namePrefix: awsStackBasics(cfg).namePrefix,
        kmsKeyArn: refs.kmsKeyArn,
        alarmTopicArn: refs.alertTopicArn,
        logRetentionDays: SERVING_LOG_DAYS,
        tags: awsStackBasics(cfg).tags("serverless-inference"),
    };
}

export function awsLambdaArgs(cfg: StackConfig, refs: AwsServingRefs): LambdaInferenceArgs {
    const common = inferenceCommon(cfg, refs);
    const si = awsOf(cfg).serverlessInference;
    return {
        ...common,
        // A model without lambdaCode gets no entry: the validator reports it at that key.
        code: Object.fromEntries(
            common.models.flatMap((m) => {
                const a = modelAws(cfg, m.name);
                return a?.lambdaCode ? [[m.name, { handler: a.lambdaHandler, runtime: a.lambdaRuntime, files: a.lambdaCode }]] : [];
            }),
        ),
        vpcId: refs.vpcId,
        vpcCidrBlock: refs.vpcCidrBlock,
        subnetIds: refs.subnetIds,
        ...(common.modelStore ? { s3PrefixListId: refs.s3PrefixListId } : {}),
        timeoutSeconds: si.lambdaTimeoutSeconds,
        reserveConcurrency: si.reserveLambdaConcurrency,
    };
}

export function awsSageMakerInferenceArgs(cfg: StackConfig, refs: AwsServingRefs): SageMakerInferenceArgs {
    const common = inferenceCommon(cfg, refs);
    const si = awsOf(cfg).serverlessInference;
    const hosted = {
        ...common,
        retainArtifacts: cfg.protectData,
        latencyThresholdMs: si.latencyThresholdMs,
        artifactBucketName: refs.modelsBucketName,
        artifacts: Object.fromEntries(
            common.models.map((m) => [m.name, { files: m.files ?? {}, code: modelAws(cfg, m.name)?.sagemakerCode ?? {} }]),
        ),
        images: Object.fromEntries(
            common.models.flatMap((m) => {
                const image = modelAws(cfg, m.name)?.sagemakerImage;
                return image ? [[m.name, image]] : [];
            }),
        ),
    };
    if (cfg.serverlessInference.implementation === "sagemaker-serverless") return { ...hosted, serverless: true };
    return {
        ...hosted,
        serverless: false,
        dataCaptureBucketName: refs.modelsBucketName,
        dataCaptureSamplingPercent: si.dataCaptureSamplingPercent,
        vpcId: refs.vpcId,
        subnetIds: refs.subnetIds,
        minInstanceCount: FLOORS[cfg.environment].minReplicas,
    };
}

/** The components' Pulumi names in the AWS stack (their validators check auto-named children's lengths). */
export const AWS_COMPONENT_NAMES = { containerService: "serving", serverlessInference: "inference" } as const;

/** Stand-ins for resource outputs when the args are computed to be checked, before anything exists. */
const PLACEHOLDER = "(created by the stack)";

/**
 * Whole-stack checks of an AWS stack (the AWS target's `checkStack`): what each implementation needs from
 * the models and the network, then every component validator on the arguments the build will pass, each
 * problem at the stack key the user wrote. Pure, never throws; returns every problem once.
 */
export function checkAwsStack(config: StackConfig): ProblemDetail[] {
    const aws = config.aws;
    if (!aws) return [];
    const ns = `${config.project}:`;
    const problems: ProblemDetail[] = [...crossChecks(config, aws, ns), ...componentProblems(config, aws, ns)];
    return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}

/** What an implementation needs that no single component can see. */
function crossChecks(config: StackConfig, aws: AwsConfig, ns: string): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const net = aws.network;
    const fargateModels = config.containerService.implementation === "ecs-fargate" ? servingSpecs(config.models, "containerService") : [];
    if (fargateModels.length > 0 && net.natGateways === 0 && !net.interfaceEndpoints) {
        problems.push({
            path: `${ns}mlPlatform.aws.interfaceEndpoints`,
            value: false,
            message: "must be on for ecs-fargate without NAT: tasks reach ECR and CloudWatch Logs through interface endpoints",
            fix: "set interfaceEndpoints: true or natGateways: 1",
        });
    }
    return problems;
}

/** Every AWS component validator on the args the build passes, re-rooted at the keys the user wrote. */
function componentProblems(config: StackConfig, aws: AwsConfig, ns: string): ProblemDetail[] {
    const refs: AwsServingRefs = {
        kmsKeyArn: PLACEHOLDER,
        alertTopicArn: PLACEHOLDER,
        vpcId: PLACEHOLDER,
        vpcCidrBlock: aws.network.vpcCidr,
        subnetIds: [PLACEHOLDER],
        internetEgress: aws.network.natGateways > 0,
        registryHost: PLACEHOLDER,
        cachePrefix: PLACEHOLDER,
        pullRepositoryArns: [PLACEHOLDER],
        accessLogBucketName: PLACEHOLDER,
        appRunnerIngressEndpointId: PLACEHOLDER,
        modelsBucketName: PLACEHOLDER,
        s3PrefixListId: PLACEHOLDER,
    };
    const ml = `${ns}mlPlatform.aws`;
    const lake = `${ns}dataLake`;
    const modelNames = Object.fromEntries(config.models.map((_, i) => [`models[${i}]`, `${ns}models[${i}].name`]));
    const out: ProblemDetail[] = [
        ...atKeys(validateAwsKmsKey(awsKmsKeyArgs(config)), {}, `${ns}stack`),
        ...atKeys(
            validateAwsNetwork(awsNetworkArgs(config, refs)),
            {
                cidrBlock: `${ml}.vpcCidr`,
                availabilityZoneCount: `${ml}.availabilityZones`,
                natGatewayCount: `${ml}.natGateways`,
                interfaceEndpointServices: `${ml}.interfaceEndpoints`,
            },
            ml,
        ),
        ...atKeys(
            validateAwsAlertTopic(awsAlertTopicArgs(config, refs)),
            { emails: `${ns}notifications.emails`, webhooks: `${ns}notifications.webhooks` },
            `${ns}notifications`,
        ),
        ...atKeys(
            validateS3DataLake(awsDataLakeArgs(config, refs)),
            {
                coldStorageClass: `${lake}.aws.coldStorageClass`,
                forceDestroy: `${lake}.aws.forceDestroy`,
                queryBytesScannedCutoffGiB: `${lake}.aws.queryBytesScannedCutoffGiB`,
                namePrefix: `${ns}stack`,
            },
            lake,
        ),
        ...atKeys(validateAwsContainerRegistry(awsRegistryArgs(config, refs)), { ...modelNames, namespace: `${ns}stack` }, `${ns}models`),
        ...atKeys(
            validateSageMakerPlatform(
                awsPlatformArgs(config, {
                    ...refs,
                    artifactBucket: PLACEHOLDER,
                    artifactBucketArn: PLACEHOLDER,
                    lakeBucketArns: [PLACEHOLDER],
                    repositoryArns: [PLACEHOLDER],
                }),
            ),
            {
                ...modelNames,
                training: `${ns}mlPlatform.training`,
                cpuTrainingInstanceType: `${ml}.cpuTrainingInstanceType`,
                namePrefix: `${ns}stack`,
            },
            `${ns}mlPlatform`,
        ),
    ];

    const serving = (target: "containerService" | "serverlessInference") => {
        // A serving spec's index is its place among the models served there; the key is the model's own.
        const indexes = config.models.flatMap((m, i) => (m.serveWith.includes(target) ? [i] : []));
        const keys: Record<string, string> = { namePrefix: `${ns}stack` };
        indexes.forEach((i, j) => {
            const model = `${ns}models[${i}]`;
            const name = config.models[i].name;
            keys[`models[${j}]`] = model;
            if (target === "serverlessInference") {
                keys[`models[${j}].minReplicas`] = `${model}.serverlessMinReplicas`;
                keys[`models[${j}].maxReplicas`] = `${model}.serverlessMaxReplicas`;
            }
            keys[`code.${name}`] = `${model}.aws.lambdaCode`;
            keys[`code.${name}.handler`] = `${model}.aws.lambdaHandler`;
            keys[`code.${name}.runtime`] = `${model}.aws.lambdaRuntime`;
            keys[`code.${name}.files`] = `${model}.aws.lambdaCode`;
            keys[`artifacts.${name}`] = `${model}.aws.sagemakerCode`;
            keys[`artifacts.${name}.code`] = `${model}.aws.sagemakerCode`;
            keys[`images.${name}`] = `${model}.aws.sagemakerImage`;
            keys[`modelStore.servedVersions.${name}`] = `${model}.servedVersion`;
            keys[`modelStore.capture.${name}`] = `${model}.training.drift`;
        });
        return { count: indexes.length, keys };
    };
    const cs = serving("containerService");
    const csKeys = {
        ...cs.keys,
        listenerCertificateArn: `${ns}containerService.aws.certificateArn`,
        plainHttp: `${ns}containerService.aws.plainHttp`,
        allowedCidrs: `${ns}containerService.aws.allowedCidrs`,
        latencyThresholdMs: `${ns}containerService.aws.latencyThresholdMs`,
        publiclyAccessible: `${ns}containerService.aws.publicIngress`,
    };
    if (cs.count > 0 && config.containerService.implementation === "ecs-fargate") {
        const found = validateEcsFargateService(awsFargateArgs(config, refs), AWS_COMPONENT_NAMES.containerService);
        // The parser already reports certificateArn with plainHttp at the same key.
        const both = aws.containerService.plainHttp && aws.containerService.certificateArn !== undefined;
        out.push(
            ...atKeys(
                found.filter((p) => !(both && p.path === "plainHttp")),
                csKeys,
                `${ns}containerService`,
            ),
        );
    }
    if (cs.count > 0 && config.containerService.implementation === "app-runner")
        out.push(
            ...atKeys(
                validateAppRunnerService(awsAppRunnerArgs(config, refs), AWS_COMPONENT_NAMES.containerService),
                csKeys,
                `${ns}containerService`,
            ),
        );
    const si = serving("serverlessInference");
    const siKeys = {
        ...si.keys,
        timeoutSeconds: `${ns}serverlessInference.aws.lambdaTimeoutSeconds`,
        dataCaptureSamplingPercent: `${ns}serverlessInference.aws.dataCaptureSamplingPercent`,
        latencyThresholdMs: `${ns}serverlessInference.aws.latencyThresholdMs`,
        minInstanceCount: `${ns}environment`,
    };
    if (si.count > 0 && config.serverlessInference.implementation === "lambda")
        out.push(
            ...atKeys(
                validateLambdaInference(awsLambdaArgs(config, refs), AWS_COMPONENT_NAMES.serverlessInference),
                siKeys,
                `${ns}serverlessInference`,
            ),
        );
    if (si.count > 0 && config.serverlessInference.implementation.startsWith("sagemaker-"))
        out.push(
            ...atKeys(
                validateSageMakerInference(awsSageMakerInferenceArgs(config, refs), AWS_COMPONENT_NAMES.serverlessInference),
                siKeys,
                `${ns}serverlessInference`,
            ),
        );
    return out;
}
