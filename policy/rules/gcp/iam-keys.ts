/** Project IAM (least privilege, no impersonation, no default or keyed service accounts), Cloud KMS, and Data Access audit logs. */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { list, oneOf, records, whenKnown } from "../lib/read";
import { membersOf } from "./members";
import { GCP } from "./types";

const BASIC_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];
const IMPERSONATION_ROLES = ["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"];
/** Default service accounts Google creates with broad project roles. */
const DEFAULT_ACCOUNT = /(-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com)$/;
const PROJECT_IAM = [GCP.projectIamMember, GCP.projectIamBinding];

export const noBasicRoles = resourceRule({
    name: "gcp-iam-no-basic-roles",
    description: "Project IAM grants no basic role (Owner, Editor, Viewer) and no admin role to a service account.",
    severity: "critical",
    remediation:
        "grant the predefined roles the workload uses (the Vertex trainer gets TRAINING_PROJECT_ROLES in components/ml-platform/gcp-vertex.ts)",
    mirrors: ["CKV_GCP_117", "CKV_GCP_42", "AVD-GCP-0007", "CIS-GCP3 1.5"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: PROJECT_IAM,
    check: (r) => {
        const role = String(r.props.role ?? "");
        if (BASIC_ROLES.includes(role)) return [`grants the basic role ${role}`];
        const accounts = membersOf(r.props).filter((m) => m.startsWith("serviceAccount:"));
        return /admin/i.test(role) && accounts.length > 0 ? [`grants the admin role ${role} to ${accounts.join(", ")}`] : [];
    },
});

export const noProjectImpersonation = resourceRule({
    name: "gcp-iam-no-project-impersonation",
    description: "Service Account User and Token Creator are granted on single service accounts, never project-wide.",
    severity: "high",
    remediation:
        "grant roles/iam.serviceAccountUser on the one service account that must be attached (gcp.serviceaccount.IAMMember), not on the project; FORBIDDEN_PROJECT_ROLES in components/ml-platform/gcp-vertex.ts lists what the platform never grants",
    mirrors: ["CKV_GCP_41", "CKV_GCP_49", "AVD-GCP-0011", "CIS-GCP3 1.6"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: PROJECT_IAM,
    check: (r) => (oneOf(IMPERSONATION_ROLES, r.props.role) ? [`grants ${r.props.role} on the whole project`] : []),
});

export const noDefaultServiceAccount = resourceRule({
    name: "gcp-iam-no-default-service-account",
    description: "Project IAM grants nothing to the default Compute Engine or App Engine service accounts (workloads get their own).",
    severity: "high",
    remediation:
        "give the workload its own gcp.serviceaccount.Account and grant roles to it (every mlops workload has one: components/container-service/gcp.ts, components/ml-platform/gcp.ts)",
    mirrors: ["CKV_GCP_46", "AVD-GCP-0006"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: PROJECT_IAM,
    check: (r) =>
        membersOf(r.props)
            .filter((m) => DEFAULT_ACCOUNT.test(m))
            .map((m) => `grants ${r.props.role} to the default service account ${m}`),
});

export const noServiceAccountKeys = resourceRule({
    name: "gcp-iam-no-service-account-keys",
    description: "No user-managed service account keys (workloads authenticate as their attached service account).",
    severity: "high",
    remediation:
        "remove the gcp.serviceaccount.Key; attach the service account to the workload or use workload identity federation (the mlops components create no keys, e.g. components/ml-platform/gcp.ts)",
    mirrors: ["CKV2_GCP_3", "CIS-GCP3 1.4"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.serviceAccountKey],
    check: () => ["creates a user-managed service account key"],
});

/** Cloud KMS rotation periods are durations in seconds, e.g. "7776000s". */
const seconds = (duration: unknown): number | undefined =>
    typeof duration === "string" && /^\d+(\.\d+)?s$/.test(duration) ? Number(duration.slice(0, -1)) : undefined;
const NINETY_DAYS = 90 * 24 * 3600;

export const kmsRotation = resourceRule({
    name: "gcp-kms-rotation",
    description: "Cloud KMS symmetric keys rotate at least every 90 days.",
    severity: "medium",
    remediation: "set mlops:dataLake.gcp.keyRotationDays to 90 or less (components/encryption/gcp.ts writes it as rotationPeriod)",
    mirrors: ["CKV_GCP_43", "AVD-GCP-0065", "CIS-GCP3 1.10"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.cryptoKey],
    check: (r) => {
        // Only ENCRYPT_DECRYPT keys rotate automatically.
        if ((r.props.purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return [];
        const period = seconds(r.props.rotationPeriod);
        if (period === undefined) return ["rotationPeriod is not set"];
        return period > NINETY_DAYS ? [`rotationPeriod ${r.props.rotationPeriod} is longer than 90 days (7776000s)`] : [];
    },
});

/** Which service's Data Access logs a stack needs, by the resource types that hold data. */
const AUDITED_SERVICES: readonly { readonly service: string; readonly types: readonly string[] }[] = [
    { service: "storage.googleapis.com", types: [GCP.bucket] },
    { service: "bigquery.googleapis.com", types: [GCP.dataset, GCP.table] },
    {
        service: "aiplatform.googleapis.com",
        types: [GCP.vertexEndpoint, GCP.vertexMetadataStore, GCP.vertexTensorboard, GCP.vertexDataset, GCP.vertexFeatureStore],
    },
];
const DATA_LOG_TYPES = ["DATA_READ", "DATA_WRITE"];

export const dataAccessAuditLogs = stackRule({
    name: "gcp-data-access-audit-logs",
    description:
        "Data Access audit logs (DATA_READ and DATA_WRITE, no exempted members) are on for every service whose data the stack holds: Cloud Storage, BigQuery, Vertex AI.",
    severity: "high",
    remediation:
        "keep the gcp.projects.IAMAuditConfig per service that the data lake and ML platform create (components/data-lake/gcp.ts, components/ml-platform/gcp.ts)",
    mirrors: ["CKV2_GCP_5", "AVD-GCP-0079", "CIS-GCP3 2.1"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: AUDITED_SERVICES.flatMap((s) => s.types),
    validate: ({ view, report }) => {
        const configs = view.ofType([GCP.projectAuditConfig]).map((c) =>
            whenKnown(() => ({
                service: c.props.service as string,
                types: records(c.props.auditLogConfigs)
                    .filter((l) => list(l.exemptedMembers).length === 0)
                    .map((l) => l.logType),
            })),
        );
        if (configs.includes(undefined)) return;
        for (const { service, types } of AUDITED_SERVICES) {
            if (view.ofType(types).length === 0) continue;
            const covered = configs.some(
                (c) => (c!.service === service || c!.service === "allServices") && DATA_LOG_TYPES.every((t) => c!.types.includes(t)),
            );
            if (!covered) report(undefined, `Data Access audit logs (DATA_READ, DATA_WRITE) are not on for ${service}`);
        }
    },
});

export const logBucketRetention = resourceRule({
    name: "gcp-log-bucket-retention",
    description: "Cloud Logging buckets set their retention explicitly (retentionDays).",
    severity: "medium",
    remediation:
        "set retentionDays on the gcp.logging.ProjectBucketConfig (components/observability/gcp.ts, components/data-lake/gcp.ts: mlops:dataLake.gcp.accessLogRetentionDays, serviceLogRetentionDays, and mlops:dataLake.auditLogRetentionDays for audit logs)",
    mirrors: ["CKV2_GCP_4 (partly)", CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.logBucket],
    check: (r) => (typeof r.props.retentionDays === "number" && r.props.retentionDays > 0 ? [] : ["retentionDays is not set"]),
});

export const iamKeyRules: readonly MlopsPolicy[] = [
    noBasicRoles,
    noProjectImpersonation,
    noDefaultServiceAccount,
    noServiceAccountKeys,
    kmsRotation,
    dataAccessAuditLogs,
    logBucketRetention,
];
