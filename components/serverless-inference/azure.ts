/**
 * Serverless inference on Azure, three implementations:
 * - `container-apps` (here): one app per model in its own Container Apps environment, scaling to zero
 *   between requests (`serverlessMinReplicas`, default 0), GPU through the catalog's serverless GPU
 *   profiles (billed per second while a replica runs);
 * - `functions` (azure-functions.ts): Flex Consumption, CPU only;
 * - `azureml-endpoint` (azure-ml-endpoint.ts): managed online endpoints on catalog VM sizes.
 */
import * as pulumi from "@pulumi/pulumi";
import { ServerlessInference, ServerlessInferenceArgs } from "./contract";
import { modelProblems, planApps, thresholdProblems } from "../container-service/azure-apps";
import { ContainerAppsAccessArgs, accessProblems, deployContainerApps, hostAccess } from "../container-service/azure-host";
import { ipRangeProblems } from "../network/azure";
import { Problems } from "../shared/problems";

export { AzureFunctionsInference, AzureFunctionsInferenceArgs } from "./azure-functions";
export { AzureMlEndpointInference, AzureMlEndpointInferenceArgs, endpointPlan } from "./azure-ml-endpoint";
export * from "./azure-settings";

export interface AzureContainerAppsInferenceArgs extends ServerlessInferenceArgs, ContainerAppsAccessArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly namePrefix: string;
    readonly subscriptionId: pulumi.Input<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** ARM ID of a registry the apps may pull from with their identity (AcrPull). @default - public images only */
    readonly registryId?: pulumi.Input<string>;
    /** That registry's login server (`<name>.azurecr.io`); given together with `registryId`. @default - none */
    readonly registryLoginServer?: pulumi.Input<string>;
    /** Apps reachable from outside their environment (the internet, or the virtual network when internal; HTTPS only). @default true */
    readonly externalIngress?: boolean;
    /** Public IPv4 addresses or CIDR blocks allowed to call the models. @default [] - no IP restriction */
    readonly allowedIpRanges?: readonly string[];
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. @default 5 */
    readonly alertServerErrors?: number;
    /** Average response time in ms that fires a model's latency alert. @default 2000 */
    readonly alertLatencyMs?: number;
}

export class AzureContainerAppsInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> `https://<app fqdn>`. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureContainerAppsInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        modelProblems(args.models, problems);
        const plans = planApps(args.models ?? [], problems);
        ipRangeProblems(args.allowedIpRanges ?? [], "allowedIpRanges", problems);
        thresholdProblems(args, problems);
        accessProblems(args, problems);
        if ((args.registryId === undefined) !== (args.registryLoginServer === undefined)) {
            problems.add({
                path: "registryId",
                value: args.registryId === undefined ? undefined : "[set]",
                message: "and registryLoginServer must be given together",
            });
        }
        problems.throwIfAny(`AzureContainerAppsInference "${name}"`);
        super("mlops:index:AzureContainerAppsInference", name, args, opts);

        const host = deployContainerApps(this, name, {
            role: "inf",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            namePrefix: args.namePrefix,
            subscriptionId: args.subscriptionId,
            logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
            registry:
                args.registryId !== undefined && args.registryLoginServer !== undefined
                    ? { id: args.registryId, loginServer: args.registryLoginServer }
                    : undefined,
            external: args.externalIngress ?? true,
            allowedIpRanges: args.allowedIpRanges ?? [],
            models: args.models,
            plans,
            thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
            ...hostAccess(args),
            tags: { ...args.tags },
        });
        this.endpoints = host.endpoints;
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
