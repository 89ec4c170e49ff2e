/**
 * Checks of the CI/CD files (.github/workflows/*.yml, .ci/run, Makefile) against each other and against
 * the shipped Pulumi.<stack>.yaml files. Each check is a pure function returning a list of problems
 * (empty when the input is right), so tests can feed it the real files or small bad inputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";

type Dict = Record<string, unknown>;

export interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Dict;
    env?: Dict;
}

export interface Job {
    if?: string;
    steps?: Step[];
    strategy?: { matrix?: unknown };
    environment?: string | { name?: string };
    needs?: string | string[];
    permissions?: unknown;
}

export interface Workflow {
    on?: unknown;
    permissions?: unknown;
    concurrency?: unknown;
    jobs?: Record<string, Job>;
}

/** What the workflows need to know about a stack file: its `mlops:cloud` and `mlops:environment`. */
export interface StackInfo {
    cloud: unknown;
    environment: unknown;
}

export type Stacks = Map<string, StackInfo>;

export const WORKFLOW_FILES = ["ci.yml", "preview.yml", "deploy.yml", "pr-report.yml", "pr-comment.yml", "promote.yml"] as const;
export type WorkflowFile = (typeof WORKFLOW_FILES)[number];

export interface Repo {
    workflows: Record<WorkflowFile, Workflow>;
    workflowTexts: Record<WorkflowFile, string>;
    stacks: Stacks;
    /** .github/scripts/pr-report.sh, which the pr-report job runs. */
    reportScript: string;
    /** .github/dependabot.yml. */
    dependabot: string;
}

/** Order in which environments are deployed: a job may only run after every job of a lower rank. */
const ENVIRONMENT_RANK: Record<string, number> = { dev: 0, staging: 1, prod: 2 };

/** The login step each cloud needs before `pulumi` runs, found by its action (or, for kubernetes, its script). */
const CREDENTIAL_STEP: Record<string, { uses?: string; input?: string; runMentions?: string }> = {
    aws: { uses: "aws-actions/configure-aws-credentials", input: "role-to-assume" },
    gcp: { uses: "google-github-actions/auth", input: "workload_identity_provider" },
    azure: { uses: "azure/login", input: "client-id" },
    kubernetes: { runMentions: "KUBECONFIG" },
};

/** Names of long-lived cloud credentials; OIDC makes every one of them unnecessary. */
const LONG_LIVED_KEYS: RegExp[] = [
    /AWS_SECRET_ACCESS_KEY/i,
    /AWS_ACCESS_KEY_ID/i,
    /aws-secret-access-key/i,
    /aws-access-key-id/i,
    /ARM_CLIENT_SECRET/i,
    /AZURE_CLIENT_SECRET/i,
    /AZURE_CREDENTIALS/i,
    /^\s*creds\s*:/im, // azure/login's service-principal JSON input
    /GOOGLE_CREDENTIALS/i,
    /credentials_json/i, // google-github-actions/auth's key-file input
    /GCP_SA_KEY/i,
];

// ---------------------------------------------------------------- loading

export function parseWorkflow(text: string): Workflow {
    return (load(text) ?? {}) as Workflow;
}

/** Every Pulumi.<stack>.yaml in `dir` (not Pulumi.yaml), with its mlops:cloud and mlops:environment. */
export function loadStacks(dir: string): Stacks {
    const stacks: Stacks = new Map();
    for (const file of fs.readdirSync(dir).sort()) {
        const match = /^Pulumi\.(.+)\.yaml$/.exec(file);
        if (!match) continue;
        const doc = (load(fs.readFileSync(path.join(dir, file), "utf8")) ?? {}) as Dict;
        const config = (doc.config ?? {}) as Dict;
        stacks.set(match[1], { cloud: config["mlops:cloud"], environment: config["mlops:environment"] });
    }
    return stacks;
}

export function loadRepo(root: string, stacksDir: string = root): Repo {
    const workflowTexts = {} as Record<WorkflowFile, string>;
    const workflows = {} as Record<WorkflowFile, Workflow>;
    for (const file of WORKFLOW_FILES) {
        workflowTexts[file] = fs.readFileSync(path.join(root, ".github", "workflows", file), "utf8");
        workflows[file] = parseWorkflow(workflowTexts[file]);
    }
    const read = (...parts: string[]) => fs.readFileSync(path.join(root, ".github", ...parts), "utf8");
    return {
        workflows,
        workflowTexts,
        stacks: loadStacks(stacksDir),
        reportScript: read("scripts", "pr-report.sh"),
        dependabot: read("dependabot.yml"),
    };
}

// ---------------------------------------------------------------- helpers

function jobsOf(wf: Workflow): [string, Job][] {
    return Object.entries(wf.jobs ?? {});
}

function stepsOf(job: Job): Step[] {
    return job.steps ?? [];
}

function usesAction(step: Step, action: string): boolean {
    return typeof step.uses === "string" && step.uses.toLowerCase().startsWith(`${action.toLowerCase()}@`);
}

function isPulumiStep(step: Step): boolean {
    return usesAction(step, "pulumi/actions");
}

/** Jobs that run pulumi/actions: the preview and deploy jobs. */
export function pulumiJobs(wf: Workflow): [string, Job][] {
    return jobsOf(wf).filter(([, job]) => stepsOf(job).some(isPulumiStep));
}

/** Normalizes `on:` (a string, a list or a map) to a map of event -> its filter (or null). */
export function triggersOf(wf: Workflow): Dict {
    const on = wf.on;
    if (typeof on === "string") return { [on]: null };
    if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [String(event), null]));
    return (on ?? {}) as Dict;
}

export interface MatrixEntry {
    stack?: unknown;
    cloud?: unknown;
}

/** A job's matrix as a list of entries: `include:` entries, or one entry per value of a `stack:` axis. */
export function matrixEntries(job: Job): { entries: MatrixEntry[]; problems: string[] } {
    const matrix = job.strategy?.matrix;
    if (matrix === undefined) return { entries: [], problems: ["has no strategy.matrix"] };
    if (typeof matrix !== "object" || matrix === null) {
        return { entries: [], problems: [`matrix must list the stacks explicitly, not ${JSON.stringify(matrix)}`] };
    }
    const m = matrix as Dict;
    if (Array.isArray(m.include)) return { entries: m.include as MatrixEntry[], problems: [] };
    if (Array.isArray(m.stack)) return { entries: m.stack.map((stack) => ({ stack })), problems: [] };
    return { entries: [], problems: ["matrix has neither `include:` entries nor a `stack:` list"] };
}

function environmentName(job: Job): unknown {
    return typeof job.environment === "object" && job.environment !== null ? job.environment.name : job.environment;
}

function needsOf(job: Job): string[] {
    if (job.needs === undefined) return [];
    return Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** Every job `name` waits for, directly or through other jobs. */
function transitiveNeeds(wf: Workflow, name: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...needsOf(wf.jobs?.[name] ?? {})];
    while (todo.length > 0) {
        const next = todo.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(...needsOf(wf.jobs?.[next] ?? {}));
    }
    return seen;
}

function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

// ---------------------------------------------------------------- checks

export interface TriggerRule {
    /** `required`: must run on pull_request; `forbidden`: must not run on pull requests at all. */
    pullRequest: "required" | "forbidden";
    /** Must run on pushes to main (with `forbidden` pull requests: on main only). */
    pushMain: boolean;
}

export function checkTriggers(file: string, wf: Workflow, rule: TriggerRule): string[] {
    const problems: string[] = [];
    const triggers = triggersOf(wf);
    const prEvents = ["pull_request", "pull_request_target"].filter((event) => event in triggers);
    if (rule.pullRequest === "required" && !("pull_request" in triggers)) {
        problems.push(`${file}: must run on pull_request`);
    }
    if (rule.pullRequest === "forbidden" && prEvents.length > 0) {
        problems.push(`${file}: must not run on ${prEvents.join(", ")} (it would act on unmerged code)`);
    }
    if (rule.pushMain) {
        const push = triggers.push as Dict | null | undefined;
        const branches = push && Array.isArray(push.branches) ? push.branches : undefined;
        if (!("push" in triggers)) problems.push(`${file}: must run on push to main`);
        else if (!branches || !branches.includes("main")) {
            problems.push(`${file}: push trigger must be limited to branches: [main], got ${JSON.stringify(push)}`);
        } else if (rule.pullRequest === "forbidden" && branches.some((b) => b !== "main")) {
            problems.push(`${file}: must deploy from main only, got branches ${JSON.stringify(branches)}`);
        }
    }
    return problems;
}

/** Every setup-node installs Node 24 with the npm cache, and every job running npm sets up Node first. */
export function checkSetupNode(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of jobsOf(wf)) {
        let nodeReady = false;
        for (const step of stepsOf(job)) {
            if (usesAction(step, "actions/setup-node")) {
                const version = String(step.with?.["node-version"] ?? "");
                if (!/^24(\.|$)/.test(version)) problems.push(`${file} ${name}: setup-node must install Node 24, got "${version}"`);
                if (step.with?.cache !== "npm") problems.push(`${file} ${name}: setup-node must set cache: npm`);
                nodeReady = true;
            }
            if (typeof step.run === "string" && /\b(npm|npx)\b/.test(step.run) && !nodeReady) {
                problems.push(`${file} ${name}: runs npm before actions/setup-node (the runner's default Node is not 24)`);
                nodeReady = true; // report once per job
            }
        }
    }
    return problems;
}

/**
 * All pulumi/actions steps, across all workflows (given as text: the version of a SHA pin is in its
 * comment), use one major version: `@vN` or `@<sha> # vN.x.y`.
 */
export function checkPulumiActionMajor(texts: Record<string, string>): string[] {
    const problems: string[] = [];
    const majors = new Map<string, string[]>();
    for (const [file, text] of Object.entries(texts)) {
        for (const line of codeOf(text).split("\n")) {
            const use = /^\s*(?:-\s+)?uses:\s*pulumi\/actions@(\S+)(.*)$/i.exec(line);
            if (!use) continue;
            const major = /^v(\d+)(\.|$)/.exec(use[1])?.[1] ?? /^\s+#\s*v(\d+)\b/.exec(use[2])?.[1];
            if (!major) {
                problems.push(`${file}: pin pulumi/actions to a major version (or a SHA with # vN.x.y), got ${use[1]}`);
                continue;
            }
            majors.set(major, [...(majors.get(major) ?? []), file]);
        }
    }
    if (majors.size > 1) {
        const found = [...majors].map(([major, where]) => `v${major} in ${[...new Set(where)].join(", ")}`).join("; ");
        problems.push(`pulumi/actions must use one major version everywhere, found ${found}`);
    }
    return problems;
}

export interface PulumiStepRule {
    command: "preview" | "up";
    commentOnPr: boolean;
}

/** Each pulumi/actions step runs the right command on the matrix stack, with a backend and a passphrase. */
export function checkPulumiSteps(file: string, wf: Workflow, rule: PulumiStepRule): string[] {
    const problems: string[] = [];
    const jobs = pulumiJobs(wf);
    if (jobs.length === 0) problems.push(`${file}: no job runs pulumi/actions`);
    for (const [name, job] of jobs) {
        for (const step of stepsOf(job).filter(isPulumiStep)) {
            const inputs = step.with ?? {};
            const where = `${file} ${name}`;
            if (inputs.command !== rule.command)
                problems.push(`${where}: pulumi/actions must run command: ${rule.command}, got ${String(inputs.command)}`);
            if (!/\$\{\{\s*matrix\.stack\s*\}\}/.test(String(inputs["stack-name"] ?? ""))) {
                problems.push(`${where}: stack-name must be \${{ matrix.stack }}, got ${String(inputs["stack-name"])}`);
            }
            if (!/^\$\{\{\s*vars\[matrix\.backend\]\s*\}\}$/.test(String(inputs["cloud-url"] ?? ""))) {
                problems.push(`${where}: cloud-url must be \${{ vars[matrix.backend] }} (the state backend of the matrix entry's cloud)`);
            }
            if (!isTrue(inputs.upsert)) problems.push(`${where}: pulumi/actions must set upsert: true (a fresh backend has no stack)`);
            if (!/secrets\.PULUMI_CONFIG_PASSPHRASE/.test(String(step.env?.PULUMI_CONFIG_PASSPHRASE ?? ""))) {
                problems.push(`${where}: env PULUMI_CONFIG_PASSPHRASE must come from secrets.PULUMI_CONFIG_PASSPHRASE`);
            }
            if (rule.commentOnPr && !isTrue(inputs["comment-on-pr"]))
                problems.push(`${where}: pulumi/actions must set comment-on-pr: true`);
            if (String(inputs.policyPacks ?? "").trim() !== "policy")
                problems.push(`${where}: pulumi/actions must run the policy pack (policyPacks: policy)`);
        }
    }
    return problems;
}

/** Problems with one matrix's stacks: unknown stack, missing or wrong `cloud`. */
function checkEntries(where: string, entries: MatrixEntry[], stacks: Stacks, requireCloud: boolean): string[] {
    const problems: string[] = [];
    for (const entry of entries) {
        const stack = String(entry.stack);
        const info = stacks.get(stack);
        if (!info) {
            problems.push(`${where}: matrix stack ${stack} has no Pulumi.${stack}.yaml in the project root`);
            continue;
        }
        if (requireCloud && entry.cloud !== info.cloud) {
            problems.push(
                `${where}: matrix stack ${stack} has cloud ${String(entry.cloud)}, Pulumi.${stack}.yaml has mlops:cloud ${String(info.cloud)}`,
            );
        }
    }
    return problems;
}

function missingStacks(where: string, entries: MatrixEntry[], stacks: Stacks): string[] {
    const listed = new Set(entries.map((entry) => String(entry.stack)));
    return [...stacks.keys()].filter((stack) => !listed.has(stack)).map((stack) => `${where}: Pulumi.${stack}.yaml is not in the matrix`);
}

/** ci.yml has a matrix job planning every stack offline with --format json and uploading the result. */
export function checkCiPlan(wf: Workflow, stacks: Stacks): string[] {
    const isPlanStep = (step: Step) => typeof step.run === "string" && /npm run (--silent )?plan\b/.test(step.run);
    const jobs = jobsOf(wf).filter(([, job]) => stepsOf(job).some(isPlanStep));
    if (jobs.length !== 1) return [`ci.yml: expected one job running the offline plan, found ${jobs.length}`];
    const [name, job] = jobs[0];
    const where = `ci.yml ${name}`;
    const { entries, problems } = matrixEntries(job);
    problems.push(...checkEntries(where, entries, stacks, false), ...missingStacks(where, entries, stacks));
    const plan = stepsOf(job).find(isPlanStep)!;
    if (!/--format json\b/.test(plan.run!)) problems.push(`${where}: the plan must be written with --format json`);
    if (!stepsOf(job).some((step) => usesAction(step, "actions/upload-artifact")))
        problems.push(`${where}: the JSON plan must be uploaded with actions/upload-artifact`);
    return problems.map((p) => (p.startsWith("ci.yml") ? p : `${where}: ${p}`));
}

/** preview.yml previews every stack once, each entry with its stack file's cloud. */
export function checkPreviewMatrix(wf: Workflow, stacks: Stacks): string[] {
    const problems: string[] = [];
    const all: MatrixEntry[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const where = `preview.yml ${name}`;
        const { entries, problems: matrixProblems } = matrixEntries(job);
        problems.push(...matrixProblems.map((p) => `${where}: ${p}`), ...checkEntries(where, entries, stacks, true));
        all.push(...entries);
    }
    problems.push(...missingStacks("preview.yml", all, stacks));
    return problems;
}

/**
 * deploy.yml puts every stack in exactly one job, whose GitHub `environment:` is the stack's
 * mlops:environment, with the stack's cloud; a later environment's job needs every earlier one's.
 */
export function checkDeployJobs(wf: Workflow, stacks: Stacks): string[] {
    const problems: string[] = [];
    const deployedBy = new Map<string, string[]>();
    const jobs = pulumiJobs(wf);
    for (const [name, job] of jobs) {
        const where = `deploy.yml ${name}`;
        const { entries, problems: matrixProblems } = matrixEntries(job);
        problems.push(...matrixProblems.map((p) => `${where}: ${p}`), ...checkEntries(where, entries, stacks, true));
        const environment = environmentName(job);
        if (typeof environment !== "string") problems.push(`${where}: needs a GitHub environment: (its protection rules gate the deploy)`);
        for (const entry of entries) {
            const stack = String(entry.stack);
            deployedBy.set(stack, [...(deployedBy.get(stack) ?? []), name]);
            const info = stacks.get(stack);
            if (info && typeof environment === "string" && info.environment !== environment) {
                problems.push(
                    `${where}: environment ${environment} deploys stack ${stack}, whose mlops:environment is ${String(info.environment)}`,
                );
            }
        }
    }
    for (const stack of stacks.keys()) {
        const by = deployedBy.get(stack) ?? [];
        if (by.length !== 1)
            problems.push(
                `deploy.yml: Pulumi.${stack}.yaml must be deployed by exactly one job, found ${by.length ? by.join(", ") : "none"}`,
            );
    }
    for (const [name, job] of jobs) {
        const rank = ENVIRONMENT_RANK[String(environmentName(job))];
        if (rank === undefined) continue;
        const before = transitiveNeeds(wf, name);
        for (const [other, otherJob] of jobs) {
            const otherRank = ENVIRONMENT_RANK[String(environmentName(otherJob))];
            if (otherRank !== undefined && otherRank < rank && !before.has(other)) {
                problems.push(
                    `deploy.yml ${name}: environment ${String(environmentName(job))} must run after ${other} (environment ${String(environmentName(otherJob))}): add needs: ${other}`,
                );
            }
        }
    }
    return problems;
}

/** With workflow_dispatch (which can start any branch), every deploy job is limited to main. */
export function checkDeployFromMainOnly(wf: Workflow): string[] {
    if (!("workflow_dispatch" in triggersOf(wf))) return [];
    return pulumiJobs(wf)
        .filter(([, job]) => !/github\.ref\s*==\s*'refs\/heads\/main'/.test(String(job.if ?? "")))
        .map(([name]) => `deploy.yml ${name}: workflow_dispatch can run any branch; add if: github.ref == 'refs/heads/main'`);
}

/** Every cloud in a pulumi job's matrix has its login step, conditioned on that cloud, before pulumi runs. */
export function checkCredentialSteps(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const steps = stepsOf(job);
        const pulumiAt = steps.findIndex(isPulumiStep);
        const clouds = new Set(matrixEntries(job).entries.map((entry) => String(entry.cloud)));
        for (const cloud of clouds) {
            const want = CREDENTIAL_STEP[cloud];
            if (!want) {
                problems.push(`${file} ${name}: unknown cloud ${cloud} in the matrix (aws, gcp, azure or kubernetes)`);
                continue;
            }
            const condition = new RegExp(`matrix\\.cloud\\s*==\\s*'${cloud}'`);
            const at = steps.findIndex(
                (step) =>
                    condition.test(String(step.if ?? "")) &&
                    (want.uses
                        ? usesAction(step, want.uses) && step.with?.[want.input!] !== undefined
                        : String(step.run ?? "").includes(want.runMentions!)),
            );
            if (at < 0 || at > pulumiAt) {
                const what = want.uses ? `a ${want.uses} step with ${want.input}` : `a step writing ${want.runMentions}`;
                problems.push(`${file} ${name}: ${cloud} stacks need ${what}, if: matrix.cloud == '${cloud}', before pulumi/actions`);
            }
        }
        if (clouds.has("azure") && !steps[pulumiAt]?.env?.ARM_USE_OIDC) {
            problems.push(
                `${file} ${name}: azure stacks need ARM_USE_OIDC (and ARM_CLIENT_ID/TENANT_ID/SUBSCRIPTION_ID) in pulumi/actions' env`,
            );
        }
    }
    return problems;
}

function permissionsOf(wf: Workflow, job: Job): unknown {
    return job.permissions ?? wf.permissions;
}

/** Every job's effective permissions include `required` (e.g. { "id-token": "write" }). */
export function checkPermissions(file: string, wf: Workflow, required: Record<string, string>): string[] {
    const problems: string[] = [];
    for (const [name, job] of jobsOf(wf)) {
        const granted = permissionsOf(wf, job);
        for (const [scope, level] of Object.entries(required)) {
            const has = typeof granted === "object" && granted !== null ? (granted as Dict)[scope] : undefined;
            if (has !== level)
                problems.push(`${file} ${name}: needs permissions ${scope}: ${level}, got ${has === undefined ? "none" : String(has)}`);
        }
    }
    return problems;
}

/** No job gets write access (ci runs untrusted pull-request code). */
export function checkReadOnly(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of jobsOf(wf)) {
        const granted = permissionsOf(wf, job);
        if (typeof granted !== "object" || granted === null) {
            problems.push(`${file} ${name}: set explicit read-only permissions (contents: read), got ${JSON.stringify(granted)}`);
            continue;
        }
        const writes = Object.entries(granted as Dict)
            .filter(([, level]) => level === "write")
            .map(([scope]) => scope);
        if (writes.length > 0) problems.push(`${file} ${name}: must be read-only, has write on ${writes.join(", ")}`);
    }
    return problems;
}

/** A workflow-level concurrency group; `cancel` says whether a newer run cancels the running one. */
export function checkConcurrency(file: string, wf: Workflow, cancel: boolean): string[] {
    const concurrency = wf.concurrency;
    if (concurrency === undefined) return [`${file}: needs a workflow-level concurrency group`];
    const cancels = typeof concurrency === "object" && concurrency !== null && isTrue((concurrency as Dict)["cancel-in-progress"]);
    if (cancels !== cancel) {
        return [
            cancel
                ? `${file}: concurrency must set cancel-in-progress: true (superseded runs)`
                : `${file}: concurrency must not cancel a running deploy`,
        ];
    }
    return [];
}

/** Names of long-lived cloud keys anywhere in a workflow's text (comments aside). */
export function findLongLivedKeys(file: string, text: string): string[] {
    const code = text
        .split("\n")
        .filter((line) => !/^\s*#/.test(line))
        .join("\n");
    return LONG_LIVED_KEYS.filter((re) => re.test(code)).map(
        (re) => `${file}: uses a long-lived cloud credential (${re.source}); use OIDC instead`,
    );
}

/** .ci/run: executable, strict bash, installs node@24 into the cache, then `npm ci` and `npm test`. */
export function checkCiRun(text: string, mode: number): string[] {
    const problems: string[] = [];
    if ((mode & 0o111) === 0) problems.push(".ci/run: must be executable");
    if (!/^#!.*\bbash\b/.test(text)) problems.push(".ci/run: must start with a bash shebang");
    if (!/^set -euo pipefail$/m.test(text)) problems.push(".ci/run: must `set -euo pipefail`");
    const install = text.split("\n").find((line) => /^\s*npm install\b/.test(line) && /--prefix\b/.test(line) && /\bnode@/.test(line));
    const pinned = /^NODE_VERSION=["']?([^"'\s]+)/m.exec(text)?.[1];
    const version = install && /\bnode@([^\s"']+)/.exec(install)?.[1].replace(/^\$\{?NODE_VERSION\}?$/, pinned ?? "");
    if (!version || !/^24\.\d+\.\d+$/.test(version))
        problems.push(`.ci/run: must npm install --prefix the pinned node@24.x.y package, found ${version || "none"}`);
    const ci = text.search(/^\s*npm ci\b/m);
    const test = text.search(/^\s*npm test\s*$/m);
    if (ci < 0) problems.push(".ci/run: must run `npm ci`");
    if (test < 0) problems.push(".ci/run: must run `npm test` (the README's test command)");
    if (ci >= 0 && test >= 0 && ci > test) problems.push(".ci/run: must run `npm ci` before `npm test`");
    return problems;
}

/** The Makefile's targets and the npm commands each one's recipe runs. */
export function makefileTargets(text: string): Map<string, string[]> {
    const targets = new Map<string, string[]>();
    let current: string | undefined;
    for (const line of text.split("\n")) {
        const target = /^([A-Za-z][\w-]*)\s*:(?!=)/.exec(line);
        if (target) {
            current = target[1];
            targets.set(current, []);
        } else if (line.startsWith("\t") && current) {
            targets.get(current)!.push(line.trim());
        } else if (line.trim() !== "" && !line.startsWith("#")) {
            current = undefined;
        }
    }
    return targets;
}

const MAKE_TARGETS: Record<string, RegExp> = {
    install: /^npm ci\b/,
    lint: /^npm run (--silent )?lint$/,
    test: /^npm (test|run (--silent )?test)$/,
    plan: /^npm run (--silent )?plan -- --stack \$\(STACK\) --format \$\(FORMAT\)$/,
    bench: /^npm run (--silent )?bench$/,
};

/** Targets install, lint, test, plan, bench and help (the default) exist, are .PHONY, and call existing npm scripts. */
export function checkMakefile(text: string, scripts: Record<string, string>): string[] {
    const problems: string[] = [];
    const targets = makefileTargets(text);
    const phony = new Set([...text.matchAll(/^\.PHONY\s*:(.*)$/gm)].flatMap((m) => m[1].trim().split(/\s+/)));
    const first = [...targets.keys()][0];
    if (first !== "help" && !/^\.DEFAULT_GOAL\s*:?=\s*help\s*$/m.test(text))
        problems.push(`Makefile: help must be the default target, got ${first}`);
    for (const target of ["help", ...Object.keys(MAKE_TARGETS)]) {
        if (!targets.has(target)) problems.push(`Makefile: missing target ${target}`);
        if (!phony.has(target)) problems.push(`Makefile: target ${target} must be .PHONY`);
    }
    for (const [target, pattern] of Object.entries(MAKE_TARGETS)) {
        const recipe = targets.get(target) ?? [];
        if (targets.has(target) && !recipe.some((line) => pattern.test(line)))
            problems.push(`Makefile: ${target} must run ${pattern.source}, got ${JSON.stringify(recipe)}`);
    }
    for (const [target, recipe] of targets) {
        for (const line of recipe) {
            const script = /\bnpm (?:run(?: --silent)? ([\w:-]+)|(test)\b)/.exec(line);
            const name = script?.[1] ?? script?.[2];
            if (name && !(name in scripts))
                problems.push(`Makefile: ${target} runs npm script ${name}, which package.json does not define`);
        }
    }
    return problems;
}

// ---------------------------------------------------------------- fork safety, identities, pins

/** Lines of a workflow that are not comments. */
function codeOf(text: string): string {
    return text
        .split("\n")
        .filter((line) => !/^\s*#/.test(line))
        .join("\n");
}

/** A permissions map with no write scope and no OIDC token, or the problems with it. */
function readOnlyProblems(where: string, granted: unknown): string[] {
    if (typeof granted !== "object" || granted === null)
        return [`${where}: set explicit read-only permissions (contents: read), got ${JSON.stringify(granted)}`];
    const problems: string[] = [];
    for (const [scope, level] of Object.entries(granted as Dict)) {
        if (scope === "id-token") problems.push(`${where}: must not get an OIDC token (id-token: ${String(level)})`);
        else if (level === "write") problems.push(`${where}: must be read-only, has write on ${scope}`);
    }
    return problems;
}

/**
 * The pull_request report workflow is fork-safe: pull_request only (never pull_request_target), read-only
 * token, no id-token, no secrets; checks out without persisting the token; runs the offline plan and
 * policy of every stack and `npm run diff` against the PR's base commit (in the job or in the script it
 * runs); records the PR number and uploads the report even when the job fails.
 */
export function checkReportWorkflow(wf: Workflow, text: string, script: string): string[] {
    const file = "pr-report.yml";
    const problems: string[] = [];
    const triggers = triggersOf(wf);
    if (!("pull_request" in triggers)) problems.push(`${file}: must run on pull_request`);
    for (const event of Object.keys(triggers).filter((e) => e !== "pull_request"))
        problems.push(`${file}: must run on pull_request only, not ${event} (it runs the PR's code)`);
    if (/\bsecrets\s*[.[]/.test(codeOf(text))) problems.push(`${file}: must not read secrets (fork PRs get none; the PR's code runs here)`);
    const jobs = jobsOf(wf);
    if (jobs.length === 0) problems.push(`${file}: has no job`);
    for (const [name, job] of jobs) {
        const where = `${file} ${name}`;
        problems.push(...readOnlyProblems(where, permissionsOf(wf, job)));
        const steps = stepsOf(job);
        const runs = steps.map((step) => String(step.run ?? "")).join("\n");
        const commands = `${runs}\n${/pr-report\.sh/.test(runs) ? script : ""}`;
        const stepText = JSON.stringify(steps);
        for (const step of steps.filter((st) => usesAction(st, "actions/checkout")))
            if (step.with?.["persist-credentials"] !== false)
                problems.push(`${where}: actions/checkout must set persist-credentials: false`);
        if (!/npm run --silent diff -- --base\b[^\n]*--all\b[^\n]*--format markdown/.test(commands))
            problems.push(`${where}: must run npm run --silent diff -- --base <base> --all --format markdown`);
        if (!/github\.event\.pull_request\.base\.sha/.test(stepText))
            problems.push(`${where}: the diff base must be github.event.pull_request.base.sha`);
        if (!/npm run --silent plan -- --stack/.test(commands))
            problems.push(`${where}: must plan every stack offline (npm run --silent plan)`);
        if (!/npm run --silent policy -- --stack/.test(commands))
            problems.push(`${where}: must run the policy pack (npm run --silent policy)`);
        if (!/github\.event\.pull_request\.number/.test(stepText)) problems.push(`${where}: must record the PR number in the artifact`);
        const upload = steps.find((st) => usesAction(st, "actions/upload-artifact"));
        if (!upload) problems.push(`${where}: must upload the report with actions/upload-artifact`);
        else if (!/always\(\)|!cancelled\(\)/.test(String(upload.if ?? "")))
            problems.push(`${where}: the upload must run when the job fails too (if: \${{ !cancelled() }})`);
    }
    return problems;
}

/**
 * The workflow_run job that posts the report runs in the base repository with write rights, so: triggered
 * by workflow_run of pr-report only, for pull_request runs; no checkout and no `run:` step (it never runs
 * the PR's code); downloads the triggering run's artifact; validates the PR number (digits only, against
 * the run's pull_requests and head commit); no write scope but pull-requests, no id-token, no secrets.
 */
export function checkCommentWorkflow(wf: Workflow, text: string): string[] {
    const file = "pr-comment.yml";
    const problems: string[] = [];
    const triggers = triggersOf(wf);
    const run = triggers.workflow_run as Dict | null | undefined;
    if (!run) problems.push(`${file}: must run on workflow_run`);
    else {
        if (!Array.isArray(run.workflows) || !run.workflows.includes("pr-report"))
            problems.push(`${file}: workflow_run must list workflows: [pr-report]`);
        if (!Array.isArray(run.types) || !run.types.includes("completed"))
            problems.push(`${file}: workflow_run must set types: [completed]`);
    }
    for (const event of Object.keys(triggers).filter((e) => e !== "workflow_run"))
        problems.push(`${file}: must run on workflow_run only, not ${event}`);
    if (/\bsecrets\s*[.[]/.test(codeOf(text))) problems.push(`${file}: must not read secrets`);
    for (const [name, job] of jobsOf(wf)) {
        const where = `${file} ${name}`;
        const granted = permissionsOf(wf, job);
        if (typeof granted !== "object" || granted === null) problems.push(`${where}: set explicit permissions`);
        else {
            for (const [scope, level] of Object.entries(granted as Dict)) {
                if (scope === "id-token") problems.push(`${where}: must not get an OIDC token`);
                else if (level === "write" && scope !== "pull-requests") problems.push(`${where}: must not have write on ${scope}`);
            }
        }
        if (!/github\.event\.workflow_run\.event\s*==\s*'pull_request'/.test(String(job.if ?? "")))
            problems.push(`${where}: must run only for pull_request runs (if: github.event.workflow_run.event == 'pull_request')`);
        const steps = stepsOf(job);
        if (steps.some((step) => usesAction(step, "actions/checkout")))
            problems.push(`${where}: must not check out code (the PR's code must never run with write rights)`);
        if (steps.some((step) => step.run !== undefined))
            problems.push(`${where}: must have no run: step (nothing from the PR may execute)`);
        const download = steps.find((step) => usesAction(step, "actions/download-artifact"));
        if (!download || !/github\.event\.workflow_run\.id/.test(String(download.with?.["run-id"] ?? "")))
            problems.push(`${where}: must download the artifact of the triggering run (run-id: \${{ github.event.workflow_run.id }})`);
        const script = steps
            .filter((step) => usesAction(step, "actions/github-script"))
            .map((step) => String(step.with?.script ?? ""))
            .join("\n");
        if (!/\/\^(\[0-9\]|\\d)(\+|\{1,\d+\})\$\/\.test\(/.test(script))
            problems.push(`${where}: must check the artifact's PR number is digits only (/^[0-9]{1,10}$/.test(...))`);
        if (!/\.pull_requests\b/.test(script)) problems.push(`${where}: must match the PR number against the run's pull_requests`);
        if (!/head_sha/.test(script)) problems.push(`${where}: must check the PR's head is the commit the report was built from`);
    }
    return problems;
}

/**
 * No `${{ }}` expression inside a `run:` script: GitHub pastes its value into the script before bash reads
 * it, so an input, a branch name or a PR title could inject commands. Values reach scripts through `env:`.
 */
export function checkRunExpressions(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of jobsOf(wf))
        for (const [i, step] of stepsOf(job).entries())
            if (typeof step.run === "string" && /\$\{\{/.test(step.run))
                problems.push(
                    `${file} ${name}: step ${step.name ?? i + 1} puts a \${{ }} expression in its run: script; pass the value through env: instead`,
                );
    return problems;
}

const PROMOTE_INPUTS = ["stack", "model", "version"];

/**
 * promote.yml: started by workflow_dispatch only, with required string inputs stack, model and version;
 * exactly contents: write and pull-requests: write (no OIDC, no other scope); checks out without persisting
 * the token; runs scripts/promote.ts with the inputs through env; commits to promote/<stack>/<model>/<version>
 * and opens the PR with `gh pr create`, authenticated with the PROMOTION_TOKEN secret when it is set (a PR
 * opened with GITHUB_TOKEN starts no workflow: no preview, no report); never runs pulumi; one promotion of a
 * model at a time (concurrency, not cancelled).
 */
export function checkPromoteWorkflow(wf: Workflow, text: string): string[] {
    const file = "promote.yml";
    const problems: string[] = [];
    const triggers = triggersOf(wf);
    const dispatch = triggers.workflow_dispatch as Dict | null | undefined;
    if (!("workflow_dispatch" in triggers))
        problems.push(`${file}: must run on workflow_dispatch (the registry's approval event dispatches it)`);
    for (const event of Object.keys(triggers).filter((e) => e !== "workflow_dispatch"))
        problems.push(`${file}: must run on workflow_dispatch only, not ${event}`);
    const inputs = (dispatch?.inputs ?? {}) as Record<string, Dict>;
    for (const input of PROMOTE_INPUTS) {
        const spec = inputs[input];
        if (!spec) problems.push(`${file}: workflow_dispatch needs the input ${input}`);
        else if (spec.required !== true || spec.type !== "string")
            problems.push(`${file}: input ${input} must be required: true and type: string`);
    }
    const concurrency = wf.concurrency as Dict | undefined;
    if (!concurrency || !/inputs\.stack/.test(String(concurrency.group)) || !/inputs\.model/.test(String(concurrency.group)))
        problems.push(`${file}: needs a concurrency group per stack and model (inputs.stack, inputs.model)`);
    else if (isTrue(concurrency["cancel-in-progress"])) problems.push(`${file}: concurrency must not cancel a running promotion`);
    const jobs = jobsOf(wf);
    if (jobs.length === 0) problems.push(`${file}: has no job`);
    for (const [name, job] of jobs) {
        const where = `${file} ${name}`;
        const granted = permissionsOf(wf, job);
        const want = { contents: "write", "pull-requests": "write" };
        if (!sameScopes(granted, want))
            problems.push(`${where}: permissions must be exactly contents: write, pull-requests: write, got ${JSON.stringify(granted)}`);
        const steps = stepsOf(job);
        for (const step of steps.filter((st) => usesAction(st, "actions/checkout")))
            if (step.with?.["persist-credentials"] !== false)
                problems.push(`${where}: actions/checkout must set persist-credentials: false (the token is used for one push only)`);
        if (
            steps.some(isPulumiStep) ||
            steps.some((st) => /^\s*(npx\s+)?pulumi\s+(up|preview|config|destroy|refresh)\b/m.test(String(st.run ?? "")))
        )
            problems.push(`${where}: must not run pulumi: the merged pull request deploys (deploy.yml)`);
        const edit = steps.find((st) => /scripts\/promote\.ts\b/.test(String(st.run ?? "")));
        if (!edit) problems.push(`${where}: must run scripts/promote.ts`);
        else {
            for (const input of PROMOTE_INPUTS) {
                const variable = Object.entries(edit.env ?? {}).find(([, v]) =>
                    new RegExp(`^\\$\\{\\{\\s*inputs\\.${input}\\s*\\}\\}$`).test(String(v)),
                )?.[0];
                if (!variable || !new RegExp(`--${input} "\\$${variable}"`).test(edit.run!))
                    problems.push(
                        `${where}: scripts/promote.ts must get --${input} "$VAR" with VAR: \${{ inputs.${input} }} in the step's env`,
                    );
            }
        }
        const pr = steps.find((st) => /\bgh pr create\b/.test(String(st.run ?? "")));
        if (!pr) problems.push(`${where}: must open the pull request with gh pr create`);
        else {
            if (!/promote\/\$\{?STACK\}?\/\$\{?MODEL\}?\/\$\{?version\}?/i.test(pr.run!))
                problems.push(`${where}: must commit to the branch promote/<stack>/<model>/<version>`);
            if (!/secrets\.PROMOTION_TOKEN/.test(String(pr.env?.GH_TOKEN ?? "")))
                problems.push(
                    `${where}: gh pr create must use secrets.PROMOTION_TOKEN (GH_TOKEN): a PR opened with GITHUB_TOKEN starts no workflow`,
                );
            if (!/--title "Promote \$MODEL \$version on \$STACK"/.test(pr.run!))
                problems.push(`${where}: the pull request's title must be "Promote <model> <version> on <stack>"`);
        }
    }
    if (/\bsecrets\s*[.[]\s*(?!PROMOTION_TOKEN\b)[A-Z]/.test(codeOf(text)))
        problems.push(`${file}: must read no secret but PROMOTION_TOKEN`);
    return problems;
}

function sameScopes(a: unknown, b: Record<string, string>): boolean {
    if (typeof a !== "object" || a === null) return false;
    const entries = Object.entries(a as Dict);
    return entries.length === Object.keys(b).length && entries.every(([k, v]) => b[k] === v);
}

/** Deploy identities (preview must never use them) and preview identities (deploy must never use them). */
const DEPLOY_IDENTITIES = [/vars\.AWS_ROLE_ARN\b/, /vars\.GCP_SERVICE_ACCOUNT\b/, /vars\.AZURE_CLIENT_ID\b/, /'KUBECONFIG_\{0\}'/];
const PREVIEW_IDENTITY: Record<string, { input: string; variable: string }> = {
    aws: { input: "role-to-assume", variable: "AWS_PREVIEW_ROLE_ARN" },
    gcp: { input: "service_account", variable: "GCP_PREVIEW_SERVICE_ACCOUNT" },
    azure: { input: "client-id", variable: "AZURE_PREVIEW_CLIENT_ID" },
};
const usesVariable = (value: unknown, variable: string) =>
    new RegExp(`^\\$\\{\\{\\s*vars\\.${variable}\\s*\\}\\}$`).test(String(value ?? ""));

/**
 * Real previews: only for same-repository PRs, in the `preview` environment, logged in with the preview
 * identities (read-only by their documented permissions), never the deploy ones.
 */
export function checkPreviewIdentities(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const where = `preview.yml ${name}`;
        if (!/github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/.test(String(job.if ?? "")))
            problems.push(
                `${where}: must run for same-repository PRs only (if: github.event.pull_request.head.repo.full_name == github.repository)`,
            );
        if (environmentName(job) !== "preview")
            problems.push(`${where}: must run in the preview environment, got ${String(environmentName(job))}`);
        const steps = stepsOf(job);
        const jobText = JSON.stringify(job);
        for (const re of DEPLOY_IDENTITIES)
            if (re.test(jobText)) problems.push(`${where}: uses a deploy identity (${re.source}); previews use the preview identities`);
        for (const [cloud, want] of Object.entries(PREVIEW_IDENTITY)) {
            const login = steps.find((step) => usesAction(step, CREDENTIAL_STEP[cloud].uses!));
            if (login && !usesVariable(login.with?.[want.input], want.variable))
                problems.push(`${where}: the ${cloud} login must use ${want.input}: \${{ vars.${want.variable} }}`);
        }
        const arm = steps.find(isPulumiStep)?.env?.ARM_CLIENT_ID;
        if (arm !== undefined && !usesVariable(arm, PREVIEW_IDENTITY.azure.variable))
            problems.push(`${where}: ARM_CLIENT_ID must be the preview identity (vars.AZURE_PREVIEW_CLIENT_ID)`);
        if (/KUBECONFIG/.test(jobText) && !/'KUBECONFIG_PREVIEW_\{0\}'/.test(jobText))
            problems.push(`${where}: kubernetes stacks must read the preview kubeconfig (secret KUBECONFIG_PREVIEW_<STACK>)`);
    }
    return problems;
}

/** Deploy jobs never log in with a preview identity. */
export function checkDeployIdentities(wf: Workflow): string[] {
    return pulumiJobs(wf)
        .filter(([, job]) => /_PREVIEW_/.test(JSON.stringify(job)))
        .map(([name]) => `deploy.yml ${name}: uses a preview identity; deploys use the deploy identities`);
}

/** Every matrix entry of a pulumi job names its cloud's backend variable, PULUMI_BACKEND_URL_<CLOUD>. */
export function checkBackends(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        for (const entry of matrixEntries(job).entries as (MatrixEntry & { backend?: unknown })[]) {
            const want = `PULUMI_BACKEND_URL_${String(entry.cloud).toUpperCase()}`;
            if (entry.backend !== want)
                problems.push(
                    `${file} ${name}: matrix stack ${String(entry.stack)} must have backend: ${want}, got ${String(entry.backend)}`,
                );
        }
    }
    return problems;
}

/** Every `uses:` of a remote action is pinned to a 40-hex commit SHA with its version in a comment. */
export function checkPinnedActions(file: string, text: string): string[] {
    const problems: string[] = [];
    for (const line of text.split("\n")) {
        const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!match || match[1].startsWith("./")) continue;
        if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(match[1]))
            problems.push(`${file}: ${match[1]} must be pinned to a full 40-hex commit SHA`);
        else if (!/^\s+#\s*v\d+(\.\d+){0,2}\b/.test(match[2]))
            problems.push(`${file}: ${match[1]} needs its version in a comment (# vX.Y.Z)`);
    }
    return problems;
}

/** Dependabot updates github-actions and npm (root, components, policy), weekly, grouped. */
export function checkDependabot(text: string): string[] {
    const problems: string[] = [];
    const doc = (load(text) ?? {}) as Dict;
    if (doc.version !== 2) problems.push(`dependabot.yml: version must be 2, got ${String(doc.version)}`);
    const updates = (Array.isArray(doc.updates) ? doc.updates : []) as Dict[];
    const dirs = (u: Dict) => [...(typeof u.directory === "string" ? [u.directory] : []), ...((u.directories as string[]) ?? [])];
    const of = (ecosystem: string) => updates.filter((u) => u["package-ecosystem"] === ecosystem);
    if (!of("github-actions").some((u) => dirs(u).includes("/"))) problems.push("dependabot.yml: must update github-actions (directory /)");
    const npm = new Set(of("npm").flatMap(dirs));
    for (const dir of ["/", "/components", "/policy"])
        if (!npm.has(dir)) problems.push(`dependabot.yml: npm updates must cover ${dir} (its package.json)`);
    for (const u of updates) {
        const what = `dependabot.yml ${String(u["package-ecosystem"])}`;
        if ((u.schedule as Dict | undefined)?.interval !== "weekly") problems.push(`${what}: schedule.interval must be weekly`);
        if (typeof u.groups !== "object" || u.groups === null || Object.keys(u.groups).length === 0)
            problems.push(`${what}: must group its updates (groups:)`);
    }
    return problems;
}

/** Every check on a whole repository (used on fixtures; the tests call each check on its own too). */
export function checkRepo(repo: Repo): string[] {
    const { workflows: wf, workflowTexts: texts, stacks } = repo;
    return [
        ...checkTriggers("ci.yml", wf["ci.yml"], { pullRequest: "required", pushMain: true }),
        ...checkTriggers("preview.yml", wf["preview.yml"], { pullRequest: "required", pushMain: false }),
        ...checkTriggers("deploy.yml", wf["deploy.yml"], { pullRequest: "forbidden", pushMain: true }),
        ...WORKFLOW_FILES.flatMap((file) => checkSetupNode(file, wf[file])),
        ...checkPulumiActionMajor(texts),
        ...checkPulumiSteps("preview.yml", wf["preview.yml"], { command: "preview", commentOnPr: true }),
        ...checkPulumiSteps("deploy.yml", wf["deploy.yml"], { command: "up", commentOnPr: false }),
        ...checkCiPlan(wf["ci.yml"], stacks),
        ...checkPreviewMatrix(wf["preview.yml"], stacks),
        ...checkDeployJobs(wf["deploy.yml"], stacks),
        ...checkDeployFromMainOnly(wf["deploy.yml"]),
        ...checkCredentialSteps("preview.yml", wf["preview.yml"]),
        ...checkCredentialSteps("deploy.yml", wf["deploy.yml"]),
        ...checkReadOnly("ci.yml", wf["ci.yml"]),
        ...checkPermissions("preview.yml", wf["preview.yml"], { "id-token": "write", "pull-requests": "write" }),
        ...checkPermissions("deploy.yml", wf["deploy.yml"], { "id-token": "write", contents: "read" }),
        ...checkConcurrency("ci.yml", wf["ci.yml"], true),
        ...checkConcurrency("preview.yml", wf["preview.yml"], true),
        ...checkConcurrency("deploy.yml", wf["deploy.yml"], false),
        ...WORKFLOW_FILES.flatMap((file) => findLongLivedKeys(file, texts[file])),
        ...checkTriggers("pr-report.yml", wf["pr-report.yml"], { pullRequest: "required", pushMain: false }),
        ...checkReportWorkflow(wf["pr-report.yml"], texts["pr-report.yml"], repo.reportScript),
        ...checkCommentWorkflow(wf["pr-comment.yml"], texts["pr-comment.yml"]),
        ...checkPreviewIdentities(wf["preview.yml"]),
        ...checkDeployIdentities(wf["deploy.yml"]),
        ...checkBackends("preview.yml", wf["preview.yml"]),
        ...checkBackends("deploy.yml", wf["deploy.yml"]),
        ...checkConcurrency("pr-report.yml", wf["pr-report.yml"], true),
        ...WORKFLOW_FILES.flatMap((file) => checkPinnedActions(file, texts[file])),
        ...checkDependabot(repo.dependabot),
        ...WORKFLOW_FILES.flatMap((file) => checkRunExpressions(file, wf[file])),
        ...checkPromoteWorkflow(wf["promote.yml"], texts["promote.yml"]),
    ];
}
