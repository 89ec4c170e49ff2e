"""Serves the sample Iris classifier on SageMaker with the AWS PyTorch inference container (CPU, GPU or
Neuron): the container's inference toolkit loads this file from /opt/ml/model/code and model.json from
/opt/ml/model. Standard library only, the same model logic as samples/model/serve.py.

Invoke with ContentType application/json and a body {"instances": [[sepal_len, sepal_wid, petal_len, petal_wid], ...]};
the answer is {"predictions": [{"label": ..., "probabilities": {...}}, ...]}.
"""
import json
import math
import os

MAX_INSTANCES = 1000


def model_fn(model_dir, context=None):
    with open(os.path.join(model_dir, "model.json"), encoding="utf-8") as f:
        return json.load(f)


def input_fn(request_body, request_content_type="application/json", context=None):
    if request_content_type != "application/json":
        raise ValueError(f"send application/json, not {request_content_type}")
    if isinstance(request_body, (bytes, bytearray)):
        request_body = request_body.decode("utf-8")
    payload = json.loads(request_body)
    instances = payload.get("instances") if isinstance(payload, dict) else None
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_INSTANCES:
        raise ValueError(f'expected {{"instances": [[numbers], ...]}} with 1 to {MAX_INSTANCES} rows')
    return instances


def predict_fn(instances, model, context=None):
    n = len(model["features"])
    predictions = []
    for i, row in enumerate(instances):
        ok = isinstance(row, list) and len(row) == n
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in row)
        if not ok:
            raise ValueError(f"instances[{i}] must be {n} finite numbers: {', '.join(model['features'])}")
        z = [(v - m) / s for v, m, s in zip(row, model["mean"], model["std"])]
        scores = [sum(w * x for w, x in zip(weights, z)) + b for weights, b in zip(model["weights"], model["bias"])]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        predictions.append({"label": model["classes"][scores.index(top)], "probabilities": {c: round(e / total, 6) for c, e in zip(model["classes"], exps)}})
    return {"predictions": predictions}


def output_fn(prediction, accept="application/json", context=None):
    return json.dumps(prediction), "application/json"
