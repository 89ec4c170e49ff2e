/**
 * The cross-language schema of @mlops/components (components/schema.json), generated offline by Pulumi's
 * own component analyzer (@pulumi/pulumi/provider/experimental), the one `pulumi package add` runs.
 *
 * Two passes over one TypeScript program (the plugin's, components/provider/tsconfig.json):
 * 1. every ComponentResource class the four cloud entries export, analyzed on its own: accepted, or the
 *    analyzer's reason (docs/components-package.md lists the rejected ones; today there are none);
 * 2. the schema itself, derived as the plugin host derives it when it serves components/provider: one
 *    analysis of every component components/provider/index.ts exports, with that folder's package.json
 *    (name, version, description). tests/unit/package-schema.test.ts checks that the plugin exports
 *    exactly the accepted components.
 *
 *   node -r ./stacks/plan/register.js scripts/package-schema.ts [--write]
 *
 * Without --write it prints the schema; tests/unit/package-schema.test.ts fails when the committed file
 * differs from what this generates.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const COMPONENTS = path.join(ROOT, "components");
const PLUGIN = path.join(COMPONENTS, "provider");
export const SCHEMA_PATH = path.join(COMPONENTS, "schema.json");
export const PROVIDER_NAME = "mlops";
export const CLOUD_ENTRIES = ["aws", "gcp", "azure", "kubernetes"] as const;

export interface Analysis {
    /** The schema the plugin host serves for components/provider, as `pulumi package get-schema` would print it. */
    readonly schema: Record<string, unknown>;
    /** Accepted components per cloud entry. */
    readonly accepted: Record<string, string[]>;
    /** Components the analyzer rejects, with its reason. */
    readonly rejected: { entry: string; component: string; reason: string }[];
    /** The components the plugin's entry exports (what the host serves). */
    readonly served: string[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
interface AnalyzerResult {
    components: Record<string, unknown>;
    typeDefinitions: Record<string, unknown>;
    dependencies: unknown[];
}
type AnalyzerLike = { analyze(): AnalyzerResult } & Record<string, unknown>;

/** The component classes a module exports, as Pulumi's plugin host finds them. */
function componentNames(file: string): string[] {
    const { getPulumiComponents } = require("@pulumi/pulumi/provider/experimental/provider");
    return (getPulumiComponents(require(file)) as { name: string }[]).map((c) => c.name).sort();
}

/**
 * A type definition without what varies with the order of analysis: `plain` (whether an input or an output
 * met the type first) and the type's own description (the schema drops it).
 */
function shape(definition: unknown): string {
    const { description: _, ...rest } = definition as Record<string, unknown>;
    return JSON.stringify(rest, (key, value) => (key === "plain" ? undefined : value));
}

export function analyze(): Analysis {
    const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer");
    const { generateSchema } = require("@pulumi/pulumi/provider/experimental/schema");
    const plugin = JSON.parse(fs.readFileSync(path.join(PLUGIN, "package.json"), "utf8"));
    // The analyzer builds the program in its constructor (from components/provider/tsconfig.json: the plugin's
    // entry and everything it imports, which is every component source), then analyzes from `main`.
    const analyzer: AnalyzerLike = new Analyzer(PLUGIN, PROVIDER_NAME, plugin, new Set(["-"]));
    const run = (main: string, names: string[]): AnalyzerResult => {
        Object.assign(analyzer, { packageJSON: { ...plugin, main }, components: {}, typeDefinitions: {}, dependencies: [] });
        analyzer.componentNames = new Set(names);
        return analyzer.analyze();
    };

    const accepted: Record<string, string[]> = {};
    const rejected: Analysis["rejected"] = [];
    const typeShapes = new Map<string, string>();
    for (const entry of CLOUD_ENTRIES) {
        accepted[entry] = [];
        for (const name of componentNames(path.join(COMPONENTS, `${entry}.ts`))) {
            try {
                const result = run(`../${entry}.ts`, [name]);
                if (!result.components[name]) throw new Error("not found from the entry");
                // One schema type per name: the host analyzes every component at once and keeps the first
                // interface of a name, so two different interfaces of one name would silently become one.
                for (const [typeName, definition] of Object.entries(result.typeDefinitions)) {
                    const seen = typeShapes.get(typeName);
                    if (seen !== undefined && seen !== shape(definition))
                        throw new Error(`Type '${typeName}' differs from the one of another component: rename one of them`);
                    typeShapes.set(typeName, shape(definition));
                }
                accepted[entry].push(name);
            } catch (e) {
                rejected.push({ entry, component: name, reason: (e as Error).message.split("\n")[0] });
            }
        }
    }

    const served = componentNames(path.join(PLUGIN, "index.ts"));
    const result = run("index.ts", served);
    const schema = generateSchema(
        PROVIDER_NAME,
        plugin.version,
        plugin.description,
        result.components,
        result.typeDefinitions,
        result.dependencies,
        undefined,
    );
    return { schema, accepted, rejected, served };
}

export function schemaText(schema: Record<string, unknown>): string {
    return JSON.stringify(schema, null, 2) + "\n";
}

if (require.main === module) {
    const { schema, accepted, rejected, served } = analyze();
    if (process.argv.includes("--write")) {
        fs.writeFileSync(SCHEMA_PATH, schemaText(schema));
        console.error(`wrote ${path.relative(ROOT, SCHEMA_PATH)}: ${served.length} components`);
    } else {
        process.stdout.write(schemaText(schema));
    }
    console.error(JSON.stringify({ accepted, rejected }, null, 2));
}
