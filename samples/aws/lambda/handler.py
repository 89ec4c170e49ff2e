"""Serves the sample Iris classifier from AWS Lambda behind a function URL, with the code of
samples/model/serve.py (packaged next to this file with model.json and lakeio.py; standard library only).

GET  /healthz                                -> 200 {"status": "ok", "model": ..., "version": ...}
POST /predict or /v1/models/<name>:predict   {"instances": [[sepal_len, sepal_wid, petal_len, petal_wid], ...]}
                                             -> {"predictions": [{"label": ..., "probabilities": {...}}, ...]}

The function URL uses IAM auth: sign requests with SigV4 (e.g. `awscurl --service lambda`). serve.py reads
MLOPS_MODEL_URI (the model loaded at cold start) and MLOPS_CAPTURE_URI as in the container; the captured inputs
are written at the end of each invocation that scored any (Lambda freezes the environment between
invocations, so no background writer), waiting at most CAPTURE_WAIT seconds; a failed write is retried with
the next invocation.
"""
import base64
import json

import serve  # model loading, input checks, prediction and capture; importing it starts no server

CAPTURE_WAIT = 2.0  # seconds an invocation waits at most for its capture write


def reply(status, payload):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def handler(event, context):
    """Function URL (payload format 2.0) entry point."""
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    path = event.get("rawPath", "/")
    if method == "GET" and path == "/healthz":
        return reply(200, serve.health())
    if method != "POST" or path not in serve.PREDICT_PATHS:
        return reply(404, {"error": f"no such route: {method} {path}; use POST {' or '.join(sorted(serve.PREDICT_PATHS))}"})
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    try:
        instances = serve.parse_instances(body)
    except serve.BadRequest as e:
        return reply(400, {"error": str(e)})
    response = reply(200, {"predictions": serve.score(instances)})
    serve.flush_capture(CAPTURE_WAIT)
    return response
