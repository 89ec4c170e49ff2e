#!/usr/bin/env python3
"""The sample training job: a curated Iris dataset version -> a gated model version the sample server loads.

Standard library only (Python 3.9+). Started as `python /app/train.py` with lakeio.py beside it, with:

    MLOPS_SOURCE_URI       the curated dataset's prefix (etl.py's target), e.g. s3://curated/iris/; the job
                           trains on its newest complete version (a v=<run id>/ with a _manifest.json)
    MLOPS_DATASET_VERSION  train on this version instead (`v=<run id>` or `<run id>`)
    MLOPS_TARGET_URI       the model's prefix, e.g. s3://models/iris/; the job writes only under it:
                             <target>v=<run id>/model.json     the model, in the format samples/model/serve.py loads
                             <target>v=<run id>/metrics.json   accuracy and macro F1 (overall, per class), rows, dataset version
                             <target>v=<run id>/baseline.json  per-feature training statistics for drift.py
                             <target>_runs/<run id>.json       the audit record (written last, also on failure)
    MLOPS_GATE_METRIC      the metric that gates registration: `accuracy` or `f1Macro` (default accuracy)
    MLOPS_GATE_THRESHOLD   the gate: the held-out metric below it fails the run, no model is written (default 0.9)
    MLOPS_MODEL_NAME       the model's name in model.json (default `iris`)
    MLOPS_SEED             seed of the train/held-out split (default 42)
    MLOPS_TRIGGER          `schedule`, `new-data`, `drift` or `manual` (default), recorded
    MLOPS_PIPELINE, MLOPS_RUN_ID, MLOPS_IMAGE_DIGEST, MLOPS_S3_ENDPOINT: as for etl.py
Each variable may also be given as `--NAME value` (AWS Glue job parameters). The last line on stdout is
{"mlops": "training", "model", "runId", "status", "metric", "value", "threshold", "datasetVersion"}, which
the clouds turn into metrics and audit entries.

The model: multinomial logistic regression on the four measurements standardised with the training rows'
mean and (population) standard deviation; full-batch gradient descent on the mean cross-entropy with an L2
penalty, from zero weights, a fixed number of epochs: the same data and seed give the same model, byte for
byte. The held-out rows are a stratified, seeded 20% of each class. Exit status: 0 succeeded, 1 failed
(gate or error; the audit record says why), 2 bad environment.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # lakeio.py sits beside this script (also under runpy)
from lakeio import JobBase, ObjectInfo, environment, json_bytes, store_for, utc_now  # noqa: E402

COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")  # the dataset's columns (etl.py)
FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")  # the model's (serve.py)
CLASSES = ("setosa", "versicolor", "virginica")
EPOCHS, LEARNING_RATE, L2 = 1500, 0.5, 0.001
GATE_METRICS = ("accuracy", "f1Macro")  # components/training-pipeline/contract.ts GATE_METRICS
TEST_FRACTION = 0.2
DECIMALS = 6


# ---------------------------------------------------------------------------------------------------
# The statistics: split, standardisation, softmax regression, evaluation, baseline
# ---------------------------------------------------------------------------------------------------


def split(labels: list[int], seed: int, fraction: float = TEST_FRACTION) -> tuple[list[int], list[int]]:
    """Row indices (train, held out): per class, a seeded shuffle, the first `fraction` held out."""
    rng, train, test = random.Random(seed), [], []
    for c in sorted(set(labels)):
        rows = [i for i, label in enumerate(labels) if label == c]
        rng.shuffle(rows)
        n_test = max(1, round(len(rows) * fraction)) if len(rows) > 1 else 0
        test += rows[:n_test]
        train += rows[n_test:]
    return sorted(train), sorted(test)


def standardiser(x: list[list[float]]) -> tuple[list[float], list[float]]:
    n = len(x)
    mean = [sum(r[j] for r in x) / n for j in range(len(x[0]))]
    std = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in x) / n) or 1.0 for j in range(len(x[0]))]
    return mean, std


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def fit(z: list[list[float]], y: list[int], k: int, epochs: int = EPOCHS, lr: float = LEARNING_RATE, l2: float = L2):
    """Softmax regression by full-batch gradient descent from zero weights; returns (weights k x d, bias k, loss)."""
    n, d = len(z), len(z[0])
    w = [[0.0] * d for _ in range(k)]
    b = [0.0] * k
    loss = 0.0
    for _ in range(epochs):
        gw = [[0.0] * d for _ in range(k)]
        gb = [0.0] * k
        loss = 0.0
        for row, label in zip(z, y):
            p = softmax([sum(wc[j] * row[j] for j in range(d)) + bc for wc, bc in zip(w, b)])
            loss -= math.log(max(p[label], 1e-300))
            for c in range(k):
                err = p[c] - (1.0 if c == label else 0.0)
                gb[c] += err
                gwc = gw[c]
                for j in range(d):
                    gwc[j] += err * row[j]
        for c in range(k):
            for j in range(d):
                w[c][j] -= lr * (gw[c][j] / n + l2 * w[c][j])
            b[c] -= lr * gb[c] / n
        loss = loss / n + l2 / 2 * sum(v * v for wc in w for v in wc)
    return w, b, loss


def predict(model: dict, row: list[float]) -> int:
    """The class index serve.py predicts for `row` (same arithmetic)."""
    z = [(v - m) / s for v, m, s in zip(row, model["mean"], model["std"])]
    scores = [sum(wi * xi for wi, xi in zip(weights, z)) + bias for weights, bias in zip(model["weights"], model["bias"])]
    return scores.index(max(scores))


def evaluate(model: dict, x: list[list[float]], y: list[int]) -> dict:
    """Accuracy and macro F1 overall, and per class (recall, precision, F1, support), of `model` on rows x with labels y."""
    return scores(y, [predict(model, row) for row in x], model["classes"])


def scores(y: list[int], predicted: list[int], classes: list[str]) -> dict:
    """Accuracy and macro F1 of predicted class indices against labels y. Macro F1 is the unweighted mean of the
    per-class F1 (2PR / (P + R)) over the classes that occur in y or in the predictions; a class never predicted
    or never hit has F1 0 (scikit-learn's f1_score(average="macro", zero_division=0))."""
    per_class, f1s = {}, []
    for c, name in enumerate(classes):
        support = sum(1 for label in y if label == c)
        chosen = sum(1 for p in predicted if p == c)
        hits = sum(1 for p, label in zip(predicted, y) if p == c == label)
        f1 = 2 * hits / (support + chosen) if support + chosen else None
        if f1 is not None:
            f1s.append(f1)
        per_class[name] = {
            "support": support,
            "recall": round(hits / support, DECIMALS) if support else None,
            "precision": round(hits / chosen, DECIMALS) if chosen else None,
            "f1": round(f1, DECIMALS) if f1 is not None else None,
        }
    correct = sum(1 for p, label in zip(predicted, y) if p == label)
    return {
        "accuracy": round(correct / len(y), DECIMALS) if y else None,
        "f1Macro": round(sum(f1s) / len(f1s), DECIMALS) if f1s else None,
        "correct": correct,
        "rows": len(y),
        "perClass": per_class,
    }


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of sorted values."""
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bin_counts(values: list[float], edges: list[float]) -> list[int]:
    """Counts in the bins (-inf, e0], (e0, e1], ..., (e_last, inf) of the interior edges."""
    counts = [0] * (len(edges) + 1)
    for v in values:
        i = 0
        while i < len(edges) and v > edges[i]:
            i += 1
        counts[i] += 1
    return counts


def feature_baseline(name: str, values: list[float]) -> dict:
    """Decile edges (duplicates merged), bin proportions and the sorted sample (for KS) of one feature."""
    ordered = sorted(values)
    edges = sorted({round(quantile(ordered, q / 10), DECIMALS) for q in range(1, 10)})
    counts = bin_counts(ordered, edges)
    return {
        "name": name,
        "count": len(ordered),
        "mean": round(sum(ordered) / len(ordered), DECIMALS),
        "min": ordered[0],
        "max": ordered[-1],
        "edges": edges,
        "proportions": [round(c / len(ordered), DECIMALS) for c in counts],
        "sorted": ordered,
    }


def read_rows(data: bytes) -> tuple[list[list[float]], list[int]]:
    """The curated part's rows: (measurements, class index); the header is etl.py's."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader)
    cols = [header.index(c) for c in COLUMNS]
    species = header.index("species")
    x, y = [], []
    for row in reader:
        if row:
            x.append([float(row[i]) for i in cols])
            y.append(CLASSES.index(row[species]))
    return x, y


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------


class TrainJob(JobBase):
    default_name = "train"

    def run(self) -> int:
        if not self.locations_ok():
            return 2
        try:
            store = store_for(self.target, self.env)
            metric, threshold = gate_of(self.env)
            seed = int(self.env.get("MLOPS_SEED") or 42)
        except Exception as e:
            self.log("failed", error=f"{type(e).__name__}: {e}")
            return 2
        self.run_id = self.new_run_id()
        model_name = self.env.get("MLOPS_MODEL_NAME") or "iris"
        audit = {"pipeline": self.pipeline, "runId": self.run_id, "trigger": self.trigger, "status": "failed", "modelName": model_name}
        audit.update({"source": self.source, "target": self.target, "startedAt": utc_now(), "endedAt": None})
        audit.update({"code": {"file": "train.py", "sha256": code_digest()}, "imageDigest": self.env.get("MLOPS_IMAGE_DIGEST") or None})
        audit.update({"dataset": None, "model": None, "gate": {"metric": metric, "threshold": threshold, "value": None, "passed": False}})
        try:
            self.check_run_id()
            code = self._run(audit, store, model_name, seed)
        except Exception as e:
            audit["error"] = f"{type(e).__name__}: {e}"
            audit["status"], audit["endedAt"] = "failed", utc_now()
            self.log("failed", error=audit["error"])
            try:
                self._put(store, f"{self.target}_runs/{self.run_id}.json", json_bytes(audit))
            except Exception as e2:
                self.log("audit-write-failed", error=f"{type(e2).__name__}: {e2}")
            code = 1
        self.summary(audit)
        return code

    def summary(self, audit: dict) -> None:
        """The run's one summary line (the last on stdout), which the clouds turn into metrics and audit entries."""
        gate = audit["gate"]
        line = {"mlops": "training", "model": audit["modelName"], "runId": self.run_id, "status": audit["status"]}
        line.update({"metric": gate["metric"], "value": gate["value"], "threshold": gate["threshold"]})
        line.update({"datasetVersion": (audit["dataset"] or {}).get("version"), "trigger": self.trigger})
        if audit["model"]:
            line["version"] = audit["model"]["version"]
        print(json.dumps(line), file=self.out, flush=True)

    def _dataset_version(self, source_store) -> tuple[str, dict, str]:
        """(version name, manifest, manifest sha256): MLOPS_DATASET_VERSION, else the newest complete version."""
        wanted = self.env.get("MLOPS_DATASET_VERSION")
        manifests = []
        for obj in source_store.list(self.source):
            rest = obj.uri[len(self.source) :]
            parts = rest.split("/")
            if len(parts) == 2 and parts[0].startswith("v=") and parts[1] == "_manifest.json":
                manifests.append((parts[0], obj))
        if wanted:
            name = wanted if wanted.startswith("v=") else f"v={wanted}"
            manifests = [(v, o) for v, o in manifests if v == name]
            if not manifests:
                raise ValueError(f"dataset version {name} has no _manifest.json under {self.source}: it does not exist or is incomplete")
        if not manifests:
            raise ValueError(f"no complete dataset version (v=<run id>/_manifest.json) under {self.source}")
        loaded = []
        for version, obj in manifests:
            data, _ = source_store.get(obj)
            manifest = json.loads(data)
            loaded.append((str(manifest.get("createdAt") or ""), version, manifest, hashlib.sha256(data).hexdigest()))
        _, version, manifest, digest = max(loaded, key=lambda t: (t[0], t[1]))
        return version, manifest, digest

    def _run(self, audit: dict, store, model_name: str, seed: int) -> int:
        self.log("start", source=self.source, target=self.target, trigger=self.trigger)
        source_store = store_for(self.source, self.env)
        version, manifest, manifest_sha = self._dataset_version(source_store)
        audit["dataset"] = {"uri": f"{self.source}{version}/", "version": version, "manifestSha256": manifest_sha}
        x, y = [], []
        for f in manifest.get("files", []):
            data, _ = source_store.get(ObjectInfo(f"{self.source}{version}/{f['path']}"))
            if f.get("sha256") and hashlib.sha256(data).hexdigest() != f["sha256"]:
                raise ValueError(f"{version}/{f['path']}: sha256 differs from its manifest")
            fx, fy = read_rows(data)
            x += fx
            y += fy
        self.log("read-dataset", version=version, rows=len(x), manifestSha256=manifest_sha)
        if len(x) < 10:
            raise ValueError(f"dataset version {version} has {len(x)} rows, too few to train and evaluate")

        train, test = split(y, seed)
        x_train, y_train = [x[i] for i in train], [y[i] for i in train]
        mean, std = standardiser(x_train)
        z = [[(v - m) / s for v, m, s in zip(row, mean, std)] for row in x_train]
        weights, bias, loss = fit(z, y_train, len(CLASSES))
        model = {
            "name": model_name,
            "description": "Multinomial logistic regression on Fisher's Iris data. Inputs are standardised with mean/std, "
            "then softmax(weights . z + bias) gives one probability per class.",
            "features": list(FEATURES),
            "classes": list(CLASSES),
            "mean": [round(v, DECIMALS) for v in mean],
            "std": [round(v, DECIMALS) for v in std],
            "weights": [[round(v, DECIMALS) for v in wc] for wc in weights],
            "bias": [round(v, DECIMALS) for v in bias],
        }
        trained = evaluate(model, x_train, y_train)
        held_out = evaluate(model, [x[i] for i in test], [y[i] for i in test])
        self.log(
            "trained",
            loss=round(loss, DECIMALS),
            trainingAccuracy=trained["accuracy"],
            heldOutAccuracy=held_out["accuracy"],
            heldOutF1Macro=held_out["f1Macro"],
        )
        model["training"] = {
            "data": f"{self.source}{version}/ ({len(train)} of {len(x)} rows; {len(test)} held out)",
            "method": f"full-batch gradient descent on cross-entropy, {EPOCHS} epochs, learning rate {LEARNING_RATE}, L2 penalty {L2}",
            "trainingAccuracy": trained["accuracy"],
            "heldOutAccuracy": held_out["accuracy"],
            "heldOutF1Macro": held_out["f1Macro"],
            "datasetVersion": version,
            "datasetManifestSha256": manifest_sha,
            "runId": self.run_id,
        }
        metrics = {
            "runId": self.run_id,
            "accuracy": held_out["accuracy"],
            "f1Macro": held_out["f1Macro"],
            "heldOut": held_out,
            "training": trained,
            "loss": round(loss, DECIMALS),
            "rows": {"total": len(x), "train": len(train), "heldOut": len(test)},
            "split": {"seed": seed, "fraction": TEST_FRACTION, "stratified": True, "heldOutRows": test},
            "dataset": audit["dataset"],
            "code": audit["code"],
            "gate": None,
        }
        gate = audit["gate"]
        gate["value"] = held_out[gate["metric"]]
        gate["passed"] = gate["value"] is not None and gate["value"] >= gate["threshold"]
        metrics["gate"] = dict(gate)
        audit["metrics"] = {
            "accuracy": held_out["accuracy"],
            "f1Macro": held_out["f1Macro"],
            "trainingAccuracy": trained["accuracy"],
            "rows": metrics["rows"],
        }
        if not gate["passed"]:
            raise GateFailed(
                f"held-out {gate['metric']} {gate['value']} is below MLOPS_GATE_THRESHOLD {gate['threshold']}: no model is written"
            )

        baseline = {
            "model": model["name"],
            "runId": self.run_id,
            "createdAt": utc_now(),
            "datasetVersion": version,
            "rows": len(train),
            "features": [feature_baseline(f, [row[j] for row in x_train]) for j, f in enumerate(FEATURES)],
        }
        prefix = f"{self.target}v={self.run_id}/"
        outputs = []
        for name, doc in (("baseline.json", baseline), ("metrics.json", metrics), ("model.json", model)):
            outputs.append(self._put(store, prefix + name, json_bytes(doc)))
        audit["model"] = {"uri": prefix + "model.json", "version": f"v={self.run_id}", "sha256": outputs[-1]["sha256"]}
        audit["outputs"] = outputs
        audit["status"], audit["endedAt"] = "succeeded", utc_now()
        self._put(store, f"{self.target}_runs/{self.run_id}.json", json_bytes(audit))
        self.log("done", status="succeeded", model=audit["model"]["uri"], accuracy=held_out["accuracy"], f1Macro=held_out["f1Macro"])
        return 0

    def _put(self, store, uri: str, data: bytes) -> dict:
        written = store.put(uri, data, "application/json")
        self.log("write", uri=uri, size=len(data))
        return {**written.record(), "sha256": hashlib.sha256(data).hexdigest()}


class GateFailed(Exception):
    pass


def gate_of(env: dict[str, str]) -> tuple[str, float]:
    """(metric, threshold) of the gate from MLOPS_GATE_METRIC and MLOPS_GATE_THRESHOLD; ValueError when unusable."""
    metric = env.get("MLOPS_GATE_METRIC") or "accuracy"
    if metric not in GATE_METRICS:
        raise ValueError(f"MLOPS_GATE_METRIC {metric!r} must be one of {', '.join(GATE_METRICS)}")
    raw = env.get("MLOPS_GATE_THRESHOLD") or "0.9"
    try:
        threshold = float(raw)
    except ValueError:
        raise ValueError(f"MLOPS_GATE_THRESHOLD {raw!r} must be a number between 0 and 1") from None
    if not 0 <= threshold <= 1:
        raise ValueError(f"MLOPS_GATE_THRESHOLD {raw!r} must be a number between 0 and 1")
    return metric, threshold


def code_digest() -> str:
    with open(os.path.abspath(__file__), "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    return TrainJob(environment(sys.argv[1:] if argv is None else argv, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
