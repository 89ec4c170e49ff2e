/**
 * Identities for Azure workloads: a user-assigned managed identity per workload with built-in
 * data-plane roles granted at the narrowest scope (a blob container, a registry, a key), and the
 * role-assignment helper the other Azure components use for system-assigned identities.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { isValidAzureName } from "../naming/azure";
import { slug } from "../shared/naming";
import { Problems } from "../shared/problems";
import { BUILTIN_ROLE_NAMES, BuiltinRole, isBuiltinRole, roleAssignmentGuid, roleDefinitionId } from "./azure-roles";

/** One role on one scope. */
export interface RoleGrant {
    /** Short label naming the grant's child resource (`models`, `registry`); unique per identity. */
    readonly label: string;
    /** ARM ID of the narrowest scope that works: a container, a registry, a key vault key. */
    readonly scope: pulumi.Input<string>;
    /** A built-in role name, e.g. `Storage Blob Data Reader` (see BUILTIN_ROLES). */
    readonly role: string;
}

export interface AzureWorkloadIdentityArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** The identity's name: 3-128 letters, digits, '-' or '_', starting with a letter or digit. */
    readonly identityName: string;
    /** Subscription of the role definitions (from `authorization.getClientConfig`). */
    readonly subscriptionId: pulumi.Input<string>;
    /** Roles to grant. @default [] - an identity with no access */
    readonly grants?: readonly RoleGrant[];
    /**
     * Protect the identity and its role assignments and keep them on destroy: for identities that data
     * depends on (the one a storage account unwraps its customer-managed key with). @default false
     */
    readonly protectData?: boolean;
    /** Tags on the identity. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with one grant list (shared with components that grant to system identities). */
export function grantProblems(grants: readonly RoleGrant[], at: string, problems: Problems): void {
    const labels = new Set<string>();
    grants.forEach((g, i) => {
        if (!isBuiltinRole(g.role))
            problems.add({
                path: `${at}[${i}].role`,
                value: g.role,
                message: "is not a role this platform grants",
                allowed: BUILTIN_ROLE_NAMES,
                fix: "grant a narrow data-plane role; Owner and Contributor are never granted",
            });
        if (!/^[a-z0-9-]+$/.test(g.label) || labels.has(g.label))
            problems.add({
                path: `${at}[${i}].label`,
                value: g.label,
                message: "must be a unique lowercase label",
                fix: "use e.g. `models` or `registry`",
            });
        labels.add(g.label);
    });
}

/**
 * Grants `role` on `scope` to a principal. The assignment's name is derived from scope, role and
 * principal, so it is stable across runs. `principalType` is set so Azure does not look the new
 * identity up in Entra ID first (which fails while a new identity replicates).
 */
export function grantRole(
    resourceName: string,
    grant: { scope: pulumi.Input<string>; role: BuiltinRole; principalId: pulumi.Input<string>; subscriptionId: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    const definition = pulumi.output(grant.subscriptionId).apply((sub) => roleDefinitionId(sub, grant.role));
    return new authorization.RoleAssignment(
        resourceName,
        {
            scope: grant.scope,
            roleDefinitionId: definition,
            principalId: grant.principalId,
            principalType: "ServicePrincipal",
            roleAssignmentName: pulumi.all([grant.scope, definition, grant.principalId]).apply(([s, d, p]) => roleAssignmentGuid(s, d, p)),
            description: `mlops: ${grant.role}`,
        },
        opts,
    );
}

/** A user-assigned managed identity and its role assignments. */
export class AzureWorkloadIdentity extends pulumi.ComponentResource {
    /** ARM ID of the identity (what `identity.userAssignedIdentities` takes). */
    public readonly identityId: pulumi.Output<string>;
    public readonly principalId: pulumi.Output<string>;
    /** Client ID, for SDKs and `AzureWebJobsStorage__clientId`. */
    public readonly clientId: pulumi.Output<string>;
    /** The role assignments, for `dependsOn` of resources that need the access at creation. */
    public readonly assignments: authorization.RoleAssignment[];

    constructor(name: string, args: AzureWorkloadIdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        if (!isValidAzureName("userAssignedIdentity", args.identityName)) {
            problems.add({
                path: "identityName",
                value: args.identityName,
                message: "is not a valid managed identity name",
                fix: "use 3-128 letters, digits, '-' or '_', starting with a letter or digit",
            });
        }
        grantProblems(args.grants ?? [], "grants", problems);
        problems.throwIfAny(`AzureWorkloadIdentity "${name}"`);
        super("mlops:index:AzureWorkloadIdentity", name, args, opts);

        const protect = args.protectData ?? false;
        const kept = { parent: this, protect, retainOnDelete: protect };
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: { ...args.tags } },
            kept,
        );
        this.assignments = (args.grants ?? []).map((g) =>
            grantRole(
                `${name}-${slug(g.label)}`,
                { scope: g.scope, role: g.role as BuiltinRole, principalId: identity.principalId, subscriptionId: args.subscriptionId },
                kept,
            ),
        );
        this.identityId = identity.id;
        this.principalId = identity.principalId;
        this.clientId = identity.clientId;
        this.registerOutputs({ identityId: this.identityId, principalId: this.principalId, clientId: this.clientId });
    }
}
