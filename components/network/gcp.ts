/**
 * A private VPC for the stack's VMs (the Workbench instance): one custom-mode network, one regional
 * subnet with Private Google Access (Google APIs are reachable without public IPs) and VPC flow logs,
 * and optionally Cloud NAT for outbound internet (package installs). No firewall rule allows ingress:
 * a custom VPC denies all ingress by default, and Workbench is reached through Google's proxy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { throwIfProblems } from "../shared/problems";
import { GCP_NAME_RULES, hyphenName } from "../naming/gcp";
import { DEFAULT_FLOW_LOG_SAMPLING, DEFAULT_SUBNET_CIDR, GcpNetworkArgs, validateGcpNetwork } from "./gcp-args";

/** A private VPC: one custom-mode network, one subnet with Private Google Access and flow logs, and optionally Cloud NAT. */
export class GcpNetwork extends pulumi.ComponentResource {
    /** The network's ID (`projects/<p>/global/networks/<name>`). */
    public readonly networkId: pulumi.Output<string>;
    /** The subnet's ID (`projects/<p>/regions/<r>/subnetworks/<name>`). */
    public readonly subnetId: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GcpNetwork "${name}"`, validateGcpNetwork(args));
        const subnetCidr = args.subnetCidr ?? DEFAULT_SUBNET_CIDR;
        const sampling = args.flowLogSampling ?? DEFAULT_FLOW_LOG_SAMPLING;
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
