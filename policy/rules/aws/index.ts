/** AWS rules: the data lake (S3, KMS, Glue, Athena, CloudTrail, logs), IAM, containers (ECR, ECS), serving (Lambda, App Runner, SageMaker), load balancer TLS and logs, alert delivery, data pipelines and streams, training pipelines. */
import { MlopsPolicy } from "../meta";
import { auditAndKeyRules } from "./audit-keys";
import { containerRules } from "./containers";
import { edgeAndAlertRules } from "./edge-alerts";
import { iamRules } from "./iam";
import { pipelineRules } from "./pipelines";
import { s3Rules } from "./s3";
import { servingRules } from "./serving";
import { trainingRules } from "./training";

export const awsRules: readonly MlopsPolicy[] = [
    ...s3Rules,
    ...auditAndKeyRules,
    ...iamRules,
    ...containerRules,
    ...servingRules,
    ...edgeAndAlertRules,
    ...pipelineRules,
    ...trainingRules,
];
