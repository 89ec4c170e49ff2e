/** GCP rules: storage, BigQuery, IAM, keys, audit logs, Artifact Registry, Cloud Run v2, Functions, Vertex AI, Workbench. */
import * as iam from "../../policy/rules/gcp/iam-keys";
import * as mon from "../../policy/rules/gcp/monitoring";
import * as pl from "../../policy/rules/gcp/pipelines";
import * as srv from "../../policy/rules/gcp/serving";
import * as st from "../../policy/rules/gcp/storage";
import * as tr from "../../policy/rules/gcp/training";
import { GCP } from "../../policy/rules/gcp/types";
import * as vx from "../../policy/rules/gcp/vertex";
import { TrainingSpec } from "../../components/training-pipeline/contract";
import { driftSignal, launchWorkflow, pipelineSpec, SpecContext } from "../../components/training-pipeline/gcp-spec";
import { failedArrivalsSignal, failedRunsSignal } from "../../components/data-pipeline/gcp-run";
import { signalsCondition } from "../../components/observability/gcp-conditions";
import { describeRule, messageOf, mutate, Res, run as runRule, UNKNOWN, urnOf } from "./harness";
import * as assert from "node:assert/strict";

const KEY = "projects/p/locations/europe-west4/keyRings/mlops/cryptoKeys/lake";
const labels = { "mlops-environment": "prod" };
const res = (name: string, type: string, props: Record<string, any>, extra: Partial<Res> = {}): Res => ({ name, type, props, ...extra });

const bucket = (name = "raw", logTo: string | undefined = "logs"): Res =>
    res(
        name,
        GCP.bucket,
        {
            location: "EU",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            encryption: { defaultKmsKeyName: KEY },
            softDeletePolicy: { retentionDurationSeconds: 604800 },
            ...(logTo ? { logging: { logBucket: `mlops-prod-${logTo}` } } : {}),
            labels,
        },
        logTo ? { deps: { logging: [logTo] } } : {},
    );
const member = (type: string, props: Record<string, any>) => res("member", type, props);
const run = () =>
    res("run", GCP.runService, {
        location: "europe-west4",
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        invokerIamDisabled: false,
        deletionProtection: true,
        labels,
        template: {
            serviceAccount: "serving-iris@p.iam.gserviceaccount.com",
            timeout: "300s",
            scaling: { minInstanceCount: 2, maxInstanceCount: 4 },
            containers: [
                {
                    name: "model",
                    image: "europe-docker.pkg.dev/p/serving/iris:1.4.2",
                    startupProbe: { httpGet: { path: "/healthz" } },
                    livenessProbe: { httpGet: { path: "/healthz" } },
                },
            ],
        },
    });
const registry = () =>
    res("registry", GCP.registry, {
        repositoryId: "serving",
        format: "DOCKER",
        kmsKeyName: KEY,
        dockerConfig: { immutableTags: true },
        cleanupPolicies: [{ id: "untagged", action: "DELETE" }],
        labels,
    });
const workbench = () =>
    res("workbench", GCP.workbench, {
        location: "europe-west4-a",
        labels,
        gceSetup: {
            machineType: "g2-standard-8",
            disablePublicIp: true,
            shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
            bootDisk: { diskEncryption: "CMEK", kmsKey: KEY },
            dataDisks: { diskEncryption: "CMEK", kmsKey: KEY },
        },
    });
const audit = (service: string) =>
    res(`audit-${service.split(".")[0]}`, GCP.projectAuditConfig, {
        project: "p",
        service,
        auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
    });

describe("gcp rules", () => {
    describe("Cloud Storage and BigQuery", () => {
        describeRule({
            rule: st.uniformAccess,
            golden: () => [bucket()],
            fails: [
                {
                    when: "uniform access is off",
                    set: { uniformBucketLevelAccess: false },
                    problems: ["uniformBucketLevelAccess is not true"],
                },
                {
                    when: "uniform access is missing",
                    set: { uniformBucketLevelAccess: undefined },
                    problems: ["uniformBucketLevelAccess is not true"],
                },
            ],
            unknown: { uniformBucketLevelAccess: 0 },
        });

        describeRule({
            rule: st.publicAccessPrevention,
            golden: () => [bucket()],
            fails: [
                {
                    when: "prevention is inherited",
                    set: { publicAccessPrevention: "inherited" },
                    problems: ["publicAccessPrevention is inherited, not enforced"],
                },
                {
                    when: "prevention is missing",
                    set: { publicAccessPrevention: undefined },
                    problems: ["publicAccessPrevention is inherited (default), not enforced"],
                },
            ],
            unknown: { publicAccessPrevention: 0 },
        });

        describeRule({
            rule: st.bucketNotPublic,
            golden: () => [
                member(GCP.bucketIamMember, {
                    bucket: "b",
                    role: "roles/storage.objectViewer",
                    member: "serviceAccount:reader@p.iam.gserviceaccount.com",
                }),
            ],
            fails: [
                { when: "allUsers can read", set: { member: "allUsers" }, problems: ["grants roles/storage.objectViewer to allUsers"] },
                {
                    when: "a binding includes allAuthenticatedUsers",
                    drop: ["member"],
                    add: [
                        res("binding", GCP.bucketIamBinding, {
                            bucket: "b",
                            role: "roles/storage.objectViewer",
                            members: ["group:ml@example.com", "allAuthenticatedUsers"],
                        }),
                    ],
                    problems: ["grants roles/storage.objectViewer to allAuthenticatedUsers"],
                    on: "binding",
                },
            ],
            unknown: { member: 0 },
        });

        describeRule({
            rule: st.bucketVersioning,
            golden: () => [bucket()],
            fails: [
                { when: "versioning is off", set: { "versioning.enabled": false }, problems: ["versioning.enabled is not true"] },
                { when: "versioning is missing", set: { versioning: undefined }, problems: ["versioning.enabled is not true"] },
            ],
            unknown: { versioning: 0 },
        });

        describeRule({
            rule: st.bucketSoftDelete,
            golden: () => [bucket()],
            passes: [{ when: "the soft-delete policy is left at the platform default", set: { softDeletePolicy: undefined } }],
            fails: [
                {
                    when: "soft delete is turned off",
                    set: { "softDeletePolicy.retentionDurationSeconds": 0 },
                    problems: ["softDeletePolicy.retentionDurationSeconds is 0 (soft delete off)"],
                },
            ],
            unknown: { softDeletePolicy: 0 },
        });

        describeRule({
            rule: st.bucketCmek,
            golden: () => [bucket()],
            fails: [{ when: "no CMEK is set", set: { encryption: undefined }, problems: ["encryption.defaultKmsKeyName is not set"] }],
            unknown: { encryption: 0 },
        });

        describeRule({
            rule: st.bucketAccessLogging,
            golden: () => [bucket(), bucket("logs", undefined)],
            passes: [
                {
                    when: "the log bucket name is reached through an IAM binding on it",
                    drop: ["raw"],
                    add: [
                        res(
                            "writer",
                            GCP.bucketIamMember,
                            {
                                bucket: "mlops-prod-logs",
                                role: "roles/storage.objectCreator",
                                member: "group:cloud-storage-analytics@google.com",
                            },
                            { deps: { bucket: ["logs"] } },
                        ),
                        { ...bucket(), deps: { logging: ["writer"] } },
                    ],
                },
            ],
            fails: [
                {
                    when: "a bucket writes no usage logs",
                    set: { logging: undefined },
                    add: [bucket("curated")],
                    problems: ["logging.logBucket is not set"],
                },
                {
                    when: "a bucket logs to itself",
                    set: { name: "mlops-prod-raw", "logging.logBucket": "mlops-prod-raw" },
                    add: [bucket("curated")],
                    problems: ["the bucket logs to itself"],
                },
            ],
            unknown: { logging: 0 },
        });

        const dataset = () =>
            res("dataset", GCP.dataset, {
                datasetId: "raw",
                defaultEncryptionConfiguration: { kmsKeyName: KEY },
                accesses: [
                    { role: "OWNER", specialGroup: "projectOwners" },
                    { role: "READER", userByEmail: "reader@p.iam.gserviceaccount.com" },
                ],
                labels,
            });

        describeRule({
            rule: st.datasetNotPublic,
            golden: () => [dataset()],
            fails: [
                {
                    when: "an access entry opens it to allUsers",
                    set: { "accesses.1": { role: "READER", iamMember: "allUsers" } },
                    problems: ["access entry grants READER to allUsers"],
                },
                {
                    when: "an access entry opens it to allAuthenticatedUsers",
                    set: { "accesses.1": { role: "READER", specialGroup: "allAuthenticatedUsers" } },
                    problems: ["access entry grants READER to allAuthenticatedUsers"],
                },
                {
                    when: "dataset IAM grants allUsers",
                    add: [
                        res("dataset-member", GCP.datasetIamMember, {
                            datasetId: "raw",
                            role: "roles/bigquery.dataViewer",
                            member: "allUsers",
                        }),
                    ],
                    problems: ["grants roles/bigquery.dataViewer to allUsers"],
                    on: "dataset-member",
                },
            ],
            unknown: { accesses: 0 },
        });

        describeRule({
            rule: st.datasetCmek,
            golden: () => [dataset()],
            fails: [
                {
                    when: "no default CMEK is set",
                    set: { defaultEncryptionConfiguration: undefined },
                    problems: ["defaultEncryptionConfiguration.kmsKeyName is not set"],
                },
            ],
            unknown: { defaultEncryptionConfiguration: 0 },
        });

        describeRule({
            rule: st.tableDeletionProtection,
            golden: () => [res("table", GCP.table, { datasetId: "raw", tableId: "events", deletionProtection: true })],
            passes: [{ when: "deletion protection is left at its default (true)", set: { deletionProtection: undefined } }],
            fails: [{ when: "deletion protection is off", set: { deletionProtection: false }, problems: ["deletionProtection is false"] }],
            unknown: { deletionProtection: 0 },
        });
    });

    describe("IAM, keys and audit logs", () => {
        const grant = () =>
            member(GCP.projectIamMember, {
                project: "p",
                role: "roles/aiplatform.user",
                member: "serviceAccount:trainer@p.iam.gserviceaccount.com",
            });

        describeRule({
            rule: iam.noBasicRoles,
            golden: () => [grant()],
            passes: [
                {
                    when: "a person gets an admin role (the rule targets service accounts)",
                    set: { role: "roles/aiplatform.admin", member: "group:ml-admins@example.com" },
                },
            ],
            fails: [
                { when: "Editor is granted", set: { role: "roles/editor" }, problems: ["grants the basic role roles/editor"] },
                {
                    when: "Owner is granted through a binding",
                    drop: ["member"],
                    add: [res("binding", GCP.projectIamBinding, { project: "p", role: "roles/owner", members: ["group:ml@example.com"] })],
                    problems: ["grants the basic role roles/owner"],
                    on: "binding",
                },
                {
                    when: "a service account gets an admin role",
                    set: { role: "roles/storage.admin" },
                    problems: ["grants the admin role roles/storage.admin to serviceAccount:trainer@p.iam.gserviceaccount.com"],
                },
            ],
            unknown: { role: 0 },
        });

        describeRule({
            rule: iam.noProjectImpersonation,
            golden: () => [grant()],
            fails: [
                {
                    when: "Service Account User is granted on the project",
                    set: { role: "roles/iam.serviceAccountUser" },
                    problems: ["grants roles/iam.serviceAccountUser on the whole project"],
                },
                {
                    when: "Token Creator is granted on the project",
                    set: { role: "roles/iam.serviceAccountTokenCreator" },
                    problems: ["grants roles/iam.serviceAccountTokenCreator on the whole project"],
                },
            ],
            unknown: { role: 0 },
        });

        describeRule({
            rule: iam.noDefaultServiceAccount,
            golden: () => [grant()],
            fails: [
                {
                    when: "the Compute Engine default account gets a role",
                    set: { member: "serviceAccount:123456789-compute@developer.gserviceaccount.com" },
                    problems: [
                        "grants roles/aiplatform.user to the default service account serviceAccount:123456789-compute@developer.gserviceaccount.com",
                    ],
                },
            ],
            unknown: { member: 0 },
        });

        describeRule({
            rule: iam.noServiceAccountKeys,
            golden: () => [grant()],
            fails: [
                {
                    when: "a service account key is created",
                    add: [res("key", GCP.serviceAccountKey, { serviceAccountId: "trainer" })],
                    problems: ["creates a user-managed service account key"],
                    on: "key",
                },
            ],
            unknown: "reads no input",
        });

        describeRule({
            rule: iam.kmsRotation,
            golden: () => [res("key", GCP.cryptoKey, { keyRing: "ring", rotationPeriod: "7776000s", labels })],
            passes: [{ when: "an asymmetric signing key has no rotation", set: { purpose: "ASYMMETRIC_SIGN", rotationPeriod: undefined } }],
            fails: [
                {
                    when: "rotation is yearly",
                    set: { rotationPeriod: "31536000s" },
                    problems: ["rotationPeriod 31536000s is longer than 90 days (7776000s)"],
                },
                { when: "rotation is missing", set: { rotationPeriod: undefined }, problems: ["rotationPeriod is not set"] },
            ],
            unknown: { rotationPeriod: 0 },
        });

        describeRule({
            rule: iam.dataAccessAuditLogs,
            golden: () => [
                bucket("raw", undefined),
                res("dataset", GCP.dataset, { datasetId: "raw" }),
                audit("storage.googleapis.com"),
                audit("bigquery.googleapis.com"),
            ],
            passes: [
                {
                    when: "one allServices config covers everything",
                    drop: ["audit-storage", "audit-bigquery"],
                    add: [audit("allServices")],
                },
            ],
            fails: [
                {
                    when: "Cloud Storage has no Data Access logs",
                    drop: ["audit-storage"],
                    problems: ["Data Access audit logs (DATA_READ, DATA_WRITE) are not on for storage.googleapis.com"],
                    on: null,
                },
                {
                    when: "BigQuery logs admin reads only",
                    set: { "audit-bigquery:auditLogConfigs": [{ logType: "ADMIN_READ" }] },
                    problems: ["Data Access audit logs (DATA_READ, DATA_WRITE) are not on for bigquery.googleapis.com"],
                    on: null,
                },
                {
                    when: "DATA_READ exempts a member",
                    set: { "audit-storage:auditLogConfigs.1.exemptedMembers": ["user:me@example.com"] },
                    problems: ["Data Access audit logs (DATA_READ, DATA_WRITE) are not on for storage.googleapis.com"],
                    on: null,
                },
                {
                    when: "a Vertex endpoint exists without Vertex audit logs",
                    add: [res("endpoint", GCP.vertexEndpoint, { displayName: "iris", location: "europe-west4" })],
                    problems: ["Data Access audit logs (DATA_READ, DATA_WRITE) are not on for aiplatform.googleapis.com"],
                    on: null,
                },
            ],
            unknown: { "audit-storage:auditLogConfigs": 0 },
        });

        describeRule({
            rule: iam.logBucketRetention,
            golden: () => [res("log-bucket", GCP.logBucket, { bucketId: "audit", location: "global", project: "p", retentionDays: 365 })],
            fails: [{ when: "retention is missing", set: { retentionDays: undefined }, problems: ["retentionDays is not set"] }],
            unknown: { retentionDays: 0 },
        });
    });

    describe("Artifact Registry, Cloud Run v2, Cloud Functions", () => {
        describeRule({
            rule: srv.registryCmek,
            golden: () => [registry()],
            fails: [{ when: "no CMEK is set", set: { kmsKeyName: undefined }, problems: ["kmsKeyName is not set"] }],
            unknown: { kmsKeyName: 0 },
        });

        describeRule({
            rule: srv.registryImmutableTags,
            golden: () => [registry()],
            passes: [
                {
                    when: "the repository is a remote (pull-through) repository",
                    set: { mode: "REMOTE_REPOSITORY", dockerConfig: undefined },
                },
            ],
            fails: [
                {
                    when: "tags are mutable",
                    set: { "dockerConfig.immutableTags": false },
                    problems: ["dockerConfig.immutableTags is not true"],
                },
                { when: "dockerConfig is missing", set: { dockerConfig: undefined }, problems: ["dockerConfig.immutableTags is not true"] },
            ],
            unknown: { dockerConfig: 0 },
        });

        describeRule({
            rule: srv.registryNotPublic,
            golden: () => [
                member(GCP.registryIamMember, {
                    repository: "serving",
                    role: "roles/artifactregistry.reader",
                    member: "serviceAccount:serving@p.iam.gserviceaccount.com",
                }),
            ],
            fails: [
                { when: "allUsers can pull", set: { member: "allUsers" }, problems: ["grants roles/artifactregistry.reader to allUsers"] },
            ],
            unknown: { member: 0 },
        });

        describeRule({
            rule: srv.registryCleanup,
            golden: () => [registry()],
            fails: [{ when: "there are no cleanup policies", set: { cleanupPolicies: undefined }, problems: ["no cleanupPolicies"] }],
            unknown: { cleanupPolicies: 0 },
        });

        describeRule({
            rule: srv.runInternalIngress,
            golden: () => [run()],
            passes: [{ when: "ingress is internal plus the load balancer", set: { ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" } }],
            fails: [
                { when: "ingress is all", set: { ingress: "INGRESS_TRAFFIC_ALL" }, problems: ["ingress is INGRESS_TRAFFIC_ALL"] },
                { when: "ingress is missing", set: { ingress: undefined }, problems: ["ingress is INGRESS_TRAFFIC_ALL (default)"] },
            ],
            unknown: { ingress: 0 },
        });

        describeRule({
            rule: srv.runNotPublic,
            golden: () => [
                run(),
                res("invoker", GCP.runIamMember, { name: "iris", role: "roles/run.invoker", member: "group:ml-clients@example.com" }),
            ],
            fails: [
                {
                    when: "allUsers may invoke",
                    set: { "invoker:member": "allUsers" },
                    problems: ["grants roles/run.invoker to allUsers"],
                    on: "invoker",
                },
                {
                    when: "the invoker IAM check is off",
                    set: { invokerIamDisabled: true },
                    problems: ["invokerIamDisabled is true (anyone can invoke)"],
                },
            ],
            unknown: { invokerIamDisabled: 0 },
        });

        describeRule({
            rule: srv.runServiceAccount,
            golden: () => [run()],
            fails: [
                {
                    when: "no service account is set",
                    set: { "template.serviceAccount": undefined },
                    problems: ["template.serviceAccount is not set (the default Compute Engine service account runs it)"],
                },
                {
                    when: "the default Compute Engine account is set",
                    set: { "template.serviceAccount": "123-compute@developer.gserviceaccount.com" },
                    problems: ["template.serviceAccount is the default Compute Engine service account"],
                },
            ],
            unknown: { "template.serviceAccount": 0 },
        });

        describeRule({
            rule: srv.runProbes,
            golden: () => [run()],
            fails: [
                {
                    when: "the startup probe is missing",
                    set: { "template.containers.0.startupProbe": undefined },
                    problems: ["container model has no startupProbe"],
                },
                {
                    when: "the liveness probe is missing",
                    set: { "template.containers.0.livenessProbe": undefined },
                    problems: ["container model has no livenessProbe"],
                },
            ],
            unknown: { "template.containers": 0 },
        });

        describeRule({
            rule: srv.runBoundedScaling,
            golden: () => [run()],
            fails: [
                {
                    when: "max instances are missing",
                    set: { "template.scaling.maxInstanceCount": undefined },
                    problems: ["maxInstanceCount is not set"],
                },
                {
                    when: "the timeout is missing",
                    set: { "template.timeout": undefined },
                    problems: ["template.timeout is not set (defaults to 300s)"],
                },
            ],
            unknown: { "template.scaling": 0 },
        });

        describeRule({
            rule: srv.runDeletionProtection,
            golden: () => [run()],
            passes: [{ when: "deletion protection is left at the provider default", set: { deletionProtection: undefined } }],
            fails: [{ when: "deletion protection is off", set: { deletionProtection: false }, problems: ["deletionProtection is false"] }],
            unknown: { deletionProtection: 0 },
        });

        const fn = () =>
            res("fn", GCP.function, {
                location: "europe-west4",
                serviceConfig: { ingressSettings: "ALLOW_INTERNAL_ONLY", maxInstanceCount: 3 },
                labels,
            });

        describeRule({
            rule: srv.functionIngress,
            golden: () => [fn()],
            passes: [
                { when: "ingress is internal plus the load balancer", set: { "serviceConfig.ingressSettings": "ALLOW_INTERNAL_AND_GCLB" } },
            ],
            fails: [
                {
                    when: "ingress allows all",
                    set: { "serviceConfig.ingressSettings": "ALLOW_ALL" },
                    problems: ["serviceConfig.ingressSettings is ALLOW_ALL"],
                },
                {
                    when: "ingress is missing",
                    set: { "serviceConfig.ingressSettings": undefined },
                    problems: ["serviceConfig.ingressSettings is ALLOW_ALL (default)"],
                },
            ],
            unknown: { serviceConfig: 0 },
        });

        describeRule({
            rule: srv.functionNotPublic,
            golden: () => [
                member(GCP.functionIamMember, {
                    cloudFunction: "iris",
                    role: "roles/cloudfunctions.invoker",
                    member: "group:ml-clients@example.com",
                }),
            ],
            fails: [
                { when: "allUsers may invoke", set: { member: "allUsers" }, problems: ["grants roles/cloudfunctions.invoker to allUsers"] },
            ],
            unknown: { member: 0 },
        });
    });

    describe("Vertex AI and Workbench", () => {
        const endpoint = () =>
            res("endpoint", GCP.vertexEndpoint, {
                displayName: "iris",
                location: "europe-west4",
                encryptionSpec: { kmsKeyName: KEY },
                network: "projects/1/global/networks/mlops",
                labels,
            });

        describeRule({
            rule: vx.vertexCmek,
            golden: () => [
                endpoint(),
                res("tensorboard", GCP.vertexTensorboard, { displayName: "tb", encryptionSpec: { kmsKeyName: KEY } }),
            ],
            fails: [
                {
                    when: "the endpoint has no CMEK",
                    set: { encryptionSpec: undefined },
                    problems: ["encryptionSpec.kmsKeyName is not set"],
                },
                {
                    when: "the TensorBoard has no CMEK",
                    set: { "tensorboard:encryptionSpec": {} },
                    problems: ["encryptionSpec.kmsKeyName is not set"],
                    on: "tensorboard",
                },
            ],
            unknown: { encryptionSpec: 0 },
        });

        describeRule({
            rule: vx.vertexDefaultMetadataStore,
            golden: () => [
                res("tensorboard", GCP.vertexTensorboard, { displayName: "tb", encryptionSpec: { kmsKeyName: KEY } }),
                res("lineage", GCP.vertexMetadataStore, {
                    name: "mlops-lineage",
                    region: "europe-west4",
                    encryptionSpec: { kmsKeyName: KEY },
                }),
            ],
            passes: [{ when: "the stack references `default` and creates no store", drop: ["lineage"] }],
            fails: [
                {
                    when: "the stack creates the `default` store",
                    set: { "lineage:name": "default" },
                    problems: ["creates the `default` metadata store, which Vertex AI creates itself on first use"],
                    on: "lineage",
                },
            ],
            unknown: { "lineage:name": 0 },
        });

        describeRule({
            rule: vx.vertexEndpointPrivate,
            golden: () => [endpoint()],
            passes: [
                {
                    when: "Private Service Connect is on",
                    set: { network: undefined, privateServiceConnectConfig: { enablePrivateServiceConnect: true } },
                },
            ],
            fails: [
                {
                    when: "the endpoint is public",
                    set: { network: undefined },
                    problems: ["the endpoint is public (no network, no Private Service Connect)"],
                },
            ],
            unknown: { network: 0 },
        });

        describeRule({
            rule: vx.vertexReplicas,
            golden: () => [
                res("pool", GCP.vertexResourcePool, {
                    name: "iris",
                    region: "europe-west4",
                    dedicatedResources: { machineSpec: { machineType: "g2-standard-8" }, minReplicaCount: 2, maxReplicaCount: 4 },
                }),
            ],
            fails: [
                {
                    when: "one replica is kept",
                    set: { "dedicatedResources.minReplicaCount": 1 },
                    problems: ["minReplicaCount is 1, below 2"],
                },
                {
                    when: "scale-out is unbounded",
                    set: { "dedicatedResources.maxReplicaCount": undefined },
                    problems: ["maxReplicaCount is not set"],
                },
                { when: "dedicated resources are missing", set: { dedicatedResources: undefined }, problems: ["no dedicatedResources"] },
                {
                    when: "a Model Garden endpoint keeps one replica",
                    drop: ["pool"],
                    add: [
                        res("garden", GCP.vertexModelGardenEndpoint, {
                            location: "europe-west4",
                            deployConfig: { dedicatedResources: { machineSpec: {}, minReplicaCount: 1, maxReplicaCount: 2 } },
                        }),
                    ],
                    problems: ["minReplicaCount is 1, below 2"],
                    on: "garden",
                },
            ],
            unknown: { dedicatedResources: 0 },
        });

        describeRule({
            rule: vx.workbenchNoPublicIp,
            golden: () => [workbench()],
            fails: [
                {
                    when: "the instance gets a public IP",
                    set: { "gceSetup.disablePublicIp": undefined },
                    problems: ["gceSetup.disablePublicIp is not true"],
                },
            ],
            unknown: { gceSetup: 0 },
        });

        describeRule({
            rule: vx.workbenchShieldedVm,
            golden: () => [workbench()],
            fails: [
                {
                    when: "secure boot is off",
                    set: { "gceSetup.shieldedInstanceConfig.enableSecureBoot": false },
                    problems: ["gceSetup.shieldedInstanceConfig.enableSecureBoot is not true"],
                },
                {
                    when: "the shielded VM config is missing",
                    set: { "gceSetup.shieldedInstanceConfig": undefined },
                    problems: [
                        "gceSetup.shieldedInstanceConfig.enableSecureBoot is not true",
                        "gceSetup.shieldedInstanceConfig.enableVtpm is not true",
                        "gceSetup.shieldedInstanceConfig.enableIntegrityMonitoring is not true",
                    ],
                },
            ],
            unknown: { gceSetup: 0 },
        });

        describeRule({
            rule: vx.workbenchCmek,
            golden: () => [workbench()],
            fails: [
                {
                    when: "the boot disk uses a Google-managed key",
                    set: { "gceSetup.bootDisk.diskEncryption": "GMEK" },
                    problems: ["gceSetup.bootDisk is not encrypted with a customer-managed key"],
                },
                {
                    when: "the data disk is not configured",
                    set: { "gceSetup.dataDisks": undefined },
                    problems: ["gceSetup.dataDisks is not encrypted with a customer-managed key"],
                },
            ],
            unknown: { gceSetup: 0 },
        });
    });

    describe("Cloud Monitoring", () => {
        const channel = "projects/p/notificationChannels/123";
        const policy = (name: string, channels: string[]) =>
            res(name, GCP.alertPolicy, {
                displayName: `mlops-gcp-prod ${name}`,
                combiner: "OR",
                conditions: [{ displayName: "errors", conditionThreshold: { thresholdValue: 0.05 } }],
                notificationChannels: channels,
            });

        describeRule({
            rule: mon.alertPolicyNotifies,
            golden: () => [policy("errors", [channel]), policy("latency", [channel, "projects/p/notificationChannels/456"])],
            fails: [
                {
                    when: "an alert policy has no channel",
                    set: { notificationChannels: [] },
                    problems: ["notificationChannels is empty (the alert notifies nobody)"],
                },
                {
                    when: "notificationChannels is missing",
                    set: { "latency:notificationChannels": undefined },
                    problems: ["notificationChannels is empty (the alert notifies nobody)"],
                    on: "latency",
                },
            ],
            unknown: { notificationChannels: 0 },
        });
    });

    describe("Cloud Monitoring conditions", () => {
        const perService = [
            {
                alignmentPeriod: "300s",
                perSeriesAligner: "ALIGN_RATE",
                crossSeriesReducer: "REDUCE_SUM",
                groupByFields: ["resource.label.service_name"],
            },
        ];
        const services =
            'resource.type = "cloud_run_revision" AND resource.labels.service_name = monitoring.regex.full_match("mlops-gcp-prod-fn-iris|mlops-gcp-prod-serve-iris")';
        const errors = () =>
            res("errors", GCP.alertPolicy, {
                conditions: [
                    {
                        displayName: "Cloud Run services: error rate above 5%",
                        conditionThreshold: {
                            filter: `${services} AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"`,
                            aggregations: perService,
                            thresholdValue: 0.05,
                        },
                    },
                ],
                notificationChannels: ["projects/p/notificationChannels/1"],
            });
        // The data pipelines' and drift jobs' one PromQL condition, built by the components' own signal builders.
        const loop = () =>
            res("loop", GCP.alertPolicy, {
                conditions: [
                    signalsCondition("loop", [
                        failedRunsSignal(["mlops-gcp-prod-pl-iris-etl"]),
                        failedArrivalsSignal(["mlops-gcp-prod-pl-a-arrival", "mlops-gcp-prod-pl-b-arrival"]),
                        driftSignal("mlops-gcp-prod-drifted-features"),
                    ]),
                ],
                notificationChannels: ["projects/p/notificationChannels/1"],
            });
        const loopQuery = () => loop().props.conditions[0].conditionPrometheusQueryLanguage.query as string;

        describeRule({
            rule: mon.alertConditionScoped,
            golden: () => [errors(), loop()],
            passes: [
                {
                    when: "the condition names one service by equality",
                    set: {
                        "conditions.0.conditionThreshold.filter":
                            'resource.type = "cloud_run_revision" AND resource.labels.service_name = "mlops-gcp-prod-serve-iris" AND metric.type = "run.googleapis.com/request_count"',
                    },
                },
                {
                    when: "a condition is not a threshold condition",
                    set: { "conditions.0": { displayName: "absent", conditionAbsent: {} } },
                },
            ],
            fails: [
                {
                    when: "the condition matches the services by a prefix another stack shares",
                    set: {
                        "conditions.0.conditionThreshold.filter":
                            'resource.type = "cloud_run_revision" AND resource.labels.service_name = starts_with("mlops-gcp-prod-") AND metric.type = "run.googleapis.com/request_count"',
                    },
                    problems: ["conditions[0] matches resources by a pattern (another stack in the project would match it)"],
                },
                {
                    when: "the condition matches by a wildcard regular expression",
                    set: {
                        "conditions.0.conditionThreshold.filter":
                            'resource.type = "cloud_run_revision" AND resource.labels.service_name = monitoring.regex.full_match("mlops-gcp-prod-.*") AND metric.type = "run.googleapis.com/request_count"',
                    },
                    problems: ["conditions[0] matches resources by a pattern (another stack in the project would match it)"],
                },
                {
                    when: "the condition names no resource (every Cloud Run service of the project)",
                    set: {
                        "conditions.0.conditionThreshold.filter":
                            'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_count"',
                    },
                    problems: ["conditions[0] names no resource (it watches every resource of its type in the project)"],
                },
                {
                    when: "the condition does not group by a label (one incident for every service)",
                    set: {
                        "conditions.0.conditionThreshold.aggregations": [
                            { alignmentPeriod: "300s", perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM" },
                        ],
                    },
                    problems: ["conditions[0] does not group by a label (one incident for all the resources it watches)"],
                },
                {
                    when: "a branch of the PromQL condition matches the jobs by a wildcard",
                    set: {
                        "loop:conditions.0.conditionPrometheusQueryLanguage.query": loopQuery().replace(
                            'job_name="mlops-gcp-prod-pl-iris-etl"',
                            'job_name=~"mlops-gcp-prod-.*"',
                        ),
                    },
                    problems: ["conditions[0] (branch 1) matches resources by a pattern (another stack in the project would match it)"],
                    on: "loop",
                },
                {
                    when: "a branch of the PromQL condition names no workflow",
                    set: {
                        "loop:conditions.0.conditionPrometheusQueryLanguage.query": loopQuery().replace(
                            'workflow_id=~"mlops-gcp-prod-pl-a-arrival|mlops-gcp-prod-pl-b-arrival", ',
                            "",
                        ),
                    },
                    problems: ["conditions[0] (branch 2) names no resource (it watches every resource of its type in the project)"],
                    on: "loop",
                },
                {
                    when: "the drift branch sums every model into one series",
                    set: { "loop:conditions.0.conditionPrometheusQueryLanguage.query": loopQuery().replace("sum by (model) ", "sum ") },
                    problems: ["conditions[0] (branch 3) does not group by a label (one incident for all the resources it watches)"],
                    on: "loop",
                },
            ],
            unknown: { "conditions.0.conditionThreshold.filter": 0 },
        });
    });

    describe("Data pipelines", () => {
        const SA = "mlops-gcp-prod-pl-iris-etl@p.iam.gserviceaccount.com";
        const PKEY = "projects/p/locations/europe-west4/keyRings/pipelines/cryptoKeys/pipelines";
        const job = () =>
            res("job", GCP.runJob, {
                location: "europe-west4",
                labels,
                template: {
                    template: { serviceAccount: SA, encryptionKey: PKEY, containers: [{ image: "python:3.12.12-slim-bookworm" }] },
                },
            });
        const topic = () => res("dlq", GCP.topic, { name: "mlops-gcp-prod-pl-iris-etl-dlq", kmsKeyName: PKEY, labels });
        const workflow = () => res("arrival", GCP.workflow, { name: "mlops-gcp-prod-pl-iris-etl-arrival", cryptoKeyName: PKEY, labels });
        const grant = (name: string, role: string, bucketRes: string, prefix?: string, extra: Partial<Res> = {}) =>
            res(
                name,
                GCP.bucketIamMember,
                {
                    bucket: `mlops-prod-${bucketRes}`,
                    role,
                    member: `serviceAccount:${SA}`,
                    ...(prefix
                        ? {
                              condition: {
                                  title: name,
                                  expression: `resource.name.startsWith("projects/_/buckets/mlops-prod-${bucketRes}/objects/${prefix}")`,
                              },
                          }
                        : {}),
                },
                { deps: { bucket: [bucketRes] }, ...extra },
            );
        const filesBucket = () =>
            res("files", GCP.bucket, { name: "mlops-prod-files", labels: { ...labels, "mlops-pipeline": "iris-etl" } });

        describeRule({
            rule: pl.pipelineEncrypted,
            golden: () => [topic(), job(), workflow()],
            fails: [
                {
                    when: "a dead-letter topic has no key",
                    set: { kmsKeyName: undefined },
                    problems: ["kmsKeyName is not set (Google-managed encryption)"],
                },
                {
                    when: "a job has no key",
                    set: { "job:template.template.encryptionKey": undefined },
                    problems: ["template.template.encryptionKey is not set (Google-managed encryption)"],
                    on: "job",
                },
                {
                    when: "a workflow has no key",
                    set: { "arrival:cryptoKeyName": "" },
                    problems: ["cryptoKeyName is not set (Google-managed encryption)"],
                    on: "arrival",
                },
            ],
            unknown: { kmsKeyName: 0 },
        });

        describeRule({
            rule: pl.pipelineIdentityScoped,
            golden: () => [
                job(),
                bucket("raw"),
                bucket("curated"),
                filesBucket(),
                grant("source-read", "roles/storage.objectViewer", "raw", "iris/"),
                grant("target-create", "roles/storage.objectCreator", "curated", "iris/"),
                grant("source-list", "roles/storage.legacyBucketReader", "raw"),
                grant("files-reader", "roles/storage.objectViewer", "files"),
            ],
            passes: [
                {
                    when: "another account has an unconditioned role",
                    set: { "source-read:member": "serviceAccount:other@p.iam.gserviceaccount.com", "source-read:condition": undefined },
                },
            ],
            fails: [
                {
                    when: "the job's account reads a whole lake bucket",
                    set: { "source-read:condition": undefined },
                    problems: [
                        `grants roles/storage.objectViewer on the whole bucket to the pipeline identity serviceAccount:${SA} (no object prefix condition)`,
                    ],
                    on: "source-read",
                },
                {
                    when: "the job's account may delete or overwrite",
                    set: { "target-create:role": "roles/storage.objectAdmin" },
                    problems: [`grants roles/storage.objectAdmin to the pipeline identity serviceAccount:${SA}`],
                    on: "target-create",
                },
            ],
            unknown: { "source-read:condition.expression": 0 },
        });

        const composer = () =>
            res("airflow", pl.COMPOSER_ENVIRONMENT, {
                name: "mlops-gcp-prod-airflow",
                region: "europe-west4",
                labels,
                config: {
                    environmentSize: "ENVIRONMENT_SIZE_SMALL",
                    encryptionConfig: { kmsKeyName: "projects/p/locations/europe-west4/keyRings/pipelines/cryptoKeys/airflow" },
                    nodeConfig: { serviceAccount: "mlops-gcp-prod-airflow@p.iam.gserviceaccount.com", network: "vpc", subnetwork: "sub" },
                    privateEnvironmentConfig: { enablePrivateEndpoint: true },
                    webServerNetworkAccessControl: { allowedIpRanges: [] },
                },
            });

        describeRule({
            rule: pl.composerSecured,
            golden: () => [composer()],
            passes: [
                {
                    when: "the web server admits an office range",
                    set: { "config.webServerNetworkAccessControl.allowedIpRanges": [{ value: "203.0.113.0/24" }] },
                },
            ],
            fails: [
                {
                    when: "the environment has no key",
                    set: { "config.encryptionConfig": undefined },
                    problems: ["config.encryptionConfig.kmsKeyName is not set (Google-managed encryption)"],
                },
                {
                    when: "it runs as the Compute Engine default account",
                    set: { "config.nodeConfig.serviceAccount": "123456789012-compute@developer.gserviceaccount.com" },
                    problems: ["config.nodeConfig.serviceAccount is not a dedicated account (the Compute Engine default account is used)"],
                },
                {
                    when: "no account is given",
                    set: { "config.nodeConfig.serviceAccount": undefined },
                    problems: ["config.nodeConfig.serviceAccount is not a dedicated account (the Compute Engine default account is used)"],
                },
                {
                    when: "the web server has no access control",
                    set: { "config.webServerNetworkAccessControl": undefined },
                    problems: ["config.webServerNetworkAccessControl is not set (the web server accepts every address)"],
                },
                {
                    when: "the web server admits every address",
                    set: { "config.webServerNetworkAccessControl.allowedIpRanges": [{ value: "0.0.0.0/0" }] },
                    problems: ["config.webServerNetworkAccessControl allows 0.0.0.0/0"],
                },
            ],
            unknown: { "config.encryptionConfig.kmsKeyName": 0 },
        });

        describeRule({
            rule: pl.composerPrivate,
            golden: () => [composer()],
            fails: [
                {
                    when: "the environment is a public IP environment",
                    set: { "config.privateEnvironmentConfig": undefined },
                    problems: ["config.privateEnvironmentConfig.enablePrivateEndpoint is not true (a public IP environment)"],
                },
                {
                    when: "the cluster keeps a public endpoint",
                    set: { "config.privateEnvironmentConfig.enablePrivateEndpoint": false },
                    problems: ["config.privateEnvironmentConfig.enablePrivateEndpoint is not true (a public IP environment)"],
                },
            ],
            unknown: { "config.privateEnvironmentConfig.enablePrivateEndpoint": 0 },
        });
    });
});

describe("GCP training pipelines", () => {
    const TRAINING_KEY = "projects/p/locations/europe-west4/keyRings/training/cryptoKeys/training";
    const schedule = () =>
        res("schedule", tr.TRAINING_TYPES.schedule, {
            location: "europe-west4",
            cron: "TZ=Etc/UTC 0 4 * * 1",
            createPipelineJobRequest: {
                parent: "projects/p/locations/europe-west4",
                pipelineJob: {
                    displayName: "mlops-gcp-prod-iris-train",
                    serviceAccount: "mlops-gcp-prod-tr-iris@p.iam.gserviceaccount.com",
                    encryptionSpec: { kmsKeyName: TRAINING_KEY },
                },
            },
        });
    const secret = () =>
        res("token", tr.TRAINING_TYPES.secret, {
            secretId: "mlops-gcp-prod-github-token",
            replication: {
                userManaged: { replicas: [{ location: "europe-west4", customerManagedEncryption: { kmsKeyName: TRAINING_KEY } }] },
            },
        });

    describeRule({
        rule: tr.trainingRunEncrypted,
        golden: () => [schedule()],
        passes: [{ when: "the schedule runs a notebook, not a pipeline", set: { createPipelineJobRequest: undefined } }],
        fails: [
            {
                when: "the pipeline runs have no key",
                set: { "createPipelineJobRequest.pipelineJob.encryptionSpec": undefined },
                problems: ["createPipelineJobRequest.pipelineJob.encryptionSpec.kmsKeyName is not set (Google-managed encryption)"],
            },
            {
                when: "the pipeline runs as the Compute Engine default account",
                set: { "createPipelineJobRequest.pipelineJob.serviceAccount": "123-compute@developer.gserviceaccount.com" },
                problems: [
                    "createPipelineJobRequest.pipelineJob.serviceAccount is not a dedicated account (runs as the Compute Engine default account)",
                ],
            },
        ],
        unknown: { "createPipelineJobRequest.pipelineJob.encryptionSpec.kmsKeyName": 0 },
    });

    describeRule({
        rule: tr.secretEncrypted,
        golden: () => [secret()],
        passes: [
            {
                when: "automatic replication with a key",
                set: { replication: { auto: { customerManagedEncryption: { kmsKeyName: TRAINING_KEY } } } },
            },
        ],
        fails: [
            {
                when: "a replica has no key",
                set: { "replication.userManaged.replicas": [{ location: "europe-west4" }] },
                problems: ["replication.userManaged.replicas[0] has no customerManagedEncryption"],
            },
            {
                when: "automatic replication without a key",
                set: { replication: { auto: {} } },
                problems: ["replication.auto has no customerManagedEncryption"],
            },
        ],
        unknown: { "replication.userManaged.replicas": 0 },
    });
});

describe("GCP training pipelines: prod approval", () => {
    // The specs the component compiles (components/training-pipeline/gcp-spec.ts), so the rule reads the shipped shape.
    const iris: TrainingSpec = {
        model: "iris",
        mode: "custom",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/train.py"],
        args: [],
        env: {},
        dataset: { zone: "curated", prefix: "iris/" },
        output: { zone: "models", prefix: "iris/" },
        schedule: "0 4 * * 1",
        onNewData: true,
        metric: "f1Macro",
        threshold: 0.9,
        approval: "manual",
        cpuMillicores: 1000,
        memoryMiB: 2048,
        timeoutMinutes: 60,
        spot: true,
    };
    const automl: TrainingSpec = {
        ...iris,
        mode: "automl",
        automl: { targetColumn: "species", problemType: "classification", maxRuntimeMinutes: 60 },
    };
    const context: SpecContext = {
        project: "p",
        region: "europe-west4",
        datasetBucket: "lake-curated",
        modelsBucket: "lake-models",
        codeBucket: "training-code",
        serviceAccount: "mlops-gcp-prod-tr-iris@p.iam.gserviceaccount.com",
        kmsKeyName: "projects/p/locations/europe-west4/keyRings/training/cryptoKeys/training",
        modelId: "mlops-gcp-prod-iris",
        machine: { machineType: "g2-standard-4", acceleratorType: "NVIDIA_L4", acceleratorCount: 1 },
        servingContainer: { image: "python:3.12.12-slim-bookworm", port: 8080 },
        labels,
    };
    const specText = (t: TrainingSpec) => JSON.stringify(pipelineSpec(t, context));
    const workflowSource = (t: TrainingSpec) =>
        launchWorkflow({
            project: "p",
            region: "europe-west4",
            pipeline: "mlops-gcp-prod-iris-train",
            spec: specText(t),
            serviceAccount: context.serviceAccount,
            kmsKeyName: context.kmsKeyName,
            outputDirectory: "gs://lake-models/iris/_pipeline/",
            labels,
            dataset: { bucket: "lake-curated", prefix: "iris/" },
        });
    const specObject = (t: TrainingSpec = iris) =>
        res("training-iris-spec", tr.TRAINING_TYPES.object, {
            bucket: "training-code",
            name: "iris/mlops-gcp-prod-iris-train-0123456789ab.json",
            content: specText(t),
            contentType: "application/json",
        });
    const pipelineSchedule = (t: TrainingSpec = iris) =>
        res("training-iris-schedule", tr.TRAINING_TYPES.schedule, {
            location: "europe-west4",
            cron: "TZ=Etc/UTC 0 4 * * 1",
            createPipelineJobRequest: {
                parent: "projects/p/locations/europe-west4",
                pipelineJob: { displayName: "mlops-gcp-prod-iris-train", pipelineSpec: specText(t), labels },
            },
        });
    const launch = (t: TrainingSpec = iris) =>
        res("training-iris-launch", tr.TRAINING_TYPES.workflow, {
            name: "mlops-gcp-prod-iris-launch",
            sourceContents: workflowSource(t),
            labels,
        });
    const approving = { ...iris, approval: "automatic" as const };
    const approvingAutoml = { ...automl, approval: "automatic" as const };
    const approved = (where: string, executor: string) =>
        `${where}: executor ${executor} registers versions with alias "approved", not "candidate": they are delivered without a person's approval`;

    describeRule({
        rule: tr.prodVersionsCandidate,
        golden: () => [specObject(), pipelineSchedule(), launch()],
        passes: [
            { when: "an AutoML pipeline registers with the alias candidate", set: { content: specText(automl) } },
            {
                when: "a bucket object is not a pipeline spec (a training file, a JSON document without executors)",
                add: [
                    res("training-iris-file-train.py", tr.TRAINING_TYPES.object, { content: "c = {'alias': 'approved'}\n" }),
                    res("manifest", tr.TRAINING_TYPES.object, { content: JSON.stringify({ alias: "approved" }) }),
                ],
            },
            {
                when: "a workflow starts no pipeline (the delivery workflow)",
                set: { "training-iris-launch:sourceContents": "main:\n  steps: []\n" },
            },
        ],
        fails: [
            {
                when: "the stored spec of a prod pipeline registers versions approved",
                set: { content: specText(approving) },
                problems: [approved("content", "exec-register")],
            },
            {
                when: "the AutoML step's config carries the alias approved",
                set: { content: specText(approvingAutoml) },
                problems: [approved("content", "exec-automl")],
            },
            {
                when: "the schedule runs a spec that approves",
                set: { "training-iris-schedule:createPipelineJobRequest.pipelineJob.pipelineSpec": specText(approving) },
                problems: [approved("createPipelineJobRequest.pipelineJob.pipelineSpec", "exec-register")],
                on: "training-iris-schedule",
            },
            {
                when: "the launch workflow (new data, drift) embeds a spec that approves",
                set: { "training-iris-launch:sourceContents": workflowSource(approving) },
                problems: [approved("sourceContents", "exec-register")],
                on: "training-iris-launch",
            },
        ],
        unknown: { content: 0 },
    });
    it("gcp-prod-versions-candidate-alias: unknown content skips the stored spec only; the schedule that approves is still reported", async () => {
        const stack = mutate([specObject(approving), pipelineSchedule(approving)], { set: { content: UNKNOWN } });
        const found = await runRule(tr.prodVersionsCandidate, stack, { environment: "prod" });
        assert.deepEqual(
            found.map((f) => [f.urn, f.message]),
            [
                [
                    urnOf(stack[1]),
                    messageOf(tr.prodVersionsCandidate, approved("createPipelineJobRequest.pipelineJob.pipelineSpec", "exec-register")),
                ],
            ],
        );
    });
});
