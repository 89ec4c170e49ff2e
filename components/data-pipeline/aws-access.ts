/**
 * IAM statements and event patterns of the AWS data pipelines. Pure builders: statements hold ARNs that may
 * be outputs, nothing is created here.
 *
 * A pipeline's identity may list and read its source prefix, and list, read and write its target prefix
 * (the job reads its own `_runs/` records): nothing else of the lake, never a whole bucket unless the
 * prefix is the whole zone, and the platform key only through S3.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";
import type { LakeLocation } from "./contract";

type Str = pulumi.Input<string>;

/** `s3:prefix` values a ListBucket on `prefix` is limited to (`""` is the whole zone). */
function listCondition(prefix: string): PolicyStatement["Condition"] {
    return { StringLike: { "s3:prefix": prefix === "" ? ["*"] : [prefix, `${prefix}*`] } };
}

/** Read on the source prefix, read and write on the target prefix, and the key through S3 only. */
export function lakeAccessStatements(o: {
    source: LakeLocation;
    target: LakeLocation;
    sourceBucketArn: Str;
    targetBucketArn: Str;
    kmsKeyArn: Str;
    region: Str;
}): PolicyStatement[] {
    return [
        {
            Sid: "ListSource",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: o.sourceBucketArn,
            Condition: listCondition(o.source.prefix),
        },
        {
            Sid: "ReadSource",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: pulumi.interpolate`${o.sourceBucketArn}/${o.source.prefix}*`,
        },
        {
            Sid: "ListTarget",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: o.targetBucketArn,
            Condition: listCondition(o.target.prefix),
        },
        {
            Sid: "ReadWriteTarget",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: pulumi.interpolate`${o.targetBucketArn}/${o.target.prefix}*`,
        },
        {
            Sid: "LakeKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: o.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${o.region}.amazonaws.com` } },
        },
    ];
}

/** EventBridge pattern: S3 "Object Created" in `bucket` under `prefix` (the bucket sends events to EventBridge). */
export function objectCreatedPattern(bucket: string, prefix: string): Record<string, unknown> {
    return {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [bucket] }, ...(prefix === "" ? {} : { object: { key: [{ prefix }] } }) },
    };
}

/** EventBridge pattern: a task of `family` in `clusterArn` stopped with a container exiting non-zero, or never started. */
export function failedTaskPattern(clusterArn: string, family: string): Record<string, unknown> {
    return {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
            clusterArn: [clusterArn],
            group: [`family:${family}`],
            lastStatus: ["STOPPED"],
            $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
        },
    };
}

/** EventBridge pattern: a run of Glue job `jobName` failed or timed out. */
export function failedGlueJobPattern(jobName: string): Record<string, unknown> {
    return {
        source: ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        detail: { jobName: [jobName], state: ["FAILED", "TIMEOUT", "ERROR"] },
    };
}

/** Trust policy for the role EventBridge Scheduler and EventBridge rules use to start runs (this account only). */
export function starterTrust(accountId: Str): PolicyStatement[] {
    return [
        {
            Effect: "Allow",
            Principal: { Service: ["scheduler.amazonaws.com", "events.amazonaws.com"] },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ];
}

/** Lets EventBridge put events that a rule could not deliver into the queue, for that rule only. */
export function deadLetterQueueStatement(queueArn: Str, ruleArns: readonly Str[]): PolicyStatement {
    return {
        Sid: "EventBridgeRulesDeadLetter",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": [...ruleArns] } },
    };
}
