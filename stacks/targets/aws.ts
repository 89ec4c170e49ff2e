/** AWS: S3 + Glue/Athena, SageMaker, ECS Fargate or App Runner, Lambda or SageMaker endpoints. */
import { checkAwsStack, parseAwsConfig } from "../config/aws";
import { checkAwsPipelines } from "../config/aws-pipelines";
import { checkAwsTraining } from "../config/aws-training";
import { eventBridgeCronProblem } from "@mlops/components";
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
        pipelines: { "ecs-fargate": "ecs-fargate", glue: "glue" },
    },
    providerNamespace: "aws:",
    parseOptions: parseAwsConfig,
    checkStack: (config) => [...checkAwsStack(config), ...checkAwsPipelines(config), ...checkAwsTraining(config)],
    pipelines: {
        onArrival: true,
        streams: true,
        scriptRunners: ["glue"],
        scheduleProblem: eventBridgeCronProblem,
        airflow: { offered: true, service: "Amazon MWAA" },
    },
    training: { automl: { offered: true, service: "SageMaker Autopilot" } },
    build: async (config) => (await import("../clouds/aws")).buildAwsStack(config),
};
