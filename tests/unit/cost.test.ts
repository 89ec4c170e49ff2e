/**
 * The cost estimate (`npm run cost`): exact output for a small plan, the shipped stacks' fixed totals from
 * their recorded plans (and the README's table of them), and what adding a model adds.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { estimateCost } from "../../stacks/cost/estimate";
import { recordedInput } from "../../stacks/cost/inputs";
import { costTable, readmeBlock } from "../../stacks/cost/readme";
import { renderCost } from "../../stacks/cost/render";
import { CostInput, Estimate } from "../../stacks/cost/types";
import { listStacks } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const SMALL: CostInput = {
    stack: "small",
    cloud: "aws",
    region: "us-east-1",
    outputs: {},
    resources: [
        { urn: "urn:1", type: "pulumi:pulumi:Stack", name: "mlops-small" },
        { urn: "urn:2", type: "aws:ec2/natGateway:NatGateway", name: "nat-0", inputs: {} },
        { urn: "urn:3", type: "aws:kms/key:Key", name: "key", inputs: {} },
        { urn: "urn:4", type: "aws:s3/bucket:Bucket", name: "raw", inputs: {} },
        { urn: "urn:5", type: "aws:quantum/computer:Computer", name: "qpu", inputs: {} },
        { urn: "urn:6", type: "aws:iam/role:Role", name: "role", inputs: {} },
    ],
};

const EXPECTED_SMALL = `Monthly cost estimate of stack "small" (aws, us-east-1): USD list prices for us-east-1 read 2026-12-03, 730 hours a month

Fixed: bills while idle
resource  kind            item                  quantity  unit       unit price  monthly  source
nat-0     ec2/natGateway  NAT gateway                730  hour           $0.045   $32.85  [1]*
key       kms/key         customer-managed key         1  key-month       $1.00    $1.00  [2]*
Fixed monthly total: $33.85

Usage: bills per use, at these rates
kind            resources  item            unit price  per                  source
ec2/natGateway  nat-0      data processed      $0.045  GB processed         [1]*
kms/key         key        API requests         $0.03  10,000 requests      [2]*
s3/bucket       raw        storage             $0.023  GB-month (Standard)  [3]*
s3/bucket       raw        writes              $0.005  1,000 PUT requests   [3]*

Unpriced: not counted in the total
resource  kind              reason
qpu       quantum/computer  no price rule for this kind

No charge of their own
kind      count  why
iam/role      1  no charge

Sources (* = the author's knowledge of the page on that date, not read from it)
[1] https://aws.amazon.com/vpc/pricing/
[2] https://aws.amazon.com/kms/pricing/
[3] https://aws.amazon.com/s3/pricing/`;

/** The fixed monthly total of each shipped stack from its recorded plan. A plan change that moves one is a cost change: update it here and in the README (`npm run --silent cost -- --readme`). */
const FIXED_TOTALS: Record<string, number> = {
    dev: 0,
    "aws-dev": 1.4,
    "aws-prod": 1660.37,
    "gcp-dev": 3.56,
    "gcp-prod": 2747.82,
    "azure-dev": 1.44,
    "azure-prod": 357.04,
};

describe("cost estimate", () => {
    it("prints the exact estimate of a small plan: priced fixed lines, usage rates, an unpriced kind, free kinds", () => {
        assert.equal(renderCost(estimateCost(SMALL)), EXPECTED_SMALL);
    });

    it("gives the same data as JSON, and counts an unknown kind as unpriced, never as zero", () => {
        const e = estimateCost(SMALL);
        assert.equal(e.fixedMonthly, 33.85);
        assert.deepEqual(
            e.fixed.map((l) => [l.resource, l.quantity, l.unitPrice, l.monthly]),
            [
                ["nat-0", 730, 0.045, 32.85],
                ["key", 1, 1, 1],
            ],
        );
        assert.deepEqual(e.unpriced, [{ resource: "qpu", kind: "quantum/computer", reason: "no price rule for this kind" }]);
        assert.ok(e.fixed.every((l) => l.url.startsWith("https://")));
    });

    it("says when a region has no table and which prices stand in", () => {
        const e = estimateCost({ ...SMALL, region: "eu-north-1" });
        assert.equal(e.priceRegion, "us-east-1");
        assert.match(e.notes.join("\n"), /no price table for region "eu-north-1": us-east-1 prices stand in/);
    });

    for (const stack of listStacks(ROOT)) {
        it(`${stack}: the fixed monthly total from the recorded plan is stable and every kind has a rule`, () => {
            const e = estimateCost(recordedInput(ROOT, stack));
            assert.equal(
                e.fixedMonthly,
                FIXED_TOTALS[stack],
                `fixed lines:\n${e.fixed.map((l) => `${l.resource} ${l.item} ${l.monthly}`).join("\n")}`,
            );
            const noRule = e.unpriced.filter((u) => u.reason === "no price rule for this kind");
            assert.deepEqual(noRule, [], "kinds the stack registers without a price rule");
        });
    }

    it("every dev stack idles at USD 5 a month or less (the bigger setups are one key each, priced in the cloud guides)", () => {
        const dev = listStacks(ROOT).filter((stack) => /(^|-)dev$/.test(stack));
        assert.deepEqual(dev.sort(), ["aws-dev", "azure-dev", "dev", "gcp-dev"]);
        for (const stack of dev) {
            const e = estimateCost(recordedInput(ROOT, stack));
            assert.ok(
                e.fixedMonthly <= 5,
                `${stack} idles at USD ${e.fixedMonthly}: ${e.fixed.map((l) => `${l.resource} ${l.monthly}`).join(", ")}`,
            );
        }
    });

    it("the README's cost table is the one the recorded plans give (`npm run --silent cost -- --readme`)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.equal(readmeBlock(readme), costTable(ROOT));
    });

    it("aws-prod plus one model on a real-time endpoint: its instances and alarms are added to the fixed cost", function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-cost-"));
        try {
            fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.symlinkSync(path.join(ROOT, "samples"), path.join(dir, "samples"));
            const doc = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.aws-prod.yaml"), "utf8")) as { config: Record<string, unknown> };
            const models = doc.config["mlops:models"] as Record<string, unknown>[];
            const neuron = models.find((m) => m.name === "iris-neuron") as Record<string, unknown>;
            models.push({ ...neuron, name: "churn" });
            fs.writeFileSync(path.join(dir, "Pulumi.aws-prod.yaml"), yaml.dump(doc));
            const r = spawnSync(npm, ["run", "--silent", "cost", "--", "--cwd", dir, "--stack", "aws-prod", "--format", "json"], {
                cwd: ROOT,
                encoding: "utf8",
            });
            assert.equal(r.status, 0, r.stderr);
            const after = JSON.parse(r.stdout) as Estimate;
            const before = estimateCost(recordedInput(ROOT, "aws-prod"));
            const added = after.fixed.filter((l) => l.resource.includes("churn"));
            assert.deepEqual(added.map((l) => l.item).sort(), [
                "2 x ml.inf2.xlarge (real-time endpoint)",
                "standard-resolution alarm",
                "standard-resolution alarm",
                "standard-resolution alarm",
                "standard-resolution alarm",
            ]);
            const addedMonthly = added.reduce((s, l) => s + l.monthly, 0);
            assert.equal(Math.round((after.fixedMonthly - before.fixedMonthly) * 100), Math.round(addedMonthly * 100));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
