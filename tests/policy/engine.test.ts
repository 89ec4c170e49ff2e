/** The offline engine reproduces the policy server's semantics (enforcement levels, config, notApplicable, unknowns). */
import * as assert from "node:assert/strict";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { runPolicies } from "../../policy/run/engine";
import { toOffline, UNKNOWN } from "./harness";

const resources = toOffline([{ name: "a", type: "test:index:Thing", props: { size: 3, name: UNKNOWN } }]);
const sizeRule: ResourceValidationPolicy = {
    name: "size-under-2",
    description: "size is under 2",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "test:index:Thing") args.notApplicable("other type");
        const { max = 2 } = args.getConfig<{ max?: number }>();
        if (args.props.size >= max) report(`size ${args.props.size} >= ${max}`);
    },
};

describe("offline policy engine", () => {
    it("reports a mandatory violation at the policy's level", async () => {
        assert.deepEqual(await runPolicies([sizeRule], resources), [
            { policy: "size-under-2", enforcementLevel: "mandatory", severity: undefined, urn: resources[0].urn, message: "size 3 >= 2" },
        ]);
    });

    it("lets policy config turn a rule down to advisory or off, by name or through `all`", async () => {
        assert.equal(
            (await runPolicies([sizeRule], resources, { config: { "size-under-2": "advisory" } }))[0].enforcementLevel,
            "advisory",
        );
        assert.deepEqual(await runPolicies([sizeRule], resources, { config: { "size-under-2": { enforcementLevel: "disabled" } } }), []);
        // A policy's own level beats the `all` default, as in the server.
        assert.equal((await runPolicies([sizeRule], resources, { config: { all: "disabled" } })).length, 1);
        assert.deepEqual(await runPolicies([{ ...sizeRule, enforcementLevel: undefined }], resources, { config: { all: "disabled" } }), []);
    });

    it("treats remediate as mandatory and defaults to the pack's level", async () => {
        assert.equal(
            (await runPolicies([sizeRule], resources, { config: { "size-under-2": "remediate" } }))[0].enforcementLevel,
            "mandatory",
        );
        assert.equal((await runPolicies([{ ...sizeRule, enforcementLevel: undefined }], resources))[0].enforcementLevel, "advisory");
    });

    it("hands knobs (without enforcementLevel) to getConfig", async () => {
        assert.deepEqual(
            await runPolicies([sizeRule], resources, { config: { "size-under-2": { enforcementLevel: "mandatory", max: 5 } } }),
            [],
        );
    });

    it("ends a not-applicable policy quietly", async () => {
        const other = toOffline([{ name: "b", type: "test:index:Other", props: { size: 9 } }]);
        assert.deepEqual(await runPolicies([sizeRule], other), []);
    });

    it("turns a read of an unknown value into an advisory can't-run, like the server", async () => {
        const nameRule: ResourceValidationPolicy = {
            ...sizeRule,
            name: "named",
            validateResource: (args, report) => report(`name ${args.props.name}`),
        };
        assert.deepEqual(await runPolicies([nameRule], resources), [
            {
                policy: "named",
                enforcementLevel: "advisory",
                severity: undefined,
                urn: resources[0].urn,
                message: "can't run policy 'named' during preview: string value at .name can't be known during preview",
            },
        ]);
    });

    it("gives stack policies dependencies and property dependencies as resource objects", async () => {
        const stack = toOffline([
            { name: "bucket", type: "test:index:Bucket", props: {} },
            { name: "versioning", type: "test:index:Versioning", props: { bucket: "x" }, deps: { bucket: ["bucket"] } },
        ]);
        const seen: string[] = [];
        const rule: StackValidationPolicy = {
            name: "joins",
            description: "joins",
            enforcementLevel: "mandatory",
            validateStack: (args) => {
                const v = args.resources.find((r) => r.name === "versioning")!;
                seen.push(v.propertyDependencies.bucket[0].name, v.dependencies[0].type);
            },
        };
        await runPolicies([rule], stack);
        assert.deepEqual(seen, ["bucket", "test:index:Bucket"]);
    });

    it("fails loudly, naming the policy, when a rule throws", async () => {
        const broken: ResourceValidationPolicy = {
            ...sizeRule,
            name: "broken",
            validateResource: () => {
                throw new TypeError("boom");
            },
        };
        await assert.rejects(
            runPolicies([broken], resources),
            /policy broken failed on urn:pulumi:test::mlops::test:index:Thing::a: TypeError: boom/,
        );
    });
});
