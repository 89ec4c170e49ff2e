/** Azure: ADLS Gen2 + Synapse, Azure ML, Container Apps, Functions or Azure ML endpoints. */
import { checkAzureStack, parseAzureConfig } from "../config/azure";
import { checkAzurePipelines } from "../config/azure-pipelines";
import { checkAzureTraining } from "../config/azure-training";
import type { Target } from "./types";

/** `mlops:pipelines.orchestrator: airflow` on this target. */
const AIRFLOW = {
    offered: false,
    why: "Azure offers no managed Airflow this stack can create (azure-native has no resource for Data Factory's Workflow Orchestration Manager); run Airflow on AKS with a kubernetes stack, or keep the native Container Apps jobs scheduler",
} as const;

export const azureTarget: Target = {
    cloud: "azure",
    createsAlerts: true,
    implementations: {
        mlPlatform: { azureml: "azureml-compute" },
        containerService: { "container-apps": "container-apps" },
        serverlessInference: { "container-apps": "container-apps", functions: "functions", "azureml-endpoint": "azureml-endpoint" },
        pipelines: { "container-apps-jobs": "container-apps-jobs" },
    },
    providerNamespace: "azure-native:",
    parseOptions: parseAzureConfig,
    checkStack: (config) => [...checkAzureStack(config), ...checkAzurePipelines(config), ...checkAzureTraining(config)],
    keysWithoutEffect: {
        "dataLake.noncurrentVersionRetentionDays":
            "the ADLS Gen2 lake keeps no blob versions (Azure supports none on a hierarchical-namespace account); deleted data is kept for mlops:dataLake.azure.softDeleteRetentionDays",
        "dataLake.abortIncompleteUploadDays": "Azure discards uncommitted blocks after 7 days by itself; there is no lifecycle rule to set",
    },
    pipelines: { onArrival: true, streams: true, airflow: AIRFLOW },
    training: { automl: { offered: true, service: "Azure ML automated ML" } },
    build: async (config) => (await import("../clouds/azure")).buildAzureStack(config),
};
