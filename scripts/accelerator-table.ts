/**
 * The README's accelerator table, generated from the catalog so the docs cannot drift from the code.
 * `npm run --silent docs` rewrites the block between the accelerator-table markers in README.md;
 * tests/unit/docs.test.ts fails when the README holds anything else.
 */
import * as fs from "fs";
import * as path from "path";
import { CLOUDS, SERVICES, Service, offeredAccelerators } from "@mlops/components";
import { implementationsByPillar } from "../stacks/targets";

export const README = path.resolve(__dirname, "..", "README.md");
export const START = "<!-- accelerator-table:start -->";
export const END = "<!-- accelerator-table:end -->";

/** Which `mlops:` implementations run on a catalog service, e.g. `serverlessInference: sagemaker-endpoint`. */
function usedBy(cloud: (typeof CLOUDS)[number], service: Service): string {
    const uses: string[] = [];
    for (const [pillar, clouds] of Object.entries(implementationsByPillar())) {
        for (const [impl, svc] of Object.entries((clouds as Record<string, Record<string, string>>)[cloud])) {
            if (svc === service) uses.push(`${pillar} \`${impl}\``);
        }
    }
    return uses.join(", ") || "catalog only (node pools, VMs)";
}

export function acceleratorTable(): string {
    const rows = ["| cloud | service | used by | accelerators (counts per instance) |", "|---|---|---|---|"];
    for (const cloud of CLOUDS) {
        for (const service of SERVICES[cloud] as readonly Service[]) {
            const offered = offeredAccelerators(cloud, service);
            rows.push(`| ${cloud} | ${service} | ${usedBy(cloud, service)} | ${offered.length ? offered.join(", ") : "none (CPU only)"} |`);
        }
    }
    return rows.join("\n");
}

export function readmeBlock(readme: string): string | undefined {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    return start < 0 || end < start ? undefined : readme.slice(start + START.length, end).trim();
}

if (require.main === module) {
    const readme = fs.readFileSync(README, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
    fs.writeFileSync(README, `${readme.slice(0, start + START.length)}\n${acceleratorTable()}\n${readme.slice(end)}`);
    process.stdout.write("README.md accelerator table updated\n");
}
