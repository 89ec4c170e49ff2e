"""Serves the sample Iris classifier (model.json, packaged next to this file) from AWS Lambda behind a
function URL. Standard library only, the same model logic as samples/model/serve.py.

GET  /healthz                                -> 200 {"status": "ok", "model": ...}
POST /predict or /v1/models/<name>:predict   {"instances": [[sepal_len, sepal_wid, petal_len, petal_wid], ...]}
                                             -> {"predictions": [{"label": ..., "probabilities": {...}}, ...]}

The function URL uses IAM auth: sign requests with SigV4 (e.g. `awscurl --service lambda`).
"""
import base64
import json
import math
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.json"), encoding="utf-8") as f:
    MODEL = json.load(f)
NAME = os.environ.get("MODEL_NAME", MODEL["name"])
N_FEATURES = len(MODEL["features"])
MAX_INSTANCES = 1000
PREDICT_PATHS = {"/predict", f"/v1/models/{NAME}:predict"}


class BadRequest(Exception):
    pass


def parse_instances(body):
    """The feature rows of a request body, or BadRequest saying what is wrong."""
    try:
        payload = json.loads(body)
    except (ValueError, TypeError):
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
    probabilities = {c: round(e / total, 6) for c, e in zip(MODEL["classes"], exps)}
    return {"label": MODEL["classes"][scores.index(top)], "probabilities": probabilities}


def reply(status, payload):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def handler(event, context):
    """Function URL (payload format 2.0) entry point."""
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    path = event.get("rawPath", "/")
    if method == "GET" and path == "/healthz":
        return reply(200, {"status": "ok", "model": NAME})
    if method != "POST" or path not in PREDICT_PATHS:
        return reply(404, {"error": f"no such route: {method} {path}; use POST {' or '.join(sorted(PREDICT_PATHS))}"})
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    try:
        instances = parse_instances(body)
    except BadRequest as e:
        return reply(400, {"error": str(e)})
    return reply(200, {"predictions": [predict(row) for row in instances]})
