import * as assert from "node:assert/strict";
import { execFile } from "child_process";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { listStacks, loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const PROBE = path.join(__dirname, "..", "fixtures", "loaded-sdks.ts");
/** The loader of `npm run plan` (cached swc output: no TypeScript compiler in the child). */
const REGISTER = path.join(ROOT, "stacks", "plan", "register.js");
const SDK_OF_CLOUD: Record<string, string> = { aws: "aws", gcp: "gcp", azure: "azure-native", kubernetes: "kubernetes" };
const run = promisify(execFile);

/** Plans each stack in a fresh Node process (so nothing else loaded can mask a leak), a few at a time. */
async function loadedSdks(stacks: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    const queue = [...stacks];
    const worker = async () => {
        for (let stack = queue.shift(); stack; stack = queue.shift()) {
            const { stdout } = await run(process.execPath, ["-r", REGISTER, PROBE, stack], {
                cwd: ROOT,
                encoding: "utf8",
            });
            result.set(stack, JSON.parse(stdout));
        }
    };
    await Promise.all(Array.from({ length: Math.max(2, os.cpus().length) }, worker));
    return result;
}

describe("a stack loads only its own cloud's SDK", function () {
    this.timeout(120_000);
    const stacks = listStacks(ROOT);
    let loaded: Map<string, string[]>;
    before(async () => {
        loaded = await loadedSdks(stacks);
    });

    for (const stack of stacks) {
        const cloud = loadStackConfig(ROOT, stack).config["mlops:cloud"];
        it(`${stack} (${cloud}) loads @pulumi/${SDK_OF_CLOUD[cloud]} and no other cloud SDK`, () => {
            const sdks = loaded.get(stack)!;
            assert.ok(sdks.includes(SDK_OF_CLOUD[cloud]), `expected @pulumi/${SDK_OF_CLOUD[cloud]} in ${sdks.join(", ")}`);
            const foreign = Object.values(SDK_OF_CLOUD).filter((sdk) => sdk !== SDK_OF_CLOUD[cloud] && sdks.includes(sdk));
            assert.deepEqual(foreign, [], `stack ${stack} loaded other clouds' SDKs`);
        });
    }
});
