/**
 * The GCP stack: the four components on Google Cloud, plus the project APIs they need, CMEK keys, a
 * private network for the Workbench instance and serving alerts. Every resource waits for the APIs it
 * uses (component `dependsOn`), so a fresh project works on the first `pulumi up`. Physical names start
 * with `<project>-<stack>`, so several stacks can share one GCP project.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    CloudComposer,
    CloudFunctionsInference,
    CloudRunContainerService,
    CloudRunInference,
    CloudRunPipelines,
    GcpEncryption,
    GcpNetwork,
    GcpObservability,
    GcpProjectServices,
    GcsDataLake,
    PubSubStreams,
    VertexEndpointInference,
    VertexPlatform,
    VertexTrainingPipelines,
    pipelineAlertSignals,
    signalAlertPolicy,
    trainingAlertSignals,
} from "@mlops/components/gcp";
import type { AlertSignal } from "@mlops/components/gcp";
import {
    GCP_COMPONENTS as C,
    alertArgs,
    containerServiceArgs,
    encryptionArgs,
    gcpApis,
    gcpStackInputs,
    inferenceArgs,
    lakeArgs,
    networkArgs,
    projectServicesArgs,
    servingAlertChannels,
    vertexArgs,
} from "../config/gcp";
import {
    AIRFLOW_KEY,
    GCP_PIPELINE_COMPONENTS as P,
    PIPELINE_KEY,
    airflowApis,
    composerArgs,
    pipelineApiDeps,
    pipelineKeyArgs,
    pipelinesArgs,
    streamsArgs,
} from "../config/gcp-pipelines";
import { GCP_TRAINING_COMPONENTS as T, TRAINING_KEY, trainingArgs, trainingKeyArgs } from "../config/gcp-training";
import { trainingApis } from "../config/gcp-training-apis";
import { StackOutputs, StackConfig } from "../config/schema";

export { gcpApis } from "../config/gcp";

/** Builds the stack from a config parseStackConfig accepted (it ran checkGcpStack: every component validator). */
export function buildGcpStack(cfg: StackConfig): StackOutputs {
    const s = gcpStackInputs(cfg);
    const { gcp } = s;

    // The Composer APIs join only with `orchestrator: airflow` (airflowApis is empty otherwise).
    const services = projectServicesArgs(s);
    const apis = new GcpProjectServices(C.apis, { ...services, services: [...services.services, ...airflowApis(cfg)] });
    const after = (...services: string[]) => ({ dependsOn: apis.api(...services) });
    const crm = "cloudresourcemanager.googleapis.com";

    const keys = new GcpEncryption(
        C.keys,
        encryptionArgs(s),
        after(
            crm,
            "cloudkms.googleapis.com",
            ...gcpApis(cfg).filter((a) => /storage|bigquery|artifactregistry|aiplatform|notebooks|compute/.test(a)),
        ),
    );

    const lake = new GcsDataLake(
        C.lake,
        lakeArgs(s, keys.keyIds),
        after(crm, "storage.googleapis.com", "logging.googleapis.com", ...(cfg.dataLake.queryEngine ? ["bigquery.googleapis.com"] : [])),
    );
    const bucket = (zone: string) => lake.bucketNames.apply((b) => b[zone]);

    const networkSettings = networkArgs(s);
    const network = networkSettings ? new GcpNetwork(C.network, networkSettings, after("compute.googleapis.com")) : undefined;
    const ml = new VertexPlatform(
        C.ml,
        vertexArgs(s, {
            artifactBucket: bucket("models"),
            readBuckets: cfg.dataLake.zones.filter((z) => z !== "models").map(bucket),
            keyIds: keys.keyIds,
            networkId: network?.networkId,
            subnetId: network?.subnetId,
        }),
        after(
            crm,
            "iam.googleapis.com",
            "aiplatform.googleapis.com",
            "storage.googleapis.com",
            ...(gcp.mlPlatform.workbench ? ["notebooks.googleapis.com", "compute.googleapis.com"] : []),
        ),
    );

    const hasModels = cfg.dataLake.zones.includes("models");
    const refs = {
        keyIds: keys.keyIds,
        accessLogBucket: lake.accessLogBucketName,
        ...(hasModels ? { modelsBucket: bucket("models") } : {}),
    };
    const runApis = {
        dependsOn: [
            ...apis.api(crm, "iam.googleapis.com", "run.googleapis.com", "storage.googleapis.com", "artifactregistry.googleapis.com"),
            ml.trainingIdentity,
        ],
    };
    const containers = new CloudRunContainerService(C.serving, containerServiceArgs(s, refs), runApis);

    const inferenceServices: string[] = [];
    const vertexEndpoints: string[] = [];
    let inferenceEndpoints: pulumi.Output<Record<string, string>> | undefined;
    let deploySettings: pulumi.Output<unknown> | undefined;
    const inference = inferenceArgs(s, refs);
    switch (inference?.implementation) {
        case "cloud-run": {
            const component = new CloudRunInference(C.inference, inference.args, runApis);
            inferenceServices.push(...Object.values(component.serviceNames));
            inferenceEndpoints = component.endpoints;
            break;
        }
        case "cloud-functions": {
            const component = new CloudFunctionsInference(C.inference, inference.args, {
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
            });
            inferenceServices.push(...Object.values(component.serviceNames));
            inferenceEndpoints = component.endpoints;
            break;
        }
        case "vertex-endpoint": {
            const component = new VertexEndpointInference(C.inference, inference.args, after("aiplatform.googleapis.com"));
            vertexEndpoints.push(...Object.values(component.endpointIds));
            inferenceEndpoints = component.endpoints;
            deploySettings = component.deploySettings;
            break;
        }
    }

    // Every alert policy notifies every target of mlops:notifications: the channels are created once (by
    // serving-alerts) and shared. Webhook URLs may carry a token, so they go in as secrets. One component
    // watches every deployment: one condition per kind of deployment and signal, across all of them.
    const alertApis = after("monitoring.googleapis.com", "logging.googleapis.com");
    const servingAlerts = new GcpObservability(
        C.servingAlerts,
        alertArgs(
            s,
            {
                containerServices: Object.values(containers.serviceNames),
                inference: inference ? { cloudRunServices: inferenceServices, vertexEndpoints } : undefined,
            },
            servingAlertChannels(s, (url) => pulumi.secret(url)),
        ),
        alertApis,
    );

    // What the data pipelines and the drift jobs alert on, in one policy below (one condition: it bills monthly).
    const loopAlerts: { signals: AlertSignal[]; dependsOn: pulumi.Resource[] } = { signals: [], dependsOn: [] };

    // Data pipelines and streams (mlops:pipelines): their own key ring, so nothing above changes with them.
    const pipelineKeys = pipelineKeyArgs(s);
    if (pipelineKeys) {
        const pipelineApis = pipelineApiDeps(cfg);
        const keyring = new GcpEncryption(
            P.keys,
            pipelineKeys,
            after(crm, "cloudkms.googleapis.com", ...pipelineApis, ...airflowApis(cfg)),
        );
        const zoneBuckets = Object.fromEntries(cfg.dataLake.zones.map((z) => [z, bucket(z)]));
        const refs = {
            zoneBuckets,
            pipelineKey: keyring.keyIds[PIPELINE_KEY],
            lakeKey: keys.keyIds.lake,
            accessLogBucket: lake.accessLogBucketName,
            datasets: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, lake.datasetIds.apply((d) => d[z])])),
            network: network ? { networkId: network.networkId, subnetId: network.subnetId } : undefined,
        };
        const jobs = pipelinesArgs(s, refs);
        const pipelines = jobs ? new CloudRunPipelines(P.pipelines, jobs, { dependsOn: [...apis.api(...pipelineApis), lake] }) : undefined;
        if (jobs && pipelines) {
            loopAlerts.signals.push(...pipelineAlertSignals(jobs.namePrefix, jobs.jobs));
            loopAlerts.dependsOn.push(pipelines);
        }
        // orchestrator: airflow: a Composer environment whose DAGs start the same jobs (after they exist).
        const airflow = composerArgs(s, { airflowKey: keyring.keyIds[AIRFLOW_KEY], network: refs.network });
        if (airflow && pipelines)
            new CloudComposer(P.airflow, airflow, { dependsOn: [...apis.api(crm, "iam.googleapis.com", ...airflowApis(cfg)), pipelines] });
        const streams = streamsArgs(s, refs);
        if (streams) new PubSubStreams(P.streams, streams, { dependsOn: [...apis.api(...pipelineApis), lake] });
    }

    // Training pipelines (mlops:models[].training): their own key ring, so nothing above changes with them.
    const trainingKeys = trainingKeyArgs(s);
    if (trainingKeys) {
        const apisOfTraining = trainingApis(cfg);
        const keyring = new GcpEncryption(T.keys, trainingKeys, after(crm, "cloudkms.googleapis.com", ...apisOfTraining));
        const training = trainingArgs(
            s,
            {
                zoneBuckets: Object.fromEntries(cfg.dataLake.zones.map((z) => [z, bucket(z)])),
                trainingKey: keyring.keyIds[TRAINING_KEY],
                lakeKey: keys.keyIds.lake,
                accessLogBucket: lake.accessLogBucketName,
            },
            (value) => pulumi.secret(value),
        );
        if (training) {
            const trainer = new VertexTrainingPipelines(T.training, training, {
                dependsOn: [...apis.api(crm, "iam.googleapis.com", ...apisOfTraining), lake, ml.trainingIdentity],
            });
            loopAlerts.signals.push(...trainingAlertSignals(training.namePrefix, training.trainings));
            loopAlerts.dependsOn.push(trainer);
        }
    }
    if (loopAlerts.signals.length > 0)
        signalAlertPolicy(
            C.loopAlerts,
            {
                project: s.project,
                displayName: `${s.prefix} data pipelines and models: a run failed or could not start, or features drifted`,
                severity: "ERROR",
                signals: loopAlerts.signals,
                notificationChannels: servingAlerts.notificationChannels,
                documentation: `The data pipelines or the models of ${s.prefix} need attention: the incident's labels name the Cloud Run job (\`job_name\`), the arrival workflow (\`workflow_id\`) or the model (\`model\`). See docs/gcp.md, "Alerts".`,
            },
            { dependsOn: [...loopAlerts.dependsOn, ...apis.api("monitoring.googleapis.com")] },
        );

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
