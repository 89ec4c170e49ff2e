/** IAM members of GCP bindings. */
import { Fields, list } from "../lib/read";

/** Members that make a resource public. */
export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

/** The members a `*IamMember` (member) or `*IamBinding` (members) grants to. */
export function membersOf(props: Fields): string[] {
    return [props.member, ...list(props.members)].filter((m): m is string => typeof m === "string");
}

/** One problem per public member of an IAM member/binding resource. */
export function publicGrants(props: Fields): string[] {
    return membersOf(props)
        .filter((m) => PUBLIC_MEMBERS.includes(m))
        .map((m) => `grants ${props.role ?? "a role"} to ${m}`);
}
