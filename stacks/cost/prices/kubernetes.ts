/**
 * The `dev` stack and any Kubernetes target: everything runs on the cluster you bring, so no resource bills
 * on its own. Its cost is the cluster's (nodes, volumes, load balancers), which this program does not
 * create; on a laptop cluster it is zero. A claim for a volume is listed as unpriced: what it costs depends
 * on the cluster's storage class.
 */
import { free } from "../rules";
import { CloudPricing, Rule } from "../types";

const IN_CLUSTER = free("runs on your cluster's nodes: billed as the cluster");

const rules: Record<string, Rule> = new Proxy(
    {
        "kubernetes:core/v1:PersistentVolumeClaim": () => [
            { section: "unpriced", reason: "a volume at the price of the cluster's storage class (zero on a laptop cluster)" },
        ],
        "kubernetes:core/v1:Service": (r) =>
            (r.inputs?.spec as { type?: string } | undefined)?.type === "LoadBalancer"
                ? [{ section: "unpriced", reason: "a cloud load balancer at the cluster provider's price" }]
                : [{ section: "free", note: "runs on your cluster's nodes: billed as the cluster" }],
    } as Record<string, Rule>,
    { get: (target, type: string) => target[type] ?? (type.startsWith("kubernetes:") ? IN_CLUSTER : undefined) },
);

export const KUBERNETES_PRICING: CloudPricing = {
    cloud: "kubernetes",
    defaultRegion: "",
    tables: { "": { region: "", read: "2026-12-03", prices: {} } },
    rules,
};
