/**
 * Azure implementations of the four components and the foundations they share (loads
 * @pulumi/azure-native submodules only). Import from `@mlops/components/azure`.
 * Each capability has `azure.ts` (the components) and `azure-args.ts` (their args and validators).
 */
export * from "./data-lake/azure";
export * from "./data-lake/azure-args";
export * from "./ml-platform/azure";
export * from "./ml-platform/azure-args";
export * from "./container-service/azure";
export * from "./container-service/azure-args";
export * from "./serverless-inference/azure";
export * from "./serverless-inference/azure-args";
export * from "./encryption/azure";
export * from "./encryption/azure-args";
export * from "./identity/azure";
export * from "./identity/azure-args";
export * from "./identity/azure-roles";
export * from "./observability/azure";
export * from "./observability/azure-args";
export * from "./observability/azure-alerts";
export * from "./naming/azure";
export * from "./network/azure";
export * from "./network/azure-args";
export * from "./network/azure-ip-ranges";
export * from "./network/azure-layout";
export * from "./network/azure-private-endpoint";
export type {
    AzureLocationArgs,
    AzureLogAnalyticsArgs,
    AzureNamePrefixArgs,
    AzureNameSuffixArgs,
    AzurePlacementArgs,
    AzureResourceGroupArgs,
    AzureSubscriptionArgs,
} from "./shared/azure-placement";
export * from "./data-pipeline/azure";
// The arguments, validators and name rules (also their own SDK-free entry, @mlops/components/azure-args).
export * from "./azure-args";
export * from "./training-pipeline/azure";
export * from "./training-pipeline/azure-job";
