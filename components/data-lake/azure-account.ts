/**
 * The storage account baseline every Azure component uses (data lake, ML workspace store, Functions host
 * store), as a plain args object: HTTPS only, TLS 1.2, no anonymous blob access, no shared keys (Entra ID
 * only), no local users or SFTP, copies only within the tenant, double encryption at rest, and a firewall
 * whose default the caller chooses. Type-only SDK import: nothing is loaded or created here.
 *
 * Rules: CKV_AZURE_3, 44, 190, 35, 36, 244, CKV2_AZURE_40, 41, 1 (docs/security-baseline.md 1.3).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as storage from "@pulumi/azure-native/storage";
import { firewallRange } from "../network/azure-ip-ranges";
import type { AzureLocationArgs, AzureResourceGroupArgs } from "../shared/azure-placement";

/** Replication kinds (SKU `Standard_<kind>`). */
export const REPLICATIONS = ["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"] as const;
/** Geo-redundant kinds (CKV_AZURE_206): what prod requires. */
export const GEO_REPLICATIONS = ["GRS", "RAGRS", "GZRS", "RAGZRS"] as const;

export interface CustomerManagedKey {
    /** Key name in the vault; no version, so the account follows the key's rotations. */
    readonly keyName: pulumi.Input<string>;
    readonly keyVaultUri: pulumi.Input<string>;
    /** ARM ID of the user-assigned identity that holds Key Vault Crypto Service Encryption User on the key. */
    readonly identityId: pulumi.Input<string>;
}

export interface SecureAccountOptions extends AzureResourceGroupArgs, AzureLocationArgs {
    readonly accountName: pulumi.Input<string>;
    /** One of REPLICATIONS. */
    readonly replication: string;
    /** ADLS Gen2 (hierarchical namespace); fixed at creation. */
    readonly hierarchicalNamespace: boolean;
    /** What the firewall does with traffic no rule matches. */
    readonly defaultAction: "Allow" | "Deny";
    /** Public IPv4 addresses or CIDR blocks let through the firewall. */
    readonly allowedIpRanges: readonly string[];
    /**
     * Subnets let through by virtual network rules; each must carry the `Microsoft.Storage` service endpoint
     * (same region or its pair). Ignored by Azure while public network access is Disabled.
     */
    readonly allowedSubnetIds?: readonly pulumi.Input<string>[];
    /** Azure resources let through by resource instance rules (their managed identity). */
    readonly trustedResources?: readonly { readonly tenantId: pulumi.Input<string>; readonly resourceId: pulumi.Input<string> }[];
    /**
     * `Disabled` once private endpoints serve every client: Azure then ignores the whole firewall (IP rules,
     * resource instance rules and the trusted-services exception) and only private endpoints get in.
     * @default "Enabled" - the firewall's rules apply
     */
    readonly publicNetworkAccess?: "Enabled" | "Disabled";
    /** Customer-managed key; without it, Microsoft-managed keys. */
    readonly customerManagedKey?: CustomerManagedKey;
    readonly tags?: Readonly<Record<string, string>>;
}

/** SAS tokens (user delegation only: shared keys are off) older than a day are logged. */
export const SAS_POLICY = { sasExpirationPeriod: "1.00:00:00", expirationAction: "Log" } as const;

export function secureStorageAccountArgs(o: SecureAccountOptions): storage.StorageAccountArgs {
    const cmk = o.customerManagedKey;
    const services = { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } };
    return {
        accountName: o.accountName,
        resourceGroupName: o.resourceGroupName,
        location: o.location,
        kind: "StorageV2",
        sku: { name: `Standard_${o.replication}` },
        accessTier: "Hot",
        isHnsEnabled: o.hierarchicalNamespace,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        isLocalUserEnabled: false,
        isSftpEnabled: false,
        allowCrossTenantReplication: false,
        allowedCopyScope: "AAD",
        sasPolicy: { ...SAS_POLICY },
        // Enabled: the firewall's IP and resource-instance rules apply; no rule, no entry. The rule set stays
        // (default Deny) when Disabled, so turning public access back on never opens the account.
        publicNetworkAccess: o.publicNetworkAccess ?? "Enabled",
        networkRuleSet: {
            defaultAction: o.defaultAction,
            bypass: "AzureServices",
            ipRules: o.allowedIpRanges.map((r) => ({ iPAddressOrRange: firewallRange(r), action: "Allow" })),
            resourceAccessRules: (o.trustedResources ?? []).map((r) => ({ tenantId: r.tenantId, resourceId: r.resourceId })),
            ...(o.allowedSubnetIds?.length
                ? { virtualNetworkRules: o.allowedSubnetIds.map((id) => ({ virtualNetworkResourceId: id, action: "Allow" as const })) }
                : {}),
        },
        encryption: cmk
            ? {
                  keySource: "Microsoft.Keyvault",
                  keyVaultProperties: { keyName: cmk.keyName, keyVaultUri: cmk.keyVaultUri },
                  encryptionIdentity: { encryptionUserAssignedIdentity: cmk.identityId },
                  requireInfrastructureEncryption: true,
                  services,
              }
            : { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services },
        identity: cmk ? { type: "UserAssigned", userAssignedIdentities: [cmk.identityId] } : undefined,
        tags: { ...o.tags },
    };
}
