/**
 * The AWS data pipelines' arguments, computed from `mlops:pipelines` (the stack build in stacks/clouds/aws.ts
 * passes exactly these), and `checkAwsPipelines`, which runs the pipeline validators on them before anything
 * is created, each problem at the `mlops:pipelines...` key the user wrote. Pure: no SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import { atKeys, ProblemDetail } from "@mlops/components";
import { glueDatabaseName } from "@mlops/components/aws-args";
import { imageSource } from "@mlops/components/aws-args";
import {
    EcsFargatePipelinesArgs,
    FirehoseStreamsArgs,
    GluePipelinesArgs,
    MwaaAirflowArgs,
    MwaaRunner,
    validateEcsFargatePipelines,
    validateFirehoseStreams,
    validateGluePipelines,
    validateMwaaAirflow,
} from "@mlops/components/aws-args";
import { awsStackBasics, SERVING_LOG_DAYS } from "./aws";
import { StackConfig } from "./schema";
import { pipelineJobSpecs, streamSpecs } from "./pipelines";

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
export const AWS_PIPELINE_COMPONENT_NAMES = { jobs: "pipelines", streams: "streams", airflow: "airflow" } as const;

function common(cfg: StackConfig, refs: AwsPipelineRefs) {
    return {
        jobs: pipelineJobSpecs(cfg),
        namePrefix: awsStackBasics(cfg).namePrefix,
        zones: cfg.dataLake.zones,
        bucketNames: refs.bucketNames,
        kmsKeyArn: refs.kmsKeyArn,
        alertTopicArn: refs.alertTopicArn,
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("data-pipeline"),
        orchestrator: cfg.pipelines.orchestrator,
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
        streams: streamSpecs(cfg),
        namePrefix: awsStackBasics(cfg).namePrefix,
        zones: cfg.dataLake.zones,
        bucketNames: refs.bucketNames,
        kmsKeyArn: refs.kmsKeyArn,
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        tags: awsStackBasics(cfg).tags("data-pipeline"),
    };
}

/** What the Airflow environment takes from the resources before it. */
export interface AwsAirflowRefs {
    readonly kmsKeyArn: In;
    readonly vpcId: In;
    /** The first two private subnets of the platform VPC (different zones: one subnet per zone). */
    readonly subnetIds: InList;
    readonly accessLogBucketName: In;
    /** The pipelines' runner (EcsFargatePipelines or GluePipelines outputs). */
    readonly runner: MwaaRunner;
}

/**
 * The MwaaAirflow args for `orchestrator: airflow`: the smallest class, one DAG per job. The private subnets
 * reach AWS APIs only through NAT in this network (no endpoints for SQS, KMS, CloudWatch metrics or MWAA).
 */
export function awsAirflowArgs(cfg: StackConfig, refs: AwsAirflowRefs): MwaaAirflowArgs {
    const aws = cfg.aws;
    return {
        namePrefix: awsStackBasics(cfg).namePrefix,
        jobs: pipelineJobSpecs(cfg),
        runner: refs.runner,
        kmsKeyArn: refs.kmsKeyArn,
        vpcId: refs.vpcId,
        subnetIds: refs.subnetIds,
        internetEgress: (aws?.network.natGateways ?? 0) > 0,
        accessLogBucketName: refs.accessLogBucketName,
        environmentClass: "mw1.micro",
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        forceDestroy: aws?.dataLake.forceDestroy ?? false,
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
        let airflowNeedsNat = false;
        if (config.pipelines.orchestrator === "airflow") {
            const families = Object.fromEntries(jobs.map((j) => [j.name, PLACEHOLDER]));
            const runner: MwaaRunner =
                config.pipelines.implementation === "glue"
                    ? { kind: "glue", jobNames: families }
                    : {
                          kind: "ecs-fargate",
                          clusterName: PLACEHOLDER,
                          clusterArn: PLACEHOLDER,
                          taskFamilies: families,
                          securityGroupIds: [PLACEHOLDER],
                          subnetIds: [PLACEHOLDER],
                          passRoleArns: [PLACEHOLDER],
                      };
            const airflow = validateMwaaAirflow(
                awsAirflowArgs(config, {
                    kmsKeyArn: PLACEHOLDER,
                    vpcId: PLACEHOLDER,
                    subnetIds: [PLACEHOLDER, PLACEHOLDER],
                    accessLogBucketName: PLACEHOLDER,
                    runner,
                }),
            );
            airflowNeedsNat = airflow.some((p) => p.path === "internetEgress");
            if (airflowNeedsNat)
                problems.push({
                    path: `${ns}mlPlatform.aws.natGateways`,
                    value: net.natGateways,
                    message:
                        "must be at least 1 for orchestrator airflow: Amazon MWAA runs in the private subnets and needs egress to AWS APIs (SQS, CloudWatch Logs and metrics, KMS, ECR, the MWAA service endpoints, and ECS or Glue to start the runs), for which the platform network has no interface endpoints",
                    fix: "set natGateways: 1 (or more), or leave mlops:pipelines.orchestrator out for the native scheduler",
                });
            // Names and forceDestroy are reported by the checks that own those keys (the stack name, the lake).
            const stackNamed = problems.some((p) => p.path === `${ns}stack`);
            const found = airflow.filter(
                (p) =>
                    !parserOwns.test(p.path) &&
                    p.path !== "forceDestroy" &&
                    p.path !== "internetEgress" &&
                    !(stackNamed && p.path === "namePrefix"),
            );
            problems.push(
                ...atKeys(
                    found,
                    { ...keys, internetEgress: `${ns}mlPlatform.aws.natGateways`, orchestrator: `${at}.orchestrator` },
                    `${at}.orchestrator`,
                ),
            );
        }
        // A first pull through the ECR pull-through cache, and any other registry, needs NAT (docs/aws.md, "Network").
        const needsNat = jobs.some((j) => imageSource(j.image) !== "ecr");
        if (
            !airflowNeedsNat &&
            config.pipelines.implementation === "ecs-fargate" &&
            net.natGateways === 0 &&
            (needsNat || !net.interfaceEndpoints)
        )
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
