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
    MlflowPlatform,
} from "@mlops/components/kubernetes";
import {
    KUBERNETES_COMPONENT_NAMES as NAMES,
    knativeInferenceArgs,
    kubernetesContainerServiceArgs,
    mlflowPlatformArgs,
} from "../config/kubernetes";
import {
    KUBERNETES_AIRFLOW_NAME,
    KUBERNETES_PIPELINES_NAME,
    kubernetesAirflowArgs,
    kubernetesDataPipelinesArgs,
    kubernetesLakeArgsWithPipelines,
} from "../config/kubernetes-pipelines";
import { StackConfig, StackOutputs } from "../config/schema";

export function buildKubernetesStack(cfg: StackConfig): StackOutputs {
    // With pipelines, the lake also gets their MinIO users and the bucket notifications to their trigger.
    const lake = new MinioDataLake(NAMES.dataLake, kubernetesLakeArgsWithPipelines(cfg));

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

    const serving = kubernetesContainerServiceArgs(cfg);
    if (serving) {
        const service = new KubernetesContainerService(NAMES.containerService, serving);
        outputs.containerService = { endpoints: service.endpoints };
    }

    const onDemand = knativeInferenceArgs(cfg);
    if (onDemand) {
        const inference = new KnativeInference(NAMES.serverlessInference, onDemand);
        outputs.serverlessInference = { endpoints: inference.endpoints };
    }

    const pipelines = kubernetesDataPipelinesArgs(cfg, {
        endpoint: lake.endpoint,
        credentials: lake.pipelineCredentials,
        notificationToken: lake.notificationToken,
    });
    if (pipelines) {
        const component = new KubernetesDataPipelines(KUBERNETES_PIPELINES_NAME, pipelines);
        outputs.pipelines = { jobs: component.jobNames, deadLetters: component.deadLetters };
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
    return outputs;
}
