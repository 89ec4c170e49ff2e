import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { analyze, schemaText, SCHEMA_PATH, type Analysis } from "../../scripts/package-schema";

const ROOT = path.resolve(__dirname, "..", "..");

interface SchemaProperty {
    type?: string;
    $ref?: string;
    description?: string;
}
interface SchemaResource {
    isComponent: boolean;
    description?: string;
    inputProperties: Record<string, SchemaProperty>;
    requiredInputs?: string[];
    properties: Record<string, SchemaProperty>;
}
interface SchemaType {
    type: string;
    properties?: Record<string, SchemaProperty>;
    enum?: { name: string; value: string | number; description?: string }[];
}
const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as {
    name: string;
    version: string;
    resources: Record<string, SchemaResource>;
    types: Record<string, SchemaType>;
};
const readJson = (...parts: string[]) => JSON.parse(fs.readFileSync(path.join(ROOT, ...parts), "utf8")) as Record<string, unknown>;

/** Problems of one value given to a schema property: its JSON type must match (an output reference is checked by the caller). */
function typeProblem(where: string, prop: SchemaProperty, value: unknown): string[] {
    const expected = prop.type ?? "any";
    const actual = Array.isArray(value)
        ? "array"
        : typeof value === "number"
          ? Number.isInteger(value)
              ? "integer"
              : "number"
          : typeof value;
    const ok = expected === "any" || expected === actual || (expected === "number" && actual === "integer");
    return ok ? [] : [`${where}: ${expected} expected, got ${actual}`];
}

describe("cross-language package schema (components/schema.json)", function () {
    this.timeout(120_000);
    let analysis: Analysis;
    before(() => {
        analysis = analyze();
    });

    it("is what Pulumi's analyzer generates from the sources today (run scripts/package-schema.ts --write)", () => {
        assert.equal(fs.readFileSync(SCHEMA_PATH, "utf8"), schemaText(analysis.schema));
    });

    it("names the package mlops, whose types are the components' own (mlops:index:<Name>)", () => {
        assert.equal(committed.name, "mlops");
        for (const [type, resource] of Object.entries(committed.resources)) {
            assert.match(type, /^mlops:index:[A-Z]\w+$/);
            assert.equal(resource.isComponent, true);
        }
    });

    it("serves exactly the accepted components from the plugin's entry (components/provider/index.ts)", () => {
        const source = fs.readFileSync(path.join(ROOT, "components", "provider", "index.ts"), "utf8");
        const exported = [...source.matchAll(/export \{([^}]+)\} from/g)]
            .flatMap((m) => m[1].split(",").map((s) => s.trim()))
            .filter(Boolean)
            .sort();
        assert.deepEqual(exported, Object.values(analysis.accepted).flat().sort());
        assert.deepEqual(analysis.served, exported);
        assert.deepEqual(
            Object.keys(committed.resources)
                .map((t) => t.split(":")[2])
                .sort(),
            exported,
        );
    });

    it("accepts every component the cloud entries export (docs/components-package.md: all accepted)", () => {
        assert.deepEqual(analysis.rejected, []);
        assert.equal(Object.keys(committed.resources).length, Object.values(analysis.accepted).flat().length);
    });

    it("has the package's version (components/provider/package.json follows components/package.json)", () => {
        assert.equal(readJson("components", "provider", "package.json").version, readJson("components", "package.json").version);
        assert.equal(committed.version, readJson("components", "package.json").version);
    });

    it("documents every component, input, output, type property and enum value in it, and types none as Any", () => {
        const undocumented = [
            ...Object.entries(committed.resources).flatMap(([type, r]) => [
                ...(r.description ? [] : [type]),
                ...Object.entries(r.inputProperties)
                    .filter(([, p]) => !p.description || p.$ref === "pulumi.json#/Any")
                    .map(([name]) => `${type} input ${name}`),
                ...Object.entries(r.properties)
                    .filter(([, p]) => !p.description)
                    .map(([name]) => `${type} output ${name}`),
            ]),
            ...Object.entries(committed.types).flatMap(([type, t]) => [
                ...Object.entries(t.properties ?? {})
                    .filter(([, p]) => !p.description)
                    .map(([name]) => `${type}.${name}`),
                ...(t.enum ?? []).filter((e) => !e.description).map((e) => `${type}.${e.name}`),
            ]),
        ];
        assert.deepEqual(undocumented, []);
    });

    it("lists every component it cannot express, with the analyzer's reason (docs/components-package.md)", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "components-package.md"), "utf8");
        const missing = analysis.rejected.filter((r) => !doc.includes(`| ${r.component} |`)).map((r) => r.component);
        assert.deepEqual(missing, []);
    });

    describe("the cross-language examples use only what the schema has", () => {
        it("examples/yaml/Pulumi.yaml: types, properties, value types, required inputs and output references", () => {
            const program = yaml.load(fs.readFileSync(path.join(ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as {
                resources: Record<string, { type: string; properties: Record<string, unknown> }>;
                outputs: Record<string, string>;
            };
            const problems: string[] = [];
            const typeOf = (name: string) => committed.resources[program.resources[name]?.type];
            const checkReference = (where: string, text: string): boolean => {
                const m = /^\$\{(\w+)\.(\w+)\}$/.exec(text);
                if (!m) return false;
                const target = typeOf(m[1]);
                if (!target) problems.push(`${where}: no resource ${m[1]}`);
                else if (!target.properties[m[2]]) problems.push(`${where}: ${program.resources[m[1]].type} has no output ${m[2]}`);
                return true;
            };
            for (const [name, resource] of Object.entries(program.resources)) {
                const schema = committed.resources[resource.type];
                if (!schema) {
                    problems.push(`${name}: no type ${resource.type} in the schema`);
                    continue;
                }
                for (const required of schema.requiredInputs ?? []) {
                    if (!(required in resource.properties)) problems.push(`${name}: required input ${required} missing`);
                }
                for (const [key, value] of Object.entries(resource.properties)) {
                    const prop = schema.inputProperties[key];
                    if (!prop) problems.push(`${name}.${key}: no such input of ${resource.type}`);
                    else if (!(typeof value === "string" && checkReference(`${name}.${key}`, value)))
                        problems.push(...typeProblem(`${name}.${key}`, prop, value));
                }
            }
            for (const [key, value] of Object.entries(program.outputs)) {
                if (!checkReference(`outputs.${key}`, value)) problems.push(`outputs.${key}: not a resource output reference`);
            }
            assert.deepEqual(problems, []);
            assert.ok(Object.keys(program.resources).length > 0);
        });

        it("examples/python/__main__.py: classes, keyword arguments (snake_case), value types and output attributes", () => {
            // Python's own parser reads the program: each `mlops.<Class>("name", kw=literal|var.attr)` and each `var.attr`.
            const script = [
                "import ast, json, sys",
                "tree = ast.parse(open(sys.argv[1]).read())",
                "calls, attrs, assigned = [], [], {}",
                "def lit(v):",
                "    if isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name): return {'ref': [v.value.id, v.attr]}",
                "    return {'value': ast.literal_eval(v)}",
                "for node in ast.walk(tree):",
                "    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) and getattr(node.value.func.value, 'id', '') == 'mlops':",
                "        assigned[node.targets[0].id] = node.value.func.attr",
                "        calls.append({'var': node.targets[0].id, 'cls': node.value.func.attr, 'kwargs': {k.arg: lit(k.value) for k in node.value.keywords}})",
                "for node in ast.walk(tree):",
                "    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in assigned:",
                "        attrs.append([node.value.id, node.attr])",
                "print(json.dumps({'calls': calls, 'attrs': attrs, 'classes': assigned}))",
            ].join("\n");
            const parsed = JSON.parse(
                execFileSync("python3", ["-c", script, path.join(ROOT, "examples", "python", "__main__.py")], { encoding: "utf8" }),
            ) as {
                calls: { var: string; cls: string; kwargs: Record<string, { value?: unknown; ref?: [string, string] }> }[];
                attrs: [string, string][];
                classes: Record<string, string>;
            };
            const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
            const problems: string[] = [];
            for (const call of parsed.calls) {
                const schema = committed.resources[`mlops:index:${call.cls}`];
                if (!schema) {
                    problems.push(`${call.var}: no mlops.${call.cls} in the schema`);
                    continue;
                }
                for (const required of schema.requiredInputs ?? []) {
                    if (!Object.keys(call.kwargs).map(camel).includes(required))
                        problems.push(`${call.var}: required input ${required} missing`);
                }
                for (const [kw, arg] of Object.entries(call.kwargs)) {
                    const prop = schema.inputProperties[camel(kw)];
                    if (!prop) problems.push(`${call.var}.${kw}: no input ${camel(kw)} on ${call.cls}`);
                    else if (arg.ref === undefined) problems.push(...typeProblem(`${call.var}.${kw}`, prop, arg.value));
                }
            }
            for (const [variable, attr] of parsed.attrs) {
                const schema = committed.resources[`mlops:index:${parsed.classes[variable]}`];
                if (schema && !schema.properties[camel(attr)])
                    problems.push(`${variable}.${attr}: ${parsed.classes[variable]} has no output ${camel(attr)}`);
            }
            assert.deepEqual(problems, []);
            assert.ok(parsed.calls.length > 0 && parsed.attrs.length > 0);
        });
    });
});
