/**
 * Arguments of the three Azure serverless inference components (Container Apps, Functions, Azure ML
 * endpoints), their validators, and the settings config parsing needs too. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ServerlessInferenceArgs } from "./contract";
import { resolveAccelerator } from "../accelerators/resolve";
import { ContainerAppsAccessArgs, validateContainerAppsAccess } from "../container-service/azure-args";
import { validateAlertThresholds, validateAppPlans, validateServingModels } from "../container-service/azure-apps";
import { DEFAULT_CPU_VM_SIZE, VM_SIZE } from "../ml-platform/azure-args";
import { validateIpRanges } from "../network/azure-ip-ranges";
import type {
    AzureLocationArgs,
    AzureLogAnalyticsArgs,
    AzureNamePrefixArgs,
    AzureNameSuffixArgs,
    AzurePlacementArgs,
    AzureResourceGroupArgs,
    AzureSubscriptionArgs,
} from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

/** Memory per Flex Consumption instance, in MB (CPU scales with it). */
export const FLEX_INSTANCE_MEMORY_MB = [512, 2048, 4096] as const;
/** Python versions Flex Consumption runs. */
export const FLEX_PYTHON_VERSIONS = ["3.10", "3.11", "3.12"] as const;
/** The blob container a function app's deployment packages go to. */
export const PACKAGE_CONTAINER = "app-package";
/** Config value -> Azure ML endpoint auth mode. */
export const ENDPOINT_AUTH_MODES = { key: "Key", aadToken: "AADToken" } as const;
/** Scoring route of a model on an Azure ML endpoint when the model does not name one. */
export const DEFAULT_SCORING_PATH = "/predict";

export interface AzureContainerAppsInferenceArgs
    extends
        ServerlessInferenceArgs,
        ContainerAppsAccessArgs,
        AzureResourceGroupArgs,
        AzureLocationArgs,
        AzureNamePrefixArgs,
        AzureSubscriptionArgs,
        AzureLogAnalyticsArgs {
    /** ARM ID of a registry the apps may pull from with their identity (AcrPull). Default: public images only. */
    readonly registryId?: pulumi.Input<string>;
    /** That registry's login server (`<name>.azurecr.io`); given together with `registryId`. Default: none. */
    readonly registryLoginServer?: pulumi.Input<string>;
    /** Apps reachable from outside their environment (the internet, or the virtual network when internal; HTTPS only). Default: true. */
    readonly externalIngress?: boolean;
    /** Public IPv4 addresses or CIDR blocks allowed to call the models. Default: [] - no IP restriction. */
    readonly allowedIpRanges?: string[];
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. Default: 5. */
    readonly alertServerErrors?: number;
    /** Average response time in ms that fires a model's latency alert. Default: 2000. */
    readonly alertLatencyMs?: number;
}

/** Every problem with the Container Apps implementation's arguments (paths relative to the args). */
export function validateAzureContainerAppsInference(args: AzureContainerAppsInferenceArgs): ProblemDetail[] {
    const problems = [
        ...validateServingModels(args.models),
        ...validateAppPlans(args.models ?? []),
        ...validateIpRanges(args.allowedIpRanges ?? [], "allowedIpRanges"),
        ...validateAlertThresholds(args),
        ...validateContainerAppsAccess(args),
    ];
    if ((args.registryId === undefined) !== (args.registryLoginServer === undefined)) {
        problems.push({
            path: "registryId",
            value: args.registryId === undefined ? undefined : "[set]",
            message: "and registryLoginServer must be given together",
        });
    }
    return problems;
}

export interface AzureFunctionsInferenceArgs extends ServerlessInferenceArgs, AzurePlacementArgs {
    /** Memory per instance in MB: 512, 2048 or 4096 (billed per GB-second while running). Default: 2048. */
    readonly instanceMemoryMB?: number;
    /** Python version of the function apps. Default: "3.12". */
    readonly pythonVersion?: string;
    /** Public IPv4 addresses or CIDR blocks allowed to call the apps. Default: [] - no IP restriction. */
    readonly allowedIpRanges?: string[];
    /**
     * Subnet (delegated to Microsoft.App/environments) the apps send their outbound traffic through, so they
     * reach private endpoints in the network. Inbound stays on the public endpoint, guarded by function keys.
     * Default: no virtual network integration.
     */
    readonly virtualNetworkSubnetId?: pulumi.Input<string>;
    /** Action group the alerts notify. Default: none. */
    readonly actionGroupId?: pulumi.Input<string>;
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. Default: 5. */
    readonly alertServerErrors?: number;
    /** Average response time in ms that fires a model's latency alert. Default: 2000. */
    readonly alertLatencyMs?: number;
}

/** Every problem with the Functions implementation's arguments (paths relative to the args). */
export function validateAzureFunctionsInference(args: AzureFunctionsInferenceArgs): ProblemDetail[] {
    const memory = args.instanceMemoryMB ?? 2048;
    const python = args.pythonVersion ?? "3.12";
    const problems = validateServingModels(args.models);
    (args.models ?? []).forEach((m, i) => {
        try {
            resolveAccelerator({ cloud: "azure", service: "functions", accelerator: m.accelerator });
        } catch (e) {
            problems.push({ path: `models[${i}].accelerator`, value: m.accelerator, message: (e as Error).message });
        }
    });
    if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(memory))
        problems.push({
            path: "instanceMemoryMB",
            value: memory,
            message: "is not a Flex Consumption instance size",
            allowed: FLEX_INSTANCE_MEMORY_MB,
        });
    if (!(FLEX_PYTHON_VERSIONS as readonly string[]).includes(python))
        problems.push({
            path: "pythonVersion",
            value: python,
            message: "is not a Python version Flex Consumption runs",
            allowed: FLEX_PYTHON_VERSIONS,
        });
    problems.push(...validateIpRanges(args.allowedIpRanges ?? [], "allowedIpRanges"));
    problems.push(...validateAlertThresholds(args));
    return problems;
}

export interface AzureMlEndpointInferenceArgs
    extends
        ServerlessInferenceArgs,
        AzureResourceGroupArgs,
        AzureLocationArgs,
        AzureNamePrefixArgs,
        AzureNameSuffixArgs,
        AzureLogAnalyticsArgs {
    /** The Azure ML workspace the endpoints live in. */
    readonly workspaceName: pulumi.Input<string>;
    /** `key` (endpoint keys) or `aadToken` (Entra ID tokens). Default: "key". */
    readonly authMode?: string;
    /** VM size of CPU-only models. Instances bill per hour; endpoints cannot scale to zero. Default: "Standard_DS3_v2". */
    readonly cpuInstanceType?: string;
    /** Fewest instances per deployment; 2 or more keeps serving through an instance failure. Default: 1. */
    readonly minInstances?: number;
    /**
     * Endpoints reachable from public networks (key or token auth still required). Off, callers come
     * through the workspace's private endpoint. Default: true.
     */
    readonly publicNetworkAccess?: boolean;
    /** Action group the alerts notify. Default: none. */
    readonly actionGroupId?: pulumi.Input<string>;
    /** Model name -> scoring path inside the container. Default: "/predict" for every model. */
    readonly scoringPaths?: Readonly<Record<string, string>>;
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. Default: 5. */
    readonly alertServerErrors?: number;
    /** P99 latency in ms that fires a model's latency alert. Default: 2000. */
    readonly alertLatencyMs?: number;
}

/** Every problem with the endpoint implementation's arguments (paths relative to the args). */
export function validateAzureMlEndpointInference(args: AzureMlEndpointInferenceArgs): ProblemDetail[] {
    return endpointPlan(args).problems;
}

/** Each model's instance type (call after `validateAzureMlEndpointInference`). */
export function endpointInstanceTypes(args: AzureMlEndpointInferenceArgs): string[] {
    return endpointPlan(args).instanceTypes;
}

/** Validates the arguments and resolves each model's instance type from the catalog (`azureml-endpoint`). */
function endpointPlan(args: AzureMlEndpointInferenceArgs): { problems: ProblemDetail[]; instanceTypes: string[] } {
    const cpuType = args.cpuInstanceType ?? DEFAULT_CPU_VM_SIZE;
    const problems = validateServingModels(args.models);
    if (!Object.keys(ENDPOINT_AUTH_MODES).includes(args.authMode ?? "key"))
        problems.push({
            path: "authMode",
            value: args.authMode,
            message: "is not an endpoint auth mode",
            allowed: Object.keys(ENDPOINT_AUTH_MODES),
        });
    if (!VM_SIZE.test(cpuType))
        problems.push({
            path: "cpuInstanceType",
            value: cpuType,
            message: "is not an Azure VM size",
            fix: `write e.g. ${DEFAULT_CPU_VM_SIZE}`,
        });
    const floor = args.minInstances ?? 1;
    if (!Number.isInteger(floor) || floor < 1)
        problems.push({
            path: "minInstances",
            value: floor,
            message: "must be a whole number of at least 1 (managed endpoints cannot scale to zero)",
        });
    problems.push(...validateAlertThresholds(args));
    const instanceTypes = (args.models ?? []).map((m, i) => {
        for (const field of ["files", "command", "args"] as const) {
            if (m[field] !== undefined)
                problems.push({
                    path: `models[${i}].${field}`,
                    value: field === "files" ? Object.keys(m.files ?? {}) : m[field],
                    message: "cannot be applied: Azure ML managed deployments run the image's own entrypoint",
                    fix: "build an image that serves the model (push it to the registry), or serve this model with container-apps",
                });
        }
        const path = args.scoringPaths?.[m.name] ?? DEFAULT_SCORING_PATH;
        if (!path.startsWith("/"))
            problems.push({ path: `scoringPaths.${m.name}`, value: path, message: "is not an HTTP path", fix: "start it with '/'" });
        try {
            return resolveAccelerator({ cloud: "azure", service: "azureml-endpoint", accelerator: m.accelerator })?.vmSize ?? cpuType;
        } catch (e) {
            problems.push({ path: `models[${i}].accelerator`, value: m.accelerator, message: (e as Error).message });
            return cpuType;
        }
    });
    return { problems, instanceTypes };
}
