/**
 * IP allow-lists: the only way this platform opens a firewall (storage, key vault, Synapse, Container Apps
 * ingress, Functions). Pure (no SDK). Each service wants the ranges in its own form, normalised here.
 */
import type { ProblemDetail } from "../shared/problems";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Private and reserved IPv4 blocks: storage firewalls reject them (they only see public addresses). */
const NON_PUBLIC = [
    /^10\./,
    /^172\.(1[6-9]|2\d|3[01])\./,
    /^192\.168\./,
    /^127\./,
    /^169\.254\./,
    /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
    /^0\./,
];

/** True for `a.b.c.d` or `a.b.c.d/n` with 0 < n <= 32. */
export function isIpv4Range(value: string): boolean {
    const [ip, bits, ...rest] = value.split("/");
    if (rest.length > 0 || !IPV4.test(ip)) return false;
    return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= 32);
}

/** What is wrong with one allow-list entry, or undefined when it is a usable public IPv4 address or block. */
export function ipRangeIssue(range: unknown): { message: string; fix: string } | undefined {
    if (typeof range !== "string" || !isIpv4Range(range))
        return { message: "is not an IPv4 address or CIDR block", fix: "write e.g. `203.0.113.7` or `203.0.113.0/24`" };
    if (NON_PUBLIC.some((p) => p.test(range)))
        return {
            message: "is a private or reserved range; Azure firewalls only see public addresses",
            fix: "give the public egress address of your network",
        };
    if (range.endsWith("/31"))
        return { message: "is a /31 block, which storage firewalls reject", fix: "list the two addresses separately" };
    return undefined;
}

/**
 * A problem for every range that is not a public IPv4 address or CIDR block, at `<path>[i]`. `/0` is
 * refused: "allow everything" is not an allow-list. `/31` is refused because storage firewalls reject it.
 */
export function validateIpRanges(ranges: readonly string[], path: string): ProblemDetail[] {
    return ranges.flatMap((range, i) => {
        const issue = ipRangeIssue(range);
        return issue ? [{ path: `${path}[${i}]`, value: range, ...issue }] : [];
    });
}

/** Storage and Key Vault firewall form: a bare address for single hosts (`/32` is not accepted by storage). */
export function firewallRange(range: string): string {
    return range.endsWith("/32") ? range.slice(0, -3) : range;
}

/** Container Apps and App Service form: always CIDR. */
export function cidrRange(range: string): string {
    return range.includes("/") ? range : `${range}/32`;
}

/** First and last address of a range (Synapse firewall rules take a start and an end address). */
export function ipRangeBounds(range: string): { start: string; end: string } {
    const [ip, bitsText] = range.split("/");
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    const value = ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - bits);
    const start = Math.floor(value / size) * size;
    const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
    return { start: toIp(start), end: toIp(start + size - 1) };
}
