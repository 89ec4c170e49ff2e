/** Small builders the per-cloud price files write their rules with. */
import { Charge, CostResource, HOURS_PER_MONTH, Rule, RuleContext } from "./types";

/** A value at a dotted path of a resource's inputs (`template.scale.minReplicas`, `productionVariants.0.instanceType`). */
export function input(r: CostResource, path: string): unknown {
    let v: unknown = r.inputs;
    for (const key of path.split(".")) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<string, unknown>)[key];
    }
    return v;
}

export function num(value: unknown, fallback = 0): number {
    const n = typeof value === "number" ? value : typeof value === "string" ? Number.parseFloat(value) : Number.NaN;
    return Number.isFinite(n) ? n : fallback;
}

/** A kind with no charge of its own. */
export const free =
    (note: string): Rule =>
    () => [{ section: "free", note }];

/** A kind that bills only with use, at these rates (price keys of the table). */
export const usage =
    (...rates: [item: string, price: string][]): Rule =>
    () =>
        rates.map(([item, price]) => ({ section: "usage", item, price }));

/** A kind billed a flat amount per resource-month (a KMS key, an alarm), plus usage rates. */
export const perMonth =
    (item: string, price: string, ...rates: [item: string, price: string][]): Rule =>
    (r, ctx) => [fixed(item, 1, price, ctx), ...usage(...rates)(r, ctx)];

/** A kind billed by the hour while it exists (a NAT gateway, a load balancer), plus usage rates. */
export const perHour =
    (item: string, price: string, ...rates: [item: string, price: string][]): Rule =>
    (r, ctx) => [fixed(item, HOURS_PER_MONTH, price, ctx), ...usage(...rates)(r, ctx)];

/** A fixed charge, or an unpriced line naming the missing price when the table has none. */
export function fixed(item: string, quantity: number, price: string, ctx: RuleContext): Charge {
    if (!ctx.table.prices[price]) return { section: "unpriced", reason: `${item}: no price "${price}" in the ${ctx.table.region} table` };
    return { section: "fixed", item, quantity, price };
}

/** A usage rate, or an unpriced line naming the missing price. */
export function rate(item: string, price: string, ctx: RuleContext): Charge {
    if (!ctx.table.prices[price]) return { section: "unpriced", reason: `${item}: no price "${price}" in the ${ctx.table.region} table` };
    return { section: "usage", item, price };
}

/** Seconds in the billing month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
