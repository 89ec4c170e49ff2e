/**
 * The AWS data pipelines' arguments, computed from `mlops:pipelines` (the stack build in stacks/clouds/aws.ts
 * passes exactly these), and `checkAwsPipelines`, which runs the pipeline validators on them before anything
 * is created, each problem at the `mlops:pipelines...` key the user wrote. Pure: no SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import { atKeys, PipelineJobSpec, ProblemDetail, StreamSpec } from "@mlops/components";
import { glueDatabaseName } from "@mlops/components/naming/aws";
import { imageSource } from "@mlops/components/container-service/aws-images";
import {
    EcsFargatePipelinesArgs,
    FirehoseStreamsArgs,
    GluePipelinesArgs,
    validateEcsFargatePipelines,
    validateFirehoseStreams,
    validateGluePipelines,
} from "@mlops/components/data-pipeline/aws-args";
import { awsStackBasics, SERVING_LOG_DAYS } from "./aws";
import { StackConfig } from "./schema";

type In = pulumi.Input<string>;
type InList = pulumi.Input<pulumi.Input<string>[]>;

/** What the pipeline components take from the resources before them. */
export interface AwsPipelineRefs {
    readonly kmsKeyArn: In;
    readonly alertTopicArn: In;
    readonly bucketNames: pulumi.Input<Record<string, string>>;
    readonly accessLogBucketName: In;
    readonly vpcId: In;
    readonly subnetIds: InList;
    readonly registryHost: In;
    readonly cachePrefix: string | undefined;
    readonly pullRepositoryArns: InList;
}

/** The component names in the AWS stack. */
export const AWS_PIPELINE_COMPONENT_NAMES = { jobs: "pipelines", streams: "streams" } as const;

/** The jobs as the contract's specs. */
export function awsPipelineJobs(cfg: StackConfig): PipelineJobSpec[] {
    return cfg.pipelines.jobs.map((j) => ({
        name: j.name,
        image: j.image,
        command: j.command,
        args: j.args,
        env: j.env,
        files: j.files,
        source: { zone: j.source.zone, prefix: j.source.prefix },
        target: { zone: j.target.zone, prefix: j.target.prefix },
        schedule: j.schedule,
        onArrival: j.onArrival,
        cpuMillicores: j.cpuMillicores,
        memoryMiB: j.memoryMiB,
        accelerator: j.accelerator,
        timeoutMinutes: j.timeoutMinutes,
        retries: j.retries,
    }));
}

export function awsStreamSpecs(cfg: StackConfig): StreamSpec[] {
    return cfg.pipelines.streams.map((s) => ({ name: s.name, target: { ...s.target }, retentionHours: s.retentionHours }));
}

function common(cfg: StackConfig, refs: AwsPipelineRefs) {
    return {
        jobs: awsPipelineJobs(cfg),
        namePrefix: awsStackBasics(cfg).namePrefix,
        zones: cfg.dataLake.zones,
        bucketNames: refs.bucketNames,
        kmsKeyArn: refs.kmsKeyArn,
        alertTopicArn: refs.alertTopicArn,
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("data-pipeline"),
    };
}

export function awsEcsPipelinesArgs(cfg: StackConfig, refs: AwsPipelineRefs): EcsFargatePipelinesArgs {
    return {
        ...common(cfg, refs),
        vpcId: refs.vpcId,
        subnetIds: refs.subnetIds,
        registryHost: refs.registryHost,
        cachePrefix: refs.cachePrefix,
        pullRepositoryArns: refs.pullRepositoryArns,
    };
}

export function awsGluePipelinesArgs(cfg: StackConfig, refs: AwsPipelineRefs): GluePipelinesArgs {
    const prefix = awsStackBasics(cfg).namePrefix;
    return {
        ...common(cfg, refs),
        // The lake creates a catalog database per zone only with its query engine.
        catalogDatabases: cfg.dataLake.queryEngine
            ? Object.fromEntries(cfg.dataLake.zones.map((z) => [z, glueDatabaseName([prefix, z])]))
            : {},
        accessLogBucketName: refs.accessLogBucketName,
        forceDestroy: cfg.aws?.dataLake.forceDestroy ?? false,
    };
}

export function awsStreamsArgs(cfg: StackConfig, refs: Pick<AwsPipelineRefs, "kmsKeyArn" | "bucketNames">): FirehoseStreamsArgs {
    return {
        streams: awsStreamSpecs(cfg),
        namePrefix: awsStackBasics(cfg).namePrefix,
        zones: cfg.dataLake.zones,
        bucketNames: refs.bucketNames,
        kmsKeyArn: refs.kmsKeyArn,
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("data-pipeline"),
    };
}

const PLACEHOLDER = "(created by the stack)";

/**
 * The pipeline validators on the args the build passes, re-rooted at `mlops:pipelines...`. Problems the
 * pipelines parser already reports (names, zones, prefixes, cron, accelerators, jobs that never run) are
 * left to it, so no problem is listed twice.
 */
export function checkAwsPipelines(config: StackConfig): ProblemDetail[] {
    const aws = config.aws;
    if (!aws) return [];
    const ns = `${config.project}:`;
    const at = `${ns}pipelines`;
    const problems: ProblemDetail[] = [];
    const jobs = config.pipelines.jobs;
    const refs: AwsPipelineRefs = {
        kmsKeyArn: PLACEHOLDER,
        alertTopicArn: PLACEHOLDER,
        bucketNames: {},
        accessLogBucketName: PLACEHOLDER,
        vpcId: PLACEHOLDER,
        subnetIds: [PLACEHOLDER],
        registryHost: PLACEHOLDER,
        cachePrefix: PLACEHOLDER,
        pullRepositoryArns: [PLACEHOLDER],
    };
    const keys: Record<string, string> = { jobs: `${at}.jobs`, streams: `${at}.streams`, namePrefix: `${ns}stack` };
    // The parser owns these checks (and reports them in its own words).
    const parserOwns = /^jobs\[\d+\](\.(name|source|schedule|accelerator))?$/;
    const own = (found: ProblemDetail[]) => found.filter((p) => !parserOwns.test(p.path));
    if (jobs.length > 0) {
        if (config.pipelines.implementation === "glue")
            problems.push(...atKeys(own(validateGluePipelines(awsGluePipelinesArgs(config, refs))), keys, at));
        else problems.push(...atKeys(own(validateEcsFargatePipelines(awsEcsPipelinesArgs(config, refs))), keys, at));
        const net = aws.network;
        // A first pull through the ECR pull-through cache, and any other registry, needs NAT (docs/aws.md, "Network").
        const needsNat = jobs.some((j) => imageSource(j.image) !== "ecr");
        if (config.pipelines.implementation === "ecs-fargate" && net.natGateways === 0 && (needsNat || !net.interfaceEndpoints))
            problems.push({
                path: `${ns}mlPlatform.aws.natGateways`,
                value: 0,
                message: needsNat
                    ? "must be at least 1 for ecs-fargate pipelines whose image is not in the account's ECR: their tasks run in the private subnets and pull from there"
                    : "must be at least 1 (or interfaceEndpoints true) for ecs-fargate pipelines: their tasks run in the private subnets and pull images and write logs from there",
                fix: "set natGateways: 1, or use mlops:pipelines.implementation glue",
            });
    }
    if (config.pipelines.streams.length > 0) {
        const found = validateFirehoseStreams(awsStreamsArgs(config, refs)).filter((p) => !/^streams\[\d+\]\.name$/.test(p.path));
        problems.push(...atKeys(found, keys, at));
    }
    return problems;
}
