/** The PR diff on fixture plans: actions, replace-on-change, stateful flags, secrets, cost delta, rendering. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { RecordedPlan, RecordedResource } from "../../stacks/plan/recorded";
import { SECRET_FIXTURE } from "../../stacks/plan/stack-config";
import { diffPlans, inputChanges } from "../../stacks/diff/diff";
import { REPLACE_RULES, STATEFUL_KINDS } from "../../stacks/diff/replace";
import { renderMarkdown, renderText } from "../../stacks/diff/render";
import { stackDiff } from "../../stacks/diff/report";

const ROOT = path.resolve(__dirname, "..", "..");
const recorded = (stack: string): RecordedPlan =>
    JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "plans", `${stack}.json`), "utf8"));
const AWS = { cloud: "aws", region: "us-east-1" };
const BASE = { ref: "main", commit: "0123456789abcdef0123456789abcdef01234567" };

function edit(plan: RecordedPlan, name: string, f: (r: RecordedResource) => RecordedResource): RecordedPlan {
    assert.ok(
        plan.resources.some((r) => r.name === name),
        `fixture has ${name}`,
    );
    return { ...plan, resources: plan.resources.map((r) => (r.name === name ? f(r) : r)) };
}

const withInputs = (patch: Record<string, unknown>) => (r: RecordedResource) => ({ ...r, inputs: { ...r.inputs, ...patch } });

describe("diff: actions on fixture plans", () => {
    const base = recorded("aws-dev");

    it("the same plan has no changes", () => {
        assert.deepEqual(diffPlans(base, base), []);
    });

    it("a changed bucket name is a replace of a stateful, unprotected bucket, said loudly", () => {
        const head = edit(base, "lake-raw-bucket", withInputs({ bucket: "mlops-aws-dev-raw-renamed" }));
        const [c, ...rest] = diffPlans(base, head);
        assert.equal(rest.length, 0);
        assert.equal(c.action, "replace");
        assert.equal(c.stateful, "bucket");
        assert.deepEqual(c.replacedBy, ["bucket"]);
        const text = renderText(
            stackDiff({ stack: "aws-dev", base: BASE, basePlan: base, basePlace: AWS, headPlan: head, headPlace: AWS }),
        );
        assert.equal(
            text,
            [
                "Stack aws-dev: base 0123456789ab (main) -> working tree",
                "  resources: 1 to replace (1 stateful)",
                "  fixed cost: $1.40 -> $1.40 a month (+$0.00)",
                "  policy: not run (--no-policy)",
                "",
                "!! Resources that hold data are replaced or deleted:",
                "!! REPLACE bucket lake-raw-bucket (s3/bucket), forced by bucket: NOT protected: protect: true would stop it",
                "",
                "Replace: 1",
                "  +- s3/bucket lake-raw-bucket  (forced by bucket)",
                `       bucket: ${JSON.stringify(base.resources.find((r) => r.name === "lake-raw-bucket")?.inputs?.bucket)} -> "mlops-aws-dev-raw-renamed"`,
            ].join("\n"),
        );
    });

    it("a protected bucket's replacement says protect stops it", () => {
        const prot = edit(base, "lake-raw-bucket", (r) => ({ ...r, options: { ...r.options, protect: true } }));
        const head = edit(prot, "lake-raw-bucket", withInputs({ bucket: "other" }));
        const md = renderMarkdown(
            stackDiff({ stack: "aws-dev", base: BASE, basePlan: prot, basePlace: AWS, headPlan: head, headPlace: AWS }),
        );
        assert.match(
            md,
            /\| \*\*replace\*\* \| `lake-raw-bucket` \| `s3\/bucket` \| bucket \| `bucket` \| protected: the engine refuses to replace it until protect is removed \|/,
        );
        assert.match(md, /> \[!CAUTION\]/);
    });

    it("an input change is an update with its path, inside JSON policy documents too", () => {
        const bucket = base.resources.find((r) => r.name === "lake-raw-bucket");
        const tags = bucket?.inputs?.tags as Record<string, string>;
        const head = edit(base, "lake-raw-bucket", withInputs({ tags: { ...tags, team: "data" } }));
        const [c, ...rest] = diffPlans(base, head);
        assert.equal(rest.length, 0);
        assert.equal(c.action, "update");
        assert.deepEqual(c.changes, [{ path: "tags.team", before: "(none)", after: '"data"' }]);
        assert.deepEqual(inputChanges({ policy: '{"Statement":[{"Resource":"a"}]}' }, { policy: '{"Statement":[{"Resource":"b"}]}' }), [
            { path: "policy.Statement[0].Resource", before: '"a"', after: '"b"' },
        ]);
    });

    it("a removed resource is a delete; a stateful one is flagged with its protection", () => {
        const head = { ...base, resources: base.resources.filter((r) => r.name !== "kms-key") };
        const changes = diffPlans(base, head);
        assert.deepEqual(
            changes.map((c) => [c.action, c.name, c.stateful]),
            [["delete", "kms-key", "encryption key"]],
        );
    });

    it("a renamed resource is a delete and a create (its URN changed)", () => {
        const head = edit(base, "lake-raw-bucket", (r) => ({
            ...r,
            name: "lake-landing-bucket",
            urn: r.urn.replace(/lake-raw-bucket$/, "lake-landing-bucket"),
        }));
        assert.deepEqual(
            diffPlans(base, head).map((c) => [c.action, c.name]),
            [
                ["delete", "lake-raw-bucket"],
                ["create", "lake-landing-bucket"],
            ],
        );
    });

    it("secrets are shown as (secret): secret-looking keys and the offline secret fixture", () => {
        assert.deepEqual(
            inputChanges({ password: "a", env: { X: "1" } }, { password: "b", env: { X: `https://${SECRET_FIXTURE}@host` } }),
            [
                { path: "env.X", before: '"1"', after: "(secret)" },
                { path: "password", before: "(secret)", after: "(secret)" },
            ],
        );
    });

    it("a new stack creates everything", () => {
        const d = stackDiff({ stack: "aws-dev", base: BASE, basePlan: null, basePlace: AWS, headPlan: base, headPlace: AWS });
        assert.ok(d.newStack);
        assert.ok(d.changes.every((c) => c.action === "create"));
        assert.equal(d.cost.before, 0);
    });
});

describe("diff: adding a model", () => {
    it("shows the model's new resources and its fixed monthly cost", () => {
        const head = recorded("aws-prod");
        const base = { ...head, resources: head.resources.filter((r) => !r.name.includes("iris-neuron")) };
        const d = stackDiff({ stack: "aws-prod", base: BASE, basePlan: base, basePlace: AWS, headPlan: head, headPlace: AWS });
        assert.deepEqual(
            d.changes
                .filter((c) => c.action === "create")
                .map((c) => c.name)
                .sort(),
            head.resources
                .filter((r) => r.name.includes("iris-neuron") && !r.type.startsWith("mlops:"))
                .map((r) => r.name)
                .sort(),
        );
        const line = d.cost.lines.find((l) => l.resource === "inference-iris-neuron-config");
        assert.ok(line && line.before === 0 && line.after > 0, JSON.stringify(d.cost.lines));
        assert.equal(
            Math.round((d.cost.after - d.cost.before) * 100) / 100,
            Math.round(d.cost.lines.reduce((s, l) => s + l.after - l.before, 0) * 100) / 100,
        );
        assert.deepEqual(d.cost.lines, [
            { resource: "inference-iris-neuron-config", item: "2 x ml.inf2.xlarge (real-time endpoint)", before: 0, after: 1445.4 },
            ...["errors", "latency", "rejected", "rollback"].map((a) => ({
                resource: `inference-iris-neuron-${a}-alarm`,
                item: "standard-resolution alarm",
                before: 0,
                after: 0.1,
            })),
        ]);
        assert.match(renderText(d), /\n {2}fixed cost: \$214\.57 -> \$1,660\.37 a month \(\+\$1,445\.80\)\n/);
    });
});

describe("diff: the replace table", () => {
    it("cites a source for every entry and covers the stateful kinds the brief names", () => {
        for (const [type, rule] of Object.entries(REPLACE_RULES)) assert.ok(rule.source.length > 10 && rule.inputs.length > 0, type);
        const must: [string, string][] = [
            ["aws:s3/bucket:Bucket", "bucket"],
            ["aws:kms/key:Key", "customerMasterKeySpec"],
            ["aws:ecr/repository:Repository", "name"],
            ["aws:sagemaker/modelPackageGroup:ModelPackageGroup", "modelPackageGroupName"],
            ["gcp:storage/bucket:Bucket", "location"],
            ["gcp:bigquery/dataset:Dataset", "datasetId"],
            ["gcp:kms/cryptoKey:CryptoKey", "purpose"],
            ["gcp:artifactregistry/repository:Repository", "format"],
            ["azure-native:storage:StorageAccount", "isHnsEnabled"],
            ["azure-native:keyvault:Vault", "vaultName"],
            ["azure-native:containerregistry:Registry", "registryName"],
            ["kubernetes:apps/v1:StatefulSet", "spec.volumeClaimTemplates"],
            ["kubernetes:core/v1:PersistentVolumeClaim", "spec.storageClassName"],
        ];
        for (const [type, input] of must) assert.ok(REPLACE_RULES[type]?.inputs.includes(input), `${type} ${input}`);
    });

    it("names only kinds the shipped stacks register", () => {
        const types = new Set(
            ["dev", "aws-dev", "aws-prod", "gcp-dev", "gcp-prod", "azure-dev", "azure-prod"].flatMap((s) =>
                recorded(s).resources.map((r) => r.type),
            ),
        );
        for (const type of [...Object.keys(REPLACE_RULES), ...Object.keys(STATEFUL_KINDS)]) assert.ok(types.has(type), type);
    });
});
