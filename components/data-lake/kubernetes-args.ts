/**
 * Arguments of MinioDataLake, their defaults and their validator, with MinIO's erasure-set rule. Pure: no
 * SDK at runtime, so the stack config check runs the same validation before anything is created.
 */
import { isValidBucketName, validateLabels, validateNamespaceName } from "../naming/kubernetes";
import { isPinnedImage } from "../shared/images";
import type { ProblemDetail } from "../shared/problems";
import type { DataLakeArgs } from "./contract";
import { WORKLOAD_NAME } from "../shared/naming";

/**
 * The last MinIO server release published to quay.io. MinIO stopped publishing community images in
 * October 2025 (RELEASE.2025-10-15T17-29-55Z was source-only) and removed the Docker Hub repositories in
 * September 2026; quay.io still serves the archived images (suitenumerique/drive#832, makeplane/plane#9829).
 */
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
/** The last `mc` release on quay.io (suitenumerique/drive#832, slothflowlabs/duckle#347). */
export const DEFAULT_MC_IMAGE = "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z";

export interface MinioDataLakeArgs extends DataLakeArgs {
    /** Namespace the component creates for MinIO (restricted Pod Security, default-deny network policy). */
    readonly namespace: string;
    /** MinIO servers (StatefulSet replicas). Fixed once created: MinIO cannot re-shape a pool. Default: 1. */
    readonly servers?: number;
    /**
     * Volumes per server. `servers` x `drivesPerServer` must give MinIO an erasure-coded layout (at least 2
     * drives in equal sets of 2 to 16), which versioning needs. Fixed once created. Default: 4.
     */
    readonly drivesPerServer?: number;
    /** Size of each volume in GiB (storage costs servers x drivesPerServer x this). Default: 10. */
    readonly volumeSizeGiB?: number;
    /** StorageClass of the volumes. Default: the cluster's default StorageClass. */
    readonly storageClassName?: string;
    /** MinIO server image, pinned. Default: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z". */
    readonly image?: string;
    /** MinIO client (`mc`) image for the setup Job, pinned. Default: "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z". */
    readonly clientImage?: string;
    /** Namespaces whose pods may reach the S3 port (e.g. the ML platform's). Default: [] - only this namespace. */
    readonly clientNamespaces?: string[];
    /** Zone holding models and MLflow artifacts: the generated MLflow user may use its bucket only. Default: "models". */
    readonly modelsZone?: string;
    /**
     * One MinIO user per data pipeline, whose policy allows listing and reading its source prefix and
     * listing, reading and writing its target prefix, nothing else (components/data-pipeline/kubernetes.ts
     * mounts its keys). Default: [] - no pipeline users.
     */
    readonly pipelines?: MinioPipelineAccess[];
    /**
     * Where MinIO sends bucket notifications for pipelines with `onArrival` (the in-cluster trigger).
     * Required when any pipeline has `onArrival`. Default: no notifications.
     */
    readonly pipelineTrigger?: MinioPipelineTrigger;
}

/** A place in the lake: a zone (its bucket) and a prefix in it (`""` or ending in `/`). */
export interface MinioLakeLocation {
    /** The zone (its bucket). */
    readonly zone: string;
    /** The prefix in it: `""` or ending in `/`. */
    readonly prefix: string;
}

/** What one pipeline may touch in MinIO, and whether new objects under its source start it. */
export interface MinioPipelineAccess {
    /** Pipeline name (DNS label, at most 24 characters); its MinIO user is `pipeline-<name>`. */
    readonly name: string;
    /** Read (list and get) on this prefix only. */
    readonly source: MinioLakeLocation;
    /** Read and write (list, get, put) on this prefix only. */
    readonly target: MinioLakeLocation;
    /** Send `s3:ObjectCreated:*` events under the source prefix to the trigger. Default: false. */
    readonly onArrival?: boolean;
    /**
     * A training, drift or model-serving identity (components/training-pipeline/kubernetes-args.ts): its target
     * may be a model's prefix in the models zone (`models/<model>/`, `models/<model>/_capture/`). Default: false.
     */
    readonly modelAccess?: boolean;
}

/** The webhook MinIO notifies (a Service in the pipelines namespace). */
export interface MinioPipelineTrigger {
    /** `http://<service>.<namespace>.svc.cluster.local:<port>/<path>`. */
    readonly endpoint: string;
    /** Namespace of the trigger: MinIO's servers may reach it on `port`, nothing else there. */
    readonly namespace: string;
    /** TCP port of the trigger's pods. */
    readonly port: number;
}

/**
 * Erasure-set sizes MinIO accepts (minio/minio cmd/endpoint-ellipses.go `setSizes`): a set needs at least
 * 2 drives, so a deployment needs at least 2 drives for objects to carry parity. Versioning, object lock
 * and lifecycle rules all need the erasure-coded backend.
 */
export const ERASURE_SET_SIZES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] as const;

/**
 * The erasure-set size MinIO picks for `servers` x `drivesPerServer` drives, or `undefined` when MinIO
 * refuses to start. Mirrors `getSetIndexes`: the set size divides the drive count and is symmetric with the
 * first ellipsis of the command line (servers when there are several, else drives).
 */
export function erasureSetSize(servers: number, drivesPerServer: number): number | undefined {
    const total = servers * drivesPerServer;
    const first = servers > 1 ? servers : drivesPerServer;
    const sizes = ERASURE_SET_SIZES.filter((s) => total % s === 0 && (first > s ? first % s === 0 : s % first === 0));
    // MinIO prefers the fewest sets: the largest size that qualifies.
    return sizes.length > 0 ? sizes[sizes.length - 1] : undefined;
}

/** The arguments with every default applied: what the component builds from. */
export interface MinioSettings {
    readonly namespace: string;
    readonly zones: string[];
    readonly modelsZone: string;
    readonly servers: number;
    readonly drivesPerServer: number;
    readonly volumeSizeGiB: number;
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly image: string;
    readonly clientImage: string;
    readonly clientNamespaces: string[];
    readonly pipelines: MinioPipelineAccess[];
    readonly pipelineTrigger?: MinioPipelineTrigger;
    readonly tags: Readonly<Record<string, string>>;
}

export function minioSettings(args: MinioDataLakeArgs): MinioSettings {
    return {
        namespace: args.namespace,
        zones: args.zones,
        modelsZone: args.modelsZone ?? "models",
        servers: args.servers ?? 1,
        drivesPerServer: args.drivesPerServer ?? 4,
        volumeSizeGiB: args.volumeSizeGiB ?? 10,
        noncurrentVersionRetentionDays: args.noncurrentVersionRetentionDays ?? 30,
        abortIncompleteUploadDays: args.abortIncompleteUploadDays ?? 7,
        image: args.image ?? DEFAULT_MINIO_IMAGE,
        clientImage: args.clientImage ?? DEFAULT_MC_IMAGE,
        clientNamespaces: args.clientNamespaces ?? [],
        pipelines: args.pipelines ?? [],
        pipelineTrigger: args.pipelineTrigger,
        tags: args.tags ?? {},
    };
}

function wholeNumber(path: string, value: number, min: number, max?: number): ProblemDetail[] {
    if (Number.isInteger(value) && value >= min && (max === undefined || value <= max)) return [];
    return [{ path, value, message: `must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}` }];
}

/** Path of the layout problem: the two arguments together decide it. */
export const ERASURE_LAYOUT_PATH = "servers x drivesPerServer";

/** Every problem with the arguments, so one error lists them all. */
export function validateMinioDataLake(args: MinioDataLakeArgs): ProblemDetail[] {
    const s = minioSettings(args);
    const problems: ProblemDetail[] = [
        ...validateNamespaceName("namespace", s.namespace),
        ...s.clientNamespaces.flatMap((n, i) => validateNamespaceName(`clientNamespaces[${i}]`, n)),
    ];
    if (s.zones.length === 0)
        problems.push({
            path: "zones",
            value: s.zones,
            message: "must name at least one zone",
            fix: 'e.g. ["raw", "curated", "features", "models"]',
        });
    s.zones.forEach((zone, i) => {
        if (!isValidBucketName(zone))
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "is not a valid bucket name (the zone is the bucket name)",
                fix: "use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
            });
        if (s.zones.indexOf(zone) !== i) problems.push({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
    });
    if (!s.zones.includes(s.modelsZone))
        problems.push({
            path: "modelsZone",
            value: s.modelsZone,
            message: "is not one of the zones",
            allowed: s.zones,
            fix: "add the zone to `zones`, or name the zone that holds models",
        });
    problems.push(
        ...wholeNumber("servers", s.servers, 1, 32),
        ...wholeNumber("drivesPerServer", s.drivesPerServer, 1, 16),
        ...wholeNumber("volumeSizeGiB", s.volumeSizeGiB, 1),
        ...wholeNumber("noncurrentVersionRetentionDays", s.noncurrentVersionRetentionDays, 1),
        ...wholeNumber("abortIncompleteUploadDays", s.abortIncompleteUploadDays, 1),
    );
    if (Number.isInteger(s.servers) && Number.isInteger(s.drivesPerServer) && erasureSetSize(s.servers, s.drivesPerServer) === undefined) {
        problems.push({
            path: ERASURE_LAYOUT_PATH,
            value: `${s.servers} x ${s.drivesPerServer}`,
            message:
                "does not give MinIO an erasure-coded layout (versioning needs erasure coding: at least 2 drives, split into equal sets of 2 to 16 drives)",
            fix: "use e.g. 1 x 4 (one server, four drives) or 4 x 1",
        });
    }
    for (const [path, image, example] of [
        ["image", s.image, DEFAULT_MINIO_IMAGE],
        ["clientImage", s.clientImage, DEFAULT_MC_IMAGE],
    ]) {
        if (!isPinnedImage(image))
            problems.push({
                path,
                value: image,
                message: "is not pinned to a tag or digest (CKV_K8S_14)",
                fix: `use a release tag such as ${example}`,
            });
    }
    problems.push(...validateLabels(s.tags));
    problems.push(...validatePipelineAccess(s));
    return problems;
}

/** A prefix: folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`; or empty (the whole zone). */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*$/;
/** A prefix of a model identity: as PREFIX, folders may also start with `_` (`iris/_capture/`). */
const MODEL_PREFIX = /^([a-z0-9_][a-z0-9._-]*\/)*$/;
const TRIGGER_ENDPOINT = /^http:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:\d{1,5}\/[A-Za-z0-9._~/-]*$/;

function validatePipelineAccess(s: MinioSettings): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    s.pipelines.forEach((p, i) => {
        const at = `pipelines[${i}]`;
        if (!WORKLOAD_NAME.test(p.name))
            problems.push({
                path: `${at}.name`,
                value: p.name,
                message: "is not 1-24 lowercase letters, digits or hyphens, starting with a letter",
            });
        else if (s.pipelines.findIndex((q) => q.name === p.name) !== i)
            problems.push({ path: `${at}.name`, value: p.name, message: "is used by another pipeline" });
        for (const side of ["source", "target"] as const) {
            const loc = p[side];
            if (!s.zones.includes(loc.zone))
                problems.push({ path: `${at}.${side}.zone`, value: loc.zone, message: "is not one of the zones", allowed: s.zones });
            // A model identity's prefixes include the loop's `_capture/` and `_drift/` folders.
            const pattern = p.modelAccess ? MODEL_PREFIX : PREFIX;
            if (!pattern.test(loc.prefix) || loc.prefix.split("/").some((seg) => seg === "." || seg === ".."))
                problems.push({
                    path: `${at}.${side}.prefix`,
                    value: loc.prefix,
                    message: "is not folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`",
                    fix: "write e.g. `iris/`",
                });
        }
        if (p.target.zone === s.modelsZone && !p.modelAccess)
            problems.push({
                path: `${at}.target.zone`,
                value: p.target.zone,
                message: "is the models zone, which only MLflow writes",
                fix: "write to curated or features",
            });
        if (p.modelAccess && (p.target.zone !== s.modelsZone || p.target.prefix === ""))
            problems.push({
                path: `${at}.target`,
                value: `${p.target.zone}/${p.target.prefix}`,
                message: "must be a model's prefix in the models zone (a model identity writes nothing else)",
            });
    });
    const arrivals = s.pipelines.filter((p) => p.onArrival);
    if (arrivals.length > 0 && !s.pipelineTrigger)
        problems.push({
            path: "pipelineTrigger",
            value: undefined,
            message: `is required: ${arrivals.map((p) => p.name).join(", ")} run on arrival, and MinIO needs a webhook to notify`,
            fix: "pass the trigger's endpoint, namespace and port (KubernetesDataPipelines builds the trigger)",
        });
    const t = s.pipelineTrigger;
    if (t) {
        if (!TRIGGER_ENDPOINT.test(t.endpoint))
            problems.push({
                path: "pipelineTrigger.endpoint",
                value: t.endpoint,
                message: "is not an in-cluster http URL with a host, port and path",
                fix: "write e.g. http://pipeline-trigger.mlops-dev-pipelines.svc.cluster.local:8080/events",
            });
        problems.push(...validateNamespaceName("pipelineTrigger.namespace", t.namespace));
        problems.push(...wholeNumber("pipelineTrigger.port", t.port, 1, 65535));
    }
    return problems;
}
