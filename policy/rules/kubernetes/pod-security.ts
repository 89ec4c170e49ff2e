/**
 * The Pod Security Standards "restricted" profile, container by container (Checkov CKV_K8S_*, Trivy
 * KSV-*, CIS Kubernetes 5.2.x / 5.7.x). mlops workloads get these settings from the restricted pod
 * builders in components/shared/kubernetes-pods.ts.
 */
import { MlopsPolicy, resourceRule } from "../meta";
import { at, list, oneOf, records } from "../lib/read";
import { containerRule, effective } from "./container-rule";
import { podSpec, WORKLOADS } from "./types";

const BUILDERS = "components/shared/kubernetes-pods.ts";

export const noPrivileged = containerRule({
    name: "k8s-no-privileged-containers",
    description: "Containers do not run privileged.",
    severity: "critical",
    remediation: `drop securityContext.privileged (mlops workloads use restrictedContainerSecurityContext() in ${BUILDERS})`,
    mirrors: ["CKV_K8S_16", "KSV-0017", "CIS-K8s 5.2.2"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => (at(c.spec, "securityContext.privileged") === true ? "securityContext.privileged is true" : undefined),
});

export const noPrivilegeEscalation = containerRule({
    name: "k8s-no-privilege-escalation",
    description: "Containers set allowPrivilegeEscalation: false (Kubernetes allows escalation when it is unset).",
    severity: "high",
    remediation: `set securityContext.allowPrivilegeEscalation: false (restrictedContainerSecurityContext() in ${BUILDERS})`,
    mirrors: ["CKV_K8S_20", "KSV-0001", "CIS-K8s 5.2.6"],
    category: "security",
    enforcement: "mandatory",
    check: (c) =>
        at(c.spec, "securityContext.allowPrivilegeEscalation") === false
            ? undefined
            : "securityContext.allowPrivilegeEscalation is not false",
});

export const runAsNonRoot = containerRule({
    name: "k8s-run-as-non-root",
    description: "Containers run as a non-root user (runAsNonRoot: true, runAsUser not 0), set on the container or the pod.",
    severity: "high",
    remediation: `set runAsNonRoot: true and a non-zero runAsUser (restrictedPodSecurityContext() in ${BUILDERS} uses UID 10001)`,
    mirrors: ["CKV_K8S_23", "KSV-0012", "CIS-K8s 5.2.7"],
    category: "security",
    enforcement: "mandatory",
    check: (c, pod) => [
        ...(effective(c, pod, "runAsNonRoot") === true ? [] : ["runAsNonRoot is not true on the container or the pod"]),
        ...(effective(c, pod, "runAsUser") === 0 ? ["runAsUser is 0 (root)"] : []),
    ],
});

export const readOnlyRootFilesystem = containerRule({
    name: "k8s-read-only-root-filesystem",
    description: "Containers mount their root filesystem read-only (writable paths are emptyDir volumes).",
    severity: "medium",
    remediation: `set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes (as the mlops workloads do for /tmp; ${BUILDERS})`,
    mirrors: ["CKV_K8S_22", "KSV-0014", "CIS-K8s 5.7.3"],
    category: "security",
    enforcement: "mandatory",
    check: (c) =>
        at(c.spec, "securityContext.readOnlyRootFilesystem") === true ? undefined : "securityContext.readOnlyRootFilesystem is not true",
});

export const dropAllCapabilities = containerRule({
    name: "k8s-drop-all-capabilities",
    description: "Containers drop every Linux capability (capabilities.drop includes ALL).",
    severity: "high",
    remediation: `set securityContext.capabilities.drop: [ALL] (restrictedContainerSecurityContext() in ${BUILDERS})`,
    mirrors: ["CKV_K8S_28", "CKV_K8S_37", "KSV-0003", "CIS-K8s 5.2.9"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => {
        const drop = at(c.spec, "securityContext.capabilities.drop");
        return Array.isArray(drop) && drop.includes("ALL") ? undefined : "securityContext.capabilities.drop does not include ALL";
    },
});

/** The one capability the restricted profile lets a container add back. */
const ADDABLE = ["NET_BIND_SERVICE"];

export const noAddedCapabilities = containerRule({
    name: "k8s-no-added-capabilities",
    description: "Containers add no Linux capability except NET_BIND_SERVICE.",
    severity: "high",
    remediation: `remove securityContext.capabilities.add; listen on a port above 1024 instead (mlops models use mlops:models[].port, default 8080)`,
    mirrors: ["CKV_K8S_25", "KSV-0022", "KSV-0106", "CIS-K8s 5.2.8"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => {
        const added = list(at(c.spec, "securityContext.capabilities.add")).filter((cap) => !oneOf(ADDABLE, cap));
        return added.length > 0 ? `adds capabilities ${added.join(", ")}` : undefined;
    },
});

const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

export const seccompProfile = containerRule({
    name: "k8s-seccomp-profile",
    description: "Containers run under the RuntimeDefault (or a Localhost) seccomp profile, set on the container or the pod.",
    severity: "medium",
    remediation: `set securityContext.seccompProfile.type: RuntimeDefault on the pod (restrictedPodSecurityContext() in ${BUILDERS})`,
    mirrors: ["CKV_K8S_31", "KSV-0030", "KSV-0104", "CIS-K8s 5.7.2"],
    category: "security",
    enforcement: "mandatory",
    check: (c, pod) => {
        const type = at(effective(c, pod, "seccompProfile"), "type");
        return oneOf(SECCOMP_TYPES, type) ? undefined : `seccompProfile.type is ${type ?? "unset"}, not RuntimeDefault or Localhost`;
    },
});

export const noHostNamespaces = resourceRule({
    name: "k8s-no-host-namespaces",
    description: "Pods share no host namespace (hostPID, hostIPC, hostNetwork) and mount no hostPath volume.",
    severity: "high",
    remediation:
        "remove hostPID, hostIPC, hostNetwork and hostPath volumes from the pod spec and use emptyDir or a PersistentVolumeClaim, as the pod builders in components/shared/kubernetes-pods.ts do",
    mirrors: [
        "CKV_K8S_17",
        "CKV_K8S_18",
        "CKV_K8S_19",
        "KSV-0008",
        "KSV-0009",
        "KSV-0010",
        "KSV-0023",
        "CIS-K8s 5.2.3",
        "CIS-K8s 5.2.4",
        "CIS-K8s 5.2.5",
    ],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: WORKLOADS,
    check: (r) => {
        const pod = podSpec(r.type, r.props) ?? {};
        const flags = ["hostPID", "hostIPC", "hostNetwork"].filter((f) => pod[f] === true).map((f) => `pod sets ${f}: true`);
        const paths = records(pod.volumes)
            .filter((v) => v.hostPath)
            .map((v) => `pod mounts hostPath volume ${v.name}`);
        return [...flags, ...paths];
    },
});

export const noServiceAccountToken = resourceRule({
    name: "k8s-no-service-account-token",
    description: "Pods do not mount a service account token (automountServiceAccountToken: false).",
    severity: "medium",
    remediation:
        "set automountServiceAccountToken: false in the pod spec (every mlops workload does, see components/shared/kubernetes-pods.ts); mount a projected token only where a pod calls the API server",
    mirrors: ["CKV_K8S_38", "KSV-0036", "CIS-K8s 5.1.6"],
    clouds: ["kubernetes"],
    category: "security",
    enforcement: "mandatory",
    types: WORKLOADS,
    check: (r) =>
        podSpec(r.type, r.props)?.automountServiceAccountToken === false
            ? []
            : ["pod spec does not set automountServiceAccountToken: false"],
});

export const podSecurityRules: readonly MlopsPolicy[] = [
    noPrivileged,
    noPrivilegeEscalation,
    runAsNonRoot,
    readOnlyRootFilesystem,
    dropAllCapabilities,
    noAddedCapabilities,
    seccompProfile,
    noHostNamespaces,
    noServiceAccountToken,
];
