/**
 * Schedules are written once, as 5-field cron in UTC (`minute hour day-of-month month day-of-week`), the
 * syntax Cloud Scheduler, Container Apps jobs and Kubernetes CronJobs take as is. EventBridge Scheduler
 * takes its own 6-field form, which `toEventBridgeCron` writes (AWS "Cron-based schedules" in the
 * EventBridge Scheduler user guide: `cron(minutes hours day-of-month month day-of-week year)`, one of the
 * two day fields `?`, days of the week 1-7 from Sunday or SUN-SAT, no step in the day of the week).
 */

interface Field {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
    // 0 and 7 are both Sunday.
    { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

function value(text: string, field: Field): number | undefined {
    const upper = text.toUpperCase();
    const named = field.names?.indexOf(upper) ?? -1;
    if (named >= 0) return field.name === "month" ? named + 1 : named;
    if (!/^\d+$/.test(text)) return undefined;
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
}

/** What is wrong with one field, or undefined. */
function fieldProblem(text: string, field: Field): string | undefined {
    for (const part of text.split(",")) {
        const [range, step, extra] = part.split("/");
        if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step)))
            return `the ${field.name} field has a bad step in "${part}"`;
        if (range === "*") continue;
        const [from, to, more] = range.split("-");
        const a = value(from, field);
        const b = to === undefined ? a : value(to, field);
        if (more !== undefined || a === undefined || b === undefined) {
            return `the ${field.name} field "${part}" is not ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}`;
        }
        if (b < a) return `the ${field.name} range "${range}" runs backwards`;
    }
    return undefined;
}

/** What is wrong with a 5-field cron expression, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
    if (expression.startsWith("@"))
        return `macros like ${expression} are not accepted: write the 5 fields, e.g. "0 3 * * *" for daily at 03:00 UTC`;
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5) return `has ${fields.length} fields; write 5: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"`;
    for (let i = 0; i < 5; i++) {
        const problem = fieldProblem(fields[i], FIELDS[i]);
        if (problem) return problem;
    }
    return undefined;
}

/**
 * Why EventBridge Scheduler cannot take a valid 5-field expression, or undefined when it can: it cannot
 * restrict both day fields at once (cron's "either day matches"), nor step through days of the week.
 */
export function eventBridgeCronProblem(expression: string): string | undefined {
    const [, , dom, , dow] = expression.trim().split(/\s+/);
    if (dom !== "*" && dow !== "*")
        return "restricts both the day of month and the day of week, which EventBridge Scheduler cannot express: keep one of them *";
    if (dow.includes("/"))
        return "steps through the day of week, which EventBridge Scheduler cannot express: list the days instead (e.g. MON,WED,FRI)";
    return undefined;
}

/** The EventBridge Scheduler form of a valid 5-field expression: `cron(0 3 * * ? *)`. */
export function toEventBridgeCron(expression: string): string {
    const [minute, hour, dom, month, dow] = expression.trim().split(/\s+/);
    const names = FIELDS[4].names!;
    // Days of the week by name, which both syntaxes read the same way (numbers differ: cron 0 = AWS 1).
    const day = (t: string) => (/^\d+$/.test(t) ? names[Number(t) % 7] : t.toUpperCase());
    const awsDow =
        dow === "*"
            ? "?"
            : dow
                  .split(",")
                  .map((part) => part.split("-").map(day).join("-"))
                  .join(",");
    const awsDom = dow === "*" ? dom : "?";
    return `cron(${minute} ${hour} ${awsDom} ${month} ${awsDow} *)`;
}
