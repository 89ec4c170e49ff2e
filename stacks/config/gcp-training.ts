/**
 * The pure half of a GCP stack's training pipelines (`mlops:models[].training`, `mlops:delivery`): the
 * arguments of the training key and of VertexTrainingPipelines, derived from the config (the build in
 * stacks/clouds/gcp.ts passes exactly these), and checkGcpTraining, which runs the validator on those
 * arguments before anything exists and adds what only Vertex AI decides, each problem at the key the user
 * wrote (`mlops:models[0].training.memoryMiB`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { ProblemDetail, atKeys, isPinnedImage } from "@mlops/components";
import {
    GcpEncryptionArgs,
    VertexTrainingPipelinesArgs,
    validateGcpEncryption,
    validateGcpEncryptionName,
    validateGcpRegion,
    validateVertexTrainingPipelines,
} from "@mlops/components/gcp-args";
import { GcpStackInputs, gcpStackInputs } from "./gcp";
import type { StackConfig } from "./schema";
import { deliverySpec, trainingSpecs } from "./training";

type Ref = pulumi.Input<string>;

/** Logical names of the training components (their URNs start with them: never rename one). */
export const GCP_TRAINING_COMPONENTS = { keys: "training-keys", training: "training" } as const;
/** The purpose (key name) of the training key. */
export const TRAINING_KEY = "training";

/**
 * The training key ring and key, with the service agents that use it: Vertex AI (pipeline runs, custom jobs,
 * registered versions), Cloud Run (drift jobs), Workflows, Eventarc and Pub/Sub (launch and delivery).
 * Secret Manager's agent is granted by the component. None without a training.
 */
export function trainingKeyArgs(s: GcpStackInputs): GcpEncryptionArgs | undefined {
    const trainings = s.cfg.models.filter((m) => m.training);
    if (trainings.length === 0) return undefined;
    const launches =
        trainings.some((m) => m.training!.onNewData || m.training!.drift?.retrain) || s.cfg.delivery?.githubToken !== undefined;
    const agents = [
        "aiplatform",
        ...(trainings.some((m) => m.training!.drift) ? ["run"] : []),
        ...(launches ? ["workflows", "eventarc", "pubsub"] : []),
    ];
    return {
        project: s.project,
        location: s.region,
        keys: { [TRAINING_KEY]: agents },
        rotationDays: s.gcp.dataLake.keyRotationDays,
        tags: s.tags,
    };
}

export interface TrainingRefs {
    readonly zoneBuckets: Readonly<Record<string, Ref>>;
    /** The training key (training-keys) and the lake key (the code bucket). */
    readonly trainingKey: Ref;
    readonly lakeKey: Ref;
    readonly accessLogBucket?: Ref;
}

/** VertexTrainingPipelines' arguments; none without a training. `secret` wraps the GitHub token. */
export function trainingArgs(
    s: GcpStackInputs,
    refs: TrainingRefs,
    secret: (value: string) => Ref,
): VertexTrainingPipelinesArgs | undefined {
    const trainings = trainingSpecs(s.cfg);
    if (trainings.length === 0) return undefined;
    const delivery = deliverySpec(s.cfg, secret);
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        trainings,
        ...(delivery ? { delivery } : {}),
        zoneBuckets: refs.zoneBuckets,
        kmsKeyName: refs.trainingKey,
        codeKmsKeyName: refs.lakeKey,
        accessLogBucket: refs.accessLogBucket,
        trainingMachineType: s.gcp.mlPlatform.trainingMachineType,
        // The stack folds the alert into its one policy for pipelines and models (stacks/clouds/gcp.ts).
        alert: false,
        servingContainers: Object.fromEntries(
            s.cfg.models.filter((m) => m.training).map((m) => [m.name, { image: m.image, command: m.command, port: m.port }]),
        ),
        protectData: s.cfg.protectData,
        tags: s.tags,
    };
}

const PLACEHOLDER = "(known once deployed)";
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** What stacks/config/training.ts and parse.ts already report: names, images, commands, locations, schedules, accelerators. */
const PARSER_OWNS =
    /^trainings\[\d+\]\.(model|image|command|dataset|output|schedule|metric|threshold|automl|accelerator|drift\.schedule|drift\.command)(\.|$)/;

/**
 * Every problem the Vertex AI training validator finds in the arguments the build will pass, plus what the
 * GCP implementation cannot do, at the key the user wrote. Never throws; project and region are checked by
 * checkGcpStack.
 */
export function checkGcpTraining(config: StackConfig): ProblemDetail[] {
    const gcp = config.gcp;
    if (!gcp || !config.models.some((m) => m.training)) return [];
    const region = gcp.region !== undefined && validateGcpRegion(gcp.region).length === 0 ? gcp.region : "us-central1";
    const project = gcp.project !== undefined && PROJECT_ID.test(gcp.project) ? gcp.project : "placeholder-project";
    const s = gcpStackInputs({ ...config, gcp: { ...gcp, region, project } });
    const ns = `${config.project}:`;
    // trainings[j] is the j-th model with a training.
    const modelIndex = config.models.flatMap((m, i) => (m.training ? [i] : []));
    const keys: Record<string, string> = {};
    modelIndex.forEach((i, j) => {
        keys[`trainings[${j}]`] = `${ns}models[${i}].training`;
        keys[`trainings[${j}].model`] = `${ns}models[${i}].name`;
    });
    const zoneBuckets = Object.fromEntries(config.dataLake.zones.map((z) => [z, PLACEHOLDER]));
    const problems: ProblemDetail[] = [];

    const keyArgs = trainingKeyArgs(s);
    if (keyArgs)
        problems.push(
            ...atKeys(
                [...validateGcpEncryption(keyArgs), ...validateGcpEncryptionName(GCP_TRAINING_COMPONENTS.keys)].filter(
                    (p) => !/^(project|location|rotationDays)$/.test(p.path),
                ),
                {},
                `${ns}models`,
            ),
        );
    const args = trainingArgs(s, { zoneBuckets, trainingKey: PLACEHOLDER, lakeKey: PLACEHOLDER }, (v) => v);
    if (args) {
        const trainings = args.trainings.map((t) => ({ ...t, image: isPinnedImage(t.image) ? t.image : "registry.invalid/placeholder:1" }));
        const own = validateVertexTrainingPipelines({ ...args, trainings }).filter(
            (p) => /^trainings\[\d+\]/.test(p.path) && !PARSER_OWNS.test(p.path),
        );
        problems.push(...atKeys(own, keys, `${ns}models`));
    }

    // What Vertex AI AutoML does not give the drift monitor and serving: a baseline.json and a model.json in the lake.
    config.models.forEach((m, i) => {
        const t = m.training;
        if (!t || t.mode !== "automl") return;
        const at = `${ns}models[${i}]`;
        if (t.drift)
            problems.push({
                path: `${at}.training.drift`,
                value: "(set)",
                message:
                    "is not available with `mode: automl` on gcp: Vertex AI AutoML writes no baseline.json (the per-feature training statistics the drift job compares with)",
                fix: "remove drift, or train with your own code (`mode: custom`)",
            });
        if (m.servedVersion !== undefined)
            problems.push({
                path: `${at}.servedVersion`,
                value: m.servedVersion,
                message:
                    "cannot be served from the lake with `mode: automl` on gcp: a Vertex AI AutoML version lives in the Model Registry, not as <model>/v=<version>/model.json",
                fix: "remove servedVersion and deploy the registered version to a Vertex AI endpoint, or use `mode: custom`",
            });
    });
    return problems;
}
