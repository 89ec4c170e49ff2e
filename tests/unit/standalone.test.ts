/**
 * The repository stands alone: no file outside tests/fixtures refers to design notes or files outside
 * the repository (`shared/reference`, `DESIGN.md`, `STYLE.md`, a `../shared` path leaving the
 * repository), and every relative link in README.md and docs/*.md points at a file that exists.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Directories never searched: generated, installed or version-control data, and recorded fixtures. */
const SKIPPED = new Set(["node_modules", ".git", "bin", ".pulumi", path.join(".ci", ".cache"), path.join("tests", "fixtures")]);

/** Every file of the repository a contributor writes (what git tracks, less installed and generated trees). */
export function repositoryFiles(root = ROOT, dir = ""): string[] {
    const files: string[] = [];
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (!SKIPPED.has(rel) && !SKIPPED.has(entry.name)) files.push(...repositoryFiles(root, rel));
        } else if (entry.isFile()) files.push(rel);
    }
    return files;
}

/** References in a file's text to something outside the repository; `file` is relative to `root`. */
export function outsideReferences(file: string, text: string, root = ROOT): string[] {
    const found: string[] = [];
    for (const m of text.matchAll(/shared\/reference|\bDESIGN\.md\b|\bSTYLE\.md\b/g)) found.push(m[0]);
    // A `../shared` path, resolved from the file's directory, that leaves the repository or names no
    // `shared` directory in it (components/shared is the repository's own).
    for (const m of text.matchAll(/((?:\.\.\/)+shared)\b[\w./-]*/g)) {
        const dir = path.resolve(root, path.dirname(file), m[1]);
        if (path.relative(root, dir).startsWith("..") || !fs.existsSync(dir)) found.push(m[0]);
    }
    return found;
}

/** Relative markdown links (`[text](path)`, `[text](path#anchor)`) whose file does not exist. */
export function brokenLinks(file: string, text: string, root = ROOT): string[] {
    const broken: string[] = [];
    const withoutCode = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue; // URLs, mailto:, in-page anchors
        const rel = decodeURIComponent(target.split("#")[0]);
        if (!fs.existsSync(path.resolve(root, path.dirname(file), rel))) broken.push(target);
    }
    return broken;
}

describe("the repository stands alone", () => {
    it("finds references outside the repository, and leaves paths inside it alone", () => {
        assert.deepEqual(outsideReferences("docs/x.md", "see ../shared/reference/automation.md and DESIGN.md, STYLE.md"), [
            "shared/reference",
            "DESIGN.md",
            "STYLE.md",
            "../shared/reference/automation.md",
        ]);
        assert.deepEqual(outsideReferences("components/data-lake/aws.ts", 'import { x } from "../shared/problems";'), []);
        assert.deepEqual(outsideReferences("README.md", "../shared/notes.md"), ["../shared/notes.md"]);
    });

    it("no file outside tests/fixtures refers to files outside the repository", () => {
        const files = repositoryFiles();
        assert.ok(files.some((f) => f === "README.md") && files.some((f) => f.startsWith(`components${path.sep}`)));
        assert.ok(!files.some((f) => f.startsWith(`node_modules${path.sep}`) || f.startsWith(`tests${path.sep}fixtures${path.sep}`)));
        const self = path.relative(ROOT, __filename);
        const found = files
            .filter((f) => f !== self && !/\.(png|jpg|gif|ico|tgz|zip)$/.test(f))
            .flatMap((f) => outsideReferences(f, fs.readFileSync(path.join(ROOT, f), "utf8")).map((ref) => `${f}: ${ref}`));
        assert.deepEqual(found, []);
    });

    it("finds a broken relative link, and ignores URLs, anchors and code", () => {
        const text =
            "[a](docs/aws.md) [b](docs/nope.md#x) [c](https://example.com) [d](#top) `[e](missing.md)` [f](docs/aws.md#configuration)";
        assert.deepEqual(brokenLinks("README.md", text), ["docs/nope.md#x"]);
        assert.deepEqual(brokenLinks("docs/policy.md", "[g](security-baseline.md) [h](../README.md) [i](aws.md)"), []);
    });

    it("every relative link in README.md and docs/*.md points at a file that exists", () => {
        const docs = fs
            .readdirSync(path.join(ROOT, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => path.join("docs", f));
        const broken = ["README.md", ...docs].flatMap((f) =>
            brokenLinks(f, fs.readFileSync(path.join(ROOT, f), "utf8")).map((l) => `${f}: ${l}`),
        );
        assert.deepEqual(broken, []);
    });
});
