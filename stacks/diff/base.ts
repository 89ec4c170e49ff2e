/**
 * The base side of a diff: the recorded plan at a git ref (`git show REF:tests/fixtures/plans/<stack>.json`,
 * which tests keep equal to that commit's plan) and, for the policy delta, a copy of the ref's tree
 * (`git archive`, read-only for the repository) planned offline with this checkout's node_modules.
 * The policy runner cannot take a recorded plan: it needs the engine's property dependencies and IDs,
 * which records do not keep (on the shipped stacks that changes the findings), so the base is planned.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan } from "../plan/plan";
import { RecordedPlan } from "../plan/recorded";

export class DiffUsageError extends Error {}

function git(projectRoot: string, args: string[]): string {
    return execFileSync("git", args, {
        cwd: projectRoot,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** The full commit a ref names, or a usage error. */
export function resolveRef(projectRoot: string, ref: string): string {
    try {
        return git(projectRoot, ["rev-parse", "--verify", `${ref}^{commit}`]).trim();
    } catch {
        throw new DiffUsageError(`--base ${ref}: not a commit in ${projectRoot}`);
    }
}

const exists = (projectRoot: string, commit: string, file: string): boolean => {
    try {
        git(projectRoot, ["cat-file", "-e", `${commit}:${file}`]);
        return true;
    } catch {
        return false;
    }
};

/** The stack's recorded plan at `commit`; null when the stack did not exist there (a new stack). */
export function recordedAt(projectRoot: string, commit: string, stack: string): RecordedPlan | null {
    if (!exists(projectRoot, commit, `Pulumi.${stack}.yaml`)) return null;
    const file = `tests/fixtures/plans/${stack}.json`;
    if (!exists(projectRoot, commit, file))
        throw new DiffUsageError(
            `${commit.slice(0, 12)} has Pulumi.${stack}.yaml but no ${file}: it predates recorded plans, pick a later base`,
        );
    return JSON.parse(git(projectRoot, ["show", `${commit}:${file}`])) as RecordedPlan;
}

/**
 * The tree of `commit` in a temporary directory, with a node_modules of links to this checkout's packages
 * (the workspace packages linked to the copy's own components/ and policy/). Reused while it exists.
 */
export function baseTree(projectRoot: string, commit: string): string {
    const dir = path.join(os.tmpdir(), `mlops-diff-${commit.slice(0, 12)}`);
    if (fs.existsSync(path.join(dir, ".complete"))) return dir;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${commit} | tar -x -C "${dir}"`], { cwd: projectRoot, stdio: ["ignore", "ignore", "pipe"] });
    const modules = path.join(dir, "node_modules");
    fs.mkdirSync(modules);
    const source = path.join(projectRoot, "node_modules");
    for (const entry of fs.readdirSync(source)) {
        if (entry === "@mlops") continue;
        fs.symlinkSync(path.join(source, entry), path.join(modules, entry));
    }
    fs.mkdirSync(path.join(modules, "@mlops"));
    for (const pkg of ["components", "policy"])
        if (fs.existsSync(path.join(dir, pkg))) fs.symlinkSync(path.join(dir, pkg), path.join(modules, "@mlops", pkg));
    fs.writeFileSync(path.join(dir, ".complete"), commit);
    return dir;
}

/** Whether the ref pins other packages than this checkout (then the base plan used this checkout's). */
export function lockfileDiffers(projectRoot: string, commit: string): boolean {
    try {
        git(projectRoot, ["diff", "--quiet", commit, "--", "package-lock.json"]);
        return false;
    } catch {
        return true;
    }
}

/** Plans a stack with the base tree's own program (its stacks/plan/plan.ts), in this process. */
export async function planBase(baseRoot: string, stack: string): Promise<Plan> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(baseRoot, "stacks", "plan", "plan")) as { planStack: (root: string, stack: string) => Promise<Plan> };
    return mod.planStack(baseRoot, stack);
}
