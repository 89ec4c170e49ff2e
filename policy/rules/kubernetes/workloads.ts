/** Container resources, images and secrets handling, and StatefulSet volume retention. */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, records } from "../lib/read";
import { containerRule } from "./container-rule";
import { K8S } from "./types";

export const resourceLimits = containerRule({
    name: "k8s-resource-limits",
    description: "Containers set CPU and memory limits, so one pod cannot starve its node.",
    severity: "medium",
    remediation: "set resources.limits.cpu and .memory (mlops models take them from mlops:models[].cpuMillicores and memoryMiB)",
    mirrors: ["CKV_K8S_11", "CKV_K8S_13", "KSV-0011", "KSV-0018"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => [
        ...(at(c.spec, "resources.limits.cpu") ? [] : ["no CPU limit (resources.limits.cpu)"]),
        ...(at(c.spec, "resources.limits.memory") ? [] : ["no memory limit (resources.limits.memory)"]),
    ],
});

export const resourceRequests = containerRule({
    name: "k8s-resource-requests",
    description: "Containers set CPU and memory requests, so the scheduler reserves what they need.",
    severity: "medium",
    remediation: "set resources.requests.cpu and .memory (mlops models take them from mlops:models[].cpuMillicores and memoryMiB)",
    mirrors: ["CKV_K8S_10", "CKV_K8S_12", "KSV-0015", "KSV-0016"],
    category: "reliability",
    enforcement: "prod",
    check: (c) => [
        ...(at(c.spec, "resources.requests.cpu") ? [] : ["no CPU request (resources.requests.cpu)"]),
        ...(at(c.spec, "resources.requests.memory") ? [] : ["no memory request (resources.requests.memory)"]),
    ],
});

/** The tag of an image reference, if it has one (`registry:5000/app` has none). */
export function imageTag(image: string): string | undefined {
    const last = image.split("@")[0].split("/").pop() ?? "";
    return last.includes(":") ? last.split(":").pop() : undefined;
}

export const pinnedImages = containerRule({
    name: "k8s-pinned-images",
    description: "Container images are pinned to a version tag or a digest, never latest or untagged.",
    severity: "medium",
    remediation:
        "pin the image (mlops:models[].image, e.g. ghcr.io/acme/model:1.4.2 or @sha256:...); component images are pinned in components/shared/images.ts",
    mirrors: ["CKV_K8S_14", "KSV-0013"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => {
        const image: unknown = c.spec.image;
        if (typeof image !== "string" || image.length === 0) return "has no image";
        if (image.includes("@sha256:")) return undefined;
        const tag = imageTag(image);
        return tag && tag !== "latest" ? undefined : `image ${image} is not pinned to a version tag or digest`;
    },
});

export const imageDigests = containerRule({
    name: "k8s-image-digests",
    description: "Container images are pinned by digest, so a re-pushed tag cannot change what runs.",
    severity: "low",
    remediation: "reference images by digest (image@sha256:...) in mlops:models[].image and the component image pins",
    mirrors: ["CKV_K8S_43"],
    category: "security",
    enforcement: "advisory",
    check: (c) =>
        typeof c.spec.image === "string" && !c.spec.image.includes("@sha256:")
            ? `image ${c.spec.image} is pinned by tag, not by digest`
            : undefined,
});

/** Environment variable names that suggest a credential. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export const secretsAsFiles = containerRule({
    name: "k8s-secrets-as-files",
    description: "Secrets reach containers as mounted files, never as environment variables (env values leak into logs and crash dumps).",
    severity: "medium",
    remediation:
        "mount the Secret as a volume and pass its path (a *_FILE variable), as the mlops data lake and MLflow do; keep credentials out of mlops:models[].env",
    mirrors: ["CKV_K8S_35", "CIS-K8s 5.4.1"],
    category: "security",
    enforcement: "mandatory",
    check: (c) => [
        ...records(c.spec.env).flatMap((e) => {
            const secretKeyRef = at(e, "valueFrom.secretKeyRef");
            if (secretKeyRef) return [`environment variable ${e.name} reads Secret ${at(secretKeyRef, "name")}`];
            if (typeof e.value === "string" && SECRET_NAME.test(String(e.name ?? "")) && !/_FILE$/i.test(String(e.name)))
                return [`environment variable ${e.name} holds a literal credential`];
            return [];
        }),
        ...records(c.spec.envFrom)
            .filter((e) => e.secretRef)
            .map((e) => `envFrom loads Secret ${at(e, "secretRef.name")} into the environment`),
    ],
});

export const statefulSetRetainsVolumes = resourceRule({
    name: "k8s-statefulset-retains-volumes",
    description: "StatefulSets keep their PersistentVolumeClaims when deleted or scaled down (no Delete retention policy).",
    severity: "high",
    remediation:
        "leave spec.persistentVolumeClaimRetentionPolicy at Retain (the MinIO data lake sets whenDeleted and whenScaled: Retain in components/data-lake/kubernetes.ts)",
    mirrors: [CUSTOM],
    clouds: ["kubernetes"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [K8S.statefulSet],
    check: (r) =>
        ["whenDeleted", "whenScaled"]
            .filter((k) => at(r.props, ["spec", "persistentVolumeClaimRetentionPolicy", k]) === "Delete")
            .map((k) => `persistentVolumeClaimRetentionPolicy.${k} is Delete`),
});

export const workloadRules: readonly MlopsPolicy[] = [
    resourceLimits,
    resourceRequests,
    pinnedImages,
    imageDigests,
    secretsAsFiles,
    statefulSetRetainsVolumes,
];
