import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AzureKeyVault } from "../../components/encryption/azure";
import { AzureKeyVaultArgs } from "../../components/encryption/azure-args";
import { AzureWorkloadIdentity } from "../../components/identity/azure";
import { AzureWorkloadIdentityArgs } from "../../components/identity/azure-args";
import { roleAssignmentGuid, roleDefinitionId } from "../../components/identity/azure-roles";
import { AzureAlertRecipients, AzureMonitoring } from "../../components/observability/azure";
import { AzureMonitoringArgs } from "../../components/observability/azure-args";
import { AzureNetwork } from "../../components/network/azure";
import { addressSpaceIssue, subnetPrefixes } from "../../components/network/azure-layout";
import { ValidationError } from "../../components/shared/problems";
import { CapturedResource, captureResources, ofType, only } from "../harness";

const LOGS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => (resolve(v), v)));

async function run(make: () => unknown): Promise<CapturedResource[]> {
    return (await captureResources(make)).resources;
}

async function rejected(make: () => unknown, subject: string): Promise<string> {
    let error: unknown;
    const resources = await run(() => {
        try {
            make();
        } catch (e) {
            error = e;
        }
    });
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.ok(error.message.startsWith(subject), error.message);
    assert.deepEqual(
        resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
        [],
        "nothing is registered on bad arguments",
    );
    return error.message;
}

describe("AzureMonitoring", () => {
    const base: AzureMonitoringArgs = {
        resourceGroupName: "rg",
        location: "swedencentral",
        workspaceName: "mlops-test-logs",
        retentionDays: 365,
        protectData: true,
    };

    it("keeps logs a year by default in an Entra-ID-only workspace, protected and retained when asked", async () => {
        const resources = await run(() => new AzureMonitoring("monitoring", base));
        const ws = only(resources, "azure-native:operationalinsights:Workspace", "monitoring-workspace");
        assert.deepEqual(
            { name: ws.inputs.workspaceName, sku: ws.inputs.sku, retention: ws.inputs.retentionInDays, features: ws.inputs.features },
            {
                name: "mlops-test-logs",
                sku: { name: "PerGB2018" },
                retention: 365,
                features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
            },
        );
        assert.deepEqual(ws.options, { protect: true, retainOnDelete: true });
    });

    it("fails when retention is beyond what Log Analytics keeps queryable, or the name is invalid", async () => {
        const message = await rejected(
            () => new AzureMonitoring("monitoring", { ...base, retentionDays: 3650, workspaceName: "x" }),
            'AzureMonitoring "monitoring" is invalid',
        );
        assert.match(
            message,
            /retentionDays: must be a whole number of days from 30 to 730 .* \(got 3650\)\. Fix: set mlops:dataLake\.auditLogRetentionDays to at most 730 on Azure/,
        );
        assert.match(message, /workspaceName: is not a valid Log Analytics workspace name/);
    });
});

describe("AzureKeyVault", () => {
    const base: AzureKeyVaultArgs = {
        resourceGroupName: "rg",
        location: "swedencentral",
        vaultName: "mlops-test-kv-abc123",
        tenantId: "tenant",
        logAnalyticsWorkspaceId: LOGS,
        keyNames: ["lake-cmk"],
        protectData: false,
    };

    it("opens public network access only to the allow-list, still denying everything else", async () => {
        const resources = await run(() => new AzureKeyVault("keys", { ...base, allowedIpRanges: ["203.0.113.7/32", "198.51.100.0/24"] }));
        const props = only(resources, "azure-native:keyvault:Vault").inputs.properties;
        assert.equal(props.publicNetworkAccess, "Enabled");
        assert.deepEqual(props.networkAcls, {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [{ value: "203.0.113.7" }, { value: "198.51.100.0/24" }],
        });
    });

    it("creates wrap/unwrap-only RSA keys that rotate before they expire, and exports their IDs", async () => {
        let vault: AzureKeyVault | undefined;
        const resources = await run(
            () => (vault = new AzureKeyVault("keys", { ...base, keyRotationDays: 30, keyExpiryDays: 180, keySizeBits: 4096 })),
        );
        const key = only(resources, "azure-native:keyvault:Key", "keys-lake-cmk").inputs;
        assert.deepEqual(key.properties, {
            kty: "RSA",
            keySize: 4096,
            keyOps: ["wrapKey", "unwrapKey"],
            rotationPolicy: {
                attributes: { expiryTime: "P180D" },
                lifetimeActions: [
                    { trigger: { timeAfterCreate: "P30D" }, action: { type: "rotate" } },
                    { trigger: { timeBeforeExpiry: "P30D" }, action: { type: "notify" } },
                ],
            },
        });
        assert.deepEqual(await valueOf(vault!.keyIds), { "lake-cmk": "keys-lake-cmk-id" });
        assert.equal(await valueOf(vault!.vaultUri), "https://mlops-test-kv-abc123.vault.azure.net/");
    });

    it("protects the vault and keys in prod", async () => {
        const resources = await run(() => new AzureKeyVault("keys", { ...base, protectData: true }));
        for (const r of [...ofType(resources, "azure-native:keyvault:Vault"), ...ofType(resources, "azure-native:keyvault:Key")])
            assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
    });

    it("ignores changes to the soft-delete retention, which Azure refuses to change after creation", async () => {
        const seen: Record<string, pulumi.ResourceOptions> = {};
        const record: pulumi.ResourceTransformation = (a) => ((seen[a.type] = a.opts), undefined);
        await run(() => new AzureKeyVault("keys", base, { transformations: [record] }));
        assert.deepEqual(seen["azure-native:keyvault:Vault"].ignoreChanges, ["properties.softDeleteRetentionInDays"]);
        assert.equal(seen["azure-native:keyvault:Key"].ignoreChanges, undefined, "keys keep every change");
    });

    it("fails when the vault name or soft delete retention is invalid", async () => {
        const message = await rejected(
            () => new AzureKeyVault("keys", { ...base, vaultName: "a-very-long-key-vault-name-x", softDeleteRetentionDays: 3 }),
            'AzureKeyVault "keys" is invalid',
        );
        assert.match(message, /vaultName: is not a valid key vault name/);
        assert.match(message, /softDeleteRetentionDays: must be a whole number of days from 7 to 90/);
    });
});

describe("AzureWorkloadIdentity", () => {
    const base: AzureWorkloadIdentityArgs = {
        resourceGroupName: "rg",
        location: "swedencentral",
        identityName: "mlops-test-svc-iris",
        subscriptionId: "sub",
        grants: [
            { label: "registry", scope: "/acr", role: "AcrPull" },
            { label: "models", scope: "/lake/containers/models", role: "Storage Blob Data Reader" },
        ],
    };

    it("grants each role at its scope to the identity, with a stable GUID name", async () => {
        const resources = await run(() => new AzureWorkloadIdentity("app", base));
        assert.equal(
            only(resources, "azure-native:managedidentity:UserAssignedIdentity", "app-identity").inputs.resourceName,
            "mlops-test-svc-iris",
        );
        const acr = only(resources, "azure-native:authorization:RoleAssignment", "app-registry").inputs;
        const definition = roleDefinitionId("sub", "AcrPull");
        assert.deepEqual(acr, {
            scope: "/acr",
            roleDefinitionId: definition,
            principalId: acr.principalId,
            principalType: "ServicePrincipal",
            roleAssignmentName: roleAssignmentGuid("/acr", definition, acr.principalId),
            description: "mlops: AcrPull",
        });
        assert.equal(only(resources, "azure-native:authorization:RoleAssignment", "app-models").inputs.scope, "/lake/containers/models");
    });

    it("protects and retains the identity and its grants only when asked (an identity data depends on)", async () => {
        const custom = (rs: CapturedResource[]) =>
            rs.filter(
                (r) =>
                    r.type === "azure-native:managedidentity:UserAssignedIdentity" ||
                    r.type === "azure-native:authorization:RoleAssignment",
            );
        const kept = custom(await run(() => new AzureWorkloadIdentity("app", { ...base, protectData: true })));
        assert.equal(kept.length, 3);
        for (const r of kept) assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        for (const r of custom(await run(() => new AzureWorkloadIdentity("app", base))))
            assert.deepEqual(r.options, { protect: false, retainOnDelete: false }, r.name);
    });

    it("fails when asked for a broad role such as Owner or Contributor, or a label twice", async () => {
        const message = await rejected(
            () =>
                new AzureWorkloadIdentity("app", {
                    ...base,
                    grants: [
                        { label: "rg", scope: "/subscriptions/sub", role: "Owner" },
                        { label: "rg", scope: "/x", role: "Contributor" },
                    ],
                }),
            'AzureWorkloadIdentity "app" is invalid',
        );
        assert.match(
            message,
            /grants\[0\]\.role: is not a role this platform grants \(got "Owner"\)\. Allowed: Storage Blob Data Contributor, .*Fix: grant a narrow data-plane role/,
        );
        assert.match(message, /grants\[1\]\.role: is not a role this platform grants \(got "Contributor"\)/);
        assert.match(message, /grants\[1\]\.label: must be a unique lowercase label/);
    });
});

describe("AzureAlertRecipients", () => {
    it("sends every alert to each email and webhook with the common alert schema, the webhook URL kept secret", async () => {
        let id: pulumi.Output<string> | undefined;
        const resources = await run(
            () =>
                (id = new AzureAlertRecipients("alerts", {
                    resourceGroupName: "rg",
                    namePrefix: "mlops-azure-production-stack",
                    emails: ["a@example.com", "b@example.com"],
                    webhookUrls: ["https://hooks.example.com/t0ken"],
                    tags: { t: "1" },
                }).actionGroupId),
        );
        const g = only(resources, "azure-native:monitor:ActionGroup", "alerts-action-group").inputs;
        assert.deepEqual(g.emailReceivers, [
            { name: "email-0", emailAddress: "a@example.com", useCommonAlertSchema: true },
            { name: "email-1", emailAddress: "b@example.com", useCommonAlertSchema: true },
        ]);
        // The URL may carry a token: the receivers reach state (and the plan) only as a secret.
        assert.equal(g.webhookReceivers, "[secret]");
        assert.deepEqual([g.enabled, g.location, g.actionGroupName], [true, "Global", "ag-mlops-azure-production-stack"]);
        assert.ok(g.groupShortName.length <= 12, g.groupShortName);
        assert.equal(await valueOf(id!), "alerts-action-group-id");
    });

    it("fails when it would notify nobody, or an address is not one", async () => {
        const message = await rejected(
            () => new AzureAlertRecipients("alerts", { resourceGroupName: "rg", namePrefix: "p", emails: [] }),
            'AzureAlertRecipients "alerts" is invalid',
        );
        assert.match(message, /an action group without receivers notifies nobody/);
        assert.match(
            await rejected(
                () => new AzureAlertRecipients("alerts", { resourceGroupName: "rg", namePrefix: "p", emails: ["oncall"] }),
                "AzureAlertRecipients",
            ),
            /emails\[0\]: is not an email address/,
        );
    });
});

describe("AzureNetwork and its address plan", () => {
    it("cuts four /24 subnets from the start of the address space", () => {
        assert.deepEqual(subnetPrefixes("172.20.16.0/20"), {
            endpoints: "172.20.16.0/24",
            "apps-svc": "172.20.17.0/24",
            "apps-inf": "172.20.18.0/24",
            functions: "172.20.19.0/24",
        });
    });

    it("accepts private /16 to /22 blocks only", () => {
        assert.equal(addressSpaceIssue("10.42.0.0/16"), undefined);
        assert.equal(addressSpaceIssue("192.168.4.0/22"), undefined);
        assert.match(addressSpaceIssue("192.168.4.0/23")!.message, /is a \/23/);
        assert.match(addressSpaceIssue("172.32.0.0/16")!.message, /not a private/);
        assert.match(addressSpaceIssue("10.42.0.1/16")!.message, /boundary/);
        assert.match(addressSpaceIssue("10.42.0.0")!.message, /not an IPv4 CIDR block/);
    });

    it("delegates the app subnets, puts a security group on each, and links every private zone to the network", async () => {
        const resources = await run(
            () => new AzureNetwork("net", { resourceGroupName: "rg", location: "swedencentral", namePrefix: "mlops-t" }),
        );
        const vnet = only(resources, "azure-native:network:VirtualNetwork", "net-vnet").inputs;
        assert.deepEqual(
            vnet.subnets.map((s: any) => [s.name, s.delegations.map((d: any) => d.serviceName), s.networkSecurityGroup.id]),
            [
                ["endpoints", [], "net-nsg-endpoints-id"],
                ["apps-svc", ["Microsoft.App/environments"], "net-nsg-apps-svc-id"],
                ["apps-inf", ["Microsoft.App/environments"], "net-nsg-apps-inf-id"],
                ["functions", ["Microsoft.App/environments"], "net-nsg-functions-id"],
            ],
        );
        const zones = ofType(resources, "azure-native:privatedns:PrivateZone").map((z) => z.inputs.privateZoneName);
        assert.ok(!zones.some((z) => z.includes("synapse")), "Synapse zones only with the query engine");
        assert.equal(ofType(resources, "azure-native:privatedns:VirtualNetworkLink").length, zones.length);
    });

    it("fails when the address space is too small for its subnets", async () => {
        assert.match(
            await rejected(
                () =>
                    new AzureNetwork("net", {
                        resourceGroupName: "rg",
                        location: "swedencentral",
                        namePrefix: "p",
                        addressSpace: "10.0.0.0/24",
                    }),
                'AzureNetwork "net" is invalid',
            ),
            /addressSpace: is a \/24/,
        );
    });
});
