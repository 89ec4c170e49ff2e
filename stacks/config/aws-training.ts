/**
 * The AWS training pipelines' arguments, computed from `mlops:models[].training` and `mlops:delivery` (the
 * stack build in stacks/clouds/aws.ts passes exactly these), and `checkAwsTraining`, which runs the
 * component's validator on them before anything is created, each problem at the `mlops:models[i].training`
 * key the user wrote. Pure: no SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import { atKeys, ProblemDetail } from "@mlops/components";
import { SageMakerTrainingPipelinesArgs, validateSageMakerTrainingPipelines } from "@mlops/components/aws-args";
import { awsStackBasics, SERVING_LOG_DAYS } from "./aws";
import { StackConfig } from "./schema";
import { deliverySpec, trainingSpecs } from "./training";

type In = pulumi.Input<string>;

/** What the training component takes from the resources before it. */
export interface AwsTrainingRefs {
    readonly kmsKeyArn: In;
    readonly alertTopicArn: In;
    readonly bucketNames: pulumi.Input<Record<string, string>>;
    readonly registryHost: In;
    readonly cachePrefix: string | undefined;
}

/** The component's name in the AWS stack. */
export const AWS_TRAINING_COMPONENT_NAME = "training";

/** Whether the stack trains any model (`mlops:models[].training`). */
export function awsTrains(cfg: StackConfig): boolean {
    return cfg.models.some((m) => m.training !== undefined);
}

export function awsTrainingArgs(
    cfg: StackConfig,
    refs: AwsTrainingRefs,
    secret: (value: string) => pulumi.Input<string> = (v) => v,
): SageMakerTrainingPipelinesArgs {
    const basics = awsStackBasics(cfg);
    const delivery = deliverySpec(cfg, secret);
    return {
        trainings: trainingSpecs(cfg),
        ...(delivery ? { delivery } : {}),
        namePrefix: basics.namePrefix,
        zones: cfg.dataLake.zones,
        bucketNames: refs.bucketNames,
        kmsKeyArn: refs.kmsKeyArn,
        alertTopicArn: refs.alertTopicArn,
        registeredModels: cfg.models.map((m) => m.name),
        registryHost: refs.registryHost,
        cachePrefix: refs.cachePrefix,
        logRetentionDays: SERVING_LOG_DAYS,
        protectData: cfg.protectData,
        tags: basics.tags("training-pipeline"),
    };
}

const PLACEHOLDER = "(created by the stack)";

/**
 * The training validator on the args the build passes, re-rooted at `mlops:models[i].training...`. Problems
 * the training parser already reports (zones, images, cron, prod approval) are left to it.
 */
export function checkAwsTraining(config: StackConfig): ProblemDetail[] {
    if (!config.aws || !awsTrains(config)) return [];
    const ns = `${config.project}:`;
    const args = awsTrainingArgs(config, {
        kmsKeyArn: PLACEHOLDER,
        alertTopicArn: PLACEHOLDER,
        bucketNames: {},
        registryHost: PLACEHOLDER,
        // The stack's registry always has the ECR Public pull-through cache (components/registry/aws.ts).
        cachePrefix: PLACEHOLDER,
    });
    const keys: Record<string, string> = { namePrefix: `${ns}stack`, delivery: `${ns}delivery`, zones: `${ns}dataLake.zones` };
    const withTraining = config.models.flatMap((m, i) => (m.training ? [i] : []));
    withTraining.forEach((i, j) => {
        const at = `${ns}models[${i}].training`;
        keys[`trainings[${j}]`] = at;
        keys[`trainings[${j}].model`] = `${ns}models[${i}].name`;
        keys[`trainings[${j}].accelerator`] = `${ns}mlPlatform.training.accelerator`;
        keys[`trainings[${j}].drift.capture`] = `${at}.drift`;
        keys[`trainings[${j}].servedVersion`] = `${ns}models[${i}].servedVersion`;
    });
    // The parser owns these (and reports them in its own words); the platform reports the accelerator.
    const parserOwns = /^(zones|trainings\[\d+\]\.(dataset|command|automl|accelerator|model))$/;
    const found = validateSageMakerTrainingPipelines(args).filter((p) => !parserOwns.test(p.path));
    return atKeys(found, keys, `${ns}models`);
}
