/**
 * What `pulumi up` runs (Pulumi.yaml `main: stacks/main.js`, `typescript: false`): the program loads through
 * the project's swc loader, in a plain Node process, without ts-node or the TypeScript compiler.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");

describe("Pulumi main (stacks/main.js)", () => {
    it("is what Pulumi.yaml runs, as JavaScript", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
            main: string;
            runtime: { name: string; options: Record<string, unknown> };
        };
        assert.equal(project.main, "stacks/main.js");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.runtime.options.typescript, false);
    });

    // (The TypeScript compiler is still loaded, by @pulumi/pulumi itself for function serialization: a flat
    // JavaScript program pays that too.)
    it("builds the dev stack under mocks in plain Node, without ts-node", () => {
        // The child loads the offline capture through the same loader, then requires main.js as the Pulumi host does.
        const script = `
            require("./stacks/plan/register.js");
            const { capture } = require("./stacks/plan/capture.ts");
            const { loadStackConfig } = require("./stacks/plan/stack-config.ts");
            const { config } = loadStackConfig(process.cwd(), "dev");
            capture({ project: "mlops", stack: "dev", config }, async () => await require("./stacks/main.js")).then((r) => {
                const loaded = Object.keys(require.cache);
                console.log(JSON.stringify({
                    outputs: Object.keys(r.outputs).sort(),
                    resources: r.resources.length,
                    tsNode: loaded.some((f) => f.includes("/node_modules/ts-node/")),
                }));
            });`;
        const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").pop()!);
        assert.deepEqual(out.outputs, [
            "containerService",
            "dataLake",
            "mlPlatform",
            "pipelines",
            "serverlessInference",
            "trainingPipelines",
        ]);
        assert.ok(out.resources > 50, `${out.resources} resources`);
        assert.equal(out.tsNode, false, "ts-node was loaded");
    });
});
