/**
 * Bad config, as a new user would type it, on every shipped stack and in every section: each case is a
 * shipped stack's config with one mutation, and must be refused by the config parser (before any resource
 * exists) with ONE ValidationError that names the key the user wrote, lists no problem twice, and is not
 * a crash. Grouped cases prove every problem of several sections comes in the one error, and that the
 * program (parse, then build, under the mocked engine) registers nothing but the stack root.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { buildStack } from "../../stacks/build";
import { parseStackConfig } from "../../stacks/config/parse";
import { capture } from "../../stacks/plan/capture";
import { loadStackConfig, LoadedStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");

const STACKS = ["dev", "aws-dev", "aws-prod", "gcp-dev", "gcp-prod", "azure-dev", "azure-prod"] as const;
type Stack = (typeof STACKS)[number];

/** Removes a key (or a field of a structured value). */
const DELETE = Symbol("delete");

/**
 * One edit of the config map: `key` is namespaced (`mlops:` when no namespace is given); `at` is a path
 * inside its structured value (`aws.vpcCidr`, `[0].image`), empty for the whole value; `raw` sets the
 * string as the CLI hands it (`""` for `key:` with nothing after it).
 */
interface Mutation {
    readonly key: string;
    readonly at: string;
    readonly value?: unknown;
    readonly raw?: string;
    /** Inserts this item at the head of the list (`models`). */
    readonly prepend?: unknown;
}

const set = (key: string, at: string, value: unknown): Mutation => ({ key, at, value });
const raw = (key: string, value: string): Mutation => ({ key, at: "", raw: value });
const prepend = (key: string, item: unknown): Mutation => ({ key, at: "", prepend: item });

interface Case {
    readonly stack: Stack;
    readonly section: string;
    readonly title: string;
    readonly mutations: readonly Mutation[];
    /** The key path the error must name (a problem starts with it). */
    readonly expect: string;
}

const full = (key: string) => (key.includes(":") ? key : `mlops:${key}`);

function segments(at: string): (string | number)[] {
    return [...at.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

function setIn(target: unknown, parts: (string | number)[], value: unknown): unknown {
    if (parts.length === 0) return value;
    const [head, ...rest] = parts;
    const container: any = target ?? (typeof head === "number" ? [] : {});
    const copy: any = Array.isArray(container) ? [...container] : { ...container };
    if (rest.length === 0 && value === DELETE) {
        if (Array.isArray(copy)) copy.splice(head as number, 1);
        else delete copy[head];
        return copy;
    }
    copy[head] = setIn(copy[head], rest, value);
    return copy;
}

function mutate(config: Readonly<Record<string, string>>, mutations: readonly Mutation[]): Record<string, string> {
    const out: Record<string, string> = { ...config };
    for (const m of mutations) {
        const key = full(m.key);
        if (m.raw !== undefined) {
            out[key] = m.raw;
            continue;
        }
        if (m.prepend !== undefined) {
            out[key] = JSON.stringify([m.prepend, ...(JSON.parse(out[key]) as unknown[])]);
            continue;
        }
        if (m.at === "" && m.value === DELETE) {
            delete out[key];
            continue;
        }
        const current = out[key] === undefined ? undefined : JSON.parse(out[key]);
        const next = setIn(current, segments(m.at), m.value);
        out[key] = typeof next === "string" ? next : JSON.stringify(next);
    }
    return out;
}

const loaded = new Map<Stack, LoadedStackConfig>();
function shipped(stack: Stack): LoadedStackConfig {
    if (!loaded.has(stack)) loaded.set(stack, loadStackConfig(ROOT, stack));
    return loaded.get(stack)!;
}

/** Parses the mutated config the way the program does; returns the ValidationError (fails on anything else). */
function rejectedAtParse(stack: Stack, mutations: readonly Mutation[]): ValidationError {
    const base = shipped(stack);
    const config = mutate(base.config, mutations);
    let error: unknown;
    try {
        parseStackConfig(config, { project: base.project, stack: base.stack, projectRoot: ROOT });
    } catch (e) {
        error = e;
    }
    if (error === undefined) assert.fail(`parse accepted it (it must be refused before any resource exists)`);
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got:\n${(error as Error)?.stack ?? String(error)}`);
    assert.ok(error.message.startsWith(`stack config "${stack}" is invalid`), error.message);
    return error;
}

/** Asserts a problem names `key` (the key itself, or a path under it) and that no problem is listed twice. */
function assertNames(error: ValidationError, key: string): void {
    const names = (p: string) => p.startsWith(key) && [":", ".", "["].includes(p.charAt(key.length));
    assert.ok(error.problems.some(names), `no problem names ${key}:\n${error.message}`);
    assert.equal(new Set(error.problems).size, error.problems.length, `a problem is listed twice:\n${error.message}`);
    const paths = error.problems.map((p) => p.slice(0, p.indexOf(": ")));
    const repeated = paths.filter((p, i) => paths.indexOf(p) !== i);
    assert.deepEqual(repeated, [], `a key is reported twice:\n${error.message}`);
    assert.ok(!/README/.test(error.message), `a message points to README:\n${error.message}`);
    assert.ok(!/\n\s+at /.test(error.message), `a message carries a stack trace:\n${error.message}`);
}

const m0 = "models[0]";

// ------------------------------------------------------------------------------------------- the table
const CASES: Case[] = [];
const add = (stack: Stack, section: string, title: string, expect: string, ...mutations: Mutation[]) =>
    CASES.push({ stack, section, title, mutations, expect: full(expect) });

// ---- cloud / environment / top-level keys (every stack)
for (const stack of STACKS) {
    add(stack, "cloud/environment", "cloud in capitals", "cloud", raw("cloud", "AWS"));
    add(stack, "cloud/environment", "environment spelled out", "environment", raw("environment", "production"));
    add(stack, "cloud/environment", "a top-level key typo", "mlops:model", set("model", "", [{ name: "x" }]));
}
add("dev", "cloud/environment", "cloud blank", "cloud", raw("cloud", ""));
add("aws-dev", "cloud/environment", "environment blank", "environment", raw("environment", ""));
add("gcp-dev", "cloud/environment", "cloud named by its vendor", "cloud", raw("cloud", "google"));
add("azure-dev", "cloud/environment", "environment `null`", "environment", raw("environment", "null"));
add(
    "aws-prod",
    "cloud/environment",
    "notifications key in the singular",
    "mlops:notification",
    set("notification", "emails", ["a@example.com"]),
);

// ---- provider keys
add("aws-dev", "provider", "region that does not exist", "aws:region", raw("aws:region", "us-east-9"));
add("aws-prod", "provider", "region in capitals", "aws:region", raw("aws:region", "US-EAST-1"));
add("aws-dev", "provider", "region blank", "aws:region", raw("aws:region", ""));
add("aws-dev", "provider", "an availability zone as region", "aws:region", raw("aws:region", "us-east-1a"));
add("gcp-dev", "provider", "project missing", "gcp:project", set("gcp:project", "", DELETE));
add("gcp-prod", "provider", "project name with spaces", "gcp:project", raw("gcp:project", "My Project"));
add("gcp-dev", "provider", "region without number", "gcp:region", raw("gcp:region", "us-central"));
add("gcp-prod", "provider", "region missing", "gcp:region", set("gcp:region", "", DELETE));
add("gcp-dev", "provider", "zone of another region", "gcp:zone", raw("gcp:zone", "europe-west1-b"));
add("gcp-dev", "provider", "project blank", "gcp:project", raw("gcp:project", ""));
add("azure-prod", "provider", "location typo", "azure-native:location", raw("azure-native:location", "swedencentrl"));
add("azure-dev", "provider", "location a city", "azure-native:location", raw("azure-native:location", "stockholm"));
add("azure-dev", "provider", "location of another cloud", "azure-native:location", raw("azure-native:location", "eu-north-1"));
add("azure-dev", "provider", "location missing", "azure-native:location", set("azure-native:location", "", DELETE));
add("azure-prod", "provider", "location blank", "azure-native:location", raw("azure-native:location", ""));
add("gcp-dev", "provider", "another cloud's provider key", "aws:region", raw("aws:region", "us-east-1"));
add("azure-dev", "provider", "GCP region on an Azure stack", "gcp:region", raw("gcp:region", "europe-west4"));
add("aws-prod", "provider", "Azure location on an AWS stack", "azure-native:location", raw("azure-native:location", "swedencentral"));

// ---- dataLake (cross-cloud keys)
add("dev", "dataLake", "no zones", "dataLake.zones", set("dataLake", "zones", []));
add("aws-dev", "dataLake", "zones without models", "dataLake.zones", set("dataLake", "zones", ["raw", "curated"]));
add("gcp-dev", "dataLake", "zone in capitals", "dataLake.zones[0]", set("dataLake", "zones", ["Raw", "models"]));
add("azure-dev", "dataLake", "zone listed twice", "dataLake.zones[1]", set("dataLake", "zones", ["models", "models"]));
add("aws-prod", "dataLake", "zones as one string", "dataLake.zones", set("dataLake", "zones", "raw,models"));
add("gcp-prod", "dataLake", "a two-letter zone", "dataLake.zones[0]", set("dataLake", "zones", ["rw", "models"]));
add(
    "dev",
    "dataLake",
    "version retention zero",
    "dataLake.noncurrentVersionRetentionDays",
    set("dataLake", "noncurrentVersionRetentionDays", 0),
);
add(
    "aws-dev",
    "dataLake",
    "version retention in words",
    "dataLake.noncurrentVersionRetentionDays",
    set("dataLake", "noncurrentVersionRetentionDays", "thirty"),
);
add(
    "gcp-dev",
    "dataLake",
    "version retention fractional",
    "dataLake.noncurrentVersionRetentionDays",
    set("dataLake", "noncurrentVersionRetentionDays", 30.5),
);
add(
    "aws-prod",
    "dataLake",
    "abort uploads too late",
    "dataLake.abortIncompleteUploadDays",
    set("dataLake", "abortIncompleteUploadDays", 400),
);
add("gcp-prod", "dataLake", "cold storage too soon", "dataLake.rawColdStorageAfterDays", set("dataLake", "rawColdStorageAfterDays", 10));
add("aws-prod", "dataLake", "audit logs kept 90 days", "dataLake.auditLogRetentionDays", set("dataLake", "auditLogRetentionDays", 90));
add("azure-prod", "dataLake", "audit logs kept 11 years", "dataLake.auditLogRetentionDays", set("dataLake", "auditLogRetentionDays", 4000));
add("gcp-dev", "dataLake", "queryEngine yes", "dataLake.queryEngine", set("dataLake", "queryEngine", "yes"));
add("dev", "dataLake", "queryEngine on Kubernetes", "dataLake.queryEngine", set("dataLake", "queryEngine", true));
add("azure-dev", "dataLake", "dataLake as a string", "dataLake", set("dataLake", "", "raw"));
add("aws-dev", "dataLake", "a key typo", "dataLake.zone", set("dataLake", "zone", ["models"]));
add("aws-dev", "dataLake", "minio settings on AWS", "dataLake.minio", set("dataLake", "minio", { servers: 1 }));
add(
    "azure-dev",
    "dataLake",
    "version retention on Azure",
    "dataLake.noncurrentVersionRetentionDays",
    set("dataLake", "noncurrentVersionRetentionDays", 30),
);
add(
    "azure-prod",
    "dataLake",
    "abort uploads on Azure",
    "dataLake.abortIncompleteUploadDays",
    set("dataLake", "abortIncompleteUploadDays", 7),
);
add("dev", "dataLake", "cold storage on Kubernetes", "dataLake.rawColdStorageAfterDays", set("dataLake", "rawColdStorageAfterDays", 90));
add(
    "dev",
    "dataLake",
    "audit log retention on Kubernetes",
    "dataLake.auditLogRetentionDays",
    set("dataLake", "auditLogRetentionDays", 365),
);
add("dev", "dataLake", "minio servers zero", "dataLake.minio.servers", set("dataLake", "minio.servers", 0));
add("dev", "dataLake", "minio drives without erasure layout", "dataLake.minio", set("dataLake", "minio.drivesPerServer", 1));
add("dev", "dataLake", "minio volume with a unit", "dataLake.minio.volumeSizeGiB", set("dataLake", "minio.volumeSizeGiB", "2Gi"));
add("dev", "dataLake", "minio storage class blank", "dataLake.minio.storageClassName", set("dataLake", "minio.storageClassName", null));
add("dev", "dataLake", "minio key typo", "dataLake.minio.drives", set("dataLake", "minio.drives", 4));
add("dev", "dataLake", "minio as a number", "dataLake.minio", set("dataLake", "minio", 4));
add("dev", "dataLake", "a cloud sub-object on Kubernetes", "dataLake.aws", set("dataLake", "aws", { forceDestroy: true }));

// ---- dataLake.<cloud>
add(
    "aws-dev",
    "dataLake.aws",
    "cold storage class typo",
    "dataLake.aws.coldStorageClass",
    set("dataLake", "aws.coldStorageClass", "GLACIER_FAST"),
);
add("aws-prod", "dataLake.aws", "forceDestroy in prod", "dataLake.aws.forceDestroy", set("dataLake", "aws.forceDestroy", true));
add(
    "aws-dev",
    "dataLake.aws",
    "query cutoff zero",
    "dataLake.aws.queryBytesScannedCutoffGiB",
    set("dataLake", "aws.queryBytesScannedCutoffGiB", 0),
);
add("aws-prod", "dataLake.aws", "catalogEncryption no", "dataLake.aws.catalogEncryption", set("dataLake", "aws.catalogEncryption", "no"));
add("aws-dev", "dataLake.aws", "an Azure key under aws", "dataLake.aws.replication", set("dataLake", "aws.replication", "GRS"));
add("aws-dev", "dataLake.aws", "a gcp sub-object on AWS", "dataLake.gcp", set("dataLake", "gcp", { softDeleteRetentionDays: 7 }));
add(
    "gcp-dev",
    "dataLake.gcp",
    "soft delete too short",
    "dataLake.gcp.softDeleteRetentionDays",
    set("dataLake", "gcp.softDeleteRetentionDays", 3),
);
add("gcp-prod", "dataLake.gcp", "key rotation a year", "dataLake.gcp.keyRotationDays", set("dataLake", "gcp.keyRotationDays", 365));
add(
    "gcp-dev",
    "dataLake.gcp",
    "access logs negative",
    "dataLake.gcp.accessLogRetentionDays",
    set("dataLake", "gcp.accessLogRetentionDays", -1),
);
add("gcp-prod", "dataLake.gcp", "sub-object as a list", "dataLake.gcp", set("dataLake", "gcp", ["softDeleteRetentionDays"]));
add("gcp-dev", "dataLake.gcp", "an azure sub-object on GCP", "dataLake.azure", set("dataLake", "azure", { replication: "LRS" }));
add("azure-prod", "dataLake.azure", "LRS in prod", "dataLake.azure.replication", set("dataLake", "azure.replication", "LRS"));
add("azure-dev", "dataLake.azure", "replication in lower case", "dataLake.azure.replication", set("dataLake", "azure.replication", "lrs"));
add(
    "azure-dev",
    "dataLake.azure",
    "soft delete zero",
    "dataLake.azure.softDeleteRetentionDays",
    set("dataLake", "azure.softDeleteRetentionDays", 0),
);
add(
    "azure-prod",
    "dataLake.azure",
    "soft delete a year and more",
    "dataLake.azure.softDeleteRetentionDays",
    set("dataLake", "azure.softDeleteRetentionDays", 400),
);
add(
    "azure-dev",
    "dataLake.azure",
    "IP range /33",
    "dataLake.azure.allowedIpRanges[0]",
    set("dataLake", "azure.allowedIpRanges", ["10.0.0.0/33"]),
);
add(
    "azure-prod",
    "dataLake.azure",
    "query IP range not an address",
    "dataLake.azure.queryAllowedIpRanges[0]",
    set("dataLake", "azure.queryAllowedIpRanges", ["office"]),
);
add("azure-dev", "dataLake.azure", "an AWS key under azure", "dataLake.azure.forceDestroy", set("dataLake", "azure.forceDestroy", true));

// ---- mlPlatform
add("aws-dev", "mlPlatform", "implementation typo", "mlPlatform.implementation", set("mlPlatform", "implementation", "sagemakr"));
add("aws-prod", "mlPlatform", "another cloud's implementation", "mlPlatform.implementation", set("mlPlatform", "implementation", "vertex"));
add("gcp-dev", "mlPlatform", "implementation blank", "mlPlatform.implementation", set("mlPlatform", "implementation", null));
add("azure-dev", "mlPlatform", "implementation in capitals", "mlPlatform.implementation", set("mlPlatform", "implementation", "AzureML"));
add(
    "dev",
    "mlPlatform",
    "implementation of a cloud on Kubernetes",
    "mlPlatform.implementation",
    set("mlPlatform", "implementation", "sagemaker"),
);
add(
    "gcp-prod",
    "mlPlatform",
    "unknown accelerator",
    "mlPlatform.training.accelerator",
    set("mlPlatform", "training.accelerator", "nvidia-h999"),
);
add(
    "aws-prod",
    "mlPlatform",
    "accelerator count zero",
    "mlPlatform.training.accelerator",
    set("mlPlatform", "training.accelerator", "nvidia-a10g:0"),
);
add(
    "gcp-prod",
    "mlPlatform",
    "accelerator another cloud has",
    "mlPlatform.training.accelerator",
    set("mlPlatform", "training.accelerator", "aws-inferentia2"),
);
add(
    "azure-prod",
    "mlPlatform",
    "accelerator count as a word",
    "mlPlatform.training.accelerator",
    set("mlPlatform", "training.accelerator", { type: "nvidia-t4", count: "two" }),
);
add("dev", "mlPlatform", "maxNodes zero", "mlPlatform.training.maxNodes", set("mlPlatform", "training.maxNodes", 0));
add("aws-dev", "mlPlatform", "maxNodes fractional", "mlPlatform.training.maxNodes", set("mlPlatform", "training.maxNodes", 2.5));
add("gcp-dev", "mlPlatform", "maxNodes 1000", "mlPlatform.training.maxNodes", set("mlPlatform", "training.maxNodes", 1000));
add("azure-dev", "mlPlatform", "spot sometimes", "mlPlatform.training.spot", set("mlPlatform", "training.spot", "sometimes"));
add("aws-prod", "mlPlatform", "training key typo", "mlPlatform.training.gpus", set("mlPlatform", "training.gpus", 2));
add("aws-dev", "mlPlatform", "distribution on AWS", "mlPlatform.distribution", set("mlPlatform", "distribution", "eks"));
add("dev", "mlPlatform", "distribution unknown", "mlPlatform.distribution", set("mlPlatform", "distribution", "openshift"));
add("dev", "mlPlatform", "training as a string", "mlPlatform.training", set("mlPlatform", "training", "gpu"));
add("azure-prod", "mlPlatform", "mlPlatform key typo", "mlPlatform.trainng", set("mlPlatform", "trainng", { maxNodes: 2 }));

// ---- mlPlatform.<cloud>
add("aws-dev", "mlPlatform.aws", "VPC CIDR without prefix", "mlPlatform.aws.vpcCidr", set("mlPlatform", "aws.vpcCidr", "10.40.0.0"));
add("aws-prod", "mlPlatform.aws", "VPC CIDR too small", "mlPlatform.aws.vpcCidr", set("mlPlatform", "aws.vpcCidr", "10.40.0.0/28"));
add("aws-dev", "mlPlatform.aws", "VPC CIDR octet over 255", "mlPlatform.aws.vpcCidr", set("mlPlatform", "aws.vpcCidr", "300.40.0.0/16"));
add(
    "aws-prod",
    "mlPlatform.aws",
    "one availability zone",
    "mlPlatform.aws.availabilityZones",
    set("mlPlatform", "aws.availabilityZones", 1),
);
add("aws-prod", "mlPlatform.aws", "more NAT gateways than zones", "mlPlatform.aws.natGateways", set("mlPlatform", "aws.natGateways", 3));
add("aws-dev", "mlPlatform.aws", "NAT gateways negative", "mlPlatform.aws.natGateways", set("mlPlatform", "aws.natGateways", -1));
add("aws-dev", "mlPlatform.aws", "alarmEmail (moved)", "mlPlatform.aws.alarmEmail", set("mlPlatform", "aws.alarmEmail", "a@example.com"));
add(
    "aws-dev",
    "mlPlatform.aws",
    "training instance without ml.",
    "mlPlatform.aws.cpuTrainingInstanceType",
    set("mlPlatform", "aws.cpuTrainingInstanceType", "m5.xlarge"),
);
add("aws-dev", "mlPlatform.aws", "studio yes", "mlPlatform.aws.studio", set("mlPlatform", "aws.studio", "yes"));
add(
    "aws-prod",
    "mlPlatform.aws",
    "Fargate without NAT or endpoints",
    "mlPlatform.aws.interfaceEndpoints",
    set("mlPlatform", "aws.natGateways", 0),
    set("mlPlatform", "aws.interfaceEndpoints", false),
);
add("aws-dev", "mlPlatform.aws", "GCP key under aws", "mlPlatform.aws.workbench", set("mlPlatform", "aws.workbench", true));
add(
    "gcp-dev",
    "mlPlatform.gcp",
    "workbench machine type nonsense",
    "mlPlatform.gcp.workbenchMachineType",
    set("mlPlatform", "gcp.workbenchMachineType", "big"),
);
add(
    "gcp-dev",
    "mlPlatform.gcp",
    "idle shutdown 5 minutes",
    "mlPlatform.gcp.workbenchIdleShutdownMinutes",
    set("mlPlatform", "gcp.workbenchIdleShutdownMinutes", 5),
);
add(
    "gcp-prod",
    "mlPlatform.gcp",
    "workbench accelerator unknown",
    "mlPlatform.gcp.workbenchAccelerator",
    set("mlPlatform", "gcp.workbenchAccelerator", "nvidia-h999"),
);
add(
    "gcp-dev",
    "mlPlatform.gcp",
    "subnet CIDR without prefix",
    "mlPlatform.gcp.subnetCidr",
    set("mlPlatform", "gcp.subnetCidr", "10.20.0.0"),
);
add(
    "gcp-prod",
    "mlPlatform.gcp",
    "metadataStoreName (gone)",
    "mlPlatform.gcp.metadataStoreName",
    set("mlPlatform", "gcp.metadataStoreName", "default"),
);
add(
    "gcp-dev",
    "mlPlatform.gcp",
    "training machine type in capitals",
    "mlPlatform.gcp.trainingMachineType",
    set("mlPlatform", "gcp.trainingMachineType", "N1-STANDARD-4"),
);
add("gcp-prod", "mlPlatform.gcp", "natGateway on", "mlPlatform.gcp.natGateway", set("mlPlatform", "gcp.natGateway", "on"));
add("gcp-dev", "mlPlatform.gcp", "aws sub-object on GCP", "mlPlatform.aws", set("mlPlatform", "aws", { natGateways: 1 }));
add("azure-dev", "mlPlatform.azure", "VM size nonsense", "mlPlatform.azure.cpuVmSize", set("mlPlatform", "azure.cpuVmSize", "big"));
add(
    "azure-dev",
    "mlPlatform.azure",
    "scale down after 10 s",
    "mlPlatform.azure.idleSecondsBeforeScaleDown",
    set("mlPlatform", "azure.idleSecondsBeforeScaleDown", 10),
);
add("azure-prod", "mlPlatform.azure", "registry SKU Gold", "mlPlatform.azure.registrySku", set("mlPlatform", "azure.registrySku", "Gold"));
add(
    "azure-prod",
    "mlPlatform.azure",
    "address space /8",
    "mlPlatform.azure.networkAddressSpace",
    set("mlPlatform", "azure.networkAddressSpace", "10.0.0.0/8"),
);
add(
    "azure-dev",
    "mlPlatform.azure",
    "privateNetwork yes",
    "mlPlatform.azure.privateNetwork",
    set("mlPlatform", "azure.privateNetwork", "yes"),
);
add("azure-prod", "mlPlatform.azure", "gcp sub-object on Azure", "mlPlatform.gcp", set("mlPlatform", "gcp", { workbench: false }));

// ---- containerService
add(
    "aws-prod",
    "containerService",
    "implementation ecs",
    "containerService.implementation",
    set("containerService", "implementation", "ecs"),
);
add(
    "gcp-dev",
    "containerService",
    "Kubernetes implementation on GCP",
    "containerService.implementation",
    set("containerService", "implementation", "kubernetes"),
);
add(
    "azure-dev",
    "containerService",
    "implementation aks",
    "containerService.implementation",
    set("containerService", "implementation", "aks"),
);
add("dev", "containerService", "implementation blank", "containerService.implementation", set("containerService", "implementation", ""));
add(
    "aws-dev",
    "containerService",
    "clientNamespaces on AWS",
    "containerService.clientNamespaces",
    set("containerService", "clientNamespaces", ["apps"]),
);
add(
    "dev",
    "containerService",
    "client namespace not a DNS label",
    "containerService.clientNamespaces",
    set("containerService", "clientNamespaces", ["Bad_NS"]),
);
add("gcp-prod", "containerService", "section as a list", "containerService", set("containerService", "", ["cloud-run"]));
add(
    "azure-prod",
    "containerService",
    "distribution on Azure",
    "containerService.distribution",
    set("containerService", "distribution", "aks"),
);
add(
    "aws-prod",
    "containerService.aws",
    "certificate of another region",
    "containerService.aws.certificateArn",
    set("containerService", "aws.certificateArn", "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"),
);
add(
    "aws-prod",
    "containerService.aws",
    "certificate not an ARN",
    "containerService.aws.certificateArn",
    set("containerService", "aws.certificateArn", "my-cert"),
);
add(
    "aws-prod",
    "containerService.aws",
    "plain HTTP with a certificate",
    "containerService.aws.plainHttp",
    set("containerService", "aws.plainHttp", true),
    set("containerService", "aws.certificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"),
);
add(
    "aws-prod",
    "containerService.aws",
    "allowed CIDR without prefix",
    "containerService.aws.allowedCidrs[0]",
    set("containerService", "aws.allowedCidrs", ["10.0.0.1"]),
);
add(
    "aws-prod",
    "containerService.aws",
    "latency threshold zero",
    "containerService.aws.latencyThresholdMs",
    set("containerService", "aws.latencyThresholdMs", 0),
);
add(
    "aws-dev",
    "containerService.aws",
    "publicIngress maybe",
    "containerService.aws.publicIngress",
    set("containerService", "aws.publicIngress", "maybe"),
);
add("gcp-prod", "containerService.gcp", "ingress public", "containerService.gcp.ingress", set("containerService", "gcp.ingress", "public"));
add(
    "gcp-dev",
    "containerService.gcp",
    "invokers allUsers",
    "containerService.gcp.invokers[0]",
    set("containerService", "gcp.invokers", ["allUsers"]),
);
add(
    "gcp-dev",
    "containerService.gcp",
    "keep zero versions",
    "containerService.gcp.registryKeepVersions",
    set("containerService", "gcp.registryKeepVersions", 0),
);
add(
    "gcp-prod",
    "containerService.gcp",
    "request timeout over an hour",
    "containerService.gcp.requestTimeoutSeconds",
    set("containerService", "gcp.requestTimeoutSeconds", 4000),
);
add(
    "gcp-prod",
    "containerService.gcp",
    "alertEmails (moved)",
    "containerService.gcp.alertEmails",
    set("containerService", "gcp.alertEmails", ["a@example.com"]),
);
add(
    "gcp-dev",
    "containerService.gcp",
    "error rate 150 %",
    "containerService.gcp.errorRatePercent",
    set("containerService", "gcp.errorRatePercent", 150),
);
add(
    "gcp-prod",
    "containerService.gcp",
    "GPU zonal redundancy yes",
    "containerService.gcp.gpuZonalRedundancy",
    set("containerService", "gcp.gpuZonalRedundancy", "yes"),
);
add(
    "gcp-dev",
    "containerService.gcp",
    "endpointAccess in the wrong section",
    "containerService.gcp.endpointAccess",
    set("containerService", "gcp.endpointAccess", "dedicated"),
);
add(
    "azure-dev",
    "containerService.azure",
    "registry SKU in lower case",
    "containerService.azure.registrySku",
    set("containerService", "azure.registrySku", "basic"),
);
add(
    "azure-prod",
    "containerService.azure",
    "auth client ID not a GUID",
    "containerService.azure.authClientId",
    set("containerService", "azure.authClientId", "my-app"),
);
add(
    "azure-dev",
    "containerService.azure",
    "allowed range /40",
    "containerService.azure.allowedIpRanges[0]",
    set("containerService", "azure.allowedIpRanges", ["1.2.3.4/40"]),
);
add(
    "azure-dev",
    "containerService.azure",
    "publicIngress without a network",
    "containerService.azure.publicIngress",
    set("containerService", "azure.publicIngress", true),
);
add(
    "azure-prod",
    "containerService.azure",
    "untagged retention 500 days",
    "containerService.azure.untaggedRetentionDays",
    set("containerService", "azure.untaggedRetentionDays", 500),
);
add(
    "azure-dev",
    "containerService.azure",
    "aws sub-object on Azure",
    "containerService.aws",
    set("containerService", "aws", { publicIngress: true }),
);

// ---- serverlessInference
add(
    "gcp-dev",
    "serverlessInference",
    "AWS implementation on GCP",
    "serverlessInference.implementation",
    set("serverlessInference", "implementation", "lambda"),
);
add(
    "azure-prod",
    "serverlessInference",
    "knative on Azure",
    "serverlessInference.implementation",
    set("serverlessInference", "implementation", "knative"),
);
add(
    "aws-dev",
    "serverlessInference",
    "installKnative on AWS",
    "serverlessInference.installKnative",
    set("serverlessInference", "installKnative", true),
);
add(
    "dev",
    "serverlessInference",
    "installKnative yes",
    "serverlessInference.installKnative",
    set("serverlessInference", "installKnative", "yes"),
);
add(
    "dev",
    "serverlessInference",
    "scheduling flags 1",
    "serverlessInference.knativeSchedulingFlagsEnabled",
    set("serverlessInference", "knativeSchedulingFlagsEnabled", 1),
);
add(
    "gcp-prod",
    "serverlessInference",
    "knative flags on GCP",
    "serverlessInference.knativeSchedulingFlagsEnabled",
    set("serverlessInference", "knativeSchedulingFlagsEnabled", true),
);
add("dev", "serverlessInference", "key typo", "serverlessInference.installKnatve", set("serverlessInference", "installKnatve", true));
add(
    "aws-dev",
    "serverlessInference.aws",
    "Lambda timeout over 15 min",
    "serverlessInference.aws.lambdaTimeoutSeconds",
    set("serverlessInference", "aws.lambdaTimeoutSeconds", 901),
);
add(
    "aws-prod",
    "serverlessInference.aws",
    "data capture 0 %",
    "serverlessInference.aws.dataCaptureSamplingPercent",
    set("serverlessInference", "aws.dataCaptureSamplingPercent", 0),
);
add(
    "aws-dev",
    "serverlessInference.aws",
    "reserve concurrency no",
    "serverlessInference.aws.reserveLambdaConcurrency",
    set("serverlessInference", "aws.reserveLambdaConcurrency", "no"),
);
add(
    "aws-prod",
    "serverlessInference.aws",
    "latency threshold negative",
    "serverlessInference.aws.latencyThresholdMs",
    set("serverlessInference", "aws.latencyThresholdMs", -5),
);
add(
    "aws-dev",
    "serverlessInference.aws",
    "Lambda memory key (not one)",
    "serverlessInference.aws.lambdaMemoryMiB",
    set("serverlessInference", "aws.lambdaMemoryMiB", 512),
);
add(
    "gcp-prod",
    "serverlessInference.gcp",
    "endpoint access public",
    "serverlessInference.gcp.endpointAccess",
    set("serverlessInference", "gcp.endpointAccess", "public"),
);
add(
    "gcp-dev",
    "serverlessInference.gcp",
    "function runtime with a dot",
    "serverlessInference.gcp.functionRuntime",
    set("serverlessInference", "gcp.functionRuntime", "python3.12"),
);
add(
    "gcp-dev",
    "serverlessInference.gcp",
    "function source missing",
    "serverlessInference.gcp.functionSource",
    set("serverlessInference", "gcp.functionSource", "does/not/exist"),
);
add(
    "gcp-prod",
    "serverlessInference.gcp",
    "Vertex machine type nonsense",
    "serverlessInference.gcp.vertexCpuMachineType",
    set("serverlessInference", "gcp.vertexCpuMachineType", "x"),
);
add(
    "gcp-dev",
    "serverlessInference.gcp",
    "registry key in the wrong section",
    "serverlessInference.gcp.registryKeepVersions",
    set("serverlessInference", "gcp.registryKeepVersions", 5),
);
add(
    "azure-dev",
    "serverlessInference.azure",
    "Python 3.10 unquoted",
    "serverlessInference.azure.functionsPythonVersion",
    set("serverlessInference", "implementation", "functions"),
    set("serverlessInference", "azure.functionsPythonVersion", 3.1),
);
add(
    "azure-dev",
    "serverlessInference.azure",
    "Python 2.7",
    "serverlessInference.azure.functionsPythonVersion",
    set("serverlessInference", "azure.functionsPythonVersion", "2.7"),
);
add(
    "azure-prod",
    "serverlessInference.azure",
    "Flex memory 1000 MB",
    "serverlessInference.azure.functionsInstanceMemoryMB",
    set("serverlessInference", "azure.functionsInstanceMemoryMB", 1000),
);
add(
    "azure-dev",
    "serverlessInference.azure",
    "endpoint auth token",
    "serverlessInference.azure.endpointAuthMode",
    set("serverlessInference", "azure.endpointAuthMode", "token"),
);
add(
    "azure-prod",
    "serverlessInference.azure",
    "endpoint instance type nonsense",
    "serverlessInference.azure.endpointInstanceType",
    set("serverlessInference", "azure.endpointInstanceType", "gpu"),
);
add(
    "azure-dev",
    "serverlessInference.azure",
    "auth client ID not a GUID",
    "serverlessInference.azure.authClientId",
    set("serverlessInference", "azure.authClientId", "x"),
);
add(
    "azure-prod",
    "serverlessInference.azure",
    "externalIngress off",
    "serverlessInference.azure.externalIngress",
    set("serverlessInference", "azure.externalIngress", "off"),
);

// ---- models
add("dev", "models", "image without tag", `${m0}.image`, set("models", "[0].image", "python"));
add("aws-dev", "models", "image latest", `${m0}.image`, set("models", "[0].image", "python:latest"));
add("gcp-dev", "models", "image in capitals", `${m0}.image`, set("models", "[0].image", "Python:3.12"));
add("azure-dev", "models", "image with a scheme", `${m0}.image`, set("models", "[0].image", "https://ghcr.io/acme/iris:1.0"));
add("aws-prod", "models", "image blank", "models[1].image", set("models", "[1].image", null));
add("gcp-prod", "models", "image missing", `${m0}.image`, set("models", "[0].image", DELETE));
add("azure-prod", "models", "image with a space", `${m0}.image`, set("models", "[0].image", "python: 3.12"));
add("dev", "models", "image with a short digest", `${m0}.image`, set("models", "[0].image", "python@sha256:abc"));
add("dev", "models", "name in capitals", `${m0}.name`, set("models", "[0].name", "Iris"));
add("aws-dev", "models", "name missing", `${m0}.name`, set("models", "[0].name", DELETE));
add("aws-prod", "models", "two models with one name", "models[1].name", set("models", "[1].name", "iris"));
add("gcp-dev", "models", "name too long", `${m0}.name`, set("models", "[0].name", "iris-classifier-with-a-long-name"));
add("azure-dev", "models", "name as a number", `${m0}.name`, set("models", "[0].name", 42));
add("dev", "models", "port zero", `${m0}.port`, set("models", "[0].port", 0));
add("gcp-prod", "models", "port 70000", `${m0}.port`, set("models", "[0].port", 70000));
add("azure-dev", "models", "port http", `${m0}.port`, set("models", "[0].port", "http"));
add("aws-dev", "models", "cpu 10 millicores", `${m0}.cpuMillicores`, set("models", "[0].cpuMillicores", 10));
add("dev", "models", "memory 32 MiB", `${m0}.memoryMiB`, set("models", "[0].memoryMiB", 32));
add("azure-prod", "models", "memory with a unit", `${m0}.memoryMiB`, set("models", "[0].memoryMiB", "16Gi"));
add("aws-prod", "models", "one replica in prod", `${m0}.minReplicas`, set("models", "[0].minReplicas", 1));
add("gcp-prod", "models", "zero replicas in prod", `${m0}.minReplicas`, set("models", "[0].minReplicas", 0));
add("dev", "models", "max below min", `${m0}.maxReplicas`, set("models", "[0].minReplicas", 3), set("models", "[0].maxReplicas", 2));
add(
    "gcp-dev",
    "models",
    "serverless max below min",
    `${m0}.serverlessMaxReplicas`,
    set("models", "[0].serverlessMinReplicas", 3),
    set("models", "[0].serverlessMaxReplicas", 1),
);
add("azure-dev", "models", "serveWith lambda", `${m0}.serveWith[0]`, set("models", "[0].serveWith", ["lambda"]));
add("dev", "models", "serveWith as a string", `${m0}.serveWith`, set("models", "[0].serveWith", "containerService"));
add("dev", "models", "accelerator count zero", `${m0}.accelerator`, set("models", "[0].accelerator", "nvidia-l4:0"));
add("gcp-dev", "models", "accelerator tpu", `${m0}.accelerator`, set("models", "[0].accelerator", "tpu"));
add("aws-dev", "models", "GPU on Lambda", `${m0}.accelerator`, set("models", "[0].accelerator", "nvidia-l4"));
add("azure-prod", "models", "accelerator Azure does not offer", `${m0}.accelerator`, set("models", "[0].accelerator", "google-tpu-v5e"));
add(
    "gcp-prod",
    "models",
    "accelerator count in words",
    `${m0}.accelerator`,
    set("models", "[0].accelerator", { type: "nvidia-l4", count: "one" }),
);
add("dev", "models", "env as a list", `${m0}.env`, set("models", "[0].env", ["MODEL_NAME=iris"]));
add("azure-dev", "models", "env value an object", `${m0}.env.MODEL_NAME`, set("models", "[0].env.MODEL_NAME", { name: "iris" }));
add("gcp-dev", "models", "files directory missing", `${m0}.files`, set("models", "[0].files", "samples/nope"));
add("aws-prod", "models", "healthPath without slash", `${m0}.healthPath`, set("models", "[0].healthPath", "healthz"));
add("dev", "models", "concurrency zero", `${m0}.concurrency`, set("models", "[0].concurrency", 0));
add("azure-prod", "models", "command as one string", `${m0}.command`, set("models", "[0].command", "python /app/serve.py"));
add("gcp-dev", "models", "models as a mapping", "models", set("models", "", { name: "iris" }));
add("aws-dev", "models", "a model as a string", `${m0}`, set("models", "[0]", "iris"));
add("azure-dev", "models", "key typo replicas", `${m0}.replicas`, set("models", "[0].replicas", 2));
add("gcp-prod", "models", "key typo gpu", `${m0}.gpu`, set("models", "[0].gpu", "nvidia-l4"));
add("dev", "models", "a model blank", `${m0}`, set("models", "[0]", null));
add("dev", "models", "files directory with only subdirectories", `${m0}.files`, set("models", "[0].files", "samples"));
add("gcp-prod", "models", "Cloud Run GPU with 2 vCPU", `${m0}.cpuMillicores`, set("models", "[0].cpuMillicores", 2000));
add("gcp-dev", "models", "Cloud Run memory 64 GiB", `${m0}.memoryMiB`, set("models", "[0].memoryMiB", 65536));
add("aws-prod", "models", "more CPU than a Fargate task has", m0, set("models", "[0].cpuMillicores", 32000));
add("azure-dev", "models", "more CPU than a Container Apps replica has", m0, set("models", "[0].cpuMillicores", 8000));

// ---- models[].<cloud>
add("aws-dev", "models[].aws", "Lambda runtime python2.7", `${m0}.aws.lambdaRuntime`, set("models", "[0].aws.lambdaRuntime", "python2.7"));
add(
    "aws-dev",
    "models[].aws",
    "Lambda handler without function",
    `${m0}.aws.lambdaHandler`,
    set("models", "[0].aws.lambdaHandler", "handler"),
);
add(
    "aws-dev",
    "models[].aws",
    "Lambda code directory missing",
    `${m0}.aws.lambdaCode`,
    set("models", "[0].aws.lambdaCode", "samples/aws/nope"),
);
add("aws-dev", "models[].aws", "Lambda model without code", `${m0}.aws.lambdaCode`, set("models", "[0].aws.lambdaCode", DELETE));
add("aws-dev", "models[].aws", "Lambda runtime unquoted number", `${m0}.aws.lambdaRuntime`, set("models", "[0].aws.lambdaRuntime", 3.13));
add(
    "aws-prod",
    "models[].aws",
    "SageMaker image not ECR",
    "models[1].aws.sagemakerImage",
    set("models", "[1].aws.sagemakerImage", "python:3.12"),
);
add(
    "aws-prod",
    "models[].aws",
    "SageMaker code directory missing",
    "models[1].aws.sagemakerCode",
    set("models", "[1].aws.sagemakerCode", "samples/aws/nope"),
);
add("aws-prod", "models[].aws", "key typo", "models[1].aws.sagemakerCod", set("models", "[1].aws.sagemakerCod", "samples/aws/sagemaker"));
add("aws-dev", "models[].aws", "azure sub-object on AWS", `${m0}.azure`, set("models", "[0].azure", { scoringPath: "/score" }));
add(
    "azure-dev",
    "models[].azure",
    "scoring path without slash",
    `${m0}.azure.scoringPath`,
    set("models", "[0].azure.scoringPath", "score"),
);
add("azure-prod", "models[].azure", "key typo", `${m0}.azure.scoringPth`, set("models", "[0].azure.scoringPth", "/score"));
add("azure-dev", "models[].azure", "aws sub-object on Azure", `${m0}.aws`, set("models", "[0].aws", { lambdaRuntime: "python3.13" }));
add(
    "gcp-dev",
    "models[].gcp",
    "a key GCP models do not have",
    `${m0}.gcp.machineType`,
    set("models", "[0].gcp.machineType", "n1-standard-4"),
);
add("gcp-prod", "models[].gcp", "aws sub-object on GCP", `${m0}.aws`, set("models", "[0].aws", { lambdaCode: "samples/aws/lambda" }));
add("dev", "models[].<cloud>", "a cloud sub-object on Kubernetes", `${m0}.gcp`, set("models", "[0].gcp", {}));

add(
    "aws-dev",
    "models[].aws",
    "a bad item before the Lambda model",
    "models[1].aws.lambdaRuntime",
    prepend("models", 42),
    set("models", "[1].aws.lambdaRuntime", "python2.7"),
);

// ---- notifications
add("aws-prod", "notifications", "emails as one string", "notifications.emails", set("notifications", "emails", "ml-oncall@example.com"));
add("gcp-prod", "notifications", "email without domain", "notifications.emails[0]", set("notifications", "emails", ["ml-oncall"]));
add(
    "azure-prod",
    "notifications",
    "email listed twice",
    "notifications.emails[1]",
    set("notifications", "emails", ["a@example.com", "a@example.com"]),
);
add(
    "aws-dev",
    "notifications",
    "webhook over http",
    "notifications.webhooks[0]",
    set("notifications", "webhooks", ["http://hooks.example.com/x"]),
);
add("gcp-prod", "notifications", "prod without notifications", "notifications", set("notifications", "", DELETE));
add("azure-prod", "notifications", "prod with empty lists", "notifications", set("notifications", "", { emails: [], webhooks: [] }));
add("dev", "notifications", "notifications on Kubernetes", "notifications", set("notifications", "emails", ["a@example.com"]));
add("aws-prod", "notifications", "key typo email", "notifications.email", set("notifications", "email", ["a@example.com"]));
add("gcp-dev", "notifications", "notifications as a string", "notifications", set("notifications", "", "a@example.com"));
add(
    "azure-dev",
    "notifications",
    "webhook not a URL",
    "notifications.webhooks[0]",
    set("notifications", "webhooks", ["hooks.example.com"]),
);
add("aws-prod", "notifications", "notifications blank", "notifications", raw("notifications", ""));

/** Several sections wrong at once, per stack: every key must be in the one error. */
const GROUPS: Record<Stack, { mutations: Mutation[]; expect: string[] }> = {
    dev: {
        mutations: [
            set("dataLake", "minio.servers", 0),
            set("mlPlatform", "training.maxNodes", 0),
            set("containerService", "clientNamespaces", ["Bad_NS"]),
            set("serverlessInference", "installKnative", "yes"),
            set("models", "[0].image", "python:latest"),
            set("models", "[0].port", 0),
            set("notifications", "emails", ["a@example.com"]),
        ],
        expect: [
            "dataLake.minio.servers",
            "mlPlatform.training.maxNodes",
            "containerService.clientNamespaces",
            "serverlessInference.installKnative",
            "models[0].image",
            "models[0].port",
            "notifications",
        ],
    },
    "aws-dev": {
        mutations: [
            raw("aws:region", "us-east-9"),
            set("dataLake", "aws.coldStorageClass", "COLD"),
            set("mlPlatform", "aws.vpcCidr", "10.40.0.0/28"),
            set("serverlessInference", "aws.lambdaTimeoutSeconds", 901),
            set("models", "[0].aws.lambdaRuntime", "python2.7"),
            set("notifications", "webhooks", ["http://x.example.com"]),
        ],
        expect: [
            "aws:region",
            "dataLake.aws.coldStorageClass",
            "mlPlatform.aws.vpcCidr",
            "serverlessInference.aws.lambdaTimeoutSeconds",
            "models[0].aws.lambdaRuntime",
            "notifications.webhooks[0]",
        ],
    },
    "aws-prod": {
        mutations: [
            set("dataLake", "aws.forceDestroy", true),
            set("mlPlatform", "aws.natGateways", 3),
            set("containerService", "aws.certificateArn", "my-cert"),
            set("serverlessInference", "aws.dataCaptureSamplingPercent", 0),
            set("models", "[0].minReplicas", 1),
            set("models", "[1].aws.sagemakerImage", "python:3.12"),
            set("notifications", "", DELETE),
        ],
        expect: [
            "dataLake.aws.forceDestroy",
            "mlPlatform.aws.natGateways",
            "containerService.aws.certificateArn",
            "serverlessInference.aws.dataCaptureSamplingPercent",
            "models[0].minReplicas",
            "models[1].aws.sagemakerImage",
            "notifications",
        ],
    },
    "gcp-dev": {
        mutations: [
            raw("gcp:region", "us-central"),
            set("dataLake", "gcp.softDeleteRetentionDays", 3),
            set("mlPlatform", "gcp.workbenchMachineType", "big"),
            set("containerService", "gcp.invokers", ["allUsers"]),
            set("serverlessInference", "gcp.functionRuntime", "python3.12"),
            set("models", "[0].image", "Python:3.12"),
        ],
        expect: [
            "gcp:region",
            "dataLake.gcp.softDeleteRetentionDays",
            "mlPlatform.gcp.workbenchMachineType",
            "containerService.gcp.invokers[0]",
            "serverlessInference.gcp.functionRuntime",
            "models[0].image",
        ],
    },
    "gcp-prod": {
        mutations: [
            set("gcp:project", "", DELETE),
            set("dataLake", "gcp.keyRotationDays", 365),
            set("mlPlatform", "training.accelerator", "aws-inferentia2"),
            set("containerService", "gcp.ingress", "public"),
            set("serverlessInference", "gcp.endpointAccess", "public"),
            set("models", "[0].cpuMillicores", 2000),
            set("notifications", "emails", ["oncall"]),
        ],
        expect: [
            "gcp:project",
            "dataLake.gcp.keyRotationDays",
            "mlPlatform.training.accelerator",
            "containerService.gcp.ingress",
            "serverlessInference.gcp.endpointAccess",
            "models[0].cpuMillicores",
            "notifications.emails[0]",
        ],
    },
    "azure-dev": {
        mutations: [
            raw("azure-native:location", "westeurope2"),
            set("dataLake", "azure.replication", "lrs"),
            set("mlPlatform", "azure.registrySku", "Gold"),
            set("containerService", "azure.authClientId", "my-app"),
            set("serverlessInference", "azure.functionsPythonVersion", 3.1),
            set("models", "[0].azure", { scoringPath: "score" }),
        ],
        expect: [
            "azure-native:location",
            "dataLake.azure.replication",
            "mlPlatform.azure.registrySku",
            "containerService.azure.authClientId",
            "serverlessInference.azure.functionsPythonVersion",
            "models[0].azure.scoringPath",
        ],
    },
    "azure-prod": {
        mutations: [
            raw("azure-native:location", "swedencentrl"),
            set("dataLake", "azure.replication", "LRS"),
            set("mlPlatform", "azure.networkAddressSpace", "10.0.0.0/8"),
            set("containerService", "azure.untaggedRetentionDays", 500),
            set("serverlessInference", "azure.functionsInstanceMemoryMB", 1000),
            set("models", "[0].image", "python"),
            set("notifications", "emails", ["a@example.com", "a@example.com"]),
        ],
        expect: [
            "azure-native:location",
            "dataLake.azure.replication",
            "mlPlatform.azure.networkAddressSpace",
            "containerService.azure.untaggedRetentionDays",
            "serverlessInference.azure.functionsInstanceMemoryMB",
            "models[0].image",
            "notifications.emails[1]",
        ],
    },
};

describe("bad config on the shipped stacks: refused before any resource, at the key the user wrote", function () {
    this.timeout(60_000);

    it(`covers at least 120 cases on all seven stacks`, () => {
        assert.ok(CASES.length >= 120, `${CASES.length} cases`);
        for (const stack of STACKS)
            assert.ok(
                CASES.some((c) => c.stack === stack),
                stack,
            );
    });

    it("reads an unquoted version as written (3.12) and asks to quote one YAML changes (3.10 -> 3.1)", () => {
        const base = shipped("azure-dev");
        // Functions capture no scored inputs: the model's drift monitor goes with that switch.
        const models = JSON.parse(base.config["mlops:models"]) as { training?: Record<string, unknown> }[];
        delete models[0].training?.drift;
        const withVersion = (v: unknown) =>
            mutate({ ...base.config, "mlops:models": JSON.stringify(models) }, [
                set("serverlessInference", "implementation", "functions"),
                set("serverlessInference", "azure.functionsPythonVersion", v),
            ]);
        const parsed = parseStackConfig(withVersion(3.12), { project: base.project, stack: "azure-dev", projectRoot: ROOT });
        assert.equal(parsed.azure?.serverlessInference.functionsPythonVersion, "3.12");
        const error = rejectedAtParse("azure-dev", [
            set("serverlessInference", "implementation", "functions"),
            set("serverlessInference", "azure.functionsPythonVersion", 3.1),
        ]);
        assert.match(error.message, /functionsPythonVersion: reads as the number 3\.1.*quote it: functionsPythonVersion: "3\.10"/);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            for (const c of CASES.filter((x) => x.stack === stack)) {
                it(`${c.section}: ${c.title} -> ${c.expect}`, () => {
                    const error = rejectedAtParse(stack, c.mutations);
                    if (process.env.BAD_CONFIG_DUMP) console.log(`### ${stack} ${c.section}: ${c.title}\n${error.message}`);
                    assertNames(error, c.expect);
                });
            }

            it("reports every problem of several sections in one error, and the program registers nothing", async () => {
                const group = GROUPS[stack];
                const base = shipped(stack);
                const config = mutate(base.config, group.mutations);
                let error: unknown;
                const { resources } = await capture({ project: base.project, stack, config, secretKeys: base.secretKeys }, async () => {
                    try {
                        await buildStack(parseStackConfig(config, { project: base.project, stack, projectRoot: ROOT }));
                    } catch (e) {
                        error = e;
                    }
                    return {};
                });
                assert.ok(
                    error instanceof ValidationError,
                    `expected a ValidationError, got:\n${(error as Error)?.stack ?? String(error)}`,
                );
                for (const key of group.expect) assertNames(error, full(key));
                assert.deepEqual(
                    resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type} ${r.name}`),
                    [],
                );
            });
        });
    }
});
