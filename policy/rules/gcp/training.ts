/**
 * Training pipelines (Vertex AI schedules, Secret Manager): the scheduled pipeline runs are CMEK-encrypted and
 * run as a dedicated service account (never the Compute Engine default account); the GitHub token secret is
 * encrypted with a customer-managed key; in prod, the compiled pipeline registers versions aliased
 * `candidate` (waiting for a person), never `approved`.
 */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, Fields, fields, parseJson } from "../lib/read";
import { GCP } from "./types";

const TRAINING = "components/training-pipeline/gcp.ts";
export const TRAINING_TYPES = {
    schedule: "gcp:colab/schedule:Schedule",
    vertexSchedule: "gcp:vertex/aiSchedule:AiSchedule",
    secret: "gcp:secretmanager/secret:Secret",
    /** The compiled pipeline spec the stack stores (`<model>/<pipeline>-<hash>.json` in the code bucket). */
    object: "gcp:storage/bucketObject:BucketObject",
    /** The launch workflow (new data, drift) embeds the spec in its pipelineJobs.create body. */
    workflow: GCP.workflow,
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

/** The alias a registered version gets while it waits for a person (gcp-spec.ts `ALIASES.manual`). */
const PENDING_ALIAS = "candidate";
/** How deep JSON held in strings is followed (a step's config is JSON text inside the spec, itself inside YAML). */
const MAX_NESTING = 4;

/**
 * The JSON values in a text: the whole text when it is JSON, else each balanced `{...}` in it that parses (a
 * workflow's YAML carries the pipelineJobs.create body as one JSON flow mapping).
 */
export function jsonValuesIn(text: string): unknown[] {
    const whole = parseJson(text);
    if (whole.ok) return [whole.value];
    const found: unknown[] = [];
    for (let start = text.indexOf("{"); start >= 0;) {
        let depth = 0;
        let inString = false;
        let end = -1;
        for (let i = start; i < text.length && end < 0; i++) {
            const ch = text[i];
            if (inString) {
                if (ch === "\\") i++;
                else if (ch === '"') inString = false;
            } else if (ch === '"') inString = true;
            else if (ch === "{") depth++;
            else if (ch === "}" && --depth === 0) end = i;
        }
        const parsed = end > 0 ? parseJson(text.slice(start, end + 1)) : { ok: false as const };
        if (parsed.ok) found.push(parsed.value);
        start = text.indexOf("{", parsed.ok ? end + 1 : start + 1);
    }
    return found;
}

/** Every object inside `value`, following strings that hold JSON (the step's config argument). */
function objectsIn(value: unknown, nesting = 0): Fields[] {
    if (typeof value === "string") {
        if (nesting >= MAX_NESTING || !value.includes("{")) return [];
        return jsonValuesIn(value).flatMap((v) => objectsIn(v, nesting + 1));
    }
    if (Array.isArray(value)) return value.flatMap((v) => objectsIn(v, nesting));
    if (value !== null && typeof value === "object")
        return [value as Fields, ...Object.values(value).flatMap((v) => objectsIn(v, nesting))];
    return [];
}

/** The compiled pipeline specs (PipelineSpec: `pipelineInfo` and `deploymentSpec.executors`) in a value. */
function pipelineSpecsIn(value: unknown): Fields[] {
    return objectsIn(value).filter((o) => {
        const executors = at(o, "deploymentSpec.executors");
        return o.pipelineInfo !== undefined && executors !== null && typeof executors === "object" && !Array.isArray(executors);
    });
}

/** Where each judged type keeps the pipeline spec: the stored object's content, the schedule's job, the launch workflow's source. */
function specsOf(r: { type: string; props: Fields }): { where: string; specs: Fields[] } {
    if (r.type === TRAINING_TYPES.object) {
        // Only JSON documents are read (the training files, Python and CSV, are not).
        const content = r.props.content;
        return {
            where: "content",
            specs: typeof content === "string" && content.trimStart().startsWith("{") ? pipelineSpecsIn(content) : [],
        };
    }
    if (r.type === TRAINING_TYPES.workflow) {
        const source = r.props.sourceContents;
        return {
            where: "sourceContents",
            specs: typeof source === "string" && source.includes("pipelineSpec") ? pipelineSpecsIn(source) : [],
        };
    }
    const where = "createPipelineJobRequest.pipelineJob.pipelineSpec";
    return { where, specs: pipelineSpecsIn(at(r.props, where)) };
}

export const prodVersionsCandidate = resourceRule({
    name: "gcp-prod-versions-candidate-alias",
    description:
        "In prod, the compiled Vertex AI pipelines (the stored spec, the schedule's and the launch workflow's copy) register every version with the alias candidate, never approved: a person approves it before it is delivered.",
    severity: "high",
    remediation: `leave mlops:models[].training.approval out in prod (manual is the prod default); VertexTrainingPipelines (${TRAINING}) then gives the registration and AutoML steps the alias candidate (registerConfig in components/training-pipeline/gcp-spec.ts)`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [TRAINING_TYPES.object, TRAINING_TYPES.schedule, TRAINING_TYPES.vertexSchedule, TRAINING_TYPES.workflow],
    check: (r) => {
        const { where, specs } = specsOf(r);
        const problems: string[] = [];
        for (const spec of specs)
            for (const [executor, definition] of Object.entries(fields(at(spec, "deploymentSpec.executors"))))
                for (const config of objectsIn(definition).filter((o) => "alias" in o))
                    if (config.alias !== PENDING_ALIAS)
                        problems.push(
                            `${where}: executor ${executor} registers versions with alias ${JSON.stringify(config.alias)}, not "${PENDING_ALIAS}": they are delivered without a person's approval`,
                        );
        return [...new Set(problems)];
    },
});

export const trainingRules: readonly MlopsPolicy[] = [trainingRunEncrypted, secretEncrypted, prodVersionsCandidate];
