/**
 * Kubernetes implementations of the four components (any cluster; loads @pulumi/kubernetes only).
 */
export * from "./data-lake/kubernetes";
export * from "./ml-platform/kubernetes";
export * from "./container-service/kubernetes";
export * from "./serverless-inference/kubernetes";
