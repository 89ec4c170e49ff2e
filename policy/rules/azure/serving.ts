/** Container Apps and their environment (no public rule set covers them), and Functions / App Service apps. */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, list, oneOf, peek, records, whenKnown } from "../lib/read";
import { StackView } from "../lib/stack-view";
import { AZ } from "./types";

const APPS = "components/container-service/azure-host.ts";
const FUNCTIONS = "components/serverless-inference/azure.ts";

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
    check: (r) => (at(r.props, "configuration.ingress.allowInsecure") === true ? ["configuration.ingress.allowInsecure is true"] : []),
});

/**
 * Whether a Container App takes traffic from the internet: external ingress in an environment that is not
 * internal (an internal environment has a private load balancer only). Undefined when unknown at preview.
 */
function internetFacing(view: StackView, app: PolicyResource): boolean | undefined {
    return whenKnown(() => {
        if (app.props.configuration?.ingress?.external !== true) return false;
        const linked = view.sources(app, "environmentId", [AZ.managedEnvironment]);
        const found =
            linked.length > 0
                ? linked
                : view
                      .ofType([AZ.managedEnvironment])
                      .filter((e) => typeof peek(e.props, "id") === "string" && peek(e.props, "id") === peek(app.props, "environmentId"));
        // An environment the stack does not hold is judged public: nothing shows it is internal.
        return !found.some((e) => e.props.vnetConfiguration?.internal === true);
    });
}

/** Whether built-in authentication turns away requests without a token for this app. */
function requiresToken(view: StackView, app: PolicyResource): boolean {
    return view.companions(app, [AZ.containerAppAuth], "containerAppName", ["containerAppName", "name"]).some((a) => {
        const action = a.props.globalValidation?.unauthenticatedClientAction;
        return (
            a.props.platform?.enabled === true &&
            (action === "Return401" || action === "Return403") &&
            a.props.identityProviders?.azureActiveDirectory?.enabled !== false &&
            !!a.props.identityProviders?.azureActiveDirectory?.registration?.clientId
        );
    });
}

export const appInternalIngress = stackRule({
    name: "azure-container-app-internal-ingress",
    description: "Container Apps are not reachable from the internet (internal ingress, or an internal environment in a virtual network).",
    severity: "medium",
    remediation: `keep mlops:mlPlatform.azure.privateNetwork on (prod default) without publicIngress, or set externalIngress false; restrict public callers with allowedIpRanges (${APPS})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.containerApp],
    validate: ({ view, report }) => {
        for (const app of view.ofType([AZ.containerApp])) {
            if (internetFacing(view, app) === true)
                report(app, "ingress is external in an environment with a public IP (reachable from the internet)");
        }
    },
});

export const appAuthenticated = stackRule({
    name: "azure-container-app-authenticated",
    description:
        "Production Container Apps reachable from the internet require an Entra ID token (built-in authentication answering 401 without one).",
    severity: "high",
    remediation: `keep prod serving private (mlops:mlPlatform.azure.privateNetwork on, no publicIngress), or set mlops:containerService.azure.authClientId (and mlops:serverlessInference.azure.authClientId) to an Entra ID app registration (${APPS})`,
    mirrors: ["CKV_AZURE_13 (App Service authentication)", CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "prod",
    types: [AZ.containerApp],
    validate: ({ view, inScope, report }) => {
        for (const app of view.ofType([AZ.containerApp]).filter(inScope)) {
            if (internetFacing(view, app) === true && !requiresToken(view, app))
                report(app, "is reachable from the internet and no authentication config requires a token");
        }
    },
});

export const environmentInNetwork = resourceRule({
    name: "azure-container-apps-in-network",
    description: "Production Container Apps environments run in a virtual network subnet (vnetConfiguration.infrastructureSubnetId).",
    severity: "medium",
    remediation: `keep mlops:mlPlatform.azure.privateNetwork on in prod; the stack then puts each environment in its own subnet (${APPS}, components/network/azure.ts)`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "prod",
    types: [AZ.managedEnvironment],
    check: (r) =>
        at(r.props, "vnetConfiguration.infrastructureSubnetId")
            ? []
            : ["vnetConfiguration.infrastructureSubnetId is not set (the environment is outside any virtual network)"],
});

const ENDPOINT = "components/serverless-inference/azure-ml-endpoint.ts";

export const mlEndpointAuthenticated = resourceRule({
    name: "azure-ml-endpoint-authenticated",
    description: "Azure ML online endpoints require a key or an Entra ID / Azure ML token (authMode Key, AADToken or AMLToken).",
    severity: "high",
    remediation: `set mlops:serverlessInference.azure.endpointAuthMode to key or aadToken (${ENDPOINT})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.mlOnlineEndpoint],
    check: (r) => {
        const mode = at(r.props, "properties.authMode");
        return oneOf(["Key", "AADToken", "AMLToken"], mode) ? [] : [`properties.authMode is ${mode ?? "unset"}`];
    },
});

export const mlEndpointPrivate = resourceRule({
    name: "azure-ml-endpoint-private",
    description: "Azure ML online endpoints disable public network access (callers come through the workspace's private endpoint).",
    severity: "low",
    remediation: `keep mlops:mlPlatform.azure.privateNetwork on and leave mlops:serverlessInference.azure.publicIngress unset (${ENDPOINT})`,
    mirrors: ["CKV_AZURE_144 (workspace equivalent)", CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "advisory",
    types: [AZ.mlOnlineEndpoint],
    check: (r) =>
        at(r.props, "properties.publicNetworkAccess") === "Disabled"
            ? []
            : [`properties.publicNetworkAccess is ${at(r.props, "properties.publicNetworkAccess") ?? "Enabled (default)"}`],
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
        ...(String(at(r.props, "identity.type") ?? "None").includes("Assigned") ? [] : ["the app has no managed identity"]),
        ...records(at(r.props, "configuration.registries"))
            .filter((g) => g.passwordSecretRef)
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
    check: (r) => (at(r.props, "template.scale.maxReplicas") ? [] : ["template.scale.maxReplicas is not set"]),
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
        records(at(r.props, "template.containers")).flatMap((c, i) => {
            const types = list(c.probes).map((p) => at(p, "type"));
            return ["Liveness", "Readiness"].filter((t) => !types.includes(t)).map((t) => `container ${c.name ?? i} has no ${t} probe`);
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
        ...(oneOf(["1.2", "1.3"], at(r.props, "siteConfig.minTlsVersion"))
            ? []
            : [`siteConfig.minTlsVersion is ${at(r.props, "siteConfig.minTlsVersion") ?? "unset"}, not 1.2`]),
        ...(at(r.props, "siteConfig.remoteDebuggingEnabled") === true ? ["siteConfig.remoteDebuggingEnabled is true"] : []),
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
    check: (r) =>
        r.props.publicNetworkAccess === "Disabled" ? [] : [`publicNetworkAccess is ${r.props.publicNetworkAccess ?? "Enabled (default)"}`],
});

export const azureServingRules: readonly MlopsPolicy[] = [
    appHttpsOnly,
    appInternalIngress,
    appAuthenticated,
    environmentInNetwork,
    mlEndpointAuthenticated,
    mlEndpointPrivate,
    appManagedIdentity,
    appScaling,
    appProbes,
    environmentZoneRedundant,
    webAppTransport,
    webAppPrivate,
];
