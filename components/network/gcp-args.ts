/** Arguments of GcpNetwork and their validator. Pure: no SDK. */
import type { ProblemDetail } from "../shared/problems";
import { validateNamePrefix } from "../naming/gcp";

export interface GcpNetworkArgs {
    /** Project of the network. */
    readonly project: string;
    /** Region of the subnet (and NAT). */
    readonly region: string;
    /** Prefix of the network's names, unique in the project (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** The subnet's primary range (RFC 1918). Default: "10.20.0.0/24". */
    readonly subnetCidr?: string;
    /** Cloud NAT for outbound internet from VMs without public IPs. Costs money (hourly per gateway plus data). Default: false. */
    readonly natGateway?: boolean;
    /** Fraction of flows sampled into VPC flow logs (0.1 to 1). Default: 0.5. */
    readonly flowLogSampling?: number;
}

export const DEFAULT_SUBNET_CIDR = "10.20.0.0/24";
export const DEFAULT_FLOW_LOG_SAMPLING = 0.5;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for an IPv4 CIDR in 10/8, 172.16/12 or 192.168/16 with a prefix from /8 to /29. */
export function isPrivateCidr(cidr: string): boolean {
    const m = CIDR.exec(cidr);
    if (!m) return false;
    const [a, b, c, d, len] = m.slice(1).map(Number);
    if ([a, b, c, d].some((o) => o > 255) || len < 8 || len > 29) return false;
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Every problem with the arguments (paths relative to them). */
export function validateGcpNetwork(args: GcpNetworkArgs): ProblemDetail[] {
    const subnetCidr = args.subnetCidr ?? DEFAULT_SUBNET_CIDR;
    const sampling = args.flowLogSampling ?? DEFAULT_FLOW_LOG_SAMPLING;
    const problems = validateNamePrefix(args.namePrefix);
    if (!isPrivateCidr(subnetCidr))
        problems.push({
            path: "subnetCidr",
            value: subnetCidr,
            message: "is not a private IPv4 range",
            fix: "use an RFC 1918 range from /8 to /29, e.g. 10.20.0.0/24",
        });
    if (typeof sampling !== "number" || sampling < 0.1 || sampling > 1)
        problems.push({ path: "flowLogSampling", value: sampling, message: "must be from 0.1 to 1" });
    return problems;
}
