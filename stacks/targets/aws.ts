/** AWS: S3 + Glue/Athena, SageMaker, ECS Fargate or App Runner, Lambda or SageMaker endpoints. */
import { checkAwsStack, parseAwsConfig } from "../config/aws";
import type { Target } from "./types";

export const awsTarget: Target = {
    cloud: "aws",
    createsAlerts: true,
    implementations: {
        mlPlatform: { sagemaker: "sagemaker-training" },
        containerService: { "ecs-fargate": "ecs-fargate", "app-runner": "app-runner" },
        serverlessInference: {
            lambda: "lambda",
            "sagemaker-serverless": "sagemaker-serverless",
            "sagemaker-endpoint": "sagemaker-endpoint",
        },
    },
    providerNamespace: "aws:",
    parseOptions: parseAwsConfig,
    checkStack: checkAwsStack,
    build: async (config) => (await import("../clouds/aws")).buildAwsStack(config),
};
