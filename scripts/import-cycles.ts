/**
 * Import cycles among the project's own TypeScript files, type-only imports included: layering is
 * readable only when every import points one way. `npm run --silent lint` fails on any cycle
 * (tests/unit/import-cycles.test.ts); run this file directly to print them:
 *
 *   node -r ts-node/register/transpile-only scripts/import-cycles.ts [root]
 *
 * Imports are read with TypeScript's own pre-processor (no type checking): `import`, `import type`,
 * `export ... from`, `import x = require()`, `import()` and `require()` all count. Specifiers that start
 * with `.` and the workspace packages (`@mlops/components`, `@mlops/policy`) are followed; everything
 * else is a dependency outside the project and cannot be part of a cycle.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The folders whose files are scanned, relative to the root. */
const SOURCE_DIRS = ["components", "stacks", "policy", "scripts", "tests"];
/** Workspace packages, resolved to their folders under the root. */
const PACKAGES: Readonly<Record<string, string>> = { "@mlops/components": "components", "@mlops/policy": "policy" };

function sourceFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules") continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...sourceFiles(full));
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
    }
    return out;
}

/** The project file `spec` names when imported from `from`, or undefined for anything outside the project. */
function resolveImport(root: string, from: string, spec: string): string | undefined {
    let base: string | undefined;
    if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
    else {
        const pkg = Object.keys(PACKAGES).find((p) => spec === p || spec.startsWith(`${p}/`));
        if (pkg) base = path.join(root, PACKAGES[pkg], spec.slice(pkg.length));
    }
    if (!base) return undefined;
    const stem = base.replace(/\.js$/, "");
    for (const candidate of [`${stem}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
    return undefined;
}

/**
 * The project files one file imports, each once: `import`, `import type`, `export ... from`,
 * `import x = require()`, `import()` and `require()`. Comments and strings are not mistaken for imports.
 * @param root the project root that the workspace packages resolve under. @default this repository
 */
export function importsOf(file: string, root: string = PROJECT_ROOT): string[] {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    const specs = info.importedFiles.map((f) => f.fileName);
    return [...new Set(specs.map((s) => resolveImport(root, file, s)).filter((f): f is string => f !== undefined))];
}

/**
 * Each cycle once, as the sorted list of its files relative to `root` (a strongly connected component of
 * the import graph with more than one file, or a file that imports itself).
 * @param root a project root holding some of components/, stacks/, policy/, scripts/, tests/. @default this repository
 */
export function importCycles(root: string = PROJECT_ROOT): string[][] {
    const files = SOURCE_DIRS.filter((d) => fs.existsSync(path.join(root, d))).flatMap((d) => sourceFiles(path.join(root, d)));
    const graph = new Map(files.map((f) => [f, importsOf(f, root)]));
    const cycles = new Map<string, string[]>();
    // Tarjan's strongly connected components.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const strong = (v: string): void => {
        idx.set(v, index);
        low.set(v, index++);
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!idx.has(w)) {
                strong(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
        if (low.get(v) === idx.get(v)) {
            const members: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                members.push(w);
            } while (w !== v);
            if (members.length > 1 || (graph.get(v) ?? []).includes(v)) {
                const rel = members.map((m) => path.relative(root, m)).sort();
                cycles.set(rel.join(" "), rel);
            }
        }
    };
    for (const f of files) if (!idx.has(f)) strong(f);
    return [...cycles.values()].sort((a, b) => a[0].localeCompare(b[0]));
}

if (require.main === module) {
    const root = process.argv[2] ? path.resolve(process.argv[2]) : PROJECT_ROOT;
    const cycles = importCycles(root);
    for (const c of cycles) process.stdout.write(`cycle: ${c.join(" <-> ")}\n`);
    process.stdout.write(`${cycles.length} import cycle(s)\n`);
    process.exitCode = cycles.length > 0 ? 1 : 0;
}
