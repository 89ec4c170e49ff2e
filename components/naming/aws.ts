/**
 * AWS physical-name rules, and names built to fit them for any stack, zone and model name config allows.
 * Pure: no SDK is loaded here. Every name of a stack starts with `namePrefix(project, stack)`; names
 * that must be globally unique (buckets) hash the account and region in; names Pulumi auto-names are
 * checked with autoNameFits. Also the region list `aws:region` is checked against.
 */
import { fitName, PULUMI_RANDOM_SUFFIX_LENGTH, shortHash, slug } from "../shared/naming";
import type { ProblemDetail } from "../shared/problems";

/** The prefix every physical name of a stack starts with: lowercase letters, digits and single hyphens. */
export const NAME_PREFIX = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** `mlops-aws-dev` from project and stack, at most 40 characters (hash-shortened when longer). */
export function namePrefix(project: string, stack: string): string {
    return fitName([project, stack], 40);
}

/**
 * An S3 bucket name that is globally unique: the readable part, then 8 hex characters hashed from the
 * account and region, so the same stack in another account or region never collides. At most 63.
 */
export function globalBucketName(parts: readonly string[], accountId: string, region: string): string {
    return `${fitName(parts, 54)}-${shortHash(`${accountId}/${region}`, 8)}`;
}

/** Glue (and Athena) database names: lowercase letters, digits and underscores, at most 255. */
export function glueDatabaseName(parts: readonly string[]): string {
    return fitName(parts, 255).replace(/-/g, "_");
}

/** Athena workgroup names: letters, digits, `.`, `_`, `-`, 1-128. */
export function athenaWorkgroupName(parts: readonly string[]): string {
    return fitName(parts, 128);
}

/** SageMaker resource names (domain, model package group, endpoint): `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export function sagemakerName(parts: readonly string[]): string {
    return fitName(parts, 63);
}

/** ECR repository names: lowercase path segments joined by `/`, at most 256. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export function ecrRepositoryName(namespace: string, model: string): string {
    return `${fitName([namespace], 200)}/${slug(model)}`;
}

/** ECR pull-through cache prefixes: 2-30 characters of the repository-name alphabet. */
export function pullThroughCachePrefix(namespace: string): string {
    return fitName([namespace, "ecr-public"], 30);
}

/** An ACM certificate ARN; the region is its fourth field (`arn:<partition>:acm:<region>:<account>:certificate/<id>`). */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/;

/** Load balancer and target group names: at most 32 letters, digits and hyphens. */
export function loadBalancerName(parts: readonly string[]): string {
    return fitName(parts, 32);
}

/** Target group names (32): the port is hashed in, so a port change replaces the group under a new name. */
export function targetGroupName(namePrefix: string, model: string, port: number): string {
    return `${fitName([namePrefix, model], 25)}-${shortHash(String(port), 6)}`;
}

/** App Runner service (4-40) and configuration (4-32) names: `[A-Za-z0-9][A-Za-z0-9-_]*`. */
export const APP_RUNNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/;
export function appRunnerName(parts: readonly string[], maxLength: 32 | 40): string {
    const name = fitName(parts, maxLength);
    return name.length >= 4 ? name : `${name}-svc`.slice(0, maxLength);
}

/** Log group names: `/<project>/<stack>/<kind>/<name>`, from the log group alphabet, at most 512. */
export function logGroupName(namePrefix: string, kind: string, name: string): string {
    return `/${namePrefix}/${kind}/${slug(name)}`.slice(0, 512);
}

/**
 * Whether a name Pulumi auto-names (the logical name plus `-` and 7 random characters) fits a limit:
 * for roles (64), Lambda functions (64), SageMaker models and endpoint configs (63), SQS queues (80).
 */
export function autoNameFits(logicalName: string, maxLength: number): boolean {
    return logicalName.length + PULUMI_RANDOM_SUFFIX_LENGTH <= maxLength;
}

/**
 * The AWS Regions (`aws:region` values), commercial, GovCloud and China partitions. Source: AWS
 * "AWS Region billing codes" (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html)
 * and "AWS Regions" in the same guide, read 2026-12-03. Add a Region here when AWS opens one.
 */
export const AWS_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "mx-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
] as const;

/** Regions that look like `region`: the same area prefix (`eu-`), else the same direction (`-west-`). */
export function closeRegions(region: string): string[] {
    const area = region.split("-")[0];
    const sameArea = AWS_REGIONS.filter((r) => r.split("-")[0] === area);
    if (sameArea.length > 0) return sameArea;
    const direction = region.split("-")[1];
    return AWS_REGIONS.filter((r) => direction !== undefined && r.split("-")[1] === direction);
}

/** A problem when `region` is not in AWS_REGIONS, listing the close matches. */
export function validateRegion(region: string | undefined, path = "region"): ProblemDetail[] {
    if (region === undefined || (AWS_REGIONS as readonly string[]).includes(region)) return [];
    const close = closeRegions(region);
    return [
        {
            path,
            value: region,
            message: "is not an AWS Region",
            allowed: close.length > 0 ? close : AWS_REGIONS,
            fix: "e.g. `pulumi config set aws:region eu-west-1` (a new Region: add it to AWS_REGIONS in components/naming/aws.ts)",
        },
    ];
}
