/**
 * Arguments of the Azure workload identity component and their validators. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isValidAzureName } from "../naming/azure";
import type { AzureLocationArgs, AzureResourceGroupArgs, AzureSubscriptionArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";
import { BUILTIN_ROLE_NAMES, isBuiltinRole } from "./azure-roles";

/** One role on one scope. */
export interface RoleGrant {
    /** Short label naming the grant's child resource (`models`, `registry`); unique per identity. */
    readonly label: string;
    /** ARM ID of the narrowest scope that works: a container, a registry, a key vault key. */
    readonly scope: pulumi.Input<string>;
    /** A built-in role name, e.g. `Storage Blob Data Reader` (see BUILTIN_ROLES). */
    readonly role: string;
    /**
     * An ABAC condition (version 2.0) that narrows the role on storage, e.g. to blobs under a path prefix
     * (docs/azure.md, "Data pipelines"). Default: none: the role applies to the whole scope.
     */
    readonly condition?: string;
}

export interface AzureWorkloadIdentityArgs extends AzureResourceGroupArgs, AzureLocationArgs, AzureSubscriptionArgs {
    /** The identity's name: 3-128 letters, digits, '-' or '_', starting with a letter or digit. */
    readonly identityName: string;
    /** Roles to grant. Default: [] - an identity with no access. */
    readonly grants?: RoleGrant[];
    /**
     * Protect the identity and its role assignments and keep them on destroy: for identities that data
     * depends on (the one a storage account unwraps its customer-managed key with). Default: false.
     */
    readonly protectData?: boolean;
    /** Tags on the identity. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with one grant list at `at` (shared with components that grant to system identities). */
export function validateRoleGrants(grants: readonly RoleGrant[], at: string): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const labels = new Set<string>();
    grants.forEach((g, i) => {
        if (!isBuiltinRole(g.role))
            problems.push({
                path: `${at}[${i}].role`,
                value: g.role,
                message: "is not a role this platform grants",
                allowed: BUILTIN_ROLE_NAMES,
                fix: "grant a narrow data-plane role; Owner and Contributor are never granted",
            });
        if (!/^[a-z0-9-]+$/.test(g.label) || labels.has(g.label))
            problems.push({
                path: `${at}[${i}].label`,
                value: g.label,
                message: "must be a unique lowercase label",
                fix: "use e.g. `models` or `registry`",
            });
        labels.add(g.label);
    });
    return problems;
}

/** Every problem with the identity's arguments (paths relative to the args). */
export function validateAzureWorkloadIdentity(args: AzureWorkloadIdentityArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!isValidAzureName("userAssignedIdentity", args.identityName))
        problems.push({
            path: "identityName",
            value: args.identityName,
            message: "is not a valid managed identity name",
            fix: "use 3-128 letters, digits, '-' or '_', starting with a letter or digit",
        });
    problems.push(...validateRoleGrants(args.grants ?? [], "grants"));
    return problems;
}
