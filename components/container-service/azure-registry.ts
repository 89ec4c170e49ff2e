/**
 * Azure Container Registry with the platform's baseline: admin user off, anonymous pull off (CKV_AZURE_137,
 * 138), and on Premium a retention policy that purges untagged manifests (CKV_AZURE_167) and dedicated data
 * endpoints (CKV_AZURE_237). Both the container service and the ML workspace use it.
 *
 * Pure (type-only SDK imports): the components create the registry from `registryArgs`.
 *
 * Public network access stays on: Container Apps and Azure ML without a virtual network pull over it,
 * and private endpoints (Premium only) are not built here. Pulls need Entra ID (AcrPull).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as containerregistry from "@pulumi/azure-native/containerregistry";
import type { AzureLocationArgs, AzureResourceGroupArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

export const REGISTRY_SKUS = ["Basic", "Standard", "Premium"] as const;
/** Untagged manifests are kept 0-365 days before the retention policy purges them. */
export const RETENTION_DAYS = { min: 0, max: 365 } as const;

export interface RegistryOptions extends AzureResourceGroupArgs, AzureLocationArgs {
    readonly registryName: pulumi.Input<string>;
    /** Basic (about $5/month), Standard or Premium (about $50/month; retention policy, private link). */
    readonly sku: string;
    /** Days untagged manifests are kept (Premium only; ignored otherwise). */
    readonly untaggedRetentionDays: number;
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Problems with the registry settings, at `registrySku` and `untaggedRetentionDays` (its name comes from
 * `azureNames.containerRegistry`, tested on its own).
 */
export function validateRegistrySettings(o: { sku: string; untaggedRetentionDays: number }): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!(REGISTRY_SKUS as readonly string[]).includes(o.sku))
        problems.push({ path: "registrySku", value: o.sku, message: "is not a registry SKU", allowed: REGISTRY_SKUS });
    const days = o.untaggedRetentionDays;
    if (!Number.isInteger(days) || days < RETENTION_DAYS.min || days > RETENTION_DAYS.max)
        problems.push({
            path: "untaggedRetentionDays",
            value: days,
            message: `must be a whole number of days from ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max}`,
        });
    return problems;
}

/** The registry's args (pure). Premium gets the retention policy; other SKUs do not offer one. */
export function registryArgs(o: RegistryOptions): containerregistry.RegistryArgs {
    const premium = o.sku === "Premium";
    return {
        registryName: o.registryName,
        resourceGroupName: o.resourceGroupName,
        location: o.location,
        sku: { name: o.sku },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: "Enabled",
        networkRuleBypassOptions: "AzureServices",
        dataEndpointEnabled: premium ? true : undefined,
        policies: premium ? { retentionPolicy: { status: "enabled", days: o.untaggedRetentionDays } } : undefined,
        tags: { ...o.tags },
    };
}
