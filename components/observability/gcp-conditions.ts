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
 * monitoring.regex.full_match("<RE2>")`).
 */

/** An alert condition in the shape `monitoring.AlertPolicy` takes (conditionThreshold only). */
export interface ThresholdCondition {
    readonly displayName: string;
    readonly conditionThreshold: {
        readonly filter: string;
        readonly aggregations: Aggregation[];
        readonly denominatorFilter?: string;
        readonly denominatorAggregations?: Aggregation[];
        readonly comparison: string;
        readonly thresholdValue: number;
        readonly duration: string;
        readonly trigger: { count: number };
    };
}

export interface Aggregation {
    readonly alignmentPeriod: string;
    readonly perSeriesAligner: string;
    readonly crossSeriesReducer?: string;
    readonly groupByFields?: string[];
}

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
 * Any matching count in 5 minutes, one incident per value of `groupBy` (e.g. `resource.label.job_name`):
 * ALIGN_SUM per series, then REDUCE_SUM across the series of each group.
 */
export function anyCountCondition(displayName: string, filter: string, groupBy: string, window = "300s"): ThresholdCondition {
    return {
        displayName,
        conditionThreshold: {
            filter,
            aggregations: [
                { alignmentPeriod: window, perSeriesAligner: "ALIGN_SUM", crossSeriesReducer: "REDUCE_SUM", groupByFields: [groupBy] },
            ],
            comparison: "COMPARISON_GT",
            thresholdValue: 0,
            duration: "0s",
            trigger: { count: 1 },
        },
    };
}
