import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as path from "path";
import { listStacks, loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const SDK_OF_CLOUD: Record<string, string> = { aws: "aws", gcp: "gcp", azure: "azure-native", kubernetes: "kubernetes" };

describe("a stack loads only its own cloud's SDK", () => {
    for (const stack of listStacks(ROOT)) {
        const cloud = loadStackConfig(ROOT, stack).config["mlops:cloud"];
        it(`${stack} (${cloud}) loads @pulumi/${SDK_OF_CLOUD[cloud]} and no other cloud SDK`, () => {
            const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "..", "fixtures", "loaded-sdks.ts"), stack], {
                cwd: ROOT,
                encoding: "utf8",
            });
            const loaded: string[] = JSON.parse(out);
            assert.ok(loaded.includes(SDK_OF_CLOUD[cloud]), `expected @pulumi/${SDK_OF_CLOUD[cloud]} in ${loaded.join(", ")}`);
            const foreign = Object.values(SDK_OF_CLOUD).filter((sdk) => sdk !== SDK_OF_CLOUD[cloud] && loaded.includes(sdk));
            assert.deepEqual(foreign, [], `stack ${stack} loaded other clouds' SDKs`);
        });
    }
});
