/**
 * Every shipped Pulumi.<stack>.yaml, planned end to end through the same loader and engine as
 * `npm run plan`, and checked for the invariants the platform promises.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { isPinnedImage } from "@mlops/components";
import { capture } from "../../stacks/plan/capture";
import { Plan, PlanResource } from "../../stacks/plan/plan";
import { shippedPlan } from "../harness";
import { listStacks, loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");

/** Pod specs of every workload: Deployments, StatefulSets, Jobs and Knative Services. */
function podSpecs(resources: readonly PlanResource[]): { owner: PlanResource; pod: any }[] {
    const kinds = [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:serving.knative.dev/v1:Service",
    ];
    return resources.filter((r) => kinds.includes(r.type)).map((owner) => ({ owner, pod: owner.inputs.spec.template.spec }));
}

/** Kubernetes resource types that hold data: deleting them loses it. */
const STATEFUL_KUBERNETES = ["kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:Secret"];

/** Registers the invariant tests; `plan` is filled in by a `before` hook, so read it inside each test. */
function checkKubernetesInvariants(plan: Plan, environment: string): void {
    let resources: PlanResource[] = [];
    let namespaces: PlanResource[] = [];
    before(() => {
        resources = plan.resources;
        namespaces = resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
    });

    it("keeps every object out of the default namespace, in restricted namespaces", () => {
        assert.ok(namespaces.length >= 4);
        for (const ns of namespaces) {
            assert.notEqual(ns.inputs.metadata.name, "default");
            assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted", ns.name);
        }
        const names = new Set(namespaces.map((n) => n.inputs.metadata.name));
        for (const r of resources.filter(
            (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Namespace" && r.inputs.metadata,
        )) {
            assert.ok(
                names.has(r.inputs.metadata.namespace),
                `${r.urn} is in namespace ${r.inputs.metadata.namespace}, which the stack does not own`,
            );
        }
    });

    it("denies all traffic by default in every namespace", () => {
        for (const ns of namespaces) {
            const deny = resources.find(
                (r) =>
                    r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
                    r.inputs.metadata.namespace === ns.inputs.metadata.name &&
                    JSON.stringify(r.inputs.spec.podSelector) === "{}",
            );
            assert.ok(deny, `no default-deny policy in ${ns.inputs.metadata.name}`);
            assert.deepEqual(deny.inputs.spec.policyTypes, ["Ingress", "Egress"]);
        }
    });

    it("runs every container restricted, pinned and with limits", () => {
        const workloads = podSpecs(resources);
        assert.ok(workloads.length >= 5);
        for (const { owner, pod } of workloads) {
            assert.equal(pod.automountServiceAccountToken, false, owner.urn);
            assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, owner.urn);
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
                const at = `${owner.urn} container ${c.name}`;
                assert.ok(isPinnedImage(c.image), `${at}: image ${c.image} is not pinned`);
                const sc = c.securityContext;
                assert.equal(sc.allowPrivilegeEscalation, false, at);
                assert.equal(sc.readOnlyRootFilesystem, true, at);
                assert.notEqual(sc.privileged, true, at);
                assert.deepEqual(sc.capabilities.drop, ["ALL"], at);
                assert.ok(!sc.capabilities.add, at);
                assert.equal(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, at);
                assert.equal((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, "RuntimeDefault", at);
                assert.ok(c.resources?.limits?.memory && c.resources?.limits?.cpu, `${at}: no limits`);
                assert.ok(c.resources?.requests?.memory && c.resources?.requests?.cpu, `${at}: no requests`);
                // Secrets reach containers as mounted files (`*_FILE` variables point at them), never as values.
                for (const e of c.env ?? [])
                    assert.ok(
                        !/password|secret|token/i.test(e.name) || /_FILE$/.test(e.name),
                        `${at}: ${e.name} looks like a secret in plain env`,
                    );
            }
        }
    });

    it("probes every long-running container", () => {
        for (const { owner, pod } of podSpecs(resources).filter((w) => w.owner.type !== "kubernetes:batch/v1:Job")) {
            for (const c of pod.containers) {
                assert.ok(c.readinessProbe && c.livenessProbe, `${owner.urn} container ${c.name} lacks probes`);
            }
        }
    });

    it(`protects and retains stateful resources only in prod (this stack: ${environment})`, () => {
        const stateful = resources.filter((r) => STATEFUL_KUBERNETES.includes(r.type));
        assert.ok(stateful.length > 0);
        for (const r of stateful) {
            assert.deepEqual(r.options, { protect: environment === "prod", retainOnDelete: environment === "prod" }, r.urn);
        }
    });
}

describe("shipped stacks, planned end to end", () => {
    for (const stack of listStacks(ROOT)) {
        const config = loadStackConfig(ROOT, stack).config;
        const cloud = config["mlops:cloud"];
        const environment = config["mlops:environment"];

        describe(`${stack} (${cloud}, ${environment})`, function () {
            const plan: Plan = { stack, project: "mlops", resources: [], outputs: {} };
            before(async () => Object.assign(plan, await shippedPlan(stack)));

            it("registers a tree: one stack root, every parent registered", () => {
                const urns = new Set(plan.resources.map((r) => r.urn));
                assert.equal(urns.size, plan.resources.length, "URNs are unique");
                const roots = plan.resources.filter((r) => r.parent === null);
                assert.deepEqual(
                    roots.map((r) => r.type),
                    ["pulumi:pulumi:Stack"],
                );
                for (const r of plan.resources) if (r.parent) assert.ok(urns.has(r.parent), r.urn);
            });

            if (cloud === "kubernetes") checkKubernetesInvariants(plan, environment);
        });
    }

    describe("dev: the zero-cloud stack serves the sample model", () => {
        const plan: Plan = { stack: "dev", project: "mlops", resources: [], outputs: {} };
        before(async () => Object.assign(plan, await shippedPlan("dev")));
        const one = (type: string, name: string) => {
            const found = plan.resources.filter((r) => r.type === type && r.name === name);
            assert.equal(found.length, 1, `${type} ${name}`);
            return found[0];
        };

        it("serves iris from the pinned Python image and the mounted sample files, as a Deployment and a Knative Service", () => {
            const files = one("kubernetes:core/v1:ConfigMap", "serving-iris-files");
            assert.ok(files.inputs.data["serve.py"].includes("/healthz"));
            assert.ok(files.inputs.data["model.json"]);
            for (const workload of [
                one("kubernetes:apps/v1:Deployment", "serving-iris-deployment"),
                one("kubernetes:serving.knative.dev/v1:Service", "inference-iris-ksvc"),
            ]) {
                const [c] = workload.inputs.spec.template.spec.containers;
                assert.equal(c.image, "python:3.12.12-slim-bookworm");
                // The model's command, behind the shell line that loads its MinIO keys (it writes captured inputs to the lake).
                assert.deepEqual(c.command.slice(0, 2), ["/bin/sh", "-c"]);
                assert.match(c.command[2], /cat \/etc\/mlops\/minio\/access-key-id.*exec "\$0" "\$@"$/);
                assert.deepEqual(c.command.slice(3), ["python", "/app/serve.py"]);
                assert.ok(c.volumeMounts.some((m: any) => m.mountPath === "/app" && m.readOnly === true));
            }
            const ksvc = one("kubernetes:serving.knative.dev/v1:Service", "inference-iris-ksvc");
            assert.equal(ksvc.inputs.spec.template.metadata.annotations["autoscaling.knative.dev/min-scale"], "0", "scales to zero");
        });

        it("creates, versions and encrypts one bucket per zone", () => {
            const script: string = one("kubernetes:batch/v1:Job", "lake-setup").inputs.spec.template.spec.containers[0].command.join(" ");
            for (const zone of ["raw", "curated", "features", "models"]) {
                assert.ok(script.includes(`mc version enable lake/${zone}`), zone);
                assert.ok(script.includes(`mc encrypt set sse-s3 lake/${zone}`), zone);
            }
        });

        it("exports cloud-neutral outputs", () => {
            const outputs = plan.outputs as any;
            assert.deepEqual(outputs.dataLake.buckets, { raw: "raw", curated: "curated", features: "features", models: "models" });
            assert.equal(outputs.containerService.endpoints.iris, "http://iris.mlops-dev-serving.svc.cluster.local:8080");
            assert.equal(outputs.serverlessInference.endpoints.iris, "http://iris.mlops-dev-inference.svc.cluster.local");
            assert.deepEqual(outputs.mlPlatform.training, {
                accelerator: "none",
                acceleratorCount: 0,
                compute: "cpu",
                maxNodes: 2,
                spot: true,
            });
        });

        it("protects and retains the lake, keys and tracking store when the same stack runs as prod", async () => {
            const loaded = loadStackConfig(ROOT, "dev");
            const models = JSON.parse(loaded.config["mlops:models"]).map((m: any) => ({ ...m, minReplicas: 2 }));
            const config = { ...loaded.config, "mlops:environment": "prod", "mlops:models": JSON.stringify(models) };
            const { readStackConfig } = await import("../../stacks/config/read");
            const { buildStack } = await import("../../stacks/build");
            const prod = await capture({ project: "mlops", stack: "prod-variant", config }, () => buildStack(readStackConfig()));
            const find = (name: string) => prod.resources.find((r) => r.name === name)!;
            for (const name of ["lake-ns", "lake-minio", "lake-credentials", "ml-ns", "ml-backend"]) {
                assert.deepEqual(find(name).options, { protect: true, retainOnDelete: true }, name);
            }
            // A new KMS key would make every object unreadable: the generated key is protected too.
            assert.equal(find("lake-kms-key").options.protect, true);
            const hpa = find("serving-iris-hpa");
            assert.equal(hpa.inputs.spec.minReplicas, 2, "prod keeps two replicas");
        });
    });
});
