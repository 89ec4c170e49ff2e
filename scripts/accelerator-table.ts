/**
 * The accelerator table of docs/accelerators.md, generated from the catalog so the docs cannot drift from
 * the code. `npm run --silent docs` rewrites the block between the accelerator-table markers there;
 * tests/unit/docs.test.ts fails when the page holds anything else.
 */
import * as fs from "fs";
import * as path from "path";
import { CLOUDS, SERVICES, Service, offeredAccelerators } from "@mlops/components";
import { implementationsByPillar } from "../stacks/targets";

export const DOC = path.resolve(__dirname, "..", "docs", "accelerators.md");
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

/** The table currently between the markers of a document, or undefined. */
export function docBlock(document: string): string | undefined {
    const start = document.indexOf(START);
    const end = document.indexOf(END);
    return start < 0 || end < start ? undefined : document.slice(start + START.length, end).trim();
}

if (require.main === module) {
    const doc = fs.readFileSync(DOC, "utf8");
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${DOC} lacks the ${START} ... ${END} markers`);
    fs.writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${acceleratorTable()}\n${doc.slice(end)}`);
    process.stdout.write(`updated ${path.relative(process.cwd(), DOC)}\n`);
}
