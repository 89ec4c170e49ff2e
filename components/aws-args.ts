/**
 * AWS arguments, validators and name rules of the components in `@mlops/components/aws`, without the
 * components: loads no cloud SDK, so a config parser can check a stack's AWS settings before anything runs.
 * Import from `@mlops/components/aws-args`.
 */
export * from "./naming/aws";
export * from "./audit/aws-args";
export * from "./encryption/aws-args";
export * from "./network/aws-args";
export * from "./observability/aws-args";
export * from "./storage/aws-args";
export * from "./registry/aws-args";
export * from "./data-lake/aws-args";
export * from "./ml-platform/aws-args";
export * from "./container-service/aws-images";
export * from "./container-service/aws-args";
export * from "./serverless-inference/aws-args";
export * from "./data-pipeline/aws-args";
export * from "./training-pipeline/aws-args";
