/** Arguments of GcpProjectServices and their validator. Pure: no SDK. */
import type { ProblemDetail } from "../shared/problems";

/** A Google API service name, e.g. `run.googleapis.com`. */
const SERVICE_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;

export interface GcpProjectServicesArgs {
    /** The project the APIs are enabled in. */
    readonly project: string;
    /** API service names, e.g. `["storage.googleapis.com", "run.googleapis.com"]`. Duplicates are ignored. */
    readonly services: string[];
}

/** Every problem with the arguments (paths relative to them). */
export function validateGcpProjectServices(args: GcpProjectServicesArgs): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof args.project !== "string" || args.project.length === 0)
        problems.push({ path: "project", value: args.project, message: "is required", fix: "pass the project ID" });
    if (!Array.isArray(args.services) || args.services.length === 0)
        problems.push({ path: "services", value: args.services, message: "must list at least one API" });
    (args.services ?? []).forEach((s, i) => {
        if (!SERVICE_NAME.test(s))
            problems.push({
                path: `services[${i}]`,
                value: s,
                message: "is not a Google API service name",
                fix: "write e.g. `run.googleapis.com`",
            });
    });
    return problems;
}
