/**
 * Validation that collects every problem before failing, so a user fixes a whole config in one pass.
 * Each problem names the path, the bad value, what is allowed and how to fix it.
 */

/** Formats a value the way a user wrote it in YAML, for error messages. */
export function show(value: unknown): string {
    if (value === undefined) return "nothing (the key is missing)";
    if (typeof value === "string") return JSON.stringify(value);
    try {
        return JSON.stringify(value);
    } catch {
        return String(value);
    }
}

export interface ProblemDetail {
    /** Key path, e.g. `mlops:models[0].accelerator`. */
    path: string;
    /** The value found there. */
    value: unknown;
    /** What is wrong, in the user's words. */
    message: string;
    /** The allowed values, when there is a closed set. */
    allowed?: readonly (string | number)[];
    /** How to fix it. */
    fix?: string;
}

export function formatProblem(p: ProblemDetail): string {
    const parts = [`${p.path}: ${p.message} (got ${show(p.value)}).`];
    if (p.allowed && p.allowed.length > 0) parts.push(`Allowed: ${p.allowed.join(", ")}.`);
    if (p.fix) parts.push(`Fix: ${p.fix}`);
    return parts.join(" ");
}

/** The one error thrown for invalid configuration or component arguments: every problem at once. */
export class ValidationError extends Error {
    constructor(
        /** What was being validated, e.g. `stack config "dev"` or `MinioDataLake "lake"`. */
        public readonly subject: string,
        public readonly problems: readonly string[],
    ) {
        super(
            `${subject} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ValidationError";
    }
}

/**
 * Throws one ValidationError listing every problem, when there is any. How a component ends its checks:
 * `throwIfProblems(\`AwsNetwork "${name}"\`, validateAwsNetwork(args))`.
 */
export function throwIfProblems(subject: string, problems: readonly ProblemDetail[]): void {
    if (problems.length > 0) throw new ValidationError(subject, problems.map(formatProblem));
}

/**
 * Re-roots problems found on a component's arguments at the stack-config keys the user wrote, so the
 * config error names `mlops:mlPlatform.aws.vpcCidr` rather than the argument `cidrBlock`. `keys` maps an
 * argument path (or its first segments) to the key path; the longest match wins and the rest of the path
 * is kept: with `{ models: "mlops:models" }`, `models[0].maxReplicas` becomes `mlops:models[0].maxReplicas`.
 * A problem whose path matches no entry keeps its path under `fallback` (the section being checked).
 */
export function atKeys(problems: readonly ProblemDetail[], keys: Readonly<Record<string, string>>, fallback: string): ProblemDetail[] {
    const prefixes = Object.keys(keys).sort((a, b) => b.length - a.length);
    return problems.map((p) => {
        const match = prefixes.find((k) => p.path === k || p.path.startsWith(`${k}.`) || p.path.startsWith(`${k}[`));
        const path = match !== undefined ? keys[match] + p.path.slice(match.length) : `${fallback}${p.path ? `.${p.path}` : ""}`;
        return { ...p, path };
    });
}
