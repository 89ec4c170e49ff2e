/**
 * Small typed readers for structured config. Each reads one key of a YAML object, records a problem
 * (path, bad value, allowed values, fix) instead of throwing, and returns the default on error so
 * parsing goes on and every problem is reported at once.
 */
import { ProblemDetail } from "@mlops/components";

export type Obj = Record<string, unknown>;

/**
 * The guide that documents a key: a cloud's own settings (`mlops:mlPlatform.aws.vpcCidr`,
 * `mlops:models[0].azure.scoringPath`) are in docs/<cloud>.md, the rest in docs/configuration.md.
 */
export function guideFor(path: string): string {
    const cloud = /\.(aws|gcp|azure)(\.|$)/.exec(path)?.[1];
    return cloud ? `docs/${cloud}.md` : "docs/configuration.md";
}

export class Reader {
    constructor(readonly problems: ProblemDetail[]) {}

    /** Reads a YAML mapping; `undefined` stays `undefined` (use the defaults). */
    object(value: unknown, path: string, allowedKeys: readonly string[]): Obj | undefined {
        if (value === undefined) return undefined;
        if (value === null) return this.blank(path, undefined);
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problems.push({
                path,
                value,
                message: "must be a mapping (YAML object)",
                allowed: allowedKeys,
                fix: `write it as \`${path.split(":").pop()}: { key: value }\``,
            });
            return undefined;
        }
        const obj = value as Obj;
        for (const key of Object.keys(obj)) {
            if (!allowedKeys.includes(key)) {
                this.problems.push({
                    path: `${path}.${key}`,
                    value: obj[key],
                    message: "is not a known key",
                    allowed: allowedKeys,
                    fix: "remove it or correct its spelling",
                });
            }
        }
        return obj;
    }

    string(obj: Obj | undefined, key: string, path: string, def: string): string;
    string(obj: Obj | undefined, key: string, path: string, def?: string): string | undefined;
    string(obj: Obj | undefined, key: string, path: string, def?: string): string | undefined {
        const value = obj?.[key];
        if (value === undefined) return def;
        if (value === null) return this.blank(`${path}.${key}`, def);
        if (typeof value !== "string" || value.trim().length === 0) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: "must be a non-empty string",
                fix:
                    def === undefined
                        ? "write a value, or leave the key out"
                        : `write a value, or leave the key out for ${JSON.stringify(def)}`,
            });
            return def;
        }
        return value;
    }

    /** A string that must match `pattern` (described by `rule`). */
    matching(obj: Obj | undefined, key: string, path: string, pattern: RegExp, rule: string): string | undefined {
        const value = this.string(obj, key, path);
        if (value !== undefined && !pattern.test(value)) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: `must be ${rule}`,
                fix: `see ${guideFor(path)} for the rule and an example`,
            });
            return undefined;
        }
        return value;
    }

    oneOf<T extends string>(obj: Obj | undefined, key: string, path: string, allowed: readonly T[], def: T, fix?: string): T {
        const value = obj?.[key];
        if (value === undefined) return def;
        if (value === null) return this.blank(`${path}.${key}`, def);
        if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
            this.problems.push({ path: `${path}.${key}`, value, message: "is not an allowed value", allowed, fix });
            return def;
        }
        return value as T;
    }

    int(obj: Obj | undefined, key: string, path: string, def: number, range: { min: number; max?: number; unit?: string }): number {
        const value = obj?.[key];
        if (value === undefined) return def;
        if (value === null) return this.blank(`${path}.${key}`, def);
        const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
        const bounds = range.max === undefined ? `at least ${range.min}` : `between ${range.min} and ${range.max}`;
        if (typeof n !== "number" || !Number.isInteger(n) || n < range.min || (range.max !== undefined && n > range.max)) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: `must be a whole number ${bounds}${range.unit ? ` (${range.unit})` : ""}`,
                fix: `write a number ${bounds}, or leave the key out for ${def}`,
            });
            // A whole number out of range goes on as the nearest bound, not the default: checks of the whole
            // stack then see the value closest to what the user meant (3 NAT gateways in 2 zones: 2, not 0).
            if (typeof n === "number" && Number.isInteger(n)) return Math.min(Math.max(n, range.min), range.max ?? n);
            return def;
        }
        return n;
    }

    /** A decimal number in [min, max] (`0.9`; a quoted `"0.9"` too). */
    number(
        obj: Obj | undefined,
        key: string,
        path: string,
        def: number,
        range: { min: number; max: number; exclusiveMin?: boolean },
    ): number {
        const value = obj?.[key];
        if (value === undefined) return def;
        if (value === null) return this.blank(`${path}.${key}`, def);
        const n = typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
        const low = range.exclusiveMin ? `more than ${range.min}` : `at least ${range.min}`;
        if (typeof n !== "number" || !Number.isFinite(n) || (range.exclusiveMin ? n <= range.min : n < range.min) || n > range.max) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: `must be a number ${low} and at most ${range.max}`,
                fix: `write e.g. ${def}, or leave the key out for ${def}`,
            });
            return def;
        }
        return n;
    }

    bool(obj: Obj | undefined, key: string, path: string, def: boolean): boolean {
        const value = obj?.[key];
        if (value === undefined) return def;
        if (value === null) return this.blank(`${path}.${key}`, def);
        if (value === true || value === "true") return true;
        if (value === false || value === "false") return false;
        this.problems.push({
            path: `${path}.${key}`,
            value,
            message: "must be true or false",
            fix: `write true or false, or leave the key out for ${def}`,
        });
        return def;
    }

    stringList(obj: Obj | undefined, key: string, path: string, def: readonly string[]): string[] {
        const value = obj?.[key];
        if (value === undefined) return [...def];
        if (value === null) return this.blank(`${path}.${key}`, [...def]);
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.length === 0)) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: "must be a list of non-empty strings",
                fix: `write a YAML list, e.g. [${def.length ? def.join(", ") : "a, b"}]`,
            });
            return [...def];
        }
        return value as string[];
    }

    stringMap(obj: Obj | undefined, key: string, path: string): Record<string, string> {
        const value = obj?.[key];
        if (value === undefined) return {};
        if (value === null) return this.blank(`${path}.${key}`, {});
        if (typeof value !== "object" || Array.isArray(value)) {
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: "must be a mapping of names to string values",
                fix: "write e.g. { NAME: value }",
            });
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Obj)) {
            if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
            else this.problems.push({ path: `${path}.${key}.${k}`, value: v, message: "must be a string", fix: "quote the value" });
        }
        return out;
    }

    /**
     * A version number (`"3.12"`): a string from the allowed list. YAML reads an unquoted `3.12` as a
     * number, which is accepted as written; an unquoted `3.10` arrives as the number 3.1, so a number that
     * only matches an allowed version once trailing zeros are restored is refused with "quote it".
     */
    version<T extends string>(obj: Obj | undefined, key: string, path: string, allowed: readonly T[], def: T): T {
        const value = obj?.[key];
        if (typeof value === "number") {
            const written = String(value);
            if ((allowed as readonly string[]).includes(written)) return written as T;
            const lost = allowed.find((a) => /^\d+(\.\d+)*$/.test(a) && Number(a) === value);
            this.problems.push({
                path: `${path}.${key}`,
                value,
                message: lost
                    ? `reads as the number ${written}: YAML drops the trailing zero of an unquoted ${lost}`
                    : "is not an allowed value",
                allowed,
                fix: lost ? `quote it: ${key}: "${lost}"` : `write one of the allowed versions, quoted, e.g. "${def}"`,
            });
            return def;
        }
        return this.oneOf(obj, key, path, allowed, def);
    }

    /** Records a key written with nothing after it (`name:`), which YAML reads as null. */
    private blank<T>(path: string, def: T): T {
        this.problems.push({
            path,
            value: null,
            message: "is blank (YAML reads `key:` with nothing after it as null)",
            fix:
                def === undefined
                    ? "write a value, or remove the key"
                    : `write a value, or remove the key for the default ${JSON.stringify(def)}`,
        });
        return def;
    }
}
