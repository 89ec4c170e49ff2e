/**
 * Training pipelines on AWS (SageMaker Pipelines), per model with `training`:
 *
 * - the training pipeline `<prefix>-<model>-train` (aws-definition.ts): a Training step (custom) or an
 *   Autopilot AutoML step with a gate (automl), then RegisterModel into the model's package group, pending
 *   manual approval or approved; the job's code uploaded by the stack under `<model>/_code/<hash>/` in the
 *   models bucket (the hash versions the definition);
 * - one identity per pipeline (`<p>-role`, tagged `mlops-training`): read the dataset prefix, read and write
 *   `models/<model>/` (never its `_code/`), the platform key, its own training jobs, CreateModelPackage in its
 *   group; an explicit Deny on sagemaker:UpdateModelPackage: it can never approve;
 * - starts: an EventBridge Scheduler schedule (parameter Trigger=schedule) and an EventBridge rule on a
 *   dataset version's `_manifest.json` created under the dataset prefix (Trigger=new-data), both with a
 *   starter role allowed sagemaker:StartPipelineExecution on this model's pipelines only;
 * - drift (`training.drift`): a pipeline `<prefix>-<model>-drift` with one Processing step running the
 *   drift command, scheduled; log metric filters turning its JSON lines into a metric per feature
 *   (dimension `feature`) and the drifted-feature count; an alarm on that count > 0 to the alert topic;
 *   with `retrain`, an EventBridge rule on the alarm entering ALARM starts training with Trigger=drift;
 * - delivery (`delivery`): per model an EventBridge rule on "SageMaker Model Package State Change" to
 *   Approved in its group -> an API destination POSTing the GitHub workflow dispatch;
 * - one approver managed policy (`<prefix>-approve-models`): UpdateModelPackage on these groups, for the
 *   people or role who approve (docs/aws.md, "Training, promotion and drift").
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as sagemaker from "@pulumi/aws/sagemaker";
import * as scheduler from "@pulumi/aws/scheduler";
import { ECR_CACHE_ACTIONS, ECR_PULL_ACTIONS } from "../registry/aws";
import { awsAccount, AwsAccount, policyJson, PolicyStatement, serviceTrustPolicy } from "../identity/aws";
import { imageSource } from "../container-service/aws-images";
import { starterTrust } from "../data-pipeline/aws-access";
import { toEventBridgeCron } from "../shared/cron";
import { fitName } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { TrainingPipelines, TrainingSpec } from "./contract";
import {
    codePrefix,
    DRIFT_NAMESPACE,
    SageMakerTrainingPipelinesArgs,
    sagemakerImage,
    trainingInstanceType,
    trainingNames,
    validateSageMakerTrainingPipelines,
} from "./aws-args";
import { driftPipelineDefinition, trainingPipelineDefinition } from "./aws-definition";

export * from "./aws-args";
export * from "./aws-definition";

/** The log group SageMaker writes Processing job logs to (the drift job's lines). */
export const PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs";
/** GitHub's REST API base (the workflow dispatch endpoint). */
export const GITHUB_API = "https://api.github.com";

/** `s3:prefix` condition of a ListBucket limited to `prefix`. */
const listPrefix = (prefix: string) => ({ StringLike: { "s3:prefix": prefix === "" ? ["*"] : [prefix, `${prefix}*`] } });

/** EventBridge pattern: a dataset version's manifest (`<prefix>v=<id>/_manifest.json`) created in `bucket`. */
export function manifestCreatedPattern(bucket: string, prefix: string): Record<string, unknown> {
    return {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [bucket] }, object: { key: [{ wildcard: `${prefix}*_manifest.json` }] } },
    };
}

/** EventBridge pattern: a version in `group` moved to Approved. */
export function approvedPattern(group: string): Record<string, unknown> {
    return {
        source: ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Package State Change"],
        detail: { ModelPackageGroupName: [group], ModelApprovalStatus: ["Approved"] },
    };
}

/** EventBridge pattern: the alarm `alarmArn` entered ALARM. */
export function alarmPattern(alarmArn: string): Record<string, unknown> {
    return {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        resources: [alarmArn],
        detail: { state: { value: ["ALARM"] } },
    };
}

/** The workflow dispatch body as an EventBridge input template (`<version>` from the event). */
export function dispatchTemplate(o: { branch: string; stack: string; model: string }): string {
    return `{"ref":${JSON.stringify(o.branch)},"inputs":{"stack":${JSON.stringify(o.stack)},"model":${JSON.stringify(o.model)},"version":<version>}}`;
}

/** The training identity's statements (its own PassRole is a separate policy: it needs the role's ARN). */
export function trainingStatements(o: {
    spec: TrainingSpec;
    account: { partition: string; region: string; accountId: string };
    datasetBucketArn: string;
    modelsBucketArn: string;
    kmsKeyArn: string;
    groupName: string;
    imageRepositoryArn: string;
    pullThroughCache: boolean;
}): PolicyStatement[] {
    const { spec, account } = o;
    const arn = (service: string, resource: string) =>
        `arn:${account.partition}:${service}:${account.region}:${account.accountId}:${resource}`;
    const out = spec.output.prefix;
    const jobs =
        spec.mode === "automl"
            ? [
                  "sagemaker:CreateAutoMLJob",
                  "sagemaker:DescribeAutoMLJob",
                  "sagemaker:ListCandidatesForAutoMLJob",
                  "sagemaker:StopAutoMLJob",
                  "sagemaker:CreateTrainingJob",
                  "sagemaker:DescribeTrainingJob",
                  "sagemaker:CreateProcessingJob",
                  "sagemaker:DescribeProcessingJob",
                  "sagemaker:CreateTransformJob",
                  "sagemaker:DescribeTransformJob",
                  "sagemaker:AddTags",
              ]
            : ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags"];
    const jobResources =
        spec.mode === "automl"
            ? [
                  arn("sagemaker", "automl-job/*"),
                  arn("sagemaker", "training-job/*"),
                  arn("sagemaker", "processing-job/*"),
                  arn("sagemaker", "transform-job/*"),
              ]
            : [arn("sagemaker", "training-job/*")];
    return [
        {
            Sid: "ListDataset",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: o.datasetBucketArn,
            Condition: listPrefix(spec.dataset.prefix),
        },
        {
            Sid: "ReadDataset",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: `${o.datasetBucketArn}/${spec.dataset.prefix}*`,
        },
        { Sid: "ListModel", Effect: "Allow", Action: "s3:ListBucket", Resource: o.modelsBucketArn, Condition: listPrefix(out) },
        {
            Sid: "ReadWriteModel",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            Resource: `${o.modelsBucketArn}/${out}*`,
        },
        // The code the stack uploaded is what the definition runs: the job never rewrites it.
        {
            Sid: "NeverRewriteCode",
            Effect: "Deny",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: `${o.modelsBucketArn}/${out}_code/*`,
        },
        {
            Sid: "UsePlatformKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resource: o.kmsKeyArn,
        },
        {
            Sid: "GrantKeyToTrainingVolumes",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: o.kmsKeyArn,
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
        },
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "PullTrainingImage",
            Effect: "Allow",
            Action: [...ECR_PULL_ACTIONS, ...(o.pullThroughCache ? ECR_CACHE_ACTIONS : [])],
            Resource: o.imageRepositoryArn,
        },
        {
            Sid: "WriteJobLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn("logs", "log-group:/aws/sagemaker/*"), arn("logs", "log-group:/aws/sagemaker/*:log-stream:*")],
        },
        {
            Sid: "PublishJobMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
        },
        { Sid: "RunOwnJobs", Effect: "Allow", Action: jobs, Resource: jobResources },
        {
            Sid: "RegisterVersions",
            Effect: "Allow",
            Action: ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"],
            Resource: [arn("sagemaker", `model-package-group/${o.groupName}`), arn("sagemaker", `model-package/${o.groupName}/*`)],
        },
        { Sid: "ListVersions", Effect: "Allow", Action: "sagemaker:ListModelPackages", Resource: "*" },
        // Approval rights are separate from training rights (the approver policy): this identity never approves.
        { Sid: "NeverApprove", Effect: "Deny", Action: "sagemaker:UpdateModelPackage", Resource: "*" },
    ];
}

/** The drift identity: read the model's prefix (baseline, captured inputs), write its `_drift/` records. */
export function driftStatements(o: {
    spec: TrainingSpec;
    account: { partition: string; region: string; accountId: string };
    modelsBucketArn: string;
    kmsKeyArn: string;
    imageRepositoryArn: string;
    pullThroughCache: boolean;
}): PolicyStatement[] {
    const { spec, account } = o;
    const arn = (service: string, resource: string) =>
        `arn:${account.partition}:${service}:${account.region}:${account.accountId}:${resource}`;
    const out = spec.output.prefix;
    return [
        { Sid: "ListModel", Effect: "Allow", Action: "s3:ListBucket", Resource: o.modelsBucketArn, Condition: listPrefix(out) },
        { Sid: "ReadModel", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${o.modelsBucketArn}/${out}*` },
        { Sid: "WriteDriftRecords", Effect: "Allow", Action: "s3:PutObject", Resource: `${o.modelsBucketArn}/${out}_drift/*` },
        {
            Sid: "UsePlatformKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resource: o.kmsKeyArn,
        },
        {
            Sid: "GrantKeyToJobVolumes",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: o.kmsKeyArn,
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
        },
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "PullImage",
            Effect: "Allow",
            Action: [...ECR_PULL_ACTIONS, ...(o.pullThroughCache ? ECR_CACHE_ACTIONS : [])],
            Resource: o.imageRepositoryArn,
        },
        {
            Sid: "WriteJobLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn("logs", `log-group:${PROCESSING_LOG_GROUP}`), arn("logs", `log-group:${PROCESSING_LOG_GROUP}:log-stream:*`)],
        },
        {
            Sid: "RunOwnJobs",
            Effect: "Allow",
            Action: [
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:AddTags",
            ],
            Resource: arn("sagemaker", "processing-job/*"),
        },
        { Sid: "NeverApprove", Effect: "Deny", Action: "sagemaker:UpdateModelPackage", Resource: "*" },
    ];
}

/** ARN of the ECR repositories an image is pulled from (the cache's repositories for ECR Public images). */
function imageRepositoryArn(
    image: string,
    cachePrefix: string | undefined,
    account: { partition: string; region: string; accountId: string },
) {
    const base = `arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/`;
    if (imageSource(image) === "ecr-public") return `${base}${cachePrefix}/*`;
    const path = image.replace(/^[^/]+\//, "").replace(/[@:].*$/, "");
    return `${base}${path}`;
}

type Resolved = { partition: string; region: string; accountId: string };

function resolvedAccount(account: AwsAccount): pulumi.Output<Resolved> {
    return pulumi
        .all([account.partition, account.region, account.accountId])
        .apply(([partition, region, accountId]) => ({ partition, region, accountId }));
}

/** Training pipelines on SageMaker Pipelines: per model a pipeline that trains (or runs Autopilot), gates and registers versions, started on a schedule and on new data, and a drift monitor. */
export class SageMakerTrainingPipelines extends pulumi.ComponentResource implements TrainingPipelines {
    /** The SageMaker pipeline of each model, by model. */
    public readonly pipelineNames: pulumi.Output<Record<string, string>>;
    /** The drift job of each monitored model, by model. */
    public readonly driftJobNames: pulumi.Output<Record<string, string>>;
    /** The managed policy an approver (a person's role or group) needs to approve versions of these models. */
    public readonly approverPolicyArn: pulumi.Output<string>;

    constructor(name: string, args: SageMakerTrainingPipelinesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`SageMakerTrainingPipelines "${name}"`, validateSageMakerTrainingPipelines(args));
        super("mlops:index:SageMakerTrainingPipelines", name, args, opts);
        const tags = { ...args.tags };
        const protect = args.protectData ?? true;
        const account = awsAccount(this);
        const acct = resolvedAccount(account);
        const buckets = pulumi.output(args.bucketNames);
        const bucketName = (zone: string) => buckets.apply((b) => b[zone]);
        const bucketArn = (zone: string) => pulumi.interpolate`arn:${account.partition}:s3:::${bucketName(zone)}`;
        const modelsBucket = bucketName("models");
        const arnOf = (service: string, resource: pulumi.Input<string>) =>
            pulumi.interpolate`arn:${account.partition}:${service}:${account.region}:${account.accountId}:${resource}`;

        const hasDrift = args.trainings.some((t) => t.drift);
        // SageMaker writes Processing job logs here; created so it has the key and a retention (docs/aws.md: one stack per account and region owns it).
        const processingLogs = hasDrift
            ? new cloudwatch.LogGroup(
                  `${name}-processing-logs`,
                  {
                      name: PROCESSING_LOG_GROUP,
                      retentionInDays: args.logRetentionDays ?? 365,
                      kmsKeyId: args.kmsKeyArn,
                      skipDestroy: protect,
                      tags,
                  },
                  { parent: this, protect, retainOnDelete: protect },
              )
            : undefined;

        let destination: cloudwatch.EventApiDestination | undefined;
        let invoker: iam.Role | undefined;
        if (args.delivery) {
            const d = args.delivery;
            const connection = new cloudwatch.EventConnection(
                `${name}-github`,
                {
                    name: fitName([args.namePrefix, "github"], 64),
                    description: `GitHub token dispatching ${d.workflow} in ${d.repository}`,
                    authorizationType: "API_KEY",
                    authParameters: {
                        apiKey: { key: "Authorization", value: pulumi.secret(pulumi.interpolate`Bearer ${d.token}`) },
                    },
                    kmsKeyIdentifier: args.kmsKeyArn,
                },
                { parent: this },
            );
            destination = new cloudwatch.EventApiDestination(
                `${name}-dispatch`,
                {
                    name: fitName([args.namePrefix, "promote"], 64),
                    description: `Dispatches ${d.workflow} of ${d.repository} when a model version is approved`,
                    connectionArn: connection.arn,
                    httpMethod: "POST",
                    invocationEndpoint: `${GITHUB_API}/repos/${d.repository}/actions/workflows/${d.workflow}/dispatches`,
                    invocationRateLimitPerSecond: 1,
                },
                { parent: this },
            );
            invoker = new iam.Role(
                `${name}-dispatcher`,
                {
                    description: "EventBridge calls the GitHub workflow dispatch API destination",
                    assumeRolePolicy: policyJson(
                        serviceTrustPolicy("events.amazonaws.com", { StringEquals: { "aws:SourceAccount": account.accountId } }),
                    ),
                    inlinePolicies: [
                        {
                            name: "invoke-destination",
                            policy: policyJson([
                                {
                                    Sid: "InvokeDispatch",
                                    Effect: "Allow",
                                    Action: "events:InvokeApiDestination",
                                    Resource: destination.arn,
                                },
                            ]),
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
        }

        const pipelines: Record<string, pulumi.Output<string>> = {};
        const driftJobs: Record<string, pulumi.Output<string>> = {};
        const groups: string[] = [];
        for (const spec of args.trainings) {
            const p = `${name}-${spec.model}`;
            const names = trainingNames(args.namePrefix, spec.model);
            groups.push(names.group);
            const modelTags = { ...tags, "mlops-training": spec.model };
            const files = spec.files ?? {};
            const code = codePrefix(spec);
            const objects = Object.entries(files).map(
                ([file, content]) =>
                    new s3.BucketObjectv2(
                        `${p}-code-${file.replace(/[^A-Za-z0-9-]/g, "-")}`,
                        {
                            bucket: modelsBucket,
                            key: `${code}${file}`,
                            content,
                            serverSideEncryption: "aws:kms",
                            kmsKeyId: args.kmsKeyArn,
                            tags,
                        },
                        // Kept with protectData (prod) when new code replaces it: the code a registered version
                        // was trained with stays beside its _runs/ record, as the serving artifacts do.
                        { parent: this, retainOnDelete: protect },
                    ),
            );
            const codeUri = objects.length > 0 ? pulumi.interpolate`s3://${modelsBucket}/${code}` : undefined;
            const image = pulumi.output(args.registryHost).apply((host) => sagemakerImage(spec.image, host, args.cachePrefix));
            const pullThroughCache = imageSource(spec.image) === "ecr-public";
            const repoArn = acct.apply((a) => imageRepositoryArn(spec.image, args.cachePrefix, a));

            // One identity per pipeline: the pipeline runs as it and passes it to its jobs.
            const role = new iam.Role(
                `${p}-role`,
                {
                    description: `Training pipeline ${names.pipeline}: reads ${spec.dataset.zone}/${spec.dataset.prefix}, writes models/${spec.output.prefix}, registers in ${names.group}; never approves`,
                    assumeRolePolicy: policyJson(
                        serviceTrustPolicy("sagemaker.amazonaws.com", { StringEquals: { "aws:SourceAccount": account.accountId } }),
                    ),
                    inlinePolicies: [
                        {
                            name: "train-and-register",
                            policy: pulumi
                                .all([acct, bucketArn(spec.dataset.zone), bucketArn("models"), pulumi.output(args.kmsKeyArn), repoArn])
                                .apply(([a, datasetBucketArn, modelsBucketArn, kmsKeyArn, imageRepositoryArn]) =>
                                    JSON.stringify({
                                        Version: "2012-10-17",
                                        Statement: trainingStatements({
                                            spec,
                                            account: a,
                                            datasetBucketArn,
                                            modelsBucketArn,
                                            kmsKeyArn,
                                            groupName: names.group,
                                            imageRepositoryArn,
                                            pullThroughCache,
                                        }),
                                    }),
                                ),
                        },
                    ],
                    tags: modelTags,
                },
                { parent: this },
            );
            const passSelf = new iam.RolePolicy(
                `${p}-role-pass-self`,
                {
                    role: role.id,
                    policy: policyJson([
                        {
                            Sid: "PassOwnRoleToJobs",
                            Effect: "Allow",
                            Action: "iam:PassRole",
                            Resource: role.arn,
                            Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
                        },
                    ]),
                },
                { parent: this },
            );
            const definition = pulumi
                .all([
                    role.arn,
                    pulumi.output(args.kmsKeyArn),
                    image,
                    account.region,
                    bucketName(spec.dataset.zone),
                    modelsBucket,
                    codeUri ?? "",
                ])
                .apply(([roleArn, kmsKeyArn, img, region, datasetBucket, models, codeLocation]) =>
                    JSON.stringify(
                        trainingPipelineDefinition(spec, {
                            roleArn,
                            kmsKeyArn,
                            image: img,
                            region,
                            datasetUri: `s3://${datasetBucket}/${spec.dataset.prefix}`,
                            targetUri: `s3://${models}/${spec.output.prefix}`,
                            codeUri: codeLocation || undefined,
                            modelPackageGroupName: names.group,
                            pipelineName: names.pipeline,
                            instanceType: trainingInstanceType(spec, args.cpuTrainingInstanceType),
                        }),
                    ),
                );
            const pipeline = new sagemaker.Pipeline(
                `${p}-pipeline`,
                {
                    pipelineName: names.pipeline,
                    pipelineDisplayName: names.pipeline,
                    pipelineDescription: `Trains ${spec.model} (${spec.mode}) on ${spec.dataset.zone}/${spec.dataset.prefix}, gate ${spec.metric} >= ${spec.threshold}, registers in ${names.group} (${spec.approval} approval)`,
                    roleArn: role.arn,
                    pipelineDefinition: definition,
                    parallelismConfiguration: { maxParallelExecutionSteps: 1 },
                    tags: modelTags,
                },
                { parent: this, dependsOn: [...objects, passSelf] },
            );
            pipelines[spec.model] = pipeline.pipelineName;

            let driftPipeline: sagemaker.Pipeline | undefined;
            if (spec.drift) {
                const drift = spec.drift;
                const driftRole = new iam.Role(
                    `${p}-drift-role`,
                    {
                        description: `Drift pipeline ${names.driftPipeline}: reads models/${spec.output.prefix}, writes its _drift/ records`,
                        assumeRolePolicy: policyJson(
                            serviceTrustPolicy("sagemaker.amazonaws.com", { StringEquals: { "aws:SourceAccount": account.accountId } }),
                        ),
                        inlinePolicies: [
                            {
                                name: "drift",
                                policy: pulumi
                                    .all([acct, bucketArn("models"), pulumi.output(args.kmsKeyArn), repoArn])
                                    .apply(([a, modelsBucketArn, kmsKeyArn, imageRepositoryArn]) =>
                                        JSON.stringify({
                                            Version: "2012-10-17",
                                            Statement: driftStatements({
                                                spec,
                                                account: a,
                                                modelsBucketArn,
                                                kmsKeyArn,
                                                imageRepositoryArn,
                                                pullThroughCache,
                                            }),
                                        }),
                                    ),
                            },
                        ],
                        tags: { ...tags, "mlops-drift": spec.model },
                    },
                    { parent: this },
                );
                const driftPassSelf = new iam.RolePolicy(
                    `${p}-drift-role-pass-self`,
                    {
                        role: driftRole.id,
                        policy: policyJson([
                            {
                                Sid: "PassOwnRoleToJobs",
                                Effect: "Allow",
                                Action: "iam:PassRole",
                                Resource: driftRole.arn,
                                Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
                            },
                        ]),
                    },
                    { parent: this },
                );
                driftPipeline = new sagemaker.Pipeline(
                    `${p}-drift-pipeline`,
                    {
                        pipelineName: names.driftPipeline,
                        pipelineDisplayName: names.driftPipeline,
                        pipelineDescription: `Compares ${spec.model}'s captured inputs with its training baseline (PSI > ${drift.psiThreshold} and KS p < ${drift.ksAlpha})`,
                        roleArn: driftRole.arn,
                        pipelineDefinition: pulumi
                            .all([driftRole.arn, pulumi.output(args.kmsKeyArn), image, account.region, modelsBucket, codeUri ?? ""])
                            .apply(([roleArn, kmsKeyArn, img, region, models, codeLocation]) =>
                                JSON.stringify(
                                    driftPipelineDefinition(spec, {
                                        roleArn,
                                        kmsKeyArn,
                                        image: img,
                                        region,
                                        captureUri: `s3://${models}/${drift.capture.prefix}`,
                                        targetUri: `s3://${models}/${spec.output.prefix}`,
                                        codeUri: codeLocation || undefined,
                                        pipelineName: names.driftPipeline,
                                        instanceType: args.driftInstanceType ?? "ml.t3.medium",
                                    }),
                                ),
                            ),
                        parallelismConfiguration: { maxParallelExecutionSteps: 1 },
                        tags: { ...tags, "mlops-drift": spec.model },
                    },
                    { parent: this, dependsOn: [...objects, driftPassSelf, ...(processingLogs ? [processingLogs] : [])] },
                );
                driftJobs[spec.model] = driftPipeline.pipelineName;
            }

            // Scheduler and the rules start this model's pipelines, and nothing else.
            const starter = new iam.Role(
                `${p}-starter`,
                {
                    description: `EventBridge starts ${spec.model}'s training${spec.drift ? " and drift" : ""} pipelines`,
                    assumeRolePolicy: policyJson(starterTrust(account.accountId)),
                    inlinePolicies: [
                        {
                            name: "start-pipelines",
                            policy: policyJson([
                                {
                                    Sid: "StartOwnPipelines",
                                    Effect: "Allow",
                                    Action: "sagemaker:StartPipelineExecution",
                                    Resource: [pipeline.arn, ...(driftPipeline ? [driftPipeline.arn] : [])],
                                },
                            ]),
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            const start = (trigger: string) => ({ pipelineParameterLists: [{ name: "Trigger", value: trigger }] });
            if (spec.schedule !== undefined)
                new scheduler.Schedule(
                    `${p}-schedule`,
                    {
                        name: names.schedule,
                        description: `Retrains ${spec.model} (${spec.schedule} UTC)`,
                        scheduleExpression: toEventBridgeCron(spec.schedule),
                        scheduleExpressionTimezone: "UTC",
                        flexibleTimeWindow: { mode: "OFF" },
                        kmsKeyArn: args.kmsKeyArn,
                        state: "ENABLED",
                        target: {
                            arn: pipeline.arn,
                            roleArn: starter.arn,
                            sagemakerPipelineParameters: { pipelineParameters: [{ name: "Trigger", value: "schedule" }] },
                            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                        },
                    },
                    { parent: this },
                );
            if (spec.onNewData) {
                const rule = new cloudwatch.EventRule(
                    `${p}-new-data`,
                    {
                        name: names.newDataRule,
                        description: `Retrains ${spec.model} when a dataset version is complete under ${spec.dataset.zone}/${spec.dataset.prefix}${spec.datasetPipeline ? ` (written by pipeline ${spec.datasetPipeline})` : ""}`,
                        eventPattern: bucketName(spec.dataset.zone).apply((b) =>
                            JSON.stringify(manifestCreatedPattern(b, spec.dataset.prefix)),
                        ),
                        tags,
                    },
                    { parent: this },
                );
                new cloudwatch.EventTarget(
                    `${p}-new-data-target`,
                    {
                        rule: rule.name,
                        arn: pipeline.arn,
                        roleArn: starter.arn,
                        sagemakerPipelineTarget: start("new-data"),
                        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                    },
                    { parent: this },
                );
            }

            if (spec.drift && driftPipeline) {
                const drift = spec.drift;
                new scheduler.Schedule(
                    `${p}-drift-schedule`,
                    {
                        name: names.driftSchedule,
                        description: `Checks ${spec.model} for drift (${drift.schedule} UTC)`,
                        scheduleExpression: toEventBridgeCron(drift.schedule),
                        scheduleExpressionTimezone: "UTC",
                        flexibleTimeWindow: { mode: "OFF" },
                        kmsKeyArn: args.kmsKeyArn,
                        state: "ENABLED",
                        target: {
                            arn: driftPipeline.arn,
                            roleArn: starter.arn,
                            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                        },
                    },
                    { parent: this },
                );
                const model = JSON.stringify(spec.model);
                new cloudwatch.LogMetricFilter(
                    `${p}-drift-feature`,
                    {
                        name: fitName([args.namePrefix, spec.model, "drift-feature"], 512),
                        logGroupName: processingLogs!.name,
                        pattern: `{ ($.mlops = "drift") && ($.model = ${model}) }`,
                        metricTransformation: {
                            name: "FeaturePsi",
                            namespace: DRIFT_NAMESPACE,
                            value: "$.psi",
                            dimensions: { model: "$.model", feature: "$.feature" },
                        },
                    },
                    { parent: this },
                );
                new cloudwatch.LogMetricFilter(
                    `${p}-drift-summary`,
                    {
                        name: fitName([args.namePrefix, spec.model, "drift-summary"], 512),
                        logGroupName: processingLogs!.name,
                        pattern: `{ ($.mlops = "drift-summary") && ($.model = ${model}) }`,
                        metricTransformation: {
                            name: "DriftedFeatures",
                            namespace: DRIFT_NAMESPACE,
                            value: "$.driftedFeatures",
                            dimensions: { model: "$.model" },
                        },
                    },
                    { parent: this },
                );
                const alarm = new cloudwatch.MetricAlarm(
                    `${p}-drift-alarm`,
                    {
                        name: names.driftAlarm,
                        alarmDescription: `${spec.model}: the drift job found drifted features (PSI > ${drift.psiThreshold} and KS p < ${drift.ksAlpha}); see models/${spec.output.prefix}_drift/${drift.retrain ? "; retraining was started" : ""}`,
                        namespace: DRIFT_NAMESPACE,
                        metricName: "DriftedFeatures",
                        dimensions: { model: spec.model },
                        statistic: "Maximum",
                        period: 3600,
                        evaluationPeriods: 1,
                        comparisonOperator: "GreaterThanThreshold",
                        threshold: 0,
                        treatMissingData: "notBreaching",
                        alarmActions: [args.alertTopicArn],
                        okActions: [args.alertTopicArn],
                        tags,
                    },
                    { parent: this },
                );
                if (drift.retrain) {
                    const rule = new cloudwatch.EventRule(
                        `${p}-drift-retrain`,
                        {
                            name: names.retrainRule,
                            description: `Retrains ${spec.model} when its drift alarm fires`,
                            eventPattern: alarm.arn.apply((a) => JSON.stringify(alarmPattern(a))),
                            tags,
                        },
                        { parent: this },
                    );
                    new cloudwatch.EventTarget(
                        `${p}-drift-retrain-target`,
                        { rule: rule.name, arn: pipeline.arn, roleArn: starter.arn, sagemakerPipelineTarget: start("drift") },
                        { parent: this },
                    );
                }
            }

            if (args.delivery && destination && invoker) {
                const d = args.delivery;
                const rule = new cloudwatch.EventRule(
                    `${p}-approved`,
                    {
                        name: names.approvedRule,
                        description: `Dispatches ${d.workflow} of ${d.repository} when a version of ${spec.model} is approved`,
                        eventPattern: JSON.stringify(approvedPattern(names.group)),
                        tags,
                    },
                    { parent: this },
                );
                new cloudwatch.EventTarget(
                    `${p}-approved-dispatch`,
                    {
                        rule: rule.name,
                        arn: destination.arn,
                        roleArn: invoker.arn,
                        httpTarget: { headerParameters: { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" } },
                        inputTransformer: {
                            inputPaths: { version: "$.detail.ModelPackageDescription" },
                            inputTemplate: dispatchTemplate({ branch: d.branch, stack: d.stack, model: spec.model }),
                        },
                        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 86400 },
                    },
                    { parent: this },
                );
            }
        }

        // Approval rights, separate from training rights: attach to the approvers' role or group (docs/aws.md).
        const approver = new iam.Policy(
            `${name}-approve`,
            {
                name: fitName([args.namePrefix, "approve-models"], 128),
                description:
                    "Approve or reject registered model versions of this stack (sagemaker:UpdateModelPackage); attach to the approvers' role or group",
                policy: policyJson([
                    {
                        Sid: "ApproveVersions",
                        Effect: "Allow",
                        Action: ["sagemaker:UpdateModelPackage", "sagemaker:DescribeModelPackage"],
                        Resource: groups.map((g) => arnOf("sagemaker", `model-package/${g}/*`)),
                    },
                    {
                        Sid: "SeeGroups",
                        Effect: "Allow",
                        Action: "sagemaker:DescribeModelPackageGroup",
                        Resource: groups.map((g) => arnOf("sagemaker", `model-package-group/${g}`)),
                    },
                    { Sid: "ListVersions", Effect: "Allow", Action: "sagemaker:ListModelPackages", Resource: "*" },
                ]),
                tags,
            },
            { parent: this },
        );

        this.pipelineNames = pulumi.all(pipelines);
        this.driftJobNames = pulumi.all(driftJobs);
        this.approverPolicyArn = approver.arn;
        this.registerOutputs({
            pipelineNames: this.pipelineNames,
            driftJobNames: this.driftJobNames,
            approverPolicyArn: this.approverPolicyArn,
        });
    }
}
