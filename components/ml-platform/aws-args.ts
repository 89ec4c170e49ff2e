/**
 * Arguments of SageMakerPlatform and their validator; the training defaults derived from them. Pure: no
 * SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import { NAME_PREFIX } from "../naming/aws";
import type { ProblemDetail } from "../shared/problems";
import type { MlPlatformArgs, TrainingDefaults } from "./contract";
import { WORKLOAD_NAME } from "../shared/naming";

const SAGEMAKER_INSTANCE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

export interface SageMakerPlatformArgs extends MlPlatformArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** ARN of the models zone's bucket (`artifactBucket`): read and write. */
    readonly artifactBucketArn: pulumi.Input<string>;
    /** ARNs of every lake bucket: read. */
    readonly lakeBucketArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The platform's KMS key: Studio storage, volumes and artifacts. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ECR repositories the platform's jobs pull from. */
    readonly repositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The VPC Studio and jobs run in. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for Studio and jobs (two zones or more). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Create the SageMaker Studio domain (VPC only: notebooks reach AWS APIs through interface endpoints or
     * NAT, which cost money; see the network settings). The domain itself is free; its EFS home storage is
     * billed. Default: true.
     */
    readonly studio?: boolean;
    /** Training instance type when no accelerator is asked for. Default: "ml.m5.xlarge". */
    readonly cpuTrainingInstanceType?: string;
}

/** Every problem with SageMakerPlatform args, the training accelerator checked against the catalog (service `sagemaker-training`). */
export function validateSageMakerPlatform(args: SageMakerPlatformArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    args.models.forEach((m, i) => {
        if (!WORKLOAD_NAME.test(m))
            problems.push({
                path: `models[${i}]`,
                value: m,
                message: "is not a valid model name",
                fix: "use 1-24 lowercase letters, digits and '-', starting with a letter",
            });
        if (args.models.indexOf(m) !== i) problems.push({ path: `models[${i}]`, value: m, message: "is listed twice" });
    });
    const maxNodes = args.training?.maxNodes ?? 1;
    if (!Number.isInteger(maxNodes) || maxNodes < 1)
        problems.push({ path: "training.maxNodes", value: maxNodes, message: "must be a whole number of at least 1" });
    const cpuType = args.cpuTrainingInstanceType ?? "ml.m5.xlarge";
    if (!SAGEMAKER_INSTANCE.test(cpuType))
        problems.push({
            path: "cpuTrainingInstanceType",
            value: cpuType,
            message: "is not a SageMaker instance type",
            fix: 'write e.g. "ml.m5.xlarge"',
        });
    const accelerator = args.training?.accelerator;
    try {
        resolveAccelerator({ cloud: "aws", service: "sagemaker-training", accelerator });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.push({ path: "training.accelerator", value: accelerator, message: e.message });
    }
    return problems;
}

/** The training defaults the platform exports: the catalog's instance type for the accelerator, else the CPU type. Call after validation. */
export function trainingDefaults(args: SageMakerPlatformArgs): TrainingDefaults {
    const cpuType = args.cpuTrainingInstanceType ?? "ml.m5.xlarge";
    const accelerator = args.training?.accelerator;
    return {
        accelerator: accelerator?.type ?? "none",
        acceleratorCount: accelerator?.count ?? 0,
        compute: resolveAccelerator({ cloud: "aws", service: "sagemaker-training", accelerator })?.instanceType ?? cpuType,
        maxNodes: args.training?.maxNodes ?? 1,
        spot: args.training?.spot ?? true,
    };
}
