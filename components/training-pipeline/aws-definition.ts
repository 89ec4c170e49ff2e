/**
 * SageMaker pipeline definitions (the pipeline definition JSON schema, version 2020-12-01) of a model's
 * training and drift pipelines. Pure: plain values in, a JSON-ready object out; no SDK.
 *
 * Training (`<model>-train`), custom mode: a Training step runs the training command in the training image
 * with the stack's code channel copied to /app (the contract's env, MLOPS_RUN_ID = the pipeline execution
 * id, so the version id is known to the pipeline); the job itself fails below the gate (train.py exits 1
 * and writes no version). Then a RegisterModel step registers the version in the model's package group,
 * `PendingManualApproval` or `Approved`, with the version id as the package's description (what the
 * promotion event hands to the workflow). AutoML mode: an AutoML step (Autopilot, ensembling), a Condition
 * step on the best candidate's objective metric >= threshold, RegisterModel of the best candidate, else a
 * Fail step. Drift (`<model>-drift`): one Processing step running the drift command.
 */
import { hasInstanceStore } from "../serverless-inference/aws-sagemaker";
import type { TrainingSpec } from "./contract";

/** Step names (the `Steps.<name>` references below use them). */
export const STEPS = {
    train: "Train",
    register: "Register",
    automl: "AutoML",
    gate: "Gate",
    belowGate: "BelowGate",
    drift: "Drift",
} as const;
/** Where the code channel lands in a training container, and where a processing input lands. */
export const TRAINING_CODE_PATH = "/opt/ml/input/data/code";
export const PROCESSING_CODE_PATH = "/opt/ml/processing/input/code";
/** Where the job's files are copied before the command runs (the contract's `/app`). */
export const APP_PATH = "/app";

const get = (path: string) => ({ Get: path });
const join = (...values: unknown[]) => ({ "Std:Join": { On: "", Values: values } });

/** What the definitions need that only exists once resources do (resolved strings). */
export interface DefinitionRefs {
    readonly roleArn: string;
    readonly kmsKeyArn: string;
    /** Image URI SageMaker pulls (private ECR). */
    readonly image: string;
    readonly region: string;
    /** `s3://<dataset bucket>/<dataset prefix>` */
    readonly datasetUri: string;
    /** `s3://<models bucket>/<model>/` */
    readonly targetUri: string;
    /** `s3://<models bucket>/<model>/_code/<hash>/` when the training has files. */
    readonly codeUri?: string;
    readonly modelPackageGroupName: string;
    readonly pipelineName: string;
    readonly instanceType: string;
}

/** A shell entrypoint that copies the code channel to /app, then runs the command: `sh -c <script> sh <command...>`. */
export function entrypoint(codePath: string | undefined, command: readonly string[], args: readonly string[]): string[] {
    if (!codePath) return [...command, ...args];
    return ["/bin/sh", "-c", `mkdir -p ${APP_PATH} && cp -R ${codePath}/. ${APP_PATH}/ && exec "$@"`, "sh", ...command, ...args];
}

function parameters(spec: TrainingSpec) {
    return [
        { Name: "Trigger", Type: "String", DefaultValue: "schedule" },
        { Name: "DatasetVersion", Type: "String", DefaultValue: "" },
        { Name: "ModelApprovalStatus", Type: "String", DefaultValue: spec.approval === "manual" ? "PendingManualApproval" : "Approved" },
    ];
}

/** The training job's environment: the contract's variables (contract.ts), with values from the execution where they vary. */
export function trainingEnvironment(spec: TrainingSpec, refs: DefinitionRefs): Record<string, unknown> {
    return {
        ...spec.env,
        MLOPS_PIPELINE: refs.pipelineName,
        MLOPS_MODEL_NAME: spec.model,
        MLOPS_SOURCE_URI: refs.datasetUri,
        MLOPS_DATASET_VERSION: get("Parameters.DatasetVersion"),
        MLOPS_TARGET_URI: refs.targetUri,
        MLOPS_GATE_METRIC: spec.metric,
        MLOPS_GATE_THRESHOLD: String(spec.threshold),
        MLOPS_TRIGGER: get("Parameters.Trigger"),
        MLOPS_RUN_ID: get("Execution.PipelineExecutionId"),
        AWS_REGION: refs.region,
    };
}

function registerStep(spec: TrainingSpec, refs: DefinitionRefs, container: Record<string, unknown>, dependsOn: string[]) {
    return {
        Name: STEPS.register,
        Type: "RegisterModel",
        ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
        Arguments: {
            ModelPackageGroupName: refs.modelPackageGroupName,
            // The version id (the training run id = this execution's id): the promotion event reads it from here.
            ModelPackageDescription: get("Execution.PipelineExecutionId"),
            ModelApprovalStatus: get("Parameters.ModelApprovalStatus"),
            InferenceSpecification: {
                Containers: [container],
                SupportedContentTypes: ["application/json", "text/csv"],
                SupportedResponseMIMETypes: ["application/json"],
            },
            CustomerMetadataProperties: {
                version: get("Execution.PipelineExecutionId"),
                modelUri: join(refs.targetUri, "v=", get("Execution.PipelineExecutionId"), "/model.json"),
                trigger: get("Parameters.Trigger"),
            },
        },
    };
}

/**
 * The volume key of a job's instance: SageMaker refuses `VolumeKmsKeyId` on instance types with NVMe instance
 * storage (g4dn, g5, g6, p4d, p5, trn1, ...: "You can't request a VolumeKmsKeyId when using an instance type
 * with local storage", ResourceConfig / ProcessingClusterConfig in the API reference); their storage is
 * encrypted by the instance's hardware.
 */
export function volumeKey(instanceType: string, kmsKeyArn: string): { VolumeKmsKeyId?: string } {
    return hasInstanceStore(instanceType) ? {} : { VolumeKmsKeyId: kmsKeyArn };
}

/** The Training step of a custom training: instance, spot, KMS, the code channel and the contract's env. */
export function trainingStep(spec: TrainingSpec, refs: DefinitionRefs): Record<string, unknown> {
    const runtime = spec.timeoutMinutes * 60;
    return {
        Name: STEPS.train,
        Type: "Training",
        Arguments: {
            AlgorithmSpecification: {
                TrainingImage: refs.image,
                TrainingInputMode: "File",
                ContainerEntrypoint: entrypoint(refs.codeUri ? TRAINING_CODE_PATH : undefined, spec.command, spec.args),
            },
            RoleArn: refs.roleArn,
            ...(refs.codeUri
                ? {
                      InputDataConfig: [
                          {
                              ChannelName: "code",
                              InputMode: "File",
                              DataSource: {
                                  S3DataSource: { S3DataType: "S3Prefix", S3Uri: refs.codeUri, S3DataDistributionType: "FullyReplicated" },
                              },
                          },
                      ],
                  }
                : {}),
            OutputDataConfig: { S3OutputPath: `${refs.targetUri}_sagemaker/`, KmsKeyId: refs.kmsKeyArn },
            ResourceConfig: {
                InstanceCount: 1,
                InstanceType: refs.instanceType,
                VolumeSizeInGB: 30,
                ...volumeKey(refs.instanceType, refs.kmsKeyArn),
            },
            StoppingCondition: spec.spot
                ? { MaxRuntimeInSeconds: runtime, MaxWaitTimeInSeconds: runtime * 2 }
                : { MaxRuntimeInSeconds: runtime },
            EnableManagedSpotTraining: spec.spot,
            EnableInterContainerTrafficEncryption: true,
            Environment: trainingEnvironment(spec, refs),
        },
    };
}

/** Autopilot's objective for the gate metric. */
export function autopilotObjective(spec: TrainingSpec): string {
    if (spec.automl?.problemType === "regression") return "R2";
    return spec.metric === "f1Macro" ? "F1macro" : "Accuracy";
}

/** The whole training pipeline definition. */
export function trainingPipelineDefinition(spec: TrainingSpec, refs: DefinitionRefs): Record<string, unknown> {
    const base = { Version: "2020-12-01", Metadata: {}, Parameters: parameters(spec) };
    if (spec.mode === "custom") {
        const container = { Image: refs.image, ModelDataUrl: get(`Steps.${STEPS.train}.ModelArtifacts.S3ModelArtifacts`) };
        return { ...base, Steps: [trainingStep(spec, refs), registerStep(spec, refs, container, [STEPS.train])] };
    }
    const automl = spec.automl!;
    const best = `Steps.${STEPS.automl}.BestCandidate`;
    const automlStep = {
        Name: STEPS.automl,
        Type: "AutoML",
        Arguments: {
            AutoMLJobConfig: {
                Mode: "ENSEMBLING",
                CompletionCriteria: { MaxAutoMLJobRuntimeInSeconds: automl.maxRuntimeMinutes * 60 },
                SecurityConfig: { VolumeKmsKeyId: refs.kmsKeyArn, EnableInterContainerTrafficEncryption: true },
            },
            InputDataConfig: [
                {
                    ChannelType: "training",
                    ContentType: "text/csv;header=present",
                    TargetAttributeName: automl.targetColumn,
                    DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: refs.datasetUri } },
                },
            ],
            OutputDataConfig: { S3OutputPath: `${refs.targetUri}_autopilot/`, KmsKeyId: refs.kmsKeyArn },
            ProblemType: automl.problemType === "regression" ? "Regression" : "MulticlassClassification",
            AutoMLJobObjective: { MetricName: autopilotObjective(spec) },
            RoleArn: refs.roleArn,
        },
    };
    const container = {
        Image: get(`${best}.InferenceContainers[0].Image`),
        ModelDataUrl: get(`${best}.InferenceContainers[0].ModelDataUrl`),
    };
    const gate = {
        Name: STEPS.gate,
        Type: "Condition",
        Arguments: {
            Conditions: [
                {
                    Type: "GreaterThanOrEqualTo",
                    LeftValue: get(`${best}.FinalAutoMLJobObjectiveMetric.Value`),
                    RightValue: spec.threshold,
                },
            ],
            IfSteps: [registerStep(spec, refs, container, [])],
            ElseSteps: [
                {
                    Name: STEPS.belowGate,
                    Type: "Fail",
                    Arguments: {
                        ErrorMessage: `the best Autopilot candidate's ${autopilotObjective(spec)} is below ${spec.threshold}: no version is registered`,
                    },
                },
            ],
        },
    };
    return { ...base, Steps: [automlStep, gate] };
}

/** The drift job's environment (contract.ts). */
export function driftEnvironment(
    spec: TrainingSpec,
    refs: { pipelineName: string; captureUri: string; targetUri: string; region: string },
) {
    const drift = spec.drift!;
    return {
        MLOPS_PIPELINE: refs.pipelineName,
        MLOPS_MODEL_NAME: spec.model,
        MLOPS_SOURCE_URI: refs.captureUri,
        MLOPS_TARGET_URI: refs.targetUri,
        ...(spec.servedVersion ? { MLOPS_MODEL_VERSION: spec.servedVersion } : {}),
        MLOPS_PSI_THRESHOLD: String(drift.psiThreshold),
        MLOPS_KS_ALPHA: String(drift.ksAlpha),
        MLOPS_RUN_ID: get("Execution.PipelineExecutionId"),
        MLOPS_TRIGGER: "schedule",
        AWS_REGION: refs.region,
    };
}

/** The drift pipeline: one Processing step running the drift command in the training image. */
export function driftPipelineDefinition(
    spec: TrainingSpec,
    refs: {
        roleArn: string;
        kmsKeyArn: string;
        image: string;
        region: string;
        captureUri: string;
        targetUri: string;
        codeUri?: string;
        pipelineName: string;
        instanceType: string;
    },
): Record<string, unknown> {
    const drift = spec.drift!;
    return {
        Version: "2020-12-01",
        Metadata: {},
        Parameters: [],
        Steps: [
            {
                Name: STEPS.drift,
                Type: "Processing",
                Arguments: {
                    ProcessingResources: {
                        ClusterConfig: {
                            InstanceCount: 1,
                            InstanceType: refs.instanceType,
                            VolumeSizeInGB: 10,
                            ...volumeKey(refs.instanceType, refs.kmsKeyArn),
                        },
                    },
                    AppSpecification: {
                        ImageUri: refs.image,
                        ContainerEntrypoint: entrypoint(refs.codeUri ? PROCESSING_CODE_PATH : undefined, drift.command, []),
                    },
                    RoleArn: refs.roleArn,
                    ...(refs.codeUri
                        ? {
                              ProcessingInputs: [
                                  {
                                      InputName: "code",
                                      S3Input: {
                                          S3Uri: refs.codeUri,
                                          LocalPath: PROCESSING_CODE_PATH,
                                          S3DataType: "S3Prefix",
                                          S3InputMode: "File",
                                          S3DataDistributionType: "FullyReplicated",
                                      },
                                  },
                              ],
                          }
                        : {}),
                    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
                    NetworkConfig: { EnableInterContainerTrafficEncryption: true },
                    Environment: driftEnvironment(spec, refs),
                },
            },
        ],
    };
}
