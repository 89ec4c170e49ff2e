/**
 * Customer-managed encryption keys (CMEK) for a stack: one Cloud KMS key ring, one symmetric key per
 * purpose (the lake's buckets, BigQuery, Artifact Registry, Vertex AI, Workbench disks), and for each key
 * exactly `roles/cloudkms.cryptoKeyEncrypterDecrypter` for the Google service agents that use it.
 *
 * Keys and the ring are always `protect`ed and retained on delete, in every environment: Cloud KMS
 * cannot delete a key or a key ring at all (a key's versions can only be disabled or scheduled for
 * destruction), and destroying a version makes everything encrypted with it unreadable. Tearing down a
 * dev stack therefore leaves the ring and its keys in the project (they cost nothing while unused
 * versions are destroyed by hand, see docs/gcp.md).
 */
import * as pulumi from "@pulumi/pulumi";
import * as bigquery from "@pulumi/gcp/bigquery";
import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import { Problems } from "../shared/problems";
import { GCP_NAME_RULES, autoNameBudget, fitsGcpRule } from "../naming/gcp";

/** The Google service agents a key can be granted to, and how each one's email is found. */
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
} as const;
export type ServiceAgent = keyof typeof SERVICE_AGENTS;
export const SERVICE_AGENT_NAMES = Object.keys(SERVICE_AGENTS) as ServiceAgent[];

/** The encrypt/decrypt role, and nothing more, is what CMEK needs (cloud.google.com/kms/docs/cmek). */
export const CMEK_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
/** CIS GCP 1.10 / CKV_GCP_43: rotate at least every 90 days. */
export const MAX_ROTATION_DAYS = 90;
const SECONDS_PER_DAY = 86_400;

export interface GcpEncryptionArgs {
    /** Project of the key ring. */
    readonly project: string;
    /** Location of the key ring: the region of the resources the keys protect (CMEK needs the same location). */
    readonly location: string;
    /**
     * Keys to create, by purpose (key name), each with the service agents that use it, e.g.
     * `{ lake: ["storage"], registry: ["artifactregistry"] }`. Agents: storage, bigquery,
     * artifactregistry, aiplatform, notebooks, compute.
     */
    readonly keys: Readonly<Record<string, readonly string[]>>;
    /** Days between automatic key rotations, at most 90. @default 90 */
    readonly rotationDays?: number;
    /** Labels put on every key. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The logical name of the key ring; Pulumi appends "-" and 7 random characters (ring names are permanent). */
export const keyRingLogicalName = (name: string) => `${name}-ring`;

export class GcpEncryption extends pulumi.ComponentResource {
    /** Key ID (`projects/.../cryptoKeys/<purpose>`) per purpose, resolved once every grant on it exists. */
    public readonly keyIds: Readonly<Record<string, pulumi.Output<string>>>;
    /** The key ring's ID. */
    public readonly keyRingId: pulumi.Output<string>;
    /** The project number (service agent emails and some resource names need it). */
    public readonly projectNumber: pulumi.Output<string>;

    constructor(name: string, args: GcpEncryptionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const rotationDays = args.rotationDays ?? MAX_ROTATION_DAYS;
        validate(name, args, rotationDays);
        super("mlops:index:GcpEncryption", name, args, opts);

        // Keys can never be deleted by Cloud KMS; protect them everywhere so no replace is ever attempted.
        const permanent = { parent: this, dependsOn: opts.dependsOn, protect: true, retainOnDelete: true };
        const invoke = { parent: this, dependsOn: opts.dependsOn };
        const ring = new kms.KeyRing(keyRingLogicalName(name), { project: args.project, location: args.location }, permanent);
        this.keyRingId = ring.id;
        this.projectNumber = organizations.getProjectOutput({ projectId: args.project }, invoke).number;

        const agents = new Map<ServiceAgent, pulumi.Output<string>>();
        const agentEmail = (agent: ServiceAgent): pulumi.Output<string> => {
            const known = agents.get(agent);
            if (known) return known;
            const email = this.agentEmail(name, agent, args.project, invoke);
            agents.set(agent, email);
            return email;
        };

        const keyIds: Record<string, pulumi.Output<string>> = {};
        for (const [purpose, users] of Object.entries(args.keys)) {
            const key = new kms.CryptoKey(
                `${name}-${purpose}`,
                {
                    name: purpose,
                    keyRing: ring.id,
                    purpose: "ENCRYPT_DECRYPT",
                    rotationPeriod: `${rotationDays * SECONDS_PER_DAY}s`,
                    versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
                    labels: { ...args.tags, "mlops-key-purpose": purpose },
                },
                permanent,
            );
            const grants = [...new Set(users as ServiceAgent[])]
                .sort()
                .map(
                    (agent) =>
                        new kms.CryptoKeyIAMMember(
                            `${name}-${purpose}-${agent}`,
                            { cryptoKeyId: key.id, role: CMEK_ROLE, member: pulumi.interpolate`serviceAccount:${agentEmail(agent)}` },
                            { parent: this, dependsOn: opts.dependsOn },
                        ),
                );
            // Consumers take the key through this output, so they wait for the grants (CMEK fails without them).
            keyIds[purpose] = pulumi.all([key.id, ...grants.map((g) => g.etag)]).apply(([id]) => id);
        }
        this.keyIds = keyIds;
        this.registerOutputs({ keyIds: this.keyIds, keyRingId: this.keyRingId });
    }

    /** The email of one service agent, creating it first where Google only makes it on demand. */
    private agentEmail(name: string, agent: ServiceAgent, project: string, invoke: pulumi.InvokeOutputOptions): pulumi.Output<string> {
        switch (agent) {
            case "storage":
                return storage.getProjectServiceAccountOutput({ project }, invoke).emailAddress;
            case "bigquery":
                return bigquery.getDefaultServiceAccountOutput({ project }, invoke).email;
            case "compute":
                return pulumi.interpolate`service-${this.projectNumber}@compute-system.iam.gserviceaccount.com`;
            case "artifactregistry":
            case "aiplatform":
            case "notebooks":
                return new projects.ServiceIdentity(
                    `${name}-${agent}-agent`,
                    { project, service: SERVICE_AGENTS[agent] },
                    { parent: this, dependsOn: invoke.dependsOn },
                ).email;
            default: {
                const unknown: never = agent;
                throw new Error(`unknown service agent ${String(unknown)}`);
            }
        }
    }
}

function validate(name: string, args: GcpEncryptionArgs, rotationDays: number): void {
    const problems = new Problems();
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.add({ path: "project", value: args.project, message: "is required" });
    if (typeof args.location !== "string" || !/^[a-z]+(-[a-z]+\d*)*\d*$/.test(args.location)) {
        problems.add({
            path: "location",
            value: args.location,
            message: "is not a Cloud KMS location",
            fix: "use the region of the resources the keys protect, e.g. `us-central1`",
        });
    }
    if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > MAX_ROTATION_DAYS) {
        problems.add({
            path: "rotationDays",
            value: rotationDays,
            message: `must be a whole number of days from 1 to ${MAX_ROTATION_DAYS} (CIS GCP 1.10)`,
        });
    }
    const purposes = Object.entries(args.keys ?? {});
    if (purposes.length === 0) problems.add({ path: "keys", value: args.keys, message: "must name at least one key" });
    for (const [purpose, users] of purposes) {
        if (!fitsGcpRule("kmsName", purpose))
            problems.add({
                path: `keys.${purpose}`,
                value: purpose,
                message: "is not a Cloud KMS key name",
                fix: "use letters, digits, '_' and '-' (at most 63)",
            });
        if (!Array.isArray(users) || users.length === 0) {
            problems.add({
                path: `keys.${purpose}`,
                value: users,
                message: "must list the service agents that use the key",
                allowed: SERVICE_AGENT_NAMES,
            });
            continue;
        }
        users.forEach((u, i) => {
            if (!(SERVICE_AGENT_NAMES as readonly string[]).includes(u))
                problems.add({
                    path: `keys.${purpose}[${i}]`,
                    value: u,
                    message: "is not a known service agent",
                    allowed: SERVICE_AGENT_NAMES,
                });
        });
    }
    if (keyRingLogicalName(name).length > autoNameBudget(GCP_NAME_RULES.kmsName.max)) {
        problems.add({ path: "name", value: name, message: `is too long for a key ring name with Pulumi's random suffix` });
    }
    problems.throwIfAny(`GcpEncryption "${name}"`);
}
