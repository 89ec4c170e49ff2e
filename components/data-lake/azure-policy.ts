/**
 * Pure pieces of the Azure data lake: container names, the blob data protection settings (what an ADLS Gen2 account supports) and the lifecycle management policy. No SDK is
 * loaded here.
 */

/** Blob and container soft delete keep deleted data 7 to 365 days (CIS-AZ3 4.10). */
export const SOFT_DELETE_DAYS = { min: 7, max: 365 } as const;
/** The filesystem Synapse keeps its workspace data in; longer than any zone name (16), so never a zone's. */
export const SYNAPSE_FILESYSTEM = "synapse-workspace";

/** The container of a zone: the zone itself, or `<zone>-zone` for one- and two-letter zones (containers need 3). */
export function zoneContainerName(zone: string): string {
    return zone.length >= 3 ? zone : `${zone}-zone`;
}

/**
 * Blob service features Azure does not support on an account with a hierarchical namespace (ADLS Gen2):
 * the blob service update that enables one of them fails. Source: "Blob Storage feature support in Azure
 * Storage accounts" (learn.microsoft.com), HNS column.
 */
export const HNS_UNSUPPORTED_FEATURES = [
    "blob versioning (isVersioningEnabled)",
    "change feed (changeFeed)",
    "point-in-time restore (restorePolicy)",
] as const;

/**
 * What protects the lake's data on an ADLS Gen2 account: blob soft delete (files and, on a hierarchical
 * namespace, whole directories are restorable) and container soft delete, for the same number of days.
 * Versioning, change feed and point-in-time restore are left off: Azure rejects them on these accounts.
 */
export function lakeDataProtection(softDeleteRetentionDays: number) {
    return {
        deleteRetentionPolicy: { enabled: true, days: softDeleteRetentionDays, allowPermanentDelete: false },
        containerDeleteRetentionPolicy: { enabled: true, days: softDeleteRetentionDays },
    };
}

/**
 * Blob versioning, change feed, and blob and container soft delete together (Microsoft's recommended
 * protection) for flat-namespace accounts only (the ML store, Functions stores); never the ADLS Gen2 lake.
 */
export function dataProtection(softDeleteRetentionDays: number, changeFeedRetentionDays: number) {
    return {
        isVersioningEnabled: true,
        changeFeed: { enabled: true, retentionInDays: changeFeedRetentionDays },
        ...lakeDataProtection(softDeleteRetentionDays),
    };
}

interface LifecycleRule {
    readonly name: string;
    readonly enabled: boolean;
    readonly type: "Lifecycle";
    readonly definition: {
        readonly filters: { readonly blobTypes: string[]; readonly prefixMatch?: string[] };
        readonly actions: {
            readonly baseBlob: { readonly tierToCool: { readonly daysAfterModificationGreaterThan: number } };
        };
    };
}

/**
 * Lifecycle management: blobs of the `raw` zone (if there is one) move to the cool tier after
 * `rawColdStorageAfterDays`; no rule (and no policy) without a `raw` zone. There are no version or snapshot
 * rules: the lake has no versions, and snapshots are preview on ADLS Gen2. Azure has no abort-multipart
 * rule: uncommitted blocks are discarded after 7 days by the service.
 */
export function lifecyclePolicy(zones: readonly string[], rawColdStorageAfterDays: number): { rules: LifecycleRule[] } {
    if (!zones.includes("raw")) return { rules: [] };
    return {
        rules: [
            {
                name: "raw-to-cool",
                enabled: true,
                type: "Lifecycle",
                // Prefixes start with the container name.
                definition: {
                    filters: { blobTypes: ["blockBlob"], prefixMatch: [`${zoneContainerName("raw")}/`] },
                    actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: rawColdStorageAfterDays } } },
                },
            },
        ],
    };
}
