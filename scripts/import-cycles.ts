/**
 * Import cycles among the project's own TypeScript files, type-only imports included: layering is
 * readable only when every import points one way. `npm run --silent lint` fails on any cycle
 * (tests/unit/import-cycles.test.ts); run this file directly to print them.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const SOURCE_DIRS = ["components", "stacks", "policy", "scripts", "tests"];
/** Workspace packages, resolved to their folders. */
const PACKAGES: Record<string, string> = { "@mlops/components": "components", "@mlops/policy": "policy" };

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

function resolveImport(from: string, spec: string): string | undefined {
    let base: string | undefined;
    if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
    else {
        const pkg = Object.keys(PACKAGES).find((p) => spec === p || spec.startsWith(`${p}/`));
        if (pkg) base = path.join(ROOT, PACKAGES[pkg], spec.slice(pkg.length));
    }
    if (!base) return undefined;
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
    return undefined;
}

/** Every `import ... from "x"`, `export ... from "x"`, `import("x")` and `require("x")` of a file. */
export function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const specs = [
        ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g),
        ...text.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g),
        ...text.matchAll(/(?:import|require)\(\s*["']([^"']+)["']\s*\)/g),
    ].map((m) => m[1]);
    return [...new Set(specs.map((s) => resolveImport(file, s)).filter((f): f is string => f !== undefined))];
}

/** Each cycle once, as the list of files (relative to the root) from its smallest member around. */
export function importCycles(root = ROOT): string[][] {
    const files = SOURCE_DIRS.filter((d) => fs.existsSync(path.join(root, d))).flatMap((d) => sourceFiles(path.join(root, d)));
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const cycles = new Map<string, string[]>();
    // Tarjan's strongly connected components; each component with more than one file (or a self-import) is reported.
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
    return [...cycles.values()];
}

if (require.main === module) {
    const cycles = importCycles();
    for (const c of cycles) process.stdout.write(`cycle: ${c.join(" <-> ")}\n`);
    process.stdout.write(`${cycles.length} import cycle(s)\n`);
    process.exitCode = cycles.length > 0 ? 1 : 0;
}
