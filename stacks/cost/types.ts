/**
 * The shapes of the cost estimate: dated price tables per cloud and region, the rule that prices each
 * resource kind, and the estimate itself (what `npm run cost` prints as text or JSON).
 */

/** Hours in the billing month every fixed line assumes (365 * 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** One list price. `per` names the unit (`hour`, `key-month`, `GB-month`, `million requests`). */
export interface Price {
    readonly usd: number;
    readonly per: string;
    /** The public pricing page the figure comes from. */
    readonly url: string;
    /** True when the figure was read on that page (through the search tool) on the table's date; false when it is the author's knowledge of it. */
    readonly verified: boolean;
}

/** A dated price table of one cloud in one region. */
export interface PriceTable {
    readonly region: string;
    /** When the figures were read (YYYY-MM-DD). */
    readonly read: string;
    readonly prices: Readonly<Record<string, Price>>;
}

/** A resource as the estimator sees it: an offline plan's resource or a recorded plan's. */
export interface CostResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs?: Readonly<Record<string, unknown>>;
    readonly parent?: string | null;
}

export interface CostInput {
    readonly stack: string;
    readonly cloud: string;
    /** The stack's region (`aws:region`, `gcp:region`, `azure-native:location`); "" on Kubernetes. */
    readonly region: string;
    readonly resources: readonly CostResource[];
    /** The stack outputs (training compute, deployed models), as the plan returns them. */
    readonly outputs: unknown;
}

/** What a rule says about one resource; the estimator turns these into the estimate's lines. */
export type Charge =
    | { readonly section: "fixed"; readonly item: string; readonly quantity: number; readonly price: string }
    | { readonly section: "usage"; readonly item: string; readonly price: string }
    | { readonly section: "unpriced"; readonly reason: string }
    | { readonly section: "free"; readonly note: string };

export interface RuleContext {
    readonly table: PriceTable;
    /** Every resource of the plan, for rules that read a sibling (an ECS service's task definition). */
    readonly resources: readonly CostResource[];
}

/** Prices one resource kind. */
export type Rule = (resource: CostResource, ctx: RuleContext) => Charge[];

/** One cloud's pricing: its tables (one per region priced) and a rule per resource kind its stacks register. */
export interface CloudPricing {
    readonly cloud: string;
    /** The region whose table stands in for a region without one (said in the estimate's notes). */
    readonly defaultRegion: string;
    readonly tables: Readonly<Record<string, PriceTable>>;
    readonly rules: Readonly<Record<string, Rule>>;
    /** Charges that come from the stack outputs rather than one resource (training compute, deployed models). */
    readonly fromOutputs?: (outputs: unknown, ctx: RuleContext) => { resource: string; kind: string; charges: Charge[] }[];
}

export interface FixedLine {
    readonly resource: string;
    readonly kind: string;
    readonly item: string;
    readonly quantity: number;
    readonly per: string;
    readonly unitPrice: number;
    readonly monthly: number;
    readonly url: string;
    readonly verified: boolean;
}

export interface UsageLine {
    readonly kind: string;
    /** The resources this rate applies to (one line per kind and item). */
    readonly resources: readonly string[];
    readonly item: string;
    readonly unitPrice: number;
    readonly per: string;
    readonly url: string;
    readonly verified: boolean;
}

export interface UnpricedLine {
    readonly resource: string;
    readonly kind: string;
    readonly reason: string;
}

export interface FreeLine {
    readonly kind: string;
    readonly count: number;
    readonly note: string;
}

export interface Estimate {
    readonly stack: string;
    readonly cloud: string;
    readonly region: string;
    /** The region whose prices were used (the stack's, or the cloud's default when its table is missing). */
    readonly priceRegion: string;
    readonly pricesRead: string;
    readonly currency: "USD";
    readonly hoursPerMonth: number;
    readonly fixed: FixedLine[];
    readonly fixedMonthly: number;
    readonly usage: UsageLine[];
    readonly unpriced: UnpricedLine[];
    readonly free: FreeLine[];
    readonly notes: string[];
}
