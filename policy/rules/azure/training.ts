/**
 * The training loop on Azure (components/training-pipeline/azure.ts; docs/azure.md, "Training, promotion and
 * drift"): custom roles stay narrow, every Azure ML job a schedule or a Logic App submits runs on the stack's
 * cluster as the pipeline's own managed identity, approval stays with people (the stack never hands out the
 * approver role or a role that can tag versions on the workspace), Logic Apps keep tokens in secure
 * parameters and call Azure Resource Manager with their identity, prod registers every version as pending,
 * and drift alerts reach a person.
 */
import { PolicyResource } from "@pulumi/policy";
import { CUSTOM, MlopsPolicy, resourceRule, stackRule } from "../meta";
import { at, fields, list, peek, records, whenKnown } from "../lib/read";
import { AZ } from "./types";

const TRAINING = "components/training-pipeline/azure.ts";

/** A job body an Azure ML schedule or a Logic App HTTP action submits, with where it was found. */
interface SubmittedJob {
    readonly where: string;
    readonly job: Record<string, unknown>;
}

/** Every object of a Logic App definition (actions nest under If/Foreach/Scope), with its action name. */
function actionsOf(definition: unknown): { name: string; action: Record<string, unknown> }[] {
    const out: { name: string; action: Record<string, unknown> }[] = [];
    const walk = (actions: unknown) => {
        for (const [name, action] of Object.entries(fields(actions))) {
            const a = fields(action);
            out.push({ name, action: a });
            walk(a.actions);
            walk(at(a, "else.actions"));
            for (const c of records(a.cases)) walk(c.actions);
            walk(at(a, "default.actions"));
        }
    };
    walk(at(definition, "actions"));
    return out;
}

/** The Azure ML jobs a schedule (CreateJob action) or a Logic App (HTTP PUT of a job body) submits. */
export function submittedJobs(r: { type: string; props: Readonly<Record<string, unknown>> }): SubmittedJob[] {
    if (r.type === AZ.mlSchedule) {
        if (at(r.props, "properties.action.actionType") !== "CreateJob") return [];
        return [{ where: "properties.action.jobDefinition", job: { ...fields(at(r.props, "properties.action.jobDefinition")) } }];
    }
    return actionsOf(r.props.definition).flatMap(({ name, action }) => {
        if (action.type !== "Http" || String(at(action, "inputs.method") ?? "").toUpperCase() !== "PUT") return [];
        const job = at(action, "inputs.body.properties");
        return job && typeof job === "object" && "jobType" in job ? [{ where: `action ${name}`, job: { ...fields(job) } }] : [];
    });
}

const blank = (v: unknown) => typeof v !== "string" || v.trim() === "";

export const customRolesNarrow = resourceRule({
    name: "azure-custom-roles-narrow",
    description:
        "Custom role definitions list their actions one by one (no `*` wildcard), cannot change access (no Microsoft.Authorization writes or deletes), and are assignable only below a subscription's root (never `/` or a management group).",
    severity: "high",
    remediation: `name each action the role needs and keep assignableScopes at the stack's resource group, as the training roles in ${TRAINING} (CUSTOM_ROLE_ACTIONS) do`,
    mirrors: ["CKV_AZURE_39", CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.roleDefinition],
    check: (r) => {
        const problems: string[] = [];
        records(r.props.permissions).forEach((p, i) => {
            for (const kind of ["actions", "dataActions"] as const) {
                for (const action of list(p[kind]).map(String)) {
                    if (action.includes("*")) problems.push(`permissions[${i}].${kind} allows ${action} (a wildcard)`);
                    else if (/^Microsoft\.Authorization\/.*\/(write|delete)$/i.test(action))
                        problems.push(`permissions[${i}].${kind} allows ${action}: holders could change who has access`);
                }
            }
        });
        for (const scope of list(r.props.assignableScopes).map(String))
            if (scope === "/" || /\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope))
                problems.push(`assignableScopes includes ${scope}, beyond one subscription`);
        return problems;
    },
});

/** The job's problems with where it runs and as whom. */
function identityProblems(where: string, job: Record<string, unknown>): string[] {
    const problems: string[] = [];
    if (blank(job.computeId)) problems.push(`${where}: computeId is not set: the job does not run on the stack's cluster`);
    const type = at(job, "identity.identityType");
    if (type !== "Managed" || blank(at(job, "identity.resourceId")))
        problems.push(
            `${where}: identity is ${
                type === undefined
                    ? "not set (the job runs as whoever submitted it)"
                    : type === "Managed"
                      ? "Managed without a resourceId (the cluster's identity, not the pipeline's)"
                      : `${String(type)}, not the pipeline's user-assigned managed identity`
            }`,
        );
    return problems;
}

export const mlJobsOwnIdentity = resourceRule({
    name: "azure-ml-jobs-own-identity",
    description:
        "Azure ML jobs that schedules and Logic Apps submit run on the stack's compute cluster (computeId) as the pipeline's own user-assigned managed identity, never as the person who created the schedule.",
    severity: "high",
    remediation: `set jobDefinition.computeId to the pipeline's cluster and identity {identityType: Managed, resourceId: <the pipeline's identity>} (jobDefinition in components/training-pipeline/azure-job.ts)`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.mlSchedule, AZ.logicWorkflow],
    check: (r) => submittedJobs(r).flatMap((j) => identityProblems(j.where, j.job)),
});

export const prodVersionsPending = resourceRule({
    name: "azure-prod-versions-pending-approval",
    description:
        "In prod, the jobs that schedules and Logic Apps submit register every version as pending (MLOPS_APPROVAL pending; AutoML outputs not tagged approved): a person approves it before it is delivered.",
    severity: "high",
    remediation: `leave approval out of mlops:models[].training in prod (manual is the prod default); the training jobs then get MLOPS_APPROVAL=pending and register versions tagged approval: pending (${TRAINING})`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.mlSchedule, AZ.logicWorkflow],
    check: (r) =>
        submittedJobs(r).flatMap(({ where, job }) => {
            const problems: string[] = [];
            const approval = at(job, "environmentVariables.MLOPS_APPROVAL");
            if (approval !== undefined && approval !== "pending")
                problems.push(`${where}: registers versions as ${String(approval)}, not pending (MLOPS_APPROVAL)`);
            for (const [output, value] of Object.entries(fields(job.outputs)))
                if (at(value, "tags.approval") !== undefined && at(value, "tags.approval") !== "pending")
                    problems.push(`${where}: output ${output} registers versions tagged approval: ${String(at(value, "tags.approval"))}`);
            return problems;
        }),
});

/** Built-in roles that include models/versions/write on a workspace (and so could tag a version approved). */
const TAGGING_ROLES: Readonly<Record<string, string>> = {
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
};
const WORKSPACE_OR_GROUP =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+(\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)?\/?$/i;

export const approvalSeparate = stackRule({
    name: "azure-ml-approval-separate",
    description:
        "The stack never assigns the model approver role (approvers are people, assigned outside the stack), nor Contributor or AzureML Data Scientist on an Azure ML workspace or its resource group (both can tag a version approved).",
    severity: "critical",
    remediation: `assign the approver role to people only (az role assignment create --role "mlops model approver (<prefix>)"); pipelines get the registrar and job submitter roles of ${TRAINING} on the workspace`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.roleAssignment],
    validate: ({ view, report }) => {
        for (const a of view.ofType([AZ.roleAssignment])) {
            const verdict = whenKnown(() => {
                const problems: string[] = [];
                const defined = view.sources(a, "roleDefinitionId", [AZ.roleDefinition]);
                for (const d of defined) {
                    const name = String(peek(d.props, "roleName") ?? d.name);
                    if (/approv/i.test(name))
                        problems.push(
                            `assigns the approver role (${name}) to a principal the stack creates: approval would not be a person's`,
                        );
                }
                const id =
                    String(peek(a.props, "roleDefinitionId") ?? "")
                        .split("/")
                        .pop()
                        ?.toLowerCase() ?? "";
                const role = TAGGING_ROLES[id];
                if (role) {
                    const scope = peek(a.props, "scope");
                    const onWorkspace =
                        view.sources(a, "scope", [AZ.mlWorkspace, AZ.resourceGroup]).length > 0 ||
                        (typeof scope === "string" && WORKSPACE_OR_GROUP.test(scope));
                    if (onWorkspace)
                        problems.push(
                            `assigns ${role} on an Azure ML workspace or its resource group: it includes models/versions/write, so the holder could approve versions`,
                        );
                }
                return problems;
            });
            for (const problem of verdict ?? []) report(a, problem);
        }
    },
});

/** Parameters whose names say they hold a credential. */
const SECRET_NAME = /token|secret|password|apikey|api_key|credential/i;
const SECURE_TYPES = ["SecureString", "SecureObject"];

export const logicAppSecrets = resourceRule({
    name: "azure-logic-app-secrets-secure",
    description:
        "Logic Apps keep credentials in SecureString parameters (hidden from run history), send no literal Authorization header, and call Azure Resource Manager with their managed identity.",
    severity: "high",
    remediation: `declare the token as a SecureString parameter and reference it (@{parameters('githubToken')}); authenticate ARM calls with {type: ManagedServiceIdentity} (deliveryWorkflow and submitAction in components/training-pipeline/azure-job.ts)`,
    mirrors: [CUSTOM],
    clouds: ["azure"],
    category: "security",
    enforcement: "mandatory",
    types: [AZ.logicWorkflow],
    check: (r) => {
        const problems: string[] = [];
        for (const [name, p] of Object.entries(fields(at(r.props, "definition.parameters"))))
            if (SECRET_NAME.test(name) && !SECURE_TYPES.includes(String(at(p, "type"))))
                problems.push(
                    `definition parameter ${name} is ${String(at(p, "type") ?? "untyped")}, not SecureString: its value shows in run history`,
                );
        for (const [name, p] of Object.entries(fields(r.props.parameters)))
            if (SECRET_NAME.test(name) && !SECURE_TYPES.includes(String(at(p, "type"))))
                problems.push(
                    `parameter ${name} is ${String(at(p, "type") ?? "untyped")}, not SecureString: its value shows in run history`,
                );
        for (const { name, action } of actionsOf(r.props.definition)) {
            if (action.type !== "Http") continue;
            const headers = fields(at(action, "inputs.headers"));
            const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1];
            if (typeof auth === "string" && !/parameters\(/.test(auth))
                problems.push(`action ${name} sends a literal Authorization header: the credential is in the definition`);
            const uri = String(at(action, "inputs.uri") ?? "");
            if (/management\.azure\.com/i.test(uri) && at(action, "inputs.authentication.type") !== "ManagedServiceIdentity")
                problems.push(`action ${name} calls Azure Resource Manager without the workflow's managed identity`);
        }
        return problems;
    },
});

/** Receivers that reach a person (a Logic App, Function, runbook or event hub does not). */
const PEOPLE_RECEIVERS = [
    "emailReceivers",
    "smsReceivers",
    "voiceReceivers",
    "azureAppPushReceivers",
    "armRoleReceivers",
    "webhookReceivers",
    "itsmReceivers",
    "incidentReceivers",
];

export const logAlertsNotify = stackRule({
    name: "azure-log-alerts-notify",
    description:
        "Production log alerts (scheduled query rules: the drift alerts) notify an action group that reaches a person (email, SMS, voice, push, webhook, ...), not only automation.",
    severity: "high",
    remediation: `set mlops:notifications; the drift alert then notifies the stack's action group as well as the retrain Logic App (${TRAINING})`,
    mirrors: ["Azure WAF OE: alert routing", CUSTOM],
    clouds: ["azure"],
    category: "reliability",
    enforcement: "prod",
    types: [AZ.scheduledQueryRule],
    validate: ({ view, inScope, report }) => {
        const groups = view.ofType([AZ.actionGroup]);
        for (const alert of view.ofType([AZ.scheduledQueryRule]).filter(inScope)) {
            const verdict = whenKnown(() => {
                const ids = list(at(alert.props, "actions.actionGroups"));
                if (ids.length === 0) return "notifies no action group";
                const linked = new Set(view.sources(alert, "actions", [AZ.actionGroup]).map((g) => g.urn));
                const targets: PolicyResource[] = groups.filter((g) => linked.has(g.urn) || ids.includes(peek(g.props, "id")));
                // Fewer groups found than named: one is outside the stack and cannot be judged here.
                if (targets.length < ids.length) return undefined;
                return targets.some((g) => g.props.enabled !== false && PEOPLE_RECEIVERS.some((k) => list(g.props[k]).length > 0))
                    ? undefined
                    : "notifies only action groups that reach no person (automation receivers only)";
            });
            if (verdict) report(alert, verdict);
        }
    },
});

export const azureTrainingRules: readonly MlopsPolicy[] = [
    customRolesNarrow,
    mlJobsOwnIdentity,
    prodVersionsPending,
    approvalSeparate,
    logicAppSecrets,
    logAlertsNotify,
];
