/**
 * The walk of docs/extending.md, proven: a new target ("acme", a made-up cloud) declared in one object and
 * registered in the target list is selected by `mlops:cloud`, gets its own config section checked with
 * every other problem in the one error, and builds its stack. Nothing else in the program changes.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "@mlops/components";
import { buildStack } from "../../stacks/build";
import { parseStackConfig } from "../../stacks/config/parse";
import { StackConfig } from "../../stacks/config/schema";
import { capture } from "../../stacks/plan/capture";
import { TARGETS, Target } from "../../stacks/targets";

const ROOT = path.resolve(__dirname, "..", "..");
const opts = { project: "mlops", stack: "acme-dev", projectRoot: ROOT };

/** A resource of the made-up provider (what its SDK would define). */
class AcmeBucket extends pulumi.CustomResource {
    constructor(name: string, props: Record<string, pulumi.Input<unknown>>) {
        super("acme:storage:Bucket", name, props);
    }
}

interface AcmeConfig {
    readonly region: string;
    readonly bucketClass: "standard" | "archive";
}

/** Everything a new target writes: this object (stacks/targets/acme.ts) and its build (stacks/clouds/acme.ts). */
const acmeTarget: Target = {
    cloud: "acme",
    createsAlerts: true,
    implementations: {
        mlPlatform: { "acme-ml": "kubernetes" },
        containerService: { "acme-run": "kubernetes" },
        serverlessInference: { "acme-functions": "kubernetes" },
        pipelines: { "acme-jobs": "kubernetes" },
    },
    providerNamespace: "acme:",
    parseOptions: (sections, read): AcmeConfig => {
        const lake = read.object(sections.sections.dataLake, sections.path("dataLake"), ["bucketClass"]);
        const region = sections.providerConfig["acme:region"];
        if (region === undefined)
            read.problems.push({
                path: "acme:region",
                value: undefined,
                message: "is required",
                fix: "run `pulumi config set acme:region ams1`",
            });
        return {
            region: region ?? "",
            bucketClass: read.oneOf(lake, "bucketClass", sections.path("dataLake"), ["standard", "archive"] as const, "standard"),
        };
    },
    checkStack: (config) =>
        config.environment === "prod" && options(config).bucketClass === "archive"
            ? [{ path: "mlops:dataLake.acme.bucketClass", value: "archive", message: "is too slow for a prod lake", fix: "use standard" }]
            : [],
    pipelines: { onArrival: false, streams: false, airflow: { offered: false, why: "acme has no Airflow" } },
    training: { automl: { offered: false, why: "acme has no AutoML" } },
    build: async (config) => {
        const bucket = new AcmeBucket(`${config.stack}-lake`, {
            region: options(config).region,
            storageClass: options(config).bucketClass,
            zones: config.dataLake.zones,
        });
        return { lakeBucket: bucket.urn };
    },
};

const options = (config: StackConfig): AcmeConfig => (config as unknown as Record<string, AcmeConfig>).acme;
const targets = [...TARGETS, acmeTarget];

function raw(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

function problemsOf(values: Record<string, unknown>, withTargets: readonly Target[] = targets): readonly string[] {
    try {
        parseStackConfig(raw(values), opts, withTargets);
    } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
        return e.problems;
    }
    return assert.fail("expected the config to be rejected");
}

describe("extending: a new target plugs in through its registration alone", () => {
    it("is refused, listing the registered clouds, until it is registered", () => {
        const problems = problemsOf({ "mlops:cloud": "acme", "mlops:environment": "dev" }, TARGETS);
        assert.equal(
            problems[0],
            'mlops:cloud: is not an allowed value (got "acme"). Allowed: aws, gcp, azure, kubernetes. Fix: run `pulumi config set cloud <cloud>`: the cloud this stack deploys to',
        );
    });

    it("once registered, parses its section and defaults each pillar to its first implementation", () => {
        const config = parseStackConfig(
            raw({
                "mlops:cloud": "acme",
                "mlops:environment": "dev",
                "acme:region": "ams1",
                "mlops:dataLake": { acme: { bucketClass: "archive" } },
            }),
            opts,
            targets,
        );
        assert.equal(config.cloud, "acme");
        assert.deepEqual(options(config), { region: "ams1", bucketClass: "archive" });
        assert.equal(config.mlPlatform.implementation, "acme-ml");
        assert.equal(config.containerService.implementation, "acme-run");
        assert.equal(config.serverlessInference.implementation, "acme-functions");
    });

    it("fails with every problem at once: its own keys, its whole-stack check, other targets' keys", () => {
        const problems = problemsOf({
            "mlops:cloud": "acme",
            "mlops:environment": "prod",
            "mlops:dataLake": { acme: { bucketClass: "glacier" }, minio: { servers: 2 } },
            "mlops:mlPlatform": { aws: { natGateways: 1 } },
            "mlops:notifications": { emails: ["ops@example.com"] },
        });
        assert.deepEqual(problems, [
            'mlops:dataLake.minio: only applies when mlops:cloud is kubernetes (got {"servers":2}). Fix: remove it',
            'mlops:mlPlatform.aws: only applies when mlops:cloud is aws (got {"natGateways":1}). Fix: remove it, or move the setting under this cloud\'s key',
            "acme:region: is required (got nothing (the key is missing)). Fix: run `pulumi config set acme:region ams1`",
            'mlops:dataLake.acme.bucketClass: is not an allowed value (got "glacier"). Allowed: standard, archive.',
        ]);
        const prod = problemsOf({
            "mlops:cloud": "acme",
            "mlops:environment": "prod",
            "acme:region": "ams1",
            "mlops:dataLake": { acme: { bucketClass: "archive" } },
            "mlops:notifications": { emails: ["ops@example.com"] },
        });
        assert.deepEqual(prod, ['mlops:dataLake.acme.bucketClass: is too slow for a prod lake (got "archive"). Fix: use standard']);
    });

    it("its section is refused on another target's stack", () => {
        const problems = problemsOf({
            "mlops:cloud": "kubernetes",
            "mlops:environment": "dev",
            "mlops:dataLake": { acme: { bucketClass: "standard" } },
        });
        assert.ok(
            problems.includes(
                'mlops:dataLake.acme: only applies when mlops:cloud is acme (got {"bucketClass":"standard"}). Fix: remove it, or move the setting under this cloud\'s key',
            ),
            problems.join("\n"),
        );
    });

    it("builds its stack through the same entry point", async () => {
        const config = parseStackConfig(raw({ "mlops:cloud": "acme", "mlops:environment": "dev", "acme:region": "ams1" }), opts, targets);
        const { resources, outputs } = await capture({ project: "mlops", stack: "acme-dev", config: {} }, () =>
            buildStack(config, targets),
        );
        const bucket = resources.find((r) => r.type === "acme:storage:Bucket");
        assert.ok(bucket, resources.map((r) => r.type).join(", "));
        assert.deepEqual(bucket.inputs, { region: "ams1", storageClass: "standard", zones: ["raw", "curated", "features", "models"] });
        assert.equal(outputs.lakeBucket, bucket.urn);
    });
});
