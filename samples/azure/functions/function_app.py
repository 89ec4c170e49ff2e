"""The iris sample as an Azure Functions app (Python v2 programming model), for serverlessInference
implementation `functions` (Flex Consumption).

It reuses the sample server's code: copy samples/model/serve.py, model.json and lakeio.py (a link to
samples/jobs/lakeio.py: copy the file it points to) beside this file before publishing (docs/azure.md,
"Functions: publish the code"). Routes, under /api:

GET  /api/healthz   -> 200 {"status": "ok", "model": ..., "version": ...}   (anonymous: health probes)
POST /api/predict   {"instances": [[4 numbers], ...]} -> {"predictions": [...]}   (function key required)

serve.py reads MLOPS_MODEL_URI (loaded when the worker starts) and MLOPS_CAPTURE_URI as in the container; the
captured inputs are written before each scoring request returns, waiting at most CAPTURE_WAIT seconds; a failed
write is retried with the next request.
"""
import json

import azure.functions as func

import serve  # samples/model/serve.py: loads the model at import; its HTTP server is not started

CAPTURE_WAIT = 2.0  # seconds a request waits at most for its capture write
app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)


def _json(status, payload):
    return func.HttpResponse(json.dumps(payload), status_code=status, mimetype="application/json")


@app.route(route="healthz", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def healthz(req: func.HttpRequest) -> func.HttpResponse:
    return _json(200, serve.health())


@app.route(route="predict", methods=["POST"])
def predict(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_body()
    if not 0 < len(body) <= serve.MAX_BODY_BYTES:
        return _json(400, {"error": f"send a JSON body of 1 to {serve.MAX_BODY_BYTES} bytes"})
    try:
        instances = serve.parse_instances(body)
    except serve.BadRequest as e:
        return _json(400, {"error": str(e)})
    predictions = serve.score(instances)
    serve.flush_capture(CAPTURE_WAIT)
    return _json(200, {"predictions": predictions})
