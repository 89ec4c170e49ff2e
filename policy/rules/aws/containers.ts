/** ECR repositories and ECS Fargate task definitions, services and clusters. */
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, Fields, list, oneOf, parseJson, records } from "../lib/read";
import { publicAllows, statementsOf } from "./documents";
import { AWS } from "./types";

const SERVICE = "components/container-service/aws.ts";
const REGISTRY = "components/registry/aws.ts";

export const ecrImmutableTags = resourceRule({
    name: "aws-ecr-immutable-tags",
    description: "ECR repositories make image tags immutable, so a deployed tag always means the same image.",
    severity: "high",
    remediation: `set imageTagMutability: IMMUTABLE on the aws.ecr.Repository (${REGISTRY})`,
    mirrors: ["CKV_AWS_51", "AVD-AWS-0031"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecrRepository],
    check: (r) => {
        const mutability = r.props.imageTagMutability;
        return oneOf(["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"], mutability)
            ? []
            : [`imageTagMutability is ${mutability ?? "MUTABLE (default)"}, not IMMUTABLE`];
    },
});

export const ecrScanOnPush = resourceRule({
    name: "aws-ecr-scan-on-push",
    description: "ECR repositories scan images for vulnerabilities on push.",
    severity: "medium",
    remediation: `set imageScanningConfiguration.scanOnPush: true on the aws.ecr.Repository (${REGISTRY})`,
    mirrors: ["CKV_AWS_163", "AVD-AWS-0030"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecrRepository],
    check: (r) =>
        at(r.props, "imageScanningConfiguration.scanOnPush") === true ? [] : ["imageScanningConfiguration.scanOnPush is not true"],
});

export const ecrKms = resourceRule({
    name: "aws-ecr-kms-encryption",
    description: "ECR repositories encrypt images with KMS.",
    severity: "medium",
    remediation: `set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey }] on the aws.ecr.Repository (${REGISTRY})`,
    mirrors: ["CKV_AWS_136", "AVD-AWS-0033"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecrRepository],
    check: (r) => {
        const type = at(list(r.props.encryptionConfigurations)[0], "encryptionType");
        return oneOf(["KMS", "KMS_DSSE"], type) ? [] : [`encryptionType is ${type ?? "AES256 (default)"}, not KMS`];
    },
});

export const ecrPolicyNotPublic = resourceRule({
    name: "aws-ecr-policy-not-public",
    description: 'ECR repository policies allow no Principal "*".',
    severity: "critical",
    remediation: `grant pulls to the task and SageMaker roles by ARN, never Principal "*" (${REGISTRY})`,
    mirrors: ["CKV_AWS_32", "AVD-AWS-0032"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecrRepositoryPolicy],
    check: (r) => {
        const statements = statementsOf(r.props.policy);
        if (!statements) return ["policy is not a JSON policy document"];
        return publicAllows(statements).map((s) => `statement ${s.index} allows Principal "*"`);
    },
});

export const ecrLifecycle = stackRule({
    name: "aws-ecr-lifecycle-policy",
    description: "ECR repositories have a lifecycle policy (untagged images expire instead of accumulating).",
    severity: "low",
    remediation: `keep the aws.ecr.LifecyclePolicy that expires untagged images (${REGISTRY})`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "advisory",
    types: [AWS.ecrRepository],
    validate: ({ view, report }) => {
        for (const repo of view.ofType([AWS.ecrRepository])) {
            if (view.companions(repo, [AWS.ecrLifecyclePolicy], "repository", ["name", "id"]).length === 0)
                report(repo, "no aws.ecr.LifecyclePolicy for this repository");
        }
    },
});

export const ecsContainerInsights = resourceRule({
    name: "aws-ecs-container-insights",
    description: "ECS clusters turn on Container Insights (enabled or enhanced).",
    severity: "low",
    remediation: `set settings: [{ name: "containerInsights", value: "enabled" }] on the aws.ecs.Cluster (${SERVICE})`,
    mirrors: ["CKV_AWS_65", "AVD-AWS-0034"],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [AWS.ecsCluster],
    check: (r) => {
        const value = at(
            list(r.props.settings).find((s) => at(s, "name") === "containerInsights"),
            "value",
        );
        return oneOf(["enabled", "enhanced"], value) ? [] : [`containerInsights is ${value ?? "unset"}, not enabled`];
    },
});

/** The container definitions of a task definition (a JSON string), or a problem. */
function containersOf(props: Fields): { containers: Fields[] } | { problem: string } {
    const parsed = parseJson(props.containerDefinitions);
    return parsed.ok && Array.isArray(parsed.value)
        ? { containers: records(parsed.value) }
        : { problem: "containerDefinitions is not a JSON array of containers" };
}

const taskCheck =
    (perContainer: (c: Fields) => string[], perTask: (props: Fields) => string[] = () => []) =>
    (r: { props: Fields }) => {
        const found = containersOf(r.props);
        if ("problem" in found) return [found.problem];
        return [
            ...perTask(r.props),
            ...found.containers.flatMap((c) => perContainer(c).map((p) => `container ${c.name ?? "(unnamed)"} ${p}`)),
        ];
    };

export const ecsNoPrivilege = resourceRule({
    name: "aws-ecs-task-no-privilege",
    description: "ECS task definitions run no privileged container and share no host PID or IPC namespace.",
    severity: "high",
    remediation: `remove privileged, pidMode: host and ipcMode: host from the task definition (${SERVICE})`,
    mirrors: ["CKV_AWS_334", "CKV_AWS_335"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecsTaskDefinition],
    check: taskCheck(
        (c) => (c.privileged === true ? ["is privileged"] : []),
        (props) => ["pidMode", "ipcMode"].filter((k) => props[k] === "host").map((k) => `${k} is host`),
    ),
});

export const ecsReadOnlyRoot = resourceRule({
    name: "aws-ecs-task-read-only-root",
    description: "ECS containers mount their root filesystem read-only (writable paths are task volumes).",
    severity: "medium",
    remediation: `set readonlyRootFilesystem: true in each container definition and mount a volume where the model writes (${SERVICE})`,
    mirrors: ["CKV_AWS_336"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecsTaskDefinition],
    check: taskCheck((c) => (c.readonlyRootFilesystem === true ? [] : ["does not set readonlyRootFilesystem: true"])),
});

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

export const ecsNoPlaintextSecrets = resourceRule({
    name: "aws-ecs-task-no-plaintext-secrets",
    description:
        "ECS container definitions carry no literal credential in environment variables (use `secrets` from Secrets Manager or SSM).",
    severity: "high",
    remediation:
        "move the value to Secrets Manager and reference it in the container's secrets; keep credentials out of mlops:models[].env",
    mirrors: ["AVD-AWS-0036"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecsTaskDefinition],
    check: taskCheck((c) =>
        records(c.environment)
            .filter((e) => SECRET_NAME.test(String(e.name ?? "")) && typeof e.value === "string")
            .map((e) => `has a literal credential in environment variable ${e.name}`),
    ),
});

export const ecsSeparateRoles = resourceRule({
    name: "aws-ecs-task-separate-roles",
    description: "ECS task definitions use different roles for the ECS agent (execution role) and for the application (task role).",
    severity: "medium",
    remediation: `give the task its own role; the execution role only pulls images and writes logs (${SERVICE})`,
    mirrors: ["CKV_AWS_249"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecsTaskDefinition],
    check: (r) => {
        const { executionRoleArn: execution, taskRoleArn: task } = r.props;
        return typeof execution === "string" && execution === task ? ["executionRoleArn and taskRoleArn are the same role"] : [];
    },
});

export const ecsNoPublicIp = resourceRule({
    name: "aws-ecs-service-no-public-ip",
    description: "ECS services give their tasks no public IP (they sit in private subnets behind a load balancer).",
    severity: "high",
    remediation: `set networkConfiguration.assignPublicIp: false and run the tasks in the private subnets (${SERVICE})`,
    mirrors: ["CKV_AWS_333"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.ecsService],
    check: (r) => (at(r.props, "networkConfiguration.assignPublicIp") === true ? ["networkConfiguration.assignPublicIp is true"] : []),
});

export const containerRules: readonly MlopsPolicy[] = [
    ecrImmutableTags,
    ecrScanOnPush,
    ecrKms,
    ecrPolicyNotPublic,
    ecrLifecycle,
    ecsContainerInsights,
    ecsNoPrivilege,
    ecsReadOnlyRoot,
    ecsNoPlaintextSecrets,
    ecsSeparateRoles,
    ecsNoPublicIp,
];
