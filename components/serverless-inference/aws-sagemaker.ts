/**
 * What a SageMaker-hosted model is made of: the AWS-maintained serving image for its accelerator, the
 * model artifact (model.tar.gz packed from the repository, deterministic), instance and serverless sizing,
 * and the execution role's permissions. Pure: no SDK here.
 */
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSettings } from "../accelerators/types";
import { fitName } from "../shared/naming";
import type { PolicyStatement } from "../identity/aws";

/**
 * AWS Deep Learning Containers for PyTorch inference, by processor. The registry account differs per
 * region; the provider's `getPrebuiltEcrImage` builds the URI. Tags from aws/deep-learning-containers
 * (available_images.md, PyTorch 2.6 inference; Neuron: pytorch-inference-neuronx 2.1.2, SDK 2.20.2).
 */
export const SERVING_IMAGES = {
    cpu: { repositoryName: "pytorch-inference", imageTag: "2.6.0-cpu-py312-ubuntu22.04-sagemaker" },
    gpu: { repositoryName: "pytorch-inference", imageTag: "2.6.0-gpu-py312-cu124-ubuntu22.04-sagemaker" },
    neuron: { repositoryName: "pytorch-inference-neuronx", imageTag: "2.1.2-neuronx-py310-sdk2.20.2-ubuntu20.04" },
} as const;

export function servingImage(accelerator: AcceleratorSettings | undefined): { repositoryName: string; imageTag: string } {
    if (!accelerator) return SERVING_IMAGES.cpu;
    return accelerator.accelerator.startsWith("aws-") ? SERVING_IMAGES.neuron : SERVING_IMAGES.gpu;
}

/**
 * A real-time endpoint's name ends in a generation: random hex drawn anew whenever its instance type
 * changes (`ENDPOINT_GENERATION_BYTES`, kept in state). SageMaker refuses to move a variant that
 * Application Auto Scaling manages to another instance type ("Update endpoints that use auto scaling"),
 * so a new instance type makes a new endpoint (created before the old one is deleted) instead of a failed
 * update. A new model or code version keeps the endpoint and updates it blue/green. The generation is
 * never derived from the instance type: the old endpoint's log group is kept, and going back to an
 * earlier instance type must not collide with it.
 */
export function endpointName(namePrefix: string, model: string, generation: string): string {
    return `${fitName([namePrefix, model], 63 - 1 - 2 * ENDPOINT_GENERATION_BYTES)}-${generation}`;
}

/** Random bytes in an endpoint's generation (hex: twice as many characters). */
export const ENDPOINT_GENERATION_BYTES = 3;

/** The log group SageMaker writes an endpoint's logs to (a fixed name: the stack must create it first to set retention and the key). */
export function sagemakerEndpointLogGroupName(endpointName: string): string {
    return `/aws/sagemaker/Endpoints/${endpointName}`;
}

/** Real-time endpoints on CPU use this instance type (the catalog has rows for accelerators only). */
export const CPU_ENDPOINT_INSTANCE = "ml.m5.large";

/**
 * Whether an instance type has NVMe instance storage. SageMaker refuses a volume KMS key for those
 * (CreateEndpointConfig `KmsKeyId`: "You can't request a KmsKeyId when using an instance type with local
 * storage"); their local storage is encrypted by the instance's hardware. Families with a `d` after the
 * generation (c5d, m6id, g4dn, p4d, p3dn) have it, and so do g5, g6, g6e, gr6, p5*, trn1*, trn2 and dl1.
 */
export function hasInstanceStore(instanceType: string): boolean {
    const family = instanceType.replace(/^ml\./, "").split(".")[0];
    if (["g5", "g6", "g6e", "gr6", "p5", "p5e", "p5en", "trn1", "trn1n", "trn2", "dl1"].includes(family)) return true;
    return /^[a-z]+\d+[a-z]*d[a-z]*$/.test(family);
}

/** Serverless endpoints take 1024 to 6144 MB in 1 GB steps; the PyTorch container needs 2 GB to start. */
export const SERVERLESS_MEMORY_MB = { min: 2048, max: 6144, step: 1024 } as const;
/** Concurrent invocations one serverless endpoint may take. */
export const SERVERLESS_MAX_CONCURRENCY = 200;

export function serverlessMemoryMb(memoryMiB: number): number | undefined {
    const rounded = Math.max(SERVERLESS_MEMORY_MB.min, Math.ceil(memoryMiB / SERVERLESS_MEMORY_MB.step) * SERVERLESS_MEMORY_MB.step);
    return rounded <= SERVERLESS_MEMORY_MB.max ? rounded : undefined;
}

/** The artifact of one model: the model's files at the root, the inference code under `code/`. */
export interface SageMakerArtifact {
    /** Files at the root of /opt/ml/model (the model itself), name -> content. */
    readonly files: Readonly<Record<string, string>>;
    /** Files under /opt/ml/model/code (inference.py for the PyTorch container), name -> content. */
    readonly code: Readonly<Record<string, string>>;
}

/** The bytes of a `ustar` header for one entry (file or directory), mtime and owner zero so output is stable. */
function tarHeader(path: string, size: number, directory: boolean): Buffer {
    const header = Buffer.alloc(512, 0);
    const field = (value: string, offset: number, length: number) => header.write(value, offset, Math.min(value.length, length), "ascii");
    const octal = (value: number, offset: number, length: number) =>
        field(value.toString(8).padStart(length - 1, "0") + "\0", offset, length);
    field(path, 0, 100);
    octal(directory ? 0o755 : 0o644, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(size, 124, 12);
    octal(0, 136, 12);
    header.fill(" ", 148, 156);
    field(directory ? "5" : "0", 156, 1);
    field("ustar\0", 257, 6);
    field("00", 263, 2);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    field(checksum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    return header;
}

/** A gzip-compressed tar archive of the artifact, byte-for-byte the same for the same input. */
export function modelTarball(a: SageMakerArtifact): Buffer {
    const entries: Buffer[] = [];
    const add = (path: string, content: string) => {
        const data = Buffer.from(content, "utf8");
        entries.push(tarHeader(path, data.length, false), data, Buffer.alloc((512 - (data.length % 512)) % 512, 0));
    };
    for (const name of Object.keys(a.files).sort()) add(name, a.files[name]);
    const code = Object.keys(a.code).sort();
    if (code.length > 0) entries.push(tarHeader("code/", 0, true));
    for (const name of code) add(`code/${name}`, a.code[name]);
    entries.push(Buffer.alloc(1024, 0));
    const gz = gzipSync(Buffer.concat(entries), { level: 9 });
    gz[9] = 3; // gzip's OS byte differs between platforms; fix it so every machine produces the same bytes
    return gz;
}

/** The artifact's S3 key: content-addressed, so a new model version is a new key (and a new SageMaker model). */
export function artifactKey(model: string, tarball: Buffer): string {
    return `sagemaker/${model}/${createHash("sha256").update(tarball).digest("hex").slice(0, 16)}/model.tar.gz`;
}

/** The execution role of hosted models: read the artifact, write captured data, use the key, pull the image, write logs. */
export function inferenceRoleStatements(o: {
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    artifactObjectArns: readonly pulumi.Input<string>[];
    dataCaptureArn?: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    imageRepositoryArns: readonly pulumi.Input<string>[];
    /** Name prefix of the blue/green rollback alarms, which SageMaker reads as this role during a deploy. */
    rollbackAlarmNamePrefix?: string;
}): PolicyStatement[] {
    const logs = (resource: string) => pulumi.interpolate`arn:${o.partition}:logs:${o.region}:${o.accountId}:${resource}`;
    const rollback: PolicyStatement[] = o.rollbackAlarmNamePrefix
        ? [
              {
                  Sid: "ReadRollbackAlarms",
                  Effect: "Allow",
                  Action: "cloudwatch:DescribeAlarms",
                  Resource: pulumi.interpolate`arn:${o.partition}:cloudwatch:${o.region}:${o.accountId}:alarm:${o.rollbackAlarmNamePrefix}*`,
              },
          ]
        : [];
    return [
        ...rollback,
        { Sid: "ReadModelArtifacts", Effect: "Allow", Action: "s3:GetObject", Resource: [...o.artifactObjectArns] },
        ...(o.dataCaptureArn
            ? [{ Sid: "WriteCapturedData", Effect: "Allow" as const, Action: "s3:PutObject", Resource: o.dataCaptureArn }]
            : []),
        {
            Sid: "UsePlatformKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: o.kmsKeyArn,
        },
        {
            Sid: "GrantKeyToVolumes",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: o.kmsKeyArn,
            Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
        },
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
            Sid: "PullServingImage",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: [...o.imageRepositoryArns],
        },
        {
            Sid: "WriteEndpointLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [logs("log-group:/aws/sagemaker/Endpoints/*"), logs("log-group:/aws/sagemaker/Endpoints/*:log-stream:*")],
        },
        {
            Sid: "PublishEndpointMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringLike: { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } },
        },
        {
            Sid: "AttachToVpc",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            Resource: "*",
        },
    ];
}

/** ARN of an image's repository from its URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`). */
export function repositoryArnOfImage(image: string, partition: string): string | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
    return m ? `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}
