/**
 * Arguments of the Azure ML platform component, their validator, and the pure settings derived from them
 * (the training compute the accelerator catalog resolves to). No SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resolveAccelerator } from "../accelerators/resolve";
import type { MlPlatformArgs, TrainingDefaults } from "./contract";
import { validateRegistrySettings } from "../container-service/azure-registry";
import { REPLICATIONS } from "../data-lake/azure-account";
import { validateVaultSoftDeleteDays } from "../encryption/azure-args";
import type { PrivateEndpointPlacement } from "../network/azure-args";
import type { AzurePlacementArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

export interface AzureMlPlatformArgs extends MlPlatformArgs, AzurePlacementArgs {
    /** Entra tenant of the deployment (from `authorization.getClientConfig`). */
    readonly tenantId: pulumi.Input<string>;
    /** Storage account name of the lake container named by `artifactBucket`. */
    readonly artifactStorageAccountName: pulumi.Input<string>;
    /** ARM ID of the lake container named by `artifactBucket`. */
    readonly artifactContainerId: pulumi.Input<string>;
    /** Zone -> ARM ID of lake containers training may read. Default: {}. */
    readonly readableContainerIds?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Let the workspace, its vault and its store be reached from public networks (Entra ID still
     * required). Off means only private endpoints, which this component does not create. Default: false.
     */
    readonly publicNetworkAccess?: boolean;
    /** VM size of CPU-only training nodes (`training.accelerator` none). Default: "Standard_DS3_v2". */
    readonly cpuVmSize?: string;
    /** Seconds an idle node is kept before the cluster scales it away (nodes cost money while kept). Default: 120. */
    readonly idleSecondsBeforeScaleDown?: number;
    /**
     * Give the workspace a container registry of the stack's (billed every day it exists: Basic about $5/month).
     * Off, Azure ML creates a Basic registry the first time it builds an image (an AutoML or managed endpoint
     * image, an environment from a Dockerfile or conda file); that one is not the stack's and bills from then on.
     * Default: true.
     */
    readonly registry?: boolean;
    /** Workspace registry SKU: Basic, Standard or Premium (retention policy). Default: "Basic". */
    readonly registrySku?: string;
    /** Days untagged image manifests are kept (Premium only). Default: 7. */
    readonly untaggedRetentionDays?: number;
    /** Replication of the workspace store (LRS, ZRS, GRS, ...). Default: "LRS". */
    readonly storageReplication?: string;
    /** Days the deleted vault stays recoverable, 7-90. Default: 90. */
    readonly keyVaultSoftDeleteRetentionDays?: number;
    /**
     * Private endpoints in this subnet for the workspace, its vault, its store (blob) and, on Premium, its
     * registry, so clients in the network reach a workspace whose public access is off. About 7 USD a
     * month per endpoint. Default: none.
     */
    readonly privateEndpoints?: PrivateEndpointPlacement;
    /**
     * Run training in the workspace's managed virtual network (isolation mode AllowInternetOutbound):
     * nodes get no public IP, reach the workspace's store, vault and registry through private endpoints
     * Azure ML manages, and the lake (`artifactStorageAccountId`) through managed `blob` and `dfs` endpoints.
     * Default: false - nodes have public IPs and reach everything over public endpoints.
     */
    readonly managedNetwork?: boolean;
    /** ARM ID of the lake's storage account (managed network outbound rules). Required with `managedNetwork`. */
    readonly artifactStorageAccountId?: pulumi.Input<string>;
}

/** The workspace datastore on the lake's models zone (what registered model versions point at). */
export const LAKE_DATASTORE_NAME = "lake_models";

/** General-purpose VM size for CPU-only training (4 vCPU, 14 GiB). */
export const DEFAULT_CPU_VM_SIZE = "Standard_DS3_v2";
/** Azure VM sizes as Azure ML takes them. */
export const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;
/** Model names in the workspace registry: letters, digits, '-', '_' and '.', starting with a letter or digit. */
const REGISTRY_MODEL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

/** The settings the component uses, with every default filled in. */
export function mlSettings(args: AzureMlPlatformArgs) {
    return {
        models: args.models,
        // Checked when a plain string; an Output is checked by its producer.
        artifactBucket: typeof args.artifactBucket === "string" ? args.artifactBucket : undefined,
        accelerator: args.training?.accelerator,
        maxNodes: args.training?.maxNodes ?? 1,
        spot: args.training?.spot ?? true,
        cpuVmSize: args.cpuVmSize ?? DEFAULT_CPU_VM_SIZE,
        idleSecondsBeforeScaleDown: args.idleSecondsBeforeScaleDown ?? 120,
        registry: args.registry ?? true,
        registrySku: args.registrySku ?? "Basic",
        untaggedRetentionDays: args.untaggedRetentionDays ?? 7,
        storageReplication: args.storageReplication ?? "LRS",
    };
}

/** The training VM size: the catalog's for the accelerator (`azureml-compute`), else `cpuVmSize`; throws on an accelerator the catalog refuses. */
function trainingVmSize(s: ReturnType<typeof mlSettings>): string {
    if (!s.accelerator) return s.cpuVmSize;
    return resolveAccelerator({ cloud: "azure", service: "azureml-compute", accelerator: s.accelerator })?.vmSize ?? s.cpuVmSize;
}

/** Every problem with the ML platform's arguments (paths relative to the args). */
export function validateAzureMlPlatform(args: AzureMlPlatformArgs): ProblemDetail[] {
    const s = mlSettings(args);
    const problems: ProblemDetail[] = [];
    try {
        trainingVmSize(s);
    } catch (e) {
        problems.push({ path: "training.accelerator", value: s.accelerator, message: (e as Error).message });
    }
    if (!VM_SIZE.test(s.cpuVmSize))
        problems.push({
            path: "cpuVmSize",
            value: s.cpuVmSize,
            message: "is not an Azure VM size",
            fix: `write e.g. ${DEFAULT_CPU_VM_SIZE}`,
        });
    if (!Number.isInteger(s.maxNodes) || s.maxNodes < 1 || s.maxNodes > 100)
        problems.push({ path: "training.maxNodes", value: s.maxNodes, message: "must be a whole number from 1 to 100" });
    const idle = s.idleSecondsBeforeScaleDown;
    if (!Number.isInteger(idle) || idle < 60 || idle > 604800)
        problems.push({
            path: "idleSecondsBeforeScaleDown",
            value: idle,
            message: "must be a whole number of seconds from 60 to 604800 (a week)",
        });
    problems.push(...validateRegistrySettings({ sku: s.registrySku, untaggedRetentionDays: s.untaggedRetentionDays }));
    if (!(REPLICATIONS as readonly string[]).includes(s.storageReplication))
        problems.push({
            path: "storageReplication",
            value: s.storageReplication,
            message: "is not a storage replication kind",
            allowed: REPLICATIONS,
        });
    if (s.artifactBucket !== undefined && !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(s.artifactBucket))
        problems.push({ path: "artifactBucket", value: s.artifactBucket, message: "is not a blob container name" });
    s.models.forEach((m, i) => {
        if (!REGISTRY_MODEL_NAME.test(m))
            problems.push({ path: `models[${i}]`, value: m, message: "is not a valid model name for the workspace registry" });
        if (s.models.indexOf(m) !== i) problems.push({ path: `models[${i}]`, value: m, message: "is listed twice" });
    });
    // The vault is a child component: its arguments are checked here, before anything is registered.
    problems.push(...validateVaultSoftDeleteDays(args.keyVaultSoftDeleteRetentionDays ?? 90, "keyVaultSoftDeleteRetentionDays"));
    if (args.managedNetwork && !s.registry)
        problems.push({
            path: "registry",
            value: false,
            message:
                "is off with managedNetwork: Azure ML would create a public registry of its own on the first image build, outside the private network",
            fix: "keep the workspace's registry on with the private network",
        });
    if (args.managedNetwork && args.artifactStorageAccountId === undefined)
        problems.push({
            path: "artifactStorageAccountId",
            value: undefined,
            message: "is required with managedNetwork (training reaches the lake through a managed private endpoint)",
        });
    return problems;
}

/** The training defaults the platform exports, for valid args (call after `validateAzureMlPlatform`). */
export function azureTrainingDefaults(args: AzureMlPlatformArgs): TrainingDefaults {
    const s = mlSettings(args);
    return {
        accelerator: s.accelerator?.type ?? "none",
        acceleratorCount: s.accelerator?.count ?? 0,
        compute: trainingVmSize(s),
        maxNodes: s.maxNodes,
        spot: s.spot,
    };
}

/** ISO 8601 duration Azure ML takes for the idle time before a node is released (`PT120S`). */
export function idleDuration(seconds: number): string {
    return `PT${seconds}S`;
}
