/**
 * Google Cloud implementations of the four components, and the foundations they need (project APIs,
 * CMEK keys, network, observability), with each one's arguments and validator. Loads @pulumi/gcp (and
 * @pulumi/random) only.
 */
export * from "./project-services/gcp";
export * from "./project-services/gcp-args";
export * from "./encryption/gcp";
export * from "./encryption/gcp-args";
export * from "./network/gcp";
export * from "./network/gcp-args";
export * from "./naming/gcp";
export * from "./data-lake/gcp";
export * from "./data-lake/gcp-args";
export * from "./ml-platform/gcp";
export * from "./ml-platform/gcp-args";
export * from "./container-service/gcp";
export * from "./container-service/gcp-args";
export * from "./serverless-inference/gcp";
export * from "./serverless-inference/gcp-args";
export * from "./observability/gcp";
export * from "./observability/gcp-args";
export * from "./observability/gcp-signal-alert";
export type { AlertSignal } from "./observability/gcp-conditions";
export * from "./data-pipeline/gcp";
export * from "./data-pipeline/gcp-args";
// The arguments, validators and name rules (also their own SDK-free entry, @mlops/components/gcp-args).
export * from "./gcp-args";
export * from "./training-pipeline/gcp";
