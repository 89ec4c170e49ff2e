/**
 * Data pipelines on Google Cloud (implementation `cloud-run-jobs`) and streaming ingestion into `raw`.
 *
 * CloudRunPipelines, per pipeline: a Cloud Run v2 job (CMEK, second generation, its files mounted
 * read-only at /app from a private CMEK bucket, task timeout and retries) running as its own service
 * account, which may read objects under its source prefix and read and create objects under its target
 * prefix (IAM Conditions on the object name) and list the two buckets; a second account that starts runs:
 * Cloud Scheduler calls the Run Admin API `jobs/<job>:run` with its OAuth token on the pipeline's cron
 * (UTC); with onArrival, an Eventarc trigger on the source bucket's "object finalized" events starts a
 * CMEK workflow that keeps only objects under the source prefix and runs the job with MLOPS_TRIGGER=arrival,
 * and publishes the events it could not start a run for to a CMEK dead-letter topic (kept 7 days, with an
 * inbox subscription), then fails. One alert policy for all the pipelines fires on a failed run (one
 * condition across every job) and a failed arrival (one across every workflow; it covers every
 * dead-lettered event), one incident per job or workflow, to the stack's notification channels. The jobs' and workflows' logs are routed to
 * a CMEK log bucket. A pipeline whose target zone has a BigQuery dataset gets an external table over its
 * output. PubSubStreams, per stream: a CMEK topic with retention, a Cloud Storage subscription writing
 * under the stream's prefix of `raw`, and a CMEK dead-letter topic. See docs/gcp.md, "Data pipelines".
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as bigquery from "@pulumi/gcp/bigquery";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as cloudscheduler from "@pulumi/gcp/cloudscheduler";
import * as composer from "@pulumi/gcp/composer";
import * as eventarc from "@pulumi/gcp/eventarc";
import * as logging from "@pulumi/gcp/logging";
import * as projects from "@pulumi/gcp/projects";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import { privateCodeBucket } from "../storage/gcp";
import * as workflows from "@pulumi/gcp/workflows";
import { RandomString } from "@pulumi/random/randomString";
import { DataPipelines, PipelineJobSpec } from "./contract";
import { airflowDag } from "./airflow-dag";
import {
    COMPOSER_IMAGE_VERSION,
    CloudComposerArgs,
    CloudRunPipelinesArgs,
    DEAD_LETTER_RETENTION_SECONDS,
    PubSubStreamsArgs,
    composerNames,
    jobCpu,
    pipelineAlertSignals,
    pipelineNames,
    streamNames,
    validateCloudComposer,
    validateCloudRunPipelines,
    validatePubSubStreams,
} from "./gcp-args";
import { composerDagSpec, dagObjectName, parseGcsPrefix } from "./gcp-composer";
import * as run from "./gcp-run";
import { signalAlertPolicy } from "../observability/gcp-signal-alert";
import { throwIfProblems } from "../shared/problems";
import { hyphenName } from "../naming/gcp";

type Child = pulumi.CustomResourceOptions;

/** A topic's full name, the form subscriptions and dead-letter policies take. */
const topicPath = (project: string, topic: pubsub.Topic) => pulumi.interpolate`projects/${project}/topics/${topic.name}`;

/** A CMEK topic that keeps what it is sent 7 days, and a pull subscription to read it from (never expires). */
function deadLetterTopic(
    name: string,
    a: { project: string; topic: string; inbox: string; kmsKeyName: pulumi.Input<string>; labels: Record<string, string> },
    stateful: Child,
): pubsub.Topic {
    const retention = `${DEAD_LETTER_RETENTION_SECONDS}s`;
    const topic = new pubsub.Topic(
        `${name}-dlq`,
        { project: a.project, name: a.topic, kmsKeyName: a.kmsKeyName, messageRetentionDuration: retention, labels: a.labels },
        stateful,
    );
    new pubsub.Subscription(
        `${name}-dlq-inbox`,
        {
            project: a.project,
            name: a.inbox,
            topic: topicPath(a.project, topic),
            messageRetentionDuration: retention,
            retainAckedMessages: false,
            ackDeadlineSeconds: 60,
            expirationPolicy: { ttl: "" },
            labels: a.labels,
        },
        stateful,
    );
    return topic;
}

const PIPELINE_ALERT_DOCS = (prefix: string) =>
    `A data pipeline of ${prefix} failed: the incident names the Cloud Run job (\`job_name\`) or the arrival workflow (\`workflow_id\`, whose event is in the pipeline's dead-letter topic). See docs/gcp.md, "Data pipelines".`;

/** Data pipelines on Cloud Run jobs: per pipeline a job with its own service account, started on its schedule and when objects arrive under its source prefix. */
export class CloudRunPipelines extends pulumi.ComponentResource implements DataPipelines {
    /** The Cloud Run job of each pipeline, by pipeline name. */
    public readonly jobNames: pulumi.Output<Record<string, string>>;
    /** Dead-letter topic per pipeline that runs on arrival (`projects/<p>/topics/<t>`). */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;
    /** The BigQuery external table of each pipeline whose target zone has a dataset (`<dataset>.<table>`). */
    public readonly tables: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: CloudRunPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudRunPipelines "${name}"`, validateCloudRunPipelines(args));
        const protect = args.protectData ?? true;
        super("mlops:index:CloudRunPipelines", name, args, opts);

        const { project, region } = args;
        const labels = { ...args.tags };
        const child: Child = { parent: this, dependsOn: opts.dependsOn };
        const stateful: Child = { ...child, protect, retainOnDelete: protect };
        const arrivals = args.jobs.filter((j) => j.onArrival);

        // Google-sourced events (Cloud Storage) travel on the Google channel, encrypted with this key.
        if (arrivals.length > 0)
            new eventarc.GoogleChannelConfig(
                `${name}-eventarc-channel`,
                {
                    project,
                    location: region,
                    name: `projects/${project}/locations/${region}/googleChannelConfig`,
                    cryptoKeyName: args.kmsKeyName,
                },
                child,
            );
        // Eventarc's Cloud Storage events are published by the Cloud Storage agent (eventarc/docs/run/create-trigger-storage-gcloud).
        const storageAgent = storage.getProjectServiceAccountOutput({ project }, { parent: this, dependsOn: opts.dependsOn });
        if (arrivals.length > 0)
            new projects.IAMMember(
                `${name}-gcs-agent-publisher`,
                { project, role: "roles/pubsub.publisher", member: pulumi.interpolate`serviceAccount:${storageAgent.emailAddress}` },
                child,
            );

        const jobNames: Record<string, string> = {};
        const deadLetters: Record<string, pulumi.Output<string>> = {};
        const tables: Record<string, pulumi.Output<string>> = {};
        for (const job of args.jobs) {
            const n = pipelineNames(args.namePrefix, job.name);
            jobNames[job.name] = n.job;
            const built = this.pipeline(`${name}-${job.name}`, job, n, args, { child, stateful, labels, protect });
            if (built.deadLetter) deadLetters[job.name] = built.deadLetter;
            if (built.table) tables[job.name] = built.table;
        }

        // One alert condition for every pipeline of the stack (one series per job or workflow); a dead-lettered
        // event is also a failed arrival. With `alert: false` the stack folds these signals into its own policy.
        const jobs = args.jobs.map((j) => pipelineNames(args.namePrefix, j.name).job);
        const workflowIds = arrivals.map((j) => pipelineNames(args.namePrefix, j.name).workflow);
        const signals = pipelineAlertSignals(args.namePrefix, args.jobs);
        if (signals.length > 0 && (args.alert ?? true))
            signalAlertPolicy(
                `${name}-failed`,
                {
                    project,
                    displayName: `${args.namePrefix} data pipelines: a run failed or could not start`,
                    severity: "ERROR",
                    signals,
                    notificationChannels: args.notificationChannels,
                    documentation: PIPELINE_ALERT_DOCS(args.namePrefix),
                },
                child,
            );

        // Job and workflow logs, kept in a CMEK log bucket (bucket IDs stay reserved 7 days after deletion: a suffix).
        const suffix = new RandomString(`${name}-logs-suffix`, { length: 6, special: false, upper: false }, { parent: this });
        const bucketId = pulumi.interpolate`${hyphenName([args.namePrefix, "pipelines"], 90)}-${suffix.result}`;
        const logBucket = new logging.ProjectBucketConfig(
            `${name}-logs`,
            {
                project,
                location: region,
                bucketId,
                retentionDays: args.logRetentionDays ?? 30,
                cmekSettings: { kmsKeyName: args.kmsKeyName },
                description: "mlops: data pipeline job and workflow logs",
            },
            child,
        );
        new logging.ProjectSink(
            `${name}-logs-sink`,
            {
                project,
                name: pulumi.interpolate`${hyphenName([args.namePrefix, "pipelines"], 90)}-${suffix.result}`,
                destination: pulumi.interpolate`logging.googleapis.com/projects/${project}/locations/${region}/buckets/${logBucket.bucketId}`,
                filter: run.pipelineLogFilter(jobs, workflowIds),
                uniqueWriterIdentity: false,
                description: "mlops: routes data pipeline logs to their CMEK log bucket",
            },
            child,
        );

        this.jobNames = pulumi.output(jobNames);
        this.deadLetters = pulumi.output(deadLetters);
        this.tables = pulumi.output(tables);
        this.registerOutputs({ jobNames: this.jobNames, deadLetters: this.deadLetters, tables: this.tables });
    }

    /** One pipeline's accounts, grants, files, job, triggers, dead-letter topic and table (the alert is the component's). */
    private pipeline(
        name: string,
        job: PipelineJobSpec,
        n: ReturnType<typeof pipelineNames>,
        args: CloudRunPipelinesArgs,
        o: { child: Child; stateful: Child; labels: Record<string, string>; protect: boolean },
    ): { deadLetter?: pulumi.Output<string>; table?: pulumi.Output<string> } {
        const { project, region } = args;
        const { child, stateful, protect } = o;
        const labels = { ...o.labels, "mlops-pipeline": job.name };
        const account = (id: string, suffix: string, description: string) =>
            new serviceaccount.Account(
                `${name}-${suffix}`,
                { project, accountId: id, displayName: `mlops pipeline ${job.name} (${suffix})`, description },
                child,
            );
        const runner = account(n.jobAccount, "sa", "Runs one data pipeline job: reads its source prefix, writes its target prefix");
        const starter = account(n.triggerAccount, "trigger-sa", "Starts runs of one data pipeline job (schedule, arrival workflow)");
        const runnerMember = pulumi.interpolate`serviceAccount:${runner.email}`;
        const starterMember = pulumi.interpolate`serviceAccount:${starter.email}`;

        // Lake access: objects under the source prefix (read) and under the target prefix (read, create), by condition.
        const sourceBucket = pulumi.output(args.zoneBuckets[job.source.zone]);
        const targetBucket = pulumi.output(args.zoneBuckets[job.target.zone]);
        const grant = (suffix: string, bucket: pulumi.Output<string>, role: string, prefix?: string) =>
            new storage.BucketIAMMember(
                `${name}-${suffix}`,
                {
                    bucket,
                    role,
                    member: runnerMember,
                    condition:
                        prefix === undefined || prefix === ""
                            ? undefined
                            : bucket.apply((b) => run.prefixCondition(b, prefix, `mlops-${job.name}-${suffix}`)),
                },
                child,
            );
        const grants: pulumi.Resource[] = [
            grant("source-read", sourceBucket, run.JOB_STORAGE_ROLES.sourceRead, job.source.prefix),
            grant("target-read", targetBucket, run.JOB_STORAGE_ROLES.targetRead, job.target.prefix),
            grant("target-create", targetBucket, run.JOB_STORAGE_ROLES.targetCreate, job.target.prefix),
            grant("source-list", sourceBucket, run.JOB_STORAGE_ROLES.list),
        ];
        if (job.target.zone !== job.source.zone) grants.push(grant("target-list", targetBucket, run.JOB_STORAGE_ROLES.list));

        // The job's files, mounted read-only at /app (as the container service mounts model files).
        let filesBucket: pulumi.Output<string> | undefined;
        if (job.files && Object.keys(job.files).length > 0) {
            const bucket = privateCodeBucket(
                `${name}-files`,
                {
                    project,
                    location: region,
                    kmsKeyName: args.filesKmsKeyName,
                    accessLogBucket: args.accessLogBucket,
                    keepNoncurrentDays: 30,
                    protect,
                    labels,
                },
                stateful,
            );
            for (const [file, content] of Object.entries(job.files))
                grants.push(
                    new storage.BucketObject(
                        `${name}-file-${file}`,
                        { bucket: bucket.name, name: file, content, contentType: "text/plain" },
                        { parent: this },
                    ),
                );
            grants.push(
                new storage.BucketIAMMember(
                    `${name}-files-reader`,
                    { bucket: bucket.name, role: "roles/storage.objectViewer", member: runnerMember },
                    child,
                ),
            );
            filesBucket = bucket.name;
        }

        const cpu = jobCpu(job.cpuMillicores) ?? 1;
        const env = pulumi
            .all([sourceBucket, targetBucket])
            .apply(([s, t]) => run.jobEnv(job, run.gsUri(s, job.source), run.gsUri(t, job.target)));
        const cloudRunJob = new cloudrunv2.Job(
            `${name}-job`,
            {
                project,
                location: region,
                name: n.job,
                deletionProtection: protect,
                labels,
                template: {
                    taskCount: 1,
                    parallelism: 1,
                    labels,
                    template: {
                        serviceAccount: runner.email,
                        encryptionKey: args.kmsKeyName,
                        // Second generation: needed for Cloud Storage volumes.
                        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                        timeout: `${job.timeoutMinutes * 60}s`,
                        maxRetries: job.retries,
                        containers: [
                            {
                                name: "job",
                                image: job.image,
                                commands: [...job.command],
                                args: job.args && job.args.length > 0 ? [...job.args] : undefined,
                                envs: env.apply((e) => Object.entries(e).map(([k, value]) => ({ name: k, value }))),
                                resources: { limits: { cpu: String(cpu), memory: `${job.memoryMiB}Mi` } },
                                volumeMounts: filesBucket ? [{ name: "app", mountPath: run.APP_PATH }] : undefined,
                            },
                        ],
                        volumes: filesBucket ? [{ name: "app", gcs: { bucket: filesBucket, readOnly: true } }] : undefined,
                        vpcAccess: args.network
                            ? {
                                  networkInterfaces: [{ network: args.network.networkId, subnetwork: args.network.subnetId }],
                                  egress: "ALL_TRAFFIC",
                              }
                            : undefined,
                    },
                },
            },
            { ...child, dependsOn: [...asArray(child.dependsOn), ...grants] },
        );

        // Starting runs: Scheduler's OAuth token (roles/run.invoker holds run.jobs.run); the workflow's
        // overrides need run.jobs.runWithOverrides, which roles/run.jobsExecutorWithOverrides holds.
        const starters: pulumi.Resource[] = [
            new cloudrunv2.JobIamMember(
                `${name}-invoker`,
                { project, location: region, name: cloudRunJob.name, role: "roles/run.invoker", member: starterMember },
                child,
            ),
        ];
        if (job.onArrival)
            starters.push(
                new cloudrunv2.JobIamMember(
                    `${name}-overrides`,
                    {
                        project,
                        location: region,
                        name: cloudRunJob.name,
                        role: "roles/run.jobsExecutorWithOverrides",
                        member: starterMember,
                    },
                    child,
                ),
            );

        if (job.schedule !== undefined && (args.nativeSchedule ?? true))
            new cloudscheduler.Job(
                `${name}-schedule`,
                {
                    project,
                    region,
                    name: n.schedule,
                    description: `mlops: runs data pipeline ${job.name}`,
                    schedule: job.schedule,
                    timeZone: "Etc/UTC",
                    attemptDeadline: "180s",
                    retryConfig: { retryCount: 3, minBackoffDuration: "30s", maxBackoffDuration: "600s", maxDoublings: 3 },
                    httpTarget: {
                        uri: run.runJobUri(project, region, n.job),
                        httpMethod: "POST",
                        body: Buffer.from("{}").toString("base64"),
                        headers: { "Content-Type": "application/json" },
                        oauthToken: { serviceAccountEmail: starter.email, scope: run.CLOUD_PLATFORM_SCOPE },
                    },
                },
                { ...child, dependsOn: [...asArray(child.dependsOn), ...starters] },
            );

        let deadLetter: pulumi.Output<string> | undefined;
        if (job.onArrival) {
            const topic = deadLetterTopic(
                name,
                { project, topic: n.deadLetterTopic, inbox: n.deadLetterInbox, kmsKeyName: args.kmsKeyName, labels },
                stateful,
            );
            deadLetter = topicPath(project, topic);
            const publisher = new pubsub.TopicIAMMember(
                `${name}-dlq-publisher`,
                { project, topic: topic.name, role: "roles/pubsub.publisher", member: starterMember },
                child,
            );
            // Project-level: Eventarc and Workflows grant these on the project only.
            const projectRoles = ["roles/eventarc.eventReceiver", "roles/workflows.invoker", "roles/logging.logWriter"].map(
                (role) =>
                    new projects.IAMMember(
                        `${name}-${role.split("/")[1].replace(/\./g, "-")}`,
                        { project, role, member: starterMember },
                        child,
                    ),
            );
            const workflow = new workflows.Workflow(
                `${name}-arrival`,
                {
                    project,
                    region,
                    name: n.workflow,
                    description: `mlops: runs data pipeline ${job.name} when an object arrives under ${job.source.zone}/${job.source.prefix}`,
                    serviceAccount: starter.email,
                    cryptoKeyName: args.kmsKeyName,
                    callLogLevel: "LOG_ERRORS_ONLY",
                    deletionProtection: protect,
                    sourceContents: sourceBucket.apply((bucket) =>
                        run.arrivalWorkflow({
                            project,
                            region,
                            job: n.job,
                            bucket,
                            prefix: job.source.prefix,
                            deadLetterTopic: n.deadLetterTopic,
                            pipeline: job.name,
                        }),
                    ),
                    labels,
                },
                { ...child, dependsOn: [...asArray(child.dependsOn), ...starters, publisher] },
            );
            new eventarc.Trigger(
                `${name}-arrival`,
                {
                    project,
                    location: region,
                    name: n.trigger,
                    matchingCriterias: [
                        { attribute: "type", value: run.STORAGE_FINALIZED },
                        { attribute: "bucket", value: sourceBucket },
                    ],
                    destination: { workflow: pulumi.interpolate`projects/${project}/locations/${region}/workflows/${workflow.name}` },
                    serviceAccount: starter.email,
                    labels,
                },
                { ...child, dependsOn: [...asArray(child.dependsOn), ...projectRoles] },
            );
        }

        let table: pulumi.Output<string> | undefined;
        const dataset = args.datasets?.[job.target.zone];
        if (dataset !== undefined) {
            const tableId = job.name.replace(/-/g, "_");
            new bigquery.Table(
                `${name}-table`,
                {
                    project,
                    datasetId: dataset,
                    tableId,
                    description: `mlops: every version the data pipeline ${job.name} wrote (gs://.../${job.target.prefix}v=<run>/*.csv)`,
                    // Metadata only (the rows stay in the bucket); the lake's table rule keeps protection on.
                    deletionProtection: true,
                    externalDataConfiguration: {
                        sourceFormat: "CSV",
                        autodetect: true,
                        sourceUris: [targetBucket.apply((b) => `gs://${b}/${job.target.prefix}v=*.csv`)],
                        csvOptions: { quote: '"', skipLeadingRows: 1 },
                    },
                    labels,
                },
                stateful,
            );
            table = pulumi.interpolate`${dataset}.${tableId}`;
        }
        return { deadLetter, table };
    }
}

/** A resource option's dependsOn as a list (the stacks always pass lists or single resources). */
function asArray(d: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}

/**
 * Streams into `raw`: per stream a CMEK Pub/Sub topic keeping messages `retentionHours`, a Cloud Storage
 * subscription writing them under the stream's prefix of the raw bucket (a file every 5 minutes or 100 MB),
 * and a CMEK dead-letter topic for messages it could not write after 5 attempts. The Pub/Sub service agent
 * may create objects under those prefixes only (IAM Condition) and read the bucket's metadata.
 */
export class PubSubStreams extends pulumi.ComponentResource {
    /** Topic per stream (`projects/<p>/topics/<t>`): publish events here. */
    public readonly topics: pulumi.Output<Record<string, string>>;
    /** Dead-letter topic per stream. */
    public readonly deadLetters: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: PubSubStreamsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`PubSubStreams "${name}"`, validatePubSubStreams(args));
        const protect = args.protectData ?? true;
        super("mlops:index:PubSubStreams", name, args, opts);

        const { project } = args;
        const child: Child = { parent: this, dependsOn: opts.dependsOn };
        const stateful: Child = { ...child, protect, retainOnDelete: protect };
        const agent = new projects.ServiceIdentity(`${name}-pubsub-agent`, { project, service: "pubsub.googleapis.com" }, child);
        const agentMember = pulumi.interpolate`serviceAccount:${agent.email}`;

        const topics: Record<string, pulumi.Output<string>> = {};
        const deadLetters: Record<string, pulumi.Output<string>> = {};
        const bucketReaders = new Map<string, storage.BucketIAMMember>();
        for (const stream of args.streams) {
            const n = streamNames(args.namePrefix, stream.name);
            const s = `${name}-${stream.name}`;
            const labels = { ...args.tags, "mlops-stream": stream.name };
            const retention = `${stream.retentionHours * 3600}s`;
            const bucket = pulumi.output(args.zoneBuckets[stream.target.zone]);
            const topic = new pubsub.Topic(
                s,
                { project, name: n.topic, kmsKeyName: args.kmsKeyName, messageRetentionDuration: retention, labels },
                stateful,
            );
            const dlq = deadLetterTopic(
                s,
                { project, topic: n.deadLetterTopic, inbox: n.deadLetterInbox, kmsKeyName: args.kmsKeyName, labels },
                stateful,
            );

            // What the agent needs to write (cloud.google.com/pubsub/docs/create-cloudstorage-subscription):
            // storage.buckets.get (legacyBucketReader) and storage.objects.create, here only under the prefix.
            if (!bucketReaders.has(stream.target.zone))
                bucketReaders.set(
                    stream.target.zone,
                    new storage.BucketIAMMember(
                        `${name}-${stream.target.zone}-agent-reader`,
                        { bucket, role: "roles/storage.legacyBucketReader", member: agentMember },
                        child,
                    ),
                );
            const creator = new storage.BucketIAMMember(
                `${s}-agent-creator`,
                {
                    bucket,
                    role: "roles/storage.objectCreator",
                    member: agentMember,
                    condition:
                        stream.target.prefix === ""
                            ? undefined
                            : bucket.apply((b) => run.prefixCondition(b, stream.target.prefix, `mlops-stream-${stream.name}`)),
                },
                child,
            );
            // Dead-lettering: the agent publishes to the dead-letter topic and acknowledges on the subscription.
            const dlqPublisher = new pubsub.TopicIAMMember(
                `${s}-dlq-publisher`,
                { project, topic: dlq.name, role: "roles/pubsub.publisher", member: agentMember },
                child,
            );
            const subscription = new pubsub.Subscription(
                `${s}-to-raw`,
                {
                    project,
                    name: n.subscription,
                    topic: topicPath(project, topic),
                    // The file window (maxDuration) may not exceed the acknowledgement deadline.
                    ackDeadlineSeconds: 600,
                    messageRetentionDuration: retention,
                    expirationPolicy: { ttl: "" },
                    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
                    deadLetterPolicy: { deadLetterTopic: topicPath(project, dlq), maxDeliveryAttempts: 5 },
                    cloudStorageConfig: {
                        bucket,
                        filenamePrefix: stream.target.prefix,
                        filenameDatetimeFormat: "YYYY-MM-DD/hh_mm_ssZ",
                        filenameSuffix: ".jsonl",
                        maxDuration: "300s",
                        maxBytes: 100 * 1024 * 1024,
                        textConfig: {},
                    },
                    labels,
                },
                { ...stateful, dependsOn: [...asArray(child.dependsOn), bucketReaders.get(stream.target.zone)!, creator, dlqPublisher] },
            );
            new pubsub.SubscriptionIAMMember(
                `${s}-agent-subscriber`,
                { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: agentMember },
                child,
            );
            topics[stream.name] = topicPath(project, topic);
            deadLetters[stream.name] = topicPath(project, dlq);
        }
        this.topics = pulumi.output(topics);
        this.deadLetters = pulumi.output(deadLetters);
        this.registerOutputs({ topics: this.topics, deadLetters: this.deadLetters });
    }
}

/**
 * An Airflow environment that runs the pipelines' schedules (`mlops:pipelines.orchestrator: airflow`): a
 * Cloud Composer 2 environment of the smallest size (one scheduler, one web server, one to `maxWorkers`
 * workers at their smallest workload settings), CMEK-encrypted with `kmsKeyName`, a Private IP environment in
 * the given network by default (no public endpoint on its cluster), its web server closed to every address
 * unless ranges are given. It runs as its own service account with roles/composer.worker (what Composer needs
 * to run the environment, its bucket and logs included) and, on each pipeline's Cloud Run job only,
 * roles/run.invoker and roles/run.jobsExecutorWithOverrides: it may start those jobs and nothing else. One
 * DAG per pipeline (components/data-pipeline/gcp-composer.ts) is uploaded under the environment's `dags/`
 * folder. Airflow's logs go to Cloud Logging (Composer always sends them). See docs/gcp.md, "Airflow".
 */
export class CloudComposer extends pulumi.ComponentResource {
    /** The environment's name. */
    public readonly environmentName: pulumi.Output<string>;
    /** The Airflow web UI (closed to every address unless webServerAllowedIpRanges). */
    public readonly airflowUri: pulumi.Output<string>;
    /** Where the environment reads DAGs (`gs://<bucket>/dags`). */
    public readonly dagGcsPrefix: pulumi.Output<string>;
    /** The DAG object of each pipeline (`gs://<bucket>/dags/<pipeline>.py`). */
    public readonly dags: pulumi.Output<Record<string, string>>;
    /** The text of each pipeline's DAG file, as uploaded (its SHA-256 is the object's `mlops-dag-sha256` metadata). */
    public readonly dagFiles: Readonly<Record<string, string>>;

    constructor(name: string, args: CloudComposerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudComposer "${name}"`, validateCloudComposer(args));
        const protect = args.protectData ?? true;
        const privateEnvironment = args.privateEnvironment ?? true;
        super("mlops:index:CloudComposer", name, args, opts);

        const { project, region } = args;
        const n = composerNames(args.namePrefix);
        const child: Child = { parent: this, dependsOn: opts.dependsOn };
        const stateful: Child = { ...child, protect, retainOnDelete: protect };

        const account = new serviceaccount.Account(
            `${name}-sa`,
            {
                project,
                accountId: n.account,
                displayName: "mlops Airflow (Cloud Composer) environment",
                description: "Runs the Airflow environment; may start the data pipelines' Cloud Run jobs only",
            },
            child,
        );
        const member = pulumi.interpolate`serviceAccount:${account.email}`;
        // What every Composer environment's account needs (cloud.google.com/composer/docs/composer-2/access-control).
        const grants: pulumi.Resource[] = [
            new projects.IAMMember(`${name}-worker`, { project, role: "roles/composer.worker", member }, child),
        ];
        // Composer 2 with a user-managed account: the Composer service agent acts for it (Service Agent V2 Ext), on this account only.
        const agent = new projects.ServiceIdentity(`${name}-composer-agent`, { project, service: "composer.googleapis.com" }, child);
        grants.push(
            new serviceaccount.IAMMember(
                `${name}-agent-ext`,
                {
                    serviceAccountId: account.name,
                    role: "roles/composer.ServiceAgentV2Ext",
                    member: pulumi.interpolate`serviceAccount:${agent.email}`,
                },
                child,
            ),
        );
        // Starting the pipelines' jobs (with the MLOPS_TRIGGER override), each job by name: nothing project-wide.
        for (const p of args.pipelines) {
            const job = pipelineNames(args.namePrefix, p.name).job;
            for (const [suffix, role] of [
                ["invoker", "roles/run.invoker"],
                ["overrides", "roles/run.jobsExecutorWithOverrides"],
            ] as const)
                grants.push(
                    new cloudrunv2.JobIamMember(
                        `${name}-${p.name}-${suffix}`,
                        { project, location: region, name: job, role, member },
                        child,
                    ),
                );
        }

        const ranges = args.webServerAllowedIpRanges ?? [];
        const workload = { cpu: 0.5, memoryGb: 1.875, storageGb: 1 };
        const environment = new composer.Environment(
            `${name}-env`,
            {
                project,
                region,
                name: n.environment,
                labels: { ...args.tags },
                config: {
                    environmentSize: args.environmentSize ?? "ENVIRONMENT_SIZE_SMALL",
                    softwareConfig: {
                        imageVersion: args.imageVersion ?? COMPOSER_IMAGE_VERSION,
                        // The DAGs come from `pulumi up`: a new one runs on its schedule without being unpaused by hand.
                        airflowConfigOverrides: { "core-dags_are_paused_at_creation": "False" },
                    },
                    // The smallest workloads Composer 2 takes (provider docs' Composer 2 example), one worker unless maxWorkers.
                    workloadsConfig: {
                        scheduler: { ...workload, count: 1 },
                        webServer: workload,
                        worker: { ...workload, minCount: 1, maxCount: args.maxWorkers ?? 1 },
                    },
                    nodeConfig: {
                        serviceAccount: account.email,
                        network: args.network?.networkId,
                        subnetwork: args.network?.subnetId,
                    },
                    privateEnvironmentConfig: privateEnvironment ? { enablePrivateEndpoint: true } : undefined,
                    encryptionConfig: { kmsKeyName: args.kmsKeyName },
                    webServerNetworkAccessControl: {
                        allowedIpRanges: ranges.map((value) => ({ value, description: "mlops: webServerAllowedIpRanges" })),
                    },
                },
            },
            { ...stateful, dependsOn: [...asArray(child.dependsOn), ...grants] },
        );

        const dagGcsPrefix = environment.config.apply((c) => c.dagGcsPrefix);
        const bucket = dagGcsPrefix.apply((uri) => parseGcsPrefix(uri).bucket);
        const dags: Record<string, pulumi.Output<string>> = {};
        const dagFiles: Record<string, string> = {};
        for (const p of args.pipelines) {
            const job = pipelineNames(args.namePrefix, p.name).job;
            const text = airflowDag(composerDagSpec(p, { project, region, job }));
            dagFiles[p.name] = text;
            const object = new storage.BucketObject(
                `${name}-dag-${p.name}`,
                {
                    bucket,
                    name: dagGcsPrefix.apply((uri) => dagObjectName(uri, p.name)),
                    content: text,
                    contentType: "text/x-python",
                    // The provider keeps `content` secret; the digest shows (in plans too) which DAG is deployed.
                    metadata: { "mlops-dag-sha256": createHash("sha256").update(text).digest("hex") },
                },
                { parent: this },
            );
            dags[p.name] = pulumi.interpolate`gs://${object.bucket}/${object.name}`;
        }

        this.environmentName = environment.name;
        this.airflowUri = environment.config.apply((c) => c.airflowUri);
        this.dagGcsPrefix = dagGcsPrefix;
        this.dags = pulumi.output(dags);
        this.dagFiles = dagFiles;
        this.registerOutputs({ environmentName: this.environmentName, airflowUri: this.airflowUri, dags: this.dags });
    }
}
