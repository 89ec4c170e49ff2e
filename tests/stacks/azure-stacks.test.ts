/**
 * Both shipped Azure stacks, planned end to end through the same loader and mocked engine as
 * `npm run plan`, checked for the invariants docs/azure.md promises (docs/security-baseline.md 1.3, 2, 4).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { AZURE_NAME_RULES, AzureNameKind, isValidAzureName } from "../../components/naming/azure";
import { BUILTIN_ROLES } from "../../components/identity/azure-roles";
import { capture } from "../../stacks/plan/capture";
import { Plan, PlanResource } from "../../stacks/plan/plan";
import { shippedPlan } from "../harness";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const A = (t: string) => `azure-native:${t}`;
const T = {
    group: A("resources:ResourceGroup"),
    account: A("storage:StorageAccount"),
    container: A("storage:BlobContainer"),
    blobService: A("storage:BlobServiceProperties"),
    vault: A("keyvault:Vault"),
    key: A("keyvault:Key"),
    registry: A("containerregistry:Registry"),
    role: A("authorization:RoleAssignment"),
    lock: A("authorization:ManagementLockByScope"),
    diagnostics: A("monitor:DiagnosticSetting"),
    alert: A("monitor:MetricAlert"),
    logs: A("operationalinsights:Workspace"),
    environment: A("app:ManagedEnvironment"),
    app: A("app:ContainerApp"),
    mlWorkspace: A("machinelearningservices:Workspace"),
    compute: A("machinelearningservices:Compute"),
    model: A("machinelearningservices:ModelContainer"),
    synapse: A("synapse:Workspace"),
};
/** Types that hold data, keys or the audit trail: protected and retained in prod. */
const STATEFUL = [T.group, T.account, T.container, T.vault, T.key, T.registry, T.logs, T.mlWorkspace, T.model, T.synapse];
/** Which name input each globally or length-constrained type carries, and its rule. */
const NAMED: [string, string, AzureNameKind][] = [
    [T.group, "resourceGroupName", "resourceGroup"],
    [T.account, "accountName", "storageAccount"],
    [T.container, "containerName", "blobContainer"],
    [T.vault, "vaultName", "keyVault"],
    [T.registry, "registryName", "containerRegistry"],
    [T.logs, "workspaceName", "logAnalytics"],
    [T.environment, "environmentName", "containerAppEnvironment"],
    [T.app, "containerAppName", "containerApp"],
    [T.mlWorkspace, "workspaceName", "mlWorkspace"],
    [T.compute, "computeName", "amlCompute"],
    [T.synapse, "workspaceName", "synapseWorkspace"],
    [A("managedidentity:UserAssignedIdentity"), "resourceName", "userAssignedIdentity"],
];
const BROAD_ROLES = [
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
]; // Owner, Contributor, User Access Administrator

function ofType(plan: Plan, type: string): PlanResource[] {
    return plan.resources.filter((r) => r.type === type);
}
function one(plan: Plan, type: string, name: string): PlanResource {
    const found = ofType(plan, type).filter((r) => r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
}

function checkAzureInvariants(plan: Plan, environment: string): void {
    const prod = environment === "prod";

    it("keeps every storage account HTTPS/TLS 1.2-only, Entra-ID-only, without public blobs or local users", () => {
        const accounts = ofType(plan, T.account);
        assert.ok(accounts.length >= 2);
        for (const a of accounts) {
            const i = a.inputs;
            assert.deepEqual(
                [
                    i.enableHttpsTrafficOnly,
                    i.minimumTlsVersion,
                    i.allowBlobPublicAccess,
                    i.allowSharedKeyAccess,
                    i.isLocalUserEnabled,
                    i.isSftpEnabled,
                ],
                [true, "TLS1_2", false, false, false, false],
                a.urn,
            );
            assert.equal(i.encryption.requireInfrastructureEncryption, true, a.urn);
            assert.equal(i.networkRuleSet.bypass, "AzureServices", a.urn);
        }
        const lake = one(plan, T.account, "lake-account").inputs;
        assert.equal(lake.isHnsEnabled, true);
        // Firewall on except in dev (mlops:dataLake.azure.firewall off by default there: see the azure-dev tests).
        assert.equal(lake.networkRuleSet.defaultAction, prod ? "Deny" : "Allow");
        assert.equal(lake.encryption.keySource, "Microsoft.Keyvault", "the lake uses its customer-managed key");
        assert.equal(lake.encryption.keyVaultProperties.keyName, one(plan, T.key, "lake-keys-lake-cmk").inputs.keyName);
    });

    it("soft-deletes blobs and containers in every account, versions the flat-namespace ones only, and keeps every container private", () => {
        for (const a of ofType(plan, T.account)) {
            const service = ofType(plan, T.blobService).find((b) => b.inputs.accountName === a.inputs.accountName);
            assert.ok(service, `no blob service properties for ${a.urn}`);
            // ADLS Gen2 (the lake) supports neither versioning nor change feed; flat accounts have both.
            assert.equal(service.inputs.isVersioningEnabled, a.inputs.isHnsEnabled ? undefined : true, a.urn);
            assert.equal(service.inputs.changeFeed?.enabled, a.inputs.isHnsEnabled ? undefined : true, a.urn);
            assert.equal(service.inputs.deleteRetentionPolicy.enabled, true, a.urn);
            assert.ok(service.inputs.deleteRetentionPolicy.days >= 7, a.urn);
            assert.equal(service.inputs.containerDeleteRetentionPolicy.enabled, true, a.urn);
        }
        for (const c of ofType(plan, T.container)) assert.equal(c.inputs.publicAccess, "None", c.urn);
        assert.equal(one(plan, T.account, "lake-account").inputs.isHnsEnabled, true);
    });

    it("uses RBAC key vaults with soft delete and purge protection and no public network access", () => {
        for (const v of ofType(plan, T.vault)) {
            const p = v.inputs.properties;
            assert.deepEqual(
                [
                    p.enableRbacAuthorization,
                    p.enableSoftDelete,
                    p.enablePurgeProtection,
                    p.publicNetworkAccess,
                    p.networkAcls.defaultAction,
                ],
                [true, true, true, "Disabled", "Deny"],
                v.urn,
            );
            assert.equal(p.softDeleteRetentionInDays, prod ? 90 : 7, v.urn);
        }
    });

    it("turns registry admin users and anonymous pull off", () => {
        for (const r of ofType(plan, T.registry)) {
            assert.deepEqual([r.inputs.adminUserEnabled, r.inputs.anonymousPullEnabled], [false, false], r.urn);
            if (prod) {
                assert.equal(r.inputs.sku.name, "Premium", r.urn);
                assert.deepEqual(r.inputs.policies.retentionPolicy, { status: "enabled", days: 7 }, r.urn);
            }
        }
    });

    it("sends the audit trail of vaults, registries, the ML workspace, environments and every storage account to a Log Analytics workspace kept a year", () => {
        const logs = one(plan, T.logs, "monitoring-workspace");
        assert.equal(logs.inputs.retentionInDays, 365);
        const logged = new Set(ofType(plan, T.diagnostics).map((d) => d.inputs.resourceUri));
        for (const d of ofType(plan, T.diagnostics)) assert.equal(d.inputs.workspaceId, logs.id, d.urn);
        for (const type of [T.vault, T.registry, T.mlWorkspace, T.environment, T.synapse]) {
            for (const r of ofType(plan, type)) assert.ok(logged.has(r.id), `${r.urn} has no diagnostic setting`);
        }
        for (const a of ofType(plan, T.account))
            assert.ok(logged.has(`${a.id}/blobServices/default`), `${a.urn}: blob reads/writes/deletes are not logged`);
    });

    it("grants only narrow built-in data roles, at resource scopes, to service principals", () => {
        const allowed = new Set<string>(Object.values(BUILTIN_ROLES));
        // The training pipelines' custom roles (registrar, submitter): Azure ML actions only, no wildcard.
        const custom = ofType(plan, "azure-native:authorization:RoleDefinition");
        for (const d of custom)
            for (const p of d.inputs.permissions)
                for (const action of p.actions)
                    assert.doesNotMatch(action, /\*|roleAssignments|Authorization/, `${d.urn} allows ${action}`);
        const customIds = new Set(custom.map((d) => d.id));
        const roles = ofType(plan, T.role);
        assert.ok(roles.length >= 5);
        for (const r of roles) {
            const guid = String(r.inputs.roleDefinitionId).split("/").pop()!;
            assert.ok(
                customIds.has(r.inputs.roleDefinitionId) || (allowed.has(guid) && !BROAD_ROLES.includes(guid)),
                `${r.urn} grants ${guid}`,
            );
            assert.doesNotMatch(
                String(r.inputs.scope),
                /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i,
                `${r.urn} is scoped to a subscription or resource group`,
            );
            assert.equal(r.inputs.principalType, "ServicePrincipal", r.urn);
            assert.match(r.inputs.roleAssignmentName, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, r.urn);
        }
    });

    it("serves every model HTTPS-only with liveness and readiness probes, bounded scaling and alerts", () => {
        const apps = ofType(plan, T.app);
        assert.equal(apps.length, 2);
        for (const a of apps) {
            assert.equal(a.inputs.configuration.ingress.allowInsecure, false, a.urn);
            const scale = a.inputs.template.scale;
            assert.ok(scale.maxReplicas > scale.minReplicas, a.urn);
            for (const c of a.inputs.template.containers) {
                const types = c.probes.map((p: any) => p.type);
                assert.ok(types.includes("Liveness") && types.includes("Readiness"), `${a.urn} ${c.name}: ${types}`);
            }
            const alerts = ofType(plan, T.alert).filter((al) => al.inputs.scopes.includes(a.id));
            assert.deepEqual(alerts.map((al) => al.inputs.criteria.allOf[0].metricName).sort(), ["Requests", "ResponseTime"], a.urn);
        }
        assert.equal(one(plan, T.app, "inference-iris").inputs.template.scale.minReplicas, 0, "serverless inference scales to zero");
        // prod keeps two warm replicas; the dev stack scales its container service to zero too (cheap).
        assert.equal(one(plan, T.app, "serving-iris").inputs.template.scale.minReplicas, prod ? 2 : 0, "replica floor");
    });

    it("fits every physical name to its type's rule", () => {
        for (const [type, input, kind] of NAMED) {
            for (const r of ofType(plan, type)) {
                const name = r.inputs[input];
                assert.ok(
                    isValidAzureName(kind, name),
                    `${r.urn}: ${input} ${JSON.stringify(name)} breaks ${AZURE_NAME_RULES[kind].pattern}`,
                );
            }
        }
    });

    it(`protects and retains every stateful resource only in prod (this stack: ${environment})`, () => {
        const stateful = plan.resources.filter((r) => STATEFUL.includes(r.type));
        assert.ok(stateful.length >= 12);
        for (const r of stateful) assert.deepEqual(r.options, { protect: prod, retainOnDelete: prod }, r.urn);
        const locks = ofType(plan, T.lock);
        if (prod) {
            assert.deepEqual(
                locks.map((l) => [l.inputs.scope, l.inputs.level]),
                [[one(plan, T.account, "lake-account").id, "CanNotDelete"]],
            );
        } else {
            assert.deepEqual(locks, []);
        }
    });

    it("exports the cloud-neutral outputs", () => {
        const o = plan.outputs as any;
        assert.match(o.dataLake.endpoint, /^https:\/\/[a-z0-9]{3,24}\.dfs\.core\.windows\.net\/$/);
        assert.deepEqual(o.dataLake.buckets, { raw: "raw", curated: "curated", features: "features", models: "models" });
        assert.match(o.mlPlatform.trackingUri, /^azureml:\/\//);
        assert.ok(o.mlPlatform.modelRegistry);
        assert.match(o.containerService.endpoints.iris, /^https:\/\/svc-iris\./);
        assert.match(o.serverlessInference.endpoints.iris, /^https:\/\/inf-iris\./);
    });
}

describe("shipped Azure stacks, planned end to end", () => {
    for (const stack of ["azure-dev", "azure-prod"]) {
        const environment = loadStackConfig(ROOT, stack).config["mlops:environment"];
        describe(stack, () => {
            const plan: Plan = { stack, project: "mlops", resources: [], outputs: {} };
            before(async () => Object.assign(plan, await shippedPlan(stack)));
            checkAzureInvariants(plan, environment);
        });
    }

    describe("azure-dev: cheap, scale to zero, no GPU, the sample served with no manual step", () => {
        const plan: Plan = { stack: "azure-dev", project: "mlops", resources: [], outputs: {} };
        before(async () => Object.assign(plan, await shippedPlan("azure-dev")));

        it("serves iris from the pinned public Python image with samples/model mounted from secrets", () => {
            const serve = fs.readFileSync(path.join(ROOT, "samples", "model", "serve.py"), "utf8");
            for (const name of ["serving-iris", "inference-iris"]) {
                const app = one(plan, T.app, name).inputs;
                const [c] = app.template.containers;
                assert.equal(c.image, "python:3.12.12-slim-bookworm");
                assert.deepEqual(c.command, ["python", "/app/serve.py"]);
                assert.deepEqual(c.volumeMounts, [{ volumeName: "model-files", mountPath: "/app" }]);
                assert.equal(app.configuration.secrets.find((s: any) => s.name === "file-serve-py").value, serve);
                assert.equal(app.workloadProfileName, "Consumption", "no GPU in dev");
            }
        });

        it("owns no container registry: the sample serves public images, and the workspace gets Azure ML's on its first image build", () => {
            assert.deepEqual(ofType(plan, T.registry), []);
            assert.equal(one(plan, T.mlWorkspace, "ml-workspace").inputs.containerRegistry, undefined);
            for (const name of ["serving-iris", "inference-iris"])
                assert.equal(one(plan, T.app, name).inputs.configuration.registries, undefined, name);
            assert.deepEqual(
                ofType(plan, T.role).filter((r) => /registry/.test(r.name)),
                [],
            );
        });

        it("uses LRS storage, no Synapse and a training cluster that scales to zero", () => {
            for (const a of ofType(plan, T.account)) assert.equal(a.inputs.sku.name, "Standard_LRS", a.urn);
            assert.deepEqual(ofType(plan, T.synapse), []);
            const scale = one(plan, T.compute, "ml-compute").inputs.properties.properties.scaleSettings;
            assert.equal(scale.minNodeCount, 0);
        });

        it("stays cheap: no network at all, no private endpoints or action group (dev names no notification target)", () => {
            for (const type of ["network:VirtualNetwork", "network:PrivateEndpoint", "privatedns:PrivateZone", "monitor:ActionGroup"])
                assert.equal(ofType(plan, A(type)).length, 0, type);
            for (const name of ["serving-environment", "inference-environment", "pipelines-environment"])
                assert.equal(one(plan, T.environment, name).inputs.vnetConfiguration, undefined, name);
            assert.equal(one(plan, T.mlWorkspace, "ml-workspace").inputs.managedNetwork, undefined);
            for (const a of ofType(plan, T.alert)) assert.equal(a.inputs.actions, undefined, a.name);
        });

        it("opens the lake and events account to every network with Entra ID as the only gate (firewall off: dev's workloads run in no network)", () => {
            for (const name of ["lake-account", "pipelines-events"]) {
                const a = one(plan, T.account, name).inputs;
                assert.deepEqual(
                    [a.publicNetworkAccess, a.networkRuleSet.defaultAction, a.networkRuleSet.ipRules, a.networkRuleSet.virtualNetworkRules],
                    ["Enabled", "Allow", [], undefined],
                    name,
                );
                assert.deepEqual([a.allowSharedKeyAccess, a.allowBlobPublicAccess, a.isLocalUserEnabled], [false, false, false], name);
            }
            // The workspace store keeps its firewall: only the workspace reaches it.
            assert.equal(one(plan, T.account, "ml-store").inputs.networkRuleSet.defaultAction, "Deny");
        });

        describe("with mlops:dataLake.azure.firewall: true", () => {
            let firewalled: Plan;
            before(async () => {
                const loaded = loadStackConfig(ROOT, "azure-dev");
                const lake = JSON.parse(String(loaded.config["mlops:dataLake"]));
                lake.azure = { ...lake.azure, firewall: true };
                const config = { ...loaded.config, "mlops:dataLake": JSON.stringify(lake) };
                const { readStackConfig } = await import("../../stacks/config/read");
                const { buildStack } = await import("../../stacks/build");
                const result = await capture({ project: "mlops", stack: "azure-dev", config }, () => buildStack(readStackConfig()));
                firewalled = { stack: "azure-dev", project: "mlops", resources: result.resources as PlanResource[], outputs: {} };
            });

            it("runs the pipeline jobs in a subnet with the Microsoft.Storage service endpoint that the lake and events account admit", () => {
                const plan = firewalled;
                const vnet = one(plan, A("network:VirtualNetwork"), "pipelines-network-vnet").inputs;
                assert.equal(vnet.virtualNetworkName, "vnet-mlops-azure-dev-pipelines");
                assert.deepEqual(vnet.addressSpace.addressPrefixes, ["10.42.4.0/24"]);
                assert.deepEqual(vnet.subnets, [
                    {
                        name: "jobs",
                        // A /24: a workload-profiles environment needs at least a /27.
                        addressPrefix: "10.42.4.0/24",
                        networkSecurityGroup: { id: "pipelines-network-nsg-id" },
                        delegations: [{ name: "app-environments", serviceName: "Microsoft.App/environments" }],
                        serviceEndpoints: [{ service: "Microsoft.Storage" }],
                    },
                ]);
                const jobsSubnet = "pipelines-network-vnet-id/subnets/jobs";
                const env = one(plan, T.environment, "pipelines-environment").inputs;
                assert.deepEqual(
                    [env.vnetConfiguration, env.zoneRedundant, env.publicNetworkAccess, env.environmentName],
                    [{ infrastructureSubnetId: jobsSubnet, internal: true }, false, "Disabled", "jobs-mlops-azure-dev-vnet"],
                );
                for (const name of ["lake-account", "pipelines-events"]) {
                    const a = one(plan, T.account, name).inputs;
                    assert.deepEqual(
                        [a.publicNetworkAccess, a.networkRuleSet.defaultAction, a.networkRuleSet.bypass, a.networkRuleSet.ipRules],
                        ["Enabled", "Deny", "AzureServices", []],
                        name,
                    );
                    assert.deepEqual(
                        a.networkRuleSet.virtualNetworkRules,
                        [{ virtualNetworkResourceId: jobsSubnet, action: "Allow" }],
                        name,
                    );
                }
                // The lake also admits the ML workspace by resource instance.
                assert.match(
                    one(plan, T.account, "lake-account").inputs.networkRuleSet.resourceAccessRules[0].resourceId,
                    /\/Microsoft\.MachineLearningServices\/workspaces\/mlops-azure-dev-mlw-/,
                );
            });
        });

        it("stops with a config error, before any resource, when azure-native:location is missing", async () => {
            const loaded = loadStackConfig(ROOT, "azure-dev");
            const config = Object.fromEntries(Object.entries(loaded.config).filter(([k]) => k !== "azure-native:location"));
            const { readStackConfig } = await import("../../stacks/config/read");
            const { buildStack } = await import("../../stacks/build");
            let error: unknown;
            const result = await capture({ project: "mlops", stack: "azure-dev", config }, async () => {
                try {
                    await buildStack(readStackConfig());
                } catch (e) {
                    error = e;
                }
            });
            assert.ok(error instanceof ValidationError, String(error));
            assert.match(
                error.message,
                /azure-native:location: is required: every Azure resource of the stack is created in this region \(got nothing \(the key is missing\)\)\. Fix: run `pulumi config set azure-native:location swedencentral`/,
            );
            assert.deepEqual(
                result.resources.map((r) => r.type),
                ["pulumi:pulumi:Stack"],
            );
        });
    });

    describe("azure-prod: accelerated serving, geo-redundant lake, Synapse, protections", () => {
        const plan: Plan = { stack: "azure-prod", project: "mlops", resources: [], outputs: {} };
        before(async () => Object.assign(plan, await shippedPlan("azure-prod")));

        it("serves the model on the serverless T4 GPU profile, with two warm replicas in the container service", () => {
            for (const name of ["serving-environment", "inference-environment"]) {
                assert.deepEqual(
                    one(plan, T.environment, name).inputs.workloadProfiles,
                    [
                        { name: "Consumption", workloadProfileType: "Consumption" },
                        { name: "gpu-t4", workloadProfileType: "Consumption-GPU-NC8as-T4" },
                    ],
                    name,
                );
            }
            for (const name of ["serving-iris", "inference-iris"])
                assert.equal(one(plan, T.app, name).inputs.workloadProfileName, "gpu-t4", name);
            assert.deepEqual(one(plan, T.app, "serving-iris").inputs.template.scale.minReplicas, 2);
        });

        it("keeps the lake geo-redundant and queries it with Synapse (managed VNet, exfiltration protection)", () => {
            assert.match(one(plan, T.account, "lake-account").inputs.sku.name, /^Standard_(RA)?G(Z)?RS$/);
            const syn = one(plan, T.synapse, "lake-query-workspace").inputs;
            assert.deepEqual(
                [
                    syn.managedVirtualNetwork,
                    syn.managedVirtualNetworkSettings.preventDataExfiltration,
                    syn.azureADOnlyAuthentication,
                    syn.publicNetworkAccess,
                ],
                ["default", true, true, "Disabled"],
            );
        });

        it("builds the network: five /24 subnets with security groups, the Container Apps, Functions and pipeline jobs subnets delegated, private DNS zones linked", () => {
            const vnet = one(plan, A("network:VirtualNetwork"), "network-vnet");
            assert.deepEqual(vnet.inputs.addressSpace.addressPrefixes, ["10.42.0.0/16"]);
            const subnets = vnet.inputs.subnets.map((s: any) => [
                s.name,
                s.addressPrefix,
                s.delegations.map((d: any) => d.serviceName).join(),
                s.networkSecurityGroup.id,
            ]);
            assert.deepEqual(subnets, [
                ["endpoints", "10.42.0.0/24", "", "network-nsg-endpoints-id"],
                ["apps-svc", "10.42.1.0/24", "Microsoft.App/environments", "network-nsg-apps-svc-id"],
                ["apps-inf", "10.42.2.0/24", "Microsoft.App/environments", "network-nsg-apps-inf-id"],
                ["functions", "10.42.3.0/24", "Microsoft.App/environments", "network-nsg-functions-id"],
                ["jobs", "10.42.4.0/24", "Microsoft.App/environments", "network-nsg-jobs-id"],
            ]);
            const zones = ofType(plan, A("privatedns:PrivateZone"))
                .filter((z) => z.parent?.endsWith("::network"))
                .map((z) => z.inputs.privateZoneName);
            assert.deepEqual(zones.sort(), [
                "privatelink.api.azureml.ms",
                "privatelink.azurecr.io",
                "privatelink.blob.core.windows.net",
                "privatelink.dev.azuresynapse.net",
                "privatelink.dfs.core.windows.net",
                "privatelink.notebooks.azure.net",
                "privatelink.sql.azuresynapse.net",
                "privatelink.vaultcore.azure.net",
            ]);
            for (const link of ofType(plan, A("privatedns:VirtualNetworkLink")))
                assert.deepEqual([link.inputs.virtualNetwork.id, link.inputs.registrationEnabled], ["network-vnet-id", false], link.name);
        });

        it("gives the lake, both vaults, the ML workspace, its store, both registries and Synapse private endpoints in the endpoints subnet", () => {
            const targets = ofType(plan, A("network:PrivateEndpoint")).map((pe) => {
                assert.equal(pe.inputs.subnet.id, "network-vnet-id/subnets/endpoints", pe.name);
                const c = pe.inputs.privateLinkServiceConnections[0];
                return `${pe.name}:${c.groupIds.join()}`;
            });
            assert.deepEqual(targets.sort(), [
                "lake-blob-endpoint:blob",
                "lake-dfs-endpoint:dfs",
                "lake-vault-endpoint:vault",
                "ml-keys-endpoint:vault",
                "ml-registry-endpoint:registry",
                "ml-store-endpoint:blob",
                "ml-workspace-endpoint:amlworkspace",
                "pipelines-queue-endpoint:queue",
                "serving-registry-endpoint:registry",
                "streams-endpoint:namespace",
                "synapse-dev-endpoint:Dev",
                "synapse-sql-endpoint:SqlOnDemand",
            ]);
            const zonesOf = (name: string) =>
                one(plan, A("network:PrivateDnsZoneGroup"), `${name}-dns`).inputs.privateDnsZoneConfigs.map((z: any) => z.privateDnsZoneId);
            assert.deepEqual(zonesOf("ml-workspace-endpoint"), ["network-dns-aml-api-id", "network-dns-aml-notebooks-id"]);
        });

        it("keeps the lake's public endpoint on, denying all but trusted services, so Event Hubs Capture can write; no pipelines network", () => {
            // Capture writes as a trusted service, not through the private endpoints: Disabled would refuse it.
            const lake = one(plan, T.account, "lake-account").inputs;
            assert.deepEqual(
                [lake.publicNetworkAccess, lake.networkRuleSet.defaultAction, lake.networkRuleSet.bypass, lake.networkRuleSet.ipRules],
                ["Enabled", "Deny", "AzureServices", []],
            );
            assert.equal(lake.networkRuleSet.virtualNetworkRules, undefined);
            assert.ok(one(plan, A("eventhub:EventHub"), "streams-events").inputs.captureDescription.enabled);
            // The jobs reach the lake and the queues through private endpoints: no service endpoint, no subnet rule.
            const jobs = one(plan, A("network:VirtualNetwork"), "network-vnet").inputs.subnets.find((x: any) => x.name === "jobs");
            assert.equal(jobs.serviceEndpoints, undefined);
            assert.equal(one(plan, T.account, "pipelines-events").inputs.networkRuleSet.virtualNetworkRules, undefined);
            assert.deepEqual(
                ofType(plan, A("network:VirtualNetwork")).map((v) => v.name),
                ["network-vnet"],
            );
            assert.equal(one(plan, T.environment, "pipelines-environment").inputs.zoneRedundant, true);
        });

        it("trains in the workspace's managed network, reaching the lake through managed private endpoints, on nodes without public IPs", () => {
            const ws = one(plan, T.mlWorkspace, "ml-workspace").inputs;
            assert.equal(ws.publicNetworkAccess, "Disabled");
            assert.equal(ws.managedNetwork.isolationMode, "AllowInternetOutbound");
            assert.deepEqual(
                Object.entries(ws.managedNetwork.outboundRules).map(([k, r]: [string, any]) => [
                    k,
                    r.type,
                    r.destination.serviceResourceId,
                    r.destination.subresourceTarget,
                ]),
                [
                    ["lake-blob", "PrivateEndpoint", "lake-account-id", "blob"],
                    ["lake-dfs", "PrivateEndpoint", "lake-account-id", "dfs"],
                ],
            );
            assert.equal(one(plan, T.compute, "ml-compute").inputs.properties.properties.enableNodePublicIp, false);
        });

        it("serves privately: both environments internal in their own subnets, with a private zone resolving the apps, and no public IP", () => {
            for (const [role, subnet] of [
                ["serving", "apps-svc"],
                ["inference", "apps-inf"],
            ]) {
                const env = one(plan, T.environment, `${role}-environment`).inputs;
                assert.deepEqual(
                    [env.vnetConfiguration, env.publicNetworkAccess],
                    [{ infrastructureSubnetId: `network-vnet-id/subnets/${subnet}`, internal: true }, "Disabled"],
                    role,
                );
                assert.match(env.environmentName, /-vnet-/, role);
                const record = one(plan, A("privatedns:PrivateRecordSet"), `${role}-environment-dns-wildcard`).inputs;
                assert.deepEqual(
                    [record.relativeRecordSetName, record.recordType, record.aRecords],
                    ["*", "A", [{ ipv4Address: "10.42.1.10" }]],
                );
            }
            assert.equal(ofType(plan, A("app:ContainerAppsAuthConfig")).length, 0, "an internal environment needs no token");
        });

        it("notifies mlops:notifications on every alert through one action group", () => {
            const group = one(plan, A("monitor:ActionGroup"), "alerts-action-group").inputs;
            assert.deepEqual(group.emailReceivers, [
                { name: "email-0", emailAddress: "ml-oncall@example.com", useCommonAlertSchema: true },
            ]);
            assert.deepEqual([group.enabled, group.location, group.groupShortName.length <= 12], [true, "Global", true]);
            const alerts = ofType(plan, T.alert);
            assert.ok(alerts.length >= 4);
            for (const a of alerts) assert.deepEqual(a.inputs.actions, [{ actionGroupId: "alerts-action-group-id" }], a.name);
        });

        it("trains on the catalog's T4 VM size, scaling from zero", () => {
            const p = one(plan, T.compute, "ml-compute").inputs.properties.properties;
            assert.deepEqual([p.vmSize, p.scaleSettings.minNodeCount], ["Standard_NC4as_T4_v3", 0]);
            assert.deepEqual((plan.outputs as any).mlPlatform.training, {
                accelerator: "nvidia-t4",
                acceleratorCount: 1,
                compute: "Standard_NC4as_T4_v3",
                maxNodes: 4,
                spot: true,
            });
        });
    });
});
