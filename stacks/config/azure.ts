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
import { DEFAULT_SCORING_PATH, ENDPOINT_AUTH_MODES, FLEX_INSTANCE_MEMORY_MB, FLEX_PYTHON_VERSIONS } from "@mlops/components/serverless-inference/azure-settings";
import { CloudSection, CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";

/** The provider key the region comes from. */
export const LOCATION_KEY = "azure-native:location";

/** The keys each `azure` sub-object accepts. */
export const AZURE_KEYS = {
    dataLake: ["replication", "softDeleteRetentionDays", "allowedIpRanges", "queryAllowedIpRanges"],
    mlPlatform: ["publicNetworkAccess", "cpuVmSize", "idleSecondsBeforeScaleDown", "registrySku", "untaggedRetentionDays"],
    containerService: ["registrySku", "untaggedRetentionDays", "externalIngress", "allowedIpRanges"],
    serverlessInference: ["externalIngress", "allowedIpRanges", "endpointAuthMode", "endpointInstanceType", "functionsInstanceMemoryMB", "functionsPythonVersion"],
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
    };
    readonly containerService: {
        readonly registrySku: string;
        readonly untaggedRetentionDays: number;
        readonly externalIngress: boolean;
        readonly allowedIpRanges: string[];
    };
    readonly serverlessInference: {
        readonly externalIngress: boolean;
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
        read.problems.push({ path: LOCATION_KEY, value: undefined, message: "is required: every Azure resource of the stack is created in this region", fix: "run `pulumi config set azure-native:location swedencentral` (pick a region that offers the GPUs you configure)" });
    } else if (!LOCATION.test(location)) {
        read.problems.push({ path: LOCATION_KEY, value: location, message: "is not an Azure region name", fix: "run `pulumi config set azure-native:location swedencentral` (see `az account list-locations -o table`)" });
    }

    const lakePath = at("dataLake");
    const lake = read.object(sections.sections.dataLake, lakePath, AZURE_KEYS.dataLake);
    const replication = read.oneOf(lake, "replication", lakePath, REPLICATIONS, prod ? "GRS" : sections.environment === "staging" ? "ZRS" : "LRS");
    if (prod && !(GEO_REPLICATIONS as readonly string[]).includes(replication)) {
        read.problems.push({ path: `${lakePath}.replication`, value: replication, message: "keeps a prod lake in one region", allowed: GEO_REPLICATIONS, fix: "use GRS or GZRS in prod (CKV_AZURE_206)" });
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
    };

    const csPath = at("containerService");
    const cs = read.object(sections.sections.containerService, csPath, AZURE_KEYS.containerService);
    const containerService = {
        registrySku: read.oneOf(cs, "registrySku", csPath, REGISTRY_SKUS, prod ? "Premium" : "Basic"),
        untaggedRetentionDays: read.int(cs, "untaggedRetentionDays", csPath, 7, { ...RETENTION_DAYS, unit: "days" }),
        externalIngress: read.bool(cs, "externalIngress", csPath, true),
        allowedIpRanges: ipRanges(read, cs, "allowedIpRanges", csPath),
    };

    const siPath = at("serverlessInference");
    const si = read.object(sections.sections.serverlessInference, siPath, AZURE_KEYS.serverlessInference);
    const memory = read.int(si, "functionsInstanceMemoryMB", siPath, 2048, { min: 512, max: 4096, unit: "MB" });
    if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(memory)) read.problems.push({ path: `${siPath}.functionsInstanceMemoryMB`, value: memory, message: "is not a Flex Consumption instance size", allowed: FLEX_INSTANCE_MEMORY_MB });
    const serverlessInference = {
        externalIngress: read.bool(si, "externalIngress", siPath, true),
        allowedIpRanges: ipRanges(read, si, "allowedIpRanges", siPath),
        endpointAuthMode: read.oneOf(si, "endpointAuthMode", siPath, Object.keys(ENDPOINT_AUTH_MODES), "key"),
        endpointInstanceType: vmSize(read, si, "endpointInstanceType", siPath),
        functionsInstanceMemoryMB: memory,
        functionsPythonVersion: read.oneOf(si, "functionsPythonVersion", siPath, FLEX_PYTHON_VERSIONS, "3.12"),
    };

    const models = sections.models.map((value, i) => {
        const path = sections.modelPath(i);
        const m = read.object(value, path, AZURE_KEYS.model);
        return { scoringPath: read.matching(m, "scoringPath", path, /^\/\S*$/, "a path starting with /") ?? DEFAULT_SCORING_PATH };
    });

    return { location, dataLake, mlPlatform, containerService, serverlessInference, models };
}
