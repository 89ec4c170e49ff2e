/**
 * Arguments of AwsContainerRegistry and their validator. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ECR_REPOSITORY_NAME, ecrRepositoryName } from "../naming/aws";
import type { ProblemDetail } from "../shared/problems";

export interface AwsContainerRegistryArgs {
    /** Repository namespace, e.g. `mlops-aws-dev`: repositories are `<namespace>/<model>`. */
    readonly namespace: string;
    /** Models that get a repository. */
    readonly models: string[];
    /** KMS key encrypting every repository. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Protect repositories (and their images) from deletion and keep them on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Days before untagged images expire. Default: 14. */
    readonly untaggedImageExpiryDays?: number;
    /** Create the ECR Public pull-through cache rule. Default: true. */
    readonly ecrPublicCache?: boolean;
    /** Tags put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with AwsContainerRegistry args. */
export function validateAwsContainerRegistry(args: AwsContainerRegistryArgs): ProblemDetail[] {
    const expiry = args.untaggedImageExpiryDays ?? 14;
    const problems: ProblemDetail[] = [];
    args.models.forEach((m, i) => {
        const repo = ecrRepositoryName(args.namespace, m);
        if (!ECR_REPOSITORY_NAME.test(repo) || repo.length > 256)
            problems.push({
                path: `models[${i}]`,
                value: m,
                message: `gives repository name "${repo}", which ECR refuses`,
                fix: "use lowercase letters, digits and hyphens",
            });
        if (args.models.indexOf(m) !== i) problems.push({ path: `models[${i}]`, value: m, message: "is listed twice" });
    });
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.namespace))
        problems.push({
            path: "namespace",
            value: args.namespace,
            message: "must be lowercase letters, digits and hyphens, starting and ending with a letter or digit",
        });
    if (!Number.isInteger(expiry) || expiry < 1)
        problems.push({ path: "untaggedImageExpiryDays", value: expiry, message: "must be a whole number of days of at least 1" });
    return problems;
}
