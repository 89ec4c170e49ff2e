/**
 * A private VPC for the stack's VMs (the Workbench instance): one custom-mode network, one regional
 * subnet with Private Google Access (Google APIs are reachable without public IPs) and VPC flow logs,
 * and optionally Cloud NAT for outbound internet (package installs). No firewall rule allows ingress:
 * a custom VPC denies all ingress by default, and Workbench is reached through Google's proxy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { Problems } from "../shared/problems";
import { GCP_NAME_RULES, hyphenName, namePrefixProblems } from "../naming/gcp";

export interface GcpNetworkArgs {
    /** Project of the network. */
    readonly project: string;
    /** Region of the subnet (and NAT). */
    readonly region: string;
    /** Prefix of the network's names, unique in the project (the stacks use `<project>-<stack>`). */
    readonly namePrefix: string;
    /** The subnet's primary range (RFC 1918). @default "10.20.0.0/24" */
    readonly subnetCidr?: string;
    /** Cloud NAT for outbound internet from VMs without public IPs. Costs money (hourly per gateway plus data). @default false */
    readonly natGateway?: boolean;
    /** Fraction of flows sampled into VPC flow logs (0.1 to 1). @default 0.5 */
    readonly flowLogSampling?: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for an IPv4 CIDR in 10/8, 172.16/12 or 192.168/16 with a prefix from /8 to /29. */
export function isPrivateCidr(cidr: string): boolean {
    const m = CIDR.exec(cidr);
    if (!m) return false;
    const [a, b, c, d, len] = m.slice(1).map(Number);
    if ([a, b, c, d].some((o) => o > 255) || len < 8 || len > 29) return false;
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export class GcpNetwork extends pulumi.ComponentResource {
    /** The network's ID (`projects/<p>/global/networks/<name>`). */
    public readonly networkId: pulumi.Output<string>;
    /** The subnet's ID (`projects/<p>/regions/<r>/subnetworks/<name>`). */
    public readonly subnetId: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const subnetCidr = args.subnetCidr ?? "10.20.0.0/24";
        const sampling = args.flowLogSampling ?? 0.5;
        const problems = new Problems();
        namePrefixProblems(args.namePrefix, problems);
        if (!isPrivateCidr(subnetCidr))
            problems.add({
                path: "subnetCidr",
                value: subnetCidr,
                message: "is not a private IPv4 range",
                fix: "use an RFC 1918 range from /8 to /29, e.g. 10.20.0.0/24",
            });
        if (typeof sampling !== "number" || sampling < 0.1 || sampling > 1)
            problems.add({ path: "flowLogSampling", value: sampling, message: "must be from 0.1 to 1" });
        problems.throwIfAny(`GcpNetwork "${name}"`);
        super("mlops:index:GcpNetwork", name, args, opts);

        const child = { parent: this, dependsOn: opts.dependsOn };
        const names = (role: string) => hyphenName([args.namePrefix, role], GCP_NAME_RULES.compute.max);
        const network = new compute.Network(
            `${name}-vpc`,
            {
                project: args.project,
                name: names("vpc"),
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
                description: "mlops: private network for notebooks",
            },
            child,
        );
        const subnet = new compute.Subnetwork(
            `${name}-subnet`,
            {
                project: args.project,
                name: names(args.region),
                region: args.region,
                network: network.id,
                ipCidrRange: subnetCidr,
                // VMs without public IPs still reach Google APIs (Storage, Vertex AI, Artifact Registry).
                privateIpGoogleAccess: true,
                logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: sampling, metadata: "INCLUDE_ALL_METADATA" },
            },
            child,
        );
        if (args.natGateway) {
            const router = new compute.Router(
                `${name}-router`,
                { project: args.project, name: names("router"), region: args.region, network: network.id },
                child,
            );
            new compute.RouterNat(
                `${name}-nat`,
                {
                    project: args.project,
                    name: names("nat"),
                    region: args.region,
                    router: router.name,
                    natIpAllocateOption: "AUTO_ONLY",
                    sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                    subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                    logConfig: { enable: true, filter: "ERRORS_ONLY" },
                },
                child,
            );
        }
        this.networkId = network.id;
        this.subnetId = subnet.id;
        this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId });
    }
}
