/**
 * Gcp-only settings: the `gcp` sub-object of each `mlops:` section (`mlops:dataLake.gcp`,
 * `mlops:mlPlatform.gcp`, `mlops:containerService.gcp`, `mlops:serverlessInference.gcp`,
 * `mlops:models[i].gcp`) plus the provider's `gcp:project`, `gcp:region` and `gcp:zone`. Parsed only when
 * `mlops:cloud` is `gcp`. Documented in docs/gcp.md ("Configuration").
 */
import * as fs from "fs";
import * as path from "path";
import { AcceleratorRequest, Problems, ValidationError, parseAccelerator } from "@mlops/components";
import { cloudRunModelProblems } from "@mlops/components/container-service/gcp-cloud-run";
import { checkVertex } from "@mlops/components/ml-platform/gcp-vertex";
import { functionModelProblems, vertexModelProblems } from "@mlops/components/serverless-inference/gcp-serverless";
import { servingSpecs } from "../models";
import { CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import type { ServeTarget, StackConfig } from "./schema";

export const GCP_KEYS = {
    dataLake: ["softDeleteRetentionDays", "accessLogRetentionDays", "serviceLogRetentionDays", "keyRotationDays"],
    mlPlatform: [
        "workbench",
        "workbenchMachineType",
        "workbenchAccelerator",
        "workbenchIdleShutdownMinutes",
        "trainingMachineType",
        "createMetadataStore",
        "subnetCidr",
        "natGateway",
    ],
    serving: [
        "ingress",
        "allowUnauthenticated",
        "invokers",
        "requestTimeoutSeconds",
        "gpuZonalRedundancy",
        "errorRatePercent",
        "latencyP95Ms",
    ],
    containerService: ["registryKeepVersions", "registryUntaggedDays"],
    serverlessInference: ["endpointAccess", "vertexCpuMachineType", "functionSource", "functionRuntime"],
    model: [] as string[],
} as const;

/** Keys that moved or went away: reported with what to write instead of "not a known key". */
const MOVED_KEYS = {
    mlPlatform: {
        metadataStoreName: {
            message:
                "is no longer read: Vertex AI Experiments and Pipelines use only the project's metadata store named `default`, which the stack now references instead of creating",
            fix: "remove it; to have the stack create `default` with its CMEK key (only in a project and region where Vertex AI has never created it), set createMetadataStore: true",
        },
    },
    serving: {
        alertEmails: {
            message: "has moved to `mlops:notifications.emails`, which every alert of the stack notifies",
            fix: "remove it and list the addresses under mlops:notifications.emails (a list: `emails: [oncall@your-company.com]`)",
        },
    },
} as const satisfies Record<string, Record<string, { message: string; fix: string }>>;

export const INGRESS_SETTINGS = ["internal", "internal-and-cloud-load-balancing", "all"] as const;
export const ENDPOINT_ACCESS_SETTINGS = ["dedicated", "private-service-connect"] as const;
export const FUNCTION_RUNTIME_SETTINGS = ["python311", "python312", "python313"] as const;

export interface GcpDataLakeConfig {
    readonly softDeleteRetentionDays: number;
    readonly accessLogRetentionDays: number;
    readonly serviceLogRetentionDays: number;
    readonly keyRotationDays: number;
}

export interface GcpMlPlatformConfig {
    readonly workbench: boolean;
    readonly workbenchMachineType: string;
    readonly workbenchAccelerator?: AcceleratorRequest;
    readonly workbenchIdleShutdownMinutes: number;
    readonly trainingMachineType: string;
    /** Create the project's `default` Vertex metadata store with the stack's key (else reference it). */
    readonly createMetadataStore: boolean;
    readonly subnetCidr: string;
    readonly natGateway: boolean;
}

/** Settings of Cloud Run / Functions / Vertex serving shared by both serving sections. */
export interface GcpServingConfig {
    readonly ingress: (typeof INGRESS_SETTINGS)[number];
    readonly allowUnauthenticated: boolean;
    readonly invokers: string[];
    readonly requestTimeoutSeconds: number;
    readonly gpuZonalRedundancy: boolean;
    readonly errorRatePercent: number;
    readonly latencyP95Ms: number;
}

export interface GcpContainerServiceConfig extends GcpServingConfig {
    readonly registryKeepVersions: number;
    readonly registryUntaggedDays: number;
}

export interface GcpServerlessConfig extends GcpServingConfig {
    readonly endpointAccess: (typeof ENDPOINT_ACCESS_SETTINGS)[number];
    readonly vertexCpuMachineType: string;
    readonly functionSource: string;
    readonly functionRuntime: (typeof FUNCTION_RUNTIME_SETTINGS)[number];
}

export interface GcpConfig {
    /** `gcp:project`; required (the parser reports it missing). */
    readonly project?: string;
    /** `gcp:region`; required to deploy. */
    readonly region?: string;
    /** `gcp:zone`, else `<region>-b`. */
    readonly zone?: string;
    readonly dataLake: GcpDataLakeConfig;
    readonly mlPlatform: GcpMlPlatformConfig;
    readonly containerService: GcpContainerServiceConfig;
    readonly serverlessInference: GcpServerlessConfig;
}

/** The project root, where `functionSource` paths are relative to. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+\d+$/;
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z]+(-[0-9]+[a-z]*)?(-[a-z0-9]+)?$/;

/** `read.object`, except that a key that moved or went away is reported once, with what to write instead. */
function objectWithMovedKeys(
    value: unknown,
    at: string,
    allowed: readonly string[],
    moved: Readonly<Record<string, { message: string; fix: string }>>,
    read: Reader,
): Obj | undefined {
    const given = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : undefined;
    const obj = read.object(given ? Object.fromEntries(Object.entries(given).filter(([k]) => !(k in moved))) : value, at, allowed);
    for (const [key, { message, fix }] of Object.entries(moved)) {
        if (given && key in given) read.problems.push({ path: `${at}.${key}`, value: given[key], message, fix });
    }
    return obj;
}

function serving(read: Reader, obj: Obj | undefined, at: string, prod: boolean): GcpServingConfig {
    const invokers = read.stringList(obj, "invokers", at, []);
    invokers.forEach((m, i) => {
        if (m === "allUsers" || m === "allAuthenticatedUsers") {
            read.problems.push({
                path: `${at}.invokers[${i}]`,
                value: m,
                message: "would make the endpoints public",
                fix: `set ${at}.allowUnauthenticated: true instead, if they really must be public`,
            });
        }
    });
    const errorRatePercent = read.int(obj, "errorRatePercent", at, 5, { min: 1, max: 100, unit: "percent" });
    return {
        ingress: read.oneOf(
            obj,
            "ingress",
            at,
            INGRESS_SETTINGS,
            "internal",
            "internal keeps the endpoints off the internet; use internal-and-cloud-load-balancing behind a load balancer",
        ),
        allowUnauthenticated: read.bool(obj, "allowUnauthenticated", at, false),
        invokers,
        requestTimeoutSeconds: read.int(obj, "requestTimeoutSeconds", at, 300, { min: 1, max: 3600, unit: "seconds" }),
        gpuZonalRedundancy: read.bool(obj, "gpuZonalRedundancy", at, prod),
        errorRatePercent,
        latencyP95Ms: read.int(obj, "latencyP95Ms", at, 2000, { min: 1, max: 3_600_000, unit: "milliseconds" }),
    };
}

function machineType(read: Reader, obj: Obj | undefined, key: string, at: string, def: string): string {
    const value = read.string(obj, key, at, def);
    if (!MACHINE_TYPE.test(value)) {
        read.problems.push({ path: `${at}.${key}`, value, message: "is not a machine type", fix: "write e.g. n1-standard-4" });
        return def;
    }
    return value;
}

/** Reads a flat directory of handler files (name -> content). */
function readDir(dir: string, at: string, problems: Problems): Record<string, string> {
    const full = path.resolve(PROJECT_ROOT, dir);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
        problems.add({
            path: at,
            value: dir,
            message: "is not a directory in the project",
            fix: "give a path relative to the project root, e.g. samples/gcp/function",
        });
        return {};
    }
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isFile() && !entry.name.startsWith(".")) files[entry.name] = fs.readFileSync(path.join(full, entry.name), "utf8");
    }
    if (!("main.py" in files)) problems.add({ path: at, value: dir, message: "has no main.py (the function handler)" });
    return files;
}

export function parseGcpConfig(sections: CloudSections, read: Reader): GcpConfig {
    const prod = sections.environment === "prod";
    const lakeAt = sections.path("dataLake");
    const mlAt = sections.path("mlPlatform");
    const csAt = sections.path("containerService");
    const siAt = sections.path("serverlessInference");
    const lake = read.object(sections.sections.dataLake, lakeAt, GCP_KEYS.dataLake);
    const ml = objectWithMovedKeys(sections.sections.mlPlatform, mlAt, GCP_KEYS.mlPlatform, MOVED_KEYS.mlPlatform, read);
    const cs = objectWithMovedKeys(
        sections.sections.containerService,
        csAt,
        [...GCP_KEYS.serving, ...GCP_KEYS.containerService],
        MOVED_KEYS.serving,
        read,
    );
    const si = objectWithMovedKeys(
        sections.sections.serverlessInference,
        siAt,
        [...GCP_KEYS.serving, ...GCP_KEYS.serverlessInference],
        MOVED_KEYS.serving,
        read,
    );
    sections.models.forEach((m, i) => read.object(m, sections.modelPath(i), GCP_KEYS.model));

    const provider = sections.providerConfig;
    const project = provider["gcp:project"];
    const region = provider["gcp:region"];
    const zone = provider["gcp:zone"];
    if (project === undefined)
        read.problems.push({
            path: "gcp:project",
            value: undefined,
            message: "is required",
            fix: "run `pulumi config set gcp:project <project-id>`",
        });
    if (region === undefined)
        read.problems.push({
            path: "gcp:region",
            value: undefined,
            message: "is required",
            fix: "run `pulumi config set gcp:region us-central1` (a region with Cloud Run GPUs if a model asks for nvidia-l4)",
        });
    if (project !== undefined && !PROJECT_ID.test(project))
        read.problems.push({
            path: "gcp:project",
            value: project,
            message: "is not a project ID",
            fix: "use the 6-30 character project ID (not the name or number)",
        });
    if (region !== undefined && !REGION.test(region))
        read.problems.push({ path: "gcp:region", value: region, message: "is not a region", fix: "write e.g. us-central1" });
    if (zone !== undefined && region !== undefined && !zone.startsWith(`${region}-`))
        read.problems.push({ path: "gcp:zone", value: zone, message: `is not a zone of ${region}`, fix: `write e.g. ${region}-b` });

    const workbenchAccelerator = parseAccelerator(ml?.workbenchAccelerator, `${mlAt}.workbenchAccelerator`, read.problems);
    const functionSource = read.string(si, "functionSource", siAt, "samples/gcp/function");
    return {
        project,
        region,
        zone,
        dataLake: {
            softDeleteRetentionDays: read.int(lake, "softDeleteRetentionDays", lakeAt, 7, {
                min: 7,
                max: 90,
                unit: "days; Cloud Storage soft delete takes 7 to 90",
            }),
            accessLogRetentionDays: read.int(lake, "accessLogRetentionDays", lakeAt, 90, { min: 1, max: 3650, unit: "days" }),
            serviceLogRetentionDays: read.int(lake, "serviceLogRetentionDays", lakeAt, 30, { min: 1, max: 3650, unit: "days" }),
            keyRotationDays: read.int(lake, "keyRotationDays", lakeAt, 90, {
                min: 1,
                max: 90,
                unit: "days; CIS GCP 1.10 asks for 90 or less",
            }),
        },
        mlPlatform: {
            workbench: read.bool(ml, "workbench", mlAt, true),
            workbenchMachineType: machineType(read, ml, "workbenchMachineType", mlAt, "e2-standard-4"),
            workbenchAccelerator,
            workbenchIdleShutdownMinutes: read.int(ml, "workbenchIdleShutdownMinutes", mlAt, 60, { min: 10, max: 1440, unit: "minutes" }),
            trainingMachineType: machineType(read, ml, "trainingMachineType", mlAt, "n1-standard-4"),
            createMetadataStore: read.bool(ml, "createMetadataStore", mlAt, false),
            subnetCidr:
                read.matching(ml, "subnetCidr", mlAt, /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "an IPv4 CIDR such as 10.20.0.0/24") ??
                "10.20.0.0/24",
            natGateway: read.bool(ml, "natGateway", mlAt, false),
        },
        containerService: {
            ...serving(read, cs, csAt, prod),
            registryKeepVersions: read.int(cs, "registryKeepVersions", csAt, 10, { min: 1, max: 1000 }),
            registryUntaggedDays: read.int(cs, "registryUntaggedDays", csAt, 7, { min: 1, max: 3650, unit: "days" }),
        },
        serverlessInference: {
            ...serving(read, si, siAt, prod),
            endpointAccess: read.oneOf(si, "endpointAccess", siAt, ENDPOINT_ACCESS_SETTINGS, "dedicated"),
            vertexCpuMachineType: machineType(read, si, "vertexCpuMachineType", siAt, "n1-standard-2"),
            functionSource,
            functionRuntime: read.oneOf(si, "functionRuntime", siAt, FUNCTION_RUNTIME_SETTINGS, "python312"),
        },
    };
}

/** What a GCP stack needs beyond its parsed config, known valid. */
export interface GcpStackInputs {
    readonly config: GcpConfig;
    readonly project: string;
    readonly region: string;
    readonly zone: string;
    /** The handler files of `functionSource` (read only when serverless inference is cloud-functions). */
    readonly functionFiles: Record<string, string>;
}

/**
 * Checks what only the whole stack config shows, before any resource exists: the provider settings, and
 * every model against the service that will run it (Cloud Run CPU/memory/GPU rules and GPU regions,
 * Cloud Functions, Vertex AI endpoints), and the Vertex AI platform settings. Throws one
 * ValidationError listing every problem, with `mlops:` key paths.
 */
export function checkGcpStack(cfg: StackConfig): GcpStackInputs {
    const problems = new Problems();
    const gcp = cfg.gcp;
    if (!gcp)
        throw new ValidationError(`stack config "${cfg.stack}"`, ["mlops:cloud: the GCP settings were not parsed (is mlops:cloud gcp?)"]);
    // gcp:project and gcp:region are required by the parser; the placeholders below only keep this
    // check going when the parser already reported them missing.
    const region = gcp.region ?? "";
    const zone = gcp.zone ?? `${region}-b`;

    const ns = `${cfg.project}:`;
    const served = (target: ServeTarget) =>
        cfg.models.flatMap((m, i) => (m.serveWith.includes(target) ? [{ i, spec: servingSpecs([m], target)[0] }] : []));
    if (gcp.region) {
        for (const { i, spec } of served("containerService")) cloudRunModelProblems(spec, `${ns}models[${i}]`, region, problems);
    }
    let functionFiles: Record<string, string> = {};
    const onDemand = served("serverlessInference");
    switch (cfg.serverlessInference.implementation) {
        case "cloud-run":
            if (gcp.region) for (const { i, spec } of onDemand) cloudRunModelProblems(spec, `${ns}models[${i}]`, region, problems);
            break;
        case "cloud-functions":
            functionFiles = readDir(gcp.serverlessInference.functionSource, `${ns}serverlessInference.gcp.functionSource`, problems);
            for (const { i, spec } of onDemand) functionModelProblems(spec, `${ns}models[${i}]`, functionFiles, problems);
            break;
        case "vertex-endpoint":
            for (const { i, spec } of onDemand) vertexModelProblems(spec, `${ns}models[${i}]`, problems);
            break;
        default:
            problems.add({
                path: `${ns}serverlessInference.implementation`,
                value: cfg.serverlessInference.implementation,
                message: "is not a GCP implementation",
                allowed: ["cloud-run", "cloud-functions", "vertex-endpoint"],
            });
    }
    const ml = gcp.mlPlatform;
    const vertex = checkVertex({
        // Placeholders where a missing provider key is already reported above.
        project: gcp.project ?? "x",
        region: region || "x",
        zone: region ? zone : "x-b",
        namePrefix: "mlops",
        models: cfg.models.map((m) => m.name),
        trainingAccelerator: cfg.mlPlatform.training.accelerator,
        trainingMachineType: ml.trainingMachineType,
        maxNodes: cfg.mlPlatform.training.maxNodes,
        workbench: ml.workbench,
        workbenchMachineType: ml.workbenchMachineType,
        workbenchAccelerator: ml.workbenchAccelerator,
        workbenchIdleShutdownMinutes: ml.workbenchIdleShutdownMinutes,
        workbenchBootDiskGb: 150,
        hasNetwork: true,
    });
    // checkVertex names its own arguments; training.* are mlPlatform keys, the rest mlPlatform.gcp keys.
    for (const p of vertex.problems.all) problems.add(p.startsWith("training.") ? `${ns}mlPlatform.${p}` : `${ns}mlPlatform.gcp.${p}`);
    problems.throwIfAny(`stack config "${cfg.stack}"`);
    return { config: gcp, project: gcp.project as string, region, zone, functionFiles };
}
