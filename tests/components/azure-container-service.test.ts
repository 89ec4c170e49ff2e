import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AzureContainerApps } from "../../components/container-service/azure";
import { AzureContainerAppsArgs } from "../../components/container-service/azure-args";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { ModelServingSpec } from "../../components/shared/model";
import { ValidationError } from "../../components/shared/problems";
import { CapturedResource, captureResources, ofType, only } from "../harness";

const T = {
    environment: "azure-native:app:ManagedEnvironment",
    app: "azure-native:app:ContainerApp",
    registry: "azure-native:containerregistry:Registry",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment",
    alert: "azure-native:monitor:MetricAlert",
    diagnostics: "azure-native:monitor:DiagnosticSetting",
};
const LOGS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";

const iris: ModelServingSpec = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/serve.py"],
    files: { "serve.py": "print('hi')", "model.json": "{}" },
    env: { MODEL_NAME: "iris" },
    port: 8080,
    healthPath: "/healthz",
    cpuMillicores: 250,
    memoryMiB: 512,
    minReplicas: 2,
    maxReplicas: 5,
    concurrency: 40,
};
const registryImage: ModelServingSpec = {
    ...iris,
    name: "churn",
    image: "mlopstestcsabc123.azurecr.io/churn:1.0",
    command: undefined,
    files: undefined,
    env: undefined,
};

const base: AzureContainerAppsArgs = {
    resourceGroupName: "rg-test",
    location: "swedencentral",
    namePrefix: "mlops-test",
    nameSuffix: "abc123",
    subscriptionId: "sub",
    logAnalyticsWorkspaceId: LOGS,
    models: [iris, registryImage],
    protectData: false,
    tags: { "mlops-stack": "test" },
};

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));

async function build(args: AzureContainerAppsArgs = base): Promise<{ resources: CapturedResource[]; service: AzureContainerApps }> {
    let service: AzureContainerApps | undefined;
    const { resources } = await captureResources(() => {
        service = new AzureContainerApps("serving", args);
    });
    return { resources, service: service! };
}

async function rejected(args: AzureContainerAppsArgs): Promise<string> {
    let error: unknown;
    const { resources } = await captureResources(() => {
        try {
            new AzureContainerApps("serving", args);
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, /^AzureContainerApps "serving" is invalid/);
    assert.deepEqual(
        resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad arguments",
    );
    return error.message;
}

describe("AzureContainerApps", () => {
    let resources: CapturedResource[];
    let service: AzureContainerApps;
    before(async () => ({ resources, service } = await build()));
    const app = (name: string) => only(resources, T.app, `serving-${name}`).inputs;

    it("creates a registry with admin user and anonymous pull off, logged to Log Analytics", () => {
        const registry = only(resources, T.registry, "serving-registry").inputs;
        assert.deepEqual(
            [registry.registryName, registry.sku, registry.adminUserEnabled, registry.anonymousPullEnabled, registry.policies],
            ["mlopstestcsabc123", { name: "Basic" }, false, false, undefined],
        );
        assert.equal(only(resources, T.diagnostics, "serving-registry-diagnostics").inputs.resourceUri, "serving-registry-id");
    });

    it("runs the apps in an environment whose logs go to Log Analytics through Azure Monitor, with encrypted peer traffic", () => {
        const env = only(resources, T.environment, "serving-environment").inputs;
        assert.equal(env.environmentName, "svc-mlops-test");
        assert.deepEqual(env.appLogsConfiguration, { destination: "azure-monitor" });
        assert.deepEqual(env.peerTrafficConfiguration, { encryption: { enabled: true } });
        assert.deepEqual(env.workloadProfiles, [{ name: "Consumption", workloadProfileType: "Consumption" }]);
        const logs = only(resources, T.diagnostics, "serving-environment-diagnostics").inputs;
        assert.deepEqual(
            [logs.resourceUri, logs.workspaceId, logs.logs],
            ["serving-environment-id", LOGS, [{ categoryGroup: "allLogs", enabled: true }]],
        );
    });

    it("serves each model HTTPS-only with replica bounds, concurrency scaling and all three probes", () => {
        const a = app("iris");
        assert.equal(a.containerAppName, "svc-iris");
        assert.equal(a.environmentId, "serving-environment-id");
        assert.equal(a.workloadProfileName, "Consumption");
        assert.deepEqual(a.configuration.ingress, { external: true, targetPort: 8080, transport: "auto", allowInsecure: false });
        assert.deepEqual(a.template.scale, {
            minReplicas: 2,
            maxReplicas: 5,
            rules: [{ name: "http-concurrency", http: { metadata: { concurrentRequests: "40" } } }],
        });
        const [c] = a.template.containers;
        assert.deepEqual(
            c.probes.map((p: any) => [p.type, p.httpGet.path, p.httpGet.port]),
            [
                ["Startup", "/healthz", 8080],
                ["Readiness", "/healthz", 8080],
                ["Liveness", "/healthz", 8080],
            ],
        );
        assert.deepEqual(c.resources, { cpu: 0.25, memory: "0.5Gi" });
        assert.deepEqual(c.env, [{ name: "MODEL_NAME", value: "iris" }]);
    });

    it("mounts the model's files read from secrets at /app and runs the given command (no image build)", () => {
        const a = app("iris");
        const [c] = a.template.containers;
        assert.equal(c.image, "python:3.12.12-slim-bookworm");
        assert.deepEqual(c.command, ["python", "/app/serve.py"]);
        assert.deepEqual(c.volumeMounts, [{ volumeName: "model-files", mountPath: "/app" }]);
        assert.deepEqual(a.template.volumes, [
            {
                name: "model-files",
                storageType: "Secret",
                secrets: [
                    { secretRef: "file-serve-py", path: "serve.py" },
                    { secretRef: "file-model-json", path: "model.json" },
                ],
            },
        ]);
        assert.deepEqual(a.configuration.secrets, [
            { name: "file-serve-py", value: "print('hi')" },
            { name: "file-model-json", value: "{}" },
        ]);
        assert.equal(app("churn").template.volumes, undefined);
    });

    it("gives each app its own identity with AcrPull on the registry only, used to pull registry images", () => {
        const grants = ofType(resources, T.role)
            .map((r) => [r.name, r.inputs.scope, String(r.inputs.roleDefinitionId).split("/").pop()])
            .sort();
        assert.deepEqual(grants, [
            ["serving-churn-identity-registry", "serving-registry-id", BUILTIN_ROLES.AcrPull],
            ["serving-iris-identity-registry", "serving-registry-id", BUILTIN_ROLES.AcrPull],
        ]);
        assert.deepEqual(app("churn").identity, { type: "UserAssigned", userAssignedIdentities: ["serving-churn-identity-identity-id"] });
        assert.deepEqual(app("churn").configuration.registries, [
            { server: "mlopstestcsabc123.azurecr.io", identity: "serving-churn-identity-identity-id" },
        ]);
        assert.deepEqual(app("iris").configuration.registries, [], "public images need no registry credentials");
    });

    it("alerts on each model's 5xx errors and latency", () => {
        const alerts = ofType(resources, T.alert).filter((a) => a.name.startsWith("serving-iris-"));
        const byName = Object.fromEntries(alerts.map((a) => [a.name, a.inputs]));
        assert.deepEqual(Object.keys(byName).sort(), ["serving-iris-alert-errors", "serving-iris-alert-latency"]);
        const errors = byName["serving-iris-alert-errors"];
        assert.deepEqual(
            [errors.scopes, errors.severity, errors.windowSize, errors.criteria.allOf[0].metricName, errors.criteria.allOf[0].dimensions],
            [["serving-iris-id"], 2, "PT5M", "Requests", [{ name: "statusCodeCategory", operator: "Include", values: ["5xx"] }]],
        );
        assert.deepEqual(
            [
                byName["serving-iris-alert-latency"].criteria.allOf[0].metricName,
                byName["serving-iris-alert-latency"].criteria.allOf[0].threshold,
            ],
            ["ResponseTime", 2000],
        );
    });

    it("exports HTTPS endpoints and the registry login server", async () => {
        assert.deepEqual(await valueOf(service.endpoints), {
            iris: "https://svc-iris.mock-env.swedencentral.azurecontainerapps.io",
            churn: "https://svc-churn.mock-env.swedencentral.azurecontainerapps.io",
        });
        assert.equal(await valueOf(service.registryLoginServer!), "mlopstestcsabc123.azurecr.io");
    });

    it("runs GPU models on the catalog's serverless GPU profile, with no node counts on it", async () => {
        const { resources: gpu } = await build({
            ...base,
            models: [{ ...iris, accelerator: { type: "nvidia-t4", count: 1 }, cpuMillicores: 4000, memoryMiB: 16384 }],
        });
        assert.deepEqual(only(gpu, T.environment).inputs.workloadProfiles, [
            { name: "Consumption", workloadProfileType: "Consumption" },
            { name: "gpu-t4", workloadProfileType: "Consumption-GPU-NC8as-T4" },
        ]);
        const a = only(gpu, T.app).inputs;
        assert.equal(a.workloadProfileName, "gpu-t4");
        assert.deepEqual(a.template.containers[0].resources, { cpu: 4, memory: "16Gi" });
    });

    it("puts dedicated GPU profiles in the environment's name, since they can only be added at creation", async () => {
        const { resources: dedicated } = await build({
            ...base,
            models: [{ ...iris, accelerator: { type: "nvidia-a100-80gb", count: 2 }, cpuMillicores: 8000, memoryMiB: 65536 }],
        });
        const env = only(dedicated, T.environment).inputs;
        assert.match(env.environmentName, /^svc-[0-9a-f]{4}-mlops-test$/);
        assert.deepEqual(env.workloadProfiles[1], {
            name: "nc48-a100",
            workloadProfileType: "NC48-A100",
            minimumCount: 0,
            maximumCount: 5,
        });
    });

    it("protects the registry in prod, restricts ingress to the allow-list, and keeps Premium untagged retention", async () => {
        const { resources: prod } = await build({
            ...base,
            protectData: true,
            registrySku: "Premium",
            untaggedRetentionDays: 14,
            allowedIpRanges: ["203.0.113.7"],
            externalIngress: false,
        });
        assert.deepEqual(only(prod, T.registry).options, { protect: true, retainOnDelete: true });
        assert.deepEqual(only(prod, T.registry).inputs.policies, { retentionPolicy: { status: "enabled", days: 14 } });
        const ingress = only(prod, T.app, "serving-iris").inputs.configuration.ingress;
        assert.equal(ingress.external, false);
        assert.deepEqual(ingress.ipSecurityRestrictions, [
            { name: "allow-0", ipAddressRange: "203.0.113.7/32", action: "Allow", description: "mlops allow-list" },
        ]);
    });

    it("fails when a model asks for an accelerator Container Apps does not offer, listing what it does", async () => {
        const message = await rejected({ ...base, models: [{ ...iris, accelerator: { type: "nvidia-h100-80gb", count: 8 } }] });
        assert.match(
            message,
            /models\[0\]\.accelerator: azure\/container-apps nvidia-h100-80gb:8: nvidia-h100-80gb is not offered on azure\/container-apps; it offers nvidia-t4, nvidia-a100-80gb, nvidia-a100-80gb:2, nvidia-a100-80gb:4/,
        );
    });

    it("fails when a model outgrows the Consumption profile or is not pinned", async () => {
        const message = await rejected({ ...base, models: [{ ...iris, cpuMillicores: 6000, image: "python" }] });
        assert.match(message, /models\[0\]: needs 6 vCPU and 12 GiB per replica, more than the Consumption profile gives/);
        assert.match(message, /models\[0\]\.image: is not pinned/);
    });

    it("fails when the registry SKU, retention, allow-list or alert thresholds are invalid", async () => {
        const message = await rejected({
            ...base,
            registrySku: "Ultra",
            untaggedRetentionDays: -1,
            allowedIpRanges: ["0.0.0.0/0"],
            alertLatencyMs: 0,
        });
        for (const part of [
            "registrySku: is not a registry SKU",
            "untaggedRetentionDays: must be a whole number of days from 0 to 365",
            "allowedIpRanges[0]: is not an IPv4 address",
            "alertLatencyMs: must be a whole number of milliseconds",
        ])
            assert.ok(message.includes(part), `${part}\n${message}`);
    });
});

describe("AzureContainerApps in a network, with authentication", () => {
    const inNetwork: AzureContainerAppsArgs = {
        ...base,
        infrastructureSubnetId: "vnet-id/subnets/apps-svc",
        virtualNetworkId: "vnet-id",
        actionGroupId: "group-id",
    };

    it("puts the environment in its subnet with no public IP, and resolves the apps through a private zone", async () => {
        const resources = (await captureResources(() => new AzureContainerApps("svc", inNetwork))).resources;
        const env = only(resources, "azure-native:app:ManagedEnvironment", "svc-environment").inputs;
        assert.deepEqual(
            [env.vnetConfiguration, env.publicNetworkAccess, env.environmentName],
            [{ infrastructureSubnetId: "vnet-id/subnets/apps-svc", internal: true }, "Disabled", "svc-vnet-mlops-test"],
        );
        const record = only(resources, "azure-native:privatedns:PrivateRecordSet", "svc-environment-dns-wildcard").inputs;
        assert.deepEqual([record.relativeRecordSetName, record.aRecords], ["*", [{ ipv4Address: "10.42.1.10" }]]);
        assert.equal(
            only(resources, "azure-native:privatedns:VirtualNetworkLink", "svc-environment-dns-link").inputs.virtualNetwork.id,
            "vnet-id",
        );
        for (const alert of ofType(resources, "azure-native:monitor:MetricAlert"))
            assert.deepEqual(alert.inputs.actions, [{ actionGroupId: "group-id" }], alert.name);
    });

    it("keeps the environment public when publicIngress is set, and then requires an Entra ID token on every app", async () => {
        const resources = (
            await captureResources(
                () => new AzureContainerApps("svc", { ...inNetwork, publicIngress: true, authClientId: "client-1", tenantId: "tenant-1" }),
            )
        ).resources;
        const env = only(resources, "azure-native:app:ManagedEnvironment", "svc-environment").inputs;
        assert.deepEqual([env.vnetConfiguration.internal, env.publicNetworkAccess], [false, "Enabled"]);
        assert.equal(ofType(resources, "azure-native:privatedns:PrivateZone").length, 0);
        const auths = ofType(resources, "azure-native:app:ContainerAppsAuthConfig");
        assert.equal(auths.length, base.models.length);
        const a = auths[0].inputs;
        assert.deepEqual(
            [
                a.authConfigName,
                a.platform,
                a.globalValidation,
                a.identityProviders.azureActiveDirectory.registration,
                a.identityProviders.azureActiveDirectory.validation.allowedAudiences,
            ],
            [
                "current",
                { enabled: true },
                { unauthenticatedClientAction: "Return401" },
                { clientId: "client-1", openIdIssuer: "https://login.microsoftonline.com/tenant-1/v2.0" },
                ["api://client-1", "client-1"],
            ],
        );
    });

    it("fails when the network or the auth arguments come without their partner", async () => {
        let error: unknown;
        await captureResources(() => {
            try {
                new AzureContainerApps("svc", { ...base, infrastructureSubnetId: "s", authClientId: "c" });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /infrastructureSubnetId: and virtualNetworkId must be given together/);
        assert.match(error.message, /tenantId: is required with authClientId/);
    });

    it("fails when a registry private endpoint is asked for on a SKU without private link", async () => {
        let error: unknown;
        await captureResources(() => {
            try {
                new AzureContainerApps("svc", {
                    ...base,
                    registrySku: "Basic",
                    registryPrivateEndpoint: { subnetId: "s", dnsZoneIds: { "privatelink.azurecr.io": "z" } },
                });
            } catch (e) {
                error = e;
            }
        });
        assert.ok(error instanceof ValidationError);
        assert.match(error.message, /registrySku: has no private endpoints; registryPrivateEndpoint needs Premium/);
    });
});
