/**
 * Kubernetes (and MinIO) name rules, and names built to fit them for any stack config allows. Pure: no
 * SDK. A stack's namespaces are DNS labels built from the project, the stack and a role
 * (`mlops-dev-lake`), hash-truncated with fitName when too long; namePrefix is the project and stack part.
 */
import { dnsLabel, DNS_LABEL, KUBERNETES_LABEL_MAX } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";

/** `mlops-dev` from project and stack: a DNS label every namespace of the stack starts with (when it fits). */
export function namePrefix(project: string, stack: string): string {
    return dnsLabel([project, stack]);
}

/**
 * The namespace of one component of a stack, e.g. `mlops-dev-lake`: a DNS label of at most 63 characters,
 * hash-shortened when project, stack and role are longer (namespaces are never renamed: a new name
 * replaces the namespace and everything in it).
 */
export function namespaceName(project: string, stack: string, role: string): string {
    return dnsLabel([project, stack, role]);
}

/** A namespace name (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names). */
export function isNamespaceName(value: unknown): value is string {
    return typeof value === "string" && DNS_LABEL.test(value) && value.length <= KUBERNETES_LABEL_MAX;
}

/**
 * Problems with a namespace argument at `path`: not a DNS label, or the `default` namespace (CKV_K8S_21:
 * every component gets its own namespace).
 */
export function validateNamespaceName(path: string, value: unknown): ProblemDetail[] {
    if (!isNamespaceName(value))
        return [
            {
                path,
                value,
                message: "is not a valid namespace name",
                fix: "use a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
            },
        ];
    if (value === "default")
        return [
            {
                path,
                value,
                message: "must not be the `default` namespace (CKV_K8S_21)",
                fix: "give the component its own namespace, e.g. `models`",
            },
        ];
    return [];
}

/**
 * Label values and keys (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set):
 * a value is empty or at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric; a key is
 * that name with an optional DNS-subdomain prefix and '/'.
 */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A problem at `tags.<key>` for every tag that is not a valid Kubernetes label. */
export function validateLabels(tags: Readonly<Record<string, string>>): ProblemDetail[] {
    return Object.entries(tags)
        .filter(([key, value]) => !LABEL_KEY.test(key) || !LABEL_VALUE.test(value))
        .map(([key, value]) => ({
            path: `tags.${key}`,
            value,
            message: "is not a valid Kubernetes label",
            fix: "use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        }));
}

/**
 * MinIO bucket names: the S3 rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
 * minus dots so virtual-host style requests stay valid under TLS.
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
export function isValidBucketName(name: string): boolean {
    return BUCKET_NAME.test(name) && !name.startsWith("xn--") && !name.endsWith("-s3alias") && !name.includes("--");
}
