/**
 * GCP alert config: `mlops:containerService.gcp.latencyAlert` (off in dev, on elsewhere) and the serving
 * thresholds of both serving sections, which meet in one alert component: a bad value is reported at the
 * key the user wrote, in one error with the other problems, with nothing registered.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { buildStack } from "../../stacks/build";
import { parseStackConfig } from "../../stacks/config/parse";
import { capture } from "../../stacks/plan/capture";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");
const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";

/** The shipped stack's config with a section's `gcp` sub-object edited. */
function withGcp(stack: string, edits: Record<string, Record<string, unknown>>): { project: string; config: Record<string, string> } {
    const base = loadStackConfig(ROOT, stack);
    const config = { ...base.config };
    for (const [section, gcp] of Object.entries(edits)) {
        const key = `mlops:${section}`;
        const value = JSON.parse(config[key] ?? "{}") as Record<string, unknown>;
        config[key] = JSON.stringify({ ...value, gcp: { ...(value.gcp as Record<string, unknown> | undefined), ...gcp } });
    }
    return { project: base.project, config };
}

async function build(stack: string, edits: Record<string, Record<string, unknown>>) {
    const { project, config } = withGcp(stack, edits);
    let error: unknown;
    const { resources } = await capture({ project, stack, config, secretKeys: [] }, async () => {
        try {
            await buildStack(parseStackConfig(config, { project, stack, projectRoot: ROOT }));
        } catch (e) {
            error = e;
        }
    });
    return { resources, error };
}

describe("GCP alert config", () => {
    it("leaves the latency alerts out of dev by default, and `latencyAlert: true` adds one condition for every Cloud Run service and function", async () => {
        const base = loadStackConfig(ROOT, "gcp-dev");
        const dev = parseStackConfig(base.config, { project: base.project, stack: "gcp-dev", projectRoot: ROOT });
        assert.equal(dev.gcp?.containerService.latencyAlert, false);
        const prodBase = loadStackConfig(ROOT, "gcp-prod");
        const prod = parseStackConfig(prodBase.config, { project: prodBase.project, stack: "gcp-prod", projectRoot: ROOT });
        assert.equal(prod.gcp?.containerService.latencyAlert, true, "on by default outside dev");

        const { resources, error } = await build("gcp-dev", { containerService: { latencyAlert: true } });
        assert.equal(error, undefined);
        const latency = resources.filter((r) => r.type === POLICY && r.name.endsWith("-latency"));
        assert.deepEqual(
            latency.map((p) => [p.name, p.inputs.conditions.length]),
            [["serving-alerts-cloud-run-latency", 1]],
        );
        assert.match(
            latency[0].inputs.conditions[0].conditionThreshold.filter,
            /service_name = monitoring\.regex\.full_match\("mlops-gcp-dev-fn-iris\|mlops-gcp-dev-serve-iris"\)/,
        );
    });

    it("gives the serverless inference a condition of its own only when its thresholds differ", async () => {
        const { resources, error } = await build("gcp-dev", { serverlessInference: { errorRatePercent: 20 } });
        assert.equal(error, undefined);
        const errors = resources.find((r) => r.type === POLICY && r.name === "serving-alerts-cloud-run-errors")!;
        assert.deepEqual(
            errors.inputs.conditions.map((c: { conditionThreshold: { filter: string; thresholdValue: number } }) => [
                c.conditionThreshold.thresholdValue,
                /service_name = "([^"]+)"/.exec(c.conditionThreshold.filter)?.[1],
            ]),
            [
                [0.05, "mlops-gcp-dev-serve-iris"],
                [0.2, "mlops-gcp-dev-fn-iris"],
            ],
        );
    });

    it("refuses a latencyAlert that is not a boolean, with another section's problem, at the keys written, registering nothing", async () => {
        const { resources, error } = await build("gcp-dev", {
            containerService: { latencyAlert: "sometimes" },
            dataLake: { keyRotationDays: 365 },
        });
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, /mlops:containerService\.gcp\.latencyAlert: /);
        assert.match(error.message, /mlops:dataLake\.gcp\.keyRotationDays: /);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
    });
});
