/**
 * Pure pieces of the MinIO data lake: images, erasure-set sizing, bucket naming, argument validation,
 * the `minio server` command line and the `mc` setup script. No SDK is loaded here, so all of it is
 * unit-tested without Pulumi.
 */
import { Problems } from "../shared/problems";
import { DNS_LABEL } from "../shared/naming";
import { labelProblems } from "../shared/labels";
import { isPinnedImage } from "../shared/kubernetes-pods";

/**
 * The last MinIO server release published to quay.io. MinIO stopped publishing community images in
 * October 2025 (RELEASE.2025-10-15T17-29-55Z was source-only) and removed the Docker Hub repositories in
 * September 2026; quay.io still serves the archived images (suitenumerique/drive#832, makeplane/plane#9829).
 */
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
/** The last `mc` release on quay.io (suitenumerique/drive#832, slothflowlabs/duckle#347). */
export const DEFAULT_MC_IMAGE = "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z";

export const S3_PORT = 9000;
/** Name of the static KMS key; it is stored with every object, so it must never change. */
export const KMS_KEY_NAME = "mlops-data-lake";
/** MinIO's root user; the password is generated. */
export const ROOT_USER = "lake-root";
/** The MinIO user MLflow uses (its access key); the secret key is generated. */
export const MLFLOW_USER = "mlflow";
/** Where the credentials Secret is mounted in every pod. */
export const SECRETS_DIR = "/etc/minio/secrets";
/** Keys of the credentials Secret. */
export const SECRET_KEYS = {
    rootUser: "root-user",
    rootPassword: "root-password",
    kmsKey: "kms-secret-key",
    mlflowSecretKey: "mlflow-secret-key",
} as const;

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

/**
 * S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), minus
 * dots so virtual-host style requests stay valid under TLS.
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
export function isValidBucketName(name: string): boolean {
    return BUCKET_NAME.test(name) && !name.startsWith("xn--") && !name.endsWith("-s3alias") && !name.includes("--");
}

/** The arguments the validator needs, with defaults already applied. */
export interface MinioSettings {
    readonly namespace: string;
    readonly zones: readonly string[];
    readonly modelsZone: string;
    readonly servers: number;
    readonly drivesPerServer: number;
    readonly volumeSizeGiB: number;
    readonly noncurrentVersionRetentionDays: number;
    readonly abortIncompleteUploadDays: number;
    readonly image: string;
    readonly clientImage: string;
    readonly clientNamespaces: readonly string[];
    readonly tags: Readonly<Record<string, string>>;
}

function wholeNumber(problems: Problems, path: string, value: number, min: number, max?: number): void {
    if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
        problems.add({
            path,
            value,
            message: `must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}`,
        });
    }
}

/** Every problem with the arguments, so one error lists them all. */
export function minioProblems(s: MinioSettings): Problems {
    const problems = new Problems();
    for (const [path, ns] of [["namespace", s.namespace], ...s.clientNamespaces.map((n, i) => [`clientNamespaces[${i}]`, n])]) {
        if (!DNS_LABEL.test(ns) || ns.length > 63)
            problems.add({
                path,
                value: ns,
                message: "is not a valid namespace name",
                fix: "use at most 63 lowercase letters, digits and '-'",
            });
    }
    if (s.namespace === "default")
        problems.add({
            path: "namespace",
            value: s.namespace,
            message: "must not be the default namespace (CKV_K8S_21)",
            fix: "give the data lake its own namespace, e.g. `data-lake`",
        });
    if (s.zones.length === 0)
        problems.add({
            path: "zones",
            value: s.zones,
            message: "must name at least one zone",
            fix: 'e.g. ["raw", "curated", "features", "models"]',
        });
    s.zones.forEach((zone, i) => {
        if (!isValidBucketName(zone))
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "is not a valid bucket name (the zone is the bucket name)",
                fix: "use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
            });
        if (s.zones.indexOf(zone) !== i) problems.add({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
    });
    if (!s.zones.includes(s.modelsZone))
        problems.add({
            path: "modelsZone",
            value: s.modelsZone,
            message: "is not one of the zones",
            allowed: s.zones,
            fix: "add the zone to `zones`, or name the zone that holds models",
        });
    wholeNumber(problems, "servers", s.servers, 1, 32);
    wholeNumber(problems, "drivesPerServer", s.drivesPerServer, 1, 16);
    wholeNumber(problems, "volumeSizeGiB", s.volumeSizeGiB, 1);
    wholeNumber(problems, "noncurrentVersionRetentionDays", s.noncurrentVersionRetentionDays, 1);
    wholeNumber(problems, "abortIncompleteUploadDays", s.abortIncompleteUploadDays, 1);
    if (Number.isInteger(s.servers) && Number.isInteger(s.drivesPerServer) && erasureSetSize(s.servers, s.drivesPerServer) === undefined) {
        problems.add({
            path: "servers x drivesPerServer",
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
            problems.add({
                path,
                value: image,
                message: "is not pinned to a tag or digest (CKV_K8S_14)",
                fix: `use a release tag such as ${example}`,
            });
    }
    labelProblems(s.tags, problems);
    return problems;
}

/** Where a server's drives live and how servers reach each other: the `minio server` arguments. */
export function minioServerArgs(o: {
    servers: number;
    drivesPerServer: number;
    statefulSetName: string;
    headlessServiceName: string;
    namespace: string;
}): string[] {
    const drives = o.drivesPerServer > 1 ? `/data{0...${o.drivesPerServer - 1}}` : "/data0";
    const endpoint =
        o.servers > 1
            ? `http://${o.statefulSetName}-{0...${o.servers - 1}}.${o.headlessServiceName}.${o.namespace}.svc.cluster.local:${S3_PORT}${drives}`
            : drives;
    return ["server", "--address", `:${S3_PORT}`, endpoint];
}

/**
 * One lifecycle rule per bucket, imported whole so re-running the setup replaces rather than appends.
 * MinIO has no AbortIncompleteMultipartUpload rule (it strips it: minio/minio#19115); the server removes
 * stale uploads itself after MINIO_API_STALE_UPLOADS_EXPIRY, which the StatefulSet sets instead.
 */
export function lifecycleJson(noncurrentVersionRetentionDays: number): string {
    return JSON.stringify({
        Rules: [
            {
                ID: "expire-noncurrent-versions",
                Status: "Enabled",
                Filter: { Prefix: "" },
                NoncurrentVersionExpiration: { NoncurrentDays: noncurrentVersionRetentionDays },
            },
        ],
    });
}

/**
 * Read/write on one bucket and nothing else. No s3:DeleteObjectVersion: a client can only add delete
 * markers, so versioning keeps every object it overwrites or deletes.
 */
export function bucketPolicyJson(bucket: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"],
                Resource: [`arn:aws:s3:::${bucket}`],
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                Resource: [`arn:aws:s3:::${bucket}/*`],
            },
        ],
    });
}

/** Single-quotes a string for POSIX sh. */
function sq(value: string): string {
    return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The idempotent `mc` script the setup Job runs: wait for quorum, then per zone create the bucket, turn
 * on versioning, SSE-S3 default encryption and the lifecycle rule; then the least-privilege MLflow user.
 * Credentials are read from the mounted Secret at run time, never written into the pod spec.
 */
export function setupScript(o: {
    host: string;
    zones: readonly string[];
    modelsZone: string;
    noncurrentVersionRetentionDays: number;
}): string {
    const file = (key: string) => `"$(cat ${SECRETS_DIR}/${key})"`;
    const policy = `${MLFLOW_USER}-${o.modelsZone}-rw`;
    const lines = [
        "set -eu",
        // MC_HOST_<alias> keeps the root password out of argv and out of an mc config file.
        `export MC_HOST_lake="http://$(cat ${SECRETS_DIR}/${SECRET_KEYS.rootUser}):$(cat ${SECRETS_DIR}/${SECRET_KEYS.rootPassword})@${o.host}:${S3_PORT}"`,
        "mc ready lake",
    ];
    for (const zone of o.zones) {
        lines.push(
            `mc mb --ignore-existing lake/${zone}`,
            `mc version enable lake/${zone}`,
            `mc encrypt set sse-s3 lake/${zone}`,
            `printf '%s' ${sq(lifecycleJson(o.noncurrentVersionRetentionDays))} | mc ilm rule import lake/${zone}`,
        );
    }
    lines.push(
        `printf '%s' ${sq(bucketPolicyJson(o.modelsZone))} > /tmp/${policy}.json`,
        `mc admin policy create lake ${policy} /tmp/${policy}.json`,
        // mc takes the secret key only as an argument; it is visible to this container's processes alone.
        `mc admin user add lake ${MLFLOW_USER} ${file(SECRET_KEYS.mlflowSecretKey)}`,
        // attach fails when the policy is already attached; detach first so re-runs converge.
        `mc admin policy detach lake ${policy} --user ${MLFLOW_USER} >/dev/null 2>&1 || true`,
        `mc admin policy attach lake ${policy} --user ${MLFLOW_USER}`,
    );
    return lines.join("\n") + "\n";
}
