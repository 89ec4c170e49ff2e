/**
 * Training pipelines on Google Cloud (Vertex AI Pipelines). Per model with a training:
 * - a compiled pipeline (components/training-pipeline/gcp-spec.ts), stored versioned (content hash in the
 *   name) in a private CMEK code bucket with the training files: `train` launches a Vertex AI custom job (the
 *   training image and command, the catalog's machine and accelerator, SPOT when `spot`, CMEK), `register`
 *   gates on metrics.json and uploads the version to the Vertex AI Model Registry model `<prefix>-<model>`
 *   with the alias `candidate` (manual approval) or `approved` (automatic); AutoML mode runs a Vertex AI
 *   AutoML tabular training pipeline instead;
 * - a Vertex AI schedule (cron, UTC) that creates a pipeline run; with onNewData an Eventarc trigger on the
 *   dataset bucket and a CMEK workflow that starts a run when `v=<run id>/_manifest.json` is finalized under
 *   the dataset prefix (trigger `new-data`, that version);
 * - one identity running the pipeline: read on the dataset prefix and on its code, read and create under
 *   `<model>/` of the models bucket (IAM Conditions on the object name), roles/aiplatform.user (jobs, model
 *   upload); an alias it sets on a manually approved model is never delivered; a separate launcher identity;
 * - with drift: a Cloud Run job in the training image running the drift command on a Cloud Scheduler cron,
 *   its own identity (read `<model>/`, create under `<model>/_drift/`), a log-based metric of drifted
 *   features (labels model, feature) and one alert policy per model to the stack's notification channels;
 *   with retrain, a log sink of the drift summary to a CMEK topic whose Eventarc trigger starts a run (`drift`).
 * Stack-wide: a custom approver role (aiplatform.models.update: moving aliases), and with `delivery` a CMEK
 * Secret Manager secret holding the GitHub token and an Eventarc trigger on the Cloud Audit Log of
 * ModelService.MergeVersionAliases whose workflow dispatches the promotion workflow. See docs/gcp.md,
 * "Training, promotion and drift".
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as cloudscheduler from "@pulumi/gcp/cloudscheduler";
import * as colab from "@pulumi/gcp/colab";
import * as eventarc from "@pulumi/gcp/eventarc";
import * as kms from "@pulumi/gcp/kms";
import * as logging from "@pulumi/gcp/logging";
import * as projects from "@pulumi/gcp/projects";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import { privateCodeBucket } from "../storage/gcp";
import * as workflows from "@pulumi/gcp/workflows";
import { TrainingPipelines, TrainingSpec } from "./contract";
import {
    VertexTrainingPipelinesArgs,
    stackTrainingNames,
    trainingAlertSignals,
    trainingMachine,
    trainingNames,
    validateVertexTrainingPipelines,
} from "./gcp-args";
import * as spec from "./gcp-spec";
import { signalAlertPolicy } from "../observability/gcp-signal-alert";
import { jobCpu } from "../data-pipeline/gcp-args";
import * as run from "../data-pipeline/gcp-run";
import { throwIfProblems } from "../shared/problems";

type Child = pulumi.CustomResourceOptions;

/** Project roles of the pipeline's identity: run custom jobs and upload versions; write logs and metrics. */
export const PIPELINE_PROJECT_ROLES = ["roles/aiplatform.user", "roles/logging.logWriter", "roles/monitoring.metricWriter"] as const;
/** Project roles of the launcher: create pipeline runs, receive events, be invoked as the workflow, log. */
export const LAUNCHER_PROJECT_ROLES = [
    "roles/aiplatform.user",
    "roles/eventarc.eventReceiver",
    "roles/workflows.invoker",
    "roles/logging.logWriter",
] as const;
/** Project roles of the delivery identity: read the registry, receive audit-log events, run the workflow. */
export const DELIVERY_PROJECT_ROLES = [
    "roles/aiplatform.viewer",
    "roles/eventarc.eventReceiver",
    "roles/workflows.invoker",
    "roles/logging.logWriter",
] as const;
/** The permissions of the approver role: see and move a model's version aliases (`approved`). */
export const APPROVER_PERMISSIONS = ["aiplatform.models.get", "aiplatform.models.list", "aiplatform.models.update"] as const;
export const AUDIT_LOG_WRITTEN = "google.cloud.audit.log.v1.written";
export const PUBSUB_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished";
export const MERGE_VERSION_ALIASES = "google.cloud.aiplatform.v1.ModelService.MergeVersionAliases";

const roleSuffix = (role: string) => role.split("/")[1].replace(/\./g, "-");

function asArray(d: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}

/** Training pipelines on Vertex AI Pipelines: per model a pipeline that trains (or runs AutoML), gates and registers versions in the Model Registry, started on a schedule and on new data, and a drift monitor. */
export class VertexTrainingPipelines extends pulumi.ComponentResource implements TrainingPipelines {
    /** The pipeline (schedule and run display name, `<prefix>-<model>-train`) of each model. */
    public readonly pipelineNames: pulumi.Output<Record<string, string>>;
    /** The Cloud Run drift job of each monitored model. */
    public readonly driftJobNames: pulumi.Output<Record<string, string>>;
    /** The Vertex AI Model Registry model of each model (`projects/<p>/locations/<r>/models/<id>`). */
    public readonly registryModels: pulumi.Output<Record<string, string>>;
    /** The compiled pipeline of each model (`gs://<code bucket>/<model>/<pipeline>-<hash>.json`). */
    public readonly pipelineSpecs: pulumi.Output<Record<string, string>>;
    /** The custom role to grant the people who approve versions (`projects/<p>/roles/<id>`). */
    public readonly approverRole: pulumi.Output<string>;

    constructor(name: string, args: VertexTrainingPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`VertexTrainingPipelines "${name}"`, validateVertexTrainingPipelines(args));
        const protect = args.protectData ?? true;
        super("mlops:index:VertexTrainingPipelines", name, args, opts);

        const { project, region } = args;
        const child: Child = { parent: this, dependsOn: opts.dependsOn };
        const stateful: Child = { ...child, protect, retainOnDelete: protect };
        const names = stackTrainingNames(args.namePrefix);
        const modelsBucket = pulumi.output(args.zoneBuckets.models);

        // Pipeline specs and training/drift files: a private CMEK bucket, readable per model prefix only.
        const code = privateCodeBucket(
            `${name}-code`,
            {
                project,
                location: region,
                kmsKeyName: args.codeKmsKeyName,
                accessLogBucket: args.accessLogBucket,
                keepNoncurrentDays: 90,
                protect,
                labels: { ...args.tags },
            },
            child,
        );

        // Approvers: moving an alias needs aiplatform.models.update; grant this role to the approver group (docs/gcp.md).
        const approver = new projects.IAMCustomRole(
            `${name}-approver`,
            {
                project,
                roleId: names.approverRole,
                title: `mlops model approver (${args.namePrefix})`,
                description: "Approves model versions: moves the `approved` alias in Vertex AI Model Registry",
                permissions: [...APPROVER_PERMISSIONS],
                stage: "GA",
            },
            child,
        );

        const monitored = args.trainings.filter((t) => t.drift);
        const driftMetric = monitored.length
            ? new logging.Metric(
                  `${name}-drifted-features`,
                  {
                      project,
                      name: names.driftMetric,
                      description: "mlops: features the drift jobs found drifted (one per feature and run)",
                      filter: spec.driftedFeatureFilter(monitored.map((t) => trainingNames(args.namePrefix, t.model).driftJob)),
                      metricDescriptor: {
                          metricKind: "DELTA",
                          valueType: "INT64",
                          unit: "1",
                          labels: [
                              { key: "model", valueType: "STRING", description: "the model" },
                              { key: "feature", valueType: "STRING", description: "the drifted feature" },
                          ],
                      },
                      labelExtractors: { model: "EXTRACT(jsonPayload.model)", feature: "EXTRACT(jsonPayload.feature)" },
                  },
                  child,
              )
            : undefined;

        // One alert condition for every monitored model: drifted features > 0, one incident per model (the stack's
        // channels). With `alert: false` the stack folds this signal into its own policy.
        const signals = trainingAlertSignals(args.namePrefix, args.trainings);
        if (driftMetric && (args.alert ?? true))
            signalAlertPolicy(
                `${name}-drift-alert`,
                {
                    project,
                    displayName: `${args.namePrefix} models: features drifted`,
                    severity: "WARNING",
                    signals,
                    notificationChannels: args.notificationChannels,
                    documentation: `A drift job of ${args.namePrefix} found drifted features. See docs/gcp.md, "Training, promotion and drift".`,
                },
                { ...child, dependsOn: [driftMetric] },
            );

        const pipelineNames: Record<string, string> = {};
        const driftJobNames: Record<string, string> = {};
        const registryModels: Record<string, string> = {};
        const specs: Record<string, pulumi.Output<string>> = {};
        const trainers: Record<string, pulumi.Output<string>> = {};
        for (const t of args.trainings) {
            const n = trainingNames(args.namePrefix, t.model);
            pipelineNames[t.model] = n.pipeline;
            registryModels[t.model] = `projects/${project}/locations/${region}/models/${n.modelId}`;
            const built = this.training(`${name}-${t.model}`, t, n, args, { child, code, modelsBucket });
            specs[t.model] = built.spec;
            if (t.approval === "manual") trainers[n.modelId] = built.trainer;
            if (t.drift) driftJobNames[t.model] = n.driftJob;
        }

        if (args.delivery) this.delivery(name, args, { child, stateful, trainers, names });

        this.pipelineNames = pulumi.output(pipelineNames);
        this.driftJobNames = pulumi.output(driftJobNames);
        this.registryModels = pulumi.output(registryModels);
        this.pipelineSpecs = pulumi.output(specs);
        this.approverRole = approver.name;
        this.registerOutputs({
            pipelineNames: this.pipelineNames,
            driftJobNames: this.driftJobNames,
            registryModels: this.registryModels,
            pipelineSpecs: this.pipelineSpecs,
            approverRole: this.approverRole,
        });
    }

    /** One model's identities, grants, code, spec, schedule, launch workflow and triggers, and drift monitor. */
    private training(
        name: string,
        t: TrainingSpec,
        n: ReturnType<typeof trainingNames>,
        args: VertexTrainingPipelinesArgs,
        o: { child: Child; code: storage.Bucket; modelsBucket: pulumi.Output<string> },
    ): { spec: pulumi.Output<string>; trainer: pulumi.Output<string> } {
        const { project, region } = args;
        const { child, code, modelsBucket } = o;
        const labels = { ...args.tags, "mlops-model": t.model };
        const account = (id: string, suffix: string, description: string) =>
            new serviceaccount.Account(
                `${name}-${suffix}`,
                { project, accountId: id, displayName: `mlops ${t.model} (${suffix})`, description },
                child,
            );
        const pipelineSa = account(
            n.pipelineAccount,
            "pipeline-sa",
            "Runs one model's training pipeline: reads its dataset, writes its model prefix",
        );
        const pipelineMember = pulumi.interpolate`serviceAccount:${pipelineSa.email}`;
        const datasetBucket = pulumi.output(args.zoneBuckets[t.dataset.zone]);

        const grant = (suffix: string, bucket: pulumi.Input<string>, role: string, member: pulumi.Input<string>, prefix?: string) =>
            new storage.BucketIAMMember(
                `${name}-${suffix}`,
                {
                    bucket,
                    role,
                    member,
                    condition:
                        prefix === undefined
                            ? undefined
                            : pulumi.output(bucket).apply((b) => run.prefixCondition(b, prefix, `mlops-${t.model}-${suffix}`)),
                },
                child,
            );
        const grants: pulumi.Resource[] = [
            grant("dataset-read", datasetBucket, "roles/storage.objectViewer", pipelineMember, t.dataset.prefix),
            grant("dataset-list", datasetBucket, "roles/storage.legacyBucketReader", pipelineMember),
            grant("model-read", modelsBucket, "roles/storage.objectViewer", pipelineMember, t.output.prefix),
            grant("model-create", modelsBucket, "roles/storage.objectCreator", pipelineMember, t.output.prefix),
            grant("code-read", code.name, "roles/storage.objectViewer", pipelineMember, `${t.model}/`),
            ...PIPELINE_PROJECT_ROLES.map(
                (role) => new projects.IAMMember(`${name}-pipeline-${roleSuffix(role)}`, { project, role, member: pipelineMember }, child),
            ),
            // The pipeline launches its custom job as itself.
            new serviceaccount.IAMMember(
                `${name}-pipeline-self`,
                { serviceAccountId: pipelineSa.name, role: "roles/iam.serviceAccountUser", member: pipelineMember },
                child,
            ),
        ];
        if (t.dataset.zone !== t.output.zone)
            grants.push(grant("model-list", modelsBucket, "roles/storage.legacyBucketReader", pipelineMember));

        // Training and drift files, in a folder named by their content.
        const files = t.files && Object.keys(t.files).length > 0 ? t.files : undefined;
        const codePrefix = files ? `${t.model}/app-${spec.contentHash(JSON.stringify(Object.entries(files).sort()))}/` : undefined;
        for (const [file, content] of Object.entries(files ?? {}))
            grants.push(
                new storage.BucketObject(
                    `${name}-file-${file}`,
                    { bucket: code.name, name: `${codePrefix}${file}`, content, contentType: "text/plain" },
                    { parent: this },
                ),
            );

        const container = args.servingContainers?.[t.model] ?? { image: t.image, port: 8080 };
        const specText = pulumi
            .all([datasetBucket, modelsBucket, code.name, pipelineSa.email, pulumi.output(args.kmsKeyName)])
            .apply(([ds, mb, cb, sa, key]) =>
                JSON.stringify(
                    spec.pipelineSpec(t, {
                        project,
                        region,
                        datasetBucket: ds,
                        modelsBucket: mb,
                        codeBucket: cb,
                        codePrefix,
                        serviceAccount: sa,
                        kmsKeyName: key,
                        modelId: n.modelId,
                        machine: trainingMachine(t, args.trainingMachineType ?? "n1-standard-4"),
                        servingContainer: container,
                        labels,
                    }),
                ),
            );
        const specObject = new storage.BucketObject(
            `${name}-spec`,
            {
                bucket: code.name,
                name: specText.apply((s) => `${t.model}/${n.pipeline}-${spec.contentHash(s)}.json`),
                content: specText,
                contentType: "application/json",
            },
            { parent: this },
        );
        const outputDirectory = pulumi.interpolate`gs://${modelsBucket}/${t.output.prefix}_pipeline/`;
        const jobLabels = { ...labels, "mlops-pipeline": n.pipeline };

        if (t.schedule !== undefined)
            new colab.Schedule(
                `${name}-schedule`,
                {
                    project,
                    location: region,
                    displayName: n.pipeline,
                    cron: `TZ=Etc/UTC ${t.schedule}`,
                    maxConcurrentRunCount: "1",
                    allowQueueing: false,
                    createPipelineJobRequest: {
                        parent: `projects/${project}/locations/${region}`,
                        pipelineJob: {
                            displayName: n.pipeline,
                            pipelineSpec: specText,
                            serviceAccount: pipelineSa.email,
                            encryptionSpec: { kmsKeyName: args.kmsKeyName },
                            labels: jobLabels,
                            runtimeConfig: {
                                gcsOutputDirectory: outputDirectory,
                                failurePolicy: "PIPELINE_FAILURE_POLICY_FAIL_FAST",
                                parameterValues: { trigger: "schedule", dataset_version: "" },
                            },
                        },
                    },
                },
                { ...child, dependsOn: [...asArray(child.dependsOn), ...grants, specObject] },
            );

        // Starting runs on new data and on drift: a launcher identity and one workflow.
        const retrain = t.drift?.retrain ?? false;
        let workflow: workflows.Workflow | undefined;
        let launcher: serviceaccount.Account | undefined;
        if (t.onNewData || retrain) {
            launcher = account(n.launcherAccount, "launcher-sa", "Starts runs of one model's training pipeline (new data, drift)");
            const launcherMember = pulumi.interpolate`serviceAccount:${launcher.email}`;
            const launcherGrants: pulumi.Resource[] = [
                ...LAUNCHER_PROJECT_ROLES.map(
                    (role) =>
                        new projects.IAMMember(`${name}-launcher-${roleSuffix(role)}`, { project, role, member: launcherMember }, child),
                ),
                new serviceaccount.IAMMember(
                    `${name}-launcher-actas`,
                    { serviceAccountId: pipelineSa.name, role: "roles/iam.serviceAccountUser", member: launcherMember },
                    child,
                ),
            ];
            workflow = new workflows.Workflow(
                `${name}-launch`,
                {
                    project,
                    region,
                    name: n.launchWorkflow,
                    description: `mlops: starts a run of ${n.pipeline} (new dataset version, drift)`,
                    serviceAccount: launcher.email,
                    cryptoKeyName: args.kmsKeyName,
                    callLogLevel: "LOG_ERRORS_ONLY",
                    deletionProtection: false,
                    sourceContents: pulumi
                        .all([specText, pipelineSa.email, pulumi.output(args.kmsKeyName), datasetBucket, outputDirectory])
                        .apply(([s, sa, key, ds, out]) =>
                            spec.launchWorkflow({
                                project,
                                region,
                                pipeline: n.pipeline,
                                spec: s,
                                serviceAccount: sa,
                                kmsKeyName: key,
                                outputDirectory: out,
                                labels: jobLabels,
                                dataset: t.onNewData ? { bucket: ds, prefix: t.dataset.prefix } : undefined,
                            }),
                        ),
                    labels,
                },
                { ...child, dependsOn: [...asArray(child.dependsOn), ...grants, ...launcherGrants] },
            );
            if (t.onNewData)
                new eventarc.Trigger(
                    `${name}-new-data`,
                    {
                        project,
                        location: region,
                        name: n.newDataTrigger,
                        matchingCriterias: [
                            { attribute: "type", value: run.STORAGE_FINALIZED },
                            { attribute: "bucket", value: datasetBucket },
                        ],
                        destination: { workflow: workflow.id },
                        serviceAccount: launcher.email,
                        labels,
                    },
                    { ...child, dependsOn: [...asArray(child.dependsOn), ...launcherGrants] },
                );
        }

        if (t.drift) this.drift(name, t, n, args, { child, code, modelsBucket, codePrefix, labels, workflow, launcher });
        return { spec: pulumi.interpolate`gs://${code.name}/${specObject.name}`, trainer: pipelineSa.email };
    }

    /** The drift job, its schedule, its alert, and (retrain) the route from its summary line to the launch workflow. */
    private drift(
        name: string,
        t: TrainingSpec,
        n: ReturnType<typeof trainingNames>,
        args: VertexTrainingPipelinesArgs,
        o: {
            child: Child;
            code: storage.Bucket;
            modelsBucket: pulumi.Output<string>;
            codePrefix?: string;
            labels: Record<string, string>;
            workflow?: workflows.Workflow;
            launcher?: serviceaccount.Account;
        },
    ): void {
        const { project, region } = args;
        const { child, code, modelsBucket, labels } = o;
        const d = t.drift!;
        const sa = new serviceaccount.Account(
            `${name}-drift-sa`,
            { project, accountId: n.driftAccount, displayName: `mlops ${t.model} (drift)`, description: "Runs one model's drift job" },
            child,
        );
        const member = pulumi.interpolate`serviceAccount:${sa.email}`;
        const grant = (suffix: string, bucket: pulumi.Input<string>, role: string, prefix?: string) =>
            new storage.BucketIAMMember(
                `${name}-drift-${suffix}`,
                {
                    bucket,
                    role,
                    member,
                    condition:
                        prefix === undefined
                            ? undefined
                            : pulumi.output(bucket).apply((b) => run.prefixCondition(b, prefix, `mlops-${t.model}-drift-${suffix}`)),
                },
                child,
            );
        const grants: pulumi.Resource[] = [
            grant("model-read", modelsBucket, "roles/storage.objectViewer", t.output.prefix),
            grant("report-create", modelsBucket, "roles/storage.objectCreator", `${t.output.prefix}_drift/`),
            grant("model-list", modelsBucket, "roles/storage.legacyBucketReader"),
        ];
        if (o.codePrefix)
            grants.push(
                grant("code-read", code.name, "roles/storage.objectViewer", `${t.model}/`),
                grant("code-list", code.name, "roles/storage.legacyBucketReader"),
            );

        const cpu = jobCpu(t.cpuMillicores) ?? 1;
        const job = new cloudrunv2.Job(
            `${name}-drift`,
            {
                project,
                location: region,
                name: n.driftJob,
                deletionProtection: false,
                labels,
                template: {
                    taskCount: 1,
                    parallelism: 1,
                    labels,
                    template: {
                        serviceAccount: sa.email,
                        encryptionKey: args.kmsKeyName,
                        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                        timeout: "3600s",
                        maxRetries: 1,
                        containers: [
                            {
                                name: "drift",
                                image: t.image,
                                commands: [...d.command],
                                envs: modelsBucket.apply((b) =>
                                    Object.entries(spec.driftEnv(t, b)).map(([k, value]) => ({ name: k, value })),
                                ),
                                resources: { limits: { cpu: String(cpu), memory: `${t.memoryMiB}Mi` } },
                                volumeMounts: o.codePrefix ? [{ name: "app", mountPath: run.APP_PATH }] : undefined,
                            },
                        ],
                        volumes: o.codePrefix
                            ? [
                                  {
                                      name: "app",
                                      gcs: {
                                          bucket: code.name,
                                          readOnly: true,
                                          mountOptions: [`only-dir=${o.codePrefix.replace(/\/$/, "")}`],
                                      },
                                  },
                              ]
                            : undefined,
                    },
                },
            },
            { ...child, dependsOn: [...asArray(child.dependsOn), ...grants] },
        );
        const starter = new serviceaccount.Account(
            `${name}-drift-starter-sa`,
            {
                project,
                accountId: n.driftStarterAccount,
                displayName: `mlops ${t.model} (drift starter)`,
                description: "Starts one model's drift job on its schedule",
            },
            child,
        );
        const invoker = new cloudrunv2.JobIamMember(
            `${name}-drift-invoker`,
            {
                project,
                location: region,
                name: job.name,
                role: "roles/run.invoker",
                member: pulumi.interpolate`serviceAccount:${starter.email}`,
            },
            child,
        );
        new cloudscheduler.Job(
            `${name}-drift-schedule`,
            {
                project,
                region,
                name: n.driftSchedule,
                description: `mlops: runs the drift job of ${t.model}`,
                schedule: d.schedule,
                timeZone: "Etc/UTC",
                attemptDeadline: "180s",
                retryConfig: { retryCount: 3, minBackoffDuration: "30s", maxBackoffDuration: "600s", maxDoublings: 3 },
                httpTarget: {
                    uri: run.runJobUri(project, region, n.driftJob),
                    httpMethod: "POST",
                    body: Buffer.from("{}").toString("base64"),
                    headers: { "Content-Type": "application/json" },
                    oauthToken: { serviceAccountEmail: starter.email, scope: run.CLOUD_PLATFORM_SCOPE },
                },
            },
            { ...child, dependsOn: [...asArray(child.dependsOn), invoker] },
        );

        // Retrain on drift: the summary line -> a CMEK topic (log sink) -> Eventarc -> the launch workflow.
        if (d.retrain && o.workflow && o.launcher) {
            const topic = new pubsub.Topic(
                `${name}-drift-found`,
                { project, name: n.driftTopic, kmsKeyName: args.kmsKeyName, messageRetentionDuration: "86400s", labels },
                child,
            );
            const sink = new logging.ProjectSink(
                `${name}-drift-found`,
                {
                    project,
                    name: n.driftSink,
                    destination: pulumi.interpolate`pubsub.googleapis.com/projects/${project}/topics/${topic.name}`,
                    filter: spec.driftFoundFilter(n.driftJob, t.model),
                    uniqueWriterIdentity: true,
                    description: `mlops: drift found for ${t.model}: starts retraining`,
                },
                child,
            );
            new pubsub.TopicIAMMember(
                `${name}-drift-found-publisher`,
                { project, topic: topic.name, role: "roles/pubsub.publisher", member: sink.writerIdentity },
                child,
            );
            new eventarc.Trigger(
                `${name}-drift-retrain`,
                {
                    project,
                    location: region,
                    name: n.driftTrigger,
                    matchingCriterias: [{ attribute: "type", value: PUBSUB_PUBLISHED }],
                    transport: { pubsub: { topic: topic.id } },
                    destination: { workflow: o.workflow.id },
                    serviceAccount: o.launcher.email,
                    labels,
                },
                child,
            );
        }
    }

    /** The GitHub token secret, the delivery identity, its workflow and the audit-log trigger on alias changes. */
    private delivery(
        name: string,
        args: VertexTrainingPipelinesArgs,
        o: { child: Child; stateful: Child; trainers: Record<string, pulumi.Output<string>>; names: ReturnType<typeof stackTrainingNames> },
    ): void {
        const { project, region } = args;
        const { child, names } = o;
        const delivery = args.delivery!;
        const labels = { ...args.tags };
        // Secret Manager encrypts the secret with the key: its service agent must use it.
        const agent = new projects.ServiceIdentity(
            `${name}-secretmanager-agent`,
            { project, service: "secretmanager.googleapis.com" },
            child,
        );
        const agentKey = new kms.CryptoKeyIAMMember(
            `${name}-secretmanager-agent-key`,
            {
                cryptoKeyId: args.kmsKeyName,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:${agent.email}`,
            },
            child,
        );
        const secret = new secretmanager.Secret(
            `${name}-github-token`,
            {
                project,
                secretId: names.tokenSecret,
                replication: {
                    userManaged: { replicas: [{ location: region, customerManagedEncryption: { kmsKeyName: args.kmsKeyName } }] },
                },
                labels,
            },
            { ...o.stateful, dependsOn: [...asArray(child.dependsOn), agentKey] },
        );
        new secretmanager.SecretVersion(`${name}-github-token`, { secret: secret.id, secretData: pulumi.secret(delivery.token) }, child);

        const sa = new serviceaccount.Account(
            `${name}-delivery-sa`,
            {
                project,
                accountId: names.deliveryAccount,
                displayName: "mlops model delivery",
                description: "Dispatches the promotion workflow on GitHub when a model version is approved",
            },
            child,
        );
        const member = pulumi.interpolate`serviceAccount:${sa.email}`;
        const grants: pulumi.Resource[] = [
            ...DELIVERY_PROJECT_ROLES.map(
                (role) => new projects.IAMMember(`${name}-delivery-${roleSuffix(role)}`, { project, role, member }, child),
            ),
            new secretmanager.SecretIamMember(
                `${name}-delivery-token-reader`,
                { project, secretId: secret.secretId, role: "roles/secretmanager.secretAccessor", member },
                child,
            ),
        ];
        const models = Object.fromEntries(args.trainings.map((t) => [trainingNames(args.namePrefix, t.model).modelId, t.model]));
        const workflow = new workflows.Workflow(
            `${name}-delivery`,
            {
                project,
                region,
                name: names.deliveryWorkflow,
                description: "mlops: dispatches the promotion workflow when a model version gets the approved alias",
                serviceAccount: sa.email,
                cryptoKeyName: args.kmsKeyName,
                callLogLevel: "LOG_ERRORS_ONLY",
                deletionProtection: false,
                sourceContents: pulumi.all([pulumi.output(o.trainers), secret.id]).apply(([trainers, secretId]) =>
                    spec.deliveryWorkflow({
                        project,
                        region,
                        models,
                        trainingIdentities: trainers,
                        repository: delivery.repository,
                        workflow: delivery.workflow,
                        branch: delivery.branch,
                        stack: delivery.stack,
                        tokenSecret: secretId,
                    }),
                ),
                labels,
            },
            { ...child, dependsOn: [...asArray(child.dependsOn), ...grants] },
        );
        new eventarc.Trigger(
            `${name}-model-approved`,
            {
                project,
                location: region,
                name: names.deliveryTriggers.aliases,
                matchingCriterias: [
                    { attribute: "type", value: AUDIT_LOG_WRITTEN },
                    { attribute: "serviceName", value: "aiplatform.googleapis.com" },
                    { attribute: "methodName", value: MERGE_VERSION_ALIASES },
                ],
                destination: { workflow: workflow.id },
                serviceAccount: sa.email,
                labels,
            },
            { ...child, dependsOn: [...asArray(child.dependsOn), ...grants] },
        );
    }
}
