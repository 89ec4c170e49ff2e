import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const FUNCTIONS = path.join(ROOT, "samples", "azure", "functions");

describe("Azure Functions sample (samples/azure/functions)", () => {
    const app = fs.readFileSync(path.join(FUNCTIONS, "function_app.py"), "utf8");

    it("uses only what samples/model/serve.py defines, so the copied files work together", () => {
        // Code only: the docstring and comments name the file `serve.py`.
        const code = app.split('"""')[2].replace(/#.*$/gm, "");
        const used = [...new Set([...code.matchAll(/\bserve\.([A-Za-z_]+)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(used, ["BadRequest", "MAX_BODY_BYTES", "NAME", "parse_instances", "predict"]);
        const script = `import sys; sys.path.insert(0, ${JSON.stringify(path.join(ROOT, "samples", "model"))}); import serve; print(",".join(n for n in ${JSON.stringify(used)} if hasattr(serve, n)))`;
        const present = execFileSync("python3", ["-c", script], {
            encoding: "utf8",
            env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
        }).trim();
        assert.equal(present, used.join(","));
    });

    it("answers health probes anonymously and requires a function key to predict", () => {
        assert.match(app, /FunctionApp\(http_auth_level=func\.AuthLevel\.FUNCTION\)/);
        assert.match(app, /route="healthz", methods=\["GET"\], auth_level=func\.AuthLevel\.ANONYMOUS/);
        assert.match(app, /route="predict", methods=\["POST"\]\)/);
        assert.equal(JSON.parse(fs.readFileSync(path.join(FUNCTIONS, "host.json"), "utf8")).version, "2.0");
    });

    it("lets no route but the health probe run anonymously (parsed, not pattern-matched)", () => {
        // Python's own parser reads the decorators: the app default and each route's effective auth level.
        const script = [
            "import ast, json, sys",
            "tree = ast.parse(open(sys.argv[1]).read())",
            "level = lambda node: node.attr if isinstance(node, ast.Attribute) else None",
            "default = next(level(k.value) for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, 'attr', '') == 'FunctionApp' for k in n.keywords if k.arg == 'http_auth_level')",
            "routes = {}",
            "for f in tree.body:",
            "    for d in getattr(f, 'decorator_list', []):",
            "        if isinstance(d, ast.Call) and getattr(d.func, 'attr', '') == 'route':",
            "            kw = {k.arg: k.value for k in d.keywords}",
            "            routes[kw['route'].value] = level(kw['auth_level']) if 'auth_level' in kw else default",
            "print(json.dumps({'default': default, 'routes': routes}))",
        ].join("\n");
        const out = JSON.parse(
            execFileSync("python3", ["-c", script, path.join(FUNCTIONS, "function_app.py")], {
                encoding: "utf8",
                env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
            }),
        );
        assert.deepEqual(out, { default: "FUNCTION", routes: { healthz: "ANONYMOUS", predict: "FUNCTION" } });
    });
});
