/**
 * Azure accelerator table: per service, (accelerator, count) -> VM size (Azure ML compute, online
 * endpoints, AKS) or Container Apps GPU workload profile type. One default size per pair: the smallest
 * VM that carries that many GPUs.
 *
 * Left out on purpose: V100 (NCv3 is retired), fractional A10 (NVads A10 v5 slices a GPU), and H100 x1/x2
 * (NCads H100 v5 carries the 94 GB H100 NVL, not the 80 GB H100 our name stands for).
 */
import { withScheduling } from "./kubernetes";
import type { CatalogRow, SERVICES, ServiceCatalog } from "./types";

type AzureService = (typeof SERVICES)["azure"][number];

const SRC = {
    // Generated from Azure SKU data: name, vCPUs, RAM and GPU count per AKS node size.
    sizes: "https://aspire.dev/reference/api/csharp/aspire.hosting.azure.kubernetes/ (AksNodeVmSizes.cs); skypilot sky/catalog/data_fetchers/fetch_azure.py",
    h100: "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ndh100v5-series",
    h200: "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nd-h200-v5-series",
    aml: "https://huggingface.co/docs/microsoft-azure/en/azure-ai/hardware (Azure ML supported GPU sizes)",
    aca: "https://learn.microsoft.com/azure/container-apps/workload-profiles-overview",
    acaA100:
        "https://learn.microsoft.com/azure/container-apps/gpu-serverless-overview; hashicorp/terraform-provider-azurerm#31763 (Consumption_GPU_NC24_A100)",
} as const;

const T4_VMS: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, vmSize: "Standard_NC4as_T4_v3", source: SRC.sizes },
    { accelerator: "nvidia-t4", count: 4, vmSize: "Standard_NC64as_T4_v3", source: SRC.sizes },
];

const A10_VMS: readonly CatalogRow[] = [
    { accelerator: "nvidia-a10", count: 1, vmSize: "Standard_NC8ads_A10_v4", source: SRC.sizes },
    { accelerator: "nvidia-a10", count: 2, vmSize: "Standard_NC32ads_A10_v4", source: SRC.sizes },
];

/** NC A100 v4 is PCIe 80 GB; ND A100 v4 (asr) is SXM 40 GB, NDm A100 v4 (amsr) SXM 80 GB. */
const A100_VMS: readonly CatalogRow[] = [
    { accelerator: "nvidia-a100-40gb", count: 8, vmSize: "Standard_ND96asr_v4", source: SRC.sizes },
    { accelerator: "nvidia-a100-80gb", count: 1, vmSize: "Standard_NC24ads_A100_v4", source: SRC.sizes },
    { accelerator: "nvidia-a100-80gb", count: 2, vmSize: "Standard_NC48ads_A100_v4", source: SRC.sizes },
    { accelerator: "nvidia-a100-80gb", count: 4, vmSize: "Standard_NC96ads_A100_v4", source: SRC.sizes },
    { accelerator: "nvidia-a100-80gb", count: 8, vmSize: "Standard_ND96amsr_A100_v4", source: SRC.sizes },
];

const H100_VMS: readonly CatalogRow[] = [
    { accelerator: "nvidia-h100-80gb", count: 8, vmSize: "Standard_ND96isr_H100_v5", source: SRC.h100 },
];

const H200_VMS: readonly CatalogRow[] = [{ accelerator: "nvidia-h200", count: 8, vmSize: "Standard_ND96isr_H200_v5", source: SRC.h200 }];

const cite = (rows: readonly CatalogRow[], source: string): CatalogRow[] => rows.map((r) => ({ ...r, source: `${r.source}; ${source}` }));

/**
 * Container Apps GPU workload profiles. x1 uses the serverless (scale-to-zero) consumption profiles;
 * x2/x4 A100 exist only as dedicated profiles, which must be added when the environment is created and
 * are billed per node while it runs.
 */
const CONTAINER_APPS: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, workloadProfileType: "Consumption-GPU-NC8as-T4", source: SRC.aca },
    { accelerator: "nvidia-a100-80gb", count: 1, workloadProfileType: "Consumption-GPU-NC24-A100", source: SRC.acaA100 },
    { accelerator: "nvidia-a100-80gb", count: 2, workloadProfileType: "NC48-A100", source: SRC.aca },
    { accelerator: "nvidia-a100-80gb", count: 4, workloadProfileType: "NC96-A100", source: SRC.aca },
];

/** The Azure table, one entry per service in SERVICES.azure. */
export const AZURE_CATALOG: Readonly<Record<AzureService, ServiceCatalog>> = {
    // A10 and H200 are left out of Azure ML: we found no Azure ML listing of those sizes. H100 (ND H100 v5)
    // is kept for training although the Azure ML table we checked stops at the A100 sizes.
    "azureml-compute": { rows: [...cite([...T4_VMS, ...A100_VMS], SRC.aml), ...H100_VMS] },
    // Endpoints: the sizes the Azure ML hardware table lists (T4 and A100 families).
    "azureml-endpoint": { rows: cite([...T4_VMS, ...A100_VMS], SRC.aml) },
    aks: { rows: [...T4_VMS, ...A10_VMS, ...A100_VMS, ...H100_VMS, ...H200_VMS].map((r) => withScheduling("aks", r)) },
    "container-apps": { rows: CONTAINER_APPS },
    // Serverless GPUs for Container Apps jobs are not in this catalog: not confirmed for jobs.
    "container-apps-jobs": { rows: [], alternatives: [{ capabilities: ["mlPlatform"], implementation: "azureml" }] },
    // Flex Consumption offers no GPU.
    functions: {
        rows: [],
        alternatives: [
            {
                capabilities: ["containerService", "serverlessInference"],
                implementation: "container-apps",
                offers: "nvidia-t4, nvidia-a100-80gb",
            },
            { capabilities: ["serverlessInference"], implementation: "azureml-endpoint" },
        ],
    },
};
