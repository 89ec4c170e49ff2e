/**
 * Who and where an AWS component deploys (account, region, partition), and the IAM building blocks every
 * AWS component shares: policy documents, service trust policies, and roles with one inline policy.
 * Roles are auto-named (Pulumi adds a random suffix), so a replacement never collides with the old name.
 */
import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as iam from "@pulumi/aws/iam";

/** The account, region and partition the provider deploys to (resolved at preview through the provider). */
export interface AwsAccount {
    readonly accountId: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    /** `aws`, `aws-cn` or `aws-us-gov`: the first part of every ARN. */
    readonly partition: pulumi.Output<string>;
    /** `amazonaws.com` (or `amazonaws.com.cn`): the suffix of service endpoints. */
    readonly dnsSuffix: pulumi.Output<string>;
}

export function awsAccount(parent: pulumi.Resource): AwsAccount {
    const opts = { parent };
    const partition = getPartitionOutput({}, opts);
    return {
        accountId: getCallerIdentityOutput({}, opts).accountId,
        region: getRegionOutput({}, opts).region,
        partition: partition.partition,
        dnsSuffix: partition.dnsSuffix,
    };
}

type Str = pulumi.Input<string>;

/** One IAM policy statement, in the JSON shape AWS takes; ARNs may be outputs until serialised. */
export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | Readonly<Record<string, Str | readonly Str[]>>;
    readonly Action: string | readonly string[];
    readonly Resource?: Str | readonly Str[] | pulumi.Output<string[]>;
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, Str | readonly Str[] | boolean>>>>;
}

/** A policy document as a JSON string; statements may hold outputs (ARNs), resolved before serialising. */
export function policyJson(statements: readonly PolicyStatement[]): pulumi.Output<string> {
    return pulumi.output(statements as PolicyStatement[]).apply((s) => JSON.stringify({ Version: "2012-10-17", Statement: s }));
}

/** Statements as a JSON array, to hand to a component that merges them into its own policy. */
export function statementsJson(statements: readonly PolicyStatement[]): pulumi.Output<string> {
    return pulumi.output(statements as PolicyStatement[]).apply((s) => JSON.stringify(s));
}

/** A plain policy document object (for pure builders and tests). */
export function policyDocument(statements: readonly PolicyStatement[]): { Version: string; Statement: readonly PolicyStatement[] } {
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * Trust policy letting one AWS service assume a role. `conditions` guard against the confused-deputy
 * problem where the service documents them (e.g. `aws:SourceAccount` for VPC Flow Logs and ECS tasks).
 */
export function serviceTrustPolicy(service: string, conditions?: PolicyStatement["Condition"]): PolicyStatement[] {
    return [
        { Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(conditions ? { Condition: conditions } : {}) },
    ];
}

export interface ServiceRole {
    readonly role: iam.Role;
    /** The inline policy; resources that use the role should depend on it, so permissions exist first. */
    readonly policy: iam.RolePolicy;
}

/**
 * A role one service assumes, with exactly one inline policy (no managed policies, so nothing broader than
 * what is written here). Children are `<resourceName>` and `<resourceName>-policy`, parented to `parent`.
 */
export function serviceRole(
    parent: pulumi.Resource,
    resourceName: string,
    o: {
        readonly service: string;
        readonly description: string;
        readonly policy: pulumi.Input<string>;
        readonly trustConditions?: PolicyStatement["Condition"];
        readonly tags?: Readonly<Record<string, string>>;
    },
): ServiceRole {
    const role = new iam.Role(
        resourceName,
        { description: o.description, assumeRolePolicy: policyJson(serviceTrustPolicy(o.service, o.trustConditions)), tags: { ...o.tags } },
        { parent },
    );
    const policy = new iam.RolePolicy(`${resourceName}-policy`, { role: role.id, policy: o.policy }, { parent });
    return { role, policy };
}

/** ARN of every stream of a log group (what logs:PutLogEvents is granted on). */
export function logStreamsArn(logGroupArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${logGroupArn}:*`;
}
