/** Kubernetes rules: the restricted pod profile, workloads, namespaces and production serving floors. */
import * as k8s from "../../policy/rules/kubernetes/pod-security";
import * as ns from "../../policy/rules/kubernetes/namespaces";
import * as rel from "../../policy/rules/kubernetes/reliability";
import * as wl from "../../policy/rules/kubernetes/workloads";
import * as pl from "../../policy/rules/kubernetes/pipelines";
import * as tr from "../../policy/rules/kubernetes/training";
import { pipelinePolicyJson } from "../../components/data-lake/kubernetes-minio";
import { K8S } from "../../policy/rules/kubernetes/types";
import * as assert from "node:assert/strict";
import { container, denyAll, deployment, hpa, knativeService, namespace, NS, pdb, podSpec } from "./fixtures/kubernetes";
import { describeRule, messageOf, mutate, run, UNKNOWN, urnOf } from "./harness";

const POD = "spec.template.spec";
const C = `${POD}.containers.0`;
const SC = `${C}.securityContext`;
const job = { name: "job", type: K8S.job, props: { metadata: { namespace: NS }, spec: { template: { spec: podSpec() } } } };
const cronJob = {
    name: "cron",
    type: K8S.cronJob,
    props: { metadata: { namespace: NS }, spec: { jobTemplate: { spec: { template: { spec: podSpec() } } } } },
};

describe("kubernetes rules", () => {
    describeRule({
        rule: k8s.noPrivileged,
        golden: () => [deployment()],
        passes: [{ when: "privileged is absent (Kubernetes defaults it to false)", set: { [`${SC}.privileged`]: undefined } }],
        fails: [
            {
                when: "a container is privileged",
                set: { [`${SC}.privileged`]: true },
                problems: ["container model: securityContext.privileged is true"],
            },
            {
                when: "an init container is privileged",
                set: { [`${POD}.initContainers`]: [{ ...container(), name: "init", securityContext: { privileged: true } }] },
                problems: ["init container init: securityContext.privileged is true"],
            },
            {
                when: "a CronJob's container is privileged",
                drop: ["serve"],
                add: [cronJob],
                set: { "cron:spec.jobTemplate.spec.template.spec.containers.0.securityContext.privileged": true },
                problems: ["container model: securityContext.privileged is true"],
                on: "cron",
            },
        ],
        unknown: { [`${SC}.privileged`]: 0 },
    });

    describeRule({
        rule: k8s.noPrivilegeEscalation,
        golden: () => [deployment()],
        fails: [
            {
                when: "allowPrivilegeEscalation is true",
                set: { [`${SC}.allowPrivilegeEscalation`]: true },
                problems: ["container model: securityContext.allowPrivilegeEscalation is not false"],
            },
            {
                when: "allowPrivilegeEscalation is missing (Kubernetes allows escalation)",
                set: { [`${SC}.allowPrivilegeEscalation`]: undefined },
                problems: ["container model: securityContext.allowPrivilegeEscalation is not false"],
            },
            {
                when: "the container has no securityContext at all",
                set: { [SC]: undefined },
                problems: ["container model: securityContext.allowPrivilegeEscalation is not false"],
            },
        ],
        unknown: { [`${SC}.allowPrivilegeEscalation`]: 0 },
    });

    describeRule({
        rule: k8s.runAsNonRoot,
        golden: () => [deployment()],
        passes: [
            {
                when: "the container sets runAsNonRoot itself",
                set: { [`${POD}.securityContext.runAsNonRoot`]: undefined, [`${SC}.runAsNonRoot`]: true },
            },
        ],
        fails: [
            {
                when: "runAsNonRoot is missing on both pod and container",
                set: { [`${POD}.securityContext.runAsNonRoot`]: undefined },
                problems: ["container model: runAsNonRoot is not true on the container or the pod"],
            },
            {
                when: "the container overrides runAsNonRoot to false",
                set: { [`${SC}.runAsNonRoot`]: false },
                problems: ["container model: runAsNonRoot is not true on the container or the pod"],
            },
            { when: "the container runs as UID 0", set: { [`${SC}.runAsUser`]: 0 }, problems: ["container model: runAsUser is 0 (root)"] },
        ],
        unknown: { [`${POD}.securityContext.runAsNonRoot`]: 0 },
    });

    describeRule({
        rule: k8s.readOnlyRootFilesystem,
        golden: () => [deployment()],
        fails: [
            {
                when: "readOnlyRootFilesystem is false",
                set: { [`${SC}.readOnlyRootFilesystem`]: false },
                problems: ["container model: securityContext.readOnlyRootFilesystem is not true"],
            },
            {
                when: "readOnlyRootFilesystem is missing",
                set: { [`${SC}.readOnlyRootFilesystem`]: undefined },
                problems: ["container model: securityContext.readOnlyRootFilesystem is not true"],
            },
        ],
        unknown: { [`${SC}.readOnlyRootFilesystem`]: 0 },
    });

    describeRule({
        rule: k8s.dropAllCapabilities,
        golden: () => [deployment()],
        fails: [
            {
                when: "only NET_RAW is dropped",
                set: { [`${SC}.capabilities.drop`]: ["NET_RAW"] },
                problems: ["container model: securityContext.capabilities.drop does not include ALL"],
            },
            {
                when: "capabilities are missing",
                set: { [`${SC}.capabilities`]: undefined },
                problems: ["container model: securityContext.capabilities.drop does not include ALL"],
            },
        ],
        unknown: { [`${SC}.capabilities.drop`]: 0 },
    });

    describeRule({
        rule: k8s.noAddedCapabilities,
        golden: () => [deployment()],
        passes: [{ when: "only NET_BIND_SERVICE is added back", set: { [`${SC}.capabilities.add`]: ["NET_BIND_SERVICE"] } }],
        fails: [
            {
                when: "SYS_ADMIN and NET_RAW are added",
                set: { [`${SC}.capabilities.add`]: ["SYS_ADMIN", "NET_BIND_SERVICE", "NET_RAW"] },
                problems: ["container model: adds capabilities SYS_ADMIN, NET_RAW"],
            },
        ],
        unknown: { [`${SC}.capabilities.add`]: 0 },
    });

    describeRule({
        rule: k8s.seccompProfile,
        golden: () => [deployment()],
        passes: [
            {
                when: "the container sets a Localhost profile",
                set: {
                    [`${POD}.securityContext.seccompProfile`]: undefined,
                    [`${SC}.seccompProfile`]: { type: "Localhost", localhostProfile: "p.json" },
                },
            },
        ],
        fails: [
            {
                when: "the profile is Unconfined",
                set: { [`${POD}.securityContext.seccompProfile.type`]: "Unconfined" },
                problems: ["container model: seccompProfile.type is Unconfined, not RuntimeDefault or Localhost"],
            },
            {
                when: "no profile is set",
                set: { [`${POD}.securityContext.seccompProfile`]: undefined },
                problems: ["container model: seccompProfile.type is unset, not RuntimeDefault or Localhost"],
            },
        ],
        unknown: { [`${POD}.securityContext.seccompProfile`]: 0 },
    });

    describeRule({
        rule: k8s.noHostNamespaces,
        golden: () => [deployment()],
        fails: [
            { when: "hostPID is true", set: { [`${POD}.hostPID`]: true }, problems: ["pod sets hostPID: true"] },
            { when: "hostIPC is true", set: { [`${POD}.hostIPC`]: true }, problems: ["pod sets hostIPC: true"] },
            { when: "hostNetwork is true", set: { [`${POD}.hostNetwork`]: true }, problems: ["pod sets hostNetwork: true"] },
            {
                when: "a hostPath volume is mounted",
                set: { [`${POD}.volumes.1`]: { name: "docker", hostPath: { path: "/var/run/docker.sock" } } },
                problems: ["pod mounts hostPath volume docker"],
            },
        ],
        unknown: { [`${POD}.hostNetwork`]: 0 },
    });

    describeRule({
        rule: k8s.noServiceAccountToken,
        golden: () => [deployment()],
        fails: [
            {
                when: "automountServiceAccountToken is true",
                set: { [`${POD}.automountServiceAccountToken`]: true },
                problems: ["pod spec does not set automountServiceAccountToken: false"],
            },
            {
                when: "automountServiceAccountToken is missing",
                set: { [`${POD}.automountServiceAccountToken`]: undefined },
                problems: ["pod spec does not set automountServiceAccountToken: false"],
            },
            {
                when: "a Job's pod mounts the token",
                drop: ["serve"],
                add: [job],
                set: { "job:spec.template.spec.automountServiceAccountToken": undefined },
                problems: ["pod spec does not set automountServiceAccountToken: false"],
                on: "job",
            },
        ],
        unknown: { [`${POD}.automountServiceAccountToken`]: 0 },
    });

    describeRule({
        rule: wl.resourceLimits,
        golden: () => [deployment()],
        fails: [
            {
                when: "the CPU limit is missing",
                set: { [`${C}.resources.limits.cpu`]: undefined },
                problems: ["container model: no CPU limit (resources.limits.cpu)"],
            },
            {
                when: "the memory limit is missing",
                set: { [`${C}.resources.limits.memory`]: undefined },
                problems: ["container model: no memory limit (resources.limits.memory)"],
            },
            {
                when: "resources are missing",
                set: { [`${C}.resources`]: undefined },
                problems: [
                    "container model: no CPU limit (resources.limits.cpu)",
                    "container model: no memory limit (resources.limits.memory)",
                ],
            },
        ],
        unknown: { [`${C}.resources.limits`]: 0 },
    });

    describeRule({
        rule: wl.resourceRequests,
        golden: () => [deployment()],
        fails: [
            {
                when: "the CPU request is missing",
                set: { [`${C}.resources.requests.cpu`]: undefined },
                problems: ["container model: no CPU request (resources.requests.cpu)"],
            },
            {
                when: "the memory request is missing",
                set: { [`${C}.resources.requests.memory`]: undefined },
                problems: ["container model: no memory request (resources.requests.memory)"],
            },
        ],
        unknown: { [`${C}.resources.requests`]: 0 },
    });

    describeRule({
        rule: wl.pinnedImages,
        golden: () => [deployment()],
        passes: [
            { when: "the image is pinned by tag", set: { [`${C}.image`]: "python:3.12.12-slim-bookworm" } },
            { when: "a registry with a port is pinned by tag", set: { [`${C}.image`]: "registry:5000/team/model:2.0" } },
        ],
        fails: [
            {
                when: "the tag is latest",
                set: { [`${C}.image`]: "python:latest" },
                problems: ["container model: image python:latest is not pinned to a version tag or digest"],
            },
            {
                when: "the image has no tag",
                set: { [`${C}.image`]: "registry:5000/team/model" },
                problems: ["container model: image registry:5000/team/model is not pinned to a version tag or digest"],
            },
            { when: "the image is missing", set: { [`${C}.image`]: undefined }, problems: ["container model: has no image"] },
        ],
        unknown: { [`${C}.image`]: 0 },
    });

    describeRule({
        rule: wl.imageDigests,
        golden: () => [deployment()],
        fails: [
            {
                when: "the image is pinned by tag only",
                set: { [`${C}.image`]: "python:3.12.12-slim-bookworm" },
                problems: ["container model: image python:3.12.12-slim-bookworm is pinned by tag, not by digest"],
            },
        ],
        unknown: { [`${C}.image`]: 0 },
    });

    describeRule({
        rule: wl.secretsAsFiles,
        golden: () => [deployment()],
        fails: [
            {
                when: "an env var reads a Secret key",
                set: { [`${C}.env.0`]: { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } } },
                problems: ["container model: environment variable DB_PASSWORD reads Secret db"],
            },
            {
                when: "envFrom loads a Secret",
                set: { [`${C}.envFrom`]: [{ secretRef: { name: "creds" } }] },
                problems: ["container model: envFrom loads Secret creds into the environment"],
            },
            {
                when: "a credential is written literally",
                set: { [`${C}.env.0`]: { name: "AWS_SECRET_ACCESS_KEY", value: "abc" } },
                problems: ["container model: environment variable AWS_SECRET_ACCESS_KEY holds a literal credential"],
            },
        ],
        unknown: { [`${C}.env`]: 0 },
    });

    describeRule({
        rule: wl.statefulSetRetainsVolumes,
        golden: () => [
            {
                name: "minio",
                type: K8S.statefulSet,
                props: {
                    metadata: { namespace: NS },
                    spec: {
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                        template: { spec: podSpec() },
                    },
                },
            },
        ],
        passes: [
            {
                when: "the retention policy is absent (Kubernetes retains by default)",
                set: { "spec.persistentVolumeClaimRetentionPolicy": undefined },
            },
        ],
        fails: [
            {
                when: "volumes are deleted with the StatefulSet",
                set: { "spec.persistentVolumeClaimRetentionPolicy.whenDeleted": "Delete" },
                problems: ["persistentVolumeClaimRetentionPolicy.whenDeleted is Delete"],
            },
            {
                when: "volumes are deleted on scale-down",
                set: { "spec.persistentVolumeClaimRetentionPolicy.whenScaled": "Delete" },
                problems: ["persistentVolumeClaimRetentionPolicy.whenScaled is Delete"],
            },
        ],
        unknown: { "spec.persistentVolumeClaimRetentionPolicy.whenDeleted": 0 },
    });

    describeRule({
        rule: ns.noDefaultNamespace,
        golden: () => [deployment()],
        fails: [
            { when: "the namespace is default", set: { "metadata.namespace": "default" }, problems: ['metadata.namespace is "default"'] },
            {
                when: "the namespace is missing",
                set: { "metadata.namespace": undefined },
                problems: ["metadata.namespace is not set, so the object lands in the default namespace"],
            },
        ],
        unknown: { "metadata.namespace": 0 },
    });

    describeRule({
        rule: ns.restrictedAdmission,
        golden: () => [namespace()],
        fails: [
            {
                when: "the namespace enforces baseline only",
                set: { "metadata.labels[pod-security.kubernetes.io/enforce]": "baseline" },
                problems: ['label pod-security.kubernetes.io/enforce is "baseline", not "restricted"'],
            },
            {
                when: "the enforce label is missing",
                set: { "metadata.labels": { team: "ml" } },
                problems: ['label pod-security.kubernetes.io/enforce is unset, not "restricted"'],
            },
        ],
        unknown: { "metadata.labels": 0 },
    });

    describeRule({
        rule: ns.defaultDenyNetworkPolicy,
        golden: () => [namespace(), denyAll()],
        passes: [
            {
                when: "the policy is joined by namespace name, with no dependency recorded",
                drop: ["deny-all"],
                add: [{ ...denyAll(), dependsOn: [] }],
            },
        ],
        fails: [
            {
                when: "the namespace has no NetworkPolicy",
                drop: ["deny-all"],
                problems: [`namespace ${NS} has no default-deny NetworkPolicy`],
            },
            {
                when: "the policy denies ingress only",
                set: { "deny-all:spec.policyTypes": ["Ingress"] },
                problems: [`namespace ${NS} has no default-deny NetworkPolicy`],
            },
            {
                when: "the policy selects some pods only",
                set: { "deny-all:spec.podSelector": { matchLabels: { app: "iris" } } },
                problems: [`namespace ${NS} has no default-deny NetworkPolicy`],
            },
            {
                when: "the policy allows all ingress",
                set: { "deny-all:spec.ingress": [{}] },
                problems: [`namespace ${NS} has no default-deny NetworkPolicy`],
            },
            {
                when: "the only default-deny policy is in another namespace",
                drop: ["deny-all"],
                add: [
                    {
                        ...denyAll(),
                        dependsOn: [],
                        props: { ...denyAll().props, metadata: { name: "default-deny-all", namespace: "elsewhere" } },
                    },
                ],
                problems: [`namespace ${NS} has no default-deny NetworkPolicy`],
            },
        ],
        unknown: { "deny-all:spec.policyTypes": 0 },
    });

    describeRule({
        rule: ns.noPublicExposure,
        golden: () => [
            knativeService(),
            {
                name: "svc",
                type: K8S.service,
                props: { metadata: { namespace: NS }, spec: { type: "ClusterIP", ports: [{ port: 8080 }] } },
            },
        ],
        fails: [
            {
                when: "the Knative Service is public",
                set: { "metadata.labels": {} },
                problems: [
                    "Knative Service is reachable from outside the cluster (label networking.knative.dev/visibility is not cluster-local)",
                ],
            },
            {
                when: "a Service is a LoadBalancer",
                set: { "svc:spec.type": "LoadBalancer" },
                problems: ["Service type is LoadBalancer"],
                on: "svc",
            },
            { when: "a Service is a NodePort", set: { "svc:spec.type": "NodePort" }, problems: ["Service type is NodePort"], on: "svc" },
        ],
        unknown: { "metadata.labels": 0 },
    });

    describeRule({
        rule: rel.probes,
        golden: () => [deployment()],
        passes: [
            {
                when: "a Job has no probes (it ends by itself)",
                drop: ["serve"],
                add: [
                    {
                        ...job,
                        props: {
                            ...job.props,
                            spec: {
                                template: {
                                    spec: {
                                        ...podSpec(),
                                        containers: [{ ...container(), livenessProbe: undefined, readinessProbe: undefined }],
                                    },
                                },
                            },
                        },
                    },
                ],
            },
        ],
        fails: [
            {
                when: "the liveness probe is missing",
                set: { [`${C}.livenessProbe`]: undefined },
                problems: ["container model: no livenessProbe"],
            },
            {
                when: "the readiness probe is missing",
                set: { [`${C}.readinessProbe`]: undefined },
                problems: ["container model: no readinessProbe"],
            },
        ],
        unknown: { [`${C}.livenessProbe`]: 0 },
    });

    describeRule({
        rule: rel.servingReplicas,
        golden: () => [deployment(), hpa()],
        passes: [
            {
                when: "an MLflow-style singleton (not a model server) keeps one replica",
                drop: ["hpa"],
                set: { "metadata.labels[app.kubernetes.io/component]": "ml-platform" },
            },
            { when: "spec.replicas meets the floor without an HPA", drop: ["hpa"], set: { "spec.replicas": 2 } },
        ],
        fails: [
            {
                when: "the HPA keeps one replica",
                set: { "hpa:spec.minReplicas": 1 },
                problems: ["keeps 1 replica (HorizontalPodAutoscaler minReplicas), below 2"],
            },
            { when: "there is no HPA and replicas is missing", drop: ["hpa"], problems: ["keeps 1 replica (spec.replicas), below 2"] },
        ],
        unknown: { "hpa:spec.minReplicas": 0 },
    });

    describeRule({
        rule: rel.servingAutoscaling,
        golden: () => [deployment(), hpa()],
        passes: [
            { when: "the HPA is matched by scaleTargetRef, with no dependency recorded", drop: ["hpa"], add: [{ ...hpa(), deps: {} }] },
        ],
        fails: [
            { when: "no HPA scales the Deployment", drop: ["hpa"], problems: ["no HorizontalPodAutoscaler scales it"] },
            {
                when: "maxReplicas equals minReplicas",
                set: { "hpa:spec.maxReplicas": 2 },
                problems: ["its HorizontalPodAutoscaler cannot scale out (maxReplicas 2, minReplicas 2)"],
            },
            {
                when: "the only HPA targets another Deployment",
                drop: ["hpa"],
                add: [
                    {
                        ...hpa(),
                        deps: {},
                        props: { ...hpa().props, spec: { ...hpa().props.spec, scaleTargetRef: { kind: "Deployment", name: "other" } } },
                    },
                ],
                problems: ["no HorizontalPodAutoscaler scales it"],
            },
        ],
        unknown: { "hpa:spec.maxReplicas": 0 },
    });

    describeRule({
        rule: rel.servingDisruptionBudget,
        golden: () => [deployment(), pdb()],
        passes: [
            {
                when: "the budget keeps a minimum available instead",
                set: { "pdb:spec.maxUnavailable": undefined, "pdb:spec.minAvailable": 1 },
            },
        ],
        fails: [
            { when: "there is no PodDisruptionBudget", drop: ["pdb"], problems: ["no PodDisruptionBudget selects its pods"] },
            {
                when: "the budget selects other pods",
                set: { "pdb:spec.selector.matchLabels": { "app.kubernetes.io/name": "other" } },
                problems: ["no PodDisruptionBudget selects its pods"],
            },
            {
                when: "the budget allows no disruption (maxUnavailable 0)",
                set: { "pdb:spec.maxUnavailable": 0 },
                problems: ["its PodDisruptionBudget allows no voluntary disruption"],
            },
            {
                when: "the budget requires 100% available",
                set: { "pdb:spec.maxUnavailable": undefined, "pdb:spec.minAvailable": "100%" },
                problems: ["its PodDisruptionBudget allows no voluntary disruption"],
            },
        ],
        unknown: { "pdb:spec.maxUnavailable": 0 },
    });

    describeRule({
        rule: rel.knativeBoundedScale,
        golden: () => [knativeService()],
        fails: [
            {
                when: "max-scale is missing",
                set: { "spec.template.metadata.annotations[autoscaling.knative.dev/max-scale]": undefined },
                problems: ["annotation autoscaling.knative.dev/max-scale is not a positive number"],
            },
            {
                when: "max-scale is 0 (unbounded in Knative)",
                set: { "spec.template.metadata.annotations[autoscaling.knative.dev/max-scale]": "0" },
                problems: ["annotation autoscaling.knative.dev/max-scale is not a positive number"],
            },
        ],
        unknown: { "spec.template.metadata.annotations": 0 },
    });

    describe("policy config knobs", () => {
        it("k8s-serving-replicas: a team raises the floor to 3 (Pulumi's premium policy value)", async () => {
            const found = await run(rel.servingReplicas, [deployment(), hpa()], { environment: "prod", config: { minReplicas: 3 } });
            assert.deepEqual(
                found.map((f) => [f.urn, f.message]),
                [[urnOf(deployment()), messageOf(rel.servingReplicas, "keeps 2 replicas (HorizontalPodAutoscaler minReplicas), below 3")]],
            );
        });
        it("k8s-serving-replicas: servingComponents decides which Deployments are serving", async () => {
            const stack = mutate([deployment(), hpa()], {
                set: { "hpa:spec.minReplicas": 1, "metadata.labels[app.kubernetes.io/component]": "api" },
            });
            assert.deepEqual(await run(rel.servingReplicas, stack, { environment: "prod" }), []);
            const found = await run(rel.servingReplicas, stack, { environment: "prod", config: { servingComponents: ["api"] } });
            assert.deepEqual(
                found.map((f) => f.message),
                [messageOf(rel.servingReplicas, "keeps 1 replica (HorizontalPodAutoscaler minReplicas), below 2")],
            );
        });
    });
});

describe("kubernetes data pipeline rules", () => {
    const POLICY_FILE = "data[pipeline-iris-etl.json]";
    const scoped = pipelinePolicyJson({ source: { zone: "raw", prefix: "iris/" }, target: { zone: "curated", prefix: "iris/" } });
    const withStatement = (statement: Record<string, unknown>) => {
        const doc = JSON.parse(scoped);
        doc.Statement.push(statement);
        return JSON.stringify(doc);
    };
    const policies = () => ({
        name: "policies",
        type: "kubernetes:core/v1:ConfigMap",
        props: {
            metadata: { namespace: "mlops-dev-lake", labels: { "mlops.dev/minio-policies": "true" } },
            data: { "pipeline-iris-etl.json": scoped },
        },
    });

    describeRule({
        rule: pl.pipelineIdentityScoped,
        golden: () => [policies()],
        passes: [{ when: "a ConfigMap is not a pipeline policy set", set: { "metadata.labels": {}, [POLICY_FILE]: "{}" } }],
        fails: [
            {
                when: "a statement allows every S3 action",
                set: { [POLICY_FILE]: withStatement({ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::raw/iris/*"] }) },
                problems: ["pipeline-iris-etl.json statement 4 allows s3:*"],
            },
            {
                when: "a statement reaches every object of a bucket",
                set: { [POLICY_FILE]: withStatement({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::raw/*"] }) },
                problems: ["pipeline-iris-etl.json statement 4 covers every object of bucket raw (arn:aws:s3:::raw/*), not a prefix"],
            },
            {
                when: "a statement names every bucket",
                set: { [POLICY_FILE]: withStatement({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::*"] }) },
                problems: ["pipeline-iris-etl.json statement 4 names arn:aws:s3:::*, not one bucket"],
            },
            {
                when: "a pipeline may delete objects",
                set: {
                    [POLICY_FILE]: withStatement({
                        Effect: "Allow",
                        Action: ["s3:DeleteObject"],
                        Resource: ["arn:aws:s3:::curated/iris/*"],
                    }),
                },
                problems: ["pipeline-iris-etl.json statement 4 allows s3:DeleteObject"],
            },
            {
                when: "listing has no prefix condition",
                set: { [POLICY_FILE]: withStatement({ Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::raw"] }) },
                problems: [
                    "pipeline-iris-etl.json statement 4 lists a whole bucket (s3:ListBucket without an s3:prefix condition on a prefix)",
                ],
            },
        ],
        unknown: { data: 0 },
    });

    const minio = () => ({
        name: "minio",
        type: K8S.statefulSet,
        props: {
            metadata: { namespace: "mlops-dev-lake" },
            spec: {
                template: {
                    spec: {
                        containers: [
                            {
                                name: "minio",
                                image: "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z",
                                env: [{ name: "MINIO_KMS_SECRET_KEY_FILE", value: "/etc/minio/secrets/kms-secret-key" }],
                            },
                        ],
                    },
                },
            },
        },
    });
    describeRule({
        rule: pl.pipelineLakeEncrypted,
        golden: () => [minio()],
        passes: [{ when: "the StatefulSet does not run MinIO", set: { [`${POD}.containers.0.image`]: "postgres:16.4", [`${C}.env`]: [] } }],
        fails: [
            {
                when: "MinIO runs without a KMS key",
                set: { [`${C}.env`]: [{ name: "MINIO_BROWSER", value: "off" }] },
                problems: ["MinIO container minio has no KMS key (MINIO_KMS_SECRET_KEY_FILE): objects are stored unencrypted"],
            },
        ],
        unknown: { [`${C}.env`]: 0 },
    });

    const pipelineCron = () => ({
        name: "etl",
        type: K8S.cronJob,
        props: {
            metadata: { namespace: "mlops-dev-pipelines" },
            spec: {
                schedule: "0 3 * * *",
                concurrencyPolicy: "Forbid",
                jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: 1800, template: { spec: podSpec() } } },
            },
        },
    });
    describeRule({
        rule: pl.pipelineCronJobBounded,
        golden: () => [pipelineCron()],
        fails: [
            {
                when: "runs may overlap",
                set: { "spec.concurrencyPolicy": "Allow" },
                problems: ["concurrencyPolicy is Allow, not Forbid"],
            },
            {
                when: "concurrencyPolicy is unset",
                set: { "spec.concurrencyPolicy": undefined },
                problems: ["concurrencyPolicy is unset (Allow), not Forbid"],
            },
            {
                when: "a run has no deadline or retry limit",
                set: { "spec.jobTemplate.spec.activeDeadlineSeconds": undefined, "spec.jobTemplate.spec.backoffLimit": undefined },
                problems: [
                    "jobTemplate.spec.activeDeadlineSeconds is not set: a stuck run never ends",
                    "jobTemplate.spec.backoffLimit is not set (Kubernetes retries 6 times)",
                ],
            },
        ],
        unknown: { "spec.concurrencyPolicy": 0 },
    });
    const airflowRelease = () => ({
        name: "airflow",
        type: "kubernetes:helm.sh/v3:Release",
        props: {
            chart: "airflow",
            version: "1.16.0",
            namespace: "mlops-dev-airflow",
            values: {
                fernetKeySecretName: "mlops-airflow-fernet-key",
                webserverSecretKeySecretName: "mlops-airflow-webserver-secret-key",
                webserver: { service: { type: "ClusterIP" }, defaultUser: { enabled: false } },
                ingress: { web: { enabled: false } },
                postgresql: { auth: { existingSecret: "mlops-airflow-postgres" } },
            },
        },
    });
    describeRule({
        rule: pl.airflowPrivate,
        golden: () => [airflowRelease()],
        passes: [
            { when: "the release is another chart", set: { chart: "redis", "values.webserver.service.type": "LoadBalancer" } },
            { when: "the service type is left at the chart's default (ClusterIP)", set: { "values.webserver.service": {} } },
        ],
        fails: [
            {
                when: "the web server is a LoadBalancer and has an ingress",
                set: { "values.webserver.service.type": "LoadBalancer", "values.ingress.web.enabled": true },
                problems: [
                    "webserver.service.type is LoadBalancer: the UI is reachable from outside the cluster",
                    "ingress.web.enabled is true: the UI is published through an ingress",
                ],
            },
            {
                when: "the chart's default admin user is created",
                set: { "values.webserver.defaultUser.enabled": true },
                problems: ["webserver.defaultUser.enabled is not false: the chart creates the admin user admin/admin"],
            },
            {
                when: "keys and the database password are literal values",
                set: { "values.fernetKey": "abc", "values.postgresql.auth.postgresPassword": "postgres" },
                problems: [
                    "fernetKey is a literal value: take it from a Secret",
                    "postgresql.auth.postgresPassword is a literal value: take it from a Secret",
                ],
            },
        ],
        unknown: { "values.webserver.defaultUser.enabled": 0 },
    });
    const trainingCron = () => ({
        name: "train",
        type: K8S.cronJob,
        props: {
            metadata: { namespace: NS, labels: { "app.kubernetes.io/component": "training" } },
            spec: {
                jobTemplate: {
                    spec: { template: { spec: { ...podSpec(), serviceAccountName: "iris-train", automountServiceAccountToken: false } } },
                },
            },
        },
    });
    const TPOD = "spec.jobTemplate.spec.template.spec";
    describeRule({
        rule: tr.trainingOwnIdentity,
        golden: () => [trainingCron()],
        passes: [
            {
                when: "the CronJob is not part of the training loop (a data pipeline)",
                set: { "metadata.labels": { "app.kubernetes.io/component": "data-pipeline" }, [`${TPOD}.serviceAccountName`]: undefined },
            },
        ],
        fails: [
            {
                when: "the training pod runs as the namespace's default account",
                set: { [`${TPOD}.serviceAccountName`]: undefined },
                problems: ["the training pod runs as the namespace's default ServiceAccount"],
            },
            {
                when: "the drift pod names the default account and automounts its token",
                set: {
                    "metadata.labels": { "app.kubernetes.io/component": "drift-monitor" },
                    [`${TPOD}.serviceAccountName`]: "default",
                    [`${TPOD}.automountServiceAccountToken`]: undefined,
                },
                problems: [
                    "the drift-monitor pod runs as ServiceAccount default",
                    "the drift-monitor pod automounts its ServiceAccount token (automountServiceAccountToken is not false)",
                ],
            },
        ],
        unknown: { [`${TPOD}.serviceAccountName`]: 0 },
    });

    // The env KubernetesTrainingPipelines gives the train container (MLOPS_APPROVAL is the training's approval).
    const approvalCron = (approval: unknown = "manual") => {
        const cron = trainingCron();
        const train = {
            ...container(),
            name: "train",
            env: [
                { name: "MLOPS_PIPELINE", value: "iris-train" },
                { name: "MLOPS_GATE_METRIC", value: "f1Macro" },
                { name: "MLOPS_APPROVAL", value: approval },
            ],
        };
        (cron.props.spec.jobTemplate.spec.template.spec as Record<string, any>).containers = [train];
        return cron;
    };
    const APPROVAL_ENV = `${TPOD}.containers.0.env.2`;
    describeRule({
        rule: tr.prodVersionsPending,
        golden: () => [approvalCron()],
        passes: [
            { when: "a CronJob carries no MLOPS_APPROVAL (a data pipeline, the drift monitor)", set: { [`${TPOD}.containers.0.env`]: [] } },
        ],
        fails: [
            {
                when: "a prod training job approves versions itself (approval automatic)",
                set: { [`${APPROVAL_ENV}.value`]: "automatic" },
                problems: [
                    "container train: MLOPS_APPROVAL is automatic, not manual: versions that pass the gate are approved without a person",
                ],
            },
            {
                when: "the value is not one the training step reads as pending approval",
                set: { [`${APPROVAL_ENV}.value`]: "approved" },
                problems: ["container train: MLOPS_APPROVAL is approved, not manual"],
            },
            {
                when: "the value comes from a ConfigMap the rule cannot read",
                set: { [APPROVAL_ENV]: { name: "MLOPS_APPROVAL", valueFrom: { configMapKeyRef: { name: "approval", key: "mode" } } } },
                problems: ["container train: MLOPS_APPROVAL comes from valueFrom, so it cannot be shown to be manual"],
            },
            {
                when: "a Job started from the template (an init container) approves",
                add: [
                    {
                        name: "train-now",
                        type: K8S.job,
                        props: {
                            metadata: { namespace: NS },
                            spec: {
                                template: {
                                    spec: {
                                        ...podSpec(),
                                        initContainers: [
                                            { ...container(), name: "register", env: [{ name: "MLOPS_APPROVAL", value: "automatic" }] },
                                        ],
                                    },
                                },
                            },
                        },
                    },
                ],
                problems: [
                    "init container register: MLOPS_APPROVAL is automatic, not manual: versions that pass the gate are approved without a person",
                ],
                on: "train-now",
            },
        ],
        unknown: { [`${APPROVAL_ENV}.value`]: 0 },
    });
    it("k8s-prod-versions-pending-approval: an unknown value skips that job only; another job that approves is still reported", async () => {
        const unknownJob = mutate([approvalCron("automatic")], { set: { [`${APPROVAL_ENV}.value`]: UNKNOWN } })[0];
        const other = { ...approvalCron("automatic"), name: "train-2" };
        const found = await run(tr.prodVersionsPending, [unknownJob, other], { environment: "prod" });
        assert.deepEqual(
            found.map((f) => [f.urn, f.message]),
            [
                [
                    urnOf(other),
                    messageOf(
                        tr.prodVersionsPending,
                        "container train: MLOPS_APPROVAL is automatic, not manual: versions that pass the gate are approved without a person",
                    ),
                ],
            ],
        );
    });

    const httpsPolicy = () => ({
        name: "delivery-https",
        type: K8S.networkPolicy,
        props: {
            metadata: { namespace: NS },
            spec: {
                podSelector: { matchLabels: { "mlops.dev/role": "delivery" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
            },
        },
    });
    describeRule({
        rule: tr.internetEgressScoped,
        golden: () => [httpsPolicy()],
        passes: [
            {
                when: "the policy allows only in-cluster peers on any port",
                set: { "spec.egress": [{ to: [{ namespaceSelector: { matchLabels: { a: "b" } } }] }], "spec.podSelector": {} },
            },
        ],
        fails: [
            {
                when: "every pod of the namespace may reach the internet",
                set: { "spec.podSelector": {} },
                problems: ["it lets every pod of the namespace reach any address (empty podSelector)"],
            },
            {
                when: "any address is open on every port, or on a port other than 443",
                set: {
                    "spec.egress": [
                        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] },
                        { to: [{ ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 80 }] },
                    ],
                },
                problems: ["it allows any port to any address", "it allows TCP 80 to any address, not HTTPS only"],
            },
        ],
        unknown: { "spec.egress.0.to.0.ipBlock.cidr": 0 },
    });
});
