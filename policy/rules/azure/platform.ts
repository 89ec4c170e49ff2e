/** Key Vault, container registry, Azure ML, role assignments, Synapse, and the audit trail (diagnostic settings, Log Analytics retention). */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, MlopsPolicy, numberKnob, resourceRule, stackRule } from "../meta";
import { at, Fields, fields, list, oneOf, peek, records, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { AZ } from "./types";

const VAULT = "components/encryption/azure.ts, components/ml-platform/azure.ts";
const REGISTRY = "components/container-service/azure.ts, components/ml-platform/azure.ts";
const ML = "components/ml-platform/azure.ts";

export const vaultRecoverable = resourceRule({
    name: "azure-keyvault-recoverable",
    description:
        "Key Vaults keep soft delete and purge protection on, so neither a mistake nor an attacker can destroy the keys that decrypt the data.",
    severity: "critical",
    remediation: `set properties.enablePurgeProtection: true and leave enableSoftDelete on (${VAULT})`,
    mirrors: ["CKV_AZURE_42", "CKV_AZURE_110", "CKV_AZURE_111", "AVD-AZU-0016", "CIS-AZ3 3.3.5"],
    clouds: ["azure"],
    category: "data-loss",
    enforcement: "mandatory",
    types: [AZ.vault],
    check: (r) => [
        ...(at(r.props, "properties.enableSoftDelete") === false ? ["properties.enableSoftDelete is false"] : []),
        ...(at(r.props, "properties.enablePurgeProtection") === true ? [] : ["properties.enablePurgeProtection is not true"]),
    ],
});

export const vaultAccess = resourceRule({
    name: "azure-keyvault-access",
    description:
        "Key Vaults authorize with Azure RBAC and are closed to the public network (publicNetworkAccess Disabled or network ACL default Deny).",
    severity: "high",
    remediation: `set properties.enableRbacAuthorization: true and publicNetworkAccess: Disabled (or networkAcls.defaultAction: Deny) on the vault (${VAULT})`,
    mirrors: ["CKV_AZURE_109", "CKV_AZURE_189", "AVD-AZU-0013", "CIS-AZ3 3.3.7"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.vault],
    check: (r) => {
        const p = fields(r.props.properties);
        const closed = p.publicNetworkAccess === "Disabled" || at(p, "networkAcls.defaultAction") === "Deny";
        return [
            ...(p.enableRbacAuthorization === true ? [] : ["properties.enableRbacAuthorization is not true"]),
            ...(closed ? [] : ["the vault is open to the public network"]),
        ];
    },
});

export const registryNoSharedAccess = resourceRule({
    name: "azure-acr-no-admin-or-anonymous",
    description: "Container registries have the admin user and anonymous pull off (pulls use managed identities).",
    severity: "high",
    remediation: `set adminUserEnabled: false and anonymousPullEnabled: false on the registry (${REGISTRY})`,
    mirrors: ["CKV_AZURE_137", "CKV_AZURE_138"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.registry],
    check: (r) => [
        ...(r.props.adminUserEnabled === true ? ["adminUserEnabled is true"] : []),
        ...(r.props.anonymousPullEnabled === true ? ["anonymousPullEnabled is true"] : []),
    ],
});

export const registryPrivate = resourceRule({
    name: "azure-acr-private-network",
    description: "Container registries disable public network access (Premium SKU with private endpoints).",
    severity: "low",
    remediation: `set mlops:containerService.azure.registrySku (and mlops:mlPlatform.azure.registrySku) to Premium, with publicNetworkAccess Disabled and a private endpoint (${REGISTRY})`,
    mirrors: ["CKV_AZURE_139"],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.registry],
    check: (r) =>
        r.props.publicNetworkAccess === "Disabled" ? [] : [`publicNetworkAccess is ${r.props.publicNetworkAccess ?? "Enabled (default)"}`],
});

export const registryRetention = resourceRule({
    name: "azure-acr-retention",
    description: "Container registries expire untagged manifests (retention policy, Premium SKU only).",
    severity: "low",
    remediation: `set mlops:containerService.azure.registrySku to Premium; untaggedRetentionDays then becomes policies.retentionPolicy (${REGISTRY})`,
    mirrors: ["CKV_AZURE_167"],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "advisory",
    types: [AZ.registry],
    check: (r) => (at(r.props, "policies.retentionPolicy.status") === "enabled" ? [] : ["policies.retentionPolicy is not enabled"]),
});

export const mlWorkspacePrivate = resourceRule({
    name: "azure-ml-workspace-private",
    description: "Azure ML workspaces disable public network access (a missing setting counts as public).",
    severity: "high",
    remediation: `keep mlops:mlPlatform.azure.publicNetworkAccess false (${ML}); a stack that opens it turns this rule down in its policy config`,
    mirrors: ["CKV_AZURE_144", "CKV2_AZURE_49"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.mlWorkspace],
    check: (r) =>
        r.props.publicNetworkAccess === "Disabled"
            ? []
            : [`publicNetworkAccess is ${r.props.publicNetworkAccess ?? "unset"}, not Disabled`],
});

const isAmlCompute = (props: Fields) => at(props, "properties.computeType") === "AmlCompute";

export const mlComputeLocalAuth = resourceRule({
    name: "azure-ml-compute-no-local-auth",
    description: "Azure ML compute clusters disable local authentication (Entra ID only).",
    severity: "medium",
    remediation: `set properties.disableLocalAuth: true on the compute (${ML})`,
    mirrors: ["CKV_AZURE_142"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.mlCompute],
    check: (r) =>
        isAmlCompute(r.props) && at(r.props, "properties.disableLocalAuth") !== true ? ["properties.disableLocalAuth is not true"] : [],
});

export const mlComputeScaleToZero = resourceRule({
    name: "azure-ml-compute-scale-to-zero",
    description: "Azure ML training clusters scale to zero nodes when idle (GPU nodes cost money while they wait).",
    severity: "low",
    remediation: `keep scaleSettings.minNodeCount at 0 (${ML}); mlops:mlPlatform.training.maxNodes sets the ceiling`,
    mirrors: ["CKV_AZURE_150"],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "advisory",
    types: [AZ.mlCompute],
    check: (r) => {
        const min = at(r.props, "properties.properties.scaleSettings.minNodeCount") ?? 0;
        return isAmlCompute(r.props) && min !== 0 ? [`scaleSettings.minNodeCount is ${min}, not 0`] : [];
    },
});

export const mlOnlineInstances = resourceRule({
    name: "azure-ml-online-deployment-instances",
    description:
        "Azure ML managed online deployments run at least `minInstances` instances (sku.capacity, or the target-utilization minimum).",
    severity: "high",
    remediation:
        "raise mlops:models[].minReplicas (prod default 2); the azureml-endpoint implementation uses it as the deployment's instance count (components/serverless-inference/azure-ml-endpoint.ts)",
    mirrors: ["Azure WAF AI: mitigate single points of failure", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.mlOnlineDeployment],
    knobs: {
        minInstances: {
            schema: { type: "integer", minimum: 1, description: "Instance floor for production online deployments." },
            default: 2,
        },
    },
    check: (r, config) => {
        const scale = at(r.props, "properties.scaleSettings");
        const count =
            at(scale, "scaleType") === "TargetUtilization" ? (at(scale, "minInstances") ?? 1) : (at(r.props, "sku.capacity") ?? 1);
        const floor = numberKnob(config, "minInstances");
        return Number(count) < floor ? [`runs ${count} instance(s), below ${floor}`] : [];
    },
});

/** Built-in roles that hand out control of access itself or of everything. */
const OWNER_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";

export const noPrivilegedRoleAssignments = resourceRule({
    name: "azure-no-privileged-role-assignments",
    description:
        "Role assignments grant no Owner, User Access Administrator or RBAC Administrator, and no Contributor on a whole subscription.",
    severity: "critical",
    remediation:
        "assign the narrowest built-in role on the resource the identity uses, as components/identity/azure.ts does (data-plane roles on one storage account, registry or vault)",
    mirrors: ["CKV_AZURE_39 (custom owner role)", CUSTOM],
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
        if (OWNER_ROLES[id]) return [`assigns ${OWNER_ROLES[id]}`];
        const subscriptionScope = /^\/subscriptions\/[^/]+\/?$/i.test(String(r.props.scope ?? ""));
        return id === CONTRIBUTOR && subscriptionScope ? ["assigns Contributor on the whole subscription"] : [];
    },
});

export const synapseHardening = resourceRule({
    name: "azure-synapse-managed-network",
    description: "Synapse workspaces run in a managed virtual network with data exfiltration protection.",
    severity: "high",
    remediation:
        "set managedVirtualNetwork: default and managedVirtualNetworkSettings.preventDataExfiltration: true on the workspace (components/data-lake/azure.ts)",
    mirrors: ["CKV_AZURE_58", "CKV_AZURE_157", "AVD-AZU-0034"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.synapse],
    check: (r) => [
        ...(r.props.managedVirtualNetwork === "default" ? [] : ["managedVirtualNetwork is not default"]),
        ...(at(r.props, "managedVirtualNetworkSettings.preventDataExfiltration") === true
            ? []
            : ["managedVirtualNetworkSettings.preventDataExfiltration is not true"]),
    ],
});

/** Diagnostic settings whose `resourceUri` came from `target` (or names it literally). */
function diagnosticsOf(view: StackView, target: PolicyResource): PolicyResource[] {
    const id = peek(target.props, "id");
    return view.ofType([AZ.diagnosticSetting]).filter((d) => {
        if ((d.propertyDependencies?.resourceUri ?? []).some((x) => x.urn === target.urn)) return true;
        const uri = peek(d.props, "resourceUri");
        return typeof id === "string" && typeof uri === "string" && uri.toLowerCase().startsWith(id.toLowerCase());
    });
}

/** Whether a diagnostic setting sends any of these log categories (or the audit/allLogs groups) somewhere. */
function sendsLogs(setting: PolicyResource, categories: readonly string[]): boolean | undefined {
    return whenKnown(() => {
        const destination = setting.props.workspaceId || setting.props.storageAccountId || setting.props.eventHubAuthorizationRuleId;
        const logs = records(setting.props.logs).filter((l) => l.enabled !== false);
        return !!destination && logs.some((l) => oneOf(categories, l.category) || oneOf(["audit", "allLogs"], l.categoryGroup));
    });
}

function auditTrailRule(
    name: string,
    type: string,
    what: string,
    categories: readonly string[],
    spec: { mirrors: string[]; remediation: string },
): MlopsPolicy {
    return stackRule({
        name,
        description: `Every ${what} sends its audit logs (${categories.join(", ")} or the audit group) to a diagnostic destination.`,
        severity: "high",
        remediation: spec.remediation,
        mirrors: spec.mirrors,
        clouds: ["azure"],
        category: "security",
        enforcement: "mandatory",
        types: [type],
        validate: ({ view, report }) => {
            for (const target of view.ofType([type])) {
                const verdicts = diagnosticsOf(view, target).map((d) => sendsLogs(d, categories));
                if (verdicts.includes(true) || verdicts.includes(undefined)) continue;
                report(target, `no diagnostic setting sends its ${categories.join("/")} logs anywhere`);
            }
        },
    });
}

export const storageDiagnostics = auditTrailRule(
    "azure-storage-diagnostics",
    AZ.storageAccount,
    "storage account",
    ["StorageRead", "StorageWrite", "StorageDelete"],
    {
        mirrors: ["CKV2_AZURE_21", "CKV_AZURE_33", "CIS-AZ3 4.12", "CIS-AZ3 4.13", "CIS-AZ3 4.14", "CIS-AZ3 6.1.1"],
        remediation:
            "add a monitor.DiagnosticSetting on the account's blob service (resourceUri <account id>/blobServices/default) sending StorageRead, StorageWrite and StorageDelete to Log Analytics, as the lake account has (components/data-lake/azure.ts, components/observability/azure.ts)",
    },
);

export const vaultDiagnostics = auditTrailRule("azure-keyvault-diagnostics", AZ.vault, "Key Vault", ["AuditEvent"], {
    mirrors: ["CIS-AZ3 6.1.4", "Prowler keyvault_logging_enabled"],
    remediation: `keep the monitor.DiagnosticSetting that sends the vault's AuditEvent logs to Log Analytics (${VAULT})`,
});

export const logAnalyticsRetention = resourceRule({
    name: "azure-log-analytics-retention",
    description: "Log Analytics workspaces and Application Insights set their retention explicitly.",
    severity: "medium",
    remediation:
        "set retentionInDays on the operationalinsights.Workspace (components/observability/azure.ts; audit logs take mlops:dataLake.auditLogRetentionDays, at least 365)",
    mirrors: ["CIS-AZ3 6.1.x (runtime only)", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.logAnalytics, AZ.appInsights],
    check: (r) => {
        // Workspace-based Application Insights keeps its data in the workspace, which has the retention.
        if (r.type === AZ.appInsights && r.props.workspaceResourceId) return [];
        return typeof r.props.retentionInDays === "number" && r.props.retentionInDays > 0 ? [] : ["retentionInDays is not set"];
    },
});

/** Private endpoints that connect to `target` (by property dependency, or by its ID written literally). */
function privateEndpointsOf(view: StackView, target: PolicyResource): PolicyResource[] {
    const id = peek(target.props, "id");
    return view.ofType([AZ.privateEndpoint]).filter((pe) => {
        if (view.sources(pe, "privateLinkServiceConnections", [target.type]).some((d) => d.urn === target.urn)) return true;
        return (
            typeof id === "string" &&
            list(peek(pe.props, "privateLinkServiceConnections")).some((c) => at(c, "privateLinkServiceId") === id)
        );
    });
}

export const privateEndpoints = stackRule({
    name: "azure-private-endpoints",
    description:
        "Production Azure ML workspaces and Key Vaults have a private endpoint (their public access is off, so the network reaches them only this way).",
    severity: "medium",
    remediation:
        "keep mlops:mlPlatform.azure.privateNetwork on in prod; the stack then gives the workspace, its vault and the lake's vault private endpoints (components/network/azure.ts, components/ml-platform/azure.ts, components/data-lake/azure.ts)",
    mirrors: ["CKV2_AZURE_32", "CKV2_AZURE_48 (workspace private link)", CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "prod",
    types: [AZ.mlWorkspace, AZ.vault],
    validate: ({ view, inScope, report }) => {
        for (const target of view.ofType([AZ.mlWorkspace, AZ.vault]).filter(inScope)) {
            if (privateEndpointsOf(view, target).length === 0) report(target, "has no private endpoint");
        }
    },
});

/** Receiver lists of an action group; any entry in one of them is somebody who hears the alert. */
const RECEIVERS = [
    "emailReceivers",
    "webhookReceivers",
    "smsReceivers",
    "voiceReceivers",
    "azureAppPushReceivers",
    "armRoleReceivers",
    "logicAppReceivers",
    "azureFunctionReceivers",
    "eventHubReceivers",
    "itsmReceivers",
    "automationRunbookReceivers",
    "incidentReceivers",
];

export const alertsNotify = stackRule({
    name: "azure-alerts-notify",
    description: "Production metric alerts notify an action group that has at least one receiver (email, webhook, ...).",
    severity: "high",
    remediation:
        "set mlops:notifications (emails and/or webhooks); the Azure stack creates one action group with them and every alert uses it (components/observability/azure.ts)",
    mirrors: ["Azure WAF OE: alert routing", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.metricAlert],
    validate: ({ view, inScope, report }) => {
        const groups = view.ofType([AZ.actionGroup]);
        for (const alert of view.ofType([AZ.metricAlert]).filter(inScope)) {
            const verdict = whenKnown(() => {
                const ids = list(alert.props.actions).map((a) => at(a, "actionGroupId"));
                const linked = new Set(view.sources(alert, "actions", [AZ.actionGroup]).map((g) => g.urn));
                const targets = groups.filter((g) => linked.has(g.urn) || ids.includes(peek(g.props, "id")));
                if (ids.length === 0) return "notifies no action group";
                // A group outside the stack cannot be judged here: trust it.
                if (targets.length === 0) return undefined;
                return targets.some((g) => g.props.enabled !== false && RECEIVERS.some((k) => list(g.props[k]).length > 0))
                    ? undefined
                    : "notifies only action groups without receivers";
            });
            if (verdict) report(alert, verdict);
        }
    },
});

export const azurePlatformRules: readonly MlopsPolicy[] = [
    vaultRecoverable,
    vaultAccess,
    registryNoSharedAccess,
    registryPrivate,
    registryRetention,
    mlWorkspacePrivate,
    mlComputeLocalAuth,
    mlComputeScaleToZero,
    mlOnlineInstances,
    noPrivilegedRoleAssignments,
    synapseHardening,
    storageDiagnostics,
    vaultDiagnostics,
    logAnalyticsRetention,
    privateEndpoints,
    alertsNotify,
];
