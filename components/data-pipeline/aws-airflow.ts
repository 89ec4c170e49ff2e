/**
 * Pieces of MwaaAirflow (`mlops:pipelines.orchestrator: airflow` on AWS): the DAG of each pipeline, whose one
 * task starts the same ECS Fargate task or Glue job the native schedule starts, and the execution role's
 * statements (the ones the MWAA user guide, "Amazon MWAA execution role", lists for a customer-managed key,
 * plus starting exactly the pipelines' jobs). See docs/aws.md, "Airflow".
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";
import { AirflowDagSpec, AirflowTask } from "./airflow-dag";
import type { PipelineJobSpec } from "./contract";

/** The ECS container whose environment the DAG overrides (JOB_CONTAINER in aws.ts). */
const JOB_CONTAINER = "job";
/** Seconds between the ECS operator's checks of a running task. */
export const ECS_WAITER_DELAY_SECONDS = 15;
/**
 * Minutes Airflow allows a run beyond the job's own timeout (which the job's container or Glue enforces):
 * time to provision the task and start the run.
 */
export const AIRFLOW_TIMEOUT_SLACK_MINUTES = 15;

/** The DAG of one pipeline: its schedule, retries and timeout, and the task that starts its job. */
export function awsAirflowDagSpec(job: PipelineJobSpec, task: AirflowTask): AirflowDagSpec {
    return {
        dagId: job.name,
        description: `${job.source.zone}/${job.source.prefix} -> ${job.target.zone}/${job.target.prefix}`,
        schedule: job.schedule,
        retries: job.retries,
        timeoutMinutes: job.timeoutMinutes + AIRFLOW_TIMEOUT_SLACK_MINUTES,
        task,
    };
}

/** The ECS operator: the job's task definition on the pipelines' cluster, in the private subnets, as the native schedule runs it. */
export function ecsRunTaskTask(
    job: PipelineJobSpec,
    o: { clusterName: string; family: string; subnetIds: readonly string[]; securityGroupIds: readonly string[] },
): AirflowTask {
    return {
        module: "airflow.providers.amazon.aws.operators.ecs",
        operator: "EcsRunTaskOperator",
        kwargs: {
            cluster: o.clusterName,
            task_definition: o.family,
            launch_type: "FARGATE",
            platform_version: "LATEST",
            overrides: { containerOverrides: [{ name: JOB_CONTAINER, environment: [{ name: "MLOPS_TRIGGER", value: "schedule" }] }] },
            network_configuration: {
                awsvpcConfiguration: { subnets: [...o.subnetIds], securityGroups: [...o.securityGroupIds], assignPublicIp: "DISABLED" },
            },
            propagate_tags: "TASK_DEFINITION",
            wait_for_completion: true,
            waiter_delay: ECS_WAITER_DELAY_SECONDS,
            waiter_max_attempts: Math.ceil(((job.timeoutMinutes + AIRFLOW_TIMEOUT_SLACK_MINUTES) * 60) / ECS_WAITER_DELAY_SECONDS),
        },
    };
}

/** The Glue operator: a run of the job's Glue job, saying it was started by the schedule. */
export function glueJobTask(jobName: string): AirflowTask {
    return {
        module: "airflow.providers.amazon.aws.operators.glue",
        operator: "GlueJobOperator",
        kwargs: {
            job_name: jobName,
            script_args: { "--MLOPS_TRIGGER": "schedule" },
            wait_for_completion: true,
            verbose: false,
        },
    };
}

type Str = pulumi.Input<string>;

/** Where the execution role acts: names and ARNs of this environment. */
export interface MwaaRoleContext {
    readonly partition: Str;
    readonly region: Str;
    readonly accountId: Str;
    readonly environmentName: string;
    readonly dagBucketArn: Str;
    readonly kmsKeyArn: Str;
}

/**
 * What MWAA itself needs (user guide, "Amazon MWAA execution role", customer-managed key policy): publish
 * its metrics, read its DAG bucket (and never list the account's buckets), write its own log groups, use its
 * Celery queue, and the platform key through SQS and S3 only.
 */
export function mwaaServiceStatements(c: MwaaRoleContext): PolicyStatement[] {
    const arn = (service: string, rest: Str) => pulumi.interpolate`arn:${c.partition}:${service}:${c.region}:${c.accountId}:${rest}`;
    const bucket = [c.dagBucketArn, pulumi.interpolate`${c.dagBucketArn}/*`];
    return [
        {
            Sid: "PublishEnvironmentMetrics",
            Effect: "Allow",
            Action: "airflow:PublishMetrics",
            Resource: arn("airflow", `environment/${c.environmentName}`),
        },
        { Sid: "NeverListAllBuckets", Effect: "Deny", Action: "s3:ListAllMyBuckets", Resource: bucket },
        { Sid: "ReadDagBucket", Effect: "Allow", Action: ["s3:GetObject*", "s3:GetBucket*", "s3:List*"], Resource: bucket },
        {
            Sid: "AirflowLogs",
            Effect: "Allow",
            Action: [
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:PutLogEvents",
                "logs:GetLogEvents",
                "logs:GetLogRecord",
                "logs:GetLogGroupFields",
                "logs:GetQueryResults",
            ],
            Resource: arn("logs", `log-group:airflow-${c.environmentName}-*`),
        },
        { Sid: "DescribeLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        { Sid: "AccountPublicAccessBlock", Effect: "Allow", Action: "s3:GetAccountPublicAccessBlock", Resource: "*" },
        { Sid: "Metrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" },
        {
            // The queue is MWAA's, in MWAA's account: its ARN has no account of ours (the guide's `*`).
            Sid: "CeleryQueue",
            Effect: "Allow",
            Action: [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
            ],
            Resource: pulumi.interpolate`arn:${c.partition}:sqs:${c.region}:*:airflow-celery-*`,
        },
        {
            Sid: "PlatformKeyThroughSqsAndS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"],
            Resource: c.kmsKeyArn,
            Condition: {
                StringLike: {
                    "kms:ViaService": [pulumi.interpolate`sqs.${c.region}.amazonaws.com`, pulumi.interpolate`s3.${c.region}.amazonaws.com`],
                },
            },
        },
    ];
}

/**
 * Starting the pipelines' ECS tasks and nothing else: RunTask of their families on their cluster, watching
 * and stopping tasks of that cluster, tagging at launch (propagate_tags), and passing their two roles to ECS.
 */
export function ecsStartStatements(c: {
    partition: Str;
    region: Str;
    accountId: Str;
    clusterName: Str;
    clusterArn: Str;
    families: readonly string[];
    passRoleArns: pulumi.Input<pulumi.Input<string>[]>;
}): PolicyStatement[] {
    const ecs = (rest: Str) => pulumi.interpolate`arn:${c.partition}:ecs:${c.region}:${c.accountId}:${rest}`;
    const tasks = ecs(pulumi.interpolate`task/${c.clusterName}/*`);
    return [
        {
            Sid: "RunPipelineTasks",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: c.families.map((f) => ecs(`task-definition/${f}:*`)),
            Condition: { ArnEquals: { "ecs:cluster": c.clusterArn } },
        },
        { Sid: "WatchAndStopPipelineTasks", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:StopTask"], Resource: tasks },
        {
            Sid: "TagPipelineTasksAtLaunch",
            Effect: "Allow",
            Action: "ecs:TagResource",
            Resource: tasks,
            Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
        },
        {
            Sid: "PassPipelineTaskRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: pulumi.output(c.passRoleArns),
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
    ];
}

/** Starting, watching and stopping runs of the pipelines' Glue jobs and nothing else. */
export function glueStartStatements(c: { partition: Str; region: Str; accountId: Str; jobNames: readonly string[] }): PolicyStatement[] {
    return [
        {
            Sid: "RunPipelineGlueJobs",
            Effect: "Allow",
            Action: ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:GetJob", "glue:BatchStopJobRun"],
            Resource: c.jobNames.map((j) => pulumi.interpolate`arn:${c.partition}:glue:${c.region}:${c.accountId}:job/${j}`),
        },
    ];
}
