/**
 * `npx ts-node scripts/promote.ts --stack <stack> --model <model> --version <version> [--cwd <project directory>]`
 *
 * Sets `servedVersion: <version>` on the model named <model> under `mlops:models` in `Pulumi.<stack>.yaml`,
 * the change the promotion pull request makes (.github/workflows/promote.yml, docs/ml-automation.md). The
 * file is edited as text: one line is replaced or inserted, every comment and every other byte is kept.
 * The edit is then checked twice before the file is written: the edited YAML must read as the old document
 * with only that key set, and the stack's whole config must still parse (stacks/config/parse.ts, loaded as
 * the offline plan loads it). The same version twice changes nothing.
 *
 * Exits 0 when the file is set (or already was), 1 when the promotion is refused (unknown stack file, no
 * such model, a model without `training`, a version that is not a training run id, a config that would not
 * parse), 2 on bad arguments.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as yaml from "js-yaml";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../stacks/config/parse";
import { SERVED_VERSION } from "../stacks/config/training";
import { StackConfigError, listStacks, loadStackConfig } from "../stacks/plan/stack-config";
import { exitWhenFlushed } from "../stacks/plan/exit";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npx ts-node scripts/promote.ts --stack <stack> --model <model> --version <version> [--cwd <project directory>]";

/** Pulumi stack names: letters, digits, `-`, `_`, `.` (also keeps the file name inside the project directory). */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** A promotion that is refused; the message says why and what to do. */
export class PromoteError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PromoteError";
    }
}

export interface PromoteRequest {
    /** The project directory: Pulumi.yaml, the stack files, and the `files` directories they name. */
    readonly dir: string;
    readonly stack: string;
    readonly model: string;
    /** A training run id, optionally written `v=<run id>`. */
    readonly version: string;
}

export interface PromoteResult {
    /** The stack file's path. */
    readonly file: string;
    /** Where the model is: `mlops:models[<i>]`. */
    readonly key: string;
    /** The version written (without `v=`). */
    readonly version: string;
    /** The served version before, if any. */
    readonly previous?: string;
    /** False when the model already served this version: the file was not written. */
    readonly changed: boolean;
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === "object" && v !== null && !Array.isArray(v);

/** Sets the served version of a model in a stack file; throws PromoteError when it is refused. */
export function promote(request: PromoteRequest): PromoteResult {
    const { dir, stack, model } = request;
    if (!STACK_NAME.test(stack))
        throw new PromoteError(`--stack ${JSON.stringify(stack)} is not a stack name (letters, digits, -, _ and .)`);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file))
        throw new PromoteError(
            `no stack file ${path.basename(file)} in ${dir}; stacks here: ${listStacks(dir).join(", ") || "none"}. Fix: pass one of them as --stack`,
        );
    if (!SERVED_VERSION.test(request.version))
        throw new PromoteError(
            `--version ${JSON.stringify(request.version)} is not a training run id: it must match ${SERVED_VERSION.source} ` +
                "(letters, digits, `.`, `_`, `-`, at most 128, optionally written `v=<run id>`), e.g. 20261203T101500Z-1a2b3c4d",
        );
    const version = request.version.replace(/^v=/, "");

    const text = fs.readFileSync(file, "utf8");
    const project = projectName(dir);
    const doc = loadYaml(text, path.basename(file));
    const config = isMapping(doc.config) ? doc.config : {};
    const modelsKey = Object.keys(config).find((k) => namespaced(project, k) === `${project}:models`);
    const models = modelsKey === undefined ? [] : config[modelsKey];
    if (!Array.isArray(models) || models.length === 0)
        throw new PromoteError(`${path.basename(file)} has no ${project}:models list: no model ${JSON.stringify(model)} to promote`);
    const index = models.findIndex((m) => isMapping(m) && m.name === model);
    const key = `${project}:models[${index}]`;
    if (index < 0) {
        const names = models.map((m) => (isMapping(m) ? String(m.name) : "?"));
        throw new PromoteError(
            `${path.basename(file)} has no model named ${JSON.stringify(model)} under ${project}:models; its models: ${names.join(", ")}`,
        );
    }
    const entry = models[index] as Mapping;
    if (entry.training === undefined)
        throw new PromoteError(
            `${key} (${model}) in ${path.basename(file)} has no \`training\`: only a model with a training pipeline has registered versions to serve. ` +
                "Fix: add its `training` block first (docs/ml-automation.md)",
        );
    const previous = entry.servedVersion === undefined ? undefined : String(entry.servedVersion).replace(/^v=/, "");
    if (typeof entry.servedVersion === "string" && previous === version) return { file, key, version, previous, changed: false };

    const edited = setServedVersion(text, modelsKey!, index, version);
    const expected = structuredClone(doc) as Mapping;
    ((expected.config as Mapping)[modelsKey!] as Mapping[])[index].servedVersion = version;
    if (!isDeepStrictEqual(loadYaml(edited, path.basename(file)), expected))
        throw new PromoteError(
            `could not edit ${key} of ${path.basename(file)} as text without changing something else ` +
                "(is the model list written in an unusual YAML form?). Fix: set `servedVersion` by hand",
        );
    checkParses(dir, stack, edited, text);
    fs.writeFileSync(file, edited);
    return { file, key, version, previous, changed: true };
}

function projectName(dir: string): string {
    const projectFile = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) throw new PromoteError(`no Pulumi.yaml in ${dir}: pass the project directory as --cwd`);
    const doc = loadYaml(fs.readFileSync(projectFile, "utf8"), "Pulumi.yaml");
    if (typeof doc.name !== "string") throw new PromoteError(`${projectFile}: \`name\` is required`);
    return doc.name;
}

const namespaced = (project: string, key: string): string => (key.includes(":") ? key : `${project}:${key}`);

function loadYaml(text: string, name: string): Mapping {
    try {
        const doc = yaml.load(text, { filename: name });
        return isMapping(doc) ? doc : {};
    } catch (e) {
        if (e instanceof yaml.YAMLException) throw new PromoteError(`${name}: invalid YAML: ${e.message}`);
        throw e;
    }
}

// ---------------------------------------------------------------- the text edit

interface Line {
    /** The line without its end of line (a trailing `\r` stays in `eol`). */
    readonly body: string;
    readonly eol: string;
}

const indentOf = (s: string): number => s.length - s.trimStart().length;
const isBlankOrComment = (s: string): boolean => /^\s*(#.*)?$/.test(s);

function splitLines(text: string): Line[] {
    return text.split("\n").map((raw, i, all) => {
        const last = i === all.length - 1;
        const cr = raw.endsWith("\r");
        return { body: cr ? raw.slice(0, -1) : raw, eol: last ? "" : cr ? "\r\n" : "\n" };
    });
}

/**
 * `text` with `servedVersion: "<version>"` set on the `index`-th item of the block sequence under
 * `config:` -> `modelsKey:`: the item's `servedVersion` line rewritten (its comment kept), or a new line
 * after the item's `name` line. Throws PromoteError when the layout is not a block sequence of mappings.
 */
export function setServedVersion(text: string, modelsKey: string, index: number, version: string): string {
    const lines = splitLines(text);
    const unusual = (what: string) =>
        new PromoteError(`${modelsKey} is not written as a block list of models (${what}). Fix: set \`servedVersion\` by hand`);
    const keyPattern = (key: string) => new RegExp(`^(\\s*)(?:${escape(key)}|"${escape(key)}"|'${escape(key)}')\\s*:(.*)$`);

    const configAt = lines.findIndex((l) => /^config\s*:\s*(#.*)?$/.test(l.body));
    if (configAt < 0) throw unusual("no top-level `config:` mapping");
    const modelsAt = lines.findIndex((l, i) => i > configAt && indentOf(l.body) > 0 && keyPattern(modelsKey).test(l.body));
    if (modelsAt < 0) throw unusual(`no \`${modelsKey}:\` key under config`);
    const parentIndent = indentOf(lines[modelsAt].body);
    const rest = keyPattern(modelsKey).exec(lines[modelsAt].body)![2];
    if (!isBlankOrComment(rest)) throw unusual("a flow list on the key's line");

    // The sequence: from the line after the key to the first line that belongs to a less indented node.
    let end = modelsAt + 1;
    while (end < lines.length) {
        const body = lines[end].body;
        if (!isBlankOrComment(body)) {
            const indent = indentOf(body);
            if (indent < parentIndent || (indent === parentIndent && !/^\s*-(\s|$)/.test(body))) break;
        }
        end++;
    }
    const items: number[] = [];
    let dashIndent: number | undefined;
    for (let i = modelsAt + 1; i < end; i++) {
        const body = lines[i].body;
        if (isBlankOrComment(body)) continue;
        dashIndent ??= indentOf(body);
        if (indentOf(body) === dashIndent) {
            if (!/^\s*-(\s|$)/.test(body)) throw unusual(`line ${i + 1} is not a list item`);
            items.push(i);
        }
    }
    if (index >= items.length) throw unusual(`found ${items.length} items, the file's YAML has more`);
    const start = items[index];
    const stop = index + 1 < items.length ? items[index + 1] : end;

    // The item's key column: what follows the dash on its line, or its first content line.
    const dashLine = lines[start].body;
    const afterDash = /^(\s*-\s+)(\S.*)?$/.exec(dashLine);
    let keyColumn: number | undefined = afterDash?.[2] !== undefined ? afterDash[1].length : undefined;
    for (let i = start + 1; keyColumn === undefined && i < stop; i++)
        if (!isBlankOrComment(lines[i].body)) keyColumn = indentOf(lines[i].body);
    if (keyColumn === undefined) throw unusual(`item ${index} is empty`);

    /** The item's direct `key:` line: on the dash line or at the key column. */
    const direct = (key: string): number | undefined => {
        for (let i = start; i < stop; i++) {
            const body = lines[i].body;
            const content = i === start ? body.slice(afterDash?.[1].length ?? body.length) : body;
            if (i !== start && indentOf(body) !== keyColumn) continue;
            if (new RegExp(`^\\s*${escape(key)}\\s*:(\\s|$)`).test(content)) return i;
        }
        return undefined;
    };
    const value = JSON.stringify(version);
    const served = direct("servedVersion");
    if (served !== undefined) {
        const m = /^(.*?servedVersion\s*:)\s*(?:"[^"]*"|'[^']*'|[^\s#]*)(\s+#.*)?\s*$/.exec(lines[served].body);
        if (!m) throw unusual(`the servedVersion line ${served + 1} is not a plain value`);
        lines[served] = { body: `${m[1]} ${value}${m[2] ?? ""}`, eol: lines[served].eol };
    } else {
        const nameAt = direct("name");
        if (nameAt === undefined) throw unusual(`item ${index} has no \`name:\` line`);
        const eol = lines[nameAt].eol || (text.includes("\r\n") ? "\r\n" : "\n");
        lines.splice(nameAt + 1, 0, { body: `${" ".repeat(keyColumn)}servedVersion: ${value}`, eol });
        if (lines[nameAt].eol === "") lines[nameAt] = { ...lines[nameAt], eol };
    }
    return lines.map((l) => l.body + l.eol).join("");
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---------------------------------------------------------------- the parse check

/**
 * Parses the stack's config with `edited` as its stack file, loaded as the offline plan loads it
 * (Pulumi.yaml defaults, namespaced keys, `secure:` fixtures), model `files` read from `dir`.
 */
function checkParses(dir: string, stack: string, edited: string, original: string): void {
    const problems = parseProblems(dir, stack, edited);
    if (problems === undefined) return;
    const before = parseProblems(dir, stack, original);
    throw new PromoteError(
        `Pulumi.${stack}.yaml would not parse after the change, so it was not written` +
            `${before === undefined ? "" : " (it did not parse before the change either)"}:\n${problems}`,
    );
}

function parseProblems(dir: string, stack: string, stackText: string): string | undefined {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-promote-"));
    try {
        fs.copyFileSync(path.join(dir, "Pulumi.yaml"), path.join(scratch, "Pulumi.yaml"));
        fs.writeFileSync(path.join(scratch, `Pulumi.${stack}.yaml`), stackText);
        const loaded = loadStackConfig(scratch, stack);
        parseStackConfig(loaded.config, { project: loaded.project, stack, projectRoot: dir });
        return undefined;
    } catch (e) {
        if (e instanceof ValidationError || e instanceof StackConfigError) return e.message;
        throw e;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------- command line

export function parseArgs(argv: readonly string[]): PromoteRequest {
    const given: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const eq = arg.indexOf("=");
        const flag = eq < 0 ? arg : arg.slice(0, eq);
        const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
        if (!["--stack", "--model", "--version", "--cwd"].includes(flag)) throw new StackConfigError(`unknown argument ${arg}\n${USAGE}`);
        if (value === undefined) throw new StackConfigError(`${flag} needs a value\n${USAGE}`);
        given[flag.slice(2)] = value;
    }
    for (const required of ["stack", "model", "version"])
        if (given[required] === undefined) throw new StackConfigError(`--${required} is required\n${USAGE}`);
    return { dir: path.resolve(given.cwd ?? ROOT), stack: given.stack, model: given.model, version: given.version };
}

export function main(argv: readonly string[]): number {
    let request: PromoteRequest;
    try {
        request = parseArgs(argv);
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 2;
    }
    try {
        const r = promote(request);
        const where = `${path.basename(r.file)}: ${r.key} (${request.model})`;
        process.stdout.write(
            r.changed
                ? `${where}: servedVersion ${r.previous ?? "(none)"} -> ${r.version}\n`
                : `${where}: already serves ${r.version}; nothing changed\n`,
        );
        return 0;
    } catch (e) {
        if (e instanceof PromoteError || e instanceof StackConfigError) {
            process.stderr.write(`promote: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) exitWhenFlushed(main(process.argv.slice(2)));
