/** Cloud Storage buckets of the lake, BigQuery datasets and tables. */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, oneOf, peek, records } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { publicGrants } from "./members";
import { GCP } from "./types";

const LAKE = "components/data-lake/gcp.ts";

export const uniformAccess = resourceRule({
    name: "gcp-storage-uniform-access",
    description: "Buckets use uniform bucket-level access (IAM only, no object ACLs).",
    severity: "high",
    remediation: `set uniformBucketLevelAccess: true on the gcp.storage.Bucket (${LAKE})`,
    mirrors: ["CKV_GCP_29", "AVD-GCP-0002", "CIS-GCP3 5.2"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.bucket],
    check: (r) => (r.props.uniformBucketLevelAccess === true ? [] : ["uniformBucketLevelAccess is not true"]),
});

export const publicAccessPrevention = resourceRule({
    name: "gcp-storage-public-access-prevention",
    description: "Buckets enforce public access prevention.",
    severity: "critical",
    remediation: `set publicAccessPrevention: enforced on the gcp.storage.Bucket (${LAKE})`,
    mirrors: ["CKV_GCP_114"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.bucket],
    check: (r) =>
        r.props.publicAccessPrevention === "enforced"
            ? []
            : [`publicAccessPrevention is ${r.props.publicAccessPrevention ?? "inherited (default)"}, not enforced`],
});

export const bucketNotPublic = resourceRule({
    name: "gcp-storage-not-public",
    description: "Bucket IAM grants nothing to allUsers or allAuthenticatedUsers.",
    severity: "critical",
    remediation: `grant bucket roles to named service accounts or groups only, as the lake does (${LAKE})`,
    mirrors: ["CKV_GCP_28", "AVD-GCP-0001", "CIS-GCP3 5.1"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.bucketIamMember, GCP.bucketIamBinding],
    check: (r) => publicGrants(r.props),
});

export const bucketVersioning = resourceRule({
    name: "gcp-storage-versioning",
    description: "Buckets keep noncurrent object versions (versioning.enabled).",
    severity: "high",
    remediation: `set versioning: { enabled: true } on the gcp.storage.Bucket; noncurrent versions expire after mlops:dataLake.noncurrentVersionRetentionDays (${LAKE})`,
    mirrors: ["CKV_GCP_78", "AVD-GCP-0078"],
    clouds: ["gcp"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [GCP.bucket],
    check: (r) => (at(r.props, "versioning.enabled") === true ? [] : ["versioning.enabled is not true"]),
});

export const bucketSoftDelete = resourceRule({
    name: "gcp-storage-soft-delete",
    description: "Buckets keep soft delete on (a retention of 0 seconds turns it off).",
    severity: "medium",
    remediation: `set mlops:dataLake.gcp.softDeleteRetentionDays to 7 or more (${LAKE}); 0 turns soft delete off`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [GCP.bucket],
    check: (r) =>
        at(r.props, "softDeletePolicy.retentionDurationSeconds") === 0
            ? ["softDeletePolicy.retentionDurationSeconds is 0 (soft delete off)"]
            : [],
});

export const bucketCmek = resourceRule({
    name: "gcp-storage-cmek",
    description: "Buckets encrypt with a customer-managed Cloud KMS key (encryption.defaultKmsKeyName).",
    severity: "high",
    remediation: `set encryption.defaultKmsKeyName to the stack's storage key (components/encryption/gcp.ts, ${LAKE})`,
    mirrors: ["AVD-GCP-0066"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.bucket],
    check: (r) => (at(r.props, "encryption.defaultKmsKeyName") ? [] : ["encryption.defaultKmsKeyName is not set"]),
});

/** Buckets that receive other buckets' usage logs (joined through `logging`, or by name). */
function logTargets(view: StackView): Set<string> {
    const buckets = view.ofType([GCP.bucket]);
    const targets = new Set<string>();
    for (const source of buckets) {
        const target = peek(source.props, "logging.logBucket");
        for (const b of buckets) {
            const linked = view.sources(source, "logging", [GCP.bucket]).some((d) => d.urn === b.urn);
            if (b !== source && (linked || (typeof target === "string" && target === peek(b.props, "name")))) targets.add(b.urn);
        }
    }
    return targets;
}

export const bucketAccessLogging = stackRule({
    name: "gcp-storage-access-logging",
    description: "Buckets write usage logs to another bucket (logging.logBucket, not themselves); buckets that receive logs are exempt.",
    severity: "low",
    remediation: `set logging.logBucket to the lake's log bucket (${LAKE})`,
    mirrors: ["CKV_GCP_62", "CKV_GCP_63", "AVD-GCP-0077"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "advisory",
    types: [GCP.bucket],
    validate: ({ view, report }) => {
        const targets = logTargets(view);
        for (const b of view.ofType([GCP.bucket]).filter((x) => !targets.has(x.urn))) {
            const target = peek(b.props, "logging.logBucket");
            if (target === undefined || target === null || target === "") report(b, "logging.logBucket is not set");
            else if (typeof target === "string" && target === peek(b.props, "name")) report(b, "the bucket logs to itself");
        }
    },
});

/** Dataset access entries that open it to everyone. */
function publicAccessEntries(accesses: unknown): string[] {
    return records(accesses)
        .filter((a) => oneOf(["allUsers", "allAuthenticatedUsers"], a.iamMember) || a.specialGroup === "allAuthenticatedUsers")
        .map((a) => `access entry grants ${a.role ?? "a role"} to ${a.iamMember ?? a.specialGroup}`);
}

export const datasetNotPublic = resourceRule({
    name: "gcp-bigquery-not-public",
    description: "BigQuery datasets grant nothing to allUsers or allAuthenticatedUsers (access entries or dataset IAM).",
    severity: "critical",
    remediation: `grant dataset access to project roles, groups or service accounts only (${LAKE})`,
    mirrors: ["CKV_GCP_15", "AVD-GCP-0046", "CIS-GCP3 7.1"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.dataset, GCP.datasetIamMember, GCP.datasetIamBinding, GCP.datasetAccess],
    check: (r) => {
        if (r.type === GCP.dataset) return publicAccessEntries(r.props.accesses);
        if (r.type === GCP.datasetAccess) return publicAccessEntries([r.props]);
        return publicGrants(r.props);
    },
});

export const datasetCmek = resourceRule({
    name: "gcp-bigquery-cmek",
    description: "BigQuery datasets encrypt their tables with a customer-managed key by default.",
    severity: "high",
    remediation: `set defaultEncryptionConfiguration.kmsKeyName to the stack's BigQuery key (${LAKE})`,
    mirrors: ["CKV_GCP_81", "CIS-GCP3 7.3"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.dataset],
    check: (r) =>
        at(r.props, "defaultEncryptionConfiguration.kmsKeyName") ? [] : ["defaultEncryptionConfiguration.kmsKeyName is not set"],
});

export const tableDeletionProtection = resourceRule({
    name: "gcp-bigquery-table-deletion-protection",
    description: "BigQuery tables keep deletion protection on.",
    severity: "high",
    remediation: `leave deletionProtection at its default (true) on gcp.bigquery.Table (tables of the lake's datasets, ${LAKE})`,
    mirrors: ["CKV_GCP_121"],
    clouds: ["gcp"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [GCP.table],
    check: (r) => (r.props.deletionProtection === false ? ["deletionProtection is false"] : []),
});

export const storageRules: readonly MlopsPolicy[] = [
    uniformAccess,
    publicAccessPrevention,
    bucketNotPublic,
    bucketVersioning,
    bucketSoftDelete,
    bucketCmek,
    bucketAccessLogging,
    datasetNotPublic,
    datasetCmek,
    tableDeletionProtection,
];
