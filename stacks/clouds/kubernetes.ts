/**
 * The zero-cloud stack: all four components on any Kubernetes cluster (kind, minikube, k3d, Docker
 * Desktop, or a managed cluster), through the default provider (`kubernetes:context` / kubeconfig).
 * One namespace per component, named from the project and stack so stacks share a cluster safely.
 */
import { dnsLabel, kubernetesLabels } from "@mlops/components";
import { KnativeInference, KubernetesContainerService, MinioDataLake, MlflowPlatform } from "@mlops/components/kubernetes";
import { StackConfig } from "../config/schema";
import { servingSpecs } from "../models";
import { StackOutputs } from "../config/schema";

export function buildKubernetesStack(cfg: StackConfig): StackOutputs {
    const owner = { project: cfg.project, stack: cfg.stack, environment: cfg.environment };
    const namespace = (role: string) => dnsLabel([cfg.project, cfg.stack, role]);
    const ns = {
        lake: namespace("lake"),
        ml: namespace("ml"),
        training: namespace("training"),
        serving: namespace("serving"),
        inference: namespace("inference"),
    };

    const lake = new MinioDataLake("lake", {
        namespace: ns.lake,
        zones: cfg.dataLake.zones,
        protectData: cfg.protectData,
        noncurrentVersionRetentionDays: cfg.dataLake.noncurrentVersionRetentionDays,
        abortIncompleteUploadDays: cfg.dataLake.abortIncompleteUploadDays,
        servers: cfg.dataLake.minio.servers,
        drivesPerServer: cfg.dataLake.minio.drivesPerServer,
        volumeSizeGiB: cfg.dataLake.minio.volumeSizeGiB,
        storageClassName: cfg.dataLake.minio.storageClassName,
        clientNamespaces: [ns.ml, ns.training],
        tags: kubernetesLabels(owner, "data-lake"),
    });

    const platform = new MlflowPlatform("ml", {
        namespace: ns.ml,
        trainingNamespace: ns.training,
        models: cfg.models.map((m) => m.name),
        artifactBucket: lake.bucketNames.apply((b) => b["models"]),
        artifactEndpoint: lake.endpoint,
        artifactAccessKeyId: lake.mlflowAccessKeyId,
        artifactSecretAccessKey: lake.mlflowSecretAccessKey,
        dataLakeNamespace: ns.lake,
        distribution: cfg.mlPlatform.distribution,
        training: cfg.mlPlatform.training,
        protectData: cfg.protectData,
        tags: kubernetesLabels(owner, "ml-platform"),
    });

    const outputs: StackOutputs = {
        dataLake: { endpoint: lake.endpoint, buckets: lake.bucketNames },
        mlPlatform: { trackingUri: platform.trackingUri, modelRegistry: platform.modelRegistry, training: platform.trainingDefaults },
    };

    const served = servingSpecs(cfg.models, "containerService");
    if (served.length > 0) {
        const service = new KubernetesContainerService("serving", {
            namespace: ns.serving,
            models: served,
            distribution: cfg.containerService.distribution,
            clientNamespaces: cfg.containerService.clientNamespaces,
            protectData: cfg.protectData,
            tags: kubernetesLabels(owner, "container-service"),
        });
        outputs.containerService = { endpoints: service.endpoints };
    }

    const onDemand = servingSpecs(cfg.models, "serverlessInference");
    if (onDemand.length > 0) {
        const inference = new KnativeInference("inference", {
            namespace: ns.inference,
            models: onDemand,
            distribution: cfg.serverlessInference.distribution,
            clientNamespaces: cfg.serverlessInference.clientNamespaces,
            installKnative: cfg.serverlessInference.installKnative,
            knativeSchedulingFlagsEnabled: cfg.serverlessInference.knativeSchedulingFlagsEnabled,
            tags: kubernetesLabels(owner, "serverless-inference"),
        });
        outputs.serverlessInference = { endpoints: inference.endpoints };
    }
    return outputs;
}
