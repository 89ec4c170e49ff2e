/**
 * Every GCP physical name this project builds fits GCP's rules for any stack name (up to 60 characters)
 * and any model name config allows (up to 24), including Pulumi's random suffix where it auto-names.
 */
import * as assert from "node:assert/strict";
import { MODEL_NAME } from "../../stacks/config/schema";
import { ownershipTags } from "../../components/shared/labels";
import { PULUMI_RANDOM_SUFFIX_LENGTH } from "../../components/shared/naming";
import {
    GCP_NAME_RULES,
    GcpNameKind,
    NAME_PREFIX,
    fitsGcpRule,
    functionName,
    hyphenName,
    serviceAccountId,
    namePrefix,
    vertexEndpointId,
} from "../../components/naming/gcp";
import { bucketLogicalName, logBucketLogicalName, zoneDatasetId } from "../../components/data-lake/gcp-args";
import { filesBucketLogicalName } from "../../components/container-service/gcp-args";
import { keyRingLogicalName } from "../../components/encryption/gcp-args";
import { mockAutoName } from "../../stacks/plan/mocks/gcp";

const STACKS = [
    "a",
    "gcp-dev",
    "s".repeat(60),
    "Prod_Stack.v2-" + "x".repeat(46),
    "1-starts-with-a-digit-" + "9".repeat(38),
    "a-b".repeat(20),
];
const MODELS = ["m", "iris", "a".repeat(24), "b1-" + "c".repeat(20) + "d", "z-z-z-z-z-z-z-z-z-z-z-z"];
const ZONES = ["raw", "models", "z".repeat(16)];

/** A Pulumi auto-name: logical name, "-", 7 random characters. */
const autoNamed = (logical: string) => `${logical}-${"a".repeat(PULUMI_RANDOM_SUFFIX_LENGTH - 1)}`;

function assertFits(kind: GcpNameKind, name: string): void {
    assert.ok(fitsGcpRule(kind, name), `${JSON.stringify(name)} (${name.length}) breaks the ${kind} rule (${GCP_NAME_RULES[kind].source})`);
}

describe("GCP physical names", () => {
    it("the test inputs include the longest names config allows", () => {
        assert.ok(STACKS.some((s) => s.length === 60));
        assert.ok(MODELS.every((m) => MODEL_NAME.test(m)) && MODELS.some((m) => m.length === 24));
    });

    for (const stack of STACKS) {
        const prefix = namePrefix("mlops", stack);
        describe(`stack ${JSON.stringify(stack.length > 20 ? stack.slice(0, 20) + "..." : stack)} (${stack.length} characters)`, () => {
            it("gives a prefix that starts every name with a letter", () => {
                assert.match(prefix, NAME_PREFIX);
                assert.ok(prefix.length <= 24);
            });

            it("fits service account IDs (6-30), Cloud Run services (49) and functions (49: each runs as a Cloud Run service) for every model", () => {
                for (const role of ["train", "fn-build"]) assertFits("serviceAccountId", serviceAccountId(prefix, role));
                for (const model of MODELS) {
                    for (const role of ["serve", "infer", "fn"]) assertFits("serviceAccountId", serviceAccountId(prefix, role, model));
                    for (const role of ["serve", "infer"])
                        assertFits("cloudRunService", hyphenName([prefix, role, model], GCP_NAME_RULES.cloudRunService.max));
                    assertFits("cloudFunction", functionName(prefix, model));
                    // The function's Cloud Run service has the same name, so Cloud Run's limit holds too.
                    assertFits("cloudRunService", functionName(prefix, model));
                    assert.match(vertexEndpointId("my-project-123", prefix, model), /^[1-9]\d{9}$/);
                }
            });

            it("fits repositories, datasets, network, Workbench and log bucket names", () => {
                assertFits("repositoryId", hyphenName([prefix, "models"], GCP_NAME_RULES.repositoryId.max));
                assertFits("repositoryId", hyphenName([prefix, "fn-builds"], GCP_NAME_RULES.repositoryId.max));
                for (const zone of ZONES) assertFits("datasetId", zoneDatasetId(prefix, zone));
                for (const role of ["vpc", "router", "nat", "workbench", "northamerica-northeast1"])
                    assertFits("compute", hyphenName([prefix, role], GCP_NAME_RULES.compute.max));
                assertFits("logBucketId", `${hyphenName([prefix, "audit"], 90)}-abc123`);
            });

            it("keeps ownership labels within GCP's label rules", () => {
                for (const [key, value] of Object.entries(ownershipTags({ project: "mlops", stack, environment: "prod" }))) {
                    assert.match(key, /^[a-z][a-z0-9_-]{0,62}$/);
                    assertFits("labelValue", value);
                }
            });
        });
    }

    it("fits auto-named buckets and key rings with Pulumi's random suffix, whatever the zone or model", () => {
        for (const zone of ZONES) assertFits("bucket", autoNamed(bucketLogicalName("lake", zone)));
        assertFits("bucket", autoNamed(logBucketLogicalName("lake")));
        assertFits("bucket", autoNamed("inference-sources"));
        for (const model of MODELS) {
            assertFits("bucket", autoNamed(filesBucketLogicalName(`serving-${model}`)));
            assertFits("bucket", autoNamed(filesBucketLogicalName(`inference-${model}`)));
        }
        assertFits("kmsName", autoNamed(keyRingLogicalName("keys")));
        assert.equal(mockAutoName("lake-raw").length, "lake-raw".length + PULUMI_RANDOM_SUFFIX_LENGTH, "the mocks auto-name like Pulumi");
    });

    it("keeps two long models with a shared beginning apart", () => {
        const prefix = namePrefix("mlops", "s".repeat(60));
        const a = "a".repeat(23) + "1";
        const b = "a".repeat(23) + "2";
        assert.notEqual(serviceAccountId(prefix, "serve", a), serviceAccountId(prefix, "serve", b));
        assert.notEqual(hyphenName([prefix, "serve", a], 49), hyphenName([prefix, "serve", b], 49));
        assert.notEqual(vertexEndpointId("p", prefix, a), vertexEndpointId("p", prefix, b));
        assert.notEqual(
            hyphenName([prefix, "serve", a], 49),
            hyphenName([prefix, "infer", a], 49),
            "container and serverless services differ",
        );
    });

    it("rejects names that break the rules", () => {
        assert.equal(fitsGcpRule("serviceAccountId", "short"), false);
        assert.equal(fitsGcpRule("serviceAccountId", "a".repeat(31)), false);
        assert.equal(fitsGcpRule("cloudRunService", "a".repeat(50)), false);
        assert.equal(fitsGcpRule("cloudRunService", "1abc"), false);
        assert.equal(fitsGcpRule("bucket", "my.bucket"), false);
        assert.equal(fitsGcpRule("bucket", "Ab"), false);
        assert.equal(fitsGcpRule("datasetId", "has-hyphen"), false);
    });
});
