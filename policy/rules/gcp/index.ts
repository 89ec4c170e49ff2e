/** GCP rules: Cloud Storage, BigQuery, IAM, Cloud KMS, audit logs, Artifact Registry, Cloud Run v2, Cloud Functions gen2, Vertex AI, Workbench, Cloud Monitoring the data pipelines (Cloud Run jobs, Workflows, Pub/Sub) and the training pipelines (Vertex AI schedules, Secret Manager). */
import { MlopsPolicy } from "../meta";
import { iamKeyRules } from "./iam-keys";
import { monitoringRules } from "./monitoring";
import { pipelineRules } from "./pipelines";
import { gcpServingRules } from "./serving";
import { storageRules } from "./storage";
import { trainingRules } from "./training";
import { vertexRules } from "./vertex";

export const gcpRules: readonly MlopsPolicy[] = [
    ...storageRules,
    ...iamKeyRules,
    ...gcpServingRules,
    ...vertexRules,
    ...monitoringRules,
    ...pipelineRules,
    ...trainingRules,
];
