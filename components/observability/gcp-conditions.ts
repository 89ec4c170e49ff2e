/**
 * Cloud Monitoring alert conditions shared by the GCP components: one condition per kind of signal across
 * every resource of that kind in the stack, grouped by the resource's name label so each resource still
 * opens (and names) its own incident. Cloud Monitoring bills each condition by the month
 * (cloud.google.com/stackdriver/pricing; cloud.google.com/monitoring/alerts/cost-control, "Consolidate
 * alerting policies to operate over more resources"), so one condition over N resources costs what one
 * resource's did. Pure: no SDK, no resources.
 *
 * Resources are named exactly, never by a prefix: several stacks may share a project, and a prefix such as
 * `mlops-gcp-dev-` also matches the resources of a stack named `gcp-dev-eu`. Filter syntax:
 * cloud.google.com/monitoring/api/v3/filters (`<label> = "<value>"`, `<label> =
 * monitoring.regex.full_match("<RE2>")`). The data pipelines' and drift jobs' signals are PromQL instead
 * (below): one PromQL condition can OR signals of several metric types, a threshold condition cannot.
 */

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * The filter term that selects exactly these resources by a label: `resource.labels.<label> = "<name>"` for
 * one, `resource.labels.<label> = monitoring.regex.full_match("a|b")` (a full match of the alternatives,
 * each escaped) for several. Names are sorted, so the filter does not change with their order.
 */
export function exactNames(label: string, names: readonly string[]): string {
    const sorted = [...new Set(names)].sort();
    if (sorted.length === 0) throw new Error(`exactNames(${label}): no names`);
    if (sorted.length === 1) return `resource.labels.${label} = ${JSON.stringify(sorted[0])}`;
    const pattern = sorted.map((n) => n.replace(REGEX_SPECIAL, "\\$&")).join("|");
    return `resource.labels.${label} = monitoring.regex.full_match(${JSON.stringify(pattern)})`;
}

/**
 * One signal of a PromQL alert condition: an expression that returns one series per resource (or model) that
 * needs attention, labelled by what names it. Several signals OR into one condition (`signalsCondition`),
 * which bills as one whatever it watches.
 */
export interface AlertSignal {
    /** What the series means, for the policy's documentation (e.g. "a pipeline run failed"). */
    readonly description: string;
    /** The PromQL expression. */
    readonly query: string;
}

/** An alert condition in the shape `monitoring.AlertPolicy` takes (conditionPrometheusQueryLanguage). */
export interface PromqlCondition {
    readonly displayName: string;
    readonly conditionPrometheusQueryLanguage: {
        readonly query: string;
        readonly duration: string;
        readonly evaluationInterval: string;
    };
}

const PROMQL_REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * A PromQL label matcher that selects exactly these names: `label="a"` for one, `label=~"a|b"` (RE2, fully
 * anchored in PromQL, each name escaped) for several. Sorted, so it does not change with their order.
 */
export function promqlExactNames(label: string, names: readonly string[]): string {
    const sorted = [...new Set(names)].sort();
    if (sorted.length === 0) throw new Error(`promqlExactNames(${label}): no names`);
    if (sorted.length === 1) return `${label}=${JSON.stringify(sorted[0])}`;
    return `${label}=~${JSON.stringify(sorted.map((n) => n.replace(PROMQL_REGEX_SPECIAL, "\\$&")).join("|"))}`;
}

/**
 * Any increase of a counter in `window`, one series per `groupBy` value: `sum by (<groupBy>) (increase({"<metric
 * type>", monitored_resource="<type>", <matchers>}[<window>])) > 0`. The metric is named by its Cloud Monitoring
 * type in PromQL's UTF-8 form (quoted inside the braces: cloud.google.com/monitoring/promql), and
 * `monitored_resource` picks the resource type (cloud.google.com/monitoring/promql/promql-mapping).
 */
export function anyIncreaseQuery(
    metricType: string,
    resourceType: string,
    matchers: readonly string[],
    groupBy: readonly string[],
    window = "5m",
): string {
    const selector = [JSON.stringify(metricType), `monitored_resource=${JSON.stringify(resourceType)}`, ...matchers].join(", ");
    return `sum by (${groupBy.join(", ")}) (increase({${selector}}[${window}])) > 0`;
}

/**
 * One condition that fires on any of the signals: their queries joined with PromQL's `or` (series keep their
 * own labels, so each resource or model still opens its own incident), evaluated every minute.
 */
export function signalsCondition(displayName: string, signals: readonly AlertSignal[]): PromqlCondition {
    if (signals.length === 0) throw new Error(`signalsCondition(${displayName}): no signals`);
    return {
        displayName,
        conditionPrometheusQueryLanguage: {
            query: signals.map((s) => `(${s.query})`).join(" or "),
            duration: "0s",
            evaluationInterval: "60s",
        },
    };
}
