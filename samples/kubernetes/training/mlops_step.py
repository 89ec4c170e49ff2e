"""The MLflow side of the Kubernetes training loop (standard library only): wraps the training and drift jobs
and runs the delivery poll. Mounted at /mlops by components/training-pipeline/kubernetes.ts.

    python /mlops/mlops_step.py train -- python /app/train.py
        Runs the training command with MLOPS_RUN_ID set (one run id for the job, the MLflow run and the
        version), passes its output through, reads its `{"mlops":"training",...}` line, logs the run in the
        MLflow experiment named after the model (metric, gate, dataset version, trigger), and, when the job
        exits 0 with status succeeded, registers version `<target>v=<run id>/` of the registered model with
        tags `mlops.runId`, `approval` = `pending` (MLOPS_APPROVAL manual) or `approved` (automatic: also
        the alias `approved`). Exit: the command's status; 1 when registration fails.
    python /mlops/mlops_step.py drift -- python /app/drift.py
        Runs the drift command, passes its output through, logs one MLflow run in experiment `<model>-drift`
        with metrics `psi.<feature>`, `ks_p.<feature>`, `drifted.<feature>` and `drifted_features`; when
        MLOPS_RETRAIN is `true` and a feature drifted, creates a Job from the CronJob MLOPS_TRAIN_CRONJOB
        with MLOPS_TRIGGER=drift (Kubernetes API, the pod's projected service-account token).
    python /mlops/mlops_step.py deliver
        For each model of MLOPS_DELIVERY_MODELS (JSON list of {"model", "servedVersion"}), finds the newest
        version tagged `approval=approved`; when its run id is not the served version and it was not
        dispatched before, POSTs the GitHub workflow dispatch and tags the version `mlops.dispatched`.

Environment: MLFLOW_TRACKING_URI, MLOPS_MODEL_NAME, MLOPS_TARGET_URI, MLOPS_APPROVAL, MLOPS_GATE_METRIC,
MLOPS_RETRAIN, MLOPS_TRAIN_CRONJOB, MLOPS_NAMESPACE (default: the service account's), MLOPS_GITHUB_REPOSITORY,
MLOPS_GITHUB_WORKFLOW, MLOPS_GITHUB_REF, MLOPS_STACK, MLOPS_GITHUB_TOKEN_FILE, MLOPS_DELIVERY_MODELS.
Every decision is one JSON line on stdout ({"mlops": "step", ...}).
"""

import copy
import datetime as dt
import hashlib
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

APPROVED_ALIAS = "approved"
GITHUB_API = "https://api.github.com"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
JOB_TTL_SECONDS = 86400


def log(**fields):
    print(json.dumps({"mlops": "step", **fields}, sort_keys=True), flush=True)


def now_ms():
    return int(time.time() * 1000)


def run_id(env):
    """The job's run id: MLOPS_RUN_ID when given, else a UTC timestamp and a hash of the pod's name."""
    if env.get("MLOPS_RUN_ID"):
        return env["MLOPS_RUN_ID"]
    seed = env.get("HOSTNAME", "") + str(time.time())
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + hashlib.sha256(seed.encode()).hexdigest()[:8]


class MlflowError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code = status, code


class Mlflow:
    """The MLflow REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html): JSON bodies, `/api/2.0/mlflow/...`."""

    def __init__(self, base, opener=urllib.request.urlopen):
        self.base = base.rstrip("/")
        self.opener = opener

    def call(self, method, path, body=None, query=None):
        url = f"{self.base}/api/2.0/mlflow/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with self.opener(req, timeout=30) as res:
                return json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                detail = json.loads(e.read() or b"{}")
            except json.JSONDecodeError:
                detail = {}
            raise MlflowError(e.code, detail.get("error_code", ""), detail.get("message", "")) from None

    def experiment(self, name):
        try:
            return self.call("GET", "experiments/get-by-name", query={"experiment_name": name})["experiment"]["experiment_id"]
        except MlflowError as e:
            if e.code != "RESOURCE_DOES_NOT_EXIST":
                raise
        try:
            return self.call("POST", "experiments/create", {"name": name})["experiment_id"]
        except MlflowError as e:  # created meanwhile by another run
            if e.code != "RESOURCE_ALREADY_EXISTS":
                raise
            return self.call("GET", "experiments/get-by-name", query={"experiment_name": name})["experiment"]["experiment_id"]

    def start_run(self, experiment_id, name, tags):
        body = {
            "experiment_id": experiment_id,
            "run_name": name,
            "start_time": now_ms(),
            "tags": [{"key": k, "value": str(v)} for k, v in tags.items()],
        }
        return self.call("POST", "runs/create", body)["run"]["info"]["run_id"]

    def log_metric(self, run, key, value, step=0):
        self.call("POST", "runs/log-metric", {"run_id": run, "key": key, "value": float(value), "timestamp": now_ms(), "step": step})

    def log_param(self, run, key, value):
        self.call("POST", "runs/log-parameter", {"run_id": run, "key": key, "value": str(value)})

    def end_run(self, run, status):
        self.call("POST", "runs/update", {"run_id": run, "status": status, "end_time": now_ms()})

    def create_version(self, model, source, run, tags):
        try:
            self.call("POST", "registered-models/create", {"name": model})
        except MlflowError as e:
            if e.code != "RESOURCE_ALREADY_EXISTS":
                raise
        body = {"name": model, "source": source, "run_id": run, "tags": [{"key": k, "value": v} for k, v in tags.items()]}
        return self.call("POST", "model-versions/create", body)["model_version"]["version"]

    def set_version_tag(self, model, version, key, value):
        self.call("POST", "model-versions/set-tag", {"name": model, "version": version, "key": key, "value": value})

    def set_alias(self, model, alias, version):
        self.call("POST", "registered-models/alias", {"name": model, "alias": alias, "version": version})

    def versions(self, model):
        out, token = [], None
        while True:
            query = {"filter": f"name='{model}'", "max_results": 200}
            if token:
                query["page_token"] = token
            page = self.call("GET", "model-versions/search", query=query)
            out += page.get("model_versions", [])
            token = page.get("next_page_token")
            if not token:
                return out


def tags_of(version):
    return {t["key"]: t.get("value", "") for t in version.get("tags", [])}


def run_command(command, env):
    """Runs the job's command; passes its output through; returns (exit status, its JSON lines)."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            lines.append(doc)
    return proc.wait(), lines


def train(command, env, mlflow):
    rid = run_id(env)
    env = {**env, "MLOPS_RUN_ID": rid}
    status, lines = run_command(command, env)
    model = env["MLOPS_MODEL_NAME"]
    result = next((doc for doc in reversed(lines) if doc.get("mlops") == "training"), {})
    succeeded = status == 0 and result.get("status", "succeeded") == "succeeded"
    try:
        run = mlflow.start_run(
            mlflow.experiment(model),
            rid,
            {"mlops.runId": rid, "mlops.trigger": env.get("MLOPS_TRIGGER", ""), "mlops.pipeline": env.get("MLOPS_PIPELINE", "")},
        )
        for key in ("datasetVersion", "metric", "threshold"):
            if result.get(key) is not None:
                mlflow.log_param(run, key, result[key])
        if isinstance(result.get("value"), (int, float)):
            mlflow.log_metric(run, result.get("metric") or env.get("MLOPS_GATE_METRIC", "accuracy"), result["value"])
        mlflow.end_run(run, "FINISHED" if succeeded else "FAILED")
        if not succeeded:
            log(step="train", model=model, runId=rid, outcome="not-registered", status=status)
            return status or 1
        approval = "approved" if env.get("MLOPS_APPROVAL") == "automatic" else "pending"
        source = f"{env['MLOPS_TARGET_URI']}v={rid}/"
        version = mlflow.create_version(model, source, run, {"mlops.runId": rid, "approval": approval})
        if approval == "approved":
            mlflow.set_alias(model, APPROVED_ALIAS, version)
        log(step="train", model=model, runId=rid, outcome="registered", version=version, approval=approval, source=source)
        return 0
    except (MlflowError, OSError, KeyError) as e:
        log(step="train", model=model, runId=rid, outcome="failed", error=str(e))
        return 1


class KubernetesApi:
    def __init__(self, env, sa_dir=SA_DIR, opener=urllib.request.urlopen):
        self.base = env.get("MLOPS_KUBERNETES_API") or "https://{}:{}".format(
            env.get("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc"), env.get("KUBERNETES_SERVICE_PORT", "443")
        )
        self.sa_dir, self.opener = sa_dir, opener
        ca = os.path.join(sa_dir, "ca.crt")
        self.context = ssl.create_default_context(cafile=ca) if self.base.startswith("https") and os.path.exists(ca) else None

    def call(self, method, path, body=None):
        with open(os.path.join(self.sa_dir, "token"), encoding="utf-8") as f:
            token = f.read().strip()
        req = urllib.request.Request(self.base + path, data=None if body is None else json.dumps(body).encode(), method=method)
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Content-Type", "application/json")
        try:
            kwargs = {"context": self.context} if self.context else {}
            with self.opener(req, timeout=10, **kwargs) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, {}


def retrain_job(cron_job, namespace, now):
    """A Job from the training CronJob's template, marked MLOPS_TRIGGER=drift (one per minute: later ones coalesce)."""
    template = copy.deepcopy(cron_job["spec"]["jobTemplate"])
    spec = template["spec"]
    for container in spec["template"]["spec"].get("containers", []):
        container["env"] = [e for e in container.get("env", []) if e.get("name") != "MLOPS_TRIGGER"]
        container["env"].append({"name": "MLOPS_TRIGGER", "value": "drift"})
    spec["ttlSecondsAfterFinished"] = JOB_TTL_SECONDS
    name = cron_job["metadata"]["name"]
    meta = template.get("metadata") or {}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{name}-d-{int(now // 60)}",
            "namespace": namespace,
            "labels": {**(meta.get("labels") or {}), "mlops.dev/trigger": "drift"},
            "annotations": {"cronjob.kubernetes.io/instantiate": "manual", "mlops.dev/requested-by": "drift"},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name, "uid": cron_job["metadata"]["uid"]}],
        },
        "spec": spec,
    }


def start_retraining(env, api, now=None):
    namespace = env.get("MLOPS_NAMESPACE")
    if not namespace:
        with open(os.path.join(api.sa_dir, "namespace"), encoding="utf-8") as f:
            namespace = f.read().strip()
    ns, cron = urllib.parse.quote(namespace), urllib.parse.quote(env["MLOPS_TRAIN_CRONJOB"])
    status, cron_job = api.call("GET", f"/apis/batch/v1/namespaces/{ns}/cronjobs/{cron}")
    if status != 200:
        return f"GET CronJob answered {status}"
    body = retrain_job(cron_job, namespace, time.time() if now is None else now)
    status, _ = api.call("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", body)
    return {200: "started", 201: "started", 409: "coalesced"}.get(status, f"POST Job answered {status}")


def drift(command, env, mlflow, api=None):
    rid = run_id(env)
    env = {**env, "MLOPS_RUN_ID": rid}
    status, lines = run_command(command, env)
    model = env["MLOPS_MODEL_NAME"]
    features = [d for d in lines if d.get("mlops") == "drift" and isinstance(d.get("feature"), str)]
    summary = next((d for d in reversed(lines) if d.get("mlops") == "drift-summary"), None)
    drifted = int(summary.get("driftedFeatures", 0)) if summary else sum(1 for d in features if d.get("drifted"))
    try:
        run = mlflow.start_run(mlflow.experiment(f"{model}-drift"), rid, {"mlops.runId": rid, "mlops.pipeline": env.get("MLOPS_PIPELINE", "")})
        for d in features:
            for key, name in (("psi", "psi"), ("ksP", "ks_p")):
                if isinstance(d.get(key), (int, float)):
                    mlflow.log_metric(run, f"{name}.{d['feature']}", d[key])
            mlflow.log_metric(run, f"drifted.{d['feature']}", 1 if d.get("drifted") else 0)
        mlflow.log_metric(run, "drifted_features", drifted)
        mlflow.end_run(run, "FINISHED" if status == 0 else "FAILED")
    except (MlflowError, OSError, KeyError) as e:
        log(step="drift", model=model, runId=rid, outcome="mlflow-failed", error=str(e))
    outcome = "no-drift" if drifted == 0 else "drift"
    if drifted > 0 and env.get("MLOPS_RETRAIN") == "true":
        outcome = start_retraining(env, api or KubernetesApi(env))
    log(step="drift", model=model, runId=rid, driftedFeatures=drifted, outcome=outcome)
    return status


def dispatch_body(env, model, version):
    return {"ref": env["MLOPS_GITHUB_REF"], "inputs": {"stack": env["MLOPS_STACK"], "model": model, "version": version}}


def deliver(env, mlflow, opener=urllib.request.urlopen):
    with open(env["MLOPS_GITHUB_TOKEN_FILE"], encoding="utf-8") as f:
        token = f.read().strip()
    url = f"{GITHUB_API}/repos/{env['MLOPS_GITHUB_REPOSITORY']}/actions/workflows/{env['MLOPS_GITHUB_WORKFLOW']}/dispatches"
    failed = 0
    for entry in json.loads(env["MLOPS_DELIVERY_MODELS"]):
        model, served = entry["model"], (entry.get("servedVersion") or "")
        try:
            approved = [v for v in mlflow.versions(model) if tags_of(v).get("approval") == "approved"]
        except (MlflowError, OSError) as e:
            log(step="deliver", model=model, outcome="failed", error=str(e))
            failed += 1
            continue
        if not approved:
            log(step="deliver", model=model, outcome="nothing-approved")
            continue
        newest = max(approved, key=lambda v: int(v.get("creation_timestamp", 0)))
        tags = tags_of(newest)
        rid = tags.get("mlops.runId", "")
        if not rid or rid == served.removeprefix("v="):
            log(step="deliver", model=model, outcome="already-served", runId=rid)
            continue
        if tags.get("mlops.dispatched"):
            log(step="deliver", model=model, outcome="already-dispatched", runId=rid, at=tags["mlops.dispatched"])
            continue
        req = urllib.request.Request(url, data=json.dumps(dispatch_body(env, model, rid)).encode(), method="POST")
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("Content-Type", "application/json")
        try:
            with opener(req, timeout=30) as res:
                status = res.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError as e:
            status = str(e)
        if status != 204:
            log(step="deliver", model=model, outcome="failed", runId=rid, reason=f"GitHub answered {status}")
            failed += 1
            continue
        mlflow.set_version_tag(model, newest["version"], "mlops.dispatched", dt.datetime.now(dt.timezone.utc).isoformat())
        log(step="deliver", model=model, outcome="dispatched", runId=rid, version=newest["version"])
    return 1 if failed else 0


def main(argv):
    if not argv or argv[0] not in ("train", "drift", "deliver"):
        print("usage: mlops_step.py train|drift -- COMMAND... | deliver", file=sys.stderr)
        return 2
    env = dict(os.environ)
    mlflow = Mlflow(env["MLFLOW_TRACKING_URI"])
    if argv[0] == "deliver":
        return deliver(env, mlflow)
    command = argv[2:] if len(argv) > 1 and argv[1] == "--" else argv[1:]
    if not command:
        print("a command to run is required after --", file=sys.stderr)
        return 2
    return (train if argv[0] == "train" else drift)(command, env, mlflow)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
