/**
 * The AWS sample code runs the sample model as packaged: the Lambda zip's files (samples/aws/lambda plus
 * samples/model) and the SageMaker model.tar.gz (samples/model at the root, samples/aws/sagemaker under
 * code/), each executed with python3 the way the service calls it.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageFiles } from "../../components/serverless-inference/aws-lambda";
import { modelTarball } from "../../components/serverless-inference/aws-sagemaker";

const ROOT = path.resolve(__dirname, "..", "..");
const readDir = (dir: string) =>
    Object.fromEntries(fs.readdirSync(path.join(ROOT, dir)).map((f) => [f, fs.readFileSync(path.join(ROOT, dir, f), "utf8")]));
const SAMPLES = [
    [5.1, 3.5, 1.4, 0.2],
    [7.0, 3.2, 4.7, 1.4],
    [6.3, 3.3, 6.0, 2.5],
];

/** Runs python3 with `script` (and `env`) and returns the last line of its stdout parsed as JSON. */
function python(script: string, cwd: string, env: Record<string, string> = {}): any {
    const out = execFileSync("python3", ["-c", script], {
        cwd,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1", MODEL_NAME: "iris", ...env },
    });
    return JSON.parse(out.trimEnd().split("\n").at(-1)!);
}

describe("AWS sample: the Lambda package serves the iris model behind a function URL", function () {
    this.timeout(20_000);
    let dir = "";
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-"));
        const { files, conflicts } = packageFiles(readDir("samples/aws/lambda"), readDir("samples/model"));
        assert.deepEqual(conflicts, []);
        for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const invoke = (event: unknown, env: Record<string, string> = {}) =>
        python(
            `import json, handler; print(json.dumps(handler.handler(json.loads(${JSON.stringify(JSON.stringify(event))}), None)))`,
            dir,
            env,
        );
    const post = (rawPath: string, body: string, base64 = false) => ({
        version: "2.0",
        rawPath,
        requestContext: { http: { method: "POST" } },
        body: base64 ? Buffer.from(body).toString("base64") : body,
        isBase64Encoded: base64,
    });

    it("answers GET /healthz with the model name", () => {
        const res = invoke({ version: "2.0", rawPath: "/healthz", requestContext: { http: { method: "GET" } } });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(JSON.parse(res.body), { status: "ok", model: "iris", version: "bundled" });
    });

    it("packages lakeio.py (samples/model's link to the jobs' storage module) beside serve.py", () => {
        assert.equal(
            fs.readFileSync(path.join(dir, "lakeio.py"), "utf8"),
            fs.readFileSync(path.join(ROOT, "samples", "jobs", "lakeio.py"), "utf8"),
        );
    });

    it("loads the model from MLOPS_MODEL_URI and writes the inputs it scored to MLOPS_CAPTURE_URI within the invocation", () => {
        const store = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-store-"));
        try {
            const model = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
            fs.writeFileSync(path.join(store, "model.json"), JSON.stringify({ ...model, training: { runId: "t7" } }));
            const env = { MLOPS_MODEL_URI: `file://${store}/model.json`, MLOPS_CAPTURE_URI: `file://${store}/_capture/` };
            assert.deepEqual(JSON.parse(invoke({ rawPath: "/healthz", requestContext: { http: { method: "GET" } } }, env).body), {
                status: "ok",
                model: "iris",
                version: "t7",
            });
            const res = invoke(post("/predict", JSON.stringify({ instances: SAMPLES })), env);
            assert.equal(res.statusCode, 200, res.body);
            const [day] = fs.readdirSync(path.join(store, "_capture"));
            assert.match(day, /^dt=\d{4}-\d{2}-\d{2}$/);
            const [file] = fs.readdirSync(path.join(store, "_capture", day));
            const records = fs
                .readFileSync(path.join(store, "_capture", day, file), "utf8")
                .trimEnd()
                .split("\n")
                .map((l) => JSON.parse(l));
            assert.deepEqual(
                records.map((r) => [r.version, r.features.sepal_length_cm, r.prediction]),
                [
                    ["t7", 5.1, "setosa"],
                    ["t7", 7.0, "versicolor"],
                    ["t7", 6.3, "virginica"],
                ],
            );
        } finally {
            fs.rmSync(store, { recursive: true, force: true });
        }
    });

    it("predicts the species of known samples on both routes, with base64 bodies too", () => {
        for (const route of ["/predict", "/v1/models/iris:predict"]) {
            const res = invoke(post(route, JSON.stringify({ instances: SAMPLES }), route === "/predict"));
            assert.equal(res.statusCode, 200, res.body);
            assert.deepEqual(
                JSON.parse(res.body).predictions.map((p: any) => p.label),
                ["setosa", "versicolor", "virginica"],
            );
        }
    });

    it("rejects bad input with 400 and unknown routes with 404", () => {
        const bad = invoke(post("/predict", JSON.stringify({ instances: [[1, 2, 3]] })));
        assert.equal(bad.statusCode, 400);
        assert.match(JSON.parse(bad.body).error, /^instances\[0\] must be 4 finite numbers/);
        assert.equal(invoke(post("/predict", "not json")).statusCode, 400);
        assert.equal(invoke(post("/elsewhere", "{}")).statusCode, 404);
    });
});

describe("AWS sample: the SageMaker model.tar.gz serves the iris model through the inference toolkit's functions", function () {
    this.timeout(20_000);
    let dir = "";
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sagemaker-"));
        const tarball = modelTarball({ files: readDir("samples/model"), code: readDir("samples/aws/sagemaker") });
        fs.writeFileSync(path.join(dir, "model.tar.gz"), tarball);
        // What SageMaker does with the artifact: unpack it into /opt/ml/model.
        execFileSync("python3", ["-c", "import tarfile; tarfile.open('model.tar.gz').extractall('model')"], { cwd: dir });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const serve = (body: string, contentType = "application/json") =>
        python(
            [
                "import json, sys",
                "sys.path.insert(0, 'model/code')",
                "import inference",
                "model = inference.model_fn('model')",
                "try:",
                `    data = inference.input_fn(${JSON.stringify(body)}.encode(), ${JSON.stringify(contentType)})`,
                "    out, accept = inference.output_fn(inference.predict_fn(data, model), 'application/json')",
                "    print(json.dumps({'body': json.loads(out), 'accept': accept}))",
                "except ValueError as e:",
                "    print(json.dumps({'error': str(e)}))",
            ].join("\n"),
            dir,
        );

    it("unpacks to the model at the root and the code under code/", () => {
        assert.ok(fs.existsSync(path.join(dir, "model", "model.json")));
        assert.ok(fs.existsSync(path.join(dir, "model", "code", "inference.py")));
    });

    it("predicts the species of known samples as JSON", () => {
        const res = serve(JSON.stringify({ instances: SAMPLES }));
        assert.equal(res.accept, "application/json");
        assert.deepEqual(
            res.body.predictions.map((p: any) => p.label),
            ["setosa", "versicolor", "virginica"],
        );
    });

    it("refuses other content types and malformed rows", () => {
        assert.match(serve("a,b", "text/csv").error, /send application\/json/);
        assert.match(serve(JSON.stringify({ instances: [[1, 2]] })).error, /instances\[0\] must be 4 finite numbers/);
    });
});
