/** Cloud Monitoring: production alerts reach someone, and each alert condition watches only its stack's resources, one incident per resource. */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { at, list, records } from "../lib/read";
import { GCP } from "./types";

const OBSERVABILITY = "components/observability/gcp.ts";

export const alertPolicyNotifies = resourceRule({
    name: "gcp-alert-policy-notifications",
    description:
        "Cloud Monitoring alert policies notify at least one notification channel (an alert nobody receives is a console entry, not an alert).",
    severity: "high",
    remediation: `list who hears alerts in mlops:notifications.emails or mlops:notifications.webhooks; the stack sends every alert policy to every channel (${OBSERVABILITY})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.alertPolicy],
    check: (r) => (list(r.props.notificationChannels).length > 0 ? [] : ["notificationChannels is empty (the alert notifies nobody)"]),
});

/** Matching by a pattern: a prefix such as `mlops-gcp-dev-` also matches a stack named `gcp-dev-eu` in the same project. */
const PATTERN_MATCH = /=\s*(starts_with|ends_with|has_substring)\(|monitoring\.regex\.full_match\("[^"]*(\.\*|\.\+)/;
/** A user-defined (log-based) metric: it counts only what its own filter selects. */
const USER_METRIC = /metric\.type\s*=\s*"logging\.googleapis\.com\/user\//;

/** A PromQL regex matcher with a wildcard (`job_name=~"mlops-gcp-dev-.*"`). */
const PROMQL_PATTERN = /=~\s*"[^"]*(\.\*|\.\+)/;
/** A matcher on a resource's name or ID label (`job_name="..."`, `workflow_id=~"a|b"`, `service_name`, `endpoint_id`). */
const PROMQL_NAMED = /\b[a-z_]+_(name|id)\s*=~?\s*"/;
/** The stack's own log-based metric, named by its type in the braces. */
const PROMQL_USER_METRIC = /\{\s*"logging\.googleapis\.com\/user\//;

/** Each `or` branch of a PromQL condition names its resources exactly (or is a log-based metric) and keeps one series per resource. */
function promqlProblems(where: string, query: unknown): string[] {
    if (typeof query !== "string" || query.trim() === "") return [`${where}.conditionPrometheusQueryLanguage.query is not set`];
    return query.split(/\)\s+or\s+\(/).flatMap((branch, b) => {
        const at = `${where} (branch ${b + 1})`;
        const problems: string[] = [];
        if (PROMQL_PATTERN.test(branch))
            problems.push(`${at} matches resources by a pattern (another stack in the project would match it)`);
        else if (!PROMQL_USER_METRIC.test(branch) && !PROMQL_NAMED.test(branch))
            problems.push(`${at} names no resource (it watches every resource of its type in the project)`);
        if (!/\bby\s*\(\s*[a-z_]/.test(branch))
            problems.push(`${at} does not group by a label (one incident for all the resources it watches)`);
        return problems;
    });
}

export const alertConditionScoped = resourceRule({
    name: "gcp-alert-condition-scoped",
    description:
        "Each Cloud Monitoring alert condition (threshold, or each `or` branch of a PromQL condition) names the resources it watches exactly (a resource label equal to a name, or a full match of the names; or the stack's own log-based metric), never by a prefix or wildcard that another stack in the project would also match, and groups by a label so each resource raises its own incident.",
    severity: "medium",
    remediation: `build conditions with exactNames() and a groupByFields per resource name (components/observability/gcp-conditions.ts); docs/gcp.md, "Alerts"`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.alertPolicy],
    check: (r) =>
        records(r.props.conditions).flatMap((c, i) => {
            const where = `conditions[${i}]`;
            const promql = at(c, "conditionPrometheusQueryLanguage.query");
            if (promql !== undefined) return promqlProblems(where, promql);
            const threshold = c.conditionThreshold;
            if (threshold === undefined) return [];
            const filter = at(threshold, "filter");
            if (typeof filter !== "string") return [`${where}.conditionThreshold.filter is not set`];
            const problems: string[] = [];
            if (PATTERN_MATCH.test(filter))
                problems.push(`${where} matches resources by a pattern (another stack in the project would match it)`);
            else if (!USER_METRIC.test(filter) && !/resource\.labels?\.[a-z_]+\s*=/.test(filter))
                problems.push(`${where} names no resource (it watches every resource of its type in the project)`);
            const grouped = records(at(threshold, "aggregations")).some((a) => list(a.groupByFields).length > 0);
            if (!grouped) problems.push(`${where} does not group by a label (one incident for all the resources it watches)`);
            return problems;
        }),
});

export const monitoringRules: readonly MlopsPolicy[] = [alertPolicyNotifies, alertConditionScoped];
