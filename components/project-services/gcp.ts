/**
 * The Google APIs a stack uses, enabled by the stack itself so a fresh project works on the first
 * `pulumi up`. Every other GCP resource depends on the API it needs (through `api(...)`), so nothing
 * is created before its API is on. APIs stay enabled on destroy (disableOnDestroy false): other
 * workloads in the project may use them, and disabling an API can delete its resources.
 *
 * One API cannot be enabled this way: Service Usage (`serviceusage.googleapis.com`) itself, which
 * every new project has on by default.
 */
import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import { Problems } from "../shared/problems";

/** A Google API service name, e.g. `run.googleapis.com`. */
const SERVICE_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;

export interface GcpProjectServicesArgs {
    /** The project the APIs are enabled in. */
    readonly project: string;
    /** API service names, e.g. `["storage.googleapis.com", "run.googleapis.com"]`. Duplicates are ignored. */
    readonly services: readonly string[];
}

export class GcpProjectServices extends pulumi.ComponentResource {
    /** The enabled services, by service name. */
    public readonly enabled: Readonly<Record<string, projects.Service>>;

    constructor(name: string, args: GcpProjectServicesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = new Problems();
        if (typeof args.project !== "string" || args.project.length === 0)
            problems.add({ path: "project", value: args.project, message: "is required", fix: "pass the project ID" });
        if (!Array.isArray(args.services) || args.services.length === 0)
            problems.add({ path: "services", value: args.services, message: "must list at least one API" });
        (args.services ?? []).forEach((s, i) => {
            if (!SERVICE_NAME.test(s))
                problems.add({
                    path: `services[${i}]`,
                    value: s,
                    message: "is not a Google API service name",
                    fix: "write e.g. `run.googleapis.com`",
                });
        });
        problems.throwIfAny(`GcpProjectServices "${name}"`);
        super("mlops:index:GcpProjectServices", name, args, opts);

        const enabled: Record<string, projects.Service> = {};
        for (const service of [...new Set(args.services)].sort()) {
            const role = service.replace(/\.googleapis\.com$/, "").replace(/\./g, "-");
            enabled[service] = new projects.Service(
                `${name}-${role}`,
                // Leaving APIs on when the stack goes: turning one off can delete data other workloads own.
                { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
                { parent: this },
            );
        }
        this.enabled = enabled;
        this.registerOutputs({ services: Object.keys(enabled) });
    }

    /** The Service resources for `services`, for `dependsOn`; throws when one was not enabled here. */
    api(...services: string[]): projects.Service[] {
        return services.map((s) => {
            const found = this.enabled[s];
            if (!found) throw new Error(`GcpProjectServices: ${s} is not enabled by this stack; add it to services`);
            return found;
        });
    }
}
