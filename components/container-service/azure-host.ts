/**
 * What the two Container Apps implementations share (the container service and serverless inference):
 * an environment on Log Analytics with the workload profiles the models need, and per model a
 * user-assigned identity, a container app (HTTPS-only ingress, probes, replica bounds, HTTP scaling) and
 * its error and latency alerts. Called from a component's constructor with the component as parent.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import { AppPlan, appTemplate, dedicatedProfileTypes, fileSecrets, workloadProfiles } from "./azure-apps";
import { AzureWorkloadIdentity } from "../identity/azure";
import { cidrRange } from "../network/azure";
import { azureNames } from "../naming/azure";
import { diagnosticSetting, servingAlertRules } from "../observability/azure";
import { AlertThresholds } from "../observability/azure-alerts";
import { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";

export interface ContainerAppsHost {
    /** `svc` (container service) or `inf` (serverless inference): keeps the two apart in one resource group. */
    readonly role: string;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly namePrefix: string;
    readonly subscriptionId: pulumi.Input<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** Registry the apps may pull from with their identity (AcrPull on it). */
    readonly registry?: { readonly id: pulumi.Input<string>; readonly loginServer: pulumi.Input<string> };
    readonly external: boolean;
    readonly allowedIpRanges: readonly string[];
    readonly models: readonly ModelServingSpec[];
    readonly plans: readonly AppPlan[];
    readonly thresholds: AlertThresholds;
    readonly tags: Readonly<Record<string, string>>;
}

/** Creates the environment and the apps; returns model name -> `https://<fqdn>`. */
export function deployContainerApps(parent: pulumi.ComponentResource, name: string, h: ContainerAppsHost): { endpoints: pulumi.Output<Record<string, string>>; environmentId: pulumi.Output<string> } {
    const dedicated = dedicatedProfileTypes(h.plans);
    const environment = new app.ManagedEnvironment(
        `${name}-environment`,
        {
            // Dedicated GPU profiles can only be added when an environment is created: a new set makes a new name.
            environmentName: azureNames.containerAppEnvironment(h.namePrefix, dedicated.length > 0 ? `${h.role}-${shortHash(dedicated.join(","), 4)}` : h.role),
            resourceGroupName: h.resourceGroupName,
            location: h.location,
            // Logs go to Azure Monitor and from there (diagnostic setting) to Log Analytics: no shared key in state.
            appLogsConfiguration: { destination: "azure-monitor" },
            workloadProfiles: workloadProfiles(h.models, h.plans),
            peerTrafficConfiguration: { encryption: { enabled: true } },
            publicNetworkAccess: "Enabled",
            tags: { ...h.tags },
        },
        { parent },
    );
    diagnosticSetting(`${name}-environment-diagnostics`, { resourceUri: environment.id, workspaceId: h.logAnalyticsWorkspaceId }, { parent });

    const restrictions = h.allowedIpRanges.length > 0 ? h.allowedIpRanges.map((r, i) => ({ name: `allow-${i}`, ipAddressRange: cidrRange(r), action: "Allow", description: "mlops allow-list" })) : undefined;
    const apps = h.models.map((m, i) => {
        const identity = new AzureWorkloadIdentity(
            `${name}-${m.name}-identity`,
            {
                resourceGroupName: h.resourceGroupName,
                location: h.location,
                identityName: azureNames.identity(h.namePrefix, `${h.role}-${m.name}`),
                subscriptionId: h.subscriptionId,
                grants: h.registry ? [{ label: "registry", scope: h.registry.id, role: "AcrPull" }] : [],
                tags: h.tags,
            },
            { parent },
        );
        // Images from the registry are pulled as the app's identity; public images need no credentials.
        const registries = h.registry
            ? pulumi.all([h.registry.loginServer, identity.identityId]).apply(([server, id]) => (m.image.startsWith(`${server}/`) ? [{ server, identity: id }] : []))
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
                    ingress: { external: h.external, targetPort: m.port, transport: "auto", allowInsecure: false, ipSecurityRestrictions: restrictions },
                    registries,
                    // Model files are configuration, not credentials; Container Apps mounts files only from secrets
                    // (or Azure Files, which needs the storage keys this platform turns off).
                    secrets: fileSecrets(m),
                },
                template: appTemplate(m, h.plans[i]),
                tags: { ...h.tags },
            },
            // A new environment means a new app of the same name: the old one must go first.
            { parent, dependsOn: identity.assignments, deleteBeforeReplace: true },
        );
        servingAlertRules(`${name}-${m.name}-alert`, { resourceGroupName: h.resourceGroupName, scope: containerApp.id, target: "containerApp", subject: `model ${m.name} (${h.role})`, thresholds: h.thresholds, tags: h.tags }, { parent });
        return containerApp;
    });

    const endpoints = pulumi
        .all(apps.map((a) => a.configuration.apply((c) => c?.ingress?.fqdn ?? "")))
        .apply((fqdns) => Object.fromEntries(h.models.map((m, i) => [m.name, `https://${fqdns[i]}`])));
    return { endpoints, environmentId: environment.id };
}
