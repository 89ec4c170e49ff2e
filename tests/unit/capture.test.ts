import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SECRET, capture, DuplicateUrnError } from "../../stacks/plan/capture";

/** A custom resource of a made-up provider: the mocked engine accepts any type. */
class Fake extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

class Parent extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("mlops:index:Parent", name, {}, opts);
        new Fake("test:index:Store", `${name}-store`, { size: 3 }, { parent: this, retainOnDelete: true });
        this.registerOutputs({});
    }
}

describe("capture (offline engine)", () => {
    it("records URN, parent, ID, inputs and inherited protect", async () => {
        const result = await capture({ project: "mlops", stack: "unit", config: {} }, () => {
            new Parent("p", { protect: true });
            return { answer: pulumi.output(42) };
        });
        const store = result.resources.find((r) => r.name === "p-store")!;
        assert.equal(store.urn, "urn:pulumi:unit::mlops::mlops:index:Parent$test:index:Store::p-store");
        assert.equal(store.parent, "urn:pulumi:unit::mlops::pulumi:pulumi:Stack$mlops:index:Parent::p");
        assert.equal(store.id, "p-store-id");
        assert.deepEqual(store.inputs, { size: 3 });
        assert.deepEqual(store.options, { protect: true, retainOnDelete: true });
        const parent = result.resources.find((r) => r.name === "p")!;
        assert.equal(parent.id, null);
        assert.equal(result.outputs.answer, 42);
    });

    it("never shows secret inputs (a property holding a secret is secret as a whole, as the engine sees it)", async () => {
        const result = await capture({ project: "mlops", stack: "unit", config: {} }, () => {
            new Fake("test:index:Secret", "s", { data: { password: pulumi.secret("hunter2") }, plain: "visible" });
        });
        const s = result.resources.find((r) => r.name === "s")!;
        assert.deepEqual(s.inputs, { data: SECRET, plain: "visible" });
        assert.ok(!JSON.stringify(result.resources).includes("hunter2"));
    });

    it("records dependencies and property dependencies as the engine receives them", async () => {
        const result = await capture({ project: "mlops", stack: "unit", config: {} }, () => {
            const bucket = new Fake("test:index:Bucket", "b", { name: "lake" });
            const marker = new Fake("test:index:Marker", "m", {});
            new Fake("test:index:Versioning", "v", { bucket: bucket.id }, { dependsOn: [marker] });
        });
        const urn = (name: string) => result.resources.find((r) => r.name === name)!.urn;
        const versioning = result.resources.find((r) => r.name === "v")!;
        assert.deepEqual([...versioning.dependencies].sort(), [urn("b"), urn("m")].sort());
        assert.deepEqual(versioning.propertyDependencies, { bucket: [urn("b")] });
    });

    it("fails when two resources share a URN", async () => {
        await assert.rejects(
            capture({ project: "mlops", stack: "unit", config: {} }, () => {
                new Fake("test:index:Store", "same", {});
                new Fake("test:index:Store", "same", {});
            }),
            (e: Error) => e instanceof DuplicateUrnError && e.message.includes("test:index:Store::same"),
        );
    });
});
