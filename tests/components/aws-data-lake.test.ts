import * as assert from "node:assert/strict";
import { S3DataLake, S3DataLakeArgs } from "../../components/data-lake/aws";
import { ValidationError } from "../../components/shared/problems";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const base: S3DataLakeArgs = {
    namePrefix: "mlops-test",
    zones: ["raw", "curated", "features", "models"],
    kmsKeyArn: KEY,
    queryEngine: true,
    protectData: false,
    forceDestroy: true,
};

async function build(args: S3DataLakeArgs) {
    return capture({ project: "mlops", stack: "test", config: { "aws:region": "eu-west-1" } }, () => {
        const lake = new S3DataLake("lake", args);
        return { buckets: lake.bucketNames, endpoint: lake.endpoint, workgroup: lake.workgroupName };
    });
}

const named = (resources: CapturedResource[], type: string, name: string) => only(resources, type, name);
const HASH = /^[0-9a-f]{8}$/;

describe("S3DataLake", () => {
    let resources: CapturedResource[];
    let outputs: any;
    before(async () => ({ resources, outputs } = await build(base)));

    it("creates one bucket per zone, named from the stack with the account and region hashed in", () => {
        const names = outputs.buckets as Record<string, string>;
        assert.deepEqual(Object.keys(names), base.zones);
        for (const [zone, bucket] of Object.entries(names)) {
            const [, hash] = /^mlops-test-[a-z]+-(.+)$/.exec(bucket) ?? [];
            assert.ok(bucket.startsWith(`mlops-test-${zone}-`), bucket);
            assert.match(hash, HASH);
        }
        assert.equal(outputs.endpoint, "https://s3.eu-west-1.amazonaws.com");
    });

    it("encrypts every zone with the platform key and logs its access into the log bucket under its own prefix", () => {
        for (const zone of base.zones) {
            const sse = named(
                resources,
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                `lake-${zone}-encryption`,
            );
            assert.deepEqual(sse.inputs.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY });
            const logging = named(resources, "aws:s3/bucketLogging:BucketLogging", `lake-${zone}-access-logs`);
            assert.equal(logging.inputs.targetBucket, named(resources, "aws:s3/bucket:Bucket", "lake-access-logs-bucket").inputs.bucket);
            assert.equal(logging.inputs.targetPrefix, `${zone}/`);
        }
    });

    it("moves only raw-zone objects to colder storage after rawColdStorageAfterDays", () => {
        const rules = (zone: string) =>
            named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `lake-${zone}-lifecycle`).inputs.rules;
        assert.deepEqual(rules("raw").find((r: any) => r.id === "move-to-colder-storage").transitions, [
            { days: 90, storageClass: "STANDARD_IA" },
        ]);
        for (const zone of ["curated", "features", "models"])
            assert.equal(
                rules(zone).find((r: any) => r.id === "move-to-colder-storage"),
                undefined,
                zone,
            );
    });

    it("lets S3 log delivery write access logs only for this account's lake buckets", () => {
        const policy = JSON.parse(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "lake-access-logs-policy").inputs.policy);
        const delivery = policy.Statement.find((s: any) => s.Sid === "S3ServerAccessLogsDelivery");
        assert.deepEqual(delivery.Principal, { Service: "logging.s3.amazonaws.com" });
        assert.equal(delivery.Action, "s3:PutObject");
        assert.deepEqual(delivery.Condition.StringEquals, { "aws:SourceAccount": "123456789012" });
        const sources: string[] = delivery.Condition.ArnLike["aws:SourceArn"];
        assert.deepEqual(
            sources.map((a) => a.replace(/^arn:aws:s3:::mlops-test-/, "").replace(/-[0-9a-f]{8}$/, "")),
            ["raw", "curated", "features", "models", "query-results", "audit"],
        );
        const logs = named(
            resources,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "lake-access-logs-encryption",
        );
        assert.deepEqual(
            logs.inputs.rules,
            [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            "log delivery writes only into SSE-S3 buckets",
        );
    });

    it("catalogs each zone in Glue and queries through an Athena workgroup with enforced, encrypted results and a scan cap", () => {
        const dbs = ofType(resources, "aws:glue/catalogDatabase:CatalogDatabase");
        assert.deepEqual(dbs.map((d) => d.inputs.name).sort(), [
            "mlops_test_curated",
            "mlops_test_features",
            "mlops_test_models",
            "mlops_test_raw",
        ]);
        assert.match(
            named(resources, "aws:glue/catalogDatabase:CatalogDatabase", "lake-raw-db").inputs.locationUri,
            /^s3:\/\/mlops-test-raw-[0-9a-f]{8}\/$/,
        );
        const wg = only(resources, "aws:athena/workgroup:Workgroup").inputs;
        assert.equal(wg.configuration.enforceWorkgroupConfiguration, true);
        assert.deepEqual(wg.configuration.resultConfiguration.encryptionConfiguration, { encryptionOption: "SSE_KMS", kmsKeyArn: KEY });
        assert.match(wg.configuration.resultConfiguration.outputLocation, /^s3:\/\/mlops-test-query-results-[0-9a-f]{8}\/$/);
        assert.equal(wg.configuration.bytesScannedCutoffPerQuery, 10 * 1024 ** 3);
        assert.equal(outputs.workgroup, "mlops-test");
    });

    it("encrypts the Glue Data Catalog and connection passwords with the key, and keeps that account-wide setting on destroy", () => {
        const settings = only(resources, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings");
        assert.deepEqual(settings.inputs.dataCatalogEncryptionSettings, {
            encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: KEY },
            connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: KEY },
        });
        assert.equal(settings.options.retainOnDelete, true);
    });

    it("records data access on the zone buckets with a trail", () => {
        const starts = only(resources, "aws:cloudtrail/trail:Trail").inputs.advancedEventSelectors[0].fieldSelectors[2].startsWiths;
        assert.equal(starts.length, 4);
        assert.equal(only(resources, "aws:cloudtrail/trail:Trail").inputs.name, "mlops-test-lake-data-events");
    });

    it("skips the catalog, workgroup and trail when they are turned off", async () => {
        const { resources: bare } = await build({ ...base, queryEngine: false, dataAccessTrail: false });
        for (const t of [
            "aws:glue/catalogDatabase:CatalogDatabase",
            "aws:athena/workgroup:Workgroup",
            "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
            "aws:cloudtrail/trail:Trail",
        ]) {
            assert.equal(ofType(bare, t).length, 0, t);
        }
    });

    it("protects and retains every bucket and its settings in prod, never force-destroying", async () => {
        const { resources: prod } = await build({ ...base, protectData: true, forceDestroy: false });
        const s3 = prod.filter((r) => r.type.startsWith("aws:s3/"));
        assert.equal(s3.length, 7 * 8 - 1, "seven buckets with their settings (the log bucket does not log itself)");
        for (const r of s3) assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        for (const b of ofType(prod, "aws:s3/bucket:Bucket")) assert.equal(b.inputs.forceDestroy, false, b.name);
    });

    it("lets Elastic Load Balancing write access logs under loadBalancerLogPrefix only when asked (the region's ELB account, or its delivery service)", async () => {
        const statements = (r: CapturedResource[]) =>
            JSON.parse(named(r, "aws:s3/bucketPolicy:BucketPolicy", "lake-access-logs-policy").inputs.policy).Statement;
        assert.deepEqual(
            statements(resources).filter((s: any) => s.Sid.startsWith("Elb")),
            [],
            "no load balancer: no ELB statement",
        );
        const { resources: withAlb } = await build({ ...base, loadBalancerLogPrefix: "alb" });
        const elb = statements(withAlb).filter((s: any) => s.Sid.startsWith("Elb"));
        const resource = elb[0].Resource;
        assert.match(resource, /^arn:aws:s3:::mlops-test-access-logs-[0-9a-f]{8}\/alb\/AWSLogs\/123456789012\/\*$/);
        assert.deepEqual(elb, [
            // eu-west-1's Elastic Load Balancing account (ELB user guide, "Enable access logs").
            {
                Sid: "ElbAccessLogsDelivery",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::156460612806:root" },
                Action: "s3:PutObject",
                Resource: resource,
            },
            {
                Sid: "ElbAccessLogsDeliveryService",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: resource,
            },
        ]);
    });

    it("fails on a load balancer log prefix ELB refuses", async () => {
        let error: unknown;
        await capture({ project: "mlops", stack: "test", config: {} }, () => {
            try {
                new S3DataLake("lake", { ...base, loadBalancerLogPrefix: "alb/AWSLogs" });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /loadBalancerLogPrefix: is not a key prefix ELB accepts/);
    });

    it("fails on bad zones, prefixes and retentions, listing every problem and registering nothing", async () => {
        let error: unknown;
        const result = await capture({ project: "mlops", stack: "test", config: {} }, () => {
            try {
                new S3DataLake("lake", {
                    ...base,
                    namePrefix: "Bad Prefix",
                    zones: ["raw", "raw", "audit", "Bad"],
                    rawColdStorageAfterDays: 10,
                    auditLogRetentionDays: 500,
                    coldStorageClass: "ICE",
                    protectData: true,
                    forceDestroy: true,
                });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof ValidationError);
        const message = error.message;
        for (const p of [
            /^S3DataLake "lake" is invalid \(8 problems\)/,
            /namePrefix: must be 1-40 lowercase/,
            /zones\[1\]: is listed twice/,
            /zones\[2\]: is the name of one of the lake's own buckets/,
            /zones\[3\]: must be 1-16 lowercase/,
            /rawColdStorageAfterDays: must be a whole number of at least 30/,
            /auditLogRetentionDays: must be a CloudWatch Logs retention of 365 days or more/,
            /coldStorageClass: is not a storage class/,
            /forceDestroy: would let protected buckets be emptied/,
        ]) {
            assert.match(message, p);
        }
        assert.deepEqual(
            result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });
});
