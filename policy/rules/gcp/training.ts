/**
 * Training pipelines (Vertex AI schedules, Secret Manager): the scheduled pipeline runs are CMEK-encrypted and
 * run as a dedicated service account (never the Compute Engine default account); the GitHub token secret is
 * encrypted with a customer-managed key.
 */
import { CUSTOM, resourceRule } from "../meta";
import { at } from "../lib/read";

const TRAINING = "components/training-pipeline/gcp.ts";
export const TRAINING_TYPES = {
    schedule: "gcp:colab/schedule:Schedule",
    vertexSchedule: "gcp:vertex/aiSchedule:AiSchedule",
    secret: "gcp:secretmanager/secret:Secret",
} as const;

export const trainingRunEncrypted = resourceRule({
    name: "gcp-training-run-cmek",
    description:
        "Scheduled Vertex AI pipeline runs are encrypted with a customer-managed key and run as a dedicated service account, not the Compute Engine default account.",
    severity: "high",
    remediation: `pass the stack's training key as kmsKeyName and the pipeline's own account to VertexTrainingPipelines (${TRAINING})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [TRAINING_TYPES.schedule, TRAINING_TYPES.vertexSchedule],
    check: (r) => {
        if (at(r.props, "createPipelineJobRequest") === undefined) return [];
        const problems: string[] = [];
        const key = at(r.props, "createPipelineJobRequest.pipelineJob.encryptionSpec.kmsKeyName");
        if (typeof key !== "string" || key.length === 0)
            problems.push("createPipelineJobRequest.pipelineJob.encryptionSpec.kmsKeyName is not set (Google-managed encryption)");
        const account = at(r.props, "createPipelineJobRequest.pipelineJob.serviceAccount");
        if (typeof account !== "string" || account.length === 0 || /-compute@developer\.gserviceaccount\.com$/.test(account))
            problems.push(
                "createPipelineJobRequest.pipelineJob.serviceAccount is not a dedicated account (runs as the Compute Engine default account)",
            );
        return problems;
    },
});

export const secretEncrypted = resourceRule({
    name: "gcp-secret-cmek",
    description: "Secret Manager secrets (the GitHub token of model delivery) are encrypted with a customer-managed key in every replica.",
    severity: "high",
    remediation: `replicate the secret user-managed in the stack's region with customerManagedEncryption (${TRAINING})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [TRAINING_TYPES.secret],
    check: (r) => {
        const auto = at(r.props, "replication.auto");
        if (auto !== undefined) {
            const key = at(r.props, "replication.auto.customerManagedEncryption.kmsKeyName");
            return typeof key === "string" && key.length > 0 ? [] : ["replication.auto has no customerManagedEncryption"];
        }
        const replicas = at(r.props, "replication.userManaged.replicas");
        if (!Array.isArray(replicas) || replicas.length === 0) return ["replication is not set"];
        return replicas.flatMap((rep: unknown, i: number) => {
            const key = (rep as { customerManagedEncryption?: { kmsKeyName?: unknown } })?.customerManagedEncryption?.kmsKeyName;
            return typeof key === "string" && key.length > 0
                ? []
                : [`replication.userManaged.replicas[${i}] has no customerManagedEncryption`];
        });
    },
});

export const trainingRules = [trainingRunEncrypted, secretEncrypted];
