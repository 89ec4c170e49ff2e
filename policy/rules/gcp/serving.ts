/** Artifact Registry, Cloud Run v2 (no public rule set covers v2) and Cloud Functions gen2. */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, list, oneOf, records } from "../lib/read";
import { publicGrants } from "./members";
import { GCP } from "./types";

const SERVICE = "components/container-service/gcp.ts";
const SERVERLESS = "components/serverless-inference/gcp.ts";

export const registryCmek = resourceRule({
    name: "gcp-artifact-registry-cmek",
    description: "Artifact Registry repositories encrypt images with a customer-managed key.",
    severity: "medium",
    remediation: `set kmsKeyName on the gcp.artifactregistry.Repository to the stack's registry key (${SERVICE})`,
    mirrors: ["CKV_GCP_84"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.registry],
    check: (r) => (r.props.kmsKeyName ? [] : ["kmsKeyName is not set"]),
});

export const registryImmutableTags = resourceRule({
    name: "gcp-artifact-registry-immutable-tags",
    description: "Docker repositories in Artifact Registry make tags immutable (remote and virtual repositories are exempt).",
    severity: "high",
    remediation: `set dockerConfig: { immutableTags: true } on the gcp.artifactregistry.Repository (${SERVICE})`,
    mirrors: ["CKV_AWS_51 (equivalent)", CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.registry],
    check: (r) => {
        const standard = (r.props.mode ?? "STANDARD_REPOSITORY") === "STANDARD_REPOSITORY";
        return standard && r.props.format === "DOCKER" && at(r.props, "dockerConfig.immutableTags") !== true
            ? ["dockerConfig.immutableTags is not true"]
            : [];
    },
});

export const registryNotPublic = resourceRule({
    name: "gcp-artifact-registry-not-public",
    description: "Artifact Registry IAM grants nothing to allUsers or allAuthenticatedUsers.",
    severity: "critical",
    remediation: `grant roles/artifactregistry.reader to the serving service accounts only (${SERVICE})`,
    mirrors: ["CKV_GCP_101"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.registryIamMember, GCP.registryIamBinding],
    check: (r) => publicGrants(r.props),
});

export const registryCleanup = resourceRule({
    name: "gcp-artifact-registry-cleanup",
    description: "Artifact Registry repositories have cleanup policies (old untagged images do not pile up).",
    severity: "low",
    remediation: `keep the cleanupPolicies the container service sets from mlops:containerService.gcp.registryKeepVersions and registryUntaggedDays (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "advisory",
    types: [GCP.registry],
    check: (r) =>
        (r.props.mode ?? "STANDARD_REPOSITORY") !== "STANDARD_REPOSITORY" || list(r.props.cleanupPolicies).length > 0
            ? []
            : ["no cleanupPolicies"],
});

const INTERNAL_INGRESS = ["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"];

export const runInternalIngress = resourceRule({
    name: "gcp-cloud-run-internal-ingress",
    description: "Cloud Run v2 services accept internal traffic only (internal, or internal plus the load balancer).",
    severity: "high",
    remediation: `leave mlops:containerService.gcp.ingress and mlops:serverlessInference.gcp.ingress at internal (the default, ${SERVICE}); turn this rule down in policy config for a service that must be public`,
    mirrors: ["CKV_GCP_124 (Cloud Functions equivalent)", CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.runService],
    check: (r) => (oneOf(INTERNAL_INGRESS, r.props.ingress) ? [] : [`ingress is ${r.props.ingress ?? "INGRESS_TRAFFIC_ALL (default)"}`]),
});

export const runNotPublic = resourceRule({
    name: "gcp-cloud-run-not-public",
    description:
        "Cloud Run v2 services require IAM to invoke: no run.invoker for allUsers or allAuthenticatedUsers, and the invoker check stays on.",
    severity: "critical",
    remediation: `keep mlops:<containerService|serverlessInference>.gcp.allowUnauthenticated false and list callers in invokers; keep invokerIamDisabled false (${SERVICE})`,
    mirrors: ["CKV_GCP_102 (v1 only)", CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.runService, GCP.runIamMember, GCP.runIamBinding],
    check: (r) =>
        r.type === GCP.runService
            ? r.props.invokerIamDisabled === true
                ? ["invokerIamDisabled is true (anyone can invoke)"]
                : []
            : publicGrants(r.props),
});

export const runServiceAccount = resourceRule({
    name: "gcp-cloud-run-service-account",
    description: "Cloud Run v2 services run as their own service account, not the default Compute Engine account.",
    severity: "high",
    remediation: `set template.serviceAccount to the model's service account (${SERVICE} creates one per model)`,
    mirrors: ["CKV_GCP_46 (equivalent)", CUSTOM],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.runService],
    check: (r) => {
        const account = at(r.props, "template.serviceAccount");
        if (!account) return ["template.serviceAccount is not set (the default Compute Engine service account runs it)"];
        return /-compute@developer\.gserviceaccount\.com$/.test(String(account))
            ? ["template.serviceAccount is the default Compute Engine service account"]
            : [];
    },
});

export const runProbes = resourceRule({
    name: "gcp-cloud-run-probes",
    description: "Cloud Run v2 containers have startup and liveness probes (slow model loads, hung servers).",
    severity: "medium",
    remediation: `keep the startup and liveness probes on mlops:models[].healthPath (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.runService],
    check: (r) =>
        records(at(r.props, "template.containers")).flatMap((c, i) => [
            ...(c.startupProbe ? [] : [`container ${c.name ?? i} has no startupProbe`]),
            ...(c.livenessProbe ? [] : [`container ${c.name ?? i} has no livenessProbe`]),
        ]),
});

export const runBoundedScaling = resourceRule({
    name: "gcp-cloud-run-scaling-and-timeout",
    description: "Cloud Run v2 services cap instances (template.scaling.maxInstanceCount) and set the request timeout explicitly.",
    severity: "medium",
    remediation: `set mlops:models[].maxReplicas (maxInstanceCount) and keep the explicit template.timeout (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.runService],
    check: (r) => [
        ...(at(r.props, "template.scaling.maxInstanceCount") || at(r.props, "scaling.maxInstanceCount")
            ? []
            : ["maxInstanceCount is not set"]),
        ...(at(r.props, "template.timeout") ? [] : ["template.timeout is not set (defaults to 300s)"]),
    ],
});

export const runDeletionProtection = resourceRule({
    name: "gcp-cloud-run-deletion-protection",
    description: "In production, Cloud Run v2 services keep deletion protection on.",
    severity: "medium",
    remediation: `set mlops:environment to prod: the container service then sets deletionProtection (${SERVICE})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "data-loss",
    enforcement: "prod",
    types: [GCP.runService],
    check: (r) => (r.props.deletionProtection === false ? ["deletionProtection is false"] : []),
});

const INTERNAL_FUNCTION_INGRESS = ["ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"];

export const functionIngress = resourceRule({
    name: "gcp-functions-internal-ingress",
    description: "Cloud Functions gen2 accept internal traffic only.",
    severity: "high",
    remediation: `leave mlops:serverlessInference.gcp.ingress at internal, which becomes serviceConfig.ingressSettings ALLOW_INTERNAL_ONLY (${SERVERLESS})`,
    mirrors: ["CKV_GCP_124"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.function],
    check: (r) =>
        oneOf(INTERNAL_FUNCTION_INGRESS, at(r.props, "serviceConfig.ingressSettings"))
            ? []
            : [`serviceConfig.ingressSettings is ${at(r.props, "serviceConfig.ingressSettings") ?? "ALLOW_ALL (default)"}`],
});

export const functionNotPublic = resourceRule({
    name: "gcp-functions-not-public",
    description: "Cloud Functions gen2 IAM grants nothing to allUsers or allAuthenticatedUsers.",
    severity: "critical",
    remediation: `keep mlops:serverlessInference.gcp.allowUnauthenticated false and list callers in its invokers (${SERVERLESS})`,
    mirrors: ["CKV_GCP_107"],
    clouds: ["gcp"],
    category: "security",
    enforcement: "mandatory",
    types: [GCP.functionIamMember, GCP.functionIamBinding],
    check: (r) => publicGrants(r.props),
});

export const gcpServingRules: readonly MlopsPolicy[] = [
    registryCmek,
    registryImmutableTags,
    registryNotPublic,
    registryCleanup,
    runInternalIngress,
    runNotPublic,
    runServiceAccount,
    runProbes,
    runBoundedScaling,
    runDeletionProtection,
    functionIngress,
    functionNotPublic,
];
