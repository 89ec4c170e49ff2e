/**
 * Plain-object builders for Kubernetes pods that meet the restricted Pod Security Standard
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/) and CKV_K8S_8..43 /
 * KSV-0001..0110 (docs/security-baseline.md 1.4). Type-only imports: no SDK is loaded here.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { AcceleratorSettings } from "../accelerators/types";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Toleration = k8s.types.input.core.v1.Toleration;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** UID/GID above 10000 (CKV_K8S_40) so a container escape does not map onto a host user. */
export const NON_ROOT_UID = 10001;

/** Labels that make the API server enforce the restricted profile on a namespace. */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
};

/**
 * Pod-level security context: non-root with a high UID, RuntimeDefault seccomp. `OnRootMismatch` makes the
 * kubelet chown a volume only when its root is not already owned by the fsGroup; the default (`Always`)
 * walks every file on every mount, which delays each MinIO or MLflow restart by the size of the data.
 */
export function restrictedPodSecurityContext(): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: NON_ROOT_UID,
        runAsGroup: NON_ROOT_UID,
        fsGroup: NON_ROOT_UID,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security context: no privilege, no escalation, read-only root, all capabilities dropped. */
export function restrictedContainerSecurityContext(): SecurityContext {
    return {
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Pod spec of a run-to-completion Job: restricted, no service-account token, no service links. Jobs get
 * no probes (CKV_K8S_8/9 do not apply to them); the Job's deadline bounds them instead.
 */
export function jobPodSpec(spec: Pick<PodSpec, "containers" | "volumes">): PodSpec {
    return {
        restartPolicy: "OnFailure",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurityContext(),
        ...spec,
    };
}

/** Extended-resource limits for an accelerator (`{ "nvidia.com/gpu": "1" }`), or `{}` for CPU only. */
export function acceleratorLimits(settings: AcceleratorSettings | undefined): Record<string, string> {
    if (!settings?.resourceName) return {};
    return { [settings.resourceName]: String(settings.count) };
}

/** Node selector for an accelerator, or `undefined` for CPU only. */
export function acceleratorNodeSelector(settings: AcceleratorSettings | undefined): Record<string, string> | undefined {
    return settings?.nodeSelector ? { ...settings.nodeSelector } : undefined;
}

/** Tolerations for an accelerator's node taints, or `undefined` for CPU only. */
export function acceleratorTolerations(settings: AcceleratorSettings | undefined): Toleration[] | undefined {
    return settings?.tolerations?.map((t) => ({ ...t }));
}

/** `"500m"` from millicores, `"512Mi"` from MiB: the quantities Kubernetes takes. */
export function cpuQuantity(millicores: number): string {
    return `${millicores}m`;
}
export function memoryQuantity(mebibytes: number): string {
    return `${mebibytes}Mi`;
}

/**
 * A command behind a `/bin/sh` line that loads MinIO keys from the files `access-key-id` and `secret-access-key`
 * in `dir` into AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (what the samples' lakeio reads), so the keys never
 * appear in the pod spec (CKV_K8S_35). The image needs /bin/sh.
 */
export function minioCredentialsShim(dir: string, command: readonly string[]): string[] {
    const script =
        `AWS_ACCESS_KEY_ID="$(cat ${dir}/access-key-id)" AWS_SECRET_ACCESS_KEY="$(cat ${dir}/secret-access-key)" ` +
        `&& export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY && exec "$0" "$@"`;
    return ["/bin/sh", "-c", script, ...command];
}
