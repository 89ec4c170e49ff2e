/**
 * The sample ETL job (samples/jobs/etl.py) on the shipped Iris drops, run with python3 the way the pipeline
 * runners start it, on temp directories through file:// URIs: versions, manifests, quarantine, audit records,
 * idempotency and failures. Its storage module's cloud adapters (samples/jobs/lakeio.py: SigV4, S3/GCS/Azure
 * listing) are unit-tested without network by samples/jobs/tests, run from here.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const JOBS = path.join(ROOT, "samples", "jobs");
const JOB = path.join(JOBS, "etl.py");
const DATA = path.join(ROOT, "samples", "etl", "data");
const HEADER = "sepal_length,sepal_width,petal_length,petal_width,species";

interface Run {
    status: number | null;
    logs: any[];
    stderr: string;
}

/** Runs the job with a clean environment plus `env`; returns its exit status and its JSON log lines. */
function runJob(env: Record<string, string>): Run {
    const res = spawnSync("python3", [JOB], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1", MLOPS_PIPELINE: "iris-etl", MLOPS_TRIGGER: "schedule", ...env },
        timeout: 30_000,
    });
    const logs = res.stdout
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
    return { status: res.status, logs, stderr: res.stderr };
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const lines = (file: string) => fs.readFileSync(file, "utf8").trimEnd().split("\n");
/** Files under `dir`, relative, sorted; [] when it does not exist. */
function tree(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe("ETL sample: samples/jobs/etl.py on the Iris drops", function () {
    this.timeout(60_000);
    let tmp = "";
    let source = "";
    let target = "";
    const uris = () => ({ MLOPS_SOURCE_URI: `file://${source}/`, MLOPS_TARGET_URI: `file://${target}/` });
    const drop = (name: string, content: string | Buffer) => fs.writeFileSync(path.join(source, name), content);
    const copy = (name: string) => fs.copyFileSync(path.join(DATA, name), path.join(source, name));
    const runs = () => tree(path.join(target, "_runs")).map((f) => readJson(path.join(target, "_runs", f)));
    const versions = () => fs.readdirSync(target).filter((d) => d.startsWith("v="));

    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "etl-"));
        source = path.join(tmp, "raw", "iris");
        target = path.join(tmp, "curated", "iris");
        fs.mkdirSync(source, { recursive: true });
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("ships the real Iris data: 150 rows in two drops of 75, the class counts and Fisher's means", () => {
        const rows = ["iris-2024-01.csv", "iris-2024-02.csv"].flatMap((f) => {
            const [header, ...data] = lines(path.join(DATA, f));
            assert.equal(header, HEADER);
            assert.equal(data.length, 75, f);
            return data.map((l) => l.split(","));
        });
        const counts: Record<string, number> = {};
        for (const r of rows) counts[r[4].replace(/^Iris-/, "")] = (counts[r[4].replace(/^Iris-/, "")] ?? 0) + 1;
        assert.deepEqual(counts, { setosa: 50, versicolor: 50, virginica: 50 });
        const means = [0, 1, 2, 3].map((i) => Math.round((rows.reduce((s, r) => s + Number(r[i]), 0) / 150) * 1e6) / 1e6);
        assert.deepEqual(means, [5.843333, 3.057333, 3.758, 1.199333]); // the statistics samples/model was trained on
        assert.deepEqual(rows[0], ["5.1", "3.5", "1.4", "0.2", "setosa"]);
        assert.deepEqual(rows[149], ["5.9", "3.0", "5.1", "1.8", "Iris-virginica"]);
    });

    it("turns a good drop into a version, its manifest and a succeeded audit record with exact counts", () => {
        copy("iris-2024-01.csv");
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1", MLOPS_IMAGE_DIGEST: "sha256:" + "a".repeat(64) });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(tree(target), ["_runs/r1.json", "v=r1/_manifest.json", "v=r1/part-00000.csv"]);

        const part = lines(path.join(target, "v=r1", "part-00000.csv"));
        assert.equal(part[0], HEADER);
        assert.equal(part.length, 76);
        assert.equal(part[1], "5.1,3.5,1.4,0.2,setosa");

        const input = path.join(source, "iris-2024-01.csv");
        const manifest = readJson(path.join(target, "v=r1", "_manifest.json"));
        assert.equal(manifest.runId, "r1");
        assert.equal(manifest.version, "v=r1");
        assert.deepEqual(
            manifest.schema.map((c: any) => [c.name, c.type]),
            HEADER.split(",").map((n) => [n, n === "species" ? "string" : "double"]),
        );
        assert.deepEqual(manifest.rows, { read: 75, accepted: 75, rejected: 0 });
        assert.deepEqual(manifest.files, [
            {
                path: "part-00000.csv",
                rows: 75,
                size: fs.statSync(path.join(target, "v=r1", "part-00000.csv")).size,
                sha256: sha256(path.join(target, "v=r1", "part-00000.csv")),
            },
        ]);
        assert.equal(manifest.inputs[0].sha256, sha256(input));
        assert.equal(manifest.inputs[0].etag, crypto.createHash("md5").update(fs.readFileSync(input)).digest("hex"));

        const audit = readJson(path.join(target, "_runs", "r1.json"));
        assert.equal(audit.status, "succeeded");
        assert.equal(audit.pipeline, "iris-etl");
        assert.equal(audit.trigger, "schedule");
        assert.equal(audit.imageDigest, "sha256:" + "a".repeat(64));
        assert.match(audit.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(audit.endedAt >= audit.startedAt);
        assert.deepEqual(audit.counts, { inputs: 1, skippedInputs: 0, rowsRead: 75, rowsAccepted: 75, rowsRejected: 0, filesRejected: 0 });
        assert.deepEqual(
            audit.inputs.map((i: any) => [i.uri, i.key, i.size, i.sha256, i.rows]),
            [[`file://${input}`, input, fs.statSync(input).size, sha256(input), { read: 75, accepted: 75, rejected: 0 }]],
        );
        assert.deepEqual(
            audit.outputs.map((o: any) => [o.kind, o.uri.slice(`file://${target}/`.length), o.sha256]),
            [
                ["data", "v=r1/part-00000.csv", sha256(path.join(target, "v=r1", "part-00000.csv"))],
                ["manifest", "v=r1/_manifest.json", sha256(path.join(target, "v=r1", "_manifest.json"))],
            ],
        );
        assert.deepEqual(
            run.logs.map((l) => l.step),
            ["start", "list-source", "validate-input", "write-data", "write-manifest", "write-audit", "done"],
        );
    });

    it("quarantines bad rows with their reasons and keeps the rest; normalises Iris- prefixes", () => {
        copy("bad-rows.csv");
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1" });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(lines(path.join(target, "v=r1", "part-00000.csv")), [
            HEADER,
            "5.0,3.3,1.4,0.2,setosa",
            "5.7,2.8,4.1,1.3,versicolor",
            "6.7,3.0,5.2,2.3,virginica",
        ]);
        assert.deepEqual(lines(path.join(target, "_quarantine", "r1", "bad-rows.csv")), [
            "line,reason,record",
            '4,petal_length: missing,"6.5,3.0,,2.0,virginica"',
            "5,sepal_length: 'abc' is not a number,\"abc,3.0,5.2,2.0,virginica\"",
            '6,"petal_width: -0.3 is outside (0, 10] cm","4.8,3.0,1.4,-0.3,setosa"',
            '7,"species: \'daisy\' is not one of setosa, versicolor, virginica (optionally Iris-<name>)","5.9,3.0,5.1,1.8,daisy"',
            '8,"expected 5 fields, got 3","5.1,3.5,1.4"',
            '9,"sepal_length: 58 is outside (0, 10] cm","58,2.7,5.1,1.9,virginica"',
        ]);
        const audit = readJson(path.join(target, "_runs", "r1.json"));
        assert.deepEqual(audit.counts, { inputs: 1, skippedInputs: 0, rowsRead: 9, rowsAccepted: 3, rowsRejected: 6, filesRejected: 0 });
        assert.deepEqual(
            audit.outputs.map((o: any) => [o.kind, o.rows]),
            [
                ["quarantine", 6],
                ["data", 3],
                ["manifest", undefined],
            ],
        );
    });

    it("rejects an empty file and a wrong header whole, without failing the good drop beside them", () => {
        copy("iris-2024-02.csv");
        drop("empty.csv", "");
        drop("wrong-header.csv", "sepal.length,sepal.width,petal.length,petal.width,variety\n5.1,3.5,1.4,0.2,Setosa\n");
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1" });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(tree(target), [
            "_quarantine/r1/empty.csv",
            "_quarantine/r1/wrong-header.csv",
            "_runs/r1.json",
            "v=r1/_manifest.json",
            "v=r1/part-00000.csv",
        ]);
        assert.deepEqual(lines(path.join(target, "_quarantine", "r1", "empty.csv")), [
            "line,reason,record",
            "0,empty file: no header and no rows,",
        ]);
        assert.deepEqual(lines(path.join(target, "_quarantine", "r1", "wrong-header.csv")), [
            "line,reason,record",
            '1,"wrong header: expected sepal_length,sepal_width,petal_length,petal_width,species, got sepal.length,sepal.width,petal.length,petal.width,variety","sepal.length,sepal.width,petal.length,petal.width,variety"',
            '2,file rejected: wrong header,"5.1,3.5,1.4,0.2,Setosa"',
        ]);
        const part = lines(path.join(target, "v=r1", "part-00000.csv"));
        assert.equal(part.length, 76);
        assert.equal(part[1], "6.6,3.0,4.4,1.4,versicolor"); // row 76 of the 150, from `Iris-versicolor`
        const audit = readJson(path.join(target, "_runs", "r1.json"));
        assert.equal(audit.status, "succeeded");
        assert.deepEqual(audit.counts, { inputs: 3, skippedInputs: 0, rowsRead: 76, rowsAccepted: 75, rowsRejected: 1, filesRejected: 2 });
        const byName = Object.fromEntries(audit.inputs.map((i: any) => [path.basename(i.key), i]));
        assert.equal(byName["empty.csv"].rejected, "empty file: no header and no rows");
        assert.match(byName["wrong-header.csv"].rejected, /^wrong header: /);
        assert.equal(byName["iris-2024-02.csv"].rejected, undefined);
    });

    it("skips inputs an earlier run processed: a duplicate run writes only a skipped audit record", () => {
        copy("iris-2024-01.csv");
        const first = runJob(uris());
        assert.equal(first.status, 0, first.stderr);
        const firstId = first.logs.at(-1).runId;
        assert.match(firstId, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
        assert.deepEqual(versions(), [`v=${firstId}`]);

        const second = runJob(uris());
        assert.equal(second.status, 0, second.stderr);
        assert.deepEqual(versions(), [`v=${firstId}`]);
        const records = runs();
        assert.deepEqual(records.map((r) => r.status).sort(), ["skipped", "succeeded"]);
        const skipped = records.find((r) => r.status === "skipped");
        assert.deepEqual(skipped.counts, { inputs: 0, skippedInputs: 1, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, filesRejected: 0 });
        assert.deepEqual(skipped.outputs, []);
        assert.equal(skipped.skippedInputs[0].key, path.join(source, "iris-2024-01.csv"));
        assert.ok(second.logs.some((l) => l.step === "skip-input"));

        // A new drop is processed alone into the next version; the old one stays skipped.
        copy("iris-2024-02.csv");
        const third = runJob({ ...uris(), MLOPS_RUN_ID: "r3" });
        assert.equal(third.status, 0, third.stderr);
        assert.deepEqual(versions().sort(), [`v=${firstId}`, "v=r3"].sort());
        const audit = readJson(path.join(target, "_runs", "r3.json"));
        assert.deepEqual([audit.counts.inputs, audit.counts.skippedInputs, audit.counts.rowsAccepted], [1, 1, 75]);
        assert.equal(path.basename(audit.inputs[0].key), "iris-2024-02.csv");

        // A changed object (new content under the same key) is a new input.
        fs.appendFileSync(path.join(source, "iris-2024-01.csv"), "5.0,3.6,1.4,0.2,setosa\n");
        const fourth = runJob({ ...uris(), MLOPS_RUN_ID: "r4" });
        assert.equal(fourth.status, 0, fourth.stderr);
        assert.equal(readJson(path.join(target, "_runs", "r4.json")).counts.rowsAccepted, 76);
    });

    it("does not count a failed run's inputs as processed", () => {
        copy("iris-2024-01.csv");
        fs.mkdirSync(path.join(target, "_runs"), { recursive: true });
        const failed = { runId: "old", status: "failed", inputs: [{ uri: `file://${source}/iris-2024-01.csv`, version: "x" }] };
        fs.writeFileSync(path.join(target, "_runs", "old.json"), JSON.stringify(failed));
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1" });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(readJson(path.join(target, "_runs", "r1.json")).counts.rowsAccepted, 75);
    });

    it("records a failure: an unreadable input fails the run with status failed and a non-zero exit", () => {
        copy("iris-2024-01.csv");
        fs.symlinkSync(path.join(tmp, "gone.csv"), path.join(source, "broken.csv"));
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1" });
        assert.equal(run.status, 1);
        assert.deepEqual(versions(), []);
        const [audit] = runs();
        assert.equal(audit.status, "failed");
        assert.match(audit.error, /No such file or directory/);
        assert.ok(audit.endedAt);
        assert.equal(run.logs.at(-1).step, "write-audit");
        assert.ok(run.logs.some((l) => l.step === "failed"));
    });

    it("never overwrites a finished run's version: reusing its run id fails", () => {
        copy("iris-2024-01.csv");
        assert.equal(runJob({ ...uris(), MLOPS_RUN_ID: "r1" }).status, 0);
        const before = fs.readFileSync(path.join(target, "v=r1", "part-00000.csv"), "utf8");
        copy("iris-2024-02.csv");
        const run = runJob({ ...uris(), MLOPS_RUN_ID: "r1" });
        assert.equal(run.status, 1);
        assert.equal(fs.readFileSync(path.join(target, "v=r1", "part-00000.csv"), "utf8"), before);
        assert.equal(readJson(path.join(target, "_runs", "r1.json")).status, "succeeded");
        const failed = runs().filter((r) => r.status === "failed");
        assert.equal(failed.length, 1);
        assert.match(failed[0].error, /run id 'r1' belongs to a finished run/);
    });

    it("exits 2 without writing when the target is not set, and fails an unsupported source scheme", () => {
        const none = runJob({ MLOPS_SOURCE_URI: `file://${source}/` });
        assert.equal(none.status, 2);
        assert.match(none.logs[0].error, /MLOPS_TARGET_URI must be set/);
        const ftp = runJob({ MLOPS_SOURCE_URI: "ftp://example.com/raw/", MLOPS_TARGET_URI: `file://${target}/`, MLOPS_RUN_ID: "r1" });
        assert.equal(ftp.status, 1);
        assert.match(readJson(path.join(target, "_runs", "r1.json")).error, /unsupported URI/);
    });

    it("runs the jobs' unit tests (SigV4 published examples, S3/GCS/Azure list parsing, PSI and KS) without network", () => {
        const res = spawnSync("python3", ["-m", "unittest", "discover", "-s", path.join(JOBS, "tests")], {
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1" },
            timeout: 30_000,
        });
        assert.equal(res.status, 0, res.stderr);
        assert.match(res.stderr, /^Ran \d+ tests/m);
        assert.match(res.stderr, /^OK$/m);
    });

    it("stays small enough to mount: the top of samples/jobs (what a pipeline mounts) is under 200 KB", () => {
        const entries = fs.readdirSync(JOBS, { withFileTypes: true }).filter((e) => e.isFile());
        assert.deepEqual(entries.map((e) => e.name).sort(), ["README.md", "drift.py", "etl.py", "lakeio.py", "train.py"]);
        assert.ok(entries.reduce((s, e) => s + fs.statSync(path.join(JOBS, e.name)).size, 0) < 200 * 1024);
    });

    it("runs as the runners start it: only /app on the path, lakeio.py imported from beside the script, also through runpy", () => {
        const app = path.join(tmp, "app");
        fs.mkdirSync(app);
        for (const f of ["etl.py", "lakeio.py"]) fs.copyFileSync(path.join(JOBS, f), path.join(app, f));
        copy("iris-2024-01.csv");
        const glueLike = `import runpy; runpy.run_path(${JSON.stringify(path.join(app, "etl.py"))}, run_name="__main__")`;
        const res = spawnSync("python3", ["-c", glueLike], {
            cwd: tmp,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", PYTHONDONTWRITEBYTECODE: "1", ...uris(), MLOPS_RUN_ID: "r1" },
            timeout: 30_000,
        });
        assert.equal(res.status, 0, res.stderr);
        assert.deepEqual(versions(), ["v=r1"]);
    });
});
