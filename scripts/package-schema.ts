/**
 * The cross-language schema of @mlops/components (components/schema.json), generated offline by Pulumi's
 * own component analyzer (@pulumi/pulumi/provider/experimental), the one `pulumi package add` runs.
 *
 * Every ComponentResource class the four cloud entries export is analyzed on its own: the ones the
 * analyzer accepts go into the schema (and into components/provider/index.ts, the plugin's entry: the
 * list below must match it), the others are listed with the analyzer's reason in docs/components-package.md.
 *
 *   npm run --silent ... node -r ts-node/register/transpile-only scripts/package-schema.ts [--write]
 *
 * Without --write it prints the schema; tests/unit/package-schema.test.ts fails when the committed file
 * differs from what this generates.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const COMPONENTS = path.join(ROOT, "components");
export const SCHEMA_PATH = path.join(COMPONENTS, "schema.json");
export const PROVIDER_NAME = "mlops";
export const CLOUD_ENTRIES = ["aws", "gcp", "azure", "kubernetes"] as const;

export interface Analysis {
    /** The schema of the components the analyzer accepts, as `pulumi package get-schema` would print it. */
    readonly schema: Record<string, unknown>;
    /** Accepted components per cloud entry. */
    readonly accepted: Record<string, string[]>;
    /** Components the analyzer rejects, with its reason. */
    readonly rejected: { entry: string; component: string; reason: string }[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
type AnalyzerLike = {
    analyze(): { components: Record<string, unknown>; typeDefinitions: Record<string, unknown>; dependencies: unknown[] };
} & Record<string, unknown>;

/** The component classes an entry exports, as Pulumi's plugin host finds them. */
function componentNames(entry: string): string[] {
    const { getPulumiComponents } = require("@pulumi/pulumi/provider/experimental/provider");
    const exported = require(path.join(COMPONENTS, `${entry}.ts`));
    return (getPulumiComponents(exported) as { name: string }[]).map((c) => c.name).sort();
}

export function analyze(): Analysis {
    const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer");
    const { generateSchema } = require("@pulumi/pulumi/provider/experimental/schema");
    const pkg = JSON.parse(fs.readFileSync(path.join(COMPONENTS, "package.json"), "utf8"));
    const accepted: Record<string, string[]> = {};
    const rejected: Analysis["rejected"] = [];
    const components: Record<string, unknown> = {};
    const typeDefinitions: Record<string, unknown> = {};
    let dependencies: unknown[] = [];
    // One TypeScript program (the analyzer builds it in its constructor from components/tsconfig.json, which
    // holds every source), then one analysis per component, from its cloud's entry.
    const analyzer: AnalyzerLike = new Analyzer(COMPONENTS, PROVIDER_NAME, pkg, new Set(["-"]));
    for (const entry of CLOUD_ENTRIES) {
        const names = componentNames(entry);
        accepted[entry] = [];
        analyzer.packageJSON = { ...pkg, exports: undefined, main: `${entry}.ts` };
        for (const name of names) {
            analyzer.components = {};
            analyzer.typeDefinitions = {};
            analyzer.dependencies = [];
            analyzer.componentNames = new Set([name]);
            try {
                const result = analyzer.analyze();
                if (!result.components[name]) throw new Error("not found from the entry");
                Object.assign(components, result.components);
                Object.assign(typeDefinitions, result.typeDefinitions);
                dependencies = [...dependencies, ...result.dependencies];
                accepted[entry].push(name);
            } catch (e) {
                rejected.push({ entry, component: name, reason: (e as Error).message.split("\n")[0] });
            }
        }
    }
    const unique = [...new Map(dependencies.map((d) => [JSON.stringify(d), d])).values()];
    const schema = generateSchema(PROVIDER_NAME, pkg.version, pkg.description, components, typeDefinitions, unique, undefined);
    return { schema, accepted, rejected };
}

export function schemaText(schema: Record<string, unknown>): string {
    return JSON.stringify(schema, null, 2) + "\n";
}

if (require.main === module) {
    const { schema, accepted, rejected } = analyze();
    if (process.argv.includes("--write")) {
        fs.writeFileSync(SCHEMA_PATH, schemaText(schema));
        console.error(`wrote ${path.relative(ROOT, SCHEMA_PATH)}: ${Object.values(accepted).flat().length} components`);
    } else {
        process.stdout.write(schemaText(schema));
    }
    console.error(JSON.stringify({ accepted, rejected }, null, 2));
}
