import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

const SERVE = path.join(__dirname, "..", "..", "samples", "model", "serve.py");

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("sample model server (samples/model/serve.py)", function () {
    this.timeout(20_000);
    let server: ChildProcess | undefined;
    let base = "";
    let stdout = "";

    before(async () => {
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        server = spawn("python3", [SERVE], {
            env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", MODEL_NAME: "iris", PYTHONDONTWRITEBYTECODE: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        server.stdout?.on("data", (chunk) => (stdout += chunk));
        let stderr = "";
        server.stderr?.on("data", (chunk) => (stderr += chunk));
        server.on("error", (e) => (stderr += `could not start python3: ${e.message}`));
        // At most 40 tries, 200 ms apart (8 s), for the server to answer /healthz.
        for (let attempt = 0; attempt < 40; attempt++) {
            if (server.exitCode !== null || stderr.startsWith("could not start")) break;
            try {
                const res = await fetch(`${base}/healthz`);
                if (res.status === 200) return;
            } catch {
                // not listening yet
            }
            await sleep(200);
        }
        throw new Error(`serve.py did not become healthy (exit code ${server.exitCode}):\n${stderr}`);
    });

    after(() => {
        server?.kill("SIGKILL");
    });

    const predict = (route: string, body: unknown) =>
        fetch(`${base}${route}`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: typeof body === "string" ? body : JSON.stringify(body),
        });

    it("answers /healthz with 200, the model name and its version (the bundled model.json has no training run id)", async () => {
        const res = await fetch(`${base}/healthz`);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: "ok", model: "iris", version: "bundled" });
    });

    it("predicts the species of known Iris samples with probabilities (KServe-style route)", async () => {
        const res = await predict("/v1/models/iris:predict", {
            instances: [
                [5.1, 3.5, 1.4, 0.2],
                [7.0, 3.2, 4.7, 1.4],
                [6.3, 3.3, 6.0, 2.5],
            ],
        });
        assert.equal(res.status, 200);
        const { predictions } = (await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] };
        assert.deepEqual(
            predictions.map((p) => p.label),
            ["setosa", "versicolor", "virginica"],
        );
        for (const p of predictions) {
            assert.deepEqual(Object.keys(p.probabilities), ["setosa", "versicolor", "virginica"]);
            const total = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(total - 1) < 1e-4, `probabilities sum to ${total}`);
            assert.ok(p.probabilities[p.label] > 0.5, `${p.label} is the most likely class: ${JSON.stringify(p.probabilities)}`);
        }
    });

    it("serves the same model on /predict", async () => {
        const res = await predict("/predict", { instances: [[5.9, 3.0, 5.1, 1.8]] });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { predictions: { label: string }[] };
        assert.equal(body.predictions[0].label, "virginica");
    });

    it("rejects bad input with 400 and says what is wrong", async () => {
        const wrongShape = await predict("/predict", { instances: [[1, 2, 3]] });
        assert.equal(wrongShape.status, 400);
        assert.match(((await wrongShape.json()) as { error: string }).error, /^instances\[0\] must be 4 finite numbers/);

        const notNumbers = await predict("/predict", { instances: [[1, 2, "3", true]] });
        assert.equal(notNumbers.status, 400);

        const notJson = await predict("/predict", "{not json");
        assert.equal(notJson.status, 400);
        assert.deepEqual(await notJson.json(), { error: "body is not JSON" });

        const noInstances = await predict("/predict", { inputs: [] });
        assert.equal(noInstances.status, 400);
    });

    it("answers 404 for another model's route", async () => {
        const res = await predict("/v1/models/other:predict", { instances: [[5.1, 3.5, 1.4, 0.2]] });
        assert.equal(res.status, 404);
    });

    it("logs one JSON line per request", async () => {
        await predict("/predict", { instances: [[1, 2]] });
        await sleep(100);
        const lines = stdout
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        const requests = lines.filter((l) => l.method !== undefined);
        assert.ok(requests.some((l) => l.method === "POST" && l.path === "/predict" && l.status === 400 && l.instances === 0));
        assert.ok(
            requests.some((l) => l.method === "POST" && l.path === "/v1/models/iris:predict" && l.status === 200 && l.instances === 3),
        );
        assert.ok(requests.every((l) => typeof l.ms === "number" && typeof l.time === "string"));
    });
});
