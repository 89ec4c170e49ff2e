import * as assert from "node:assert/strict";
import { VertexPlatform } from "../../components/ml-platform/gcp";
import { VertexPlatformArgs } from "../../components/ml-platform/gcp-args";
import { FORBIDDEN_PROJECT_ROLES, TRAINING_PROJECT_ROLES } from "../../components/ml-platform/gcp-vertex";
import { capture } from "../../stacks/plan/capture";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const args: VertexPlatformArgs = {
    project: "p-123456",
    region: "us-central1",
    namePrefix: "mlops-gcp-dev",
    models: ["iris"],
    artifactBucket: "lake-models-abc1234",
    readBuckets: ["lake-raw-abc1234", "lake-curated-abc1234"],
    kmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/vertex",
    workbenchKmsKeyName: "projects/p-123456/locations/us-central1/keyRings/r/cryptoKeys/workbench",
    networkId: "projects/p-123456/global/networks/mlops-gcp-dev-vpc",
    subnetId: "projects/p-123456/regions/us-central1/subnetworks/mlops-gcp-dev-us-central1",
    training: { accelerator: { type: "nvidia-l4", count: 2 }, maxNodes: 3, spot: false },
    protectData: false,
};

const build = (a: VertexPlatformArgs) =>
    capture({ project: "mlops", stack: "test", config: {} }, () => {
        const p = new VertexPlatform("ml", a);
        return { trackingUri: p.trackingUri, modelRegistry: p.modelRegistry, training: p.trainingDefaults, tensorboard: p.tensorboard };
    });

describe("VertexPlatform", () => {
    let resources: CapturedResource[];
    let outputs: Record<string, any>;
    before(async () => {
        ({ resources, outputs } = await build(args));
    });

    it("encrypts TensorBoard with the Vertex key", () => {
        const board = only(resources, "gcp:vertex/aiTensorboard:AiTensorboard");
        assert.deepEqual(board.inputs.encryptionSpec, { kmsKeyName: args.kmsKeyName });
    });

    it("references the project's `default` metadata store instead of creating what Vertex AI creates on first use", () => {
        // Creating `default` fails with "already exists" on any project that ran a pipeline or experiment before.
        assert.deepEqual(ofType(resources, "gcp:vertex/aiMetadataStore:AiMetadataStore"), []);
        assert.equal(outputs.trackingUri, "projects/p-123456/locations/us-central1/metadataStores/default");
    });

    it("creates `default` with the Vertex key when asked (a fresh project), and keeps it when the stack goes", async () => {
        for (const protectData of [false, true]) {
            const { resources: r, outputs: o } = await build({ ...args, createMetadataStore: true, protectData });
            const store = only(r, "gcp:vertex/aiMetadataStore:AiMetadataStore");
            assert.deepEqual(
                [store.name, store.inputs.name, store.inputs.region, store.inputs.encryptionSpec],
                ["ml-metadata", "default", "us-central1", { kmsKeyName: args.kmsKeyName }],
            );
            // The store is the project's (other stacks' experiments live there): retained in every environment.
            assert.deepEqual(store.options, { protect: protectData, retainOnDelete: true });
            assert.equal(o.trackingUri, "projects/p-123456/locations/us-central1/metadataStores/default");
        }
    });

    it("gives training a dedicated account with no basic, admin or Service Account User role at project level", () => {
        const sa = only(resources, "gcp:serviceaccount/account:Account");
        assert.equal(sa.inputs.accountId, "mlops-gcp-dev-train");
        const member = `serviceAccount:mlops-gcp-dev-train@p-123456.iam.gserviceaccount.com`;
        const projectRoles = ofType(resources, "gcp:projects/iAMMember:IAMMember");
        assert.deepEqual(projectRoles.map((r) => r.inputs.role).sort(), [...TRAINING_PROJECT_ROLES].sort());
        for (const r of projectRoles) {
            assert.equal(r.inputs.member, member);
            assert.ok(!(FORBIDDEN_PROJECT_ROLES as readonly string[]).includes(r.inputs.role), r.inputs.role);
            assert.doesNotMatch(r.inputs.role, /admin|owner|editor/i);
        }
        const buckets = ofType(resources, "gcp:storage/bucketIAMMember:BucketIAMMember").map((b) => [
            b.inputs.bucket,
            b.inputs.role,
            b.inputs.member,
        ]);
        assert.deepEqual(buckets, [
            ["lake-models-abc1234", "roles/storage.objectAdmin", member],
            ["lake-raw-abc1234", "roles/storage.objectViewer", member],
            ["lake-curated-abc1234", "roles/storage.objectViewer", member],
        ]);
    });

    it("runs Workbench without a public IP, on a Shielded VM with CMEK disks, idle shutdown and no root", () => {
        const wb = only(resources, "gcp:workbench/instance:Instance");
        const g = wb.inputs.gceSetup;
        assert.equal(wb.inputs.location, "us-central1-b");
        assert.equal(wb.inputs.name, "mlops-gcp-dev-workbench");
        assert.equal(g.disablePublicIp, true);
        assert.deepEqual(g.shieldedInstanceConfig, { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true });
        assert.deepEqual(g.bootDisk, {
            diskEncryption: "CMEK",
            kmsKey: args.workbenchKmsKeyName,
            diskSizeGb: "150",
            diskType: "PD_BALANCED",
        });
        assert.deepEqual(g.dataDisks, {
            diskEncryption: "CMEK",
            kmsKey: args.workbenchKmsKeyName,
            diskSizeGb: "100",
            diskType: "PD_BALANCED",
        });
        assert.deepEqual(g.networkInterfaces, [{ network: args.networkId, subnet: args.subnetId }]);
        assert.deepEqual(g.serviceAccounts, [{ email: "mlops-gcp-dev-train@p-123456.iam.gserviceaccount.com" }]);
        assert.equal(g.machineType, "e2-standard-4");
        assert.equal(g.acceleratorConfigs, undefined);
        assert.deepEqual(g.metadata, {
            "idle-timeout-seconds": "3600",
            "notebook-disable-root": "true",
            "notebook-disable-downloads": "true",
        });
        assert.equal(wb.inputs.enableDeletionProtection, false);
    });

    it("turns on Data Access audit logs for Vertex AI", () => {
        const audit = only(resources, "gcp:projects/iAMAuditConfig:IAMAuditConfig");
        assert.equal(audit.inputs.service, "aiplatform.googleapis.com");
        assert.deepEqual(
            audit.inputs.auditLogConfigs.map((c: any) => c.logType),
            ["ADMIN_READ", "DATA_READ", "DATA_WRITE"],
        );
    });

    it("exports training defaults resolved from the catalog (nvidia-l4:2 -> g2-standard-24, NVIDIA_L4)", () => {
        assert.deepEqual(outputs.training, {
            accelerator: "nvidia-l4",
            acceleratorCount: 2,
            compute: "g2-standard-24",
            acceleratorType: "NVIDIA_L4",
            maxNodes: 3,
            spot: false,
            serviceAccount: "mlops-gcp-dev-train@p-123456.iam.gserviceaccount.com",
        });
        assert.equal(outputs.trackingUri, "projects/p-123456/locations/us-central1/metadataStores/default");
        assert.equal(outputs.modelRegistry, "projects/p-123456/locations/us-central1/models");
    });

    it("uses TPU v5e for training through the catalog, and the CPU machine type without an accelerator", async () => {
        const tpu = await build({ ...args, workbench: false, training: { accelerator: { type: "google-tpu-v5e", count: 4 } } });
        const t = tpu.outputs.training as Record<string, unknown>;
        assert.deepEqual([t.compute, t.acceleratorType, t.acceleratorCount], ["ct5lp-hightpu-4t", "TPU_V5_LITEPOD", 4]);
        const cpu = await build({ ...args, workbench: false, training: undefined, trainingMachineType: "n2-standard-8" });
        const c = cpu.outputs.training as Record<string, unknown>;
        assert.deepEqual([c.compute, c.acceleratorType, c.accelerator], ["n2-standard-8", "none", "none"]);
        assert.equal(ofType(cpu.resources, "gcp:workbench/instance:Instance").length, 0);
    });

    it("gives Workbench the catalog's GPU machine and turns Secure Boot off for its driver", async () => {
        const { resources: r } = await build({ ...args, workbenchAccelerator: { type: "nvidia-t4", count: 1 } });
        const g = only(r, "gcp:workbench/instance:Instance").inputs.gceSetup;
        assert.equal(g.machineType, "n1-standard-4");
        assert.deepEqual(g.acceleratorConfigs, [{ type: "NVIDIA_TESLA_T4", coreCount: "1" }]);
        assert.equal(g.shieldedInstanceConfig.enableSecureBoot, false);
        assert.equal(g.shieldedInstanceConfig.enableVtpm, true);
    });

    it("protects and retains TensorBoard and Workbench in prod", async () => {
        const { resources: r } = await build({ ...args, protectData: true });
        for (const type of ["gcp:vertex/aiTensorboard:AiTensorboard", "gcp:workbench/instance:Instance"]) {
            assert.deepEqual(only(r, type).options, { protect: true, retainOnDelete: true }, type);
        }
        assert.equal(only(r, "gcp:workbench/instance:Instance").inputs.enableDeletionProtection, true);
    });

    it("fails when the training accelerator is not offered, with the catalog's message", async () => {
        const { message, registered } = await rejectedBuild(
            () => new VertexPlatform("ml", { ...args, training: { accelerator: { type: "nvidia-a10g", count: 1 } } }),
            'VertexPlatform "ml"',
        );
        assert.match(
            message,
            /training.accelerator: gcp\/vertex-training nvidia-a10g: nvidia-a10g is not offered on gcp\/vertex-training; it offers nvidia-t4/,
        );
        assert.deepEqual(registered, []);
    });

    it("fails when Workbench is asked for a TPU, has no network or CMEK key, or a zone outside the region", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new VertexPlatform("ml", {
                    ...args,
                    zone: "europe-west4-a",
                    workbenchAccelerator: { type: "google-tpu-v5e", count: 1 },
                    subnetId: undefined,
                    workbenchKmsKeyName: undefined,
                    workbenchIdleShutdownMinutes: 5,
                }),
            'VertexPlatform "ml"',
        );
        assert.match(message, /workbenchAccelerator: is not offered on Workbench instances \(they take GPUs, not google-tpu-v5e\)/);
        assert.match(message, /zone: is not a zone of region us-central1 \(got "europe-west4-a"\)/);
        assert.match(message, /subnetId: is required for the Workbench instance/);
        assert.match(message, /workbenchKmsKeyName: is required/);
        assert.match(message, /workbenchIdleShutdownMinutes: must be a whole number of minutes from 10 to 1440/);
        assert.deepEqual(registered, []);
    });
});
