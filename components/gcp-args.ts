/**
 * Google Cloud arguments, validators and name rules of the components in `@mlops/components/gcp`, without
 * the components: loads no cloud SDK, so a config parser can check a stack's GCP settings before anything
 * runs. Import from `@mlops/components/gcp-args`.
 */
export * from "./naming/gcp";
export * from "./project-services/gcp-args";
export * from "./encryption/gcp-args";
export * from "./network/gcp-args";
export * from "./observability/gcp-args";
export * from "./data-lake/gcp-args";
export * from "./ml-platform/gcp-args";
export * from "./container-service/gcp-args";
export * from "./serverless-inference/gcp-args";
export * from "./data-pipeline/gcp-args";
export * from "./training-pipeline/gcp-args";
