/**
 * The generated Airflow DAG files, executed by python3 against a stand-in `airflow` package that records
 * what the DAG declares (Airflow itself is not installed here): the DAG's id, schedule, retries and timeout,
 * and the operator's exact arguments.
 */
import { runDag } from "../harness/airflow";
import * as assert from "node:assert/strict";
import { AirflowDagSpec, airflowDag, pythonLiteral } from "../../components/data-pipeline/airflow-dag";

const run = (dag: string) => runDag(dag, ["airflow.providers.amazon.aws.operators.ecs.EcsRunTaskOperator"]);

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
        assert.deepEqual(task, { operator: "EcsRunTaskOperator", module: spec.task.module, task_id: "run", ...spec.task.kwargs });
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
