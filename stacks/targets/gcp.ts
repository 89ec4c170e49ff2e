/** Google Cloud: GCS + BigQuery, Vertex AI, Cloud Run, Cloud Functions or Vertex endpoints. */
import { ValidationError } from "@mlops/components";
import { checkGcpStack, parseGcpConfig } from "../config/gcp";
import type { Target } from "./types";

export const gcpTarget: Target = {
    cloud: "gcp",
    implementations: {
        mlPlatform: { vertex: "vertex-training" },
        containerService: { "cloud-run": "cloud-run" },
        serverlessInference: { "cloud-run": "cloud-run", "cloud-functions": "cloud-functions", "vertex-endpoint": "vertex-endpoint" },
    },
    providerNamespace: "gcp:",
    parseOptions: parseGcpConfig,
    checkStack: (config) => {
        try {
            checkGcpStack(config);
            return [];
        } catch (e) {
            if (e instanceof ValidationError) return e.problems.map((message) => ({ path: "", value: undefined, message }));
            throw e;
        }
    },
    build: async (config) => (await import("../clouds/gcp")).buildGcpStack(config),
};
