/**
 * Built-in Azure roles the platform grants, by their fixed definition GUIDs, and the deterministic
 * role-assignment name. Pure (no SDK).
 *
 * GUIDs from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles, cross-checked
 * against public Bicep templates that assign them (e.g. AVM modules). Only narrow data-plane roles are
 * here: nothing that grants Owner, Contributor or User Access Administrator can be asked for.
 */
import { createHash } from "crypto";

export const BUILTIN_ROLES = {
    /** Read, write and delete blobs and containers (no ACL management). */
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    /** Read and list blobs. */
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    /** Contributor plus POSIX ACLs; the Functions host needs it on its own storage account. */
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    /** Pull images from a container registry. */
    AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    /** Wrap and unwrap with a key: what a storage account needs for customer-managed keys. */
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    /** Peek and read queue messages and the queue's length: what a KEDA azure-queue scale rule needs. */
    "Storage Queue Data Reader": "19e7f393-937e-4f77-808e-94535e297925",
    /** Peek, receive and delete queue messages (no sending): a job taking its start message off the queue. */
    "Storage Queue Data Message Processor": "8a0f0c08-91a1-4084-bc3d-661d67233fed",
    /** Add messages to a queue: what an Event Grid subscription delivering with its identity needs. */
    "Storage Queue Data Message Sender": "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
    /** Publish metrics and telemetry with Entra ID (App Insights with local auth off). */
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

export type BuiltinRole = keyof typeof BUILTIN_ROLES;
export const BUILTIN_ROLE_NAMES = Object.keys(BUILTIN_ROLES) as BuiltinRole[];

export function isBuiltinRole(value: unknown): value is BuiltinRole {
    return typeof value === "string" && Object.prototype.hasOwnProperty.call(BUILTIN_ROLES, value);
}

/** `/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>`, the form Azure returns. */
export function roleDefinitionId(subscriptionId: string, role: BuiltinRole): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES[role]}`;
}

/**
 * The role assignment's name: a GUID derived from scope, role and principal (what Bicep's
 * `guid(scope, principalId, roleId)` does), shaped as a version-5 UUID. The same grant always gets the
 * same name, so a re-run never creates a duplicate assignment and two grants never share a name.
 */
export function roleAssignmentGuid(scope: string, roleDefinition: string, principalId: string): string {
    const hex = createHash("sha256")
        .update(`${scope.toLowerCase()}|${roleDefinition.toLowerCase()}|${principalId.toLowerCase()}`)
        .digest("hex");
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
