/**
 * The on-arrival trigger of the Kubernetes data pipelines (samples/kubernetes/trigger/trigger.py), run with
 * python3 against a fake Kubernetes API server on localhost: token check, event parsing, the prefix filter,
 * the Job it creates from the CronJob, and that events it cannot act on are counted, never dropped silently.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const TRIGGER = path.join(__dirname, "..", "..", "samples", "kubernetes", "trigger", "trigger.py");
const TOKEN = "shared-token-0123456789";
const RUN_TOKEN = "airflow-run-token-9876543210";
const SA_TOKEN = "service-account-token";
const NS = "mlops-dev-pipelines";

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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The CronJob the fake API server returns, shaped like components/data-pipeline/kubernetes.ts makes it. */
const CRON_JOB = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "iris-etl", namespace: NS, uid: "0d7c6f3e-uid" },
    spec: {
        schedule: "0 3 * * *",
        concurrencyPolicy: "Forbid",
        jobTemplate: {
            metadata: { labels: { "app.kubernetes.io/name": "iris-etl", "mlops.dev/role": "pipeline-job" } },
            spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: 1800,
                template: {
                    metadata: { labels: { "mlops.dev/role": "pipeline-job" } },
                    spec: {
                        restartPolicy: "Never",
                        containers: [
                            {
                                name: "job",
                                image: "python:3.12.12-slim-bookworm",
                                env: [
                                    { name: "MLOPS_PIPELINE", value: "iris-etl" },
                                    { name: "MLOPS_TRIGGER", value: "schedule" },
                                    { name: "MLOPS_SOURCE_URI", value: "s3://raw/iris/" },
                                ],
                            },
                        ],
                    },
                },
            },
        },
    },
};

interface ApiCall {
    method: string;
    url: string;
    authorization?: string;
    body?: any;
}

/** MinIO's notification body (internal/event/target/webhook.go: EventName, Key, Records). */
function notification(eventName: string, bucket: string, encodedKey: string) {
    return {
        EventName: eventName,
        Key: `${bucket}/${decodeURIComponent(encodedKey)}`,
        Records: [
            {
                eventVersion: "2.0",
                eventSource: "minio:s3",
                eventName,
                s3: { bucket: { name: bucket }, object: { key: encodedKey, size: 42 } },
            },
        ],
    };
}

describe("Kubernetes pipelines trigger (samples/kubernetes/trigger/trigger.py)", function () {
    this.timeout(20_000);
    let trigger: ChildProcess | undefined;
    let api: http.Server | undefined;
    let base = "";
    let stdout = "";
    const calls: ApiCall[] = [];
    /** What the fake API answers a Job POST with. */
    let jobStatus = 201;

    before(async () => {
        api = http.createServer((req, res) => {
            let data = "";
            req.on("data", (c) => (data += c));
            req.on("end", () => {
                calls.push({
                    method: req.method!,
                    url: req.url!,
                    authorization: req.headers.authorization,
                    body: data ? JSON.parse(data) : undefined,
                });
                const send = (status: number, body: unknown) => {
                    res.writeHead(status, { "Content-Type": "application/json" });
                    res.end(JSON.stringify(body));
                };
                if (req.method === "GET" && req.url === `/apis/batch/v1/namespaces/${NS}/cronjobs/iris-etl`) send(200, CRON_JOB);
                else if (req.method === "POST" && req.url === `/apis/batch/v1/namespaces/${NS}/jobs`)
                    send(jobStatus, jobStatus < 300 ? JSON.parse(data) : { kind: "Status", message: `status ${jobStatus}` });
                else send(404, { kind: "Status", message: "not found" });
            });
        });
        await new Promise<void>((resolve) => api!.listen(0, "127.0.0.1", resolve));
        const apiPort = (api.address() as net.AddressInfo).port;

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trigger-"));
        fs.writeFileSync(path.join(dir, "token"), SA_TOKEN);
        fs.writeFileSync(path.join(dir, "shared"), `${TOKEN}\n`);
        fs.writeFileSync(path.join(dir, "run-token"), `${RUN_TOKEN}\n`);
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        trigger = spawn("python3", [TRIGGER], {
            env: {
                ...process.env,
                PORT: String(port),
                HOST: "127.0.0.1",
                PYTHONDONTWRITEBYTECODE: "1",
                MLOPS_KUBERNETES_API: `http://127.0.0.1:${apiPort}`,
                MLOPS_SERVICE_ACCOUNT_DIR: dir,
                MLOPS_NAMESPACE: NS,
                MLOPS_TRIGGER_TOKEN_FILE: path.join(dir, "shared"),
                MLOPS_TRIGGER_ROUTES: JSON.stringify([{ pipeline: "iris-etl", cronJob: "iris-etl", bucket: "raw", prefix: "iris/" }]),
                MLOPS_TRIGGER_PIPELINES: JSON.stringify([{ pipeline: "iris-etl", cronJob: "iris-etl" }]),
                MLOPS_TRIGGER_RUN_TOKEN_FILE: path.join(dir, "run-token"),
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        trigger.stdout?.on("data", (chunk) => (stdout += chunk));
        let stderr = "";
        trigger.stderr?.on("data", (chunk) => (stderr += chunk));
        trigger.on("error", (e) => (stderr += `could not start python3: ${e.message}`));
        // At most 40 tries, 200 ms apart, for the trigger to answer /healthz.
        for (let attempt = 0; attempt < 40; attempt++) {
            if (trigger.exitCode !== null || stderr.startsWith("could not start")) break;
            try {
                if ((await fetch(`${base}/healthz`)).status === 200) return;
            } catch {
                // not listening yet
            }
            await sleep(200);
        }
        throw new Error(`trigger.py did not become healthy (exit code ${trigger.exitCode}):\n${stderr}`);
    });

    after(() => {
        trigger?.kill("SIGKILL");
        api?.close();
    });

    beforeEach(() => {
        calls.length = 0;
        jobStatus = 201;
    });

    const post = (body: unknown, authorization = `Bearer ${TOKEN}`) =>
        fetch(`${base}/events`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
            body: typeof body === "string" ? body : JSON.stringify(body),
        });
    const metric = async (outcome: string) => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const m = new RegExp(`mlops_trigger_events_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text);
        assert.ok(m, text);
        return Number(m[1]);
    };

    it("answers MinIO's HEAD probe and serves health and metrics", async () => {
        assert.equal((await fetch(`${base}/events`, { method: "HEAD" })).status, 200);
        assert.equal((await fetch(`${base}/healthz`)).status, 200);
        assert.match(await (await fetch(`${base}/metrics`)).text(), /# TYPE mlops_trigger_events_total counter/);
    });

    it("refuses a notification without the shared token, or with another one, and counts it", async () => {
        const before = await metric("unauthorized");
        assert.equal((await post(notification("s3:ObjectCreated:Put", "raw", "iris/a.csv"), "")).status, 401);
        assert.equal((await post(notification("s3:ObjectCreated:Put", "raw", "iris/a.csv"), "Bearer wrong")).status, 401);
        assert.equal(
            (await post(notification("s3:ObjectCreated:Put", "raw", "iris/a.csv"), TOKEN)).status,
            401,
            "the Bearer scheme is required",
        );
        assert.deepEqual(calls, [], "nothing reached the Kubernetes API");
        assert.equal(await metric("unauthorized"), before + 3);
        assert.match(stdout, /"outcome": "unauthorized"/);
    });

    it("refuses a malformed body with 400 and logs why", async () => {
        assert.equal((await post("not json")).status, 400);
        assert.equal((await post({ Records: [] })).status, 400);
        assert.equal((await post({ Records: [{ eventName: "s3:ObjectCreated:Put" }] })).status, 400);
        assert.deepEqual(calls, []);
        assert.match(stdout, /"outcome": "invalid", "reason": "body is not JSON/);
    });

    it("creates a Job from the pipeline's CronJob for an object under the source prefix", async () => {
        const res = await post(notification("s3:ObjectCreated:Put", "raw", "iris/2024%2F01+drop.csv"));
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { results: ["started"] });
        assert.deepEqual(
            calls.map((c) => `${c.method} ${c.url}`),
            [`GET /apis/batch/v1/namespaces/${NS}/cronjobs/iris-etl`, `POST /apis/batch/v1/namespaces/${NS}/jobs`],
        );
        for (const c of calls) assert.equal(c.authorization, `Bearer ${SA_TOKEN}`, "calls the API with the service account token");
        const job = calls[1].body;
        assert.equal(job.apiVersion, "batch/v1");
        assert.equal(job.kind, "Job");
        assert.match(job.metadata.name, /^iris-etl-a-\d+$/);
        assert.equal(job.metadata.namespace, NS);
        assert.deepEqual(job.metadata.labels, {
            "app.kubernetes.io/name": "iris-etl",
            "mlops.dev/role": "pipeline-job",
            "mlops.dev/trigger": "arrival",
        });
        assert.deepEqual(job.metadata.annotations, {
            "cronjob.kubernetes.io/instantiate": "manual",
            "mlops.dev/object": "raw/iris/2024/01 drop.csv",
        });
        assert.deepEqual(job.metadata.ownerReferences, [
            { apiVersion: "batch/v1", kind: "CronJob", name: "iris-etl", uid: "0d7c6f3e-uid" },
        ]);
        // The CronJob's template, unchanged but for the trigger variable and the TTL of finished arrival runs.
        assert.equal(job.spec.backoffLimit, 2);
        assert.equal(job.spec.activeDeadlineSeconds, 1800);
        assert.equal(job.spec.ttlSecondsAfterFinished, 86400);
        assert.deepEqual(job.spec.template.spec.containers[0].env, [
            { name: "MLOPS_PIPELINE", value: "iris-etl" },
            { name: "MLOPS_SOURCE_URI", value: "s3://raw/iris/" },
            { name: "MLOPS_TRIGGER", value: "arrival" },
        ]);
    });

    it("starts nothing for an object outside every source prefix, or a removal, and counts both", async () => {
        const unrouted = await metric("unrouted");
        const ignored = await metric("ignored");
        for (const [event, bucket, key] of [
            ["s3:ObjectCreated:Put", "raw", "other/a.csv"],
            ["s3:ObjectCreated:Put", "curated", "iris/a.csv"],
            ["s3:ObjectCreated:Put", "raw", "irisx/a.csv"],
            ["s3:ObjectCreated:Put", "raw", "iris/"],
        ]) {
            const res = await post(notification(event, bucket, key));
            assert.equal(res.status, 200, `${bucket}/${key}: retrying would not help, so MinIO is told it arrived`);
        }
        assert.equal((await post(notification("s3:ObjectRemoved:Delete", "raw", "iris/a.csv"))).status, 200);
        assert.deepEqual(calls, []);
        assert.equal(await metric("unrouted"), unrouted + 4);
        assert.equal(await metric("ignored"), ignored + 1);
        assert.match(stdout, /"object": "raw\/other\/a.csv", "outcome": "unrouted", "reason": "no pipeline reads this bucket and prefix"/);
    });

    it("coalesces a second arrival in the same minute (409 AlreadyExists) without an error", async () => {
        jobStatus = 409;
        const res = await post(notification("s3:ObjectCreated:Put", "raw", "iris/b.csv"));
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { results: ["coalesced"] });
    });

    it("answers 503 when the API refuses the Job, so MinIO keeps the event queued and sends it again", async () => {
        const failed = await metric("failed");
        jobStatus = 403;
        const res = await post(notification("s3:ObjectCreated:Put", "raw", "iris/c.csv"));
        assert.equal(res.status, 503);
        assert.equal(await metric("failed"), failed + 1);
        assert.match(stdout, /"outcome": "failed", "pipeline": "iris-etl", "reason": "POST Job answered 403: status 403"/);
    });
    const run = (pipeline: string, authorization = `Bearer ${RUN_TOKEN}`) =>
        fetch(`${base}/run/${pipeline}`, { method: "POST", headers: authorization ? { Authorization: authorization } : {} });
    const runMetric = async (outcome: string) => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const m = new RegExp(`mlops_trigger_runs_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text);
        assert.ok(m, text);
        return Number(m[1]);
    };

    it("starts a scheduled run for Airflow: POST /run/<pipeline> creates a Job from the CronJob with MLOPS_TRIGGER=schedule", async () => {
        const res = await run("iris-etl");
        assert.equal(res.status, 201);
        assert.deepEqual(await res.json(), { result: "started" });
        assert.deepEqual(
            calls.map((c) => `${c.method} ${c.url}`),
            [`GET /apis/batch/v1/namespaces/${NS}/cronjobs/iris-etl`, `POST /apis/batch/v1/namespaces/${NS}/jobs`],
        );
        const job = calls[1].body;
        assert.match(job.metadata.name, /^iris-etl-s-\d+$/);
        assert.deepEqual(job.metadata.labels, {
            "app.kubernetes.io/name": "iris-etl",
            "mlops.dev/role": "pipeline-job",
            "mlops.dev/trigger": "schedule",
        });
        assert.deepEqual(job.metadata.annotations, {
            "cronjob.kubernetes.io/instantiate": "manual",
            "mlops.dev/requested-by": "airflow",
        });
        assert.deepEqual(job.metadata.ownerReferences, [
            { apiVersion: "batch/v1", kind: "CronJob", name: "iris-etl", uid: "0d7c6f3e-uid" },
        ]);
        assert.equal(job.spec.backoffLimit, 2);
        assert.equal(job.spec.activeDeadlineSeconds, 1800);
        assert.deepEqual(job.spec.template.spec.containers[0].env, [
            { name: "MLOPS_PIPELINE", value: "iris-etl" },
            { name: "MLOPS_SOURCE_URI", value: "s3://raw/iris/" },
            { name: "MLOPS_TRIGGER", value: "schedule" },
        ]);
        assert.match(stdout, /"job": "iris-etl-s-\d+", "outcome": "started", "pipeline": "iris-etl", "trigger": "schedule"/);
    });

    it("refuses a run without Airflow's run token: none, MinIO's token, or a wrong one; nothing reaches the API", async () => {
        const before = await runMetric("unauthorized");
        assert.equal((await run("iris-etl", "")).status, 401);
        assert.equal((await run("iris-etl", `Bearer ${TOKEN}`)).status, 401, "MinIO's token cannot start runs");
        assert.equal((await run("iris-etl", "Bearer wrong")).status, 401);
        assert.equal((await run("iris-etl", RUN_TOKEN)).status, 401, "the Bearer scheme is required");
        assert.equal(
            (await post(notification("s3:ObjectCreated:Put", "raw", "iris/a.csv"), `Bearer ${RUN_TOKEN}`)).status,
            401,
            "and the run token cannot post events",
        );
        assert.deepEqual(calls, []);
        assert.equal(await runMetric("unauthorized"), before + 4);
    });

    it("answers 404 for a pipeline it may not start or a malformed path, 200 for a run of the same minute, 503 when the API fails", async () => {
        assert.equal((await run("other")).status, 404);
        assert.equal((await run("Iris_ETL")).status, 404, "not a pipeline name: not the run endpoint");
        assert.equal((await run("iris-etl/../x")).status, 404);
        assert.deepEqual(calls, []);
        jobStatus = 409;
        const coalesced = await run("iris-etl");
        assert.equal(coalesced.status, 200);
        assert.deepEqual(await coalesced.json(), { result: "coalesced" });
        const failed = await runMetric("failed");
        jobStatus = 500;
        assert.equal((await run("iris-etl")).status, 503, "Airflow's task fails and is retried");
        assert.equal(await runMetric("failed"), failed + 1);
    });

    it("refuses every run when no run token is configured (native orchestrator)", () => {
        const script = [
            "import importlib.util, json, sys",
            `spec = importlib.util.spec_from_file_location("trigger", ${JSON.stringify(TRIGGER)})`,
            "t = importlib.util.module_from_spec(spec); spec.loader.exec_module(t)",
            `trig = t.Trigger([], "tok", "ns", None, pipelines=[{"pipeline": "iris-etl", "cronJob": "iris-etl"}])`,
            `print(json.dumps([trig.handle_run("Bearer ", "iris-etl"), trig.handle_run("Bearer None", "iris-etl"), trig.handle_run("Bearer tok", "iris-etl")]))`,
        ].join("\n");
        const out = JSON.parse(
            execFileSync("python3", ["-c", script], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } })
                .toString()
                .trim()
                .split("\n")
                .pop()!,
        );
        assert.deepEqual(out, [
            [401, { error: "unauthorized" }],
            [401, { error: "unauthorized" }],
            [401, { error: "unauthorized" }],
        ]);
    });
});

describe("Kubernetes training routes and the MLflow step (samples/kubernetes)", () => {
    const run = (script: string, cwd: string) => execFileSync("python3", ["-c", script], { cwd, encoding: "utf-8" });

    it("routes only a dataset manifest to the training CronJob, in its namespace, with the dataset version", () => {
        const out = run(
            `
import json, trigger
routes = [{"pipeline": "iris-train", "cronJob": "iris-train", "namespace": "mlops-dev-training", "bucket": "curated",
           "prefix": "iris/", "suffix": "/_manifest.json", "trigger": "new-data"}]
cron = {"metadata": {"name": "iris-train", "uid": "u"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
    {"name": "train", "env": [{"name": "MLOPS_TRIGGER", "value": "schedule"}]}]}}}}}}
matched = [len(trigger.routes_for(routes, "curated", k)) for k in ("iris/v=r1/part-0.csv", "iris/v=r1/_manifest.json", "other/v=r1/_manifest.json")]
body = trigger.job_body(cron, "mlops-dev-training", "curated", "iris/v=r1/_manifest.json", 120.0, "new-data",
                        {"MLOPS_DATASET_VERSION": trigger.dataset_version("iris/", "iris/v=r1/_manifest.json")})
print(json.dumps({"matched": matched, "name": body["metadata"]["name"], "ns": body["metadata"]["namespace"],
                  "env": body["spec"]["template"]["spec"]["containers"][0]["env"]}))
`,
            path.dirname(TRIGGER),
        );
        const r = JSON.parse(out);
        assert.deepEqual(r.matched, [0, 1, 0]);
        assert.equal(r.name, "iris-train-n-2");
        assert.equal(r.ns, "mlops-dev-training");
        assert.deepEqual(r.env, [
            { name: "MLOPS_TRIGGER", value: "new-data" },
            { name: "MLOPS_DATASET_VERSION", value: "v=r1" },
        ]);
    });

    it("registers a passed run in MLflow through the REST API 2.0 (run, metric, version with approval tag, alias) and dispatches an approved one", () => {
        const dir = path.join(__dirname, "..", "..", "samples", "kubernetes", "training");
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-step-"));
        fs.writeFileSync(path.join(tmp, "token"), "ghp_x\n");
        const out = run(
            `
import io, json, sys, mlops_step as s
calls = []
class Res(io.BytesIO):
    status = 204
    def __enter__(self): return self
    def __exit__(self, *a): return False
def opener(req, timeout=0, **kw):
    body = json.loads(req.data) if req.data else None
    calls.append([req.get_method(), req.full_url, body, req.get_header("Authorization")])
    u = req.full_url
    if "get-by-name" in u: return Res(json.dumps({"experiment": {"experiment_id": "7"}}).encode())
    if "runs/create" in u: return Res(json.dumps({"run": {"info": {"run_id": "abc"}}}).encode())
    if "model-versions/create" in u: return Res(json.dumps({"model_version": {"version": "3"}}).encode())
    if "model-versions/search" in u: return Res(json.dumps({"model_versions": [
        {"version": "3", "creation_timestamp": 2, "tags": [{"key": "approval", "value": "approved"}, {"key": "mlops.runId", "value": "r3"}]},
        {"version": "2", "creation_timestamp": 1, "tags": [{"key": "approval", "value": "approved"}, {"key": "mlops.runId", "value": "r2"}]}]}).encode())
    return Res(b"{}")
m = s.Mlflow("http://mlflow:5000", opener)
env = {"MLOPS_MODEL_NAME": "iris", "MLOPS_TARGET_URI": "s3://models/iris/", "MLOPS_APPROVAL": "automatic", "MLOPS_RUN_ID": "r3",
       "MLOPS_GATE_METRIC": "accuracy"}
sys.stdout = io.StringIO()
rc = s.train([sys.executable, "-c", "print('{\\"mlops\\": \\"training\\", \\"status\\": \\"succeeded\\", \\"metric\\": \\"accuracy\\", \\"value\\": 0.97}')"], env, m)
denv = {"MLOPS_GITHUB_TOKEN_FILE": "${tmp}/token", "MLOPS_GITHUB_REPOSITORY": "acme/ml", "MLOPS_GITHUB_WORKFLOW": "promote.yml",
        "MLOPS_GITHUB_REF": "main", "MLOPS_STACK": "dev", "MLOPS_DELIVERY_MODELS": json.dumps([{"model": "iris", "servedVersion": "r2"}])}
rc2 = s.deliver(denv, m, opener)
sys.stdout = sys.__stdout__
print(json.dumps({"rc": rc, "rc2": rc2, "calls": calls}))
`,
            dir,
        );
        const r = JSON.parse(out);
        assert.equal(r.rc, 0);
        assert.equal(r.rc2, 0);
        const paths = r.calls.map((c: any[]) => `${c[0]} ${String(c[1]).replace(/\?.*/, "")}`);
        const api = "http://mlflow:5000/api/2.0/mlflow";
        assert.deepEqual(paths.slice(0, 8), [
            `GET ${api}/experiments/get-by-name`,
            `POST ${api}/runs/create`,
            `POST ${api}/runs/log-parameter`,
            `POST ${api}/runs/log-metric`,
            `POST ${api}/runs/update`,
            `POST ${api}/registered-models/create`,
            `POST ${api}/model-versions/create`,
            `POST ${api}/registered-models/alias`,
        ]);
        const version = r.calls[6][2];
        assert.equal(version.source, "s3://models/iris/v=r3/");
        assert.deepEqual(version.tags, [
            { key: "mlops.runId", value: "r3" },
            { key: "approval", value: "approved" },
        ]);
        assert.deepEqual(r.calls[7][2], { name: "iris", alias: "approved", version: "3" });
        const dispatch = r.calls.find((c: any[]) => String(c[1]).startsWith("https://api.github.com"));
        assert.equal(dispatch[1], "https://api.github.com/repos/acme/ml/actions/workflows/promote.yml/dispatches");
        assert.deepEqual(dispatch[2], { ref: "main", inputs: { stack: "dev", model: "iris", version: "r3" } });
        assert.equal(dispatch[3], "Bearer ghp_x");
        assert.ok(paths.includes(`POST ${api}/model-versions/set-tag`), "the dispatched version is tagged");
    });
});
