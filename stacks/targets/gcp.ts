/** Google Cloud: GCS + BigQuery, Vertex AI, Cloud Run, Cloud Functions or Vertex endpoints. */
import { checkGcpStack, parseGcpConfig } from "../config/gcp";
import { checkGcpPipelines } from "../config/gcp-pipelines";
import { checkGcpTraining } from "../config/gcp-training";
import type { Target } from "./types";

/** `mlops:pipelines.orchestrator: airflow` on this target. */
const AIRFLOW = { offered: true, service: "Cloud Composer" } as const;

export const gcpTarget: Target = {
    cloud: "gcp",
    createsAlerts: true,
    implementations: {
        mlPlatform: { vertex: "vertex-training" },
        containerService: { "cloud-run": "cloud-run" },
        serverlessInference: { "cloud-run": "cloud-run", "cloud-functions": "cloud-functions", "vertex-endpoint": "vertex-endpoint" },
        pipelines: { "cloud-run-jobs": "cloud-run-jobs" },
    },
    providerNamespace: "gcp:",
    parseOptions: parseGcpConfig,
    checkStack: (config) => [...checkGcpStack(config), ...checkGcpPipelines(config), ...checkGcpTraining(config)],
    pipelines: { onArrival: true, streams: true, airflow: AIRFLOW },
    training: { automl: { offered: true, service: "Vertex AI AutoML (tabular)" } },
    build: async (config) => (await import("../clouds/gcp")).buildGcpStack(config),
};
