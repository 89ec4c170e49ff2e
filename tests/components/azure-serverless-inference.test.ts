import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    AzureContainerAppsInference,
    AzureFunctionsInference,
    AzureMlEndpointInference,
} from "../../components/serverless-inference/azure";
import {
    AzureContainerAppsInferenceArgs,
    AzureFunctionsInferenceArgs,
    AzureMlEndpointInferenceArgs,
} from "../../components/serverless-inference/azure-args";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { isValidAzureName, namePrefix } from "../../components/naming/azure";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { CapturedResource, captureResources, ofType, only } from "../harness";

const LOGS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
const common = {
    resourceGroupName: "rg-test",
    location: "swedencentral",
    namePrefix: "mlops-test",
    logAnalyticsWorkspaceId: LOGS,
    tags: { "mlops-stack": "test" },
};
const sample: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/serve.py"],
    files: { "serve.py": "print('hi')" },
    env: { MODEL_NAME: "iris" },
    port: 8080,
    healthPath: "/healthz",
    cpuMillicores: 500,
    memoryMiB: 1024,
    minReplicas: 0,
    maxReplicas: 4,
    concurrency: 20,
};
/** A model whose image serves by itself (what Azure ML endpoints and Functions packages need). */
const selfServing: ModelServingSpec = { ...sample, image: "mlopstestcsabc123.azurecr.io/iris:1.0", command: undefined, files: undefined };

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));

async function run<C>(make: () => C): Promise<{ resources: CapturedResource[]; component: C }> {
    let component: C | undefined;
    const { resources } = await captureResources(() => {
        component = make();
    });
    return { resources, component: component! };
}

async function rejected(make: () => unknown, subject: string): Promise<string> {
    let error: unknown;
    const { resources } = await captureResources(() => {
        try {
            make();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.ok(error.message.startsWith(`${subject} "inference" is invalid`), error.message);
    assert.deepEqual(
        resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad arguments",
    );
    return error.message;
}

describe("AzureContainerAppsInference (container-apps)", () => {
    const base: AzureContainerAppsInferenceArgs = {
        ...common,
        subscriptionId: "sub",
        models: [sample],
        registryId: "/acr",
        registryLoginServer: "mlopstestcsabc123.azurecr.io",
    };

    it("scales each model to zero between requests in its own environment, HTTPS-only, with probes", async () => {
        const { resources, component } = await run(() => new AzureContainerAppsInference("inference", base));
        const env = only(resources, "azure-native:app:ManagedEnvironment").inputs;
        assert.equal(env.environmentName, "inf-mlops-test");
        const app = only(resources, "azure-native:app:ContainerApp", "inference-iris").inputs;
        assert.equal(app.containerAppName, "inf-iris");
        assert.deepEqual(app.template.scale, {
            minReplicas: 0,
            maxReplicas: 4,
            rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: "20" } } }],
        });
        assert.equal(app.configuration.ingress.allowInsecure, false);
        assert.deepEqual(
            app.template.containers[0].probes.map((p: any) => p.type),
            ["Startup", "Readiness", "Liveness"],
        );
        const grant = only(resources, "azure-native:authorization:RoleAssignment").inputs;
        assert.deepEqual([grant.scope, String(grant.roleDefinitionId).split("/").pop()], ["/acr", BUILTIN_ROLES.AcrPull]);
        assert.deepEqual(await valueOf(component.endpoints), { iris: "https://inf-iris.mock-env.swedencentral.azurecontainerapps.io" });
    });

    it("serves GPU models scale-to-zero on the serverless A100 profile", async () => {
        const { resources } = await run(
            () =>
                new AzureContainerAppsInference("inference", {
                    ...base,
                    models: [{ ...sample, accelerator: { type: "nvidia-a100-80gb", count: 1 }, cpuMillicores: 8000, memoryMiB: 65536 }],
                }),
        );
        assert.deepEqual(only(resources, "azure-native:app:ManagedEnvironment").inputs.workloadProfiles[1], {
            name: "gpu-a100",
            workloadProfileType: "Consumption-GPU-NC24-A100",
        });
        assert.equal(only(resources, "azure-native:app:ContainerApp").inputs.workloadProfileName, "gpu-a100");
    });

    it("fails when only one of registryId and registryLoginServer is given", async () => {
        assert.match(
            await rejected(
                () => new AzureContainerAppsInference("inference", { ...base, registryLoginServer: undefined }),
                "AzureContainerAppsInference",
            ),
            /registryId: and registryLoginServer must be given together/,
        );
    });

    it("fails when an accelerator is not offered, listing what is", async () => {
        assert.match(
            await rejected(
                () =>
                    new AzureContainerAppsInference("inference", {
                        ...base,
                        models: [{ ...sample, accelerator: { type: "nvidia-t4", count: 4 } }],
                    }),
                "AzureContainerAppsInference",
            ),
            /models\[0\]\.accelerator: azure\/container-apps nvidia-t4:4: nvidia-t4 comes in counts 1 on azure\/container-apps, not 4/,
        );
    });
});

describe("AzureFunctionsInference (functions)", () => {
    const base: AzureFunctionsInferenceArgs = { ...common, nameSuffix: "abc123", subscriptionId: "sub", models: [selfServing] };
    let resources: CapturedResource[];
    let component: AzureFunctionsInference;
    before(async () => ({ resources, component } = await run(() => new AzureFunctionsInference("inference", base))));

    it("runs each model on its own Flex Consumption plan, HTTPS-only with TLS 1.2 and FTP off", () => {
        const plan = only(resources, "azure-native:web:AppServicePlan").inputs;
        assert.deepEqual([plan.sku, plan.kind, plan.reserved], [{ name: "FC1", tier: "FlexConsumption" }, "functionapp", true]);
        const app = only(resources, "azure-native:web:WebApp", "inference-iris").inputs;
        assert.equal(app.name, "iris-mlops-test-abc123");
        assert.deepEqual([app.kind, app.serverFarmId, app.httpsOnly], ["functionapp,linux", "inference-iris-plan-id", true]);
        assert.deepEqual(
            {
                tls: app.siteConfig.minTlsVersion,
                scmTls: app.siteConfig.scmMinTlsVersion,
                ftps: app.siteConfig.ftpsState,
                debug: app.siteConfig.remoteDebuggingEnabled,
            },
            { tls: "1.2", scmTls: "1.2", ftps: "Disabled", debug: false },
        );
        assert.deepEqual(app.functionAppConfig.runtime, { name: "python", version: "3.12" });
        assert.deepEqual(app.functionAppConfig.scaleAndConcurrency, { maximumInstanceCount: 4, instanceMemoryMB: 2048 });
        for (const policy of ["azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"])
            assert.equal(only(resources, policy).inputs.allow, false, policy);
    });

    it("connects the host to its storage with its managed identity only (no keys, no connection string)", () => {
        const app = only(resources, "azure-native:web:WebApp").inputs;
        const settings = Object.fromEntries(app.siteConfig.appSettings.map((s: any) => [s.name, s.value]));
        assert.deepEqual(settings, {
            AzureWebJobsStorage__accountName: "mlopstestfn4761abc123",
            AzureWebJobsStorage__credential: "managedidentity",
            AzureWebJobsStorage__clientId: settings.AzureWebJobsStorage__clientId,
            MODEL_NAME: "iris",
        });
        assert.match(settings.AzureWebJobsStorage__clientId, /^[0-9a-f-]{36}$/);
        assert.ok(!JSON.stringify(app).includes("AccountKey="), "no connection string with a key");
        assert.deepEqual(app.functionAppConfig.deployment.storage, {
            type: "blobContainer",
            value: "https://mlopstestfn4761abc123.blob.core.windows.net/app-package",
            authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: "inference-iris-identity-identity-id" },
        });
        const store = only(resources, "azure-native:storage:StorageAccount").inputs;
        assert.deepEqual(
            [store.allowSharedKeyAccess, store.minimumTlsVersion, store.allowBlobPublicAccess, store.isHnsEnabled],
            [false, "TLS1_2", false, false],
        );
        const grant = only(resources, "azure-native:authorization:RoleAssignment").inputs;
        assert.deepEqual(
            [grant.scope, String(grant.roleDefinitionId).split("/").pop()],
            ["inference-iris-store-id", BUILTIN_ROLES["Storage Blob Data Owner"]],
        );
        assert.equal(only(resources, "azure-native:storage:BlobContainer").inputs.publicAccess, "None");
    });

    it("logs each app and its store, and alerts on its 5xx errors and latency", async () => {
        assert.equal(
            only(resources, "azure-native:monitor:DiagnosticSetting", "inference-iris-diagnostics").inputs.resourceUri,
            "inference-iris-id",
        );
        assert.equal(
            only(resources, "azure-native:monitor:DiagnosticSetting", "inference-iris-store-blob-diagnostics").inputs.resourceUri,
            "inference-iris-store-id/blobServices/default",
        );
        const alerts = ofType(resources, "azure-native:monitor:MetricAlert")
            .map((a) => a.inputs.criteria.allOf[0].metricName)
            .sort();
        assert.deepEqual(alerts, ["Http5xx", "HttpResponseTime"]);
        assert.deepEqual(await valueOf(component.endpoints), { iris: "https://iris-mlops-test-abc123.azurewebsites.net/api" });
    });

    it("fits function app and storage names on the longest stack and model names", async () => {
        const model = { ...selfServing, name: "m".repeat(24) };
        const { resources: long } = await run(
            () => new AzureFunctionsInference("inference", { ...base, namePrefix: namePrefix("mlops", "s".repeat(60)), models: [model] }),
        );
        assert.ok(isValidAzureName("functionApp", only(long, "azure-native:web:WebApp").inputs.name));
        assert.ok(isValidAzureName("storageAccount", only(long, "azure-native:storage:StorageAccount").inputs.accountName));
    });

    it("fails when a model asks for a GPU (Flex Consumption is CPU only), naming where GPUs are", async () => {
        const message = await rejected(
            () =>
                new AzureFunctionsInference("inference", {
                    ...base,
                    models: [{ ...selfServing, accelerator: { type: "nvidia-t4", count: 1 } }],
                }),
            "AzureFunctionsInference",
        );
        assert.match(
            message,
            /models\[0\]\.accelerator: azure\/functions nvidia-t4: functions runs on CPU only and takes no accelerator\. In this project an accelerator needs containerService or serverlessInference "container-apps"/,
        );
    });

    it("fails when the instance size or Python version is not one Flex Consumption offers", async () => {
        const message = await rejected(
            () => new AzureFunctionsInference("inference", { ...base, instanceMemoryMB: 1024, pythonVersion: "3.8" }),
            "AzureFunctionsInference",
        );
        assert.match(message, /instanceMemoryMB: is not a Flex Consumption instance size \(got 1024\)\. Allowed: 512, 2048, 4096/);
        assert.match(message, /pythonVersion: is not a Python version Flex Consumption runs \(got "3\.8"\)/);
    });
});

describe("AzureMlEndpointInference (azureml-endpoint)", () => {
    const base: AzureMlEndpointInferenceArgs = {
        ...common,
        nameSuffix: "abc123",
        workspaceName: "mlops-test-mlw-abc123",
        models: [selfServing],
        minInstances: 2,
    };
    let resources: CapturedResource[];
    let component: AzureMlEndpointInference;
    before(async () => ({ resources, component } = await run(() => new AzureMlEndpointInference("inference", base))));

    it("creates an authenticated endpoint with a system identity", () => {
        const endpoint = only(resources, "azure-native:machinelearningservices:OnlineEndpoint").inputs;
        assert.equal(endpoint.endpointName, "iris-mlops-test-abc123");
        assert.deepEqual(endpoint.identity, { type: "SystemAssigned" });
        assert.deepEqual([endpoint.properties.authMode, endpoint.properties.publicNetworkAccess], ["Key", "Enabled"]);
        assert.equal(endpoint.properties.traffic, undefined, "a new deployment cannot be named in the endpoint it belongs to");
    });

    it("deploys the image as a custom container with its routes, at least 2 instances on the CPU size, with probes", () => {
        const env = only(resources, "azure-native:machinelearningservices:EnvironmentVersion").inputs;
        assert.equal(env.name, "iris-serving");
        assert.deepEqual(env.properties.inferenceConfig, {
            livenessRoute: { path: "/healthz", port: 8080 },
            readinessRoute: { path: "/healthz", port: 8080 },
            scoringRoute: { path: "/predict", port: 8080 },
        });
        assert.equal(env.properties.image, "mlopstestcsabc123.azurecr.io/iris:1.0");
        const deployment = only(resources, "azure-native:machinelearningservices:OnlineDeployment").inputs;
        assert.deepEqual(
            [deployment.deploymentName, deployment.endpointName, deployment.sku],
            ["main", "iris-mlops-test-abc123", { name: "Default", capacity: 2 }],
        );
        assert.deepEqual(
            [deployment.properties.endpointComputeType, deployment.properties.instanceType, deployment.properties.environmentId],
            ["Managed", "Standard_DS3_v2", "inference-iris-environment-id"],
        );
        assert.deepEqual(deployment.properties.livenessProbe, {
            initialDelay: "PT10S",
            period: "PT10S",
            timeout: "PT5S",
            failureThreshold: 3,
            successThreshold: 1,
        });
        assert.deepEqual(deployment.properties.requestSettings, { maxConcurrentRequestsPerInstance: 20 });
    });

    it("autoscales the deployment on CPU between the floor and maxReplicas", () => {
        const autoscale = only(resources, "azure-native:monitor:AutoscaleSetting").inputs;
        assert.equal(autoscale.targetResourceUri, "inference-iris-deployment-id");
        assert.deepEqual(autoscale.profiles[0].capacity, { minimum: "2", maximum: "4", default: "2" });
        assert.deepEqual(
            autoscale.profiles[0].rules.map((r: any) => [
                r.metricTrigger.metricName,
                r.metricTrigger.operator,
                r.metricTrigger.threshold,
                r.scaleAction.direction,
            ]),
            [
                ["CpuUtilizationPercentage", "GreaterThan", 70, "Increase"],
                ["CpuUtilizationPercentage", "LessThan", 25, "Decrease"],
            ],
        );
    });

    it("logs the endpoint, alerts on its errors and P99 latency, and exports the scoring URI", async () => {
        assert.equal(only(resources, "azure-native:monitor:DiagnosticSetting").inputs.resourceUri, "inference-iris-endpoint-id");
        assert.deepEqual(
            ofType(resources, "azure-native:monitor:MetricAlert")
                .map((a) => a.inputs.criteria.allOf[0].metricName)
                .sort(),
            ["RequestLatency_P99", "RequestsPerMinute"],
        );
        assert.deepEqual(await valueOf(component.endpoints), {
            iris: "https://iris-mlops-test-abc123.swedencentral.inference.ml.azure.com/score",
        });
    });

    it("runs GPU models on the catalog's VM size and accepts Entra ID auth", async () => {
        const { resources: gpu } = await run(
            () =>
                new AzureMlEndpointInference("inference", {
                    ...base,
                    authMode: "aadToken",
                    models: [{ ...selfServing, accelerator: { type: "nvidia-t4", count: 1 } }],
                }),
        );
        assert.equal(
            only(gpu, "azure-native:machinelearningservices:OnlineDeployment").inputs.properties.instanceType,
            "Standard_NC4as_T4_v3",
        );
        assert.equal(only(gpu, "azure-native:machinelearningservices:OnlineEndpoint").inputs.properties.authMode, "AADToken");
    });

    it("fails when a model needs files or a command, which managed deployments cannot apply", async () => {
        const message = await rejected(
            () => new AzureMlEndpointInference("inference", { ...base, models: [sample] }),
            "AzureMlEndpointInference",
        );
        assert.match(
            message,
            /models\[0\]\.files: cannot be applied: Azure ML managed deployments run the image's own entrypoint .* serve this model with container-apps/,
        );
        assert.match(message, /models\[0\]\.command: cannot be applied/);
    });

    it("fails when the accelerator, auth mode or instance floor is invalid", async () => {
        const message = await rejected(
            () =>
                new AzureMlEndpointInference("inference", {
                    ...base,
                    authMode: "password",
                    minInstances: 0,
                    models: [{ ...selfServing, accelerator: { type: "nvidia-l4", count: 1 } }],
                }),
            "AzureMlEndpointInference",
        );
        assert.match(
            message,
            /models\[0\]\.accelerator: azure\/azureml-endpoint nvidia-l4: nvidia-l4 is not offered on azure\/azureml-endpoint; it offers nvidia-t4/,
        );
        assert.match(message, /authMode: is not an endpoint auth mode \(got "password"\)\. Allowed: key, aadToken/);
        assert.match(message, /minInstances: must be a whole number of at least 1/);
    });
});
