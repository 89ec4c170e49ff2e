/**
 * Azure arguments, validators, name rules and layout constants of the components in
 * `@mlops/components/azure`, without the components: loads no cloud SDK, so a config parser can check a
 * stack's Azure settings before anything runs. Import from `@mlops/components/azure-args`.
 */
export * from "./naming/azure";
export * from "./encryption/azure-args";
export * from "./identity/azure-args";
export * from "./network/azure-args";
export * from "./network/azure-ip-ranges";
export * from "./network/azure-layout";
export * from "./observability/azure-args";
export * from "./data-lake/azure-account";
export * from "./data-lake/azure-policy";
export * from "./data-lake/azure-args";
export * from "./ml-platform/azure-args";
export * from "./container-service/azure-registry";
export * from "./container-service/azure-args";
export * from "./serverless-inference/azure-args";
export * from "./data-pipeline/azure-args";
export * from "./training-pipeline/azure-args";
