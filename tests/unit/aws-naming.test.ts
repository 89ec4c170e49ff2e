import * as assert from "node:assert/strict";
import {
    APP_RUNNER_NAME,
    appRunnerName,
    athenaWorkgroupName,
    autoNameFits,
    ECR_REPOSITORY_NAME,
    ecrRepositoryName,
    globalBucketName,
    glueDatabaseName,
    loadBalancerName,
    logGroupName,
    NAME_PREFIX,
    pullThroughCachePrefix,
    SAGEMAKER_NAME,
    sagemakerName,
    namePrefix,
    targetGroupName,
} from "../../components/naming/aws";
import { isLogRetention, LOG_RETENTION_DAYS, logRetentionDays } from "../../components/observability/aws-args";
import { parseCidr, subnetCidrs } from "../../components/network/aws";
import { isValidBucketName } from "../../components/storage/aws";
import { endpointName } from "../../components/serverless-inference/aws-sagemaker";
import { TRAIL_NAME } from "../../components/audit/aws";

/** The longest names config allows: stack names up to 60 characters, zones 16, models 24. */
const LONG_STACK = "organisation-platform-team-machine-learning-production-eu1x"; // 59
const LONGEST_STACK = `${LONG_STACK}z`; // 60
const LONGEST_ZONE = "z123456789abcdef"; // 16
const LONGEST_MODEL = "m23456789012345678901234"; // 24
const STACKS = ["dev", "aws-prod", LONGEST_STACK, "Prod.EU_West.1", "9lives"];

describe("AWS physical names fit every service's rules", () => {
    it("uses inputs of the longest lengths config allows", () => {
        assert.equal(LONGEST_STACK.length, 60);
        assert.equal(LONGEST_ZONE.length, 16);
        assert.equal(LONGEST_MODEL.length, 24);
    });

    for (const stack of STACKS) {
        describe(`stack "${stack}"`, () => {
            const prefix = namePrefix("mlops", stack);

            it("gives a name prefix of at most 40 lowercase characters", () => {
                assert.match(prefix, NAME_PREFIX);
                assert.ok(prefix.length <= 40, prefix);
            });

            it("gives valid, globally unique S3 bucket names (3-63, lowercase, account and region hashed in)", () => {
                for (const zone of ["raw", "models", LONGEST_ZONE, "access-logs", "query-results", "audit"]) {
                    const name = globalBucketName([prefix, zone], "123456789012", "eu-west-1");
                    assert.ok(isValidBucketName(name), name);
                    assert.ok(name.length <= 63 && name.length >= 3, name);
                    assert.notEqual(
                        name,
                        globalBucketName([prefix, zone], "210987654321", "eu-west-1"),
                        "another account gets another name",
                    );
                    assert.notEqual(
                        name,
                        globalBucketName([prefix, zone], "123456789012", "us-east-1"),
                        "another region gets another name",
                    );
                }
            });

            it("gives SageMaker names (domain, package groups, endpoints) of at most 63 matching SageMaker's pattern", () => {
                for (const name of [
                    sagemakerName([prefix]),
                    sagemakerName([prefix, LONGEST_MODEL]),
                    sagemakerName([prefix, "iris"]),
                    endpointName(prefix, LONGEST_MODEL, "0a1b2c"),
                ]) {
                    assert.match(name, SAGEMAKER_NAME);
                }
            });

            it("gives load balancer and target group names of at most 32", () => {
                const lb = loadBalancerName([prefix, LONGEST_MODEL]);
                const tg = targetGroupName(prefix, LONGEST_MODEL, 8080);
                for (const name of [lb, tg]) {
                    assert.ok(name.length <= 32, name);
                    assert.match(name, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
                }
            });

            it("gives App Runner names within 4-40 (services) and 4-32 (configurations)", () => {
                assert.match(appRunnerName([prefix, LONGEST_MODEL], 40), APP_RUNNER_NAME);
                assert.ok(appRunnerName([prefix, LONGEST_MODEL], 32).length <= 32);
            });

            it("gives ECR repository names and a pull-through cache prefix ECR accepts", () => {
                const repo = ecrRepositoryName(prefix, LONGEST_MODEL);
                assert.match(repo, ECR_REPOSITORY_NAME);
                const cache = pullThroughCachePrefix(prefix);
                assert.ok(cache.length >= 2 && cache.length <= 30, cache);
                assert.match(cache, ECR_REPOSITORY_NAME);
            });

            it("gives Glue database, Athena workgroup and CloudTrail names their services accept", () => {
                assert.match(glueDatabaseName([prefix, LONGEST_ZONE]), /^[a-z0-9_]{1,255}$/);
                assert.match(athenaWorkgroupName([prefix]), /^[a-zA-Z0-9._-]{1,128}$/);
                const trail = `${prefix}-lake-data-events`;
                assert.match(trail, TRAIL_NAME);
                assert.doesNotMatch(trail, /[._-]{2}/);
            });

            it("gives log group names from the log group alphabet", () => {
                assert.match(logGroupName(prefix, "lambda", LONGEST_MODEL), /^[.\-_/#A-Za-z0-9]{1,512}$/);
            });
        });
    }

    it("keeps long, similar names apart with a hash", () => {
        const a = globalBucketName([namePrefix("mlops", `${LONG_STACK}a`), "raw"], "123456789012", "eu-west-1");
        const b = globalBucketName([namePrefix("mlops", `${LONG_STACK}b`), "raw"], "123456789012", "eu-west-1");
        assert.notEqual(a, b);
        assert.notEqual(
            targetGroupName("p", "iris", 8080),
            targetGroupName("p", "iris", 9090),
            "a port change gives a new target group name",
        );
    });

    it("says whether Pulumi's auto-name (logical name, '-', 7 characters) fits a limit", () => {
        assert.equal(autoNameFits("x".repeat(56), 64), true);
        assert.equal(autoNameFits("x".repeat(57), 64), false);
        assert.equal(autoNameFits(`inference-${LONGEST_MODEL}-config`, 63), true);
    });

    it("refuses bucket names S3 refuses", () => {
        for (const bad of [
            "ab",
            "Upper-case",
            "has.dot",
            "-starts",
            "ends-",
            "xn--punycode",
            "name-s3alias",
            "x".repeat(64),
            "sthree-x",
            "a--ol-s3",
        ]) {
            assert.equal(isValidBucketName(bad), false, bad);
        }
        assert.equal(isValidBucketName("mlops-aws-dev-raw-1a2b3c4d"), true);
    });
});

describe("CloudWatch Logs retention", () => {
    it("rounds up to the next retention CloudWatch accepts, capped at ten years", () => {
        assert.equal(logRetentionDays(365), 365);
        assert.equal(logRetentionDays(366), 400);
        assert.equal(logRetentionDays(700), 731);
        assert.equal(logRetentionDays(3650), 3653);
        assert.equal(logRetentionDays(99999), 3653);
        for (const d of LOG_RETENTION_DAYS) assert.equal(isLogRetention(d), true);
        assert.equal(isLogRetention(500), false);
    });
});

describe("VPC subnet layout", () => {
    it("cuts a /16 into /20 subnets: private from the bottom, public from the middle", () => {
        assert.deepEqual(subnetCidrs("10.40.0.0/16", 3), {
            private: ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
            public: ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"],
        });
        assert.deepEqual(subnetCidrs("192.168.4.0/24", 2).private, ["192.168.4.0/28", "192.168.4.16/28"]);
    });

    it("refuses misaligned or malformed CIDR blocks", () => {
        assert.equal(parseCidr("10.40.1.0/16"), undefined);
        assert.equal(parseCidr("10.300.0.0/16"), undefined);
        assert.equal(parseCidr("10.40.0.0"), undefined);
        assert.deepEqual(parseCidr("10.40.0.0/16"), { base: 0x0a280000, prefix: 16 });
        assert.throws(() => subnetCidrs("nonsense", 2), /not an aligned IPv4 CIDR/);
    });
});
