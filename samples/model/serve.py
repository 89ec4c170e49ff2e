"""Serves the sample Iris classifier over HTTP, standard library only.

GET  /healthz                                -> {"status": "ok", "model": ..., "version": ...}
POST /v1/models/<name>:predict and /predict  {"instances": [[4 numbers], ...]} -> {"predictions": [{"label", "probabilities"}]}

Reads PORT (8080), HOST (0.0.0.0), MODEL_NAME (model.json's name), MLOPS_MODEL_URI (the model.json to load at
start-up through lakeio.py beside this file, else the bundled one), MLOPS_MODEL_VERSION and MLOPS_CAPTURE_URI
(where the scored inputs are written as JSON lines): samples/jobs/README.md, "The serving side". Writes nothing
to local disk (read-only root filesystem); logs one JSON line per request. The serverless handlers import it.
"""
import sys

sys.dont_write_bytecode = True  # read-only root filesystem: never try to write .pyc files

import collections  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BODY_BYTES = 1 << 20
MAX_INSTANCES = 1000
CAPTURE_BATCH = 100  # records per capture object
CAPTURE_INTERVAL = 60.0  # seconds between capture writes at most
CAPTURE_LIMIT = 10_000  # records waiting at most; the oldest are dropped beyond
_LOG_LOCK = threading.Lock()


def log_line(record):
    """Writes one JSON line to stdout; the lock keeps lines from concurrent requests whole."""
    line = json.dumps(record) + "\n"
    with _LOG_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()


def utc_iso(moment=None):
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lakeio():
    """samples/jobs/lakeio.py (linked beside this file), imported only when a URI needs it."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    try:
        import lakeio as module
    except ImportError as e:
        raise ModelLoadError(f"lakeio.py must sit beside serve.py to read or write storage URIs ({e})") from None
    return module


class ModelLoadError(Exception):
    pass


def check_model(model, where):
    """The model as loaded, or ModelLoadError naming what is missing or malformed."""
    if not isinstance(model, dict):
        raise ModelLoadError(f"{where}: not a JSON object")
    missing = [k for k in ("features", "classes", "mean", "std", "weights", "bias") if not isinstance(model.get(k), list)]
    if missing:
        raise ModelLoadError(f"{where}: missing or not a list: {', '.join(missing)}")
    n, k = len(model["features"]), len(model["classes"])
    shapes_ok = len(model["mean"]) == n and len(model["std"]) == n and len(model["weights"]) == k and len(model["bias"]) == k
    if not (shapes_ok and all(isinstance(w, list) and len(w) == n for w in model["weights"])):
        raise ModelLoadError(f"{where}: mean/std need {n} values, weights {k} rows of {n}, bias {k} values")
    return model


def load_model(env):
    """(model, where it came from): MLOPS_MODEL_URI through lakeio, else the bundled model.json."""
    uri = env.get("MLOPS_MODEL_URI")
    if not uri:
        with open(os.path.join(HERE, "model.json"), encoding="utf-8") as f:
            return check_model(json.load(f), "model.json"), "bundled"
    lake = lakeio()
    try:
        data, _ = lake.store_for(uri, env).get(lake.ObjectInfo(uri))
        model = json.loads(data)
    except Exception as e:  # StorageError, credentials, JSON: one clear start-up error
        raise ModelLoadError(f"cannot load the model from MLOPS_MODEL_URI={uri}: {type(e).__name__}: {e}") from None
    return check_model(model, uri), uri


class BadRequest(Exception):
    pass


class Capture:
    """Scored inputs, buffered; written as one object every `batch` records or `interval` s (bounded by `limit`)."""

    def __init__(self, uri, store, model, version, batch=CAPTURE_BATCH, interval=CAPTURE_INTERVAL, limit=CAPTURE_LIMIT):
        self.uri, self.store, self.model, self.version = uri, store, model, version
        self.batch, self.interval, self.limit = batch, interval, limit
        self.records = collections.deque()
        self.lock = threading.Lock()  # the buffer
        self.writing = threading.Lock()  # one write at a time
        self.wake, self.stop = threading.Event(), threading.Event()
        self.sequence, self.dropped, self.written = 0, 0, 0
        self.origin = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname() or "host")[:63] + f"-{os.getpid()}"
        self.thread = None

    def add(self, instances, predictions, features):
        """Buffers one record per scored row; never raises."""
        try:
            now = utc_iso()
            record = {"time": now, "model": self.model, "version": self.version}
            lines = [json.dumps({**record, "features": dict(zip(features, row)), "prediction": p["label"]}) for row, p in zip(instances, predictions)]
            with self.lock:
                self.records.extend(lines)
                dropped = self._trim()
                due = len(self.records) >= self.batch
            if dropped:
                log_line({"event": "capture-dropped", "dropped": dropped, "droppedTotal": self.dropped})
            if due:
                self.wake.set()
        except Exception as e:  # capture must never fail a prediction
            log_line({"event": "capture-failed", "error": f"{type(e).__name__}: {e}"})

    def _trim(self):
        """Drops the oldest records beyond the limit (the caller holds the lock); returns how many."""
        dropped = 0
        while len(self.records) > self.limit:
            self.records.popleft()
            dropped += 1
        self.dropped += dropped
        return dropped

    def flush(self):
        """Writes the buffer as one object; on failure keeps the records for the next try. True when all is written."""
        with self.writing:
            with self.lock:
                lines = list(self.records)
                self.records.clear()
            if not lines:
                return True
            now = datetime.datetime.now(datetime.timezone.utc)
            self.sequence += 1
            uri = f"{self.uri}dt={now:%Y-%m-%d}/{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{self.origin}-{self.sequence}.jsonl"
            try:
                self.store.put(uri, ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
            except Exception as e:
                with self.lock:
                    self.records.extendleft(reversed(lines))
                    dropped = self._trim()
                error = f"{type(e).__name__}: {e}"
                log_line({"event": "capture-write-failed", "uri": uri, "records": len(lines), "dropped": dropped, "error": error})
                return False
            self.written += len(lines)
            log_line({"event": "capture-written", "uri": uri, "records": len(lines)})
            return True

    def _loop(self):
        while not self.stop.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if not self.stop.is_set():
                self.flush()

    def start(self):
        """The HTTP server's background writer."""
        self.thread = threading.Thread(target=self._loop, name="capture", daemon=True)
        self.thread.start()

    def close(self):
        """Stops the writer and writes what is left (shutdown)."""
        self.stop.set()
        self.wake.set()
        if self.thread:
            self.thread.join(timeout=5)
        return self.flush()


def capture_of(env, model, version):
    """The Capture of MLOPS_CAPTURE_URI, else None; ModelLoadError when the URI is unusable."""
    uri = env.get("MLOPS_CAPTURE_URI")
    if not uri:
        return None
    if not uri.endswith("/"):
        raise ModelLoadError(f"MLOPS_CAPTURE_URI={uri} must end with `/`")
    lake = lakeio()
    try:
        store = lake.store_for(uri, env)
    except Exception as e:
        raise ModelLoadError(f"MLOPS_CAPTURE_URI={uri}: {e}") from None
    return Capture(uri, store, model, version)


try:
    MODEL, MODEL_SOURCE = load_model(os.environ)
    NAME = os.environ.get("MODEL_NAME", MODEL.get("name", "model"))  # the name the model is served under
    VERSION = os.environ.get("MLOPS_MODEL_VERSION") or (MODEL.get("training") or {}).get("runId") or "bundled"
    CAPTURE = capture_of(os.environ, NAME, VERSION)
except (ModelLoadError, OSError, ValueError) as e:
    if __name__ == "__main__":
        log_line({"event": "start-failed", "error": str(e)})
        sys.exit(1)
    raise
CLASSES = MODEL["classes"]
N_FEATURES = len(MODEL["features"])
PREDICT_PATHS = {"/predict", f"/v1/models/{NAME}:predict"}


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


def score(instances):
    """The predictions for checked rows, each row captured when MLOPS_CAPTURE_URI is set."""
    predictions = [predict(row) for row in instances]
    if CAPTURE is not None:
        CAPTURE.add(instances, predictions, MODEL["features"])
    return predictions


def health():
    return {"status": "ok", "model": NAME, "version": VERSION}


def flush_capture(wait=2.0):
    """Writes the capture buffer, waiting at most `wait` s (serverless handlers, after each scoring request)."""
    if CAPTURE is None:
        return
    writer = threading.Thread(target=CAPTURE.flush, name="capture-flush", daemon=True)
    writer.start()
    writer.join(wait)


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
            self.reply(200, health())
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
        self.reply(200, {"predictions": score(instances)}, len(instances))

    def log_message(self, format, *args):
        pass  # reply() writes the one structured line per request


def main():
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))), Handler)
    # Kubernetes stops pods with SIGTERM: exit cleanly instead of dying mid-reply, writing what capture holds.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if CAPTURE is not None:
        CAPTURE.start()
    log_line({"event": "listening", "model": NAME, "version": VERSION, "source": MODEL_SOURCE, "capture": CAPTURE.uri if CAPTURE else None,
              "address": "%s:%d" % server.server_address})
    try:
        server.serve_forever()
    finally:
        if CAPTURE is not None:
            CAPTURE.close()


if __name__ == "__main__":
    main()
