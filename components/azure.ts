/**
 * Azure implementations of the four components and the foundations they share (loads
 * @pulumi/azure-native submodules only). Import from `@mlops/components/azure`.
 */
export * from "./data-lake/azure";
export * from "./data-lake/azure-synapse";
export * from "./ml-platform/azure";
export * from "./container-service/azure";
export * from "./serverless-inference/azure";
export * from "./encryption/azure";
export * from "./identity/azure";
export * from "./identity/azure-roles";
export * from "./observability/azure";
export * from "./observability/azure-alerts";
export * from "./naming/azure";
export * from "./network/azure";
export * from "./network/azure-layout";
export * from "./network/azure-network";
export * from "./network/azure-private-endpoint";
