/** Arguments of GcpEncryption and their validators. Pure: no SDK. */
import type { ProblemDetail } from "../shared/problems";
import { GCP_NAME_RULES, autoNameBudget, fitsGcpRule } from "../naming/gcp";

/** The Google service agents a key can be granted to, and the service each one belongs to. */
export const SERVICE_AGENTS = {
    /** Cloud Storage: `service-<number>@gs-project-accounts...`, created by the data source. */
    storage: "storage.googleapis.com",
    /** BigQuery: `bq-<number>@bigquery-encryption...`, created by the data source. */
    bigquery: "bigquery.googleapis.com",
    /** Artifact Registry: exists only once generated (ServiceIdentity). */
    artifactregistry: "artifactregistry.googleapis.com",
    /** Vertex AI: exists only once generated (ServiceIdentity). */
    aiplatform: "aiplatform.googleapis.com",
    /** Notebooks (Workbench): exists only once generated (ServiceIdentity). */
    notebooks: "notebooks.googleapis.com",
    /** Compute Engine (disks): `service-<number>@compute-system...`, created with the Compute API. */
    compute: "compute.googleapis.com",
    /** Cloud Run (jobs with an encryption key): `service-<number>@serverless-robot-prod...`, created with the Run API. */
    run: "run.googleapis.com",
    /** Pub/Sub (CMEK topics): exists only once generated (ServiceIdentity). */
    pubsub: "pubsub.googleapis.com",
    /** Eventarc (the Google channel's key): exists only once generated (ServiceIdentity). */
    eventarc: "eventarc.googleapis.com",
    /** Workflows (CMEK workflows and their executions): exists only once generated (ServiceIdentity). */
    workflows: "workflows.googleapis.com",
    /** Cloud Logging (CMEK log buckets): the project's Logging service account, read from its CMEK settings. */
    logging: "logging.googleapis.com",
    /** Cloud Composer (CMEK environments): exists only once generated (ServiceIdentity). */
    composer: "composer.googleapis.com",
    /** Google Kubernetes Engine (a Composer 2 environment's cluster): `service-<number>@container-engine-robot...`, created with the GKE API. */
    container: "container.googleapis.com",
} as const;
export type ServiceAgent = keyof typeof SERVICE_AGENTS;
export const SERVICE_AGENT_NAMES = Object.keys(SERVICE_AGENTS) as ServiceAgent[];

/** CIS GCP 1.10 / CKV_GCP_43: rotate at least every 90 days. */
export const MAX_ROTATION_DAYS = 90;

export interface GcpEncryptionArgs {
    /** Project of the key ring. */
    readonly project: string;
    /** Location of the key ring: the region of the resources the keys protect (CMEK needs the same location). */
    readonly location: string;
    /**
     * Keys to create, by purpose (key name), each with the service agents that use it, e.g.
     * `{ lake: ["storage"], registry: ["artifactregistry"] }`. Agents: storage, bigquery,
     * artifactregistry, aiplatform, notebooks, compute, run, pubsub, eventarc, workflows, logging, composer,
     * container.
     */
    readonly keys: Readonly<Record<string, string[]>>;
    /** Days between automatic key rotations, at most 90. Default: 90. */
    readonly rotationDays?: number;
    /** Labels put on every key. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The logical name of the key ring; Pulumi appends "-" and 7 random characters (ring names are permanent). */
export const keyRingLogicalName = (name: string) => `${name}-ring`;

/** Every problem with the arguments (paths relative to them). */
export function validateGcpEncryption(args: GcpEncryptionArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const rotationDays = args.rotationDays ?? MAX_ROTATION_DAYS;
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required" });
    if (typeof args.location !== "string" || !/^[a-z]+(-[a-z]+\d*)*\d*$/.test(args.location)) {
        problems.push({
            path: "location",
            value: args.location,
            message: "is not a Cloud KMS location",
            fix: "use the region of the resources the keys protect, e.g. `us-central1`",
        });
    }
    if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > MAX_ROTATION_DAYS) {
        problems.push({
            path: "rotationDays",
            value: rotationDays,
            message: `must be a whole number of days from 1 to ${MAX_ROTATION_DAYS} (CIS GCP 1.10)`,
        });
    }
    const purposes = Object.entries(args.keys ?? {});
    if (purposes.length === 0) problems.push({ path: "keys", value: args.keys, message: "must name at least one key" });
    for (const [purpose, users] of purposes) {
        if (!fitsGcpRule("kmsName", purpose))
            problems.push({
                path: `keys.${purpose}`,
                value: purpose,
                message: "is not a Cloud KMS key name",
                fix: "use letters, digits, '_' and '-' (at most 63)",
            });
        if (!Array.isArray(users) || users.length === 0) {
            problems.push({
                path: `keys.${purpose}`,
                value: users,
                message: "must list the service agents that use the key",
                allowed: SERVICE_AGENT_NAMES,
            });
            continue;
        }
        users.forEach((u, i) => {
            if (!(SERVICE_AGENT_NAMES as readonly string[]).includes(u))
                problems.push({
                    path: `keys.${purpose}[${i}]`,
                    value: u,
                    message: "is not a known service agent",
                    allowed: SERVICE_AGENT_NAMES,
                });
        });
    }
    return problems;
}

/** The problem with a component name too long for the key ring's auto-name (none when it fits). */
export function validateGcpEncryptionName(name: string): ProblemDetail[] {
    return keyRingLogicalName(name).length > autoNameBudget(GCP_NAME_RULES.kmsName.max)
        ? [{ path: "name", value: name, message: `is too long for a key ring name with Pulumi's random suffix` }]
        : [];
}
