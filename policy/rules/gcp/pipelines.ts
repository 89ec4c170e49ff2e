/** Data pipelines (Cloud Run jobs, Workflows, Pub/Sub): encrypted with the platform keys, identities scoped to their prefixes. */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, fields, peek, UNKNOWN } from "../lib/read";
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

export const pipelineRules: readonly MlopsPolicy[] = [pipelineEncrypted, pipelineIdentityScoped];
