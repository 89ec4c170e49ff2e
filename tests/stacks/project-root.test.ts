/**
 * One project root, resolved once and passed down: a plan of another checkout (`npm run plan -- --cwd DIR`)
 * reads that checkout's stack files and sample code, never this one's.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { planStack } from "../../stacks/plan/plan";

const ROOT = path.resolve(__dirname, "..", "..");

/** A copy of the project files a stack reads: Pulumi.yaml, the stack file and the samples. */
function checkout(stack: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-checkout-"));
    for (const file of ["Pulumi.yaml", `Pulumi.${stack}.yaml`]) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    fs.cpSync(path.join(ROOT, "samples"), path.join(dir, "samples"), { recursive: true });
    return dir;
}

async function rejection(projectRoot: string, stack: string): Promise<string> {
    try {
        await planStack(projectRoot, stack);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.message;
    }
    return assert.fail("expected the plan to be rejected");
}

describe("project root", () => {
    it("reads AWS Lambda code from the checkout being planned", async () => {
        const dir = checkout("aws-dev");
        fs.rmSync(path.join(dir, "samples", "aws", "lambda", "handler.py"));
        const message = await rejection(dir, "aws-dev");
        assert.match(message, /mlops:models\[0\]\.aws\.lambdaCode: holds no files \(got "samples\/aws\/lambda"\)/);
    });

    it("reads model files from the checkout being planned", async () => {
        const dir = checkout("gcp-dev");
        fs.rmSync(path.join(dir, "samples", "model"), { recursive: true });
        const message = await rejection(dir, "gcp-dev");
        assert.match(message, /mlops:models\[0\]\.files/);
    });
});
