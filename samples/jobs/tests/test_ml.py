"""Unit tests of the pieces issue 13 added to the sample ML code: macro F1 and the gate settings of train.py, the
capture formats, time window and served-version baseline of drift.py, and serve.py's model loading from a URI and
its capture buffer (batching, failed writes kept, the bound), with fake stores: no network, no clock assertions.
Run: python3 -m unittest discover -s samples/jobs/tests
"""

import datetime as dt
import gzip
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
os.environ.pop("MLOPS_MODEL_URI", None)  # serve.py loads its bundled model.json at import
os.environ.pop("MLOPS_CAPTURE_URI", None)
import drift  # noqa: E402
import serve  # noqa: E402
import train  # noqa: E402

FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]
NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


class F1Test(unittest.TestCase):
    def test_macro_f1_known_values(self):
        # class 0: P 1, R 1/2 -> F1 2/3; class 1: P 2/3, R 1 -> F1 4/5; class 2: P 1, R 1 -> F1 1
        y, predicted = [0, 0, 1, 1, 2], [0, 1, 1, 1, 2]
        got = train.scores(y, predicted, ["a", "b", "c"])
        self.assertAlmostEqual(got["f1Macro"], round((2 / 3 + 4 / 5 + 1) / 3, 6), places=9)
        self.assertEqual(got["accuracy"], 0.8)
        self.assertEqual(got["perClass"]["a"], {"support": 2, "recall": 0.5, "precision": 1.0, "f1": 0.666667})

    def test_a_class_never_predicted_counts_zero_and_an_absent_class_is_left_out(self):
        got = train.scores([0, 0, 1, 1], [0, 0, 0, 0], ["a", "b", "c"])
        self.assertEqual(got["perClass"]["b"]["f1"], 0.0)  # in y, never predicted
        self.assertIsNone(got["perClass"]["c"]["f1"])  # neither in y nor predicted
        self.assertAlmostEqual(got["f1Macro"], round((2 * 2 / 6 + 0) / 2, 6), places=9)

    def test_perfect_predictions(self):
        self.assertEqual(train.scores([0, 1, 2], [0, 1, 2], ["a", "b", "c"])["f1Macro"], 1.0)


class GateTest(unittest.TestCase):
    def test_defaults_and_values(self):
        self.assertEqual(train.gate_of({}), ("accuracy", 0.9))
        self.assertEqual(train.gate_of({"MLOPS_GATE_METRIC": "f1Macro", "MLOPS_GATE_THRESHOLD": "0.85"}), ("f1Macro", 0.85))

    def test_refuses_unknown_metric_and_bad_thresholds(self):
        with self.assertRaisesRegex(ValueError, "MLOPS_GATE_METRIC 'auc' must be one of accuracy, f1Macro"):
            train.gate_of({"MLOPS_GATE_METRIC": "auc"})
        for bad in ("1.5", "-0.1", "high"):
            with self.assertRaisesRegex(ValueError, "MLOPS_GATE_THRESHOLD .* between 0 and 1"):
                train.gate_of({"MLOPS_GATE_THRESHOLD": bad})


def capture_record(time, row, version="t1"):
    return {"time": time, "model": "iris", "version": version, "features": dict(zip(FEATURES, row)), "prediction": "setosa"}


class DriftInputsTest(unittest.TestCase):
    def test_reads_capture_records_requests_bare_rows_and_sagemaker_records(self):
        lines = [
            capture_record("2024-03-01T11:00:00.000Z", [5.1, 3.5, 1.4, 0.2]),
            {"instances": [[6.0, 3.0, 4.0, 1.0], [6.1, 3.1, 4.1, 1.1]]},
            [7.0, 3.2, 4.7, 1.4],
            {"captureData": {"endpointInput": {"data": json.dumps({"instances": [[1, 2, 3, 4]]}), "encoding": "JSON"}}},
            {"features": {"sepal_length_cm": 1}},  # a feature missing: skipped
            "not a record",
        ]
        data = ("\n".join(json.dumps(x) for x in lines) + "\nnot json\n").encode()
        rows, skipped, old = drift.read_inputs(data, "x.jsonl", FEATURES, NOW - dt.timedelta(hours=24))
        self.assertEqual(rows, [[5.1, 3.5, 1.4, 0.2], [6.0, 3.0, 4.0, 1.0], [6.1, 3.1, 4.1, 1.1], [7.0, 3.2, 4.7, 1.4], [1.0, 2.0, 3.0, 4.0]])
        self.assertEqual((skipped, old), (3, 0))

    def test_only_the_window_counts_by_the_records_time(self):
        data = "\n".join(
            json.dumps(capture_record(t, [5.0, 3.0, 1.0, 0.2]))
            for t in ("2024-03-01T11:59:00Z", "2024-02-29T12:00:01+00:00", "2024-02-29T11:59:59Z", "2023-01-01T00:00:00Z")
        ).encode()
        rows, skipped, old = drift.read_inputs(data, "x.jsonl", FEATURES, NOW - dt.timedelta(hours=24))
        self.assertEqual((len(rows), skipped, old), (2, 0, 2))
        # without a time (requests, CSV) a row always counts
        rows, _, old = drift.read_inputs(b'{"instances": [[5, 3, 1, 0.2]]}\n', "x.jsonl", FEATURES, NOW)
        self.assertEqual((len(rows), old), (1, 0))

    def test_reads_gzip_compressed_objects(self):
        data = gzip.compress((json.dumps(capture_record("2024-03-01T11:00:00Z", [5.1, 3.5, 1.4, 0.2])) + "\n").encode())
        self.assertEqual(drift.read_inputs(data, "a/b.jsonl.gz", FEATURES)[0], [[5.1, 3.5, 1.4, 0.2]])
        self.assertTrue(drift.is_capture("s3://m/iris/_capture/dt=2024-03-01/a.jsonl.gz", "s3://m/iris/_capture/"))
        self.assertFalse(drift.is_capture("s3://m/iris/_capture/dt=2024-03-01/a.parquet", "s3://m/iris/_capture/"))
        self.assertFalse(drift.is_capture("s3://m/iris/_capture/_tmp/a.jsonl", "s3://m/iris/_capture/"))

    def test_day_partitions_older_than_the_window_are_not_read(self):
        since = NOW - dt.timedelta(hours=24)  # 2024-02-29T12:00Z
        source = "gs://m/iris/_capture/"
        self.assertTrue(drift.partition_too_old(source + "dt=2024-02-28/x.jsonl", source, since))
        self.assertFalse(drift.partition_too_old(source + "dt=2024-02-29/x.jsonl", source, since))
        self.assertFalse(drift.partition_too_old(source + "x.jsonl", source, since))

    def test_settings_name_the_bad_variable(self):
        self.assertEqual(drift.settings({}), {"psi": 0.2, "ksAlpha": 0.05, "windowHours": 24, "minRows": 30})
        with self.assertRaisesRegex(ValueError, "MLOPS_MIN_ROWS 'many'"):
            drift.settings({"MLOPS_MIN_ROWS": "many"})
        with self.assertRaisesRegex(ValueError, "MLOPS_KS_ALPHA '2'"):
            drift.settings({"MLOPS_KS_ALPHA": "2"})


class DriftRunTest(unittest.TestCase):
    """The job on a file:// model prefix with two versions, the served one picked by MLOPS_MODEL_VERSION."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        root = self.tmp.name
        self.target, self.capture = f"file://{root}/iris/", f"file://{root}/iris/_capture/"
        rows = [[5.0 + i / 100, 3.0 + i / 200, 1.0 + i / 50, 0.2 + i / 500] for i in range(60)]
        for version, shift, created in (("old", 0.0, "2024-01-01T00:00:00Z"), ("new", 3.0, "2024-02-01T00:00:00Z")):
            baseline = {
                "model": "iris",
                "runId": version,
                "createdAt": created,
                "features": [train.feature_baseline(f, [r[j] + shift for r in rows]) for j, f in enumerate(FEATURES)],
            }
            os.makedirs(f"{root}/iris/v={version}")
            with open(f"{root}/iris/v={version}/baseline.json", "w") as f:
                json.dump(baseline, f)
        os.makedirs(f"{root}/iris/_capture/dt=2024-03-01")
        with open(f"{root}/iris/_capture/dt=2024-03-01/a.jsonl", "w") as f:
            for r in rows:
                f.write(json.dumps(capture_record("2024-03-01T11:00:00Z", r)) + "\n")

    def run_job(self, **env):
        out = Output()
        base = {"MLOPS_SOURCE_URI": self.capture, "MLOPS_TARGET_URI": self.target, "MLOPS_RUN_ID": "r1"}
        code = drift.DriftJob({**base, **env}, out).run(now=NOW)
        return code, out.lines

    def test_the_served_versions_baseline_is_compared(self):
        code, lines = self.run_job(MLOPS_MODEL_VERSION="old")
        self.assertEqual(code, 0)
        summary = lines[-1]
        self.assertEqual(summary, {"mlops": "drift-summary", "model": "iris", "driftedFeatures": 0, "features": 4, "rows": 60, "runId": "r1", "status": "ok"})
        with open(os.path.join(self.tmp.name, "iris", "_drift", "r1.json")) as f:
            self.assertTrue(json.load(f)["baseline"].endswith("/iris/v=old/baseline.json"))
        # without MLOPS_MODEL_VERSION: the newest baseline (shifted by 3 from the captured rows): every feature drifts
        code, lines = self.run_job(MLOPS_RUN_ID="r2", MLOPS_MODEL_NAME="flowers")
        self.assertEqual(code, 0)
        per_feature = [line for line in lines if line.get("mlops") == "drift"]
        self.assertEqual([(x["model"], x["feature"], x["drifted"]) for x in per_feature], [("flowers", f, True) for f in FEATURES])
        self.assertTrue(set(per_feature[0]) >= {"mlops", "model", "feature", "psi", "ksP", "drifted"})
        self.assertEqual(lines[-1]["driftedFeatures"], 4)

    def test_insufficient_data_is_a_result_not_a_failure(self):
        code, lines = self.run_job(MLOPS_MODEL_VERSION="v=old", MLOPS_MIN_ROWS="61")
        self.assertEqual(code, 0)
        self.assertEqual(lines[-1]["status"], "insufficient-data")
        self.assertEqual(lines[-1]["driftedFeatures"], 0)
        self.assertEqual([line for line in lines if line.get("mlops") == "drift"], [])

    def test_rows_outside_the_window_do_not_count(self):
        code, lines = self.run_job(MLOPS_MODEL_VERSION="old", MLOPS_WINDOW_HOURS="0.5")  # records are 1 h old
        self.assertEqual(code, 0)
        self.assertEqual((lines[-1]["status"], lines[-1]["rows"]), ("insufficient-data", 0))

    def test_a_missing_served_version_fails_naming_it(self):
        code, lines = self.run_job(MLOPS_MODEL_VERSION="gone")
        self.assertEqual(code, 1)
        self.assertTrue(any("MLOPS_MODEL_VERSION=gone" in (line.get("error") or "") for line in lines))
        self.assertFalse(any(line.get("mlops") == "drift-summary" for line in lines))


class Output:
    """Collects the JSON lines a job prints."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines += [json.loads(line) for line in text.splitlines() if line.strip()]

    def flush(self):
        pass


class FakeStore:
    def __init__(self, fail=0):
        self.fail, self.objects = fail, {}

    def put(self, uri, data, content_type):
        if self.fail:
            self.fail -= 1
            raise OSError("unavailable")
        self.objects[uri] = data.decode()


class ServeModelTest(unittest.TestCase):
    def test_loads_model_json_from_a_file_uri(self):
        with tempfile.TemporaryDirectory() as tmp:
            model = {**serve.MODEL, "name": "other", "training": {"runId": "t9"}}
            with open(os.path.join(tmp, "model.json"), "w") as f:
                json.dump(model, f)
            loaded, source = serve.load_model({"MLOPS_MODEL_URI": f"file://{tmp}/model.json"})
            self.assertEqual((loaded["name"], source), ("other", f"file://{tmp}/model.json"))

    def test_fails_clearly_when_the_model_cannot_be_read_or_is_malformed(self):
        with self.assertRaisesRegex(serve.ModelLoadError, r"cannot load the model from MLOPS_MODEL_URI=file:///nonexistent/model.json"):
            serve.load_model({"MLOPS_MODEL_URI": "file:///nonexistent/model.json"})
        with self.assertRaisesRegex(serve.ModelLoadError, "unsupported URI"):
            serve.load_model({"MLOPS_MODEL_URI": "ftp://host/model.json"})
        with self.assertRaisesRegex(serve.ModelLoadError, "weights 3 rows of 4"):
            serve.check_model({**serve.MODEL, "weights": [[1, 2, 3, 4]]}, "x")

    def test_bundled_model(self):
        self.assertEqual(serve.load_model({})[1], "bundled")
        self.assertEqual(serve.health(), {"status": "ok", "model": serve.NAME, "version": serve.VERSION})


class ServeCaptureTest(unittest.TestCase):
    def capture(self, store, **kw):
        return serve.Capture("s3://m/iris/_capture/", store, "iris", "t1", **kw)

    def test_records_one_line_per_scored_row_and_writes_one_object(self):
        store = FakeStore()
        c = self.capture(store)
        rows = [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]]
        c.add(rows, [serve.predict(r) for r in rows], FEATURES)
        self.assertTrue(c.flush())
        [(uri, body)] = store.objects.items()
        self.assertRegex(uri, r"^s3://m/iris/_capture/dt=\d{4}-\d{2}-\d{2}/\d{8}T\d{9}Z-[A-Za-z0-9.-]+-\d+-1\.jsonl$")
        records = [json.loads(line) for line in body.splitlines()]
        self.assertEqual([(r["model"], r["version"], r["prediction"]) for r in records], [("iris", "t1", "setosa"), ("iris", "t1", "virginica")])
        self.assertEqual(records[0]["features"], dict(zip(FEATURES, rows[0])))
        self.assertIsNotNone(drift.parse_time(records[0]["time"]))
        self.assertTrue(c.flush())  # nothing left: no empty object
        self.assertEqual(len(store.objects), 1)

    def test_a_full_batch_wakes_the_writer(self):
        c = self.capture(FakeStore(), batch=3)
        c.add([[1, 2, 3, 4]] * 2, [{"label": "setosa"}] * 2, FEATURES)
        self.assertFalse(c.wake.is_set())
        c.add([[1, 2, 3, 4]], [{"label": "setosa"}], FEATURES)
        self.assertTrue(c.wake.is_set())

    def test_a_failed_write_keeps_the_records_for_the_next_one(self):
        store = FakeStore(fail=1)
        c = self.capture(store)
        c.add([[1, 2, 3, 4]] * 3, [{"label": "setosa"}] * 3, FEATURES)
        self.assertFalse(c.flush())
        self.assertEqual((len(c.records), store.objects), (3, {}))
        c.add([[5, 6, 7, 8]], [{"label": "virginica"}], FEATURES)
        self.assertTrue(c.flush())
        [body] = store.objects.values()
        self.assertEqual([json.loads(line)["prediction"] for line in body.splitlines()], ["setosa"] * 3 + ["virginica"])

    def test_the_buffer_is_bounded_dropping_the_oldest_and_counting(self):
        store = FakeStore(fail=1)
        c = self.capture(store, limit=4)
        c.add([[1, 1, 1, 1]] * 3, [{"label": "a"}] * 3, FEATURES)
        c.add([[2, 2, 2, 2]] * 3, [{"label": "b"}] * 3, FEATURES)
        self.assertEqual(c.dropped, 2)
        self.assertFalse(c.flush())
        c.add([[3, 3, 3, 3]], [{"label": "c"}], FEATURES)
        self.assertEqual(c.dropped, 3)
        self.assertTrue(c.flush())
        [body] = store.objects.values()
        self.assertEqual([json.loads(line)["prediction"] for line in body.splitlines()], ["b", "b", "b", "c"])

    def test_capture_never_fails_a_prediction(self):
        c = self.capture(FakeStore())
        c.add([[float("nan"), object(), 1, 2]], [{"label": "a"}], FEATURES)  # not JSON-serialisable: logged, not raised
        self.assertEqual(len(c.records), 0)

    def test_capture_uri_must_be_a_prefix(self):
        self.assertIsNone(serve.capture_of({}, "iris", "t1"))
        with self.assertRaisesRegex(serve.ModelLoadError, "must end with `/`"):
            serve.capture_of({"MLOPS_CAPTURE_URI": "s3://m/iris/_capture"}, "iris", "t1")


if __name__ == "__main__":
    unittest.main()
