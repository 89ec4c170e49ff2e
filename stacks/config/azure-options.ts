/**
 * The Azure options of a stack config (`StackConfig.azure`): the keys each `azure` sub-object accepts and
 * the parsed settings. Types and constants only: imports nothing from schema.ts, parse.ts or
 * cloud-sections.ts, so schema.ts can name `AzureConfig` without an import cycle.
 */

/** The provider key the region comes from. */
export const LOCATION_KEY = "azure-native:location";

/** The keys each `azure` sub-object accepts. */
export const AZURE_KEYS = {
    dataLake: ["replication", "softDeleteRetentionDays", "firewall", "allowedIpRanges", "queryAllowedIpRanges"],
    mlPlatform: [
        "publicNetworkAccess",
        "cpuVmSize",
        "idleSecondsBeforeScaleDown",
        "registry",
        "registrySku",
        "untaggedRetentionDays",
        "privateNetwork",
        "networkAddressSpace",
    ],
    containerService: [
        "registry",
        "registrySku",
        "untaggedRetentionDays",
        "externalIngress",
        "publicIngress",
        "authClientId",
        "allowedIpRanges",
    ],
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
        /**
         * The lake's firewall (default action Deny). Undefined when not set: on in prod and with the private
         * network, off otherwise (dev: every network, Entra ID only). See `lakeFirewall` in azure.ts.
         */
        readonly firewall?: boolean;
        readonly allowedIpRanges: string[];
        readonly queryAllowedIpRanges: string[];
    };
    readonly mlPlatform: {
        readonly publicNetworkAccess: boolean;
        readonly cpuVmSize: string;
        readonly idleSecondsBeforeScaleDown: number;
        /**
         * The workspace's own container registry. Undefined when not set: on in prod and with the private network,
         * off otherwise (Azure ML then creates one on its first image build). See `mlRegistry` in azure.ts.
         */
        readonly registry?: boolean;
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
        /**
         * The container service's registry. Undefined when not set: on in prod and when a model's image is in the
         * stack's registry, off otherwise. See `servingRegistry` in azure.ts.
         */
        readonly registry?: boolean;
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
