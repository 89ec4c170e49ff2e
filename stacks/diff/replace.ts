/**
 * Which input changes make the provider replace a resource (delete it and create a new one), for the
 * kinds the shipped stacks register, and which kinds hold state a replacement or deletion loses.
 *
 * The installed SDKs (node_modules/@pulumi/<provider>/<module>/<resource>.d.ts) rarely say it: the bridged
 * providers (aws, gcp) take it from the upstream Terraform schema's `ForceNew`, azure-native from the
 * resource's URL path (its name and resource group) and ARM properties that are create-only, Kubernetes
 * from the fields the API server refuses to update. Each entry cites where it comes from; `verified` is
 * true when the installed .d.ts says so in the words quoted, false when it is the upstream documentation
 * page named (the author's knowledge of it, as the cost tables mark theirs).
 */

export interface ReplaceRule {
    /** Input paths (top-level keys, or `spec.selector` style paths) whose change replaces the resource. */
    readonly inputs: readonly string[];
    /** Where this comes from. */
    readonly source: string;
    readonly verified: boolean;
}

const TF_AWS = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources";
const TF_GOOGLE = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources";
const AZURE = "https://www.pulumi.com/registry/packages/azure-native/api-docs";
const K8S = "https://kubernetes.io/docs/reference/kubernetes-api";

/** Every azure-native resource is addressed by its resource group and name: changing either replaces it. */
const AZ_PATH = ["resourceGroupName"];

export const REPLACE_RULES: Readonly<Record<string, ReplaceRule>> = {
    // AWS (pulumi-aws bridges terraform-provider-aws: its "(Forces new resource)" arguments).
    "aws:s3/bucket:Bucket": { inputs: ["bucket", "bucketPrefix", "objectLockEnabled"], source: `${TF_AWS}/s3_bucket`, verified: false },
    "aws:kms/key:Key": {
        inputs: ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
        source: `${TF_AWS}/kms_key`,
        verified: false,
    },
    "aws:kms/alias:Alias": { inputs: ["name", "namePrefix"], source: `${TF_AWS}/kms_alias`, verified: false },
    "aws:ecr/repository:Repository": { inputs: ["name", "encryptionConfigurations"], source: `${TF_AWS}/ecr_repository`, verified: false },
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": {
        inputs: ["modelPackageGroupName"],
        source: `${TF_AWS}/sagemaker_model_package_group`,
        verified: false,
    },
    "aws:sagemaker/domain:Domain": {
        inputs: ["domainName", "authMode", "vpcId", "kmsKeyId"],
        source: `${TF_AWS}/sagemaker_domain`,
        verified: false,
    },
    "aws:sqs/queue:Queue": { inputs: ["name", "namePrefix", "fifoQueue"], source: `${TF_AWS}/sqs_queue`, verified: false },
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
        inputs: ["name", "destination"],
        source: `${TF_AWS}/kinesis_firehose_delivery_stream`,
        verified: false,
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        inputs: ["name", "namePrefix", "logGroupClass"],
        source: `${TF_AWS}/cloudwatch_log_group`,
        verified: false,
    },
    "aws:glue/catalogDatabase:CatalogDatabase": {
        inputs: ["name", "catalogId"],
        source: `${TF_AWS}/glue_catalog_database`,
        verified: false,
    },
    "aws:athena/workgroup:Workgroup": { inputs: ["name"], source: `${TF_AWS}/athena_workgroup`, verified: false },
    "aws:sns/topic:Topic": { inputs: ["name", "namePrefix", "fifoTopic"], source: `${TF_AWS}/sns_topic`, verified: false },
    "aws:ec2/vpc:Vpc": { inputs: ["cidrBlock", "instanceTenancy"], source: `${TF_AWS}/vpc`, verified: false },
    "aws:ec2/subnet:Subnet": {
        inputs: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
        source: `${TF_AWS}/subnet`,
        verified: false,
    },
    "aws:cloudtrail/trail:Trail": { inputs: ["name"], source: `${TF_AWS}/cloudtrail`, verified: false },
    "aws:lambda/function:Function": { inputs: ["name", "packageType"], source: `${TF_AWS}/lambda_function`, verified: false },
    "aws:ecs/cluster:Cluster": { inputs: ["name"], source: `${TF_AWS}/ecs_cluster`, verified: false },
    "aws:lb/loadBalancer:LoadBalancer": {
        inputs: ["name", "namePrefix", "internal", "loadBalancerType"],
        source: `${TF_AWS}/lb`,
        verified: false,
    },

    // Google Cloud (pulumi-gcp bridges terraform-provider-google: "Changing this forces a new resource").
    "gcp:storage/bucket:Bucket": { inputs: ["name", "location", "project"], source: `${TF_GOOGLE}/storage_bucket`, verified: false },
    "gcp:bigquery/dataset:Dataset": {
        inputs: ["datasetId", "location", "project"],
        source: 'node_modules/@pulumi/gcp/bigquery/dataset.d.ts (location: "Changing this forces a new resource to be created.")',
        verified: true,
    },
    "gcp:bigquery/table:Table": {
        inputs: ["datasetId", "tableId", "project"],
        source: 'node_modules/@pulumi/gcp/bigquery/table.d.ts (datasetId, tableId: "Changing this forces a new resource to be created.")',
        verified: true,
    },
    "gcp:kms/keyRing:KeyRing": { inputs: ["name", "location", "project"], source: `${TF_GOOGLE}/kms_key_ring`, verified: false },
    "gcp:kms/cryptoKey:CryptoKey": {
        inputs: ["name", "keyRing", "purpose", "importOnly", "skipInitialVersionCreation", "cryptoKeyBackend"],
        source:
            'node_modules/@pulumi/gcp/kms/cryptoKey.d.ts (purpose: "The immutable purpose of this CryptoKey"); the rest ' +
            `${TF_GOOGLE}/kms_crypto_key`,
        verified: false,
    },
    "gcp:artifactregistry/repository:Repository": {
        inputs: ["repositoryId", "format", "location", "project", "kmsKeyName", "mode"],
        source: `${TF_GOOGLE}/artifact_registry_repository`,
        verified: false,
    },
    "gcp:pubsub/topic:Topic": { inputs: ["name", "project"], source: `${TF_GOOGLE}/pubsub_topic`, verified: false },
    "gcp:pubsub/subscription:Subscription": {
        inputs: ["name", "topic", "project"],
        source: `${TF_GOOGLE}/pubsub_subscription`,
        verified: false,
    },
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": {
        inputs: ["bucketId", "location", "project"],
        source: `${TF_GOOGLE}/logging_project_bucket_config`,
        verified: false,
    },
    "gcp:vertex/aiTensorboard:AiTensorboard": {
        inputs: ["region", "project", "encryptionSpec"],
        source: `${TF_GOOGLE}/vertex_ai_tensorboard`,
        verified: false,
    },
    "gcp:compute/network:Network": {
        inputs: ["name", "autoCreateSubnetworks", "project"],
        source: `${TF_GOOGLE}/compute_network`,
        verified: false,
    },
    "gcp:compute/subnetwork:Subnetwork": {
        inputs: ["name", "network", "region", "project"],
        source: `${TF_GOOGLE}/compute_subnetwork`,
        verified: false,
    },

    // Azure (azure-native: the URL path, i.e. resource group and name, and create-only ARM properties).
    "azure-native:storage:StorageAccount": {
        inputs: [...AZ_PATH, "accountName", "location", "kind", "isHnsEnabled"],
        source: `${AZURE}/storage/storageaccount`,
        verified: false,
    },
    "azure-native:storage:BlobContainer": {
        inputs: [...AZ_PATH, "accountName", "containerName"],
        source: `${AZURE}/storage/blobcontainer`,
        verified: false,
    },
    "azure-native:storage:Queue": { inputs: [...AZ_PATH, "accountName", "queueName"], source: `${AZURE}/storage/queue`, verified: false },
    "azure-native:keyvault:Vault": { inputs: [...AZ_PATH, "vaultName", "location"], source: `${AZURE}/keyvault/vault`, verified: false },
    "azure-native:keyvault:Key": { inputs: [...AZ_PATH, "vaultName", "keyName"], source: `${AZURE}/keyvault/key`, verified: false },
    "azure-native:containerregistry:Registry": {
        inputs: [...AZ_PATH, "registryName", "location"],
        source: `${AZURE}/containerregistry/registry`,
        verified: false,
    },
    "azure-native:eventhub:Namespace": {
        inputs: [...AZ_PATH, "namespaceName", "location"],
        source: `${AZURE}/eventhub/namespace`,
        verified: false,
    },
    "azure-native:eventhub:EventHub": {
        inputs: [...AZ_PATH, "namespaceName", "eventHubName"],
        source: `${AZURE}/eventhub/eventhub`,
        verified: false,
    },
    "azure-native:machinelearningservices:Workspace": {
        inputs: [...AZ_PATH, "workspaceName", "location"],
        source: `${AZURE}/machinelearningservices/workspace`,
        verified: false,
    },
    "azure-native:synapse:Workspace": {
        inputs: [...AZ_PATH, "workspaceName", "location"],
        source: `${AZURE}/synapse/workspace`,
        verified: false,
    },
    "azure-native:operationalinsights:Workspace": {
        inputs: [...AZ_PATH, "workspaceName", "location"],
        source: `${AZURE}/operationalinsights/workspace`,
        verified: false,
    },
    "azure-native:resources:ResourceGroup": {
        inputs: ["resourceGroupName", "location"],
        source: `${AZURE}/resources/resourcegroup`,
        verified: false,
    },

    // Kubernetes (fields the API server refuses to change; pulumi-kubernetes replaces the object instead).
    "kubernetes:apps/v1:StatefulSet": {
        inputs: [
            "metadata.name",
            "metadata.namespace",
            "spec.selector",
            "spec.serviceName",
            "spec.volumeClaimTemplates",
            "spec.podManagementPolicy",
        ],
        source: `${K8S}/workload-resources/stateful-set-v1/ (updates may only change replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds)`,
        verified: false,
    },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        inputs: [
            "metadata.name",
            "metadata.namespace",
            "spec.storageClassName",
            "spec.accessModes",
            "spec.volumeName",
            "spec.selector",
            "spec.volumeMode",
        ],
        source: `${K8S}/config-and-storage-resources/persistent-volume-claim-v1/ (only resources.requests, to grow, and volumeAttributesClassName change)`,
        verified: false,
    },
    "kubernetes:apps/v1:Deployment": {
        inputs: ["metadata.name", "metadata.namespace", "spec.selector"],
        source: `${K8S}/workload-resources/deployment-v1/ (spec.selector is immutable in apps/v1)`,
        verified: false,
    },
    "kubernetes:batch/v1:Job": {
        inputs: ["metadata.name", "metadata.namespace", "spec.template", "spec.selector", "spec.completions"],
        source: `${K8S}/workload-resources/job-v1/ (spec.template is immutable)`,
        verified: false,
    },
    "kubernetes:core/v1:Namespace": { inputs: ["metadata.name"], source: `${K8S}/cluster-resources/namespace-v1/`, verified: false },
};

/** What a stateful kind holds, for the report's loud line; kinds not listed hold no data of their own. */
export const STATEFUL_KINDS: Readonly<Record<string, string>> = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:kms/key:Key": "encryption key",
    "aws:ecr/repository:Repository": "image registry",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "model registry",
    "aws:sagemaker/domain:Domain": "ML domain (home volumes)",
    "aws:glue/catalogDatabase:CatalogDatabase": "database",
    "aws:sqs/queue:Queue": "queue / dead letters",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "stream",
    "aws:cloudwatch/logGroup:LogGroup": "log store",
    "aws:cloudtrail/trail:Trail": "audit trail",
    "gcp:storage/bucket:Bucket": "bucket",
    "gcp:bigquery/dataset:Dataset": "database",
    "gcp:bigquery/table:Table": "table",
    "gcp:kms/keyRing:KeyRing": "key ring",
    "gcp:kms/cryptoKey:CryptoKey": "encryption key",
    "gcp:artifactregistry/repository:Repository": "image registry",
    "gcp:pubsub/topic:Topic": "stream",
    "gcp:pubsub/subscription:Subscription": "queue / dead letters",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": "log store",
    "gcp:vertex/aiTensorboard:AiTensorboard": "experiment store",
    "gcp:workbench/instance:Instance": "notebook disk",
    "azure-native:storage:StorageAccount": "storage account",
    "azure-native:storage:BlobContainer": "bucket",
    "azure-native:storage:Queue": "queue / dead letters",
    "azure-native:keyvault:Vault": "key vault",
    "azure-native:keyvault:Key": "encryption key",
    "azure-native:containerregistry:Registry": "image registry",
    "azure-native:eventhub:Namespace": "stream",
    "azure-native:eventhub:EventHub": "stream",
    "azure-native:machinelearningservices:Workspace": "ML workspace (registry, runs)",
    "azure-native:machinelearningservices:ModelContainer": "model registry",
    "azure-native:synapse:Workspace": "database",
    "azure-native:operationalinsights:Workspace": "log store",
    "kubernetes:apps/v1:StatefulSet": "database",
    "kubernetes:core/v1:PersistentVolumeClaim": "volume",
    "kubernetes:core/v1:Namespace": "namespace (deleting it deletes everything in it)",
};

/** The replace-on-change inputs among `changed` paths (`spec.selector.matchLabels.app` matches `spec.selector`). */
export function replacingPaths(type: string, changed: readonly string[]): string[] {
    const rule = REPLACE_RULES[type];
    if (!rule) return [];
    return changed.filter((p) => rule.inputs.some((i) => p === i || p.startsWith(`${i}.`) || p.startsWith(`${i}[`)));
}
