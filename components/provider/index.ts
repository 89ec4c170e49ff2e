/**
 * The cross-language package `mlops` (`pulumi package add <repository>/components`): Pulumi's Node plugin
 * host loads this module, finds the ComponentResource classes it exports and serves them, with the schema
 * its analyzer derives from their argument interfaces (committed as components/schema.json). Only the
 * components whose arguments the analyzer can express are exported here (today all of them);
 * scripts/package-schema.ts decides, and tests/unit/package-schema.test.ts fails when this list and the schema disagree.
 */
export {
    AppRunnerService,
    AwsAlertTopic,
    AwsContainerRegistry,
    AwsDataAccessTrail,
    AwsKmsKey,
    AwsNetwork,
    AwsSecureBucket,
    EcsFargatePipelines,
    EcsFargateService,
    FirehoseStreams,
    GluePipelines,
    LambdaInference,
    MwaaAirflow,
    S3DataLake,
    SageMakerInference,
    SageMakerPlatform,
    SageMakerTrainingPipelines,
} from "../aws";
export {
    CloudComposer,
    CloudFunctionsInference,
    CloudRunContainerService,
    CloudRunInference,
    CloudRunModelService,
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
} from "../gcp";
export {
    AzureAlertRecipients,
    AzureContainerApps,
    AzureContainerAppsInference,
    AzureContainerAppsJobs,
    AzureDataLake,
    AzureEventHubsStreams,
    AzureFunctionsInference,
    AzureKeyVault,
    AzureMlEndpointInference,
    AzureMlPlatform,
    AzureMlTrainingPipelines,
    AzureMonitoring,
    AzureNetwork,
    AzurePipelinesNetwork,
    AzureSynapseQuery,
    AzureWorkloadIdentity,
} from "../azure";
export {
    KnativeInference,
    KubernetesAirflow,
    KubernetesContainerService,
    KubernetesDataPipelines,
    KubernetesTrainingPipelines,
    MinioDataLake,
    MlflowPlatform,
} from "../kubernetes";
