#!/usr/bin/env python3
"""The sample ETL job of the data pipelines: raw Iris CSV drops -> a validated, versioned curated dataset.

Standard library only (Python 3.11+). Every runner of components/data-pipeline starts it as
`python /app/etl.py` with this environment (the contract in components/data-pipeline/contract.ts):

    MLOPS_SOURCE_URI    where the raw drops are: s3://bucket/prefix/, gs://bucket/prefix/,
                        https://<account>.blob.core.windows.net/<container>/prefix/ or file:///dir/
    MLOPS_TARGET_URI    where it writes (same forms), only under this prefix:
                          <target>v=<run id>/part-00000.csv     accepted rows, a new dataset version
                          <target>v=<run id>/_manifest.json     its manifest (written after the data)
                          <target>_quarantine/<run id>/<input>  rejected rows with the reason
                          <target>_runs/<run id>.json           the audit record (written last)
    MLOPS_PIPELINE      pipeline name (default `etl`)      MLOPS_TRIGGER   schedule | arrival (default manual)
    MLOPS_RUN_ID        run id (default: UTC timestamp + short hash of the inputs)
    MLOPS_IMAGE_DIGEST  image digest, recorded in the audit record when set
    MLOPS_S3_ENDPOINT   S3-compatible endpoint (MinIO), path-style addressing
Each variable may also be given as a `--NAME value` argument (how AWS Glue passes job parameters).

Storage and credentials: lakeio.py beside this file (the same module train.py and drift.py use).
Exit status: 0 succeeded or skipped, 1 failed (its audit record says why), 2 bad environment.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import os
import sys
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # lakeio.py sits beside this script (also under runpy)
from lakeio import JobBase, RUN_ID, ObjectInfo, StorageError, environment, store_for, to_csv, utc_now  # noqa: E402

# ---------------------------------------------------------------------------------------------------
# The dataset: schema and row validation
# ---------------------------------------------------------------------------------------------------

MEASUREMENTS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
HEADER = (*MEASUREMENTS, "species")
SPECIES = ("setosa", "versicolor", "virginica")
RANGE_CM = (0.0, 10.0)  # plausible for every measurement: 0 < x <= 10 cm
SCHEMA = [
    *({"name": m, "type": "double", "unit": "cm", "min_exclusive": RANGE_CM[0], "max": RANGE_CM[1]} for m in MEASUREMENTS),
    {"name": "species", "type": "string", "enum": list(SPECIES)},
]
QUARANTINE_HEADER = ("line", "reason", "record")


def validate_row(fields: list[str]) -> tuple[list[str] | None, str | None]:
    """Returns (normalised row, None) for a valid row, else (None, every reason joined with `; `)."""
    if len(fields) != len(HEADER):
        return None, f"expected {len(HEADER)} fields, got {len(fields)}"
    reasons, row = [], []
    for name, raw in zip(MEASUREMENTS, fields):
        text = raw.strip()
        if not text:
            reasons.append(f"{name}: missing")
            continue
        try:
            value = float(text)
        except ValueError:
            reasons.append(f"{name}: {text!r} is not a number")
            continue
        if not math.isfinite(value) or not RANGE_CM[0] < value <= RANGE_CM[1]:
            reasons.append(f"{name}: {text} is outside (0, 10] cm")
            continue
        row.append(repr(value))
    species = fields[4].strip()
    name = species[5:] if species.lower().startswith("iris-") else species
    if name.lower() not in SPECIES:
        reasons.append(f"species: {species!r} is not one of {', '.join(SPECIES)} (optionally Iris-<name>)")
    else:
        row.append(name.lower())
    return (None, "; ".join(reasons)) if reasons else (row, None)


@dataclass
class FileResult:
    """One input file after validation."""

    accepted: list[list[str]] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, raw record)
    rows_read: int = 0
    rejected_whole: str | None = None  # why the whole file was rejected (empty, wrong header, not UTF-8)


def validate_file(data: bytes) -> FileResult:
    """Validates one CSV drop. An empty file or a wrong header rejects the whole file; else row by row."""
    result = FileResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        result.rejected_whole = f"not UTF-8 text ({e.reason} at byte {e.start})"
        result.rejected.append((0, result.rejected_whole, ""))
        return result
    lines = text.splitlines()
    records = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not records:
        result.rejected_whole = "empty file: no header and no rows"
        result.rejected.append((0, result.rejected_whole, ""))
        return result
    (header_line, header_text), rows = records[0], records[1:]
    header = [h.strip() for h in next(csv.reader([header_text]))]
    result.rows_read = len(rows)
    if tuple(header) != HEADER:
        result.rejected_whole = f"wrong header: expected {','.join(HEADER)}, got {','.join(header)}"
        result.rejected.append((header_line, result.rejected_whole, header_text))
        result.rejected.extend((n, "file rejected: wrong header", line) for n, line in rows)
        return result
    for n, line in rows:
        row, reason = validate_row(next(csv.reader([line])))
        if row is None:
            result.rejected.append((n, reason or "invalid", line))
        else:
            result.accepted.append(row)
    return result


# ---------------------------------------------------------------------------------------------------
# The run (storage: lakeio.py)
# ---------------------------------------------------------------------------------------------------


def make_run_id(inputs: list[ObjectInfo], now: dt.datetime | None = None) -> str:
    """UTC timestamp + the first 8 hex digits of the SHA-256 of the inputs' URIs and versions."""
    digest = hashlib.sha256("".join(f"{i.uri}\n{i.version}\n" for i in sorted(inputs, key=lambda i: i.uri)).encode()).hexdigest()
    return f"{(now or dt.datetime.now(dt.timezone.utc)).strftime('%Y%m%dT%H%M%SZ')}-{digest[:8]}"


def is_input(uri: str, source: str, target: str) -> bool:
    """CSV drops under the source prefix; hidden (`.`), marker (`_`) files and the target prefix excluded."""
    if uri.startswith(target) or not uri.lower().endswith(".csv"):
        return False
    return not any(part.startswith((".", "_")) for part in uri[len(source) :].split("/"))


class Job(JobBase):
    default_name = "etl"

    def previous_runs(self, target_store) -> tuple[set[tuple[str, str]], set[str]]:
        """(uri, version) of every input of an earlier succeeded run, and every finished run id."""
        processed, finished = set(), set()
        for obj in target_store.list(self.target + "_runs/"):
            if not obj.uri.endswith(".json"):
                continue
            data, _ = target_store.get(obj)
            try:
                record = json.loads(data)
            except ValueError:
                self.log("ignore-run-record", uri=obj.uri, reason="not JSON")
                continue
            if record.get("status") in ("succeeded", "skipped"):
                finished.add(str(record.get("runId")))
            if record.get("status") == "succeeded":
                processed.update((i.get("uri"), i.get("version")) for i in record.get("inputs", []))
        return processed, finished

    def run(self) -> int:
        started = utc_now()
        audit = {"pipeline": self.pipeline, "runId": None, "trigger": self.trigger, "status": "failed"}
        audit.update({"source": self.source, "target": self.target, "imageDigest": self.env.get("MLOPS_IMAGE_DIGEST") or None})
        audit.update({"startedAt": started, "endedAt": None, "inputs": [], "skippedInputs": [], "outputs": [], "counts": {}})
        if not self.locations_ok():
            return 2
        try:
            target_store = store_for(self.target, self.env)
        except StorageError as e:
            self.log("failed", error=str(e))
            return 2
        try:
            return self._run(audit, target_store)
        except Exception as e:  # every failure is recorded, then the run exits non-zero
            audit["error"] = f"{type(e).__name__}: {e}"
            audit["status"], audit["endedAt"] = "failed", utc_now()
            self.run_id = audit["runId"] = self._failure_id(target_store, audit["runId"])
            self.log("failed", error=audit["error"])
            try:
                self._write_audit(target_store, audit)
            except Exception as e2:
                self.log("audit-write-failed", error=f"{type(e2).__name__}: {e2}")
            return 1

    def _run(self, audit: dict, target_store) -> int:
        self.log("start", source=self.source, target=self.target, trigger=self.trigger)
        explicit = self.env.get("MLOPS_RUN_ID")
        if explicit is not None and not RUN_ID.match(explicit):
            raise ValueError(f"MLOPS_RUN_ID {explicit!r} must be letters, digits, `.`, `_` or `-` (at most 128), starting with a letter or digit")
        source_store = store_for(self.source, self.env)
        listed = [o for o in source_store.list(self.source) if is_input(o.uri, self.source, self.target)]
        self.log("list-source", objects=len(listed))
        processed, finished = self.previous_runs(target_store)
        fresh = [o for o in listed if (o.uri, o.version) not in processed]
        skipped = [o for o in listed if (o.uri, o.version) in processed]
        for o in skipped:
            self.log("skip-input", uri=o.uri, version=o.version, reason="processed by an earlier succeeded run")
        audit["skippedInputs"] = [{**o.record(), "version": o.version} for o in skipped]
        self.run_id = audit["runId"] = explicit or make_run_id(fresh)
        if self.run_id in finished:
            raise ValueError(f"run id {self.run_id!r} belongs to a finished run; its version is never overwritten")
        counts = {"inputs": len(fresh), "skippedInputs": len(skipped), "rowsRead": 0, "rowsAccepted": 0, "rowsRejected": 0, "filesRejected": 0}
        audit["counts"] = counts
        if not fresh:
            audit["status"], audit["endedAt"] = "skipped", utc_now()
            self._write_audit(target_store, audit)
            self.log("done", status="skipped", reason="no new inputs")
            return 0

        accepted: list[list[str]] = []
        for obj in fresh:
            data, read = source_store.get(obj)
            info = {**obj.record(), **read.record(), "uri": obj.uri, "version": obj.version, "sha256": hashlib.sha256(data).hexdigest()}
            result = validate_file(data)
            rejected_rows = result.rows_read if result.rejected_whole else len(result.rejected)
            info["rows"] = {"read": result.rows_read, "accepted": len(result.accepted), "rejected": rejected_rows}
            if result.rejected_whole:
                info["rejected"] = result.rejected_whole
                counts["filesRejected"] += 1
            audit["inputs"].append(info)
            counts["rowsRead"] += result.rows_read
            counts["rowsAccepted"] += len(result.accepted)
            counts["rowsRejected"] += rejected_rows
            self.log("validate-input", uri=obj.uri, version=obj.version, rejectedWhole=result.rejected_whole, **info["rows"])
            accepted += result.accepted
            if result.rejected:
                name = obj.uri[len(self.source) :]
                uri = f"{self.target}_quarantine/{self.run_id}/{name if name.lower().endswith('.csv') else name + '.csv'}"
                self._put(target_store, audit, "quarantine", uri, to_csv(QUARANTINE_HEADER, result.rejected), "text/csv", rows=len(result.rejected))

        if accepted:
            version = f"{self.target}v={self.run_id}/"
            part = to_csv(HEADER, accepted)
            part_out = self._put(target_store, audit, "data", version + "part-00000.csv", part, "text/csv", rows=len(accepted))
            manifest = {
                "dataset": self.target,
                "version": f"v={self.run_id}",
                "runId": self.run_id,
                "pipeline": self.pipeline,
                "createdAt": utc_now(),
                "format": {"type": "csv", "header": True, "delimiter": ",", "encoding": "utf-8"},
                "schema": SCHEMA,
                "files": [{"path": "part-00000.csv", "rows": len(accepted), "size": len(part), "sha256": part_out["sha256"]}],
                "rows": {"read": counts["rowsRead"], "accepted": counts["rowsAccepted"], "rejected": counts["rowsRejected"]},
                "inputs": audit["inputs"],
            }
            body = (json.dumps(manifest, indent=2) + "\n").encode()
            self._put(target_store, audit, "manifest", version + "_manifest.json", body, "application/json")
        else:
            self.log("no-version", reason="no accepted rows")
        audit["status"], audit["endedAt"] = "succeeded", utc_now()
        self._write_audit(target_store, audit)
        self.log("done", status="succeeded", **counts)
        return 0

    def _failure_id(self, store, run_id: str | None) -> str:
        """The run id a failed run records under: its own (or MLOPS_RUN_ID), unless a finished run holds it."""
        explicit = self.env.get("MLOPS_RUN_ID")
        run_id = run_id or (explicit if explicit and RUN_ID.match(explicit) else None) or make_run_id([])
        try:
            data, _ = store.get(ObjectInfo(f"{self.target}_runs/{run_id}.json"))
            finished = json.loads(data).get("status") in ("succeeded", "skipped")
        except Exception:
            finished = False  # no record yet (or unreadable): the failure takes this id
        return f"{run_id}-{make_run_id([])}" if finished else run_id

    def _put(self, store, audit: dict, kind: str, uri: str, data: bytes, content_type: str, **extra) -> dict:
        written = store.put(uri, data, content_type)
        out = {"kind": kind, **written.record(), "sha256": hashlib.sha256(data).hexdigest(), **extra}
        audit["outputs"].append(out)
        self.log(f"write-{kind}", uri=uri, size=len(data), **extra)
        return out

    def _write_audit(self, store, audit: dict) -> None:
        uri = f"{self.target}_runs/{audit['runId']}.json"
        store.put(uri, (json.dumps(audit, indent=2) + "\n").encode(), "application/json")
        self.log("write-audit", uri=uri, status=audit["status"])




def main(argv: list[str] | None = None) -> int:
    return Job(environment(sys.argv[1:] if argv is None else argv, dict(os.environ))).run()


if __name__ == "__main__":
    sys.exit(main())
