/** KMS keys, CloudTrail, CloudWatch log groups, and the Glue catalog and Athena workgroup of the lake. */
import { MlopsPolicy, numberKnob, resourceRule } from "../meta";
import { at, fields, oneOf } from "../lib/read";
import { AWS } from "./types";

const LAKE = "components/data-lake/aws.ts";
const AUDIT = "components/audit/aws.ts";

export const kmsRotation = resourceRule({
    name: "aws-kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate automatically (enableKeyRotation).",
    severity: "medium",
    remediation: "set enableKeyRotation: true on the aws.kms.Key (components/encryption/aws.ts does)",
    mirrors: ["CKV_AWS_7", "AVD-AWS-0065", "CIS-AWS5 3.6"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.kmsKey],
    check: (r) => {
        // Only symmetric encryption keys can rotate automatically.
        const symmetric =
            (r.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
            (r.props.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
        return symmetric && r.props.enableKeyRotation !== true ? ["enableKeyRotation is not true"] : [];
    },
});

export const cloudTrailIntegrity = resourceRule({
    name: "aws-cloudtrail-integrity",
    description: "CloudTrail trails log, validate their log files and encrypt them with a customer-managed KMS key.",
    severity: "high",
    remediation: `set enableLogFileValidation: true and kmsKeyId on the trail, and never enableLogging: false (${AUDIT})`,
    mirrors: ["CKV_AWS_36", "CKV_AWS_35", "CKV_AWS_251", "AVD-AWS-0016", "AVD-AWS-0015", "CIS-AWS5 3.2", "CIS-AWS5 3.5"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.trail],
    check: (r) => [
        ...(r.props.enableLogFileValidation === true ? [] : ["enableLogFileValidation is not true"]),
        ...(r.props.kmsKeyId ? [] : ["kmsKeyId is not set (log files are not encrypted with a customer-managed key)"]),
        ...(r.props.enableLogging === false ? ["enableLogging is false"] : []),
    ],
});

export const cloudTrailMultiRegion = resourceRule({
    name: "aws-cloudtrail-multi-region",
    description: "CloudTrail trails cover every region (isMultiRegionTrail).",
    severity: "low",
    remediation: `set isMultiRegionTrail: true on the trail (${AUDIT}), or rely on an organization trail`,
    mirrors: ["CKV_AWS_67", "AVD-AWS-0014", "CIS-AWS5 3.1"],
    clouds: ["aws"],
    category: "security",
    enforcement: "advisory",
    types: [AWS.trail],
    check: (r) => (r.props.isMultiRegionTrail === true ? [] : ["isMultiRegionTrail is not true"]),
});

export const logRetention = resourceRule({
    name: "aws-log-retention",
    description: "CloudWatch log groups set a retention period of at least `minDays` (the default keeps logs forever).",
    severity: "medium",
    remediation:
        "set retentionInDays on the aws.cloudwatch.LogGroup (audit log groups take mlops:dataLake.auditLogRetentionDays, at least 365)",
    mirrors: ["CKV_AWS_66", "CKV_AWS_338 (with minDays 365)", "serverless-rules WS1004"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.logGroup],
    knobs: { minDays: { schema: { type: "integer", minimum: 1, description: "Shortest retention accepted, in days." }, default: 1 } },
    check: (r, config) => {
        const days = r.props.retentionInDays;
        if (typeof days !== "number" || days <= 0) return ["retentionInDays is not set (logs are kept forever)"];
        const minDays = numberKnob(config, "minDays");
        return days < minDays ? [`retentionInDays is ${days}, below ${minDays}`] : [];
    },
});

export const logGroupKms = resourceRule({
    name: "aws-log-group-kms",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity: "low",
    remediation:
        "set kmsKeyId on the aws.cloudwatch.LogGroup to the stack key from components/encryption/aws.ts (its key policy must allow logs.<region>.amazonaws.com)",
    mirrors: ["CKV_AWS_158", "AVD-AWS-0017"],
    clouds: ["aws"],
    category: "security",
    enforcement: "advisory",
    types: [AWS.logGroup],
    check: (r) => (r.props.kmsKeyId ? [] : ["kmsKeyId is not set"]),
});

const CATALOG_KMS_MODES = ["SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"];

export const glueCatalogEncryption = resourceRule({
    name: "aws-glue-catalog-encryption",
    description: "The Glue Data Catalog encrypts metadata at rest with KMS and returns connection passwords encrypted.",
    severity: "high",
    remediation: `keep mlops:dataLake.aws.catalogEncryption true: the aws.glue.DataCatalogEncryptionSettings then use SSE-KMS and return connection passwords encrypted (${LAKE})`,
    mirrors: ["CKV_AWS_94"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.glueCatalogEncryption],
    check: (r) => {
        const settings = r.props.dataCatalogEncryptionSettings;
        const mode = at(settings, "encryptionAtRest.catalogEncryptionMode");
        return [
            ...(oneOf(CATALOG_KMS_MODES, mode) ? [] : [`catalogEncryptionMode is ${mode ?? "unset"}, not SSE-KMS`]),
            ...(at(settings, "connectionPasswordEncryption.returnConnectionPasswordEncrypted") === true
                ? []
                : ["returnConnectionPasswordEncrypted is not true"]),
        ];
    },
});

export const athenaWorkgroupEncryption = resourceRule({
    name: "aws-athena-workgroup-encryption",
    description: "Athena workgroups encrypt query results and enforce the workgroup configuration on clients.",
    severity: "high",
    remediation: `keep the workgroup's result encryption (SSE_KMS with the lake key) and enforceWorkgroupConfiguration (${LAKE})`,
    mirrors: ["CKV_AWS_159", "CKV_AWS_82", "AVD-AWS-0006", "AVD-AWS-0007"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.athenaWorkgroup],
    check: (r) => {
        const config = fields(r.props.configuration);
        // Athena-managed query results are always encrypted; otherwise the S3 results need an encryption option.
        const encrypted =
            at(config, "managedQueryResultsConfiguration.enabled") === true ||
            !!at(config, "resultConfiguration.encryptionConfiguration.encryptionOption");
        return [
            ...(encrypted
                ? []
                : ["query results are not encrypted (configuration.resultConfiguration.encryptionConfiguration.encryptionOption)"]),
            ...(config.enforceWorkgroupConfiguration === false
                ? ["enforceWorkgroupConfiguration is false (clients may override result encryption)"]
                : []),
        ];
    },
});

export const auditAndKeyRules: readonly MlopsPolicy[] = [
    kmsRotation,
    cloudTrailIntegrity,
    cloudTrailMultiRegion,
    logRetention,
    logGroupKms,
    glueCatalogEncryption,
    athenaWorkgroupEncryption,
];
