/**
 * Arguments of the AWS serverless inference components (LambdaInference, SageMakerInference) and their
 * validators: every problem collected before any child exists. Settings derived from valid args come from
 * separate functions. Pure: no SDK here.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSettings } from "../accelerators/types";
import { servingAccelerators, validateServingModels } from "../container-service/aws-args";
import { AwsModelStoreArgs, modelStoreUse, validateModelStore } from "../container-service/aws-model-store";
import { NAME_PREFIX } from "../naming/aws";
import { validateErrorRatePercent, validateLogRetention } from "../observability/aws-args";
import { isPinnedImage } from "../shared/images";
import type { ProblemDetail } from "../shared/problems";
import type { ServerlessInferenceArgs } from "./contract";
import { handlerFile, LAMBDA_RUNTIMES, LambdaModelCode, packageFiles } from "./aws-lambda";
import {
    CPU_ENDPOINT_INSTANCE,
    modelTarball,
    repositoryArnOfImage,
    SageMakerArtifact,
    SERVERLESS_MAX_CONCURRENCY,
    serverlessMemoryMb,
} from "./aws-sagemaker";

export interface LambdaInferenceArgs extends ServerlessInferenceArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** Each model's function code, by model name. */
    readonly code: Readonly<Record<string, LambdaModelCode>>;
    /** KMS key for the environment, the dead-letter queues and the log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The VPC the functions run in. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC's range (the functions may reach interface endpoints there). */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Private subnets the functions run in (two zones or more). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Seconds one invocation may run (1 to 900). Default: 30. */
    readonly timeoutSeconds?: number;
    /**
     * Reserve each model's `maxReplicas` of the account's concurrency, which also caps it. New accounts
     * have 10 in all and Lambda keeps 10 unreserved, so reserving fails there until the quota is raised.
     * Default: true.
     */
    readonly reserveConcurrency?: boolean;
    /** Days logs are kept (a CloudWatch Logs retention value). Default: 365. */
    readonly logRetentionDays?: number;
    /** SNS topic the alarms notify. Default: alarms without actions. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Share of invocations ending in a function error at which the errors alarm fires, in percent. Default: 5. */
    readonly errorRatePercent?: number;
    /**
     * The lake's models zone (training contract): a model with a served version gets MLOPS_MODEL_VERSION and
     * MLOPS_MODEL_URI and its function role may read `<model>/` only; a captured model gets MLOPS_CAPTURE_URI
     * and may write `<model>/_capture/` only (container-service/aws-model-store.ts). Default: neither.
     */
    readonly modelStore?: AwsModelStoreArgs;
    /**
     * The S3 prefix list of the VPC's S3 gateway endpoint (the network's `s3PrefixListId`): the functions'
     * security group lets HTTPS out to it when a model uses the model store. Required then. Default: none.
     */
    readonly s3PrefixListId?: pulumi.Input<string>;
}

export interface SageMakerInferenceArgs extends ServerlessInferenceArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** Serverless endpoints (CPU only, scale to zero) instead of real-time endpoints on instances. Default: false. */
    readonly serverless?: boolean;
    /** Each model's artifact (packed into model.tar.gz and uploaded), by model name. */
    readonly artifacts: Readonly<Record<string, SageMakerArtifact>>;
    /** Serving image per model name. Default: the AWS PyTorch inference container for the model's accelerator. */
    readonly images?: Readonly<Record<string, string>>;
    /** Bucket the artifacts are uploaded to (the lake's models zone). */
    readonly artifactBucketName: pulumi.Input<string>;
    /** KMS key for the artifacts, the volumes (when the instance type allows) and captured data. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Bucket receiving captured requests and responses of real-time endpoints (the lake). Default: no data capture. */
    readonly dataCaptureBucketName?: pulumi.Input<string>;
    /** Key prefix of captured data; each model writes under `<prefix>/<model>/`. Default: "data-capture". */
    readonly dataCapturePrefix?: string;
    /**
     * Keep uploaded model artifacts in the bucket when a new version replaces them or the stack is
     * destroyed (the lake's versioning keeps their history either way). Default: false.
     */
    readonly retainArtifacts?: boolean;
    /** Share of requests captured, in percent. Default: 100. */
    readonly dataCaptureSamplingPercent?: number;
    /** VPC the model runs in (real-time endpoints; serverless endpoints take no VPC). Default: none; required for real-time endpoints. */
    readonly vpcId?: pulumi.Input<string>;
    /** Private subnets of that VPC, two zones or more. Default: none; required for real-time endpoints. */
    readonly subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** Fewest instances of a real-time endpoint; prod uses 2 so an instance or zone can fail. Default: 1. */
    readonly minInstanceCount?: number;
    /** Invocations per instance per minute autoscaling aims at. Default: 100. */
    readonly invocationsPerInstanceTarget?: number;
    /** p99 model latency above which the latency alarm fires, in ms (rollbacks watch the 5XX rate, not latency). Default: 1000. */
    readonly latencyThresholdMs?: number;
    /** Days the endpoint's logs are kept (a CloudWatch Logs retention value). Default: 365. */
    readonly logRetentionDays?: number;
    /** SNS topic the alarms notify. Default: alarms without actions. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /**
     * Share of requests answered 5XX (errors alarm; also what rolls a blue/green update back) or 4XX
     * (rejected alarm) at which the alarms fire, in percent. Default: 5.
     */
    readonly errorRatePercent?: number;
    /**
     * The lake's models zone (training contract). Real-time endpoints capture the requests of the models in
     * `capture` to `s3://<dataCaptureBucketName>/<model>/_capture/` (the models zone in the stacks; SageMaker data
     * capture records, which the drift job reads) instead of under `dataCapturePrefix`. `servedVersions` is refused: an endpoint serves the artifact
     * the stack packs (inference.py, network-isolated), so it cannot load a trained version's model.json;
     * serverless endpoints have no data capture, so `capture` is refused there. Default: neither.
     */
    readonly modelStore?: AwsModelStoreArgs;
}

/** Largest package or artifact we inline into the stack (it is stored in Pulumi state). */
export const INLINE_LIMIT_BYTES = 5 * 1024 * 1024;

const validateNamePrefix = (namePrefix: string): ProblemDetail[] =>
    NAME_PREFIX.test(namePrefix)
        ? []
        : [{ path: "namePrefix", value: namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" }];

/**
 * Every problem with LambdaInference args. `componentName` is the component's Pulumi name, the prefix of
 * the children Pulumi auto-names (their length is checked).
 */
export function validateLambdaInference(args: LambdaInferenceArgs, componentName: string): ProblemDetail[] {
    const problems = validateNamePrefix(args.namePrefix);
    problems.push(
        ...validateServingModels(args.models, {
            service: "lambda",
            runsImage: false,
            componentName,
            autoNamed: { "-role": 64, "-fn": 64, "-dlq": 80 },
        }),
    );
    problems.push(...validateModelStore(args.models, args.modelStore));
    if (args.s3PrefixListId === undefined && args.models.some((m) => modelStoreUse(m.name, args.modelStore)))
        problems.push({
            path: "s3PrefixListId",
            value: undefined,
            message:
                "is required when a model loads a served version or captures its inputs: the functions reach S3 through the VPC's gateway endpoint",
            fix: "pass the network's s3PrefixListId",
        });
    const timeout = args.timeoutSeconds ?? 30;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900)
        problems.push({
            path: "timeoutSeconds",
            value: timeout,
            message: "must be a whole number of seconds from 1 to 900 (Lambda's limit)",
        });
    problems.push(...validateLogRetention(args.logRetentionDays ?? 365));
    args.models.forEach((m, i) => {
        const at = `models[${i}]`;
        if (m.minReplicas > 0) {
            problems.push({
                path: `${at}.minReplicas`,
                value: m.minReplicas,
                message: "asks for warm instances, but this Lambda implementation scales to zero (provisioned concurrency is not built)",
                fix: "set serverlessMinReplicas to 0, or serve the model with sagemaker-serverless or sagemaker-endpoint",
            });
        }
        const code = args.code?.[m.name];
        if (!code) {
            problems.push({
                path: `code.${m.name}`,
                value: undefined,
                message: "is missing: Lambda runs a zip package, not the model's image",
                fix: "give the function code (mlops:models[i].aws.lambdaCode, e.g. samples/aws/lambda)",
            });
            return;
        }
        if (!(LAMBDA_RUNTIMES as readonly string[]).includes(code.runtime))
            problems.push({
                path: `code.${m.name}.runtime`,
                value: code.runtime,
                message: "is not a Lambda runtime this stack supports",
                allowed: LAMBDA_RUNTIMES,
            });
        const { files, conflicts } = packageFiles(code.files, m.files);
        conflicts.forEach((f) =>
            problems.push({
                path: `code.${m.name}.files`,
                value: f,
                message: "is also one of the model's files, with other content",
                fix: "rename one of them",
            }),
        );
        const entry = handlerFile(code.handler, code.runtime);
        if (!entry || !(entry in files))
            problems.push({
                path: `code.${m.name}.handler`,
                value: code.handler,
                message: `does not name a file and function in the package (files: ${Object.keys(files).join(", ") || "none"})`,
                fix: "write `<file without extension>.<function>`, e.g. `handler.handler`",
            });
        const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
        if (bytes > INLINE_LIMIT_BYTES)
            problems.push({
                path: `code.${m.name}.files`,
                value: `${bytes} bytes`,
                message: `is larger than the ${INLINE_LIMIT_BYTES} bytes inlined into the stack`,
                fix: "package the function elsewhere (S3 or a container image)",
            });
    });
    problems.push(...validateErrorRatePercent(args.errorRatePercent));
    return problems;
}

/** Each model's zip package: its function code plus the model's files. Call after validation. */
export function lambdaPackages(args: LambdaInferenceArgs): Record<string, string>[] {
    return args.models.map((m) => {
        const code = args.code?.[m.name];
        return code ? packageFiles(code.files, m.files).files : {};
    });
}

export interface SageMakerModelSettings {
    readonly accelerator?: AcceleratorSettings;
    /** Real-time endpoints: the catalog's instance type for the accelerator, or CPU_ENDPOINT_INSTANCE. */
    readonly instanceType: string;
    /** Real-time endpoints: instances at creation and the autoscaling floor. */
    readonly instances: number;
    readonly maxInstances: number;
    /** Serverless endpoints: memory in MB. */
    readonly memoryMb: number;
}

/**
 * Every problem with SageMakerInference args. `componentName` is the component's Pulumi name, the prefix
 * of the children Pulumi auto-names (their length is checked).
 */
export function validateSageMakerInference(args: SageMakerInferenceArgs, componentName: string): ProblemDetail[] {
    const serverless = args.serverless ?? false;
    const problems = validateNamePrefix(args.namePrefix);
    problems.push(
        ...validateServingModels(args.models, {
            service: serverless ? "sagemaker-serverless" : "sagemaker-endpoint",
            runsImage: false,
            componentName,
            autoNamed: { "-role": 64, "-model": 63, "-config": 63 },
            ...(serverless ? { maxReplicas: SERVERLESS_MAX_CONCURRENCY } : {}),
        }),
    );
    problems.push(...validateModelStore(args.models, args.modelStore));
    for (const [model, version] of Object.entries(args.modelStore?.servedVersions ?? {}))
        problems.push({
            path: `modelStore.servedVersions.${model}`,
            value: version,
            message: `cannot be served by ${serverless ? "sagemaker-serverless" : "sagemaker-endpoint"}: the endpoint runs the model artifact the stack packs (inference.py, network-isolated), not serve.py, so it cannot load a trained version; lambda, ecs-fargate and app-runner load it (MLOPS_MODEL_URI)`,
            fix: "serve the model with containerService (ecs-fargate, app-runner) or serverlessInference lambda, or remove servedVersion",
        });
    for (const model of args.modelStore?.capture ?? [])
        if (serverless)
            problems.push({
                path: `modelStore.capture.${model}`,
                value: model,
                message:
                    "needs the model's scored inputs, and sagemaker-serverless endpoints have no data capture; sagemaker-endpoint captures them (SageMaker data capture), lambda, ecs-fargate and app-runner write them (MLOPS_CAPTURE_URI)",
                fix: "serve the model with sagemaker-endpoint, lambda or the container service, or remove training.drift",
            });
        else if (args.dataCaptureBucketName === undefined)
            problems.push({
                path: `modelStore.capture.${model}`,
                value: model,
                message: "needs data capture on: set dataCaptureBucketName",
            });
    const floor = args.minInstanceCount ?? 1;
    if (!Number.isInteger(floor) || floor < 1)
        problems.push({ path: "minInstanceCount", value: floor, message: "must be a whole number of at least 1" });
    problems.push(...validateLogRetention(args.logRetentionDays ?? 365));
    const sampling = args.dataCaptureSamplingPercent ?? 100;
    if (!Number.isInteger(sampling) || sampling < 1 || sampling > 100)
        problems.push({ path: "dataCaptureSamplingPercent", value: sampling, message: "must be a whole percentage from 1 to 100" });
    if (!serverless && (args.vpcId === undefined || args.subnetIds === undefined))
        problems.push({
            path: "subnetIds",
            value: args.subnetIds,
            message: "are required for real-time endpoints, which run in the VPC",
            fix: "pass the network's vpcId and private subnetIds",
        });
    for (const [field, value] of [
        ["latencyThresholdMs", args.latencyThresholdMs],
        ["invocationsPerInstanceTarget", args.invocationsPerInstanceTarget],
    ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1))
            problems.push({ path: field, value, message: "must be a whole number of at least 1" });
    }
    args.models.forEach((m, i) => {
        const at = `models[${i}]`;
        const image = args.images?.[m.name];
        if (image !== undefined && (!isPinnedImage(image) || repositoryArnOfImage(image, "aws") === undefined)) {
            problems.push({
                path: `images.${m.name}`,
                value: image,
                message: "is not a pinned ECR image (SageMaker pulls from ECR only)",
                fix: "push the serving image to ECR and give `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`",
            });
        }
        const artifact = args.artifacts?.[m.name];
        if (!artifact)
            problems.push({
                path: `artifacts.${m.name}`,
                value: undefined,
                message: "is missing: SageMaker needs the model's files and inference code",
                fix: "set mlops:models[i].aws.sagemakerCode (e.g. samples/aws/sagemaker) and the model's files",
            });
        else {
            if (image === undefined && !("inference.py" in artifact.code))
                problems.push({
                    path: `artifacts.${m.name}.code`,
                    value: Object.keys(artifact.code),
                    message: "lacks inference.py, which the default PyTorch serving container loads",
                    fix: "add inference.py (model_fn, input_fn, predict_fn, output_fn), or give your own image",
                });
            const bytes = modelTarball(artifact).length;
            if (bytes > INLINE_LIMIT_BYTES)
                problems.push({
                    path: `artifacts.${m.name}`,
                    value: `${bytes} bytes`,
                    message: `packs to more than the ${INLINE_LIMIT_BYTES} bytes inlined into the stack`,
                    fix: "upload large models to S3 yourself",
                });
        }
        if (serverless && serverlessMemoryMb(m.memoryMiB) === undefined)
            problems.push({
                path: `${at}.memoryMiB`,
                value: m.memoryMiB,
                message: "is more than the 6144 MB a serverless endpoint offers",
                fix: "lower it, or use sagemaker-endpoint",
            });
    });
    problems.push(...validateErrorRatePercent(args.errorRatePercent));
    return problems;
}

/** Each model's sizing: instance type, instance bounds and serverless memory. Call after validation. */
export function sageMakerModelSettings(args: SageMakerInferenceArgs): SageMakerModelSettings[] {
    const serverless = args.serverless ?? false;
    const floor = args.minInstanceCount ?? 1;
    const accelerators = servingAccelerators(args.models, serverless ? "sagemaker-serverless" : "sagemaker-endpoint");
    return args.models.map((m, i) => {
        const instances = Math.max(m.minReplicas, floor);
        return {
            accelerator: accelerators[i],
            instanceType: accelerators[i]?.instanceType ?? CPU_ENDPOINT_INSTANCE,
            instances,
            maxInstances: Math.max(m.maxReplicas, instances),
            memoryMb: serverless ? (serverlessMemoryMb(m.memoryMiB) ?? 0) : 0,
        };
    });
}
