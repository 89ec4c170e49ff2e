/**
 * Identities for Azure workloads: a user-assigned managed identity per workload with built-in
 * data-plane roles granted at the narrowest scope (a blob container, a registry, a key), and the
 * role-assignment helper the other Azure components use for system-assigned identities.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { slug } from "../shared/naming";
import { throwIfProblems } from "../shared/problems";
import { AzureWorkloadIdentityArgs, validateAzureWorkloadIdentity } from "./azure-args";
import { BuiltinRole, roleAssignmentGuid, roleDefinitionId } from "./azure-roles";

/**
 * Grants `role` on `scope` to a principal. The assignment's name is derived from scope, role and
 * principal, so it is stable across runs. `principalType` is set so Azure does not look the new
 * identity up in Entra ID first (which fails while a new identity replicates).
 */
export function grantRole(
    resourceName: string,
    grant: {
        scope: pulumi.Input<string>;
        role: BuiltinRole;
        principalId: pulumi.Input<string>;
        subscriptionId: pulumi.Input<string>;
        /** An ABAC condition (version 2.0) narrowing the role, e.g. to a blob path prefix. @default - none */
        condition?: string;
    },
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
            ...(grant.condition !== undefined ? { condition: grant.condition, conditionVersion: "2.0" } : {}),
        },
        opts,
    );
}

/** A user-assigned managed identity and its role assignments. */
export class AzureWorkloadIdentity extends pulumi.ComponentResource {
    /** ARM ID of the identity (what `identity.userAssignedIdentities` takes). */
    public readonly identityId: pulumi.Output<string>;
    /** Principal (object) ID of the user-assigned identity. */
    public readonly principalId: pulumi.Output<string>;
    /** Client ID, for SDKs and `AzureWebJobsStorage__clientId`. */
    public readonly clientId: pulumi.Output<string>;
    /** The role assignments, for `dependsOn` of resources that need the access at creation. */
    public readonly assignments: authorization.RoleAssignment[];

    constructor(name: string, args: AzureWorkloadIdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureWorkloadIdentity "${name}"`, validateAzureWorkloadIdentity(args));
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
                {
                    scope: g.scope,
                    role: g.role as BuiltinRole,
                    principalId: identity.principalId,
                    subscriptionId: args.subscriptionId,
                    condition: g.condition,
                },
                kept,
            ),
        );
        this.identityId = identity.id;
        this.principalId = identity.principalId;
        this.clientId = identity.clientId;
        this.registerOutputs({ identityId: this.identityId, principalId: this.principalId, clientId: this.clientId });
    }
}
