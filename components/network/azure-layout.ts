/**
 * The address plan of the Azure virtual network and the private DNS zones it resolves. Pure (no SDK),
 * so config parsing checks the address space without loading the network SDK.
 *
 * Subnets (one /24 each, in this order from the start of the address space):
 * - `endpoints`: the private endpoints of the lake, vaults, registries and the ML workspace;
 * - `apps-svc`, `apps-inf`: one Container Apps environment each (a workload-profiles environment needs a
 *   subnet of its own, at least /27, delegated to Microsoft.App/environments);
 * - `functions`: Flex Consumption virtual network integration (also delegated to Microsoft.App/environments).
 * Azure ML training runs in the workspace's managed virtual network, which needs no subnet here.
 */

/** The default address space: private, and unlikely to overlap a corporate 10.0.0.0/16. */
export const DEFAULT_ADDRESS_SPACE = "10.42.0.0/16";

export const SUBNETS = ["endpoints", "apps-svc", "apps-inf", "functions"] as const;
export type SubnetRole = (typeof SUBNETS)[number];
/** Subnets that Container Apps environments or Flex Consumption apps take over (delegated to Microsoft.App/environments). */
export const DELEGATED_SUBNETS: readonly SubnetRole[] = ["apps-svc", "apps-inf", "functions"];
export const APP_DELEGATION = "Microsoft.App/environments";

/** The address space must hold the four /24 subnets: /16 to /22. */
export const ADDRESS_SPACE_PREFIX = { min: 16, max: 22 } as const;

const PRIVATE_BLOCKS: readonly [number, number][] = [
    [ip("10.0.0.0"), 8],
    [ip("172.16.0.0"), 12],
    [ip("192.168.0.0"), 16],
];

function ip(text: string): number {
    return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(\d{1,2})$/;

/** What is wrong with an address space, or undefined when it is a usable private block of /16 to /22. */
export function addressSpaceIssue(value: unknown): { message: string; fix: string } | undefined {
    const fix = `write a private block from /${ADDRESS_SPACE_PREFIX.min} to /${ADDRESS_SPACE_PREFIX.max} that no peered network uses, e.g. ${DEFAULT_ADDRESS_SPACE}`;
    if (typeof value !== "string" || !CIDR.test(value)) return { message: "is not an IPv4 CIDR block", fix };
    const [address, bitsText] = value.split("/");
    const bits = Number(bitsText);
    if (bits < ADDRESS_SPACE_PREFIX.min || bits > ADDRESS_SPACE_PREFIX.max)
        return {
            message: `is a /${bits}; the network needs /${ADDRESS_SPACE_PREFIX.min} to /${ADDRESS_SPACE_PREFIX.max} for its four /24 subnets`,
            fix,
        };
    const start = ip(address);
    if (start % 2 ** (32 - bits) !== 0)
        return { message: `does not start on a /${bits} boundary`, fix: `write ${toIp(start - (start % 2 ** (32 - bits)))}/${bits}` };
    const inside = PRIVATE_BLOCKS.some(
        ([block, size]) => bits >= size && Math.floor(start / 2 ** (32 - size)) === Math.floor(block / 2 ** (32 - size)),
    );
    if (!inside) return { message: "is not a private (RFC 1918) range", fix };
    return undefined;
}

/** The data pipelines' jobs environment (`jobsSubnet`): the fifth /24, so the address space must be /21 or larger. */
export const JOBS_SUBNET = "jobs";
export const JOBS_SUBNET_MAX_PREFIX = 21;

/**
 * The service endpoint on the jobs subnet of a stack without the private network: the storage accounts'
 * virtual network rules admit traffic from the subnet only when it carries this endpoint.
 */
export const STORAGE_SERVICE_ENDPOINT = "Microsoft.Storage";

/** The jobs subnet's /24 block: the one after the four of `SUBNETS`. */
export function jobsSubnetPrefix(addressSpace: string): string {
    return `${toIp(ip(addressSpace.split("/")[0]) + SUBNETS.length * 256)}/24`;
}

/** Subnet role -> its /24 block, in `SUBNETS` order from the start of the address space. */
export function subnetPrefixes(addressSpace: string): Record<SubnetRole, string> {
    const start = ip(addressSpace.split("/")[0]);
    return Object.fromEntries(SUBNETS.map((role, i) => [role, `${toIp(start + i * 256)}/24`])) as Record<SubnetRole, string>;
}

/**
 * Private DNS zones (Azure public cloud) per private link target. A private endpoint registers its IP in
 * the zone of its group, so the service's usual host name resolves to it inside the virtual network.
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 */
export const PRIVATE_DNS_ZONES = {
    blob: "privatelink.blob.core.windows.net",
    dfs: "privatelink.dfs.core.windows.net",
    vault: "privatelink.vaultcore.azure.net",
    amlApi: "privatelink.api.azureml.ms",
    amlNotebooks: "privatelink.notebooks.azure.net",
    registry: "privatelink.azurecr.io",
    synapseSql: "privatelink.sql.azuresynapse.net",
    synapseDev: "privatelink.dev.azuresynapse.net",
} as const;
export type PrivateDnsZoneKey = keyof typeof PRIVATE_DNS_ZONES;

/** The zones a stack needs: Synapse's only with the query engine. */
export function privateDnsZoneKeys(queryEngine: boolean): PrivateDnsZoneKey[] {
    const all = Object.keys(PRIVATE_DNS_ZONES) as PrivateDnsZoneKey[];
    return queryEngine ? all : all.filter((k) => !k.startsWith("synapse"));
}
