/**
 * A stand-in `airflow` package for running generated DAG files with python3 (Airflow itself is not
 * installed here): `DAG` records its arguments, and each named operator class records its keyword
 * arguments. What a DAG declares is returned as JSON: `dag` (its arguments but start_date and
 * default_args), `default_args` (timedeltas in seconds) and `task` (`operator`, `module` and the kwargs).
 */
import { execFileSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const AIRFLOW_INIT = `
RECORD = {}
class DAG:
    def __init__(self, **kwargs):
        RECORD["dag"] = {k: v for k, v in kwargs.items() if k not in ("start_date", "default_args")}
        RECORD["default_args"] = {k: (v.total_seconds() if hasattr(v, "total_seconds") else v) for k, v in kwargs["default_args"].items()}
    def __enter__(self):
        return self
    def __exit__(self, *args):
        return False
class _Operator:
    def __init__(self, **kwargs):
        RECORD["task"] = {"operator": type(self).__name__, "module": type(self).__module__, **kwargs}
`;

export interface DagRecord {
    readonly dag: Record<string, any>;
    readonly default_args: Record<string, any>;
    readonly task: Record<string, any>;
}

/**
 * Runs `dag` (a DAG file's text) against the stand-in, with `operators` the classes it may import, as
 * `module.Class` (e.g. `airflow.providers.amazon.aws.operators.ecs.EcsRunTaskOperator`).
 */
export function runDag(dag: string, operators: readonly string[]): DagRecord {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-dag-"));
    const files = new Map<string, string>([["airflow/__init__.py", AIRFLOW_INIT]]);
    for (const operator of operators) {
        const parts = operator.split(".");
        const cls = parts.pop()!;
        for (let i = 1; i < parts.length; i++) {
            const pkg = `${parts.slice(0, i).join("/")}/__init__.py`;
            if (!files.has(pkg)) files.set(pkg, "");
        }
        const module = `${parts.join("/")}.py`;
        files.set(module, `${files.get(module) ?? "from airflow import _Operator\n"}class ${cls}(_Operator):\n    pass\n`);
    }
    for (const [file, text] of files) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    fs.writeFileSync(path.join(dir, "dag.py"), dag);
    const script = "import json, runpy, airflow; runpy.run_path('dag.py'); print(json.dumps(airflow.RECORD))";
    return JSON.parse(
        execFileSync("python3", ["-c", script], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } }).toString(),
    ) as DagRecord;
}
