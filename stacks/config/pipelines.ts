/**
 * `mlops:pipelines`: the stack's data pipelines (jobs from a source prefix of the lake to a target prefix,
 * on a schedule and on arrival) and its streams into `raw`. Checks what the whole config decides: zones
 * that exist, prefixes that stay in their zone, a job that never reads its own output, two jobs that never
 * write the same place, schedules the target's scheduler takes, and triggers the target offers.
 */
import { PipelineJobSpec, StreamSpec, cronProblem, imageReferenceProblem, isPinnedImage, parseAccelerator } from "@mlops/components";
import type { PipelineAbilities } from "../targets/types";
import { Obj, Reader } from "./fields";
import { readFiles } from "./files";
import {
    KEYS,
    ORCHESTRATORS,
    LakeLocationConfig,
    MODEL_NAME,
    MODEL_NAME_RULE,
    PipelineJobConfig,
    PipelinesConfig,
    StackConfig,
    StreamConfig,
} from "./schema";

export interface PipelinesContext {
    /** The lake's zones. */
    readonly zones: readonly string[];
    /** The selected implementation (already checked against the target's offer). */
    readonly implementation: string;
    readonly abilities: PipelineAbilities;
    /** The target's name, for messages. */
    readonly cloud: string;
    readonly projectRoot: string;
}

/** A prefix: path segments of lowercase letters, digits, `.`, `_` or `-`, each ending in `/`; or empty. */
const PREFIX = /^([a-z0-9][a-z0-9._-]*\/)*$/;

/** Reads `zone/prefix/` into a location, or records why it is not one. */
export function location(
    read: Reader,
    obj: Obj | undefined,
    key: string,
    at: string,
    zones: readonly string[],
): LakeLocationConfig | undefined {
    const value = read.string(obj, key, at);
    if (value === undefined) {
        if (obj && obj[key] === undefined)
            read.problems.push({
                path: `${at}.${key}`,
                value: undefined,
                message: "is required",
                fix: "write the zone and prefix, e.g. `raw/iris/`",
            });
        return undefined;
    }
    if (value.startsWith("/")) {
        read.problems.push({
            path: `${at}.${key}`,
            value,
            message: "starts with `/`: write the zone first",
            fix: `write e.g. \`${value.replace(/^\/+/, "")}\``,
        });
        return undefined;
    }
    const slash = value.indexOf("/");
    const zone = slash < 0 ? value : value.slice(0, slash);
    const prefix = slash < 0 ? "" : value.slice(slash + 1);
    if (!zones.includes(zone)) {
        read.problems.push({
            path: `${at}.${key}`,
            value,
            message: `names zone \`${zone}\`, which the lake does not have`,
            allowed: zones,
            fix: "write `<zone>/<prefix>/` with one of the lake's zones (mlops:dataLake.zones)",
        });
        return undefined;
    }
    if (!PREFIX.test(prefix) || prefix.split("/").some((segment) => segment === "." || segment === "..")) {
        read.problems.push({
            path: `${at}.${key}`,
            value,
            message:
                "has a prefix that is not folders of lowercase letters, digits, `.`, `_` or `-`, each ending in `/` (no `..`, no leading `/`)",
            fix: `write e.g. \`${zone}/iris/\``,
        });
        return undefined;
    }
    return { zone, prefix };
}

/** Whether one location contains the other (same zone, one prefix starts the other). */
export function overlaps(a: LakeLocationConfig, b: LakeLocationConfig): boolean {
    return a.zone === b.zone && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
}

export const show = (l: LakeLocationConfig) => `${l.zone}/${l.prefix}`;

/** Parses `mlops:pipelines` (already read as a mapping: `obj`) for the selected target. */
export function parsePipelines(obj: Obj | undefined, at: string, ctx: PipelinesContext, read: Reader): PipelinesConfig {
    const parsed = list(obj, "jobs", at, read).map((item, i) => parseJob(item, `${at}.jobs[${i}]`, ctx, read));
    // Jobs whose source or target could not be read are left out of the overlap checks and the config.
    const jobs = parsed.map((p) => (p?.located ? p.job : undefined));
    const streams = list(obj, "streams", at, read).map((item, i) => parseStream(item, `${at}.streams[${i}]`, ctx, read));
    const valid = jobs.filter((j): j is PipelineJobConfig => j !== undefined);

    // Names are unique across jobs and streams: each becomes part of resource names.
    const names = [
        ...parsed.map((p, i) => [p?.job.name || undefined, `${at}.jobs[${i}].name`] as const),
        ...streams.map((s, i) => [s?.name, `${at}.streams[${i}].name`] as const),
    ];
    names.forEach(([name, path], i) => {
        if (name !== undefined && names.findIndex(([n]) => n === name) !== i)
            read.problems.push({ path, value: name, message: "is used by another pipeline or stream", fix: "give each its own name" });
    });
    // Two jobs writing one place would overwrite each other's versions and audit records.
    jobs.forEach((job, i) => {
        if (!job) return;
        jobs.forEach((other, j) => {
            if (other && j < i && overlaps(job.target, other.target)) {
                read.problems.push({
                    path: `${at}.jobs[${i}].target`,
                    value: show(job.target),
                    message: `overlaps the target of ${at}.jobs[${j}] (${show(other.target)}): two pipelines would write the same prefix`,
                    fix: "give each pipeline its own target prefix, neither inside the other",
                });
            }
        });
    });
    if (streams.length > 0 && !ctx.abilities.streams) {
        read.problems.push({
            path: `${at}.streams`,
            value: streams.map((s) => s?.name),
            message: `is not offered when mlops:cloud is ${ctx.cloud}`,
            fix: "remove it, and deliver events into the raw zone with your own producer (see the cloud guide)",
        });
    }
    const orchestrator = read.oneOf(obj, "orchestrator", at, ORCHESTRATORS, "native");
    if (orchestrator === "airflow" && !ctx.abilities.airflow.offered) {
        read.problems.push({
            path: `${at}.orchestrator`,
            value: orchestrator,
            message: `is not offered when mlops:cloud is ${ctx.cloud}: ${ctx.abilities.airflow.why}`,
            fix: "leave it out for the native scheduler",
        });
    }
    return {
        implementation: ctx.implementation,
        orchestrator,
        jobs: valid,
        streams: streams.filter((s): s is StreamConfig => s !== undefined),
    };
}

function list(obj: Obj | undefined, key: string, at: string, read: Reader): unknown[] {
    const value = obj?.[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        read.problems.push({ path: `${at}.${key}`, value, message: "must be a list", fix: `write \`${key}: [ { name: ... } ]\`` });
        return [];
    }
    return value;
}

function parseJob(item: unknown, p: string, ctx: PipelinesContext, read: Reader): { job: PipelineJobConfig; located: boolean } | undefined {
    const m = read.object(item, p, KEYS.pipelineJob);
    if (!m) {
        if (item === undefined || item === null)
            read.problems.push({
                path: p,
                value: item,
                message: "must be a mapping with at least name, source, target and a schedule or onArrival",
            });
        return undefined;
    }
    const name = read.string(m, "name", p);
    if (m.name === undefined)
        read.problems.push({ path: `${p}.name`, value: undefined, message: "is required", fix: "name the pipeline, e.g. `iris-etl`" });
    else if (name && !MODEL_NAME.test(name)) read.problems.push({ path: `${p}.name`, value: name, message: `must be ${MODEL_NAME_RULE}` });

    const scriptRunner = ctx.abilities.scriptRunners?.includes(ctx.implementation) ?? false;
    const image = read.string(m, "image", p);
    if (image === undefined && m.image === undefined && !scriptRunner)
        read.problems.push({
            path: `${p}.image`,
            value: undefined,
            message: "is required",
            fix: "set the job's image, pinned by tag or digest",
        });
    const badReference = image ? imageReferenceProblem(image) : undefined;
    if (image && badReference)
        read.problems.push({ path: `${p}.image`, value: image, message: `is not a valid image reference: it ${badReference}` });
    else if (image && !isPinnedImage(image))
        read.problems.push({
            path: `${p}.image`,
            value: image,
            message: "must be pinned to a version tag or digest, not `latest` or no tag",
            fix: "write e.g. `registry/image:1.2.3`",
        });

    const command = read.stringList(m, "command", p, []);
    if (m.command === undefined)
        read.problems.push({
            path: `${p}.command`,
            value: undefined,
            message: "is required",
            fix: "write e.g. `command: [python, /app/etl.py]`",
        });
    const filesDir = read.string(m, "files", p);
    if (scriptRunner && filesDir === undefined)
        read.problems.push({
            path: `${p}.files`,
            value: undefined,
            message: `is required by implementation \`${ctx.implementation}\`, which runs the job's script, not an image`,
            fix: "point it at the directory with the script, e.g. samples/jobs",
        });

    const source = location(read, m, "source", p, ctx.zones);
    const target = location(read, m, "target", p, ctx.zones);
    if (source && target && overlaps(source, target)) {
        read.problems.push({
            path: `${p}.target`,
            value: show(target),
            message: `overlaps its source ${show(source)}: the job would read its own output (and on arrival, start itself again)`,
            fix: "write the output to another prefix or zone, e.g. curated/...",
        });
    }

    const schedule = read.string(m, "schedule", p);
    const bad = schedule === undefined ? undefined : (cronProblem(schedule) ?? ctx.abilities.scheduleProblem?.(schedule));
    if (schedule !== undefined && bad)
        read.problems.push({
            path: `${p}.schedule`,
            value: schedule,
            message: `is not a schedule this target takes: ${bad}`,
            fix: 'write 5-field cron in UTC, e.g. "0 3 * * *" (daily at 03:00)',
        });
    const onArrival = read.bool(m, "onArrival", p, false);
    if (onArrival && !ctx.abilities.onArrival)
        read.problems.push({
            path: `${p}.onArrival`,
            value: true,
            message: `is not offered when mlops:cloud is ${ctx.cloud}`,
            fix: "set a schedule instead",
        });
    if (schedule === undefined && !onArrival && m.schedule === undefined)
        read.problems.push({
            path: p,
            value: name,
            message: "never runs: it has no schedule and onArrival is false",
            fix: 'set `schedule: "0 3 * * *"`, `onArrival: true`, or both',
        });

    const job: PipelineJobConfig = {
        name: name ?? "",
        image: image ?? "",
        command,
        args: read.stringList(m, "args", p, []),
        env: read.stringMap(m, "env", p),
        files: filesDir === undefined ? undefined : readFiles(filesDir, `${p}.files`, ctx.projectRoot, read.problems),
        source: source ?? { zone: "", prefix: "" },
        target: target ?? { zone: "", prefix: "" },
        schedule: bad ? undefined : schedule,
        onArrival,
        cpuMillicores: read.int(m, "cpuMillicores", p, 500, { min: 100, max: 16000, unit: "millicores" }),
        memoryMiB: read.int(m, "memoryMiB", p, 1024, { min: 128, max: 131072, unit: "MiB" }),
        accelerator: parseAccelerator(m.accelerator, `${p}.accelerator`, read.problems),
        timeoutMinutes: read.int(m, "timeoutMinutes", p, 60, { min: 1, max: 1440, unit: "minutes" }),
        retries: read.int(m, "retries", p, 2, { min: 0, max: 10 }),
    };
    return { job, located: source !== undefined && target !== undefined };
}

function parseStream(item: unknown, p: string, ctx: PipelinesContext, read: Reader): StreamConfig | undefined {
    const m = read.object(item, p, KEYS.stream);
    if (!m) return undefined;
    const name = read.string(m, "name", p);
    if (m.name === undefined)
        read.problems.push({ path: `${p}.name`, value: undefined, message: "is required", fix: "name the stream, e.g. `events`" });
    else if (name && !MODEL_NAME.test(name)) read.problems.push({ path: `${p}.name`, value: name, message: `must be ${MODEL_NAME_RULE}` });
    const target = location(read, m, "target", p, ctx.zones);
    if (target && target.zone !== "raw")
        read.problems.push({
            path: `${p}.target`,
            value: show(target),
            message: "must be in the raw zone: streams land events as they come, pipelines refine them",
            fix: "write e.g. `raw/events/`",
        });
    return {
        name: name ?? "",
        target: target ?? { zone: "raw", prefix: "" },
        retentionHours: read.int(m, "retentionHours", p, 24, { min: 24, max: 168, unit: "hours" }),
    };
}

/** The stack's jobs as the data-pipeline components take them (what every target's build passes). */
export function pipelineJobSpecs(config: StackConfig): PipelineJobSpec[] {
    return config.pipelines.jobs.map((j) => ({
        name: j.name,
        image: j.image,
        command: j.command,
        args: j.args,
        env: j.env,
        files: j.files,
        source: { ...j.source },
        target: { ...j.target },
        schedule: j.schedule,
        onArrival: j.onArrival,
        cpuMillicores: j.cpuMillicores,
        memoryMiB: j.memoryMiB,
        accelerator: j.accelerator,
        timeoutMinutes: j.timeoutMinutes,
        retries: j.retries,
    }));
}

/** The stack's streams as the components take them. */
export function streamSpecs(config: StackConfig): StreamSpec[] {
    return config.pipelines.streams.map((s) => ({ name: s.name, target: { ...s.target }, retentionHours: s.retentionHours }));
}
