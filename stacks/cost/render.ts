/** The cost estimate as text: a table per section, the fixed monthly total, and the pages the prices come from. */
import { Estimate } from "./types";

function table(header: string[], rows: string[][], right: Set<number>): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

/** `$0.045`, `$32.85`, `$0.0000025`: enough digits to show the list price as published. */
export function usd(value: number, digits = 2): string {
    if (value !== 0 && Math.abs(value) < 0.01) return `$${Number(value.toPrecision(3))}`;
    return `$${value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) })}`;
}

const qty = (n: number): string =>
    Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 2 });

export function renderCost(e: Estimate): string {
    const sources: string[] = [];
    const ref = (url: string, verified: boolean): string => {
        let i = sources.indexOf(url);
        if (i < 0) i = sources.push(url) - 1;
        return `[${i + 1}]${verified ? "" : "*"}`;
    };
    const where = e.region ? `${e.cloud}, ${e.region}` : e.cloud;
    const out: string[] = [
        `Monthly cost estimate of stack "${e.stack}" (${where}): USD list prices${e.priceRegion ? ` for ${e.priceRegion}` : ""} read ${e.pricesRead}, ${e.hoursPerMonth} hours a month`,
        ...e.notes.map((n) => `note: ${n}`),
        "",
        "Fixed: bills while idle",
    ];
    out.push(
        e.fixed.length
            ? table(
                  ["resource", "kind", "item", "quantity", "unit", "unit price", "monthly", "source"],
                  e.fixed.map((l) => [
                      l.resource,
                      l.kind,
                      l.item,
                      qty(l.quantity),
                      l.per,
                      usd(l.unitPrice),
                      usd(l.monthly),
                      ref(l.url, l.verified),
                  ]),
                  new Set([3, 5, 6]),
              )
            : "(nothing)",
    );
    out.push(`Fixed monthly total: ${usd(e.fixedMonthly)}`, "", "Usage: bills per use, at these rates");
    out.push(
        e.usage.length
            ? table(
                  ["kind", "resources", "item", "unit price", "per", "source"],
                  e.usage.map((l) => [
                      l.kind,
                      l.resources.length > 2 ? `${l.resources[0]} and ${l.resources.length - 1} more` : l.resources.join(", "),
                      l.item,
                      usd(l.unitPrice),
                      l.per,
                      ref(l.url, l.verified),
                  ]),
                  new Set([3]),
              )
            : "(nothing)",
    );
    out.push("", "Unpriced: not counted in the total");
    out.push(
        e.unpriced.length
            ? table(
                  ["resource", "kind", "reason"],
                  e.unpriced.map((l) => [l.resource, l.kind, l.reason]),
                  new Set(),
              )
            : "(nothing)",
    );
    out.push("", "No charge of their own");
    out.push(
        e.free.length
            ? table(
                  ["kind", "count", "why"],
                  e.free.map((l) => [l.kind, String(l.count), l.note]),
                  new Set([1]),
              )
            : "(nothing)",
    );
    if (sources.length) {
        out.push("", "Sources (* = the author's knowledge of the page on that date, not read from it)");
        sources.forEach((url, i) => out.push(`[${i + 1}] ${url}`));
    }
    return out.join("\n");
}
