/**
 * `npm run --silent plans:record [-- <stack> ...]`: writes the recorded plan of each shipped stack (all of
 * them by default) to tests/fixtures/plans/<stack>.json. Run it when a change to the plan is intended, and
 * review the diff of those files with the change: it is exactly what the change does to the stacks.
 */
import * as fs from "fs";
import * as path from "path";
import { planStack } from "../stacks/plan/plan";
import { recordPlan } from "../stacks/plan/recorded";
import { listStacks } from "../stacks/plan/stack-config";
import { exitWhenFlushed } from "../stacks/plan/exit";

const ROOT = path.resolve(__dirname, "..");
const RECORD_DIR = path.join(ROOT, "tests", "fixtures", "plans");

async function main(): Promise<number> {
    const asked = process.argv.slice(2);
    const stacks = asked.length > 0 ? asked : listStacks(ROOT);
    fs.mkdirSync(RECORD_DIR, { recursive: true });
    for (const stack of stacks) {
        const record = recordPlan(await planStack(ROOT, stack));
        const file = path.join(RECORD_DIR, `${stack}.json`);
        fs.writeFileSync(file, `${JSON.stringify(record, null, 1)}\n`);
        process.stdout.write(`${path.relative(ROOT, file)}: ${record.resources.length} resources\n`);
    }
    return 0;
}

main().then(exitWhenFlushed, (e) => {
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    exitWhenFlushed(1);
});
