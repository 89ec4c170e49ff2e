/**
 * The ECS task of one model, as the container-definitions JSON ECS takes. Pure: no SDK here.
 *
 * The model container runs as UID 10001 with a read-only root filesystem, no privileges and every Linux
 * capability dropped (CKV_AWS_334/336/335). Fargate mounts task volumes owned by root (bind mounts cannot
 * be chowned: aws/containers-roadmap#938), so a short-lived `prepare` container, root but equally locked
 * down, makes the scratch volume writable and writes the model's `files` (passed gzip-compressed and
 * base64-encoded in its environment, at most FILES_LIMIT_BYTES encoded) to `/app`; the model container starts
 * once it succeeded and mounts `/app` read-only. `prepare` runs in the model's image, which therefore needs
 * `/bin/sh`, `base64` and `gzip` (Debian and Alpine based images, busybox included, have all three). Pure:
 * builds JSON and policy statements only.
 */
import { gzipSync } from "zlib";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../identity/aws";
import { ModelServingSpec } from "../shared/model";

/** Pull actions on repositories, and what a first pull through the cache adds (ECR user guide, pull-through cache IAM). */
const PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
const FILL_CACHE = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"];

export const MODEL_CONTAINER = "model";
export const PREPARE_CONTAINER = "prepare";
export const APP_PATH = "/app";
export const SCRATCH_PATH = "/tmp";
export const MODEL_USER = "10001:10001";
/** The encoded files together (gzip, then base64); a task definition may hold 64 KiB in all. */
export const FILES_LIMIT_BYTES = 48 * 1024;

/**
 * The files as environment variables `MLOPS_FILE_0`, `MLOPS_FILE_1`, ... (sorted by name), each gzip-compressed
 * (deterministic: zlib writes no timestamp) then base64-encoded.
 */
export function filesEnvironment(files: Readonly<Record<string, string>>): { name: string; value: string }[] {
    return Object.keys(files)
        .sort()
        .map((f, i) => ({ name: `MLOPS_FILE_${i}`, value: gzipSync(Buffer.from(files[f], "utf8"), { level: 9 }).toString("base64") }));
}

/** Total size of the encoded files, checked against FILES_LIMIT_BYTES. */
export function encodedFilesBytes(files: Readonly<Record<string, string>>): number {
    return filesEnvironment(files).reduce((n, e) => n + e.value.length, 0);
}

/** The `prepare` container's script: writable scratch, then each file decoded and decompressed into /app, readable by all. */
export function prepareScript(files: Readonly<Record<string, string>>): string {
    const lines = ["set -eu", "chmod 1777 /scratch"];
    Object.keys(files)
        .sort()
        .forEach((f, i) => lines.push(`printf '%s' "$MLOPS_FILE_${i}" | base64 -d | gzip -dc > ${APP_PATH}/${f}`));
    lines.push(`chmod -R a+rX ${APP_PATH}`);
    return lines.join("\n");
}

export interface ContainerSettings {
    readonly model: ModelServingSpec;
    /** The image to pull (already rewritten to the pull-through cache where needed). */
    readonly image: string;
    readonly logGroupName: string;
    readonly region: string;
    /** Variables the stack sets for the model (the model store's, aws-model-store.ts), after the model's own. @default {} */
    readonly extraEnv?: Readonly<Record<string, string>>;
}

const drop = { capabilities: { drop: ["ALL"] } };

/** The task's container definitions (ECS `containerDefinitions`). */
export function containerDefinitions(s: ContainerSettings): Record<string, unknown>[] {
    const m = s.model;
    const logs = (prefix: string) => ({
        logDriver: "awslogs",
        options: { "awslogs-group": s.logGroupName, "awslogs-region": s.region, "awslogs-stream-prefix": prefix },
    });
    const environment = [
        { name: "PORT", value: String(m.port) },
        ...Object.entries({ ...m.env, ...s.extraEnv }).map(([name, value]) => ({ name, value })),
    ];
    const hasFiles = Object.keys(m.files ?? {}).length > 0;
    const prepare = {
        name: PREPARE_CONTAINER,
        image: s.image,
        essential: false,
        user: "0",
        privileged: false,
        readonlyRootFilesystem: true,
        entryPoint: ["/bin/sh", "-c"],
        command: [prepareScript(m.files ?? {})],
        environment: filesEnvironment(m.files ?? {}),
        mountPoints: [
            { sourceVolume: "scratch", containerPath: "/scratch", readOnly: false },
            ...(hasFiles ? [{ sourceVolume: "app", containerPath: APP_PATH, readOnly: false }] : []),
        ],
        linuxParameters: drop,
        logConfiguration: logs(PREPARE_CONTAINER),
    };
    const model = {
        name: MODEL_CONTAINER,
        image: s.image,
        essential: true,
        user: MODEL_USER,
        privileged: false,
        readonlyRootFilesystem: true,
        ...(m.command ? { entryPoint: [...m.command] } : {}),
        ...(m.args ? { command: [...m.args] } : {}),
        environment,
        portMappings: [{ containerPort: m.port, protocol: "tcp" }],
        mountPoints: [
            { sourceVolume: "scratch", containerPath: SCRATCH_PATH, readOnly: false },
            ...(hasFiles ? [{ sourceVolume: "app", containerPath: APP_PATH, readOnly: true }] : []),
        ],
        dependsOn: [{ containerName: PREPARE_CONTAINER, condition: "SUCCESS" }],
        linuxParameters: { ...drop, initProcessEnabled: true },
        logConfiguration: logs(MODEL_CONTAINER),
    };
    return [prepare, model];
}

/** Task volumes: scratch space always, `/app` when the model has files (Fargate ephemeral bind mounts). */
export function taskVolumes(model: ModelServingSpec): { name: string }[] {
    return [{ name: "scratch" }, ...(Object.keys(model.files ?? {}).length > 0 ? [{ name: "app" }] : [])];
}

/** The execution role's permissions: ECR login, pulling (and filling the cache), writing the task's logs. */
export function executionRoleStatements(o: {
    pullRepositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    cacheRepositoryArn?: pulumi.Input<string>;
    logGroupArn: pulumi.Input<string>;
}): PolicyStatement[] {
    return [
        // GetAuthorizationToken takes no resource ARN, so it is granted on "*".
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "PullModelImages", Effect: "Allow", Action: PULL, Resource: pulumi.output(o.pullRepositoryArns) },
        ...(o.cacheRepositoryArn
            ? [{ Sid: "FillPullThroughCache", Effect: "Allow" as const, Action: FILL_CACHE, Resource: o.cacheRepositoryArn }]
            : []),
        {
            Sid: "WriteLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${o.logGroupArn}:*`,
        },
    ];
}
