/**
 * The serving side of the training loop on AWS (components/training-pipeline/contract.ts, loop step 4): a model
 * with a served version loads `s3://<models bucket>/<model>/v=<version>/model.json` (env MLOPS_MODEL_VERSION,
 * MLOPS_MODEL_URI; its identity may read `<model>/` only), and a model with a drift monitor appends the inputs it
 * scores under `s3://<models bucket>/<model>/_capture/` (env MLOPS_CAPTURE_URI; its identity may write there
 * only). samples/model/serve.py reads these through lakeio.py with the identity's credentials. Shared by the
 * serving components that run serve.py: ECS Fargate, App Runner and Lambda. Builds env and policy statements only.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";
import type { ModelServingSpec } from "../shared/model";
import type { ProblemDetail } from "../shared/problems";

/** The variables the store sets: a model's own `env` may not set them too. */
export const MODEL_STORE_ENV = ["MLOPS_MODEL_VERSION", "MLOPS_MODEL_URI", "MLOPS_CAPTURE_URI"] as const;

/** A served version: a training run id (the parser strips a leading `v=`). */
export const SERVED_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Where served versions are read and inference inputs captured: the lake's models zone. */
export interface AwsModelStoreArgs {
    /** The models zone's bucket name. */
    readonly bucket: pulumi.Input<string>;
    /** The served version (a training run id, without `v=`) of each model that has one, by model name. Default: {}. */
    readonly servedVersions?: Readonly<Record<string, string>>;
    /** The models whose scored inputs are captured for drift monitoring. Default: []. */
    readonly capture?: string[];
}

/** What one model takes from the store: the version it loads, and whether it captures. */
export interface ModelStoreUse {
    readonly version?: string;
    readonly capture: boolean;
}

/** The model's use of the store, or undefined when it neither loads a version nor captures. */
export function modelStoreUse(model: string, store: Omit<AwsModelStoreArgs, "bucket"> | undefined): ModelStoreUse | undefined {
    const version = store?.servedVersions?.[model];
    const capture = store?.capture?.includes(model) ?? false;
    return version === undefined && !capture ? undefined : { ...(version !== undefined ? { version } : {}), capture };
}

/** The environment the model gets from the store, given the bucket's name. */
export function modelStoreEnv(model: string, use: ModelStoreUse | undefined, bucket: string): Record<string, string> {
    if (!use) return {};
    return {
        ...(use.version !== undefined
            ? { MLOPS_MODEL_VERSION: use.version, MLOPS_MODEL_URI: `s3://${bucket}/${model}/v=${use.version}/model.json` }
            : {}),
        ...(use.capture ? { MLOPS_CAPTURE_URI: `s3://${bucket}/${model}/_capture/` } : {}),
    };
}

/** `modelStoreEnv` with the bucket still an output: what a Lambda or App Runner environment takes. */
export function modelStoreEnvOutput(
    model: string,
    use: ModelStoreUse | undefined,
    bucket: pulumi.Input<string>,
): pulumi.Output<Record<string, string>> {
    return pulumi.output(bucket).apply((b) => modelStoreEnv(model, use, b));
}

/**
 * The serving identity's permissions on the store: read `<model>/*` (a served version), write
 * `<model>/_capture/*` (capture), and the lake key used through S3 only (SSE-KMS: Decrypt to read,
 * GenerateDataKey to write). No ListBucket: serve.py reads one known key and writes new ones.
 */
export function modelStoreStatements(o: {
    readonly model: string;
    readonly use: ModelStoreUse;
    readonly bucket: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly dnsSuffix: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
}): PolicyStatement[] {
    const objects = (prefix: string) => pulumi.interpolate`arn:${o.partition}:s3:::${o.bucket}/${prefix}*`;
    const viaS3 = { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${o.region}.${o.dnsSuffix}` } };
    const keyActions = [...(o.use.version !== undefined ? ["kms:Decrypt"] : []), ...(o.use.capture ? ["kms:GenerateDataKey"] : [])];
    return [
        ...(o.use.version !== undefined
            ? [{ Sid: "ReadServedModel", Effect: "Allow" as const, Action: "s3:GetObject", Resource: objects(`${o.model}/`) }]
            : []),
        ...(o.use.capture
            ? [{ Sid: "WriteCapturedInputs", Effect: "Allow" as const, Action: "s3:PutObject", Resource: objects(`${o.model}/_capture/`) }]
            : []),
        { Sid: "UseLakeKeyThroughS3", Effect: "Allow", Action: keyActions, Resource: o.kmsKeyArn, Condition: viaS3 },
    ];
}

/**
 * Every problem with a serving component's `modelStore`: versions and captured models name models it serves,
 * versions are run ids, and no model's own `env` sets a variable the store sets for it.
 */
export function validateModelStore(models: readonly ModelServingSpec[], store: AwsModelStoreArgs | undefined): ProblemDetail[] {
    if (!store) return [];
    const problems: ProblemDetail[] = [];
    const served = new Set(models.map((m) => m.name));
    for (const [model, version] of Object.entries(store.servedVersions ?? {})) {
        if (!served.has(model))
            problems.push({
                path: `modelStore.servedVersions.${model}`,
                value: version,
                message: "names a model this component does not serve",
            });
        if (typeof version !== "string" || !SERVED_RUN_ID.test(version))
            problems.push({
                path: `modelStore.servedVersions.${model}`,
                value: version,
                message: "is not a training run id (letters, digits, '.', '_' and '-', at most 128)",
            });
    }
    for (const model of store.capture ?? [])
        if (!served.has(model))
            problems.push({ path: `modelStore.capture.${model}`, value: model, message: "names a model this component does not serve" });
    models.forEach((m, i) => {
        const set = Object.keys(modelStoreEnv(m.name, modelStoreUse(m.name, store), "bucket"));
        const clash = Object.keys(m.env ?? {}).filter((k) => set.includes(k));
        if (clash.length > 0)
            problems.push({
                path: `models[${i}].env`,
                value: clash,
                message: `sets ${clash.join(", ")}, which the stack sets from servedVersion and training.drift`,
                fix: "remove them from the model's env",
            });
    });
    return problems;
}
