/**
 * Container service on Azure (`container-apps`): a container registry (admin user and anonymous pull off,
 * untagged-manifest retention on Premium) and a Container Apps environment with one app per model. Each
 * app runs as its own managed identity (AcrPull on the registry only), serves HTTPS only, keeps
 * `minReplicas` warm and scales on concurrent requests up to `maxReplicas`, has liveness, readiness and
 * startup probes, and alerts on 5xx errors and latency. GPU models run on the catalog's workload profile.
 */
import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import { ContainerService } from "./contract";
import { AzureContainerAppsArgs, validateAzureContainerApps } from "./azure-args";
import { planApps } from "./azure-apps";
import { deployContainerApps, hostAccess } from "./azure-host";
import { registryArgs } from "./azure-registry";
import { PRIVATE_DNS_ZONES } from "../network/azure-layout";
import { privateEndpoint, zonesOf } from "../network/azure-private-endpoint";
import { azureNames } from "../naming/azure";
import { diagnosticSetting } from "../observability/azure";
import { throwIfProblems } from "../shared/problems";

/** The container service on Azure Container Apps: a registry and an environment with one app per model, each with its own identity, HTTPS only, probes and alerts. */
export class AzureContainerApps extends pulumi.ComponentResource implements ContainerService {
    /** Model name -> `https://<app fqdn>`. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** The registry's ARM ID; undefined with `registry: false`. */
    public readonly registryId: pulumi.Output<string> | undefined;
    /** `<registry>.azurecr.io`: push images here and name them `<loginServer>/<repo>:<tag>` in `mlops:models`. Undefined with `registry: false`. */
    public readonly registryLoginServer: pulumi.Output<string> | undefined;
    /** ARM ID of the Container Apps environment. */
    public readonly environmentId: pulumi.Output<string>;

    constructor(name: string, args: AzureContainerAppsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureContainerApps "${name}"`, validateAzureContainerApps(args));
        const registrySku = args.registrySku ?? "Basic";
        const untaggedRetentionDays = args.untaggedRetentionDays ?? 7;
        const plans = planApps(args.models);
        super("mlops:index:AzureContainerApps", name, args, opts);

        const protect = args.protectData ?? true;
        const tags = { ...args.tags };
        // Billed every day it exists: only when the stack serves images from it (docs/azure.md, "Costs").
        const registry = args.registry === false ? undefined : this.registry(name, args, registrySku, untaggedRetentionDays, protect, tags);

        const host = deployContainerApps(this, name, {
            role: "svc",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            namePrefix: args.namePrefix,
            subscriptionId: args.subscriptionId,
            logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
            registry: registry ? { id: registry.id, loginServer: registry.loginServer } : undefined,
            external: args.externalIngress ?? true,
            allowedIpRanges: args.allowedIpRanges ?? [],
            models: args.models,
            plans,
            thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
            ...hostAccess(args),
            tags,
        });
        this.endpoints = host.endpoints;
        this.environmentId = host.environmentId;
        this.registryId = registry?.id;
        this.registryLoginServer = registry?.loginServer;
        this.registerOutputs({
            endpoints: this.endpoints,
            registryId: this.registryId,
            registryLoginServer: this.registryLoginServer,
            environmentId: this.environmentId,
        });
    }

    /** The registry with its diagnostics and, when asked, its private endpoint. */
    private registry(
        name: string,
        args: AzureContainerAppsArgs,
        registrySku: string,
        untaggedRetentionDays: number,
        protect: boolean,
        tags: Record<string, string>,
    ): containerregistry.Registry {
        const registry = new containerregistry.Registry(
            `${name}-registry`,
            registryArgs({
                registryName: pulumi.output(args.nameSuffix).apply((sfx) => azureNames.containerRegistry(args.namePrefix, "cs", sfx)),
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: registrySku,
                untaggedRetentionDays,
                tags,
            }),
            { parent: this, protect, retainOnDelete: protect },
        );
        diagnosticSetting(
            `${name}-registry-diagnostics`,
            { resourceUri: registry.id, workspaceId: args.logAnalyticsWorkspaceId },
            { parent: this },
        );
        const pe = args.registryPrivateEndpoint;
        if (pe) {
            privateEndpoint(
                `${name}-registry-endpoint`,
                {
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    subnetId: pe.subnetId,
                    targetName: registry.name,
                    targetId: registry.id,
                    group: "registry",
                    dnsZoneIds: zonesOf(pe, [PRIVATE_DNS_ZONES.registry]),
                    tags,
                },
                { parent: this },
            );
        }

        return registry;
    }
}
