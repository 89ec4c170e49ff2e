/**
 * Arguments of the Azure data lake components (the lake, its Synapse query engine) and their validators.
 * Pure: no SDK at runtime, so stack-config parsing runs the same checks before anything is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DataLakeArgs } from "./contract";
import { GEO_REPLICATIONS, REPLICATIONS } from "./azure-account";
import { SOFT_DELETE_DAYS, zoneContainerName } from "./azure-policy";
import { validateVaultSoftDeleteDays } from "../encryption/azure-args";
import { validateIpRanges } from "../network/azure-ip-ranges";
import { NAME_SUFFIX, isValidAzureName } from "../naming/azure";
import type {
    AzureLocationArgs,
    AzureLogAnalyticsArgs,
    AzurePlacementArgs,
    AzureResourceGroupArgs,
    AzureSubscriptionArgs,
} from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

/** Where the lake's private endpoints go: built by the network component, passed in by the stack. */
export interface LakePrivateEndpoints {
    /** ARM ID of the subnet the endpoints take their private IPs from. */
    readonly subnetId: pulumi.Input<string>;
    /** ARM ID of the private DNS zone `privatelink.blob.core.windows.net`. */
    readonly blobDnsZoneId: pulumi.Input<string>;
    /** ARM ID of the private DNS zone `privatelink.dfs.core.windows.net`. */
    readonly dfsDnsZoneId: pulumi.Input<string>;
    /** ARM ID of the private DNS zone `privatelink.vaultcore.azure.net`. */
    readonly vaultDnsZoneId: pulumi.Input<string>;
}

export interface AzureDataLakeArgs extends DataLakeArgs, AzurePlacementArgs {
    /** Entra tenant of the deployment (from `authorization.getClientConfig`). */
    readonly tenantId: pulumi.Input<string>;
    /**
     * Replication: LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS. With `protectData` only geo-redundant kinds are
     * accepted. GRS costs about twice LRS. Default: "GRS".
     */
    readonly replication?: string;
    /** Days deleted blobs and containers can be restored, 7-365. Default: 7. */
    readonly softDeleteRetentionDays?: number;
    /**
     * The account's firewall. On (the default): default action Deny; only trusted Azure services, the
     * `trustedResourceIds`, `allowedIpRanges` and `allowedSubnetIds` get through. Off: default action Allow, so
     * every network reaches the public endpoint and Entra ID is the only gate (shared keys, local users and
     * anonymous access stay off; every caller needs a data role). Off is for a stack without a network whose
     * workloads run outside any virtual network (Container Apps outside a network, Azure ML compute without a
     * subnet): nothing else lets them in, as Container Apps is not a service the firewall admits by resource
     * instance. Refused with `privateEndpoints`, `allowedIpRanges` or `allowedSubnetIds`. Default: true.
     */
    readonly firewall?: boolean;
    /** Public IPv4 addresses or CIDR blocks let through the account firewall. Default: [] - trusted Azure services only. */
    readonly allowedIpRanges?: string[];
    /**
     * ARM IDs of subnets let through the account firewall by virtual network rules (the data pipelines' jobs
     * subnet, which carries the `Microsoft.Storage` service endpoint). No effect while the account's public
     * network access is disabled (`privateEndpoints` without `trustedServicesAccess`). Default: [].
     */
    readonly allowedSubnetIds?: pulumi.Input<string>[];
    /** ARM IDs of Azure resources whose managed identity may pass the firewall (e.g. the ML workspace). Default: []. */
    readonly trustedResourceIds?: pulumi.Input<string>[];
    /** Public IPv4 addresses or CIDR blocks allowed to reach Synapse. Default: [] - Synapse public access off. */
    readonly queryAllowedIpRanges?: string[];
    /** Entra ID object made Synapse SQL administrator (the deployer). Default: none; required with `queryEngine`. */
    readonly queryAdministratorObjectId?: pulumi.Input<string>;
    /** Days the deleted vault and key stay recoverable, 7-90. Default: 90. */
    readonly keyVaultSoftDeleteRetentionDays?: number;
    /**
     * Private endpoints for the account (`blob`, `dfs`) and the vault (`vault`) in this subnet, registered in
     * these private DNS zones. The account's public network access is then disabled: Azure ignores its
     * firewall (IP rules, resource instance rules, trusted services) and only private endpoints get in, so
     * `allowedIpRanges` must stay empty. Each endpoint costs about 7 USD a month plus traffic.
     * Default: no private endpoints; the account's firewall (default Deny) guards its public endpoint.
     */
    readonly privateEndpoints?: LakePrivateEndpoints;
    /**
     * With `privateEndpoints`, keep the account's public network access Enabled (default action Deny, no IP
     * rules, the trusted-services bypass, the resource instance rules) instead of Disabled, because a trusted
     * Azure service writes into the lake without a private endpoint: Event Hubs Capture. Microsoft documents
     * Disabled as "traffic allowed only through a private endpoint"; the firewall then still refuses every
     * other caller. Default: false.
     */
    readonly trustedServicesAccess?: boolean;
    /**
     * Not supported on Azure (rejected): an ADLS Gen2 account keeps no blob versions. Deleted files,
     * directories and containers stay restorable for `softDeleteRetentionDays`.
     */
    readonly noncurrentVersionRetentionDays?: number;
    /**
     * Publish the account's blob events through an Event Grid system topic (one per account: Azure allows
     * no second), with a system-assigned identity that delivers to queues and dead-letters with Entra ID.
     * The data pipelines subscribe to it for their on-arrival triggers.
     * Default: false.
     */
    readonly blobEvents?: boolean;
}

function whole(problems: ProblemDetail[], path: string, value: number, min: number, max: number, unit: string): void {
    if (!Number.isInteger(value) || value < min || value > max)
        problems.push({ path, value, message: `must be a whole number of ${unit} from ${min} to ${max}` });
}

/** Every problem with the lake's arguments (paths relative to the args), so one error lists them all. */
export function validateAzureDataLake(args: AzureDataLakeArgs): ProblemDetail[] {
    const s = {
        zones: args.zones,
        namePrefix: args.namePrefix,
        // Checked when a plain string; an Output is checked by its producer.
        nameSuffix: typeof args.nameSuffix === "string" ? args.nameSuffix : undefined,
        replication: args.replication ?? "GRS",
        protectData: args.protectData ?? true,
        softDeleteRetentionDays: args.softDeleteRetentionDays ?? 7,
        noncurrentVersionRetentionDays: args.noncurrentVersionRetentionDays,
        rawColdStorageAfterDays: args.rawColdStorageAfterDays ?? 90,
        allowedIpRanges: args.allowedIpRanges ?? [],
        queryAllowedIpRanges: args.queryAllowedIpRanges ?? [],
        privateEndpoints: args.privateEndpoints !== undefined,
    };
    const problems: ProblemDetail[] = [];
    if (s.zones.length === 0)
        problems.push({
            path: "zones",
            value: s.zones,
            message: "must name at least one zone",
            fix: 'e.g. ["raw", "curated", "features", "models"]',
        });
    s.zones.forEach((zone, i) => {
        if (!isValidAzureName("blobContainer", zoneContainerName(zone))) {
            problems.push({
                path: `zones[${i}]`,
                value: zone,
                message: "does not make a valid blob container name",
                fix: "use lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
            });
        }
        if (s.zones.indexOf(zone) !== i) problems.push({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
    });
    if (!/^[a-z][a-z0-9-]*$/.test(s.namePrefix))
        problems.push({
            path: "namePrefix",
            value: s.namePrefix,
            message: "must be a lowercase slug starting with a letter",
            fix: "build it with namePrefix(project, stack)",
        });
    if (s.nameSuffix !== undefined && !NAME_SUFFIX.test(s.nameSuffix))
        problems.push({ path: "nameSuffix", value: s.nameSuffix, message: "must be 6 lowercase letters or digits" });
    if (!(REPLICATIONS as readonly string[]).includes(s.replication)) {
        problems.push({ path: "replication", value: s.replication, message: "is not a storage replication kind", allowed: REPLICATIONS });
    } else if (s.protectData && !(GEO_REPLICATIONS as readonly string[]).includes(s.replication)) {
        problems.push({
            path: "replication",
            value: s.replication,
            message: "keeps the protected lake in one region (CKV_AZURE_206 wants geo-redundant storage)",
            allowed: GEO_REPLICATIONS,
            fix: "use GRS or GZRS (read-access RAGRS/RAGZRS also work)",
        });
    }
    whole(problems, "softDeleteRetentionDays", s.softDeleteRetentionDays, SOFT_DELETE_DAYS.min, SOFT_DELETE_DAYS.max, "days");
    if (s.noncurrentVersionRetentionDays !== undefined) {
        problems.push({
            path: "noncurrentVersionRetentionDays",
            value: s.noncurrentVersionRetentionDays,
            message:
                "has no effect on Azure: an ADLS Gen2 (hierarchical namespace) account keeps no blob versions (Azure does not support versioning there)",
            fix: "leave it unset; deleted files, directories and containers stay restorable for softDeleteRetentionDays",
        });
    }
    whole(problems, "rawColdStorageAfterDays", s.rawColdStorageAfterDays, 1, 3650, "days");
    problems.push(...validateIpRanges(s.allowedIpRanges, "allowedIpRanges"));
    if (s.privateEndpoints && s.allowedIpRanges.length > 0) {
        problems.push({
            path: "allowedIpRanges",
            value: s.allowedIpRanges,
            message: args.trustedServicesAccess
                ? "is refused with privateEndpoints: the public endpoint stays on only for trusted Azure services (Event Hubs Capture), not for addresses"
                : "has no effect with privateEndpoints: the account's public network access is disabled, and Azure then ignores its IP rules",
            fix: "reach the lake through the virtual network (or a VPN into it), and leave allowedIpRanges empty",
        });
    }
    if (args.firewall === false) {
        const conflicts: [string, unknown, boolean][] = [
            ["privateEndpoints", "(set)", s.privateEndpoints],
            ["allowedIpRanges", s.allowedIpRanges, s.allowedIpRanges.length > 0],
            ["allowedSubnetIds", args.allowedSubnetIds, (args.allowedSubnetIds ?? []).length > 0],
        ];
        for (const [path, value] of conflicts.filter(([, , set]) => set))
            problems.push({
                path,
                value,
                message: "has no effect with firewall: false (the account admits every network)",
                fix: "turn the firewall on (firewall: true), or leave this unset",
            });
    }
    problems.push(...validateIpRanges(s.queryAllowedIpRanges, "queryAllowedIpRanges"));
    // The vault is a child component: its arguments are checked here, before anything is registered.
    problems.push(...validateVaultSoftDeleteDays(args.keyVaultSoftDeleteRetentionDays ?? 90, "keyVaultSoftDeleteRetentionDays"));
    if (args.queryEngine && args.queryAdministratorObjectId === undefined)
        problems.push({
            path: "queryAdministratorObjectId",
            value: undefined,
            message: "is required with queryEngine (Synapse needs an Entra ID administrator)",
            fix: "pass the deployer's objectId from authorization.getClientConfig",
        });
    return problems;
}

export interface AzureSynapseQueryArgs extends AzureResourceGroupArgs, AzureLocationArgs, AzureSubscriptionArgs, AzureLogAnalyticsArgs {
    /** Globally unique workspace name from `azureNames.synapseWorkspace` (checked here when a plain string). */
    readonly workspaceName: pulumi.Input<string>;
    /** Entra tenant of the deployment (from `authorization.getClientConfig`). */
    readonly tenantId: pulumi.Input<string>;
    /** ARM ID of the lake's storage account. */
    readonly storageAccountId: pulumi.Input<string>;
    /** `https://<account>.dfs.core.windows.net/` endpoint of the lake's storage account. */
    readonly dfsEndpoint: pulumi.Input<string>;
    /** The filesystem (container) Synapse keeps its own data in. */
    readonly filesystem: string;
    /** ARM ID of that filesystem's container. */
    readonly filesystemContainerId: pulumi.Input<string>;
    /** Zone -> ARM ID of the zone's container, which Synapse may read. */
    readonly readableContainerIds: Readonly<Record<string, pulumi.Input<string>>>;
    /** Entra ID object made the workspace's SQL administrator (the deployer). */
    readonly administratorObjectId: pulumi.Input<string>;
    /** Public IPv4 addresses or CIDR blocks allowed to reach the workspace. Default: [] - public network access disabled. */
    readonly allowedIpRanges?: string[];
    /** Protect the workspace and keep it on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the query engine's arguments (paths relative to the args). */
export function validateAzureSynapseQuery(args: AzureSynapseQueryArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.workspaceName === "string" && !isValidAzureName("synapseWorkspace", args.workspaceName))
        problems.push({
            path: "workspaceName",
            value: args.workspaceName,
            message: "is not a valid Synapse workspace name",
            fix: "use 1-50 lowercase letters, digits and '-', without `-ondemand`",
        });
    problems.push(...validateIpRanges(args.allowedIpRanges ?? [], "allowedIpRanges"));
    return problems;
}

/** The lake account's customer-managed key and the identity that unwraps it (`AzureDataLake.encryptionKey`). */
export interface AzureLakeEncryptionKey {
    /** URI of the key vault holding the key. */
    keyVaultUri: pulumi.Output<string>;
    /** The key's name in the vault. */
    keyName: string;
    /** ARM ID of the user-assigned identity that may wrap and unwrap with the key. */
    identityId: pulumi.Output<string>;
}

/** The Event Grid system topic of the lake account's blob events (`AzureDataLake.blobEventsTopic`). */
export interface AzureBlobEventsTopic {
    /** The system topic's name. */
    name: pulumi.Output<string>;
    /** Principal ID of the topic's system-assigned identity. */
    principalId: pulumi.Output<string>;
}
