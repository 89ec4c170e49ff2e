/**
 * Arguments of the Azure Key Vault component and their validator. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { validateIpRanges } from "../network/azure-ip-ranges";
import { AZURE_NAME_RULES, isValidAzureName } from "../naming/azure";
import type { AzureLocationArgs, AzureLogAnalyticsArgs, AzureResourceGroupArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

export interface AzureKeyVaultArgs extends AzureResourceGroupArgs, AzureLocationArgs, AzureLogAnalyticsArgs {
    /**
     * Globally unique vault name, 3-24 letters, digits and '-', from `azureNames.keyVault`. Checked here
     * when it is a plain string; an Output (it embeds the stack's random suffix) is checked by its builder's tests.
     */
    readonly vaultName: pulumi.Input<string>;
    /** Entra ID tenant of the vault (from `authorization.getClientConfig`). */
    readonly tenantId: pulumi.Input<string>;
    /** RSA keys to create, e.g. `["lake-cmk"]`. Each costs a few cents a month. Default: []. */
    readonly keyNames?: string[];
    /** RSA key size in bits (2048, 3072 or 4096). Default: 3072. */
    readonly keySizeBits?: number;
    /** Days after creation a key rotates to a new version. Default: 90. */
    readonly keyRotationDays?: number;
    /** Days a key version stays valid; rotation happens first. Default: 365. */
    readonly keyExpiryDays?: number;
    /**
     * Days a deleted vault (and its name) is kept, 7-90. Purge protection is always on, so the name stays
     * taken for this long after a destroy. Default: 90.
     */
    readonly softDeleteRetentionDays?: number;
    /** Public IPv4 addresses or CIDR blocks allowed through the firewall. Default: [] - public network access disabled. */
    readonly allowedIpRanges?: string[];
    /** Protect the vault and its keys and keep them on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

export const KEY_SIZES = [2048, 3072, 4096] as const;
/** Days Key Vault keeps a deleted vault recoverable (and its name taken). */
export const VAULT_SOFT_DELETE_DAYS = { min: 7, max: 90 } as const;

/** Vault properties Azure sets once at creation and refuses to change afterwards. */
export const VAULT_IMMUTABLE_PROPERTIES = ["properties.softDeleteRetentionInDays"] as const;

/** The soft-delete retention rule at `path`, shared with components that create a vault as a child. */
export function validateVaultSoftDeleteDays(days: number, path: string): ProblemDetail[] {
    if (Number.isInteger(days) && days >= VAULT_SOFT_DELETE_DAYS.min && days <= VAULT_SOFT_DELETE_DAYS.max) return [];
    return [
        {
            path,
            value: days,
            message: `must be a whole number of days from ${VAULT_SOFT_DELETE_DAYS.min} to ${VAULT_SOFT_DELETE_DAYS.max}`,
        },
    ];
}

/** Every problem with the vault's arguments (paths relative to the args). */
export function validateAzureKeyVault(args: AzureKeyVaultArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.vaultName === "string" && !isValidAzureName("keyVault", args.vaultName)) {
        problems.push({
            path: "vaultName",
            value: args.vaultName,
            message: "is not a valid key vault name",
            fix: `use ${AZURE_NAME_RULES.keyVault.min}-${AZURE_NAME_RULES.keyVault.max} letters, digits and single hyphens, starting with a letter`,
        });
    }
    problems.push(...validateVaultSoftDeleteDays(args.softDeleteRetentionDays ?? 90, "softDeleteRetentionDays"));
    const size = args.keySizeBits ?? 3072;
    if (!(KEY_SIZES as readonly number[]).includes(size))
        problems.push({ path: "keySizeBits", value: size, message: "is not an RSA key size", allowed: KEY_SIZES });
    const rotation = args.keyRotationDays ?? 90;
    const expiry = args.keyExpiryDays ?? 365;
    if (!Number.isInteger(rotation) || rotation < 7)
        problems.push({ path: "keyRotationDays", value: rotation, message: "must be a whole number of at least 7 days" });
    if (!Number.isInteger(expiry) || expiry < rotation + 28)
        problems.push({
            path: "keyExpiryDays",
            value: expiry,
            message: `must be at least 28 days longer than keyRotationDays (${rotation}), so a key rotates before it expires`,
        });
    (args.keyNames ?? []).forEach((k, i) => {
        if (!/^[a-zA-Z0-9-]{1,127}$/.test(k))
            problems.push({
                path: `keyNames[${i}]`,
                value: k,
                message: "is not a valid key name",
                fix: "use 1-127 letters, digits and '-'",
            });
    });
    problems.push(...validateIpRanges(args.allowedIpRanges ?? [], "allowedIpRanges"));
    return problems;
}
