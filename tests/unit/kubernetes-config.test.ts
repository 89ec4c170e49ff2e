import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { namePrefix, namespaceName } from "@mlops/components/kubernetes-args";
import { buildKubernetesStack } from "../../stacks/clouds/kubernetes";
import {
    checkKubernetesStack,
    knativeInferenceArgs,
    kubernetesContainerServiceArgs,
    minioDataLakeArgs,
} from "../../stacks/config/kubernetes";
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

/** The namespaced config the CLI hands the program: `mlops:` keys as JSON. */
function raw(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries({ cloud: "kubernetes", environment: "dev", ...values }).map(([k, v]) => [
            `mlops:${k}`,
            typeof v === "string" ? v : JSON.stringify(v),
        ]),
    );
}
const parse = (values: Record<string, unknown>): StackConfig =>
    parseStackConfig(raw(values), { project: "mlops", stack: "t", projectRoot: ROOT });

function problemsOf(values: Record<string, unknown>): readonly string[] {
    try {
        parse(values);
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}
function has(list: readonly string[], ...parts: string[]): void {
    assert.ok(
        list.some((p) => parts.every((part) => p.includes(part))),
        `no problem mentions ${parts.join(" + ")}:\n${list.join("\n")}`,
    );
}
/** Problems whose key path is exactly `key`. */
const at = (list: readonly string[], key: string) => list.filter((p) => p.startsWith(`${key}: `));

describe("Kubernetes stack config (checkKubernetesStack)", () => {
    it("passes the shipped-style config, and the build's arguments come from the same functions", () => {
        const config = parse({ models: [iris] });
        assert.deepEqual(checkKubernetesStack(config), []);
        assert.equal(minioDataLakeArgs(config).namespace, "mlops-t-lake");
        assert.deepEqual(minioDataLakeArgs(config).clientNamespaces, ["mlops-t-ml", "mlops-t-training"]);
        assert.equal(kubernetesContainerServiceArgs(config)?.models[0].name, "iris");
        assert.equal(knativeInferenceArgs(config)?.namespace, "mlops-t-inference");
        const none = parse({ models: [] });
        assert.equal(kubernetesContainerServiceArgs(none), undefined, "no models served: no container service");
        assert.equal(knativeInferenceArgs(none), undefined);
    });

    it("rejects a client namespace only the components checked before, at the user's key", () => {
        const problems = problemsOf({ models: [iris], containerService: { clientNamespaces: ["Team_A"] } });
        has(problems, 'mlops:containerService.clientNamespaces[0]: is not a valid namespace name (got "Team_A")');
        assert.equal(problems.length, 1, problems.join("\n"));
    });

    it("rejects Knative's reserved ports and env vars at the model's own index", () => {
        const problems = problemsOf({
            models: [
                { ...iris, serveWith: ["containerService"] },
                { ...iris, name: "churn", port: 8012, env: { PORT: "9000" }, serveWith: ["serverlessInference"] },
            ],
        });
        has(problems, "mlops:models[1].port: is reserved by the platform (got 8012)");
        has(problems, 'mlops:models[1].env.PORT: is set by the platform and may not be given (got "9000")');
        assert.equal(problems.length, 2, problems.join("\n"));
    });

    it("rejects a zone the parser admits but MinIO cannot name a bucket after", () => {
        const problems = problemsOf({ dataLake: { zones: ["raw--data", "models"] } });
        has(problems, 'mlops:dataLake.zones[0]: is not a valid bucket name (the zone is the bucket name) (got "raw--data")');
        assert.equal(problems.length, 1, problems.join("\n"));
    });

    it("lists every problem at once, from every section", () => {
        const problems = problemsOf({
            dataLake: { zones: ["xn--raw", "models"], minio: { servers: 1, drivesPerServer: 1 } },
            containerService: { clientNamespaces: ["Bad NS"] },
            serverlessInference: { clientNamespaces: ["ok", "-bad"] },
            models: [{ ...iris, port: 9090 }],
        });
        has(problems, "mlops:dataLake.zones[0]", "is not a valid bucket name");
        has(problems, "mlops:dataLake.minio:", "erasure-coded");
        has(problems, "mlops:containerService.clientNamespaces[0]", "is not a valid namespace name");
        has(problems, "mlops:serverlessInference.clientNamespaces[1]", "is not a valid namespace name");
        has(problems, "mlops:models[0].port", "is reserved by the platform");
        assert.equal(problems.length, 5, problems.join("\n"));
    });

    it("lists a problem the parser and a component both find once", () => {
        const layout = problemsOf({ dataLake: { minio: { servers: 1, drivesPerServer: 1 } } });
        assert.equal(at(layout, "mlops:dataLake.minio").length, 1, layout.join("\n"));
        assert.equal(layout.length, 1, layout.join("\n"));

        const knative = problemsOf({ models: [{ ...iris, accelerator: "nvidia-t4" }] });
        assert.equal(at(knative, "mlops:models[0].accelerator").length, 1, knative.join("\n"));
        has(knative, "mlops:models[0].accelerator", "mlops:serverlessInference.knativeSchedulingFlagsEnabled: true");

        const image = problemsOf({ models: [{ ...iris, image: "python:latest" }] });
        assert.equal(image.length, 1, image.join("\n"));

        const replicas = problemsOf({
            models: [{ ...iris, minReplicas: 4, maxReplicas: 2, serverlessMinReplicas: 3, serverlessMaxReplicas: 1 }],
        });
        assert.deepEqual(
            replicas.map((p) => p.split(":")[1]),
            ["models[0].maxReplicas", "models[0].serverlessMaxReplicas"],
            replicas.join("\n"),
        );

        const zones = problemsOf({ dataLake: { zones: ["Raw", "models", "models"] } });
        assert.equal(zones.length, 2, zones.join("\n"));
        assert.equal(problemsOf({ dataLake: { zones: ["raw"] } }).length, 1);
        assert.equal(problemsOf({ dataLake: { zones: [] } }).length, 1);

        const catalog = problemsOf({
            mlPlatform: { training: { accelerator: "google-tpu-v5e" } },
            models: [{ ...iris, accelerator: "google-tpu-v5e" }],
        });
        // The parser reports the catalog's refusal once per service; the components' own wording is not added.
        assert.equal(at(catalog, "mlops:mlPlatform.training.accelerator").length, 1, catalog.join("\n"));
        assert.ok(!catalog.some((p) => /accelerator: kubernetes\/kubernetes/.test(p)), catalog.join("\n"));
    });

    it("returns problems instead of throwing, at the keys of the config it is given", () => {
        const config = parse({ models: [iris] });
        const changed: StackConfig = {
            ...config,
            serverlessInference: { ...config.serverlessInference, clientNamespaces: ["default"] },
        };
        const problems = checkKubernetesStack(changed);
        assert.deepEqual(
            problems.map((p) => p.path),
            ["mlops:serverlessInference.clientNamespaces[0]"],
        );
        assert.match(problems[0].message, /`default` namespace/);

        // The MinIO layout and Knative's scheduling flags: the check alone reports them, worded for the config.
        const alone = checkKubernetesStack({
            ...config,
            dataLake: { ...config.dataLake, minio: { ...config.dataLake.minio, servers: 1, drivesPerServer: 1 } },
            models: [{ ...config.models[0], accelerator: { type: "nvidia-t4", count: 1 } }],
        });
        assert.deepEqual(
            alone.map((p) => p.path),
            ["mlops:dataLake.minio", "mlops:models[0].accelerator"],
        );
        assert.equal(alone[0].value, "1 servers x 1 drives");
        assert.match(alone[1].fix ?? "", /mlops:serverlessInference\.knativeSchedulingFlagsEnabled: true/);
    });

    it("stops the stack before any resource is registered", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                buildKubernetesStack(
                    parse({
                        dataLake: { minio: { servers: 3, drivesPerServer: 1 }, zones: ["raw--x", "models"] },
                        models: [{ ...iris, port: 8022 }],
                    }),
                ),
            'stack config "t"',
        );
        assert.match(message, /mlops:dataLake\.zones\[0\]/);
        assert.match(message, /mlops:models\[0\]\.port: is reserved by the platform/);
        assert.deepEqual(registered, []);
    });
});

describe("Kubernetes names (components/naming/kubernetes.ts)", () => {
    it("names each component's namespace from the project, stack and role, as a DNS label", () => {
        assert.equal(namePrefix("mlops", "dev"), "mlops-dev");
        assert.equal(namespaceName("mlops", "dev", "lake"), "mlops-dev-lake");
        const long = namespaceName("a-very-long-project-name-for-testing", "an-even-longer-stack-name-here", "inference");
        assert.ok(long.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
        assert.notEqual(long, namespaceName("a-very-long-project-name-for-testing", "an-even-longer-stack-name-here", "serving"));
    });
});
