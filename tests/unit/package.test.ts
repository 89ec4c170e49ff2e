import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMPONENTS, ROOT, installTarball, packComponents, publishDryRun, type Packed } from "../../scripts/package";

const pkg = JSON.parse(fs.readFileSync(path.join(COMPONENTS, "package.json"), "utf8"));
const ENTRIES = ["index", "aws", "gcp", "azure", "kubernetes", "aws-args", "gcp-args", "azure-args", "kubernetes-args"];
const CLOUD_SDKS = ["@pulumi/aws", "@pulumi/gcp", "@pulumi/azure-native", "@pulumi/kubernetes"];

/** Plain Node (no ts-node, no TypeScript loader) in `cwd`; returns stdout, fails with stderr. */
function node(cwd: string, args: readonly string[]): string {
    const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(r.status, 0, `node ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
}

function tsc(cwd: string, args: readonly string[]): { status: number | null; output: string } {
    const r = spawnSync(process.execPath, [path.join(cwd, "node_modules", "typescript", "bin", "tsc"), ...args], { cwd, encoding: "utf8" });
    return { status: r.status, output: r.stdout + r.stderr };
}

describe("@mlops/components package (npm pack, install from the tarball, use from plain Node and TypeScript)", function () {
    this.timeout(180_000);
    let tmp: string;
    let packed: Packed;
    let consumer: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-package-"));
        packed = packComponents(tmp);
        // A Kubernetes user: the package, Pulumi, the Kubernetes SDK and @pulumi/random (MinIO keys); no other cloud SDK.
        consumer = path.join(tmp, "consumer");
        fs.cpSync(path.join(ROOT, "examples", "typescript"), consumer, {
            recursive: true,
            filter: (src) => !/node_modules|[\\/]bin$/.test(src),
        });
        installTarball(consumer, packed.tarball, ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random", "typescript", "@types/node"]);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("the tarball", () => {
        it("holds the compiled entries, their declarations and source maps, and nothing a consumer does not need", () => {
            const files = packed.files.map((f) => f.path);
            const allowed = /^(dist\/.+\.(js|d\.ts|js\.map)|entry\/[a-z-]+\.js|package\.json|README\.md|CHANGELOG\.md|schema\.json)$/;
            assert.deepEqual(
                files.filter((f) => !allowed.test(f)),
                [],
            );
            assert.deepEqual(
                files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")),
                [],
                "no TypeScript sources",
            );
            for (const f of ["package.json", "README.md", "CHANGELOG.md", "schema.json"]) assert.ok(files.includes(f), `${f} is packed`);
            for (const e of ENTRIES) {
                for (const f of [`dist/${e}.js`, `dist/${e}.d.ts`, `dist/${e}.js.map`, `entry/${e}.js`])
                    assert.ok(files.includes(f), `${f} is packed`);
            }
        });

        it("points every exports, main, types and typesVersions target at a packed file", () => {
            const files = new Set(packed.files.map((f) => f.path));
            const targets: string[] = [pkg.main, pkg.types];
            for (const value of Object.values(pkg.exports) as (string | Record<string, string>)[]) {
                targets.push(...(typeof value === "string" ? [value] : Object.values(value)));
            }
            for (const list of Object.values(pkg.typesVersions["*"]) as string[][]) targets.push(...list);
            assert.deepEqual(
                targets.map((t) => t.replace(/^\.\//, "")).filter((t) => !files.has(t)),
                [],
            );
            // One public entry per cloud and one SDK-free args entry per cloud, plus the root.
            assert.deepEqual(
                Object.keys(pkg.exports).sort(),
                [".", ...ENTRIES.filter((e) => e !== "index").map((e) => `./${e}`), "./package.json", "./schema.json"].sort(),
            );
        });

        it("declares the cloud SDKs as peer dependencies, only @pulumi/pulumi required", () => {
            assert.equal(pkg.dependencies, undefined, "no bundled dependencies");
            for (const sdk of CLOUD_SDKS) {
                assert.ok(pkg.peerDependencies[sdk], `${sdk} is a peer dependency`);
                assert.equal(pkg.peerDependenciesMeta[sdk]?.optional, true, `${sdk} is optional`);
            }
            assert.ok(pkg.peerDependencies["@pulumi/pulumi"]);
            assert.notEqual(pkg.peerDependenciesMeta["@pulumi/pulumi"]?.optional, true);
        });

        it("passes npm publish --dry-run with the package's name and version", () => {
            const published = publishDryRun(packed.tarball);
            assert.equal(published.name, "@mlops/components");
            assert.equal(published.version, pkg.version);
            assert.deepEqual(published.files.map((f) => f.path).sort(), packed.files.map((f) => f.path).sort());
        });

        it("has a CHANGELOG entry for its version", () => {
            const changelog = fs.readFileSync(path.join(COMPONENTS, "CHANGELOG.md"), "utf8");
            assert.match(changelog, new RegExp(`^## ${pkg.version.replace(/\./g, "\\.")}\\b`, "m"));
        });
    });

    describe("installed with one cloud SDK, from plain Node", () => {
        it("loads the root, the Kubernetes entry and its args entry, and no other cloud's SDK", () => {
            const out = node(consumer, [
                "-e",
                `const root = require("@mlops/components");
                 const args = require("@mlops/components/kubernetes-args");
                 const k8s = require("@mlops/components/kubernetes");
                 const sdks = Object.keys(require.cache).map((f) => (f.match(/node_modules\\/(@pulumi\\/[a-z-]+)\\//) || [])[1]).filter(Boolean);
                 console.log(JSON.stringify({
                     resolve: typeof root.resolveAccelerator, validate: typeof args.validateMinioDataLake,
                     lake: typeof k8s.MinioDataLake, serving: typeof k8s.KubernetesContainerService,
                     fromDist: require.resolve("@mlops/components/kubernetes").endsWith("entry/kubernetes.js") && Object.keys(require.cache).some((f) => f.endsWith("dist/kubernetes.js")),
                     sdks: [...new Set(sdks)].sort() }));`,
            ]);
            assert.deepEqual(JSON.parse(out), {
                resolve: "function",
                validate: "function",
                lake: "function",
                serving: "function",
                fromDist: true,
                sdks: ["@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"],
            });
        });

        it("loads the args entries of every cloud without any cloud SDK installed", () => {
            const out = node(consumer, [
                "-e",
                `for (const e of ["aws-args", "gcp-args", "azure-args", "kubernetes-args"]) require("@mlops/components/" + e);
                 console.log(Object.keys(require.cache).filter((f) => /node_modules\\/@pulumi\\/(aws|gcp|azure-native|kubernetes)\\//.test(f)).length);`,
            ]);
            assert.equal(out.trim(), "0");
        });

        it("names the missing peer when a cloud entry's SDK is not installed, and refuses deep imports", () => {
            const r = spawnSync(process.execPath, ["-e", `require("@mlops/components/aws")`], { cwd: consumer, encoding: "utf8" });
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /Cannot find module '@pulumi\/aws/);
            const deep = spawnSync(process.execPath, ["-e", `require("@mlops/components/data-lake/kubernetes")`], {
                cwd: consumer,
                encoding: "utf8",
            });
            assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
        });

        it("imports named exports from ES modules too", () => {
            const out = node(consumer, [
                "--input-type=module",
                "-e",
                `import { MinioDataLake } from "@mlops/components/kubernetes"; import { resolveAccelerator } from "@mlops/components"; console.log(typeof MinioDataLake, typeof resolveAccelerator);`,
            ]);
            assert.equal(out.trim(), "function function");
        });
    });

    describe("from TypeScript", () => {
        it("type-checks and compiles the example with Pulumi's template settings (moduleResolution node)", () => {
            const r = tsc(consumer, ["-p", "tsconfig.json"]);
            assert.equal(r.status, 0, r.output);
            assert.ok(fs.existsSync(path.join(consumer, "bin", "index.js")));
        });

        for (const [moduleKind, resolution] of [
            ["node16", "node16"],
            ["nodenext", "nodenext"],
            ["esnext", "bundler"],
        ]) {
            it(`resolves full types under moduleResolution ${resolution} (exports map)`, () => {
                const file = path.join(consumer, `types-${resolution}.ts`);
                fs.writeFileSync(
                    file,
                    [
                        `import { resolveAccelerator, type ModelServingSpec } from "@mlops/components";`,
                        `import { validateMinioDataLake, type MinioDataLakeArgs } from "@mlops/components/kubernetes-args";`,
                        `const args: MinioDataLakeArgs = { namespace: "lake", zones: ["raw", "models"] };`,
                        `export const problems: { path: string }[] = validateMinioDataLake(args);`,
                        `export const l4 = resolveAccelerator({ cloud: "kubernetes", service: "kubernetes" });`,
                        `// @ts-expect-error the types are real: port is a number`,
                        `export const bad: Pick<ModelServingSpec, "port"> = { port: "8080" };`,
                        ``,
                    ].join("\n"),
                );
                const r = tsc(consumer, [
                    "--noEmit",
                    "--strict",
                    "--skipLibCheck",
                    "--types",
                    "node",
                    "--module",
                    moduleKind,
                    "--moduleResolution",
                    resolution,
                    file,
                ]);
                assert.equal(r.status, 0, r.output);
            });
        }
    });

    describe("the example program (examples/typescript) under Pulumi's mocks", () => {
        it("builds a MinIO data lake and model serving from the installed package, compiled JavaScript only", () => {
            if (!fs.existsSync(path.join(consumer, "bin", "index.js")))
                execFileSync(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", consumer]);
            fs.writeFileSync(
                path.join(consumer, "mock-run.js"),
                `const pulumi = require("@pulumi/pulumi");
                 const types = [];
                 pulumi.runtime.setMocks({
                     newResource: (a) => { types.push(a.type); return { id: a.name + "-id", state: a.inputs }; },
                     call: (a) => a.inputs,
                 }, "example", "dev", false);
                 const program = require("./bin/index.js");
                 program.bucketNames.apply((b) => {
                     setTimeout(() => console.log(JSON.stringify({ types: [...new Set(types)].sort(), zones: Object.keys(b).sort() })), 200);
                 });`,
            );
            const out = JSON.parse(node(consumer, ["mock-run.js"]).trim().split("\n").pop()!);
            assert.deepEqual(out.zones, ["curated", "features", "models", "raw"]);
            for (const type of ["kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment"]) {
                assert.ok(out.types.includes(type), `${type} in ${out.types.join(", ")}`);
            }
        });
    });
});
