/** Container Apps and their environment (no public rule set covers them), and Functions / App Service apps. */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { list } from "../lib/read";
import { AZ } from "./types";

const APPS = "components/container-service/azure-host.ts";
const FUNCTIONS = "components/serverless-inference/azure-functions.ts";

export const appHttpsOnly = resourceRule({
    name: "azure-container-app-https-only",
    description: "Container App ingress refuses plain HTTP (allowInsecure false).",
    severity: "high",
    remediation: `leave configuration.ingress.allowInsecure false on the Container App (${APPS})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.containerApp],
    check: (r) => (r.props.configuration?.ingress?.allowInsecure === true ? ["configuration.ingress.allowInsecure is true"] : []),
});

export const appInternalIngress = resourceRule({
    name: "azure-container-app-internal-ingress",
    description: "Container Apps take traffic from inside their environment only (ingress.external false).",
    severity: "medium",
    remediation: `set mlops:containerService.azure.externalIngress and mlops:serverlessInference.azure.externalIngress false, or restrict callers with allowedIpRanges (${APPS})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.containerApp],
    check: (r) => (r.props.configuration?.ingress?.external === true ? ["configuration.ingress.external is true (reachable from the internet)"] : []),
});

export const appManagedIdentity = resourceRule({
    name: "azure-container-app-managed-identity",
    description: "Container Apps run with a managed identity and pull images with it, never with a registry password.",
    severity: "high",
    remediation: `give the app a user-assigned identity and set configuration.registries[].identity to it (${APPS})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.containerApp],
    check: (r) => [
        ...(String(r.props.identity?.type ?? "None").includes("Assigned") ? [] : ["the app has no managed identity"]),
        ...list(r.props.configuration?.registries)
            .filter((g) => g?.passwordSecretRef)
            .map((g) => `pulls from ${g.server ?? "a registry"} with a password`),
    ],
});

export const appScaling = resourceRule({
    name: "azure-container-app-bounded-scale",
    description: "Container Apps cap their scale-out (template.scale.maxReplicas).",
    severity: "medium",
    remediation: `set mlops:models[].maxReplicas (or serverlessMaxReplicas); the implementation writes template.scale.maxReplicas (${APPS})`,
    mirrors: ["APRL Container Apps", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.containerApp],
    check: (r) => (r.props.template?.scale?.maxReplicas ? [] : ["template.scale.maxReplicas is not set"]),
});

export const appProbes = resourceRule({
    name: "azure-container-app-probes",
    description: "Container App containers have liveness and readiness probes.",
    severity: "medium",
    remediation: `keep the Liveness and Readiness probes on mlops:models[].healthPath (${APPS})`,
    mirrors: ["learn.microsoft.com container-apps health-probes", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.containerApp],
    check: (r) =>
        list(r.props.template?.containers).flatMap((c, i) => {
            const types = list(c?.probes).map((p) => p?.type);
            return ["Liveness", "Readiness"].filter((t) => !types.includes(t)).map((t) => `container ${c?.name ?? i} has no ${t} probe`);
        }),
});

export const environmentZoneRedundant = resourceRule({
    name: "azure-container-apps-zone-redundant",
    description: "Container Apps environments are zone-redundant (replicas spread across availability zones).",
    severity: "low",
    remediation: `set zoneRedundant: true on the managed environment (needs a VNet; ${APPS})`,
    mirrors: ["APRL Microsoft.App/managedEnvironments"],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "advisory",
    types: [AZ.managedEnvironment],
    check: (r) => (r.props.zoneRedundant === true ? [] : ["zoneRedundant is not true"]),
});

export const webAppTransport = resourceRule({
    name: "azure-app-service-secure-transport",
    description: "Function and App Service apps accept HTTPS only, with TLS 1.2 or later, and no remote debugging.",
    severity: "high",
    remediation: `set httpsOnly: true, siteConfig.minTlsVersion: "1.2" and leave remoteDebuggingEnabled off (${FUNCTIONS})`,
    mirrors: ["CKV_AZURE_70", "CKV_AZURE_145", "CKV_AZURE_72", "AVD-AZU-0004", "AVD-AZU-0006", "CIS-AZ3 9.1", "CIS-AZ3 9.4"],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.webApp],
    check: (r) => [
        ...(r.props.httpsOnly === true ? [] : ["httpsOnly is not true"]),
        ...(["1.2", "1.3"].includes(r.props.siteConfig?.minTlsVersion) ? [] : [`siteConfig.minTlsVersion is ${r.props.siteConfig?.minTlsVersion ?? "unset"}, not 1.2`]),
        ...(r.props.siteConfig?.remoteDebuggingEnabled === true ? ["siteConfig.remoteDebuggingEnabled is true"] : []),
    ],
});

export const webAppPrivate = resourceRule({
    name: "azure-app-service-private",
    description: "Function and App Service apps disable public network access.",
    severity: "low",
    remediation: `set publicNetworkAccess: Disabled and reach the app through a private endpoint (${FUNCTIONS})`,
    mirrors: ["CKV_AZURE_221"],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.webApp],
    check: (r) => (r.props.publicNetworkAccess === "Disabled" ? [] : [`publicNetworkAccess is ${r.props.publicNetworkAccess ?? "Enabled (default)"}`]),
});

export const azureServingRules: readonly MlopsPolicy[] = [appHttpsOnly, appInternalIngress, appManagedIdentity, appScaling, appProbes, environmentZoneRedundant, webAppTransport, webAppPrivate];
