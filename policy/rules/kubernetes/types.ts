/** Kubernetes type tokens (@pulumi/kubernetes 4.34) and where each workload keeps its pod template. */
import { at, Fields, fields } from "../lib/read";

export const K8S = {
    namespace: "kubernetes:core/v1:Namespace",
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    pv: "kubernetes:core/v1:PersistentVolume",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    knativeService: "kubernetes:serving.knative.dev/v1:Service",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

/** Path from a workload's inputs to its pod spec. */
const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
    [K8S.pod]: ["spec"],
    [K8S.deployment]: ["spec", "template", "spec"],
    [K8S.statefulSet]: ["spec", "template", "spec"],
    [K8S.daemonSet]: ["spec", "template", "spec"],
    [K8S.replicaSet]: ["spec", "template", "spec"],
    [K8S.job]: ["spec", "template", "spec"],
    [K8S.cronJob]: ["spec", "jobTemplate", "spec", "template", "spec"],
    [K8S.knativeService]: ["spec", "template", "spec"],
};

/** Every type that runs pods. */
export const WORKLOADS: readonly string[] = Object.keys(POD_SPEC_PATH);

/** Workloads that run until stopped (probes and replica floors make sense for them, not for Jobs). */
export const LONG_RUNNING: readonly string[] = [
    K8S.pod,
    K8S.deployment,
    K8S.statefulSet,
    K8S.daemonSet,
    K8S.replicaSet,
    K8S.knativeService,
];

/** Namespaced kinds this project creates; cluster-scoped kinds (Namespace, PersistentVolume) are not. */
export const NAMESPACED: readonly string[] = [
    ...WORKLOADS,
    K8S.service,
    K8S.serviceAccount,
    K8S.pvc,
    K8S.networkPolicy,
    K8S.hpa,
    K8S.pdb,
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ResourceQuota",
    "kubernetes:core/v1:LimitRange",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
];

export interface Container {
    readonly kind: "container" | "initContainer";
    /** The container as written in the pod spec (an element that is not an object reads as `{}`). */
    readonly spec: Fields;
}

/** The pod spec of a workload's inputs (`undefined` when absent). */
export function podSpec(type: string, props: Fields): Fields | undefined {
    const current = at(props, POD_SPEC_PATH[type] ?? []);
    return current && typeof current === "object" ? (current as Fields) : undefined;
}

/** Containers and init containers of a pod spec. */
export function containersOf(pod: Fields | undefined): Container[] {
    const of = (kind: Container["kind"], items: unknown) =>
        Array.isArray(items) ? items.map((spec) => ({ kind, spec: fields(spec) })) : [];
    return [...of("initContainer", pod?.initContainers), ...of("container", pod?.containers)];
}

/** How a container is named in messages. */
export const label = (c: Container): string =>
    `${c.kind === "initContainer" ? "init container" : "container"} ${c.spec.name ?? "(unnamed)"}`;
