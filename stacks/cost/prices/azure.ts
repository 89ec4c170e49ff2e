/**
 * Azure list prices (USD, pay-as-you-go, before free grants) for swedencentral, the location of the shipped
 * azure-dev and azure-prod stacks, and the rule that prices each resource kind those stacks register.
 *
 * Dated table. `verified: true` figures were read on the linked page (through the search tool) on the
 * table's date: the container registry's Basic daily price. The others are the author's knowledge of the
 * linked pages (`verified: false`), often quoted for US regions; Sweden Central lists most of these
 * services at the same or a slightly higher price. Refresh them from the pages when they matter.
 */
import { fixed, free, input, num, perMonth, rate, SECONDS_PER_MONTH, usage } from "../rules";
import { Charge, CloudPricing, HOURS_PER_MONTH, PriceTable, Rule } from "../types";

const ACR = "https://azure.microsoft.com/pricing/details/container-registry/";
const EVENT_HUBS = "https://azure.microsoft.com/pricing/details/event-hubs/";
const PRIVATE_LINK = "https://azure.microsoft.com/pricing/details/private-link/";
const DNS = "https://azure.microsoft.com/pricing/details/dns/";
const MONITOR = "https://azure.microsoft.com/pricing/details/monitor/";
const APPS = "https://azure.microsoft.com/pricing/details/container-apps/";
const KEY_VAULT = "https://azure.microsoft.com/pricing/details/key-vault/";
const STORAGE = "https://azure.microsoft.com/pricing/details/storage/data-lake/";
const QUEUES = "https://azure.microsoft.com/pricing/details/storage/queues/";
const EVENT_GRID = "https://azure.microsoft.com/pricing/details/event-grid/";
const SYNAPSE = "https://azure.microsoft.com/pricing/details/synapse-analytics/";
const AML = "https://azure.microsoft.com/pricing/details/machine-learning/";
const VMS = "https://azure.microsoft.com/pricing/details/virtual-machines/linux/";
const LOAD_BALANCER = "https://azure.microsoft.com/pricing/details/load-balancer/";
const PUBLIC_IP = "https://azure.microsoft.com/pricing/details/ip-addresses/";
const LOGIC = "https://azure.microsoft.com/pricing/details/logic-apps/";

const p = (usd: number, per: string, url: string, verified = false) => ({ usd, per, url, verified });

/** VM prices per hour for Azure ML compute (on-demand; low priority is about 80% less). */
const VM_SIZES: Record<string, number> = {
    Standard_DS3_v2: 0.293,
    Standard_D4s_v3: 0.192,
    Standard_NC4as_T4_v3: 0.526,
    Standard_NC8as_T4_v3: 0.752,
    Standard_NC24ads_A100_v4: 3.673,
};

export const AZURE_SWEDENCENTRAL: PriceTable = {
    region: "swedencentral",
    read: "2026-12-03",
    prices: {
        "acr-basic-day": p(0.167, "registry-day", ACR, true),
        "acr-standard-day": p(0.667, "registry-day", ACR),
        "acr-premium-day": p(1.667, "registry-day", ACR),
        "acr-storage-gb-month": p(0.1, "GB-month beyond the included storage", ACR),
        "eventhubs-basic-tu-hour": p(0.015, "throughput unit-hour", EVENT_HUBS),
        "eventhubs-standard-tu-hour": p(0.03, "throughput unit-hour", EVENT_HUBS),
        "eventhubs-capture-tu-hour": p(0.1, "throughput unit-hour of Capture", EVENT_HUBS),
        "eventhubs-premium-pu-hour": p(1.233, "processing unit-hour", EVENT_HUBS),
        "eventhubs-events": p(0.028, "million ingress events", EVENT_HUBS),
        "private-endpoint-hour": p(0.01, "endpoint-hour", PRIVATE_LINK),
        "private-endpoint-gb": p(0.01, "GB processed", PRIVATE_LINK),
        "private-dns-zone-month": p(0.5, "zone-month", DNS),
        "private-dns-queries": p(0.4, "million queries", DNS),
        "metric-alert-signal-month": p(0.1, "signal-month", MONITOR),
        "log-analytics-gb": p(2.3, "GB ingested", MONITOR),
        "log-analytics-retention-gb-month": p(0.1, "GB-month beyond 31 days", MONITOR),
        "apps-vcpu-second": p(0.000024, "vCPU-second (active)", APPS),
        "apps-gib-second": p(0.000003, "GiB-second (active)", APPS),
        "apps-idle-vcpu-second": p(0.000003, "vCPU-second (idle minimum replica)", APPS),
        "apps-idle-gib-second": p(0.000003, "GiB-second (idle minimum replica)", APPS),
        "apps-requests": p(0.4, "million requests (2 million free)", APPS),
        "keyvault-operations": p(0.03, "10,000 operations (RSA 2048)", KEY_VAULT),
        "keyvault-advanced-operations": p(0.15, "10,000 operations (RSA 3072/4096)", KEY_VAULT),
        "keyvault-rotation": p(1.0, "scheduled key rotation", KEY_VAULT),
        "storage-lrs-gb-month": p(0.0196, "GB-month (hot, LRS)", STORAGE),
        "storage-grs-gb-month": p(0.0392, "GB-month (hot, GRS)", STORAGE),
        "storage-zrs-gb-month": p(0.0246, "GB-month (hot, ZRS)", STORAGE),
        "queue-operations": p(0.004, "10,000 operations", QUEUES),
        "eventgrid-operations": p(0.6, "million operations (100,000 free)", EVENT_GRID),
        "synapse-serverless-tb": p(5, "TB processed", SYNAPSE),
        "lb-standard-hour": p(0.025, "load balancer-hour (first 5 rules)", LOAD_BALANCER),
        "lb-standard-gb": p(0.005, "GB processed", LOAD_BALANCER),
        "public-ip-standard-hour": p(0.005, "static IP-hour (Standard)", PUBLIC_IP),
        "log-alert-rule-month": p(0.5, "log alert rule-month (evaluated every 15 minutes or less often)", MONITOR),
        "logic-action": p(0.000025, "built-in action or trigger execution (consumption)", LOGIC),
        ...Object.fromEntries(
            Object.entries(VM_SIZES).map(([size, usd]) => [`vm:${size}`, p(usd, "node-hour", size.startsWith("Standard_N") ? AML : VMS)]),
        ),
    },
};

const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

const registry: Rule = (r, ctx) => {
    const sku = String(input(r, "sku.name") ?? "Basic");
    return [
        fixed(`${sku} registry`, DAYS_PER_MONTH, `acr-${sku.toLowerCase()}-day`, ctx),
        rate("storage beyond the SKU's included GB", "acr-storage-gb-month", ctx),
    ];
};

/** A namespace bills its throughput units all month; Capture on Standard adds its own hourly price per unit. */
const eventHubsNamespace: Rule = (r, ctx) => {
    const tier = String(input(r, "sku.name") ?? "Standard").toLowerCase();
    const units = num(input(r, "sku.capacity"), 1);
    const key = tier === "premium" ? "eventhubs-premium-pu-hour" : `eventhubs-${tier}-tu-hour`;
    const charges = [
        fixed(`${tier} namespace, ${units} unit(s)`, units * HOURS_PER_MONTH, key, ctx),
        rate("ingress events", "eventhubs-events", ctx),
    ];
    const namespace = input(r, "namespaceName");
    const capture = ctx.resources.some(
        (h) =>
            h.type === "azure-native:eventhub:EventHub" &&
            input(h, "namespaceName") === namespace &&
            input(h, "captureDescription.enabled") === true,
    );
    if (capture && tier === "standard")
        charges.push(fixed(`Capture, ${units} unit(s)`, units * HOURS_PER_MONTH, "eventhubs-capture-tu-hour", ctx));
    return charges;
};

/** Minimum replicas bill all month at the idle rate; the rest bills per use. */
const containerApp: Rule = (r, ctx) => {
    const min = num(input(r, "template.scale.minReplicas"), 0);
    const res = input(r, "template.containers.0.resources") as { cpu?: number; memory?: string } | undefined;
    const cpu = num(res?.cpu, 0.5);
    const mem = num(String(res?.memory ?? "1Gi").replace(/Gi$/, ""), 1);
    const out: Charge[] = [];
    const profile = input(r, "workloadProfileName") as string | undefined;
    if (min > 0 && profile && profile !== "Consumption")
        out.push({
            section: "unpriced",
            reason: `${min} min replica(s) on workload profile "${profile}" (serverless GPU): GPU-seconds not in the table, see ${APPS}`,
        });
    else if (min > 0) {
        out.push(fixed(`${min} min replica(s) x ${cpu} vCPU (idle)`, min * cpu * SECONDS_PER_MONTH, "apps-idle-vcpu-second", ctx));
        out.push(fixed(`${min} min replica(s) x ${mem} GiB (idle)`, min * mem * SECONDS_PER_MONTH, "apps-idle-gib-second", ctx));
    }
    out.push(
        rate("requests", "apps-requests", ctx),
        rate("vCPU while active", "apps-vcpu-second", ctx),
        rate("memory while active", "apps-gib-second", ctx),
    );
    return out;
};

/**
 * An environment in a virtual network of the stack's bills, besides its apps, the managed resources Azure puts in
 * its infrastructure resource group: one Standard load balancer (two for an internal consumption-only environment),
 * one static public IP for egress and, when external, one for ingress (Microsoft, "Virtual network configuration":
 * managed resources). Dedicated workload profiles are not in the table.
 */
const managedEnvironment: Rule = (r, ctx) => {
    const profiles = (input(r, "workloadProfiles") as { workloadProfileType?: string }[] | undefined) ?? [];
    const dedicated = profiles.filter((w) => w.workloadProfileType && !w.workloadProfileType.startsWith("Consumption"));
    const out: Charge[] = dedicated.length
        ? [
              {
                  section: "unpriced",
                  reason: `dedicated workload profiles (${dedicated.map((w) => w.workloadProfileType).join(", ")}): see ${APPS}`,
              },
          ]
        : [];
    if (input(r, "vnetConfiguration.infrastructureSubnetId") !== undefined) {
        const internal = input(r, "vnetConfiguration.internal") === true;
        const balancers = profiles.length === 0 && internal ? 2 : 1;
        const ips = internal ? 1 : 2;
        out.push(
            fixed(`${balancers} Standard load balancer(s) in its virtual network`, balancers * HOURS_PER_MONTH, "lb-standard-hour", ctx),
            fixed(
                `${ips} static public IP(s) (${internal ? "egress" : "egress and ingress"})`,
                ips * HOURS_PER_MONTH,
                "public-ip-standard-hour",
                ctx,
            ),
            rate("load balancer data processed", "lb-standard-gb", ctx),
        );
    }
    return out.length ? out : [{ section: "free", note: "consumption profiles outside a virtual network: no charge (its apps bill)" }];
};

/** Key operations bill per use; each scheduled rotation bills once (P90D: about 4 a year). */
const key: Rule = (r, ctx) => {
    const advanced = num(input(r, "properties.keySize"), 2048) > 2048;
    const charges: Charge[] = [rate("key operations", advanced ? "keyvault-advanced-operations" : "keyvault-operations", ctx)];
    const actions =
        (input(r, "properties.rotationPolicy.lifetimeActions") as
            { action?: { type?: string }; trigger?: { timeAfterCreate?: string } }[] | undefined) ?? [];
    const rotate = actions.find((a) => a.action?.type?.toLowerCase() === "rotate");
    const days = num(/^P(\d+)D$/.exec(rotate?.trigger?.timeAfterCreate ?? "")?.[1], 0);
    if (days > 0) charges.unshift(fixed(`rotation every ${days} days`, 365 / days / 12, "keyvault-rotation", ctx));
    return charges;
};

const metricAlert: Rule = (r, ctx) => {
    const criteria = ((input(r, "criteria.allOf") as unknown[] | undefined) ?? []).length || 1;
    const scopes = ((input(r, "scopes") as unknown[] | undefined) ?? []).length || 1;
    return [fixed(`${criteria * scopes} monitored signal(s)`, criteria * scopes, "metric-alert-signal-month", ctx)];
};

const storageAccount: Rule = (r, ctx) => {
    const sku = String(input(r, "sku.name") ?? "Standard_LRS");
    const redundancy = sku.includes("ZRS") ? "zrs" : sku.includes("GRS") ? "grs" : "lrs";
    return [rate(`storage (${sku})`, `storage-${redundancy}-gb-month`, ctx)];
};

const amlCompute: Rule = (r, ctx) => {
    const size = String(input(r, "properties.properties.vmSize") ?? "");
    const min = num(input(r, "properties.properties.scaleSettings.minNodeCount"), 0);
    const low =
        input(r, "properties.properties.vmPriority") === "LowPriority" ? " (on-demand rate; low priority costs about 80% less)" : "";
    const out: Charge[] = [];
    if (min > 0) out.push(fixed(`${min} node(s) kept x ${size}`, min * HOURS_PER_MONTH, `vm:${size}`, ctx));
    out.push(rate(`per training node-hour on ${size}${low}`, `vm:${size}`, ctx));
    return out;
};

const RULES: Record<string, Rule> = {
    "azure-native:containerregistry:Registry": registry,
    "azure-native:eventhub:Namespace": eventHubsNamespace,
    "azure-native:network:PrivateEndpoint": (r, ctx) => [
        fixed("private endpoint", HOURS_PER_MONTH, "private-endpoint-hour", ctx),
        rate("data processed", "private-endpoint-gb", ctx),
    ],
    "azure-native:privatedns:PrivateZone": perMonth("private DNS zone", "private-dns-zone-month", ["queries", "private-dns-queries"]),
    "azure-native:monitor:MetricAlert": metricAlert,
    "azure-native:app:ContainerApp": containerApp,
    "azure-native:app:ManagedEnvironment": managedEnvironment,
    "azure-native:app:Job": usage(["vCPU while running", "apps-vcpu-second"], ["memory while running", "apps-gib-second"]),
    "azure-native:keyvault:Key": key,
    "azure-native:storage:StorageAccount": storageAccount,
    "azure-native:storage:Queue": usage(["queue operations", "queue-operations"]),
    "azure-native:eventgrid:SystemTopic": usage(["event deliveries", "eventgrid-operations"]),
    "azure-native:operationalinsights:Workspace": usage(
        ["log ingestion", "log-analytics-gb"],
        ["retention beyond 31 days", "log-analytics-retention-gb-month"],
    ),
    "azure-native:applicationinsights:Component": usage(["telemetry ingestion (into its workspace)", "log-analytics-gb"]),
    "azure-native:synapse:Workspace": usage(["serverless SQL queries", "synapse-serverless-tb"]),
    "azure-native:machinelearningservices:Compute": amlCompute,
    "azure-native:monitor:ScheduledQueryRule": (r, ctx) => [fixed("log alert rule", 1, "log-alert-rule-month", ctx)],
    "azure-native:logic:Workflow": usage(["actions and triggers run (a recurrence trigger runs while idle)", "logic-action"]),
    "azure-native:machinelearningservices:Schedule": free("no charge itself: the jobs it starts bill on their cluster"),
    "azure-native:machinelearningservices:EnvironmentVersion": free("no charge: a reference to a public image (no build)"),
    "azure-native:machinelearningservices:Workspace": free("no charge itself: its compute, storage, registry and key vault bill"),
    "azure-native:keyvault:Vault": free("no charge itself: key operations bill"),
    "azure-native:eventhub:EventHub": free("billed as its namespace's units (and Capture)"),
    "azure-native:storage:BlobContainer": free("stored in its account"),
};

for (const type of [
    "azure-native:authorization:RoleAssignment",
    "azure-native:authorization:RoleDefinition",
    "azure-native:authorization:ManagementLockByScope",
    "azure-native:eventgrid:SystemTopicEventSubscription",
    "azure-native:machinelearningservices:Datastore",
    "azure-native:machinelearningservices:ModelContainer",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:monitor:ActionGroup",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:network:VirtualNetwork",
    "azure-native:privatedns:PrivateRecordSet",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:resources:ResourceGroup",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:storage:ManagementPolicy",
    "azure-native:synapse:WorkspaceAadAdmin",
]) {
    RULES[type] ??= free("no charge");
}

export const AZURE_PRICING: CloudPricing = {
    cloud: "azure",
    defaultRegion: "swedencentral",
    tables: { swedencentral: AZURE_SWEDENCENTRAL },
    // Training is priced on the compute cluster resource itself (its VM size is the catalog's).
    rules: RULES,
};
