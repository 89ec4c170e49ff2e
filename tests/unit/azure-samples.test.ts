import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const FUNCTIONS = path.join(ROOT, "samples", "azure", "functions");

describe("Azure Functions sample (samples/azure/functions)", () => {
    const app = fs.readFileSync(path.join(FUNCTIONS, "function_app.py"), "utf8");

    it("uses only what samples/model/serve.py defines, so the copied files work together", () => {
        // Code only: the docstring and comments name the file `serve.py`.
        const code = app.split('"""')[2].replace(/#.*$/gm, "");
        const used = [...new Set([...code.matchAll(/\bserve\.([A-Za-z_]+)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(used, ["BadRequest", "MAX_BODY_BYTES", "flush_capture", "health", "parse_instances", "score"]);
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

    it("serves and captures like the container: health with the version, predictions, scored rows written per request", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azfunc-"));
        try {
            // The published layout: function_app.py beside serve.py, model.json and lakeio.py; azure.functions is
            // not installed offline, so a stand-in provides the decorators (which only register) and the types.
            for (const file of ["serve.py", "model.json", "lakeio.py"])
                fs.writeFileSync(path.join(dir, file), fs.readFileSync(path.join(ROOT, "samples", "model", file)));
            fs.copyFileSync(path.join(FUNCTIONS, "function_app.py"), path.join(dir, "function_app.py"));
            fs.mkdirSync(path.join(dir, "azure", "functions"), { recursive: true });
            fs.writeFileSync(path.join(dir, "azure", "__init__.py"), "");
            fs.writeFileSync(
                path.join(dir, "azure", "functions", "__init__.py"),
                [
                    "class AuthLevel:",
                    "    FUNCTION, ANONYMOUS = 'FUNCTION', 'ANONYMOUS'",
                    "class HttpRequest:",
                    "    def __init__(self, body=b''): self._body = body",
                    "    def get_body(self): return self._body",
                    "class HttpResponse:",
                    "    def __init__(self, body, status_code=200, mimetype=None): self.body, self.status_code = body, status_code",
                    "class FunctionApp:",
                    "    def __init__(self, http_auth_level=None): pass",
                    "    def route(self, **kw): return lambda f: f",
                ].join("\n") + "\n",
            );
            const driver = [
                "import json, function_app as app, azure.functions as func",
                "h = app.healthz(func.HttpRequest())",
                "p = app.predict(func.HttpRequest(json.dumps({'instances': [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]}).encode()))",
                "b = app.predict(func.HttpRequest(b'{}'))",
                "print(json.dumps({'health': json.loads(h.body), 'predict': [p.status_code, json.loads(p.body)], 'bad': b.status_code}))",
            ].join("\n");
            const out = execFileSync("python3", ["-c", driver], {
                cwd: dir,
                encoding: "utf8",
                env: {
                    PATH: process.env.PATH ?? "",
                    PYTHONDONTWRITEBYTECODE: "1",
                    MODEL_NAME: "iris",
                    MLOPS_MODEL_VERSION: "t5",
                    MLOPS_CAPTURE_URI: `file://${dir}/capture/`,
                },
            });
            const result = JSON.parse(out.trimEnd().split("\n").at(-1)!);
            assert.deepEqual(result.health, { status: "ok", model: "iris", version: "t5" });
            assert.equal(result.predict[0], 200);
            assert.deepEqual(
                result.predict[1].predictions.map((p: any) => p.label),
                ["setosa", "virginica"],
            );
            assert.equal(result.bad, 400);
            const capture = path.join(dir, "capture");
            const files = (fs.readdirSync(capture, { recursive: true }) as string[]).filter((f) => f.endsWith(".jsonl"));
            assert.equal(files.length, 1);
            const records = fs
                .readFileSync(path.join(capture, files[0]), "utf8")
                .trimEnd()
                .split("\n")
                .map((l) => JSON.parse(l));
            assert.deepEqual(
                records.map((r) => [r.version, r.prediction]),
                [
                    ["t5", "setosa"],
                    ["t5", "virginica"],
                ],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
