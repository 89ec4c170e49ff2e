import { createHash } from "crypto";

/**
 * Physical-name helpers. Cloud and Kubernetes names have length and character rules; these helpers
 * make a name that always fits by truncating and adding a short stable hash, so two long inputs that
 * share a prefix still get different names.
 */

/**
 * The name rule of models, pipelines and streams: 1-24 lowercase letters, digits or hyphens, starting with a
 * letter and not ending with a hyphen. Every cloud's resource names built from them fit with their prefixes and
 * suffixes; the config parser and every component validator check it with this one pattern.
 */
export const WORKLOAD_NAME = /^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/;
/** WORKLOAD_NAME in words, for error messages. */
export const WORKLOAD_NAME_RULE = "1-24 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen";

/** Pulumi auto-naming appends "-" and 7 random characters to a logical name. */
export const PULUMI_RANDOM_SUFFIX_LENGTH = 8;

/** Lowercase letters, digits and hyphens; no leading/trailing/double hyphens. */
export function slug(value: string): string {
    return value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
}

/** A short, stable hash of a string (hex). */
export function shortHash(value: string, length = 6): string {
    return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/**
 * Joins parts into a slug of at most `maxLength` characters. When the joined slug is too long it is
 * truncated and a 6-character hash of the full slug is appended, so the result stays unique.
 */
export function fitName(parts: readonly string[], maxLength: number): string {
    const full = slug(parts.filter((p) => p.length > 0).join("-"));
    if (full.length <= maxLength) return full;
    const hash = shortHash(full);
    const head = full.slice(0, Math.max(1, maxLength - hash.length - 1)).replace(/-+$/, "");
    return `${head}-${hash}`;
}

/** Kubernetes object names that must be DNS-1123 labels (namespaces, services): at most 63 characters. */
export const KUBERNETES_LABEL_MAX = 63;

/** Rule for a DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label built from parts, at most `maxLength` (default 63) characters. */
export function dnsLabel(parts: readonly string[], maxLength = KUBERNETES_LABEL_MAX): string {
    const name = fitName(parts, maxLength);
    return /^[a-z0-9]/.test(name) ? name : `x${name}`.slice(0, maxLength);
}
