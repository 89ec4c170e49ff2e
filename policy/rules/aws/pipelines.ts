/** Data pipelines and streams: what they hold is encrypted with a customer key, and their identities reach named prefixes only. */
import { MlopsPolicy, resourceRule } from "../meta";
import { at, records } from "../lib/read";
import { statementsOf } from "./documents";
import { AWS } from "./types";

const PIPELINES = "components/data-pipeline/aws.ts";

/** Pipeline resource types (@pulumi/aws 7.48). */
export const PIPELINE_TYPES = {
    queue: "aws:sqs/queue:Queue",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    glueJob: "aws:glue/job:Job",
    glueSecurity: "aws:glue/securityConfiguration:SecurityConfiguration",
    schedule: "aws:scheduler/schedule:Schedule",
} as const;

const blank = (v: unknown) => v === undefined || v === null || v === "";

export const pipelineEncryption = resourceRule({
    name: "aws-pipeline-encrypted",
    description:
        "Pipeline queues, Firehose streams, Glue jobs (through a KMS security configuration) and EventBridge schedules are encrypted with a customer-managed KMS key.",
    severity: "high",
    remediation: `pass the platform key (kmsKeyArn) to the pipeline components (${PIPELINES}): kmsMasterKeyId on queues, serverSideEncryption CUSTOMER_MANAGED_CMK and extendedS3Configuration.kmsKeyArn on streams, a security configuration with SSE-KMS (S3, CloudWatch) and CSE-KMS (bookmarks) on Glue jobs, kmsKeyArn on schedules`,
    mirrors: ["CKV_AWS_27", "CKV_AWS_240", "CKV_AWS_241", "CKV_AWS_195", "CKV_AWS_99"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: Object.values(PIPELINE_TYPES),
    check: (r) => {
        const p = r.props;
        switch (r.type) {
            case PIPELINE_TYPES.queue:
                return blank(p.kmsMasterKeyId) ? ["kmsMasterKeyId is not set: the queue is not encrypted with a customer-managed key"] : [];
            case PIPELINE_TYPES.firehose: {
                const out: string[] = [];
                if (at(p, "serverSideEncryption.enabled") !== true || at(p, "serverSideEncryption.keyType") !== "CUSTOMER_MANAGED_CMK")
                    out.push("serverSideEncryption is not enabled with a CUSTOMER_MANAGED_CMK key");
                if (blank(at(p, "extendedS3Configuration.kmsKeyArn")))
                    out.push("extendedS3Configuration.kmsKeyArn is not set: delivered objects are not encrypted with the key");
                return out;
            }
            case PIPELINE_TYPES.glueJob:
                return blank(p.securityConfiguration)
                    ? ["securityConfiguration is not set: the job's output, logs and bookmarks are not encrypted with the key"]
                    : [];
            case PIPELINE_TYPES.glueSecurity: {
                const out: string[] = [];
                if (at(p, "encryptionConfiguration.s3Encryption.s3EncryptionMode") !== "SSE-KMS") out.push("s3Encryption is not SSE-KMS");
                if (at(p, "encryptionConfiguration.cloudwatchEncryption.cloudwatchEncryptionMode") !== "SSE-KMS")
                    out.push("cloudwatchEncryption is not SSE-KMS");
                if (at(p, "encryptionConfiguration.jobBookmarksEncryption.jobBookmarksEncryptionMode") !== "CSE-KMS")
                    out.push("jobBookmarksEncryption is not CSE-KMS");
                return out;
            }
            case PIPELINE_TYPES.schedule:
                return blank(p.kmsKeyArn) ? ["kmsKeyArn is not set: the schedule's target input is encrypted with an AWS-owned key"] : [];
            default:
                return [];
        }
    },
});

/** The Airflow log types an MWAA environment can send to CloudWatch Logs. */
const MWAA_LOG_KEYS = ["dagProcessingLogs", "schedulerLogs", "taskLogs", "webserverLogs", "workerLogs"] as const;

export const airflowPrivateEncrypted = resourceRule({
    name: "aws-airflow-private-encrypted",
    description:
        "Amazon MWAA environments (orchestrator airflow) serve the Airflow UI only inside the VPC, encrypt with a customer-managed KMS key and send every Airflow log type to CloudWatch Logs.",
    severity: "high",
    remediation: `build the environment with MwaaAirflow (${PIPELINES}): webserverAccessMode PRIVATE_ONLY, kmsKey the platform key, loggingConfiguration with all five log types enabled`,
    mirrors: ["CKV_AWS_242", "CKV_AWS_243", "CKV_AWS_244"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: ["aws:mwaa/environment:Environment"],
    check: (r) => {
        const p = r.props;
        const out: string[] = [];
        if (p.webserverAccessMode !== "PRIVATE_ONLY")
            out.push(
                `webserverAccessMode is ${String(p.webserverAccessMode ?? "unset")}, not PRIVATE_ONLY: the Airflow UI is reachable from the internet`,
            );
        if (blank(p.kmsKey)) out.push("kmsKey is not set: the environment is encrypted with an AWS-owned key");
        const off = MWAA_LOG_KEYS.filter((k) => at(p, `loggingConfiguration.${k}.enabled`) !== true);
        if (off.length > 0) out.push(`loggingConfiguration does not enable ${off.join(", ")}`);
        return out;
    },
});

/** An S3 resource that covers every bucket (`*`, `arn:aws:s3:::*`, a wildcard in the bucket name). */
const ANY_BUCKET = /^(\*|arn:[^:]+:s3:::[^/]*\*.*)$/;

export const pipelineIdentityScoped = resourceRule({
    name: "aws-pipeline-identity-scoped",
    description:
        "Pipeline and stream identities (roles tagged mlops-pipeline or mlops-stream) grant no wildcard data access: no s3:* or *, no S3 resource over every bucket, and listing is limited to a prefix.",
    severity: "critical",
    remediation: `build the role's statements from its source and target prefixes (lakeAccessStatements in components/data-pipeline/aws-access.ts, used by ${PIPELINES})`,
    mirrors: ["CKV_AWS_355", "CKV_AWS_290"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamRole],
    check: (r) => {
        const tags = (r.props.tags ?? {}) as Record<string, unknown>;
        const pipeline = tags["mlops-pipeline"] !== undefined;
        if (!pipeline && tags["mlops-stream"] === undefined) return [];
        return records(r.props.inlinePolicies).flatMap((policy) => {
            const statements = statementsOf(policy.policy);
            if (!statements) return [`inline policy ${policy.name ?? "(unnamed)"} is not a JSON policy document`];
            return statements
                .filter((s) => s.effect === "Allow")
                .flatMap((s) => {
                    const where = `inline policy ${policy.name ?? "(unnamed)"} statement ${s.index}`;
                    const out: string[] = [];
                    for (const a of s.actions) if (a === "*" || /^s3:\*$/i.test(a)) out.push(`${where} allows ${a}`);
                    const s3 = s.actions.some((a) => /^s3:/i.test(a));
                    if (s3) for (const res of s.resources) if (ANY_BUCKET.test(res)) out.push(`${where} grants S3 on ${res}`);
                    if (
                        pipeline &&
                        s.actions.some((a) => /^s3:ListBucket$/i.test(a)) &&
                        at(s.condition, ["StringLike", "s3:prefix"]) === undefined
                    )
                        out.push(`${where} lists the bucket without an s3:prefix condition`);
                    return out;
                });
        });
    },
});

export const pipelineRules: readonly MlopsPolicy[] = [pipelineEncryption, pipelineIdentityScoped, airflowPrivateEncrypted];
