/**
 * Reading resource properties without tripping over values that are unknown during `pulumi preview`.
 *
 * The policy server wraps `props` in a proxy that throws `UnknownValueError` when an unknown value is
 * touched (the server then downgrades that policy run to an advisory "can't run during preview"). That is
 * the right outcome for one resource, so resource rules simply read their props. Stack rules and joins
 * must not let one unknown value abort the whole stack check, so they read link properties through
 * `peek`, which answers `UNKNOWN` instead of throwing.
 */
import { UnknownValueError } from "@pulumi/policy";

/** A value that is not known yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Peeked = unknown | typeof UNKNOWN;

/**
 * Reads `path` from `obj`: a dot-separated string, or an array of keys when a key contains dots (label
 * keys such as `mlops.dev/environment`). `undefined` when absent, `UNKNOWN` when unknown at preview.
 */
export function peek(obj: unknown, path: string | readonly string[]): Peeked {
    let current: unknown = obj;
    for (const key of typeof path === "string" ? path.split(".") : path) {
        if (current === null || current === undefined || typeof current !== "object") return undefined;
        try {
            current = (current as Record<string, unknown>)[key];
        } catch (e) {
            if (e instanceof UnknownValueError) return UNKNOWN;
            throw e;
        }
    }
    return current;
}

/** Runs `fn`, turning an unknown-at-preview read into `undefined` (the caller skips that subject). */
export function whenKnown<T>(fn: () => T): T | undefined {
    try {
        return fn();
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** The elements of an array-valued input, or `[]` when it is absent. */
export function list<T = any>(value: unknown): T[] {
    return Array.isArray(value) ? (value as T[]) : [];
}

/** Parses a JSON document input: providers take IAM policies and ECS containers as JSON strings or objects. */
export function parseJson(value: unknown): { ok: true; value: any } | { ok: false } {
    if (typeof value !== "string") return value !== null && typeof value === "object" ? { ok: true, value } : { ok: false };
    try {
        return { ok: true, value: JSON.parse(value) };
    } catch {
        return { ok: false };
    }
}
