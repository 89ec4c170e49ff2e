/**
 * Data pipelines on Kubernetes: each pipeline's MinIO identity is scoped to its prefixes, what pipelines
 * write lands encrypted (MinIO's KMS key), and pipeline CronJobs are bounded (no overlapping runs, a
 * deadline, a retry limit). This target has no streams or queues, and container logs stay on the nodes
 * (docs/kubernetes.md, "Data pipelines").
 */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, fields, list, parseJson, records } from "../lib/read";
import { containersOf, K8S, podSpec } from "./types";

/** Label of the ConfigMap holding the pipeline users' MinIO policies (components/data-lake/kubernetes-minio.ts). */
const POLICIES_LABEL = "mlops.dev/minio-policies";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
/** Actions a pipeline never needs: deleting, versions' removal, bucket and admin changes. */
const FORBIDDEN_ACTION =
    /^(\*|s3:\*|admin:.*|s3:Delete.*|s3:PutBucket.*|s3:PutLifecycleConfiguration|s3:PutBucketPolicy|s3:PutObjectRetention)$/;

/** Problems of one MinIO (IAM-style) policy document. */
function policyProblems(file: string, document: unknown): string[] {
    const parsed = parseJson(document);
    if (!parsed.ok) return [`${file} is not a JSON policy document`];
    const problems: string[] = [];
    records(at(parsed.value, "Statement")).forEach((s, i) => {
        const actions = list(s.Action).map(String);
        const resources = list(s.Resource).map(String);
        const where = `${file} statement ${i}`;
        for (const a of actions) if (FORBIDDEN_ACTION.test(a) || a.includes("*")) problems.push(`${where} allows ${a}`);
        for (const r of resources) {
            const match = /^arn:aws:s3:::([^/]*)(?:\/(.*))?$/.exec(r);
            if (!match || match[1].includes("*")) problems.push(`${where} names ${r}, not one bucket`);
            else if (match[2] !== undefined && (match[2] === "*" || match[2] === "" || match[2].indexOf("*") < match[2].length - 1))
                problems.push(`${where} covers every object of bucket ${match[1]} (${r}), not a prefix`);
        }
        if (actions.includes("s3:ListBucket")) {
            const prefixes = list(at(s, ["Condition", "StringLike", "s3:prefix"])).map(String);
            if (prefixes.length === 0 || prefixes.some((p) => p === "*" || p === ""))
                problems.push(`${where} lists a whole bucket (s3:ListBucket without an s3:prefix condition on a prefix)`);
        }
    });
    return problems;
}

export const pipelineIdentityScoped = resourceRule({
    name: "k8s-pipeline-identity-scoped",
    description:
        "Each data pipeline's MinIO identity reaches only its prefixes: no wildcard actions, no delete or admin actions, no whole-bucket object or list access.",
    severity: "high",
    remediation:
        "give each pipeline a source and target prefix (mlops:pipelines.jobs[].source/target, e.g. raw/iris/); its MinIO policy comes from pipelinePolicyJson() in components/data-lake/kubernetes-minio.ts",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [CONFIG_MAP],
    check: (r) => {
        if (at(r.props, ["metadata", "labels", POLICIES_LABEL]) !== "true") return [];
        return Object.entries(fields(r.props.data)).flatMap(([file, doc]) => policyProblems(file, doc));
    },
});

/** MinIO settings that give it a KMS key for SSE-S3 default encryption. */
const KMS_ENV = ["MINIO_KMS_SECRET_KEY_FILE", "MINIO_KMS_SECRET_KEY", "MINIO_KMS_KES_ENDPOINT", "MINIO_KMS_SERVER"];

export const pipelineLakeEncrypted = resourceRule({
    name: "k8s-pipeline-lake-encrypted",
    description:
        "The MinIO servers pipelines write to have a KMS key (SSE-S3 default encryption), so every object a pipeline writes is encrypted at rest.",
    severity: "high",
    remediation:
        "set MINIO_KMS_SECRET_KEY_FILE (or a KES endpoint) on the MinIO StatefulSet, as MinioDataLake in components/data-lake/kubernetes.ts does",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [K8S.statefulSet],
    check: (r) =>
        containersOf(podSpec(r.type, r.props))
            .filter((c) => typeof c.spec.image === "string" && /(^|\/)minio(:|@|$)/.test(c.spec.image))
            .filter((c) => !records(c.spec.env).some((e) => KMS_ENV.includes(String(e.name))))
            .map((c) => `MinIO container ${c.spec.name} has no KMS key (${KMS_ENV[0]}): objects are stored unencrypted`),
});

export const pipelineCronJobBounded = resourceRule({
    name: "k8s-pipeline-cronjob-bounded",
    description:
        "CronJobs never overlap runs (concurrencyPolicy Forbid) and bound each run (activeDeadlineSeconds and backoffLimit), so a stuck or failing job cannot pile up.",
    severity: "medium",
    remediation:
        "set concurrencyPolicy: Forbid, jobTemplate.spec.activeDeadlineSeconds and backoffLimit (mlops:pipelines.jobs[].timeoutMinutes and retries; components/data-pipeline/kubernetes.ts)",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "reliability",
    enforcement: "prod",
    types: [K8S.cronJob],
    check: (r) => {
        const problems: string[] = [];
        const policy = at(r.props, "spec.concurrencyPolicy");
        if (policy !== "Forbid")
            problems.push(`concurrencyPolicy is ${policy === undefined ? "unset (Allow)" : String(policy)}, not Forbid`);
        if (typeof at(r.props, "spec.jobTemplate.spec.activeDeadlineSeconds") !== "number")
            problems.push("jobTemplate.spec.activeDeadlineSeconds is not set: a stuck run never ends");
        if (typeof at(r.props, "spec.jobTemplate.spec.backoffLimit") !== "number")
            problems.push("jobTemplate.spec.backoffLimit is not set (Kubernetes retries 6 times)");
        return problems;
    },
});

/** The Helm release type; the Airflow chart is recognised by its name. */
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
/** Chart values that hold a key or password as a literal (the Secret-name variants are the safe ones). */
const LITERAL_SECRETS = ["fernetKey", "webserverSecretKey", "apiSecretKey", "postgresql.auth.postgresPassword", "postgresql.auth.password"];

export const airflowPrivate = resourceRule({
    name: "k8s-airflow-private",
    description:
        "An Apache Airflow Helm release keeps its web server private (a ClusterIP Service, no ingress), creates no default admin user, and takes its keys from Secrets, not literal values.",
    severity: "high",
    remediation:
        "set webserver.service.type (and apiServer.service.type) ClusterIP, ingress.web.enabled false, webserver.defaultUser.enabled false, and fernetKeySecretName / webserverSecretKeySecretName instead of the keys (KubernetesAirflow in components/data-pipeline/kubernetes.ts)",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: [HELM_RELEASE],
    check: (r) => {
        if (at(r.props, "chart") !== "airflow") return [];
        const values = r.props.values;
        const problems: string[] = [];
        for (const part of ["webserver", "apiServer"]) {
            const type = at(values, `${part}.service.type`);
            if (type !== undefined && type !== "ClusterIP")
                problems.push(`${part}.service.type is ${String(type)}: the UI is reachable from outside the cluster`);
        }
        for (const ingress of ["ingress.web.enabled", "ingress.apiServer.enabled", "ingress.enabled"])
            if (at(values, ingress) === true) problems.push(`${ingress} is true: the UI is published through an ingress`);
        if (at(values, "webserver.defaultUser.enabled") !== false)
            problems.push("webserver.defaultUser.enabled is not false: the chart creates the admin user admin/admin");
        for (const key of LITERAL_SECRETS)
            if (typeof at(values, key) === "string" && at(values, key) !== "")
                problems.push(`${key} is a literal value: take it from a Secret`);
        return problems;
    },
});

export const pipelineRules: readonly MlopsPolicy[] = [
    pipelineIdentityScoped,
    pipelineLakeEncrypted,
    pipelineCronJobBounded,
    airflowPrivate,
];
