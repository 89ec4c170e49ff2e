/**
 * Training pipelines: their jobs encrypt artifacts and volumes with a customer key, their identities can
 * never approve a version, and in prod every version waits for a person's approval.
 */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, parseJson, records } from "../lib/read";
import { statementsOf } from "./documents";
import { NVME_INSTANCE } from "./serving";
import { AWS } from "./types";

const TRAINING = "components/training-pipeline/aws.ts";

/** Training pipeline resource types (@pulumi/aws 7.48). */
export const TRAINING_TYPES = { pipeline: "aws:sagemaker/pipeline:Pipeline" } as const;

type Step = { Name?: unknown; Type?: unknown; Arguments?: Record<string, unknown> };

/** Every step of a definition, those nested in Condition steps included. */
function stepsOf(definition: unknown): Step[] | undefined {
    const parsed = parseJson(definition);
    if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return undefined;
    const walk = (steps: unknown): Step[] =>
        (Array.isArray(steps) ? (steps as Step[]) : []).flatMap((s) => [
            s,
            ...(s.Type === "Condition" ? [...walk(at(s.Arguments, "IfSteps")), ...walk(at(s.Arguments, "ElseSteps"))] : []),
        ]);
    return walk((parsed.value as Record<string, unknown>).Steps);
}

const blank = (v: unknown) => v === undefined || v === null || v === "";

export const trainingPipelineEncrypted = resourceRule({
    name: "aws-training-pipeline-encrypted",
    description:
        "SageMaker pipelines run as their own role, and their training, processing and AutoML steps encrypt outputs and volumes with a customer-managed KMS key (NVMe instance types take no volume key: their storage is hardware-encrypted).",
    severity: "high",
    remediation: `build the pipeline with SageMakerTrainingPipelines (${TRAINING}): roleArn its own identity; OutputDataConfig.KmsKeyId and ResourceConfig.VolumeKmsKeyId on Training steps, ClusterConfig.VolumeKmsKeyId on Processing steps, SecurityConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId on AutoML steps`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [TRAINING_TYPES.pipeline],
    check: (r) => {
        const out: string[] = [];
        if (blank(r.props.roleArn)) out.push("roleArn is not set: the pipeline has no identity of its own");
        const steps = stepsOf(r.props.pipelineDefinition);
        if (!steps) return [...out, "pipelineDefinition is not a JSON pipeline definition"];
        for (const s of steps) {
            const a = s.Arguments ?? {};
            const name = String(s.Name ?? "(unnamed)");
            if (s.Type === "Training") {
                if (blank(at(a, "OutputDataConfig.KmsKeyId")))
                    out.push(`step ${name}: OutputDataConfig.KmsKeyId is not set: model artifacts use the S3 default key`);
                // NVMe instance types take no volume key (SageMaker refuses one; their storage is hardware-encrypted).
                if (
                    blank(at(a, "ResourceConfig.VolumeKmsKeyId")) &&
                    !NVME_INSTANCE.test(String(at(a, "ResourceConfig.InstanceType") ?? ""))
                )
                    out.push(`step ${name}: ResourceConfig.VolumeKmsKeyId is not set: the training volume is not encrypted with the key`);
            }
            if (
                s.Type === "Processing" &&
                blank(at(a, "ProcessingResources.ClusterConfig.VolumeKmsKeyId")) &&
                !NVME_INSTANCE.test(String(at(a, "ProcessingResources.ClusterConfig.InstanceType") ?? ""))
            )
                out.push(
                    `step ${name}: ProcessingResources.ClusterConfig.VolumeKmsKeyId is not set: the job's volume is not encrypted with the key`,
                );
            if (s.Type === "AutoML") {
                if (blank(at(a, "OutputDataConfig.KmsKeyId")))
                    out.push(`step ${name}: OutputDataConfig.KmsKeyId is not set: candidates' artifacts use the S3 default key`);
                if (blank(at(a, "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId")))
                    out.push(
                        `step ${name}: AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId is not set: the candidates' volumes are not encrypted with the key`,
                    );
            }
        }
        return out;
    },
});

/** Actions that would let an identity approve a registered version. */
const APPROVES = /^(\*|sagemaker:\*|sagemaker:Update\*|sagemaker:UpdateModelPackage)$/i;

export const trainingCannotApprove = resourceRule({
    name: "aws-training-cannot-approve",
    description:
        "Training identities (roles tagged mlops-training) do not allow sagemaker:UpdateModelPackage (or a wildcard covering it) and deny it explicitly: approval rights stay separate from training rights.",
    severity: "critical",
    remediation: `build the role's statements with trainingStatements (${TRAINING}), which denies sagemaker:UpdateModelPackage; approvers get the stack's approver policy instead`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamRole],
    check: (r) => {
        const tags = (r.props.tags ?? {}) as Record<string, unknown>;
        if (tags["mlops-training"] === undefined) return [];
        const out: string[] = [];
        let denied = false;
        for (const policy of records(r.props.inlinePolicies)) {
            const statements = statementsOf(policy.policy);
            if (!statements) {
                out.push(`inline policy ${String(policy.name ?? "(unnamed)")} is not a JSON policy document`);
                continue;
            }
            for (const s of statements) {
                const approves = s.actions.filter((a) => APPROVES.test(a));
                if (s.effect === "Allow" && approves.length > 0)
                    out.push(
                        `inline policy ${String(policy.name ?? "(unnamed)")} statement ${s.index} allows ${approves.join(", ")}: the training identity could approve its own versions`,
                    );
                if (s.effect === "Deny" && s.actions.some((a) => /^sagemaker:UpdateModelPackage$/i.test(a)) && s.resources.includes("*"))
                    denied = true;
            }
        }
        if (!denied) out.push("no statement denies sagemaker:UpdateModelPackage on *: a policy attached later could let it approve");
        return out;
    },
});

export const prodVersionsApprovedManually = resourceRule({
    name: "aws-prod-versions-approved-manually",
    description:
        "In prod, a training pipeline registers every version as PendingManualApproval: a person approves it before it is delivered.",
    severity: "high",
    remediation: `leave mlops:models[].training.approval out in prod (manual); SageMakerTrainingPipelines (${TRAINING}) then defaults ModelApprovalStatus to PendingManualApproval`,
    mirrors: [CUSTOM],
    clouds: ["aws"],
    category: "reliability",
    enforcement: "prod",
    types: [TRAINING_TYPES.pipeline],
    check: (r) => {
        const parsed = parseJson(r.props.pipelineDefinition);
        if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return [];
        const def = parsed.value as { Parameters?: { Name?: string; DefaultValue?: unknown }[] };
        const steps = stepsOf(def) ?? [];
        const out: string[] = [];
        for (const s of steps.filter((x) => x.Type === "RegisterModel")) {
            const status = at(s.Arguments, "ModelApprovalStatus");
            const get = at(status, "Get");
            const value =
                typeof get === "string" && get.startsWith("Parameters.")
                    ? (def.Parameters ?? []).find((p) => p.Name === get.slice("Parameters.".length))?.DefaultValue
                    : status;
            if (value !== "PendingManualApproval")
                out.push(
                    `step ${String(s.Name ?? "(unnamed)")} registers versions as ${String(value ?? "unset")}, not PendingManualApproval`,
                );
        }
        return out;
    },
});

export const trainingRules: readonly MlopsPolicy[] = [trainingPipelineEncrypted, trainingCannotApprove, prodVersionsApprovedManually];
