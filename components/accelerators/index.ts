/**
 * The accelerator catalog: canonical names and their config forms, the per-cloud tables, and the
 * resolver that turns a request into the settings a service takes (or an error listing what it offers).
 */
export * from "./names";
export * from "./types";
export * from "./resolve";
export { AWS_CATALOG } from "./aws";
export { AZURE_CATALOG } from "./azure";
export { CLOUD_RUN_GPU_REGIONS, GCP_CATALOG } from "./gcp";
export { KUBERNETES_CATALOG, NODE_LABELS, POD_COUNTS, VENDOR_CHIPS, nodeScheduling } from "./kubernetes";
export type { NodeScheduling, VendorChip } from "./kubernetes";
