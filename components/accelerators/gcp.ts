/**
 * GCP accelerator table: per service, (accelerator, count) -> machine type plus accelerator type.
 * Compute Engine and GKE take guest accelerator strings (`nvidia-l4`); Vertex AI takes its enum
 * (`NVIDIA_L4`). T4 and V100 attach to N1 hosts, sized at SkyPilot's vCPU-per-GPU ratio; the other GPUs
 * come with fixed host shapes (G2, A2, A3). TPU v5e uses the single-host `ct5lp-hightpu-*` shapes.
 */
import { withScheduling } from "./kubernetes";
import type { CatalogRow, SERVICES, ServiceCatalog } from "./types";

type GcpService = (typeof SERVICES)["gcp"][number];

const SRC = {
    gpus: "https://cloud.google.com/compute/docs/gpus; skypilot sky/catalog/gcp_catalog.py _ACC_INSTANCE_TYPE_DICTS",
    n1: "https://cloud.google.com/compute/docs/gpus (T4/V100 on N1); skypilot sky/catalog/gcp_catalog.py _NUM_ACC_TO_NUM_CPU",
    h200: "AI-Hypercomputer/xpk src/xpk/core/system_characteristics.py (a3-ultragpu-8g, nvidia-h200-141gb); skypilot gcp_catalog.py",
    tpu: "https://cloud.google.com/tpu/docs/supported-versions (v5litepod-1/4/8 <-> ct5lp-hightpu-1t/4t/8t)",
    vertexEnum: "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/MachineSpec (AcceleratorType)",
    vertexTraining: "https://cloud.google.com/vertex-ai/docs/training/configure-compute",
    vertexTpu: "https://cloud.google.com/vertex-ai/docs/training/training-with-tpu-vm",
    vertexPrediction: "https://cloud.google.com/vertex-ai/docs/predictions/configure-compute",
    cloudRun: "https://cloud.google.com/run/docs/configuring/services/gpu",
} as const;

/** Compute Engine GPU VMs: machine type + guest accelerator type. Also GKE's node pools. */
const GCE_GPUS: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, machineType: "n1-standard-4", acceleratorType: "nvidia-tesla-t4", source: SRC.n1 },
    { accelerator: "nvidia-t4", count: 2, machineType: "n1-standard-8", acceleratorType: "nvidia-tesla-t4", source: SRC.n1 },
    { accelerator: "nvidia-t4", count: 4, machineType: "n1-standard-16", acceleratorType: "nvidia-tesla-t4", source: SRC.n1 },
    { accelerator: "nvidia-l4", count: 1, machineType: "g2-standard-4", acceleratorType: "nvidia-l4", source: SRC.gpus },
    { accelerator: "nvidia-l4", count: 2, machineType: "g2-standard-24", acceleratorType: "nvidia-l4", source: SRC.gpus },
    { accelerator: "nvidia-l4", count: 4, machineType: "g2-standard-48", acceleratorType: "nvidia-l4", source: SRC.gpus },
    { accelerator: "nvidia-l4", count: 8, machineType: "g2-standard-96", acceleratorType: "nvidia-l4", source: SRC.gpus },
    { accelerator: "nvidia-v100", count: 1, machineType: "n1-standard-8", acceleratorType: "nvidia-tesla-v100", source: SRC.n1 },
    { accelerator: "nvidia-v100", count: 2, machineType: "n1-standard-16", acceleratorType: "nvidia-tesla-v100", source: SRC.n1 },
    { accelerator: "nvidia-v100", count: 4, machineType: "n1-standard-32", acceleratorType: "nvidia-tesla-v100", source: SRC.n1 },
    { accelerator: "nvidia-v100", count: 8, machineType: "n1-standard-64", acceleratorType: "nvidia-tesla-v100", source: SRC.n1 },
    { accelerator: "nvidia-a100-40gb", count: 1, machineType: "a2-highgpu-1g", acceleratorType: "nvidia-tesla-a100", source: SRC.gpus },
    { accelerator: "nvidia-a100-40gb", count: 2, machineType: "a2-highgpu-2g", acceleratorType: "nvidia-tesla-a100", source: SRC.gpus },
    { accelerator: "nvidia-a100-40gb", count: 4, machineType: "a2-highgpu-4g", acceleratorType: "nvidia-tesla-a100", source: SRC.gpus },
    { accelerator: "nvidia-a100-40gb", count: 8, machineType: "a2-highgpu-8g", acceleratorType: "nvidia-tesla-a100", source: SRC.gpus },
    { accelerator: "nvidia-a100-40gb", count: 16, machineType: "a2-megagpu-16g", acceleratorType: "nvidia-tesla-a100", source: SRC.gpus },
    { accelerator: "nvidia-a100-80gb", count: 1, machineType: "a2-ultragpu-1g", acceleratorType: "nvidia-a100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-a100-80gb", count: 2, machineType: "a2-ultragpu-2g", acceleratorType: "nvidia-a100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-a100-80gb", count: 4, machineType: "a2-ultragpu-4g", acceleratorType: "nvidia-a100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-a100-80gb", count: 8, machineType: "a2-ultragpu-8g", acceleratorType: "nvidia-a100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-h100-80gb", count: 1, machineType: "a3-highgpu-1g", acceleratorType: "nvidia-h100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-h100-80gb", count: 2, machineType: "a3-highgpu-2g", acceleratorType: "nvidia-h100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-h100-80gb", count: 4, machineType: "a3-highgpu-4g", acceleratorType: "nvidia-h100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-h100-80gb", count: 8, machineType: "a3-highgpu-8g", acceleratorType: "nvidia-h100-80gb", source: SRC.gpus },
    { accelerator: "nvidia-h200", count: 8, machineType: "a3-ultragpu-8g", acceleratorType: "nvidia-h200-141gb", source: SRC.h200 },
];

/** Cloud TPU VMs (TPU API): `acceleratorType` is the TPU API type, `machineType` the matching VM shape. */
const TPU_VMS: readonly CatalogRow[] = [
    { accelerator: "google-tpu-v5e", count: 1, machineType: "ct5lp-hightpu-1t", acceleratorType: "v5litepod-1", source: SRC.tpu },
    { accelerator: "google-tpu-v5e", count: 4, machineType: "ct5lp-hightpu-4t", acceleratorType: "v5litepod-4", source: SRC.tpu },
    { accelerator: "google-tpu-v5e", count: 8, machineType: "ct5lp-hightpu-8t", acceleratorType: "v5litepod-8", source: SRC.tpu },
];

/** GKE TPU node pools are chosen by machine type alone (plus the topology label). */
const GKE_TPUS: readonly CatalogRow[] = [
    { accelerator: "google-tpu-v5e", count: 1, machineType: "ct5lp-hightpu-1t", source: SRC.tpu },
    { accelerator: "google-tpu-v5e", count: 4, machineType: "ct5lp-hightpu-4t", source: SRC.tpu },
    { accelerator: "google-tpu-v5e", count: 8, machineType: "ct5lp-hightpu-8t", source: SRC.tpu },
];

/** Vertex AI custom training: same machine types, Vertex enum names. */
const VERTEX_TRAINING: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, machineType: "n1-standard-4", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexTraining },
    { accelerator: "nvidia-t4", count: 2, machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexTraining },
    { accelerator: "nvidia-t4", count: 4, machineType: "n1-standard-16", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexTraining },
    { accelerator: "nvidia-l4", count: 1, machineType: "g2-standard-4", acceleratorType: "NVIDIA_L4", source: SRC.vertexTraining },
    { accelerator: "nvidia-l4", count: 2, machineType: "g2-standard-24", acceleratorType: "NVIDIA_L4", source: SRC.vertexTraining },
    { accelerator: "nvidia-l4", count: 4, machineType: "g2-standard-48", acceleratorType: "NVIDIA_L4", source: SRC.vertexTraining },
    { accelerator: "nvidia-l4", count: 8, machineType: "g2-standard-96", acceleratorType: "NVIDIA_L4", source: SRC.vertexTraining },
    {
        accelerator: "nvidia-v100",
        count: 1,
        machineType: "n1-standard-8",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-v100",
        count: 2,
        machineType: "n1-standard-16",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-v100",
        count: 4,
        machineType: "n1-standard-32",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-v100",
        count: 8,
        machineType: "n1-standard-64",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 1,
        machineType: "a2-highgpu-1g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 2,
        machineType: "a2-highgpu-2g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 4,
        machineType: "a2-highgpu-4g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 8,
        machineType: "a2-highgpu-8g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 16,
        machineType: "a2-megagpu-16g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 1,
        machineType: "a2-ultragpu-1g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 2,
        machineType: "a2-ultragpu-2g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 4,
        machineType: "a2-ultragpu-4g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 8,
        machineType: "a2-ultragpu-8g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-h100-80gb",
        count: 8,
        machineType: "a3-highgpu-8g",
        acceleratorType: "NVIDIA_H100_80GB",
        source: SRC.vertexTraining,
    },
    {
        accelerator: "nvidia-h200",
        count: 8,
        machineType: "a3-ultragpu-8g",
        acceleratorType: "NVIDIA_H200_141GB",
        source: `${SRC.vertexTraining}; ${SRC.vertexEnum}`,
    },
    { accelerator: "google-tpu-v5e", count: 1, machineType: "ct5lp-hightpu-1t", acceleratorType: "TPU_V5_LITEPOD", source: SRC.vertexTpu },
    { accelerator: "google-tpu-v5e", count: 4, machineType: "ct5lp-hightpu-4t", acceleratorType: "TPU_V5_LITEPOD", source: SRC.vertexTpu },
    { accelerator: "google-tpu-v5e", count: 8, machineType: "ct5lp-hightpu-8t", acceleratorType: "TPU_V5_LITEPOD", source: SRC.vertexTpu },
];

/**
 * Vertex AI endpoints. Single-GPU H100 shapes and H200 are left out: the prediction machine list we could
 * check does not show them. A2 mega (16 GPUs) is a training shape.
 */
const VERTEX_ENDPOINT: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, machineType: "n1-standard-4", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-t4", count: 2, machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-t4", count: 4, machineType: "n1-standard-16", acceleratorType: "NVIDIA_TESLA_T4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-l4", count: 1, machineType: "g2-standard-4", acceleratorType: "NVIDIA_L4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-l4", count: 2, machineType: "g2-standard-24", acceleratorType: "NVIDIA_L4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-l4", count: 4, machineType: "g2-standard-48", acceleratorType: "NVIDIA_L4", source: SRC.vertexPrediction },
    { accelerator: "nvidia-l4", count: 8, machineType: "g2-standard-96", acceleratorType: "NVIDIA_L4", source: SRC.vertexPrediction },
    {
        accelerator: "nvidia-v100",
        count: 1,
        machineType: "n1-standard-8",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-v100",
        count: 2,
        machineType: "n1-standard-16",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-v100",
        count: 4,
        machineType: "n1-standard-32",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-v100",
        count: 8,
        machineType: "n1-standard-64",
        acceleratorType: "NVIDIA_TESLA_V100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 1,
        machineType: "a2-highgpu-1g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 2,
        machineType: "a2-highgpu-2g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 4,
        machineType: "a2-highgpu-4g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-40gb",
        count: 8,
        machineType: "a2-highgpu-8g",
        acceleratorType: "NVIDIA_TESLA_A100",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 1,
        machineType: "a2-ultragpu-1g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 2,
        machineType: "a2-ultragpu-2g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 4,
        machineType: "a2-ultragpu-4g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-a100-80gb",
        count: 8,
        machineType: "a2-ultragpu-8g",
        acceleratorType: "NVIDIA_A100_80GB",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "nvidia-h100-80gb",
        count: 8,
        machineType: "a3-highgpu-8g",
        acceleratorType: "NVIDIA_H100_80GB",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "google-tpu-v5e",
        count: 1,
        machineType: "ct5lp-hightpu-1t",
        acceleratorType: "TPU_V5_LITEPOD",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "google-tpu-v5e",
        count: 4,
        machineType: "ct5lp-hightpu-4t",
        acceleratorType: "TPU_V5_LITEPOD",
        source: SRC.vertexPrediction,
    },
    {
        accelerator: "google-tpu-v5e",
        count: 8,
        machineType: "ct5lp-hightpu-8t",
        acceleratorType: "TPU_V5_LITEPOD",
        source: SRC.vertexPrediction,
    },
];

/** Regions where Cloud Run services get L4 GPUs; asia-south1 is by invitation, kept so invited projects pass. */
export const CLOUD_RUN_GPU_REGIONS = ["us-central1", "us-east4", "europe-west1", "europe-west4", "asia-southeast1", "asia-south1"] as const;

/** Cloud Run: one L4 per instance, at least 4 vCPU and 16 GiB, billed for the whole instance lifetime. */
const CLOUD_RUN: readonly CatalogRow[] = [
    {
        accelerator: "nvidia-l4",
        count: 1,
        acceleratorType: "nvidia-l4",
        resourceName: "nvidia.com/gpu",
        minCpu: 4,
        minMemoryGiB: 16,
        regions: CLOUD_RUN_GPU_REGIONS,
        source: SRC.cloudRun,
    },
];

/** The GCP table, one entry per service in SERVICES.gcp. */
export const GCP_CATALOG: Readonly<Record<GcpService, ServiceCatalog>> = {
    "vertex-training": { rows: VERTEX_TRAINING },
    "vertex-endpoint": { rows: VERTEX_ENDPOINT },
    "compute-engine": { rows: [...GCE_GPUS, ...TPU_VMS] },
    gke: { rows: [...GCE_GPUS, ...GKE_TPUS].map((r) => withScheduling("gke", r)) },
    "cloud-run": { rows: CLOUD_RUN },
    // GPUs on Cloud Run jobs are not in this catalog: not confirmed generally available for jobs.
    "cloud-run-jobs": { rows: [], alternatives: [{ capabilities: ["mlPlatform"], implementation: "vertex" }] },
    "cloud-functions": {
        rows: [],
        alternatives: [
            { capabilities: ["containerService", "serverlessInference"], implementation: "cloud-run", offers: "nvidia-l4 only" },
            { capabilities: ["serverlessInference"], implementation: "vertex-endpoint" },
        ],
    },
};
