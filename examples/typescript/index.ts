/**
 * A data lake and model serving on a Kubernetes cluster, built from the published @mlops/components
 * package: the cloud-neutral entry for the accelerator catalog and contracts, the Kubernetes entry for the
 * components (it loads @pulumi/kubernetes only; no other cloud SDK is installed here).
 */
import { formatProblem, resolveAccelerator, type ModelServingSpec } from "@mlops/components";
import { KubernetesContainerService, MinioDataLake, validateMinioDataLake } from "@mlops/components/kubernetes";

const lakeArgs = {
    namespace: "example-lake",
    zones: ["raw", "curated", "features", "models"],
    servers: 1,
    drivesPerServer: 4,
    volumeSizeGiB: 10,
};
// The validators are pure: a program can check its arguments before it registers anything.
const problems = validateMinioDataLake(lakeArgs);
if (problems.length > 0) {
    throw new Error(problems.map(formatProblem).join("\n"));
}
export const lake = new MinioDataLake("lake", lakeArgs);

const model: ModelServingSpec = {
    name: "churn",
    image: "ghcr.io/example/churn@sha256:" + "0".repeat(64),
    port: 8080,
    healthPath: "/healthz",
    cpuMillicores: 500,
    memoryMiB: 512,
    minReplicas: 1,
    maxReplicas: 3,
    concurrency: 80,
};
const serving = new KubernetesContainerService("serving", {
    namespace: "example-serving",
    models: [model],
});

export const bucketNames = lake.bucketNames;
export const endpoints = serving.endpoints;
// The accelerator catalog is cloud-neutral: what an L4 needs on a plain Kubernetes cluster.
export const l4 = resolveAccelerator({
    cloud: "kubernetes",
    service: "kubernetes",
    accelerator: { type: "nvidia-l4", count: 1 },
})?.nodeSelector;
