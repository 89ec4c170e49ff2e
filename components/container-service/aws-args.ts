/**
 * Arguments of the AWS container service components (EcsFargateService, AppRunnerService) and their
 * validators, with the model checks every AWS serving component shares (validateServingModels): names,
 * pinned images, ports, health paths, replica bounds and the accelerator against the catalog row of the
 * service that runs the model. Sizes derived from valid args come from separate functions. Pure: no SDK.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { AcceleratorSettings, Service } from "../accelerators/types";
import { ACM_CERTIFICATE_ARN, autoNameFits, NAME_PREFIX } from "../naming/aws";
import { validateErrorRatePercent, validateLogRetention } from "../observability/aws-args";
import { isPinnedImage } from "../shared/images";
import type { ModelServingSpec } from "../shared/model";
import type { ProblemDetail } from "../shared/problems";
import type { ContainerServiceArgs } from "./contract";
import { encodedFilesBytes, FILES_LIMIT_BYTES } from "./aws-ecs";
import { AwsModelStoreArgs, validateModelStore } from "./aws-model-store";

export * from "./aws-model-store";
import { APP_RUNNER_SIZES, appRunnerStartCommand, FARGATE_SIZES, imageSource, smallestSize } from "./aws-images";
import { WORKLOAD_NAME } from "../shared/naming";

const FILE_NAME = /^[-._a-zA-Z0-9]+$/;

export interface ModelRules {
    /** The catalog service that runs the models, e.g. `ecs-fargate` or `sagemaker-endpoint`. */
    readonly service: Service;
    /** Fewest replicas the service can keep (App Runner and Fargate 1; Lambda 0). @default 0 */
    readonly minReplicas?: number;
    /** Most replicas the service allows. @default 1000 */
    readonly maxReplicas?: number;
    /** Whether the service runs the model's image (Lambda and SageMaker run other code). @default true */
    readonly runsImage?: boolean;
    /** Logical names of per-model children Pulumi auto-names, with the physical limit: `{ "-role": 64 }`. */
    readonly autoNamed?: Readonly<Record<string, number>>;
    /** The component's name (prefix of logical names). */
    readonly componentName: string;
}

/**
 * Every problem with the models a serving component runs: names, pinned images, ports, health paths,
 * replica bounds, sizes, file names, auto-named children's lengths, and the accelerator against the
 * catalog row of the service (reported with the catalog's own message).
 */
export function validateServingModels(models: readonly ModelServingSpec[], rules: ModelRules): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (!Array.isArray(models) || models.length === 0) {
        problems.push({ path: "models", value: models, message: "must list at least one model", fix: "add a model to `mlops:models`" });
        return problems;
    }
    const seen = new Set<string>();
    const min = rules.minReplicas ?? 0;
    const max = rules.maxReplicas ?? 1000;
    models.forEach((m, i) => {
        const at = `models[${i}]`;
        const bad = (field: string, value: unknown, message: string, fix?: string) =>
            problems.push({ path: `${at}.${field}`, value, message, fix });
        if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name))
            bad("name", m.name, "is not a valid model name", "use 1-24 lowercase letters, digits and '-', starting with a letter");
        else if (seen.has(m.name)) bad("name", m.name, "is used by another model", "give every model its own name");
        seen.add(m.name);
        if ((rules.runsImage ?? true) && (typeof m.image !== "string" || !isPinnedImage(m.image)))
            bad("image", m.image, "is not pinned to a tag or digest", "pin a version tag or `@sha256:` digest; never `:latest` or no tag");
        if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535)
            bad("port", m.port, "is not a TCP port", "use a whole number from 1 to 65535, e.g. 8080");
        if (typeof m.healthPath !== "string" || !/^\/\S*$/.test(m.healthPath))
            bad("healthPath", m.healthPath, "is not an HTTP path", "start it with '/', e.g. `/healthz`");
        if (!Number.isInteger(m.minReplicas) || m.minReplicas < min)
            bad("minReplicas", m.minReplicas, `must be a whole number of at least ${min} on ${rules.service}`);
        if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < Math.max(1, m.minReplicas) || m.maxReplicas > max) {
            bad("maxReplicas", m.maxReplicas, `must be a whole number from max(1, minReplicas) to ${max} on ${rules.service}`);
        }
        if (!Number.isInteger(m.cpuMillicores) || m.cpuMillicores < 1)
            bad("cpuMillicores", m.cpuMillicores, "must be a whole number of millicores of at least 1");
        if (!Number.isInteger(m.memoryMiB) || m.memoryMiB < 1) bad("memoryMiB", m.memoryMiB, "must be a whole number of MiB of at least 1");
        for (const f of Object.keys(m.files ?? {}))
            if (!FILE_NAME.test(f))
                bad("files", f, "is not a valid file name", "use letters, digits, '-', '_' and '.' only (no directories)");
        for (const [suffix, limit] of Object.entries(rules.autoNamed ?? {})) {
            const logical = `${rules.componentName}-${m.name}${suffix}`;
            if (typeof m.name === "string" && !autoNameFits(logical, limit)) {
                problems.push({
                    path: `${at}.name`,
                    value: m.name,
                    message: `makes the auto-named "${logical}" longer than ${limit} characters with Pulumi's random suffix`,
                    fix: "shorten the model or component name",
                });
            }
        }
        try {
            resolveAccelerator({ cloud: "aws", service: rules.service, accelerator: m.accelerator });
        } catch (e) {
            if (!(e instanceof AcceleratorError)) throw e;
            bad("accelerator", m.accelerator, e.message);
        }
    });
    return problems;
}

/** Each model's accelerator settings on `service` (undefined for CPU only). Call after validation. */
export function servingAccelerators(models: readonly ModelServingSpec[], service: Service): (AcceleratorSettings | undefined)[] {
    return models.map((m) => resolveAccelerator({ cloud: "aws", service, accelerator: m.accelerator }));
}

export interface EcsFargateServiceArgs extends ContainerServiceArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** The VPC the tasks and the load balancer run in. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC's range: the default for who may call the models. */
    readonly vpcCidrBlock: pulumi.Input<string>;
    /** Private subnets for tasks and the internal load balancer (two zones or more). */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** KMS key encrypting the log groups. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The account's ECR host; ECR Public images are pulled through `<host>/<cachePrefix>/...`. */
    readonly registryHost: pulumi.Input<string>;
    /** The ECR Public pull-through cache prefix. Default: no cache: ECR Public images are pulled directly (needs NAT) */
    readonly cachePrefix?: string;
    /** Repository ARNs (or ARN patterns) the execution role may pull from. */
    readonly pullRepositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The subnets reach the internet through NAT. Needed for images outside the account's ECR, and for
     * the first pull through the cache when ECR is reached over interface endpoints (ECR user guide,
     * "Amazon ECR interface VPC endpoints"). Default: false.
     */
    readonly internetEgress?: boolean;
    /**
     * ACM certificate of the HTTPS listener (same region). Default: the component issues one: a private
     * CA (output `caCertificatePem`) signs a certificate for the load balancer's DNS name, imported into ACM.
     */
    readonly listenerCertificateArn?: pulumi.Input<string>;
    /**
     * Serve plain HTTP on port 80, without TLS: only for a load balancer that clients reach over an already
     * protected internal network. Default: false.
     */
    readonly plainHttp?: boolean;
    /** Bucket receiving the load balancers' access logs (SSE-S3, with the ELB delivery policy). Default: no access logs. */
    readonly accessLogBucketName?: pulumi.Input<string>;
    /** Key prefix of the access logs (ELB adds `/AWSLogs/...`). Default: "alb". */
    readonly accessLogPrefix?: string;
    /** Ranges allowed to call the load balancer. Default: the VPC's range. */
    readonly allowedCidrs?: string[];
    /** Days logs are kept (a CloudWatch Logs retention value). Default: 365. */
    readonly logRetentionDays?: number;
    /** CPU utilisation autoscaling keeps tasks at, in percent. Default: 70. */
    readonly cpuTargetPercent?: number;
    /** p99 latency above which the latency alarm fires, in ms. Default: 1000. */
    readonly latencyThresholdMs?: number;
    /** SNS topic the alarms notify. Default: alarms without actions. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Share of requests answered 5XX (errors alarm) or rejected (rejected alarm) at which the alarms fire, in percent. Default: 5. */
    readonly errorRatePercent?: number;
    /**
     * The lake's models zone (training contract): a model with a served version gets MLOPS_MODEL_VERSION and
     * MLOPS_MODEL_URI and its task role may read `<model>/` only; a captured model gets MLOPS_CAPTURE_URI and may
     * write `<model>/_capture/` only (aws-model-store.ts). Default: neither.
     */
    readonly modelStore?: AwsModelStoreArgs;
}

export interface AppRunnerServiceArgs extends ContainerServiceArgs {
    /** Prefix of physical names, e.g. `mlops-aws-dev`. */
    readonly namePrefix: string;
    /** KMS key encrypting the service's copy of the image. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Repository ARNs App Runner may pull private images from. Default: []. */
    readonly pullRepositoryArns?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Serve on a public HTTPS URL. Off, the service is reached only from the VPC, through the
     * `apprunner.requests` interface endpoint (which costs per hour per zone). Default: false.
     */
    readonly publiclyAccessible?: boolean;
    /** The VPC private services are reached from (required unless public). Default: none. */
    readonly vpcId?: pulumi.Input<string>;
    /** The `apprunner.requests` interface endpoint in that VPC (required unless public). Default: none. */
    readonly ingressEndpointId?: pulumi.Input<string>;
    /** p99 latency above which the latency alarm fires, in ms. Default: 1000. */
    readonly latencyThresholdMs?: number;
    /** SNS topic the alarms notify. Default: alarms without actions. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Share of requests answered 5XX (errors alarm) or rejected (rejected alarm) at which the alarms fire, in percent. Default: 5. */
    readonly errorRatePercent?: number;
    /**
     * The lake's models zone (training contract): a model with a served version gets MLOPS_MODEL_VERSION and
     * MLOPS_MODEL_URI and its instance role may read `<model>/` only; a captured model gets MLOPS_CAPTURE_URI and may
     * write `<model>/_capture/` only (aws-model-store.ts). Default: neither.
     */
    readonly modelStore?: AwsModelStoreArgs;
}

/**
 * Every problem with EcsFargateService args. `componentName` is the component's Pulumi name, the prefix of
 * the children Pulumi auto-names (their length is checked).
 */
export function validateEcsFargateService(args: EcsFargateServiceArgs, componentName: string): ProblemDetail[] {
    const problems = validateServingModels(args.models, {
        service: "ecs-fargate",
        minReplicas: 1,
        componentName,
        autoNamed: { "-execution": 64, "-task": 64 },
    });
    problems.push(...validateModelStore(args.models, args.modelStore));
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    problems.push(...validateLogRetention(args.logRetentionDays ?? 365));
    if (typeof args.listenerCertificateArn === "string" && !ACM_CERTIFICATE_ARN.test(args.listenerCertificateArn)) {
        problems.push({ path: "listenerCertificateArn", value: args.listenerCertificateArn, message: "is not an ACM certificate ARN" });
    }
    if (args.plainHttp && args.listenerCertificateArn !== undefined) {
        problems.push({
            path: "plainHttp",
            value: true,
            message: "turns TLS off, yet listenerCertificateArn is set",
            fix: "remove one of them: HTTPS with the certificate, or plain HTTP for an internal-only load balancer",
        });
    }
    if (
        args.accessLogPrefix !== undefined &&
        (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(args.accessLogPrefix) || args.accessLogPrefix.includes("AWSLogs"))
    ) {
        problems.push({
            path: "accessLogPrefix",
            value: args.accessLogPrefix,
            message: "is not a key prefix ELB accepts (no leading or trailing '/', no 'AWSLogs')",
            fix: 'e.g. "alb"',
        });
    }
    const target = args.cpuTargetPercent ?? 70;
    if (!Number.isInteger(target) || target < 10 || target > 90)
        problems.push({ path: "cpuTargetPercent", value: target, message: "must be a whole percentage from 10 to 90" });
    args.models.forEach((m, i) => {
        const size = smallestSize(FARGATE_SIZES, m.cpuMillicores, m.memoryMiB);
        if (!size)
            problems.push({
                path: `models[${i}]`,
                value: `${m.cpuMillicores}m / ${m.memoryMiB} MiB`,
                message: "is larger than any Fargate task (16 vCPU, 120 GiB)",
            });
        const filesBytes = encodedFilesBytes(m.files ?? {});
        if (filesBytes > FILES_LIMIT_BYTES)
            problems.push({
                path: `models[${i}].files`,
                value: `${filesBytes} bytes encoded`,
                message: `is more than the ${FILES_LIMIT_BYTES} bytes a task definition can carry`,
                fix: "bake large files into the image",
            });
        const source = typeof m.image === "string" ? imageSource(m.image) : "other";
        if (source !== "ecr" && !args.internetEgress) {
            problems.push({
                path: `models[${i}].image`,
                value: m.image,
                message:
                    "is outside the account's ECR, and Fargate in private subnets without NAT can only pull from there (ECR's first pull through the cache over interface endpoints also needs NAT)",
                fix: "turn a NAT gateway on (mlops:mlPlatform.aws.natGateways: 1), or push the image to the model's ECR repository and use that URI",
            });
        }
    });
    problems.push(...validateErrorRatePercent(args.errorRatePercent));
    return problems;
}

/** Each model's Fargate task size, the smallest that fits its CPU and memory. Call after validation. */
export function fargateSizes(args: EcsFargateServiceArgs): { cpu: number; memory: number }[] {
    return args.models.map((m) => smallestSize(FARGATE_SIZES, m.cpuMillicores, m.memoryMiB) ?? { cpu: 0, memory: 0 });
}

/**
 * Every problem with AppRunnerService args. `componentName` is the component's Pulumi name, the prefix of
 * the children Pulumi auto-names (their length is checked).
 */
export function validateAppRunnerService(args: AppRunnerServiceArgs, componentName: string): ProblemDetail[] {
    const problems = validateServingModels(args.models, {
        service: "app-runner",
        maxReplicas: 25,
        componentName,
        autoNamed: { "-access": 64, "-instance": 64 },
    });
    problems.push(...validateModelStore(args.models, args.modelStore));
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.push({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    if (!args.publiclyAccessible && (args.vpcId === undefined || args.ingressEndpointId === undefined)) {
        problems.push({
            path: "ingressEndpointId",
            value: args.ingressEndpointId,
            message: "is required for a private service (publiclyAccessible is off)",
            fix: "create the `apprunner.requests` interface endpoint and pass it with vpcId, or set publiclyAccessible",
        });
    }
    args.models.forEach((m, i) => {
        const at = `models[${i}]`;
        if (Object.keys(m.files ?? {}).length > 0)
            problems.push({
                path: `${at}.files`,
                value: Object.keys(m.files ?? {}),
                message: "cannot be mounted: App Runner runs the image as it is, with no volumes",
                fix: "bake the files into the image, or serve this model with ecs-fargate",
            });
        if (typeof m.image === "string" && imageSource(m.image) === "other")
            problems.push({
                path: `${at}.image`,
                value: m.image,
                message: "is not in ECR or ECR Public, the only registries App Runner pulls from",
                fix: "push it to the model's ECR repository, or use a public.ecr.aws image",
            });
        if ((m.command || m.args) && appRunnerStartCommand(m.command, m.args) === undefined)
            problems.push({
                path: `${at}.command`,
                value: [...(m.command ?? []), ...(m.args ?? [])],
                message: "has words with spaces or quotes, which App Runner's single start-command string cannot carry reliably",
                fix: "move the command into the image's entrypoint",
            });
        if (!Number.isInteger(m.concurrency) || m.concurrency < 1 || m.concurrency > 200)
            problems.push({
                path: `${at}.concurrency`,
                value: m.concurrency,
                message: "must be from 1 to 200 requests per instance on App Runner",
            });
        const size = smallestSize(APP_RUNNER_SIZES, m.cpuMillicores, m.memoryMiB);
        if (!size)
            problems.push({
                path: at,
                value: `${m.cpuMillicores}m / ${m.memoryMiB} MiB`,
                message: "is larger than any App Runner instance (4 vCPU, 12 GB)",
            });
    });
    problems.push(...validateErrorRatePercent(args.errorRatePercent));
    return problems;
}

/** Each model's App Runner instance size, the smallest that fits its CPU and memory. Call after validation. */
export function appRunnerSizes(args: AppRunnerServiceArgs): { cpu: number; memory: number }[] {
    return args.models.map((m) => smallestSize(APP_RUNNER_SIZES, m.cpuMillicores, m.memoryMiB) ?? { cpu: 0, memory: 0 });
}
