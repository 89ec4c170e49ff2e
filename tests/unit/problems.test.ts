/** The problem helpers every validator and the config parser share. */
import * as assert from "node:assert/strict";
import { ValidationError, atKeys, throwIfProblems } from "@mlops/components";

describe("problems", () => {
    describe("atKeys: component argument paths re-rooted at the user's stack keys", () => {
        const keys = { models: "mlops:models", cidrBlock: "mlops:mlPlatform.aws.vpcCidr", "models[0].aws": "mlops:models[0].aws" };

        it("maps an exact argument, an indexed child and the longest matching prefix", () => {
            const out = atKeys(
                [
                    { path: "cidrBlock", value: "10.0.0.0/33", message: "is not a CIDR block" },
                    { path: "models[1].maxReplicas", value: 0, message: "must be at least 1" },
                    { path: "models[0].aws.sagemakerCode", value: undefined, message: "is required" },
                ],
                keys,
                "mlops:mlPlatform.aws",
            );
            assert.deepEqual(
                out.map((p) => p.path),
                ["mlops:mlPlatform.aws.vpcCidr", "mlops:models[1].maxReplicas", "mlops:models[0].aws.sagemakerCode"],
            );
            assert.equal(out[0].value, "10.0.0.0/33");
        });

        it("puts an unmapped argument under the fallback section, and does not match a mere name prefix", () => {
            const out = atKeys([{ path: "modelsBucket", value: "", message: "is required" }], keys, "mlops:dataLake.aws");
            assert.equal(out[0].path, "mlops:dataLake.aws.modelsBucket");
        });
    });

    describe("throwIfProblems", () => {
        it("does nothing without problems", () => assert.doesNotThrow(() => throwIfProblems('AwsNetwork "net"', [])));

        it("fails with one ValidationError listing every problem, formatted", () => {
            assert.throws(
                () =>
                    throwIfProblems('AwsNetwork "net"', [
                        { path: "cidrBlock", value: "x", message: "is not a CIDR block", fix: "write e.g. 10.0.0.0/16" },
                        { path: "natGateways", value: 4, message: "is too many", allowed: [0, 1, 2, 3] },
                    ]),
                (e: unknown) =>
                    e instanceof ValidationError &&
                    e.message ===
                        'AwsNetwork "net" is invalid (2 problems):\n  - cidrBlock: is not a CIDR block (got "x"). Fix: write e.g. 10.0.0.0/16\n  - natGateways: is too many (got 4). Allowed: 0, 1, 2, 3.',
            );
        });
    });
});
