/**
 * GCP physical-name rules, and names built to fit them for any stack and model name config allows.
 * Pure: no SDK. Names that must be unique per project are built from a `namePrefix` (the stacks use
 * `<project>-<stack>`), a role and sometimes a model, hash-truncated with fitName when too long.
 * Globally unique or permanent names (buckets, key rings) are left to Pulumi's auto-naming, which
 * appends "-" and 7 random characters (PULUMI_RANDOM_SUFFIX_LENGTH) to the logical name.
 */
import { PULUMI_RANDOM_SUFFIX_LENGTH, fitName, shortHash } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";

/** One naming rule: its pattern, length bounds and the source that states it. */
export interface GcpNameRule {
    readonly pattern: RegExp;
    readonly min: number;
    readonly max: number;
    readonly source: string;
}

/** The rules this project's names must meet (each checked by tests on the longest names). */
export const GCP_NAME_RULES = {
    /** https://cloud.google.com/storage/docs/buckets#naming (no dots: no domain verification needed). */
    bucket: { pattern: /^[a-z0-9][a-z0-9_-]*[a-z0-9]$/, min: 3, max: 63, source: "cloud.google.com/storage/docs/buckets#naming" },
    /** https://cloud.google.com/iam/docs/service-accounts-create (account ID). */
    serviceAccountId: {
        pattern: /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/,
        min: 6,
        max: 30,
        source: "cloud.google.com/iam/docs/service-accounts-create",
    },
    /** Cloud Run service names: 49 characters at most, a letter first, no trailing hyphen. */
    cloudRunService: {
        pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
        min: 1,
        max: 49,
        source: "cloud.google.com/run/docs/deploying (service name limits)",
    },
    /**
     * Cloud Functions (2nd gen) function IDs. The API takes 63 characters, but a 2nd gen function runs as
     * a Cloud Run service of the same name, which must be shorter than 50: the stricter limit applies.
     */
    cloudFunction: {
        pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
        min: 1,
        max: 49,
        source: "cloud.google.com/functions/docs/reference/rest/v2/projects.locations.functions/create; cloud.google.com/run/docs/reference/rest/v2/projects.locations.services/create (serviceId)",
    },
    /** Artifact Registry repository IDs. */
    repositoryId: {
        pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
        min: 1,
        max: 63,
        source: "cloud.google.com/artifact-registry/docs/repositories/create-repos",
    },
    /** BigQuery dataset IDs: letters, digits and underscores. */
    datasetId: { pattern: /^[A-Za-z0-9_]+$/, min: 1, max: 1024, source: "cloud.google.com/bigquery/docs/datasets#dataset-naming" },
    /** Cloud KMS key ring and key names. */
    kmsName: { pattern: /^[a-zA-Z0-9_-]+$/, min: 1, max: 63, source: "cloud.google.com/kms/docs/create-key-ring" },
    /** Compute Engine names (networks, subnets, routers, firewalls) and Workbench instances: RFC 1035. */
    compute: { pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/, min: 1, max: 63, source: "cloud.google.com/compute/docs/naming-resources" },
    /** Cloud Logging bucket IDs. */
    logBucketId: {
        pattern: /^[A-Za-z0-9_-]+$/,
        min: 1,
        max: 100,
        source: "cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets/create",
    },
    /** Label values: lowercase letters, digits, '_' and '-'. */
    labelValue: {
        pattern: /^[a-z0-9_-]*$/,
        min: 0,
        max: 63,
        source: "cloud.google.com/resource-manager/docs/labels-overview#requirements",
    },
} as const satisfies Record<string, GcpNameRule>;

export type GcpNameKind = keyof typeof GCP_NAME_RULES;

/** True when `name` meets the rule of `kind`. */
export function fitsGcpRule(kind: GcpNameKind, name: string): boolean {
    const rule: GcpNameRule = GCP_NAME_RULES[kind];
    return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}

/** A name prefix: a letter first, then lowercase letters, digits and single hyphens, at most 30 characters. */
export const NAME_PREFIX = /^[a-z](?:[a-z0-9]|-(?!-)){0,28}[a-z0-9]$/;

/** The problem with `prefix` when it cannot start every name this project builds (none when it can). */
export function validateNamePrefix(prefix: string, path = "namePrefix"): ProblemDetail[] {
    if (typeof prefix === "string" && NAME_PREFIX.test(prefix)) return [];
    return [
        {
            path,
            value: prefix,
            message: "is not a usable name prefix",
            fix: "use 2 to 30 lowercase letters, digits and single hyphens, starting with a letter, e.g. `mlops-gcp-dev`",
        },
    ];
}

/** The stacks' name prefix: `<project>-<stack>`, slugged and cut to 24 characters (letter first). */
export function namePrefix(project: string, stack: string): string {
    const name = fitName([project, stack], 24);
    return /^[a-z]/.test(name) ? name : fitName(["m", name], 24);
}

/**
 * Google Cloud regions (Compute Engine's list, which every regional service here draws from). Source:
 * cloud.google.com/compute/docs/regions-zones ("Available regions and zones"), as the author knew it in
 * 2025 (the page could not be fetched offline when this list was written): add a region here when Google
 * opens one.
 */
export const GCP_REGIONS = [
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
] as const;

/** Edit distance of two short strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        row = next;
    }
    return row[b.length];
}

/**
 * Known regions close to an unknown one: the same area (`europe-west` for `europe-west5`), else the same
 * continent (`europe-`), else a spelling at most two edits away.
 */
export function closeGcpRegions(region: string): string[] {
    const area = region.replace(/\d+$/, "");
    const continent = region.split("-")[0];
    const byArea = GCP_REGIONS.filter((r) => r.replace(/\d+$/, "") === area);
    if (byArea.length > 0) return byArea;
    const byContinent = GCP_REGIONS.filter((r) => r.split("-")[0] === continent);
    if (byContinent.length > 0) return byContinent;
    return GCP_REGIONS.filter((r) => distance(r, region) <= 2);
}

/** The problem with a region that is not in GCP_REGIONS, listing close matches (none when it is known). */
export function validateGcpRegion(region: string, path = "region"): ProblemDetail[] {
    if ((GCP_REGIONS as readonly string[]).includes(region)) return [];
    const close = closeGcpRegions(region);
    return [
        {
            path,
            value: region,
            message: "is not a Google Cloud region",
            fix:
                close.length > 0
                    ? `did you mean ${close.join(", ")}? (every region: cloud.google.com/compute/docs/regions-zones)`
                    : "write a region such as us-central1 (every region: cloud.google.com/compute/docs/regions-zones)",
        },
    ];
}

/** A lowercase, hyphenated name of at most `max` characters from parts; starts with the prefix's letter. */
export function hyphenName(parts: readonly string[], max: number): string {
    return fitName(parts, max);
}

/** A service account ID (6-30 characters) for a role, e.g. `mlops-gcp-dev-train`. */
export function serviceAccountId(prefix: string, ...parts: string[]): string {
    const name = fitName([prefix, ...parts], GCP_NAME_RULES.serviceAccountId.max);
    return name.length >= GCP_NAME_RULES.serviceAccountId.min ? name : `${name}-sa`.slice(0, GCP_NAME_RULES.serviceAccountId.max);
}

/** The name of a model's 2nd gen function (also the name of the Cloud Run service behind it). */
export function functionName(prefix: string, model: string): string {
    return fitName([prefix, "fn", model], GCP_NAME_RULES.cloudFunction.max);
}

/** A BigQuery dataset ID from parts: hyphens become underscores. */
export function datasetId(...parts: string[]): string {
    return fitName(parts, GCP_NAME_RULES.compute.max).replace(/-/g, "_");
}

/** The length a logical name may have so that Pulumi's auto-name (`<logical>-<7 random>`) fits `max`. */
export function autoNameBudget(max: number): number {
    return max - PULUMI_RANDOM_SUFFIX_LENGTH;
}

/**
 * A Vertex AI endpoint ID: numeric, no leading zero, at most 10 digits. Derived from a stable hash so a
 * re-run keeps the same endpoint.
 */
export function vertexEndpointId(...parts: string[]): string {
    const n = parseInt(shortHash(parts.join("/"), 8), 16) % 9_000_000_000;
    return String(1_000_000_000 + n);
}
