/**
 * The sample training and drift jobs (samples/jobs/train.py, drift.py) on the shipped Iris data, run with python3
 * the way the pipeline runners start them, on temp directories through file:// URIs: etl.py makes the curated
 * dataset version, train.py trains on it (held-out accuracy, the model served by samples/model/serve.py's own
 * code, the gate), drift.py compares unshifted and shifted captured requests with the training baseline.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
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

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
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

    it("gates: below MLOPS_MIN_ACCURACY the run exits 1 with a failed audit record and writes no model", () => {
        const gated = path.join(tmp, "gated");
        const res = run("train.py", {
            MLOPS_SOURCE_URI: `file://${curated}/`,
            MLOPS_TARGET_URI: `file://${gated}/`,
            MLOPS_RUN_ID: "g1",
            MLOPS_MIN_ACCURACY: "0.999",
            MLOPS_SEED: "1", // a split where 2 of the 30 held-out rows are missed: 0.933
        });
        assert.equal(res.status, 1, res.stderr);
        assert.deepEqual(fs.readdirSync(gated), ["_runs"]);
        const audit = readJson(path.join(gated, "_runs", "g1.json"));
        assert.equal(audit.status, "failed");
        assert.equal(audit.gate.passed, false);
        assert.ok(audit.gate.value < 0.999);
        assert.equal(audit.model, null);
        assert.match(audit.error, /below MLOPS_MIN_ACCURACY 0\.999/);
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
        return { run: res, report: readJson(path.join(models, "drift", `${name}.json`)) };
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
            res.logs.filter((l) => l.step === "feature").map((l) => [l.feature, l.drift]),
            FEATURES.map((f) => [f, false]),
        );
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
        assert.equal(res.logs.filter((l) => l.step === "feature").length, 4);
        assert.deepEqual(res.logs.at(-1).drifted, ["petal_length_cm"]);
    });

    it("drift: reads CSV captures with the dataset's header, and fails without a baseline", () => {
        const dir = path.join(tmp, "captured", "csv");
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(path.join(DATA, "iris-2024-01.csv"), path.join(dir, "batch.csv"));
        const res = run("drift.py", { MLOPS_SOURCE_URI: `file://${dir}/`, MLOPS_TARGET_URI: `file://${models}/`, MLOPS_RUN_ID: "csv" });
        assert.equal(res.status, 0, res.stderr);
        assert.equal(readJson(path.join(models, "drift", "csv.json")).rows, 75);
        const none = run("drift.py", { MLOPS_SOURCE_URI: `file://${dir}/`, MLOPS_TARGET_URI: `file://${tmp}/nomodel/`, MLOPS_RUN_ID: "n" });
        assert.equal(none.status, 1);
        assert.match(readJson(path.join(tmp, "nomodel", "drift", "n.json")).error, /no baseline/);
    });
});
