/**
 * Data pipelines (Cloud Run jobs, Workflows, Pub/Sub): encrypted with the platform keys, identities scoped to
 * their prefixes; the Airflow orchestrator (Cloud Composer): CMEK, its own account, web server not open to
 * the internet, a Private IP environment in prod.
 */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, fields, peek, records, UNKNOWN } from "../lib/read";
import { GCP } from "./types";

const PIPELINES = "components/data-pipeline/gcp.ts";

/** Where each kind keeps its customer-managed key. */
const KEY_PATH: Readonly<Record<string, string>> = {
    [GCP.topic]: "kmsKeyName",
    [GCP.runJob]: "template.template.encryptionKey",
    [GCP.workflow]: "cryptoKeyName",
};

export const pipelineEncrypted = resourceRule({
    name: "gcp-pipeline-cmek",
    description: "Pub/Sub topics (streams, dead-letter topics), Cloud Run jobs and workflows are encrypted with a customer-managed key.",
    severity: "high",
    remediation: `pass the stack's pipelines key as kmsKeyName to CloudRunPipelines and PubSubStreams (${PIPELINES})`,
    mirrors: ["CKV_GCP_83", CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.topic, GCP.runJob, GCP.workflow],
    check: (r) => {
        const path = KEY_PATH[r.type];
        const key = at(r.props, path);
        return typeof key === "string" && key.length > 0 ? [] : [`${path} is not set (Google-managed encryption)`];
    },
});

/** Object roles that reach every object of a bucket unless a condition narrows them. */
const OBJECT_ROLES = ["roles/storage.objectViewer", "roles/storage.objectCreator", "roles/storage.legacyObjectReader"];
/** Roles a pipeline identity never needs on a bucket: they delete, overwrite or administer. */
const BROAD_ROLES = [
    "roles/storage.admin",
    "roles/storage.objectAdmin",
    "roles/storage.objectUser",
    "roles/storage.legacyBucketWriter",
    "roles/storage.legacyBucketOwner",
];

export const pipelineIdentityScoped = stackRule({
    name: "gcp-pipeline-identity-scoped",
    description:
        "A Cloud Run job's service account has no wildcard data access: object roles on a lake bucket carry a prefix condition, and no admin, delete or overwrite role is granted (its own files bucket excepted).",
    severity: "high",
    remediation: `grant the job's account objectViewer on its source prefix and objectViewer + objectCreator on its target prefix with resource.name.startsWith conditions (${PIPELINES})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.runJob],
    validate: ({ view, report }) => {
        const accounts = new Set<string>();
        for (const job of view.ofType([GCP.runJob])) {
            const email = peek(job.props, "template.template.serviceAccount");
            if (typeof email === "string") accounts.add(`serviceAccount:${email}`);
        }
        for (const grant of view.ofType([GCP.bucketIamMember, GCP.bucketIamBinding])) {
            const role = peek(grant.props, "role");
            const member = peek(grant.props, "member");
            const members = peek(grant.props, "members");
            const whose = [member, ...(Array.isArray(members) ? members : [])].filter(
                (m): m is string => typeof m === "string" && accounts.has(m),
            );
            if (whose.length === 0 || role === UNKNOWN || typeof role !== "string") continue;
            if (BROAD_ROLES.includes(role)) {
                report(grant, `grants ${role} to the pipeline identity ${whose[0]}`);
                continue;
            }
            if (!OBJECT_ROLES.includes(role)) continue;
            const condition = peek(grant.props, "condition.expression");
            if (condition === UNKNOWN) continue;
            const ownFiles = view
                .sources(grant, "bucket", [GCP.bucket])
                .some((b) => fields(peek(b.props, "labels"))["mlops-pipeline"] !== undefined);
            if (ownFiles) continue;
            if (
                typeof condition !== "string" ||
                !/resource\.name\.startsWith\("projects\/_\/buckets\/[^"]+\/objects\/[^"]+"\)/.test(condition)
            )
                report(grant, `grants ${role} on the whole bucket to the pipeline identity ${whose[0]} (no object prefix condition)`);
        }
    },
});

/** Cloud Composer environments (not in ./types: that file lists the types the other GCP rules read). */
export const COMPOSER_ENVIRONMENT = "gcp:composer/environment:Environment";
const COMPOSER = "components/data-pipeline/gcp.ts (CloudComposer)";
/** The Compute Engine default account, which Composer uses when no account is given (it usually holds Editor). */
const DEFAULT_COMPUTE_ACCOUNT = /-compute@developer\.gserviceaccount\.com$/;

export const composerSecured = resourceRule({
    name: "gcp-composer-secured",
    description:
        "Cloud Composer environments are encrypted with a customer-managed key, run as their own service account (not the Compute Engine default), and keep the Airflow web server closed to the internet.",
    severity: "high",
    remediation: `create the environment with CloudComposer (${COMPOSER}): encryptionConfig.kmsKeyName, nodeConfig.serviceAccount and webServerNetworkAccessControl without 0.0.0.0/0`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [COMPOSER_ENVIRONMENT],
    check: (r) => {
        const problems: string[] = [];
        const key = at(r.props, "config.encryptionConfig.kmsKeyName");
        if (typeof key !== "string" || key.length === 0)
            problems.push("config.encryptionConfig.kmsKeyName is not set (Google-managed encryption)");
        const account = at(r.props, "config.nodeConfig.serviceAccount");
        if (typeof account !== "string" || account.length === 0 || DEFAULT_COMPUTE_ACCOUNT.test(account))
            problems.push("config.nodeConfig.serviceAccount is not a dedicated account (the Compute Engine default account is used)");
        const access = at(r.props, "config.webServerNetworkAccessControl");
        if (access === undefined || access === null)
            problems.push("config.webServerNetworkAccessControl is not set (the web server accepts every address)");
        else {
            const open = records(fields(access).allowedIpRanges).filter((range) => range.value === "0.0.0.0/0" || range.value === "::/0");
            if (open.length > 0) problems.push(`config.webServerNetworkAccessControl allows ${String(open[0].value)}`);
        }
        return problems;
    },
});

export const composerPrivate = resourceRule({
    name: "gcp-composer-private-ip",
    description: "In production, Cloud Composer environments are Private IP environments whose cluster has no public endpoint.",
    severity: "high",
    remediation: `run prod with the platform network (mlops:mlPlatform.gcp.workbench); CloudComposer then sets privateEnvironmentConfig.enablePrivateEndpoint (${COMPOSER})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "prod",
    types: [COMPOSER_ENVIRONMENT],
    check: (r) =>
        at(r.props, "config.privateEnvironmentConfig.enablePrivateEndpoint") === true
            ? []
            : ["config.privateEnvironmentConfig.enablePrivateEndpoint is not true (a public IP environment)"],
});

export const pipelineRules: readonly MlopsPolicy[] = [pipelineEncrypted, pipelineIdentityScoped, composerSecured, composerPrivate];
