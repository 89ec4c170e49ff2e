/**
 * Checks every AWS serving component runs on its models before creating anything: names, pinned images,
 * ports, health paths, replica bounds and the accelerator against the catalog row of the service that
 * runs the model. Pure: no SDK here.
 */
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import { AcceleratorSettings, Service } from "../accelerators/types";
import { isPinnedImage } from "../shared/images";
import { ModelServingSpec } from "../shared/model";
import { Problems } from "../shared/problems";
import { errorRatePercentProblem } from "../observability/aws";
import { ACM_CERTIFICATE_ARN, autoNameFits, NAME_PREFIX } from "../data-lake/aws-naming";
import { isLogRetention } from "../data-lake/aws-naming";
import type { AppRunnerServiceArgs, EcsFargateServiceArgs } from "./aws";
import { encodedFilesBytes, FILES_LIMIT_BYTES } from "./aws-ecs";
import { APP_RUNNER_SIZES, appRunnerStartCommand, FARGATE_SIZES, imageSource, smallestSize } from "./aws-images";

const MODEL_NAME = /^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$/;
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
 * Adds a problem for every bad model and returns the accelerator settings per model (undefined for CPU
 * only). An accelerator the service does not take is reported with the catalog's own message, prefixed
 * with the argument path.
 */
export function checkModels(
    models: readonly ModelServingSpec[],
    problems: Problems,
    rules: ModelRules,
): (AcceleratorSettings | undefined)[] {
    if (!Array.isArray(models) || models.length === 0) {
        problems.add({ path: "models", value: models, message: "must list at least one model", fix: "add a model to `mlops:models`" });
        return [];
    }
    const seen = new Set<string>();
    const min = rules.minReplicas ?? 0;
    const max = rules.maxReplicas ?? 1000;
    return models.map((m, i) => {
        const at = `models[${i}]`;
        const bad = (field: string, value: unknown, message: string, fix?: string) =>
            problems.add({ path: `${at}.${field}`, value, message, fix });
        if (typeof m.name !== "string" || !MODEL_NAME.test(m.name))
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
                problems.add({
                    path: `${at}.name`,
                    value: m.name,
                    message: `makes the auto-named "${logical}" longer than ${limit} characters with Pulumi's random suffix`,
                    fix: "shorten the model or component name",
                });
            }
        }
        try {
            return resolveAccelerator({ cloud: "aws", service: rules.service, accelerator: m.accelerator });
        } catch (e) {
            if (!(e instanceof AcceleratorError)) throw e;
            bad("accelerator", m.accelerator, e.message);
            return undefined;
        }
    });
}

/** Every problem with EcsFargateService args; returns each model's Fargate task size. */
export function validateFargate(name: string, args: EcsFargateServiceArgs): { cpu: number; memory: number }[] {
    const problems = new Problems();
    checkModels(args.models, problems, {
        service: "ecs-fargate",
        minReplicas: 1,
        componentName: name,
        autoNamed: { "-execution": 64, "-task": 64 },
    });
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.add({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    const retention = args.logRetentionDays ?? 365;
    if (!isLogRetention(retention))
        problems.add({
            path: "logRetentionDays",
            value: retention,
            message: "is not a retention CloudWatch Logs accepts",
            fix: "use logRetentionDays() to round up, e.g. 365",
        });
    if (typeof args.listenerCertificateArn === "string" && !ACM_CERTIFICATE_ARN.test(args.listenerCertificateArn)) {
        problems.add({ path: "listenerCertificateArn", value: args.listenerCertificateArn, message: "is not an ACM certificate ARN" });
    }
    if (args.plainHttp && args.listenerCertificateArn !== undefined) {
        problems.add({
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
        problems.add({
            path: "accessLogPrefix",
            value: args.accessLogPrefix,
            message: "is not a key prefix ELB accepts (no leading or trailing '/', no 'AWSLogs')",
            fix: 'e.g. "alb"',
        });
    }
    const target = args.cpuTargetPercent ?? 70;
    if (!Number.isInteger(target) || target < 10 || target > 90)
        problems.add({ path: "cpuTargetPercent", value: target, message: "must be a whole percentage from 10 to 90" });
    const sizes = args.models.map((m, i) => {
        const size = smallestSize(FARGATE_SIZES, m.cpuMillicores, m.memoryMiB);
        if (!size)
            problems.add({
                path: `models[${i}]`,
                value: `${m.cpuMillicores}m / ${m.memoryMiB} MiB`,
                message: "is larger than any Fargate task (16 vCPU, 120 GiB)",
            });
        const filesBytes = encodedFilesBytes(m.files ?? {});
        if (filesBytes > FILES_LIMIT_BYTES)
            problems.add({
                path: `models[${i}].files`,
                value: `${filesBytes} bytes encoded`,
                message: `is more than the ${FILES_LIMIT_BYTES} bytes a task definition can carry`,
                fix: "bake large files into the image",
            });
        const source = typeof m.image === "string" ? imageSource(m.image) : "other";
        if (source !== "ecr" && !args.internetEgress) {
            problems.add({
                path: `models[${i}].image`,
                value: m.image,
                message:
                    "is outside the account's ECR, and Fargate in private subnets without NAT can only pull from there (ECR's first pull through the cache over interface endpoints also needs NAT)",
                fix: "turn a NAT gateway on (mlops:mlPlatform.aws.natGateways: 1), or push the image to the model's ECR repository and use that URI",
            });
        }
        return size ?? { cpu: 0, memory: 0 };
    });
    const rateProblem = errorRatePercentProblem(args.errorRatePercent);
    if (rateProblem) problems.add({ path: "errorRatePercent", value: args.errorRatePercent, message: rateProblem });
    problems.throwIfAny(`EcsFargateService "${name}"`);
    return sizes;
}

/** Every problem with AppRunnerService args; returns each model's App Runner instance size. */
export function validateAppRunner(name: string, args: AppRunnerServiceArgs): { cpu: number; memory: number }[] {
    const problems = new Problems();
    checkModels(args.models, problems, { service: "app-runner", maxReplicas: 25, componentName: name, autoNamed: { "-access": 64 } });
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.add({ path: "namePrefix", value: args.namePrefix, message: "must be 1-40 lowercase letters, digits and hyphens" });
    if (!args.publiclyAccessible && (args.vpcId === undefined || args.ingressEndpointId === undefined)) {
        problems.add({
            path: "ingressEndpointId",
            value: args.ingressEndpointId,
            message: "is required for a private service (publiclyAccessible is off)",
            fix: "create the `apprunner.requests` interface endpoint and pass it with vpcId, or set publiclyAccessible",
        });
    }
    const sizes = args.models.map((m, i) => {
        const at = `models[${i}]`;
        if (Object.keys(m.files ?? {}).length > 0)
            problems.add({
                path: `${at}.files`,
                value: Object.keys(m.files ?? {}),
                message: "cannot be mounted: App Runner runs the image as it is, with no volumes",
                fix: "bake the files into the image, or serve this model with ecs-fargate",
            });
        if (typeof m.image === "string" && imageSource(m.image) === "other")
            problems.add({
                path: `${at}.image`,
                value: m.image,
                message: "is not in ECR or ECR Public, the only registries App Runner pulls from",
                fix: "push it to the model's ECR repository, or use a public.ecr.aws image",
            });
        if ((m.command || m.args) && appRunnerStartCommand(m.command, m.args) === undefined)
            problems.add({
                path: `${at}.command`,
                value: [...(m.command ?? []), ...(m.args ?? [])],
                message: "has words with spaces or quotes, which App Runner's single start-command string cannot carry reliably",
                fix: "move the command into the image's entrypoint",
            });
        if (!Number.isInteger(m.concurrency) || m.concurrency < 1 || m.concurrency > 200)
            problems.add({
                path: `${at}.concurrency`,
                value: m.concurrency,
                message: "must be from 1 to 200 requests per instance on App Runner",
            });
        const size = smallestSize(APP_RUNNER_SIZES, m.cpuMillicores, m.memoryMiB);
        if (!size)
            problems.add({
                path: at,
                value: `${m.cpuMillicores}m / ${m.memoryMiB} MiB`,
                message: "is larger than any App Runner instance (4 vCPU, 12 GB)",
            });
        return size ?? { cpu: 0, memory: 0 };
    });
    const rateProblem = errorRatePercentProblem(args.errorRatePercent);
    if (rateProblem) problems.add({ path: "errorRatePercent", value: args.errorRatePercent, message: rateProblem });
    problems.throwIfAny(`AppRunnerService "${name}"`);
    return sizes;
}
