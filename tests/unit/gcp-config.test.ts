import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { checkGcpStack, gcpStackInputs } from "../../stacks/config/gcp";
import { parseStackConfig } from "../../stacks/config/parse";
import { StackConfig } from "../../stacks/config/schema";
import { rejectedBuild } from "../harness";

const ROOT = path.resolve(__dirname, "..", "..");
const iris = {
    name: "iris",
    image: "python:3.12.12-slim-bookworm",
    files: "samples/model",
    command: ["python", "/app/serve.py"],
    cpuMillicores: 1000,
    memoryMiB: 512,
};

/** The namespaced config the CLI hands the program: `mlops:` keys as JSON, provider keys as strings. */
function raw(
    values: Record<string, unknown>,
    provider: Record<string, string> = { "gcp:project": "my-project-1", "gcp:region": "us-central1" },
): Record<string, string> {
    return {
        ...provider,
        ...Object.fromEntries(
            Object.entries({ cloud: "gcp", environment: "dev", ...values }).map(([k, v]) => [
                `mlops:${k}`,
                typeof v === "string" ? v : JSON.stringify(v),
            ]),
        ),
    };
}
const parse = (values: Record<string, unknown>, provider?: Record<string, string>): StackConfig =>
    parseStackConfig(raw(values, provider), { project: "mlops", stack: "t", projectRoot: ROOT });

function problems(fn: () => unknown): readonly string[] {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}
function hasProblem(list: readonly string[], ...parts: string[]): void {
    assert.ok(
        list.some((p) => parts.every((part) => p.includes(part))),
        `no problem mentions ${parts.join(" + ")}:\n${list.join("\n")}`,
    );
}

describe("GCP stack config", () => {
    it("fills every GCP default, env-dependent ones from the environment", () => {
        const dev = parse({}).gcp!;
        assert.deepEqual(dev.dataLake, {
            softDeleteRetentionDays: 7,
            accessLogRetentionDays: 90,
            serviceLogRetentionDays: 30,
            keyRotationDays: 90,
        });
        assert.deepEqual(dev.mlPlatform, {
            workbench: true,
            workbenchMachineType: "e2-standard-4",
            workbenchAccelerator: undefined,
            workbenchIdleShutdownMinutes: 60,
            trainingMachineType: "n1-standard-4",
            createMetadataStore: false,
            subnetCidr: "10.20.0.0/24",
            natGateway: false,
        });
        assert.deepEqual(
            { ...dev.containerService },
            {
                ingress: "internal",
                allowUnauthenticated: false,
                invokers: [],
                requestTimeoutSeconds: 300,
                gpuZonalRedundancy: false,
                errorRatePercent: 5,
                latencyP95Ms: 2000,
                registryKeepVersions: 10,
                registryUntaggedDays: 7,
                latencyAlert: false,
            },
        );
        assert.equal(dev.serverlessInference.endpointAccess, "dedicated");
        assert.equal(dev.serverlessInference.functionSource, "samples/gcp/function");
        assert.equal(
            parse({ environment: "prod", notifications: { emails: ["oncall@example.com"] }, models: [{ ...iris, minReplicas: 2 }] }).gcp!
                .containerService.gpuZonalRedundancy,
            true,
            "prod spreads GPUs over zones",
        );
        assert.deepEqual([dev.project, dev.region, dev.zone], ["my-project-1", "us-central1", undefined]);
    });

    it("reads every GCP setting written in the stack file", () => {
        const c = parse({
            mlPlatform: {
                gcp: {
                    workbench: false,
                    workbenchAccelerator: "nvidia-t4",
                    trainingMachineType: "n2-standard-8",
                    natGateway: true,
                    createMetadataStore: true,
                },
            },
            containerService: {
                gcp: { ingress: "internal-and-cloud-load-balancing", allowUnauthenticated: true, invokers: ["group:a@example.com"] },
            },
            serverlessInference: {
                implementation: "vertex-endpoint",
                gcp: { endpointAccess: "private-service-connect", vertexCpuMachineType: "n1-standard-4" },
            },
        }).gcp!;
        assert.deepEqual(c.mlPlatform.workbenchAccelerator, { type: "nvidia-t4", count: 1 });
        assert.deepEqual(
            [c.mlPlatform.workbench, c.mlPlatform.trainingMachineType, c.mlPlatform.natGateway, c.mlPlatform.createMetadataStore],
            [false, "n2-standard-8", true, true],
        );
        assert.deepEqual(
            [c.containerService.ingress, c.containerService.allowUnauthenticated, c.containerService.invokers],
            ["internal-and-cloud-load-balancing", true, ["group:a@example.com"]],
        );
        assert.deepEqual(
            [c.serverlessInference.endpointAccess, c.serverlessInference.vertexCpuMachineType],
            ["private-service-connect", "n1-standard-4"],
        );
    });

    it("fails when GCP settings are unknown, out of range or malformed", () => {
        const list = problems(() =>
            parse(
                {
                    dataLake: { gcp: { softDeleteRetentionDays: 3, keyRotationDays: 365, nope: 1 } },
                    containerService: { gcp: { ingress: "public", invokers: ["allUsers"] } },
                    serverlessInference: { gcp: { endpointAccess: "open" } },
                    models: [{ ...iris, gcp: { anything: true } }],
                },
                { "gcp:project": "My Project", "gcp:region": "uscentral", "gcp:zone": "europe-west1-b" },
            ),
        );
        hasProblem(list, "mlops:dataLake.gcp.softDeleteRetentionDays", "between 7 and 90", "got 3");
        hasProblem(list, "mlops:dataLake.gcp.keyRotationDays", "CIS GCP 1.10");
        hasProblem(list, "mlops:dataLake.gcp.nope", "is not a known key");
        hasProblem(list, "mlops:containerService.gcp.ingress", "Allowed: internal, internal-and-cloud-load-balancing, all");
        hasProblem(list, "mlops:containerService.gcp.invokers[0]", "would make the endpoints public");
        hasProblem(list, "mlops:serverlessInference.gcp.endpointAccess", "Allowed: dedicated, private-service-connect");
        hasProblem(list, "mlops:models[0].gcp.anything", "is not a known key");
        hasProblem(list, "gcp:project", "is not a project ID");
        hasProblem(list, "gcp:region", "is not a Google Cloud region", "did you mean us-central1");
    });

    it("fails when alertEmails is still set, pointing at mlops:notifications.emails, in either serving section", () => {
        const list = problems(() =>
            parse({
                containerService: { gcp: { alertEmails: ["ops@example.com"] } },
                serverlessInference: { gcp: { alertEmails: ["ops@example.com"], latencyP95Ms: 0 } },
            }),
        );
        hasProblem(
            list,
            "mlops:containerService.gcp.alertEmails",
            "has moved to `mlops:notifications.emails`",
            "list the addresses under mlops:notifications.emails",
        );
        hasProblem(list, "mlops:serverlessInference.gcp.alertEmails", "has moved to `mlops:notifications.emails`");
        // Reported once, as moved, not also as an unknown key; other problems are still listed with it.
        assert.equal(list.filter((p) => p.includes("alertEmails")).length, 2, list.join("\n"));
        assert.ok(!list.some((p) => p.includes("alertEmails") && p.includes("not a known key")), list.join("\n"));
        hasProblem(list, "mlops:serverlessInference.gcp.latencyP95Ms", "between 1 and");
    });

    it("fails when metadataStoreName is still set: Experiments and Pipelines only use `default`, which the stack references", () => {
        const list = problems(() => parse({ mlPlatform: { gcp: { metadataStoreName: "mlops-experiments" } } }));
        hasProblem(list, "mlops:mlPlatform.gcp.metadataStoreName", "is no longer read", "named `default`", "createMetadataStore: true");
        assert.equal(list.length, 1, list.join("\n"));
    });

    describe("checkGcpStack: what only the whole config shows, in the one config error", () => {
        it("passes the shipped defaults, and the build derives project, region, zone and the function's handler files", () => {
            const cfg = parse({ serverlessInference: { implementation: "cloud-functions" }, models: [iris] });
            assert.deepEqual(checkGcpStack(cfg), []);
            const inputs = gcpStackInputs(cfg);
            assert.deepEqual([inputs.project, inputs.region, inputs.zone], ["my-project-1", "us-central1", "us-central1-b"]);
            const files = inputs.gcp.serverlessInference.functionFiles ?? {};
            assert.deepEqual(Object.keys(files).sort(), ["main.py", "requirements.txt"]);
            assert.match(files["main.py"], /@functions_framework.http/);
        });

        it("fails when gcp:project or gcp:region is missing, saying how to set them", () => {
            const list = problems(() => parse({}, {}));
            hasProblem(list, "gcp:project", "is required", "pulumi config set gcp:project");
            hasProblem(list, "gcp:region", "is required", "pulumi config set gcp:region");
        });

        it("fails on a region Google Cloud does not have, naming the close ones", () => {
            const list = problems(() => parse({}, { "gcp:project": "my-project-1", "gcp:region": "europe-west5" }));
            hasProblem(list, "gcp:region", "is not a Google Cloud region", "europe-west4", "europe-west6");
            assert.equal(list.length, 1, list.join("\n"));
            hasProblem(
                problems(() => parse({}, { "gcp:project": "my-project-1", "gcp:region": "uscentral1" })),
                "gcp:region",
                "us-central1",
            );
        });

        it("fails when a Cloud Run GPU model is deployed to a region without Cloud Run GPUs", () => {
            const gpu = { ...iris, accelerator: "nvidia-l4", cpuMillicores: 4000, memoryMiB: 16384, serveWith: ["containerService"] };
            const list = problems(() => parse({ models: [gpu] }, { "gcp:project": "my-project-1", "gcp:region": "us-west1" }));
            hasProblem(list, "mlops:models[0].accelerator", 'region "us-west1" has none');
            assert.doesNotThrow(() => parse({ models: [gpu] }, { "gcp:project": "my-project-1", "gcp:region": "europe-west1" }));
        });

        it("fails when a model's CPU, memory or GPU floor does not suit Cloud Run", () => {
            const list = problems(() =>
                parse({
                    models: [
                        { ...iris, cpuMillicores: 500 },
                        { ...iris, name: "gpu", accelerator: "nvidia-l4", cpuMillicores: 2000, memoryMiB: 4096 },
                    ],
                }),
            );
            hasProblem(list, "mlops:models[0].cpuMillicores", "not a CPU size Cloud Run takes");
            hasProblem(list, "mlops:models[1].cpuMillicores", "below the 4 vCPU");
            hasProblem(list, "mlops:models[1].memoryMiB", "below the 16 GiB");
            // Served by both Cloud Run components, each problem is still listed once.
            assert.equal(list.filter((p) => p.startsWith("mlops:models[0].cpuMillicores")).length, 1, list.join("\n"));
        });

        it("accepts TPU v5e on Vertex endpoints, and rejects it on Workbench with the key path", () => {
            const tpu = { ...iris, accelerator: "google-tpu-v5e:4", serveWith: ["serverlessInference"] };
            assert.doesNotThrow(() => parse({ serverlessInference: { implementation: "vertex-endpoint" }, models: [tpu] }));
            const list = problems(() => parse({ mlPlatform: { gcp: { workbenchAccelerator: "google-tpu-v5e" } } }));
            hasProblem(list, "mlops:mlPlatform.gcp.workbenchAccelerator", "not offered on Workbench instances");
        });

        it("fails when the function source has no handler", () => {
            const list = problems(() =>
                parse({
                    serverlessInference: { implementation: "cloud-functions", gcp: { functionSource: "samples/model" } },
                    models: [iris],
                }),
            );
            hasProblem(list, "mlops:serverlessInference.gcp.functionSource", "has no main.py");
            // Said once, at the handler directory: not again for every model's files.
            assert.ok(!list.some((p) => p.startsWith("mlops:models[0].files")), list.join("\n"));
            const missing = problems(() =>
                parse({
                    serverlessInference: { implementation: "cloud-functions", gcp: { functionSource: "no/such/dir" } },
                    models: [iris],
                }),
            );
            hasProblem(missing, "mlops:serverlessInference.gcp.functionSource", "is not a directory in the project");
            // The directory matters only to Cloud Functions.
            assert.doesNotThrow(() => parse({ serverlessInference: { gcp: { functionSource: "no/such/dir" } }, models: [iris] }));
        });

        it("lists a zone outside gcp:region once, at gcp:zone, not again at the Workbench instance's zone", () => {
            const list = problems(() =>
                parse({}, { "gcp:project": "my-project-1", "gcp:region": "us-central1", "gcp:zone": "europe-west1-b" }),
            );
            hasProblem(list, "gcp:zone", "is not a zone of us-central1");
            assert.equal(list.length, 1, list.join("\n"));
        });

        it("lists an accelerator Cloud Functions cannot run once, not again from the component's own check", () => {
            const gpu = { ...iris, accelerator: "nvidia-l4", serveWith: ["serverlessInference"] };
            const list = problems(() => parse({ serverlessInference: { implementation: "cloud-functions" }, models: [gpu] }));
            hasProblem(list, "mlops:models[0].accelerator", "cloud-functions runs on CPU only");
            assert.equal(list.filter((p) => p.startsWith("mlops:models[0].accelerator")).length, 1, list.join("\n"));
            assert.equal(list.length, 1, list.join("\n"));
        });

        it("lists a public invoker, a malformed email and an unpinned image once each", () => {
            const list = problems(() =>
                parse({
                    containerService: { gcp: { invokers: ["allUsers"] } },
                    notifications: { emails: ["not-an-address"] },
                    models: [{ ...iris, image: "python" }],
                }),
            );
            for (const key of ["mlops:containerService.gcp.invokers[0]", "mlops:notifications.emails[0]", "mlops:models[0].image"])
                assert.equal(list.filter((p) => p.startsWith(`${key}:`)).length, 1, `${key}:\n${list.join("\n")}`);
        });

        it("reports what only a component checked before, at the user's keys, with every other problem, and registers nothing", async () => {
            const bad = raw({
                mlPlatform: { gcp: { subnetCidr: "8.8.8.0/24" } },
                containerService: { gcp: { invokers: ["ml-clients@example.com"] } },
                serverlessInference: { gcp: { errorRatePercent: 0 } },
                models: [{ ...iris, env: { PORT: "9000" } }],
            });
            const { message, registered } = await rejectedBuild(
                () => parseStackConfig(bad, { project: "mlops", stack: "t", projectRoot: ROOT }),
                'stack config "t"',
            );
            assert.match(message, /mlops:mlPlatform\.gcp\.subnetCidr: is not a private IPv4 range \(got "8\.8\.8\.0\/24"\)/);
            assert.match(message, /mlops:containerService\.gcp\.invokers\[0\]: is not an IAM member/);
            assert.match(message, /mlops:models\[0\]\.env\.PORT: is set by Cloud Run and may not be given/);
            assert.match(message, /mlops:serverlessInference\.gcp\.errorRatePercent: must be a whole number between 1 and 100/);
            assert.deepEqual(registered, []);
        });

        it("reports the serverless replica keys of a model that Cloud Run serverless inference rejects", () => {
            const list = problems(() => parse({ models: [{ ...iris, cpuMillicores: 3000, serveWith: ["serverlessInference"] }] }));
            hasProblem(list, "mlops:models[0].cpuMillicores", "not a CPU size Cloud Run takes");
        });
    });
});
