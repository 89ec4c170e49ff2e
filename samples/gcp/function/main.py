"""Cloud Functions (2nd gen) handler for the sample model: the same prediction code as samples/model/serve.py.

The program uploads this file, requirements.txt and the model's files (serve.py, model.json, lakeio.py) as one
source archive; Cloud Build installs functions-framework and the function serves:

GET  /healthz  -> 200 {"status": "ok", "model": ..., "version": ...}
POST /predict, /v1/models/<name>:predict or /  {"instances": [[4 numbers], ...]}
               -> {"predictions": [{"label": ..., "probabilities": {...}}, ...]}

serve.py reads MLOPS_MODEL_URI (loaded at cold start) and MLOPS_CAPTURE_URI as in the container; the captured
inputs are written before each scoring request returns (CPU is only allocated during requests), waiting at most
CAPTURE_WAIT seconds; a failed write is retried with the next request.
"""
import functions_framework

import serve  # model loading, input checks, prediction and capture (standard library only)

CAPTURE_WAIT = 2.0  # seconds a request waits at most for its capture write


@functions_framework.http
def predict(request):
    if request.method == "GET" and request.path in ("/", "/healthz"):
        return serve.health()
    if request.method != "POST":
        return {"error": "use POST with a JSON body, or GET /healthz"}, 405
    if request.path not in serve.PREDICT_PATHS | {"/"}:
        return {"error": f"no such path: {request.path}"}, 404
    body = request.get_data(cache=False)
    if not 0 < len(body) <= serve.MAX_BODY_BYTES:
        return {"error": f"send a JSON body of 1 to {serve.MAX_BODY_BYTES} bytes"}, 400 if len(body) == 0 else 413
    try:
        instances = serve.parse_instances(body)
    except serve.BadRequest as e:
        return {"error": str(e)}, 400
    predictions = serve.score(instances)
    serve.flush_capture(CAPTURE_WAIT)
    return {"predictions": predictions}
