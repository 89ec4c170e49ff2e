import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../../stacks/config/parse";
import { AZURE_KEYS, lakeFirewall } from "../../stacks/config/azure";
import { rejectedBuild } from "../harness";
import { StackConfig } from "../../stacks/config/schema";

const ROOT = path.resolve(__dirname, "..", "..");
const model = { name: "iris", image: "registry.example/iris:1.0" };
const CLIENT = "11111111-2222-4333-8444-555555555555";
const oncall = { notifications: { emails: ["oncall@example.com"] } };

/** The namespaced map the CLI hands the program: `mlops:` keys as JSON, provider keys as given. */
function raw(
    values: Record<string, unknown>,
    provider: Record<string, string> = { "azure-native:location": "swedencentral" },
): Record<string, string> {
    return {
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`mlops:${k}`, typeof v === "string" ? v : JSON.stringify(v)])),
        ...provider,
    };
}

function parse(values: Record<string, unknown>, provider?: Record<string, string>): StackConfig {
    return parseStackConfig(raw({ cloud: "azure", environment: "dev", ...values }, provider), {
        project: "mlops",
        stack: "t",
        projectRoot: ROOT,
    });
}

function problemsOf(values: Record<string, unknown>, provider?: Record<string, string>): readonly string[] {
    try {
        parse(values, provider);
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected ValidationError, got ${e}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

function hasProblem(problems: readonly string[], ...parts: string[]): void {
    assert.ok(
        problems.some((p) => parts.every((part) => p.includes(part))),
        `no problem mentions ${parts.join(" + ")}:\n${problems.join("\n")}`,
    );
}

describe("Azure stack config (mlops:<section>.azure, azure-native:location)", () => {
    it("fills cheap defaults in dev", () => {
        const az = parse({ models: [model] }).azure!;
        assert.equal(az.location, "swedencentral");
        assert.deepEqual(az.dataLake, { replication: "LRS", softDeleteRetentionDays: 7, allowedIpRanges: [], queryAllowedIpRanges: [] });
        assert.deepEqual(az.mlPlatform, {
            publicNetworkAccess: false,
            cpuVmSize: "Standard_DS3_v2",
            idleSecondsBeforeScaleDown: 120,
            registrySku: "Basic",
            untaggedRetentionDays: 7,
            privateNetwork: false,
            networkAddressSpace: "10.42.0.0/16",
        });
        assert.deepEqual(az.containerService, {
            registrySku: "Basic",
            untaggedRetentionDays: 7,
            externalIngress: true,
            publicIngress: false,
            authClientId: undefined,
            allowedIpRanges: [],
        });
        assert.deepEqual(az.serverlessInference, {
            externalIngress: true,
            publicIngress: false,
            authClientId: undefined,
            allowedIpRanges: [],
            endpointAuthMode: "key",
            endpointInstanceType: "Standard_DS3_v2",
            functionsInstanceMemoryMB: 2048,
            functionsPythonVersion: "3.12",
        });
        assert.deepEqual(az.models, [{ scoringPath: "/predict" }]);
    });

    it("defaults prod to geo-redundant storage, longer soft delete and Premium registries", () => {
        const az = parse({ environment: "prod", notifications: { emails: ["oncall@example.com"] } }).azure!;
        assert.equal(az.dataLake.replication, "GRS");
        // The network is on in prod, and serving stays inside it.
        assert.equal(az.mlPlatform.privateNetwork, true);
        assert.equal(az.containerService.publicIngress, false);
        assert.equal(az.dataLake.softDeleteRetentionDays, 30);
        assert.equal(az.mlPlatform.registrySku, "Premium");
        assert.equal(az.containerService.registrySku, "Premium");
        assert.equal(parse({ environment: "staging" }).azure!.dataLake.replication, "ZRS");
    });

    it("turns the lake's firewall off in dev without the private network, and on in prod or with the network", () => {
        const dev = parse({});
        assert.equal(lakeFirewall(dev), false);
        assert.equal(lakeFirewall(parse({ mlPlatform: { azure: { privateNetwork: true } } })), true);
        assert.equal(lakeFirewall(parse({ dataLake: { azure: { firewall: true } } })), true);
    });

    it("refuses firewall: false with the private network or in prod, and IP ranges without the firewall, in one error", async () => {
        const { error, registered } = await rejectedBuild(
            () =>
                parse({
                    dataLake: { azure: { firewall: false, allowedIpRanges: ["203.0.113.7"] } },
                    mlPlatform: { azure: { privateNetwork: true } },
                }),
            'stack config "t"',
        );
        hasProblem(
            error.problems,
            "mlops:dataLake.azure.firewall:",
            "cannot be false with mlops:mlPlatform.azure.privateNetwork",
            "private endpoints",
        );
        hasProblem(error.problems, "mlops:dataLake.azure.allowedIpRanges:");
        assert.deepEqual(registered, [], "nothing is registered before the config error");
        const { error: inDev } = await rejectedBuild(
            () => parse({ dataLake: { azure: { allowedIpRanges: ["203.0.113.7"] } } }),
            'stack config "t"',
        );
        hasProblem(inDev.problems, "mlops:dataLake.azure.allowedIpRanges:", "has no effect with firewall: false", "firewall: true");
        assert.equal(inDev.problems.length, 1, inDev.problems.join("\n"));
        const inProd = problemsOf({
            environment: "prod",
            dataLake: { azure: { firewall: false } },
            mlPlatform: { azure: { privateNetwork: false } },
        });
        hasProblem(inProd, "mlops:dataLake.azure.firewall:", "is refused in prod", "default action Deny");
    });

    it("reads every key it documents", () => {
        const az = parse({
            dataLake: {
                azure: {
                    replication: "GZRS",
                    softDeleteRetentionDays: 90,
                    firewall: true,
                    // allowedIpRanges has no effect with the network (private endpoints): read below without it.
                    queryAllowedIpRanges: ["203.0.113.0/24"],
                },
            },
            mlPlatform: {
                azure: {
                    publicNetworkAccess: true,
                    cpuVmSize: "Standard_D4s_v5",
                    idleSecondsBeforeScaleDown: 600,
                    registry: true,
                    registrySku: "Standard",
                    untaggedRetentionDays: 30,
                    privateNetwork: true,
                    networkAddressSpace: "172.20.0.0/20",
                },
            },
            containerService: {
                azure: {
                    registry: false,
                    registrySku: "Premium",
                    untaggedRetentionDays: 14,
                    externalIngress: false,
                    publicIngress: true,
                    authClientId: CLIENT,
                    allowedIpRanges: ["198.51.100.1"],
                },
            },
            serverlessInference: {
                implementation: "azureml-endpoint",
                azure: {
                    externalIngress: false,
                    publicIngress: true,
                    authClientId: CLIENT,
                    allowedIpRanges: [],
                    endpointAuthMode: "aadToken",
                    endpointInstanceType: "Standard_F4s_v2",
                    functionsInstanceMemoryMB: 4096,
                    functionsPythonVersion: "3.11",
                },
            },
            models: [{ ...model, azure: { scoringPath: "/v1/models/iris:predict" } }],
        }).azure!;
        assert.deepEqual(az.dataLake, {
            replication: "GZRS",
            softDeleteRetentionDays: 90,
            firewall: true,
            allowedIpRanges: [],
            queryAllowedIpRanges: ["203.0.113.0/24"],
        });
        // In dev the firewall is off unless turned on: IP ranges need it.
        assert.deepEqual(
            parse({ dataLake: { azure: { firewall: true, allowedIpRanges: ["203.0.113.7"] } } }).azure!.dataLake.allowedIpRanges,
            ["203.0.113.7"],
        );
        assert.deepEqual(az.mlPlatform, {
            publicNetworkAccess: true,
            cpuVmSize: "Standard_D4s_v5",
            idleSecondsBeforeScaleDown: 600,
            registry: true,
            registrySku: "Standard",
            untaggedRetentionDays: 30,
            privateNetwork: true,
            networkAddressSpace: "172.20.0.0/20",
        });
        assert.deepEqual(az.containerService, {
            registry: false,
            registrySku: "Premium",
            untaggedRetentionDays: 14,
            externalIngress: false,
            publicIngress: true,
            authClientId: CLIENT,
            allowedIpRanges: ["198.51.100.1"],
        });
        assert.deepEqual(az.serverlessInference, {
            externalIngress: false,
            publicIngress: true,
            authClientId: CLIENT,
            allowedIpRanges: [],
            endpointAuthMode: "aadToken",
            endpointInstanceType: "Standard_F4s_v2",
            functionsInstanceMemoryMB: 4096,
            functionsPythonVersion: "3.11",
        });
        assert.deepEqual(az.models, [{ scoringPath: "/v1/models/iris:predict" }]);
        assert.deepEqual(Object.keys(AZURE_KEYS), ["dataLake", "mlPlatform", "containerService", "serverlessInference", "model"]);
    });

    it("fails when azure-native:location is missing", () => {
        hasProblem(problemsOf({}, {}), "azure-native:location", "is required", "pulumi config set azure-native:location");
    });

    it("fails when azure-native:location is not a region name", () => {
        hasProblem(
            problemsOf({}, { "azure-native:location": "sweden/central" }),
            "azure-native:location",
            '"sweden/central"',
            "pulumi config set azure-native:location",
        );
    });

    it("fails when a prod lake is not geo-redundant", () => {
        hasProblem(
            problemsOf({ environment: "prod", dataLake: { azure: { replication: "LRS" } } }),
            "mlops:dataLake.azure.replication",
            '"LRS"',
            "Allowed: GRS, RAGRS, GZRS, RAGZRS",
            "CKV_AZURE_206",
        );
    });

    it("fails with every bad value listed at once", () => {
        const problems = problemsOf({
            dataLake: { azure: { replication: "XRS", softDeleteRetentionDays: 3, allowedIpRanges: ["10.0.0.0/8"], color: "blue" } },
            mlPlatform: { azure: { cpuVmSize: "huge", idleSecondsBeforeScaleDown: 10, registrySku: "Gold" } },
            containerService: { azure: { untaggedRetentionDays: 400, externalIngress: "maybe" } },
            serverlessInference: {
                azure: {
                    endpointAuthMode: "password",
                    functionsInstanceMemoryMB: 1024,
                    functionsPythonVersion: "2.7",
                    allowedIpRanges: ["x"],
                },
            },
            models: [{ ...model, azure: { scoringPath: "predict", gpu: true } }],
        });
        hasProblem(problems, "mlops:dataLake.azure.replication", '"XRS"', "Allowed: LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS");
        hasProblem(problems, "mlops:dataLake.azure.softDeleteRetentionDays", "between 7 and 365");
        hasProblem(problems, "mlops:dataLake.azure.allowedIpRanges[0]", "private or reserved");
        hasProblem(problems, "mlops:dataLake.azure.color", "not a known key");
        hasProblem(problems, "mlops:mlPlatform.azure.cpuVmSize", "Azure VM size");
        hasProblem(problems, "mlops:mlPlatform.azure.idleSecondsBeforeScaleDown", "between 60 and 604800");
        hasProblem(problems, "mlops:mlPlatform.azure.registrySku", "Allowed: Basic, Standard, Premium");
        hasProblem(problems, "mlops:containerService.azure.untaggedRetentionDays", "between 0 and 365");
        hasProblem(problems, "mlops:containerService.azure.externalIngress", "true or false");
        hasProblem(problems, "mlops:serverlessInference.azure.endpointAuthMode", "Allowed: key, aadToken");
        hasProblem(problems, "mlops:serverlessInference.azure.functionsInstanceMemoryMB", "Allowed: 512, 2048, 4096");
        hasProblem(problems, "mlops:serverlessInference.azure.functionsPythonVersion", "Allowed: 3.10, 3.11, 3.12");
        hasProblem(problems, "mlops:serverlessInference.azure.allowedIpRanges[0]", "not an IPv4 address");
        hasProblem(problems, "mlops:models[0].azure.scoringPath", "a path starting with /");
        hasProblem(problems, "mlops:models[0].azure.gpu", "not a known key");
    });

    it("fails when a model's accelerator is one its Azure service does not offer, naming what it offers", () => {
        hasProblem(
            problemsOf({ models: [{ ...model, accelerator: "nvidia-l4" }] }),
            "mlops:models[0].accelerator",
            "container-apps",
            "nvidia-t4",
        );
        hasProblem(
            problemsOf({
                serverlessInference: { implementation: "functions" },
                models: [{ ...model, accelerator: "nvidia-t4", serveWith: ["serverlessInference"] }],
            }),
            "mlops:models[0].accelerator",
            "functions runs on CPU only",
        );
    });

    it("fails when the network's address space is not a private /16 to /22 block", () => {
        hasProblem(
            problemsOf({ mlPlatform: { azure: { networkAddressSpace: "10.42.0.0/24" } } }),
            "mlops:mlPlatform.azure.networkAddressSpace",
            "is a /24",
            "/16 to /22",
        );
        hasProblem(
            problemsOf({ mlPlatform: { azure: { networkAddressSpace: "20.42.0.0/16" } } }),
            "mlops:mlPlatform.azure.networkAddressSpace",
            "not a private (RFC 1918) range",
        );
        hasProblem(
            problemsOf({ mlPlatform: { azure: { networkAddressSpace: "10.42.1.0/16" } } }),
            "mlops:mlPlatform.azure.networkAddressSpace",
            "boundary",
            "write 10.42.0.0/16",
        );
    });

    it("refuses, without the private network but with the lake's firewall, an address space whose fifth /24 (the pipelines' jobs subnet) does not exist, with the other problems, building nothing", async () => {
        const job = {
            name: "iris-etl",
            image: "python:3.12.12-slim-bookworm",
            command: ["python", "/app/etl.py"],
            files: "samples/jobs",
            source: "raw/iris/",
            target: "curated/iris/",
            schedule: "0 3 * * *",
            onArrival: true,
        };
        const values = {
            models: [model],
            pipelines: { implementation: "container-apps-jobs", jobs: [job] },
            mlPlatform: { azure: { networkAddressSpace: "10.42.0.0/22" } },
            dataLake: { azure: { softDeleteRetentionDays: 3, firewall: true } },
        };
        const { error, registered } = await rejectedBuild(() => parse(values), 'stack config "t"');
        assert.deepEqual(registered, []);
        hasProblem(error.problems, "mlops:mlPlatform.azure.networkAddressSpace:", "fifth /24", "/21 or larger", '(got "10.42.0.0/22")');
        hasProblem(error.problems, "mlops:dataLake.azure.softDeleteRetentionDays");
        assert.equal(error.problems.length, 2, error.problems.join("\n"));
        // Without pipeline jobs there is no pipelines network, and a /22 is fine.
        assert.equal(parse({ ...values, pipelines: {}, dataLake: {} }).azure!.mlPlatform.networkAddressSpace, "10.42.0.0/22");
    });

    it("fails when publicIngress is set without a network, or authClientId is not a client ID", () => {
        const problems = problemsOf({ containerService: { azure: { publicIngress: true, authClientId: "my-app" } } });
        hasProblem(
            problems,
            "mlops:containerService.azure.publicIngress",
            "has no effect without a network",
            "mlops:mlPlatform.azure.privateNetwork: true",
        );
        hasProblem(problems, "mlops:containerService.azure.authClientId", "app registration");
    });

    describe("prod serving is private or authenticated", () => {
        const prod = (values: Record<string, unknown>) =>
            parse({
                environment: "prod",
                ...oncall,
                models: [{ ...model, serveWith: ["containerService", "serverlessInference"] }],
                ...values,
            });
        const stackProblems = (values: Record<string, unknown>): readonly string[] => {
            try {
                prod(values);
            } catch (e) {
                assert.ok(e instanceof ValidationError);
                return e.problems;
            }
            return [];
        };

        it("passes with the defaults: the network is on and the environments are internal", () => {
            assert.deepEqual(stackProblems({}), []);
        });

        it("passes when a public environment requires an Entra ID token", () => {
            assert.deepEqual(
                stackProblems({
                    containerService: { azure: { publicIngress: true, authClientId: CLIENT } },
                    serverlessInference: { azure: { publicIngress: true, authClientId: CLIENT } },
                }),
                [],
            );
        });

        it("passes in dev without authentication (documented: dev is public unless restricted)", () => {
            assert.doesNotThrow(() => parse({ models: [model] }));
        });

        it("fails when prod opens the environment without authentication", () => {
            const problems = stackProblems({ containerService: { azure: { publicIngress: true } } });
            assert.equal(problems.length, 1);
            hasProblem(
                problems,
                "mlops:containerService.azure.authClientId",
                "is required",
                "publicIngress: true",
                "Entra ID app registration",
            );
        });

        it("fails when prod turns the network off with external ingress and no authentication, for both Container Apps roles", () => {
            const problems = stackProblems({ mlPlatform: { azure: { privateNetwork: false } } });
            hasProblem(problems, "mlops:containerService.azure.authClientId", "privateNetwork: false");
            hasProblem(problems, "mlops:serverlessInference.azure.authClientId", "privateNetwork: false");
        });

        it("passes when the serverless implementation authenticates by itself (Azure ML endpoint keys)", () => {
            const problems = stackProblems({
                mlPlatform: { azure: { privateNetwork: false } },
                containerService: { azure: { externalIngress: false } },
                serverlessInference: { implementation: "azureml-endpoint" },
            });
            assert.deepEqual(problems, []);
        });
    });
    describe("component checks run on the build's args, at the keys the user wrote", () => {
        it("refuses a region that does not exist, naming close ones, and accepts display names", () => {
            const problems = problemsOf({}, { "azure-native:location": "westeurop" });
            hasProblem(problems, "azure-native:location", "is not an Azure region", "westeurope");
            assert.equal(parse({ models: [model] }, { "azure-native:location": "West Europe" }).azure!.location, "West Europe");
            hasProblem(problemsOf({}, { "azure-native:location": "mars" }), "azure-native:location", "swedencentral");
        });

        it("reports audit retention Log Analytics cannot keep and lake IP rules private endpoints ignore, together, and builds nothing", async () => {
            const values = {
                environment: "prod",
                ...oncall,
                models: [model],
                dataLake: { auditLogRetentionDays: 1000, azure: { allowedIpRanges: ["203.0.113.7"] } },
            };
            const { error, registered } = await rejectedBuild(() => parse(values), 'stack config "t"');
            assert.deepEqual(registered, []);
            hasProblem(error.problems, "mlops:dataLake.auditLogRetentionDays", "from 30 to 730", "(got 1000)");
            hasProblem(error.problems, "mlops:dataLake.azure.allowedIpRanges", "has no effect with privateEndpoints");
            assert.equal(new Set(error.problems).size, error.problems.length);
        });

        it("reports a model too big for its Container Apps profile at the model, with a serverless problem elsewhere", async () => {
            const { error, registered } = await rejectedBuild(
                () =>
                    parse({
                        models: [
                            { ...model, name: "small", serveWith: ["serverlessInference"] },
                            { ...model, name: "big", cpuMillicores: 8000, serveWith: ["containerService"] },
                        ],
                        serverlessInference: { implementation: "functions" },
                        containerService: { azure: { registrySku: "Premium" } },
                        mlPlatform: { azure: { privateNetwork: true }, training: { maxNodes: 4 } },
                        dataLake: { azure: { allowedIpRanges: ["198.51.100.9"] } },
                    }),
                'stack config "t"',
            );
            assert.deepEqual(registered, []);
            hasProblem(error.problems, "mlops:models[1]:", "more than the Consumption profile gives");
            hasProblem(error.problems, "mlops:dataLake.azure.allowedIpRanges", "has no effect with privateEndpoints");
            assert.equal(error.problems.length, 2, error.problems.join("\n"));
        });

        it("lists a bad allow-list entry once, although the lake checks it too", () => {
            const problems = problemsOf({ models: [model], dataLake: { azure: { allowedIpRanges: ["10.0.0.1"] } } });
            assert.equal(problems.filter((p) => p.includes("mlops:dataLake.azure.allowedIpRanges[0]")).length, 1, problems.join("\n"));
        });
    });
});
