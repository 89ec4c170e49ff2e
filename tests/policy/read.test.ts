/** The typed readers rules use on untyped resource inputs (policy/rules/lib/read.ts). */
import * as assert from "node:assert/strict";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { at, fields, list, oneOf, parseJson, peek, records, UNKNOWN } from "../../policy/rules/lib/read";

describe("policy input readers", () => {
    const props = { a: { b: { c: 1 } }, labels: { "mlops.dev/environment": "prod" }, items: [{ x: 1 }, null, "s", [2]], s: "text" };

    it("at reads a path the way ?. does: undefined as soon as a step is not an object", () => {
        assert.equal(at(props, "a.b.c"), 1);
        assert.deepEqual(at(props, "a.b"), { c: 1 });
        assert.equal(at(props, "a.x.c"), undefined);
        assert.equal(at(props, "s.length"), undefined);
        assert.equal(at(undefined, "a"), undefined);
        assert.equal(at(null, "a"), undefined);
        assert.equal(at(props, ["labels", "mlops.dev/environment"]), "prod");
        assert.equal(at(props, []), props);
        assert.deepEqual(at(props, "items.0"), { x: 1 });
    });

    it("at lets an unknown-at-preview read throw (the policy server turns that into an advisory), peek answers UNKNOWN", () => {
        const proxied = unknownCheckingProxy({ a: { b: rpc.unknownValue } });
        assert.throws(() => at(proxied, "a.b"), UnknownValueError);
        assert.equal(peek(proxied, "a.b"), UNKNOWN);
    });

    it("fields, records and list never throw on a value of the wrong shape", () => {
        assert.deepEqual(fields({ k: 1 }), { k: 1 });
        for (const v of [undefined, null, "s", 3, [1]]) assert.deepEqual(fields(v), {});
        assert.deepEqual(records(props.items), [{ x: 1 }, {}, {}, {}]);
        assert.deepEqual(records("not a list"), []);
        assert.deepEqual(list(props.items), props.items);
        assert.deepEqual(list({ 0: "a" }), []);
    });

    it("oneOf compares strictly, without coercing", () => {
        assert.equal(oneOf(["KMS", "KMS_DSSE"], "KMS"), true);
        assert.equal(oneOf(["KMS"], undefined), false);
        assert.equal(oneOf(["1"], 1), false);
    });

    it("parseJson takes documents as JSON strings or objects", () => {
        assert.deepEqual(parseJson('{"Statement":[]}'), { ok: true, value: { Statement: [] } });
        assert.deepEqual(parseJson({ Statement: [] }), { ok: true, value: { Statement: [] } });
        assert.deepEqual(parseJson("{not json"), { ok: false });
        assert.deepEqual(parseJson(42), { ok: false });
        assert.deepEqual(parseJson(null), { ok: false });
    });
});
