#!/usr/bin/env python3
"""The sample drift job: recent inference inputs against the served model's training baseline, PSI and KS per feature.

Standard library only (Python 3.9+). Started as `python /app/drift.py` with lakeio.py beside it, with:

    MLOPS_SOURCE_URI      prefix of the captured inputs (the model's `_capture/`), read recursively; each object is
                          JSON lines (`.jsonl`, `.json`, `.log`, each also gzip-compressed as `.gz`) or CSV:
                            - the capture records samples/model/serve.py writes,
                              {"time": ISO UTC, "model", "version", "features": {"sepal_length_cm": ..., ...}, "prediction"}
                            - requests {"instances": [[f1, f2, f3, f4], ...]} or a bare row [f1, f2, f3, f4]
                            - SageMaker data capture records (captureData.endpointInput holds a request)
                            - CSV with the feature header (the dataset's `sepal_length,...` or the model's `sepal_length_cm,...`)
    MLOPS_TARGET_URI      the model's prefix (train.py's target, e.g. s3://models/iris/): the baseline is read from
                          <target>v=<version>/baseline.json and the report written to <target>_drift/<run id>.json
    MLOPS_MODEL_VERSION   the served version (`<run id>` or `v=<run id>`): its baseline is compared (default: the newest)
    MLOPS_BASELINE_URI    a baseline.json to compare with instead (overrides both)
    MLOPS_MODEL_NAME      the model's name in the log lines (default `iris`)
    MLOPS_WINDOW_HOURS    only inputs captured in the last this many hours count (default 24; by the record's `time`,
                          records without one always count; objects under an older `dt=YYYY-MM-DD/` are not read)
    MLOPS_MIN_ROWS        fewer rows than this is `insufficient-data`: no comparison, no drift (default 30)
    MLOPS_PSI_THRESHOLD   a feature drifts when its PSI is above this (default 0.2)
    MLOPS_KS_ALPHA        ... and the KS test rejects "same distribution" at this level (default 0.05)
    MLOPS_PIPELINE, MLOPS_TRIGGER, MLOPS_RUN_ID, MLOPS_IMAGE_DIGEST, MLOPS_S3_ENDPOINT: as for etl.py

A feature drifts when PSI > threshold AND the KS p-value < alpha: PSI measures how much the distribution
moved, KS whether a move that size can be sampling noise (with a few dozen captured rows, PSI over ten bins
alone is noisy). The run's status is `drift` when any feature drifts, `ok` when none does, `insufficient-data`
below MLOPS_MIN_ROWS. On stdout, besides its step log, it prints one line per feature
    {"mlops": "drift", "model": "iris", "feature": "petal_length_cm", "psi": 0.41, "ksP": 0.0003, "drifted": true, ...}
and one summary {"mlops": "drift-summary", "model", "driftedFeatures", "features", "rows", "runId", "status"},
which the clouds turn into metrics and alerts. Exit status: 0 ok, drift or insufficient-data (drift is a
result, not a failure), 1 failed (no baseline, unreadable input), 2 bad environment.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # lakeio.py sits beside this script (also under runpy)
from train import bin_counts  # noqa: E402  (the baseline's own binning)
from lakeio import RUN_ID, JobBase, ObjectInfo, environment, json_bytes, store_for, utc_now  # noqa: E402

DATASET_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SMOOTHING = 0.5  # counts added to every bin (both sides) so an empty bin does not make PSI infinite
JSON_LINES = (".jsonl", ".json", ".log")
PARTITION = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})/")


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


def parse_time(value) -> dt.datetime | None:
    """An ISO 8601 time (`Z` or an offset; naive is UTC) as an aware datetime, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def instances_of(record, features: list[str]) -> list:
    """The feature rows of one captured line: a capture record, a request, a bare row or a SageMaker capture record."""
    if isinstance(record, list):
        return [record] if record and not isinstance(record[0], (list, dict)) else record
    if not isinstance(record, dict):
        return []
    if isinstance(record.get("features"), dict):
        values = record["features"]
        return [[values.get(f) for f in features]]
    if isinstance(record.get("instances"), list):
        return record["instances"]
    if isinstance(record.get("captureData"), dict):
        data = (record["captureData"].get("endpointInput") or {}).get("data")
        encoding = (record["captureData"].get("endpointInput") or {}).get("encoding", "JSON")
        if isinstance(data, str):
            if encoding.upper() == "BASE64":
                import base64

                data = base64.b64decode(data).decode("utf-8")
            return instances_of(json.loads(data), features)
    return []


def record_time(record) -> dt.datetime | None:
    """When a line was captured: the capture record's `time`, a SageMaker record's eventMetadata.inferenceTime."""
    if not isinstance(record, dict):
        return None
    if "time" in record:
        return parse_time(record["time"])
    return parse_time((record.get("eventMetadata") or {}).get("inferenceTime"))


def is_row(row, n: int) -> bool:
    return isinstance(row, list) and len(row) == n and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)


def read_inputs(data: bytes, name: str, features: list[str], since: dt.datetime | None = None) -> tuple[list[list[float]], int, int]:
    """(rows of the model's features, lines skipped, rows older than `since`) of one captured object, by its
    name's extension; a `.gz` name is gunzipped first. A line without a time always counts."""
    lower = name.lower()
    if lower.endswith(".gz"):
        data, lower = gzip.decompress(data), lower[:-3]
    text = data.decode("utf-8-sig")
    rows, skipped, old = [], 0, 0
    if lower.endswith(".csv"):
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
        return rows, skipped, old
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        found = instances_of(record, features)
        good = [r for r in found if is_row(r, len(features))]
        skipped += (len(found) - len(good)) if found else 1
        when = record_time(record)
        if since is not None and when is not None and when < since:
            old += len(good)
            continue
        rows += [[float(v) for v in r] for r in good]
    return rows, skipped, old


def is_capture(uri: str, source: str) -> bool:
    rest = uri[len(source) :]
    if any(part.startswith((".", "_")) for part in rest.split("/")):
        return False
    name = rest.lower()[:-3] if rest.lower().endswith(".gz") else rest.lower()
    return name.endswith(JSON_LINES + (".csv",))


def partition_too_old(uri: str, source: str, since: dt.datetime) -> bool:
    """Whether the object sits under a `dt=YYYY-MM-DD/` partition of a day wholly before `since`."""
    m = PARTITION.search(uri[len(source) :])
    if not m:
        return False
    try:
        day = dt.date.fromisoformat(m.group(1))
    except ValueError:
        return False
    return day < since.date()


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------


def settings(env: dict[str, str]) -> dict:
    """The drift rule and the window from the environment; ValueError naming the variable when one is unusable."""

    def number(name: str, default: float, low: float, high: float, integer: bool = False):
        raw = env.get(name) or str(default)
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            raise ValueError(f"{name} {raw!r} must be a{'n integer' if integer else ' number'} from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"{name} {raw!r} must be a{'n integer' if integer else ' number'} from {low} to {high}")
        return value

    return {
        "psi": number("MLOPS_PSI_THRESHOLD", 0.2, 0, 100),
        "ksAlpha": number("MLOPS_KS_ALPHA", 0.05, 0, 1),
        "windowHours": number("MLOPS_WINDOW_HOURS", 24, 0.001, 24 * 366),
        "minRows": number("MLOPS_MIN_ROWS", 30, 1, 10**9, integer=True),
    }


class DriftJob(JobBase):
    default_name = "drift"

    def run(self, now: dt.datetime | None = None) -> int:
        if not self.locations_ok():
            return 2
        try:
            store = store_for(self.target, self.env)
            rule = settings(self.env)
            version = self.env.get("MLOPS_MODEL_VERSION") or None
            if version is not None and not RUN_ID.match(version[2:] if version.startswith("v=") else version):
                raise ValueError(f"MLOPS_MODEL_VERSION {version!r} must be a training run id, optionally written v=<run id>")
        except Exception as e:
            self.log("failed", error=f"{type(e).__name__}: {e}")
            return 2
        self.model_name = self.env.get("MLOPS_MODEL_NAME") or "iris"
        now = now or dt.datetime.now(dt.timezone.utc)
        since = now - dt.timedelta(hours=rule["windowHours"])
        self.run_id = self.new_run_id()
        report = {"pipeline": self.pipeline, "runId": self.run_id, "trigger": self.trigger, "status": "failed"}
        report.update({"modelName": self.model_name, "source": self.source, "target": self.target})
        report.update({"servedVersion": version, "baseline": None, "model": None, "imageDigest": self.env.get("MLOPS_IMAGE_DIGEST") or None})
        report["thresholds"] = {"psi": rule["psi"], "ksAlpha": rule["ksAlpha"]}
        report["window"] = {"hours": rule["windowHours"], "since": since.isoformat(timespec="seconds").replace("+00:00", "Z")}
        report.update({"minRows": rule["minRows"], "startedAt": utc_now(), "endedAt": None})
        report.update({"inputs": [], "rows": 0, "skipped": 0, "outsideWindow": 0})
        report["features"], report["monitored"] = [], 0
        try:
            self.check_run_id()
            self._run(report, store, rule, version, since)
            code = 0
        except Exception as e:
            report["error"] = f"{type(e).__name__}: {e}"
            report["status"] = "failed"
            self.log("failed", error=report["error"])
            code = 1
        report["endedAt"] = utc_now()
        uri = f"{self.target}_drift/{self.run_id}.json"
        try:
            store.put(uri, json_bytes(report), "application/json")
        except Exception as e:
            self.log("report-write-failed", error=f"{type(e).__name__}: {e}")
            code = 1
        drifted = [f["feature"] for f in report["features"] if f["drift"]]
        self.log("done", status=report["status"], report=uri, drifted=drifted)
        if report["status"] != "failed":
            summary = {"mlops": "drift-summary", "model": self.model_name, "driftedFeatures": len(drifted), "features": report["monitored"]}
            summary.update({"rows": report["rows"], "runId": self.run_id, "status": report["status"]})
            print(json.dumps(summary), file=self.out, flush=True)
        return code

    def _baseline(self, store, version: str | None) -> tuple[str, dict]:
        uri = self.env.get("MLOPS_BASELINE_URI")
        if uri:
            data, _ = store_for(uri, self.env).get(ObjectInfo(uri))
            return uri, json.loads(data)
        if version:
            uri = f"{self.target}{version if version.startswith('v=') else 'v=' + version}/baseline.json"
            try:
                data, _ = store.get(ObjectInfo(uri))
            except Exception as e:
                raise ValueError(f"no baseline for the served version MLOPS_MODEL_VERSION={version}: {e}") from None
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

    def _own_output(self, uri: str) -> bool:
        """Objects of the model prefix when the capture prefix contains it (never the case with `<model>/_capture/`)."""
        return len(self.target) > len(self.source) and uri.startswith(self.target)

    def _run(self, report: dict, store, rule: dict, version: str | None, since: dt.datetime) -> None:
        self.log("start", source=self.source, target=self.target, trigger=self.trigger, servedVersion=version)
        baseline_uri, baseline = self._baseline(store, version)
        features = [f["name"] for f in baseline["features"]]
        report["monitored"] = len(features)
        report["baseline"], report["model"] = baseline_uri, {"name": baseline.get("model"), "runId": baseline.get("runId")}
        source_store = store_for(self.source, self.env)
        rows = []
        for obj in source_store.list(self.source):
            if not is_capture(obj.uri, self.source) or self._own_output(obj.uri) or partition_too_old(obj.uri, self.source, since):
                continue
            data, _ = source_store.get(obj)
            got, skipped, old = read_inputs(data, obj.uri, features, since)
            rows += got
            report["skipped"] += skipped
            report["outsideWindow"] += old
            report["inputs"].append({"uri": obj.uri, "version": obj.version, "rows": len(got), "skipped": skipped, "outsideWindow": old})
        report["rows"] = len(rows)
        self.log("read-inputs", objects=len(report["inputs"]), rows=len(rows), skipped=report["skipped"], outsideWindow=report["outsideWindow"])
        if len(rows) < rule["minRows"]:
            report["status"] = "insufficient-data"
            self.log("insufficient-data", rows=len(rows), minRows=rule["minRows"])
            return
        for j, feature in enumerate(baseline["features"]):
            result = compare(feature, [r[j] for r in rows], rule["psi"], rule["ksAlpha"])
            report["features"].append(result)
            line = {"mlops": "drift", "model": self.model_name, "feature": result["feature"], "psi": result["psi"], "ksP": result["ksPValue"]}
            line.update({"drifted": result["drift"], "ks": result["ks"], "rows": result["rows"], "runId": self.run_id})
            print(json.dumps(line), file=self.out, flush=True)
        report["status"] = "drift" if any(f["drift"] for f in report["features"]) else "ok"


def main(argv: list[str] | None = None) -> int:
    return DriftJob(environment(sys.argv[1:] if argv is None else argv, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
