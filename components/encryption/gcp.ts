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
import * as logging from "@pulumi/gcp/logging";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import { throwIfProblems } from "../shared/problems";
import {
    GcpEncryptionArgs,
    MAX_ROTATION_DAYS,
    SERVICE_AGENTS,
    ServiceAgent,
    keyRingLogicalName,
    validateGcpEncryption,
    validateGcpEncryptionName,
} from "./gcp-args";

/** The encrypt/decrypt role, and nothing more, is what CMEK needs (cloud.google.com/kms/docs/cmek). */
export const CMEK_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
const SECONDS_PER_DAY = 86_400;

/** Customer-managed encryption keys: one Cloud KMS key ring, one key per purpose, and the service agents allowed to use each. */
export class GcpEncryption extends pulumi.ComponentResource {
    /** Key ID (`projects/.../cryptoKeys/<purpose>`) per purpose, resolved once every grant on it exists. */
    public readonly keyIds: Readonly<Record<string, pulumi.Output<string>>>;
    /** The key ring's ID. */
    public readonly keyRingId: pulumi.Output<string>;
    /** The project number (service agent emails and some resource names need it). */
    public readonly projectNumber: pulumi.Output<string>;

    constructor(name: string, args: GcpEncryptionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GcpEncryption "${name}"`, [...validateGcpEncryption(args), ...validateGcpEncryptionName(name)]);
        const rotationDays = args.rotationDays ?? MAX_ROTATION_DAYS;
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
            case "run":
                return pulumi.interpolate`service-${this.projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`;
            case "container":
                return pulumi.interpolate`service-${this.projectNumber}@container-engine-robot.iam.gserviceaccount.com`;
            case "logging":
                return logging.getProjectCmekSettingsOutput({ project }, invoke).serviceAccountId;
            case "artifactregistry":
            case "aiplatform":
            case "notebooks":
            case "pubsub":
            case "eventarc":
            case "workflows":
            case "composer":
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
