/** IAM policy documents, which the provider takes as JSON strings or as objects. */
import { at, fields, parseJson } from "../lib/read";

export interface Statement {
    readonly index: number;
    readonly effect: string;
    readonly actions: string[];
    readonly notActions: string[];
    readonly resources: string[];
    /** Every principal value (`*`, ARNs, account IDs, service names), flattened. */
    readonly principals: string[];
    readonly awsPrincipals: string[];
    /** The statement's `Condition` block as written (any truthy value counts as a condition). */
    readonly condition?: unknown;
}

const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];

/** The statements of a document, or `undefined` when it is not a JSON policy document. */
export function statementsOf(document: unknown): Statement[] | undefined {
    const parsed = parseJson(document);
    if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return undefined;
    const document_ = fields(parsed.value);
    const raw = document_.Statement ?? document_.statements;
    const list: unknown[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
    return list.map(fields).map((s, index) => {
        const principal = s.Principal ?? s.principals;
        const awsPrincipals = principal === "*" ? ["*"] : strings(at(principal, "AWS"));
        const principals =
            principal === "*"
                ? ["*"]
                : typeof principal === "object" && principal !== null
                  ? Object.values(principal).flatMap(strings)
                  : [];
        const effect = s.Effect ?? s.effect ?? "";
        return {
            index,
            effect: typeof effect === "string" ? effect : String(effect),
            actions: strings(s.Action ?? s.actions),
            notActions: strings(s.NotAction ?? s.notActions),
            resources: strings(s.Resource ?? s.resources),
            principals,
            awsPrincipals,
            condition: s.Condition ?? s.conditions,
        };
    });
}

/** Allow statements open to anyone (`Principal: "*"` or `{ AWS: "*" }`). */
export function publicAllows(statements: readonly Statement[]): Statement[] {
    return statements.filter((s) => s.effect === "Allow" && s.principals.includes("*"));
}

/** Whether a statement denies requests that do not use TLS (`aws:SecureTransport` false). */
export function deniesInsecureTransport(s: Statement): boolean {
    if (s.effect !== "Deny") return false;
    const bool = at(s.condition, "Bool") ?? at(s.condition, "bool");
    const value = at(bool, ["aws:SecureTransport"]);
    return value === false || value === "false" || (Array.isArray(value) && value.map(String).includes("false"));
}
