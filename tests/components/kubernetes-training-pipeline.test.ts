/** KubernetesTrainingPipelines: the training, drift and delivery CronJobs, their identities, scopes and env. */
import * as assert from "node:assert/strict";
import { KubernetesTrainingPipelines } from "../../components/training-pipeline/kubernetes";
import { KubernetesTrainingPipelinesArgs, trainingRoutes } from "../../components/training-pipeline/kubernetes-args";
import { TrainingSpec } from "../../components/training-pipeline/contract";
import { CapturedResource, captureResources, ofType, only, rejectedBuild } from "../harness";
import { irisTraining } from "../harness/training";

const NS = "mlops-t-training";
const training: TrainingSpec = irisTraining({ datasetPipeline: undefined, metric: "f1Macro", threshold: 0.85, timeoutMinutes: 30 });
const args: KubernetesTrainingPipelinesArgs = {
    trainings: [training],
    namespace: NS,
    refs: {
        endpoint: "http://lake.mlops-t-lake.svc.cluster.local:9000",
        credentials: {
            "iris-train": { accessKeyId: "iris-train", secretAccessKey: "s1" },
            "iris-drift": { accessKeyId: "iris-drift", secretAccessKey: "s2" },
        },
        trackingUri: "http://ml-mlflow.mlops-t-ml.svc.cluster.local:5000",
    },
    stepFiles: { "mlops_step.py": "print('step')\n" },
    distribution: "gke",
    trigger: { namespace: "mlops-t-pipelines", serviceAccount: "pipeline-trigger" },
    delivery: { repository: "acme/ml", workflow: "promote.yml", branch: "main", stack: "dev", token: "ghp_secret" },
};

const build = async (a: KubernetesTrainingPipelinesArgs = args) =>
    (await captureResources(() => new KubernetesTrainingPipelines("training", a))).resources;
const pod = (r: CapturedResource): any => r.inputs.spec.jobTemplate.spec.template.spec;
const envOf = (c: any): Record<string, string> => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));

describe("KubernetesTrainingPipelines (kubernetes)", () => {
    let resources: CapturedResource[];
    before(async () => {
        resources = await build();
    });

    it("trains on the schedule in UTC, behind the MLflow step, with the contract's env and the gate", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "training-iris-train");
        assert.equal(cron.inputs.metadata.name, "iris-train");
        assert.equal(cron.inputs.metadata.namespace, NS);
        assert.equal(cron.inputs.spec.schedule, "0 4 * * 1");
        assert.equal(cron.inputs.spec.suspend, false);
        assert.equal(cron.inputs.spec.timeZone, "Etc/UTC");
        assert.equal(cron.inputs.spec.concurrencyPolicy, "Forbid");
        assert.equal(cron.inputs.spec.jobTemplate.spec.activeDeadlineSeconds, 1800);
        const c = pod(cron).containers[0];
        assert.deepEqual(c.command.slice(0, 2), ["/bin/sh", "-c"]);
        assert.deepEqual(c.command.slice(3), ["python", "/mlops/mlops_step.py", "train", "--", "python", "/app/train.py"]);
        const env = envOf(c);
        assert.equal(env.MLOPS_PIPELINE, "iris-train");
        assert.equal(env.MLOPS_MODEL_NAME, "iris");
        assert.equal(env.MLOPS_SOURCE_URI, "s3://curated/iris/");
        assert.equal(env.MLOPS_TARGET_URI, "s3://models/iris/");
        assert.equal(env.MLOPS_GATE_METRIC, "f1Macro");
        assert.equal(env.MLOPS_GATE_THRESHOLD, "0.85");
        assert.equal(env.MLOPS_APPROVAL, "manual");
        assert.equal(env.MLOPS_TRIGGER, "schedule");
        assert.equal(env.MLFLOW_TRACKING_URI, "http://ml-mlflow.mlops-t-ml.svc.cluster.local:5000");
        assert.equal(env.MLOPS_S3_ENDPOINT, "http://lake.mlops-t-lake.svc.cluster.local:9000");
        assert.ok(!JSON.stringify(c.env).includes("s1"), "no key in the pod spec");
    });

    it("puts the accelerator and spot on the training pod: GPU limit, node selector, spot affinity and toleration (gke)", () => {
        const spec = pod(only(resources, "kubernetes:batch/v1:CronJob", "training-iris-train"));
        assert.equal(spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
        assert.ok(spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0);
        const pref = spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0];
        assert.deepEqual(pref, { key: "cloud.google.com/gke-spot", operator: "In", values: ["true"] });
        assert.ok(spec.tolerations.some((t: any) => t.key === "cloud.google.com/gke-spot" && t.effect === "NoSchedule"));
        assert.equal(spec.serviceAccountName, "iris-train");
        assert.equal(spec.automountServiceAccountToken, false);
    });

    it("gives each job its own MinIO identity, as mounted files", () => {
        const train = only(resources, "kubernetes:core/v1:Secret", "training-iris-train-credentials");
        const drift = only(resources, "kubernetes:core/v1:Secret", "training-iris-drift-credentials");
        assert.equal(train.inputs.metadata.name, "iris-train-minio");
        assert.equal(drift.inputs.metadata.name, "iris-drift-minio");
        const mounts = pod(only(resources, "kubernetes:batch/v1:CronJob", "training-iris-train")).containers[0].volumeMounts;
        assert.ok(mounts.some((m: any) => m.mountPath === "/etc/mlops/minio" && m.readOnly));
    });

    it("runs drift with the drift env, the served version's baseline, and may start only <model>-train", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "training-iris-drift");
        assert.equal(cron.inputs.spec.schedule, "0 * * * *");
        const env = envOf(pod(cron).containers[0]);
        assert.equal(env.MLOPS_PIPELINE, "iris-drift");
        assert.equal(env.MLOPS_SOURCE_URI, "s3://models/iris/_capture/");
        assert.equal(env.MLOPS_MODEL_VERSION, "20261203T101500Z-1a2b3c4d");
        assert.equal(env.MLOPS_PSI_THRESHOLD, "0.2");
        assert.equal(env.MLOPS_KS_ALPHA, "0.05");
        assert.equal(env.MLOPS_RETRAIN, "true");
        const role = only(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role", "training-iris-drift-role");
        assert.deepEqual(role.inputs.rules, [
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
            { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["get"], resourceNames: ["iris-train"] },
        ]);
    });

    it("lets the pipelines' trigger start only the new-data trainings, and routes their manifests", () => {
        const binding = only(resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "training-trigger-binding");
        assert.deepEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: "pipeline-trigger", namespace: "mlops-t-pipelines" }]);
        const role = only(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role", "training-trigger-role");
        assert.deepEqual(role.inputs.rules[1].resourceNames, ["iris-train"]);
        assert.deepEqual(trainingRoutes([training, { ...training, model: "other", onNewData: false }], NS), [
            {
                pipeline: "iris-train",
                cronJob: "iris-train",
                namespace: NS,
                bucket: "curated",
                prefix: "iris/",
                suffix: "/_manifest.json",
                trigger: "new-data",
            },
        ]);
    });

    it("polls MLflow for approved versions and dispatches GitHub with the token from a Secret; HTTPS out for that pod only", () => {
        const cron = only(resources, "kubernetes:batch/v1:CronJob", "training-delivery");
        const c = pod(cron).containers[0];
        const env = envOf(c);
        assert.equal(env.MLOPS_GITHUB_REPOSITORY, "acme/ml");
        assert.equal(env.MLOPS_GITHUB_WORKFLOW, "promote.yml");
        assert.equal(env.MLOPS_GITHUB_REF, "main");
        assert.deepEqual(JSON.parse(env.MLOPS_DELIVERY_MODELS), [{ model: "iris", servedVersion: "20261203T101500Z-1a2b3c4d" }]);
        assert.ok(!JSON.stringify(cron.inputs).includes("ghp_secret"));
        const netpol = only(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "training-delivery-allow-https");
        assert.deepEqual(netpol.inputs.spec.podSelector, { matchLabels: { "mlops.dev/role": "delivery" } });
        assert.deepEqual(netpol.inputs.spec.egress[0].ports, [{ protocol: "TCP", port: 443 }]);
    });

    it("suspends the training CronJob of a model without a schedule (the template of new-data runs), and builds no delivery without DeliverySpec", async () => {
        const built = await build({ ...args, delivery: undefined, trainings: [{ ...training, schedule: undefined, drift: undefined }] });
        const cron = only(built, "kubernetes:batch/v1:CronJob", "training-iris-train");
        assert.equal(cron.inputs.spec.suspend, true);
        assert.equal(ofType(built, "kubernetes:batch/v1:CronJob").length, 1);
    });

    it("fails before creating anything on a long model name, AutoML, or a reserved env var", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new KubernetesTrainingPipelines("training", {
                    ...args,
                    trainings: [{ ...training, model: "a-very-long-model-name", mode: "automl", env: { MLOPS_TRIGGER: "x" } }],
                }),
            'KubernetesTrainingPipelines "training"',
        );
        for (const path of ["trainings[0].model", "trainings[0].mode", "trainings[0].env.MLOPS_TRIGGER"])
            assert.ok(message.includes(path), message);
        assert.deepEqual(registered, []);
    });
});
