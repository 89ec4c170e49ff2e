/**
 * The sample training and drift jobs (samples/jobs/train.py, drift.py) on the shipped Iris data, run with python3
 * the way the pipeline runners start them, on temp directories through file:// URIs: etl.py makes the curated
 * dataset version, train.py trains on it (held-out accuracy and macro F1, the model served by
 * samples/model/serve.py's own code, the gate on either metric), drift.py compares unshifted and shifted captured
 * requests with the training baseline; and the loop end to end: train -> serve.py loading the version from
 * MLOPS_MODEL_URI and capturing to MLOPS_CAPTURE_URI -> drift.py on the capture.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const JOBS = path.join(ROOT, "samples", "jobs");
const DATA = path.join(ROOT, "samples", "etl", "data");
const SERVE = path.join(ROOT, "samples", "model", "serve.py");
const FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];

interface Run {
    status: number | null;
    logs: any[];
    stderr: string;
}

function run(job: string, env: Record<string, string>): Run {
    const res = spawnSync("python3", [path.join(JOBS, job)], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1", ...env },
        timeout: 60_000,
    });
    const logs = res.stdout
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
    return { status: res.status, logs, stderr: res.stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
/** The job's `{"mlops": kind, ...}` lines (what the clouds turn into metrics). */
const mlops = (r: Run, kind: string) => r.logs.filter((l) => l.mlops === kind);
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("ML samples: samples/jobs/train.py and drift.py on the ETL's output", function () {
    this.timeout(120_000);
    let tmp = "";
    let curated = "";
    let models = "";
    let rows: { x: number[]; label: string }[] = [];
    let heldOut: { x: number[]; label: string }[] = [];
    let trained: Run;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ml-"));
        curated = path.join(tmp, "curated", "iris");
        models = path.join(tmp, "models", "iris");
        const etl = run("etl.py", { MLOPS_SOURCE_URI: `file://${DATA}/`, MLOPS_TARGET_URI: `file://${curated}/`, MLOPS_RUN_ID: "d1" });
        assert.equal(etl.status, 0, etl.stderr);
        trained = run("train.py", {
            MLOPS_SOURCE_URI: `file://${curated}/`,
            MLOPS_TARGET_URI: `file://${models}/`,
            MLOPS_RUN_ID: "t1",
            MLOPS_IMAGE_DIGEST: "sha256:" + "b".repeat(64),
        });
        rows = fs
            .readFileSync(path.join(curated, "v=d1", "part-00000.csv"), "utf8")
            .trimEnd()
            .split("\n")
            .slice(1)
            .map((l) => l.split(","))
            .map((f) => ({ x: f.slice(0, 4).map(Number), label: f[4] }));
        if (trained.status === 0)
            heldOut = readJson(path.join(models, "v=t1", "metrics.json")).split.heldOutRows.map((i: number) => rows[i]);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("trains on the newest complete dataset version and scores >= 0.9 on the held-out rows", () => {
        assert.equal(trained.status, 0, trained.stderr);
        assert.deepEqual((fs.readdirSync(path.join(models, "v=t1")) as string[]).sort(), ["baseline.json", "metrics.json", "model.json"]);
        const metrics = readJson(path.join(models, "v=t1", "metrics.json"));
        assert.ok(metrics.accuracy >= 0.9, String(metrics.accuracy));
        assert.ok(metrics.f1Macro >= 0.9, String(metrics.f1Macro));
        assert.ok(Object.values(metrics.heldOut.perClass).every((c: any) => c.f1 >= 0.8));
        assert.deepEqual(metrics.gate, { metric: "accuracy", threshold: 0.9, value: metrics.accuracy, passed: true });
        assert.deepEqual(metrics.rows, { total: 153, train: 123, heldOut: 30 });
        assert.equal(heldOut.length, 30);
        assert.deepEqual(Object.keys(metrics.heldOut.perClass), ["setosa", "versicolor", "virginica"]);
        assert.equal(metrics.dataset.version, "v=d1");
        assert.equal(metrics.dataset.manifestSha256, sha256(path.join(curated, "v=d1", "_manifest.json")));
        assert.equal(metrics.runId, "t1");
    });

    it("writes model.json with exactly the keys of samples/model/model.json", () => {
        const model = readJson(path.join(models, "v=t1", "model.json"));
        const shipped = readJson(path.join(ROOT, "samples", "model", "model.json"));
        assert.deepEqual(Object.keys(model), Object.keys(shipped));
        assert.deepEqual(model.features, shipped.features);
        assert.deepEqual(model.classes, shipped.classes);
        assert.equal(model.weights.length, 3);
        assert.ok(model.weights.every((w: number[]) => w.length === 4));
        assert.equal(model.training.datasetVersion, "v=d1");
    });

    it("is served by samples/model/serve.py's own loading and prediction code: >= 0.9 on the held-out rows", () => {
        const app = path.join(tmp, "serve");
        fs.mkdirSync(app, { recursive: true });
        fs.copyFileSync(SERVE, path.join(app, "serve.py"));
        fs.copyFileSync(path.join(models, "v=t1", "model.json"), path.join(app, "model.json"));
        const script = [
            "import json, sys",
            `sys.path.insert(0, ${JSON.stringify(app)})`,
            "import serve",
            "body = json.dumps({'instances': json.loads(sys.stdin.read())}).encode()",
            "print(json.dumps([p['label'] for p in map(serve.predict, serve.parse_instances(body))]))",
        ].join("\n");
        const res = spawnSync("python3", ["-c", script], {
            input: JSON.stringify(heldOut.map((r) => r.x)),
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "" },
        });
        assert.equal(res.status, 0, res.stderr);
        const labels: string[] = JSON.parse(res.stdout);
        const correct = labels.filter((l, i) => l === heldOut[i].label).length;
        assert.ok(correct / heldOut.length >= 0.9, `${correct}/${heldOut.length}`);
    });

    it("records the audit trail: model version -> dataset version -> code and image digests", () => {
        const audit = readJson(path.join(models, "_runs", "t1.json"));
        assert.equal(audit.status, "succeeded");
        assert.equal(audit.model.version, "v=t1");
        assert.equal(audit.model.sha256, sha256(path.join(models, "v=t1", "model.json")));
        assert.deepEqual(audit.dataset, {
            uri: `file://${curated}/v=d1/`,
            version: "v=d1",
            manifestSha256: sha256(path.join(curated, "v=d1", "_manifest.json")),
        });
        assert.equal(audit.code.sha256, "sha256:" + sha256(path.join(JOBS, "train.py")));
        assert.equal(audit.imageDigest, "sha256:" + "b".repeat(64));
        assert.equal(audit.gate.passed, true);
        assert.equal(audit.trigger, "manual");
    });

    it("ends with one training line: model, run id, status, the gating metric and threshold, dataset version", () => {
        const metrics = readJson(path.join(models, "v=t1", "metrics.json"));
        assert.deepEqual(mlops(trained, "training"), [
            {
                mlops: "training",
                model: "iris",
                runId: "t1",
                status: "succeeded",
                metric: "accuracy",
                value: metrics.accuracy,
                threshold: 0.9,
                datasetVersion: "v=d1",
                trigger: "manual",
                version: "v=t1",
            },
        ]);
        assert.deepEqual(trained.logs.at(-1), mlops(trained, "training")[0]);
    });

    it("trains deterministically: the same data and seed give the same model", () => {
        const again = run("train.py", {
            MLOPS_SOURCE_URI: `file://${curated}/`,
            MLOPS_TARGET_URI: `file://${models}/`,
            MLOPS_RUN_ID: "t2",
        });
        assert.equal(again.status, 0, again.stderr);
        const strip = (m: any) => ({ ...m, training: { ...m.training, runId: undefined } });
        assert.deepEqual(
            strip(readJson(path.join(models, "v=t2", "model.json"))),
            strip(readJson(path.join(models, "v=t1", "model.json"))),
        );
    });

    for (const metric of ["accuracy", "f1Macro"]) {
        it(`gates on ${metric}: below MLOPS_GATE_THRESHOLD the run exits 1 with a failed audit record and writes no model`, () => {
            const gated = path.join(tmp, `gated-${metric}`);
            const res = run("train.py", {
                MLOPS_SOURCE_URI: `file://${curated}/`,
                MLOPS_TARGET_URI: `file://${gated}/`,
                MLOPS_RUN_ID: "g1",
                MLOPS_GATE_METRIC: metric,
                MLOPS_GATE_THRESHOLD: "0.999",
                MLOPS_SEED: "1", // a split where 2 of the 30 held-out rows are missed: accuracy 0.933, macro F1 0.933
                MLOPS_TRIGGER: "drift",
            });
            assert.equal(res.status, 1, res.stderr);
            assert.deepEqual(fs.readdirSync(gated), ["_runs"]);
            const audit = readJson(path.join(gated, "_runs", "g1.json"));
            assert.equal(audit.status, "failed");
            assert.equal(audit.trigger, "drift");
            assert.deepEqual({ ...audit.gate, value: undefined }, { metric, threshold: 0.999, value: undefined, passed: false });
            assert.ok(audit.gate.value > 0.9 && audit.gate.value < 0.999, String(audit.gate.value));
            assert.equal(audit.model, null);
            assert.match(audit.error, new RegExp(`held-out ${metric} 0\\.9\\d+ is below MLOPS_GATE_THRESHOLD 0\\.999`));
            const [line] = mlops(res, "training");
            assert.deepEqual(line, {
                mlops: "training",
                model: "iris",
                runId: "g1",
                status: "failed",
                metric,
                value: audit.gate.value,
                threshold: 0.999,
                datasetVersion: "v=d1",
                trigger: "drift",
            });
        });
    }

    it("gates on f1Macro with the default threshold 0.9: the shipped data passes", () => {
        const res = run("train.py", {
            MLOPS_SOURCE_URI: `file://${curated}/`,
            MLOPS_TARGET_URI: `file://${tmp}/f1/`,
            MLOPS_RUN_ID: "f1",
            MLOPS_GATE_METRIC: "f1Macro",
        });
        assert.equal(res.status, 0, res.stderr);
        const audit = readJson(path.join(tmp, "f1", "_runs", "f1.json"));
        assert.equal(audit.gate.metric, "f1Macro");
        assert.equal(audit.gate.value, readJson(path.join(tmp, "f1", "v=f1", "metrics.json")).f1Macro);
        assert.ok(audit.gate.value >= 0.9);
    });

    it("refuses an unknown gate metric or threshold before running (exit 2, nothing written)", () => {
        for (const [name, value] of [
            ["MLOPS_GATE_METRIC", "auc"],
            ["MLOPS_GATE_THRESHOLD", "90"],
        ]) {
            const res = run("train.py", { MLOPS_SOURCE_URI: `file://${curated}/`, MLOPS_TARGET_URI: `file://${tmp}/bad/`, [name]: value });
            assert.equal(res.status, 2, name);
            assert.match(res.logs[0].error, new RegExp(name));
        }
        assert.equal(fs.existsSync(path.join(tmp, "bad")), false);
    });

    it("fails without a complete dataset version, naming the prefix", () => {
        const empty = path.join(tmp, "empty");
        fs.mkdirSync(path.join(empty, "v=x"), { recursive: true });
        const res = run("train.py", { MLOPS_SOURCE_URI: `file://${empty}/`, MLOPS_TARGET_URI: `file://${tmp}/m2/`, MLOPS_RUN_ID: "e1" });
        assert.equal(res.status, 1);
        assert.match(readJson(path.join(tmp, "m2", "_runs", "e1.json")).error, /no complete dataset version/);
    });

    it("writes the drift baseline: per-feature deciles, proportions and the sorted training sample", () => {
        const baseline = readJson(path.join(models, "v=t1", "baseline.json"));
        assert.deepEqual(
            baseline.features.map((f: any) => f.name),
            FEATURES,
        );
        for (const f of baseline.features) {
            assert.equal(f.count, 123);
            assert.equal(f.sorted.length, 123);
            assert.equal(f.proportions.length, f.edges.length + 1);
            assert.ok(Math.abs(f.proportions.reduce((s: number, p: number) => s + p, 0) - 1) < 1e-5);
        }
    });

    /** Writes captured requests (JSON lines of {"instances": ...}, 5 rows a request) and runs drift.py on them. */
    function drift(name: string, instances: number[][]): { run: Run; report: any } {
        const dir = path.join(tmp, "captured", name);
        fs.mkdirSync(dir, { recursive: true });
        const lines = [];
        for (let i = 0; i < instances.length; i += 5) lines.push(JSON.stringify({ instances: instances.slice(i, i + 5) }));
        fs.writeFileSync(path.join(dir, "requests.jsonl"), lines.join("\n") + "\n");
        const res = run("drift.py", { MLOPS_SOURCE_URI: `file://${dir}/`, MLOPS_TARGET_URI: `file://${models}/`, MLOPS_RUN_ID: name });
        return { run: res, report: readJson(path.join(models, "_drift", `${name}.json`)) };
    }

    it("drift: the held-out rows (unshifted) are ok, one JSON line per feature", () => {
        const { run: res, report } = drift(
            "unshifted",
            heldOut.map((r) => r.x),
        );
        assert.equal(res.status, 0, res.stderr);
        assert.equal(report.status, "ok");
        assert.equal(report.rows, 30);
        assert.deepEqual(
            mlops(res, "drift").map((l) => [l.model, l.feature, l.drifted]),
            FEATURES.map((f) => ["iris", f, false]),
        );
        assert.deepEqual(mlops(res, "drift-summary"), [
            { mlops: "drift-summary", model: "iris", driftedFeatures: 0, features: 4, rows: 30, runId: "unshifted", status: "ok" },
        ]);
        assert.match(report.baseline, /\/v=t[12]\/baseline\.json$/); // the newest model version
        assert.deepEqual(report.thresholds, { psi: 0.2, ksAlpha: 0.05 });
    });

    it("drift: petal lengths +2 cm drift (PSI above the threshold, KS rejects), the other features do not", () => {
        const { run: res, report } = drift(
            "shifted",
            heldOut.map((r) => [r.x[0], r.x[1], r.x[2] + 2, r.x[3]]),
        );
        assert.equal(res.status, 0, res.stderr);
        assert.equal(report.status, "drift");
        const byName = Object.fromEntries(report.features.map((f: any) => [f.feature, f]));
        assert.deepEqual(
            FEATURES.filter((f) => byName[f].drift),
            ["petal_length_cm"],
        );
        assert.ok(byName.petal_length_cm.psi > 0.2, String(byName.petal_length_cm.psi));
        assert.ok(byName.petal_length_cm.ksPValue < 0.05);
        // The shifted feature's PSI is several times any unshifted one's (30 rows over 10 bins leave some noise).
        for (const f of FEATURES.filter((f) => f !== "petal_length_cm")) assert.ok(byName.petal_length_cm.psi > 3 * byName[f].psi, f);
        const lines = mlops(res, "drift");
        assert.deepEqual(
            lines.filter((l) => l.drifted).map((l) => l.feature),
            ["petal_length_cm"],
        );
        const petal = lines.find((l) => l.feature === "petal_length_cm");
        assert.deepEqual([petal.psi, petal.ksP], [byName.petal_length_cm.psi, byName.petal_length_cm.ksPValue]);
        assert.equal(mlops(res, "drift-summary")[0].driftedFeatures, 1);
        assert.equal(res.logs.at(-1).mlops, "drift-summary");
    });

    it("drift: reads CSV captures with the dataset's header, and fails without a baseline", () => {
        const dir = path.join(tmp, "captured", "csv");
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(path.join(DATA, "iris-2024-01.csv"), path.join(dir, "batch.csv"));
        const res = run("drift.py", { MLOPS_SOURCE_URI: `file://${dir}/`, MLOPS_TARGET_URI: `file://${models}/`, MLOPS_RUN_ID: "csv" });
        assert.equal(res.status, 0, res.stderr);
        assert.equal(readJson(path.join(models, "_drift", "csv.json")).rows, 75);
        const none = run("drift.py", { MLOPS_SOURCE_URI: `file://${dir}/`, MLOPS_TARGET_URI: `file://${tmp}/nomodel/`, MLOPS_RUN_ID: "n" });
        assert.equal(none.status, 1);
        assert.match(readJson(path.join(tmp, "nomodel", "_drift", "n.json")).error, /no baseline/);
        assert.deepEqual(mlops(none, "drift-summary"), [], "a failed run publishes no drift result");
    });

    it("drift: fewer captured rows than MLOPS_MIN_ROWS is insufficient-data, no drift, exit 0", () => {
        const { run: res, report } = drift(
            "few",
            heldOut.slice(0, 10).map((r) => [r.x[0] + 5, r.x[1], r.x[2], r.x[3]]),
        );
        assert.equal(res.status, 0, res.stderr);
        assert.equal(report.status, "insufficient-data");
        assert.deepEqual(mlops(res, "drift"), []);
        assert.deepEqual(mlops(res, "drift-summary"), [
            { mlops: "drift-summary", model: "iris", driftedFeatures: 0, features: 4, rows: 10, runId: "few", status: "insufficient-data" },
        ]);
    });

    /** Starts serve.py with `env`, waits for /healthz; at most 40 tries 200 ms apart. */
    async function startServer(env: Record<string, string>): Promise<{ proc: ChildProcess; base: string; out: () => string }> {
        const port = await freePort();
        let stdout = "";
        let stderr = "";
        const proc = spawn("python3", [SERVE], {
            env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1", PORT: String(port), HOST: "127.0.0.1", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        proc.stdout?.on("data", (c) => (stdout += c));
        proc.stderr?.on("data", (c) => (stderr += c));
        const base = `http://127.0.0.1:${port}`;
        for (let attempt = 0; attempt < 40 && proc.exitCode === null; attempt++) {
            try {
                if ((await fetch(`${base}/healthz`)).status === 200) return { proc, base, out: () => stdout };
            } catch {
                // not listening yet
            }
            await sleep(200);
        }
        proc.kill("SIGKILL");
        throw new Error(`serve.py did not become healthy (exit ${proc.exitCode}):\n${stdout}\n${stderr}`);
    }

    /** SIGTERM (what Kubernetes, ECS, Cloud Run and Container Apps send) and the exit code: serve.py writes its capture then. */
    const stop = (proc: ChildProcess) =>
        new Promise<number | null>((resolve) => {
            proc.once("exit", (code) => resolve(code));
            proc.kill("SIGTERM");
        });

    /** Capture objects under `dir`, relative. */
    const captured = (dir: string) =>
        fs.existsSync(dir)
            ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort()
            : [];

    for (const [name, shift, drifted] of [
        ["unshifted", 0, 0],
        ["shifted", 2, 1],
    ] as const) {
        it(`end to end (${name}): serve.py loads v=t1 from MLOPS_MODEL_URI, captures what it scores, drift.py reads the capture`, async () => {
            const capture = path.join(models, `_capture-${name}`);
            const server = await startServer({
                MLOPS_MODEL_URI: `file://${models}/v=t1/model.json`,
                MLOPS_MODEL_VERSION: "t1",
                MLOPS_CAPTURE_URI: `file://${capture}/`,
                MODEL_NAME: "iris",
            });
            let exit: number | null = null;
            try {
                const health = await (await fetch(`${server.base}/healthz`)).json();
                assert.deepEqual(health, { status: "ok", model: "iris", version: "t1" });
                // Each held-out row once (30 rows, 3 requests), petal length shifted by `shift` cm. Rows repeated would
                // shrink the KS p-values (the test assumes independent rows).
                const rows = heldOut.map((r) => [r.x[0], r.x[1], r.x[2] + shift, r.x[3]]);
                const labels: string[] = [];
                for (let i = 0; i < rows.length; i += 10) {
                    const res = await fetch(`${server.base}/v1/models/iris:predict`, {
                        method: "POST",
                        headers: { "Content-Type": "application/json" },
                        body: JSON.stringify({ instances: rows.slice(i, i + 10) }),
                    });
                    assert.equal(res.status, 200);
                    labels.push(...((await res.json()) as any).predictions.map((p: any) => p.label));
                }
                // Unshifted, the server predicts with the trained version: >= 0.9 of the held-out labels.
                if (shift === 0) assert.ok(labels.filter((l, i) => l === heldOut[i].label).length >= 27, labels.join(","));
            } finally {
                exit = await stop(server.proc);
            }
            assert.equal(exit, 0, server.out());
            const files = captured(capture);
            assert.ok(
                files.length >= 1 && files.every((f) => /^dt=\d{4}-\d{2}-\d{2}\/\d{8}T\d{9}Z-.+-\d+\.jsonl$/.test(f)),
                files.join(","),
            );
            const records = files.flatMap((f) =>
                fs
                    .readFileSync(path.join(capture, f), "utf8")
                    .trimEnd()
                    .split("\n")
                    .map((l) => JSON.parse(l)),
            );
            assert.equal(records.length, 30);
            assert.deepEqual(Object.keys(records[0]), ["time", "model", "version", "features", "prediction"]);
            assert.deepEqual([records[0].model, records[0].version], ["iris", "t1"]);
            assert.deepEqual(Object.keys(records[0].features), FEATURES);
            assert.equal(records[0].features.petal_length_cm, heldOut[0].x[2] + shift);

            const res = run("drift.py", {
                MLOPS_SOURCE_URI: `file://${capture}/`,
                MLOPS_TARGET_URI: `file://${models}/`,
                MLOPS_MODEL_VERSION: "t1",
                MLOPS_RUN_ID: `e2e-${name}`,
            });
            assert.equal(res.status, 0, res.stderr);
            const [summary] = mlops(res, "drift-summary");
            assert.equal(summary.driftedFeatures, drifted, JSON.stringify(mlops(res, "drift")));
            assert.equal(summary.rows, records.length);
            const report = readJson(path.join(models, "_drift", `e2e-${name}.json`));
            assert.match(report.baseline, /\/v=t1\/baseline\.json$/);
            if (drifted)
                assert.deepEqual(
                    mlops(res, "drift")
                        .filter((l) => l.drifted)
                        .map((l) => l.feature),
                    ["petal_length_cm"],
                );
        });
    }

    it("serve.py refuses to start, saying why, when MLOPS_MODEL_URI cannot be read", () => {
        const res = spawnSync("python3", [SERVE], {
            encoding: "utf8",
            env: {
                PATH: process.env.PATH ?? "",
                PYTHONDONTWRITEBYTECODE: "1",
                PORT: "0",
                MLOPS_MODEL_URI: `file://${models}/v=missing/model.json`,
            },
            timeout: 20_000,
        });
        assert.equal(res.status, 1);
        assert.match(JSON.parse(res.stdout.trim()).error, /cannot load the model from MLOPS_MODEL_URI=file:\/\/.*v=missing\/model\.json/);
    });
});
