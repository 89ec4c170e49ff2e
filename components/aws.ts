/**
 * AWS implementations of the four components and the foundations they build on (loads @pulumi/aws only).
 */
export * from "./naming/aws";
export * from "./identity/aws";
export * from "./encryption/aws";
export * from "./network/aws";
export * from "./observability/aws";
export * from "./storage/aws";
export * from "./audit/aws";
export * from "./registry/aws";
export * from "./data-lake/aws";
export * from "./ml-platform/aws";
export * from "./container-service/aws-images";
export * from "./container-service/aws";
export * from "./serverless-inference/aws-lambda";
export * from "./serverless-inference/aws-sagemaker";
export * from "./serverless-inference/aws";
export * from "./data-pipeline/aws";
// The arguments, validators and name rules (also their own SDK-free entry, @mlops/components/aws-args).
export * from "./aws-args";
export * from "./training-pipeline/aws";
