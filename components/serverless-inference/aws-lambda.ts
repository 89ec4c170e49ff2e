/**
 * What a model's Lambda function is made of: its zip package (the handler code plus the model's files),
 * runtime, memory, and the role's permissions. Pure: no SDK here.
 *
 * Lambda only runs container images from the account's own ECR and only if they implement the Lambda
 * runtime API, so a model served by Lambda ships as a zip package built from the repository (for the
 * sample: samples/aws/lambda/handler.py and samples/model/model.json); nothing is built or pushed by hand.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";

/** Managed runtimes this component accepts (python and Node.js runtimes that Lambda has not deprecated). */
export const LAMBDA_RUNTIMES = ["python3.11", "python3.12", "python3.13", "python3.14", "nodejs20.x", "nodejs22.x"] as const;

/** Lambda memory: 128 MB to 10,240 MB (CPU grows with memory). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;

/** The code of one model's function. */
export interface LambdaModelCode {
    /** `file.function` the runtime calls, e.g. `handler.handler`. */
    readonly handler: string;
    /** A managed runtime from LAMBDA_RUNTIMES, e.g. `python3.13`. */
    readonly runtime: string;
    /** The package's files, name -> content (text). The model's own `files` are added next to them. */
    readonly files: Readonly<Record<string, string>>;
}

/**
 * The zip's contents: the code files plus the model's files. A name in both must hold the same content,
 * otherwise it is returned in `conflicts`.
 */
export function packageFiles(
    code: Readonly<Record<string, string>>,
    modelFiles: Readonly<Record<string, string>> | undefined,
): { files: Record<string, string>; conflicts: string[] } {
    const files: Record<string, string> = { ...(modelFiles ?? {}) };
    const conflicts: string[] = [];
    for (const [name, content] of Object.entries(code)) {
        if (name in files && files[name] !== content) conflicts.push(name);
        files[name] = content;
    }
    return { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))), conflicts };
}

/** Memory from the model's request, clamped to what Lambda offers. */
export function lambdaMemoryMb(memoryMiB: number): number {
    return Math.min(LAMBDA_MEMORY_MB.max, Math.max(LAMBDA_MEMORY_MB.min, memoryMiB));
}

/** Whether the handler names a file in the package (`handler.handler` -> `handler.py` for python). */
export function handlerFile(handler: string, runtime: string): string | undefined {
    const m = /^([A-Za-z0-9_./-]+)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(handler);
    if (!m) return undefined;
    return `${m[1]}${runtime.startsWith("python") ? ".py" : ".js"}`;
}

/** The function role's permissions: its log group, its dead-letter queue, the key, VPC attachment, X-Ray. */
export function lambdaRoleStatements(o: {
    logGroupArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
}): PolicyStatement[] {
    return [
        {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${o.logGroupArn}:*`,
        },
        { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: o.queueArn },
        { Sid: "UsePlatformKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: o.kmsKeyArn },
        // Lambda creates its network interfaces in the subnets as the function's role; EC2 offers no
        // resource-level scoping for the Describe call, so these are granted on "*".
        {
            Sid: "AttachToVpc",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            Resource: "*",
        },
        { Sid: "Tracing", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    ];
}
