import { runDag as runAirflowDag } from "../harness/airflow";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as path from "path";
import { CloudComposer, CloudRunPipelines, PubSubStreams } from "../../components/data-pipeline/gcp";
import {
    COMPOSER_IMAGE_VERSION,
    CloudComposerArgs,
    CloudRunPipelinesArgs,
    PubSubStreamsArgs,
    composerNames,
    pipelineAlertSignals,
    pipelineNames,
    validateCloudComposer,
    validateCloudRunPipelines,
} from "../../components/data-pipeline/gcp-args";
import { arrivalWorkflow, failedArrivalsSignal, failedRunsSignal } from "../../components/data-pipeline/gcp-run";
import { airflowDag } from "../../components/data-pipeline/airflow-dag";
import { composerDagSpec } from "../../components/data-pipeline/gcp-composer";
import { PipelineJobSpec } from "../../components/data-pipeline/contract";
import { parseStackConfig } from "../../stacks/config/parse";
import { CapturedResource, captureResources, ofType, only, rejectedBuild } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");
const KEY = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/pipelines";
const LAKE_KEY = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/lake";
const CHANNEL = "projects/p-123456/notificationChannels/42";

const etl: PipelineJobSpec = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    files: { "etl.py": "print('hi')\n" },
    source: { zone: "raw", prefix: "iris/" },
    target: { zone: "curated", prefix: "iris/" },
    schedule: "0 3 * * *",
    onArrival: true,
    cpuMillicores: 500,
    memoryMiB: 1024,
    timeoutMinutes: 30,
    retries: 2,
};

const args: CloudRunPipelinesArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    jobs: [etl],
    zoneBuckets: { raw: "lake-raw", curated: "lake-curated" },
    kmsKeyName: KEY,
    filesKmsKeyName: LAKE_KEY,
    datasets: { curated: "mlops_gcp_dev_curated" },
    notificationChannels: [CHANNEL],
    protectData: false,
};

const streamArgs: PubSubStreamsArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    streams: [{ name: "events", target: { zone: "raw", prefix: "events/" }, retentionHours: 24 }],
    zoneBuckets: { raw: "lake-raw" },
    kmsKeyName: KEY,
    protectData: true,
};

const names = pipelineNames("mlops-gcp-dev", "iris-etl");

describe("CloudRunPipelines", () => {
    let resources: CapturedResource[];
    before(async () => {
        ({ resources } = await captureResources(() => new CloudRunPipelines("pipelines", args)));
    });
    const job = () => only(resources, "gcp:cloudrunv2/job:Job");
    const member = (email: string) => `serviceAccount:${email}@p-123456.iam.gserviceaccount.com`;

    it("defines a CMEK Cloud Run job with the contract's environment, files at /app, timeout and retries", () => {
        const j = job();
        assert.equal(j.inputs.name, names.job);
        const t = j.inputs.template.template;
        assert.equal(t.encryptionKey, KEY);
        assert.equal(t.serviceAccount, `${names.jobAccount}@p-123456.iam.gserviceaccount.com`);
        assert.equal(t.timeout, "1800s");
        assert.equal(t.maxRetries, 2);
        assert.equal(t.executionEnvironment, "EXECUTION_ENVIRONMENT_GEN2");
        const c = t.containers[0];
        assert.deepEqual(c.commands, ["python", "/app/etl.py"]);
        assert.deepEqual(
            c.resources.limits,
            { cpu: "1", memory: "1024Mi" },
            "500 millicores run on 1 vCPU (the second generation's smallest)",
        );
        assert.deepEqual(Object.fromEntries(c.envs.map((e: { name: string; value: string }) => [e.name, e.value])), {
            MLOPS_PIPELINE: "iris-etl",
            MLOPS_SOURCE_URI: "gs://lake-raw/iris/",
            MLOPS_TARGET_URI: "gs://lake-curated/iris/",
            MLOPS_TRIGGER: "schedule",
        });
        assert.deepEqual(c.volumeMounts, [{ name: "app", mountPath: "/app" }]);
        const files = only(resources, "gcp:storage/bucket:Bucket", "pipelines-iris-etl-files");
        assert.deepEqual(t.volumes, [{ name: "app", gcs: { bucket: files.inputs.name ?? t.volumes[0].gcs.bucket, readOnly: true } }]);
        assert.deepEqual(files.inputs.encryption, { defaultKmsKeyName: LAKE_KEY });
        assert.equal(files.inputs.publicAccessPrevention, "enforced");
        assert.equal(t.vpcAccess, undefined, "no network given");
        assert.equal(j.inputs.deletionProtection, false, "dev: protectData false");
    });

    it("scopes the job's account to its source (read) and target (read, create) prefixes, never the whole lake", () => {
        const grants = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(
            (g) => g.inputs.member === member(names.jobAccount),
        );
        const byName = Object.fromEntries(grants.map((g) => [g.name.replace("pipelines-iris-etl-", ""), g.inputs]));
        assert.deepEqual(Object.keys(byName).sort(), [
            "files-reader",
            "source-list",
            "source-read",
            "target-create",
            "target-list",
            "target-read",
        ]);
        assert.equal(byName["source-read"].bucket, "lake-raw");
        assert.equal(byName["source-read"].role, "roles/storage.objectViewer");
        assert.equal(byName["source-read"].condition.expression, 'resource.name.startsWith("projects/_/buckets/lake-raw/objects/iris/")');
        assert.equal(
            byName["target-read"].condition.expression,
            'resource.name.startsWith("projects/_/buckets/lake-curated/objects/iris/")',
        );
        assert.equal(byName["target-create"].role, "roles/storage.objectCreator");
        assert.equal(
            byName["target-create"].condition.expression,
            'resource.name.startsWith("projects/_/buckets/lake-curated/objects/iris/")',
        );
        // Listing is a bucket permission (object names only); no unconditioned object role on a lake bucket.
        assert.equal(byName["source-list"].role, "roles/storage.legacyBucketReader");
        for (const g of grants.filter((x) => /lake-/.test(x.inputs.bucket) && x.inputs.role !== "roles/storage.legacyBucketReader"))
            assert.ok(g.inputs.condition, `${g.name} has no prefix condition`);
        assert.ok(!grants.some((g) => /objectAdmin|storage\.admin|objectUser/.test(g.inputs.role)));
    });

    it("runs the job on its schedule through the Run Admin API with the starter account's OAuth token", () => {
        const s = only(resources, "gcp:cloudscheduler/job:Job");
        assert.equal(s.inputs.schedule, "0 3 * * *");
        assert.equal(s.inputs.timeZone, "Etc/UTC");
        assert.equal(
            s.inputs.httpTarget.uri,
            `https://run.googleapis.com/v2/projects/p-123456/locations/us-central1/jobs/${names.job}:run`,
        );
        assert.equal(s.inputs.httpTarget.httpMethod, "POST");
        assert.deepEqual(s.inputs.httpTarget.oauthToken, {
            serviceAccountEmail: `${names.triggerAccount}@p-123456.iam.gserviceaccount.com`,
            scope: "https://www.googleapis.com/auth/cloud-platform",
        });
        const invoker = only(resources, "gcp:cloudrunv2/jobIamMember:JobIamMember", "pipelines-iris-etl-invoker");
        assert.deepEqual(
            [invoker.inputs.name, invoker.inputs.role, invoker.inputs.member],
            [names.job, "roles/run.invoker", member(names.triggerAccount)],
            "job-level, not project-level",
        );
        assert.ok(s.dependencies.includes(invoker.urn), "the schedule waits for the grant");
    });

    it("starts a run when an object is finalized in the source bucket, through a CMEK workflow that checks the prefix", () => {
        const trigger = only(resources, "gcp:eventarc/trigger:Trigger");
        assert.deepEqual(trigger.inputs.matchingCriterias, [
            { attribute: "type", value: "google.cloud.storage.object.v1.finalized" },
            { attribute: "bucket", value: "lake-raw" },
        ]);
        assert.equal(trigger.inputs.location, "us-central1", "the bucket's region");
        assert.equal(trigger.inputs.destination.workflow, `projects/p-123456/locations/us-central1/workflows/${names.workflow}`);
        assert.equal(trigger.inputs.serviceAccount, `${names.triggerAccount}@p-123456.iam.gserviceaccount.com`);
        const wf = only(resources, "gcp:workflows/workflow:Workflow");
        assert.equal(wf.inputs.cryptoKeyName, KEY);
        assert.equal(wf.inputs.serviceAccount, `${names.triggerAccount}@p-123456.iam.gserviceaccount.com`);
        const source: string = wf.inputs.sourceContents;
        assert.match(source, /text\.match_regex\(object, "\^iris\/"\)/);
        assert.match(source, new RegExp(`jobs/${names.job}"`));
        assert.match(source, /name: MLOPS_TRIGGER\n\s+value: arrival/);
        assert.match(source, new RegExp(`topic: "projects/p-123456/topics/${names.deadLetterTopic}"`));
        const channel = only(resources, "gcp:eventarc/googleChannelConfig:GoogleChannelConfig");
        assert.equal(channel.inputs.cryptoKeyName, KEY);
        const overrides = only(resources, "gcp:cloudrunv2/jobIamMember:JobIamMember", "pipelines-iris-etl-overrides");
        assert.equal(overrides.inputs.role, "roles/run.jobsExecutorWithOverrides");
        const gcsAgent = only(resources, "gcp:projects/iAMMember:IAMMember", "pipelines-gcs-agent-publisher");
        assert.equal(gcsAgent.inputs.role, "roles/pubsub.publisher");
    });

    it("keeps events that could not start a run in a CMEK dead-letter topic the workflow may publish to", () => {
        const topic = only(resources, "gcp:pubsub/topic:Topic");
        assert.equal(topic.inputs.name, names.deadLetterTopic);
        assert.equal(topic.inputs.kmsKeyName, KEY);
        assert.equal(topic.inputs.messageRetentionDuration, "604800s");
        const inbox = only(resources, "gcp:pubsub/subscription:Subscription");
        assert.equal(inbox.inputs.topic, `projects/p-123456/topics/${names.deadLetterTopic}`);
        assert.deepEqual(inbox.inputs.expirationPolicy, { ttl: "" });
        const publisher = only(resources, "gcp:pubsub/topicIAMMember:TopicIAMMember");
        assert.deepEqual([publisher.inputs.role, publisher.inputs.member], ["roles/pubsub.publisher", member(names.triggerAccount)]);
    });

    it("alerts the stack's channels on a failed run and on a failed arrival (which also dead-letters the event), in one condition", () => {
        const policy = only(resources, "gcp:monitoring/alertPolicy:AlertPolicy");
        assert.equal(policy.name, "pipelines-failed");
        assert.deepEqual(policy.inputs.notificationChannels, [CHANNEL]);
        assert.equal(policy.inputs.conditions.length, 1);
        assert.deepEqual(policy.inputs.conditions[0].conditionPrometheusQueryLanguage, {
            query:
                `(sum by (job_name) (increase({"run.googleapis.com/job/completed_execution_count", monitored_resource="cloud_run_job", job_name="${names.job}", result="failed"}[5m])) > 0)` +
                " or " +
                `(sum by (workflow_id) (increase({"workflows.googleapis.com/finished_execution_count", monitored_resource="workflows.googleapis.com/Workflow", workflow_id="${names.workflow}", status="FAILED"}[5m])) > 0)`,
            duration: "0s",
            evaluationInterval: "60s",
        });
        assert.match(policy.inputs.documentation.content, /Fires when:\n- a pipeline run failed .*\n- an arrival could not start a run/);
        // The arrival workflow publishes to the dead-letter topic and then fails: the failed-arrival condition covers it.
        const wf = arrivalWorkflow({ project: "p", region: "r", job: "j", bucket: "b", prefix: "x/", deadLetterTopic: "t", pipeline: "x" });
        assert.match(
            wf,
            /- deadLetter:\n {16}call: googleapis\.pubsub\.v1\.projects\.topics\.publish[\s\S]*- failed:\n {16}raise: \$\{e\}/,
        );
    });

    it("watches every pipeline with the same conditions: one per kind of failure, one incident per job or workflow", async () => {
        const nightly: PipelineJobSpec = { ...etl, name: "nightly", onArrival: false };
        const { resources: two } = await captureResources(() => new CloudRunPipelines("pipelines", { ...args, jobs: [etl, nightly] }));
        const policy = only(two, "gcp:monitoring/alertPolicy:AlertPolicy");
        const query: string = policy.inputs.conditions[0].conditionPrometheusQueryLanguage.query;
        const jobs = [names.job, pipelineNames("mlops-gcp-dev", "nightly").job].sort().join("|");
        assert.equal(policy.inputs.conditions.length, 1);
        assert.ok(query.includes(`job_name=~"${jobs}"`), query);
        assert.ok(query.includes(`workflow_id="${names.workflow}"`), "only the arrival pipeline has a workflow");
    });

    it("leaves the alert to the caller with alert: false, who gets the same signals from pipelineAlertSignals", async () => {
        const { resources: none } = await captureResources(() => new CloudRunPipelines("pipelines", { ...args, alert: false }));
        assert.deepEqual(ofType(none, "gcp:monitoring/alertPolicy:AlertPolicy"), []);
        assert.deepEqual(
            pipelineAlertSignals(args.namePrefix, args.jobs).map((x) => x.query),
            [failedRunsSignal([names.job]).query, failedArrivalsSignal([names.workflow]).query],
        );
        assert.deepEqual(pipelineAlertSignals(args.namePrefix, []), []);
    });

    it("routes the job and workflow logs to a CMEK log bucket", () => {
        const bucket = only(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
        assert.deepEqual(bucket.inputs.cmekSettings, { kmsKeyName: KEY });
        const sink = only(resources, "gcp:logging/projectSink:ProjectSink");
        assert.match(sink.inputs.filter, new RegExp(`job_name = \\("${names.job}"\\)`));
        assert.match(sink.inputs.filter, new RegExp(`workflow_id = \\("${names.workflow}"\\)`));
    });

    it("makes the curated output queryable in BigQuery as an external CSV table", () => {
        const table = only(resources, "gcp:bigquery/table:Table");
        assert.equal(table.inputs.datasetId, "mlops_gcp_dev_curated");
        assert.equal(table.inputs.tableId, "iris_etl");
        assert.deepEqual(table.inputs.externalDataConfiguration.sourceUris, ["gs://lake-curated/iris/v=*.csv"]);
        assert.equal(table.inputs.externalDataConfiguration.csvOptions.skipLeadingRows, 1);
    });

    it("protects dead-letter topics, files and tables in prod and runs the job inside the platform network", async () => {
        const { resources: prod } = await captureResources(
            () => new CloudRunPipelines("pipelines", { ...args, protectData: true, network: { networkId: "net", subnetId: "sub" } }),
        );
        for (const type of [
            "gcp:pubsub/topic:Topic",
            "gcp:pubsub/subscription:Subscription",
            "gcp:bigquery/table:Table",
            "gcp:storage/bucket:Bucket",
        ])
            for (const r of ofType(prod, type)) assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        const j = only(prod, "gcp:cloudrunv2/job:Job");
        assert.equal(j.inputs.deletionProtection, true);
        assert.deepEqual(j.inputs.template.template.vpcAccess, {
            networkInterfaces: [{ network: "net", subnetwork: "sub" }],
            egress: "ALL_TRAFFIC",
        });
    });

    it("creates no trigger, workflow or dead-letter topic for a schedule-only pipeline", async () => {
        const { resources: only_ } = await captureResources(
            () => new CloudRunPipelines("pipelines", { ...args, jobs: [{ ...etl, onArrival: false }] }),
        );
        for (const type of ["gcp:eventarc/trigger:Trigger", "gcp:workflows/workflow:Workflow", "gcp:pubsub/topic:Topic"])
            assert.equal(ofType(only_, type).length, 0, type);
        assert.equal(ofType(only_, "gcp:cloudscheduler/job:Job").length, 1);
    });

    it("writes a workflow that ignores folders and other buckets", () => {
        const src = arrivalWorkflow({
            project: "p",
            region: "r",
            job: "j",
            bucket: "b",
            prefix: "a.b/",
            deadLetterTopic: "t",
            pipeline: "x",
        });
        assert.ok(src.includes('${bucket != "b" or not(text.match_regex(object, "^a\\\\.b/")) or text.match_regex(object, "/$")}'), src);
        assert.match(src, /next: ignore/);
    });

    it("fails when the args are bad, listing every problem and registering nothing", async () => {
        const bad: CloudRunPipelinesArgs = {
            ...args,
            region: "moon-1",
            jobs: [
                {
                    ...etl,
                    image: "python",
                    schedule: "0 3 * *",
                    cpuMillicores: 9000,
                    timeoutMinutes: 20000,
                    retries: 11,
                    env: { MLOPS_TRIGGER: "x" },
                    accelerator: { type: "nvidia-l4", count: 1 },
                    source: { zone: "bronze", prefix: "iris" },
                },
                { ...etl, schedule: undefined, onArrival: false, memoryMiB: 100 },
            ],
        };
        const { message, registered } = await rejectedBuild(() => new CloudRunPipelines("pipelines", bad), 'CloudRunPipelines "pipelines"');
        for (const p of [
            /region: is not a Google Cloud region/,
            /jobs\[0\]\.image: must be pinned/,
            /jobs\[0\]\.schedule: is not a schedule Cloud Scheduler takes/,
            /jobs\[0\]\.cpuMillicores: is more than Cloud Run jobs offer/,
            /jobs\[0\]\.timeoutMinutes: must be a whole number of minutes from 1 to 10080/,
            /jobs\[0\]\.retries: must be a whole number from 0 to 10/,
            /jobs\[0\]\.env\.MLOPS_TRIGGER: is set by the runner/,
            /jobs\[0\]\.accelerator: is not offered by Cloud Run jobs/,
            /jobs\[0\]\.source\.zone: is not a zone of the lake/,
            /jobs\[0\]\.source\.prefix: must be folders/,
            /jobs\[1\]\.name: is used by another entry/,
            /jobs\[1\]: never runs/,
            /jobs\[1\]\.memoryMiB: must be 512 to 4096 MiB with 1 vCPU/,
        ])
            assert.match(message, p);
        assert.deepEqual(registered, []);
    });

    it("fails when a job reads its own output or no key is given", () => {
        const problems = validateCloudRunPipelines({
            ...args,
            kmsKeyName: undefined as unknown as string,
            jobs: [{ ...etl, target: { zone: "raw", prefix: "iris/out/" } }],
        });
        assert.ok(problems.some((p) => p.path === "kmsKeyName"));
        assert.ok(problems.some((p) => p.path === "jobs[0].target" && /overlaps the source/.test(p.message)));
    });
});

describe("PubSubStreams", () => {
    let resources: CapturedResource[];
    before(async () => {
        ({ resources } = await captureResources(() => new PubSubStreams("streams", streamArgs)));
    });
    const agent = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";

    it("lands a CMEK topic's messages under the stream's prefix of raw, with retention and a dead-letter topic", () => {
        const topic = only(resources, "gcp:pubsub/topic:Topic", "streams-events");
        assert.equal(topic.inputs.kmsKeyName, KEY);
        assert.equal(topic.inputs.messageRetentionDuration, "86400s");
        const dlq = only(resources, "gcp:pubsub/topic:Topic", "streams-events-dlq");
        assert.equal(dlq.inputs.kmsKeyName, KEY);
        const sub = only(resources, "gcp:pubsub/subscription:Subscription", "streams-events-to-raw");
        assert.equal(sub.inputs.cloudStorageConfig.bucket, "lake-raw");
        assert.equal(sub.inputs.cloudStorageConfig.filenamePrefix, "events/");
        assert.equal(sub.inputs.messageRetentionDuration, "86400s");
        assert.deepEqual(sub.inputs.deadLetterPolicy, {
            deadLetterTopic: "projects/p-123456/topics/mlops-gcp-dev-stream-events-dlq",
            maxDeliveryAttempts: 5,
        });
        assert.ok(Number(sub.inputs.cloudStorageConfig.maxDuration.replace("s", "")) <= sub.inputs.ackDeadlineSeconds);
        for (const r of [topic, dlq, sub]) assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
    });

    it("grants the Pub/Sub agent bucket metadata, object creation under the prefix only, and dead-lettering", () => {
        const grants = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember");
        assert.deepEqual(
            grants.map((g) => [g.inputs.role, g.inputs.member, g.inputs.condition?.expression]),
            [
                ["roles/storage.legacyBucketReader", agent, undefined],
                ["roles/storage.objectCreator", agent, 'resource.name.startsWith("projects/_/buckets/lake-raw/objects/events/")'],
            ],
        );
        const publisher = only(resources, "gcp:pubsub/topicIAMMember:TopicIAMMember");
        assert.deepEqual(
            [publisher.inputs.topic, publisher.inputs.role, publisher.inputs.member],
            ["mlops-gcp-dev-stream-events-dlq", "roles/pubsub.publisher", agent],
        );
        const subscriber = only(resources, "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember");
        assert.deepEqual([subscriber.inputs.role, subscriber.inputs.member], ["roles/pubsub.subscriber", agent]);
    });

    it("fails when a stream lands outside raw or keeps messages too long, registering nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new PubSubStreams("streams", {
                    ...streamArgs,
                    zoneBuckets: { raw: "lake-raw", curated: "lake-curated" },
                    streams: [{ name: "events", target: { zone: "curated", prefix: "events/" }, retentionHours: 200 }],
                }),
            'PubSubStreams "streams"',
        );
        assert.match(message, /streams\[0\]\.target\.zone: must be raw/);
        assert.match(message, /streams\[0\]\.retentionHours: must be a whole number of hours from 1 to 168/);
        assert.deepEqual(registered, []);
    });
});

describe("GCP pipelines config", () => {
    const raw = (pipelines: unknown, extra: Record<string, unknown> = {}) => ({
        "gcp:project": "my-project-1",
        "gcp:region": "us-central1",
        "mlops:cloud": "gcp",
        "mlops:environment": "dev",
        "mlops:pipelines": JSON.stringify(pipelines),
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`mlops:${k}`, JSON.stringify(v)])),
    });
    const job = {
        name: "iris-etl",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        files: "samples/jobs",
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };

    it("accepts the sample pipeline and a stream", () => {
        const cfg = parseStackConfig(raw({ jobs: [job], streams: [{ name: "events", target: "raw/events/" }] }), {
            project: "mlops",
            stack: "t",
            projectRoot: ROOT,
        });
        assert.equal(cfg.pipelines.implementation, "cloud-run-jobs");
        assert.equal(cfg.pipelines.jobs.length, 1);
    });

    it("rejects Cloud Run job limits at the mlops:pipelines key, with other sections' problems in the same error, registering nothing", async () => {
        const bad = raw(
            { jobs: [{ ...job, cpuMillicores: 12000, memoryMiB: 256, env: { CLOUD_RUN_JOB: "x" } }] },
            { models: [{ name: "iris", image: "python:latest", port: 8080 }] },
        );
        const { message, registered } = await rejectedBuild(
            () => parseStackConfig(bad, { project: "mlops", stack: "t", projectRoot: ROOT }),
            'stack config "t"',
        );
        assert.match(message, /mlops:pipelines\.jobs\[0\]\.cpuMillicores: is more than Cloud Run jobs offer/);
        assert.match(message, /mlops:pipelines\.jobs\[0\]\.env\.CLOUD_RUN_JOB: is set by the runner/);
        assert.match(message, /mlops:models\[0\]\.image/);
        assert.equal((message.match(/pipelines\.jobs\[0\]\.cpuMillicores:/g) ?? []).length, 1, "listed once");
        assert.deepEqual(registered, []);
    });

    it("lists a bad schedule once, at the user's key", () => {
        try {
            parseStackConfig(raw({ jobs: [{ ...job, schedule: "0 3 * *" }] }), { project: "mlops", stack: "t", projectRoot: ROOT });
            assert.fail("expected a rejection");
        } catch (e) {
            const message = (e as Error).message;
            assert.match(message, /mlops:pipelines\.jobs\[0\]\.schedule/);
            assert.equal((message.match(/\.schedule:/g) ?? []).length, 1);
        }
    });
});

/** What a generated DAG declares, run against the stand-in airflow package (tests/harness/airflow.ts). */
const runDag = (dag: string) => runAirflowDag(dag, ["airflow.providers.google.cloud.operators.cloud_run.CloudRunExecuteJobOperator"]);

const AIRFLOW_KEY = "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/airflow";
const composerArgs: CloudComposerArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-prod",
    pipelines: [
        { name: "iris-etl", schedule: "0 3 * * *", timeoutMinutes: 30, retries: 2, description: "raw/iris/ -> curated/iris/" },
        { name: "late-drops", timeoutMinutes: 10, retries: 0, description: "raw/late/ -> curated/late/" },
    ],
    kmsKeyName: AIRFLOW_KEY,
    network: { networkId: "projects/p-123456/global/networks/vpc", subnetId: "projects/p-123456/regions/us-central1/subnetworks/sub" },
    protectData: true,
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("CloudComposer", () => {
    let resources: CapturedResource[];
    let component: CloudComposer;
    before(async () => {
        ({ resources } = await captureResources(() => (component = new CloudComposer("airflow", composerArgs))));
    });
    const n = composerNames("mlops-gcp-prod");
    const email = `${n.account}@p-123456.iam.gserviceaccount.com`;
    const jobOf = (pipeline: string) => pipelineNames("mlops-gcp-prod", pipeline).job;

    it("creates the smallest pinned Composer 2 environment, CMEK-encrypted, Private IP in the given network, web server closed", () => {
        const env = only(resources, "gcp:composer/environment:Environment");
        assert.equal(env.inputs.name, "mlops-gcp-prod-airflow");
        assert.equal(env.inputs.region, "us-central1");
        const c = env.inputs.config;
        assert.equal(c.environmentSize, "ENVIRONMENT_SIZE_SMALL");
        assert.equal(c.softwareConfig.imageVersion, COMPOSER_IMAGE_VERSION);
        assert.match(c.softwareConfig.imageVersion, /^composer-2\.\d+\.\d+-airflow-2\.\d+\.\d+$/);
        assert.deepEqual(c.encryptionConfig, { kmsKeyName: AIRFLOW_KEY });
        assert.deepEqual(c.privateEnvironmentConfig, { enablePrivateEndpoint: true });
        assert.deepEqual(c.nodeConfig, {
            serviceAccount: email,
            network: composerArgs.network!.networkId,
            subnetwork: composerArgs.network!.subnetId,
        });
        assert.deepEqual(c.webServerNetworkAccessControl, { allowedIpRanges: [] }, "no address may reach the web server");
        const w = { cpu: 0.5, memoryGb: 1.875, storageGb: 1 };
        assert.deepEqual(c.workloadsConfig, { scheduler: { ...w, count: 1 }, webServer: w, worker: { ...w, minCount: 1, maxCount: 1 } });
        assert.deepEqual(env.options, { protect: true, retainOnDelete: true }, "prod: the run history is protected and retained");
    });

    it("runs as its own account: composer.worker on the project, run on the pipelines' jobs only", () => {
        const member = `serviceAccount:${email}`;
        const projectRoles = ofType(resources, "gcp:projects/iAMMember:IAMMember");
        assert.deepEqual(
            projectRoles.map((r) => [r.inputs.role, r.inputs.member]),
            [["roles/composer.worker", member]],
        );
        const jobRoles = ofType(resources, "gcp:cloudrunv2/jobIamMember:JobIamMember").map((r) => [
            r.inputs.name,
            r.inputs.role,
            r.inputs.member,
        ]);
        assert.deepEqual(jobRoles.sort(), [
            [jobOf("iris-etl"), "roles/run.invoker", member],
            [jobOf("iris-etl"), "roles/run.jobsExecutorWithOverrides", member],
            [jobOf("late-drops"), "roles/run.invoker", member],
            [jobOf("late-drops"), "roles/run.jobsExecutorWithOverrides", member],
        ]);
        const ext = only(resources, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.equal(ext.inputs.role, "roles/composer.ServiceAgentV2Ext");
        assert.equal(ext.inputs.member, "serviceAccount:service-123456789012@cloudcomposer-accounts.iam.gserviceaccount.com");
        const env = only(resources, "gcp:composer/environment:Environment");
        for (const g of [...projectRoles, ext]) assert.ok(env.dependencies.includes(g.urn), `the environment waits for ${g.name}`);
    });

    it("uploads one DAG per pipeline to the dags/ folder of the environment's bucket", () => {
        const objects = ofType(resources, "gcp:storage/bucketObject:BucketObject");
        const bucket = objects[0].inputs.bucket;
        // The mock gives the environment Composer's bucket form and `config.dagGcsPrefix` gs://<bucket>/dags.
        assert.match(bucket, /^us-central1-mlops-gcp-prod-airflow-[0-9a-f]{8}-bucket$/);
        assert.deepEqual(
            objects.map((o) => [o.inputs.bucket, o.inputs.name, o.inputs.contentType, o.inputs.metadata]),
            [
                [bucket, "dags/iris-etl.py", "text/x-python", { "mlops-dag-sha256": sha256(component.dagFiles["iris-etl"]) }],
                [bucket, "dags/late-drops.py", "text/x-python", { "mlops-dag-sha256": sha256(component.dagFiles["late-drops"]) }],
            ],
        );
    });

    it("writes a DAG that starts the pipeline's Cloud Run job with MLOPS_TRIGGER=schedule on the pipeline's schedule", () => {
        const record = runDag(component.dagFiles["iris-etl"]);
        assert.deepEqual(record.task, {
            operator: "CloudRunExecuteJobOperator",
            module: "airflow.providers.google.cloud.operators.cloud_run",
            task_id: "run",
            project_id: "p-123456",
            region: "us-central1",
            job_name: jobOf("iris-etl"),
            overrides: { container_overrides: [{ name: "job", env: [{ name: "MLOPS_TRIGGER", value: "schedule" }] }] },
        });
        assert.equal(record.dag.dag_id, "iris-etl");
        assert.equal(record.dag.schedule, "0 3 * * *");
        // Cloud Run retries the task (maxRetries 2): the DAG does not, and waits for all 3 attempts plus 10 minutes.
        assert.deepEqual(record.default_args, { retries: 0, retry_delay: 300, execution_timeout: (30 * 3 + 10) * 60 });
        const manual = runDag(component.dagFiles["late-drops"]);
        assert.equal(manual.dag.schedule, null, "no schedule: runs when triggered");
    });

    it("is a public-IP, unprotected environment when asked (dev), still CMEK with the web server closed", async () => {
        const { resources: dev } = await captureResources(
            () => new CloudComposer("airflow", { ...composerArgs, network: undefined, privateEnvironment: false, protectData: false }),
        );
        const env = only(dev, "gcp:composer/environment:Environment");
        assert.equal(env.inputs.config.privateEnvironmentConfig, undefined);
        assert.deepEqual(env.inputs.config.encryptionConfig, { kmsKeyName: AIRFLOW_KEY });
        assert.deepEqual(env.inputs.config.webServerNetworkAccessControl, { allowedIpRanges: [] });
        assert.deepEqual(env.options, { protect: false, retainOnDelete: false });
    });

    it("fails when the args are bad, listing every problem and registering nothing", async () => {
        const bad: CloudComposerArgs = {
            ...composerArgs,
            imageVersion: "composer-2-airflow-2",
            environmentSize: "ENVIRONMENT_SIZE_TINY" as never,
            maxWorkers: 0,
            network: undefined,
            webServerAllowedIpRanges: ["0.0.0.0/0", "10.0.0.300/8"],
            kmsKeyName: undefined as unknown as string,
            pipelines: [
                { ...composerArgs.pipelines[0], schedule: "0 3 * *", timeoutMinutes: 0, retries: 11 },
                { ...composerArgs.pipelines[0] },
            ],
        };
        const { message, registered } = await rejectedBuild(() => new CloudComposer("airflow", bad), 'CloudComposer "airflow"');
        for (const p of [
            /imageVersion: must be a pinned Cloud Composer 2 image/,
            /environmentSize: is not a Composer 2 environment size/,
            /maxWorkers: must be a whole number from 1 to 100/,
            /network: is required for a Private IP environment/,
            /webServerAllowedIpRanges\[0\]: must be an IPv4 range/,
            /webServerAllowedIpRanges\[1\]: must be an IPv4 range/,
            /kmsKeyName: is required/,
            /pipelines\[0\]\.schedule: is not a schedule Airflow takes/,
            /pipelines\[0\]\.timeoutMinutes: must be a whole number of minutes/,
            /pipelines\[0\]\.retries: must be a whole number from 0 to 10/,
            /pipelines\[1\]\.name: is used by another pipeline/,
        ])
            assert.match(message, p);
        assert.deepEqual(registered, []);
    });

    it("fails when there is no pipeline to orchestrate", () => {
        assert.ok(validateCloudComposer({ ...composerArgs, pipelines: [] }).some((p) => p.path === "pipelines"));
    });
});

describe("GCP stack with mlops:pipelines.orchestrator: airflow", () => {
    const job = {
        name: "iris-etl",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        files: "samples/jobs",
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };
    const raw = (environment: string, pipelines: unknown, extra: Record<string, unknown> = {}) => ({
        "gcp:project": "my-project-1",
        "gcp:region": "us-central1",
        "mlops:cloud": "gcp",
        "mlops:environment": environment,
        "mlops:pipelines": JSON.stringify(pipelines),
        ...(environment === "prod" ? { "mlops:notifications": JSON.stringify({ emails: ["oncall@example.com"] }) } : {}),
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`mlops:${k}`, JSON.stringify(v)])),
    });
    const workbench = { mlPlatform: { implementation: "vertex", gcp: { workbench: true } } };
    const build = async (environment: string, extra: Record<string, unknown> = {}) => {
        const cfg = parseStackConfig(raw(environment, { orchestrator: "airflow", jobs: [job] }, extra), {
            project: "mlops",
            stack: `gcp-${environment}`,
            projectRoot: ROOT,
        });
        assert.equal(cfg.pipelines.orchestrator, "airflow");
        const { buildGcpStack } = await import("../../stacks/clouds/gcp");
        return (await captureResources(() => buildGcpStack(cfg), { stack: `gcp-${environment}` })).resources;
    };

    let prod: CapturedResource[];
    before(async () => {
        prod = await build("prod", workbench);
    });

    it("creates no Cloud Scheduler job: the DAG schedules the same Cloud Run job; the arrival trigger stays", () => {
        assert.equal(ofType(prod, "gcp:cloudscheduler/job:Job").length, 0);
        assert.equal(ofType(prod, "gcp:eventarc/trigger:Trigger").length, 1);
        const runJob = only(prod, "gcp:cloudrunv2/job:Job");
        // The uploaded DAG (by its digest) is the one that starts this job.
        const text = airflowDag(
            composerDagSpec(
                // The job's defaults: 60 minutes, 2 retries (stacks/config/pipelines.ts).
                { name: "iris-etl", schedule: "0 3 * * *", timeoutMinutes: 60, retries: 2, description: "raw/iris/ -> curated/iris/" },
                { project: "my-project-1", region: "us-central1", job: runJob.inputs.name },
            ),
        );
        const object = only(prod, "gcp:storage/bucketObject:BucketObject", "airflow-dag-iris-etl");
        assert.deepEqual(object.inputs.metadata, { "mlops-dag-sha256": sha256(text) });
        const dag = runDag(text);
        assert.equal(dag.task.job_name, runJob.inputs.name);
        assert.equal(dag.task.project_id, "my-project-1");
        assert.equal(dag.dag.schedule, "0 3 * * *");
    });

    it("runs a Private IP environment in the platform network with the stack's Airflow key, after the jobs and the Composer API", () => {
        const env = only(prod, "gcp:composer/environment:Environment");
        const vpc = only(prod, "gcp:compute/network:Network");
        const subnet = only(prod, "gcp:compute/subnetwork:Subnetwork");
        assert.deepEqual(env.inputs.config.privateEnvironmentConfig, { enablePrivateEndpoint: true });
        assert.equal(env.inputs.config.nodeConfig.network, vpc.id);
        assert.equal(env.inputs.config.nodeConfig.subnetwork, subnet.id);
        const key = only(prod, "gcp:kms/cryptoKey:CryptoKey", "pipeline-keys-airflow");
        assert.equal(env.inputs.config.encryptionConfig.kmsKeyName, key.id);
        assert.deepEqual(env.options, { protect: true, retainOnDelete: true });
        const api = only(prod, "gcp:projects/service:Service", "apis-composer");
        assert.ok(env.dependencies.includes(api.urn));
        assert.ok(env.dependencies.includes(only(prod, "gcp:cloudrunv2/job:Job").urn), "the jobs exist before the grants on them");
    });

    it("grants the Composer CMEK key to exactly the service agents Composer documents", () => {
        const grants = ofType(prod, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter((g) =>
            g.name.startsWith("pipeline-keys-airflow-"),
        );
        const domains = grants.map((g) => /@([^.]+)\./.exec(g.inputs.member)![1]).sort();
        assert.deepEqual(domains, [
            "cloudcomposer-accounts",
            "compute-system",
            "container-engine-robot",
            "gcp-sa-artifactregistry",
            "gcp-sa-pubsub",
            "gs-project-accounts",
        ]);
        for (const g of grants) assert.equal(g.inputs.role, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
        for (const api of ["composer", "container", "compute", "artifactregistry"])
            only(prod, "gcp:projects/service:Service", `apis-${api}`);
    });

    it("keeps dev a public-IP environment, unprotected", async () => {
        const dev = await build("dev");
        const env = only(dev, "gcp:composer/environment:Environment");
        assert.equal(env.inputs.config.privateEnvironmentConfig, undefined);
        assert.deepEqual(env.options, { protect: false, retainOnDelete: false });
        assert.equal(ofType(dev, "gcp:cloudscheduler/job:Job").length, 0);
    });

    it("rejects airflow in prod without the platform network at mlops:pipelines.orchestrator, with other sections' problems, registering nothing", async () => {
        const bad = raw(
            "prod",
            { orchestrator: "airflow", jobs: [{ ...job, memoryMiB: 100000 }] },
            {
                models: [{ name: "iris", image: "python:latest", port: 8080 }],
                mlPlatform: { implementation: "vertex", gcp: { workbench: false } },
            },
        );
        const { message, registered } = await rejectedBuild(
            () => parseStackConfig(bad, { project: "mlops", stack: "gcp-prod", projectRoot: ROOT }),
            'stack config "gcp-prod"',
        );
        assert.match(message, /mlops:pipelines\.orchestrator: needs the platform network in prod/);
        assert.match(message, /mlops:mlPlatform\.gcp\.workbench/);
        assert.match(message, /mlops:pipelines\.jobs\[0\]\.memoryMiB/);
        assert.match(message, /mlops:models\[0\]\.image/);
        assert.equal((message.match(/pipelines\.jobs\[0\]\.memoryMiB:/g) ?? []).length, 1, "listed once, not again for the DAG");
        assert.deepEqual(registered, []);
    });

    it("rejects a pipeline schedule once, at the job's key, not again for its DAG", () => {
        try {
            parseStackConfig(raw("dev", { orchestrator: "airflow", jobs: [{ ...job, schedule: "0 3 * *" }] }), {
                project: "mlops",
                stack: "t",
                projectRoot: ROOT,
            });
            assert.fail("expected a rejection");
        } catch (e) {
            const message = (e as Error).message;
            assert.equal((message.match(/\.schedule:/g) ?? []).length, 1, message);
        }
    });
});
