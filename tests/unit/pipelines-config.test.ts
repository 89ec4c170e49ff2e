/**
 * `mlops:pipelines` as the config parser reads it: defaults, and every rule the whole config decides
 * (zones, prefixes, overlaps, schedules per scheduler, triggers and accelerators per target), each reported
 * at the key the user wrote, all at once.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { parseStackConfig } from "../../stacks/config/parse";
import { configProblems, hasProblem } from "../harness";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const opts = { project: "mlops", stack: "t", projectRoot: ROOT };
const job = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    source: "raw/iris/",
    target: "curated/iris/",
    schedule: "0 3 * * *",
};

const kubernetes = (pipelines: unknown): Record<string, string> => ({
    "mlops:cloud": "kubernetes",
    "mlops:environment": "dev",
    "mlops:pipelines": JSON.stringify(pipelines),
});
/** The shipped aws-dev stack with `mlops:pipelines` replaced. */
const aws = (pipelines: unknown): Record<string, string> => ({
    ...loadStackConfig(ROOT, "aws-dev").config,
    "mlops:pipelines": JSON.stringify(pipelines),
});

const problemsOf = (raw: Record<string, string>): readonly string[] => configProblems(raw, opts);
const has = hasProblem;

describe("mlops:pipelines", () => {
    it("defaults to no pipelines and the target's first runner", () => {
        const c = parseStackConfig(kubernetes({}), opts);
        assert.deepEqual(c.pipelines, { implementation: "cronjob", orchestrator: "native", jobs: [], streams: [] });
    });

    it("reads a job with its defaults", () => {
        const c = parseStackConfig(kubernetes({ jobs: [{ ...job, onArrival: true }] }), opts);
        assert.deepEqual(c.pipelines.jobs[0], {
            name: "iris-etl",
            image: "python:3.12.12-slim-bookworm",
            command: ["python", "/app/etl.py"],
            args: [],
            env: {},
            files: undefined,
            source: { zone: "raw", prefix: "iris/" },
            target: { zone: "curated", prefix: "iris/" },
            schedule: "0 3 * * *",
            onArrival: true,
            cpuMillicores: 500,
            memoryMiB: 1024,
            accelerator: undefined,
            timeoutMinutes: 60,
            retries: 2,
        });
    });

    it("reads the job's files and a whole zone as a location", () => {
        const c = parseStackConfig(kubernetes({ jobs: [{ ...job, files: "samples/model", source: "raw" }] }), opts);
        assert.deepEqual(c.pipelines.jobs[0].source, { zone: "raw", prefix: "" });
        assert.ok(c.pipelines.jobs[0].files?.["serve.py"]);
    });

    it("fails with every pipeline problem at once, each at its key", () => {
        const problems = problemsOf(
            kubernetes({
                jobs: [
                    { ...job, source: "bronze/iris/", target: "curated/../models/" },
                    { ...job, name: "second", source: "raw/x/", target: "raw/x/out/", schedule: "0 25 * * *" },
                    { ...job, name: "third", source: "raw/y/", target: "/curated/y/" },
                    { name: "Never", image: "python:latest", command: ["python"], source: "raw/z/", target: "features/z/" },
                    { ...job, name: "iris-etl", source: "raw/w/", target: "features/w" },
                ],
                streams: [{ name: "events", target: "raw/events/" }],
            }),
        );
        has(problems, "mlops:pipelines.jobs[0].source:", "names zone `bronze`", "Allowed: raw, curated, features, models");
        has(problems, "mlops:pipelines.jobs[0].target:", "no `..`");
        has(problems, "mlops:pipelines.jobs[1].target:", "overlaps its source raw/x/");
        has(problems, "mlops:pipelines.jobs[1].schedule:", 'the hour field "25"');
        has(problems, "mlops:pipelines.jobs[2].target:", "starts with `/`");
        has(problems, "mlops:pipelines.jobs[3].name:", "must be 1-24 lowercase");
        has(problems, "mlops:pipelines.jobs[3].image:", "must be pinned");
        has(problems, "mlops:pipelines.jobs[3]:", "never runs");
        has(problems, "mlops:pipelines.jobs[4].name:", "is used by another pipeline or stream");
        has(problems, "mlops:pipelines.jobs[4].target:", "folders of lowercase letters");
        has(problems, "mlops:pipelines.streams:", "is not offered when mlops:cloud is kubernetes");
        assert.equal(new Set(problems).size, problems.length, "no problem listed twice");
    });

    it("fails when two jobs write the same prefix, or one inside the other", () => {
        const problems = problemsOf(
            kubernetes({
                jobs: [
                    job,
                    { ...job, name: "b", source: "raw/b/", target: "curated/" },
                    { ...job, name: "c", source: "raw/c/", target: "features/c/" },
                ],
            }),
        );
        has(problems, "mlops:pipelines.jobs[1].target:", "overlaps the target of mlops:pipelines.jobs[0] (curated/iris/)");
        assert.ok(!problems.some((p) => p.startsWith("mlops:pipelines.jobs[2]")), problems.join("\n"));
    });

    it("takes an accelerator where the runner offers one (a Kubernetes CronJob)", () => {
        const c = parseStackConfig(kubernetes({ jobs: [{ ...job, accelerator: "nvidia-t4" }] }), opts);
        assert.deepEqual(c.pipelines.jobs[0].accelerator, { type: "nvidia-t4", count: 1 });
    });

    it("fails on Airflow where the target offers none, saying why", () => {
        const raw = { ...loadStackConfig(ROOT, "azure-dev").config, "mlops:pipelines": JSON.stringify({ orchestrator: "airflow" }) };
        has(problemsOf(raw), "mlops:pipelines.orchestrator:", "is not offered when mlops:cloud is azure", "no managed Airflow");
    });

    describe("on AWS", () => {
        it("fails on a schedule EventBridge Scheduler cannot express and an accelerator Fargate does not offer", () => {
            const problems = problemsOf(
                aws({
                    jobs: [
                        {
                            ...job,
                            image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
                            schedule: "0 3 1 * MON",
                            accelerator: "nvidia-t4",
                        },
                    ],
                }),
            );
            has(problems, "mlops:pipelines.jobs[0].schedule:", "restricts both the day of month and the day of week");
            has(problems, "mlops:pipelines.jobs[0].accelerator:", "is not offered by pipelines implementation `ecs-fargate`");
        });

        it("fails when glue is given no script files", () => {
            const problems = problemsOf(aws({ implementation: "glue", jobs: [{ ...job, image: undefined }] }));
            has(problems, "mlops:pipelines.jobs[0].files:", "is required by implementation `glue`");
            assert.ok(!problems.some((p) => p.startsWith("mlops:pipelines.jobs[0].image")), problems.join("\n"));
        });

        it("fails on a runner the target does not offer, listing those it does", () => {
            const problems = problemsOf(aws({ implementation: "cloud-run-jobs", jobs: [] }));
            has(problems, "mlops:pipelines.implementation:", "Allowed: ecs-fargate, glue");
        });

        it("fails on a stream outside the raw zone", () => {
            const problems = problemsOf(aws({ streams: [{ name: "events", target: "curated/events/" }] }));
            has(problems, "mlops:pipelines.streams[0].target:", "must be in the raw zone");
        });
    });
});
