/** Cross-cloud data safety in production, and how a resource's environment is decided. */
import * as assert from "node:assert/strict";
import { AWS } from "../../policy/rules/aws/types";
import { noForceDestroy, protectStateful } from "../../policy/rules/common/data-safety";
import { GCP } from "../../policy/rules/gcp/types";
import { K8S } from "../../policy/rules/kubernetes/types";
import { environmentOf, labelledEnvironment, stackEnvironment } from "../../policy/rules/lib/environment";
import { describeRule, messageOf, Res, run, UNKNOWN, urnOf } from "./harness";

const bucket = (labels: Record<string, string> = { "mlops-environment": "prod" }): Res => ({
    name: "lake",
    type: AWS.bucket[0],
    props: { bucket: "lake", forceDestroy: false, tags: labels },
    protect: true,
});
const keyRing = (): Res => ({ name: "ring", type: GCP.keyRing, props: { location: "europe-west4" }, protect: true });
const NOT_PROTECTED = "resource is not protected (resource option protect: true)";

describe("common rules", () => {
    describeRule({
        rule: protectStateful,
        golden: () => [
            bucket(),
            keyRing(),
            {
                name: "volume",
                type: K8S.pvc,
                props: { metadata: { namespace: "ml", labels: { "mlops.dev/environment": "prod" } } },
                protect: true,
            },
        ],
        fails: [
            { when: "a bucket is not protected", protect: { lake: false }, problems: [NOT_PROTECTED] },
            { when: "an unlabelled key ring is not protected", protect: { ring: false }, problems: [NOT_PROTECTED], on: "ring" },
            { when: "a Kubernetes volume claim is not protected", protect: { volume: false }, problems: [NOT_PROTECTED], on: "volume" },
        ],
        unknown: "reads no input",
    });

    describeRule({
        rule: noForceDestroy,
        golden: () => [
            bucket(),
            {
                name: "dataset",
                type: GCP.dataset,
                props: { datasetId: "raw", deleteContentsOnDestroy: false, labels: { "mlops-environment": "prod" } },
            },
        ],
        fails: [
            { when: "a bucket is force-destroyed", set: { forceDestroy: true }, problems: ["forceDestroy is true"] },
            {
                when: "a dataset deletes its tables on destroy",
                set: { "dataset:deleteContentsOnDestroy": true },
                problems: ["deleteContentsOnDestroy is true"],
                on: "dataset",
            },
            {
                when: "an ECR repository is force-deleted",
                add: [{ name: "repo", type: AWS.ecrRepository, props: { forceDelete: true } }],
                problems: ["forceDelete is true"],
                on: "repo",
            },
        ],
        unknown: { forceDestroy: 0 },
    });

    describe("environment resolution (same answer under `pulumi preview` and offline)", () => {
        it("reads the ownership label of each provider family", () => {
            assert.equal(labelledEnvironment({ tags: { "mlops-environment": "prod" } }), "prod");
            assert.equal(labelledEnvironment({ labels: { "mlops-environment": "staging" } }), "staging");
            assert.equal(labelledEnvironment({ metadata: { labels: { "mlops.dev/environment": "dev" } } }), "dev");
            assert.equal(labelledEnvironment({ tags: { env: "prod" } }), undefined);
        });

        it("prefers the stack tag, then the resource's label, then the stack's consensus, then prod", () => {
            const tagged = new Map([["mlops:environment", "staging"]]);
            assert.equal(environmentOf({ tags: { "mlops-environment": "dev" } }, tagged), "staging");
            assert.equal(environmentOf({ tags: { "mlops-environment": "dev" } }, new Map(), "prod"), "dev");
            assert.equal(environmentOf({}, new Map(), "dev"), "dev");
            assert.equal(environmentOf({}, new Map()), "prod");
        });

        it("finds a consensus only when every labelled resource agrees", () => {
            assert.equal(
                stackEnvironment([{ tags: { "mlops-environment": "dev" } }, {}, { labels: { "mlops-environment": "dev" } }]),
                "dev",
            );
            assert.equal(
                stackEnvironment([{ tags: { "mlops-environment": "dev" } }, { tags: { "mlops-environment": "prod" } }]),
                undefined,
            );
        });

        it("treats an unknown label as no label (preview), never as a match", () => {
            assert.equal(labelledEnvironment({ tags: UNKNOWN }), undefined);
        });

        it("without a stack tag, an unprotected dev bucket passes and an unprotected prod bucket fails, from their labels", async () => {
            const dev = { ...bucket({ "mlops-environment": "dev" }), protect: false };
            assert.deepEqual(await run(protectStateful, [dev]), []);
            const prod = { ...bucket(), protect: false };
            assert.deepEqual(
                (await run(protectStateful, [prod])).map((f) => [f.urn, f.message]),
                [[urnOf(prod), messageOf(protectStateful, NOT_PROTECTED)]],
            );
        });

        it("an unlabelled key ring takes the environment its labelled neighbours agree on", async () => {
            const ring = { ...keyRing(), protect: false };
            assert.deepEqual(await run(protectStateful, [ring, { ...bucket({ "mlops-environment": "dev" }), protect: false }]), []);
            assert.equal((await run(protectStateful, [ring])).length, 1, "with nothing to go by, the strictest environment applies");
        });
    });
});
