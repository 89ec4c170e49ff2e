/**
 * The ML platform on Vertex AI: the project's Vertex ML Metadata store (referenced; created with CMEK only
 * on request, see `createMetadataStore`), a CMEK-encrypted TensorBoard, a training service account with
 * least privilege, an optional Workbench instance (no public IP, Shielded VM, CMEK disks, idle shutdown)
 * and Data Access audit logs for Vertex AI. Training defaults
 * (machine type, accelerator type and count) come from the accelerator catalog and are exported for
 * pipelines. Models live in Vertex AI Model Registry, which needs no resource of its own: pipelines
 * upload model versions from the artifact bucket.
 */
import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as vertex from "@pulumi/gcp/vertex";
import * as workbench from "@pulumi/gcp/workbench";
import { MlPlatform } from "./contract";
import { VertexPlatformArgs, resolveVertexAccelerator, validateVertexPlatform, vertexSettings } from "./gcp-args";
import { DEFAULT_METADATA_STORE, GcpTrainingDefaults, TRAINING_PROJECT_ROLES, metadataStoreName, trainingDefaults } from "./gcp-vertex";
import { throwIfProblems } from "../shared/problems";
import { GCP_NAME_RULES, hyphenName, serviceAccountId } from "../naming/gcp";

/** The ML platform on Vertex AI: the metadata store, a TensorBoard, a training service account, an optional Workbench instance, and training defaults from the accelerator catalog. */
export class VertexPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** The `default` metadata store's resource name (Vertex ML Metadata, used by Vertex AI Experiments and Pipelines). */
    public readonly trackingUri: pulumi.Output<string>;
    /** Vertex AI Model Registry of the project and region (`projects/<p>/locations/<r>/models`). */
    public readonly modelRegistry: pulumi.Output<string>;
    /** Training defaults resolved from the accelerator catalog, with the service account training jobs run as. */
    public readonly trainingDefaults: pulumi.Output<GcpTrainingDefaults>;
    /** The TensorBoard's resource ID (`projects/<p>/locations/<r>/tensorboards/<id>`). */
    public readonly tensorboard: pulumi.Output<string>;
    /** Email of the training service account. */
    public readonly trainingServiceAccount: pulumi.Output<string>;
    /** The training service account; callers that grant it access elsewhere depend on it. */
    public readonly trainingIdentity: serviceaccount.Account;
    /** JupyterLab URL of the Workbench instance ("" without one). */
    public readonly workbenchUri: pulumi.Output<string>;

    constructor(name: string, args: VertexPlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`VertexPlatform "${name}"`, validateVertexPlatform(args));
        const s = vertexSettings(args);
        const trainingAccelerator = resolveVertexAccelerator(s.trainingAccelerator).settings;
        const workbenchAccelerator = s.workbench ? resolveVertexAccelerator(s.workbenchAccelerator).settings : undefined;
        const protect = args.protectData ?? true;
        super("mlops:index:VertexPlatform", name, args, opts);

        const labels = { ...args.tags };
        const child = { parent: this, dependsOn: opts.dependsOn };
        const stateful = { ...child, protect, retainOnDelete: protect };
        const encryptionSpec = { kmsKeyName: args.kmsKeyName };

        // Vertex AI creates `default` itself on first use; the stack creates it only when asked (for CMEK,
        // before first use), and never deletes it: other stacks' and people's experiments live there too.
        const store = args.createMetadataStore
            ? new vertex.AiMetadataStore(
                  `${name}-metadata`,
                  {
                      project: args.project,
                      region: args.region,
                      name: DEFAULT_METADATA_STORE,
                      description: "mlops experiments and lineage",
                      encryptionSpec,
                  },
                  { ...child, protect, retainOnDelete: true },
              )
            : undefined;
        const board = new vertex.AiTensorboard(
            `${name}-tensorboard`,
            {
                project: args.project,
                region: args.region,
                displayName: hyphenName([s.namePrefix, "tensorboard"], 128),
                encryptionSpec,
                labels,
            },
            stateful,
        );
        new projects.IAMAuditConfig(
            `${name}-audit-aiplatform`,
            {
                project: args.project,
                service: "aiplatform.googleapis.com",
                auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
            },
            child,
        );

        const trainer = new serviceaccount.Account(
            `${name}-trainer`,
            {
                project: args.project,
                accountId: serviceAccountId(s.namePrefix, "train"),
                displayName: "mlops training jobs and notebooks",
                description: "Least-privilege identity of Vertex AI training jobs",
            },
            child,
        );
        const member = pulumi.interpolate`serviceAccount:${trainer.email}`;
        for (const role of TRAINING_PROJECT_ROLES) {
            new projects.IAMMember(
                `${name}-trainer-${role.split("/")[1].replace(/\./g, "-")}`,
                { project: args.project, role, member },
                child,
            );
        }
        new storage.BucketIAMMember(
            `${name}-trainer-artifacts`,
            { bucket: args.artifactBucket, role: "roles/storage.objectAdmin", member },
            child,
        );
        (args.readBuckets ?? []).forEach(
            (bucket, i) =>
                new storage.BucketIAMMember(`${name}-trainer-read-${i}`, { bucket, role: "roles/storage.objectViewer", member }, child),
        );

        let workbenchUri: pulumi.Output<string> = pulumi.output("");
        if (s.workbench) {
            const wb = workbenchAccelerator;
            const disk = { diskEncryption: "CMEK", kmsKey: args.workbenchKmsKeyName };
            const instance = new workbench.Instance(
                `${name}-workbench`,
                {
                    project: args.project,
                    location: s.zone,
                    name: hyphenName([s.namePrefix, "workbench"], GCP_NAME_RULES.compute.max),
                    gceSetup: {
                        machineType: wb?.machineType ?? s.workbenchMachineType,
                        acceleratorConfigs: wb ? [{ type: wb.acceleratorType, coreCount: String(wb.count) }] : undefined,
                        disablePublicIp: true,
                        // Secure Boot refuses unsigned kernel modules, which GPU drivers can be; vTPM and integrity monitoring stay on.
                        shieldedInstanceConfig: { enableSecureBoot: wb === undefined, enableVtpm: true, enableIntegrityMonitoring: true },
                        bootDisk: { ...disk, diskSizeGb: String(s.workbenchBootDiskGb), diskType: "PD_BALANCED" },
                        dataDisks: { ...disk, diskSizeGb: "100", diskType: "PD_BALANCED" },
                        networkInterfaces: [{ network: args.networkId, subnet: args.subnetId }],
                        serviceAccounts: [{ email: trainer.email }],
                        metadata: {
                            "idle-timeout-seconds": String(s.workbenchIdleShutdownMinutes * 60),
                            // No root in the notebook and no file downloads from JupyterLab.
                            "notebook-disable-root": "true",
                            "notebook-disable-downloads": "true",
                        },
                    },
                    enableDeletionProtection: protect,
                    labels,
                },
                stateful,
            );
            workbenchUri = instance.proxyUri;
        }

        this.trackingUri = store
            ? store.name.apply(() => metadataStoreName(args.project, args.region))
            : pulumi.output(metadataStoreName(args.project, args.region));
        this.modelRegistry = pulumi.output(`projects/${args.project}/locations/${args.region}/models`);
        this.tensorboard = board.id;
        this.trainingServiceAccount = trainer.email;
        this.trainingIdentity = trainer;
        this.workbenchUri = workbenchUri;
        this.trainingDefaults = trainer.email.apply((email) =>
            trainingDefaults(trainingAccelerator, s.trainingMachineType, s.maxNodes, args.training?.spot ?? true, email),
        );
        this.registerOutputs({
            trackingUri: this.trackingUri,
            modelRegistry: this.modelRegistry,
            trainingDefaults: this.trainingDefaults,
            tensorboard: this.tensorboard,
            trainingServiceAccount: this.trainingServiceAccount,
            workbenchUri: this.workbenchUri,
        });
    }
}
