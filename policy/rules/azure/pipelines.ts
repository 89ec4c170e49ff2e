/**
 * The data pipelines' resources (components/data-pipeline/azure.ts): Event Hubs namespaces and the
 * storage that holds arrival queues are encrypted and Entra-ID-only, and blob data roles never reach past
 * one container or grant a whole container through an empty path condition.
 */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at } from "../lib/read";
import { AZ } from "./types";

const PIPELINES = "components/data-pipeline/azure.ts";
const EVENT_HUBS_NAMESPACE = "azure-native:eventhub:Namespace";

/** Storage Blob Data Reader, Contributor and Owner. */
const BLOB_DATA_ROLES = [
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
];

export const pipelineStoresEncrypted = resourceRule({
    name: "azure-pipeline-stores-encrypted",
    description:
        "Event Hubs namespaces accept Entra ID only over TLS 1.2 and use a customer-managed key where the tier offers one (Premium, Dedicated); storage accounts that declare queue encryption cover queues with their customer-managed key (account-scoped queue key).",
    severity: "high",
    remediation: `set disableLocalAuth: true and minimumTlsVersion: 1.2 on the namespace, and encryption.services.queue.keyType: Account with keySource Microsoft.Keyvault on the events account (${PIPELINES})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [EVENT_HUBS_NAMESPACE, AZ.storageAccount],
    check: (r) => {
        if (r.type === AZ.storageAccount) {
            const queue = at(r.props, "encryption.services.queue");
            if (queue === undefined) return [];
            return [
                ...(at(r.props, "encryption.services.queue.keyType") === "Account"
                    ? []
                    : ["queues are not covered by the account key (encryption.services.queue.keyType is not Account)"]),
                ...(String(at(r.props, "encryption.keySource") ?? "").toLowerCase() === "microsoft.keyvault"
                    ? []
                    : ["encryption.keySource is not Microsoft.Keyvault"]),
            ];
        }
        const tier = String(at(r.props, "sku.name") ?? "");
        return [
            ...(r.props.disableLocalAuth === true ? [] : ["disableLocalAuth is not true (shared access keys work)"]),
            ...(r.props.minimumTlsVersion === "1.2" ? [] : [`minimumTlsVersion is ${r.props.minimumTlsVersion ?? "unset"}, not 1.2`]),
            ...(tier === "Basic" ? ["sku is Basic, which has no Capture into the lake"] : []),
            ...((tier === "Premium" || tier === "Dedicated") && at(r.props, "encryption.keySource") !== "Microsoft.KeyVault"
                ? [`sku is ${tier} and encryption.keySource is not Microsoft.KeyVault`]
                : []),
        ];
    },
});

export const blobRolesNoWildcard = resourceRule({
    name: "azure-blob-roles-no-wildcard",
    description:
        "Blob data roles are granted on one container at most (never a storage account, resource group or subscription), and a path condition never matches every blob (an empty prefix or `*`).",
    severity: "high",
    remediation: `grant Storage Blob Data Reader/Contributor on the zone's container with prefixCondition(prefix) (components/data-pipeline/azure-args.ts, ${PIPELINES})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.roleAssignment],
    check: (r) => {
        const id =
            String(r.props.roleDefinitionId ?? "")
                .split("/")
                .pop()
                ?.toLowerCase() ?? "";
        if (!BLOB_DATA_ROLES.includes(id)) return [];
        const scope = String(r.props.scope ?? "");
        const problems: string[] = [];
        if (
            /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i.test(scope) ||
            /\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+\/?$/i.test(scope)
        )
            problems.push(`grants a blob data role on ${scope}, wider than one container`);
        const condition = String(r.props.condition ?? "");
        if (/StringStartsWith\s*''|StringLike\s*'\*'/i.test(condition)) problems.push("its condition matches every blob path");
        return problems;
    },
});

export const azurePipelineRules: readonly MlopsPolicy[] = [pipelineStoresEncrypted, blobRolesNoWildcard];
