import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { acceleratorTable, readmeBlock } from "../../scripts/accelerator-table";
import { KEYS, TOP_LEVEL_KEYS } from "../../stacks/config/schema";

const ROOT = path.resolve(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");

describe("docs match the code", () => {
    it("README's accelerator table is the catalog's (run `npm run --silent docs` to refresh)", () => {
        assert.equal(readmeBlock(readme), acceleratorTable());
    });

    it("README and Pulumi.yaml document every config key", () => {
        for (const key of TOP_LEVEL_KEYS) {
            assert.ok(readme.includes(`\`mlops:${key}\``), `README lacks mlops:${key}`);
            assert.ok(pulumiYaml.includes(`mlops:${key}`) || new RegExp(`^  ${key}:`, "m").test(pulumiYaml), `Pulumi.yaml lacks ${key}`);
        }
        for (const [section, keys] of Object.entries(KEYS)) {
            for (const key of keys) {
                assert.ok(new RegExp(`\`(${section}\\.|minio\\.|training\\.)?${key}\``).test(readme), `README lacks ${section}.${key}`);
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

    it("every npm script and make target the README shows exists", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
        const makefile = fs.readFileSync(path.join(ROOT, "Makefile"), "utf8");
        for (const [, script] of readme.matchAll(/npm run (?:--silent )?([a-z][\w:-]*)/g))
            assert.ok(scripts[script], `README shows npm run ${script}`);
        for (const [, target] of readme.matchAll(/`make ([a-z]+)/g))
            assert.match(makefile, new RegExp(`^${target}:`, "m"), `README shows make ${target}`);
        assert.ok(readme.includes("npm ci") && readme.includes("npm test"), "quick start installs from the lock and tests");
    });
});
