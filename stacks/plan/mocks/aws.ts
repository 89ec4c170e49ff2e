/**
 * Mocked provider outputs for @pulumi/aws: the computed attributes our program reads (ARNs, auto-names,
 * URLs, DNS names) and the data sources it calls (account, region, partition, zones, SageMaker images).
 * The region follows `aws:region` from the stack config; the account is a fixed fixture.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { ProviderMocks } from "./types";

export const MOCK_ACCOUNT_ID = "123456789012";

function region(): string {
    return pulumi.runtime.allConfig()["aws:region"] ?? "us-east-1";
}

function suffix(seed: string, length = 7): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Pulumi's auto-name: the logical name, `-`, 7 random characters (here: derived from the name). */
const autoName = (name: string) => `${name}-${suffix(name)}`;

/** `aws:s3/bucket:Bucket` -> ["s3", "Bucket"]. */
function parts(type: string): [string, string] {
    const [, mod, cls] = /^aws:([^/]+)\/[^:]+:(.+)$/.exec(type) ?? [];
    return [mod ?? "aws", cls ?? "Resource"];
}

/** AWS's prebuilt-image registries (aws/sagemaker-python-sdk image_uri_config, DLC account per region). */
const DLC_REGISTRIES: Record<string, string> = {
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "eu-south-1": "692866216735",
    "me-south-1": "217643126080",
};

/** Elastic Load Balancing's log-writing account per region (ELB user guide, "Enable access logs"). */
const ELB_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
};

export const awsMocks: ProviderMocks = {
    state(type, name, inputs) {
        const r = region();
        const [mod, cls] = parts(type);
        const physical = inputs.name ?? autoName(name);
        const base: Record<string, unknown> = {
            arn: `arn:aws:${mod}:${r}:${MOCK_ACCOUNT_ID}:${cls.toLowerCase()}/${physical}`,
            name: physical,
        };
        switch (type) {
            case "aws:s3/bucket:Bucket": {
                const bucket = inputs.bucket ?? autoName(name).toLowerCase();
                return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${r}.amazonaws.com` };
            }
            case "aws:kms/key:Key": {
                const keyId = `${suffix(name, 8)}-0000-4000-8000-${suffix(`${name}/key`, 12)}`;
                return { keyId, arn: `arn:aws:kms:${r}:${MOCK_ACCOUNT_ID}:key/${keyId}` };
            }
            case "aws:iam/role:Role":
                return { ...base, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}` };
            case "aws:cloudwatch/logGroup:LogGroup":
                return { ...base, arn: `arn:aws:logs:${r}:${MOCK_ACCOUNT_ID}:log-group:${physical}` };
            case "aws:ec2/vpcEndpoint:VpcEndpoint":
                return { ...base, prefixListId: "pl-63a5400a" };
            case "aws:lb/loadBalancer:LoadBalancer":
                return {
                    ...base,
                    dnsName: `internal-${physical}-${suffix(name, 10)}.${r}.elb.amazonaws.com`,
                    arnSuffix: `app/${physical}/${suffix(name, 16)}`,
                };
            case "aws:lb/targetGroup:TargetGroup":
                return { ...base, arnSuffix: `targetgroup/${physical}/${suffix(name, 16)}` };
            case "aws:lambda/function:Function":
                return { ...base, arn: `arn:aws:lambda:${r}:${MOCK_ACCOUNT_ID}:function:${physical}` };
            case "aws:lambda/functionUrl:FunctionUrl":
                return { functionUrl: `https://${suffix(name, 32)}.lambda-url.${r}.on.aws/` };
            case "aws:apprunner/service:Service":
                return { ...base, serviceId: suffix(name, 32), serviceUrl: `${suffix(name, 10)}.${r}.awsapprunner.com` };
            case "aws:apprunner/vpcIngressConnection:VpcIngressConnection":
                return { ...base, domainName: `${suffix(name, 10)}.${r}.awsapprunner.com` };
            case "aws:ecr/repository:Repository":
                return { ...base, repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${r}.amazonaws.com/${physical}`, registryId: MOCK_ACCOUNT_ID };
            case "aws:sagemaker/modelPackageGroup:ModelPackageGroup":
                return { ...base, arn: `arn:aws:sagemaker:${r}:${MOCK_ACCOUNT_ID}:model-package-group/${inputs.modelPackageGroupName}` };
            case "aws:sagemaker/domain:Domain":
                return { ...base, url: `https://d-${suffix(name, 12)}.studio.${r}.sagemaker.aws` };
            // EventBridge rule ARNs are `arn:aws:events:<region>:<account>:rule/<name>` (the DLQ policies name them).
            case "aws:cloudwatch/eventRule:EventRule":
                return { ...base, arn: `arn:aws:events:${r}:${MOCK_ACCOUNT_ID}:rule/${physical}` };
            // MWAA environment ARNs are `arn:aws:airflow:<region>:<account>:environment/<name>`.
            case "aws:mwaa/environment:Environment":
                return {
                    ...base,
                    arn: `arn:aws:airflow:${r}:${MOCK_ACCOUNT_ID}:environment/${physical}`,
                    webserverUrl: `${suffix(name, 36)}-vpce.c${suffix(`${name}/web`, 2)}.airflow.${r}.on.aws`,
                };
            case "aws:sqs/queue:Queue":
                return { ...base, url: `https://sqs.${r}.amazonaws.com/${MOCK_ACCOUNT_ID}/${physical}` };
            default:
                return base;
        }
    },
    call(token, inputs) {
        const r = inputs.region ?? region();
        switch (token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`,
                    id: MOCK_ACCOUNT_ID,
                    userId: "AIDAOFFLINEPLAN",
                };
            case "aws:index/getRegion:getRegion":
                return { region: r, name: r, id: r, description: r, endpoint: `ec2.${r}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const letters = ["a", "b", "c", "d", "e", "f"];
                return {
                    names: letters.map((l) => `${r}${l}`),
                    zoneIds: letters.map((_, i) => `use1-az${i + 1}`),
                    groupNames: [r],
                    id: r,
                    region: r,
                };
            }
            case "aws:elb/getServiceAccount:getServiceAccount": {
                const id = ELB_ACCOUNTS[r] ?? ELB_ACCOUNTS["us-east-1"];
                return { id, arn: `arn:aws:iam::${id}:root`, region: r };
            }
            case "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage": {
                const registryId = DLC_REGISTRIES[r] ?? "763104351884";
                const tag = inputs.imageTag ?? "1";
                return {
                    ...inputs,
                    id: registryId,
                    region: r,
                    registryId,
                    registryPath: `${registryId}.dkr.ecr.${r}.amazonaws.com/${inputs.repositoryName}:${tag}`,
                };
            }
            default:
                return undefined;
        }
    },
};
