/**
 * Google Cloud list prices (USD, on-demand, before free tiers and committed-use discounts) for us-central1,
 * the region of the shipped gcp-dev and gcp-prod stacks, and the rule that prices each resource kind
 * those stacks register.
 *
 * Dated table. `verified: true` figures were read on the linked page (through the search tool) on the
 * table's date: the alerting price of $1.50 per condition-month. The others are the author's knowledge of
 * the linked pages, written down on that date (`verified: false`); refresh them from the pages when they matter.
 */
import { fixed, free, input, num, perMonth, rate, SECONDS_PER_MONTH, usage } from "../rules";
import { Charge, CloudPricing, HOURS_PER_MONTH, PriceTable, Rule, RuleContext } from "../types";

const KMS = "https://cloud.google.com/kms/pricing";
const OBSERVABILITY = "https://cloud.google.com/stackdriver/pricing";
const DISK = "https://cloud.google.com/compute/disks-image-pricing";
const VM = "https://cloud.google.com/compute/vm-instance-pricing";
const RUN = "https://cloud.google.com/run/pricing";
const SCHEDULER = "https://cloud.google.com/scheduler/pricing";
const AR = "https://cloud.google.com/artifact-registry/pricing";
const GCS = "https://cloud.google.com/storage/pricing";
const BQ = "https://cloud.google.com/bigquery/pricing";
const PUBSUB = "https://cloud.google.com/pubsub/pricing";
const WORKFLOWS = "https://cloud.google.com/workflows/pricing";
const VERTEX = "https://cloud.google.com/vertex-ai/pricing";
const COMPOSER = "https://cloud.google.com/composer/pricing";

const p = (usd: number, per: string, url: string, verified = false) => ({ usd, per, url, verified });

/** Compute Engine VM prices per hour (Workbench VMs). */
const VMS: Record<string, number> = {
    "e2-standard-2": 0.067006,
    "e2-standard-4": 0.134012,
    "e2-standard-8": 0.268024,
    "n1-standard-4": 0.189999,
    "g2-standard-4": 0.70683,
};

/** Vertex AI custom training and prediction node prices per hour (machine; G2 includes its L4 GPUs). */
const VERTEX_NODES: Record<string, number> = {
    "n1-standard-4": 0.218499,
    "n1-standard-8": 0.436998,
    "e2-standard-4": 0.154114,
    "g2-standard-4": 0.81286,
};

export const GCP_US_CENTRAL1: PriceTable = {
    region: "us-central1",
    read: "2026-12-03",
    prices: {
        "kms-key-version-month": p(0.06, "key version-month", KMS),
        "kms-hsm-key-version-month": p(1.0, "key version-month", KMS),
        "kms-operations": p(0.03, "10,000 operations", KMS),
        "alert-condition-month": p(1.5, "condition-month", OBSERVABILITY, true),
        "alert-time-series": p(0.35, "million time series returned", OBSERVABILITY, true),
        "logging-ingest-gib": p(0.5, "GiB ingested (first 50 GiB free)", OBSERVABILITY),
        "logging-retention-gib-month": p(0.01, "GiB-month beyond 30 days", OBSERVABILITY),
        "pd-balanced-gib-month": p(0.1, "GiB-month", DISK),
        "run-requests": p(0.4, "million requests", RUN),
        "run-vcpu-second": p(0.000024, "vCPU-second (request-based)", RUN),
        "run-gib-second": p(0.0000025, "GiB-second (request-based)", RUN),
        "run-idle-vcpu-second": p(0.0000025, "vCPU-second (idle minimum instance)", RUN),
        "run-idle-gib-second": p(0.0000025, "GiB-second (idle minimum instance)", RUN),
        "run-instance-vcpu-second": p(0.000018, "vCPU-second (instance-based)", RUN),
        "run-instance-gib-second": p(0.000002, "GiB-second (instance-based)", RUN),
        "run-l4-second": p(0.0001867, "L4 GPU-second", RUN),
        "scheduler-job-month": p(0.1, "job-month (3 free per billing account)", SCHEDULER),
        "ar-gb-month": p(0.1, "GB-month (0.5 GB free)", AR),
        "gcs-gb-month": p(0.02, "GB-month (Standard, regional)", GCS),
        "bq-storage-gb-month": p(0.02, "GB-month (active logical)", BQ),
        "bq-query-tib": p(6.25, "TiB scanned", BQ),
        "pubsub-tib": p(40, "TiB published or delivered", PUBSUB),
        "pubsub-retention-gib-month": p(0.27, "GiB-month of retained messages", PUBSUB),
        "workflows-steps": p(0.01, "1,000 internal steps (5,000 free)", WORKFLOWS),
        "tensorboard-gib-month": p(10, "GiB-month", VERTEX),
        "vertex-pipeline-run": p(0.03, "pipeline run (its steps' compute bills on top)", VERTEX),
        "monitoring-ingest-mib": p(0.258, "MiB of metric data ingested (first 150 MiB free)", OBSERVABILITY),
        ...Object.fromEntries(Object.entries(VMS).map(([type, usd]) => [`vm:${type}`, p(usd, "VM-hour", VM)])),
        ...Object.fromEntries(Object.entries(VERTEX_NODES).map(([type, usd]) => [`vertex:${type}`, p(usd, "node-hour", VERTEX)])),
    },
};

/** A Workbench VM that stops itself still bills its disks all month; the VM bills per hour while it runs. */
const workbench: Rule = (r, ctx) => {
    const boot = num(input(r, "gceSetup.bootDisk.diskSizeGb"), 150);
    const data = num(input(r, "gceSetup.dataDisks.diskSizeGb"), 100);
    const machine = String(input(r, "gceSetup.machineType") ?? "");
    return [
        fixed(`boot ${boot} GiB + data ${data} GiB balanced disks`, boot + data, "pd-balanced-gib-month", ctx),
        rate(`VM ${machine} while running (stops after its idle timeout)`, `vm:${machine}`, ctx),
    ];
};

const conditions: Rule = (r, ctx) => {
    const n = ((input(r, "conditions") as unknown[] | undefined) ?? []).length || 1;
    return [fixed(`${n} alert condition(s)`, n, "alert-condition-month", ctx), rate("time series returned", "alert-time-series", ctx)];
};

const cryptoKey: Rule = (r, ctx) => {
    const hsm = input(r, "versionTemplate.protectionLevel") === "HSM";
    return [
        fixed(
            `${hsm ? "HSM" : "software"} key, current version (each rotation adds one)`,
            1,
            hsm ? "kms-hsm-key-version-month" : "kms-key-version-month",
            ctx,
        ),
        rate("cryptographic operations", "kms-operations", ctx),
    ];
};

/** `"1"`, `"1000m"` -> vCPUs; `"512Mi"`, `"16Gi"` -> GiB. */
const vcpus = (v: unknown): number => (typeof v === "string" && v.endsWith("m") ? num(v.slice(0, -1)) / 1000 : num(v));
const gib = (v: unknown): number => {
    const s = String(v ?? "");
    if (s.endsWith("Gi")) return num(s.slice(0, -2));
    if (s.endsWith("Mi")) return num(s.slice(0, -2)) / 1024;
    if (s.endsWith("G")) return num(s.slice(0, -1));
    if (s.endsWith("M")) return num(s.slice(0, -1)) / 1024;
    return num(s) / 1024 ** 3;
};

/** Minimum instances of a Cloud Run service or function bill all month: at the idle rate when CPU is only allocated during requests, else instance-based. */
function minInstances(count: number, cpu: number, mem: number, gpus: number, alwaysOnCpu: boolean, ctx: RuleContext): Charge[] {
    const seconds = count * SECONDS_PER_MONTH;
    const [vcpuKey, gibKey] = alwaysOnCpu
        ? ["run-instance-vcpu-second", "run-instance-gib-second"]
        : ["run-idle-vcpu-second", "run-idle-gib-second"];
    const out = [
        fixed(`${count} min instance(s) x ${cpu} vCPU`, seconds * cpu, vcpuKey, ctx),
        fixed(`${count} min instance(s) x ${mem} GiB`, seconds * mem, gibKey, ctx),
    ];
    if (gpus > 0) out.push(fixed(`${count} min instance(s) x ${gpus} L4 GPU`, seconds * gpus, "run-l4-second", ctx));
    return out;
}

const runUsage = (ctx: RuleContext): Charge[] => [
    rate("requests", "run-requests", ctx),
    rate("vCPU while serving", "run-vcpu-second", ctx),
    rate("memory while serving", "run-gib-second", ctx),
];

const cloudRunService: Rule = (r, ctx) => {
    const min = num(input(r, "template.scaling.minInstanceCount") ?? input(r, "scaling.minInstanceCount"), 0);
    const res = input(r, "template.containers.0.resources") as { cpuIdle?: boolean; limits?: Record<string, string> } | undefined;
    const fixedPart =
        min > 0
            ? minInstances(
                  min,
                  vcpus(res?.limits?.cpu ?? "1"),
                  gib(res?.limits?.memory ?? "512Mi"),
                  num(res?.limits?.["nvidia.com/gpu"]),
                  res?.cpuIdle === false,
                  ctx,
              )
            : [];
    return [...fixedPart, ...runUsage(ctx)];
};

const cloudFunction: Rule = (r, ctx) => {
    const min = num(input(r, "serviceConfig.minInstanceCount"), 0);
    const fixedPart =
        min > 0
            ? minInstances(
                  min,
                  vcpus(input(r, "serviceConfig.availableCpu") ?? "1"),
                  gib(input(r, "serviceConfig.availableMemory") ?? "256Mi"),
                  0,
                  false,
                  ctx,
              )
            : [];
    return [...fixedPart, ...runUsage(ctx)];
};

const composer: Rule = () => [{ section: "unpriced", reason: `environment size decides the price: see ${COMPOSER}` }];

const RULES: Record<string, Rule> = {
    "gcp:kms/cryptoKey:CryptoKey": cryptoKey,
    "gcp:monitoring/alertPolicy:AlertPolicy": conditions,
    "gcp:workbench/instance:Instance": workbench,
    "gcp:cloudrunv2/service:Service": cloudRunService,
    "gcp:cloudfunctionsv2/function:Function": cloudFunction,
    "gcp:cloudscheduler/job:Job": perMonth("scheduler job", "scheduler-job-month"),
    "gcp:composer/environment:Environment": composer,
    "gcp:cloudrunv2/job:Job": usage(["vCPU while running", "run-vcpu-second"], ["memory while running", "run-gib-second"]),
    "gcp:artifactregistry/repository:Repository": usage(["image storage", "ar-gb-month"]),
    "gcp:storage/bucket:Bucket": usage(["storage", "gcs-gb-month"]),
    "gcp:bigquery/dataset:Dataset": usage(["storage", "bq-storage-gb-month"], ["queries (on demand)", "bq-query-tib"]),
    "gcp:pubsub/topic:Topic": usage(["throughput", "pubsub-tib"], ["retained messages", "pubsub-retention-gib-month"]),
    "gcp:pubsub/subscription:Subscription": usage(["retained acknowledged messages", "pubsub-retention-gib-month"]),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": usage(
        ["log ingestion", "logging-ingest-gib"],
        ["retention beyond 30 days", "logging-retention-gib-month"],
    ),
    "gcp:workflows/workflow:Workflow": usage(["workflow steps", "workflows-steps"]),
    "gcp:colab/schedule:Schedule": usage(["Vertex AI pipeline runs it starts", "vertex-pipeline-run"]),
    "gcp:logging/metric:Metric": usage(["log-based metric data", "monitoring-ingest-mib"]),
    "gcp:vertex/aiTensorboard:AiTensorboard": usage(["experiment data", "tensorboard-gib-month"]),
    "gcp:vertex/aiEndpoint:AiEndpoint": free("no charge itself: deployed models bill per node-hour (below, from the deploy settings)"),
    "gcp:eventarc/trigger:Trigger": free("Google-source events: no charge (delivery bills as Pub/Sub)"),
    "gcp:storage/bucketObject:BucketObject": free("stored in its bucket"),
    "gcp:bigquery/table:Table": free("stored in its dataset"),
    "gcp:compute/network:Network": free("no charge"),
    "gcp:compute/subnetwork:Subnetwork": free("no charge"),
};

for (const type of [
    "gcp:kms/keyRing:KeyRing",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:logging/projectSink:ProjectSink",
    "gcp:monitoring/notificationChannel:NotificationChannel",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/service:Service",
    "gcp:projects/serviceIdentity:ServiceIdentity",
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
    "gcp:serviceaccount/account:Account",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:cloudrunv2/jobIamMember:JobIamMember",
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    "gcp:eventarc/googleChannelConfig:GoogleChannelConfig",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:projects/iAMCustomRole:IAMCustomRole",
    "gcp:serviceaccount/iAMMember:IAMMember",
]) {
    RULES[type] ??= free("no charge");
}

interface GcpOutputs {
    mlPlatform?: { training?: { compute?: string; spot?: boolean; acceleratorCount?: number; acceleratorType?: string } };
    serverlessInference?: {
        deploySettings?: Record<
            string,
            { machineType?: string; minReplicaCount?: number; acceleratorType?: string; acceleratorCount?: number }
        >;
    };
}

export const GCP_PRICING: CloudPricing = {
    cloud: "gcp",
    defaultRegion: "us-central1",
    tables: { "us-central1": GCP_US_CENTRAL1 },
    rules: RULES,
    fromOutputs: (outputs, ctx) => {
        const o = (outputs ?? {}) as GcpOutputs;
        const out: { resource: string; kind: string; charges: Charge[] }[] = [];
        // Models deployed to Vertex endpoints bill their minimum replicas all month, traffic or not.
        for (const [model, d] of Object.entries(o.serverlessInference?.deploySettings ?? {})) {
            const min = d.minReplicaCount ?? 1;
            const machine = d.machineType ?? "";
            const gpu = d.acceleratorCount ? ` + ${d.acceleratorCount} ${d.acceleratorType}` : "";
            out.push({
                resource: `${model} (deployed model)`,
                kind: "vertex/deployedModel",
                charges: [fixed(`${min} node(s) x ${machine}${gpu}`, min * HOURS_PER_MONTH, `vertex:${machine}`, ctx)],
            });
        }
        const t = o.mlPlatform?.training;
        if (t?.compute) {
            const spot = t.spot ? " (on-demand rate; Spot VMs cost less)" : "";
            out.push({
                resource: "training jobs",
                kind: "vertex/customJob",
                charges: [rate(`per training node-hour on ${t.compute}${spot}`, `vertex:${t.compute}`, ctx)],
            });
        }
        return out;
    },
};
