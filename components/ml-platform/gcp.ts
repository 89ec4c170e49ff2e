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
import type { AcceleratorRequest } from "../accelerators/names";
import { MlPlatform, MlPlatformArgs } from "./contract";
import {
    DEFAULT_METADATA_STORE,
    GcpTrainingDefaults,
    TRAINING_PROJECT_ROLES,
    checkVertex,
    metadataStoreName,
    trainingDefaults,
} from "./gcp-vertex";
import { GCP_NAME_RULES, hyphenName, serviceAccountId } from "../naming/gcp";

export interface VertexPlatformArgs extends MlPlatformArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Vertex AI region; the keys must be in the same location. */
    readonly region: string;
    /** Zone of the Workbench instance. @default - `<region>-b` */
    readonly zone?: string;
    /** Prefix of project-unique names (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** Cloud KMS key for TensorBoard and a created metadata store (the Vertex AI service agent must be able to use it). */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Cloud KMS key for the Workbench disks (the Compute Engine service agent must be able to use it). */
    readonly workbenchKmsKeyName?: pulumi.Input<string>;
    /** Buckets training may read (the artifact bucket is read-write). @default [] */
    readonly readBuckets?: readonly pulumi.Input<string>[];
    /** Machine type of CPU-only training (with an accelerator, the catalog decides). @default "n1-standard-4" */
    readonly trainingMachineType?: string;
    /**
     * Create the project's `default` metadata store (the only one Vertex AI Experiments and Pipelines use),
     * CMEK-encrypted with `kmsKeyName`. Vertex AI creates that store itself, Google-encrypted, on the first
     * pipeline run or experiment, and its key can never change afterwards: this works only in a project and
     * region where that has not happened yet (elsewhere `pulumi up` fails with "already exists"). The store
     * is the project's, so it is retained when the stack goes. @default false - the store is referenced
     */
    readonly createMetadataStore?: boolean;
    /** Create a Workbench instance. It bills while running (idle shutdown stops it). @default true */
    readonly workbench?: boolean;
    /** Workbench machine type when it has no accelerator. @default "e2-standard-4" */
    readonly workbenchMachineType?: string;
    /** Workbench GPU (catalog name); its machine type then comes from the catalog. Costs money. @default - none */
    readonly workbenchAccelerator?: AcceleratorRequest;
    /** Minutes of inactivity after which Workbench stops itself. @default 60 */
    readonly workbenchIdleShutdownMinutes?: number;
    /** Workbench boot disk size in GB (150 is Workbench's minimum). @default 150 */
    readonly workbenchBootDiskGb?: number;
    /** Network of the Workbench instance (GcpNetwork `networkId`). Required with `workbench`. @default - none */
    readonly networkId?: pulumi.Input<string>;
    /** Subnet of the Workbench instance (GcpNetwork `subnetId`). Required with `workbench`. @default - none */
    readonly subnetId?: pulumi.Input<string>;
}

export class VertexPlatform extends pulumi.ComponentResource implements MlPlatform {
    /** The `default` metadata store's resource name (Vertex ML Metadata, used by Vertex AI Experiments and Pipelines). */
    public readonly trackingUri: pulumi.Output<string>;
    /** Vertex AI Model Registry of the project and region (`projects/<p>/locations/<r>/models`). */
    public readonly modelRegistry: pulumi.Output<string>;
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
        const s = {
            project: args.project,
            region: args.region,
            zone: args.zone ?? `${args.region}-b`,
            namePrefix: args.namePrefix,
            models: args.models,
            trainingAccelerator: args.training?.accelerator,
            trainingMachineType: args.trainingMachineType ?? "n1-standard-4",
            maxNodes: args.training?.maxNodes ?? 1,
            workbench: args.workbench ?? true,
            workbenchMachineType: args.workbenchMachineType ?? "e2-standard-4",
            workbenchAccelerator: args.workbenchAccelerator,
            workbenchIdleShutdownMinutes: args.workbenchIdleShutdownMinutes ?? 60,
            workbenchBootDiskGb: args.workbenchBootDiskGb ?? 150,
            hasNetwork: args.subnetId !== undefined && args.networkId !== undefined,
        };
        const checked = checkVertex(s);
        if (s.workbench && args.workbenchKmsKeyName === undefined)
            checked.problems.add({
                path: "workbenchKmsKeyName",
                value: undefined,
                message: "is required for the Workbench instance's CMEK disks",
            });
        checked.problems.throwIfAny(`VertexPlatform "${name}"`);
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
            const wb = checked.workbench;
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
            trainingDefaults(checked.training, s.trainingMachineType, s.maxNodes, args.training?.spot ?? true, email),
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
