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
import { throwIfProblems } from "../shared/problems";
import { GcpProjectServicesArgs, validateGcpProjectServices } from "./gcp-args";

/** The Google APIs a stack uses, enabled by the stack itself (kept enabled on destroy). */
export class GcpProjectServices extends pulumi.ComponentResource {
    /** The enabled services, by service name. */
    public readonly enabled: Readonly<Record<string, projects.Service>>;

    constructor(name: string, args: GcpProjectServicesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GcpProjectServices "${name}"`, validateGcpProjectServices(args));
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
