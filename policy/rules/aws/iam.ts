/** IAM: least privilege (no wildcard actions, no admin or *FullAccess managed policies), no public trust, no user policies. */
import { MlopsPolicy, resourceRule } from "../meta";
import { list, records } from "../lib/read";
import { Statement, statementsOf } from "./documents";
import { AWS } from "./types";

const IDENTITY = "components/identity/aws.ts";

/** Why an Allow statement is too broad, if it is. */
function tooBroad(s: Statement): string[] {
    if (s.effect !== "Allow") return [];
    if (s.notActions.length > 0) return [`statement ${s.index} allows everything except ${s.notActions.join(", ")} (NotAction)`];
    return s.actions.flatMap((a) => {
        if (a === "*" || a === "*:*") return [`statement ${s.index} allows every action ("${a}")`];
        if (/^iam:\*$/i.test(a)) return [`statement ${s.index} allows iam:* (full IAM access)`];
        if (/^[a-z0-9-]+:\*$/i.test(a) && s.resources.includes("*")) return [`statement ${s.index} allows ${a} on every resource`];
        return [];
    });
}

function documentProblems(document: unknown, where: string): string[] {
    const statements = statementsOf(document);
    if (!statements) return [`${where} is not a JSON policy document`];
    return statements.flatMap(tooBroad).map((p) => `${where}: ${p}`);
}

export const noWildcardActions = resourceRule({
    name: "aws-iam-no-wildcard-actions",
    description: 'IAM policies grant no wildcard: no "*" or "*:*", no iam:*, no service:* on every resource, no Allow with NotAction.',
    severity: "critical",
    remediation: `list the actions and resources the workload uses (the mlops roles are built from scoped statements in ${IDENTITY})`,
    mirrors: ["CKV_AWS_62", "CKV_AWS_63", "CKV2_AWS_40", "AVD-AWS-0057", "CIS-AWS5 1.15"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamPolicy, AWS.iamRolePolicy, AWS.iamUserPolicy, AWS.iamGroupPolicy, AWS.iamRole],
    check: (r) => {
        if (r.type !== AWS.iamRole) return documentProblems(r.props.policy, "policy");
        return records(r.props.inlinePolicies).flatMap((p) =>
            p.policy === undefined ? [] : documentProblems(p.policy, `inline policy ${p.name ?? "(unnamed)"}`),
        );
    },
});

/** AWS-managed policies that hand out administrator or full-service access. */
const BROAD_MANAGED =
    /^arn:aws[\w-]*:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess(V\d+)?)$/;

export const noAdminManagedPolicies = resourceRule({
    name: "aws-iam-no-admin-policies",
    description: "No AdministratorAccess, PowerUserAccess, IAMFullAccess or other *FullAccess AWS-managed policy is attached.",
    severity: "critical",
    remediation: `replace the managed policy by a scoped inline policy (as the mlops roles in ${IDENTITY} do)`,
    mirrors: ["CKV_AWS_274", "CKV2_AWS_56", "CIS-AWS5 1.15"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamRolePolicyAttachment, AWS.iamUserPolicyAttachment, AWS.iamGroupPolicyAttachment, AWS.iamPolicyAttachment, AWS.iamRole],
    check: (r) => {
        const arns: unknown[] = r.type === AWS.iamRole ? list(r.props.managedPolicyArns) : [r.props.policyArn];
        return arns.filter((a): a is string => typeof a === "string" && BROAD_MANAGED.test(a)).map((a) => `attaches ${a}`);
    },
});

/** A whole-account principal: `arn:aws:iam::123456789012:root` or a bare account ID. */
const ACCOUNT_ROOT = /^(arn:aws[\w-]*:iam::\d{12}:root|\d{12})$/;

export const trustNotPublic = resourceRule({
    name: "aws-iam-trust-not-public",
    description: 'Role trust policies name who may assume them: no Principal "*", no whole account without a condition.',
    severity: "critical",
    remediation: `trust the AWS service (e.g. sagemaker.amazonaws.com) or the exact role ARN that assumes the role (${IDENTITY})`,
    mirrors: ["CKV_AWS_60", "CKV_AWS_61"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamRole],
    check: (r) => {
        const statements = statementsOf(r.props.assumeRolePolicy);
        if (!statements) return ["assumeRolePolicy is not a JSON policy document"];
        return statements
            .filter((s) => s.effect === "Allow")
            .flatMap((s) => [
                ...(s.principals.includes("*") ? [`statement ${s.index} lets anyone assume the role (Principal "*")`] : []),
                ...(s.condition
                    ? []
                    : s.awsPrincipals
                          .filter((p) => ACCOUNT_ROOT.test(p))
                          .map((p) => `statement ${s.index} trusts every identity of account ${p} without a condition`)),
            ]);
    },
});

export const noUserPolicies = resourceRule({
    name: "aws-iam-no-user-policies",
    description: "Policies are attached to roles or groups, never directly to IAM users.",
    severity: "medium",
    remediation: `attach the policy to a role (workloads, as in ${IDENTITY}) or a group (people); the mlops stacks create no IAM users`,
    mirrors: ["CKV_AWS_40", "AVD-AWS-0143", "CIS-AWS5 1.14"],
    clouds: ["aws"],
    category: "security",
    enforcement: "mandatory",
    types: [AWS.iamUserPolicy, AWS.iamUserPolicyAttachment, AWS.iamPolicyAttachment],
    check: (r) =>
        r.type !== AWS.iamPolicyAttachment || list(r.props.users).length > 0 ? ["attaches a policy directly to an IAM user"] : [],
});

export const iamRules: readonly MlopsPolicy[] = [noWildcardActions, noAdminManagedPolicies, trustNotPublic, noUserPolicies];
