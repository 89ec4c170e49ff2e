/**
 * The container registry on AWS: one ECR repository per model (immutable tags CKV_AWS_51, scan on push
 * CKV_AWS_163, KMS encryption CKV_AWS_136, untagged images expire) and a pull-through cache rule for ECR
 * Public, so services that may only pull from the account's own registry (Fargate in private subnets)
 * can run public images such as `public.ecr.aws/docker/library/python`. Repositories the cache creates
 * get their settings (KMS, lifecycle) from a repository creation template.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ecr from "@pulumi/aws/ecr";
import { awsAccount, policyJson, serviceRole } from "../identity/aws";
import { ecrRepositoryName, pullThroughCachePrefix } from "../naming/aws";
import { throwIfProblems } from "../shared/problems";
import { AwsContainerRegistryArgs, validateAwsContainerRegistry } from "./aws-args";

export * from "./aws-args";

export const ECR_PUBLIC_REGISTRY = "public.ecr.aws";

/** Lifecycle policy expiring untagged images (layers left behind by re-pushed tags) after `days`. */
export function untaggedExpiryPolicy(days: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images after ${days} days`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: days },
                action: { type: "expire" },
            },
        ],
    });
}

/** Actions that pull an image (used on the model repositories and the cache prefix). */
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] as const;
/** Extra actions a first pull through the cache needs (docs: "IAM permissions required to sync an upstream registry"). */
export const ECR_CACHE_ACTIONS = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"] as const;

/** One ECR repository per model (immutable tags, scan on push, KMS) and a pull-through cache rule for ECR Public. */
export class AwsContainerRegistry extends pulumi.ComponentResource {
    /** Repository URL per model. */
    public readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** The registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
    public readonly registryHost: pulumi.Output<string>;
    /** The cache's repository prefix (`<prefix>/docker/library/python` mirrors `public.ecr.aws/docker/library/python`), or undefined. */
    public readonly cachePrefix: string | undefined;
    /** ARNs a puller needs: every model repository, plus the cache's repositories when there is a cache. */
    public readonly pullRepositoryArns: pulumi.Output<string[]>;
    /** ARN pattern of the cache's repositories (`.../repository/<prefix>/*`), or undefined. */
    public readonly cacheRepositoryArn: pulumi.Output<string> | undefined;

    constructor(name: string, args: AwsContainerRegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AwsContainerRegistry "${name}"`, validateAwsContainerRegistry(args));
        super("mlops:index:AwsContainerRegistry", name, args, opts);
        const expiry = args.untaggedImageExpiryDays ?? 14;

        const protect = args.protectData ?? true;
        const tags = { ...args.tags };
        const account = awsAccount(this);
        const lifecycle = untaggedExpiryPolicy(expiry);
        const repositories = args.models.map((model) => {
            const repo = new ecr.Repository(
                `${name}-${model}`,
                {
                    name: ecrRepositoryName(args.namespace, model),
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                    forceDelete: !protect,
                    tags,
                },
                { parent: this, protect, retainOnDelete: protect },
            );
            new ecr.LifecyclePolicy(
                `${name}-${model}-lifecycle`,
                { repository: repo.name, policy: lifecycle },
                { parent: this, deletedWith: repo },
            );
            return repo;
        });

        this.registryHost = pulumi.interpolate`${account.accountId}.dkr.ecr.${account.region}.${account.dnsSuffix}`;
        if (args.ecrPublicCache ?? true) {
            const prefix = pullThroughCachePrefix(args.namespace);
            const repositoryPattern = pulumi.interpolate`arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/${prefix}/*`;
            // ECR needs its own role to create cached repositories encrypted with the key.
            const creator = serviceRole(this, `${name}-cache-creator`, {
                service: "ecr.amazonaws.com",
                description: "ECR creates pull-through cache repositories encrypted with the platform key",
                policy: policyJson([
                    {
                        Effect: "Allow",
                        Action: ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"],
                        Resource: repositoryPattern,
                    },
                    { Effect: "Allow", Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], Resource: args.kmsKeyArn },
                ]),
                tags,
            });
            const template = new ecr.RepositoryCreationTemplate(
                `${name}-cache-template`,
                {
                    prefix,
                    appliedFors: ["PULL_THROUGH_CACHE"],
                    description: "Repositories the ECR Public pull-through cache creates",
                    // Cached tags follow their upstream (ECR refreshes them); pin tags or digests in config instead.
                    imageTagMutability: "MUTABLE",
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                    lifecyclePolicy: lifecycle,
                    customRoleArn: creator.role.arn,
                    resourceTags: tags,
                },
                { parent: this, dependsOn: [creator.policy] },
            );
            new ecr.PullThroughCacheRule(
                `${name}-ecr-public`,
                { ecrRepositoryPrefix: prefix, upstreamRegistryUrl: ECR_PUBLIC_REGISTRY },
                { parent: this, dependsOn: [template] },
            );
            this.cachePrefix = prefix;
            this.cacheRepositoryArn = repositoryPattern;
        }

        this.repositoryUrls = pulumi.all(Object.fromEntries(args.models.map((m, i) => [m, repositories[i].repositoryUrl])));
        this.pullRepositoryArns = pulumi.all([
            ...repositories.map((r) => r.arn),
            ...(this.cacheRepositoryArn ? [this.cacheRepositoryArn] : []),
        ]);
        this.registerOutputs({
            repositoryUrls: this.repositoryUrls,
            registryHost: this.registryHost,
            pullRepositoryArns: this.pullRepositoryArns,
        });
    }
}
