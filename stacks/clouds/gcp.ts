/**
 * The GCP stack: the four components on Google Cloud, plus the project APIs they need, CMEK keys, a
 * private network for the Workbench instance and serving alerts. Every resource waits for the APIs it
 * uses (component `dependsOn`), so a fresh project works on the first `pulumi up`. Physical names start
 * with `<project>-<stack>`, so several stacks can share one GCP project.
 */
import * as pulumi from "@pulumi/pulumi";
import { ownershipTags } from "@mlops/components";
import {
    CloudFunctionsInference,
    CloudRunContainerService,
    CloudRunInference,
    GcpEncryption,
    GcpNetwork,
    GcpObservability,
    GcpObservabilityArgs,
    GcpProjectServices,
    GcsDataLake,
    VertexEndpointInference,
    VertexPlatform,
    serviceAccountId,
    stackNamePrefix,
} from "@mlops/components/gcp";
import { GcpServingConfig, checkGcpStack } from "../config/gcp";
import { FLOORS, StackConfig } from "../config/schema";
import { servingSpecs } from "../models";
import { StackOutputs } from "../config/schema";

/** The APIs a stack uses, by what needs them. */
export function gcpApis(cfg: StackConfig): string[] {
    const apis = [
        "cloudresourcemanager.googleapis.com", // project number lookup, IAM bindings and audit config
        "iam.googleapis.com",
        "cloudkms.googleapis.com",
        "storage.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        "aiplatform.googleapis.com",
        "artifactregistry.googleapis.com",
        "run.googleapis.com",
    ];
    if (cfg.dataLake.queryEngine) apis.push("bigquery.googleapis.com");
    if (cfg.gcp?.mlPlatform.workbench) apis.push("notebooks.googleapis.com", "compute.googleapis.com");
    if (cfg.serverlessInference.implementation === "cloud-functions")
        apis.push("cloudfunctions.googleapis.com", "cloudbuild.googleapis.com");
    return apis;
}

export function buildGcpStack(cfg: StackConfig): StackOutputs {
    const { config: gcp, project, region, zone, functionFiles } = checkGcpStack(cfg);
    const prefix = stackNamePrefix(cfg.project, cfg.stack);
    const tags = ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment });
    const protectData = cfg.protectData;

    const apis = new GcpProjectServices("apis", { project, services: gcpApis(cfg) });
    const after = (...services: string[]) => ({ dependsOn: apis.api(...services) });
    const crm = "cloudresourcemanager.googleapis.com";

    const keyUsers: Record<string, string[]> = { lake: ["storage"], registry: ["artifactregistry"], vertex: ["aiplatform"] };
    if (cfg.dataLake.queryEngine) keyUsers.bigquery = ["bigquery"];
    if (gcp.mlPlatform.workbench) keyUsers.workbench = ["compute", "notebooks"];
    const keys = new GcpEncryption(
        "keys",
        { project, location: region, keys: keyUsers, rotationDays: gcp.dataLake.keyRotationDays, tags },
        after(
            crm,
            "cloudkms.googleapis.com",
            ...gcpApis(cfg).filter((a) => /storage|bigquery|artifactregistry|aiplatform|notebooks|compute/.test(a)),
        ),
    );

    const lake = new GcsDataLake(
        "lake",
        {
            project,
            region,
            namePrefix: prefix,
            zones: cfg.dataLake.zones,
            kmsKeyName: keys.keyIds.lake,
            bigQueryKmsKeyName: cfg.dataLake.queryEngine ? keys.keyIds.bigquery : undefined,
            queryEngine: cfg.dataLake.queryEngine,
            noncurrentVersionRetentionDays: cfg.dataLake.noncurrentVersionRetentionDays,
            abortIncompleteUploadDays: cfg.dataLake.abortIncompleteUploadDays,
            rawColdStorageAfterDays: cfg.dataLake.rawColdStorageAfterDays,
            auditLogRetentionDays: cfg.dataLake.auditLogRetentionDays,
            accessLogRetentionDays: gcp.dataLake.accessLogRetentionDays,
            softDeleteRetentionDays: gcp.dataLake.softDeleteRetentionDays,
            protectData,
            tags,
        },
        after(crm, "storage.googleapis.com", "logging.googleapis.com", ...(cfg.dataLake.queryEngine ? ["bigquery.googleapis.com"] : [])),
    );
    const bucket = (zone: string) => lake.bucketNames.apply((b) => b[zone]);

    const network = gcp.mlPlatform.workbench
        ? new GcpNetwork(
              "network",
              { project, region, namePrefix: prefix, subnetCidr: gcp.mlPlatform.subnetCidr, natGateway: gcp.mlPlatform.natGateway },
              after("compute.googleapis.com"),
          )
        : undefined;
    const ml = new VertexPlatform(
        "ml",
        {
            project,
            region,
            zone,
            namePrefix: prefix,
            models: cfg.models.map((m) => m.name),
            artifactBucket: bucket("models"),
            readBuckets: cfg.dataLake.zones.filter((z) => z !== "models").map(bucket),
            kmsKeyName: keys.keyIds.vertex,
            workbenchKmsKeyName: gcp.mlPlatform.workbench ? keys.keyIds.workbench : undefined,
            training: cfg.mlPlatform.training,
            trainingMachineType: gcp.mlPlatform.trainingMachineType,
            createMetadataStore: gcp.mlPlatform.createMetadataStore,
            workbench: gcp.mlPlatform.workbench,
            workbenchMachineType: gcp.mlPlatform.workbenchMachineType,
            workbenchAccelerator: gcp.mlPlatform.workbenchAccelerator,
            workbenchIdleShutdownMinutes: gcp.mlPlatform.workbenchIdleShutdownMinutes,
            networkId: network?.networkId,
            subnetId: network?.subnetId,
            protectData,
            tags,
        },
        after(
            crm,
            "iam.googleapis.com",
            "aiplatform.googleapis.com",
            "storage.googleapis.com",
            ...(gcp.mlPlatform.workbench ? ["notebooks.googleapis.com", "compute.googleapis.com"] : []),
        ),
    );

    // The training identity (which Workbench runs as) may call the models, so a notebook inside the VPC can
    // test them end to end; its email is known before the account exists.
    const trainer = `serviceAccount:${serviceAccountId(prefix, "train")}@${project}.iam.gserviceaccount.com`;
    const serving = gcp.containerService;
    const runApis = {
        dependsOn: [
            ...apis.api(crm, "iam.googleapis.com", "run.googleapis.com", "storage.googleapis.com", "artifactregistry.googleapis.com"),
            ml.trainingIdentity,
        ],
    };
    const containers = new CloudRunContainerService(
        "serving",
        {
            project,
            region,
            namePrefix: prefix,
            models: servingSpecs(cfg.models, "containerService"),
            registryKmsKeyName: keys.keyIds.registry,
            filesKmsKeyName: keys.keyIds.lake,
            accessLogBucket: lake.accessLogBucketName,
            ingress: serving.ingress,
            allowUnauthenticated: serving.allowUnauthenticated,
            invokers: [...serving.invokers, trainer],
            requestTimeoutSeconds: serving.requestTimeoutSeconds,
            gpuZonalRedundancy: serving.gpuZonalRedundancy,
            keepTaggedVersions: serving.registryKeepVersions,
            untaggedRetentionDays: serving.registryUntaggedDays,
            protectData,
            tags,
        },
        runApis,
    );

    const si = gcp.serverlessInference;
    const onDemand = servingSpecs(cfg.models, "serverlessInference");
    const inferenceServices: string[] = [];
    const vertexEndpoints: string[] = [];
    let inferenceEndpoints: pulumi.Output<Record<string, string>> | undefined;
    let deploySettings: pulumi.Output<unknown> | undefined;
    if (onDemand.length > 0) {
        const common = { project, region, namePrefix: prefix, models: onDemand, protectData, tags };
        switch (cfg.serverlessInference.implementation) {
            case "cloud-run": {
                const inference = new CloudRunInference(
                    "inference",
                    {
                        ...common,
                        filesKmsKeyName: keys.keyIds.lake,
                        accessLogBucket: lake.accessLogBucketName,
                        ingress: si.ingress,
                        allowUnauthenticated: si.allowUnauthenticated,
                        invokers: [...si.invokers, trainer],
                        requestTimeoutSeconds: si.requestTimeoutSeconds,
                        gpuZonalRedundancy: si.gpuZonalRedundancy,
                    },
                    runApis,
                );
                inferenceServices.push(...Object.values(inference.serviceNames));
                inferenceEndpoints = inference.endpoints;
                break;
            }
            case "cloud-functions": {
                const inference = new CloudFunctionsInference(
                    "inference",
                    {
                        ...common,
                        handlerFiles: functionFiles,
                        runtime: si.functionRuntime,
                        sourceKmsKeyName: keys.keyIds.lake,
                        accessLogBucket: lake.accessLogBucketName,
                        ingress: si.ingress,
                        allowUnauthenticated: si.allowUnauthenticated,
                        invokers: [...si.invokers, trainer],
                        requestTimeoutSeconds: si.requestTimeoutSeconds,
                    },
                    {
                        dependsOn: [
                            ...apis.api(
                                crm,
                                "iam.googleapis.com",
                                "cloudfunctions.googleapis.com",
                                "cloudbuild.googleapis.com",
                                "run.googleapis.com",
                                "storage.googleapis.com",
                                "artifactregistry.googleapis.com",
                            ),
                            ml.trainingIdentity,
                        ],
                    },
                );
                inferenceServices.push(...Object.values(inference.serviceNames));
                inferenceEndpoints = inference.endpoints;
                break;
            }
            case "vertex-endpoint": {
                const inference = new VertexEndpointInference(
                    "inference",
                    {
                        ...common,
                        kmsKeyName: keys.keyIds.vertex,
                        replicaFloor: FLOORS[cfg.environment].minReplicas,
                        endpointAccess: si.endpointAccess,
                        cpuMachineType: si.vertexCpuMachineType,
                    },
                    after("aiplatform.googleapis.com"),
                );
                vertexEndpoints.push(...Object.values(inference.endpointIds));
                inferenceEndpoints = inference.endpoints;
                deploySettings = inference.deploySettings;
                break;
            }
        }
    }

    // Every alert policy notifies every target of mlops:notifications: the channels are created once (by
    // serving-alerts) and shared. Webhook URLs may carry a token, so they go in as secrets.
    const alerts = (
        name: string,
        settings: GcpServingConfig,
        services: string[],
        endpoints: string[],
        channels: Pick<
            GcpObservabilityArgs,
            "notificationEmails" | "notificationWebhooks" | "notificationChannels" | "serviceLogRetentionDays"
        >,
    ) =>
        new GcpObservability(
            name,
            {
                project,
                namePrefix: prefix,
                cloudRunServices: services,
                vertexEndpoints: endpoints,
                errorRatePercent: settings.errorRatePercent,
                latencyP95Ms: settings.latencyP95Ms,
                ...channels,
            },
            after("monitoring.googleapis.com", "logging.googleapis.com"),
        );
    const servingAlerts = alerts("serving-alerts", serving, Object.values(containers.serviceNames), [], {
        notificationEmails: cfg.notifications.emails,
        notificationWebhooks: cfg.notifications.webhooks.map((url) => pulumi.secret(url)),
        serviceLogRetentionDays: gcp.dataLake.serviceLogRetentionDays,
    });
    if (onDemand.length > 0)
        alerts("inference-alerts", si, inferenceServices, vertexEndpoints, { notificationChannels: servingAlerts.notificationChannels });

    const outputs: StackOutputs = {
        dataLake: { endpoint: lake.endpoint, buckets: lake.bucketNames, datasets: lake.datasetIds, auditLogBucket: lake.auditLogBucket },
        mlPlatform: {
            trackingUri: ml.trackingUri,
            modelRegistry: ml.modelRegistry,
            training: ml.trainingDefaults,
            tensorboard: ml.tensorboard,
            workbenchUri: ml.workbenchUri,
        },
        containerService: { endpoints: containers.endpoints, registry: containers.registryUrl },
    };
    if (inferenceEndpoints)
        outputs.serverlessInference = deploySettings
            ? { endpoints: inferenceEndpoints, deploySettings }
            : { endpoints: inferenceEndpoints };
    return outputs;
}
