/**
 * The Cloud Functions handler (samples/gcp/function/main.py) run the way the function's source archive
 * lays it out: main.py beside the model's serve.py and model.json. functions-framework is not installed
 * offline, so a stand-in module provides its `http` decorator (which only registers the function).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

const DRIVER = `
import json, os, sys
sys.dont_write_bytecode = True
import main

class Request:
    def __init__(self, method, path, body=b""):
        self.method, self.path, self._body = method, path, body
    def get_data(self, cache=True):
        return self._body

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else (body or b"")
    result = main.predict(Request(method, path, data))
    payload, status = result if isinstance(result, tuple) else (result, 200)
    return {"status": status, "body": payload}

print(json.dumps({
    "health": call("GET", "/healthz"),
    "capture": call("POST", "/predict", {"instances": [[5.1, 3.5, 1.4, 0.2]]}) if os.environ.get("MLOPS_CAPTURE_URI") else None,
    "predict": call("POST", "/predict", {"instances": [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]}),
    "root": call("POST", "/", {"instances": [[7.0, 3.2, 4.7, 1.4]]}),
    "bad": call("POST", "/predict", {"instances": [[1, 2]]}),
    "empty": call("POST", "/predict", b""),
    "method": call("PUT", "/predict", {"instances": []}),
    "path": call("POST", "/v1/models/other:predict", {"instances": [[1, 2, 3, 4]]}),
}))
`;

describe("sample Cloud Functions handler (samples/gcp/function/main.py)", function () {
    this.timeout(20_000);
    let results: Record<string, { status: number; body: any }>;
    let captured: Record<string, { status: number; body: any }>;
    let records: any[] = [];

    before(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcf-"));
        // The archive's files: main.py and the model's (serve.py, model.json and lakeio.py, read through its link).
        for (const file of ["serve.py", "model.json", "lakeio.py"])
            fs.writeFileSync(path.join(dir, file), fs.readFileSync(path.join(ROOT, "samples", "model", file)));
        fs.copyFileSync(path.join(ROOT, "samples", "gcp", "function", "main.py"), path.join(dir, "main.py"));
        fs.writeFileSync(path.join(dir, "functions_framework.py"), "def http(f):\n    return f\n");
        fs.writeFileSync(path.join(dir, "driver.py"), DRIVER);
        const driver = (env: Record<string, string>) =>
            JSON.parse(
                execFileSync("python3", ["driver.py"], {
                    cwd: dir,
                    env: { PATH: process.env.PATH ?? "", MODEL_NAME: "iris", PYTHONDONTWRITEBYTECODE: "1", ...env },
                    encoding: "utf8",
                })
                    .trimEnd()
                    .split("\n")
                    .at(-1)!,
            );
        results = driver({});
        const model = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
        fs.writeFileSync(path.join(dir, "v3.json"), JSON.stringify({ ...model, training: { runId: "v3-run" } }));
        captured = driver({
            MLOPS_MODEL_URI: `file://${dir}/v3.json`,
            MLOPS_MODEL_VERSION: "v3",
            MLOPS_CAPTURE_URI: `file://${dir}/capture/`,
        });
        const capture = path.join(dir, "capture");
        records = (fs.readdirSync(capture, { recursive: true }) as string[])
            .filter((f) => f.endsWith(".jsonl"))
            .sort()
            .flatMap((f) =>
                fs
                    .readFileSync(path.join(capture, f), "utf8")
                    .trimEnd()
                    .split("\n")
                    .map((l) => JSON.parse(l)),
            );
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("answers the health check with the model name and version", () => {
        assert.deepEqual(results.health, { status: 200, body: { status: "ok", model: "iris", version: "bundled" } });
        assert.deepEqual(captured.health, { status: 200, body: { status: "ok", model: "iris", version: "v3" } });
    });

    it("with MLOPS_CAPTURE_URI, writes every scored row before the request returns (one object a request), not the rejected ones", () => {
        assert.equal(results.capture, null);
        assert.equal(captured.capture.status, 200);
        // In the driver's order: capture (1 row), predict (2), root (1); bad, empty and wrong routes score none.
        assert.deepEqual(
            records.map((r) => [r.model, r.version, r.prediction]),
            [
                ["iris", "v3", "setosa"],
                ["iris", "v3", "setosa"],
                ["iris", "v3", "virginica"],
                ["iris", "v3", "versicolor"],
            ],
        );
    });

    it("predicts with the same code as the container server, on /predict and the function root", () => {
        assert.equal(results.predict.status, 200);
        assert.deepEqual(
            results.predict.body.predictions.map((p: any) => p.label),
            ["setosa", "virginica"],
        );
        assert.equal(results.root.body.predictions[0].label, "versicolor");
    });

    it("rejects bad input, empty bodies, other methods and other models' routes", () => {
        assert.equal(results.bad.status, 400);
        assert.match(results.bad.body.error, /^instances\[0\] must be 4 finite numbers/);
        assert.equal(results.empty.status, 400);
        assert.equal(results.method.status, 405);
        assert.equal(results.path.status, 404);
    });

    it("pins functions-framework in requirements.txt", () => {
        const req = fs.readFileSync(path.join(ROOT, "samples", "gcp", "function", "requirements.txt"), "utf8");
        assert.match(req, /^functions-framework==\d+\.\d+\.\d+$/m);
    });
});
