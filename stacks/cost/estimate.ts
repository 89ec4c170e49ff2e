/**
 * The monthly cost estimate of a plan: every cloud resource priced by its kind's rule against the dated
 * price table of the stack's region. Fixed lines (what bills while idle) add up to the fixed monthly total;
 * usage lines give the rates that matter; kinds without a rule are listed as unpriced, never counted as zero.
 */
import { AWS_PRICING } from "./prices/aws";
import { AZURE_PRICING } from "./prices/azure";
import { GCP_PRICING } from "./prices/gcp";
import { KUBERNETES_PRICING } from "./prices/kubernetes";
import {
    Charge,
    CloudPricing,
    CostInput,
    Estimate,
    FixedLine,
    FreeLine,
    HOURS_PER_MONTH,
    RuleContext,
    UnpricedLine,
    UsageLine,
} from "./types";

export const PRICING: Readonly<Record<string, CloudPricing>> = {
    aws: AWS_PRICING,
    gcp: GCP_PRICING,
    azure: AZURE_PRICING,
    kubernetes: KUBERNETES_PRICING,
};

/** `aws:ec2/natGateway:NatGateway` -> `ec2/natGateway`, `azure-native:network:PrivateEndpoint` -> `network:PrivateEndpoint`. */
export function shortKind(type: string): string {
    const [, mod = "", res = ""] = type.split(":");
    const last = mod.split("/").pop() ?? "";
    return last.toLowerCase() === res.toLowerCase() ? mod : `${mod}:${res}`;
}

const cents = (usd: number): number => Math.round(usd * 100) / 100;

/** Component resources and the stack are the program's own structure, not billed. */
const isStructure = (type: string): boolean => type.startsWith("mlops:") || type.startsWith("pulumi:");

/** Providers that create no cloud resource (random values, local TLS material). */
const isLocal = (type: string): boolean => type.startsWith("random:") || type.startsWith("tls:");

export function estimateCost(input: CostInput): Estimate {
    const pricing = PRICING[input.cloud];
    if (!pricing) throw new Error(`no prices for cloud "${input.cloud}" (priced: ${Object.keys(PRICING).join(", ")})`);
    const notes: string[] = [];
    let table = pricing.tables[input.region];
    if (!table) {
        table = pricing.tables[pricing.defaultRegion];
        notes.push(`no price table for region "${input.region}": ${table.region} prices stand in for it`);
    }
    const ctx: RuleContext = { table, resources: input.resources };
    const fixed: FixedLine[] = [];
    const usage = new Map<string, UsageLine & { resources: string[] }>();
    const unpriced: UnpricedLine[] = [];
    const free = new Map<string, FreeLine>();

    const add = (resource: string, kind: string, charges: Charge[]) => {
        for (const c of charges) {
            if (c.section === "fixed") {
                const price = table.prices[c.price];
                fixed.push({
                    resource,
                    kind,
                    item: c.item,
                    quantity: c.quantity,
                    per: price.per,
                    unitPrice: price.usd,
                    monthly: cents(c.quantity * price.usd),
                    url: price.url,
                    verified: price.verified,
                });
            } else if (c.section === "usage") {
                const price = table.prices[c.price];
                const key = `${kind}\u0000${c.item}\u0000${c.price}`;
                const line = usage.get(key);
                if (line) line.resources.push(resource);
                else
                    usage.set(key, {
                        kind,
                        resources: [resource],
                        item: c.item,
                        unitPrice: price.usd,
                        per: price.per,
                        url: price.url,
                        verified: price.verified,
                    });
            } else if (c.section === "unpriced") {
                unpriced.push({ resource, kind, reason: c.reason });
            } else {
                const line = free.get(kind);
                free.set(kind, { kind, count: (line?.count ?? 0) + 1, note: c.note });
            }
        }
    };

    for (const r of input.resources) {
        if (isStructure(r.type)) continue;
        const kind = shortKind(r.type);
        const rule = pricing.rules[r.type];
        if (rule) add(r.name, kind, rule(r, ctx));
        else if (isLocal(r.type)) add(r.name, kind, [{ section: "free", note: "made by the engine: no cloud resource" }]);
        else add(r.name, kind, [{ section: "unpriced", reason: "no price rule for this kind" }]);
    }
    for (const extra of pricing.fromOutputs?.(input.outputs, ctx) ?? []) add(extra.resource, extra.kind, extra.charges);

    return {
        stack: input.stack,
        cloud: input.cloud,
        region: input.region,
        priceRegion: table.region,
        pricesRead: table.read,
        currency: "USD",
        hoursPerMonth: HOURS_PER_MONTH,
        fixed,
        fixedMonthly: cents(fixed.reduce((sum, l) => sum + l.monthly, 0)),
        usage: [...usage.values()],
        unpriced,
        free: [...free.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
        notes,
    };
}
