/** Any Kubernetes cluster: MinIO, MLflow, Deployments, Knative. */
import { checkKubernetesStack } from "../config/kubernetes";
import { checkKubernetesPipelines } from "../config/kubernetes-pipelines";
import { checkKubernetesTraining } from "../config/kubernetes-training";
import type { Target } from "./types";

export const kubernetesTarget: Target = {
    cloud: "kubernetes",
    createsAlerts: false,
    implementations: {
        mlPlatform: { mlflow: "kubernetes" },
        containerService: { kubernetes: "kubernetes" },
        serverlessInference: { knative: "kubernetes" },
        pipelines: { cronjob: "kubernetes" },
    },
    ownKeys: [
        "dataLake.minio",
        "mlPlatform.distribution",
        "containerService.distribution",
        "containerService.clientNamespaces",
        "serverlessInference.distribution",
        "serverlessInference.clientNamespaces",
        "serverlessInference.installKnative",
        "serverlessInference.knativeSchedulingFlagsEnabled",
    ],
    checkStack: (config) => [...checkKubernetesStack(config), ...checkKubernetesPipelines(config), ...checkKubernetesTraining(config)],
    keysWithoutEffect: {
        "dataLake.rawColdStorageAfterDays": "MinIO has no colder storage class to move raw objects to",
        "dataLake.auditLogRetentionDays":
            "the Kubernetes stack writes no data-access audit log of its own (use the cluster's audit logging)",
    },
    pipelines: { onArrival: true, streams: false, airflow: { offered: true, service: "the Apache Airflow Helm chart" } },
    training: { automl: { offered: false, why: "a Kubernetes cluster has no managed AutoML service" } },
    build: async (config) => (await import("../clouds/kubernetes")).buildKubernetesStack(config),
};
