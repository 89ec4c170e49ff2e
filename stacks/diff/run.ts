/**
 * The PR report of stacks against a base commit: head = the working tree's live offline plan, base = the
 * recorded plan at the base commit; the policy delta runs the head's pack on the base tree's plan and the head's.
 */
import { policies } from "../../policy/rules";
import { Finding } from "../../policy/run/engine";
import { checkPlanned, planForPolicies } from "../../policy/run/offline";
import { stackPlace } from "../cost/inputs";
import { planStack } from "../plan/plan";
import { recordPlan } from "../plan/recorded";
import { baseTree, lockfileDiffers, planBase, recordedAt, resolveRef } from "./base";
import { StackDiff, stackDiff } from "./report";

export interface RunOptions {
    readonly projectRoot: string;
    readonly ref: string;
    readonly stacks: readonly string[];
    /** A commit to use as the head instead of the working tree (its recorded plan; docs/pr-review.md's example). */
    readonly headRef?: string;
    /** Skip the policy delta (it plans the base too, which takes a few seconds per stack). */
    readonly policy: boolean;
}

async function findings(projectRoot: string, stack: string, plan: ReturnType<typeof planStack>): Promise<Finding[]> {
    return (await checkPlanned(await planForPolicies(projectRoot, stack, plan), policies)).findings;
}

export async function diffStacks(o: RunOptions): Promise<StackDiff[]> {
    const commit = resolveRef(o.projectRoot, o.ref);
    const out: StackDiff[] = [];
    let tree: string | undefined;
    for (const stack of o.stacks) {
        const basePlan = recordedAt(o.projectRoot, commit, stack);
        const notes: string[] = [];
        if (basePlan && !tree) tree = baseTree(o.projectRoot, commit);
        const headRoot = o.headRef ? baseTree(o.projectRoot, resolveRef(o.projectRoot, o.headRef)) : o.projectRoot;
        const headPlace = stackPlace(headRoot, stack);
        const basePlace = basePlan && tree ? stackPlace(tree, stack) : headPlace;
        const live = o.headRef ? planBase(headRoot, stack) : planStack(o.projectRoot, stack);
        const recorded = o.headRef ? recordedAt(o.projectRoot, resolveRef(o.projectRoot, o.headRef), stack) : null;
        const headPlan = recorded ?? recordPlan(await live);
        let found: { before: Finding[]; after: Finding[] } | undefined;
        if (o.policy) {
            const after = await findings(headRoot, stack, live);
            const before = basePlan && tree ? await findings(tree, stack, planBase(tree, stack)) : [];
            found = { before, after };
            if (basePlan && tree && lockfileDiffers(o.projectRoot, commit))
                notes.push("package-lock.json differs at the base: its policy plan used this checkout's packages");
        }
        out.push(stackDiff({ stack, base: { ref: o.ref, commit }, basePlan, basePlace, headPlan, headPlace, findings: found, notes }));
    }
    return out;
}
