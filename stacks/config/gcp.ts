/**
 * Gcp-only settings: the `gcp` sub-object of each `mlops:` section (`mlops:dataLake.gcp`,
 * `mlops:mlPlatform.gcp`, `mlops:containerService.gcp`, `mlops:serverlessInference.gcp`,
 * `mlops:models[i].gcp`) plus the provider's `gcp:project`, `gcp:region` and `gcp:zone`. Parsed only when
 * `mlops:cloud` is `gcp`. Documented in docs/gcp.md ("Configuration").
 *
 * Also the pure half of the GCP stack: the arguments of every component, derived from the config
 * (stacks/clouds/gcp.ts builds with them), and checkGcpStack, which runs every component validator on
 * those same arguments before any resource exists and reports the problems at the keys the user wrote.
 */
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { ProblemDetail, atKeys, isPinnedImage, ownershipTags, parseAccelerator, resolveAccelerator } from "@mlops/components";
import type { AcceleratorRequest, ModelServingSpec, Service } from "@mlops/components";
import { CloudRunContainerServiceArgs, ModelStoreArgs, validateCloudRunContainerService } from "@mlops/components/gcp-args";
import { GcsDataLakeArgs, validateGcsDataLake, validateGcsDataLakeName } from "@mlops/components/gcp-args";
import { GcpEncryptionArgs, validateGcpEncryption, validateGcpEncryptionName } from "@mlops/components/gcp-args";
import { VertexPlatformArgs, validateVertexPlatform } from "@mlops/components/gcp-args";
import { namePrefix, serviceAccountId, validateGcpRegion } from "@mlops/components/gcp-args";
import { GcpNetworkArgs, validateGcpNetwork } from "@mlops/components/gcp-args";
import { GcpObservabilityArgs, validateGcpObservability } from "@mlops/components/gcp-args";
import { GcpProjectServicesArgs, validateGcpProjectServices } from "@mlops/components/gcp-args";
import {
    CloudFunctionsInferenceArgs,
    CloudRunInferenceArgs,
    VertexEndpointInferenceArgs,
    validateCloudFunctionsInference,
    validateCloudRunInference,
    validateVertexEndpointInference,
} from "@mlops/components/gcp-args";
import { servingSpecs } from "../models";
import { trainingApis } from "./gcp-training-apis";
import { CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import { ENDPOINT_ACCESS_SETTINGS, FUNCTION_RUNTIME_SETTINGS, GcpConfig, GcpServingConfig, INGRESS_SETTINGS } from "./gcp-options";
import { EMAIL, isHttpsUrl } from "./notifications";
import { FLOORS, ZONE_NAME } from "./schema";
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
    containerService: ["registryKeepVersions", "registryUntaggedDays", "latencyAlert"],
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

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
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

/** Reads a flat directory of handler files (name -> content); undefined when it is not a directory. */
function readFunctionSource(projectRoot: string, dir: string): Record<string, string> | undefined {
    const full = path.resolve(projectRoot, dir);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) return undefined;
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isFile() && !entry.name.startsWith(".")) files[entry.name] = fs.readFileSync(path.join(full, entry.name), "utf8");
    }
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
    if (region !== undefined) read.problems.push(...validateGcpRegion(region, "gcp:region"));
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
            // One p95 latency condition per kind of deployment (USD 1.50 a month each): off in dev (docs/gcp.md, "Alerts").
            latencyAlert: read.bool(cs, "latencyAlert", csAt, sections.environment !== "dev"),
        },
        serverlessInference: {
            ...serving(read, si, siAt, prod),
            endpointAccess: read.oneOf(si, "endpointAccess", siAt, ENDPOINT_ACCESS_SETTINGS, "dedicated"),
            vertexCpuMachineType: machineType(read, si, "vertexCpuMachineType", siAt, "n1-standard-2"),
            functionSource,
            functionFiles: readFunctionSource(sections.projectRoot, functionSource),
            functionRuntime: read.oneOf(si, "functionRuntime", siAt, FUNCTION_RUNTIME_SETTINGS, "python312"),
        },
    };
}

// ---- the pure half of the stack: what the build derives, and the arguments of every component

/** The logical names of the stack's components (their URNs start with them: never rename one). */
export const GCP_COMPONENTS = {
    apis: "apis",
    keys: "keys",
    lake: "lake",
    network: "network",
    ml: "ml",
    serving: "serving",
    inference: "inference",
    /** Every serving deployment's alerts (the container service's and the serverless inference's). */
    servingAlerts: "serving-alerts",
    /** The data pipelines' and drift jobs' alert policy (one condition for both). */
    loopAlerts: "loop-alerts",
} as const;

/** What every component of a GCP stack is built from: the config and the values derived from it. */
export interface GcpStackInputs {
    readonly cfg: StackConfig;
    readonly gcp: GcpConfig;
    readonly project: string;
    readonly region: string;
    /** `gcp:zone`, else `<region>-b`. */
    readonly zone: string;
    /** `<project>-<stack>`, the start of every project-unique name. */
    readonly prefix: string;
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * Derives the stack's inputs from a config that passed parseStackConfig (which runs checkGcpStack): pure,
 * no checks of its own.
 */
export function gcpStackInputs(cfg: StackConfig): GcpStackInputs {
    const gcp = cfg.gcp;
    if (!gcp) throw new Error(`stack "${cfg.stack}": the GCP settings were not parsed (is mlops:cloud gcp?)`);
    const region = gcp.region ?? "";
    return {
        cfg,
        gcp,
        project: gcp.project ?? "",
        region,
        zone: gcp.zone ?? `${region}-b`,
        prefix: namePrefix(cfg.project, cfg.stack),
        tags: ownershipTags({ project: cfg.project, stack: cfg.stack, environment: cfg.environment }),
    };
}

/** The APIs a stack uses, by what needs them. */
export function gcpApis(cfg: StackConfig): string[] {
    const apis = [
        "cloudresourcemanager.googleapis.com", // project number lookup, IAM bindings and audit config
        "iam.googleapis.com",
        "cloudkms.googleapis.com",
        "storage.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        "aiplatform.googleapis.com",
        "artifactregistry.googleapis.com",
        "run.googleapis.com",
    ];
    if (cfg.dataLake.queryEngine) apis.push("bigquery.googleapis.com");
    if (cfg.gcp?.mlPlatform.workbench) apis.push("notebooks.googleapis.com", "compute.googleapis.com");
    if (cfg.serverlessInference.implementation === "cloud-functions")
        apis.push("cloudfunctions.googleapis.com", "cloudbuild.googleapis.com");
    // Data pipelines (mlops:pipelines): schedules, arrival triggers and their workflows, topics and streams.
    const { jobs, streams } = cfg.pipelines;
    if (jobs.some((j) => j.schedule !== undefined)) apis.push("cloudscheduler.googleapis.com");
    if (jobs.some((j) => j.onArrival))
        apis.push("eventarc.googleapis.com", "workflows.googleapis.com", "workflowexecutions.googleapis.com");
    if (jobs.some((j) => j.onArrival) || streams.length > 0) apis.push("pubsub.googleapis.com");
    // Training pipelines (mlops:models[].training): schedules, launch and delivery workflows, topics, the token secret.
    for (const api of trainingApis(cfg)) if (!apis.includes(api)) apis.push(api);
    return apis;
}

type Ref = pulumi.Input<string>;

/** `{ [key]: value }` when the value is set, else nothing (so plans without it keep their arguments). */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

export function projectServicesArgs(s: GcpStackInputs): GcpProjectServicesArgs {
    return { project: s.project, services: gcpApis(s.cfg) };
}

/** One key per purpose, with the service agents that use it. */
export function encryptionArgs(s: GcpStackInputs): GcpEncryptionArgs {
    const keys: Record<string, string[]> = { lake: ["storage"], registry: ["artifactregistry"], vertex: ["aiplatform"] };
    if (s.cfg.dataLake.queryEngine) keys.bigquery = ["bigquery"];
    if (s.gcp.mlPlatform.workbench) keys.workbench = ["compute", "notebooks"];
    return { project: s.project, location: s.region, keys, rotationDays: s.gcp.dataLake.keyRotationDays, tags: s.tags };
}

export function lakeArgs(s: GcpStackInputs, keyIds: Readonly<Record<string, Ref>>): GcsDataLakeArgs {
    const lake = s.cfg.dataLake;
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        zones: lake.zones,
        kmsKeyName: keyIds.lake,
        bigQueryKmsKeyName: lake.queryEngine ? keyIds.bigquery : undefined,
        queryEngine: lake.queryEngine,
        noncurrentVersionRetentionDays: lake.noncurrentVersionRetentionDays,
        abortIncompleteUploadDays: lake.abortIncompleteUploadDays,
        rawColdStorageAfterDays: lake.rawColdStorageAfterDays,
        auditLogRetentionDays: lake.auditLogRetentionDays,
        accessLogRetentionDays: s.gcp.dataLake.accessLogRetentionDays,
        softDeleteRetentionDays: s.gcp.dataLake.softDeleteRetentionDays,
        protectData: s.cfg.protectData,
        tags: s.tags,
    };
}

/** The Workbench instance's network; none without Workbench. */
export function networkArgs(s: GcpStackInputs): GcpNetworkArgs | undefined {
    const ml = s.gcp.mlPlatform;
    return ml.workbench
        ? { project: s.project, region: s.region, namePrefix: s.prefix, subnetCidr: ml.subnetCidr, natGateway: ml.natGateway }
        : undefined;
}

export interface VertexRefs {
    readonly artifactBucket: Ref;
    readonly readBuckets: Ref[];
    readonly keyIds: Readonly<Record<string, Ref>>;
    readonly networkId?: Ref;
    readonly subnetId?: Ref;
}

export function vertexArgs(s: GcpStackInputs, refs: VertexRefs): VertexPlatformArgs {
    const ml = s.gcp.mlPlatform;
    return {
        project: s.project,
        region: s.region,
        zone: s.zone,
        namePrefix: s.prefix,
        models: s.cfg.models.map((m) => m.name),
        artifactBucket: refs.artifactBucket,
        readBuckets: refs.readBuckets,
        kmsKeyName: refs.keyIds.vertex,
        workbenchKmsKeyName: ml.workbench ? refs.keyIds.workbench : undefined,
        training: s.cfg.mlPlatform.training,
        trainingMachineType: ml.trainingMachineType,
        createMetadataStore: ml.createMetadataStore,
        workbench: ml.workbench,
        workbenchMachineType: ml.workbenchMachineType,
        workbenchAccelerator: ml.workbenchAccelerator,
        workbenchIdleShutdownMinutes: ml.workbenchIdleShutdownMinutes,
        networkId: refs.networkId,
        subnetId: refs.subnetId,
        protectData: s.cfg.protectData,
        tags: s.tags,
    };
}

/**
 * The training identity (which Workbench runs as) may call the models, so a notebook inside the VPC can
 * test them end to end; its email is known before the account exists.
 */
export function trainerMember(s: GcpStackInputs): string {
    return `serviceAccount:${serviceAccountId(s.prefix, "train")}@${s.project}.iam.gserviceaccount.com`;
}

export interface ServingRefs {
    readonly keyIds: Readonly<Record<string, Ref>>;
    readonly accessLogBucket: Ref;
    /** The models zone's bucket: served versions and drift capture (none without a `models` zone). */
    readonly modelsBucket?: Ref;
}

/**
 * The training contract on the serving side: each model's served version (`servedVersion`) and the models
 * with a drift monitor (their inputs are captured); none when no model has either.
 */
export function modelStoreArgs(s: GcpStackInputs, refs: ServingRefs): ModelStoreArgs | undefined {
    const servedVersions = Object.fromEntries(s.cfg.models.flatMap((m) => (m.servedVersion ? [[m.name, m.servedVersion]] : [])));
    const capture = s.cfg.models.filter((m) => m.training?.drift).map((m) => m.name);
    if (refs.modelsBucket === undefined || (Object.keys(servedVersions).length === 0 && capture.length === 0)) return undefined;
    return { bucket: refs.modelsBucket, servedVersions, capture };
}

export function containerServiceArgs(s: GcpStackInputs, refs: ServingRefs): CloudRunContainerServiceArgs {
    const serving = s.gcp.containerService;
    return {
        project: s.project,
        region: s.region,
        namePrefix: s.prefix,
        models: servingSpecs(s.cfg.models, "containerService"),
        registryKmsKeyName: refs.keyIds.registry,
        filesKmsKeyName: refs.keyIds.lake,
        accessLogBucket: refs.accessLogBucket,
        ingress: serving.ingress,
        allowUnauthenticated: serving.allowUnauthenticated,
        invokers: [...serving.invokers, trainerMember(s)],
        requestTimeoutSeconds: serving.requestTimeoutSeconds,
        gpuZonalRedundancy: serving.gpuZonalRedundancy,
        keepTaggedVersions: serving.registryKeepVersions,
        untaggedRetentionDays: serving.registryUntaggedDays,
        protectData: s.cfg.protectData,
        tags: s.tags,
        ...optional("modelStore", modelStoreArgs(s, refs)),
    };
}

/** The serverless inference component and its arguments; none when no model is served on demand. */
export type InferenceArgs =
    | { readonly implementation: "cloud-run"; readonly args: CloudRunInferenceArgs }
    | { readonly implementation: "cloud-functions"; readonly args: CloudFunctionsInferenceArgs }
    | { readonly implementation: "vertex-endpoint"; readonly args: VertexEndpointInferenceArgs };

export function inferenceArgs(s: GcpStackInputs, refs: ServingRefs): InferenceArgs | undefined {
    const si = s.gcp.serverlessInference;
    const models = servingSpecs(s.cfg.models, "serverlessInference");
    if (models.length === 0) return undefined;
    const common = { project: s.project, region: s.region, namePrefix: s.prefix, models, protectData: s.cfg.protectData, tags: s.tags };
    const store = optional("modelStore", modelStoreArgs(s, refs));
    const access = {
        ...store,
        ingress: si.ingress,
        allowUnauthenticated: si.allowUnauthenticated,
        invokers: [...si.invokers, trainerMember(s)],
        requestTimeoutSeconds: si.requestTimeoutSeconds,
    };
    switch (s.cfg.serverlessInference.implementation) {
        case "cloud-run":
            return {
                implementation: "cloud-run",
                args: {
                    ...common,
                    filesKmsKeyName: refs.keyIds.lake,
                    accessLogBucket: refs.accessLogBucket,
                    ...access,
                    gpuZonalRedundancy: si.gpuZonalRedundancy,
                },
            };
        case "cloud-functions":
            return {
                implementation: "cloud-functions",
                args: {
                    ...common,
                    handlerFiles: si.functionFiles ?? {},
                    runtime: si.functionRuntime,
                    sourceKmsKeyName: refs.keyIds.lake,
                    accessLogBucket: refs.accessLogBucket,
                    ...access,
                },
            };
        case "vertex-endpoint":
            return {
                implementation: "vertex-endpoint",
                args: {
                    ...common,
                    kmsKeyName: refs.keyIds.vertex,
                    replicaFloor: FLOORS[s.cfg.environment].minReplicas,
                    endpointAccess: si.endpointAccess,
                    cpuMachineType: si.vertexCpuMachineType,
                },
            };
        default:
            return undefined; // the parser accepts only the implementations stacks/targets/gcp.ts lists
    }
}

/**
 * The serving alerts: one component watches every deployment of the stack, the container service's with its
 * thresholds and the serverless inference's with its own (the same thresholds share one condition per kind
 * of deployment and signal); latency alerts per `mlops:containerService.gcp.latencyAlert`.
 */
export function alertArgs(
    s: GcpStackInputs,
    watch: {
        readonly containerServices: string[];
        readonly inference?: { readonly cloudRunServices: string[]; readonly vertexEndpoints: string[] };
    },
    channels: Pick<
        GcpObservabilityArgs,
        "notificationEmails" | "notificationWebhooks" | "notificationChannels" | "serviceLogRetentionDays"
    >,
): GcpObservabilityArgs {
    const cs = s.gcp.containerService;
    const si = s.gcp.serverlessInference;
    return {
        project: s.project,
        namePrefix: s.prefix,
        cloudRunServices: watch.containerServices,
        vertexEndpoints: [],
        errorRatePercent: cs.errorRatePercent,
        latencyP95Ms: cs.latencyP95Ms,
        ...(watch.inference
            ? { additionalServing: [{ ...watch.inference, errorRatePercent: si.errorRatePercent, latencyP95Ms: si.latencyP95Ms }] }
            : {}),
        latencyAlert: cs.latencyAlert,
        ...channels,
    };
}

/**
 * The serving alerts create the channels of every target of mlops:notifications (created once, then
 * shared with the inference alerts); `secret` wraps each webhook URL, which may carry a token.
 */
export function servingAlertChannels(
    s: GcpStackInputs,
    secret: (url: string) => Ref,
): Pick<GcpObservabilityArgs, "notificationEmails" | "notificationWebhooks" | "serviceLogRetentionDays"> {
    return {
        notificationEmails: [...s.cfg.notifications.emails],
        notificationWebhooks: s.cfg.notifications.webhooks.map(secret),
        serviceLogRetentionDays: s.gcp.dataLake.serviceLogRetentionDays,
    };
}

// ---- checks

/** Stands in for resource outputs (key IDs, bucket names) the config cannot know: validators only check they are given. */
const PLACEHOLDER = "(known once deployed)";
const SERVICE_OF: Readonly<Record<string, Service>> = {
    "cloud-run": "cloud-run",
    "cloud-functions": "cloud-functions",
    "vertex-endpoint": "vertex-endpoint",
};

/** True when the catalog offers the accelerator on the service in some region (else the parser reported it). */
function offered(service: Service, accelerator: AcceleratorRequest | undefined): boolean {
    if (!accelerator) return true;
    try {
        resolveAccelerator({ cloud: "gcp", service, accelerator });
        return true;
    } catch {
        return false;
    }
}

/**
 * The config with every value the shared parser (or parseGcpConfig) already reported replaced by a valid
 * stand-in, so the component validators below never list a problem a second time under other words:
 * a missing or unknown project, region or zone; an unpinned image, a reused model name, max replicas
 * below min; an accelerator the service never offers (parse.ts checks that against the catalog; what
 * only a region decides is left to the validators); a bad or repeated zone; a malformed email or
 * webhook; a public invoker.
 */
function withoutReported(cfg: StackConfig, gcp: GcpConfig): { cfg: StackConfig; gcp: GcpConfig } {
    const region = gcp.region !== undefined && validateGcpRegion(gcp.region).length === 0 ? gcp.region : "us-central1";
    const zone = gcp.zone !== undefined && gcp.region !== undefined && gcp.zone.startsWith(`${gcp.region}-`) ? gcp.zone : undefined;
    const project = gcp.project !== undefined && PROJECT_ID.test(gcp.project) ? gcp.project : "placeholder-project";
    const names = new Set<string>();
    const models = cfg.models.map((m, i) => {
        const name = names.has(m.name) ? `reused-name-${i}` : m.name;
        names.add(m.name);
        return {
            ...m,
            name,
            image: isPinnedImage(m.image) ? m.image : "registry.invalid/placeholder:1",
            maxReplicas: Math.max(m.maxReplicas, m.minReplicas),
            serverlessMaxReplicas: Math.max(m.serverlessMaxReplicas, m.serverlessMinReplicas),
        };
    });
    const zones = cfg.dataLake.zones.length === 0 ? ["models"] : cfg.dataLake.zones;
    const publicMember = (m: string) => m === "allUsers" || m === "allAuthenticatedUsers";
    const invokers = (list: readonly string[]) => list.map((m) => (publicMember(m) ? "group:placeholder@example.com" : m));
    return {
        cfg: {
            ...cfg,
            models,
            dataLake: {
                ...cfg.dataLake,
                zones: zones.map((z, i) => (ZONE_NAME.test(z) && zones.indexOf(z) === i ? z : `zone-${i}`)),
            },
            mlPlatform: {
                ...cfg.mlPlatform,
                training: {
                    ...cfg.mlPlatform.training,
                    accelerator: offered("vertex-training", cfg.mlPlatform.training.accelerator)
                        ? cfg.mlPlatform.training.accelerator
                        : undefined,
                },
            },
            notifications: {
                emails: cfg.notifications.emails.map((e) => (EMAIL.test(e) ? e : "placeholder@example.com")),
                webhooks: cfg.notifications.webhooks.map((w) => (isHttpsUrl(w) ? w : "https://placeholder.invalid/")),
            },
        },
        gcp: {
            ...gcp,
            project,
            region,
            zone,
            containerService: { ...gcp.containerService, invokers: invokers(gcp.containerService.invokers) },
            serverlessInference: { ...gcp.serverlessInference, invokers: invokers(gcp.serverlessInference.invokers) },
        },
    };
}

/** Drops, from specs the build passes, an accelerator the service never offers (parse.ts reported it). */
function withOfferedAccelerators(models: readonly ModelServingSpec[], service: Service): ModelServingSpec[] {
    return models.map((m) => (offered(service, m.accelerator) ? m : { ...m, accelerator: undefined }));
}

/**
 * Key paths of the models a serving component gets: its `models[j]` is the stack's `models[i]` (only the
 * models served by that target are passed); serverless components scale by the serverless replica keys.
 */
function modelKeys(cfg: StackConfig, target: ServeTarget, ns: string): Record<string, string> {
    const keys: Record<string, string> = {};
    cfg.models
        .flatMap((m, i) => (m.serveWith.includes(target) ? [i] : []))
        .forEach((i, j) => {
            keys[`models[${j}]`] = `${ns}models[${i}]`;
            if (target === "serverlessInference") {
                keys[`models[${j}].minReplicas`] = `${ns}models[${i}].serverlessMinReplicas`;
                keys[`models[${j}].maxReplicas`] = `${ns}models[${i}].serverlessMaxReplicas`;
            }
        });
    return keys;
}

/** The keys of a serving section's shared settings. */
function servingKeys(section: string): Record<string, string> {
    return Object.fromEntries(
        [
            "ingress",
            "allowUnauthenticated",
            "invokers",
            "requestTimeoutSeconds",
            "gpuZonalRedundancy",
            "errorRatePercent",
            "latencyP95Ms",
        ].map((k) => [k, `${section}.${k}`]),
    );
}

/**
 * Checks what only the whole stack config shows, before any resource exists: every component validator,
 * run on the arguments the build will pass (outputs of other resources stood in for), with each problem
 * at the key the user wrote; and the Cloud Functions handler directory. Never throws; values the parser
 * already reported are not reported again (see withoutReported).
 */
export function checkGcpStack(config: StackConfig): ProblemDetail[] {
    if (!config.gcp) return [];
    const { cfg, gcp } = withoutReported(config, config.gcp);
    const ns = `${cfg.project}:`;
    const s = gcpStackInputs({ ...cfg, gcp });
    const provider = { project: "gcp:project", region: "gcp:region", location: "gcp:region", zone: "gcp:zone" };
    const lakeAt = `${ns}dataLake`;
    const mlAt = `${ns}mlPlatform`;
    const csAt = `${ns}containerService.gcp`;
    const siAt = `${ns}serverlessInference.gcp`;
    const keyIds = new Proxy({} as Record<string, Ref>, { get: () => PLACEHOLDER });
    const refs = { keyIds, accessLogBucket: PLACEHOLDER };
    const problems: ProblemDetail[] = [];

    problems.push(...atKeys(validateGcpProjectServices(projectServicesArgs(s)), provider, "gcp:project"));
    problems.push(
        ...atKeys(
            [...validateGcpEncryption(encryptionArgs(s)), ...validateGcpEncryptionName(GCP_COMPONENTS.keys)],
            { ...provider, rotationDays: `${lakeAt}.gcp.keyRotationDays` },
            `${lakeAt}.gcp`,
        ),
    );
    const lake = lakeArgs(s, keyIds);
    problems.push(
        ...atKeys(
            [...validateGcsDataLake(lake), ...validateGcsDataLakeName(GCP_COMPONENTS.lake, lake.zones)],
            {
                ...provider,
                ...Object.fromEntries(
                    [
                        "zones",
                        "queryEngine",
                        "noncurrentVersionRetentionDays",
                        "abortIncompleteUploadDays",
                        "rawColdStorageAfterDays",
                        "auditLogRetentionDays",
                    ].map((k) => [k, `${lakeAt}.${k}`]),
                ),
                accessLogRetentionDays: `${lakeAt}.gcp.accessLogRetentionDays`,
                softDeleteRetentionDays: `${lakeAt}.gcp.softDeleteRetentionDays`,
            },
            lakeAt,
        ),
    );
    const network = networkArgs(s);
    if (network) problems.push(...atKeys(validateGcpNetwork(network), provider, `${mlAt}.gcp`));
    problems.push(
        ...atKeys(
            validateVertexPlatform(
                vertexArgs(s, {
                    artifactBucket: PLACEHOLDER,
                    readBuckets: [],
                    keyIds,
                    networkId: network ? PLACEHOLDER : undefined,
                    subnetId: network ? PLACEHOLDER : undefined,
                }),
            ),
            { ...provider, models: `${ns}models`, training: `${mlAt}.training` },
            `${mlAt}.gcp`,
        ),
    );
    const containers = containerServiceArgs(s, refs);
    problems.push(
        ...atKeys(
            validateCloudRunContainerService({ ...containers, models: withOfferedAccelerators(containers.models, "cloud-run") }),
            {
                ...provider,
                ...servingKeys(csAt),
                keepTaggedVersions: `${csAt}.registryKeepVersions`,
                untaggedRetentionDays: `${csAt}.registryUntaggedDays`,
                ...modelKeys(cfg, "containerService", ns),
            },
            csAt,
        ),
    );

    const inference = inferenceArgs(s, refs);
    const inferenceKeys = { ...provider, ...servingKeys(siAt), ...modelKeys(cfg, "serverlessInference", ns) };
    if (inference) {
        const models = withOfferedAccelerators(inference.args.models, SERVICE_OF[inference.implementation]);
        switch (inference.implementation) {
            case "cloud-run":
                problems.push(...atKeys(validateCloudRunInference({ ...inference.args, models }), inferenceKeys, siAt));
                break;
            case "cloud-functions": {
                const source = functionSourceProblems(gcp, `${siAt}.functionSource`);
                problems.push(...source);
                // Without a usable handler directory every model lacks main.py: that is said once, at functionSource.
                const noMain = (p: ProblemDetail) =>
                    source.length > 0 && /^models\[\d+\]\.files$/.test(p.path) && p.message.includes("main.py");
                problems.push(
                    ...atKeys(
                        validateCloudFunctionsInference({ ...inference.args, models }).filter((p) => !noMain(p)),
                        { ...inferenceKeys, runtime: `${siAt}.functionRuntime`, handlerFiles: `${siAt}.functionSource` },
                        siAt,
                    ),
                );
                break;
            }
            case "vertex-endpoint":
                problems.push(
                    ...atKeys(
                        validateVertexEndpointInference({ ...inference.args, models }),
                        { ...inferenceKeys, endpointAccess: `${siAt}.endpointAccess`, cpuMachineType: `${siAt}.vertexCpuMachineType` },
                        siAt,
                    ),
                );
                break;
        }
    }

    const channels = servingAlertChannels(s, (url) => url);
    const siKeys = servingKeys(siAt);
    problems.push(
        ...atKeys(
            validateGcpObservability(
                alertArgs(
                    s,
                    { containerServices: [], inference: inference ? { cloudRunServices: [], vertexEndpoints: [] } : undefined },
                    channels,
                ),
            ),
            {
                ...provider,
                ...servingKeys(csAt),
                latencyAlert: `${csAt}.latencyAlert`,
                "additionalServing[0].errorRatePercent": siKeys.errorRatePercent,
                "additionalServing[0].latencyP95Ms": siKeys.latencyP95Ms,
                notificationEmails: `${ns}notifications.emails`,
                notificationWebhooks: `${ns}notifications.webhooks`,
                serviceLogRetentionDays: `${lakeAt}.gcp.serviceLogRetentionDays`,
            },
            csAt,
        ),
    );

    // A model served by both Cloud Run components is checked by both: list each problem once.
    const seen = new Set<string>();
    return problems.filter((p) => {
        const key = JSON.stringify([p.path, p.message, p.value]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** The Cloud Functions handler directory must exist and hold main.py. */
function functionSourceProblems(gcp: GcpConfig, at: string): ProblemDetail[] {
    const dir = gcp.serverlessInference.functionSource;
    const files = gcp.serverlessInference.functionFiles;
    if (files === undefined)
        return [
            {
                path: at,
                value: dir,
                message: "is not a directory in the project",
                fix: "give a path relative to the project root, e.g. samples/gcp/function",
            },
        ];
    return "main.py" in files ? [] : [{ path: at, value: dir, message: "has no main.py (the function handler)" }];
}
