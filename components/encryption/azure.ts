/**
 * Key Vault on Azure: RBAC authorization (no access policies), soft delete with purge protection, public
 * network access off unless an IP allow-list opens it, trusted Azure services allowed through (storage
 * reads customer-managed keys that way), audit logs to Log Analytics, and RSA keys that rotate themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { AzureKeyVaultArgs, VAULT_IMMUTABLE_PROPERTIES, validateAzureKeyVault } from "./azure-args";
import { firewallRange } from "../network/azure-ip-ranges";
import { diagnosticSetting } from "../observability/azure";
import { throwIfProblems } from "../shared/problems";

/** A Key Vault with RBAC authorization, purge protection, network rules, audit logs and self-rotating RSA keys. */
export class AzureKeyVault extends pulumi.ComponentResource {
    /** ARM ID of the vault. */
    public readonly vaultId: pulumi.Output<string>;
    /** The vault's name. */
    public readonly vaultName: pulumi.Output<string>;
    /** `https://<name>.vault.azure.net/` */
    public readonly vaultUri: pulumi.Output<string>;
    /** Key name -> ARM ID of the key (the scope for per-key role assignments). */
    public readonly keyIds: pulumi.Output<Record<string, string>>;
    /** The key resources, for `dependsOn`. */
    public readonly keys: keyvault.Key[];

    constructor(name: string, args: AzureKeyVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureKeyVault "${name}"`, validateAzureKeyVault(args));
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
