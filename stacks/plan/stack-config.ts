/**
 * Loads a stack's config the way the Pulumi CLI hands it to the program, without the CLI: project-level
 * defaults from Pulumi.yaml, overridden by Pulumi.<stack>.yaml; keys namespaced (`cloud` ->
 * `mlops:cloud`); structured values as JSON strings; `secure:` values replaced by fixtures (they cannot
 * be decrypted offline) and reported as secret keys.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export interface LoadedStackConfig {
    readonly project: string;
    readonly stack: string;
    /** Namespaced key -> string value, as `pulumi.runtime.setAllConfig` takes it. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** What a `secure:` value becomes offline. */
export const SECRET_FIXTURE = "offline-secret-fixture";

export class StackConfigError extends Error {}

type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads a YAML file; a syntax error becomes a config error naming the file, line and column (as an
 * editor shows them, from 1) and what the parser expected, instead of a stack trace.
 */
function readYaml(file: string): Mapping {
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"), { filename: path.basename(file) });
    } catch (e) {
        if (e instanceof yaml.YAMLException) {
            const where = e.mark ? `${path.basename(file)}:${e.mark.line + 1}:${e.mark.column + 1}` : path.basename(file);
            throw new StackConfigError(`${where}: invalid YAML: ${e.reason}\n${e.mark?.snippet ?? ""}`.trimEnd());
        }
        throw e;
    }
    if (doc === undefined || doc === null) return {};
    if (!isMapping(doc)) throw new StackConfigError(`${path.basename(file)}: expected a YAML mapping at the top`);
    return doc;
}

function namespaced(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

const isSecure = (v: unknown): boolean =>
    typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;

/** Replaces `{ secure: ... }` anywhere in a value by the fixture; returns whether any was found. */
function withoutSecrets(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: SECRET_FIXTURE, secret: true };
    if (Array.isArray(value)) {
        const items = value.map(withoutSecrets);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = withoutSecrets(v);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

function asConfigString(value: unknown): string {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Stack names that have a Pulumi.<stack>.yaml in `projectRoot`. */
export function listStacks(projectRoot: string): string[] {
    return fs
        .readdirSync(projectRoot)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function loadStackConfig(projectRoot: string, stack: string): LoadedStackConfig {
    const projectFile = path.join(projectRoot, "Pulumi.yaml");
    const stackFile = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new StackConfigError(
            `no stack file ${path.basename(stackFile)} in ${projectRoot}; stacks here: ${listStacks(projectRoot).join(", ") || "none"}`,
        );
    }
    const projectDoc = readYaml(projectFile);
    const project = projectDoc.name;
    if (typeof project !== "string") throw new StackConfigError(`${projectFile}: \`name\` is required`);

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const declared: Record<string, { type?: unknown }> = {};

    // Project-level config: a schema ({ type, default, description, secret, items }) or a plain value.
    for (const [key, entry] of Object.entries(isMapping(projectDoc.config) ? projectDoc.config : {})) {
        const full = namespaced(project, key);
        const isSchema = isMapping(entry) && ("type" in entry || "default" in entry || "description" in entry);
        if (isSchema) {
            declared[full] = { type: entry.type };
            if (entry.default !== undefined) config[full] = asConfigString(entry.default);
        } else {
            const value = isMapping(entry) && "value" in entry ? entry.value : entry;
            config[full] = asConfigString(value);
        }
    }

    const problems: string[] = [];
    const stackDoc = readYaml(stackFile);
    for (const [key, raw] of Object.entries(isMapping(stackDoc.config) ? stackDoc.config : {})) {
        const full = namespaced(project, key);
        const { value, secret } = withoutSecrets(raw);
        if (secret) secretKeys.push(full);
        const type = declared[full]?.type;
        const actual = Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
        if (type && !secret && actual !== type) {
            // The CLI refuses a value whose type differs from the project's declaration.
            problems.push(
                `${full}: Pulumi.yaml declares type ${type}, but ${path.basename(stackFile)} sets ${JSON.stringify(value)} (${actual})`,
            );
        }
        config[full] = asConfigString(value);
    }
    if (problems.length > 0) throw new StackConfigError(`stack config "${stack}" is invalid:\n  - ${problems.join("\n  - ")}`);
    return { project, stack, config, secretKeys };
}
