import * as assert from "node:assert/strict";
import {
    AZURE_NAME_RULES,
    AzureNameKind,
    NAME_SUFFIX,
    azureNames,
    compactName,
    isValidAzureName,
    namePrefix,
} from "../../components/naming/azure";
import { BUILTIN_ROLES, isBuiltinRole, roleAssignmentGuid, roleDefinitionId } from "../../components/identity/azure-roles";
import { cidrRange, firewallRange, ipRangeBounds, ipRangeIssue, isIpv4Range } from "../../components/network/azure-ip-ranges";

/** Stack names Pulumi allows (letters, digits, '-', '_', '.'), up to the 60 characters the brief tests. */
const STACKS = [
    "dev",
    "azure-prod",
    "a".repeat(60),
    "Team_Alpha.ML-Platform-2026-europe-west-experimental-long-xyz".slice(0, 60),
    "9-starts-with-digit",
    "my.ondemand.stack",
];
/** Model names config allows: 1-24 characters, the longest ones included. */
const MODELS = ["m", "iris", "a".repeat(24), "z9-y8-x7-w6-v5-u4-t3-s2r", "model-ondemand-x"];
const SUFFIXES = ["abc123", "000000", "zzzzzz"];

function assertFits(kind: AzureNameKind, name: string): void {
    assert.ok(
        isValidAzureName(kind, name),
        `${kind} name ${JSON.stringify(name)} (${name.length} characters) breaks the rule ${AZURE_NAME_RULES[kind].pattern} ${AZURE_NAME_RULES[kind].min}-${AZURE_NAME_RULES[kind].max}`,
    );
}

describe("Azure names", () => {
    it("fit every type's rule for the longest stack and model names and any suffix", () => {
        for (const stack of STACKS) {
            const prefix = namePrefix("mlops", stack);
            assertFits("resourceGroup", azureNames.resourceGroup(prefix));
            assertFits("logAnalytics", azureNames.logAnalytics(prefix));
            assertFits("appInsights", azureNames.appInsights(prefix, "ml"));
            assertFits("amlCompute", azureNames.amlCompute());
            for (const role of ["svc", "inf", "svc-1a2b"])
                assertFits("containerAppEnvironment", azureNames.containerAppEnvironment(prefix, role));
            for (const sfx of SUFFIXES) {
                for (const role of ["dl", "ml"]) {
                    assertFits("storageAccount", azureNames.storageAccount(prefix, role, sfx));
                    assertFits("keyVault", azureNames.keyVault(prefix, role, sfx));
                }
                for (const role of ["cs", "ml"]) assertFits("containerRegistry", azureNames.containerRegistry(prefix, role, sfx));
                assertFits("mlWorkspace", azureNames.mlWorkspace(prefix, sfx));
                assertFits("synapseWorkspace", azureNames.synapseWorkspace(prefix, sfx));
                for (const model of MODELS) {
                    assertFits("functionApp", azureNames.functionApp(prefix, model, sfx));
                    assertFits("storageAccount", azureNames.functionStorage(prefix, model, sfx));
                    assertFits("onlineEndpoint", azureNames.onlineEndpoint(prefix, model, sfx));
                }
            }
            for (const model of MODELS) {
                assertFits("appServicePlan", azureNames.appServicePlan(prefix, model));
                for (const role of ["svc", "inf"]) assertFits("containerApp", azureNames.containerApp(role, model));
                for (const role of ["svc-", "inf-", "fn-"])
                    assertFits("userAssignedIdentity", azureNames.identity(prefix, `${role}${model}`));
            }
        }
        assertFits("onlineDeployment", azureNames.onlineDeployment());
    });

    it("end globally unique names with the stack's suffix, so a re-created stack (new suffix) gets new names", () => {
        const prefix = namePrefix("mlops", "azure-dev");
        assert.equal(azureNames.storageAccount(prefix, "dl", "abc123"), "mlopsazuredevdlabc123");
        assert.equal(azureNames.keyVault(prefix, "dl", "abc123").endsWith("-abc123"), true);
        assert.equal(azureNames.containerRegistry(prefix, "cs", "abc123"), "mlopsazuredevcsabc123");
        assert.equal(azureNames.mlWorkspace(prefix, "abc123"), "mlops-azure-dev-mlw-abc123");
        assert.equal(azureNames.synapseWorkspace(prefix, "abc123"), "mlops-azure-dev-syn-abc123");
        for (const build of [
            (s: string) => azureNames.keyVault(prefix, "dl", s),
            (s: string) => azureNames.mlWorkspace(prefix, s),
            (s: string) => azureNames.storageAccount(prefix, "dl", s),
        ]) {
            assert.notEqual(build("abc123"), build("def456"));
        }
    });

    it("keep two long stacks that share a prefix apart (hash of the full name)", () => {
        const a = namePrefix("mlops", `${"x".repeat(40)}-one`);
        const b = namePrefix("mlops", `${"x".repeat(40)}-two`);
        for (const build of [
            (p: string) => azureNames.storageAccount(p, "dl", "abc123"),
            (p: string) => azureNames.keyVault(p, "dl", "abc123"),
            (p: string) => azureNames.containerAppEnvironment(p, "svc"),
        ]) {
            assert.notEqual(build(a), build(b));
        }
        assert.notEqual(
            azureNames.keyVault(a, "dl", "abc123"),
            azureNames.keyVault(a, "ml", "abc123"),
            "the lake's and the ML platform's vaults differ",
        );
    });

    it("never let a Synapse name contain -ondemand, which Synapse rejects", () => {
        const name = azureNames.synapseWorkspace(namePrefix("mlops", "ondemand"), "abc123");
        assert.ok(!name.includes("-ondemand"), name);
        assertFits("synapseWorkspace", name);
    });

    it("start names that need a letter with one, whatever the stack starts with", () => {
        assert.match(namePrefix("9lives", "x"), /^[a-z]/);
        assertFits("keyVault", azureNames.keyVault(namePrefix("9lives", "x"), "dl", "123456"));
        assert.equal(compactName(["Mlops", "Azure-Dev!"], 24), "mlopsazuredev");
        assert.equal(compactName(["a".repeat(30)], 16).length, 16);
    });

    it("rejects names that break a rule", () => {
        assert.equal(isValidAzureName("storageAccount", "Has-Hyphen"), false);
        assert.equal(isValidAzureName("storageAccount", "a".repeat(25)), false);
        assert.equal(isValidAzureName("keyVault", "1starts-with-digit"), false);
        assert.equal(isValidAzureName("keyVault", "double--hyphen"), false);
        assert.equal(isValidAzureName("synapseWorkspace", "ws-ondemand-x"), false);
        assert.equal(isValidAzureName("containerApp", "Upper"), false);
        assert.equal(isValidAzureName("containerRegistry", "abcd"), false);
        assert.match("abc123", NAME_SUFFIX);
        assert.doesNotMatch("ABC123", NAME_SUFFIX);
    });
});

describe("Azure role assignments", () => {
    it("use the built-in roles' fixed GUIDs, at the subscription's role definition path", () => {
        assert.equal(
            roleDefinitionId("sub", "Storage Blob Data Reader"),
            "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        );
        assert.equal(BUILTIN_ROLES.AcrPull, "7f951dda-4ed3-4680-a7ca-43fe172d538d");
        assert.equal(BUILTIN_ROLES["Key Vault Crypto Service Encryption User"], "e147488a-f6f5-4113-8e2d-b22465e65bf6");
        assert.equal(BUILTIN_ROLES["Storage Blob Data Contributor"], "ba92f5b4-2d11-453d-a403-e96b0029c9fe");
        assert.equal(BUILTIN_ROLES["Storage Blob Data Owner"], "b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
    });

    it("never offer Owner, Contributor or User Access Administrator", () => {
        for (const role of ["Owner", "Contributor", "User Access Administrator", "Storage Account Contributor"])
            assert.equal(isBuiltinRole(role), false, role);
    });

    it("are named with a GUID derived from scope, role and principal: stable, and different for any other grant", () => {
        const name = roleAssignmentGuid("/scope/a", "role-1", "principal-1");
        assert.match(name, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(roleAssignmentGuid("/scope/a", "role-1", "principal-1"), name);
        assert.equal(roleAssignmentGuid("/SCOPE/A", "ROLE-1", "PRINCIPAL-1"), name, "Azure IDs are case-insensitive");
        for (const other of [
            roleAssignmentGuid("/scope/b", "role-1", "principal-1"),
            roleAssignmentGuid("/scope/a", "role-2", "principal-1"),
            roleAssignmentGuid("/scope/a", "role-1", "principal-2"),
        ]) {
            assert.notEqual(other, name);
        }
    });
});

describe("IP allow-lists", () => {
    it("accept public addresses and blocks and put them in each service's form", () => {
        for (const range of ["203.0.113.7", "203.0.113.0/24", "8.8.8.8/32"]) assert.equal(ipRangeIssue(range), undefined, range);
        assert.equal(firewallRange("203.0.113.7/32"), "203.0.113.7");
        assert.equal(firewallRange("203.0.113.0/24"), "203.0.113.0/24");
        assert.equal(cidrRange("203.0.113.7"), "203.0.113.7/32");
        assert.deepEqual(ipRangeBounds("203.0.113.0/24"), { start: "203.0.113.0", end: "203.0.113.255" });
        assert.deepEqual(ipRangeBounds("203.0.113.77/30"), { start: "203.0.113.76", end: "203.0.113.79" });
        assert.deepEqual(ipRangeBounds("203.0.113.7"), { start: "203.0.113.7", end: "203.0.113.7" });
    });

    it("refuse malformed, private, catch-all and /31 entries", () => {
        assert.match(ipRangeIssue("300.1.1.1")!.message, /not an IPv4 address/);
        assert.match(ipRangeIssue("1.2.3.4/0")!.message, /not an IPv4 address/);
        assert.match(ipRangeIssue("example.com")!.message, /not an IPv4 address/);
        assert.match(ipRangeIssue("10.1.2.3")!.message, /private or reserved/);
        assert.match(ipRangeIssue("192.168.0.0/16")!.message, /private or reserved/);
        assert.match(ipRangeIssue("203.0.113.6/31")!.message, /\/31/);
        assert.equal(isIpv4Range("1.2.3.4/33"), false);
    });
});
