/**
 * Google Cloud implementations of the four components, and the foundations they need (project APIs,
 * CMEK keys, network, observability). Loads @pulumi/gcp (and @pulumi/random) only.
 */
export * from "./project-services/gcp";
export * from "./encryption/gcp";
export * from "./network/gcp";
export * from "./naming/gcp";
export * from "./data-lake/gcp";
export * from "./ml-platform/gcp";
export * from "./container-service/gcp";
export * from "./serverless-inference/gcp";
export * from "./observability/gcp";
