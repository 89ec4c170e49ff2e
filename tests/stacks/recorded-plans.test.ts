/**
 * Each shipped stack's offline plan is the recorded one (tests/fixtures/plans/<stack>.json): same resources,
 * names, URNs, options, dependencies, cloud inputs and outputs. A refactor passes unchanged; an intended
 * change re-records with `npm run --silent plans:record` and the diff of the record shows what it does.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { differences, RecordedPlan, recordPlan } from "../../stacks/plan/recorded";
import { listStacks } from "../../stacks/plan/stack-config";
import { shippedPlan } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");

describe("recorded plans", () => {
    for (const stack of listStacks(ROOT)) {
        it(`${stack} plans exactly as recorded`, async () => {
            const file = path.join(ROOT, "tests", "fixtures", "plans", `${stack}.json`);
            assert.ok(fs.existsSync(file), `${stack} has no recorded plan: run npm run --silent plans:record -- ${stack}`);
            const recorded = JSON.parse(fs.readFileSync(file, "utf8")) as RecordedPlan;
            const diff = differences(recorded, recordPlan(await shippedPlan(stack)));
            assert.deepEqual(
                diff,
                [],
                `${stack} differs from its record (re-record with npm run --silent plans:record if intended):\n${diff.slice(0, 40).join("\n")}`,
            );
        });
    }

    it("reports a changed input, an added and a removed resource", () => {
        const base: RecordedPlan = {
            stack: "s",
            outputs: {},
            resources: [
                {
                    urn: "u1",
                    type: "aws:s3/bucket:Bucket",
                    name: "a",
                    parent: null,
                    options: { protect: true, retainOnDelete: true },
                    dependsOn: [],
                    inputs: { acl: "private" },
                },
                {
                    urn: "u2",
                    type: "aws:s3/bucket:Bucket",
                    name: "b",
                    parent: null,
                    options: { protect: false, retainOnDelete: false },
                    dependsOn: [],
                    inputs: {},
                },
            ],
        };
        const changed: RecordedPlan = {
            ...base,
            resources: [
                { ...base.resources[0], inputs: { acl: "public-read" } },
                {
                    urn: "u3",
                    type: "aws:s3/bucket:Bucket",
                    name: "c",
                    parent: null,
                    options: { protect: false, retainOnDelete: false },
                    dependsOn: [],
                    inputs: {},
                },
            ],
        };
        assert.deepEqual(differences(base, changed), [
            "removed u2",
            "added u3",
            'changed u1 inputs: {"acl":"private"} -> {"acl":"public-read"}',
        ]);
        assert.deepEqual(differences(base, base), []);
    });
});
