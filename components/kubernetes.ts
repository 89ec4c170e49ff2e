/**
 * Kubernetes implementations of the four components and the data pipelines (any cluster; loads @pulumi/kubernetes only), their
 * arguments and validators, and the Kubernetes name rules.
 */
export * from "./naming/kubernetes";
export * from "./data-lake/kubernetes-args";
export * from "./data-lake/kubernetes";
export * from "./ml-platform/kubernetes-args";
export * from "./ml-platform/kubernetes";
export * from "./container-service/kubernetes-args";
export * from "./container-service/kubernetes";
export * from "./serverless-inference/kubernetes-args";
export * from "./serverless-inference/kubernetes";
export * from "./data-pipeline/kubernetes-args";
export * from "./data-pipeline/kubernetes";
// The arguments, validators and name rules (also their own SDK-free entry, @mlops/components/kubernetes-args).
export * from "./kubernetes-args";
export * from "./training-pipeline/kubernetes-args";
export * from "./training-pipeline/kubernetes";
