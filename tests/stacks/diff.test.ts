/** `npm run diff` on real commits of this repository: all seven stacks, the documented example, usage errors. */
import * as assert from "node:assert/strict";
import * as path from "path";
import { listStacks } from "../../stacks/plan/stack-config";
import { parseArgs } from "../../stacks/diff/cli";
import { documentedExample, exampleReport } from "../../stacks/diff/example";
import { renderAll } from "../../stacks/diff/render";
import { diffStacks } from "../../stacks/diff/run";

const ROOT = path.resolve(__dirname, "..", "..");

describe("npm run diff on this repository", function () {
    this.timeout(300_000);

    it("reports HEAD~1 against the working tree on all seven stacks", async () => {
        const stacks = listStacks(ROOT);
        assert.equal(stacks.length, 7);
        const diffs = await diffStacks({ projectRoot: ROOT, ref: "HEAD~1", stacks, policy: false });
        assert.deepEqual(
            diffs.map((d) => d.stack),
            stacks,
        );
        for (const d of diffs) assert.ok(d.cost.after >= 0, d.stack);
        const md = renderAll(diffs, "markdown");
        for (const s of stacks) assert.match(md, new RegExp(`### \`${s}\`: `));
        assert.match(renderAll(diffs, "text"), /^Stack dev: base [0-9a-f]{12} \(HEAD~1\) -> working tree$/m);
    });

    // The policy delta plans the base tree too (a few seconds per stack and side): two stacks, one per kind.
    it("adds the policy delta, judging the base and the head with the head's pack", async () => {
        const diffs = await diffStacks({ projectRoot: ROOT, ref: "HEAD~1", stacks: ["dev", "aws-dev"], policy: true });
        for (const d of diffs) assert.ok(d.policy, d.stack);
    });

    it("docs/pr-review.md's example is what stacks/diff/example.ts prints", async () => {
        assert.equal(documentedExample(ROOT), await exampleReport(ROOT));
    });

    it("refuses bad usage", () => {
        assert.throws(() => parseArgs(["--stack", "dev"], ROOT), /--base is required/);
        assert.throws(() => parseArgs(["--base", "HEAD"], ROOT), /give --stack <name> or --all/);
        assert.throws(() => parseArgs(["--base", "HEAD", "--stack", "nope"], ROOT), /no stack nope/);
        assert.throws(() => parseArgs(["--base", "HEAD", "--all", "--format", "html"], ROOT), /--format must be text, markdown or json/);
        assert.deepEqual(parseArgs(["--base", "HEAD", "--all", "--no-policy"], ROOT).stacks, listStacks(ROOT));
    });
});
