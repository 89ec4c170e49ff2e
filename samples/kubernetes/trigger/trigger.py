"""In-cluster trigger for on-arrival data pipelines (Kubernetes target). Standard library only.

MinIO posts a bucket notification here for every object created under a pipeline's source prefix
(webhook target PIPELINES, `mc event add` in the data lake's setup Job). For each event the trigger
  1. checks the shared token (MinIO sends `Authorization: Bearer <token>`),
  2. parses the records and keeps `s3:ObjectCreated:*` events,
  3. routes each object to the pipelines whose source bucket and prefix contain it,
  4. creates a Job from the pipeline's CronJob (like `kubectl create job --from=cronjob/...`), with
     MLOPS_TRIGGER=arrival, through the Kubernetes API with its service account token.
Runs of one pipeline started in the same minute are coalesced into one Job (a 409 means a run of that
minute exists; the job skips inputs it already processed, so the next run picks up what that one missed).

Training pipelines (`mlops:models[].training` with onNewData) are routes too: their CronJob lives in the
training namespace (`namespace`), they match only keys ending in their `suffix` (`/_manifest.json`: a
dataset version is complete), and the Job gets MLOPS_TRIGGER=new-data and MLOPS_DATASET_VERSION=v=<run id>
(the `v=...` folder of the manifest).

With `mlops:pipelines.orchestrator: airflow`, Airflow schedules the pipelines (their CronJobs are suspended)
and each DAG calls `POST /run/<pipeline>` with `Authorization: Bearer <run token>` (Airflow's own token,
not MinIO's). The trigger creates a Job from the pipeline's CronJob with MLOPS_TRIGGER=schedule and answers
201 (started), 200 (a run of that minute exists), 401, 404 (no such pipeline) or 503 (the Kubernetes API
failed: Airflow retries the task). Runs are counted in mlops_trigger_runs_total{outcome=...}.

Nothing is dropped silently: every event the trigger cannot act on is logged as one JSON line on stdout
and counted in /metrics (mlops_trigger_events_total{outcome=...}). There is no durable dead-letter
queue on this target: when the Kubernetes API fails the trigger answers 503, so MinIO keeps the event
in its queue directory and sends it again; events that can never start a run (unknown prefix, bad
token, malformed body) are answered 2xx/4xx and exist only in these logs and counters.

Configuration (environment):
  MLOPS_TRIGGER_ROUTES      JSON list of {"pipeline", "cronJob", "bucket", "prefix"} and, for training routes,
                            "namespace", "suffix" and "trigger" (`new-data`)
  MLOPS_TRIGGER_TOKEN_FILE  file holding the shared token
  MLOPS_TRIGGER_PIPELINES   JSON list of {"pipeline", "cronJob"} that POST /run/<pipeline> may start (optional)
  MLOPS_TRIGGER_RUN_TOKEN_FILE  file holding the token of POST /run/<pipeline> (optional: without it, /run is refused)
  MLOPS_NAMESPACE           namespace of the CronJobs (default: the service account's namespace)
  MLOPS_KUBERNETES_API      API server URL (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)
  MLOPS_SERVICE_ACCOUNT_DIR token, ca.crt and namespace (default: /var/run/secrets/kubernetes.io/serviceaccount)
  PORT, HOST                where to listen (default 8080 on all interfaces)
"""

import copy
import hmac
import re
import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY_BYTES = 1024 * 1024
ARRIVAL_JOB_TTL_SECONDS = 86400
OUTCOMES = ("started", "coalesced", "ignored", "unrouted", "unauthorized", "invalid", "failed")
RUN_OUTCOMES = ("started", "coalesced", "unknown", "unauthorized", "failed")
RUN_PATH = re.compile(r"^/run/([a-z]([a-z0-9-]{0,22}[a-z0-9])?)$")


def log(**fields):
    """One JSON line per decision: what happened to which object, and why."""
    print(json.dumps(fields, sort_keys=True), flush=True)


class Counters:
    def __init__(self, metric="mlops_trigger_events_total", what="Object events received", outcomes=OUTCOMES):
        self._lock = threading.Lock()
        self._metric = metric
        self._what = what
        self._counts = {outcome: 0 for outcome in outcomes}

    def add(self, outcome, n=1):
        with self._lock:
            self._counts[outcome] += n

    def render(self):
        with self._lock:
            lines = [
                f"# HELP {self._metric} {self._what}, by what the trigger did with them.",
                f"# TYPE {self._metric} counter",
            ]
            lines += [f'{self._metric}{{outcome="{k}"}} {v}' for k, v in sorted(self._counts.items())]
            return "\n".join(lines) + "\n"


def check_token(header, token):
    """Whether the Authorization header carries the shared token (constant-time comparison)."""
    if not token or not header:
        return False
    return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def parse_event(body):
    """The (event name, bucket, key) of each record of a MinIO notification; raises ValueError if malformed."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"body is not JSON: {e}") from None
    records = doc.get("Records") if isinstance(doc, dict) else None
    if not isinstance(records, list) or not records:
        raise ValueError("no Records")
    events = []
    for record in records:
        try:
            name = record["eventName"]
            bucket = record["s3"]["bucket"]["name"]
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        except (KeyError, TypeError):
            raise ValueError("a record lacks eventName, s3.bucket.name or s3.object.key") from None
        if not all(isinstance(v, str) for v in (name, bucket, key)):
            raise ValueError("eventName, bucket and key must be strings")
        events.append((name, bucket, key))
    return events


def routes_for(routes, bucket, key):
    """The routes whose source bucket and prefix contain the object (never a key outside the prefix), and whose
    suffix, if any, ends the key."""
    return [
        r
        for r in routes
        if r["bucket"] == bucket and key.startswith(r["prefix"]) and key != r["prefix"] and key.endswith(r.get("suffix") or "")
    ]


def dataset_version(prefix, key):
    """`v=<run id>` of a dataset version's manifest key (`<prefix>v=<run id>/_manifest.json`), or None."""
    first = key[len(prefix) :].split("/", 1)[0]
    return first if first.startswith("v=") and len(first) > 2 else None


def job_name(cron_job, now, trigger="arrival"):
    """One Job per pipeline, trigger and minute: later requests of that minute coalesce into it (409)."""
    return f"{cron_job}-{trigger[0]}-{int(now // 60)}"


def job_body(cron_job, namespace, bucket, key, now, trigger="arrival", extra_env=None):
    """The Job the trigger creates from a CronJob object (as read from the API): its jobTemplate, marked as an
    `arrival` run (of object bucket/key), a `new-data` training run (of a dataset manifest), or a `schedule`
    run (requested by Airflow)."""
    template = copy.deepcopy(cron_job["spec"]["jobTemplate"])
    meta = template.get("metadata") or {}
    spec = template["spec"]
    pod = spec["template"]["spec"]
    for container in pod.get("containers", []):
        added = {"MLOPS_TRIGGER": trigger, **(extra_env or {})}
        env = [e for e in container.get("env", []) if e.get("name") not in added]
        env += [{"name": name, "value": value} for name, value in added.items()]
        container["env"] = env
    spec["ttlSecondsAfterFinished"] = ARRIVAL_JOB_TTL_SECONDS
    name = cron_job["metadata"]["name"]
    cause = {"mlops.dev/object": f"{bucket}/{key}"[:1024]} if key is not None else {"mlops.dev/requested-by": "airflow"}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name(name, now, trigger),
            "namespace": namespace,
            "labels": {**(meta.get("labels") or {}), "mlops.dev/trigger": trigger},
            "annotations": {
                **(meta.get("annotations") or {}),
                "cronjob.kubernetes.io/instantiate": "manual",
                **cause,
            },
            # Deleted with its CronJob; not its controller, so the CronJob's Forbid and history leave it alone.
            "ownerReferences": [
                {"apiVersion": "batch/v1", "kind": "CronJob", "name": name, "uid": cron_job["metadata"]["uid"]}
            ],
        },
        "spec": spec,
    }


class KubernetesApi:
    def __init__(self, base, sa_dir):
        self.base = base.rstrip("/")
        self.sa_dir = sa_dir
        ca = os.path.join(sa_dir, "ca.crt")
        self.context = ssl.create_default_context(cafile=ca) if base.startswith("https") and os.path.exists(ca) else None

    def call(self, method, path, body=None):
        # Projected tokens rotate: read the file on every call.
        with open(os.path.join(self.sa_dir, "token"), encoding="utf-8") as f:
            token = f.read().strip()
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10, context=self.context) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                detail = json.loads(e.read() or b"{}")
            except json.JSONDecodeError:
                detail = {}
            return e.code, detail


class Trigger:
    def __init__(self, routes, token, namespace, api, clock=time.time, pipelines=(), run_token=None):
        self.routes = routes
        self.token = token
        self.namespace = namespace
        self.api = api
        self.clock = clock
        self.counters = Counters()
        self.pipelines = {p["pipeline"]: p for p in pipelines}
        self.run_token = run_token
        self.run_counters = Counters("mlops_trigger_runs_total", "Run requests received (POST /run/<pipeline>)", RUN_OUTCOMES)

    def start_run(self, route, bucket, key, trigger="arrival"):
        """Creates the Job; returns an outcome: started, coalesced or failed."""
        namespace = route.get("namespace") or self.namespace
        ns = urllib.parse.quote(namespace)
        what = {"object": f"{bucket}/{key}"} if key is not None else {"trigger": trigger}
        extra_env = {}
        if trigger == "new-data" and key is not None:
            version = dataset_version(route["prefix"], key)
            if version:
                extra_env["MLOPS_DATASET_VERSION"] = version
        status, cron_job = self.api.call("GET", f"/apis/batch/v1/namespaces/{ns}/cronjobs/{urllib.parse.quote(route['cronJob'])}")
        if status != 200:
            log(outcome="failed", pipeline=route["pipeline"], reason=f"GET CronJob answered {status}", **what)
            return "failed"
        body = job_body(cron_job, namespace, bucket, key, self.clock(), trigger, extra_env)
        status, answer = self.api.call("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", body)
        if status in (200, 201):
            log(outcome="started", pipeline=route["pipeline"], job=body["metadata"]["name"], **what)
            return "started"
        if status == 409:
            log(outcome="coalesced", pipeline=route["pipeline"], job=body["metadata"]["name"], **what)
            return "coalesced"
        log(outcome="failed", pipeline=route["pipeline"], reason=f"POST Job answered {status}: {answer.get('message', '')}", **what)
        return "failed"

    def handle_run(self, authorization, pipeline):
        """(HTTP status, reply) for `POST /run/<pipeline>`: a scheduled run, as the suspended CronJob would start it."""
        if not check_token(authorization, self.run_token):
            self.run_counters.add("unauthorized")
            log(outcome="unauthorized", pipeline=pipeline, reason="missing or wrong run token")
            return 401, {"error": "unauthorized"}
        route = self.pipelines.get(pipeline)
        if route is None:
            self.run_counters.add("unknown")
            log(outcome="unknown", pipeline=pipeline, reason="no such pipeline")
            return 404, {"error": f"no pipeline {pipeline}"}
        outcome = self.start_run(route, None, None, "schedule")
        self.run_counters.add(outcome)
        return {"started": 201, "coalesced": 200}.get(outcome, 503), {"result": outcome}

    def handle(self, authorization, body):
        """(HTTP status, reply) for one notification."""
        if not check_token(authorization, self.token):
            self.counters.add("unauthorized")
            log(outcome="unauthorized", reason="missing or wrong bearer token")
            return 401, {"error": "unauthorized"}
        try:
            events = parse_event(body)
        except ValueError as e:
            self.counters.add("invalid")
            log(outcome="invalid", reason=str(e))
            return 400, {"error": str(e)}
        results = []
        for name, bucket, key in events:
            if not name.startswith("s3:ObjectCreated:"):
                self.counters.add("ignored")
                log(outcome="ignored", object=f"{bucket}/{key}", reason=f"event {name} is not an object creation")
                results.append("ignored")
                continue
            matched = routes_for(self.routes, bucket, key)
            if not matched:
                self.counters.add("unrouted")
                log(outcome="unrouted", object=f"{bucket}/{key}", reason="no pipeline reads this bucket and prefix")
                results.append("unrouted")
                continue
            for route in matched:
                outcome = self.start_run(route, bucket, key, route.get("trigger") or "arrival")
                self.counters.add(outcome)
                results.append(outcome)
        # 503 makes MinIO keep the event in its queue and send it again.
        return (503 if "failed" in results else 200), {"results": results}


def make_handler(trigger):
    class Handler(BaseHTTPRequestHandler):
        server_version = "mlops-trigger"

        def reply(self, status, payload, content_type="application/json"):
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_HEAD(self):  # MinIO probes the endpoint with HEAD before it sends.
            self.reply(200, "")

        def do_GET(self):
            if self.path == "/healthz":
                self.reply(200, "ok\n", "text/plain")
            elif self.path == "/metrics":
                self.reply(200, trigger.counters.render() + trigger.run_counters.render(), "text/plain; version=0.0.4")
            else:
                self.reply(404, {"error": "not found"})

        def do_POST(self):
            run = RUN_PATH.match(self.path)
            if run:
                # The body, if any, is not used: the run is the CronJob's template as it is.
                length = int(self.headers.get("Content-Length") or 0)
                if 0 < length <= MAX_BODY_BYTES:
                    self.rfile.read(length)
                status, payload = trigger.handle_run(self.headers.get("Authorization"), run.group(1))
                self.reply(status, payload)
                return
            if self.path != "/events":
                self.reply(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                trigger.counters.add("invalid")
                log(outcome="invalid", reason=f"body of {length} bytes is larger than {MAX_BODY_BYTES}")
                self.reply(413, {"error": "too large"})
                return
            status, payload = trigger.handle(self.headers.get("Authorization"), self.rfile.read(length))
            self.reply(status, payload)

        def log_message(self, *args):  # Decisions are logged as JSON lines; no access log.
            pass

    return Handler


def from_environment():
    sa_dir = os.environ.get("MLOPS_SERVICE_ACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
    namespace = os.environ.get("MLOPS_NAMESPACE")
    if not namespace:
        with open(os.path.join(sa_dir, "namespace"), encoding="utf-8") as f:
            namespace = f.read().strip()
    api = os.environ.get("MLOPS_KUBERNETES_API") or "https://{}:{}".format(
        os.environ.get("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    )
    with open(os.environ["MLOPS_TRIGGER_TOKEN_FILE"], encoding="utf-8") as f:
        token = f.read().strip()
    run_token = None
    if os.environ.get("MLOPS_TRIGGER_RUN_TOKEN_FILE"):
        with open(os.environ["MLOPS_TRIGGER_RUN_TOKEN_FILE"], encoding="utf-8") as f:
            run_token = f.read().strip()
    routes = json.loads(os.environ["MLOPS_TRIGGER_ROUTES"])
    pipelines = json.loads(os.environ.get("MLOPS_TRIGGER_PIPELINES") or "[]")
    return Trigger(routes, token, namespace, KubernetesApi(api, sa_dir), pipelines=pipelines, run_token=run_token)


def main():
    trigger = from_environment()
    server = ThreadingHTTPServer((os.environ.get("HOST", ""), int(os.environ.get("PORT", "8080"))), make_handler(trigger))
    log(outcome="listening", port=server.server_address[1], routes=trigger.routes)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
