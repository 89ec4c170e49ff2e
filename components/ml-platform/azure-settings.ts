/**
 * Pure pieces of the Azure ML platform: argument validation and the training compute the accelerator
 * catalog resolves to. No SDK is loaded here.
 */
import { AcceleratorRequest } from "../accelerators/names";
import { resolveAccelerator } from "../accelerators/resolve";
import { REPLICATIONS } from "../data-lake/azure-account";
import { registryProblems } from "../container-service/azure-registry";
import { TrainingDefaults } from "./contract";
import { Problems } from "../shared/problems";

/** General-purpose VM size for CPU-only training (4 vCPU, 14 GiB). */
export const DEFAULT_CPU_VM_SIZE = "Standard_DS3_v2";
/** Azure VM sizes as Azure ML takes them. */
export const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;
/** Model names in the workspace registry: letters, digits, '-', '_' and '.', starting with a letter or digit. */
const REGISTRY_MODEL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

export interface MlSettings {
    readonly models: readonly string[];
    readonly artifactBucket?: string;
    readonly accelerator?: AcceleratorRequest;
    readonly maxNodes: number;
    readonly spot: boolean;
    readonly cpuVmSize: string;
    readonly idleSecondsBeforeScaleDown: number;
    readonly registrySku: string;
    readonly untaggedRetentionDays: number;
    readonly storageReplication: string;
}

/** Validates everything and resolves the training VM size from the catalog (`azureml-compute`). */
export function checkMlSettings(s: MlSettings): { problems: Problems; training: TrainingDefaults } {
    const problems = new Problems();
    let vmSize = s.cpuVmSize;
    if (s.accelerator) {
        try {
            vmSize = resolveAccelerator({ cloud: "azure", service: "azureml-compute", accelerator: s.accelerator })?.vmSize ?? s.cpuVmSize;
        } catch (e) {
            problems.add(`training.accelerator: ${(e as Error).message}`);
        }
    }
    if (!VM_SIZE.test(s.cpuVmSize))
        problems.add({
            path: "cpuVmSize",
            value: s.cpuVmSize,
            message: "is not an Azure VM size",
            fix: `write e.g. ${DEFAULT_CPU_VM_SIZE}`,
        });
    if (!Number.isInteger(s.maxNodes) || s.maxNodes < 1 || s.maxNodes > 100)
        problems.add({ path: "training.maxNodes", value: s.maxNodes, message: "must be a whole number from 1 to 100" });
    const idle = s.idleSecondsBeforeScaleDown;
    if (!Number.isInteger(idle) || idle < 60 || idle > 604800)
        problems.add({
            path: "idleSecondsBeforeScaleDown",
            value: idle,
            message: "must be a whole number of seconds from 60 to 604800 (a week)",
        });
    registryProblems({ sku: s.registrySku, untaggedRetentionDays: s.untaggedRetentionDays }, "", problems);
    if (!(REPLICATIONS as readonly string[]).includes(s.storageReplication))
        problems.add({
            path: "storageReplication",
            value: s.storageReplication,
            message: "is not a storage replication kind",
            allowed: REPLICATIONS,
        });
    if (s.artifactBucket !== undefined && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(s.artifactBucket))
        problems.add({ path: "artifactBucket", value: s.artifactBucket, message: "is not a blob container name" });
    s.models.forEach((m, i) => {
        if (!REGISTRY_MODEL_NAME.test(m))
            problems.add({ path: `models[${i}]`, value: m, message: "is not a valid model name for the workspace registry" });
        if (s.models.indexOf(m) !== i) problems.add({ path: `models[${i}]`, value: m, message: "is listed twice" });
    });
    const training: TrainingDefaults = {
        accelerator: s.accelerator?.type ?? "none",
        acceleratorCount: s.accelerator?.count ?? 0,
        compute: vmSize,
        maxNodes: s.maxNodes,
        spot: s.spot,
    };
    return { problems, training };
}

/** ISO 8601 duration Azure ML takes for the idle time before a node is released (`PT120S`). */
export function idleDuration(seconds: number): string {
    return `PT${seconds}S`;
}
