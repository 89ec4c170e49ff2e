/**
 * Pure pieces of the MinIO data lake's workloads: the `minio server` command line, the bucket lifecycle
 * and policy documents and the `mc` setup script, with the names and ports they share. No SDK is loaded
 * here, so all of it is unit-tested without Pulumi. Arguments and their validation: ./kubernetes-args.ts.
 */

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
