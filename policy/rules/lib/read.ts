/**
 * Reading resource properties without tripping over values that are unknown during `pulumi preview`.
 *
 * The policy server wraps `props` in a proxy that throws `UnknownValueError` when an unknown value is
 * touched (the server then downgrades that policy run to an advisory "can't run during preview"). That is
 * the right outcome for one resource, so resource rules simply read their props. Stack rules and joins
 * must not let one unknown value abort the whole stack check, so they read link properties through
 * `peek`, which answers `UNKNOWN` instead of throwing.
 *
 * Props are untyped JSON, so rules read them as `unknown` through the narrowing helpers below (`at` for a
 * path, `records` and `list` for arrays, `fields` for an object, `oneOf` for an allowed value) instead of `any`.
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

/** A resource's inputs, or any object inside them: JSON-like values, read through the helpers below. */
export type Fields = Readonly<Record<string, unknown>>;

/**
 * Reads `path` from `value` the way `value?.a?.b` would (`undefined` as soon as a step is not an object),
 * without catching: an unknown-at-preview value throws as a direct read does. `path` is dot-separated, or an
 * array of keys when a key contains dots.
 */
export function at(value: unknown, path: string | readonly string[]): unknown {
    let current: unknown = value;
    for (const key of typeof path === "string" ? path.split(".") : path) {
        if (current === null || current === undefined || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

/** `value` when it is an object (not an array), else an empty object: its fields read as `undefined`. */
export function fields(value: unknown): Fields {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {};
}

/** The elements of an array-valued input, or `[]` when it is absent. */
export function list(value: unknown): unknown[] {
    return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The object elements of an array-valued input (other elements read as empty objects), or `[]` when it is absent. */
export function records(value: unknown): Fields[] {
    return list(value).map(fields);
}

/** Parses a JSON document input: providers take IAM policies and ECS containers as JSON strings or objects. */
export function parseJson(value: unknown): { ok: true; value: unknown } | { ok: false } {
    if (typeof value !== "string") return value !== null && typeof value === "object" ? { ok: true, value } : { ok: false };
    try {
        return { ok: true, value: JSON.parse(value) as unknown };
    } catch {
        return { ok: false };
    }
}

/** Whether `value` is one of `values` (strict equality, so a non-string value never is). */
export function oneOf(values: readonly string[], value: unknown): boolean {
    return (values as readonly unknown[]).includes(value);
}
