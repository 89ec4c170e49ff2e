/**
 * Physical names on AWS, made to fit each service's rules for any stack and zone or model name the config
 * allows, and the few numeric limits names and logs share. Pure: no SDK is loaded here.
 */
import { fitName, PULUMI_RANDOM_SUFFIX_LENGTH, shortHash, slug } from "../shared/naming";

/** Storage classes an S3 lifecycle rule may move objects to. */
export const COLD_STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;

/** The prefix every physical name of a stack starts with: lowercase letters, digits and single hyphens. */
export const NAME_PREFIX = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** `mlops-aws-dev` from project and stack, at most 40 characters (hash-shortened when longer). */
export function awsNamePrefix(project: string, stack: string): string {
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

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The shortest retention CloudWatch accepts that keeps logs at least `days` (capped at ten years). */
export function logRetentionDays(days: number): number {
    return LOG_RETENTION_DAYS.find((d) => d >= days) ?? LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1];
}

export function isLogRetention(days: number): boolean {
    return (LOG_RETENTION_DAYS as readonly number[]).includes(days);
}
