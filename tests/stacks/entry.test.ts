/**
 * The Pulumi entry (stacks/index.ts) as `pulumi up` loads it: config problems stop the program with a
 * RunError (Pulumi prints its message without a stack trace) before any resource is registered.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { capture } from "../../stacks/plan/capture";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const ENTRY = require.resolve("../../stacks/index");

/** Evaluates the entry module afresh, as the Pulumi host does once per run. */
async function runEntry(): Promise<Record<string, unknown>> {
    delete require.cache[ENTRY];
    // The entry is `export = main()` (a Promise of the outputs), which only require() hands back as is.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (await require(ENTRY)) as Record<string, unknown>;
}

describe("Pulumi entry (stacks/index.ts)", () => {
    it("builds the dev stack and returns its outputs", async () => {
        const { config } = loadStackConfig(ROOT, "dev");
        const result = await capture({ project: "mlops", stack: "dev", config }, runEntry);
        assert.deepEqual(Object.keys(result.outputs).sort(), [
            "containerService",
            "dataLake",
            "mlPlatform",
            "pipelines",
            "serverlessInference",
            "trainingPipelines",
        ]);
        assert.ok(result.resources.some((r) => r.type === "mlops:index:MinioDataLake"));
    });

    it("fails with a RunError listing every problem, before any resource is registered", async () => {
        const config = {
            "mlops:cloud": "digitalocean",
            "mlops:environment": "production",
            "mlops:models": '[{"name":"m","image":"m:latest"}]',
        };
        let error: unknown;
        const result = await capture({ project: "mlops", stack: "bad", config }, async () => {
            try {
                await runEntry();
            } catch (e) {
                error = e;
            }
        });
        assert.ok(pulumi.RunError.isInstance(error), `expected a RunError, got ${error}`);
        const message = (error as Error).message;
        for (const path of ["mlops:cloud", "mlops:environment", "mlops:models[0].image"])
            assert.ok(message.includes(path), `message lacks ${path}:\n${message}`);
        assert.deepEqual(
            result.resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});
