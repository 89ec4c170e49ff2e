/**
 * The zero-cloud stack: all four components on any Kubernetes cluster (kind, minikube, k3d, Docker
 * Desktop, or a managed cluster), through the default provider (`kubernetes:context` / kubeconfig).
 * One namespace per component, named from the project and stack so stacks share a cluster safely.
 * The components' arguments come from stacks/config/kubernetes.ts, which checked them at config time.
 */
import {
    KnativeInference,
    KubernetesAirflow,
    KubernetesContainerService,
    KubernetesDataPipelines,
    MinioDataLake,
    KubernetesTrainingPipelines,
    MlflowPlatform,
} from "@mlops/components/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    KUBERNETES_COMPONENT_NAMES as NAMES,
    knativeInferenceArgs,
    kubernetesContainerServiceArgs,
    mlflowPlatformArgs,
} from "../config/kubernetes";
import { KUBERNETES_AIRFLOW_NAME, KUBERNETES_PIPELINES_NAME, kubernetesAirflowArgs } from "../config/kubernetes-pipelines";
import {
    KUBERNETES_TRAINING_NAME,
    kubernetesLakeArgsWithTraining,
    kubernetesPipelinesArgsWithTraining,
    kubernetesTrainingArgs,
} from "../config/kubernetes-training";
import { deliverySpec } from "../config/training";
import { StackConfig, StackOutputs } from "../config/schema";

export function buildKubernetesStack(cfg: StackConfig): StackOutputs {
    // With pipelines, the lake also gets their MinIO users and the bucket notifications to their trigger; with
    // trainings, the per-model training, drift and serving users and the notifications of new dataset versions.
    const lake = new MinioDataLake(NAMES.dataLake, kubernetesLakeArgsWithTraining(cfg));
    const lakeRefs = { endpoint: lake.endpoint, credentials: lake.pipelineCredentials };

    const platform = new MlflowPlatform(
        NAMES.mlPlatform,
        mlflowPlatformArgs(cfg, {
            artifactBucket: lake.bucketNames.apply((b) => b["models"]),
            artifactEndpoint: lake.endpoint,
            artifactAccessKeyId: lake.mlflowAccessKeyId,
            artifactSecretAccessKey: lake.mlflowSecretAccessKey,
        }),
    );

    const outputs: StackOutputs = {
        dataLake: { endpoint: lake.endpoint, buckets: lake.bucketNames },
        mlPlatform: { trackingUri: platform.trackingUri, modelRegistry: platform.modelRegistry, training: platform.trainingDefaults },
    };

    const serving = kubernetesContainerServiceArgs(cfg, lakeRefs);
    if (serving) {
        const service = new KubernetesContainerService(NAMES.containerService, serving);
        outputs.containerService = { endpoints: service.endpoints };
    }

    const onDemand = knativeInferenceArgs(cfg, lakeRefs);
    if (onDemand) {
        const inference = new KnativeInference(NAMES.serverlessInference, onDemand);
        outputs.serverlessInference = { endpoints: inference.endpoints };
    }

    const pipelines = kubernetesPipelinesArgsWithTraining(cfg, {
        endpoint: lake.endpoint,
        credentials: lake.pipelineCredentials,
        notificationToken: lake.notificationToken,
    });
    if (pipelines) {
        const component = new KubernetesDataPipelines(KUBERNETES_PIPELINES_NAME, pipelines);
        if (cfg.pipelines.jobs.length > 0) outputs.pipelines = { jobs: component.jobNames, deadLetters: component.deadLetters };
        // orchestrator: airflow: the CronJobs are suspended templates; Airflow's DAGs start their Jobs.
        const airflow = component.runToken ? kubernetesAirflowArgs(cfg, component.runToken) : undefined;
        if (airflow) {
            const environment = new KubernetesAirflow(KUBERNETES_AIRFLOW_NAME, airflow, { dependsOn: [component] });
            outputs.pipelines = {
                jobs: component.jobNames,
                deadLetters: component.deadLetters,
                airflow: { namespace: environment.namespaceName, webserver: environment.webserverService, dags: environment.dagFiles },
            };
        }
    }

    // Training pipelines (mlops:models[].training): CronJobs in the training namespace, registering in MLflow.
    const trainingArgs = kubernetesTrainingArgs(
        cfg,
        { endpoint: lake.endpoint, credentials: lake.pipelineCredentials, trackingUri: platform.trackingUri },
        deliverySpec(cfg, (v) => pulumi.secret(v)),
    );
    if (trainingArgs) {
        // The training namespace, its egress and the registered models are the ML platform's.
        const training = new KubernetesTrainingPipelines(KUBERNETES_TRAINING_NAME, trainingArgs, { dependsOn: [platform] });
        outputs.trainingPipelines = { pipelines: training.pipelineNames, driftJobs: training.driftJobNames };
    }
    return outputs;
}
