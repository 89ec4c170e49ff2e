/** Text and JSON renderings of an offline policy run. */
import { StackReport } from "./offline";

/** The last `::`-separated part of a URN: the resource's name. */
const nameOf = (urn?: string): string => (urn ? (urn.split("::").pop() ?? urn) : "(stack)");
const typeOf = (urn?: string): string => (urn ? (urn.split("::")[2]?.split("$").pop() ?? "") : "");

export function renderText(report: StackReport): string {
    const mandatory = report.findings.filter((f) => f.enforcementLevel === "mandatory");
    const advisory = report.findings.filter((f) => f.enforcementLevel === "advisory");
    const lines = [
        `Policy pack mlops on stack ${report.stack} (environment ${report.environment}, ${report.resources} resources, offline)`,
    ];
    for (const [title, list] of [
        ["Mandatory violations", mandatory],
        ["Advisory findings", advisory],
    ] as const) {
        lines.push("", `${title}: ${list.length}`);
        for (const f of list) lines.push(`  [${f.enforcementLevel}] ${f.policy}  ${typeOf(f.urn)} ${nameOf(f.urn)}`, `      ${f.message}`);
    }
    lines.push("", mandatory.length > 0 ? `FAILED: ${mandatory.length} mandatory violation(s)` : "PASSED: no mandatory violations");
    return lines.join("\n");
}

export function renderJson(report: StackReport): string {
    return JSON.stringify(
        {
            stack: report.stack,
            environment: report.environment,
            resources: report.resources,
            mandatory: report.findings.filter((f) => f.enforcementLevel === "mandatory").length,
            advisory: report.findings.filter((f) => f.enforcementLevel === "advisory").length,
            findings: report.findings.map((f) => ({
                policy: f.policy,
                enforcementLevel: f.enforcementLevel,
                severity: f.severity ?? null,
                urn: f.urn ?? null,
                message: f.message,
            })),
        },
        null,
        2,
    );
}
