import { runDag as runAirflowDag } from "../harness/airflow";
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import {
    EcsFargatePipelines,
    EcsFargatePipelinesArgs,
    FirehoseStreams,
    FirehoseStreamsArgs,
    GluePipelines,
    GluePipelinesArgs,
    jobFilesEnvironment,
    jobPrepareScript,
    MwaaAirflow,
    MwaaAirflowArgs,
} from "../../components/data-pipeline/aws";
import { S3DataLake } from "../../components/data-lake/aws";
import { AwsAlertTopic } from "../../components/observability/aws";
import type { PipelineJobSpec } from "../../components/data-pipeline/contract";
import { buildAwsStack } from "../../stacks/clouds/aws";
import { parseStackConfig } from "../../stacks/config/parse";
import { capture } from "../../stacks/plan/capture";
import { gunzipSync } from "zlib";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts";
const BUCKETS = { raw: "lake-raw-b", curated: "lake-curated-b", features: "lake-features-b", models: "lake-models-b" };
const ETL = "import os\nprint(os.environ['MLOPS_TARGET_URI'])\n";

const iris: PipelineJobSpec = {
    name: "iris-etl",
    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    files: { "etl.py": ETL },
    source: { zone: "raw", prefix: "iris/" },
    target: { zone: "curated", prefix: "iris/" },
    schedule: "0 3 * * 1-5",
    onArrival: true,
    cpuMillicores: 500,
    memoryMiB: 1024,
    timeoutMinutes: 30,
    retries: 2,
};
const base = {
    namePrefix: "mlops-test",
    zones: ["raw", "curated", "features", "models"],
    bucketNames: BUCKETS,
    kmsKeyArn: KEY,
    alertTopicArn: TOPIC,
    protectData: false,
    jobs: [iris],
};
const ecsArgs: EcsFargatePipelinesArgs = {
    ...base,
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    registryHost: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    cachePrefix: "mlops-test-ecr-public",
    pullRepositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/mlops-test/iris"],
};
const glueArgs: GluePipelinesArgs = {
    ...base,
    catalogDatabases: { raw: "mlops_test_raw", curated: "mlops_test_curated" },
    accessLogBucketName: "lake-access-logs",
};
const streamArgs: FirehoseStreamsArgs = {
    streams: [{ name: "events", target: { zone: "raw", prefix: "events/" }, retentionHours: 24 }],
    namePrefix: "mlops-test",
    zones: base.zones,
    bucketNames: BUCKETS,
    kmsKeyArn: KEY,
    protectData: true,
};

const run = (build: () => unknown) =>
    capture({ project: "mlops", stack: "test", config: { "aws:region": "eu-west-1" } }, () => (build(), {}));
const policyOf = (role: CapturedResource, name: string) => JSON.parse(role.inputs.inlinePolicies.find((p: any) => p.name === name).policy);
const sid = (doc: any, id: string) => doc.Statement.find((s: any) => s.Sid === id);

/** Every S3 resource a policy grants: never `*`, never a whole bucket's objects, never another prefix. */
function s3Resources(doc: any): string[] {
    return doc.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith("s3:"))).flatMap((s: any) =>
        [s.Resource].flat(),
    );
}

describe("EcsFargatePipelines", () => {
    let resources: CapturedResource[];
    before(async () => ({ resources } = await run(() => new EcsFargatePipelines("pipelines", ecsArgs))));

    it("schedules the task with EventBridge Scheduler: the cron in AWS form, UTC, KMS, DLQ and retries", () => {
        const schedule = only(resources, "aws:scheduler/schedule:Schedule");
        assert.equal(schedule.inputs.scheduleExpression, "cron(0 3 ? * MON-FRI *)");
        assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
        assert.deepEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
        assert.equal(schedule.inputs.kmsKeyArn, KEY);
        const target = schedule.inputs.target;
        const cluster = only(resources, "aws:ecs/cluster:Cluster");
        assert.equal(target.arn, `arn:aws:ecs:eu-west-1:123456789012:cluster/${cluster.inputs.name}`);
        assert.deepEqual(target.retryPolicy, { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 });
        assert.equal(target.deadLetterConfig.arn, "arn:aws:sqs:eu-west-1:123456789012:queue/mlops-test-iris-etl-dlq");
        assert.deepEqual(target.ecsParameters.networkConfiguration.subnets, ["subnet-a", "subnet-b"]);
        assert.equal(target.ecsParameters.networkConfiguration.assignPublicIp, false);
        assert.equal(target.ecsParameters.launchType, "FARGATE");
    });

    it("starts on S3 Object Created in the raw bucket under the source prefix only, with a DLQ the rule alone may write", () => {
        const rule = only(resources, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-arrival");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
            source: ["aws.s3"],
            "detail-type": ["Object Created"],
            detail: { bucket: { name: ["lake-raw-b"] }, object: { key: [{ prefix: "iris/" }] } },
        });
        const target = only(resources, "aws:cloudwatch/eventTarget:EventTarget", "pipelines-iris-etl-arrival-target");
        assert.deepEqual(target.inputs.retryPolicy, { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 });
        assert.match(target.inputs.deadLetterConfig.arn, /:queue\/mlops-test-iris-etl-dlq$/);
        assert.equal(target.inputs.ecsTarget.networkConfiguration.assignPublicIp, false);
        assert.deepEqual(JSON.parse(target.inputs.input).containerOverrides[0].environment, [{ name: "MLOPS_TRIGGER", value: "arrival" }]);
        const queuePolicy = JSON.parse(only(resources, "aws:sqs/queuePolicy:QueuePolicy").inputs.policy);
        assert.deepEqual(queuePolicy.Statement[0].Principal, { Service: "events.amazonaws.com" });
        assert.deepEqual(queuePolicy.Statement[0].Condition.ArnEquals["aws:SourceArn"], [
            rule.id === null ? "" : `arn:aws:events:eu-west-1:123456789012:rule/${rule.inputs.name}`,
        ]);
    });

    it("encrypts the dead-letter queue and the job's logs with the platform key", () => {
        const dlq = only(resources, "aws:sqs/queue:Queue");
        assert.equal(dlq.inputs.kmsMasterKeyId, KEY);
        assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 86400);
        const logs = only(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.equal(logs.inputs.kmsKeyId, KEY);
        assert.equal(logs.inputs.name, "/mlops-test/pipelines/iris-etl");
    });

    it("gives the job an identity that reads only its source prefix and writes only its target prefix", () => {
        const doc = policyOf(only(resources, "aws:iam/role:Role", "pipelines-iris-etl-task"), "lake-prefixes");
        assert.deepEqual(sid(doc, "ListSource").Condition, { StringLike: { "s3:prefix": ["iris/", "iris/*"] } });
        assert.deepEqual(sid(doc, "ReadSource").Action, ["s3:GetObject", "s3:GetObjectVersion"]);
        assert.equal(sid(doc, "ReadSource").Resource, "arn:aws:s3:::lake-raw-b/iris/*");
        assert.deepEqual(sid(doc, "ReadWriteTarget").Action, ["s3:GetObject", "s3:PutObject"]);
        assert.equal(sid(doc, "ReadWriteTarget").Resource, "arn:aws:s3:::lake-curated-b/iris/*");
        assert.deepEqual(s3Resources(doc).sort(), [
            "arn:aws:s3:::lake-curated-b",
            "arn:aws:s3:::lake-curated-b/iris/*",
            "arn:aws:s3:::lake-raw-b",
            "arn:aws:s3:::lake-raw-b/iris/*",
        ]);
        assert.deepEqual(sid(doc, "LakeKeyThroughS3").Condition, { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
    });

    it("lets the starter run only this task family on this cluster (tagging it at launch), pass only its two roles, and write only its DLQ", () => {
        const doc = policyOf(only(resources, "aws:iam/role:Role", "pipelines-iris-etl-starter"), "run-task");
        assert.equal(sid(doc, "RunThisTask").Resource, "arn:aws:ecs:eu-west-1:123456789012:task-definition/mlops-test-iris-etl:*");
        assert.equal(sid(doc, "PassTaskRoles").Resource.length, 2);
        // propagateTags/enableEcsManagedTags make RunTask tag the task: ecs:TagResource, at launch only, on this cluster's tasks.
        assert.equal(sid(doc, "TagTaskAtLaunch").Action, "ecs:TagResource");
        assert.deepEqual(sid(doc, "TagTaskAtLaunch").Condition, { StringEquals: { "ecs:CreateAction": "RunTask" } });
        assert.match(sid(doc, "TagTaskAtLaunch").Resource, /^arn:aws:ecs:eu-west-1:123456789012:task\/[^/*]+\/\*$/);
        assert.match(sid(doc, "DeadLetter").Resource, /:queue\/mlops-test-iris-etl-dlq$/);
        const trust = JSON.parse(only(resources, "aws:iam/role:Role", "pipelines-iris-etl-starter").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Principal.Service, ["scheduler.amazonaws.com", "events.amazonaws.com"]);
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("runs the command under a timeout, with the contract's environment and the files written to /app", () => {
        const containers = JSON.parse(only(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
        const job = containers.find((c: any) => c.name === "job");
        assert.deepEqual(job.entryPoint, ["timeout", "-k", "30", "1800", "python", "/app/etl.py"]);
        assert.equal(
            job.image,
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-test-ecr-public/docker/library/python:3.12.12-slim-bookworm",
        );
        const env = Object.fromEntries(job.environment.map((e: any) => [e.name, e.value]));
        assert.equal(env.MLOPS_PIPELINE, "iris-etl");
        assert.equal(env.MLOPS_SOURCE_URI, "s3://lake-raw-b/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "s3://lake-curated-b/iris/");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.equal(job.readonlyRootFilesystem, true);
        assert.equal(job.user, "10001:10001");
        const prepare = containers.find((c: any) => c.name === "prepare");
        const file = prepare.environment.find((e: any) => e.name === "MLOPS_FILE_0").value;
        assert.equal(gunzipSync(Buffer.from(file, "base64")).toString("utf8"), ETL);
        assert.match(prepare.command[0], /base64 -d \| gzip -dc > \/app\/etl\.py/);
    });

    it("publishes failed runs (non-zero exit or not started) of this family to the alert topic", () => {
        const rule = only(resources, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-failed");
        const pattern = JSON.parse(rule.inputs.eventPattern);
        assert.deepEqual(pattern["detail-type"], ["ECS Task State Change"]);
        assert.deepEqual(pattern.detail.group, ["family:mlops-test-iris-etl"]);
        assert.deepEqual(pattern.detail.lastStatus, ["STOPPED"]);
        assert.deepEqual(pattern.detail.$or[0], { containers: { exitCode: [{ "anything-but": 0 }] } });
        assert.equal(only(resources, "aws:cloudwatch/eventTarget:EventTarget", "pipelines-iris-etl-failed-alert").inputs.arn, TOPIC);
    });

    it("protects and keeps the dead-letter queue and logs only with protectData", async () => {
        assert.equal(only(resources, "aws:sqs/queue:Queue").options.protect, false);
        const prod = (await run(() => new EcsFargatePipelines("pipelines", { ...ecsArgs, protectData: true }))).resources;
        for (const type of ["aws:sqs/queue:Queue", "aws:cloudwatch/logGroup:LogGroup"]) {
            assert.equal(only(prod, type).options.protect, true, type);
            assert.equal(only(prod, type).options.retainOnDelete, true, type);
        }
    });

    it("creates no schedule without one and no arrival rule without onArrival", async () => {
        const { resources: r } = await run(
            () =>
                new EcsFargatePipelines("pipelines", {
                    ...ecsArgs,
                    jobs: [
                        { ...iris, schedule: undefined },
                        { ...iris, name: "b", onArrival: false, target: { zone: "features", prefix: "b/" } },
                    ],
                }),
        );
        assert.deepEqual(
            ofType(r, "aws:scheduler/schedule:Schedule").map((s) => s.name),
            ["pipelines-b-schedule"],
        );
        assert.deepEqual(
            ofType(r, "aws:cloudwatch/eventRule:EventRule")
                .map((s) => s.name)
                .sort(),
            ["pipelines-b-failed", "pipelines-iris-etl-arrival", "pipelines-iris-etl-failed"],
        );
    });

    it("gzips the files it carries (the sample job fits a task definition)", () => {
        assert.ok(jobFilesEnvironment({ "a.py": "x".repeat(60000) })[0].value.length < 1000);
        assert.equal(jobPrepareScript({}).includes("/app/"), false);
    });

    const fails = async (args: EcsFargatePipelinesArgs, ...patterns: RegExp[]) => {
        const { message, registered } = await rejectedBuild(
            () => new EcsFargatePipelines("pipelines", args),
            'EcsFargatePipelines "pipelines"',
        );
        for (const p of patterns) assert.match(message, p);
        assert.deepEqual(registered, []);
    };
    it("fails when a schedule is not one EventBridge takes", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, schedule: "0 3 1 * MON" }] }, /jobs\[0\]\.schedule/));
    it("fails when the size fits no Fargate task", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, cpuMillicores: 250, memoryMiB: 131072 }] }, /jobs\[0\]\.memoryMiB/));
    it("fails when a zone is not the lake's", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, source: { zone: "bronze", prefix: "" } }] }, /jobs\[0\]\.source/));
    it("fails when the job never runs", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, schedule: undefined, onArrival: false }] }, /jobs\[0\]: .*never runs/));
    it("fails when retries exceed what EventBridge does", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, retries: 186 }] }, /jobs\[0\]\.retries/));
    it("fails when the files are too big for a task definition", () => {
        const noise = Array.from({ length: 40000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).join("");
        return fails({ ...ecsArgs, jobs: [{ ...iris, files: { "etl.py": noise } }] }, /jobs\[0\]\.files/);
    });
    it("fails when an accelerator is asked for", () =>
        fails({ ...ecsArgs, jobs: [{ ...iris, accelerator: { type: "nvidia-t4", count: 1 } }] }, /jobs\[0\]\.accelerator/));
    it("fails when two pipelines share a name, and with no subnets, all at once", () =>
        fails(
            { ...ecsArgs, subnetIds: [], jobs: [iris, { ...iris, target: { zone: "features", prefix: "x/" } }] },
            /jobs\[1\]\.name/,
            /subnetIds/,
        ));
    it("fails when the timeout or dead-letter retention is out of range", () =>
        fails(
            { ...ecsArgs, deadLetterRetentionDays: 30, jobs: [{ ...iris, timeoutMinutes: 0 }] },
            /jobs\[0\]\.timeoutMinutes/,
            /deadLetterRetentionDays/,
        ));
});

describe("GluePipelines", () => {
    let resources: CapturedResource[];
    before(async () => ({ resources } = await run(() => new GluePipelines("pipelines", glueArgs))));

    it("runs the script from files as a Python shell job with a KMS security configuration, timeout and retries", () => {
        const job = only(resources, "aws:glue/job:Job");
        assert.equal(job.inputs.command.name, "pythonshell");
        assert.match(job.inputs.command.scriptLocation, /^s3:\/\/mlops-test-pipeline-scripts-[0-9a-f]{8}\/iris-etl\/mlops_glue_entry\.py$/);
        assert.equal(job.inputs.timeout, 30);
        assert.equal(job.inputs.maxRetries, 2);
        assert.equal(job.inputs.maxCapacity, 0.0625);
        const security = only(resources, "aws:glue/securityConfiguration:SecurityConfiguration");
        assert.equal(job.inputs.securityConfiguration, security.inputs.name);
        const enc = security.inputs.encryptionConfiguration;
        assert.deepEqual(enc.s3Encryption, { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY });
        assert.deepEqual(enc.cloudwatchEncryption, { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: KEY });
        assert.deepEqual(enc.jobBookmarksEncryption, { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: KEY });
        assert.equal(job.inputs.defaultArguments["--MLOPS_SOURCE_URI"], "s3://lake-raw-b/iris/");
        assert.equal(job.inputs.defaultArguments["--MLOPS_TARGET_URI"], "s3://lake-curated-b/iris/");
    });

    it("uploads the script with the platform key", () => {
        const objects = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2");
        assert.deepEqual(objects.map((o) => o.inputs.key).sort(), ["iris-etl/etl.py", "iris-etl/mlops_glue_entry.py"]);
        for (const o of objects) assert.deepEqual([o.inputs.serverSideEncryption, o.inputs.kmsKeyId], ["aws:kms", KEY]);
        assert.equal(objects.find((o) => o.inputs.key === "iris-etl/etl.py")!.inputs.content, ETL);
    });

    it("triggers on the schedule, and on arrival through a workflow EVENT trigger fed by the S3 rule", () => {
        const triggers = ofType(resources, "aws:glue/trigger:Trigger");
        const scheduled = triggers.find((t) => t.inputs.type === "SCHEDULED")!;
        assert.equal(scheduled.inputs.schedule, "cron(0 3 ? * MON-FRI *)");
        const event = triggers.find((t) => t.inputs.type === "EVENT")!;
        const workflow = only(resources, "aws:glue/workflow:Workflow");
        assert.equal(event.inputs.workflowName, workflow.inputs.name);
        assert.deepEqual(event.inputs.actions[0].arguments, { "--MLOPS_TRIGGER": "arrival" });
        const rule = only(resources, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-arrival-rule");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern).detail, {
            bucket: { name: ["lake-raw-b"] },
            object: { key: [{ prefix: "iris/" }] },
        });
        const target = only(resources, "aws:cloudwatch/eventTarget:EventTarget", "pipelines-iris-etl-arrival-target");
        assert.equal(target.inputs.arn, `arn:aws:glue:eu-west-1:123456789012:workflow/${workflow.inputs.name}`);
        assert.match(target.inputs.deadLetterConfig.arn, /:queue\/mlops-test-iris-etl-dlq$/);
        const notify = policyOf(only(resources, "aws:iam/role:Role", "pipelines-iris-etl-starter"), "notify-workflow");
        assert.deepEqual(notify.Statement[0].Action, "glue:NotifyEvent");
        assert.equal(notify.Statement[0].Resource, target.inputs.arn);
    });

    it("keeps the target prefix's catalog table current with a crawler run after each successful run", () => {
        const crawler = only(resources, "aws:glue/crawler:Crawler");
        assert.equal(crawler.inputs.databaseName, "mlops_test_curated");
        assert.equal(crawler.inputs.s3Targets[0].path, "s3://lake-curated-b/iris/");
        assert.deepEqual(crawler.inputs.s3Targets[0].exclusions, ["_quarantine/**", "_runs/**", "**/_manifest.json"]);
        const conditional = ofType(resources, "aws:glue/trigger:Trigger").filter((t) => t.inputs.type === "CONDITIONAL");
        assert.equal(conditional.length, 2);
        for (const t of conditional) {
            assert.deepEqual(t.inputs.actions, [{ crawlerName: crawler.inputs.name }]);
            assert.equal(t.inputs.predicate.conditions[0].state, "SUCCEEDED");
        }
    });

    it("alerts on FAILED and TIMEOUT runs, and its role reaches only its prefixes, its scripts and its catalog database", () => {
        const pattern = JSON.parse(only(resources, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-failed").inputs.eventPattern);
        assert.deepEqual(pattern.detail.state, ["FAILED", "TIMEOUT", "ERROR"]);
        assert.deepEqual(pattern.detail.jobName, ["mlops-test-iris-etl"]);
        const doc = policyOf(only(resources, "aws:iam/role:Role", "pipelines-iris-etl-role"), "lake-prefixes");
        assert.ok(
            s3Resources(doc).every((r) => !r.endsWith(":::*") && r !== "*" && !/lake-(raw|curated)-b\/\*$/.test(r)),
            s3Resources(doc).join(),
        );
        assert.ok(sid(doc, "CatalogTableOfTarget").Resource.every((r: string) => !r.includes("mlops_test_raw")));
    });

    it("fails when the script is not among the files, the target zone has no catalog, and memory is too big, all at once", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new GluePipelines("pipelines", {
                    ...glueArgs,
                    jobs: [
                        { ...iris, command: ["python", "/app/main.py"], memoryMiB: 32768, target: { zone: "features", prefix: "iris/" } },
                    ],
                }),
            'GluePipelines "pipelines"',
        );
        assert.match(message, /jobs\[0\]\.command/);
        assert.match(message, /jobs\[0\]\.target: .*Glue catalog database/);
        assert.match(message, /jobs\[0\]\.memoryMiB/);
        assert.deepEqual(registered, []);
    });
    it("fails when files are missing or retries exceed Glue's", async () => {
        const { message, registered } = await rejectedBuild(
            () => new GluePipelines("pipelines", { ...glueArgs, jobs: [{ ...iris, files: undefined, retries: 11 }] }),
            'GluePipelines "pipelines"',
        );
        assert.match(message, /jobs\[0\]\.files/);
        assert.match(message, /jobs\[0\]\.retries/);
        assert.deepEqual(registered, []);
    });
});

describe("FirehoseStreams", () => {
    let resources: CapturedResource[];
    before(async () => ({ resources } = await run(() => new FirehoseStreams("streams", streamArgs))));

    it("delivers Direct PUT events, encrypted, into the stream's own raw prefix, with an error prefix beside it", () => {
        const stream = only(resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        assert.equal(stream.inputs.destination, "extended_s3");
        assert.deepEqual(stream.inputs.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY });
        const s3 = stream.inputs.extendedS3Configuration;
        assert.equal(s3.bucketArn, "arn:aws:s3:::lake-raw-b");
        assert.equal(s3.kmsKeyArn, KEY);
        assert.equal(s3.prefix, "events/!{timestamp:yyyy/MM/dd}/");
        assert.equal(s3.errorOutputPrefix, "_stream-errors/events/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/");
        assert.equal(stream.options.protect, true);
        const doc = policyOf(only(resources, "aws:iam/role:Role"), "raw-prefix");
        assert.deepEqual(sid(doc, "StreamPrefix").Resource, [
            "arn:aws:s3:::lake-raw-b/events/*",
            "arn:aws:s3:::lake-raw-b/_stream-errors/events/*",
        ]);
        const trust = JSON.parse(only(resources, "aws:iam/role:Role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "sts:ExternalId": "123456789012" } });
        assert.equal(only(resources, "aws:cloudwatch/logGroup:LogGroup").inputs.kmsKeyId, KEY);
    });

    it("fails when retention is not Firehose's 24 hours and the stream has no prefix, all at once", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new FirehoseStreams("streams", {
                    ...streamArgs,
                    streams: [{ name: "events", target: { zone: "raw", prefix: "" }, retentionHours: 48 }],
                }),
            'FirehoseStreams "streams"',
        );
        assert.match(message, /streams\[0\]\.retentionHours/);
        assert.match(message, /streams\[0\]\.target: .*must name a prefix/);
        assert.deepEqual(registered, []);
    });
});

describe("the lake and the alert topic for pipelines", () => {
    it("sends only the asked zones' events to EventBridge, one BucketNotification per bucket", async () => {
        const { resources } = await run(
            () =>
                new S3DataLake("lake", {
                    namePrefix: "mlops-test",
                    zones: ["raw", "curated"],
                    kmsKeyArn: KEY,
                    protectData: false,
                    eventBridgeZones: ["raw"],
                }),
        );
        const notification = only(resources, "aws:s3/bucketNotification:BucketNotification");
        assert.equal(notification.inputs.eventbridge, true);
        assert.equal(notification.name, "lake-raw-notifications");
    });

    it("lets EventBridge rules of this account publish to the alert topic only when asked", async () => {
        const { resources } = await run(() => new AwsAlertTopic("alerts", { kmsKeyArn: KEY, eventBridgePublish: true }));
        const doc = JSON.parse(only(resources, "aws:sns/topicPolicy:TopicPolicy").inputs.policy);
        assert.deepEqual(sid(doc, "EventBridgeRulesOfThisAccountPublish").Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
        });
        const plain = (await run(() => new AwsAlertTopic("alerts", { kmsKeyArn: KEY }))).resources;
        assert.equal(ofType(plain, "aws:sns/topicPolicy:TopicPolicy").length, 0);
    });
});

describe("AWS pipelines config (mlops:pipelines)", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const job = {
        name: "iris-etl",
        image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        files: "samples/jobs",
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };
    const raw = (values: Record<string, unknown>) =>
        Object.fromEntries(
            Object.entries({ cloud: "aws", environment: "dev", ...values }).map(([k, v]) => [
                k.includes(":") ? k : `mlops:${k}`,
                typeof v === "string" ? v : JSON.stringify(v),
            ]),
        );
    const parse = (values: Record<string, unknown>) => parseStackConfig(raw(values), { project: "mlops", stack: "t", projectRoot: ROOT });
    const nat = { mlPlatform: { aws: { natGateways: 1 } } };

    it("selects glue and builds the Glue job, the crawler and the triggers", async () => {
        const cfg = parse({ ...nat, pipelines: { implementation: "glue", jobs: [job] } });
        assert.equal(cfg.pipelines.implementation, "glue");
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => buildAwsStack(cfg));
        assert.equal(ofType(resources, "aws:glue/job:Job").length, 1);
        assert.equal(ofType(resources, "aws:glue/crawler:Crawler").length, 1);
        assert.equal(ofType(resources, "aws:ecs/taskDefinition:TaskDefinition").length, 0);
        assert.equal(only(resources, "aws:s3/bucketNotification:BucketNotification").name, "lake-raw-notifications");
    });

    it("gives the Glue job every module of samples/jobs: lakeio.py uploaded and passed in --extra-py-files", async () => {
        const cfg = parse({ ...nat, pipelines: { implementation: "glue", jobs: [job] } });
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => buildAwsStack(cfg));
        const keys = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.key);
        for (const f of ["etl.py", "lakeio.py", "train.py", "drift.py", "mlops_glue_entry.py"])
            assert.ok(keys.includes(`iris-etl/${f}`), f);
        const glueJob = only(resources, "aws:glue/job:Job");
        const extra = String(glueJob.inputs.defaultArguments["--extra-py-files"]).split(",");
        assert.ok(
            extra.some((u) => /^s3:\/\/[^/]+\/iris-etl\/lakeio\.py$/.test(u)),
            extra.join(","),
        );
        assert.match(glueJob.inputs.command.scriptLocation, /\/iris-etl\/mlops_glue_entry\.py$/);
    });

    it("rejects, at the user's keys and all at once, what the AWS runners cannot do, registering nothing", async () => {
        let error: unknown;
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => {
            try {
                buildAwsStack(
                    parse({
                        pipelines: {
                            jobs: [{ ...job, cpuMillicores: 250, memoryMiB: 131072 }],
                            streams: [{ name: "events", target: "raw/events/", retentionHours: 48 }],
                        },
                    }),
                );
            } catch (e) {
                error = e;
            }
            return {};
        });
        assert.ok(error instanceof ValidationError, String(error));
        const message = error.message;
        assert.match(message, /mlops:pipelines\.jobs\[0\]\.memoryMiB/);
        assert.match(message, /mlops:pipelines\.streams\[0\]\.retentionHours/);
        assert.match(message, /mlops:mlPlatform\.aws\.natGateways: .*ecs-fargate pipelines/);
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });

    it("rejects glue on a lake without its query engine at the job's target key", () => {
        assert.throws(
            () => parse({ dataLake: { queryEngine: false }, pipelines: { implementation: "glue", jobs: [job] } }),
            /mlops:pipelines\.jobs\[0\]\.target: .*Glue catalog database/,
        );
    });
});

const AWS_OPERATORS = [
    "airflow.providers.amazon.aws.operators.ecs.EcsRunTaskOperator",
    "airflow.providers.amazon.aws.operators.glue.GlueJobOperator",
];
/** What a generated DAG declares, run against the stand-in airflow package (tests/harness/airflow.ts). */
const runDag = (dag: string) => runAirflowDag(dag, AWS_OPERATORS);

describe("MwaaAirflow (mlops:pipelines.orchestrator: airflow)", () => {
    const PASS = ["arn:aws:iam::123456789012:role/exec", "arn:aws:iam::123456789012:role/task"];
    const airflowArgs: MwaaAirflowArgs = {
        namePrefix: "mlops-test",
        jobs: [iris],
        runner: {
            kind: "ecs-fargate",
            clusterName: "mlops-test-pipelines",
            clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/mlops-test-pipelines",
            taskFamilies: { "iris-etl": "mlops-test-iris-etl" },
            securityGroupIds: ["sg-tasks"],
            subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            passRoleArns: PASS,
        },
        kmsKeyArn: KEY,
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        internetEgress: true,
        accessLogBucketName: "lake-access-logs",
        protectData: false,
    };
    let resources: CapturedResource[];
    before(async () => ({ resources } = await run(() => new MwaaAirflow("airflow", airflowArgs))));

    it("creates the smallest environment, private web server, platform key, two private subnets, every log type on", () => {
        const env = only(resources, "aws:mwaa/environment:Environment");
        const bucket = only(resources, "aws:s3/bucket:Bucket");
        const sg = only(resources, "aws:ec2/securityGroup:SecurityGroup");
        const i = env.inputs;
        assert.equal(i.name, "mlops-test-airflow");
        assert.equal(i.environmentClass, "mw1.micro");
        assert.equal(i.airflowVersion, "2.10.3");
        assert.deepEqual([i.schedulers, i.minWorkers, i.maxWorkers, i.minWebservers, i.maxWebservers], [1, 1, 1, 1, 1]);
        assert.equal(i.webserverAccessMode, "PRIVATE_ONLY");
        assert.equal(i.endpointManagement, "SERVICE");
        assert.equal(i.kmsKey, KEY);
        assert.deepEqual(i.networkConfiguration, { securityGroupIds: [sg.id], subnetIds: ["subnet-a", "subnet-b"] });
        assert.equal(i.sourceBucketArn, `arn:aws:s3:::${bucket.inputs.bucket}`);
        assert.equal(i.dagS3Path, "dags");
        const on = { enabled: true, logLevel: "INFO" };
        assert.deepEqual(i.loggingConfiguration, {
            dagProcessingLogs: on,
            schedulerLogs: on,
            taskLogs: on,
            webserverLogs: on,
            workerLogs: on,
        });
        assert.equal(sg.inputs.vpcId, "vpc-1");
    });

    it("reads DAGs from a versioned, KMS-encrypted, public-access-blocked bucket", () => {
        assert.deepEqual(only(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Enabled" });
        const enc = only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        assert.deepEqual(enc.inputs.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY });
        const block = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
        assert.deepEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
    });

    it("admits only its own members, and goes out to them and to HTTPS", () => {
        const sg = only(resources, "aws:ec2/securityGroup:SecurityGroup");
        const ingress = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            ingress.map((r) => [r.inputs.ipProtocol, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4]),
            [["-1", sg.id, undefined]],
        );
        const egress = ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => [
            r.inputs.ipProtocol,
            r.inputs.fromPort,
            r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4,
        ]);
        assert.deepEqual(
            egress.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
            [
                ["-1", undefined, sg.id],
                ["tcp", 443, "0.0.0.0/0"],
            ],
        );
    });

    it("creates the five log groups MWAA writes to, with the key and a retention", () => {
        const groups = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(groups.map((g) => g.inputs.name).sort(), [
            "airflow-mlops-test-airflow-DAGProcessing",
            "airflow-mlops-test-airflow-Scheduler",
            "airflow-mlops-test-airflow-Task",
            "airflow-mlops-test-airflow-WebServer",
            "airflow-mlops-test-airflow-Worker",
        ]);
        for (const g of groups) assert.deepEqual([g.inputs.kmsKeyId, g.inputs.retentionInDays], [KEY, 365]);
    });

    it("lets the execution role do what MWAA needs and start only the pipelines' tasks", () => {
        const role = only(resources, "aws:iam/role:Role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
        assert.deepEqual(trust.Principal.Service, ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]);
        assert.deepEqual(trust.Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:airflow:eu-west-1:123456789012:environment/mlops-test-airflow" },
        });
        const doc = policyOf(role, "mwaa-and-pipelines");
        const bucket = `arn:aws:s3:::${only(resources, "aws:s3/bucket:Bucket").inputs.bucket}`;
        assert.deepEqual(sid(doc, "ReadDagBucket").Resource, [bucket, `${bucket}/*`]);
        assert.equal(sid(doc, "NeverListAllBuckets").Effect, "Deny");
        assert.equal(sid(doc, "AirflowLogs").Resource, "arn:aws:logs:eu-west-1:123456789012:log-group:airflow-mlops-test-airflow-*");
        assert.equal(sid(doc, "CeleryQueue").Resource, "arn:aws:sqs:eu-west-1:*:airflow-celery-*");
        assert.deepEqual(sid(doc, "PlatformKeyThroughSqsAndS3").Condition, {
            StringLike: { "kms:ViaService": ["sqs.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"] },
        });
        assert.deepEqual(sid(doc, "RunPipelineTasks").Resource, [
            "arn:aws:ecs:eu-west-1:123456789012:task-definition/mlops-test-iris-etl:*",
        ]);
        assert.deepEqual(sid(doc, "RunPipelineTasks").Condition, {
            ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/mlops-test-pipelines" },
        });
        assert.equal(sid(doc, "WatchAndStopPipelineTasks").Resource, "arn:aws:ecs:eu-west-1:123456789012:task/mlops-test-pipelines/*");
        assert.deepEqual(sid(doc, "PassPipelineTaskRoles").Resource, PASS);
        assert.deepEqual(sid(doc, "PassPipelineTaskRoles").Condition, {
            StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
        });
        for (const s of doc.Statement) for (const a of [s.Action].flat()) assert.ok(a !== "*" && !/^(ecs|iam|glue):\*$/.test(a), a);
    });

    it("uploads one DAG per pipeline that runs its ECS task as the native schedule does, with MLOPS_TRIGGER=schedule", () => {
        const dag = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2");
        assert.equal(dag.inputs.key, "dags/iris_etl.py");
        assert.deepEqual([dag.inputs.serverSideEncryption, dag.inputs.kmsKeyId], ["aws:kms", KEY]);
        assert.equal(dag.inputs.bucket, only(resources, "aws:s3/bucket:Bucket").inputs.bucket);
        const record = runDag(dag.inputs.content);
        assert.deepEqual(record.dag, {
            dag_id: "iris-etl",
            description: "raw/iris/ -> curated/iris/",
            schedule: "0 3 * * 1-5",
            catchup: false,
            max_active_runs: 1,
            tags: ["mlops", "pipeline"],
        });
        assert.deepEqual(record.default_args, { retries: 2, retry_delay: 300, execution_timeout: 45 * 60 });
        assert.deepEqual(record.task, {
            operator: "EcsRunTaskOperator",
            module: "airflow.providers.amazon.aws.operators.ecs",
            task_id: "run",
            cluster: "mlops-test-pipelines",
            task_definition: "mlops-test-iris-etl",
            launch_type: "FARGATE",
            platform_version: "LATEST",
            overrides: { containerOverrides: [{ name: "job", environment: [{ name: "MLOPS_TRIGGER", value: "schedule" }] }] },
            network_configuration: {
                awsvpcConfiguration: {
                    subnets: ["subnet-a", "subnet-b", "subnet-c"],
                    securityGroups: ["sg-tasks"],
                    assignPublicIp: "DISABLED",
                },
            },
            propagate_tags: "TASK_DEFINITION",
            wait_for_completion: true,
            waiter_delay: 15,
            waiter_max_attempts: 180,
        });
    });

    it("runs the Glue job with GlueJobOperator and may start only that job", async () => {
        const { resources: r } = await run(
            () => new MwaaAirflow("airflow", { ...airflowArgs, runner: { kind: "glue", jobNames: { "iris-etl": "mlops-test-iris-etl" } } }),
        );
        const { task } = runDag(only(r, "aws:s3/bucketObjectv2:BucketObjectv2").inputs.content);
        assert.deepEqual(task, {
            operator: "GlueJobOperator",
            module: "airflow.providers.amazon.aws.operators.glue",
            task_id: "run",
            job_name: "mlops-test-iris-etl",
            script_args: { "--MLOPS_TRIGGER": "schedule" },
            wait_for_completion: true,
            verbose: false,
        });
        const doc = policyOf(only(r, "aws:iam/role:Role"), "mwaa-and-pipelines");
        assert.deepEqual(sid(doc, "RunPipelineGlueJobs").Resource, ["arn:aws:glue:eu-west-1:123456789012:job/mlops-test-iris-etl"]);
        assert.equal(sid(doc, "RunPipelineTasks"), undefined);
        assert.equal(sid(doc, "PassPipelineTaskRoles"), undefined);
    });

    it("protects the environment, the DAG bucket and the logs only with protectData", async () => {
        assert.equal(only(resources, "aws:mwaa/environment:Environment").options.protect, false);
        const prod = (await run(() => new MwaaAirflow("airflow", { ...airflowArgs, protectData: true }))).resources;
        assert.equal(only(prod, "aws:mwaa/environment:Environment").options.protect, true);
        assert.equal(only(prod, "aws:s3/bucket:Bucket").options.retainOnDelete, true);
        for (const g of ofType(prod, "aws:cloudwatch/logGroup:LogGroup"))
            assert.deepEqual([g.options.protect, g.options.retainOnDelete], [true, true]);
    });

    it("fails on a class, version, subnets, egress, name and forceDestroy MWAA cannot take, all at once, registering nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new MwaaAirflow("airflow", {
                    ...airflowArgs,
                    namePrefix: "1-test",
                    environmentClass: "mw1.tiny",
                    airflowVersion: "2.2.2",
                    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
                    internetEgress: false,
                    protectData: true,
                    forceDestroy: true,
                    logLevel: "TRACE",
                }),
            'MwaaAirflow "airflow"',
        );
        for (const p of [
            /namePrefix/,
            /environmentClass/,
            /airflowVersion/,
            /subnetIds: .*exactly two/,
            /internetEgress: .*NAT|internetEgress/,
            /forceDestroy/,
            /logLevel/,
        ])
            assert.match(message, p);
        assert.deepEqual(registered, []);
    });
    it("fails when a pipeline has no task family to run, or there is no pipeline", async () => {
        const { message } = await rejectedBuild(
            () => new MwaaAirflow("airflow", { ...airflowArgs, runner: { ...(airflowArgs.runner as any), taskFamilies: {} } }),
            'MwaaAirflow "airflow"',
        );
        assert.match(message, /jobs\[0\]\.name: .*no ECS task definition family/);
        const none = await rejectedBuild(() => new MwaaAirflow("airflow", { ...airflowArgs, jobs: [] }), 'MwaaAirflow "airflow"');
        assert.match(none.message, /jobs: .*at least one pipeline/);
    });
    it("fails when the runner lacks a field of its kind or has an unknown kind (what other languages can send), before any resource", async () => {
        const { message, registered } = await rejectedBuild(
            () => new MwaaAirflow("airflow", { ...airflowArgs, runner: { kind: "ecs-fargate", clusterName: "c", taskFamilies: {} } }),
            'MwaaAirflow "airflow"',
        );
        for (const field of ["clusterArn", "securityGroupIds", "subnetIds", "passRoleArns"])
            assert.match(message, new RegExp(`runner\\.${field}: is required when runner.kind is ecs-fargate`));
        assert.doesNotMatch(message, /runner\.clusterName:/);
        assert.deepEqual(registered, []);
        const glue = await rejectedBuild(
            () => new MwaaAirflow("airflow", { ...airflowArgs, runner: { kind: "glue" } }),
            'MwaaAirflow "airflow"',
        );
        assert.match(glue.message, /runner\.jobNames: is required when runner.kind is glue/);
        const unknown = await rejectedBuild(
            () => new MwaaAirflow("airflow", { ...airflowArgs, runner: { kind: "batch" as "glue", jobNames: {} } }),
            'MwaaAirflow "airflow"',
        );
        assert.match(unknown.message, /runner\.kind: is not a runner kind/);
    });

    it("leaves the native schedule out of the runners with orchestrator airflow, and keeps the arrival trigger", async () => {
        const ecs = (await run(() => new EcsFargatePipelines("pipelines", { ...ecsArgs, orchestrator: "airflow" }))).resources;
        assert.equal(ofType(ecs, "aws:scheduler/schedule:Schedule").length, 0);
        only(ecs, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-arrival");
        const g = (await run(() => new GluePipelines("pipelines", { ...glueArgs, orchestrator: "airflow" }))).resources;
        const types = ofType(g, "aws:glue/trigger:Trigger").map((t) => t.inputs.type);
        assert.ok(!types.includes("SCHEDULED"), types.join());
        assert.ok(types.includes("EVENT"), types.join());
    });
});

describe("AWS pipelines config with orchestrator airflow", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const job = {
        name: "iris-etl",
        image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        files: "samples/jobs",
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };
    const raw = (values: Record<string, unknown>) =>
        Object.fromEntries(
            Object.entries({ cloud: "aws", environment: "dev", ...values }).map(([k, v]) => [
                k.includes(":") ? k : `mlops:${k}`,
                typeof v === "string" ? v : JSON.stringify(v),
            ]),
        );
    const parse = (values: Record<string, unknown>) => parseStackConfig(raw(values), { project: "mlops", stack: "t", projectRoot: ROOT });
    const nat = { mlPlatform: { aws: { natGateways: 1 } } };

    it("builds MWAA with one DAG per job and no native schedule (ecs-fargate), keeping the arrival rule", async () => {
        const cfg = parse({ ...nat, pipelines: { orchestrator: "airflow", jobs: [job] } });
        assert.equal(cfg.pipelines.orchestrator, "airflow");
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => buildAwsStack(cfg));
        const env = only(resources, "aws:mwaa/environment:Environment");
        assert.equal(env.inputs.webserverAccessMode, "PRIVATE_ONLY");
        assert.equal(env.inputs.networkConfiguration.subnetIds.length, 2);
        assert.equal(ofType(resources, "aws:scheduler/schedule:Schedule").length, 0);
        only(resources, "aws:cloudwatch/eventRule:EventRule", "pipelines-iris-etl-arrival");
        const dag = only(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "airflow-dag-iris-etl");
        const { task } = runDag(dag.inputs.content);
        const cluster = only(resources, "aws:ecs/cluster:Cluster");
        assert.equal(task.cluster, cluster.inputs.name);
        assert.equal(task.task_definition, only(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs.family);
        assert.deepEqual(task.network_configuration.awsvpcConfiguration.securityGroups, [
            only(resources, "aws:ec2/securityGroup:SecurityGroup", "pipelines-tasks-sg").id,
        ]);
    });

    it("builds MWAA running the Glue job, without the SCHEDULED trigger", async () => {
        const cfg = parse({ ...nat, pipelines: { implementation: "glue", orchestrator: "airflow", jobs: [job] } });
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => buildAwsStack(cfg));
        const { task } = runDag(only(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "airflow-dag-iris-etl").inputs.content);
        assert.equal(task.operator, "GlueJobOperator");
        assert.equal(task.job_name, only(resources, "aws:glue/job:Job").inputs.name);
        assert.ok(!ofType(resources, "aws:glue/trigger:Trigger").some((t) => t.inputs.type === "SCHEDULED"));
    });

    it("keeps the native schedule and creates no MWAA without orchestrator", async () => {
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () =>
            buildAwsStack(parse({ ...nat, pipelines: { jobs: [job] } })),
        );
        assert.equal(ofType(resources, "aws:mwaa/environment:Environment").length, 0);
        assert.equal(ofType(resources, "aws:scheduler/schedule:Schedule").length, 1);
    });

    it("rejects airflow on a VPC without NAT at natGateways, once, with the other sections' problems, registering nothing", async () => {
        let error: unknown;
        const { resources } = await capture({ project: "mlops", stack: "t", config: {} }, () => {
            try {
                buildAwsStack(
                    parse({
                        mlPlatform: { aws: { natGateways: 0, interfaceEndpoints: true } },
                        pipelines: {
                            orchestrator: "airflow",
                            jobs: [job],
                            streams: [{ name: "events", target: "raw/events/", retentionHours: 48 }],
                        },
                    }),
                );
            } catch (e) {
                error = e;
            }
            return {};
        });
        assert.ok(error instanceof ValidationError, String(error));
        const message = error.message;
        assert.match(message, /mlops:mlPlatform\.aws\.natGateways: must be at least 1 for orchestrator airflow: Amazon MWAA/);
        assert.equal(message.match(/^ *- mlops:mlPlatform\.aws\.natGateways/gm)?.length, 1, message);
        assert.match(message, /mlops:pipelines\.streams\[0\]\.retentionHours/);
        assert.deepEqual(
            resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });
});
