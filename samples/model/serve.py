"""Serves the sample Iris classifier (model.json beside this file) over HTTP, standard library only.

GET  /healthz                                  -> 200 {"status": "ok"} once the model is loaded
POST /v1/models/<name>:predict and /predict    {"instances": [[sepal_len, sepal_wid, petal_len, petal_wid], ...]}
                                               -> {"predictions": [{"label": ..., "probabilities": {...}}, ...]}

Reads PORT (default 8080), HOST (default 0.0.0.0) and MODEL_NAME (default: "name" in model.json).
Downloads nothing and writes nothing to disk, so it runs with a read-only root filesystem; logs one JSON
line per request to stdout.
"""
import sys

sys.dont_write_bytecode = True  # read-only root filesystem: never try to write .pyc files

import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

MAX_BODY_BYTES = 1 << 20
MAX_INSTANCES = 1000

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.json"), encoding="utf-8") as f:
    MODEL = json.load(f)
NAME = os.environ.get("MODEL_NAME", MODEL["name"])  # the name the model is served under
CLASSES = MODEL["classes"]
N_FEATURES = len(MODEL["features"])
PREDICT_PATHS = {"/predict", f"/v1/models/{NAME}:predict"}
_LOG_LOCK = threading.Lock()


def log_line(record):
    """Writes one JSON line to stdout; the lock keeps lines from concurrent requests whole."""
    line = json.dumps(record) + "\n"
    with _LOG_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()


class BadRequest(Exception):
    pass


def parse_instances(body):
    """The feature rows of a request body, or BadRequest saying what is wrong."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("body is not JSON")
    instances = payload.get("instances") if isinstance(payload, dict) else None
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_INSTANCES:
        raise BadRequest(f'expected {{"instances": [[{N_FEATURES} numbers], ...]}} with 1 to {MAX_INSTANCES} rows')
    for i, row in enumerate(instances):
        ok = isinstance(row, list) and len(row) == N_FEATURES
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in row)
        if not ok:
            raise BadRequest(f"instances[{i}] must be {N_FEATURES} finite numbers: {', '.join(MODEL['features'])}")
    return instances


def predict(row):
    z = [(v - m) / s for v, m, s in zip(row, MODEL["mean"], MODEL["std"])]
    scores = [sum(w * x for w, x in zip(weights, z)) + b for weights, b in zip(MODEL["weights"], MODEL["bias"])]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    probabilities = {c: round(e / total, 6) for c, e in zip(CLASSES, exps)}
    return {"label": CLASSES[scores.index(top)], "probabilities": probabilities}


class Handler(BaseHTTPRequestHandler):
    server_version = "iris-sample/1"

    def reply(self, status, payload, instances=0):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        log = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "method": self.command, "path": self.path,
               "status": status, "instances": instances, "ms": round((time.monotonic() - self.started) * 1000, 2)}
        log_line(log)

    def do_GET(self):
        self.started = time.monotonic()
        if self.path == "/healthz":
            self.reply(200, {"status": "ok", "model": NAME})
        else:
            self.reply(404, {"error": f"no such path: {self.path}"})

    def do_POST(self):
        self.started = time.monotonic()
        if self.path not in PREDICT_PATHS:
            self.reply(404, {"error": f"no such path: {self.path}; use {' or '.join(sorted(PREDICT_PATHS))}"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY_BYTES:
            self.reply(400 if length <= MAX_BODY_BYTES else 413, {"error": f"send a JSON body of 1 to {MAX_BODY_BYTES} bytes"})
            return
        try:
            instances = parse_instances(self.rfile.read(length))
        except BadRequest as e:
            self.reply(400, {"error": str(e)})
            return
        self.reply(200, {"predictions": [predict(row) for row in instances]}, len(instances))

    def log_message(self, format, *args):
        pass  # reply() writes the one structured line per request


def main():
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))), Handler)
    # Kubernetes stops pods with SIGTERM: exit cleanly instead of dying mid-reply.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log_line({"event": "listening", "model": NAME, "address": "%s:%d" % server.server_address})
    server.serve_forever()


if __name__ == "__main__":
    main()
