/**
 * The ADLS Gen2 storage account of the lake, its blob service properties and containers. Soft delete and
 * versioning live on the account's BlobServiceProperties, a separate resource, so those are stack rules
 * joining the account with the properties whose `accountName` came from it. Versioning is demanded of
 * flat-namespace accounts only: on a hierarchical namespace Azure supports neither versioning, change feed
 * nor point-in-time restore, and a rule forbids them there.
 */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, Knob, MlopsPolicy, numberKnob, resourceRule, RuleConfig, stackRule } from "../meta";
import { at, Fields, oneOf, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { AZ } from "./types";

const LAKE = "components/data-lake/azure.ts";

export const storageTransport = resourceRule({
    name: "azure-storage-secure-transport",
    description: "Storage accounts accept HTTPS only, with TLS 1.2 or later.",
    severity: "high",
    remediation: `set enableHttpsTrafficOnly: true and minimumTlsVersion: TLS1_2 on the storage account (${LAKE})`,
    mirrors: ["CKV_AZURE_3", "CKV_AZURE_44", "AVD-AZU-0008", "AVD-AZU-0011", "CIS-AZ3 4.1", "CIS-AZ3 4.15"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.storageAccount],
    check: (r) => [
        ...(r.props.enableHttpsTrafficOnly === false ? ["enableHttpsTrafficOnly is false"] : []),
        ...(oneOf(["TLS1_2", "TLS1_3"], r.props.minimumTlsVersion)
            ? []
            : [`minimumTlsVersion is ${r.props.minimumTlsVersion ?? "unset"}, not TLS1_2`]),
    ],
});

export const storageNoPublicBlobs = resourceRule({
    name: "azure-storage-no-public-blobs",
    description: "Storage accounts forbid anonymous blob access (allowBlobPublicAccess: false).",
    severity: "critical",
    remediation: `set allowBlobPublicAccess: false on the storage account (${LAKE})`,
    mirrors: ["CKV_AZURE_190", "CKV2_AZURE_47", "AVD-AZU-0007"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.storageAccount],
    check: (r) => (r.props.allowBlobPublicAccess === false ? [] : ["allowBlobPublicAccess is not false"]),
});

/** The network rule set's findings; `identityOnly`: an open firewall is accepted (a dev account with shared keys off). */
function networkDenyProblems(props: Fields, identityOnly: boolean): string[] {
    if (props.publicNetworkAccess === "Disabled") return [];
    const rules = props.networkRuleSet;
    if (at(rules, "defaultAction") !== "Deny") {
        if (identityOnly) return [];
        return [`networkRuleSet.defaultAction is ${at(rules, "defaultAction") ?? "Allow (default)"}, not Deny`];
    }
    return String(at(rules, "bypass") ?? "").includes("AzureServices") ? [] : ["networkRuleSet.bypass does not include AzureServices"];
}

export const storageNetworkDeny = stackRule({
    name: "azure-storage-network-deny",
    description:
        "Storage accounts deny network access by default (networkRuleSet.defaultAction Deny, trusted Azure services bypassing) or disable public network access. In dev an account may admit every network when Entra ID is its only gate (shared keys off): the dev stacks' workloads run outside any virtual network.",
    severity: "high",
    remediation: `keep networkRuleSet { defaultAction: Deny, bypass: AzureServices } on the storage account (${LAKE}); outside dev the lake's firewall stays on (mlops:dataLake.azure.firewall), and callers come in through a network or mlops:dataLake.azure.allowedIpRanges`,
    mirrors: ["CKV_AZURE_35", "CKV_AZURE_36", "CKV_AZURE_59", "AVD-AZU-0012", "AVD-AZU-0010", "CIS-AZ3 4.6", "CIS-AZ3 4.7", "CIS-AZ3 4.8"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.storageAccount],
    validate: ({ view, report }) => {
        for (const account of view.ofType([AZ.storageAccount])) {
            const identityOnly = view.environmentOf(account) === "dev" && account.props.allowSharedKeyAccess === false;
            for (const problem of whenKnown(() => networkDenyProblems(account.props, identityOnly)) ?? []) report(account, problem);
        }
    },
});

export const storageNoSharedKey = resourceRule({
    name: "azure-storage-no-shared-key",
    description: "Storage accounts refuse Shared Key authorization (Entra ID only) and have local users off.",
    severity: "high",
    remediation: `set allowSharedKeyAccess: false and isLocalUserEnabled: false on the storage account (${LAKE}); workloads use managed identities`,
    mirrors: ["CKV2_AZURE_40", "CKV_AZURE_244"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.storageAccount],
    check: (r) => [
        ...(r.props.allowSharedKeyAccess === false ? [] : ["allowSharedKeyAccess is not false"]),
        ...(r.props.isLocalUserEnabled === false ? [] : ["isLocalUserEnabled is not false"]),
    ],
});

const GEO_REDUNDANT = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];

export const storageGeoReplication = resourceRule({
    name: "azure-storage-geo-replication",
    description: "In production, storage accounts replicate to a second region (GRS, RA-GRS, GZRS or RA-GZRS).",
    severity: "medium",
    remediation: `set mlops:dataLake.azure.replication to a GRS-family value in prod (${LAKE})`,
    mirrors: ["CKV_AZURE_206", "AVD-AZU-0058"],
    clouds: ["azure"],
    category: "data-loss",
    enforcement: "prod",
    types: [AZ.storageAccount],
    check: (r) =>
        oneOf(GEO_REDUNDANT, at(r.props, "sku.name")) ? [] : [`sku.name is ${at(r.props, "sku.name") ?? "unset"}, not geo-redundant`],
});

export const storageCmk = resourceRule({
    name: "azure-storage-cmk",
    description: "Storage accounts encrypt with a customer-managed key in Key Vault.",
    severity: "low",
    remediation: `set encryption.keySource: Microsoft.Keyvault with keyVaultProperties on the storage account (${LAKE})`,
    mirrors: ["CKV2_AZURE_1", "AVD-AZU-0060", "CIS-AZ3 4.11"],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.storageAccount],
    check: (r) =>
        at(r.props, "encryption.keySource") === "Microsoft.Keyvault"
            ? []
            : [`encryption.keySource is ${at(r.props, "encryption.keySource") ?? "Microsoft.Storage (default)"}`],
});

const MIN_DAYS: Knob = {
    schema: { type: "integer", minimum: 1, maximum: 365, description: "Shortest soft-delete retention accepted, in days." },
    default: 7,
};

/** The BlobServiceProperties of an account (joined through the `accountName` input). */
const blobServiceOf = (view: StackView, account: PolicyResource): PolicyResource | undefined =>
    view.companions(account, [AZ.blobService], "accountName", ["accountName", "name"])[0];

/** Accounts with blob storage: every kind except FileStorage. */
const blobAccounts = (view: StackView, inScope: (r: PolicyResource) => boolean) =>
    view.ofType([AZ.storageAccount]).filter((a) => inScope(a) && whenKnown(() => a.props.kind) !== "FileStorage");

function retentionProblems(policy: unknown, what: string, minDays: number): string[] {
    if (at(policy, "enabled") !== true) return [`${what} is not enabled`];
    const days = at(policy, "days");
    return typeof days === "number" && days >= minDays
        ? []
        : [`${what} keeps deleted data ${days ?? "an unset number of"} days, below ${minDays}`];
}

function blobServiceRule(
    spec: Omit<Parameters<typeof stackRule>[0], "validate" | "types" | "clouds">,
    judge: (service: Fields, config: RuleConfig, account: Fields) => string[],
): MlopsPolicy {
    return stackRule({
        ...spec,
        clouds: ["azure"],
        types: [AZ.storageAccount],
        validate: ({ view, config, inScope, report }) => {
            for (const account of blobAccounts(view, inScope)) {
                const service = blobServiceOf(view, account);
                if (!service) {
                    report(account, "no azure-native storage.BlobServiceProperties for this account");
                    continue;
                }
                for (const problem of whenKnown(() => judge(service.props, config, account.props)) ?? []) report(account, problem);
            }
        },
    });
}

export const blobSoftDelete = blobServiceRule(
    {
        name: "azure-blob-soft-delete",
        description: "Storage accounts keep deleted blobs for at least `minDays` days (blob soft delete).",
        severity: "high",
        remediation: `keep deleteRetentionPolicy enabled on the account's BlobServiceProperties, days from mlops:dataLake.azure.softDeleteRetentionDays (7 to 365; ${LAKE})`,
        mirrors: ["CKV2_AZURE_38", "AVD-AZU-0056", "CIS-AZ3 4.10"],
        category: "data-loss",
        enforcement: "mandatory",
        knobs: { minDays: MIN_DAYS },
    },
    (service, config) =>
        retentionProblems(service.deleteRetentionPolicy, "blob soft delete (deleteRetentionPolicy)", numberKnob(config, "minDays")),
);

export const containerSoftDelete = blobServiceRule(
    {
        name: "azure-container-soft-delete",
        description:
            "Storage accounts keep deleted containers for at least `minDays` days (container soft delete; Checkov's CKV2_AZURE_38 checks blobs only).",
        severity: "high",
        remediation: `keep containerDeleteRetentionPolicy enabled on the account's BlobServiceProperties, days from mlops:dataLake.azure.softDeleteRetentionDays (${LAKE})`,
        mirrors: ["CIS-AZ3 4.10", CUSTOM],
        category: "data-loss",
        enforcement: "mandatory",
        knobs: { minDays: MIN_DAYS },
    },
    (service, config) =>
        retentionProblems(
            service.containerDeleteRetentionPolicy,
            "container soft delete (containerDeleteRetentionPolicy)",
            numberKnob(config, "minDays"),
        ),
);

/** ADLS Gen2: the account was created with a hierarchical namespace (fixed at creation). */
const hasHns = (account: Record<string, unknown>): boolean => account.isHnsEnabled === true;

export const blobVersioning = blobServiceRule(
    {
        name: "azure-blob-versioning",
        description:
            "Flat-namespace storage accounts version blobs (isVersioningEnabled), Azure's recommended companion of soft delete; ADLS Gen2 accounts cannot (azure-hns-unsupported-blob-features).",
        severity: "high",
        remediation: `keep isVersioningEnabled: true on the BlobServiceProperties of accounts without a hierarchical namespace (dataProtection in components/data-lake/azure-policy.ts)`,
        mirrors: [CUSTOM],
        category: "data-loss",
        enforcement: "mandatory",
    },
    (service, _config, account) => (hasHns(account) || service.isVersioningEnabled === true ? [] : ["isVersioningEnabled is not true"]),
);

/** What Azure rejects on the blob service of an account with a hierarchical namespace. */
interface BlobServiceFlags {
    readonly isVersioningEnabled?: boolean;
    readonly changeFeed?: { readonly enabled?: boolean };
    readonly restorePolicy?: { readonly enabled?: boolean };
}

function hnsUnsupported(service: BlobServiceFlags): string[] {
    return [
        ...(service.isVersioningEnabled === true ? ["blob versioning (isVersioningEnabled) is on"] : []),
        ...(service.changeFeed?.enabled === true ? ["change feed (changeFeed.enabled) is on"] : []),
        ...(service.restorePolicy?.enabled === true ? ["point-in-time restore (restorePolicy.enabled) is on"] : []),
    ];
}

export const hnsUnsupportedBlobFeatures = stackRule({
    name: "azure-hns-unsupported-blob-features",
    description:
        "Storage accounts with a hierarchical namespace (ADLS Gen2) leave blob versioning, change feed and point-in-time restore off: Azure does not support them there, and the blob service update that enables them fails.",
    severity: "high",
    remediation: `leave isVersioningEnabled, changeFeed and restorePolicy unset on the lake's BlobServiceProperties; blob and container soft delete protect its data (lakeDataProtection, ${LAKE})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    // Data protection that cannot exist must not be claimed, in every environment (dev fails the same way).
    category: "data-loss",
    enforcement: "mandatory",
    types: [AZ.storageAccount],
    validate: ({ view, inScope, report }) => {
        for (const account of view.ofType([AZ.storageAccount]).filter(inScope)) {
            if (whenKnown(() => hasHns(account.props)) !== true) continue;
            const service = blobServiceOf(view, account);
            if (!service) continue; // nothing enabled; a missing service is azure-blob-soft-delete's finding
            for (const problem of whenKnown(() => hnsUnsupported(service.props)) ?? [])
                report(account, `${problem} on a hierarchical-namespace account`);
        }
    },
});

export const containerPrivate = resourceRule({
    name: "azure-blob-container-private",
    description: "Blob containers allow no anonymous access (publicAccess None).",
    severity: "critical",
    remediation: `leave publicAccess at None on the blob container (${LAKE})`,
    mirrors: ["CKV_AZURE_34"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.blobContainer],
    check: (r) => ((r.props.publicAccess ?? "None") === "None" ? [] : [`publicAccess is ${r.props.publicAccess}`]),
});

export const azureStorageRules: readonly MlopsPolicy[] = [
    storageTransport,
    storageNoPublicBlobs,
    storageNetworkDeny,
    storageNoSharedKey,
    storageGeoReplication,
    storageCmk,
    blobSoftDelete,
    containerSoftDelete,
    blobVersioning,
    hnsUnsupportedBlobFeatures,
    containerPrivate,
];
