/**
 * Arguments of the Cloud Run components (CloudRunModelService, CloudRunContainerService, and the shared
 * settings CloudRunInference takes too) and their validators, including the rules one model must meet on
 * Cloud Run. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import { isPinnedImage } from "../shared/images";
import type { ModelServingSpec } from "../shared/model";
import type { ProblemDetail } from "../shared/problems";
import { GCP_NAME_RULES, autoNameBudget, fitsGcpRule, validateNamePrefix } from "../naming/gcp";
import type { ContainerServiceArgs } from "./contract";
import {
    CLOUD_RUN_CPU_MEMORY_MIB,
    CLOUD_RUN_CPUS,
    INGRESS_NAMES,
    MAX_CONCURRENCY,
    MAX_REQUEST_TIMEOUT_SECONDS,
    RESERVED_ENV,
} from "./gcp-cloud-run";
import { WORKLOAD_NAME } from "../shared/naming";

/** Settings every Cloud Run model service of a component shares (container service and serverless inference). */
export interface CloudRunServingArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Cloud Run region (GPU models need one that offers nvidia-l4). */
    readonly region: string;
    /** Cloud KMS key of the models' files buckets. Required when a model has files. Default: none. */
    readonly filesKmsKeyName?: pulumi.Input<string>;
    /** Bucket that receives the files buckets' access logs (e.g. the data lake's). Default: no access logs. */
    readonly accessLogBucket?: pulumi.Input<string>;
    /** `internal`, `internal-and-cloud-load-balancing` or `all`. Default: "internal". */
    readonly ingress?: string;
    /** Grant `roles/run.invoker` to `allUsers`: anyone on the internet may call the model. Default: false. */
    readonly allowUnauthenticated?: boolean;
    /** IAM members granted `roles/run.invoker`, e.g. `group:ml-clients@example.com`. Default: []. */
    readonly invokers?: string[];
    /** Seconds a request may take. Default: 300. */
    readonly requestTimeoutSeconds?: number;
    /** Spread GPU instances over zones (needs the zonal-redundancy GPU quota; costs more). Default: true. */
    readonly gpuZonalRedundancy?: boolean;
    /** Deletion protection on the services; protect and retain the files buckets. Default: true. */
    readonly protectData?: boolean;
    /** Labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * The lake's models zone, for the training contract: a model with a served version reads
     * `<model>/v=<version>/model.json` (env MLOPS_MODEL_VERSION, MLOPS_MODEL_URI; read on `<model>/` only); a
     * model with a drift monitor appends its inputs under `<model>/_capture/` (env MLOPS_CAPTURE_URI; create
     * there only). Default: neither.
     */
    readonly modelStore?: ModelStoreArgs;
}

/** Where served versions are read and inference inputs captured (the models zone's bucket). */
export interface ModelStoreArgs {
    /** The models zone's bucket name. */
    readonly bucket: pulumi.Input<string>;
    /** The served version (a training run id) of each model that has one. Default: {}. */
    readonly servedVersions?: Readonly<Record<string, string>>;
    /** The models whose inputs are captured for drift monitoring. Default: []. */
    readonly capture?: string[];
}

/** The environment a model gets from the model store (training contract), given the bucket's name. */
export function modelStoreEnv(model: string, store: Omit<ModelStoreArgs, "bucket"> | undefined, bucket: string): Record<string, string> {
    const env: Record<string, string> = {};
    const version = store?.servedVersions?.[model];
    if (version !== undefined) {
        env.MLOPS_MODEL_VERSION = version;
        env.MLOPS_MODEL_URI = `gs://${bucket}/${model}/v=${version}/model.json`;
    }
    if (store?.capture?.includes(model)) env.MLOPS_CAPTURE_URI = `gs://${bucket}/${model}/_capture/`;
    return env;
}

/** One model on Cloud Run. */
export interface CloudRunModelServiceArgs extends CloudRunServingArgs {
    /** The model to serve. */
    readonly model: ModelServingSpec;
    /** Cloud Run service name (at most 49 characters, a letter first). */
    readonly serviceName: string;
    /** ID of the service account created for this model (6-30 characters). */
    readonly serviceAccountId: string;
}

/** The arguments of a component that serves many models on Cloud Run. */
export interface CloudRunModelsArgs extends CloudRunServingArgs {
    /** Prefix of project-unique names (services, service accounts); the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** The models to serve, one Cloud Run service each. */
    readonly models: ModelServingSpec[];
}

export interface CloudRunContainerServiceArgs extends ContainerServiceArgs, CloudRunModelsArgs {
    /** Cloud KMS key of the Docker repository (the Artifact Registry service agent must be able to use it). */
    readonly registryKmsKeyName: pulumi.Input<string>;
    /** Tagged image versions kept per image by the cleanup policy. Default: 10. */
    readonly keepTaggedVersions?: number;
    /** Days after which untagged image versions are deleted. Default: 7. */
    readonly untaggedRetentionDays?: number;
}

export const filesBucketLogicalName = (name: string) => `${name}-files`;

const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;
const OBJECT_NAME = /^[A-Za-z0-9._-]+$/;

/** Every problem with the settings all models of a component share (ingress, invokers, timeout). */
export function validateCloudRunServing(args: CloudRunServingArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const ingress = args.ingress ?? "internal";
    const timeout = args.requestTimeoutSeconds ?? 300;
    if (!INGRESS_NAMES.includes(ingress))
        problems.push({
            path: "ingress",
            value: ingress,
            message: "is not an ingress setting",
            allowed: INGRESS_NAMES,
            fix: "use internal unless callers come from the internet",
        });
    if (!isWhole(timeout) || timeout < 1 || timeout > MAX_REQUEST_TIMEOUT_SECONDS) {
        problems.push({
            path: "requestTimeoutSeconds",
            value: timeout,
            message: `must be a whole number of seconds from 1 to ${MAX_REQUEST_TIMEOUT_SECONDS}`,
        });
    }
    (args.invokers ?? []).forEach((m, i) => {
        if (m === "allUsers" || m === "allAuthenticatedUsers") {
            problems.push({
                path: `invokers[${i}]`,
                value: m,
                message: "would make the service public",
                fix: "set allowUnauthenticated: true if the service really must be public (CKV_GCP_102)",
            });
        } else if (!IAM_MEMBER.test(m)) {
            problems.push({
                path: `invokers[${i}]`,
                value: m,
                message: "is not an IAM member",
                fix: "write e.g. group:ml-clients@example.com or serviceAccount:caller@project.iam.gserviceaccount.com",
            });
        }
    });
    return problems;
}

/** Every problem with one model on Cloud Run in `region` (paths relative to the model: `cpuMillicores`). */
export function validateCloudRunModel(m: ModelServingSpec, region: string): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const bad = (path: string, value: unknown, message: string, fix?: string) => problems.push({ path, value, message, fix });
    if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name))
        bad("name", m.name, "is not a model name", "use 1-24 lowercase letters, digits or hyphens, starting with a letter");
    if (typeof m.image !== "string" || !isPinnedImage(m.image))
        bad("image", m.image, "is not pinned to a tag or digest", "pin a version tag or `@sha256:` digest");
    if (!isWhole(m.port) || m.port < 1 || m.port > 65535) bad("port", m.port, "is not a TCP port");
    for (const key of Object.keys(m.env ?? {})) {
        if ((RESERVED_ENV as readonly string[]).includes(key))
            bad(`env.${key}`, m.env?.[key], "is set by Cloud Run and may not be given", `remove it (reserved: ${RESERVED_ENV.join(", ")})`);
    }
    for (const file of Object.keys(m.files ?? {})) {
        if (!OBJECT_NAME.test(file)) bad("files", file, "is not a valid file name", "use letters, digits, '.', '_' and '-' only");
    }
    if (typeof m.healthPath !== "string" || !m.healthPath.startsWith("/")) bad("healthPath", m.healthPath, "is not an HTTP path");
    const cpu = m.cpuMillicores / 1000;
    const memory = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
    if (!isWhole(m.cpuMillicores) || memory === undefined) {
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            "is not a CPU size Cloud Run takes",
            `use ${CLOUD_RUN_CPUS.map((c) => c * 1000).join(", ")} (1, 2, 4, 6 or 8 vCPU)`,
        );
    } else if (!isWhole(m.memoryMiB) || m.memoryMiB < memory.min || m.memoryMiB > memory.max) {
        bad(
            "memoryMiB",
            m.memoryMiB,
            `is outside what ${cpu} vCPU allows on Cloud Run (${memory.min} to ${memory.max} MiB)`,
            "raise or lower memoryMiB, or change cpuMillicores",
        );
    }
    if (!isWhole(m.minReplicas) || m.minReplicas < 0) bad("minReplicas", m.minReplicas, "must be a whole number of at least 0");
    if (!isWhole(m.maxReplicas) || m.maxReplicas < 1 || m.maxReplicas < m.minReplicas)
        bad("maxReplicas", m.maxReplicas, "must be a whole number of at least 1 and at least minReplicas");
    if (!isWhole(m.concurrency) || m.concurrency < 1 || m.concurrency > MAX_CONCURRENCY)
        bad("concurrency", m.concurrency, `must be a whole number from 1 to ${MAX_CONCURRENCY}`);

    if (!m.accelerator) return problems;
    let gpu;
    try {
        gpu = resolveAccelerator({ cloud: "gcp", service: "cloud-run", accelerator: m.accelerator, region });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        bad("accelerator", m.accelerator, e.message);
        return problems;
    }
    if (gpu?.minCpu !== undefined && cpu < gpu.minCpu)
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            `is below the ${gpu.minCpu} vCPU Cloud Run requires with ${gpu.accelerator}`,
            `set cpuMillicores to at least ${gpu.minCpu * 1000}`,
        );
    if (gpu?.minMemoryGiB !== undefined && m.memoryMiB < gpu.minMemoryGiB * 1024) {
        bad(
            "memoryMiB",
            m.memoryMiB,
            `is below the ${gpu.minMemoryGiB} GiB Cloud Run requires with ${gpu.accelerator}`,
            `set memoryMiB to at least ${gpu.minMemoryGiB * 1024}`,
        );
    }
    return problems;
}

/** Problems found on a part of the arguments, moved under `at` (`models[0]` + `cpuMillicores`). */
export function under(at: string, problems: readonly ProblemDetail[]): ProblemDetail[] {
    return problems.map((p) => ({ ...p, path: p.path.startsWith("[") ? `${at}${p.path}` : `${at}.${p.path}` }));
}

/** Every problem with one model's service (the model, its names, its files key). */
export function validateCloudRunModelService(args: CloudRunModelServiceArgs): ProblemDetail[] {
    const problems = [...validateCloudRunServing(args), ...under("model", validateCloudRunModel(args.model, args.region))];
    if (!fitsGcpRule("cloudRunService", args.serviceName))
        problems.push({
            path: "serviceName",
            value: args.serviceName,
            message: "is not a Cloud Run service name",
            fix: "use at most 49 lowercase letters, digits and hyphens, starting with a letter",
        });
    if (!fitsGcpRule("serviceAccountId", args.serviceAccountId))
        problems.push({
            path: "serviceAccountId",
            value: args.serviceAccountId,
            message: "is not a service account ID",
            fix: "use 6-30 lowercase letters, digits and hyphens, starting with a letter",
        });
    if (args.model?.files && args.filesKmsKeyName === undefined)
        problems.push({
            path: "filesKmsKeyName",
            value: undefined,
            message: "is required when the model has files (its bucket is CMEK-encrypted)",
        });
    return problems;
}

/** The problem with a service component's name too long for its files bucket's auto-name (none when it fits). */
export function validateCloudRunModelServiceName(name: string): ProblemDetail[] {
    return filesBucketLogicalName(name).length > autoNameBudget(GCP_NAME_RULES.bucket.max)
        ? [{ path: "name", value: name, message: "is too long for the files bucket name with the random suffix" }]
        : [];
}

/** Every problem with a list of Cloud Run models and their shared settings (every problem before any resource). */
export function validateCloudRunModels(args: CloudRunModelsArgs): ProblemDetail[] {
    const problems = [...validateNamePrefix(args.namePrefix), ...validateCloudRunServing(args)];
    const seen = new Set<string>();
    (args.models ?? []).forEach((m, i) => {
        problems.push(...under(`models[${i}]`, validateCloudRunModel(m, args.region)));
        if (seen.has(m.name)) problems.push({ path: `models[${i}].name`, value: m.name, message: "is used by another model" });
        seen.add(m.name);
        if (m.files && args.filesKmsKeyName === undefined)
            problems.push({ path: "filesKmsKeyName", value: undefined, message: `is required: model ${m.name} has files` });
    });
    return problems;
}

/** Every problem with the arguments (paths relative to them). */
export function validateCloudRunContainerService(args: CloudRunContainerServiceArgs): ProblemDetail[] {
    const keep = args.keepTaggedVersions ?? 10;
    const untaggedDays = args.untaggedRetentionDays ?? 7;
    const problems = validateCloudRunModels(args);
    if (!Number.isInteger(keep) || keep < 1)
        problems.push({ path: "keepTaggedVersions", value: keep, message: "must be a whole number of at least 1" });
    if (!Number.isInteger(untaggedDays) || untaggedDays < 1)
        problems.push({ path: "untaggedRetentionDays", value: untaggedDays, message: "must be a whole number of days of at least 1" });
    return problems;
}
