/**
 * Data pipelines on AWS, two implementations of one contract, and streaming ingestion:
 *
 * - `EcsFargatePipelines` (`ecs-fargate`, the default): per pipeline a Fargate task definition (the job's
 *   files written to `/app` by a prepare container, as the container service does), run by an EventBridge
 *   Scheduler schedule and by an EventBridge rule on S3 "Object Created" under the source prefix, in the
 *   platform VPC's private subnets without a public IP. A failed start goes to the pipeline's encrypted
 *   dead-letter queue; a task that stops with a non-zero exit is published to the stack's alert topic.
 * - `GluePipelines` (`glue`): per pipeline a Glue Python shell job running the script from `files`
 *   (uploaded to a KMS-encrypted bucket), a security configuration encrypting its S3 output, logs and
 *   bookmarks with the platform key, a scheduled trigger, a workflow with an EVENT trigger fed by the same
 *   kind of EventBridge rule, and a crawler that keeps the target prefix's catalog table current.
 * - `FirehoseStreams`: per stream a Kinesis Data Firehose Direct PUT stream into its own prefix of `raw`.
 *
 * Each pipeline has its own identity: list and read on its source prefix, list, read and write on its
 * target prefix (aws-access.ts). See docs/aws.md, "Data pipelines".
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as ecs from "@pulumi/aws/ecs";
import * as glue from "@pulumi/aws/glue";
import * as iam from "@pulumi/aws/iam";
import * as kinesis from "@pulumi/aws/kinesis";
import * as mwaa from "@pulumi/aws/mwaa";
import * as s3 from "@pulumi/aws/s3";
import * as scheduler from "@pulumi/aws/scheduler";
import * as sqs from "@pulumi/aws/sqs";
import * as vpc from "@pulumi/aws/vpc";
import { gzipSync } from "zlib";
import { executionRoleStatements, APP_PATH, SCRATCH_PATH, MODEL_USER } from "../container-service/aws-ecs";
import { fargateImage, FARGATE_SIZES, smallestSize } from "../container-service/aws-images";
import { AwsAccount, awsAccount, policyJson, PolicyStatement, serviceTrustPolicy } from "../identity/aws";
import { globalBucketName, logGroupName } from "../naming/aws";
import { toEventBridgeCron } from "../shared/cron";
import { fitName } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { AwsSecureBucket } from "../storage/aws";
import { airflowDag } from "./airflow-dag";
import { DataPipelines, PipelineJobSpec } from "./contract";
import {
    awsAirflowDagSpec,
    ecsRunTaskTask,
    ecsStartStatements,
    glueJobTask,
    glueStartStatements,
    mwaaServiceStatements,
} from "./aws-airflow";
import {
    deadLetterQueueStatement,
    failedGlueJobPattern,
    failedTaskPattern,
    lakeAccessStatements,
    objectCreatedPattern,
    starterTrust,
} from "./aws-access";
import {
    EcsFargatePipelinesArgs,
    FirehoseStreamsArgs,
    glueScriptFile,
    gluePythonShellCapacity,
    GluePipelinesArgs,
    mwaaCapacity,
    MwaaAirflowArgs,
    mwaaEcsFargateRunner,
    mwaaEnvironmentName,
    validateEcsFargatePipelines,
    validateMwaaAirflow,
    validateFirehoseStreams,
    validateGluePipelines,
} from "./aws-args";

export * from "./aws-args";
export * from "./aws-access";
export * from "./aws-airflow";

/**
 * A log group under the platform key, kept a year by default; in prod (`protect`) protected, and kept
 * both on delete and when Pulumi replaces it (`skipDestroy`), so no run's logs are lost.
 */
function encryptedLogGroup(
    parent: pulumi.Resource,
    logicalName: string,
    groupName: string,
    args: { kmsKeyArn: pulumi.Input<string>; logRetentionDays?: number },
    protect: boolean,
    tags: Record<string, string>,
): cloudwatch.LogGroup {
    return new cloudwatch.LogGroup(
        logicalName,
        { name: groupName, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.kmsKeyArn, skipDestroy: protect, tags },
        { parent, protect, retainOnDelete: protect },
    );
}

/** The job's container in the task definition. */
export const JOB_CONTAINER = "job";
const DAY_SECONDS = 86400;

type Common = {
    account: AwsAccount;
    tags: Record<string, string>;
    protect: boolean;
    bucketArn: (zone: string) => pulumi.Output<string>;
    bucketName: (zone: string) => pulumi.Output<string>;
};

function commonOf(
    parent: pulumi.Resource,
    args: { bucketNames: pulumi.Input<Record<string, string>>; protectData?: boolean; tags?: Readonly<Record<string, string>> },
): Common {
    const account = awsAccount(parent);
    const buckets = pulumi.output(args.bucketNames);
    const bucketName = (zone: string) => buckets.apply((b) => b[zone]);
    return {
        account,
        tags: { ...args.tags },
        protect: args.protectData ?? true,
        bucketName,
        bucketArn: (zone) => pulumi.interpolate`arn:${account.partition}:s3:::${bucketName(zone)}`,
    };
}

/** The job's environment (the contract in contract.ts): where it reads and writes, and how it was started. */
function jobEnvironment(job: PipelineJobSpec, c: Common, trigger: string): pulumi.Output<{ name: string; value: string }[]> {
    return pulumi
        .all([c.bucketName(job.source.zone), c.bucketName(job.target.zone)])
        .apply(([src, dst]) => [
            { name: "MLOPS_PIPELINE", value: job.name },
            { name: "MLOPS_SOURCE_URI", value: `s3://${src}/${job.source.prefix}` },
            { name: "MLOPS_TARGET_URI", value: `s3://${dst}/${job.target.prefix}` },
            { name: "MLOPS_TRIGGER", value: trigger },
            ...Object.entries(job.env ?? {}).map(([name, value]) => ({ name, value })),
        ]);
}

/** An encrypted dead-letter queue for events that could not start a run; protected and kept in prod. */
function deadLetterQueue(
    parent: pulumi.Resource,
    name: string,
    o: { queueName: string; kmsKeyArn: pulumi.Input<string>; days: number; protect: boolean; tags: Record<string, string> },
): sqs.Queue {
    return new sqs.Queue(
        name,
        {
            name: o.queueName,
            kmsMasterKeyId: o.kmsKeyArn,
            kmsDataKeyReusePeriodSeconds: 300,
            messageRetentionSeconds: o.days * DAY_SECONDS,
            tags: o.tags,
        },
        { parent, protect: o.protect, retainOnDelete: o.protect },
    );
}

/** The rule that publishes a pipeline's failed runs to the alert topic. */
function failureAlert(
    parent: pulumi.Resource,
    prefix: string,
    o: {
        ruleName: string;
        pattern: pulumi.Input<string>;
        description: string;
        topicArn: pulumi.Input<string>;
        tags: Record<string, string>;
    },
) {
    const rule = new cloudwatch.EventRule(
        `${prefix}-failed`,
        { name: o.ruleName, description: o.description, eventPattern: o.pattern, tags: o.tags },
        { parent },
    );
    new cloudwatch.EventTarget(`${prefix}-failed-alert`, { rule: rule.name, arn: o.topicArn }, { parent });
    return rule;
}

/** Data pipelines on ECS Fargate: per pipeline a task definition started on its schedule and when objects arrive under its source prefix. */
export class EcsFargatePipelines extends pulumi.ComponentResource implements DataPipelines {
    /** The task definition family of each pipeline, by pipeline name. */
    public readonly jobNames: pulumi.Output<Record<string, string>>;
    /** URL of the SQS dead-letter queue of each pipeline (events that could not start a run), by pipeline name. */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;
    /** The cluster the tasks run on (for an Airflow environment starting them). */
    public readonly clusterName: pulumi.Output<string>;
    /** ARN of the pipelines' ECS cluster. */
    public readonly clusterArn: pulumi.Output<string>;
    /** Task definition family per pipeline. */
    public readonly taskFamilies: Readonly<Record<string, string>>;
    /** The tasks' security group. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The execution and task roles of every pipeline (what starting a task passes to ECS). */
    public readonly taskRoleArns: pulumi.Output<string[]>;

    constructor(name: string, args: EcsFargatePipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`EcsFargatePipelines "${name}"`, validateEcsFargatePipelines(args));
        super("mlops:index:EcsFargatePipelines", name, args, opts);
        const c = commonOf(this, args);
        const { account, tags } = c;

        const cluster = new ecs.Cluster(
            `${name}-cluster`,
            { name: `${args.namePrefix}-pipelines`, settings: [{ name: "containerInsights", value: "enabled" }], tags },
            { parent: this },
        );
        // Tasks take no inbound traffic; they reach S3 (gateway endpoint), ECR and CloudWatch Logs over HTTPS.
        const sg = new ec2.SecurityGroup(
            `${name}-tasks-sg`,
            { vpcId: args.vpcId, description: "Data pipeline tasks: no inbound, HTTPS out", tags },
            { parent: this },
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-tasks-out`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
                description: "S3, ECR, CloudWatch Logs",
            },
            { parent: this },
        );

        const families: Record<string, string> = {};
        const queues: Record<string, pulumi.Output<string>> = {};
        const roleArns: pulumi.Output<string>[] = [];
        for (const job of args.jobs) {
            const p = `${name}-${job.name}`;
            const family = fitName([args.namePrefix, job.name], 255);
            families[job.name] = family;
            const logGroup = encryptedLogGroup(
                this,
                `${p}-logs`,
                logGroupName(args.namePrefix, "pipelines", job.name),
                args,
                c.protect,
                tags,
            );
            const ecsTrust = {
                StringEquals: { "aws:SourceAccount": account.accountId },
                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${account.partition}:ecs:${account.region}:${account.accountId}:*` },
            };
            const execution = new iam.Role(
                `${p}-execution`,
                {
                    description: `ECS pulls pipeline ${job.name}'s image and writes its logs`,
                    assumeRolePolicy: policyJson(serviceTrustPolicy("ecs-tasks.amazonaws.com", ecsTrust)),
                    inlinePolicies: [
                        {
                            name: "pull-and-log",
                            policy: policyJson(
                                executionRoleStatements({
                                    pullRepositoryArns: args.pullRepositoryArns,
                                    cacheRepositoryArn: args.cachePrefix
                                        ? pulumi.interpolate`arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/${args.cachePrefix}/*`
                                        : undefined,
                                    logGroupArn: logGroup.arn,
                                }),
                            ),
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            // The job's identity: its source prefix to read, its target prefix to read and write.
            const taskRole = new iam.Role(
                `${p}-task`,
                {
                    description: `Identity of pipeline ${job.name}: reads ${job.source.zone}/${job.source.prefix}, writes ${job.target.zone}/${job.target.prefix}`,
                    assumeRolePolicy: policyJson(serviceTrustPolicy("ecs-tasks.amazonaws.com", ecsTrust)),
                    inlinePolicies: [
                        {
                            name: "lake-prefixes",
                            policy: policyJson(
                                lakeAccessStatements({
                                    source: job.source,
                                    target: job.target,
                                    sourceBucketArn: c.bucketArn(job.source.zone),
                                    targetBucketArn: c.bucketArn(job.target.zone),
                                    kmsKeyArn: args.kmsKeyArn,
                                    region: account.region,
                                }),
                            ),
                        },
                    ],
                    tags: { ...tags, "mlops-pipeline": job.name },
                },
                { parent: this },
            );
            roleArns.push(execution.arn, taskRole.arn);
            const size = smallestSize(FARGATE_SIZES, job.cpuMillicores, job.memoryMiB)!;
            const image = pulumi.output(args.registryHost).apply((host) => fargateImage(job.image, host, args.cachePrefix));
            const task = new ecs.TaskDefinition(
                `${p}-task-definition`,
                {
                    family,
                    requiresCompatibilities: ["FARGATE"],
                    networkMode: "awsvpc",
                    cpu: String(size.cpu),
                    memory: String(size.memory),
                    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                    executionRoleArn: execution.arn,
                    taskRoleArn: taskRole.arn,
                    volumes: [{ name: "scratch" }, ...(Object.keys(job.files ?? {}).length > 0 ? [{ name: "app" }] : [])],
                    containerDefinitions: pulumi
                        .all([image, logGroup.name, account.region, jobEnvironment(job, c, "schedule")])
                        .apply(([img, group, region, environment]) =>
                            JSON.stringify(jobContainers({ job, image: img, logGroupName: group, region, environment })),
                        ),
                    tags,
                },
                { parent: this },
            );

            const dlq = deadLetterQueue(this, `${p}-dlq`, {
                queueName: fitName([args.namePrefix, job.name, "dlq"], 80),
                kmsKeyArn: args.kmsKeyArn,
                days: args.deadLetterRetentionDays ?? 14,
                protect: c.protect,
                tags,
            });
            queues[job.name] = dlq.url;

            // Scheduler and the arrival rule start the task with this role: RunTask of this family on this
            // cluster (tagging the task it starts), passing the two roles to ECS, and the dead-letter queue for
            // starts that failed.
            const starter = new iam.Role(
                `${p}-starter`,
                {
                    description: `EventBridge starts pipeline ${job.name}`,
                    assumeRolePolicy: policyJson(starterTrust(account.accountId)),
                    inlinePolicies: [
                        {
                            name: "run-task",
                            policy: policyJson([
                                {
                                    Sid: "RunThisTask",
                                    Effect: "Allow",
                                    Action: "ecs:RunTask",
                                    Resource: pulumi.interpolate`arn:${account.partition}:ecs:${account.region}:${account.accountId}:task-definition/${family}:*`,
                                    Condition: { ArnEquals: { "ecs:cluster": cluster.arn } },
                                },
                                // propagateTags / enableEcsManagedTags tag the task at launch: RunTask then also
                                // authorizes ecs:TagResource (the AmazonEC2ContainerServiceEventsRole policy grants it).
                                {
                                    Sid: "TagTaskAtLaunch",
                                    Effect: "Allow",
                                    Action: "ecs:TagResource",
                                    Resource: pulumi.interpolate`arn:${account.partition}:ecs:${account.region}:${account.accountId}:task/${cluster.name}/*`,
                                    Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
                                },
                                {
                                    Sid: "PassTaskRoles",
                                    Effect: "Allow",
                                    Action: "iam:PassRole",
                                    Resource: [execution.arn, taskRole.arn],
                                    Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                                },
                                { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlq.arn },
                                {
                                    Sid: "PlatformKey",
                                    Effect: "Allow",
                                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                                    Resource: args.kmsKeyArn,
                                },
                            ]),
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            const network = { subnets: args.subnetIds, securityGroups: [sg.id], assignPublicIp: false };
            const retry = { maximumRetryAttempts: job.retries, maximumEventAgeInSeconds: 3600 };
            // With orchestrator airflow the job's DAG schedules it (MwaaAirflow); arrivals still start it here.
            if (job.schedule !== undefined && args.orchestrator !== "airflow") {
                new scheduler.Schedule(
                    `${p}-schedule`,
                    {
                        name: fitName([args.namePrefix, job.name], 64),
                        description: `Runs pipeline ${job.name} (${job.schedule} UTC)`,
                        scheduleExpression: toEventBridgeCron(job.schedule),
                        scheduleExpressionTimezone: "UTC",
                        flexibleTimeWindow: { mode: "OFF" },
                        kmsKeyArn: args.kmsKeyArn,
                        state: "ENABLED",
                        target: {
                            arn: cluster.arn,
                            roleArn: starter.arn,
                            ecsParameters: {
                                taskDefinitionArn: task.arn,
                                launchType: "FARGATE",
                                platformVersion: "LATEST",
                                taskCount: 1,
                                networkConfiguration: network,
                                enableEcsManagedTags: true,
                                propagateTags: "TASK_DEFINITION",
                            },
                            deadLetterConfig: { arn: dlq.arn },
                            retryPolicy: retry,
                        },
                    },
                    { parent: this },
                );
            }
            const ruleArns: pulumi.Output<string>[] = [];
            if (job.onArrival) {
                const rule = new cloudwatch.EventRule(
                    `${p}-arrival`,
                    {
                        name: fitName([args.namePrefix, job.name, "arrival"], 64),
                        description: `Runs pipeline ${job.name} when objects arrive in ${job.source.zone}/${job.source.prefix}`,
                        eventPattern: c
                            .bucketName(job.source.zone)
                            .apply((b) => JSON.stringify(objectCreatedPattern(b, job.source.prefix))),
                        tags,
                    },
                    { parent: this },
                );
                ruleArns.push(rule.arn);
                new cloudwatch.EventTarget(
                    `${p}-arrival-target`,
                    {
                        rule: rule.name,
                        arn: cluster.arn,
                        roleArn: starter.arn,
                        ecsTarget: {
                            taskDefinitionArn: task.arn,
                            launchType: "FARGATE",
                            platformVersion: "LATEST",
                            taskCount: 1,
                            networkConfiguration: network,
                            enableEcsManagedTags: true,
                            propagateTags: "TASK_DEFINITION",
                        },
                        // ECS targets take the input as task overrides: the run says it was started by an arrival.
                        input: JSON.stringify({
                            containerOverrides: [{ name: JOB_CONTAINER, environment: [{ name: "MLOPS_TRIGGER", value: "arrival" }] }],
                        }),
                        deadLetterConfig: { arn: dlq.arn },
                        retryPolicy: retry,
                    },
                    { parent: this },
                );
            }
            if (ruleArns.length > 0)
                new sqs.QueuePolicy(
                    `${p}-dlq-policy`,
                    { queueUrl: dlq.url, policy: policyJson([deadLetterQueueStatement(dlq.arn, ruleArns)]) },
                    { parent: this },
                );
            failureAlert(this, p, {
                ruleName: fitName([args.namePrefix, job.name, "failed"], 64),
                description: `A run of pipeline ${job.name} failed (a container exited non-zero, or the task did not start)`,
                pattern: cluster.arn.apply((arn) => JSON.stringify(failedTaskPattern(arn, family))),
                topicArn: args.alertTopicArn,
                tags,
            });
        }
        this.jobNames = pulumi.output(families);
        this.deadLetters = pulumi.all(queues);
        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.taskFamilies = families;
        this.securityGroupId = sg.id;
        this.taskRoleArns = pulumi.all(roleArns);
        this.registerOutputs({ jobNames: this.jobNames, deadLetters: this.deadLetters });
    }
}

/** The job's files, gzipped then base64-encoded, as `MLOPS_FILE_<i>` (sorted by name). */
export function jobFilesEnvironment(files: Readonly<Record<string, string>>): { name: string; value: string }[] {
    return Object.keys(files)
        .sort()
        .map((f, i) => ({ name: `MLOPS_FILE_${i}`, value: gzipSync(Buffer.from(files[f], "utf8"), { level: 9 }).toString("base64") }));
}

/** The prepare container's script: writable scratch, then each file decoded and unzipped into /app, readable by all. */
export function jobPrepareScript(files: Readonly<Record<string, string>>): string {
    const lines = ["set -eu", "chmod 1777 /scratch"];
    Object.keys(files)
        .sort()
        .forEach((f, i) => lines.push(`printf '%s' "$MLOPS_FILE_${i}" | base64 -d | gzip -dc > ${APP_PATH}/${f}`));
    lines.push(`chmod -R a+rX ${APP_PATH}`);
    return lines.join("\n");
}

/**
 * The task's containers: `prepare` writes the job's files to `/app` (as the container service does), then
 * `job` runs the command as UID 10001 on a read-only root filesystem, stopped after timeoutMinutes by
 * `timeout` (exit 124, a failed run; the image needs coreutils or busybox `timeout`).
 */
export function jobContainers(s: {
    job: PipelineJobSpec;
    image: string;
    logGroupName: string;
    region: string;
    environment: { name: string; value: string }[];
}): Record<string, unknown>[] {
    const files = s.job.files ?? {};
    const hasFiles = Object.keys(files).length > 0;
    const logs = (prefix: string) => ({
        logDriver: "awslogs",
        options: { "awslogs-group": s.logGroupName, "awslogs-region": s.region, "awslogs-stream-prefix": prefix },
    });
    const drop = { capabilities: { drop: ["ALL"] } };
    const seconds = s.job.timeoutMinutes * 60;
    return [
        {
            name: "prepare",
            image: s.image,
            essential: false,
            user: "0",
            privileged: false,
            readonlyRootFilesystem: true,
            entryPoint: ["/bin/sh", "-c"],
            command: [jobPrepareScript(files)],
            environment: jobFilesEnvironment(files),
            mountPoints: [
                { sourceVolume: "scratch", containerPath: "/scratch", readOnly: false },
                ...(hasFiles ? [{ sourceVolume: "app", containerPath: APP_PATH, readOnly: false }] : []),
            ],
            linuxParameters: drop,
            logConfiguration: logs("prepare"),
        },
        {
            name: JOB_CONTAINER,
            image: s.image,
            essential: true,
            user: MODEL_USER,
            privileged: false,
            readonlyRootFilesystem: true,
            entryPoint: ["timeout", "-k", "30", String(seconds), ...s.job.command],
            ...(s.job.args && s.job.args.length > 0 ? { command: [...s.job.args] } : {}),
            environment: [...s.environment, { name: "TMPDIR", value: SCRATCH_PATH }],
            mountPoints: [
                { sourceVolume: "scratch", containerPath: SCRATCH_PATH, readOnly: false },
                ...(hasFiles ? [{ sourceVolume: "app", containerPath: APP_PATH, readOnly: true }] : []),
            ],
            dependsOn: [{ containerName: "prepare", condition: "SUCCESS" }],
            linuxParameters: { ...drop, initProcessEnabled: true },
            logConfiguration: logs(JOB_CONTAINER),
        },
    ];
}

/**
 * The Glue entry script: sets the job's environment from its arguments (Glue passes `--NAME value`) and
 * the role's credentials (the sample job signs S3 requests itself), then runs the pipeline's script.
 */
export function glueEntryScript(script: string): string {
    return [
        "import os, runpy, sys",
        "import boto3",
        "args = sys.argv[1:]",
        "for i, a in enumerate(args):",
        "    if a.startswith('--MLOPS_') and i + 1 < len(args):",
        "        os.environ[a[2:]] = args[i + 1]",
        "creds = boto3.Session().get_credentials().get_frozen_credentials()",
        "os.environ.update(AWS_ACCESS_KEY_ID=creds.access_key, AWS_SECRET_ACCESS_KEY=creds.secret_key, AWS_SESSION_TOKEN=creds.token or '')",
        "os.environ.setdefault('AWS_REGION', boto3.Session().region_name or '')",
        `runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(script)}), run_name='__main__')`,
        "",
    ].join("\n");
}

export const GLUE_ENTRY = "mlops_glue_entry.py";

/** Data pipelines on Glue: per pipeline a Glue Python shell job started on its schedule and when objects arrive under its source prefix. */
export class GluePipelines extends pulumi.ComponentResource implements DataPipelines {
    /** The Glue job of each pipeline, by pipeline name. */
    public readonly jobNames: pulumi.Output<Record<string, string>>;
    /** URL of the SQS dead-letter queue of each pipeline (events that could not start a run), by pipeline name. */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: GluePipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GluePipelines "${name}"`, validateGluePipelines(args));
        super("mlops:index:GluePipelines", name, args, opts);
        const c = commonOf(this, args);
        const { account, tags } = c;

        const scripts = new AwsSecureBucket(
            `${name}-scripts`,
            {
                bucketName: pulumi
                    .all([account.accountId, account.region])
                    .apply(([a, r]) => globalBucketName([args.namePrefix, "pipeline-scripts"], a, r)),
                kmsKeyArn: args.kmsKeyArn,
                protectData: c.protect,
                forceDestroy: args.forceDestroy,
                accessLogBucketName: args.accessLogBucketName,
                accessLogPrefix: "pipeline-scripts/",
                tags,
            },
            { parent: this },
        );
        const security = new glue.SecurityConfiguration(
            `${name}-security`,
            {
                name: fitName([args.namePrefix, "pipelines"], 255),
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: args.kmsKeyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: args.kmsKeyArn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: args.kmsKeyArn },
                },
            },
            { parent: this },
        );

        const jobs: Record<string, pulumi.Output<string>> = {};
        const queues: Record<string, pulumi.Output<string>> = {};
        for (const job of args.jobs) {
            const p = `${name}-${job.name}`;
            const jobName = fitName([args.namePrefix, job.name], 255);
            const database = args.catalogDatabases[job.target.zone];
            const files = job.files ?? {};
            const script = glueScriptFile(job)!;
            const objects = [...Object.entries(files), [GLUE_ENTRY, glueEntryScript(script)] as const].map(
                ([file, content]) =>
                    new s3.BucketObjectv2(
                        `${p}-${file.replace(/[^A-Za-z0-9-]/g, "-")}`,
                        {
                            bucket: scripts.bucketName,
                            key: `${job.name}/${file}`,
                            content,
                            serverSideEncryption: "aws:kms",
                            kmsKeyId: args.kmsKeyArn,
                            tags,
                        },
                        { parent: this },
                    ),
            );
            const scriptsArn = pulumi.interpolate`arn:${account.partition}:s3:::${scripts.bucketName}/${job.name}/*`;
            const catalogArn = (kind: string, rest: string) =>
                pulumi.interpolate`arn:${account.partition}:glue:${account.region}:${account.accountId}:${kind}${rest}`;
            const role = new iam.Role(
                `${p}-role`,
                {
                    description: `Identity of pipeline ${job.name} (Glue job and crawler): reads ${job.source.zone}/${job.source.prefix}, writes ${job.target.zone}/${job.target.prefix}`,
                    assumeRolePolicy: policyJson(
                        serviceTrustPolicy("glue.amazonaws.com", { StringEquals: { "aws:SourceAccount": account.accountId } }),
                    ),
                    inlinePolicies: [
                        {
                            name: "lake-prefixes",
                            policy: policyJson([
                                ...lakeAccessStatements({
                                    source: job.source,
                                    target: job.target,
                                    sourceBucketArn: c.bucketArn(job.source.zone),
                                    targetBucketArn: c.bucketArn(job.target.zone),
                                    kmsKeyArn: args.kmsKeyArn,
                                    region: account.region,
                                }),
                                { Sid: "ReadScripts", Effect: "Allow", Action: "s3:GetObject", Resource: scriptsArn },
                                {
                                    Sid: "CatalogTableOfTarget",
                                    Effect: "Allow",
                                    Action: [
                                        "glue:GetDatabase",
                                        "glue:GetTable",
                                        "glue:GetTables",
                                        "glue:CreateTable",
                                        "glue:UpdateTable",
                                        "glue:GetPartition",
                                        "glue:GetPartitions",
                                        "glue:BatchGetPartition",
                                        "glue:CreatePartition",
                                        "glue:BatchCreatePartition",
                                        "glue:UpdatePartition",
                                    ],
                                    Resource: [
                                        catalogArn("catalog", ""),
                                        catalogArn("database/", database),
                                        catalogArn("table/", `${database}/*`),
                                    ],
                                },
                                {
                                    Sid: "WriteGlueLogs",
                                    Effect: "Allow",
                                    Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                                    Resource: pulumi.interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:/aws-glue/*`,
                                },
                                {
                                    Sid: "EncryptLogsAndBookmarks",
                                    Effect: "Allow",
                                    Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                                    Resource: args.kmsKeyArn,
                                },
                            ]),
                        },
                    ],
                    tags: { ...tags, "mlops-pipeline": job.name },
                },
                { parent: this },
            );
            const env = pulumi.all([c.bucketName(job.source.zone), c.bucketName(job.target.zone)]).apply(([src, dst]) => ({
                "--MLOPS_PIPELINE": job.name,
                "--MLOPS_SOURCE_URI": `s3://${src}/${job.source.prefix}`,
                "--MLOPS_TARGET_URI": `s3://${dst}/${job.target.prefix}`,
                "--MLOPS_TRIGGER": "schedule",
            }));
            const glueJob = new glue.Job(
                `${p}-job`,
                {
                    name: jobName,
                    description: `Pipeline ${job.name}: ${job.source.zone}/${job.source.prefix} -> ${job.target.zone}/${job.target.prefix}`,
                    roleArn: role.arn,
                    command: {
                        name: "pythonshell",
                        pythonVersion: "3.9",
                        scriptLocation: pulumi.interpolate`s3://${scripts.bucketName}/${job.name}/${GLUE_ENTRY}`,
                    },
                    glueVersion: "3.0",
                    maxCapacity: gluePythonShellCapacity(job.memoryMiB),
                    timeout: job.timeoutMinutes,
                    maxRetries: job.retries,
                    securityConfiguration: security.name,
                    executionProperty: { maxConcurrentRuns: 1 },
                    defaultArguments: pulumi.all([env, scripts.bucketName]).apply(([e, bucket]) => ({
                        ...e,
                        "--extra-py-files": Object.keys(files)
                            .filter((f) => f.endsWith(".py"))
                            .map((f) => `s3://${bucket}/${job.name}/${f}`)
                            .join(","),
                        "--job-bookmark-option": "job-bookmark-disable",
                        "--enable-job-insights": "true",
                    })),
                    tags,
                },
                { parent: this, dependsOn: objects },
            );
            jobs[job.name] = glueJob.name;

            const crawler = new glue.Crawler(
                `${p}-crawler`,
                {
                    name: fitName([args.namePrefix, job.name, "target"], 255),
                    description: `Keeps the catalog table of ${job.target.zone}/${job.target.prefix} current after each run of ${job.name}`,
                    role: role.arn,
                    databaseName: database,
                    tablePrefix: `${job.name.replace(/-/g, "_")}_`,
                    securityConfiguration: security.name,
                    s3Targets: [
                        {
                            path: pulumi.interpolate`s3://${c.bucketName(job.target.zone)}/${job.target.prefix}`,
                            exclusions: ["_quarantine/**", "_runs/**", "**/_manifest.json"],
                        },
                    ],
                    schemaChangePolicy: { updateBehavior: "UPDATE_IN_DATABASE", deleteBehavior: "LOG" },
                    recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
                    configuration: JSON.stringify({ Version: 1.0, Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" } }),
                    tags,
                },
                { parent: this },
            );
            const crawlAfterSuccess = (suffix: string, workflowName?: pulumi.Input<string>) =>
                new glue.Trigger(
                    `${p}-${suffix}`,
                    {
                        name: fitName([args.namePrefix, job.name, suffix], 255),
                        type: "CONDITIONAL",
                        ...(workflowName ? { workflowName } : {}),
                        predicate: { conditions: [{ jobName: glueJob.name, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
                        actions: [{ crawlerName: crawler.name }],
                        startOnCreation: true,
                        tags,
                    },
                    { parent: this },
                );
            // With orchestrator airflow the job's DAG schedules it (MwaaAirflow); the crawl after a successful run stays.
            if (job.schedule !== undefined) {
                if (args.orchestrator !== "airflow")
                    new glue.Trigger(
                        `${p}-schedule`,
                        {
                            name: fitName([args.namePrefix, job.name, "schedule"], 255),
                            type: "SCHEDULED",
                            schedule: toEventBridgeCron(job.schedule),
                            actions: [{ jobName: glueJob.name, arguments: { "--MLOPS_TRIGGER": "schedule" } }],
                            startOnCreation: true,
                            tags,
                        },
                        { parent: this },
                    );
                crawlAfterSuccess("crawl");
            }

            const dlq = deadLetterQueue(this, `${p}-dlq`, {
                queueName: fitName([args.namePrefix, job.name, "dlq"], 80),
                kmsKeyArn: args.kmsKeyArn,
                days: args.deadLetterRetentionDays ?? 14,
                protect: c.protect,
                tags,
            });
            queues[job.name] = dlq.url;
            if (job.onArrival) {
                // An EVENT trigger only works inside a workflow; EventBridge notifies the workflow, not the job.
                const workflow = new glue.Workflow(
                    `${p}-workflow`,
                    {
                        name: fitName([args.namePrefix, job.name], 255),
                        description: `Runs ${job.name} when objects arrive in ${job.source.zone}/${job.source.prefix}`,
                        maxConcurrentRuns: 1,
                        tags,
                    },
                    { parent: this },
                );
                new glue.Trigger(
                    `${p}-arrival`,
                    {
                        name: fitName([args.namePrefix, job.name, "arrival"], 255),
                        type: "EVENT",
                        workflowName: workflow.name,
                        eventBatchingConditions: [{ batchSize: 100, batchWindow: 900 }],
                        actions: [{ jobName: glueJob.name, arguments: { "--MLOPS_TRIGGER": "arrival" } }],
                        tags,
                    },
                    { parent: this },
                );
                crawlAfterSuccess("arrival-crawl", workflow.name);
                const notifier = new iam.Role(
                    `${p}-starter`,
                    {
                        description: `EventBridge starts pipeline ${job.name}'s workflow`,
                        assumeRolePolicy: policyJson(starterTrust(account.accountId)),
                        inlinePolicies: [
                            {
                                name: "notify-workflow",
                                policy: policyJson([
                                    { Sid: "NotifyWorkflow", Effect: "Allow", Action: "glue:NotifyEvent", Resource: workflow.arn },
                                ]),
                            },
                        ],
                        tags,
                    },
                    { parent: this },
                );
                const rule = new cloudwatch.EventRule(
                    `${p}-arrival-rule`,
                    {
                        name: fitName([args.namePrefix, job.name, "arrival"], 64),
                        description: `Starts pipeline ${job.name} when objects arrive in ${job.source.zone}/${job.source.prefix}`,
                        eventPattern: c
                            .bucketName(job.source.zone)
                            .apply((b) => JSON.stringify(objectCreatedPattern(b, job.source.prefix))),
                        tags,
                    },
                    { parent: this },
                );
                new cloudwatch.EventTarget(
                    `${p}-arrival-target`,
                    {
                        rule: rule.name,
                        arn: workflow.arn,
                        roleArn: notifier.arn,
                        deadLetterConfig: { arn: dlq.arn },
                        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 },
                    },
                    { parent: this },
                );
                new sqs.QueuePolicy(
                    `${p}-dlq-policy`,
                    { queueUrl: dlq.url, policy: policyJson([deadLetterQueueStatement(dlq.arn, [rule.arn])]) },
                    { parent: this },
                );
            }
            failureAlert(this, p, {
                ruleName: fitName([args.namePrefix, job.name, "failed"], 64),
                description: `A run of pipeline ${job.name} failed or timed out`,
                pattern: JSON.stringify(failedGlueJobPattern(jobName)),
                topicArn: args.alertTopicArn,
                tags,
            });
        }
        this.jobNames = pulumi.all(jobs);
        this.deadLetters = pulumi.all(queues);
        this.registerOutputs({ jobNames: this.jobNames, deadLetters: this.deadLetters });
    }
}

/** Firehose's S3 permissions on the raw bucket, limited to the stream's prefix and its error prefix. */
export function firehoseStatements(o: {
    bucketArn: pulumi.Input<string>;
    prefix: string;
    errorPrefix: string;
    logStreamArn: pulumi.Input<string>;
}): PolicyStatement[] {
    return [
        {
            Sid: "Bucket",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            Resource: o.bucketArn,
        },
        {
            Sid: "StreamPrefix",
            Effect: "Allow",
            Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            Resource: [pulumi.interpolate`${o.bucketArn}/${o.prefix}*`, pulumi.interpolate`${o.bucketArn}/${o.errorPrefix}*`],
        },
        { Sid: "DeliveryErrors", Effect: "Allow", Action: "logs:PutLogEvents", Resource: o.logStreamArn },
    ];
}

/** Streaming ingestion: one Firehose Direct PUT delivery stream per stream, writing into the lake. */
export class FirehoseStreams extends pulumi.ComponentResource {
    /** Delivery stream name per stream. */
    public readonly streamNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FirehoseStreamsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`FirehoseStreams "${name}"`, validateFirehoseStreams(args));
        super("mlops:index:FirehoseStreams", name, args, opts);
        const c = commonOf(this, args);
        const { account, tags } = c;
        const names: Record<string, pulumi.Output<string>> = {};
        for (const stream of args.streams) {
            const p = `${name}-${stream.name}`;
            const bucketArn = c.bucketArn(stream.target.zone);
            const errorPrefix = `_stream-errors/${stream.name}/`;
            const logGroup = encryptedLogGroup(
                this,
                `${p}-logs`,
                logGroupName(args.namePrefix, "firehose", stream.name),
                args,
                c.protect,
                tags,
            );
            const logStream = new cloudwatch.LogStream(
                `${p}-delivery-log`,
                { logGroupName: logGroup.name, name: "S3Delivery" },
                { parent: this },
            );
            const role = new iam.Role(
                `${p}-role`,
                {
                    description: `Firehose writes stream ${stream.name} into ${stream.target.zone}/${stream.target.prefix}`,
                    assumeRolePolicy: policyJson(
                        serviceTrustPolicy("firehose.amazonaws.com", { StringEquals: { "sts:ExternalId": account.accountId } }),
                    ),
                    inlinePolicies: [
                        {
                            name: "raw-prefix",
                            policy: policyJson([
                                ...firehoseStatements({
                                    bucketArn,
                                    prefix: stream.target.prefix,
                                    errorPrefix,
                                    logStreamArn: pulumi.interpolate`${logGroup.arn}:log-stream:${logStream.name}`,
                                }),
                                {
                                    Sid: "LakeKeyThroughS3",
                                    Effect: "Allow",
                                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                                    Resource: args.kmsKeyArn,
                                    Condition: {
                                        StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${account.region}.amazonaws.com` },
                                    },
                                },
                            ]),
                        },
                    ],
                    tags: { ...tags, "mlops-stream": stream.name },
                },
                { parent: this },
            );
            const delivery = new kinesis.FirehoseDeliveryStream(
                `${p}-stream`,
                {
                    name: fitName([args.namePrefix, stream.name], 64),
                    destination: "extended_s3",
                    serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: args.kmsKeyArn },
                    extendedS3Configuration: {
                        bucketArn,
                        roleArn: role.arn,
                        kmsKeyArn: args.kmsKeyArn,
                        prefix: `${stream.target.prefix}!{timestamp:yyyy/MM/dd}/`,
                        errorOutputPrefix: `${errorPrefix}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
                        bufferingInterval: args.bufferingIntervalSeconds ?? 300,
                        bufferingSize: 5,
                        compressionFormat: "UNCOMPRESSED",
                        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
                    },
                    tags,
                },
                { parent: this, protect: c.protect },
            );
            names[stream.name] = delivery.name;
        }
        this.streamNames = pulumi.all(names);
        this.registerOutputs({ streamNames: this.streamNames });
    }
}

/** MWAA's Airflow log types, as loggingConfiguration keys and as the suffix of the log group MWAA writes to. */
export const MWAA_LOG_TYPES = [
    ["dagProcessingLogs", "DAGProcessing"],
    ["schedulerLogs", "Scheduler"],
    ["taskLogs", "Task"],
    ["webserverLogs", "WebServer"],
    ["workerLogs", "Worker"],
] as const;

/**
 * Amazon MWAA for `mlops:pipelines.orchestrator: airflow`: an environment of the smallest class by default,
 * its web server reachable only from inside the VPC, encrypted with the platform key, in two private subnets
 * of the platform VPC behind its own security group, every Airflow log type sent to CloudWatch Logs (groups
 * created here with the key and a retention), reading one generated DAG per pipeline from a versioned,
 * encrypted, public-access-blocked bucket. Its execution role may do what MWAA needs and start the
 * pipelines' own jobs (ECS tasks or Glue jobs), nothing else. See docs/aws.md, "Airflow".
 */
export class MwaaAirflow extends pulumi.ComponentResource {
    /** Name of the MWAA environment. */
    public readonly environmentName: pulumi.Output<string>;
    /** ARN of the MWAA environment. */
    public readonly environmentArn: pulumi.Output<string>;
    /** The Airflow UI's host: reachable only from inside the VPC. */
    public readonly webserverUrl: pulumi.Output<string>;
    /** Name of the bucket holding the environment's DAGs. */
    public readonly dagBucketName: pulumi.Output<string>;

    constructor(name: string, args: MwaaAirflowArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`MwaaAirflow "${name}"`, validateMwaaAirflow(args));
        super("mlops:index:MwaaAirflow", name, args, opts);
        const account = awsAccount(this);
        const tags = { ...args.tags };
        const protect = args.protectData ?? true;
        const environmentName = mwaaEnvironmentName(args.namePrefix);
        const environmentClass = args.environmentClass ?? "mw1.micro";
        const logLevel = args.logLevel ?? "INFO";

        // MWAA requires versioning and blocked public access on the DAG bucket (AwsSecureBucket does both, with the key).
        const dags = new AwsSecureBucket(
            `${name}-dags`,
            {
                bucketName: pulumi
                    .all([account.accountId, account.region])
                    .apply(([a, r]) => globalBucketName([args.namePrefix, "airflow"], a, r)),
                kmsKeyArn: args.kmsKeyArn,
                protectData: protect,
                forceDestroy: args.forceDestroy,
                accessLogBucketName: args.accessLogBucketName,
                accessLogPrefix: "airflow/",
                tags,
            },
            { parent: this },
        );

        const sg = new ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: "MWAA environment: its own members only, HTTPS out", tags },
            { parent: this },
        );
        // MWAA's web server and metadata database endpoints sit in this group: members reach each other (vpc-security).
        new vpc.SecurityGroupIngressRule(
            `${name}-from-self`,
            { securityGroupId: sg.id, ipProtocol: "-1", referencedSecurityGroupId: sg.id, description: "MWAA components and endpoints" },
            { parent: this },
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-to-self`,
            { securityGroupId: sg.id, ipProtocol: "-1", referencedSecurityGroupId: sg.id, description: "MWAA components and endpoints" },
            { parent: this },
        );
        new vpc.SecurityGroupEgressRule(
            `${name}-https-out`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
                description: "AWS APIs: S3, SQS, CloudWatch, KMS, ECR, MWAA, ECS or Glue",
            },
            { parent: this },
        );

        // MWAA writes to airflow-<environment>-<type>; created here so they have the key and a retention.
        const logGroups = MWAA_LOG_TYPES.map(([, suffix]) =>
            encryptedLogGroup(this, `${name}-${suffix.toLowerCase()}-logs`, `airflow-${environmentName}-${suffix}`, args, protect, tags),
        );

        // validateMwaaAirflow found the fields of the runner's kind: an ecs-fargate runner has them all.
        const ecs = mwaaEcsFargateRunner(args.runner);
        const start = ecs
            ? ecsStartStatements({
                  ...account,
                  clusterName: ecs.clusterName,
                  clusterArn: ecs.clusterArn,
                  families: args.jobs.map((j) => ecs.taskFamilies[j.name]),
                  passRoleArns: ecs.passRoleArns,
              })
            : glueStartStatements({
                  ...account,
                  jobNames: args.jobs.map((j) => fitName([args.namePrefix, j.name], 255)),
              });
        const trust = {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: {
                "aws:SourceArn": pulumi.interpolate`arn:${account.partition}:airflow:${account.region}:${account.accountId}:environment/${environmentName}`,
            },
        };
        const role = new iam.Role(
            `${name}-execution`,
            {
                description: `MWAA environment ${environmentName}: runs the pipelines' DAGs, starts their jobs`,
                assumeRolePolicy: policyJson([
                    {
                        Effect: "Allow",
                        Principal: { Service: ["airflow.amazonaws.com", "airflow-env.amazonaws.com"] },
                        Action: "sts:AssumeRole",
                        Condition: trust,
                    },
                ]),
                inlinePolicies: [
                    {
                        name: "mwaa-and-pipelines",
                        policy: policyJson([
                            ...mwaaServiceStatements({
                                ...account,
                                environmentName,
                                dagBucketArn: dags.bucketArn,
                                kmsKeyArn: args.kmsKeyArn,
                            }),
                            ...start,
                        ]),
                    },
                ],
                tags,
            },
            { parent: this },
        );

        const jobNames = ecs ? undefined : pulumi.output(args.runner.jobNames ?? {});
        const objects = args.jobs.map((job) => {
            const content = ecs
                ? pulumi.all([ecs.clusterName, ecs.subnetIds, ecs.securityGroupIds]).apply(([clusterName, subnetIds, securityGroupIds]) =>
                      airflowDag(
                          awsAirflowDagSpec(
                              job,
                              ecsRunTaskTask(job, {
                                  clusterName,
                                  family: ecs.taskFamilies[job.name],
                                  subnetIds,
                                  securityGroupIds,
                              }),
                          ),
                      ),
                  )
                : jobNames!.apply((names) => airflowDag(awsAirflowDagSpec(job, glueJobTask(names[job.name]))));
            return new s3.BucketObjectv2(
                `${name}-dag-${job.name}`,
                {
                    bucket: dags.bucketName,
                    key: `${MWAA_DAG_PATH}/${job.name.replace(/-/g, "_")}.py`,
                    content,
                    contentType: "text/x-python",
                    serverSideEncryption: "aws:kms",
                    kmsKeyId: args.kmsKeyArn,
                    tags,
                },
                { parent: this },
            );
        });

        const logging = Object.fromEntries(MWAA_LOG_TYPES.map(([key]) => [key, { enabled: true, logLevel }]));
        const environment = new mwaa.Environment(
            `${name}-environment`,
            {
                name: environmentName,
                airflowVersion: args.airflowVersion ?? "2.10.3",
                environmentClass,
                ...mwaaCapacity(environmentClass),
                executionRoleArn: role.arn,
                kmsKey: args.kmsKeyArn,
                sourceBucketArn: dags.bucketArn,
                dagS3Path: MWAA_DAG_PATH,
                webserverAccessMode: "PRIVATE_ONLY",
                endpointManagement: "SERVICE",
                networkConfiguration: { securityGroupIds: [sg.id], subnetIds: args.subnetIds },
                loggingConfiguration: logging,
                airflowConfigurationOptions: { "core.load_examples": "False", "webserver.expose_config": "False" },
                tags,
            },
            { parent: this, protect, dependsOn: [...logGroups, ...objects, dags.policy] },
        );

        this.environmentName = environment.name;
        this.environmentArn = environment.arn;
        this.webserverUrl = environment.webserverUrl;
        this.dagBucketName = dags.bucketName;
        this.registerOutputs({ environmentName: this.environmentName, webserverUrl: this.webserverUrl, dagBucketName: this.dagBucketName });
    }
}

/** The DAG folder in the bucket (`dagS3Path`). */
export const MWAA_DAG_PATH = "dags";
