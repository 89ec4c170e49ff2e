/**
 * What a real `pulumi up` on AWS needs beyond the right inputs: the order resources are created in, the
 * endpoint settings EC2 accepts per service, the zones subnets land in, and prod protection of audit
 * records and catalog metadata. Each case fails on the code before the fix it covers.
 */
import * as assert from "node:assert/strict";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { AwsDataAccessTrail } from "../../components/audit/aws";
import { S3DataLake, S3DataLakeArgs } from "../../components/data-lake/aws";
import { AwsNetwork } from "../../components/network/aws";
import { AwsSecureBucket } from "../../components/storage/aws";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only } from "../harness";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const CONFIG = { "aws:region": "eu-west-1" };

/** Builds under mocks, also recording every data-source call (token and arguments). */
async function build(
    create: () => void,
): Promise<{ resources: CapturedResource[]; calls: { token: string; args: Record<string, any> }[] }> {
    const calls: { token: string; args: Record<string, any> }[] = [];
    const { resources } = await capture({ project: "mlops", stack: "test", config: CONFIG }, () => {
        const monitor = settings.getMonitor() as any;
        const invoke = monitor.invoke.bind(monitor);
        monitor.invoke = (req: any, callback: unknown) => {
            calls.push({ token: req.getTok(), args: rpc.deserializeProperties(req.getArgs()) });
            return invoke(req, callback);
        };
        create();
    });
    return { resources, calls };
}

const dependsOn = (r: CapturedResource, on: CapturedResource) => r.dependencies.includes(on.urn);

describe("AwsNetwork on a real account", () => {
    it("asks only for regular availability zones, never an opted-in Local or Wavelength Zone", async () => {
        const { calls } = await build(() => new AwsNetwork("net", { kmsKeyArn: KEY }));
        const zones = calls.filter((c) => c.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
        assert.equal(zones.length, 1);
        assert.deepEqual(zones[0].args.filters, [{ name: "opt-in-status", values: ["opt-in-not-required"] }]);
        assert.equal(zones[0].args.state, "available");
    });

    it("turns private DNS off on the App Runner ingress endpoint, which publishes no private DNS name, and on for AWS APIs", async () => {
        const { resources } = await build(
            () => new AwsNetwork("net", { kmsKeyArn: KEY, interfaceEndpointServices: ["ecr.api", "apprunner.requests"] }),
        );
        const interfaces = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        assert.deepEqual(
            interfaces.map((e) => [e.inputs.serviceName, e.inputs.privateDnsEnabled]),
            [
                ["com.amazonaws.eu-west-1.ecr.api", true],
                ["com.amazonaws.eu-west-1.apprunner.requests", false],
            ],
        );
    });
});

describe("AwsSecureBucket creation order", () => {
    it("switches versioning on before the lifecycle rules that expire noncurrent versions", async () => {
        const { resources } = await build(
            () => new AwsSecureBucket("b", { bucketName: "mlops-test-raw-1a2b3c4d", kmsKeyArn: KEY, protectData: false }),
        );
        const lifecycle = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        assert.ok(dependsOn(lifecycle, only(resources, "aws:s3/bucketVersioning:BucketVersioning")), "lifecycle waits for versioning");
    });
});

describe("AwsDataAccessTrail in prod", () => {
    const args = {
        trailName: "mlops-test-lake-data-events",
        bucketArns: ["arn:aws:s3:::lake-raw"],
        logBucketName: "mlops-test-audit-1a2b3c4d",
        kmsKeyArn: KEY,
    };

    it("protects and keeps the CloudWatch copy of the audit trail with protectData, and not without", async () => {
        const prod = only((await build(() => new AwsDataAccessTrail("audit", args))).resources, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(prod.options, { protect: true, retainOnDelete: true });
        const dev = only(
            (await build(() => new AwsDataAccessTrail("audit", { ...args, protectData: false, forceDestroy: true }))).resources,
            "aws:cloudwatch/logGroup:LogGroup",
        );
        assert.deepEqual(dev.options, { protect: false, retainOnDelete: false });
    });
});

describe("S3DataLake creation order and prod protection", () => {
    const base: S3DataLakeArgs = {
        namePrefix: "mlops-test",
        zones: ["raw", "models"],
        kmsKeyArn: KEY,
        queryEngine: true,
        protectData: false,
        forceDestroy: true,
    };

    it("encrypts the Glue catalog before creating databases, so no metadata is written unencrypted", async () => {
        const { resources } = await build(() => new S3DataLake("lake", base));
        const encryption = only(resources, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings");
        const dbs = ofType(resources, "aws:glue/catalogDatabase:CatalogDatabase");
        assert.equal(dbs.length, 2);
        for (const db of dbs) assert.ok(dependsOn(db, encryption), db.name);
    });

    it("protects and keeps the Glue databases in prod (deleting one drops all its tables)", async () => {
        const prod = ofType(
            (await build(() => new S3DataLake("lake", { ...base, protectData: true, forceDestroy: false }))).resources,
            "aws:glue/catalogDatabase:CatalogDatabase",
        );
        for (const db of prod) assert.deepEqual(db.options, { protect: true, retainOnDelete: true }, db.name);
        const dev = ofType((await build(() => new S3DataLake("lake", base))).resources, "aws:glue/catalogDatabase:CatalogDatabase");
        for (const db of dev) assert.deepEqual(db.options, { protect: false, retainOnDelete: false }, db.name);
    });

    it("lets every bucket that logs into the access-log bucket wait for that bucket's delivery policy", async () => {
        const { resources } = await build(() => new S3DataLake("lake", base));
        const policy = only(resources, "aws:s3/bucketPolicy:BucketPolicy", "lake-access-logs-policy");
        for (const component of ["lake-raw", "lake-models", "lake-query-results", "lake-audit"]) {
            const r = resources.find((x) => x.name === component && !x.custom);
            assert.ok(r, component);
            assert.ok(dependsOn(r, policy), `${component} depends on the access-log bucket policy`);
        }
    });
});
