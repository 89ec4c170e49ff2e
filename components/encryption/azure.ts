/**
 * Key Vault on Azure: RBAC authorization (no access policies), soft delete with purge protection, public
 * network access off unless an IP allow-list opens it, trusted Azure services allowed through (storage
 * reads customer-managed keys that way), audit logs to Log Analytics, and RSA keys that rotate themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { firewallRange, ipRangeProblems } from "../network/azure";
import { AZURE_NAME_RULES, isValidAzureName } from "../naming/azure";
import { diagnosticSetting } from "../observability/azure";
import { Problems } from "../shared/problems";

export interface AzureKeyVaultArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /**
     * Globally unique vault name, 3-24 letters, digits and '-', from `azureNames.keyVault`. Checked here
     * when it is a plain string; an Output (it embeds the stack's random suffix) is checked by its builder's tests.
     */
    readonly vaultName: pulumi.Input<string>;
    /** Entra ID tenant of the vault (from `authorization.getClientConfig`). */
    readonly tenantId: pulumi.Input<string>;
    /** ARM ID of the Log Analytics workspace that receives the audit log. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** RSA keys to create, e.g. `["lake-cmk"]`. Each costs a few cents a month. @default [] */
    readonly keyNames?: readonly string[];
    /** RSA key size in bits (2048, 3072 or 4096). @default 3072 */
    readonly keySizeBits?: number;
    /** Days after creation a key rotates to a new version. @default 90 */
    readonly keyRotationDays?: number;
    /** Days a key version stays valid; rotation happens first. @default 365 */
    readonly keyExpiryDays?: number;
    /**
     * Days a deleted vault (and its name) is kept, 7-90. Purge protection is always on, so the name stays
     * taken for this long after a destroy. @default 90
     */
    readonly softDeleteRetentionDays?: number;
    /** Public IPv4 addresses or CIDR blocks allowed through the firewall. @default [] - public network access disabled */
    readonly allowedIpRanges?: readonly string[];
    /** Protect the vault and its keys and keep them on destroy. @default true */
    readonly protectData?: boolean;
    /** Tags on every resource. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

export const KEY_SIZES = [2048, 3072, 4096] as const;
/** Days Key Vault keeps a deleted vault recoverable (and its name taken). */
export const VAULT_SOFT_DELETE_DAYS = { min: 7, max: 90 } as const;

/** Vault properties Azure sets once at creation and refuses to change afterwards. */
export const VAULT_IMMUTABLE_PROPERTIES = ["properties.softDeleteRetentionInDays"] as const;

/** The soft-delete retention rule, shared with components that create a vault as a child. */
export function vaultRetentionProblems(days: number, path: string, problems: Problems): void {
    if (!Number.isInteger(days) || days < VAULT_SOFT_DELETE_DAYS.min || days > VAULT_SOFT_DELETE_DAYS.max)
        problems.add({
            path,
            value: days,
            message: `must be a whole number of days from ${VAULT_SOFT_DELETE_DAYS.min} to ${VAULT_SOFT_DELETE_DAYS.max}`,
        });
}

/** Every problem with the arguments (pure, so the rules are unit-tested on their own). */
export function keyVaultProblems(args: AzureKeyVaultArgs): Problems {
    const problems = new Problems();
    if (typeof args.vaultName === "string" && !isValidAzureName("keyVault", args.vaultName)) {
        problems.add({
            path: "vaultName",
            value: args.vaultName,
            message: "is not a valid key vault name",
            fix: `use ${AZURE_NAME_RULES.keyVault.min}-${AZURE_NAME_RULES.keyVault.max} letters, digits and single hyphens, starting with a letter`,
        });
    }
    vaultRetentionProblems(args.softDeleteRetentionDays ?? 90, "softDeleteRetentionDays", problems);
    const size = args.keySizeBits ?? 3072;
    if (!(KEY_SIZES as readonly number[]).includes(size))
        problems.add({ path: "keySizeBits", value: size, message: "is not an RSA key size", allowed: KEY_SIZES });
    const rotation = args.keyRotationDays ?? 90;
    const expiry = args.keyExpiryDays ?? 365;
    if (!Number.isInteger(rotation) || rotation < 7)
        problems.add({ path: "keyRotationDays", value: rotation, message: "must be a whole number of at least 7 days" });
    if (!Number.isInteger(expiry) || expiry < rotation + 28)
        problems.add({
            path: "keyExpiryDays",
            value: expiry,
            message: `must be at least 28 days longer than keyRotationDays (${rotation}), so a key rotates before it expires`,
        });
    (args.keyNames ?? []).forEach((k, i) => {
        if (!/^[a-zA-Z0-9-]{1,127}$/.test(k))
            problems.add({
                path: `keyNames[${i}]`,
                value: k,
                message: "is not a valid key name",
                fix: "use 1-127 letters, digits and '-'",
            });
    });
    ipRangeProblems(args.allowedIpRanges ?? [], "allowedIpRanges", problems);
    return problems;
}

export class AzureKeyVault extends pulumi.ComponentResource {
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** `https://<name>.vault.azure.net/` */
    public readonly vaultUri: pulumi.Output<string>;
    /** Key name -> ARM ID of the key (the scope for per-key role assignments). */
    public readonly keyIds: pulumi.Output<Record<string, string>>;
    /** The key resources, for `dependsOn`. */
    public readonly keys: keyvault.Key[];

    constructor(name: string, args: AzureKeyVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
        keyVaultProblems(args).throwIfAny(`AzureKeyVault "${name}"`);
        super("mlops:index:AzureKeyVault", name, args, opts);

        const protect = args.protectData ?? true;
        const ranges = args.allowedIpRanges ?? [];
        const vault = new keyvault.Vault(
            `${name}-vault`,
            {
                vaultName: args.vaultName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: args.softDeleteRetentionDays ?? 90,
                    enablePurgeProtection: true,
                    enabledForDeployment: false,
                    enabledForDiskEncryption: false,
                    enabledForTemplateDeployment: false,
                    // Disabled still lets trusted services (storage CMK) and private endpoints in.
                    publicNetworkAccess: ranges.length > 0 ? "Enabled" : "Disabled",
                    networkAcls: {
                        defaultAction: "Deny",
                        bypass: "AzureServices",
                        ipRules: ranges.map((r) => ({ value: firewallRange(r) })),
                    },
                },
                tags: { ...args.tags },
            },
            // Azure fixes the soft-delete retention when the vault is created and rejects any later change
            // ("can't be modified"): a different value (e.g. dev -> prod) is ignored instead of failing the update.
            { parent: this, protect, retainOnDelete: protect, ignoreChanges: [...VAULT_IMMUTABLE_PROPERTIES] },
        );
        diagnosticSetting(`${name}-diagnostics`, { resourceUri: vault.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });

        const rotation = args.keyRotationDays ?? 90;
        this.keys = (args.keyNames ?? []).map(
            (keyName) =>
                // Created through Azure Resource Manager, so the deployer needs no data-plane role on the vault.
                new keyvault.Key(
                    `${name}-${keyName}`,
                    {
                        keyName,
                        vaultName: vault.name,
                        resourceGroupName: args.resourceGroupName,
                        properties: {
                            kty: "RSA",
                            keySize: args.keySizeBits ?? 3072,
                            keyOps: ["wrapKey", "unwrapKey"],
                            rotationPolicy: {
                                attributes: { expiryTime: `P${args.keyExpiryDays ?? 365}D` },
                                lifetimeActions: [
                                    { trigger: { timeAfterCreate: `P${rotation}D` }, action: { type: "rotate" } },
                                    { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "notify" } },
                                ],
                            },
                        },
                        tags: { ...args.tags },
                    },
                    { parent: this, protect, retainOnDelete: protect },
                ),
        );
        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((p) => p.vaultUri);
        this.keyIds = pulumi
            .all(this.keys.map((k) => k.id))
            .apply((ids) => Object.fromEntries((args.keyNames ?? []).map((k, i) => [k, ids[i]])));
        this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri, keyIds: this.keyIds });
    }
}
