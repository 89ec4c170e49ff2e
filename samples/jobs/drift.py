#!/usr/bin/env python3
"""The sample drift job: recent inference inputs against the model's training baseline, per feature PSI and KS.

Standard library only (Python 3.9+). Started as `python /app/drift.py` with lakeio.py beside it, with:

    MLOPS_SOURCE_URI      prefix of the captured inputs: JSON lines (`.jsonl`, `.json`, `.log`) of requests
                          `{"instances": [[f1, f2, f3, f4], ...]}` (or SageMaker data capture records, whose
                          captureData.endpointInput holds such a request), and CSV files with the feature header
                          (the dataset's `sepal_length,...` or the model's `sepal_length_cm,...`; other columns ignored)
    MLOPS_TARGET_URI      the model's prefix (train.py's target, e.g. s3://models/iris/): the report goes to
                          <target>drift/<run id>.json
    MLOPS_BASELINE_URI    the baseline.json to compare with (default: the newest <target>v=<run id>/baseline.json)
    MLOPS_PSI_THRESHOLD   a feature drifts when its PSI is above this (default 0.2)
    MLOPS_KS_ALPHA        ... or when the KS test rejects "same distribution" at this level (default 0.05)
    MLOPS_PIPELINE, MLOPS_TRIGGER, MLOPS_RUN_ID, MLOPS_IMAGE_DIGEST, MLOPS_S3_ENDPOINT: as for etl.py

A feature drifts when PSI > threshold AND the KS p-value < alpha: PSI measures how much the distribution
moved, KS whether a move that size can be sampling noise (with a few dozen captured rows, PSI over ten bins
alone is noisy). The run's status is `drift` when any feature drifts, else `ok`. It prints one JSON line
per feature (step `feature`: psi, ks, ksPValue, drift), then `done`. Exit status: 0 ok or drift (the status
is the metric, not a failure), 1 failed (no baseline, no inputs), 2 bad environment.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # lakeio.py sits beside this script (also under runpy)
from train import bin_counts  # noqa: E402  (the baseline's own binning)
from lakeio import JobBase, ObjectInfo, environment, json_bytes, store_for, utc_now  # noqa: E402

DATASET_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SMOOTHING = 0.5  # counts added to every bin (both sides) so an empty bin does not make PSI infinite


# ---------------------------------------------------------------------------------------------------
# The statistics
# ---------------------------------------------------------------------------------------------------


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index: sum over bins of (actual - expected) * ln(actual / expected), proportions."""
    return sum((a - e) * math.log(a / e) for e, a in zip(expected, actual))


def smoothed(counts: list[float], smoothing: float = SMOOTHING) -> list[float]:
    total = sum(counts) + smoothing * len(counts)
    return [(c + smoothing) / total for c in counts]


def ks_statistic(a: list[float], b: list[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest distance between the two empirical CDFs."""
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] == x:
            i += 1
        while j < len(b) and b[j] == x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    return d


def kolmogorov_q(lam: float) -> float:
    """Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2): the Kolmogorov distribution's survival function."""
    if lam < 1e-3:
        return 1.0
    total, sign = 0.0, 1.0
    for j in range(1, 101):
        term = sign * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
        sign = -sign
    return max(0.0, min(1.0, 2.0 * total))


def ks_p_value(d: float, n: int, m: int) -> float:
    """Asymptotic p-value of the two-sample KS statistic d (Stephens' small-sample correction, Numerical Recipes)."""
    ne = math.sqrt(n * m / (n + m))
    return kolmogorov_q((ne + 0.12 + 0.11 / ne) * d)


def compare(feature: dict, values: list[float], psi_threshold: float, alpha: float) -> dict:
    """PSI over the baseline's bins and KS against its sorted sample, for one feature."""
    edges = feature["edges"]
    base = smoothed([p * feature["count"] for p in feature["proportions"]])
    counts = bin_counts(values, edges)
    recent = smoothed(counts)
    value = psi(base, recent)
    d = ks_statistic(feature["sorted"], values)
    p = ks_p_value(d, len(feature["sorted"]), len(values))
    return {
        "feature": feature["name"],
        "rows": len(values),
        "baselineRows": feature["count"],
        "mean": round(sum(values) / len(values), 6),
        "baselineMean": feature["mean"],
        "psi": round(value, 6),
        "ks": round(d, 6),
        "ksPValue": round(p, 6),
        "drift": value > psi_threshold and p < alpha,
        "bins": {"edges": edges, "baseline": feature["proportions"], "recent": [round(c / len(values), 6) for c in counts]},
    }


# ---------------------------------------------------------------------------------------------------
# Reading captured inputs
# ---------------------------------------------------------------------------------------------------


def instances_of(record) -> list:
    """The feature rows of one captured request: {"instances": [...]} or a SageMaker data capture record."""
    if isinstance(record, dict) and isinstance(record.get("instances"), list):
        return record["instances"]
    if isinstance(record, dict) and isinstance(record.get("captureData"), dict):
        data = (record["captureData"].get("endpointInput") or {}).get("data")
        encoding = (record["captureData"].get("endpointInput") or {}).get("encoding", "JSON")
        if isinstance(data, str):
            if encoding.upper() == "BASE64":
                import base64

                data = base64.b64decode(data).decode("utf-8")
            return instances_of(json.loads(data))
    return []


def read_inputs(data: bytes, name: str, features: list[str]) -> tuple[list[list[float]], int]:
    """(rows of the model's features, lines skipped) of one captured object, by its name's extension."""
    text = data.decode("utf-8-sig")
    rows, skipped = [], 0
    if name.lower().endswith(".csv"):
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        names = [f if f in header else DATASET_COLUMNS[i] for i, f in enumerate(features)]
        if not all(n in header for n in names):
            raise ValueError(f"{name}: the header has neither {','.join(features)} nor {','.join(DATASET_COLUMNS)}")
        cols = [header.index(n) for n in names]
        for row in reader:
            try:
                rows.append([float(row[c]) for c in cols])
            except (ValueError, IndexError):
                skipped += 1
        return rows, skipped
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            found = instances_of(json.loads(line))
        except ValueError:
            found = []
        good = [r for r in found if isinstance(r, list) and len(r) == len(features) and all(isinstance(v, (int, float)) for v in r)]
        skipped += (len(found) - len(good)) if found else 1
        rows += [[float(v) for v in r] for r in good]
    return rows, skipped


def is_capture(uri: str, source: str) -> bool:
    rest = uri[len(source) :]
    if any(part.startswith((".", "_")) for part in rest.split("/")):
        return False
    return rest.lower().endswith((".jsonl", ".json", ".log", ".csv"))


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------


class DriftJob(JobBase):
    default_name = "drift"

    def run(self) -> int:
        if not self.locations_ok():
            return 2
        try:
            store = store_for(self.target, self.env)
            psi_threshold = float(self.env.get("MLOPS_PSI_THRESHOLD") or 0.2)
            alpha = float(self.env.get("MLOPS_KS_ALPHA") or 0.05)
        except Exception as e:
            self.log("failed", error=f"{type(e).__name__}: {e}")
            return 2
        self.run_id = self.new_run_id()
        report = {"pipeline": self.pipeline, "runId": self.run_id, "trigger": self.trigger, "status": "failed"}
        report.update({"source": self.source, "target": self.target, "baseline": None, "model": None})
        report.update({"thresholds": {"psi": psi_threshold, "ksAlpha": alpha}, "imageDigest": self.env.get("MLOPS_IMAGE_DIGEST") or None})
        report.update({"startedAt": utc_now(), "endedAt": None, "inputs": [], "rows": 0, "skipped": 0, "features": []})
        try:
            self.check_run_id()
            self._run(report, store, psi_threshold, alpha)
            code = 0
        except Exception as e:
            report["error"] = f"{type(e).__name__}: {e}"
            report["status"] = "failed"
            self.log("failed", error=report["error"])
            code = 1
        report["endedAt"] = utc_now()
        uri = f"{self.target}drift/{self.run_id}.json"
        try:
            store.put(uri, json_bytes(report), "application/json")
        except Exception as e:
            self.log("report-write-failed", error=f"{type(e).__name__}: {e}")
            return 1
        self.log("done", status=report["status"], report=uri, drifted=[f["feature"] for f in report["features"] if f["drift"]])
        return code

    def _baseline(self, store) -> tuple[str, dict]:
        uri = self.env.get("MLOPS_BASELINE_URI")
        if uri:
            data, _ = store_for(uri, self.env).get(ObjectInfo(uri))
            return uri, json.loads(data)
        found = []
        for obj in store.list(self.target + "v="):
            parts = obj.uri[len(self.target) :].split("/")
            if len(parts) == 2 and parts[1] == "baseline.json":
                data, _ = store.get(obj)
                doc = json.loads(data)
                found.append((str(doc.get("createdAt") or ""), obj.uri, doc))
        if not found:
            raise ValueError(f"no baseline: no v=<run id>/baseline.json under {self.target} and MLOPS_BASELINE_URI is not set")
        _, uri, doc = max(found, key=lambda t: (t[0], t[1]))
        return uri, doc

    def _run(self, report: dict, store, psi_threshold: float, alpha: float) -> None:
        self.log("start", source=self.source, target=self.target, trigger=self.trigger)
        baseline_uri, baseline = self._baseline(store)
        features = [f["name"] for f in baseline["features"]]
        report["baseline"], report["model"] = baseline_uri, {"name": baseline.get("model"), "runId": baseline.get("runId")}
        source_store = store_for(self.source, self.env)
        rows = []
        for obj in source_store.list(self.source):
            if not is_capture(obj.uri, self.source) or obj.uri.startswith(self.target):
                continue
            data, _ = source_store.get(obj)
            got, skipped = read_inputs(data, obj.uri, features)
            rows += got
            report["skipped"] += skipped
            report["inputs"].append({"uri": obj.uri, "version": obj.version, "rows": len(got), "skipped": skipped})
        report["rows"] = len(rows)
        self.log("read-inputs", objects=len(report["inputs"]), rows=len(rows), skipped=report["skipped"])
        if not rows:
            raise ValueError(f"no captured inputs under {self.source}")
        for j, feature in enumerate(baseline["features"]):
            result = compare(feature, [r[j] for r in rows], psi_threshold, alpha)
            report["features"].append(result)
            self.log("feature", **{k: v for k, v in result.items() if k != "bins"})
        report["status"] = "drift" if any(f["drift"] for f in report["features"]) else "ok"


def main(argv: list[str] | None = None) -> int:
    return DriftJob(environment(sys.argv[1:] if argv is None else argv, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
