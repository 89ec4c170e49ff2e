/**
 * Azure physical names: the rules of every resource type the Azure components name, and builders that
 * always fit them. Pure (no SDK), so the rules are unit-tested on the longest stack and model names.
 *
 * Globally unique names (storage accounts, key vaults, registries, Synapse, function apps) end in a
 * random suffix the stack generates once and keeps in state (`NAME_SUFFIX_LENGTH` lowercase letters and
 * digits). A stack that is destroyed and created again draws a new suffix, so it never asks for the name
 * of a soft-deleted key vault (purge protection keeps it for 7-90 days) or machine learning workspace
 * (soft delete keeps it for 14 days).
 * Rules: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
import { fitName, shortHash, slug } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";

/** Length of the stack's random name suffix: 36^6 (about 2 billion) values. */
export const NAME_SUFFIX_LENGTH = 6;
export const NAME_SUFFIX = /^[a-z0-9]{6}$/;

export interface AzureNameRule {
    readonly min: number;
    readonly max: number;
    readonly pattern: RegExp;
    /** Unique across Azure (a DNS name), not just within the resource group. */
    readonly global: boolean;
}

/**
 * Name rules per resource type. Where the documented rule is looser than what we need (function apps
 * allow 60 characters, but the Functions host ID uses only the first 32), the stricter value is kept.
 */
export const AZURE_NAME_RULES = {
    resourceGroup: { min: 1, max: 90, pattern: /^[-\w.()]*[-\w()]$/, global: false },
    storageAccount: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, global: true },
    keyVault: { min: 3, max: 24, pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/, global: true },
    containerRegistry: { min: 5, max: 50, pattern: /^[a-zA-Z0-9]+$/, global: true },
    mlWorkspace: { min: 3, max: 33, pattern: /^[a-zA-Z0-9][\w-]*$/, global: false },
    synapseWorkspace: { min: 1, max: 50, pattern: /^(?!.*-ondemand)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, global: true },
    // Container apps and environments: lowercase letters, digits and single hyphens, starting with a letter.
    containerApp: { min: 2, max: 32, pattern: /^[a-z](?!.*--)([a-z0-9-]*[a-z0-9])?$/, global: false },
    containerAppEnvironment: { min: 2, max: 32, pattern: /^[a-z](?!.*--)([a-z0-9-]*[a-z0-9])?$/, global: false },
    functionApp: { min: 2, max: 32, pattern: /^[a-z0-9](?!.*--)([a-z0-9-]*[a-z0-9])?$/, global: true },
    appServicePlan: { min: 1, max: 60, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*$/, global: false },
    // Online endpoint names are unique per region; deployment names per endpoint.
    onlineEndpoint: { min: 3, max: 32, pattern: /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/, global: true },
    onlineDeployment: { min: 3, max: 32, pattern: /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/, global: false },
    // Compute clusters: 2-16 characters (the compute instance rule, 3-24, is looser).
    amlCompute: { min: 3, max: 16, pattern: /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/, global: false },
    logAnalytics: { min: 4, max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/, global: false },
    appInsights: { min: 1, max: 255, pattern: /^[^%&\\?/]+$/, global: false },
    userAssignedIdentity: { min: 3, max: 128, pattern: /^[a-zA-Z0-9][\w-]*$/, global: false },
    blobContainer: { min: 3, max: 63, pattern: /^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$/, global: false },
    virtualNetwork: { min: 2, max: 64, pattern: /^[a-zA-Z0-9][\w.-]*\w$/, global: false },
    networkSecurityGroup: { min: 1, max: 80, pattern: /^[a-zA-Z0-9]([\w.-]*\w)?$/, global: false },
    privateEndpoint: { min: 2, max: 64, pattern: /^[a-zA-Z0-9][\w.-]*\w$/, global: false },
    actionGroup: { min: 1, max: 260, pattern: /^[^%&\\?/]+$/, global: false },
    // What the alert email and SMS show as the sender; at most 12 characters.
    actionGroupShortName: { min: 1, max: 12, pattern: /^[a-zA-Z0-9-]+$/, global: false },
} as const satisfies Record<string, AzureNameRule>;

export type AzureNameKind = keyof typeof AZURE_NAME_RULES;

/** True when `name` meets the rule of `kind`. */
export function isValidAzureName(kind: AzureNameKind, name: string): boolean {
    const rule: AzureNameRule = AZURE_NAME_RULES[kind];
    return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}

/** Letters and digits only, at most `maxLength`, with a hash when truncated (storage accounts, registries). */
export function compactName(parts: readonly string[], maxLength: number): string {
    const full = parts.map((p) => p.toLowerCase().replace(/[^a-z0-9]/g, "")).join("");
    if (full.length <= maxLength) return full;
    const hash = shortHash(full);
    return `${full.slice(0, Math.max(1, maxLength - hash.length))}${hash}`;
}

/** A slug that starts with a letter (`x` is prepended when a part starts with a digit). */
function letterFirst(name: string): string {
    return /^[a-z]/.test(name) ? name : `x${name}`;
}

/** Synapse rejects names containing `-ondemand` (its serverless SQL endpoint's suffix). */
function withoutOnDemand(name: string): string {
    return name.replace(/-ondemand/g, "-on-demand");
}

/**
 * The prefix every name starts from: the project and stack as a slug (`mlops-azure-dev`). Stack names
 * may be 60 characters long; the builders below hash-truncate the prefix to each type's budget.
 */
export function namePrefix(project: string, stack: string): string {
    return letterFirst(slug(`${project}-${stack}`) || "stack");
}

/** `<prefix, hash-fitted to max - 7>-<suffix>` with a letter first: key vaults, workspaces, Synapse. */
function withSuffix(parts: readonly string[], max: number, suffix: string): string {
    return `${letterFirst(fitName(parts, max - NAME_SUFFIX_LENGTH - 2))}-${suffix}`;
}

/**
 * Every physical name the Azure stack uses, from the prefix and the random suffix. Role codes keep the
 * names of two resources of one type apart (`dl` lake, `ml` ML platform, `fn` functions).
 */
export const azureNames = {
    resourceGroup: (prefix: string) => `rg-${fitName([prefix], AZURE_NAME_RULES.resourceGroup.max - 3)}`,
    /** 3-24 lowercase letters and digits: 16 from the prefix, 2 for the role, 6 for the suffix. */
    storageAccount: (prefix: string, role: string, suffix: string) =>
        `${compactName([prefix], 24 - NAME_SUFFIX_LENGTH - role.length)}${role}${suffix}`,
    keyVault: (prefix: string, role: string, suffix: string) => withSuffix([prefix, role], AZURE_NAME_RULES.keyVault.max, suffix),
    containerRegistry: (prefix: string, role: string, suffix: string) => `${compactName([prefix], 40)}${role}${suffix}`,
    mlWorkspace: (prefix: string, suffix: string) => withSuffix([prefix, "mlw"], AZURE_NAME_RULES.mlWorkspace.max, suffix),
    // Replaced before fitting: neither truncation, the hash nor the suffix can form `-ondemand` again.
    synapseWorkspace: (prefix: string, suffix: string) =>
        withSuffix([withoutOnDemand(prefix), "syn"], AZURE_NAME_RULES.synapseWorkspace.max, suffix),
    logAnalytics: (prefix: string) => letterFirst(fitName([prefix, "logs"], AZURE_NAME_RULES.logAnalytics.max)),
    appInsights: (prefix: string, role: string) => fitName([prefix, role, "appi"], 60),
    identity: (prefix: string, role: string) => letterFirst(fitName([prefix, role], 100)),
    /** Environments are per resource group; the role keeps the container service's apart from serverless'. */
    containerAppEnvironment: (prefix: string, role: string) =>
        letterFirst(fitName([role, prefix], AZURE_NAME_RULES.containerAppEnvironment.max)),
    /** `svc-<model>` or `inf-<model>`: model names are at most 24 characters, so these always fit whole. */
    containerApp: (role: string, model: string) => letterFirst(fitName([role, model], AZURE_NAME_RULES.containerApp.max)),
    functionApp: (prefix: string, model: string, suffix: string) => withSuffix([model, prefix], AZURE_NAME_RULES.functionApp.max, suffix),
    appServicePlan: (prefix: string, model: string) => letterFirst(fitName([prefix, model, "plan"], AZURE_NAME_RULES.appServicePlan.max)),
    /** One storage account per function app: the model is hashed into 4 characters. */
    functionStorage: (prefix: string, model: string, suffix: string) => `${compactName([prefix], 12)}fn${shortHash(model, 4)}${suffix}`,
    onlineEndpoint: (prefix: string, model: string, suffix: string) =>
        withSuffix([model, prefix], AZURE_NAME_RULES.onlineEndpoint.max, suffix),
    /** The one deployment behind each endpoint. */
    onlineDeployment: () => "main",
    amlCompute: () => "training",
    blobContainer: (name: string) => fitName([name], AZURE_NAME_RULES.blobContainer.max),
    virtualNetwork: (prefix: string) => `vnet-${fitName([prefix], AZURE_NAME_RULES.virtualNetwork.max - 5)}`,
    /** One security group per subnet: `nsg-<prefix>-<subnet>`. */
    networkSecurityGroup: (prefix: string, subnet: string) =>
        `nsg-${fitName([prefix, subnet], AZURE_NAME_RULES.networkSecurityGroup.max - 4)}`,
    /** `pe-<target>-<group>`: targets are this stack's resources, whose names are at most 50 characters. */
    privateEndpoint: (target: string, group: string) =>
        `pe-${fitName([target, group.toLowerCase()], AZURE_NAME_RULES.privateEndpoint.max - 3)}`,
    actionGroup: (prefix: string) => `ag-${fitName([prefix], 80)}`,
    /** The sender name of alert emails: the stack's slug cut to 12 characters, hashed when cut. */
    actionGroupShortName: (prefix: string) => fitName([prefix], AZURE_NAME_RULES.actionGroupShortName.max),
} as const;

/** Container Apps workload profile names: short (long names are rejected, Azure/azure-cli#31239). */
export const WORKLOAD_PROFILE_NAME_MAX = 15;

/**
 * Azure public-cloud regions by their programmatic names (the `name` column of `az account list-locations
 * -o table`), physical regions only: no logical geographies (`europe`, `unitedstates`), no staging or EUAP
 * regions. Source: learn.microsoft.com "Azure regions list" (reference/regions) and the CLI's location list,
 * read 2025-06 (written from that page and the CLI output as known then, without network access here).
 * When Azure opens a region, add it here: `azure-native:location` is checked against this list.
 */
export const AZURE_LOCATIONS = [
    // Americas
    "eastus",
    "eastus2",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
    "canadacentral",
    "canadaeast",
    "brazilsouth",
    "brazilsoutheast",
    "mexicocentral",
    "chilecentral",
    // Europe
    "northeurope",
    "westeurope",
    "uksouth",
    "ukwest",
    "francecentral",
    "francesouth",
    "germanywestcentral",
    "germanynorth",
    "swedencentral",
    "norwayeast",
    "norwaywest",
    "switzerlandnorth",
    "switzerlandwest",
    "polandcentral",
    "italynorth",
    "spaincentral",
    "belgiumcentral",
    "denmarkeast",
    // Middle East and Africa
    "uaenorth",
    "uaecentral",
    "qatarcentral",
    "israelcentral",
    "southafricanorth",
    "southafricawest",
    // Asia Pacific
    "eastasia",
    "southeastasia",
    "japaneast",
    "japanwest",
    "koreacentral",
    "koreasouth",
    "centralindia",
    "southindia",
    "westindia",
    "jioindiacentral",
    "jioindiawest",
    "australiaeast",
    "australiasoutheast",
    "australiacentral",
    "australiacentral2",
    "newzealandnorth",
    "indonesiacentral",
    "malaysiawest",
] as const;

/** The programmatic form of a region name: `West Europe` -> `westeurope` (what Azure itself normalises to). */
export function programmaticLocation(location: string): string {
    return location.toLowerCase().replace(/\s+/g, "");
}

function editDistance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
        row = next;
    }
    return row[b.length];
}

/** Known regions close to `location`: same first letters, or a few typing mistakes away. */
export function closeLocations(location: string): string[] {
    const want = programmaticLocation(location);
    return AZURE_LOCATIONS.filter(
        (l) => (want.length >= 4 && l.startsWith(want.slice(0, 4))) || editDistance(want, l) <= Math.max(2, Math.floor(want.length / 4)),
    ).slice(0, 8);
}

/**
 * Problems with a region name, at path `location`. Programmatic names (`westeurope`) are the form to
 * write; a display name of a known region (`West Europe`) is accepted too, as Azure accepts it.
 */
export function validateAzureLocation(location: string): ProblemDetail[] {
    if ((AZURE_LOCATIONS as readonly string[]).includes(programmaticLocation(location))) return [];
    const close = closeLocations(location);
    return [
        {
            path: "location",
            value: location,
            message: "is not an Azure region",
            allowed: close.length > 0 ? close : undefined,
            fix:
                close.length > 0
                    ? `write the region's programmatic name (lowercase, no spaces), e.g. ${close[0]}; \`az account list-locations -o table\` lists them`
                    : "write the region's programmatic name (lowercase, no spaces), e.g. swedencentral; `az account list-locations -o table` lists them",
        },
    ];
}
