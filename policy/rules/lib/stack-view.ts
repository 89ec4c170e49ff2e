/**
 * A read-only view of a stack for stack rules: resources by type, each resource's environment, and the
 * companion joins (an S3 bucket and its BucketVersioning, an Azure storage account and its blob service
 * properties). Joins go through the engine's `propertyDependencies` and `dependencies` (URNs, known at
 * preview) and only fall back to comparing input values, because the IDs that link companions are
 * unknown until the primary resource is created.
 */
import { PolicyResource } from "@pulumi/policy";
import { environmentOf, stackEnvironment } from "./environment";
import { peek } from "./read";

export class StackView {
    private consensus?: { value: string | undefined };

    constructor(
        readonly resources: readonly PolicyResource[],
        readonly stackTags: ReadonlyMap<string, string>,
    ) {}

    /** Resources whose type is one of `types`. */
    ofType(types: readonly string[]): PolicyResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** The resource's environment (see environment.ts for the precedence). */
    environmentOf(r: PolicyResource): string {
        this.consensus ??= { value: stackEnvironment(this.resources.map((x) => x.props)) };
        return environmentOf(r.props, this.stackTags, this.consensus.value);
    }

    /**
     * Resources of `types` that the input `prop` of `r` came from: its property dependencies, or, when
     * a value passed through another resource first (a bucket name read back from an IAM binding on
     * that bucket), the resources of `types` that intermediate depends on, up to `depth` hops.
     */
    sources(r: PolicyResource, prop: string, types: readonly string[], depth = 2): PolicyResource[] {
        const found = new Map<string, PolicyResource>();
        const seen = new Set<string>([r.urn]);
        let frontier = [...(r.propertyDependencies?.[prop] ?? [])];
        for (let hop = 0; hop <= depth && frontier.length > 0; hop++) {
            const next: PolicyResource[] = [];
            for (const d of frontier.filter((x) => !seen.has(x.urn))) {
                seen.add(d.urn);
                if (types.includes(d.type)) found.set(d.urn, d);
                else next.push(...(d.dependencies ?? []));
            }
            frontier = next;
        }
        return [...found.values()];
    }

    /**
     * Resources of `companionTypes` that point at `primary` through their `linkProp` input: by property
     * dependency (the engine's record of which resource an input came from, possibly through an
     * intermediate resource), by plain dependency, or, when neither is recorded (a literal name typed by
     * hand), by the input's value equalling one of the primary's identifying properties.
     */
    companions(
        primary: PolicyResource,
        companionTypes: readonly string[],
        linkProp: string,
        identifiers: readonly string[] = ["id", "name"],
    ): PolicyResource[] {
        return this.ofType(companionTypes).filter((c) => {
            const linked = c.propertyDependencies?.[linkProp] ?? [];
            if (this.sources(c, linkProp, [primary.type]).some((d) => d.urn === primary.urn)) return true;
            if (linked.length === 0 && (c.dependencies ?? []).some((d) => d.urn === primary.urn)) return true;
            const value = peek(c.props, linkProp);
            return typeof value === "string" && identifiers.some((id) => peek(primary.props, id) === value);
        });
    }
}
