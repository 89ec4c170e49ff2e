/**
 * Arguments of the serverless inference components on Google Cloud (CloudRunInference,
 * CloudFunctionsInference, VertexEndpointInference) and their validators, including the rules one model
 * must meet on Cloud Functions and on a Vertex AI endpoint. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AcceleratorError, resolveAccelerator } from "../accelerators/resolve";
import type { ModelServingSpec } from "../shared/model";
import type { ProblemDetail } from "../shared/problems";
import { validateNamePrefix } from "../naming/gcp";
import { CloudRunModelsArgs, under, validateCloudRunModels, validateCloudRunServing } from "../container-service/gcp-args";
import { CLOUD_RUN_CPU_MEMORY_MIB, CLOUD_RUN_CPUS, RESERVED_ENV } from "../container-service/gcp-cloud-run";
import type { ServerlessInferenceArgs } from "./contract";
import { ENDPOINT_ACCESS, FUNCTION_MAIN, FUNCTION_RUNTIMES, functionSourceFiles } from "./gcp-serverless";
import { WORKLOAD_NAME } from "../shared/naming";

export interface CloudRunInferenceArgs extends CloudRunModelsArgs, ServerlessInferenceArgs {
    /** The models to serve; each scales between its `minReplicas` (0 scales to zero) and `maxReplicas`. */
    readonly models: ModelServingSpec[];
}

/** Every problem with the arguments (paths relative to them). */
export function validateCloudRunInference(args: CloudRunInferenceArgs): ProblemDetail[] {
    return validateCloudRunModels(args);
}

export interface CloudFunctionsInferenceArgs extends ServerlessInferenceArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Region of the functions, source bucket and build repository. */
    readonly region: string;
    /** Prefix of project-unique names; the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** Handler files added to every model's source (file name -> content), e.g. main.py and requirements.txt. Default: {}. */
    readonly handlerFiles?: Readonly<Record<string, string>>;
    /** Python runtime. Default: "python312". */
    readonly runtime?: string;
    /** The handler function in main.py. Default: "predict". */
    readonly entryPoint?: string;
    /** Cloud KMS key of the source bucket. */
    readonly sourceKmsKeyName: pulumi.Input<string>;
    /** Bucket that receives the source bucket's access logs (e.g. the data lake's). Default: no access logs. */
    readonly accessLogBucket?: pulumi.Input<string>;
    /** `internal`, `internal-and-cloud-load-balancing` or `all`. Default: "internal". */
    readonly ingress?: string;
    /** Let anyone on the internet call the functions (`allUsers` invoker). Default: false. */
    readonly allowUnauthenticated?: boolean;
    /** IAM members granted `roles/run.invoker` on every function. Default: []. */
    readonly invokers?: string[];
    /** Seconds a request may take. Default: 300. */
    readonly requestTimeoutSeconds?: number;
    /** Protect and retain the source bucket. Default: true. */
    readonly protectData?: boolean;
}

/** Every problem with one model on Cloud Functions (paths relative to the model). */
export function validateFunctionModel(m: ModelServingSpec, handlerFiles: Readonly<Record<string, string>>): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    const bad = (path: string, value: unknown, message: string, fix?: string) => problems.push({ path, value, message, fix });
    if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name)) bad("name", m.name, "is not a model name");
    if (m.accelerator) {
        try {
            resolveAccelerator({ cloud: "gcp", service: "cloud-functions", accelerator: m.accelerator });
        } catch (e) {
            if (!(e instanceof AcceleratorError)) throw e;
            bad("accelerator", m.accelerator, e.message);
        }
    }
    const cpu = m.cpuMillicores / 1000;
    const memory = CLOUD_RUN_CPU_MEMORY_MIB[cpu];
    if (memory === undefined)
        bad(
            "cpuMillicores",
            m.cpuMillicores,
            "is not a CPU size Cloud Functions takes",
            `use ${CLOUD_RUN_CPUS.map((c) => c * 1000).join(", ")}`,
        );
    else if (m.memoryMiB < memory.min || m.memoryMiB > memory.max)
        bad("memoryMiB", m.memoryMiB, `is outside what ${cpu} vCPU allows (${memory.min} to ${memory.max} MiB)`);
    if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < 1 || m.maxReplicas < m.minReplicas)
        bad("maxReplicas", m.maxReplicas, "must be at least 1 and at least minReplicas");
    if (!Number.isInteger(m.concurrency) || m.concurrency < 1 || m.concurrency > 1000)
        bad("concurrency", m.concurrency, "must be a whole number from 1 to 1000");
    for (const key of Object.keys(m.env ?? {})) {
        if ((RESERVED_ENV as readonly string[]).includes(key))
            bad(`env.${key}`, m.env?.[key], "is set by the platform and may not be given");
    }
    if (!(FUNCTION_MAIN in functionSourceFiles(m, handlerFiles))) {
        bad(
            "files",
            Object.keys(m.files ?? {}),
            `has no ${FUNCTION_MAIN}: a Python function needs one`,
            "add a functions-framework handler (see samples/gcp/function) to the handler files or the model's files",
        );
    }
    return problems;
}

/** Every problem with the arguments (paths relative to them). */
export function validateCloudFunctionsInference(args: CloudFunctionsInferenceArgs): ProblemDetail[] {
    const runtime = args.runtime ?? "python312";
    const problems = [
        ...validateNamePrefix(args.namePrefix),
        ...validateCloudRunServing({ project: args.project, region: args.region, ...servingOf(args) }),
    ];
    if (!(FUNCTION_RUNTIMES as readonly string[]).includes(runtime))
        problems.push({ path: "runtime", value: runtime, message: "is not a supported runtime", allowed: FUNCTION_RUNTIMES });
    (args.models ?? []).forEach((m, i) => problems.push(...under(`models[${i}]`, validateFunctionModel(m, args.handlerFiles ?? {}))));
    return problems;
}

function servingOf(args: CloudFunctionsInferenceArgs) {
    return {
        ingress: args.ingress,
        allowUnauthenticated: args.allowUnauthenticated,
        invokers: args.invokers,
        requestTimeoutSeconds: args.requestTimeoutSeconds,
    };
}

export interface VertexEndpointInferenceArgs extends ServerlessInferenceArgs {
    /** Project of the endpoints. */
    readonly project: string;
    /** Vertex AI region; the key must be in the same location. */
    readonly region: string;
    /** Prefix of display names and endpoint IDs; the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** Cloud KMS key of the endpoints (the Vertex AI service agent must be able to use it). */
    readonly kmsKeyName: pulumi.Input<string>;
    /** Fewest replicas a deployed model keeps (2 in prod for availability; each replica bills per hour). Default: 1. */
    readonly replicaFloor?: number;
    /** `dedicated` (own DNS name, IAM-authenticated) or `private-service-connect` (reachable only through PSC). Default: "dedicated". */
    readonly endpointAccess?: string;
    /** Machine type of CPU-only models (with an accelerator, the catalog decides). Default: "n1-standard-2". */
    readonly cpuMachineType?: string;
}

/** Every problem with one model on a Vertex AI endpoint (paths relative to the model). */
export function validateVertexModel(m: ModelServingSpec): ProblemDetail[] {
    const problems: ProblemDetail[] = [];
    if (typeof m.name !== "string" || !WORKLOAD_NAME.test(m.name))
        problems.push({ path: "name", value: m.name, message: "is not a model name" });
    if (!Number.isInteger(m.maxReplicas) || m.maxReplicas < 1)
        problems.push({ path: "maxReplicas", value: m.maxReplicas, message: "must be a whole number of at least 1" });
    if (!m.accelerator) return problems;
    try {
        resolveAccelerator({ cloud: "gcp", service: "vertex-endpoint", accelerator: m.accelerator });
    } catch (e) {
        if (!(e instanceof AcceleratorError)) throw e;
        problems.push({ path: "accelerator", value: m.accelerator, message: e.message });
    }
    return problems;
}

/** Every problem with the arguments (paths relative to them). */
export function validateVertexEndpointInference(args: VertexEndpointInferenceArgs): ProblemDetail[] {
    const floor = args.replicaFloor ?? 1;
    const access = args.endpointAccess ?? "dedicated";
    const problems = validateNamePrefix(args.namePrefix);
    if (!Number.isInteger(floor) || floor < 1)
        problems.push({
            path: "replicaFloor",
            value: floor,
            message: "must be a whole number of at least 1 (Vertex keeps at least one replica)",
        });
    if (!(ENDPOINT_ACCESS as readonly string[]).includes(access))
        problems.push({ path: "endpointAccess", value: access, message: "is not an endpoint access mode", allowed: ENDPOINT_ACCESS });
    (args.models ?? []).forEach((m, i) => problems.push(...under(`models[${i}]`, validateVertexModel(m))));
    return problems;
}
