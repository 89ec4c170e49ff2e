/**
 * @mlops/components public entry: cloud-neutral contracts, the accelerator catalog and shared helpers.
 * It loads no cloud SDK. Implementations live in per-cloud entries (`@mlops/components/kubernetes`,
 * and `aws`, `gcp`, `azure` as they land), so a program loads only the SDK of the cloud it deploys to.
 */
export * from "./accelerators";
export * from "./shared/problems";
export * from "./shared/naming";
export * from "./shared/labels";
export * from "./shared/model";
export * from "./shared/images";
export * from "./data-lake/contract";
export * from "./ml-platform/contract";
export * from "./container-service/contract";
export * from "./serverless-inference/contract";
export * from "./data-pipeline/contract";
export * from "./training-pipeline/contract";
export * from "./shared/cron";
// Pure layout rule of the Kubernetes data lake, so the config parser can check it before anything runs.
export { erasureSetSize } from "./data-lake/kubernetes-args";
