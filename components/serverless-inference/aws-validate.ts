/**
 * Up-front checks of the AWS serverless inference components: every problem collected before any child
 * exists. Pure: no SDK here.
 */
import type { AcceleratorSettings } from "../accelerators/types";
import { checkModels } from "../container-service/aws-validate";
import { isLogRetention, NAME_PREFIX } from "../data-lake/aws-naming";
import { isPinnedImage } from "../shared/images";
import { Problems } from "../shared/problems";
import { errorRatePercentProblem } from "../observability/aws";
import type { LambdaInferenceArgs, SageMakerInferenceArgs } from "./aws";
import { handlerFile, LAMBDA_RUNTIMES, packageFiles } from "./aws-lambda";
import { CPU_ENDPOINT_INSTANCE, modelTarball, repositoryArnOfImage, SERVERLESS_MAX_CONCURRENCY, serverlessMemoryMb } from "./aws-sagemaker";

/** Largest package or artifact we inline into the stack (it is stored in Pulumi state). */
export const INLINE_LIMIT_BYTES = 5 * 1024 * 1024;

const prefixProblem = (problems: Problems, namePrefix: string) => {
    if (!NAME_PREFIX.test(namePrefix))
        problems.add({ path: "namePrefix", value: namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
};

/** Every problem with LambdaInference args; returns each model's package files. */
export function validateLambda(name: string, args: LambdaInferenceArgs): Record<string, string>[] {
    const problems = new Problems();
    prefixProblem(problems, args.namePrefix);
    checkModels(args.models, problems, {
        service: "lambda",
        runsImage: false,
        componentName: name,
        autoNamed: { "-role": 64, "-fn": 64, "-dlq": 80 },
    });
    const timeout = args.timeoutSeconds ?? 30;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900)
        problems.add({
            path: "timeoutSeconds",
            value: timeout,
            message: "must be a whole number of seconds from 1 to 900 (Lambda's limit)",
        });
    const retention = args.logRetentionDays ?? 365;
    if (!isLogRetention(retention))
        problems.add({
            path: "logRetentionDays",
            value: retention,
            message: "is not a retention CloudWatch Logs accepts",
            fix: "use logRetentionDays() to round up, e.g. 365",
        });
    const packages = args.models.map((m, i) => {
        const at = `models[${i}]`;
        if (m.minReplicas > 0) {
            problems.add({
                path: `${at}.minReplicas`,
                value: m.minReplicas,
                message: "asks for warm instances, but this Lambda implementation scales to zero (provisioned concurrency is not built)",
                fix: "set serverlessMinReplicas to 0, or serve the model with sagemaker-serverless or sagemaker-endpoint",
            });
        }
        const code = args.code?.[m.name];
        if (!code) {
            problems.add({
                path: `code.${m.name}`,
                value: undefined,
                message: "is missing: Lambda runs a zip package, not the model's image",
                fix: "give the function code (mlops:models[i].aws.lambdaCode, e.g. samples/aws/lambda)",
            });
            return {};
        }
        if (!(LAMBDA_RUNTIMES as readonly string[]).includes(code.runtime))
            problems.add({
                path: `code.${m.name}.runtime`,
                value: code.runtime,
                message: "is not a runtime this component accepts",
                allowed: LAMBDA_RUNTIMES,
            });
        const { files, conflicts } = packageFiles(code.files, m.files);
        conflicts.forEach((f) =>
            problems.add({
                path: `code.${m.name}.files`,
                value: f,
                message: "is also one of the model's files, with other content",
                fix: "rename one of them",
            }),
        );
        const entry = handlerFile(code.handler, code.runtime);
        if (!entry || !(entry in files))
            problems.add({
                path: `code.${m.name}.handler`,
                value: code.handler,
                message: `does not name a file and function in the package (files: ${Object.keys(files).join(", ") || "none"})`,
                fix: "write `<file without extension>.<function>`, e.g. `handler.handler`",
            });
        const bytes = Object.values(files).reduce((n, c) => n + Buffer.byteLength(c), 0);
        if (bytes > INLINE_LIMIT_BYTES)
            problems.add({
                path: `code.${m.name}.files`,
                value: `${bytes} bytes`,
                message: `is larger than the ${INLINE_LIMIT_BYTES} bytes inlined into the stack`,
                fix: "package the function elsewhere (S3 or a container image)",
            });
        return files;
    });
    const rateProblem = errorRatePercentProblem(args.errorRatePercent);
    if (rateProblem) problems.add({ path: "errorRatePercent", value: args.errorRatePercent, message: rateProblem });
    problems.throwIfAny(`LambdaInference "${name}"`);
    return packages;
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

/** Every problem with SageMakerInference args; returns each model's sizing. */
export function validateSageMaker(name: string, args: SageMakerInferenceArgs): SageMakerModelSettings[] {
    const problems = new Problems();
    const serverless = args.serverless ?? false;
    prefixProblem(problems, args.namePrefix);
    const accelerators = checkModels(args.models, problems, {
        service: serverless ? "sagemaker-serverless" : "sagemaker-endpoint",
        runsImage: false,
        componentName: name,
        autoNamed: { "-role": 64, "-model": 63, "-config": 63 },
        ...(serverless ? { maxReplicas: SERVERLESS_MAX_CONCURRENCY } : {}),
    });
    const floor = args.minInstanceCount ?? 1;
    if (!Number.isInteger(floor) || floor < 1)
        problems.add({ path: "minInstanceCount", value: floor, message: "must be a whole number of at least 1" });
    const retention = args.logRetentionDays ?? 365;
    if (!isLogRetention(retention))
        problems.add({
            path: "logRetentionDays",
            value: retention,
            message: "is not a retention CloudWatch Logs accepts",
            fix: "use logRetentionDays() to round up, e.g. 365",
        });
    const sampling = args.dataCaptureSamplingPercent ?? 100;
    if (!Number.isInteger(sampling) || sampling < 1 || sampling > 100)
        problems.add({ path: "dataCaptureSamplingPercent", value: sampling, message: "must be a whole percentage from 1 to 100" });
    if (!serverless && (args.vpcId === undefined || args.subnetIds === undefined))
        problems.add({
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
            problems.add({ path: field, value, message: "must be a whole number of at least 1" });
    }
    const settings = args.models.map((m, i) => {
        const at = `models[${i}]`;
        const image = args.images?.[m.name];
        if (image !== undefined && (!isPinnedImage(image) || repositoryArnOfImage(image, "aws") === undefined)) {
            problems.add({
                path: `images.${m.name}`,
                value: image,
                message: "is not a pinned ECR image (SageMaker pulls from ECR only)",
                fix: "push the serving image to ECR and give `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`",
            });
        }
        const artifact = args.artifacts?.[m.name];
        if (!artifact)
            problems.add({
                path: `artifacts.${m.name}`,
                value: undefined,
                message: "is missing: SageMaker needs the model's files and inference code",
                fix: "set mlops:models[i].aws.sagemakerCode (e.g. samples/aws/sagemaker) and the model's files",
            });
        else {
            if (image === undefined && !("inference.py" in artifact.code))
                problems.add({
                    path: `artifacts.${m.name}.code`,
                    value: Object.keys(artifact.code),
                    message: "lacks inference.py, which the default PyTorch serving container loads",
                    fix: "add inference.py (model_fn, input_fn, predict_fn, output_fn), or give your own image",
                });
            const bytes = modelTarball(artifact).length;
            if (bytes > INLINE_LIMIT_BYTES)
                problems.add({
                    path: `artifacts.${m.name}`,
                    value: `${bytes} bytes`,
                    message: `packs to more than the ${INLINE_LIMIT_BYTES} bytes inlined into the stack`,
                    fix: "upload large models to S3 yourself",
                });
        }
        const memoryMb = serverless ? serverlessMemoryMb(m.memoryMiB) : 0;
        if (memoryMb === undefined)
            problems.add({
                path: `${at}.memoryMiB`,
                value: m.memoryMiB,
                message: "is more than the 6144 MB a serverless endpoint offers",
                fix: "lower it, or use sagemaker-endpoint",
            });
        const instances = Math.max(m.minReplicas, floor);
        return {
            accelerator: accelerators[i],
            instanceType: accelerators[i]?.instanceType ?? CPU_ENDPOINT_INSTANCE,
            instances,
            maxInstances: Math.max(m.maxReplicas, instances),
            memoryMb: memoryMb ?? 0,
        };
    });
    const rateProblem = errorRatePercentProblem(args.errorRatePercent);
    if (rateProblem) problems.add({ path: "errorRatePercent", value: args.errorRatePercent, message: rateProblem });
    problems.throwIfAny(`SageMakerInference "${name}"`);
    return settings;
}
