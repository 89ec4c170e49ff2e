/**
 * The generated Airflow DAG files, executed by python3 against a stand-in `airflow` package that records
 * what the DAG declares (Airflow itself is not installed here): the DAG's id, schedule, retries and timeout,
 * and the operator's exact arguments.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AirflowDagSpec, airflowDag, pythonLiteral } from "../../components/data-pipeline/airflow-dag";

/** A minimal `airflow` package: DAG as a context manager and any operator recording its kwargs. */
const STUB = {
    "airflow/__init__.py": `
import json
RECORD = {}
class DAG:
    def __init__(self, **kwargs):
        RECORD["dag"] = {k: (v.total_seconds() if hasattr(v, "total_seconds") else v) for k, v in kwargs.items() if k != "start_date" and k != "default_args"}
        RECORD["default_args"] = {k: (v.total_seconds() if hasattr(v, "total_seconds") else v) for k, v in kwargs["default_args"].items()}
    def __enter__(self):
        return self
    def __exit__(self, *args):
        return False
class _Operator:
    def __init__(self, **kwargs):
        RECORD["task"] = {"operator": type(self).__name__, **kwargs}
`,
    "airflow/providers/__init__.py": "",
    "airflow/providers/amazon/__init__.py": "",
    "airflow/providers/amazon/aws/__init__.py": "",
    "airflow/providers/amazon/aws/operators/__init__.py": "",
    "airflow/providers/amazon/aws/operators/ecs.py": "from airflow import _Operator\nclass EcsRunTaskOperator(_Operator):\n    pass\n",
};

function run(dag: string): any {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-dag-"));
    for (const [file, text] of Object.entries(STUB)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    fs.writeFileSync(path.join(dir, "dag.py"), dag);
    const script = "import json, runpy, airflow; runpy.run_path('dag.py'); print(json.dumps(airflow.RECORD))";
    return JSON.parse(execFileSync("python3", ["-c", script], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } }).toString());
}

const spec: AirflowDagSpec = {
    dagId: "iris-etl",
    description: "raw/iris/ -> curated/iris/",
    schedule: "0 3 * * *",
    retries: 2,
    timeoutMinutes: 30,
    task: {
        module: "airflow.providers.amazon.aws.operators.ecs",
        operator: "EcsRunTaskOperator",
        kwargs: {
            cluster: "mlops-aws-dev-pipelines",
            task_definition: "mlops-aws-dev-iris-etl",
            launch_type: "FARGATE",
            overrides: { containerOverrides: [{ name: "job", environment: [{ name: "MLOPS_TRIGGER", value: "schedule" }] }] },
            network_configuration: { awsvpcConfiguration: { subnets: ["subnet-1", "subnet-2"], assignPublicIp: "DISABLED" } },
            wait_for_completion: true,
            reattach: false,
            propagate_tags: null,
        },
    },
};

describe("Airflow DAGs for pipelines", () => {
    it("declares the DAG on the pipeline's schedule, one run at a time, with its retries and timeout", () => {
        const record = run(airflowDag(spec));
        assert.deepEqual(record.dag, {
            dag_id: "iris-etl",
            description: "raw/iris/ -> curated/iris/",
            schedule: "0 3 * * *",
            catchup: false,
            max_active_runs: 1,
            tags: ["mlops", "pipeline"],
        });
        assert.deepEqual(record.default_args, { retries: 2, retry_delay: 300, execution_timeout: 1800 });
    });

    it("starts the job with the operator's exact arguments", () => {
        const { task } = run(airflowDag(spec));
        assert.deepEqual(task, { operator: "EcsRunTaskOperator", task_id: "run", ...spec.task.kwargs });
    });

    it("writes a DAG that only runs when triggered when there is no schedule", () => {
        assert.equal(run(airflowDag({ ...spec, schedule: undefined })).dag.schedule, null);
    });

    it("writes Python literals, escaping strings", () => {
        assert.equal(
            pythonLiteral({ a: [1, true, null, 'quote " and \\ and \n'] }),
            '{"a": [1, True, None, "quote \\" and \\\\ and \\n"]}',
        );
    });

    it("fails on an operator or argument that is not a Python name", () => {
        assert.throws(() => airflowDag({ ...spec, task: { ...spec.task, operator: "Ecs; import os" } }), /not a Python import/);
        assert.throws(
            () => airflowDag({ ...spec, task: { ...spec.task, kwargs: { "bad-name": 1 } } }),
            /not a Python keyword argument name/,
        );
    });
});
