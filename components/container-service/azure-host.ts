/**
 * What the two Container Apps implementations share (the container service and serverless inference):
 * an environment on Log Analytics with the workload profiles the models need, and per model a
 * user-assigned identity, a container app (HTTPS-only ingress, probes, replica bounds, HTTP scaling) and
 * its error and latency alerts. Called from a component's constructor with the component as parent.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { AppPlan, appTemplate, dedicatedProfileTypes, fileSecrets, workloadProfiles } from "./azure-apps";
import { AzureWorkloadIdentity } from "../identity/azure";
import { cidrRange } from "../network/azure-ip-ranges";
import { azureNames } from "../naming/azure";
import { diagnosticSetting, servingAlertRules } from "../observability/azure";
import { AlertThresholds } from "../observability/azure-alerts";
import { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";
import type { AzurePlacementArgs } from "../shared/azure-placement";
import { AzureModelArtifacts, ContainerAppsAccessArgs, artifactEnv } from "./azure-args";
import { prefixCondition } from "../data-pipeline/azure-args";
import type { RoleGrant } from "../identity/azure-args";

export interface ContainerAppsHost extends Pick<
    AzurePlacementArgs,
    "resourceGroupName" | "location" | "namePrefix" | "subscriptionId" | "logAnalyticsWorkspaceId"
> {
    /** `svc` (container service) or `inf` (serverless inference): keeps the two apart in one resource group. */
    readonly role: string;
    /** Registry the apps may pull from with their identity (AcrPull on it). */
    readonly registry?: { readonly id: pulumi.Input<string>; readonly loginServer: pulumi.Input<string> };
    /** Apps reachable from outside their environment (the internet, or only the network when `network.internal`). */
    readonly external: boolean;
    readonly allowedIpRanges: readonly string[];
    /** Put the environment in this subnet; `internal` gives it a private load balancer only. @default - no network (public environment) */
    readonly network?: ContainerAppsNetwork;
    /** Require an Entra ID token on every request (Container Apps built-in authentication). @default - none */
    readonly auth?: ContainerAppsAuth;
    /** Action group the alerts notify. @default - none */
    readonly actionGroupId?: pulumi.Input<string>;
    readonly models: readonly ModelServingSpec[];
    readonly plans: readonly AppPlan[];
    readonly thresholds: AlertThresholds;
    readonly tags: Readonly<Record<string, string>>;
    /** Served versions and input capture in the lake's models zone. @default - none */
    readonly modelArtifacts?: AzureModelArtifacts;
}

/** A model's lake grants: read under `<model>/` when it serves a version, write under `<model>/_capture/` when captured. */
export function artifactGrants(a: AzureModelArtifacts | undefined, model: string): RoleGrant[] {
    const m = a?.models[model];
    if (!a || !m) return [];
    return [
        ...(m.servedVersion !== undefined
            ? [
                  {
                      label: "read-model",
                      scope: a.containerId,
                      role: "Storage Blob Data Reader",
                      condition: prefixCondition(`${model}/`, false),
                  },
              ]
            : []),
        ...(m.capture
            ? [
                  {
                      label: "write-capture",
                      scope: a.containerId,
                      role: "Storage Blob Data Contributor",
                      condition: prefixCondition(`${model}/_capture/`, true),
                  },
              ]
            : []),
    ];
}

export interface ContainerAppsNetwork {
    /** ARM ID of a subnet of its own, delegated to Microsoft.App/environments. */
    readonly infrastructureSubnetId: pulumi.Input<string>;
    /** ARM ID of the virtual network, which the environment's private DNS zone is linked to. */
    readonly virtualNetworkId: pulumi.Input<string>;
    /** No public IP: the environment answers on a private IP in the subnet only. */
    readonly internal: boolean;
}

export interface ContainerAppsAuth {
    /** Application (client) ID of the Entra ID app registration callers get tokens for. */
    readonly clientId: pulumi.Input<string>;
    /** Entra tenant that issues the tokens. */
    readonly tenantId: pulumi.Input<string>;
}

/** The host's network and auth settings from the access args. */
export function hostAccess(a: ContainerAppsAccessArgs): Pick<ContainerAppsHost, "network" | "auth" | "actionGroupId" | "modelArtifacts"> {
    return {
        network:
            a.infrastructureSubnetId !== undefined && a.virtualNetworkId !== undefined
                ? {
                      infrastructureSubnetId: a.infrastructureSubnetId,
                      virtualNetworkId: a.virtualNetworkId,
                      internal: !(a.publicIngress ?? false),
                  }
                : undefined,
        auth: a.authClientId !== undefined && a.tenantId !== undefined ? { clientId: a.authClientId, tenantId: a.tenantId } : undefined,
        actionGroupId: a.actionGroupId,
        modelArtifacts: a.modelArtifacts,
    };
}

/** Creates the environment and the apps; returns model name -> `https://<fqdn>`. */
export function deployContainerApps(
    parent: pulumi.ComponentResource,
    name: string,
    h: ContainerAppsHost,
): { endpoints: pulumi.Output<Record<string, string>>; environmentId: pulumi.Output<string> } {
    const dedicated = dedicatedProfileTypes(h.plans);
    const environment = new app.ManagedEnvironment(
        `${name}-environment`,
        {
            // Dedicated GPU profiles can only be added when an environment is created: a new set makes a new name.
            // Joining a network also needs a new environment: `-vnet` keeps the old one until the new one is up.
            environmentName: azureNames.containerAppEnvironment(
                h.namePrefix,
                [h.role, ...(dedicated.length > 0 ? [shortHash(dedicated.join(","), 4)] : []), ...(h.network ? ["vnet"] : [])].join("-"),
            ),
            resourceGroupName: h.resourceGroupName,
            location: h.location,
            // Logs go to Azure Monitor and from there (diagnostic setting) to Log Analytics: no shared key in state.
            appLogsConfiguration: { destination: "azure-monitor" },
            workloadProfiles: workloadProfiles(h.models, h.plans),
            peerTrafficConfiguration: { encryption: { enabled: true } },
            vnetConfiguration: h.network
                ? { infrastructureSubnetId: h.network.infrastructureSubnetId, internal: h.network.internal }
                : undefined,
            publicNetworkAccess: h.network?.internal ? "Disabled" : "Enabled",
            tags: { ...h.tags },
        },
        { parent },
    );
    diagnosticSetting(
        `${name}-environment-diagnostics`,
        { resourceUri: environment.id, workspaceId: h.logAnalyticsWorkspaceId },
        { parent },
    );
    if (h.network?.internal) internalDns(parent, name, environment, h);

    const restrictions =
        h.allowedIpRanges.length > 0
            ? h.allowedIpRanges.map((r, i) => ({
                  name: `allow-${i}`,
                  ipAddressRange: cidrRange(r),
                  action: "Allow",
                  description: "mlops allow-list",
              }))
            : undefined;
    const apps = h.models.map((m, i) => {
        const identity = new AzureWorkloadIdentity(
            `${name}-${m.name}-identity`,
            {
                resourceGroupName: h.resourceGroupName,
                location: h.location,
                identityName: azureNames.identity(h.namePrefix, `${h.role}-${m.name}`),
                subscriptionId: h.subscriptionId,
                grants: [
                    ...(h.registry ? [{ label: "registry", scope: h.registry.id, role: "AcrPull" }] : []),
                    ...artifactGrants(h.modelArtifacts, m.name),
                ],
                tags: h.tags,
            },
            { parent },
        );
        // Images from the registry are pulled as the app's identity; public images need no credentials.
        const registries = h.registry
            ? pulumi
                  .all([h.registry.loginServer, identity.identityId])
                  .apply(([server, id]) => (m.image.startsWith(`${server}/`) ? [{ server, identity: id }] : []))
            : undefined;
        const containerApp = new app.ContainerApp(
            `${name}-${m.name}`,
            {
                containerAppName: azureNames.containerApp(h.role, m.name),
                resourceGroupName: h.resourceGroupName,
                location: h.location,
                environmentId: environment.id,
                workloadProfileName: h.plans[i].profileName,
                identity: { type: "UserAssigned", userAssignedIdentities: [identity.identityId] },
                configuration: {
                    activeRevisionsMode: "Single",
                    maxInactiveRevisions: 5,
                    ingress: {
                        external: h.external,
                        targetPort: m.port,
                        transport: "auto",
                        allowInsecure: false,
                        ipSecurityRestrictions: restrictions,
                    },
                    registries,
                    // Model files are configuration, not credentials; Container Apps mounts files only from secrets
                    // (or Azure Files, which needs the storage keys this platform turns off).
                    secrets: fileSecrets(m),
                },
                template: h.modelArtifacts?.models[m.name]
                    ? pulumi.all([h.modelArtifacts.accountName, identity.clientId]).apply(([account, clientId]) =>
                          appTemplate(
                              {
                                  ...m,
                                  env: { ...m.env, ...artifactEnv(h.modelArtifacts!, account, m.name), AZURE_CLIENT_ID: clientId },
                              },
                              h.plans[i],
                          ),
                      )
                    : appTemplate(m, h.plans[i]),
                tags: { ...h.tags },
            },
            // A new environment means a new app of the same name: the old one must go first.
            { parent, dependsOn: identity.assignments, deleteBeforeReplace: true },
        );
        if (h.auth) authConfig(parent, `${name}-${m.name}-auth`, containerApp, h.auth, h.resourceGroupName);
        servingAlertRules(
            `${name}-${m.name}-alert`,
            {
                resourceGroupName: h.resourceGroupName,
                scope: containerApp.id,
                target: "containerApp",
                subject: `model ${m.name} (${h.role})`,
                thresholds: h.thresholds,
                actionGroupId: h.actionGroupId,
                tags: h.tags,
            },
            { parent },
        );
        return containerApp;
    });

    const endpoints = pulumi
        .all(apps.map((a) => a.configuration.apply((c) => c?.ingress?.fqdn ?? "")))
        .apply((fqdns) => Object.fromEntries(h.models.map((m, i) => [m.name, `https://${fqdns[i]}`])));
    return { endpoints, environmentId: environment.id };
}

/**
 * An internal environment's apps are named `<app>.<default domain>` and answer on the environment's private
 * IP: a private zone for that domain with a wildcard record makes the names resolve inside the network.
 */
function internalDns(parent: pulumi.ComponentResource, name: string, environment: app.ManagedEnvironment, h: ContainerAppsHost): void {
    const zone = new privatedns.PrivateZone(
        `${name}-environment-dns`,
        { privateZoneName: environment.defaultDomain, resourceGroupName: h.resourceGroupName, location: "global", tags: { ...h.tags } },
        { parent },
    );
    new privatedns.PrivateRecordSet(
        `${name}-environment-dns-wildcard`,
        {
            privateZoneName: zone.name,
            resourceGroupName: h.resourceGroupName,
            recordType: "A",
            relativeRecordSetName: "*",
            ttl: 300,
            aRecords: [{ ipv4Address: environment.staticIp }],
        },
        { parent },
    );
    new privatedns.VirtualNetworkLink(
        `${name}-environment-dns-link`,
        {
            privateZoneName: zone.name,
            resourceGroupName: h.resourceGroupName,
            virtualNetworkLinkName: "environment",
            location: "global",
            virtualNetwork: { id: h.network!.virtualNetworkId },
            registrationEnabled: false,
            tags: { ...h.tags },
        },
        { parent },
    );
}

/**
 * Built-in authentication with Entra ID: a request without a valid token for the app registration gets
 * 401 before it reaches the model. Health probes go to the container directly and are not affected.
 */
function authConfig(
    parent: pulumi.ComponentResource,
    resourceName: string,
    containerApp: app.ContainerApp,
    auth: ContainerAppsAuth,
    resourceGroupName: pulumi.Input<string>,
): app.ContainerAppsAuthConfig {
    return new app.ContainerAppsAuthConfig(
        resourceName,
        {
            // The only name Container Apps accepts for an app's auth settings.
            authConfigName: "current",
            containerAppName: containerApp.name,
            resourceGroupName,
            platform: { enabled: true },
            globalValidation: { unauthenticatedClientAction: "Return401" },
            identityProviders: {
                azureActiveDirectory: {
                    enabled: true,
                    registration: {
                        clientId: auth.clientId,
                        openIdIssuer: pulumi.interpolate`https://login.microsoftonline.com/${auth.tenantId}/v2.0`,
                    },
                    validation: { allowedAudiences: [pulumi.interpolate`api://${auth.clientId}`, auth.clientId] },
                },
            },
        },
        { parent },
    );
}
