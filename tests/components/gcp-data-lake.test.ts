import * as assert from "node:assert/strict";
import { GcsDataLake } from "../../components/data-lake/gcp";
import { DATA_ACCESS_FILTER, GcsDataLakeArgs, lifecycleRules } from "../../components/data-lake/gcp-args";
import { capture } from "../../stacks/plan/capture";
import { mockAutoName } from "../../stacks/plan/mocks/gcp";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const args: GcsDataLakeArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    zones: ["raw", "curated", "features", "models"],
    kmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/lake",
    bigQueryKmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/bigquery",
    queryEngine: true,
    protectData: false,
    tags: { "mlops-stack": "gcp-dev" },
};

const build = (a: GcsDataLakeArgs) =>
    capture({ project: "mlops", stack: "test", config: {} }, () => {
        const lake = new GcsDataLake("lake", a);
        return { buckets: lake.bucketNames, endpoint: lake.endpoint, datasets: lake.datasetIds };
    });

describe("GcsDataLake", () => {
    let resources: CapturedResource[];
    let outputs: Record<string, any>;
    before(async () => {
        ({ resources, outputs } = await build(args));
    });
    const zoneBuckets = () =>
        ["raw", "curated", "features", "models"].map((z) => only(resources, "gcp:storage/bucket:Bucket", `lake-${z}`));

    it("makes every bucket private, uniform, versioned, CMEK-encrypted and soft-deleting", () => {
        const buckets = ofType(resources, "gcp:storage/bucket:Bucket");
        assert.equal(buckets.length, 5, "four zones and the access-log bucket");
        for (const b of buckets) {
            assert.equal(b.inputs.uniformBucketLevelAccess, true, b.name);
            assert.equal(b.inputs.publicAccessPrevention, "enforced", b.name);
            assert.deepEqual(b.inputs.versioning, { enabled: true }, b.name);
            assert.deepEqual(b.inputs.encryption, { defaultKmsKeyName: args.kmsKeyName }, b.name);
            assert.deepEqual(b.inputs.softDeletePolicy, { retentionDurationSeconds: 7 * 86400 }, b.name);
            assert.equal(b.inputs.location, "us-central1");
            assert.equal(b.inputs.name, undefined, "auto-named: bucket names are global");
        }
        assert.equal(
            ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember").filter((m) =>
                /allUsers|allAuthenticatedUsers/.test(m.inputs.member),
            ).length,
            0,
        );
    });

    it("logs every zone bucket's requests to the separate access-log bucket, which the GCS log writer may fill", () => {
        const logs = only(resources, "gcp:storage/bucket:Bucket", "lake-access-logs");
        for (const b of zoneBuckets()) assert.deepEqual(b.inputs.logging, { logBucket: mockAutoName("lake-access-logs") }, b.name);
        assert.equal(logs.inputs.logging, undefined, "the log bucket does not log to itself (CKV_GCP_63)");
        const writer = only(resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "lake-access-logs-writer");
        assert.deepEqual(
            [writer.inputs.role, writer.inputs.member],
            ["roles/storage.objectCreator", "group:cloud-storage-analytics@google.com"],
        );
        assert.deepEqual(logs.inputs.lifecycleRules.at(-1), { action: { type: "Delete" }, condition: { age: 90, withState: "LIVE" } });
    });

    it("expires noncurrent versions, aborts stale uploads and moves raw data to Nearline", () => {
        const raw = only(resources, "gcp:storage/bucket:Bucket", "lake-raw");
        assert.deepEqual(raw.inputs.lifecycleRules, [
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
            {
                action: { type: "SetStorageClass", storageClass: "NEARLINE" },
                condition: { age: 90, matchesStorageClasses: ["STANDARD"], withState: "LIVE" },
            },
        ]);
        const curated = only(resources, "gcp:storage/bucket:Bucket", "lake-curated");
        assert.deepEqual(
            curated.inputs.lifecycleRules,
            lifecycleRules({ noncurrentVersionRetentionDays: 30, abortIncompleteUploadDays: 7 }),
        );
    });

    it("creates a CMEK-encrypted dataset per zone with only the project's own roles", () => {
        const datasets = ofType(resources, "gcp:bigquery/dataset:Dataset");
        assert.deepEqual(
            datasets.map((d) => d.inputs.datasetId),
            ["mlops_gcp_dev_raw", "mlops_gcp_dev_curated", "mlops_gcp_dev_features", "mlops_gcp_dev_models"],
        );
        for (const d of datasets) {
            assert.deepEqual(d.inputs.defaultEncryptionConfiguration, { kmsKeyName: args.bigQueryKmsKeyName });
            assert.deepEqual(d.inputs.accesses, [
                { role: "OWNER", specialGroup: "projectOwners" },
                { role: "WRITER", specialGroup: "projectWriters" },
                { role: "READER", specialGroup: "projectReaders" },
            ]);
            assert.equal(d.inputs.location, "us-central1");
        }
    });

    it("turns on Data Access audit logs for Cloud Storage and BigQuery and keeps them a year in a log bucket", () => {
        const audits = ofType(resources, "gcp:projects/iAMAuditConfig:IAMAuditConfig");
        assert.deepEqual(audits.map((a) => a.inputs.service).sort(), ["bigquery.googleapis.com", "storage.googleapis.com"]);
        for (const a of audits)
            assert.deepEqual(a.inputs.auditLogConfigs, [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }]);
        const bucket = only(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
        assert.equal(bucket.inputs.retentionDays, 365);
        assert.equal(bucket.inputs.locked, false, "dev stacks keep the retention unlocked");
        assert.match(bucket.inputs.bucketId, /^mlops-gcp-dev-audit-[a-z0-9]{6}$/);
        const sink = only(resources, "gcp:logging/projectSink:ProjectSink");
        assert.equal(sink.inputs.filter, DATA_ACCESS_FILTER);
        assert.equal(
            sink.inputs.destination,
            `logging.googleapis.com/projects/p-123456/locations/us-central1/buckets/${bucket.inputs.bucketId}`,
        );
    });

    it("exports one bucket per zone and the storage endpoint", () => {
        assert.deepEqual(Object.keys(outputs.buckets), ["raw", "curated", "features", "models"]);
        assert.equal(outputs.endpoint, "https://storage.googleapis.com");
        assert.equal(outputs.datasets.models, "mlops_gcp_dev_models");
    });

    it("lets dev stacks empty buckets and datasets on destroy, and nothing else", () => {
        for (const b of ofType(resources, "gcp:storage/bucket:Bucket"))
            assert.deepEqual([b.inputs.forceDestroy, b.options], [true, { protect: false, retainOnDelete: false }], b.name);
        for (const d of ofType(resources, "gcp:bigquery/dataset:Dataset")) assert.equal(d.inputs.deleteContentsOnDestroy, true);
    });

    it("protects and retains buckets, datasets and the locked audit bucket in prod, force-destroying nothing", async () => {
        const prod = await build({ ...args, protectData: true });
        const stateful = [
            ...ofType(prod.resources, "gcp:storage/bucket:Bucket"),
            ...ofType(prod.resources, "gcp:bigquery/dataset:Dataset"),
            ...ofType(prod.resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig"),
        ];
        assert.equal(stateful.length, 10);
        for (const r of stateful) {
            assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
            assert.notEqual(r.inputs.forceDestroy, true, r.name);
            assert.notEqual(r.inputs.deleteContentsOnDestroy, true, r.name);
        }
        assert.equal(only(prod.resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig").inputs.locked, true);
    });

    it("skips datasets and the BigQuery audit config without the query engine", async () => {
        const { resources: r } = await build({ ...args, queryEngine: false, bigQueryKmsKeyName: undefined });
        assert.equal(ofType(r, "gcp:bigquery/dataset:Dataset").length, 0);
        assert.deepEqual(
            ofType(r, "gcp:projects/iAMAuditConfig:IAMAuditConfig").map((a) => a.inputs.service),
            ["storage.googleapis.com"],
        );
    });

    it("fails when retention settings are out of range, a zone is invalid or the query engine has no key", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new GcsDataLake("lake", {
                    ...args,
                    zones: ["Raw", "models", "models"],
                    softDeleteRetentionDays: 3,
                    auditLogRetentionDays: 30,
                    rawColdStorageAfterDays: 10,
                    bigQueryKmsKeyName: undefined,
                }),
            'GcsDataLake "lake"',
        );
        assert.match(message, /zones\[0\]: is not a zone name \(got "Raw"\)/);
        assert.match(message, /zones\[2\]: is listed twice/);
        assert.match(message, /softDeleteRetentionDays: must be a whole number of days from 7 to 90 \(got 3\)/);
        assert.match(message, /auditLogRetentionDays: must be a whole number of days from 365 to 3650/);
        assert.match(message, /rawColdStorageAfterDays: must be a whole number of days from 30 to 3650/);
        assert.match(message, /bigQueryKmsKeyName: is required when queryEngine is on/);
        assert.deepEqual(registered, []);
    });
});
