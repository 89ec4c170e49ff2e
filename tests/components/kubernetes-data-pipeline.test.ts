import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { KubernetesDataPipelines } from "../../components/data-pipeline/kubernetes";
import { KubernetesDataPipelinesArgs, triggerEndpoint } from "../../components/data-pipeline/kubernetes-args";
import { MinioDataLake } from "../../components/data-lake/kubernetes";
import { MinioDataLakeArgs } from "../../components/data-lake/kubernetes-args";
import { NOTIFY_ARN, pipelinePolicyJson, setupScript } from "../../components/data-lake/kubernetes-minio";
import { parseStackConfig } from "../../stacks/config/parse";
import { CapturedResource, captureResources, ofType, only, podSpec, rejectedBuild } from "../harness";

const NS = "mlops-t-pipelines";
const LAKE_NS = "mlops-t-lake";
const job = {
    name: "iris-etl",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/etl.py"],
    files: { "etl.py": "print('etl')\n" },
    source: { zone: "raw", prefix: "iris/" },
    target: { zone: "curated", prefix: "iris/" },
    schedule: "0 3 * * *",
    onArrival: true,
    cpuMillicores: 500,
    memoryMiB: 1024,
    timeoutMinutes: 30,
    retries: 2,
};
const args: KubernetesDataPipelinesArgs = {
    namespace: NS,
    lakeNamespace: LAKE_NS,
    jobs: [
        job,
        {
            ...job,
            name: "nightly",
            source: { zone: "raw", prefix: "events/" },
            target: { zone: "features", prefix: "events/" },
            onArrival: false,
        },
    ],
    lake: {
        endpoint: "http://lake.mlops-t-lake.svc.cluster.local:9000",
        credentials: {
            "iris-etl": { accessKeyId: "pipeline-iris-etl", secretAccessKey: "s1" },
            nightly: { accessKeyId: "pipeline-nightly", secretAccessKey: "s2" },
        },
        notificationToken: "tok",
    },
    triggerFiles: { "trigger.py": "print('trigger')\n" },
};

async function build(a: KubernetesDataPipelinesArgs = args): Promise<CapturedResource[]> {
    return (await captureResources(() => new KubernetesDataPipelines("pipelines", a))).resources;
}
const envOf = (container: any): Record<string, string> => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
const cronPod = (r: CapturedResource): any => r.inputs.spec.jobTemplate.spec.template.spec;

describe("KubernetesDataPipelines (kubernetes cronjob)", () => {
    let resources: CapturedResource[];
    before(async () => {
        resources = await build();
    });

    it("runs each pipeline as a CronJob: its schedule in UTC, no overlapping runs, deadline and retries from the spec", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "pipelines-iris-etl-cronjob");
        assert.equal(cron.inputs.metadata.namespace, NS);
        assert.equal(cron.inputs.spec.schedule, "0 3 * * *");
        assert.equal(cron.inputs.spec.timeZone, "Etc/UTC");
        assert.equal(cron.inputs.spec.suspend, false);
        assert.equal(cron.inputs.spec.concurrencyPolicy, "Forbid");
        assert.equal(cron.inputs.spec.jobTemplate.spec.activeDeadlineSeconds, 1800);
        assert.equal(cron.inputs.spec.jobTemplate.spec.backoffLimit, 2);
    });

    it("runs the job restricted, with the contract's environment, its files at /app and its MinIO keys as files only", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "pipelines-iris-etl-cronjob");
        const pod = cronPod(cron);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.restartPolicy, "Never");
        const c = pod.containers[0];
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(c.resources, { requests: { cpu: "500m", memory: "1024Mi" }, limits: { cpu: "500m", memory: "1024Mi" } });
        const env = envOf(c);
        assert.equal(env.MLOPS_PIPELINE, "iris-etl");
        assert.equal(env.MLOPS_SOURCE_URI, "s3://raw/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "s3://curated/iris/");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.equal(env.MLOPS_S3_ENDPOINT, "http://lake.mlops-t-lake.svc.cluster.local:9000");
        assert.ok(
            c.env.every((e: any) => e.valueFrom === undefined),
            "no secret reaches the environment from the pod spec",
        );
        assert.deepEqual(c.command.slice(3), ["python", "/app/etl.py"]);
        assert.match(c.command[2], /cat \/etc\/mlops\/minio\/access-key-id/);
        assert.equal(only(resources, "kubernetes:core/v1:Secret", "pipelines-iris-etl-credentials").inputs.metadata.name, "iris-etl-minio");
        assert.ok(pod.volumes.some((v: any) => v.name === "credentials" && v.secret && v.secret.defaultMode === 0o440));
        const files = only(resources, "kubernetes:core/v1:ConfigMap", "pipelines-iris-etl-files");
        assert.equal(files.inputs.immutable, true);
        assert.ok(c.volumeMounts.some((m: any) => m.mountPath === "/app" && m.readOnly));
    });

    it("gives the trigger RBAC to create Jobs and read only the on-arrival CronJobs, in its namespace only", () => {
        const role = only(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.equal(role.inputs.metadata.namespace, NS);
        assert.deepEqual(role.inputs.rules, [
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
            { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get"], resourceNames: ["iris-etl"] },
        ]);
        assert.equal(ofType(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
        const trigger = only(resources, "kubernetes:apps/v1:Deployment", "pipelines-trigger");
        const pod = podSpec(trigger);
        assert.equal(pod.automountServiceAccountToken, false, "a projected, expiring token instead");
        assert.equal(pod.volumes.find((v: any) => v.name === "kube-api").projected.sources[0].serviceAccountToken.expirationSeconds, 3600);
        const env = envOf(pod.containers[0]);
        assert.deepEqual(JSON.parse(env.MLOPS_TRIGGER_ROUTES), [
            { pipeline: "iris-etl", cronJob: "iris-etl", bucket: "raw", prefix: "iris/" },
        ]);
        assert.ok(pod.containers[0].readinessProbe && pod.containers[0].livenessProbe);
        assert.equal(only(resources, "kubernetes:core/v1:Service", "pipelines-trigger-service").inputs.spec.type, "ClusterIP");
    });

    it("denies all traffic but jobs to MinIO's S3 port, MinIO to the trigger, the trigger to the API server, and DNS", () => {
        const deny = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-deny-all");
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const lake = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-allow-lake");
        assert.deepEqual(lake.inputs.spec.egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": LAKE_NS } } }],
                ports: [{ protocol: "TCP", port: 9000 }],
            },
        ]);
        const trigger = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pipelines-trigger-netpol");
        assert.deepEqual(trigger.inputs.spec.ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": LAKE_NS } } },
        ]);
    });

    it("builds no trigger when no pipeline runs on arrival, and suspends an on-arrival-only CronJob", async () => {
        const scheduled = await build({ ...args, jobs: [{ ...job, onArrival: false }], triggerFiles: undefined });
        assert.equal(ofType(scheduled, "kubernetes:apps/v1:Deployment").length, 0);
        const arrivalOnly = await build({ ...args, jobs: [{ ...job, schedule: undefined }] });
        const cron = only(arrivalOnly, "kubernetes:batch/v1:CronJob");
        assert.equal(cron.inputs.spec.suspend, true);
    });

    it("fails when a job is unbounded, unpinned, reserved-env or the trigger is missing: every problem, nothing registered", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new KubernetesDataPipelines("pipelines", {
                    ...args,
                    namespace: "default",
                    jobs: [
                        { ...job, image: "python", retries: 11, timeoutMinutes: 0, schedule: "every day", env: { AWS_ACCESS_KEY_ID: "x" } },
                    ],
                    triggerFiles: {},
                }),
            'KubernetesDataPipelines "pipelines"',
        );
        assert.deepEqual(registered, []);
        for (const part of [
            "namespace: must not be the `default` namespace",
            "jobs[0].image: is not pinned",
            "jobs[0].retries: must be a whole number from 0 to 10",
            "jobs[0].timeoutMinutes: must be a whole number from 1 to 1440",
            "jobs[0].schedule: is not a 5-field cron expression",
            "jobs[0].env.AWS_ACCESS_KEY_ID: is set by the runner",
            "triggerFiles: must hold trigger.py",
        ])
            assert.ok(message.includes(part), `${part}\n${message}`);
    });
});

describe("MinioDataLake pipeline users and notifications (kubernetes)", () => {
    const lakeArgs: MinioDataLakeArgs = {
        namespace: LAKE_NS,
        zones: ["raw", "curated", "features", "models"],
        pipelines: [
            { name: "iris-etl", source: { zone: "raw", prefix: "iris/" }, target: { zone: "curated", prefix: "iris/" }, onArrival: true },
        ],
        pipelineTrigger: { endpoint: triggerEndpoint(NS), namespace: NS, port: 8080 },
    };

    it("scopes each pipeline's MinIO user to its prefixes: list+get on the source, list+get+put on the target, no wildcard", () => {
        const doc = JSON.parse(pipelinePolicyJson(lakeArgs.pipelines![0]));
        assert.deepEqual(doc.Statement, [
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::raw"],
                Condition: { StringLike: { "s3:prefix": ["iris/*"] } },
            },
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: ["arn:aws:s3:::raw/iris/*"] },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: ["arn:aws:s3:::curated"],
                Condition: { StringLike: { "s3:prefix": ["iris/*"] } },
            },
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource: ["arn:aws:s3:::curated/iris/*"] },
        ]);
    });

    it("notifies the trigger of new objects under the source prefix only, and leaves the script as it was without pipelines", () => {
        const script = setupScript({
            host: "h",
            zones: ["raw"],
            modelsZone: "raw",
            noncurrentVersionRetentionDays: 30,
            pipelines: lakeArgs.pipelines,
        });
        assert.match(script, new RegExp(`mc event add lake/raw ${NOTIFY_ARN.replace(/[:]/g, ":")} --event put --prefix 'iris/'`));
        assert.match(script, /mc admin user add lake pipeline-iris-etl "\$\(cat \/etc\/minio\/pipelines\/iris-etl\)"/);
        const without = setupScript({ host: "h", zones: ["raw"], modelsZone: "raw", noncurrentVersionRetentionDays: 30 });
        assert.doesNotMatch(without, /pipeline|mc event/);
    });

    it("configures MinIO's webhook with a queue, its token from a mounted file, and egress to the trigger only", async () => {
        const { resources } = await captureResources(() => new MinioDataLake("lake", lakeArgs));
        const sts = only(resources, "kubernetes:apps/v1:StatefulSet");
        const env = envOf(podSpec(sts).containers[0]);
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_ENABLE_PIPELINES, "on");
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_PIPELINES, `http://pipeline-trigger.${NS}.svc.cluster.local:8080/events`);
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_PIPELINES, "/tmp/notify-queue");
        assert.equal(env.MINIO_CONFIG_ENV_FILE, "/etc/minio/notify/config.env");
        assert.equal(env.MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_PIPELINES, undefined, "the token is not in the pod spec");
        const notify = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "lake-allow-notify");
        assert.deepEqual(notify.inputs.spec.egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        const policies = only(resources, "kubernetes:core/v1:ConfigMap", "lake-pipeline-policies");
        assert.equal(policies.inputs.metadata.labels["mlops.dev/minio-policies"], "true");
    });

    it("fails when an on-arrival pipeline has no trigger, or a pipeline writes the models zone", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new MinioDataLake("lake", {
                    ...lakeArgs,
                    pipelines: [{ ...lakeArgs.pipelines![0], target: { zone: "models", prefix: "x/" } }],
                    pipelineTrigger: undefined,
                }),
            'MinioDataLake "lake"',
        );
        assert.deepEqual(registered, []);
        assert.ok(message.includes("pipelineTrigger: is required"), message);
        assert.ok(message.includes("pipelines[0].target.zone: is the models zone"), message);
    });
});

describe("Kubernetes pipelines config (checkKubernetesPipelines through parseStackConfig)", () => {
    const ROOT = path.resolve(__dirname, "..", "..");
    const parse = (values: Record<string, unknown>) =>
        parseStackConfig(
            Object.fromEntries(
                Object.entries({ cloud: "kubernetes", environment: "dev", ...values }).map(([k, v]) => [
                    `mlops:${k}`,
                    typeof v === "string" ? v : JSON.stringify(v),
                ]),
            ),
            { project: "mlops", stack: "t", projectRoot: ROOT },
        );
    const sample = {
        name: "iris-etl",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/etl.py"],
        source: "raw/iris/",
        target: "curated/iris/",
        schedule: "0 3 * * *",
        onArrival: true,
    };

    it("accepts the sample pipeline", () => {
        assert.equal(parse({ pipelines: { jobs: [sample] } }).pipelines.jobs.length, 1);
    });

    it("rejects pipeline problems at the user's keys, with another section's problem, in one error", () => {
        let error: unknown;
        try {
            parse({
                dataLake: { minio: { volumeSizeGiB: 0 } },
                pipelines: {
                    jobs: [{ ...sample, target: "models/iris/", env: { MLOPS_TRIGGER: "x" } }],
                    streams: [{ name: "events", target: "raw/events/" }],
                },
            });
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof ValidationError, String(error));
        const problems = error.problems;
        const has = (text: string) =>
            assert.ok(
                problems.some((p) => p.includes(text)),
                `${text}\n${problems.join("\n")}`,
            );
        has("mlops:pipelines.jobs[0].target: is the models zone, which only MLflow writes");
        has("mlops:pipelines.jobs[0].env.MLOPS_TRIGGER: is set by the runner");
        has("mlops:pipelines.streams: is not offered when mlops:cloud is kubernetes");
        has("mlops:dataLake.minio.volumeSizeGiB");
    });
});
