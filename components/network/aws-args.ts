/**
 * Arguments of AwsNetwork and their validator. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { validateLogRetention } from "../observability/aws-args";
import type { ProblemDetail } from "../shared/problems";

/** Interface endpoints the platform's private compute can use (each costs per hour per AZ, plus data). */
export const INTERFACE_ENDPOINT_SERVICES = [
    "ecr.api",
    "ecr.dkr",
    "logs",
    "sts",
    "sagemaker.api",
    "sagemaker.runtime",
    "apprunner.requests",
] as const;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The VPC's address as a number and its prefix length, or undefined when it is not an aligned IPv4 CIDR. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = CIDR.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return base % size === 0 ? { base, prefix } : undefined;
}

export interface AwsNetworkArgs {
    /** The VPC's IPv4 range, /16 to /24 (subnets are 1/16 of it). Default: "10.40.0.0/16". */
    readonly cidrBlock?: string;
    /** Availability zones to spread subnets over (2 to 8). Default: 2. */
    readonly availabilityZoneCount?: number;
    /**
     * NAT gateways (0 to availabilityZoneCount) for outbound internet from private subnets. Each costs per
     * hour plus per GB; 1 is cheaper, one per zone survives a zone outage. Default: 0 - no internet egress.
     */
    readonly natGatewayCount?: number;
    /**
     * Interface endpoints to create, from INTERFACE_ENDPOINT_SERVICES (e.g. `ecr.api`). Each costs per hour
     * per zone plus per GB. Default: [] - none.
     */
    readonly interfaceEndpointServices?: string[];
    /** VPC Flow Logs to CloudWatch Logs (costs per GB ingested). Default: true. */
    readonly flowLogs?: boolean;
    /** Days flow logs are kept. Default: 365. */
    readonly flowLogRetentionDays?: number;
    /** KMS key encrypting the flow log group. Default: CloudWatch Logs' own encryption. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Tags put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with AwsNetwork args. */
export function validateAwsNetwork(args: AwsNetworkArgs): ProblemDetail[] {
    const a = {
        cidrBlock: args.cidrBlock ?? "10.40.0.0/16",
        zoneCount: args.availabilityZoneCount ?? 2,
        natCount: args.natGatewayCount ?? 0,
        services: args.interfaceEndpointServices ?? [],
        flowLogRetentionDays: args.flowLogRetentionDays,
    };
    const problems: ProblemDetail[] = [];
    const parsed = parseCidr(a.cidrBlock);
    if (!parsed || parsed.prefix < 16 || parsed.prefix > 24) {
        problems.push({
            path: "cidrBlock",
            value: a.cidrBlock,
            message: "must be an aligned IPv4 CIDR block from /16 to /24",
            fix: 'e.g. "10.40.0.0/16"',
        });
    }
    if (!Number.isInteger(a.zoneCount) || a.zoneCount < 2 || a.zoneCount > 8) {
        problems.push({
            path: "availabilityZoneCount",
            value: a.zoneCount,
            message: "must be a whole number from 2 to 8 (at least two zones for availability)",
        });
    }
    if (!Number.isInteger(a.natCount) || a.natCount < 0 || a.natCount > a.zoneCount) {
        problems.push({
            path: "natGatewayCount",
            value: a.natCount,
            message: `must be a whole number from 0 to availabilityZoneCount (${a.zoneCount})`,
            fix: "0 for no internet egress, 1 for one shared gateway, one per zone for zone-outage tolerance",
        });
    }
    a.services.forEach((s, i) => {
        if (!(INTERFACE_ENDPOINT_SERVICES as readonly string[]).includes(s))
            problems.push({
                path: `interfaceEndpointServices[${i}]`,
                value: s,
                message: "is not an endpoint this network offers",
                allowed: INTERFACE_ENDPOINT_SERVICES,
            });
        if (a.services.indexOf(s) !== i) problems.push({ path: `interfaceEndpointServices[${i}]`, value: s, message: "is listed twice" });
    });
    const retention = a.flowLogRetentionDays;
    if (retention !== undefined) problems.push(...validateLogRetention(retention, "flowLogRetentionDays"));
    return problems;
}
