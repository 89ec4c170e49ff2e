/**
 * Pure pieces of the Azure data lake: validation of its arguments, container names, the blob data
 * protection settings (what an ADLS Gen2 account supports) and the lifecycle management policy. No SDK is
 * loaded here.
 */
import { ipRangeProblems } from "../network/azure";
import { NAME_SUFFIX, isValidAzureName } from "../naming/azure";
import { Problems } from "../shared/problems";
import { GEO_REPLICATIONS, REPLICATIONS } from "./azure-account";

/** Blob and container soft delete keep deleted data 7 to 365 days (CIS-AZ3 4.10). */
export const SOFT_DELETE_DAYS = { min: 7, max: 365 } as const;
/** The filesystem Synapse keeps its workspace data in; longer than any zone name (16), so never a zone's. */
export const SYNAPSE_FILESYSTEM = "synapse-workspace";

/** The container of a zone: the zone itself, or `<zone>-zone` for one- and two-letter zones (containers need 3). */
export function zoneContainerName(zone: string): string {
    return zone.length >= 3 ? zone : `${zone}-zone`;
}

export interface LakeSettings {
    readonly zones: readonly string[];
    readonly namePrefix: string;
    /** Plain string when known (tests); undefined when it is an Output (checked by its producer). */
    readonly nameSuffix?: string;
    readonly replication: string;
    readonly protectData: boolean;
    readonly softDeleteRetentionDays: number;
    /** Only ever set by mistake: the lake keeps no versions (rejected). */
    readonly noncurrentVersionRetentionDays?: number;
    readonly rawColdStorageAfterDays: number;
    readonly allowedIpRanges: readonly string[];
    readonly queryAllowedIpRanges: readonly string[];
    /** Private endpoints serve the account, so its public network access is disabled. */
    readonly privateEndpoints: boolean;
}

function whole(problems: Problems, path: string, value: number, min: number, max: number, unit: string): void {
    if (!Number.isInteger(value) || value < min || value > max)
        problems.add({ path, value, message: `must be a whole number of ${unit} from ${min} to ${max}` });
}

/** Every problem with the lake's arguments, so one error lists them all. */
export function lakeProblems(s: LakeSettings): Problems {
    const problems = new Problems();
    if (s.zones.length === 0)
        problems.add({
            path: "zones",
            value: s.zones,
            message: "must name at least one zone",
            fix: 'e.g. ["raw", "curated", "features", "models"]',
        });
    s.zones.forEach((zone, i) => {
        if (!isValidAzureName("blobContainer", zoneContainerName(zone))) {
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "does not make a valid blob container name",
                fix: "use lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
            });
        }
        if (s.zones.indexOf(zone) !== i) problems.add({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
    });
    if (!/^[a-z][a-z0-9-]*$/.test(s.namePrefix))
        problems.add({
            path: "namePrefix",
            value: s.namePrefix,
            message: "must be a lowercase slug starting with a letter",
            fix: "build it with namePrefix(project, stack)",
        });
    if (s.nameSuffix !== undefined && !NAME_SUFFIX.test(s.nameSuffix))
        problems.add({ path: "nameSuffix", value: s.nameSuffix, message: "must be 6 lowercase letters or digits" });
    if (!(REPLICATIONS as readonly string[]).includes(s.replication)) {
        problems.add({ path: "replication", value: s.replication, message: "is not a storage replication kind", allowed: REPLICATIONS });
    } else if (s.protectData && !(GEO_REPLICATIONS as readonly string[]).includes(s.replication)) {
        problems.add({
            path: "replication",
            value: s.replication,
            message: "keeps the protected lake in one region (CKV_AZURE_206 wants geo-redundant storage)",
            allowed: GEO_REPLICATIONS,
            fix: "use GRS or GZRS (read-access RAGRS/RAGZRS also work)",
        });
    }
    whole(problems, "softDeleteRetentionDays", s.softDeleteRetentionDays, SOFT_DELETE_DAYS.min, SOFT_DELETE_DAYS.max, "days");
    if (s.noncurrentVersionRetentionDays !== undefined) {
        problems.add({
            path: "noncurrentVersionRetentionDays",
            value: s.noncurrentVersionRetentionDays,
            message:
                "has no effect on Azure: an ADLS Gen2 (hierarchical namespace) account keeps no blob versions (Azure does not support versioning there)",
            fix: "leave it unset; deleted files, directories and containers stay restorable for softDeleteRetentionDays",
        });
    }
    whole(problems, "rawColdStorageAfterDays", s.rawColdStorageAfterDays, 1, 3650, "days");
    ipRangeProblems(s.allowedIpRanges, "allowedIpRanges", problems);
    if (s.privateEndpoints && s.allowedIpRanges.length > 0) {
        problems.add({
            path: "allowedIpRanges",
            value: s.allowedIpRanges,
            message:
                "has no effect with privateEndpoints: the account's public network access is disabled, and Azure then ignores its IP rules",
            fix: "reach the lake through the virtual network (or a VPN into it), and leave allowedIpRanges empty",
        });
    }
    ipRangeProblems(s.queryAllowedIpRanges, "queryAllowedIpRanges", problems);
    return problems;
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
