/** AWS rules: data lake, audit and keys, IAM, containers and serving. */
import * as audit from "../../policy/rules/aws/audit-keys";
import * as ctr from "../../policy/rules/aws/containers";
import * as edge from "../../policy/rules/aws/edge-alerts";
import * as iam from "../../policy/rules/aws/iam";
import * as pl from "../../policy/rules/aws/pipelines";
import * as s3 from "../../policy/rules/aws/s3";
import * as srv from "../../policy/rules/aws/serving";
import * as tr from "../../policy/rules/aws/training";
import { AWS } from "../../policy/rules/aws/types";
import * as f from "./fixtures/aws";
import { describeRule } from "./harness";

const tags = { "mlops-environment": "prod" };
const one = (name: string, type: string, props: Record<string, any>) => ({ name, type, props: { ...props, tags } });

describe("aws rules", () => {
    describe("S3 and the lake's companions (stack rules)", () => {
        describeRule({
            rule: s3.s3Versioning,
            golden: () => [f.bucket(), f.versioning()],
            passes: [
                { when: "the deprecated inline versioning block is on", drop: ["raw-versioning"], set: { versioning: { enabled: true } } },
                {
                    when: "the companion names the bucket literally, with no dependency recorded",
                    drop: ["raw-versioning"],
                    add: [{ ...f.versioning(), deps: {} }],
                },
                {
                    when: "the companion is reached through an intermediate resource",
                    drop: ["raw-versioning"],
                    add: [
                        { name: "pab-first", type: AWS.bucketPublicAccessBlock[0], props: { bucket: "x" }, deps: { bucket: ["raw"] } },
                        { ...f.versioning(), props: { ...f.versioning().props, bucket: "y" }, deps: { bucket: ["pab-first"] } },
                    ],
                },
            ],
            fails: [
                {
                    when: "the bucket has no BucketVersioning",
                    drop: ["raw-versioning"],
                    problems: ["no aws.s3.BucketVersioning for this bucket"],
                },
                {
                    when: "versioning is Suspended",
                    set: { "raw-versioning:versioningConfiguration.status": "Suspended" },
                    problems: ["versioning status is Suspended, not Enabled"],
                },
                {
                    when: "the status is missing",
                    set: { "raw-versioning:versioningConfiguration": {} },
                    problems: ["versioning status is unset, not Enabled"],
                },
                {
                    when: "the only versioning belongs to another bucket",
                    add: [f.bucket("curated"), f.versioning("curated")],
                    drop: ["raw-versioning"],
                    problems: ["no aws.s3.BucketVersioning for this bucket"],
                },
            ],
            unknown: { "raw-versioning:versioningConfiguration.status": 0 },
        });

        describeRule({
            rule: s3.s3Encryption,
            golden: () => [f.bucket(), f.encryption()],
            passes: [
                {
                    when: "a bucket that receives access logs uses SSE-S3 (the only encryption log delivery supports)",
                    add: [f.bucket("logs"), f.encryption("logs", "AES256"), f.logging("raw", "logs")],
                },
            ],
            fails: [
                {
                    when: "the bucket has no encryption configuration",
                    drop: ["raw-sse"],
                    problems: ["no aws.s3.BucketServerSideEncryptionConfiguration for this bucket"],
                },
                {
                    when: "a lake bucket uses SSE-S3",
                    drop: ["raw-sse"],
                    add: [f.encryption("raw", "AES256")],
                    problems: ["default encryption is AES256, not aws:kms"],
                },
                {
                    when: "the KMS key is missing",
                    set: { "raw-sse:rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId": undefined },
                    problems: ["default encryption names no kmsMasterKeyId (customer-managed key)"],
                },
            ],
            unknown: { "raw-sse:rules.0.applyServerSideEncryptionByDefault.sseAlgorithm": 0 },
        });

        describeRule({
            rule: s3.s3PublicAccessBlock,
            golden: () => [f.bucket(), f.publicAccessBlock()],
            fails: [
                {
                    when: "the bucket has no public access block",
                    drop: ["raw-pab"],
                    problems: ["no aws.s3.BucketPublicAccessBlock for this bucket"],
                },
                {
                    when: "blockPublicAcls is false",
                    set: { "raw-pab:blockPublicAcls": false },
                    problems: ["blockPublicAcls is not true in its aws.s3.BucketPublicAccessBlock"],
                },
                {
                    when: "blockPublicPolicy is missing",
                    set: { "raw-pab:blockPublicPolicy": undefined },
                    problems: ["blockPublicPolicy is not true in its aws.s3.BucketPublicAccessBlock"],
                },
                {
                    when: "ignorePublicAcls is false",
                    set: { "raw-pab:ignorePublicAcls": false },
                    problems: ["ignorePublicAcls is not true in its aws.s3.BucketPublicAccessBlock"],
                },
                {
                    when: "restrictPublicBuckets is false",
                    set: { "raw-pab:restrictPublicBuckets": false },
                    problems: ["restrictPublicBuckets is not true in its aws.s3.BucketPublicAccessBlock"],
                },
            ],
            unknown: { "raw-pab:blockPublicAcls": 0 },
        });

        describeRule({
            rule: s3.s3AclsDisabled,
            golden: () => [f.bucket(), f.ownership()],
            fails: [
                {
                    when: "the bucket has no ownership controls",
                    drop: ["raw-ownership"],
                    problems: ["no aws.s3.BucketOwnershipControls for this bucket"],
                },
                {
                    when: "ownership is BucketOwnerPreferred",
                    set: { "raw-ownership:rule.objectOwnership": "BucketOwnerPreferred" },
                    problems: ["objectOwnership is BucketOwnerPreferred, not BucketOwnerEnforced"],
                },
            ],
            unknown: { "raw-ownership:rule.objectOwnership": 0 },
        });

        describeRule({
            rule: s3.s3TlsOnly,
            golden: () => [f.bucket(), f.bucketPolicy()],
            passes: [
                {
                    when: "the TLS condition is written as a list",
                    drop: ["raw-policy"],
                    add: [f.bucketPolicy("raw", [{ ...f.TLS_DENY, Condition: { Bool: { "aws:SecureTransport": ["false"] } } }])],
                },
            ],
            fails: [
                {
                    when: "the bucket has no policy",
                    drop: ["raw-policy"],
                    problems: ["no bucket policy denies requests without TLS (Deny with Condition Bool aws:SecureTransport false)"],
                },
                {
                    when: "the policy allows instead of denying",
                    drop: ["raw-policy"],
                    add: [f.bucketPolicy("raw", [{ ...f.TLS_DENY, Effect: "Allow" }])],
                    problems: ["no bucket policy denies requests without TLS (Deny with Condition Bool aws:SecureTransport false)"],
                },
                {
                    when: "the policy is not JSON",
                    set: { "raw-policy:policy": "not json" },
                    problems: ["no bucket policy denies requests without TLS (Deny with Condition Bool aws:SecureTransport false)"],
                },
            ],
            unknown: { "raw-policy:policy": 0 },
        });

        describeRule({
            rule: s3.s3PolicyNotPublic,
            golden: () => [f.bucketPolicy()],
            passes: [
                {
                    when: "a service principal gets log delivery",
                    set: {
                        policy: f.document({
                            Effect: "Allow",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: "*",
                        }),
                    },
                },
            ],
            fails: [
                {
                    when: "a statement allows Principal *",
                    set: { policy: f.document(f.TLS_DENY, { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }) },
                    problems: ['statement 1 allows Principal "*"'],
                },
                {
                    when: "a statement allows AWS *",
                    set: { policy: f.document({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:GetObject", Resource: "*" }) },
                    problems: ['statement 0 allows Principal "*"'],
                },
                { when: "the policy is not JSON", set: { policy: "{" }, problems: ["policy is not a JSON policy document"] },
            ],
            unknown: { policy: 0 },
        });

        describeRule({
            rule: s3.s3AccessLogging,
            golden: () => [f.bucket(), f.bucket("logs"), f.logging("raw", "logs")],
            fails: [
                {
                    when: "the bucket writes no access logs",
                    drop: ["raw-logging"],
                    add: [f.bucket("curated"), f.logging("curated", "logs")],
                    problems: ["server access logging is off (no aws.s3.BucketLogging)"],
                },
            ],
            unknown: { "raw-logging:targetBucket": 0 },
        });

        describeRule({
            rule: s3.s3Lifecycle,
            golden: () => [f.bucket(), f.lifecycle()],
            fails: [
                {
                    when: "the bucket has no lifecycle configuration",
                    drop: ["raw-lifecycle"],
                    problems: ["no aws.s3.BucketLifecycleConfiguration for this bucket"],
                },
                {
                    when: "no rule aborts incomplete uploads",
                    set: { "raw-lifecycle:rules.0.abortIncompleteMultipartUpload": undefined },
                    problems: ["no enabled lifecycle rule aborts incomplete multipart uploads"],
                },
                {
                    when: "the rule is disabled",
                    set: { "raw-lifecycle:rules.0.status": "Disabled" },
                    problems: [
                        "no enabled lifecycle rule aborts incomplete multipart uploads",
                        "no enabled lifecycle rule expires noncurrent versions",
                    ],
                },
            ],
            unknown: { "raw-lifecycle:rules": 0 },
        });

        describeRule({
            rule: s3.s3DataEventsAudited,
            golden: () => [f.bucket(), f.trail()],
            passes: [
                {
                    when: "an advanced selector records S3 data events",
                    set: {
                        "trail:eventSelectors": undefined,
                        "trail:advancedEventSelectors": [
                            {
                                name: "lake",
                                fieldSelectors: [
                                    { field: "eventCategory", equals: ["Data"] },
                                    { field: "resources.type", equals: ["AWS::S3::Object"] },
                                ],
                            },
                        ],
                    },
                },
            ],
            fails: [
                {
                    when: "there is no trail",
                    drop: ["trail"],
                    problems: ["no CloudTrail trail in the stack records S3 data events"],
                    on: null,
                },
                {
                    when: "the trail records management events only",
                    set: { "trail:eventSelectors": [{ readWriteType: "All", includeManagementEvents: true }] },
                    problems: ["no CloudTrail trail in the stack records S3 data events"],
                    on: null,
                },
            ],
            unknown: { "trail:eventSelectors": 0 },
        });
    });

    describe("keys, audit and the lake catalog", () => {
        describeRule({
            rule: audit.kmsRotation,
            golden: () => [one("key", AWS.kmsKey, { enableKeyRotation: true, deletionWindowInDays: 30 })],
            passes: [
                {
                    when: "an asymmetric signing key cannot rotate",
                    set: { enableKeyRotation: undefined, customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" },
                },
            ],
            fails: [
                { when: "rotation is off", set: { enableKeyRotation: false }, problems: ["enableKeyRotation is not true"] },
                { when: "rotation is missing", set: { enableKeyRotation: undefined }, problems: ["enableKeyRotation is not true"] },
            ],
            unknown: { enableKeyRotation: 0 },
        });

        describeRule({
            rule: audit.cloudTrailIntegrity,
            golden: () => [f.trail()],
            fails: [
                {
                    when: "log file validation is off",
                    set: { enableLogFileValidation: false },
                    problems: ["enableLogFileValidation is not true"],
                },
                {
                    when: "the KMS key is missing",
                    set: { kmsKeyId: undefined },
                    problems: ["kmsKeyId is not set (log files are not encrypted with a customer-managed key)"],
                },
                { when: "logging is stopped", set: { enableLogging: false }, problems: ["enableLogging is false"] },
            ],
            unknown: { enableLogFileValidation: 0 },
        });

        describeRule({
            rule: audit.cloudTrailMultiRegion,
            golden: () => [f.trail()],
            fails: [
                {
                    when: "the trail covers one region",
                    set: { isMultiRegionTrail: undefined },
                    problems: ["isMultiRegionTrail is not true"],
                },
            ],
            unknown: { isMultiRegionTrail: 0 },
        });

        describeRule({
            rule: audit.logRetention,
            golden: () => [one("logs", AWS.logGroup, { retentionInDays: 30 })],
            fails: [
                {
                    when: "retention is missing",
                    set: { retentionInDays: undefined },
                    problems: ["retentionInDays is not set (logs are kept forever)"],
                },
                {
                    when: "retention is 0 (never expire)",
                    set: { retentionInDays: 0 },
                    problems: ["retentionInDays is not set (logs are kept forever)"],
                },
            ],
            unknown: { retentionInDays: 0 },
        });

        describeRule({
            rule: audit.logGroupKms,
            golden: () => [one("logs", AWS.logGroup, { retentionInDays: 30, kmsKeyId: f.KEY_ARN })],
            fails: [{ when: "the KMS key is missing", set: { kmsKeyId: undefined }, problems: ["kmsKeyId is not set"] }],
            unknown: { kmsKeyId: 0 },
        });

        describeRule({
            rule: audit.glueCatalogEncryption,
            golden: () => [
                {
                    name: "catalog",
                    type: AWS.glueCatalogEncryption,
                    props: {
                        dataCatalogEncryptionSettings: {
                            encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: f.KEY_ARN },
                            connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: f.KEY_ARN },
                        },
                    },
                },
            ],
            fails: [
                {
                    when: "the catalog is not encrypted",
                    set: { "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode": "DISABLED" },
                    problems: ["catalogEncryptionMode is DISABLED, not SSE-KMS"],
                },
                {
                    when: "connection passwords are returned in clear",
                    set: { "dataCatalogEncryptionSettings.connectionPasswordEncryption.returnConnectionPasswordEncrypted": false },
                    problems: ["returnConnectionPasswordEncrypted is not true"],
                },
                {
                    when: "the settings are missing",
                    set: { dataCatalogEncryptionSettings: undefined },
                    problems: ["catalogEncryptionMode is unset, not SSE-KMS", "returnConnectionPasswordEncrypted is not true"],
                },
            ],
            unknown: { "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode": 0 },
        });

        describeRule({
            rule: audit.athenaWorkgroupEncryption,
            golden: () => [
                one("athena", AWS.athenaWorkgroup, {
                    configuration: {
                        enforceWorkgroupConfiguration: true,
                        resultConfiguration: {
                            outputLocation: "s3://mlops-prod-athena/",
                            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: f.KEY_ARN },
                        },
                    },
                }),
            ],
            passes: [
                {
                    when: "Athena-managed query results are used",
                    set: {
                        "configuration.resultConfiguration": undefined,
                        "configuration.managedQueryResultsConfiguration": { enabled: true },
                    },
                },
            ],
            fails: [
                {
                    when: "results are not encrypted",
                    set: { "configuration.resultConfiguration.encryptionConfiguration": undefined },
                    problems: [
                        "query results are not encrypted (configuration.resultConfiguration.encryptionConfiguration.encryptionOption)",
                    ],
                },
                {
                    when: "clients may override the configuration",
                    set: { "configuration.enforceWorkgroupConfiguration": false },
                    problems: ["enforceWorkgroupConfiguration is false (clients may override result encryption)"],
                },
            ],
            unknown: { "configuration.resultConfiguration.encryptionConfiguration.encryptionOption": 0 },
        });
    });

    describe("IAM", () => {
        describeRule({
            rule: iam.noWildcardActions,
            golden: () => [
                f.role(),
                {
                    name: "policy",
                    type: AWS.iamPolicy,
                    props: { policy: f.document(f.SCOPED, { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }) },
                },
            ],
            passes: [
                { when: "a Deny uses a wildcard", set: { "policy:policy": f.document({ Effect: "Deny", Action: "*", Resource: "*" }) } },
            ],
            fails: [
                {
                    when: "a policy allows *",
                    set: { "policy:policy": f.document({ Effect: "Allow", Action: "*", Resource: "*" }) },
                    problems: ['policy: statement 0 allows every action ("*")'],
                    on: "policy",
                },
                {
                    when: "a policy allows iam:* on one role",
                    set: {
                        "policy:policy": f.document({ Effect: "Allow", Action: ["iam:*"], Resource: "arn:aws:iam::123456789012:role/x" }),
                    },
                    problems: ["policy: statement 0 allows iam:* (full IAM access)"],
                    on: "policy",
                },
                {
                    when: "a role's inline policy allows s3:* on every resource",
                    set: { "inlinePolicies.0.policy": f.document({ Effect: "Allow", Action: "s3:*", Resource: "*" }) },
                    problems: ["inline policy lake: statement 0 allows s3:* on every resource"],
                },
                {
                    when: "an Allow uses NotAction",
                    set: { "policy:policy": f.document({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
                    problems: ["policy: statement 0 allows everything except iam:* (NotAction)"],
                    on: "policy",
                },
                {
                    when: "the policy is not JSON",
                    set: { "policy:policy": "Allow everything" },
                    problems: ["policy is not a JSON policy document"],
                    on: "policy",
                },
            ],
            unknown: { "inlinePolicies.0.policy": 0 },
        });

        describeRule({
            rule: iam.noAdminManagedPolicies,
            golden: () => [
                f.role(),
                {
                    name: "attach",
                    type: AWS.iamRolePolicyAttachment,
                    props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" },
                },
            ],
            fails: [
                {
                    when: "AdministratorAccess is attached",
                    set: { "attach:policyArn": "arn:aws:iam::aws:policy/AdministratorAccess" },
                    problems: ["attaches arn:aws:iam::aws:policy/AdministratorAccess"],
                    on: "attach",
                },
                {
                    when: "a *FullAccess policy is attached",
                    set: { "attach:policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess" },
                    problems: ["attaches arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
                    on: "attach",
                },
                {
                    when: "a role lists PowerUserAccess in managedPolicyArns",
                    set: { "managedPolicyArns.1": "arn:aws:iam::aws:policy/PowerUserAccess" },
                    problems: ["attaches arn:aws:iam::aws:policy/PowerUserAccess"],
                },
            ],
            unknown: { "attach:policyArn": 0 },
        });

        describeRule({
            rule: iam.trustNotPublic,
            golden: () => [f.role()],
            passes: [
                {
                    when: "an account root is trusted under a condition",
                    set: {
                        assumeRolePolicy: f.document({
                            Effect: "Allow",
                            Principal: { AWS: "arn:aws:iam::123456789012:root" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:PrincipalTag/team": "ml" } },
                        }),
                    },
                },
            ],
            fails: [
                {
                    when: "anyone may assume the role",
                    set: { assumeRolePolicy: f.document({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }) },
                    problems: ['statement 0 lets anyone assume the role (Principal "*")'],
                },
                {
                    when: "a whole account is trusted without a condition",
                    set: {
                        assumeRolePolicy: f.document({
                            Effect: "Allow",
                            Principal: { AWS: ["arn:aws:iam::210987654321:root"] },
                            Action: "sts:AssumeRole",
                        }),
                    },
                    problems: ["statement 0 trusts every identity of account arn:aws:iam::210987654321:root without a condition"],
                },
                {
                    when: "the trust policy is missing",
                    set: { assumeRolePolicy: undefined },
                    problems: ["assumeRolePolicy is not a JSON policy document"],
                },
            ],
            unknown: { assumeRolePolicy: 0 },
        });

        describeRule({
            rule: iam.noUserPolicies,
            golden: () => [
                {
                    name: "attach",
                    type: AWS.iamPolicyAttachment,
                    props: { policyArn: "arn:aws:iam::123456789012:policy/read", roles: ["reader"] },
                },
            ],
            fails: [
                {
                    when: "a PolicyAttachment lists users",
                    set: { users: ["alice"] },
                    problems: ["attaches a policy directly to an IAM user"],
                },
                {
                    when: "a UserPolicy exists",
                    drop: ["attach"],
                    add: [{ name: "user-policy", type: AWS.iamUserPolicy, props: { user: "alice", policy: f.document(f.SCOPED) } }],
                    problems: ["attaches a policy directly to an IAM user"],
                    on: "user-policy",
                },
            ],
            unknown: { users: 0 },
        });
    });

    describe("ECR and ECS", () => {
        const repo = () =>
            one("repo", AWS.ecrRepository, {
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: f.KEY_ARN }],
            });

        describeRule({
            rule: ctr.ecrImmutableTags,
            golden: () => [repo()],
            fails: [
                {
                    when: "tags are mutable",
                    set: { imageTagMutability: "MUTABLE" },
                    problems: ["imageTagMutability is MUTABLE, not IMMUTABLE"],
                },
                {
                    when: "mutability is missing (ECR defaults to MUTABLE)",
                    set: { imageTagMutability: undefined },
                    problems: ["imageTagMutability is MUTABLE (default), not IMMUTABLE"],
                },
            ],
            unknown: { imageTagMutability: 0 },
        });

        describeRule({
            rule: ctr.ecrScanOnPush,
            golden: () => [repo()],
            fails: [
                {
                    when: "scanning is off",
                    set: { "imageScanningConfiguration.scanOnPush": false },
                    problems: ["imageScanningConfiguration.scanOnPush is not true"],
                },
                {
                    when: "the scanning block is missing",
                    set: { imageScanningConfiguration: undefined },
                    problems: ["imageScanningConfiguration.scanOnPush is not true"],
                },
            ],
            unknown: { imageScanningConfiguration: 0 },
        });

        describeRule({
            rule: ctr.ecrKms,
            golden: () => [repo()],
            fails: [
                {
                    when: "AES256 is used",
                    set: { "encryptionConfigurations.0.encryptionType": "AES256" },
                    problems: ["encryptionType is AES256, not KMS"],
                },
                {
                    when: "encryption is not configured",
                    set: { encryptionConfigurations: undefined },
                    problems: ["encryptionType is AES256 (default), not KMS"],
                },
            ],
            unknown: { encryptionConfigurations: 0 },
        });

        describeRule({
            rule: ctr.ecrPolicyNotPublic,
            golden: () => [
                {
                    name: "repo-policy",
                    type: AWS.ecrRepositoryPolicy,
                    props: {
                        repository: "iris",
                        policy: f.document({
                            Effect: "Allow",
                            Principal: { AWS: "arn:aws:iam::123456789012:role/task" },
                            Action: ["ecr:BatchGetImage"],
                        }),
                    },
                },
            ],
            fails: [
                {
                    when: "anyone may pull",
                    set: { policy: f.document({ Effect: "Allow", Principal: "*", Action: ["ecr:BatchGetImage"] }) },
                    problems: ['statement 0 allows Principal "*"'],
                },
                { when: "the policy is not JSON", set: { policy: "nope" }, problems: ["policy is not a JSON policy document"] },
            ],
            unknown: { policy: 0 },
        });

        describeRule({
            rule: ctr.ecrLifecycle,
            golden: () => [
                repo(),
                {
                    name: "repo-lifecycle",
                    type: AWS.ecrLifecyclePolicy,
                    props: { repository: "iris", policy: "{}" },
                    deps: { repository: ["repo"] },
                },
            ],
            fails: [
                {
                    when: "the repository has no lifecycle policy",
                    drop: ["repo-lifecycle"],
                    problems: ["no aws.ecr.LifecyclePolicy for this repository"],
                },
            ],
            unknown: { "repo-lifecycle:repository": 0 },
        });

        describeRule({
            rule: ctr.ecsContainerInsights,
            golden: () => [one("cluster", AWS.ecsCluster, { settings: [{ name: "containerInsights", value: "enhanced" }] })],
            fails: [
                {
                    when: "Container Insights is disabled",
                    set: { "settings.0.value": "disabled" },
                    problems: ["containerInsights is disabled, not enabled"],
                },
                { when: "the setting is missing", set: { settings: undefined }, problems: ["containerInsights is unset, not enabled"] },
            ],
            unknown: { settings: 0 },
        });

        describeRule({
            rule: ctr.ecsNoPrivilege,
            golden: () => [f.taskDefinition()],
            fails: [
                {
                    when: "a container is privileged",
                    set: { containerDefinitions: f.containerDefinitions({ privileged: true }) },
                    problems: ["container model is privileged"],
                },
                { when: "the task shares the host PID namespace", set: { pidMode: "host" }, problems: ["pidMode is host"] },
                { when: "the task shares the host IPC namespace", set: { ipcMode: "host" }, problems: ["ipcMode is host"] },
                {
                    when: "containerDefinitions is not JSON",
                    set: { containerDefinitions: "[{" },
                    problems: ["containerDefinitions is not a JSON array of containers"],
                },
            ],
            unknown: { containerDefinitions: 0 },
        });

        describeRule({
            rule: ctr.ecsReadOnlyRoot,
            golden: () => [f.taskDefinition()],
            fails: [
                {
                    when: "the root filesystem is writable",
                    set: { containerDefinitions: f.containerDefinitions({ readonlyRootFilesystem: false }) },
                    problems: ["container model does not set readonlyRootFilesystem: true"],
                },
                {
                    when: "readonlyRootFilesystem is missing",
                    set: { containerDefinitions: f.containerDefinitions({ readonlyRootFilesystem: undefined }) },
                    problems: ["container model does not set readonlyRootFilesystem: true"],
                },
            ],
            unknown: { containerDefinitions: 0 },
        });

        describeRule({
            rule: ctr.ecsNoPlaintextSecrets,
            golden: () => [f.taskDefinition()],
            fails: [
                {
                    when: "a password is a literal env var",
                    set: { containerDefinitions: f.containerDefinitions({ environment: [{ name: "DB_PASSWORD", value: "hunter2" }] }) },
                    problems: ["container model has a literal credential in environment variable DB_PASSWORD"],
                },
            ],
            unknown: { containerDefinitions: 0 },
        });

        describeRule({
            rule: ctr.ecsSeparateRoles,
            golden: () => [f.taskDefinition()],
            passes: [{ when: "the task has no task role (no AWS calls)", set: { taskRoleArn: undefined } }],
            fails: [
                {
                    when: "both roles are the same",
                    set: { taskRoleArn: "arn:aws:iam::123456789012:role/iris-execution" },
                    problems: ["executionRoleArn and taskRoleArn are the same role"],
                },
            ],
            unknown: { taskRoleArn: 0 },
        });

        describeRule({
            rule: ctr.ecsNoPublicIp,
            golden: () => [f.ecsService()],
            fails: [
                {
                    when: "tasks get a public IP",
                    set: { "networkConfiguration.assignPublicIp": true },
                    problems: ["networkConfiguration.assignPublicIp is true"],
                },
            ],
            unknown: { "networkConfiguration.assignPublicIp": 0 },
        });
    });

    describe("serving", () => {
        describeRule({
            rule: srv.lambdaUrlAuth,
            golden: () => [{ name: "url", type: AWS.lambdaFunctionUrl, props: { functionName: "iris", authorizationType: "AWS_IAM" } }],
            fails: [
                { when: "the URL is open", set: { authorizationType: "NONE" }, problems: ["authorizationType is NONE, not AWS_IAM"] },
                {
                    when: "the authorization type is missing",
                    set: { authorizationType: undefined },
                    problems: ["authorizationType is unset, not AWS_IAM"],
                },
            ],
            unknown: { authorizationType: 0 },
        });

        describeRule({
            rule: srv.lambdaPermissionNotPublic,
            golden: () => [
                {
                    name: "permission",
                    type: AWS.lambdaPermission,
                    props: {
                        action: "lambda:InvokeFunction",
                        function: "iris",
                        principal: "apigateway.amazonaws.com",
                        sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:abc/*",
                    },
                },
            ],
            passes: [
                {
                    when: "a role in the account is the principal",
                    set: { principal: "arn:aws:iam::123456789012:role/caller", sourceArn: undefined },
                },
            ],
            fails: [
                { when: "the principal is *", set: { principal: "*" }, problems: ['principal is "*"'] },
                {
                    when: "a service principal has no source",
                    set: { sourceArn: undefined },
                    problems: ["service principal apigateway.amazonaws.com has no sourceArn or sourceAccount"],
                },
            ],
            unknown: { principal: 0 },
        });

        const fn = () =>
            one("fn", AWS.lambdaFunction, {
                role: "arn:aws:iam::123456789012:role/fn",
                reservedConcurrentExecutions: 10,
                timeout: 30,
                tracingConfig: { mode: "Active" },
            });

        describeRule({
            rule: srv.lambdaLimits,
            golden: () => [fn()],
            fails: [
                {
                    when: "reserved concurrency is missing",
                    set: { reservedConcurrentExecutions: undefined },
                    problems: ["reservedConcurrentExecutions is not set"],
                },
                {
                    when: "reserved concurrency is -1 (unreserved)",
                    set: { reservedConcurrentExecutions: -1 },
                    problems: ["reservedConcurrentExecutions is not set"],
                },
                { when: "the timeout is missing", set: { timeout: undefined }, problems: ["timeout is not set (defaults to 3 seconds)"] },
            ],
            unknown: { timeout: 0 },
        });

        describeRule({
            rule: srv.lambdaTracing,
            golden: () => [fn()],
            fails: [{ when: "tracing is not configured", set: { tracingConfig: undefined }, problems: ["tracingConfig.mode is not set"] }],
            unknown: { tracingConfig: 0 },
        });

        describeRule({
            rule: srv.appRunnerPrivate,
            golden: () => [f.appRunner()],
            fails: [
                {
                    when: "the service is public",
                    set: { "networkConfiguration.ingressConfiguration.isPubliclyAccessible": true },
                    problems: ["the service is publicly accessible (ingressConfiguration.isPubliclyAccessible is not false)"],
                },
                {
                    when: "the network configuration is missing (App Runner defaults to public)",
                    set: { networkConfiguration: undefined },
                    problems: ["the service is publicly accessible (ingressConfiguration.isPubliclyAccessible is not false)"],
                },
            ],
            unknown: { networkConfiguration: 0 },
        });

        describeRule({
            rule: srv.appRunnerKms,
            golden: () => [f.appRunner()],
            fails: [
                {
                    when: "no KMS key is set",
                    set: { encryptionConfiguration: undefined },
                    problems: ["encryptionConfiguration.kmsKey is not set"],
                },
            ],
            unknown: { encryptionConfiguration: 0 },
        });

        describeRule({
            rule: srv.appRunnerHealthCheck,
            golden: () => [f.appRunner()],
            fails: [
                {
                    when: "the health check is TCP",
                    set: { "healthCheckConfiguration.protocol": "TCP" },
                    problems: ["health check protocol is TCP, not HTTP"],
                },
                {
                    when: "the health check is missing",
                    set: { healthCheckConfiguration: undefined },
                    problems: ["health check protocol is TCP (default), not HTTP"],
                },
            ],
            unknown: { healthCheckConfiguration: 0 },
        });

        describeRule({
            rule: srv.appRunnerMinInstances,
            golden: () => [f.appRunner(), f.appRunnerScaling()],
            fails: [
                {
                    when: "the service uses the default scaling configuration",
                    drop: ["runner-scaling"],
                    problems: ["uses no auto scaling configuration of the stack (the default keeps 1 instance)"],
                },
                {
                    when: "the scaling configuration keeps one instance",
                    set: { "runner-scaling:minSize": 1 },
                    problems: ["its auto scaling configuration keeps 1 instance(s), below 2"],
                },
            ],
            unknown: { "runner-scaling:minSize": 0 },
        });

        describeRule({
            rule: srv.sagemakerEndpointKms,
            golden: () => [f.endpointConfig()],
            passes: [
                {
                    when: "every variant runs on NVMe-backed GPU instances (no KMS key allowed)",
                    set: { kmsKeyArn: undefined, "productionVariants.0.instanceType": "ml.g5.2xlarge" },
                },
            ],
            fails: [
                { when: "the KMS key is missing", set: { kmsKeyArn: undefined }, problems: ["kmsKeyArn is not set"] },
                {
                    when: "a serverless variant has no KMS key",
                    set: {
                        kmsKeyArn: undefined,
                        "productionVariants.0": {
                            variantName: "primary",
                            modelName: "iris",
                            serverlessConfig: { memorySizeInMb: 2048, maxConcurrency: 5 },
                        },
                    },
                    problems: ["kmsKeyArn is not set"],
                },
            ],
            unknown: { kmsKeyArn: 0 },
        });

        describeRule({
            rule: srv.sagemakerInstanceCount,
            golden: () => [f.endpointConfig()],
            passes: [
                {
                    when: "the variant is serverless",
                    set: {
                        "productionVariants.0": {
                            variantName: "primary",
                            modelName: "iris",
                            serverlessConfig: { memorySizeInMb: 2048, maxConcurrency: 5 },
                        },
                    },
                },
            ],
            fails: [
                {
                    when: "the variant starts one instance",
                    set: { "productionVariants.0.initialInstanceCount": 1 },
                    problems: ["production variant primary starts 1 instance(s), below 2"],
                },
                {
                    when: "the instance count is missing",
                    set: { "productionVariants.0.initialInstanceCount": undefined },
                    problems: ["production variant primary starts 1 instance(s), below 2"],
                },
            ],
            unknown: { productionVariants: 0 },
        });

        describeRule({
            rule: srv.sagemakerModelIsolation,
            golden: () => [
                one("model", AWS.sagemakerModel, { executionRoleArn: "arn:aws:iam::123456789012:role/sm", enableNetworkIsolation: true }),
            ],
            fails: [
                { when: "isolation is off", set: { enableNetworkIsolation: undefined }, problems: ["enableNetworkIsolation is not true"] },
            ],
            unknown: { enableNetworkIsolation: 0 },
        });

        const domain = () =>
            one("domain", AWS.sagemakerDomain, {
                domainName: "mlops",
                authMode: "IAM",
                kmsKeyId: f.KEY_ARN,
                appNetworkAccessType: "VpcOnly",
                subnetIds: ["a"],
                vpcId: "v",
                defaultUserSettings: {},
            });

        describeRule({
            rule: srv.sagemakerDomainKms,
            golden: () => [domain()],
            fails: [{ when: "the KMS key is missing", set: { kmsKeyId: undefined }, problems: ["kmsKeyId is not set"] }],
            unknown: { kmsKeyId: 0 },
        });

        describeRule({
            rule: srv.sagemakerDomainVpcOnly,
            golden: () => [domain()],
            fails: [
                {
                    when: "Studio reaches the internet directly",
                    set: { appNetworkAccessType: undefined },
                    problems: ["appNetworkAccessType is PublicInternetOnly (default), not VpcOnly"],
                },
            ],
            unknown: { appNetworkAccessType: 0 },
        });

        describeRule({
            rule: srv.servingAutoscaling,
            golden: () => [f.ecsService(), f.scalingTarget(), f.endpoint(), f.endpointConfig(), f.scalingTarget("endpoint")],
            passes: [
                {
                    when: "a serverless endpoint has no scaling target (it scales by itself)",
                    drop: ["endpoint-scaling"],
                    set: {
                        "endpoint-config:productionVariants.0": {
                            variantName: "primary",
                            serverlessConfig: { memorySizeInMb: 2048, maxConcurrency: 5 },
                        },
                    },
                },
                {
                    when: "the target names the service in its resourceId, with no dependency recorded",
                    drop: ["svc-scaling"],
                    add: [{ ...f.scalingTarget(), deps: {} }],
                },
            ],
            fails: [
                {
                    when: "the ECS service has no scaling target",
                    drop: ["svc-scaling"],
                    problems: ["no aws.appautoscaling.Target scales it"],
                },
                {
                    when: "the endpoint has no scaling target",
                    drop: ["endpoint-scaling"],
                    problems: ["no aws.appautoscaling.Target scales it"],
                    on: "endpoint",
                },
                {
                    when: "minCapacity is 1",
                    set: { "svc-scaling:minCapacity": 1 },
                    problems: ["its scaling target's minCapacity is 1, below 2"],
                },
                {
                    when: "maxCapacity equals minCapacity",
                    set: { "svc-scaling:maxCapacity": 2 },
                    problems: ["its scaling target cannot scale out (maxCapacity 2, minCapacity 2)"],
                },
            ],
            unknown: { "svc-scaling:minCapacity": 0 },
        });
    });

    describe("load balancers, alert delivery and log groups that outlive replacements", () => {
        describeRule({
            rule: edge.albListenerTls,
            golden: () => [f.httpsListener(), f.redirectListener()],
            passes: [{ when: "a TLS 1.3-only policy is used", set: { "https:sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06" } }],
            fails: [
                {
                    when: "port 80 forwards plain HTTP to the targets (the old behaviour)",
                    set: { "redirect:defaultActions": [{ type: "forward", targetGroupArn: "tg" }] },
                    problems: ["the HTTP listener on port 80 serves plain HTTP instead of redirecting to HTTPS"],
                    on: "redirect",
                },
                {
                    when: "the redirect goes to HTTP",
                    set: { "redirect:defaultActions.0.redirect.protocol": "HTTP" },
                    problems: ["the HTTP listener on port 80 serves plain HTTP instead of redirecting to HTTPS"],
                    on: "redirect",
                },
                {
                    when: "the HTTPS listener allows TLS 1.0 (the 2016 default policy)",
                    set: { "https:sslPolicy": "ELBSecurityPolicy-2016-08" },
                    problems: ["sslPolicy is ELBSecurityPolicy-2016-08, not a TLS 1.2+ policy"],
                },
                {
                    when: "the HTTPS listener names no policy",
                    set: { "https:sslPolicy": undefined },
                    problems: ["sslPolicy is unset (ELBSecurityPolicy-2016-08 allows TLS 1.0), not a TLS 1.2+ policy"],
                },
            ],
            unknown: { "https:sslPolicy": 0 },
        });

        describeRule({
            rule: edge.albAccessLogs,
            golden: () => [f.loadBalancer()],
            passes: [
                {
                    when: "a network load balancer (its access logs cover TLS listeners only) is left to its own rules",
                    set: { loadBalancerType: "network", accessLogs: undefined },
                },
            ],
            fails: [
                {
                    when: "access logs are off (the old behaviour)",
                    set: { accessLogs: undefined },
                    problems: ["accessLogs is not enabled with a bucket"],
                },
                {
                    when: "access logs are disabled",
                    set: { "accessLogs.enabled": false },
                    problems: ["accessLogs is not enabled with a bucket"],
                },
                {
                    when: "no bucket is named",
                    set: { "accessLogs.bucket": undefined },
                    problems: ["accessLogs is not enabled with a bucket"],
                },
            ],
            unknown: { "accessLogs.enabled": 0 },
        });

        describeRule({
            rule: edge.alertsReachSomeone,
            golden: () => [f.alertTopic(), f.alertSubscription(), f.alarm()],
            passes: [
                {
                    when: "the alarm notifies a topic outside the stack (an ARN)",
                    drop: ["alerts-topic", "alerts-email"],
                    add: [{ ...f.alarm(), deps: {} }],
                },
            ],
            fails: [
                {
                    when: "the topic has no subscription (the old prod stack without alarmEmail)",
                    drop: ["alerts-email"],
                    problems: ["notifies an SNS topic with no subscription: nobody hears it"],
                    on: "iris-errors-alarm",
                },
                {
                    when: "the alarm has no actions",
                    set: { "iris-errors-alarm:alarmActions": [] },
                    problems: ["has no alarmActions: it notifies nobody"],
                    on: "iris-errors-alarm",
                },
                {
                    when: "the only subscription is to another topic",
                    drop: ["alerts-email"],
                    add: [
                        { name: "other-topic", type: AWS.snsTopic, props: {} },
                        { ...f.alertSubscription(), deps: { topic: ["other-topic"] } },
                    ],
                    problems: ["notifies an SNS topic with no subscription: nobody hears it"],
                    on: "iris-errors-alarm",
                },
            ],
            unknown: { "iris-errors-alarm:alarmActions": 0 },
        });

        describeRule({
            rule: edge.logGroupOutlivesReplacement,
            golden: () => [f.endpointLogGroup()],
            passes: [
                {
                    when: "a log group named after the model, not a replaceable resource, is deleted with it",
                    set: { name: "/mlops-dev/lambda/iris", skipDestroy: undefined },
                },
                { when: "an auto-named log group", set: { name: undefined, skipDestroy: undefined } },
            ],
            fails: [
                {
                    when: "the SageMaker endpoint's log group is deleted on replacement (the old behaviour)",
                    set: { skipDestroy: undefined },
                    problems: [
                        "/aws/sagemaker/Endpoints/mlops-prod-iris-1a2b follows a replaceable resource's name, and without skipDestroy its logs are deleted with the old resource",
                    ],
                },
                {
                    when: "a Lambda function's default log group is not kept",
                    set: { name: "/aws/lambda/iris-fn-1234567", skipDestroy: false },
                    problems: [
                        "/aws/lambda/iris-fn-1234567 follows a replaceable resource's name, and without skipDestroy its logs are deleted with the old resource",
                    ],
                },
            ],
            unknown: { skipDestroy: 0 },
        });
    });
    describe("training pipelines", () => {
        const KEY = "arn:aws:kms:us-east-1:123456789012:key/k";
        const ROLE = "arn:aws:iam::123456789012:role/training-iris-role";
        const train = (over: Record<string, any> = {}) => ({
            Name: "Train",
            Type: "Training",
            Arguments: {
                OutputDataConfig: { S3OutputPath: "s3://models/iris/_sagemaker/", KmsKeyId: KEY },
                ResourceConfig: { InstanceCount: 1, InstanceType: "ml.g5.xlarge", VolumeKmsKeyId: KEY },
                ...over,
            },
        });
        const register = {
            Name: "Register",
            Type: "RegisterModel",
            Arguments: { ModelApprovalStatus: { Get: "Parameters.ModelApprovalStatus" } },
        };
        const definition = (status: string, steps: unknown[] = [train(), register]) =>
            JSON.stringify({
                Version: "2020-12-01",
                Parameters: [{ Name: "ModelApprovalStatus", Type: "String", DefaultValue: status }],
                Steps: steps,
            });
        describeRule({
            rule: tr.trainingPipelineEncrypted,
            golden: () => [
                one("pipe", tr.TRAINING_TYPES.pipeline, { roleArn: ROLE, pipelineDefinition: definition("PendingManualApproval") }),
                // NVMe instance types take no volume key (SageMaker refuses one there).
                one("pipe-nvme", tr.TRAINING_TYPES.pipeline, {
                    roleArn: ROLE,
                    pipelineDefinition: definition("PendingManualApproval", [
                        train({ ResourceConfig: { InstanceCount: 1, InstanceType: "ml.g5.xlarge" } }),
                        register,
                    ]),
                }),
            ],
            fails: [
                {
                    when: "a training step writes artifacts and volumes without the key",
                    set: {
                        pipelineDefinition: definition("PendingManualApproval", [
                            train({
                                OutputDataConfig: { S3OutputPath: "s3://m/" },
                                ResourceConfig: { InstanceCount: 1, InstanceType: "ml.m5.large" },
                            }),
                        ]),
                    },
                    problems: [
                        "step Train: OutputDataConfig.KmsKeyId is not set: model artifacts use the S3 default key",
                        "step Train: ResourceConfig.VolumeKmsKeyId is not set: the training volume is not encrypted with the key",
                    ],
                },
                {
                    when: "an AutoML step inside a condition has no key and the pipeline no role",
                    set: {
                        roleArn: undefined,
                        pipelineDefinition: definition("Approved", [
                            {
                                Name: "Gate",
                                Type: "Condition",
                                Arguments: { IfSteps: [{ Name: "AutoML", Type: "AutoML", Arguments: {} }] },
                            },
                        ]),
                    },
                    problems: [
                        "roleArn is not set: the pipeline has no identity of its own",
                        "step AutoML: OutputDataConfig.KmsKeyId is not set: candidates' artifacts use the S3 default key",
                        "step AutoML: AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId is not set: the candidates' volumes are not encrypted with the key",
                    ],
                },
            ],
            unknown: { pipelineDefinition: 0 },
        });

        const trainingRole = (statements: unknown[]) => ({
            name: "role",
            type: AWS.iamRole,
            props: {
                tags: { ...tags, "mlops-training": "iris" },
                inlinePolicies: [{ name: "train-and-register", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }],
            },
        });
        const register_ = {
            Effect: "Allow",
            Action: ["sagemaker:CreateModelPackage"],
            Resource: "arn:aws:sagemaker:us-east-1:1:model-package-group/g",
        };
        const deny = { Sid: "NeverApprove", Effect: "Deny", Action: "sagemaker:UpdateModelPackage", Resource: "*" };
        describeRule({
            rule: tr.trainingCannotApprove,
            golden: () => [trainingRole([register_, deny])],
            passes: [{ when: "the role is not a training identity", set: { "tags.mlops-training": undefined, inlinePolicies: [] } }],
            fails: [
                {
                    when: "the training role may approve through a wildcard and nothing denies it",
                    set: {
                        inlinePolicies: [
                            {
                                name: "p",
                                policy: JSON.stringify({
                                    Version: "2012-10-17",
                                    Statement: [{ Effect: "Allow", Action: "sagemaker:*", Resource: "*" }],
                                }),
                            },
                        ],
                    },
                    problems: [
                        "inline policy p statement 0 allows sagemaker:*: the training identity could approve its own versions",
                        "no statement denies sagemaker:UpdateModelPackage on *: a policy attached later could let it approve",
                    ],
                },
            ],
            unknown: { inlinePolicies: 0 },
        });

        describeRule({
            rule: tr.prodVersionsApprovedManually,
            golden: () => [
                one("pipe", tr.TRAINING_TYPES.pipeline, { roleArn: ROLE, pipelineDefinition: definition("PendingManualApproval") }),
            ],
            fails: [
                {
                    when: "a prod pipeline approves versions itself",
                    set: { pipelineDefinition: definition("Approved") },
                    problems: ["step Register registers versions as Approved, not PendingManualApproval"],
                },
            ],
            unknown: { pipelineDefinition: 0 },
        });
    });

    describe("data pipelines and streams", () => {
        const KEY = "arn:aws:kms:us-east-1:123456789012:key/k";
        describeRule({
            rule: pl.pipelineEncryption,
            golden: () => [
                one("dlq", pl.PIPELINE_TYPES.queue, { kmsMasterKeyId: KEY }),
                one("stream", pl.PIPELINE_TYPES.firehose, {
                    destination: "extended_s3",
                    serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY },
                    extendedS3Configuration: { bucketArn: "arn:aws:s3:::raw", kmsKeyArn: KEY },
                }),
                one("job", pl.PIPELINE_TYPES.glueJob, { securityConfiguration: "mlops-prod-pipelines" }),
                {
                    name: "security",
                    type: pl.PIPELINE_TYPES.glueSecurity,
                    props: {
                        encryptionConfiguration: {
                            s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
                            cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: KEY },
                            jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: KEY },
                        },
                    },
                },
                { name: "schedule", type: pl.PIPELINE_TYPES.schedule, props: { kmsKeyArn: KEY } },
            ],
            fails: [
                {
                    when: "a dead-letter queue has no customer key (SSE-SQS only)",
                    set: { "dlq:kmsMasterKeyId": undefined, "dlq:sqsManagedSseEnabled": true },
                    problems: ["kmsMasterKeyId is not set: the queue is not encrypted with a customer-managed key"],
                    on: "dlq",
                },
                {
                    when: "a Firehose stream uses an AWS-owned key and writes objects without the key",
                    set: { "stream:serverSideEncryption.keyType": "AWS_OWNED_CMK", "stream:extendedS3Configuration.kmsKeyArn": undefined },
                    problems: [
                        "serverSideEncryption is not enabled with a CUSTOMER_MANAGED_CMK key",
                        "extendedS3Configuration.kmsKeyArn is not set: delivered objects are not encrypted with the key",
                    ],
                    on: "stream",
                },
                {
                    when: "a Glue job has no security configuration",
                    set: { "job:securityConfiguration": undefined },
                    problems: ["securityConfiguration is not set: the job's output, logs and bookmarks are not encrypted with the key"],
                    on: "job",
                },
                {
                    when: "a Glue security configuration leaves logs and bookmarks unencrypted",
                    set: {
                        "security:encryptionConfiguration.cloudwatchEncryption.cloudwatchEncryptionMode": "DISABLED",
                        "security:encryptionConfiguration.jobBookmarksEncryption.jobBookmarksEncryptionMode": "DISABLED",
                    },
                    problems: ["cloudwatchEncryption is not SSE-KMS", "jobBookmarksEncryption is not CSE-KMS"],
                    on: "security",
                },
                {
                    when: "a schedule has no key",
                    set: { "schedule:kmsKeyArn": undefined },
                    problems: ["kmsKeyArn is not set: the schedule's target input is encrypted with an AWS-owned key"],
                    on: "schedule",
                },
            ],
            unknown: { "dlq:kmsMasterKeyId": 0 },
        });

        const on = { enabled: true, logLevel: "INFO" };
        describeRule({
            rule: pl.airflowPrivateEncrypted,
            golden: () => [
                one("airflow", "aws:mwaa/environment:Environment", {
                    environmentClass: "mw1.micro",
                    webserverAccessMode: "PRIVATE_ONLY",
                    kmsKey: KEY,
                    loggingConfiguration: { dagProcessingLogs: on, schedulerLogs: on, taskLogs: on, webserverLogs: on, workerLogs: on },
                }),
            ],
            fails: [
                {
                    when: "the Airflow UI is public",
                    set: { webserverAccessMode: "PUBLIC_ONLY" },
                    problems: ["webserverAccessMode is PUBLIC_ONLY, not PRIVATE_ONLY: the Airflow UI is reachable from the internet"],
                },
                {
                    when: "the environment uses the AWS-owned key",
                    set: { kmsKey: undefined },
                    problems: ["kmsKey is not set: the environment is encrypted with an AWS-owned key"],
                },
                {
                    when: "scheduler and worker logs are off",
                    set: { "loggingConfiguration.schedulerLogs.enabled": false, "loggingConfiguration.workerLogs": undefined },
                    problems: ["loggingConfiguration does not enable schedulerLogs, workerLogs"],
                },
            ],
            unknown: { kmsKey: 0 },
        });

        const scoped = f.document(
            {
                Sid: "ListSource",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: "arn:aws:s3:::raw",
                Condition: { StringLike: { "s3:prefix": ["iris/", "iris/*"] } },
            },
            { Sid: "ReadSource", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::raw/iris/*" },
            { Sid: "ReadWriteTarget", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::curated/iris/*" },
        );
        describeRule({
            rule: pl.pipelineIdentityScoped,
            golden: () => [
                {
                    name: "task",
                    type: AWS.iamRole,
                    props: {
                        assumeRolePolicy: f.document({
                            Effect: "Allow",
                            Principal: { Service: "ecs-tasks.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        }),
                        inlinePolicies: [{ name: "lake-prefixes", policy: scoped }],
                        tags: { ...tags, "mlops-pipeline": "iris-etl" },
                    },
                },
            ],
            passes: [
                {
                    when: "a role that is not a pipeline's grants broader S3 access (other rules judge it)",
                    set: {
                        "tags.mlops-pipeline": undefined,
                        "inlinePolicies.0.policy": f.document({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
                    },
                },
            ],
            fails: [
                {
                    when: "a pipeline role reads every bucket",
                    set: {
                        "inlinePolicies.0.policy": f.document({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" }),
                    },
                    problems: ["inline policy lake-prefixes statement 0 grants S3 on arn:aws:s3:::*/*"],
                },
                {
                    when: "a pipeline role allows s3:* on its prefix",
                    set: {
                        "inlinePolicies.0.policy": f.document({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::raw/iris/*" }),
                    },
                    problems: ["inline policy lake-prefixes statement 0 allows s3:*"],
                },
                {
                    when: "a pipeline role lists a bucket without a prefix condition",
                    set: {
                        "inlinePolicies.0.policy": f.document({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::raw" }),
                    },
                    problems: ["inline policy lake-prefixes statement 0 lists the bucket without an s3:prefix condition"],
                },
            ],
            unknown: { "inlinePolicies.0.policy": 0 },
        });
    });
});
