/**
 * How a pod asks for an accelerator on Kubernetes: the extended resource it requests, and, per
 * distribution, the node labels that select the right nodes and the taints it must tolerate.
 * Used by service `kubernetes` (any cluster) and, through the cloud tables, by `eks`, `gke` and `aks`.
 *
 * TPU and Neuron chips exist only in their own cloud and only that cloud's distribution labels them,
 * so they appear under `gke` and `eks` only; resolve.ts turns them away elsewhere with a clear message.
 */
import { ACCELERATOR_NAMES, AcceleratorName } from "./names";
import type { CatalogRow, Cloud, KubernetesDistribution, ServiceCatalog, Toleration } from "./types";

const GPU = "nvidia.com/gpu";
// One `aws.amazon.com/neuron` is one Neuron device (chip); `neuroncore` would count cores (2 per chip on inf2).
const NEURON = "aws.amazon.com/neuron";
const TPU = "google.com/tpu";

const GPU_TAINT: Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };
const NEURON_TAINT: Toleration = { key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" };
const TPU_TAINT: Toleration = { key: "google.com/tpu", operator: "Exists", effect: "NoSchedule" };
// AKS taints nothing by itself; `sku=gpu:NoSchedule` is the convention its GPU how-tos use for GPU pools.
const AKS_GPU_TAINT: Toleration = { key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" };

const SRC = {
    gfd: "NVIDIA GPU Feature Discovery nvidia.com/gpu.product (node dumps: g4dn Tesla-T4, g5 NVIDIA-A10G, g6 NVIDIA-L4); https://github.com/NVIDIA/k8s-device-plugin#generated-labels",
    gfdPresent: "NVIDIA GPU Operator label nvidia.com/gpu.present=true; https://github.com/NVIDIA/k8s-device-plugin#generated-labels",
    karpenter: "https://github.com/aws/karpenter-provider-aws/blob/main/website/content/en/docs/reference/instance-types.md",
    neuronTaint: "awslabs/ai-on-eks infra/base/terraform/addons.tf (taint aws.amazon.com/neuron)",
    gke: "https://cloud.google.com/kubernetes-engine/docs/how-to/gpus; skypilot sky/provision/kubernetes/utils.py get_gke_accelerator_name",
    gkeH200: "AI-Hypercomputer/xpk src/xpk/core/system_characteristics.py (h200-141gb-8: nvidia-h200-141gb)",
    gkeTpu: "https://cloud.google.com/kubernetes-engine/docs/concepts/plan-tpus; https://cloud.google.com/tpu/docs/supported-versions (v5e 1x1, 2x2, 2x4)",
    aks: "AKS node label kubernetes.azure.com/accelerator=nvidia (kubectl node dumps); https://learn.microsoft.com/azure/aks/use-node-taints (sku=gpu:NoSchedule)",
} as const;

/** What a pod needs to land on one accelerator's nodes under one distribution. */
export interface NodeScheduling {
    /** Extended resource the pod requests, one unit per accelerator. */
    readonly resourceName: string;
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly tolerations: readonly Toleration[];
    /** Where the labels and taints come from. */
    readonly source: string;
}

const gpu = (nodeSelector: Record<string, string>, tolerations: Toleration[], source: string): NodeScheduling => ({
    resourceName: GPU,
    nodeSelector,
    tolerations,
    source,
});

/**
 * Node labels per distribution and accelerator. `generic` uses GPU Feature Discovery product names only
 * where one string covers every card sold under our name (T4, L4, A10G); the others come as SXM and PCIe
 * parts with different product strings (`NVIDIA-A100-SXM4-40GB` vs `NVIDIA-A100-PCIE-40GB`,
 * `NVIDIA-H100-80GB-HBM3` vs `NVIDIA-H100-PCIe`) and a node selector takes one value, so they only
 * require a GPU node (`nvidia.com/gpu.present`): a cluster with several GPU models needs its own label.
 * AKS labels every NVIDIA node the same way, so `aks` cannot tell models apart either.
 */
export const NODE_LABELS: Readonly<Record<KubernetesDistribution, Partial<Record<AcceleratorName, NodeScheduling>>>> = {
    generic: {
        "nvidia-t4": gpu({ "nvidia.com/gpu.product": "Tesla-T4" }, [GPU_TAINT], SRC.gfd),
        "nvidia-l4": gpu({ "nvidia.com/gpu.product": "NVIDIA-L4" }, [GPU_TAINT], SRC.gfd),
        "nvidia-a10g": gpu({ "nvidia.com/gpu.product": "NVIDIA-A10G" }, [GPU_TAINT], SRC.gfd),
        "nvidia-a10": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
        "nvidia-v100": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
        "nvidia-a100-40gb": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
        "nvidia-a100-80gb": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
        "nvidia-h100-80gb": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
        "nvidia-h200": gpu({ "nvidia.com/gpu.present": "true" }, [GPU_TAINT], SRC.gfdPresent),
    },
    // Karpenter names the GPU in lower case; both A100s are `a100`, so their memory (MiB) tells them apart.
    eks: {
        "nvidia-t4": gpu({ "karpenter.k8s.aws/instance-gpu-name": "t4" }, [GPU_TAINT], SRC.karpenter),
        "nvidia-l4": gpu({ "karpenter.k8s.aws/instance-gpu-name": "l4" }, [GPU_TAINT], SRC.karpenter),
        "nvidia-a10g": gpu({ "karpenter.k8s.aws/instance-gpu-name": "a10g" }, [GPU_TAINT], SRC.karpenter),
        "nvidia-a100-40gb": gpu(
            { "karpenter.k8s.aws/instance-gpu-name": "a100", "karpenter.k8s.aws/instance-gpu-memory": "40960" },
            [GPU_TAINT],
            SRC.karpenter,
        ),
        "nvidia-a100-80gb": gpu(
            { "karpenter.k8s.aws/instance-gpu-name": "a100", "karpenter.k8s.aws/instance-gpu-memory": "81920" },
            [GPU_TAINT],
            SRC.karpenter,
        ),
        "nvidia-h100-80gb": gpu({ "karpenter.k8s.aws/instance-gpu-name": "h100" }, [GPU_TAINT], SRC.karpenter),
        "nvidia-h200": gpu({ "karpenter.k8s.aws/instance-gpu-name": "h200" }, [GPU_TAINT], SRC.karpenter),
        "aws-inferentia2": {
            resourceName: NEURON,
            nodeSelector: { "karpenter.k8s.aws/instance-accelerator-name": "inferentia2" },
            tolerations: [NEURON_TAINT],
            source: `${SRC.karpenter}; ${SRC.neuronTaint}`,
        },
        "aws-trainium": {
            resourceName: NEURON,
            nodeSelector: { "karpenter.k8s.aws/instance-accelerator-name": "trainium" },
            tolerations: [NEURON_TAINT],
            source: `${SRC.karpenter}; ${SRC.neuronTaint}`,
        },
    },
    gke: {
        "nvidia-t4": gpu({ "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" }, [GPU_TAINT], SRC.gke),
        "nvidia-l4": gpu({ "cloud.google.com/gke-accelerator": "nvidia-l4" }, [GPU_TAINT], SRC.gke),
        "nvidia-v100": gpu({ "cloud.google.com/gke-accelerator": "nvidia-tesla-v100" }, [GPU_TAINT], SRC.gke),
        "nvidia-a100-40gb": gpu({ "cloud.google.com/gke-accelerator": "nvidia-tesla-a100" }, [GPU_TAINT], SRC.gke),
        "nvidia-a100-80gb": gpu({ "cloud.google.com/gke-accelerator": "nvidia-a100-80gb" }, [GPU_TAINT], SRC.gke),
        "nvidia-h100-80gb": gpu({ "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" }, [GPU_TAINT], SRC.gke),
        "nvidia-h200": gpu({ "cloud.google.com/gke-accelerator": "nvidia-h200-141gb" }, [GPU_TAINT], SRC.gkeH200),
        // The topology label is added per chip count by nodeScheduling().
        "google-tpu-v5e": {
            resourceName: TPU,
            nodeSelector: { "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice" },
            tolerations: [TPU_TAINT],
            source: SRC.gkeTpu,
        },
    },
    aks: {
        "nvidia-t4": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
        "nvidia-a10": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
        "nvidia-a100-40gb": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
        "nvidia-a100-80gb": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
        "nvidia-h100-80gb": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
        "nvidia-h200": gpu({ "kubernetes.azure.com/accelerator": "nvidia" }, [AKS_GPU_TAINT], SRC.aks),
    },
};

/** Single-host TPU v5e slices: chips per node -> `cloud.google.com/gke-tpu-topology`. */
const TPU_V5E_TOPOLOGY: Readonly<Record<number, string>> = { 1: "1x1", 4: "2x2", 8: "2x4" };

/**
 * Accelerators one pod may request on service `kubernetes`. GPUs: the per-node sizes clouds sell.
 * Neuron: one chip or a whole inf2.24xlarge/48xlarge or trn1.32xlarge. TPU: a GKE pod must take every
 * chip of its single-host slice, so the counts are the v5e host sizes.
 */
export const POD_COUNTS: Readonly<Record<AcceleratorName, readonly number[]>> = {
    "nvidia-t4": [1, 2, 4, 8],
    "nvidia-l4": [1, 2, 4, 8],
    "nvidia-a10g": [1, 2, 4, 8],
    "nvidia-a10": [1, 2, 4, 8],
    "nvidia-v100": [1, 2, 4, 8],
    "nvidia-a100-40gb": [1, 2, 4, 8],
    "nvidia-a100-80gb": [1, 2, 4, 8],
    "nvidia-h100-80gb": [1, 2, 4, 8],
    "nvidia-h200": [1, 2, 4, 8],
    "aws-inferentia2": [1, 6, 12],
    "aws-trainium": [1, 16],
    "google-tpu-v5e": [1, 4, 8],
};

/** A chip that exists in one cloud only: that cloud, its display name, and the distribution that labels it. */
export interface VendorChip {
    readonly cloud: Cloud;
    readonly cloudName: string;
    readonly distribution: KubernetesDistribution;
}

/** TPUs and Neuron chips are not sold outside their cloud, so no other cluster can have them. */
export const VENDOR_CHIPS: Readonly<Partial<Record<AcceleratorName, VendorChip>>> = {
    "aws-inferentia2": { cloud: "aws", cloudName: "AWS", distribution: "eks" },
    "aws-trainium": { cloud: "aws", cloudName: "AWS", distribution: "eks" },
    "google-tpu-v5e": { cloud: "gcp", cloudName: "Google Cloud", distribution: "gke" },
};

/**
 * Scheduling for `count` of `accelerator` under `distribution`, or `undefined` when that distribution does
 * not label it (or, for TPUs, no single-host slice has that many chips).
 */
export function nodeScheduling(
    distribution: KubernetesDistribution,
    accelerator: AcceleratorName,
    count: number,
): NodeScheduling | undefined {
    const base = NODE_LABELS[distribution][accelerator];
    if (!base) return undefined;
    if (base.resourceName !== TPU) return base;
    const topology = TPU_V5E_TOPOLOGY[count];
    if (!topology) return undefined;
    return { ...base, nodeSelector: { ...base.nodeSelector, "cloud.google.com/gke-tpu-topology": topology } };
}

/** A node-pool row (instance/machine/VM size) with the distribution's resource, labels and tolerations added. */
export function withScheduling(distribution: KubernetesDistribution, row: CatalogRow): CatalogRow {
    const s = nodeScheduling(distribution, row.accelerator, row.count);
    // A node row the labels table cannot place is a catalog bug, caught when the module loads (and by the tests).
    if (!s) throw new Error(`accelerator catalog: no ${distribution} node labels for ${row.accelerator}:${row.count}`);
    return {
        ...row,
        resourceName: s.resourceName,
        nodeSelector: s.nodeSelector,
        tolerations: s.tolerations,
        source: `${row.source}; labels: ${s.source}`,
    };
}

/** The rows of service `kubernetes` under one distribution: every labelled accelerator x POD_COUNTS. */
export function kubernetesRows(distribution: KubernetesDistribution): CatalogRow[] {
    const rows: CatalogRow[] = [];
    for (const accelerator of ACCELERATOR_NAMES) {
        for (const count of POD_COUNTS[accelerator]) {
            const s = nodeScheduling(distribution, accelerator, count);
            if (!s) continue;
            rows.push({
                accelerator,
                count,
                resourceName: s.resourceName,
                nodeSelector: s.nodeSelector,
                tolerations: s.tolerations,
                source: s.source,
            });
        }
    }
    return rows;
}

/** Service `kubernetes` (cloud `kubernetes`), one table per distribution. */
export const KUBERNETES_CATALOG: Readonly<Record<KubernetesDistribution, ServiceCatalog>> = {
    generic: { rows: kubernetesRows("generic") },
    eks: { rows: kubernetesRows("eks") },
    gke: { rows: kubernetesRows("gke") },
    aks: { rows: kubernetesRows("aks") },
};

/** CPU and memory of one pod. */
export interface PodShape {
    readonly cpuMillicores: number;
    readonly memoryMiB: number;
}

/** A CPU-only training pod: 4 vCPU and 16 GiB, the smallest general-purpose training host's share. */
export const CPU_TRAINING_SHAPE: PodShape = { cpuMillicores: 4000, memoryMiB: 16384 };

/**
 * CPU and memory a training pod gets per accelerator chip; a pod with `count` chips gets `count` times
 * this. Each row fits the smallest host sold with one chip (and, multiplied, the hosts sold with 2 to 16)
 * after the kubelet's reserve and daemon sets: roughly 3/4 of its vCPU and 2/3 of its memory, never
 * more than 10 vCPU per GPU so an 8-GPU pod (80 vCPU) fits Azure's 96-vCPU ND hosts.
 */
const TRAINING_SHAPE_PER_CHIP: Readonly<Record<AcceleratorName, PodShape & { readonly source: string }>> = {
    "nvidia-t4": {
        cpuMillicores: 3000,
        memoryMiB: 10240,
        source: "g4dn.xlarge 4 vCPU/16 GiB; n1-standard-4 4 vCPU/15 GB; Standard_NC4as_T4_v3 4 vCPU/28 GiB",
    },
    "nvidia-l4": { cpuMillicores: 3000, memoryMiB: 10240, source: "g6.xlarge 4 vCPU/16 GiB; g2-standard-4 4 vCPU/16 GB" },
    "nvidia-a10g": { cpuMillicores: 3000, memoryMiB: 10240, source: "g5.xlarge 4 vCPU/16 GiB" },
    "nvidia-a10": { cpuMillicores: 3000, memoryMiB: 10240, source: "Standard_NC8ads_A10_v4 8 vCPU; Standard_NV36ads_A10_v5 36 vCPU" },
    "nvidia-v100": { cpuMillicores: 3000, memoryMiB: 10240, source: "p3.2xlarge 8 vCPU/61 GiB; n1-standard-4 + V100 on GKE" },
    "nvidia-a100-40gb": {
        cpuMillicores: 10000,
        memoryMiB: 65536,
        source: "a2-highgpu-1g 12 vCPU/85 GB; p4d.24xlarge and Standard_ND96asr_v4 96 vCPU for 8",
    },
    "nvidia-a100-80gb": {
        cpuMillicores: 10000,
        memoryMiB: 131072,
        source: "a2-ultragpu-1g 12 vCPU/170 GB; Standard_NC24ads_A100_v4 24 vCPU/220 GiB; a2-ultragpu-8g 96 vCPU/1360 GB for 8",
    },
    "nvidia-h100-80gb": {
        cpuMillicores: 10000,
        memoryMiB: 163840,
        source: "p5.4xlarge 16 vCPU/256 GiB; a3-highgpu-1g 26 vCPU/234 GB; Standard_ND96isr_H100_v5 96 vCPU/1900 GiB for 8",
    },
    "nvidia-h200": {
        cpuMillicores: 10000,
        memoryMiB: 196608,
        source: "p5en.48xlarge 192 vCPU/2048 GiB; a3-ultragpu-8g 224 vCPU; ND H200 v5 96 vCPU/1850 GiB, all for 8",
    },
    "aws-inferentia2": {
        cpuMillicores: 3000,
        memoryMiB: 10240,
        source: "inf2.xlarge 4 vCPU/16 GiB (1 chip); inf2.24xlarge 96 vCPU (6); inf2.48xlarge 192 vCPU (12)",
    },
    "aws-trainium": {
        cpuMillicores: 6000,
        memoryMiB: 24576,
        source: "trn1.2xlarge 8 vCPU/32 GiB (1 chip); trn1.32xlarge 128 vCPU/512 GiB (16)",
    },
    "google-tpu-v5e": {
        cpuMillicores: 20000,
        memoryMiB: 32768,
        source: "ct5lp-hightpu-1t 24 vCPU/48 GB; 4t 112 vCPU/192 GB; 8t 224 vCPU/384 GB",
    },
};

/**
 * The CPU and memory one training pod is sized with on service `kubernetes`: `count` chips' worth of
 * `TRAINING_SHAPE_PER_CHIP`, or `CPU_TRAINING_SHAPE` without an accelerator.
 */
export function trainingPodShape(accelerator?: { readonly accelerator: AcceleratorName; readonly count: number }): PodShape {
    if (!accelerator) return CPU_TRAINING_SHAPE;
    const chip = TRAINING_SHAPE_PER_CHIP[accelerator.accelerator];
    return { cpuMillicores: chip.cpuMillicores * accelerator.count, memoryMiB: chip.memoryMiB * accelerator.count };
}
