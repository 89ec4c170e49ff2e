/**
 * Data safety in production, across every cloud: stateful resources are `protect`ed (Pulumi refuses to
 * delete or replace them), and nothing is set to empty itself on destroy. A policy cannot see
 * `retainOnDelete` (PolicyResourceOptions has no such field), so the components set it together with
 * `protect` and the component tests assert both.
 */
import { AWS } from "../aws/types";
import { AZ } from "../azure/types";
import { GCP } from "../gcp/types";
import { K8S } from "../kubernetes/types";
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";

/** Resources whose deletion loses data or the keys to it. */
export const STATEFUL_TYPES: readonly string[] = [
    ...AWS.bucket,
    AWS.kmsKey,
    AWS.ecrRepository,
    AWS.sagemakerModelPackageGroup,
    GCP.bucket,
    GCP.dataset,
    GCP.table,
    GCP.keyRing,
    GCP.cryptoKey,
    GCP.registry,
    AZ.storageAccount,
    AZ.blobContainer,
    AZ.vault,
    AZ.registry,
    AZ.mlWorkspace,
    K8S.statefulSet,
    K8S.pvc,
    K8S.pv,
];

export const protectStateful = resourceRule({
    name: "protect-stateful-in-prod",
    description:
        "In production, stateful resources (buckets, datasets, keys, registries, storage accounts, vaults, workspaces, volumes) are protected against deletion and replacement.",
    severity: "critical",
    remediation:
        "set mlops:environment to prod for this stack: prod turns on protectData, and the components set protect and retainOnDelete on every stateful child",
    mirrors: ["CKV_GCP_82", CUSTOM],
    clouds: ["aws", "gcp", "azure", "kubernetes"],
    category: "data-loss",
    enforcement: "prod",
    types: STATEFUL_TYPES,
    check: (r) => (r.protect ? [] : ["resource is not protected (resource option protect: true)"]),
});

/** Inputs that make `pulumi destroy` (or a replacement) delete the contents along with the resource. */
const EMPTY_ON_DESTROY: Readonly<Record<string, string>> = {
    [AWS.bucket[0]]: "forceDestroy",
    [AWS.bucket[1]]: "forceDestroy",
    [AWS.ecrRepository]: "forceDelete",
    [GCP.bucket]: "forceDestroy",
    [GCP.dataset]: "deleteContentsOnDestroy",
};

export const noForceDestroy = resourceRule({
    name: "no-force-destroy-in-prod",
    description:
        "In production, buckets, registries and datasets are not set to delete their contents on destroy (forceDestroy, forceDelete, deleteContentsOnDestroy).",
    severity: "critical",
    remediation:
        "leave mlops:dataLake.aws.forceDestroy off in prod; the GCP components turn forceDestroy and deleteContentsOnDestroy on only when mlops:environment is not prod",
    mirrors: [CUSTOM],
    clouds: ["aws", "gcp"],
    category: "data-loss",
    enforcement: "prod",
    types: Object.keys(EMPTY_ON_DESTROY),
    check: (r) => (r.props[EMPTY_ON_DESTROY[r.type]] === true ? [`${EMPTY_ON_DESTROY[r.type]} is true`] : []),
});

export const commonRules: readonly MlopsPolicy[] = [protectStateful, noForceDestroy];
