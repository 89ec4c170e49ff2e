/** Vertex AI (endpoints, metadata, TensorBoard, replica floors) and Vertex AI Workbench instances. */
import { CUSTOM, MlopsPolicy, numberKnob, resourceRule } from "../meta";
import { at, fields } from "../lib/read";
import { GCP } from "./types";

const SERVERLESS = "components/serverless-inference/gcp.ts";
const ML = "components/ml-platform/gcp.ts";

export const vertexCmek = resourceRule({
    name: "gcp-vertex-cmek",
    description: "Vertex AI endpoints, metadata stores, TensorBoards, datasets and feature stores encrypt with a customer-managed key.",
    severity: "high",
    remediation: `set encryptionSpec.kmsKeyName to the stack's Vertex key (${ML}, ${SERVERLESS})`,
    mirrors: ["CKV2_GCP_24", "CKV_GCP_92", "CKV_GCP_96", "CKV2_GCP_25", "CKV2_GCP_26"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.vertexEndpoint, GCP.vertexMetadataStore, GCP.vertexTensorboard, GCP.vertexDataset, GCP.vertexFeatureStore],
    check: (r) => (at(r.props, "encryptionSpec.kmsKeyName") ? [] : ["encryptionSpec.kmsKeyName is not set"]),
});

export const vertexDefaultMetadataStore = resourceRule({
    name: "gcp-vertex-default-metadata-store",
    description:
        'No stack creates the Vertex AI metadata store named `default`: Vertex AI creates it itself on the first pipeline run or experiment, so creating it fails with "already exists" on any project that used Vertex AI in that region.',
    severity: "medium",
    remediation: `leave mlops:mlPlatform.gcp.createMetadataStore off (the stack then references \`default\`); turn it on only for a project and region where Vertex AI never ran, to get the store CMEK-encrypted (${ML})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "advisory",
    types: [GCP.vertexMetadataStore],
    check: (r) => (r.props.name === "default" ? ["creates the `default` metadata store, which Vertex AI creates itself on first use"] : []),
});

export const vertexEndpointPrivate = resourceRule({
    name: "gcp-vertex-endpoint-private",
    description: "Vertex AI endpoints are private: a VPC network peering or Private Service Connect.",
    severity: "medium",
    remediation: `set mlops:serverlessInference.gcp.endpointAccess to private-service-connect (${SERVERLESS})`,
    mirrors: ["CKV2_GCP_33"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "advisory",
    types: [GCP.vertexEndpoint],
    check: (r) =>
        r.props.network || at(r.props, "privateServiceConnectConfig.enablePrivateServiceConnect") === true
            ? []
            : ["the endpoint is public (no network, no Private Service Connect)"],
});

export const vertexReplicas = resourceRule({
    name: "gcp-vertex-replicas",
    description: "Vertex AI dedicated resources keep at least `minReplicas` replicas and cap scale-out (maxReplicaCount).",
    severity: "high",
    remediation: `raise mlops:models[].minReplicas (prod default 2) and set maxReplicas; the vertex-endpoint implementation passes them on (${SERVERLESS})`,
    mirrors: ["security-baseline §4 Vertex AI", CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.vertexResourcePool, GCP.vertexModelGardenEndpoint],
    knobs: { minReplicas: { schema: { type: "integer", minimum: 1, description: "Replica floor for production endpoints." }, default: 2 } },
    check: (r, config) => {
        const dedicated = r.type === GCP.vertexResourcePool ? r.props.dedicatedResources : at(r.props, "deployConfig.dedicatedResources");
        if (!dedicated) return ["no dedicatedResources"];
        const min = at(dedicated, "minReplicaCount") ?? 1;
        const floor = numberKnob(config, "minReplicas");
        return [
            ...(Number(min) < floor ? [`minReplicaCount is ${min}, below ${floor}`] : []),
            ...(at(dedicated, "maxReplicaCount") ? [] : ["maxReplicaCount is not set"]),
        ];
    },
});

export const workbenchNoPublicIp = resourceRule({
    name: "gcp-workbench-no-public-ip",
    description: "Vertex AI Workbench instances have no public IP.",
    severity: "high",
    remediation: `set gceSetup.disablePublicIp: true on the gcp.workbench.Instance (${ML})`,
    mirrors: ["CKV2_GCP_28", "CKV_GCP_89"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.workbench],
    check: (r) => (at(r.props, "gceSetup.disablePublicIp") === true ? [] : ["gceSetup.disablePublicIp is not true"]),
});

export const workbenchShieldedVm = resourceRule({
    name: "gcp-workbench-shielded-vm",
    description: "Vertex AI Workbench instances run as Shielded VMs with secure boot, vTPM and integrity monitoring.",
    severity: "medium",
    remediation: `set gceSetup.shieldedInstanceConfig { enableSecureBoot, enableVtpm, enableIntegrityMonitoring: true } (${ML})`,
    mirrors: ["CKV_GCP_126", "CKV_GCP_127"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.workbench],
    check: (r) => {
        const shielded = fields(at(r.props, "gceSetup.shieldedInstanceConfig"));
        return ["enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring"]
            .filter((k) => shielded[k] !== true)
            .map((k) => `gceSetup.shieldedInstanceConfig.${k} is not true`);
    },
});

export const workbenchCmek = resourceRule({
    name: "gcp-workbench-cmek",
    description: "Vertex AI Workbench boot and data disks are encrypted with a customer-managed key.",
    severity: "medium",
    remediation: `set diskEncryption: CMEK and kmsKey on gceSetup.bootDisk and dataDisks (${ML})`,
    mirrors: ["CKV2_GCP_27"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.workbench],
    check: (r) => {
        const setup = r.props.gceSetup;
        // Both disks exist whether or not they are configured; unconfigured ones use Google-managed keys.
        return ["bootDisk", "dataDisks"]
            .filter((disk) => at(setup, [disk, "diskEncryption"]) !== "CMEK" || !at(setup, [disk, "kmsKey"]))
            .map((disk) => `gceSetup.${disk} is not encrypted with a customer-managed key`);
    },
});

export const vertexRules: readonly MlopsPolicy[] = [
    vertexCmek,
    vertexDefaultMetadataStore,
    vertexEndpointPrivate,
    vertexReplicas,
    workbenchNoPublicIp,
    workbenchShieldedVm,
    workbenchCmek,
];
