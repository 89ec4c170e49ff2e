/**
 * The flat program `npm run --silent bench` compares the offline plan with: generated from a stack's
 * plan, it registers the same resources (same type token, name, parent, protect/retain options and
 * resolved inputs, hence the same URNs) with the same SDK classes under the same mocked engine, as one
 * plain `.js` file run by `node` with no ts-node, no config parsing and no components. What the offline
 * plan costs above it is the program's own cost: loading and transpiling our TypeScript, parsing the
 * config, building the components, and the stack traces Pulumi takes through deeper call stacks.
 *
 * How it is generated (writeFlatProgram):
 *   - the mocked engine: stacks/plan/capture.ts and stacks/plan/mocks/*.ts, transpiled once to
 *     CommonJS into the output folder (so the flat run loads no TypeScript);
 *   - one statement per planned resource, in registration order (parents come first):
 *     `mlops:*` components -> `new pulumi.ComponentResource(type, name, {}, opts)`; cloud resources ->
 *     the SDK class whose `__pulumiType` is the plan's type token (`aws:s3/bucket:Bucket` -> `aws.s3.Bucket`,
 *     `kubernetes:apps/v1:Deployment` -> `k8s.apps.v1.Deployment`, a CRD kind -> `k8s.apiextensions.CustomResource`),
 *     checked when generating; inputs are the plan's resolved inputs (secrets stay secret: `pulumi.secret`);
 *     options are `parent`, `protect` and `retainOnDelete`;
 *   - the stack's config, as the plan loaded it (the mocks read e.g. `aws:region`).
 * The flat program prints the number of resources it registered and a digest of their URNs; the bench
 * refuses a comparison whose digest differs from the plan's.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface FlatResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly inputs: unknown;
    readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean };
}

export interface FlatSource {
    readonly project: string;
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly secretKeys: readonly string[];
    readonly resources: readonly FlatResource[];
}

/** The digest both the plan and the flat program are identified by: sorted URNs, sha256, 16 hex digits. */
export function urnDigest(urns: readonly string[]): string {
    return createHash("sha256")
        .update([...urns].sort().join("\n"))
        .digest("hex")
        .slice(0, 16);
}

const SDK_PACKAGES: Record<string, string> = {
    aws: "@pulumi/aws",
    gcp: "@pulumi/gcp",
    "azure-native": "@pulumi/azure-native",
    kubernetes: "@pulumi/kubernetes",
    random: "@pulumi/random",
    tls: "@pulumi/tls",
};

type Ctor = { __pulumiType?: string };

/** `["aws", "s3", "Bucket"]`: the path from the SDK package to the class registering `type`. */
function classPath(type: string, root: string): string[] {
    const [pkg, middle, cls] = type.split(":");
    if (pkg === "pulumi" && middle === "providers") return [cls, "Provider"];
    const sdk = SDK_PACKAGES[pkg];
    if (!sdk) throw new Error(`flat program: no SDK known for ${type}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(require.resolve(sdk, { paths: [root] })) as Record<string, unknown>;
    const candidates: string[][] = [];
    if (pkg === "kubernetes") {
        const [group, version] = middle.split("/");
        candidates.push([pkg, group.split(".")[0], version, cls], [pkg, "apiextensions", "CustomResource"]);
    } else if (pkg === "azure-native") {
        candidates.push([pkg, middle, cls]);
    } else {
        const module = middle.split("/")[0];
        candidates.push(module === "index" ? [pkg, cls] : [pkg, module, cls]);
    }
    for (const candidate of candidates) {
        let value: unknown = mod;
        for (const key of candidate.slice(1)) value = (value as Record<string, unknown> | undefined)?.[key];
        if (typeof value !== "function") continue;
        if ((value as unknown as Ctor).__pulumiType === type || candidate.at(-1) === "CustomResource") return candidate;
    }
    throw new Error(`flat program: no SDK class registers ${type} (tried ${candidates.map((c) => c.join(".")).join(", ")})`);
}

const SECRET = "[secret]";

/** JSON of a value, with the plan's secret placeholders turned back into secrets. */
function literal(value: unknown): string {
    return JSON.stringify(value).replaceAll(JSON.stringify(SECRET), `pulumi.secret(${JSON.stringify(SECRET)})`);
}

/** The flat program's source for one plan. `engine` is the folder of the transpiled capture.js. */
export function flatProgram(source: FlatSource, root: string): string {
    const index = new Map<string, number>();
    const sdks = new Set<string>();
    const statements: string[] = [];
    source.resources.forEach((r) => {
        if (r.type === "pulumi:pulumi:Stack") return;
        const i = index.size;
        index.set(r.urn, i);
        const parent = r.parent === null ? undefined : index.get(r.parent);
        const opts = [
            ...(parent === undefined ? [] : [`parent: r[${parent}]`]),
            ...(r.options.protect ? ["protect: true"] : []),
            ...(r.options.retainOnDelete ? ["retainOnDelete: true"] : []),
        ].join(", ");
        const name = JSON.stringify(r.name);
        if (r.type.startsWith("mlops:")) {
            statements.push(`r[${i}] = new pulumi.ComponentResource(${JSON.stringify(r.type)}, ${name}, {}, { ${opts} });`);
            return;
        }
        const [pkg, ...rest] = classPath(r.type, root);
        sdks.add(pkg);
        const ctor = `sdk[${JSON.stringify(pkg)}]${rest.map((k) => `.${k}`).join("")}`;
        statements.push(`r[${i}] = new ${ctor}(${name}, ${literal(r.inputs ?? {})}, { ${opts} });`);
    });
    const requires = [...sdks].sort().map((p) => `    ${JSON.stringify(p)}: require(${JSON.stringify(SDK_PACKAGES[p])}),`);
    return [
        `// Generated by scripts/bench-flat.ts from the offline plan of stack ${source.stack}: do not edit.`,
        `"use strict";`,
        `const pulumi = require("@pulumi/pulumi");`,
        `const { capture } = require("./engine/capture");`,
        `const config = ${JSON.stringify(source.config)};`,
        `const secretKeys = ${JSON.stringify(source.secretKeys)};`,
        `capture({ project: ${JSON.stringify(source.project)}, stack: ${JSON.stringify(source.stack)}, config, secretKeys }, () => {`,
        `  const sdk = {`,
        ...requires,
        `  };`,
        `  const r = [];`,
        ...statements.map((s) => `  ${s}`),
        `}).then((result) => {`,
        `  const urns = result.resources.map((x) => x.urn).sort();`,
        `  const digest = require("crypto").createHash("sha256").update(urns.join("\\n")).digest("hex").slice(0, 16);`,
        `  process.stdout.write(JSON.stringify({ resources: urns.length, digest }) + "\\n");`,
        `});`,
        "",
    ].join("\n");
}

/** Transpiles the mocked engine (capture.ts and mocks/) to CommonJS under `dir/engine`. */
function writeEngine(root: string, dir: string): void {
    const from = path.join(root, "stacks", "plan");
    const files = ["capture.ts", ...fs.readdirSync(path.join(from, "mocks")).map((f) => path.join("mocks", f))];
    for (const file of files.filter((f) => f.endsWith(".ts"))) {
        const out = ts.transpileModule(fs.readFileSync(path.join(from, file), "utf8"), {
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            fileName: file,
        });
        const target = path.join(dir, "engine", file.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, out.outputText);
    }
}

/**
 * Writes `dir/flat.js` (and its engine) for one plan; returns the path of flat.js. `dir` must be under
 * the project's node_modules (e.g. node_modules/.cache/mlops-bench) so the SDKs resolve from there.
 */
export function writeFlatProgram(root: string, dir: string, source: FlatSource): string {
    fs.mkdirSync(dir, { recursive: true });
    writeEngine(root, dir);
    const file = path.join(dir, "flat.js");
    fs.writeFileSync(file, flatProgram(source, root));
    return file;
}
