/**
 * Serverless inference on Azure ML managed online endpoints (`azureml-endpoint`): per model an endpoint
 * (key or Entra ID token auth, system identity) with one deployment, `main`, running the model's image as
 * a custom container (an environment whose inference routes are the model's health and scoring paths) on
 * the VM size the accelerator catalog gives, with Azure Monitor autoscale on CPU between the instance
 * floor (2 in prod) and `maxReplicas`, probes, logs to Log Analytics and error and latency alerts.
 *
 * The image must serve the model itself: managed deployments run the image's own entrypoint, so `files`,
 * `command` and `args` (what the sample uses on Container Apps) cannot be applied and are refused.
 * A new deployment gets no endpoint traffic until it is assigned (`az ml online-endpoint update --traffic
 * main=100`, which ARM cannot express without a cycle); until then callers send the header
 * `azureml-model-deployment: main`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import * as monitor from "@pulumi/azure-native/monitor";
import { ServerlessInference, ServerlessInferenceArgs } from "./contract";
import { DEFAULT_SCORING_PATH, ENDPOINT_AUTH_MODES } from "./azure-settings";
import { resolveAccelerator } from "../accelerators/resolve";
import { modelProblems, thresholdProblems } from "../container-service/azure-apps";
import { DEFAULT_CPU_VM_SIZE, VM_SIZE } from "../ml-platform/azure-settings";
import { azureNames } from "../naming/azure";
import { diagnosticSetting, servingAlertRules } from "../observability/azure";
import { ModelServingSpec } from "../shared/model";
import { shortHash } from "../shared/naming";
import { Problems } from "../shared/problems";

export interface AzureMlEndpointInferenceArgs extends ServerlessInferenceArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly namePrefix: string;
    /** The stack's random 6-character suffix (endpoint names are unique per region). */
    readonly nameSuffix: pulumi.Input<string>;
    /** The Azure ML workspace the endpoints live in. */
    readonly workspaceName: pulumi.Input<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** `key` (endpoint keys) or `aadToken` (Entra ID tokens). @default "key" */
    readonly authMode?: string;
    /** VM size of CPU-only models. Instances bill per hour; endpoints cannot scale to zero. @default "Standard_DS3_v2" */
    readonly cpuInstanceType?: string;
    /** Fewest instances per deployment; 2 or more keeps serving through an instance failure. @default 1 */
    readonly minInstances?: number;
    /**
     * Endpoints reachable from public networks (key or token auth still required). Off, callers come
     * through the workspace's private endpoint. @default true
     */
    readonly publicNetworkAccess?: boolean;
    /** Action group the alerts notify. @default - none */
    readonly actionGroupId?: pulumi.Input<string>;
    /** Model name -> scoring path inside the container. @default "/predict" for every model */
    readonly scoringPaths?: Readonly<Record<string, string>>;
    /** HTTP 5xx responses in 5 minutes that fire a model's error alert. @default 5 */
    readonly alertServerErrors?: number;
    /** P99 latency in ms that fires a model's latency alert. @default 2000 */
    readonly alertLatencyMs?: number;
}

/** Validates the arguments and resolves each model's instance type from the catalog (`azureml-endpoint`). */
export function endpointPlan(args: AzureMlEndpointInferenceArgs): { problems: Problems; instanceTypes: string[] } {
    const problems = new Problems();
    const cpuType = args.cpuInstanceType ?? DEFAULT_CPU_VM_SIZE;
    modelProblems(args.models, problems);
    if (!Object.keys(ENDPOINT_AUTH_MODES).includes(args.authMode ?? "key"))
        problems.add({
            path: "authMode",
            value: args.authMode,
            message: "is not an endpoint auth mode",
            allowed: Object.keys(ENDPOINT_AUTH_MODES),
        });
    if (!VM_SIZE.test(cpuType))
        problems.add({
            path: "cpuInstanceType",
            value: cpuType,
            message: "is not an Azure VM size",
            fix: `write e.g. ${DEFAULT_CPU_VM_SIZE}`,
        });
    const floor = args.minInstances ?? 1;
    if (!Number.isInteger(floor) || floor < 1)
        problems.add({
            path: "minInstances",
            value: floor,
            message: "must be a whole number of at least 1 (managed endpoints cannot scale to zero)",
        });
    thresholdProblems(args, problems);
    const instanceTypes = (args.models ?? []).map((m, i) => {
        for (const field of ["files", "command", "args"] as const) {
            if (m[field] !== undefined)
                problems.add({
                    path: `models[${i}].${field}`,
                    value: field === "files" ? Object.keys(m.files ?? {}) : m[field],
                    message: "cannot be applied: Azure ML managed deployments run the image's own entrypoint",
                    fix: "build an image that serves the model (push it to the registry), or serve this model with container-apps",
                });
        }
        const path = args.scoringPaths?.[m.name] ?? DEFAULT_SCORING_PATH;
        if (!path.startsWith("/"))
            problems.add({ path: `scoringPaths.${m.name}`, value: path, message: "is not an HTTP path", fix: "start it with '/'" });
        try {
            return resolveAccelerator({ cloud: "azure", service: "azureml-endpoint", accelerator: m.accelerator })?.vmSize ?? cpuType;
        } catch (e) {
            problems.add(`models[${i}].accelerator: ${(e as Error).message}`);
            return cpuType;
        }
    });
    return { problems, instanceTypes };
}

/** The environment version is immutable: its version is a hash of everything in it. */
function inferenceRoutes(m: ModelServingSpec, scoringPath: string) {
    const route = (path: string) => ({ path, port: m.port });
    return { livenessRoute: route(m.healthPath), readinessRoute: route(m.healthPath), scoringRoute: route(scoringPath) };
}

export class AzureMlEndpointInference extends pulumi.ComponentResource implements ServerlessInference {
    /** Model name -> scoring URI. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureMlEndpointInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { problems, instanceTypes } = endpointPlan(args);
        problems.throwIfAny(`AzureMlEndpointInference "${name}"`);
        super("mlops:index:AzureMlEndpointInference", name, args, opts);

        const rg = args.resourceGroupName;
        const tags = { ...args.tags };
        const inWorkspace = { workspaceName: args.workspaceName, resourceGroupName: rg };
        const endpoints = args.models.map((m, i) => {
            const prefix = `${name}-${m.name}`;
            const routes = inferenceRoutes(m, args.scoringPaths?.[m.name] ?? DEFAULT_SCORING_PATH);
            const environment = new ml.EnvironmentVersion(
                `${prefix}-environment`,
                {
                    ...inWorkspace,
                    name: `${m.name}-serving`,
                    version: shortHash(JSON.stringify({ image: m.image, routes }), 8),
                    properties: {
                        image: m.image,
                        osType: "Linux",
                        inferenceConfig: routes,
                        description: `Serving container of model ${m.name}`,
                    },
                },
                { parent: this },
            );
            const endpoint = new ml.OnlineEndpoint(
                `${prefix}-endpoint`,
                {
                    ...inWorkspace,
                    endpointName: pulumi.output(args.nameSuffix).apply((sfx) => azureNames.onlineEndpoint(args.namePrefix, m.name, sfx)),
                    location: args.location,
                    identity: { type: "SystemAssigned" },
                    properties: {
                        authMode: ENDPOINT_AUTH_MODES[(args.authMode ?? "key") as keyof typeof ENDPOINT_AUTH_MODES],
                        publicNetworkAccess: (args.publicNetworkAccess ?? true) ? "Enabled" : "Disabled",
                        description: `Model ${m.name}`,
                    },
                    tags,
                },
                { parent: this },
            );
            const instances = Math.max(args.minInstances ?? 1, m.minReplicas);
            const probe = { initialDelay: "PT10S", period: "PT10S", timeout: "PT5S", failureThreshold: 3, successThreshold: 1 };
            const deployment = new ml.OnlineDeployment(
                `${prefix}-deployment`,
                {
                    ...inWorkspace,
                    endpointName: endpoint.name,
                    deploymentName: azureNames.onlineDeployment(),
                    location: args.location,
                    sku: { name: "Default", capacity: instances },
                    properties: {
                        endpointComputeType: "Managed",
                        instanceType: instanceTypes[i],
                        environmentId: environment.id,
                        environmentVariables: { ...m.env },
                        appInsightsEnabled: true,
                        livenessProbe: probe,
                        readinessProbe: probe,
                        requestSettings: { maxConcurrentRequestsPerInstance: m.concurrency },
                    },
                    tags,
                },
                { parent: this },
            );
            // Managed deployments scale through Azure Monitor autoscale on the deployment resource.
            const cpu = (
                operator: "GreaterThan" | "LessThan",
                threshold: number,
                direction: "Increase" | "Decrease",
                cooldown: string,
            ) => ({
                metricTrigger: {
                    metricName: "CpuUtilizationPercentage",
                    metricNamespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
                    metricResourceUri: deployment.id,
                    operator,
                    statistic: "Average" as const,
                    threshold,
                    timeAggregation: "Average" as const,
                    timeGrain: "PT1M",
                    timeWindow: "PT5M",
                },
                scaleAction: { direction, type: "ChangeCount" as const, value: "1", cooldown },
            });
            new monitor.AutoscaleSetting(
                `${prefix}-autoscale`,
                {
                    resourceGroupName: rg,
                    location: args.location,
                    targetResourceUri: deployment.id,
                    enabled: true,
                    profiles: [
                        {
                            name: "cpu",
                            capacity: {
                                minimum: String(instances),
                                maximum: String(Math.max(instances, m.maxReplicas)),
                                default: String(instances),
                            },
                            rules: [cpu("GreaterThan", 70, "Increase", "PT5M"), cpu("LessThan", 25, "Decrease", "PT10M")],
                        },
                    ],
                    tags,
                },
                { parent: this },
            );
            diagnosticSetting(
                `${prefix}-diagnostics`,
                { resourceUri: endpoint.id, workspaceId: args.logAnalyticsWorkspaceId },
                { parent: this },
            );
            servingAlertRules(
                `${prefix}-alert`,
                {
                    resourceGroupName: rg,
                    scope: endpoint.id,
                    target: "onlineEndpoint",
                    subject: `model ${m.name} (azureml-endpoint)`,
                    thresholds: { serverErrors: args.alertServerErrors ?? 5, latencyMs: args.alertLatencyMs ?? 2000 },
                    actionGroupId: args.actionGroupId,
                    tags,
                },
                { parent: this },
            );
            return endpoint;
        });

        this.endpoints = pulumi
            .all(endpoints.map((e) => e.properties.apply((p) => p.scoringUri ?? "")))
            .apply((uris) => Object.fromEntries(args.models.map((m, i) => [m.name, uris[i]])));
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
