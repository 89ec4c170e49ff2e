import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { importCycles, importsOf } from "../../scripts/import-cycles";

/** A throwaway project root holding `files` (path relative to the root -> contents). */
function fixture(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "import-cycles-"));
    for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
}

describe("import cycles", () => {
    it("the project has none, type-only imports included (run scripts/import-cycles.ts to list them)", () => {
        const cycles = importCycles();
        assert.deepEqual(
            cycles.map((c) => c.join(" <-> ")),
            [],
        );
    });

    describe("the finder, on a fixture project", () => {
        let root: string;
        before(() => {
            root = fixture({
                // A cycle made only of `import type`: no runtime cycle, but the layering still points both ways.
                "components/kinds/a.ts": 'import type { B } from "./b";\nexport interface A {\n    b?: B;\n}\n',
                "components/kinds/b.ts": 'import type { A } from "./a";\nexport interface B {\n    a?: A;\n}\n',
                // A cycle through a re-export and a workspace package import.
                "components/index.ts": 'export * from "./reexport/c";\n',
                "components/reexport/c.ts": 'export { d } from "./d";\nexport const c = 1;\n',
                "components/reexport/d.ts": 'import { c } from "@mlops/components";\nexport const d = c + 1;\n',
                // One-way imports, and imports that only look like imports, are not cycles.
                "stacks/top.ts":
                    'import { A } from "../components/kinds/a";\nimport { d } from "../components/reexport/d";\nexport const t: A | number = d;\n',
                "stacks/bottom.ts": [
                    '// import { t } from "./top";',
                    '/* export * from "./top"; */',
                    "export const text = 'import { t } from \"./top\"';",
                    'import * as fs from "fs";',
                    "export const exists = fs.existsSync;",
                    "",
                ].join("\n"),
                "stacks/uses-bottom.ts": 'import { text } from "./bottom";\nexport const shout = text.toUpperCase();\n',
            });
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        it("reports a cycle made only of `import type`", () => {
            assert.ok(
                importCycles(root).some(
                    (c) => c.join(" ") === [path.join("components", "kinds", "a.ts"), path.join("components", "kinds", "b.ts")].join(" "),
                ),
                JSON.stringify(importCycles(root)),
            );
        });

        it("reports a cycle through `export ... from` and a workspace package, with every file in it", () => {
            assert.ok(
                importCycles(root).some(
                    (c) =>
                        c.join(" ") ===
                        ["components/index.ts", "components/reexport/c.ts", "components/reexport/d.ts"]
                            .map((f) => path.join(...f.split("/")))
                            .join(" "),
                ),
                JSON.stringify(importCycles(root)),
            );
        });

        it("reports exactly those two: one-way imports, comments and strings are not cycles", () => {
            assert.equal(importCycles(root).length, 2, JSON.stringify(importCycles(root)));
            assert.ok(!importCycles(root).some((c) => c.some((f) => f.startsWith("stacks"))));
        });

        it("reads no import out of comments or strings, and skips packages outside the project", () => {
            assert.deepEqual(importsOf(path.join(root, "stacks", "bottom.ts"), root), []);
            assert.deepEqual(importsOf(path.join(root, "stacks", "top.ts"), root), [
                path.join(root, "components", "kinds", "a.ts"),
                path.join(root, "components", "reexport", "d.ts"),
            ]);
        });

        it("reports a file that imports itself", () => {
            const selfRoot = fixture({ "policy/self.ts": 'import type { S } from "./self";\nexport type S = { next?: S };\n' });
            try {
                assert.deepEqual(importCycles(selfRoot), [[path.join("policy", "self.ts")]]);
            } finally {
                fs.rmSync(selfRoot, { recursive: true, force: true });
            }
        });
    });
});
