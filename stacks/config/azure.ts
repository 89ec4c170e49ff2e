/**
 * Azure-only settings: the `azure` sub-object of each `mlops:` section (`mlops:dataLake.azure`,
 * `mlops:mlPlatform.azure`, `mlops:containerService.azure`, `mlops:serverlessInference.azure`,
 * `mlops:models[i].azure`) and the provider's `azure-native:location`. Parsed only when `mlops:cloud` is
 * `azure`. Documented in docs/azure.md ("Configuration"). Imports only pure component modules, so
 * parsing loads no cloud SDK.
 */
import { GEO_REPLICATIONS, REPLICATIONS } from "@mlops/components/data-lake/azure-account";
import { SOFT_DELETE_DAYS } from "@mlops/components/data-lake/azure-policy";
import { REGISTRY_SKUS, RETENTION_DAYS } from "@mlops/components/container-service/azure-registry";
import { DEFAULT_CPU_VM_SIZE, VM_SIZE } from "@mlops/components/ml-platform/azure-settings";
import { ipRangeIssue } from "@mlops/components/network/azure";
import { DEFAULT_ADDRESS_SPACE, addressSpaceIssue } from "@mlops/components/network/azure-layout";
import { ValidationError, formatProblem } from "@mlops/components";
import type { StackConfig } from "./schema";
import {
    DEFAULT_SCORING_PATH,
    ENDPOINT_AUTH_MODES,
    FLEX_INSTANCE_MEMORY_MB,
    FLEX_PYTHON_VERSIONS,
} from "@mlops/components/serverless-inference/azure-settings";
import { CloudSection, CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";

/** The provider key the region comes from. */
export const LOCATION_KEY = "azure-native:location";

/** The keys each `azure` sub-object accepts. */
export const AZURE_KEYS = {
    dataLake: ["replication", "softDeleteRetentionDays", "allowedIpRanges", "queryAllowedIpRanges"],
    mlPlatform: [
        "publicNetworkAccess",
        "cpuVmSize",
        "idleSecondsBeforeScaleDown",
        "registrySku",
        "untaggedRetentionDays",
        "privateNetwork",
        "networkAddressSpace",
    ],
    containerService: ["registrySku", "untaggedRetentionDays", "externalIngress", "publicIngress", "authClientId", "allowedIpRanges"],
    serverlessInference: [
        "externalIngress",
        "publicIngress",
        "authClientId",
        "allowedIpRanges",
        "endpointAuthMode",
        "endpointInstanceType",
        "functionsInstanceMemoryMB",
        "functionsPythonVersion",
    ],
    model: ["scoringPath"],
} as const;

export interface AzureConfig {
    /**
     * `azure-native:location`, e.g. `swedencentral`. Undefined when not set: the Azure stack then stops
     * with a config error before creating anything (see stacks/clouds/azure.ts).
     */
    readonly location?: string;
    readonly dataLake: {
        readonly replication: string;
        readonly softDeleteRetentionDays: number;
        readonly allowedIpRanges: string[];
        readonly queryAllowedIpRanges: string[];
    };
    readonly mlPlatform: {
        readonly publicNetworkAccess: boolean;
        readonly cpuVmSize: string;
        readonly idleSecondsBeforeScaleDown: number;
        readonly registrySku: string;
        readonly untaggedRetentionDays: number;
        /**
         * The stack's virtual network (private endpoints, Container Apps and Functions in the network, Azure ML
         * managed network). Default: on in prod, off elsewhere (dev stays cheap).
         */
        readonly privateNetwork: boolean;
        /** Its address space, /16 to /22. */
        readonly networkAddressSpace: string;
    };
    readonly containerService: {
        readonly registrySku: string;
        readonly untaggedRetentionDays: number;
        readonly externalIngress: boolean;
        /** With the network: give the Container Apps environment a public IP (it is internal otherwise). */
        readonly publicIngress: boolean;
        /** Entra ID app registration whose tokens every request must carry (built-in authentication). */
        readonly authClientId?: string;
        readonly allowedIpRanges: string[];
    };
    readonly serverlessInference: {
        readonly externalIngress: boolean;
        readonly publicIngress: boolean;
        readonly authClientId?: string;
        readonly allowedIpRanges: string[];
        readonly endpointAuthMode: string;
        readonly endpointInstanceType: string;
        readonly functionsInstanceMemoryMB: number;
        readonly functionsPythonVersion: string;
    };
    /** Per model, in `mlops:models` order. */
    readonly models: { readonly scoringPath: string }[];
}

/** Azure region names as the CLI lists them (`swedencentral`); display names (`Sweden Central`) also work. */
const LOCATION = /^[A-Za-z][A-Za-z0-9 ]*[A-Za-z0-9]$/;
/** An Entra ID application (client) ID. */
const CLIENT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function ipRanges(read: Reader, obj: Obj | undefined, key: string, path: string): string[] {
    const ranges = read.stringList(obj, key, path, []);
    ranges.forEach((range, i) => {
        const issue = ipRangeIssue(range);
        if (issue) read.problems.push({ path: `${path}.${key}[${i}]`, value: range, ...issue });
    });
    return ranges;
}

function vmSize(read: Reader, obj: Obj | undefined, key: string, path: string): string {
    return read.matching(obj, key, path, VM_SIZE, `an Azure VM size such as ${DEFAULT_CPU_VM_SIZE}`) ?? DEFAULT_CPU_VM_SIZE;
}

export function parseAzureConfig(sections: CloudSections, read: Reader): AzureConfig {
    const prod = sections.environment === "prod";
    const at = (s: CloudSection) => sections.path(s);

    const location = sections.providerConfig[LOCATION_KEY];
    if (location === undefined) {
        read.problems.push({
            path: LOCATION_KEY,
            value: undefined,
            message: "is required: every Azure resource of the stack is created in this region",
            fix: "run `pulumi config set azure-native:location swedencentral` (pick a region that offers the GPUs you configure)",
        });
    } else if (!LOCATION.test(location)) {
        read.problems.push({
            path: LOCATION_KEY,
            value: location,
            message: "is not an Azure region name",
            fix: "run `pulumi config set azure-native:location swedencentral` (see `az account list-locations -o table`)",
        });
    }

    const lakePath = at("dataLake");
    const lake = read.object(sections.sections.dataLake, lakePath, AZURE_KEYS.dataLake);
    const replication = read.oneOf(
        lake,
        "replication",
        lakePath,
        REPLICATIONS,
        prod ? "GRS" : sections.environment === "staging" ? "ZRS" : "LRS",
    );
    if (prod && !(GEO_REPLICATIONS as readonly string[]).includes(replication)) {
        read.problems.push({
            path: `${lakePath}.replication`,
            value: replication,
            message: "keeps a prod lake in one region",
            allowed: GEO_REPLICATIONS,
            fix: "use GRS or GZRS in prod (CKV_AZURE_206)",
        });
    }
    const dataLake = {
        replication,
        softDeleteRetentionDays: read.int(lake, "softDeleteRetentionDays", lakePath, prod ? 30 : 7, { ...SOFT_DELETE_DAYS, unit: "days" }),
        allowedIpRanges: ipRanges(read, lake, "allowedIpRanges", lakePath),
        queryAllowedIpRanges: ipRanges(read, lake, "queryAllowedIpRanges", lakePath),
    };

    const mlPath = at("mlPlatform");
    const ml = read.object(sections.sections.mlPlatform, mlPath, AZURE_KEYS.mlPlatform);
    const mlPlatform = {
        publicNetworkAccess: read.bool(ml, "publicNetworkAccess", mlPath, false),
        cpuVmSize: vmSize(read, ml, "cpuVmSize", mlPath),
        idleSecondsBeforeScaleDown: read.int(ml, "idleSecondsBeforeScaleDown", mlPath, 120, { min: 60, max: 604800, unit: "seconds" }),
        registrySku: read.oneOf(ml, "registrySku", mlPath, REGISTRY_SKUS, prod ? "Premium" : "Basic"),
        untaggedRetentionDays: read.int(ml, "untaggedRetentionDays", mlPath, 7, { ...RETENTION_DAYS, unit: "days" }),
        privateNetwork: read.bool(ml, "privateNetwork", mlPath, prod),
        networkAddressSpace: read.string(ml, "networkAddressSpace", mlPath, DEFAULT_ADDRESS_SPACE),
    };
    const spaceIssue = addressSpaceIssue(mlPlatform.networkAddressSpace);
    if (spaceIssue) read.problems.push({ path: `${mlPath}.networkAddressSpace`, value: mlPlatform.networkAddressSpace, ...spaceIssue });
    const clientId = (obj: Obj | undefined, path: string) =>
        read.matching(
            obj,
            "authClientId",
            path,
            CLIENT_ID,
            "the application (client) ID of an Entra ID app registration, e.g. 00000000-0000-0000-0000-000000000000",
        );

    const csPath = at("containerService");
    const cs = read.object(sections.sections.containerService, csPath, AZURE_KEYS.containerService);
    const containerService = {
        registrySku: read.oneOf(cs, "registrySku", csPath, REGISTRY_SKUS, prod ? "Premium" : "Basic"),
        untaggedRetentionDays: read.int(cs, "untaggedRetentionDays", csPath, 7, { ...RETENTION_DAYS, unit: "days" }),
        externalIngress: read.bool(cs, "externalIngress", csPath, true),
        publicIngress: read.bool(cs, "publicIngress", csPath, false),
        authClientId: clientId(cs, csPath),
        allowedIpRanges: ipRanges(read, cs, "allowedIpRanges", csPath),
    };

    const siPath = at("serverlessInference");
    const si = read.object(sections.sections.serverlessInference, siPath, AZURE_KEYS.serverlessInference);
    const memory = read.int(si, "functionsInstanceMemoryMB", siPath, 2048, { min: 512, max: 4096, unit: "MB" });
    if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(memory))
        read.problems.push({
            path: `${siPath}.functionsInstanceMemoryMB`,
            value: memory,
            message: "is not a Flex Consumption instance size",
            allowed: FLEX_INSTANCE_MEMORY_MB,
        });
    const serverlessInference = {
        externalIngress: read.bool(si, "externalIngress", siPath, true),
        publicIngress: read.bool(si, "publicIngress", siPath, false),
        authClientId: clientId(si, siPath),
        allowedIpRanges: ipRanges(read, si, "allowedIpRanges", siPath),
        endpointAuthMode: read.oneOf(si, "endpointAuthMode", siPath, Object.keys(ENDPOINT_AUTH_MODES), "key"),
        endpointInstanceType: vmSize(read, si, "endpointInstanceType", siPath),
        functionsInstanceMemoryMB: memory,
        functionsPythonVersion: read.oneOf(si, "functionsPythonVersion", siPath, FLEX_PYTHON_VERSIONS, "3.12"),
    };

    for (const [path, section] of [
        [csPath, containerService],
        [siPath, serverlessInference],
    ] as const) {
        if (section.publicIngress && !mlPlatform.privateNetwork) {
            read.problems.push({
                path: `${path}.publicIngress`,
                value: true,
                message: "has no effect without a network: a Container Apps environment outside a virtual network is always public",
                fix: `remove it, or set ${mlPath}.privateNetwork: true`,
            });
        }
    }

    const models = sections.models.map((value, i) => {
        const path = sections.modelPath(i);
        const m = read.object(value, path, AZURE_KEYS.model);
        return { scoringPath: read.matching(m, "scoringPath", path, /^\/\S*$/, "a path starting with /") ?? DEFAULT_SCORING_PATH };
    });

    return { location, dataLake, mlPlatform, containerService, serverlessInference, models };
}

/** Whether Container Apps serving is reachable from the internet: ingress outside the environment, and no internal network. */
export function containerAppsPublic(az: AzureConfig, section: "containerService" | "serverlessInference"): boolean {
    const s = az[section];
    return s.externalIngress && (!az.mlPlatform.privateNetwork || s.publicIngress);
}

/**
 * Whole-stack Azure checks (they need the models and the implementations): in prod, models served on
 * Container Apps from the internet must require an Entra ID token. Throws one ValidationError.
 */
export function checkAzureStack(cfg: StackConfig): void {
    const az = cfg.azure;
    if (!az || cfg.environment !== "prod") return;
    const ns = `${cfg.project}:`;
    const problems: string[] = [];
    const check = (section: "containerService" | "serverlessInference", served: boolean) => {
        if (!served || !containerAppsPublic(az, section) || az[section].authClientId !== undefined) return;
        problems.push(
            formatProblem({
                path: `${ns}${section}.azure.authClientId`,
                value: undefined,
                message: `is required: prod serves models on a public Container Apps endpoint (${ns}${section}.azure ${az.mlPlatform.privateNetwork ? "publicIngress: true" : `externalIngress with ${ns}mlPlatform.azure.privateNetwork: false`}) and nothing would authenticate the callers`,
                fix: `give the client ID of an Entra ID app registration (callers then need a token for it), or keep the models private: remove publicIngress, or set externalIngress: false`,
            }),
        );
    };
    check(
        "containerService",
        cfg.models.some((m) => m.serveWith.includes("containerService")),
    );
    check(
        "serverlessInference",
        cfg.serverlessInference.implementation === "container-apps" && cfg.models.some((m) => m.serveWith.includes("serverlessInference")),
    );
    if (problems.length > 0) throw new ValidationError(`stack config "${cfg.stack}"`, problems);
}
