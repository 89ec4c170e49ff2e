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
/** Where the pipeline users' secret keys (one file per pipeline) are mounted in the setup Job. */
export const PIPELINE_KEYS_DIR = "/etc/minio/pipelines";
/** Where the pipeline users' policy documents (the policies ConfigMap) are mounted in the setup Job. */
export const PIPELINE_POLICIES_DIR = "/etc/minio/policies";
/** Where the notification settings file (MINIO_CONFIG_ENV_FILE, it holds the webhook's token) is mounted. */
export const NOTIFY_DIR = "/etc/minio/notify";
/** Key of the notification Secret: an env file MinIO reads at start (MINIO_CONFIG_ENV_FILE). */
export const NOTIFY_ENV_KEY = "config.env";
/** MinIO's ID of the pipelines webhook target (`MINIO_NOTIFY_WEBHOOK_*_PIPELINES`), part of its ARN. */
export const NOTIFY_TARGET_ID = "PIPELINES";
/** The ARN bucket notifications name the webhook by. */
export const NOTIFY_ARN = `arn:minio:sqs::${NOTIFY_TARGET_ID}:webhook`;
/** Undelivered events wait here (on the server's scratch volume) and are retried; lost if the pod is deleted. */
export const NOTIFY_QUEUE_DIR = "/tmp/notify-queue";
/** At most this many undelivered events are kept. */
export const NOTIFY_QUEUE_LIMIT = 10000;
/** Label put on the ConfigMap of pipeline policy documents (the policy pack reads them). */
export const PIPELINE_POLICIES_LABEL = "mlops.dev/minio-policies";

/** MinIO user (access key) of one pipeline. */
export function pipelineUser(pipeline: string): string {
    return `pipeline-${pipeline}`;
}

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

/** `prefix*` as a policy pattern: the prefix itself and everything under it (`*` alone for the whole zone). */
const under = (prefix: string) => `${prefix}*`;

/**
 * One pipeline's MinIO policy: list and read its source prefix; list, read and write its target prefix.
 * Listing is limited to the prefix by the `s3:prefix` condition; reads name object versions (the audit
 * record pins each input's version). No delete, no other bucket, no admin.
 */
export function pipelinePolicyJson(access: { source: { zone: string; prefix: string }; target: { zone: string; prefix: string } }): string {
    const list = (zone: string, prefix: string) => ({
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${zone}`],
        Condition: { StringLike: { "s3:prefix": [under(prefix)] } },
    });
    const { source, target } = access;
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            list(source.zone, source.prefix),
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion"],
                Resource: [`arn:aws:s3:::${source.zone}/${under(source.prefix)}`],
            },
            list(target.zone, target.prefix),
            {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                Resource: [`arn:aws:s3:::${target.zone}/${under(target.prefix)}`],
            },
        ],
    });
}

/**
 * The bucket notification rules: per bucket, the source prefixes of on-arrival pipelines, minus those
 * inside another one (MinIO refuses overlapping rules for one target; the trigger routes by prefix).
 */
export function notificationRules(pipelines: readonly { source: { zone: string; prefix: string }; onArrival?: boolean }[]): {
    zone: string;
    prefix: string;
}[] {
    const sources = pipelines.filter((p) => p.onArrival).map((p) => p.source);
    const rules: { zone: string; prefix: string }[] = [];
    for (const s of sources) {
        const covered = sources.some((o) => o.zone === s.zone && o.prefix !== s.prefix && s.prefix.startsWith(o.prefix));
        if (!covered && !rules.some((r) => r.zone === s.zone && r.prefix === s.prefix)) rules.push({ zone: s.zone, prefix: s.prefix });
    }
    return rules;
}

/** Server environment for the pipelines webhook (the token comes from the MINIO_CONFIG_ENV_FILE file). */
export function notifyServerEnv(endpoint: string): { name: string; value: string }[] {
    return [
        { name: `MINIO_NOTIFY_WEBHOOK_ENABLE_${NOTIFY_TARGET_ID}`, value: "on" },
        { name: `MINIO_NOTIFY_WEBHOOK_ENDPOINT_${NOTIFY_TARGET_ID}`, value: endpoint },
        { name: `MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_${NOTIFY_TARGET_ID}`, value: NOTIFY_QUEUE_DIR },
        { name: `MINIO_NOTIFY_WEBHOOK_QUEUE_LIMIT_${NOTIFY_TARGET_ID}`, value: String(NOTIFY_QUEUE_LIMIT) },
        { name: "MINIO_CONFIG_ENV_FILE", value: `${NOTIFY_DIR}/${NOTIFY_ENV_KEY}` },
    ];
}

/** Contents of the env file that carries the webhook's shared token. */
export function notifyEnvFile(token: string): string {
    return `MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_${NOTIFY_TARGET_ID}=${token}\n`;
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
    /** Pipelines whose users (and notification rules) the Job sets up. @default [] */
    pipelines?: readonly { name: string; source: { zone: string; prefix: string }; onArrival?: boolean }[];
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
    for (const p of o.pipelines ?? []) {
        const user = pipelineUser(p.name);
        lines.push(
            `mc admin policy create lake ${user} ${PIPELINE_POLICIES_DIR}/${user}.json`,
            `mc admin user add lake ${user} "$(cat ${PIPELINE_KEYS_DIR}/${p.name})"`,
            `mc admin policy detach lake ${user} --user ${user} >/dev/null 2>&1 || true`,
            `mc admin policy attach lake ${user} --user ${user}`,
        );
    }
    const rules = notificationRules(o.pipelines ?? []);
    // The setup owns the notification rules of the buckets it notifies on: remove them, then add the current ones.
    for (const zone of [...new Set(rules.map((r) => r.zone))]) lines.push(`mc event rm lake/${zone} --force >/dev/null 2>&1 || true`);
    for (const r of rules)
        lines.push(`mc event add lake/${r.zone} ${NOTIFY_ARN} --event put${r.prefix ? ` --prefix ${sq(r.prefix)}` : ""}`);
    return lines.join("\n") + "\n";
}
