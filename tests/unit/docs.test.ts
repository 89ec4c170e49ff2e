/**
 * The docs match the code: the generated tables are current (`npm run --silent docs` regenerates them),
 * every config key is documented, the security baseline names only rules and public IDs the pack has,
 * and every command the README shows exists.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { policies } from "../../policy/rules";
import { blockIn, coverageBlock, DOC as POLICY_DOC } from "../../policy/run/coverage";
import { acceleratorTable, docBlock, DOC as ACCELERATOR_DOC } from "../../scripts/accelerator-table";
import { KEYS, TOP_LEVEL_KEYS } from "../../stacks/config/schema";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const readme = read("README.md");
const pulumiYaml = read("Pulumi.yaml");
const configuration = read("docs/configuration.md");
const baseline = read("docs/security-baseline.md");

describe("docs match the code", () => {
    describe("generated tables (run `npm run --silent docs` to refresh)", () => {
        it("docs/accelerators.md holds the catalog's accelerator table", () => {
            assert.equal(ACCELERATOR_DOC, path.join(ROOT, "docs", "accelerators.md"));
            assert.equal(docBlock(read("docs/accelerators.md")), acceleratorTable());
        });

        it("docs/policy.md holds the rules' coverage table", () => {
            assert.equal(POLICY_DOC, path.join(ROOT, "docs", "policy.md"));
            assert.equal(blockIn(read("docs/policy.md")), coverageBlock(policies));
        });

        it("a stale block is detected", () => {
            const stale = read("docs/accelerators.md").replace("| aws | lambda |", "| aws | lambda-old |");
            assert.notEqual(docBlock(stale), acceleratorTable());
            assert.equal(docBlock("no markers here"), undefined);
        });

        it("README.md holds no generated block any more (they live in docs/)", () => {
            assert.ok(
                !readme.includes("accelerator-table:start") && !readme.includes("coverage:begin") && !readme.includes("advisories:begin"),
            );
        });
    });

    it("docs/configuration.md and Pulumi.yaml document every config key", () => {
        for (const key of TOP_LEVEL_KEYS) {
            assert.ok(configuration.includes(`\`mlops:${key}\``), `docs/configuration.md lacks mlops:${key}`);
            assert.ok(readme.includes(`\`mlops:${key}\``), `README's configuration overview lacks mlops:${key}`);
            assert.ok(pulumiYaml.includes(`mlops:${key}`) || new RegExp(`^  ${key}:`, "m").test(pulumiYaml), `Pulumi.yaml lacks ${key}`);
        }
        for (const [section, keys] of Object.entries(KEYS)) {
            for (const key of keys) {
                assert.ok(
                    new RegExp(`\`(${section}\\.|minio\\.|training\\.)?${key}\``).test(configuration),
                    `docs/configuration.md lacks ${section}.${key}`,
                );
                assert.ok(pulumiYaml.includes(key), `Pulumi.yaml comments lack ${section}.${key}`);
            }
        }
    });

    it("Pulumi.yaml types every scalar key with a description and a default", () => {
        const doc = yaml.load(pulumiYaml) as any;
        assert.equal(doc.name, "mlops");
        assert.equal(doc.runtime.name, "nodejs");
        for (const key of ["cloud", "environment"]) {
            assert.equal(doc.config[key].type, "string");
            assert.ok(doc.config[key].description.length > 20);
            assert.ok(doc.config[key].default !== undefined);
        }
    });

    describe("docs/security-baseline.md", () => {
        it("has the sections code comments cite", () => {
            for (const heading of [
                "### 1.1 AWS",
                "### 1.2 GCP",
                "### 1.3 Azure",
                "### 1.4 Kubernetes workloads",
                "## 2. Data-loss protections",
                "## 4. Reliability floors for serving",
                "## 5. Enforcement levels",
                "## 6. Rules beyond the public rule sets",
            ])
                assert.ok(baseline.includes(`\n${heading}\n`), `missing heading ${heading}`);
        });

        it("names only rules the pack has, and the reliability floors are the prod rules", () => {
            const names = new Set(policies.map((p) => p.name));
            const listed = baseline
                .split("\n\n")
                .filter((paragraph) => paragraph.startsWith("Rules"))
                .flatMap((paragraph) => [...paragraph.matchAll(/`([a-z0-9-]+)`/g)].map((n) => n[1]));
            assert.ok(listed.length > 100, `only ${listed.length} rule names listed`);
            assert.deepEqual(
                listed.filter((n) => !names.has(n)),
                [],
            );
            const floors = baseline.slice(baseline.indexOf("## 4."), baseline.indexOf("## 5."));
            for (const [, name] of floors.matchAll(/`([a-z0-9]+-[a-z0-9-]+)`/g)) {
                const rule = policies.find((p) => p.name === name);
                if (rule) assert.equal(rule.mlops.enforcement, "prod", `${name} is listed as mandatory in prod`);
            }
        });

        it("cites only public rule IDs the pack's rules mirror", () => {
            const mirrored = policies.flatMap((p) => p.mlops.mirrors).join(" ");
            const cited = [...baseline.matchAll(/\b(CKV2?_[A-Z0-9]+_\d+|AVD-[A-Z]+-\d{4}|KSV-\d{4}|CIS-[A-Z0-9]+ [\d.]+\d)\b/g)].map(
                (m) => m[1],
            );
            assert.ok(cited.length > 50, `only ${cited.length} IDs cited`);
            assert.deepEqual(
                [...new Set(cited)].filter((id) => !new RegExp(`(^|[ ,(])${id.replace(/[.]/g, "\\.")}($|[ ,)])`).test(mirrored)),
                [],
            );
        });
    });

    it("README.md is a front door: about 370 lines at most, with the install and test commands", () => {
        assert.ok(readme.split("\n").length <= 370, `README.md has ${readme.split("\n").length} lines`);
        assert.ok(readme.includes("npm ci") && readme.includes("npm test"), "quick start installs from the lock and tests");
    });

    it("README names every repository variable and secret the workflows read", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        const used = new Set<string>();
        for (const f of fs.readdirSync(dir)) {
            for (const m of fs.readFileSync(path.join(dir, f), "utf8").matchAll(/\b(?:vars|secrets)\.([A-Z][A-Z0-9_]*[A-Z0-9])\b/g))
                used.add(m[1]);
        }
        assert.ok(used.size >= 10, [...used].join(", "));
        const missing = [...used].filter((name) => !readme.includes(name) && !(name === "GITHUB_TOKEN"));
        assert.deepEqual(missing, [], "add them to README's GitHub settings table");
    });

    it("README's PR report excerpt is taken from the generated example in docs/pr-review.md", () => {
        const excerpt = /<!-- pr-report-excerpt:begin -->\n```\n([\s\S]*?)```\n<!-- pr-report-excerpt:end -->/.exec(readme);
        assert.ok(excerpt, "README has no PR report excerpt");
        const example = fs.readFileSync(path.join(ROOT, "docs", "pr-review.md"), "utf8");
        const lines = excerpt[1].split("\n").filter((l) => l.trim() !== "");
        assert.ok(lines.length >= 4);
        for (const line of lines) assert.ok(example.split("\n").includes(line), `not in docs/pr-review.md: ${line}`);
    });

    it("every npm script and make target the README and docs/*.md show exists", () => {
        const scripts = JSON.parse(read("package.json")).scripts;
        const makefile = read("Makefile");
        const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
        for (const file of ["README.md", ...docs.map((f) => `docs/${f}`)]) {
            const text = read(file);
            for (const [, script] of text.matchAll(/npm run (?:--silent )?([a-z][\w:-]*)/g))
                assert.ok(scripts[script], `${file} shows npm run ${script}`);
            for (const [, target] of text.matchAll(/`make ([a-z]+)/g))
                assert.match(makefile, new RegExp(`^${target}:`, "m"), `${file} shows make ${target}`);
        }
    });
});
