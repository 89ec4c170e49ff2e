import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../../stacks/config/parse";
import { imagesInStackRegistry, mlRegistry, servingRegistry } from "../../stacks/config/azure";

const ROOT = path.resolve(__dirname, "..", "..");
const training = {
    image: "python:3.12.12-slim-bookworm",
    command: ["python", "/app/train.py"],
    dataset: "curated/iris/",
    schedule: "0 4 * * 1",
};

/** The problems of an Azure dev stack with these `mlops:` values, or [] when it parses. */
function problemsOf(values: Record<string, unknown>): string[] {
    const raw = {
        ...Object.fromEntries(
            Object.entries({ cloud: "azure", environment: "dev", ...values }).map(([k, v]) => [
                `mlops:${k}`,
                typeof v === "string" ? v : JSON.stringify(v),
            ]),
        ),
        "azure-native:location": "swedencentral",
    };
    try {
        parseStackConfig(raw, { project: "mlops", stack: "t", projectRoot: ROOT });
        return [];
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.message.split("\n");
    }
}

describe("Azure training config", () => {
    it("reports a runner variable in training.env and drift on a serverless implementation that captures nothing, in one error at the user's keys", () => {
        const problems = problemsOf({
            serverlessInference: { implementation: "functions" },
            models: [
                {
                    name: "iris",
                    image: "registry.example/iris:1.0",
                    serveWith: ["serverlessInference"],
                    training: { ...training, env: { MLOPS_TRIGGER: "manual" }, drift: { schedule: "0 * * * *" } },
                },
            ],
        });
        assert.ok(
            problems.some((p) => p.includes("mlops:models[0].training.env.MLOPS_TRIGGER") && p.includes("set by the runner")),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.includes("mlops:models[0].training.drift") && p.includes("captures none")),
            problems.join("\n"),
        );
    });

    it("refuses a servedVersion a Functions-served model would never load", () => {
        const problems = problemsOf({
            serverlessInference: { implementation: "functions" },
            models: [
                {
                    name: "iris",
                    image: "registry.example/iris:1.0",
                    serveWith: ["serverlessInference"],
                    servedVersion: "20261203T101500Z-1a2b3c4d",
                },
            ],
        });
        assert.ok(
            problems.some((p) => p.includes("mlops:models[0].servedVersion") && p.includes("only Container Apps serving")),
            problems.join("\n"),
        );
    });

    it("accepts a training served on Container Apps", () => {
        assert.deepEqual(
            problemsOf({
                models: [{ name: "iris", image: "registry.example/iris:1.0", training: { ...training, drift: { schedule: "0 * * * *" } } }],
            }),
            [],
        );
    });
});

describe("Azure registries config (mlops:containerService.azure.registry, mlops:mlPlatform.azure.registry)", () => {
    // The stack's serving registry is `mlopst` + `cs` + the stack's 6-character suffix (azureNames.containerRegistry).
    const own = "mlopstcsabc123.azurecr.io/iris:1.0";

    it("refuses registry: false when a model's image is in the stack's registry, with a problem in another section, in one error", () => {
        const problems = problemsOf({
            containerService: { azure: { registry: false } },
            mlPlatform: { azure: { registry: false, privateNetwork: true } },
            models: [{ name: "iris", image: own }],
        });
        assert.ok(
            problems.some(
                (p) =>
                    p.includes("mlops:containerService.azure.registry") &&
                    p.includes("mlops:models[0].image (mlopstcsabc123.azurecr.io/iris:1.0) is pulled from it"),
            ),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => p.includes("mlops:mlPlatform.azure.registry") && p.includes("outside the private network")),
            problems.join("\n"),
        );
    });

    it("accepts registry: false with public images, and an image in another Azure registry", () => {
        assert.deepEqual(
            problemsOf({
                containerService: { azure: { registry: false } },
                models: [
                    { name: "iris", image: "python:3.12.12-slim-bookworm" },
                    { name: "churn", image: "othercsabc123.azurecr.io/churn:1.0" },
                ],
            }),
            [],
        );
    });

    it("refuses a registry value that is not a boolean at its key", () => {
        const problems = problemsOf({ containerService: { azure: { registry: "yes" } }, models: [{ name: "iris", image: own }] });
        assert.ok(
            problems.some(
                (p) => p.startsWith("- mlops:containerService.azure.registry") || p.includes("mlops:containerService.azure.registry:"),
            ),
            problems.join("\n"),
        );
    });
});

describe("Azure registry defaults", () => {
    const cfg = (environment: string, values: Record<string, unknown>) =>
        parseStackConfig(
            {
                ...Object.fromEntries(
                    Object.entries({ cloud: "azure", environment, ...values }).map(([k, v]) => [`mlops:${k}`, JSON.stringify(v)]),
                ),
                "mlops:cloud": "azure",
                "mlops:environment": environment,
                "azure-native:location": "swedencentral",
                ...(environment === "prod" ? { "mlops:notifications": JSON.stringify({ emails: ["a@example.com"] }) } : {}),
            },
            { project: "mlops", stack: "t", projectRoot: ROOT },
        );
    const pub = [{ name: "iris", image: "python:3.12.12-slim-bookworm" }];

    it("dev owns no registry for public images; one key turns either on", () => {
        const dev = cfg("dev", { models: pub });
        assert.deepEqual([servingRegistry(dev), mlRegistry(dev)], [false, false]);
        const on = cfg("dev", { models: pub, containerService: { azure: { registry: true } }, mlPlatform: { azure: { registry: true } } });
        assert.deepEqual([servingRegistry(on), mlRegistry(on)], [true, true]);
        const prod = cfg("prod", { models: pub });
        assert.deepEqual([servingRegistry(prod), mlRegistry(prod)], [true, true]);
    });

    it("dev owns the serving registry when a model's image is in it; the private network keeps the workspace's", () => {
        const dev = cfg("dev", { models: [{ name: "iris", image: "mlopstcsabc123.azurecr.io/iris:1.0" }] });
        assert.deepEqual(imagesInStackRegistry(dev), [{ index: 0, image: "mlopstcsabc123.azurecr.io/iris:1.0" }]);
        assert.equal(servingRegistry(dev), true);
        assert.equal(mlRegistry(cfg("dev", { models: pub, mlPlatform: { azure: { privateNetwork: true } } })), true);
    });
});
