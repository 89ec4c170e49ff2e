/**
 * AWS accelerator table: per service, (accelerator, count) -> instance type, one default size per pair
 * (the smallest instance that carries that many). SageMaker takes the EC2 type with an `ml.` prefix.
 */
import { withScheduling } from "./kubernetes";
import type { CatalogRow, SERVICES, ServiceCatalog } from "./types";

type AwsService = (typeof SERVICES)["aws"][number];

const SRC = {
    // Karpenter's generated table lists GPU/Neuron name and count per instance type from the EC2 API.
    karpenter: "https://github.com/aws/karpenter-provider-aws/blob/main/website/content/en/docs/reference/instance-types.md",
    p5small: "skypilot sky/catalog/data_fetchers/fetch_aws.py (p5.4xlarge -> H100 x1)",
    smTraining:
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html (InstanceType); aws/sagemaker-core PR #221, #307",
    smEndpoint:
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html (InstanceType); aws/sagemaker-core PR #221",
} as const;

/** EC2 instance types. Also the node sizes for EKS below. */
const EC2: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, instanceType: "g4dn.xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-t4", count: 4, instanceType: "g4dn.12xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-t4", count: 8, instanceType: "g4dn.metal", source: SRC.karpenter },
    { accelerator: "nvidia-l4", count: 1, instanceType: "g6.xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-l4", count: 4, instanceType: "g6.12xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-l4", count: 8, instanceType: "g6.48xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-a10g", count: 1, instanceType: "g5.xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-a10g", count: 4, instanceType: "g5.12xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-a10g", count: 8, instanceType: "g5.48xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-a100-40gb", count: 8, instanceType: "p4d.24xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-a100-80gb", count: 8, instanceType: "p4de.24xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-h100-80gb", count: 1, instanceType: "p5.4xlarge", source: SRC.p5small },
    { accelerator: "nvidia-h100-80gb", count: 8, instanceType: "p5.48xlarge", source: SRC.karpenter },
    { accelerator: "nvidia-h200", count: 8, instanceType: "p5en.48xlarge", source: SRC.karpenter },
    { accelerator: "aws-inferentia2", count: 1, instanceType: "inf2.xlarge", source: SRC.karpenter },
    { accelerator: "aws-inferentia2", count: 6, instanceType: "inf2.24xlarge", source: SRC.karpenter },
    { accelerator: "aws-inferentia2", count: 12, instanceType: "inf2.48xlarge", source: SRC.karpenter },
    { accelerator: "aws-trainium", count: 1, instanceType: "trn1.2xlarge", source: SRC.karpenter },
    { accelerator: "aws-trainium", count: 16, instanceType: "trn1.32xlarge", source: SRC.karpenter },
];

/** SageMaker training jobs. Inferentia2 is not a training instance type. */
const SAGEMAKER_TRAINING: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, instanceType: "ml.g4dn.xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-t4", count: 4, instanceType: "ml.g4dn.12xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-l4", count: 1, instanceType: "ml.g6.xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-l4", count: 4, instanceType: "ml.g6.12xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-l4", count: 8, instanceType: "ml.g6.48xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-a10g", count: 1, instanceType: "ml.g5.xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-a10g", count: 4, instanceType: "ml.g5.12xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-a10g", count: 8, instanceType: "ml.g5.48xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-a100-40gb", count: 8, instanceType: "ml.p4d.24xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-a100-80gb", count: 8, instanceType: "ml.p4de.24xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-h100-80gb", count: 8, instanceType: "ml.p5.48xlarge", source: SRC.smTraining },
    { accelerator: "nvidia-h200", count: 8, instanceType: "ml.p5en.48xlarge", source: SRC.smTraining },
    { accelerator: "aws-trainium", count: 1, instanceType: "ml.trn1.2xlarge", source: SRC.smTraining },
    { accelerator: "aws-trainium", count: 16, instanceType: "ml.trn1.32xlarge", source: SRC.smTraining },
];

/**
 * SageMaker real-time endpoints. Trainium is listed because the endpoint API accepts ml.trn1.* (AWS's
 * Neuron samples serve on it); H200 is left out because we found no endpoint listing for ml.p5en.
 */
const SAGEMAKER_ENDPOINT: readonly CatalogRow[] = [
    { accelerator: "nvidia-t4", count: 1, instanceType: "ml.g4dn.xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-t4", count: 4, instanceType: "ml.g4dn.12xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-l4", count: 1, instanceType: "ml.g6.xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-l4", count: 4, instanceType: "ml.g6.12xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-l4", count: 8, instanceType: "ml.g6.48xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-a10g", count: 1, instanceType: "ml.g5.xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-a10g", count: 4, instanceType: "ml.g5.12xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-a10g", count: 8, instanceType: "ml.g5.48xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-a100-40gb", count: 8, instanceType: "ml.p4d.24xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-a100-80gb", count: 8, instanceType: "ml.p4de.24xlarge", source: SRC.smEndpoint },
    { accelerator: "nvidia-h100-80gb", count: 8, instanceType: "ml.p5.48xlarge", source: SRC.smEndpoint },
    { accelerator: "aws-inferentia2", count: 1, instanceType: "ml.inf2.xlarge", source: SRC.smEndpoint },
    { accelerator: "aws-inferentia2", count: 6, instanceType: "ml.inf2.24xlarge", source: SRC.smEndpoint },
    { accelerator: "aws-inferentia2", count: 12, instanceType: "ml.inf2.48xlarge", source: SRC.smEndpoint },
    {
        accelerator: "aws-trainium",
        count: 1,
        instanceType: "ml.trn1.2xlarge",
        source: `${SRC.smEndpoint}; awskila/aws-neuron-sagemaker-samples`,
    },
    {
        accelerator: "aws-trainium",
        count: 16,
        instanceType: "ml.trn1.32xlarge",
        source: `${SRC.smEndpoint}; awskila/aws-neuron-sagemaker-samples`,
    },
];

/** Where an accelerator goes on AWS in this project when the chosen service takes none. */
const AWS_ALTERNATIVES = [
    { capabilities: ["serverlessInference"], implementation: "sagemaker-endpoint" },
    { capabilities: ["mlPlatform"], implementation: "sagemaker" },
] as const;

/** The AWS table, one entry per service in SERVICES.aws. */
export const AWS_CATALOG: Readonly<Record<AwsService, ServiceCatalog>> = {
    "sagemaker-training": { rows: SAGEMAKER_TRAINING },
    "sagemaker-endpoint": { rows: SAGEMAKER_ENDPOINT },
    ec2: { rows: EC2 },
    // Karpenter reports no GPU for p5.4xlarge (gpu-count 0, no nvidia.com/gpu), so EKS cannot schedule on it.
    eks: { rows: EC2.filter((r) => r.instanceType !== "p5.4xlarge").map((r) => withScheduling("eks", r)) },
    // Serverless inference is CPU only (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html).
    "sagemaker-serverless": { rows: [], alternatives: AWS_ALTERNATIVES },
    lambda: { rows: [], alternatives: AWS_ALTERNATIVES },
    "ecs-fargate": { rows: [], alternatives: AWS_ALTERNATIVES },
    "app-runner": { rows: [], alternatives: AWS_ALTERNATIVES },
    // Glue Python shell and Spark jobs run on Glue's own workers (DPUs): no accelerator.
    glue: { rows: [], alternatives: [{ capabilities: ["mlPlatform"], implementation: "sagemaker" }] },
};
