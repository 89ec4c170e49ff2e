/**
 * Arguments of the Azure container service component (and the access args both Container Apps components
 * take) and their validators. Pure: no SDK at runtime, so stack-config parsing runs the same checks.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerServiceArgs } from "./contract";
import { validateAlertThresholds, validateAppPlans, validateServingModels } from "./azure-apps";
import { validateRegistrySettings } from "./azure-registry";
import type { PrivateEndpointPlacement } from "../network/azure-args";
import { validateIpRanges } from "../network/azure-ip-ranges";
import type { AzurePlacementArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

/** The network and authentication args both Container Apps components take (flat, as the components expose them). */
export interface ContainerAppsAccessArgs {
    /** ARM ID of the subnet the environment joins (its own, delegated to Microsoft.App/environments). Default: no network: a public environment. */
    readonly infrastructureSubnetId?: pulumi.Input<string>;
    /** ARM ID of that subnet's virtual network (the environment's private DNS zone is linked to it); given with `infrastructureSubnetId`. */
    readonly virtualNetworkId?: pulumi.Input<string>;
    /** With a subnet: give the environment a public IP too. Without one the environment is always public. Default: false. */
    readonly publicIngress?: boolean;
    /** Entra ID app registration (client ID) whose tokens every request must carry; requests without one get 401. Default: no authentication. */
    readonly authClientId?: pulumi.Input<string>;
    /** Entra tenant of `authClientId`; given with it. */
    readonly tenantId?: pulumi.Input<string>;
    /** Action group every alert notifies (`AzureAlertRecipients`). Default: none. */
    readonly actionGroupId?: pulumi.Input<string>;
    /**
     * The lake's models zone, for models that load a served version or capture their inputs for the drift
     * monitor (docs/azure.md, "Training, promotion and drift"). Default: none: no model reads the lake.
     */
    readonly modelArtifacts?: AzureModelArtifacts;
}

/** Where served versions are read and scored inputs captured: the lake's models container. */
export interface AzureModelArtifacts {
    /** The lake account's name (`https://<account>.blob.core.windows.net/`). */
    readonly accountName: pulumi.Input<string>;
    /** The models zone's container name. */
    readonly containerName: string;
    /** ARM ID of that container: the scope of the models' read and capture grants. */
    readonly containerId: pulumi.Input<string>;
    /** Model -> the version it serves (`servedVersion`) and whether its inputs are captured (`training.drift`). */
    readonly models: Readonly<Record<string, AzureServedModel>>;
}

/** What one model takes from the models container. */
export interface AzureServedModel {
    /** The version it loads (`servedVersion`, a training run id without `v=`). Default: none: the image's own model. */
    readonly servedVersion?: string;
    /** Whether its scored inputs are captured for drift monitoring (`training.drift`). */
    readonly capture: boolean;
}

/** The env a served model gets from `modelArtifacts` (the contract: MLOPS_MODEL_VERSION, MLOPS_MODEL_URI, MLOPS_CAPTURE_URI). */
export function artifactEnv(
    a: Pick<AzureModelArtifacts, "containerName" | "models">,
    accountName: string,
    model: string,
): Record<string, string> {
    const m = a.models[model];
    if (!m) return {};
    const base = `https://${accountName}.blob.core.windows.net/${a.containerName}/${model}`;
    return {
        ...(m.servedVersion !== undefined
            ? { MLOPS_MODEL_VERSION: m.servedVersion, MLOPS_MODEL_URI: `${base}/v=${m.servedVersion}/model.json` }
            : {}),
        ...(m.capture ? { MLOPS_CAPTURE_URI: `${base}/_capture/` } : {}),
    };
}

/** Problems with the access args (pairs that must be given together). */
export function validateContainerAppsAccess(a: ContainerAppsAccessArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if ((a.infrastructureSubnetId === undefined) !== (a.virtualNetworkId === undefined))
        problems.push({
            path: "infrastructureSubnetId",
            value: a.infrastructureSubnetId === undefined ? undefined : "[set]",
            message: "and virtualNetworkId must be given together",
        });
    if (a.authClientId !== undefined && a.tenantId === undefined)
        problems.push({ path: "tenantId", value: undefined, message: "is required with authClientId (the tenant that issues the tokens)" });
    return problems;
}

export interface AzureContainerAppsArgs extends ContainerServiceArgs, AzurePlacementArgs, ContainerAppsAccessArgs {
    /**
     * Create the service's container registry (billed every day it exists: Basic about $5/month). Off, the apps
     * pull only public images (or images from a registry outside the stack, with credentials the apps do not
     * get here). Default: true.
     */
    readonly registry?: boolean;
    /** Registry SKU: Basic (about $5/month), Standard, or Premium (about $50/month, retention policy). Default: "Basic". */
    readonly registrySku?: string;
    /** Days untagged manifests are kept before the retention policy purges them (Premium only). Default: 7. */
    readonly untaggedRetentionDays?: number;
    /**
     * Apps reachable from outside their environment (HTTPS only): from the internet in a public environment,
     * from the virtual network in an internal one. False keeps the models inside the environment. Default: true.
     */
    readonly externalIngress?: boolean;
    /** A private endpoint for the registry (Premium only) in this subnet and zone. Default: none. */
    readonly registryPrivateEndpoint?: PrivateEndpointPlacement;
    /** Public IPv4 addresses or CIDR blocks allowed to call the models. Default: [] - no IP restriction. */
    readonly allowedIpRanges?: string[];
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. Default: 5. */
    readonly alertServerErrors?: number;
    /** Average response time in ms that fires a model's latency alert. Default: 2000. */
    readonly alertLatencyMs?: number;
}

/** Every problem with the container service's arguments (paths relative to the args). */
export function validateAzureContainerApps(args: AzureContainerAppsArgs): ProblemDetail[] {
    const registrySku = args.registrySku ?? "Basic";
    const problems = [
        ...validateServingModels(args.models),
        ...validateAppPlans(args.models ?? []),
        ...validateRegistrySettings({ sku: registrySku, untaggedRetentionDays: args.untaggedRetentionDays ?? 7 }),
        ...validateIpRanges(args.allowedIpRanges ?? [], "allowedIpRanges"),
        ...validateAlertThresholds(args),
        ...validateContainerAppsAccess(args),
    ];
    if (args.registryPrivateEndpoint && args.registry === false)
        problems.push({
            path: "registry",
            value: false,
            message: "is off, but registryPrivateEndpoint asks for a private endpoint to the registry",
            fix: "turn the registry on, or leave registryPrivateEndpoint out",
        });
    if (args.registryPrivateEndpoint && registrySku !== "Premium")
        problems.push({
            path: "registrySku",
            value: registrySku,
            message: "has no private endpoints; registryPrivateEndpoint needs Premium",
            allowed: ["Premium"],
        });
    return problems;
}
