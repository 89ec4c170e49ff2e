/**
 * Kubernetes arguments, validators and name rules of the components in `@mlops/components/kubernetes`,
 * without the components: loads no SDK, so a config parser can check a stack's Kubernetes settings before
 * anything runs. Import from `@mlops/components/kubernetes-args`.
 */
export * from "./naming/kubernetes";
export type { MinioCredentials } from "./shared/minio";
export * from "./data-lake/kubernetes-args";
export * from "./ml-platform/kubernetes-args";
export * from "./container-service/kubernetes-args";
export * from "./serverless-inference/kubernetes-args";
export * from "./data-pipeline/kubernetes-args";
export * from "./training-pipeline/kubernetes-args";
