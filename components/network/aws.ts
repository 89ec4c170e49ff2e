/**
 * The VPC the platform's compute runs in (SageMaker, Fargate, Lambda): private subnets across at least two
 * availability zones, an S3 gateway endpoint (free), and, only when asked because they cost money, NAT
 * gateways (with public subnets and an internet gateway) and interface endpoints for AWS APIs. The default
 * security group is emptied (CKV2_AWS_12) and VPC Flow Logs go to an encrypted log group (CKV2_AWS_11).
 */
import * as pulumi from "@pulumi/pulumi";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import { awsAccount, logStreamsArn, policyJson, serviceRole } from "../identity/aws";
import { throwIfProblems } from "../shared/problems";
import { AwsNetworkArgs, parseCidr, validateAwsNetwork } from "./aws-args";

export * from "./aws-args";

/**
 * Endpoint services that publish no private DNS name: EC2 refuses `privateDnsEnabled` for them. App Runner's
 * private ingress is reached through the VPC ingress connection's own domain name instead.
 */
export const NO_PRIVATE_DNS_SERVICES: readonly string[] = ["apprunner.requests"];

/**
 * Only regular availability zones: an opted-in Local or Wavelength Zone is also "available", sorts before
 * the region's zones (`us-west-2-lax-1a` < `us-west-2a`), and lacks NAT gateways, endpoints and SageMaker.
 */
export const AVAILABILITY_ZONE_FILTERS = [{ name: "opt-in-status", values: ["opt-in-not-required"] }];

function formatCidr(base: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/**
 * Subnet layout: the VPC is cut into 16 equal blocks (a /16 gives /20s); private subnet i takes block i,
 * public subnet i (only with NAT) takes block 8 + i. Up to 8 zones; stable when zones are added.
 */
export function subnetCidrs(vpcCidr: string, zoneCount: number): { private: string[]; public: string[] } {
    const parsed = parseCidr(vpcCidr);
    if (!parsed) throw new Error(`"${vpcCidr}" is not an aligned IPv4 CIDR block`);
    const prefix = parsed.prefix + 4;
    const size = 2 ** (32 - prefix);
    const block = (i: number) => formatCidr(parsed.base + i * size, prefix);
    const zones = [...Array(zoneCount).keys()];
    return { private: zones.map(block), public: zones.map((i) => block(8 + i)) };
}

/** The VPC the platform's compute runs in: private subnets in two or more availability zones, an S3 gateway endpoint, and, when asked, NAT gateways and interface endpoints; flow logs to an encrypted log group. */
export class AwsNetwork extends pulumi.ComponentResource {
    /** ID of the VPC. */
    public readonly vpcId: pulumi.Output<string>;
    /** The VPC's IPv4 block. */
    public readonly cidrBlock: pulumi.Output<string>;
    /** One private subnet per availability zone. */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Whether private subnets reach the internet (NAT gateways exist). */
    public readonly internetEgress: boolean;
    /** The interface endpoints created, by service (`ecr.api` -> endpoint ID). */
    public readonly interfaceEndpointIds: pulumi.Output<Record<string, string>>;
    /** The prefix list of the S3 gateway endpoint: what security groups let out to reach S3 without NAT. */
    public readonly s3PrefixListId: pulumi.Output<string>;

    constructor(name: string, args: AwsNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const cidrBlock = args.cidrBlock ?? "10.40.0.0/16";
        const zoneCount = args.availabilityZoneCount ?? 2;
        const natCount = args.natGatewayCount ?? 0;
        const services = args.interfaceEndpointServices ?? [];
        throwIfProblems(`AwsNetwork "${name}"`, validateAwsNetwork(args));
        super("mlops:index:AwsNetwork", name, args, opts);

        const tags = { ...args.tags };
        const named = (role: string) => ({ ...tags, Name: `${name}-${role}` });
        const account = awsAccount(this);
        const zones = getAvailabilityZonesOutput({ state: "available", filters: AVAILABILITY_ZONE_FILTERS }, { parent: this }).names;
        const cidrs = subnetCidrs(cidrBlock, zoneCount);

        const network = new ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: named("vpc") },
            { parent: this },
        );
        // Nothing may use the default security group: AWS creates it allowing all traffic within itself.
        new ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: network.id, tags: named("default-sg") }, { parent: this });

        const privateSubnets = cidrs.private.map(
            (cidr, i) =>
                new ec2.Subnet(
                    `${name}-private-${i}`,
                    {
                        vpcId: network.id,
                        cidrBlock: cidr,
                        availabilityZone: zones[i],
                        mapPublicIpOnLaunch: false,
                        tags: named(`private-${i}`),
                    },
                    { parent: this },
                ),
        );
        const routeTables = privateSubnets.map((subnet, i) => {
            const table = new ec2.RouteTable(
                `${name}-private-${i}-rt`,
                { vpcId: network.id, tags: named(`private-${i}`) },
                { parent: this },
            );
            new ec2.RouteTableAssociation(`${name}-private-${i}-rta`, { subnetId: subnet.id, routeTableId: table.id }, { parent: this });
            return table;
        });

        if (natCount > 0) {
            // Public subnets hold only the NAT gateways; nothing else is placed in them.
            const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: network.id, tags: named("igw") }, { parent: this });
            const publicTable = new ec2.RouteTable(`${name}-public-rt`, { vpcId: network.id, tags: named("public") }, { parent: this });
            new ec2.Route(
                `${name}-public-default`,
                { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
                { parent: this },
            );
            const nats = [...Array(natCount).keys()].map((i) => {
                const subnet = new ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        vpcId: network.id,
                        cidrBlock: cidrs.public[i],
                        availabilityZone: zones[i],
                        mapPublicIpOnLaunch: false,
                        tags: named(`public-${i}`),
                    },
                    { parent: this },
                );
                new ec2.RouteTableAssociation(
                    `${name}-public-${i}-rta`,
                    { subnetId: subnet.id, routeTableId: publicTable.id },
                    { parent: this },
                );
                const eip = new ec2.Eip(`${name}-nat-${i}-eip`, { domain: "vpc", tags: named(`nat-${i}`) }, { parent: this });
                return new ec2.NatGateway(
                    `${name}-nat-${i}`,
                    { allocationId: eip.id, subnetId: subnet.id, tags: named(`nat-${i}`) },
                    { parent: this, dependsOn: [igw] },
                );
            });
            routeTables.forEach(
                (table, i) =>
                    new ec2.Route(
                        `${name}-private-${i}-default`,
                        { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id },
                        { parent: this },
                    ),
            );
        }

        // Free, and what ECR image layers, model artifacts and the lake are read through.
        const s3Endpoint = new ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: network.id,
                serviceName: pulumi.interpolate`com.amazonaws.${account.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: routeTables.map((t) => t.id),
                tags: named("s3"),
            },
            { parent: this },
        );

        const endpointIds: Record<string, pulumi.Output<string>> = {};
        if (services.length > 0) {
            const sg = new ec2.SecurityGroup(
                `${name}-endpoints-sg`,
                { vpcId: network.id, description: "Interface endpoints: HTTPS from inside the VPC only", tags: named("endpoints") },
                { parent: this },
            );
            new vpc.SecurityGroupIngressRule(
                `${name}-endpoints-https`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: cidrBlock,
                    description: "HTTPS from the VPC",
                },
                { parent: this },
            );
            for (const service of services) {
                const endpoint = new ec2.VpcEndpoint(
                    `${name}-${service.replace(/\./g, "-")}`,
                    {
                        vpcId: network.id,
                        serviceName: pulumi.interpolate`com.amazonaws.${account.region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: !NO_PRIVATE_DNS_SERVICES.includes(service),
                        subnetIds: privateSubnets.map((s) => s.id),
                        securityGroupIds: [sg.id],
                        tags: named(service),
                    },
                    { parent: this },
                );
                endpointIds[service] = endpoint.id;
            }
        }

        if (args.flowLogs ?? true) {
            const logGroup = new cloudwatch.LogGroup(
                `${name}-flow-logs`,
                { retentionInDays: args.flowLogRetentionDays ?? 365, kmsKeyId: args.kmsKeyArn, tags },
                { parent: this },
            );
            const writer = serviceRole(this, `${name}-flow-logs-role`, {
                service: "vpc-flow-logs.amazonaws.com",
                description: "VPC Flow Logs writes this VPC's flow records to its log group",
                trustConditions: { StringEquals: { "aws:SourceAccount": account.accountId } },
                policy: policyJson([
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [logGroup.arn, logStreamsArn(logGroup.arn)],
                    },
                ]),
                tags,
            });
            new ec2.FlowLog(
                `${name}-flow-log`,
                {
                    vpcId: network.id,
                    trafficType: "ALL",
                    logDestinationType: "cloud-watch-logs",
                    logDestination: logGroup.arn,
                    iamRoleArn: writer.role.arn,
                    tags: named("flow-log"),
                },
                { parent: this, dependsOn: [writer.policy] },
            );
        }

        this.vpcId = network.id;
        this.cidrBlock = network.cidrBlock;
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.internetEgress = natCount > 0;
        this.interfaceEndpointIds = pulumi.all(endpointIds);
        this.s3PrefixListId = s3Endpoint.prefixListId;
        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            privateSubnetIds: this.privateSubnetIds,
            interfaceEndpointIds: this.interfaceEndpointIds,
            s3PrefixListId: this.s3PrefixListId,
        });
    }
}
