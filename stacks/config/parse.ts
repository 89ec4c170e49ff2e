/**
 * Parses and validates the whole stack config at once, before any resource exists. Pure: takes the
 * namespaced config map (`mlops:cloud` -> value) the CLI hands the program, returns typed values or
 * throws one ValidationError listing every problem with its key path, value, allowed values and fix.
 */
import {
    AcceleratorRequest,
    Cloud,
    DEFAULT_ZONES,
    KUBERNETES_DISTRIBUTIONS,
    KubernetesDistribution,
    ProblemDetail,
    Service,
    ValidationError,
    formatProblem,
    parseAccelerator,
    resolveAccelerator,
} from "@mlops/components";
import { TARGETS, Target, targetFor } from "../targets";
import { CLOUD_SECTIONS, CloudSections } from "./cloud-sections";
import { Obj, Reader } from "./fields";
import { parseModels } from "./models";
import { parseNotifications } from "./notifications";
import { parsePipelines } from "./pipelines";
import { checkTrainings, parseDelivery } from "./training";
import { ENVIRONMENTS, Environment, KEYS, Pillar, StackConfig, TOP_LEVEL_KEYS, ZONE_NAME, ZONE_NAME_RULE } from "./schema";

export interface ParseOptions {
    readonly project: string;
    readonly stack: string;
    /** Directory that model `files` paths are relative to (the project root). */
    readonly projectRoot: string;
}

/** Parses a structured key: the CLI passes objects and lists as JSON strings. */
function structured(raw: Record<string, string>, key: string): unknown {
    const value = raw[key];
    if (value === undefined) return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return value; // a plain string where an object was expected; the readers report the type
    }
}

/**
 * `targets` are the registered deployment targets (stacks/targets/index.ts); a test may pass its own to
 * prove a new target plugs in through its registration alone.
 */
export function parseStackConfig(given: Record<string, string>, opts: ParseOptions, targets: readonly Target[] = TARGETS): StackConfig {
    const problems: ProblemDetail[] = [];
    const read = new Reader(problems);
    const ns = `${opts.project}:`;

    // A key written with nothing after it (`azure-native:location:`) is reported as blank and then read
    // as unset, so no reader mistakes "null" for a value (a location, a generated name).
    const blanks = Object.keys(given).filter((k) => given[k].trim() === "" || given[k] === "null");
    const raw = Object.fromEntries(Object.entries(given).filter(([k]) => !blanks.includes(k)));
    const blankProblems: ProblemDetail[] = blanks.map((key) => ({
        path: key,
        value: null,
        message: "is blank (YAML reads `key:` with nothing after it as null)",
        fix: "write a value, or remove the key",
    }));

    for (const key of Object.keys(raw)) {
        if (key.startsWith(ns) && !(TOP_LEVEL_KEYS as readonly string[]).includes(key.slice(ns.length))) {
            problems.push({
                path: key,
                value: structured(raw, key),
                message: "is not a known key",
                allowed: TOP_LEVEL_KEYS.map((k) => ns + k),
                fix: "remove it or correct its spelling",
            });
        }
    }

    const scalar = <T extends string>(key: string, allowed: readonly T[], fix: string): T | undefined => {
        const value = raw[ns + key];
        if (value === undefined || !(allowed as readonly string[]).includes(value)) {
            problems.push({
                path: ns + key,
                value,
                message: value === undefined ? "is required" : "is not an allowed value",
                allowed,
                fix,
            });
            return undefined;
        }
        return value as T;
    };
    // On a bad cloud, parsing goes on as kubernetes so the rest of the config is still checked.
    const clouds = targets.map((t) => t.cloud);
    const givenCloud = scalar("cloud", clouds, "run `pulumi config set cloud <cloud>`: the cloud this stack deploys to") as
        Cloud | undefined;
    const cloud: Cloud = givenCloud ?? "kubernetes";
    const target: Target = targetFor(cloud, targets) ?? targets[targets.length - 1];
    const environment: Environment = scalar("environment", ENVIRONMENTS, "run `pulumi config set environment <environment>`") ?? "dev";
    const protectData = environment === "prod";

    // ---- data lake
    const lakePath = `${ns}dataLake`;
    // Each target with its own settings reads a sub-object named after it in every section and model.
    const targetKeys = targets.filter((t) => t.parseOptions).map((t) => t.cloud);
    const lake = read.object(structured(raw, lakePath), lakePath, [...KEYS.dataLake, ...targetKeys]);
    const zones = read.stringList(lake, "zones", lakePath, DEFAULT_ZONES);
    if (zones.length === 0)
        problems.push({
            path: `${lakePath}.zones`,
            value: zones,
            message: "needs at least one zone",
            fix: `leave it out for ${DEFAULT_ZONES.join(", ")}`,
        });
    zones.forEach((z, i) => {
        if (!ZONE_NAME.test(z)) problems.push({ path: `${lakePath}.zones[${i}]`, value: z, message: `must be ${ZONE_NAME_RULE}` });
        if (zones.indexOf(z) !== i) problems.push({ path: `${lakePath}.zones[${i}]`, value: z, message: "is listed twice" });
    });
    if (zones.length > 0 && !zones.includes("models")) {
        problems.push({
            path: `${lakePath}.zones`,
            value: zones,
            message: "must include the `models` zone: the ML platform keeps artifacts and registered models there",
            fix: "add `models` to the list",
        });
    }
    const queryDefault = cloud === "aws" || cloud === "gcp";
    const queryEngine = read.bool(lake, "queryEngine", lakePath, queryDefault);
    // Judged only once the cloud is known: a mistyped mlops:cloud is parsed on as kubernetes.
    if (queryEngine && givenCloud === "kubernetes") {
        problems.push({
            path: `${lakePath}.queryEngine`,
            value: true,
            message: "has no implementation on Kubernetes (MinIO has no catalog or SQL engine)",
            fix: "set it to false, or query the lake with your own engine (e.g. Trino) through the S3 API",
        });
    }
    const minioObj = read.object(lake?.minio, `${lakePath}.minio`, KEYS.minio);
    const minioLayout = {
        servers: read.int(minioObj, "servers", `${lakePath}.minio`, 1, { min: 1, max: 32 }),
        drives: read.int(minioObj, "drivesPerServer", `${lakePath}.minio`, 4, { min: 1, max: 16 }),
    };
    // The erasure-coded layout MinIO needs is checked by the Kubernetes target (validateMinioDataLake).
    const dataLake = {
        zones,
        noncurrentVersionRetentionDays: read.int(lake, "noncurrentVersionRetentionDays", lakePath, 30, { min: 1, max: 3650, unit: "days" }),
        abortIncompleteUploadDays: read.int(lake, "abortIncompleteUploadDays", lakePath, 7, { min: 1, max: 365, unit: "days" }),
        rawColdStorageAfterDays: read.int(lake, "rawColdStorageAfterDays", lakePath, 90, {
            min: 30,
            max: 3650,
            unit: "days; 30 is the shortest the colder storage classes accept",
        }),
        auditLogRetentionDays: read.int(lake, "auditLogRetentionDays", lakePath, 365, {
            min: 365,
            max: 3650,
            unit: "days; audit logs are kept at least a year",
        }),
        queryEngine,
        minio: {
            servers: minioLayout.servers,
            drivesPerServer: minioLayout.drives,
            volumeSizeGiB: read.int(minioObj, "volumeSizeGiB", `${lakePath}.minio`, 10, { min: 1, unit: "GiB" }),
            storageClassName: read.string(minioObj, "storageClassName", `${lakePath}.minio`),
        },
    };

    // ---- pillars: implementation per cloud, kubernetes options
    const implementation = (pillar: Pillar, obj: Obj | undefined): string => {
        const offered = Object.keys(target.implementations[pillar]);
        if (!givenCloud) return typeof obj?.implementation === "string" ? obj.implementation : offered[0]; // judged once the cloud is fixed
        return read.oneOf(
            obj,
            "implementation",
            `${ns}${pillar}`,
            offered,
            offered[0],
            `choose an implementation that cloud \`${cloud}\` offers`,
        );
    };
    const distribution = (obj: Obj | undefined, p: string): KubernetesDistribution =>
        read.oneOf(obj, "distribution", p, KUBERNETES_DISTRIBUTIONS, "generic");

    const mlPath = `${ns}mlPlatform`;
    const ml = read.object(structured(raw, mlPath), mlPath, [...KEYS.mlPlatform, ...targetKeys]);
    const trainingObj = read.object(ml?.training, `${mlPath}.training`, KEYS.training);
    const mlPlatform = {
        implementation: implementation("mlPlatform", ml),
        distribution: distribution(ml, mlPath),
        training: {
            accelerator: parseAccelerator(trainingObj?.accelerator, `${mlPath}.training.accelerator`, problems),
            maxNodes: read.int(trainingObj, "maxNodes", `${mlPath}.training`, 1, { min: 1, max: 100 }),
            spot: read.bool(trainingObj, "spot", `${mlPath}.training`, true),
        },
    };

    const csPath = `${ns}containerService`;
    const cs = read.object(structured(raw, csPath), csPath, [...KEYS.containerService, ...targetKeys]);
    const containerService = {
        implementation: implementation("containerService", cs),
        distribution: distribution(cs, csPath),
        clientNamespaces: read.stringList(cs, "clientNamespaces", csPath, []),
    };

    const siPath = `${ns}serverlessInference`;
    const si = read.object(structured(raw, siPath), siPath, [...KEYS.serverlessInference, ...targetKeys]);
    const serverlessInference = {
        implementation: implementation("serverlessInference", si),
        distribution: distribution(si, siPath),
        clientNamespaces: read.stringList(si, "clientNamespaces", siPath, []),
        installKnative: read.bool(si, "installKnative", siPath, false),
        knativeSchedulingFlagsEnabled: read.bool(si, "knativeSchedulingFlagsEnabled", siPath, false),
    };

    const plPath = `${ns}pipelines`;
    const pl = read.object(structured(raw, plPath), plPath, KEYS.pipelines);
    const pipelines = parsePipelines(
        pl,
        plPath,
        { zones, implementation: implementation("pipelines", pl), abilities: target.pipelines, cloud, projectRoot: opts.projectRoot },
        read,
    );

    const rawModels = structured(raw, `${ns}models`);
    const models = parseModels(rawModels, `${ns}models`, environment, read, opts.projectRoot, targetKeys, {
        zones,
        environment,
        abilities: target.training,
        scheduleProblem: target.pipelines.scheduleProblem,
        cloud,
        projectRoot: opts.projectRoot,
        automlTargets: targets.flatMap((t) => (t.training.automl.offered ? [`${t.cloud} (${t.training.automl.service})`] : [])),
    });
    const delivery = parseDelivery(structured(raw, `${ns}delivery`), `${ns}delivery`, read);
    // `models` holds the items that are mappings; an item that is not (reported above) shifts the rest, so a
    // parsed model's key is `mlops:models[<its place in the list the user wrote>]`.
    const modelIndex = Array.isArray(rawModels)
        ? rawModels.flatMap((m, i) => (typeof m === "object" && m !== null && !Array.isArray(m) ? [i] : []))
        : [];
    const modelKey = (i: number) => `${ns}models[${modelIndex[i] ?? i}]`;
    const notifications = parseNotifications(
        structured(raw, `${ns}notifications`),
        `${ns}notifications`,
        givenCloud ? target : undefined,
        targets.filter((t) => t.createsAlerts).map((t) => t.cloud),
        environment,
        read,
    );
    if (givenCloud)
        problems.push(
            ...keysThatDoNotApply(target, targets, ns, { dataLake: lake, mlPlatform: ml, containerService: cs, serverlessInference: si }),
        );
    const cloudOptions = alignModels(
        parseCloudOptions(
            targets,
            givenCloud,
            environment,
            { dataLake: lake, mlPlatform: ml, containerService: cs, serverlessInference: si },
            Array.isArray(rawModels) ? rawModels : [],
            ns,
            read,
            raw,
            opts.projectRoot,
        ),
        modelIndex,
    );

    // ---- accelerators against the services that would run them (catalog decides). A model served by two
    // implementations that both refuse its accelerator gets one problem naming both.
    const refusals = new Map<string, { value: string; reasons: string[]; impls: string[] }>();
    const check = (
        pillar: Pillar,
        impl: string,
        dist: KubernetesDistribution,
        accelerator: AcceleratorRequest | undefined,
        where: string,
    ) => {
        const service = (target.implementations[pillar] as Record<string, Service>)[impl];
        if (!accelerator || !service || !givenCloud) return;
        try {
            resolveAccelerator({ cloud, service, accelerator, distribution: dist });
        } catch (e) {
            const refusal = refusals.get(where) ?? { value: `${accelerator.type}:${accelerator.count}`, reasons: [], impls: [] };
            const reason = (e as Error).message;
            refusal.impls.push(`${pillar} implementation \`${impl}\``);
            if (!refusal.reasons.includes(reason)) refusal.reasons.push(reason);
            refusals.set(where, refusal);
        }
    };
    check(
        "mlPlatform",
        mlPlatform.implementation,
        mlPlatform.distribution,
        mlPlatform.training.accelerator,
        `${mlPath}.training.accelerator`,
    );
    pipelines.jobs.forEach((job, i) =>
        check("pipelines", pipelines.implementation, "generic", job.accelerator, `${plPath}.jobs[${i}].accelerator`),
    );
    models.forEach((m, i) => {
        if (m.serveWith.includes("containerService"))
            check(
                "containerService",
                containerService.implementation,
                containerService.distribution,
                m.accelerator,
                `${modelKey(i)}.accelerator`,
            );
        if (m.serveWith.includes("serverlessInference"))
            check(
                "serverlessInference",
                serverlessInference.implementation,
                serverlessInference.distribution,
                m.accelerator,
                `${modelKey(i)}.accelerator`,
            );
    });
    for (const [where, r] of refusals)
        problems.push({
            path: where,
            value: r.value,
            message: `is not offered by ${r.impls.join(" nor by ")}: ${r.reasons.join(" ")}`,
            fix: `pick an accelerator ${r.impls.length > 1 ? "these implementations offer" : "this implementation offers"}, or another implementation`,
        });

    const config: StackConfig = {
        project: opts.project,
        stack: opts.stack,
        cloud,
        environment,
        protectData,
        dataLake,
        mlPlatform,
        containerService,
        serverlessInference,
        models,
        notifications,
        pipelines,
        delivery,
        ...cloudOptions,
    };
    problems.push(...checkTrainings(config, modelKey));
    // Checks that need the whole stack (each component validator on the args the build will pass) join
    // the same error, so a user sees every problem at once. A key's own reader speaks first: a whole-stack
    // problem at a key that already has one (the same fact in other words) is left out, and a blank key is
    // reported once, as blank, not again as missing.
    // The whole-stack check sees only accelerators the catalog accepted for their services: a refused one
    // is reported once, at its key, not again as a size or profile some component would derive from it.
    const reported = new Set(problems.map((p) => p.path));
    const checked: StackConfig = {
        ...config,
        mlPlatform: refusals.has(`${mlPath}.training.accelerator`)
            ? { ...mlPlatform, training: { ...mlPlatform.training, accelerator: undefined } }
            : mlPlatform,
        models: models.map((m, i) => (refusals.has(`${modelKey(i)}.accelerator`) ? { ...m, accelerator: undefined } : m)),
    };
    // Two components checking one value (a model served by both) may word the same fact differently:
    // one problem per key and value.
    // A model whose accelerator is refused is not sized again without it (its CPU and memory were chosen for it).
    const sizedForAccelerator = new Set(
        models.flatMap((_, i) =>
            refusals.has(`${modelKey(i)}.accelerator`) ? [modelKey(i), `${modelKey(i)}.cpuMillicores`, `${modelKey(i)}.memoryMiB`] : [],
        ),
    );
    const seen = new Set<string>();
    const modelsAt = `${ns}models[`;
    const atUserKeys = (p: ProblemDetail): ProblemDetail => {
        if (!p.path.startsWith(modelsAt)) return p;
        const close = p.path.indexOf("]", modelsAt.length);
        return { ...p, path: modelKey(Number(p.path.slice(modelsAt.length, close))) + p.path.slice(close + 1) };
    };
    const wholeStack = (givenCloud ? (target.checkStack?.(checked) ?? []) : []).map(atUserKeys).filter((p) => {
        const id = JSON.stringify([p.path, p.value]);
        if (reported.has(p.path) || sizedForAccelerator.has(p.path) || seen.has(id)) return false;
        seen.add(id);
        return true;
    });
    const all = [...blankProblems, ...[...problems, ...wholeStack].filter((p) => !blanks.includes(p.path))].map(formatProblem);
    if (all.length > 0) throw new ValidationError(`stack config "${opts.stack}"`, [...new Set(all)]);
    return config;
}

/**
 * Cross-cloud keys that do nothing on the selected target: keys another target owns (`ownKeys`, e.g. the
 * Kubernetes `distribution`) and keys the target declares without effect, each refused with the reason.
 */
function keysThatDoNotApply(
    target: Target,
    targets: readonly Target[],
    ns: string,
    sections: Record<string, Obj | undefined>,
): ProblemDetail[] {
    const out: ProblemDetail[] = [];
    const valueAt = (key: string): unknown => {
        const [section, field] = key.split(".", 2);
        return sections[section]?.[field];
    };
    for (const [key, reason] of Object.entries(target.keysWithoutEffect ?? {})) {
        const value = valueAt(key);
        if (value !== undefined)
            out.push({
                path: `${ns}${key}`,
                value,
                message: `has no effect when mlops:cloud is ${target.cloud}: ${reason}`,
                fix: "remove it",
            });
    }
    for (const other of targets) {
        if (other === target) continue;
        for (const key of other.ownKeys ?? []) {
            const value = valueAt(key);
            if (value !== undefined)
                out.push({ path: `${ns}${key}`, value, message: `only applies when mlops:cloud is ${other.cloud}`, fix: "remove it" });
        }
    }
    return out;
}

/**
 * Parses the selected target's own settings (`mlops:<section>.<cloud>`, `mlops:models[i].<cloud>`, its
 * provider config) and reports any other target's as misplaced.
 */
function parseCloudOptions(
    targets: readonly Target[],
    cloud: Cloud | undefined,
    environment: Environment,
    sections: Record<(typeof CLOUD_SECTIONS)[number], Obj | undefined>,
    rawModels: unknown[],
    ns: string,
    read: Reader,
    raw: Record<string, string>,
    projectRoot: string,
): Record<string, unknown> {
    const modelObj = (m: unknown) => (typeof m === "object" && m !== null && !Array.isArray(m) ? (m as Obj) : undefined);
    const result: Record<string, unknown> = {};
    for (const other of targets) {
        if (!other.parseOptions) continue;
        const namespace = other.providerNamespace;
        const subs = new CloudSections(
            ns,
            environment,
            Object.fromEntries(CLOUD_SECTIONS.map((s) => [s, sections[s]?.[other.cloud]])) as Record<
                (typeof CLOUD_SECTIONS)[number],
                unknown
            >,
            rawModels.map((m) => modelObj(m)?.[other.cloud]),
            other.cloud,
            namespace ? Object.fromEntries(Object.entries(raw).filter(([k]) => k.startsWith(namespace))) : {},
            projectRoot,
        );
        if (other.cloud === cloud) {
            result[other.cloud] = other.parseOptions(subs, read);
        } else if (cloud !== undefined) {
            // Another cloud's provider keys (`aws:region` on a GCP stack) configure a provider this stack never
            // loads: refused, so a region or project meant for this stack is not silently ignored.
            for (const [path, value] of Object.entries(subs.providerConfig))
                read.problems.push({
                    path,
                    value,
                    message: `only applies when mlops:cloud is ${other.cloud}: this stack does not use the ${namespace?.slice(0, -1)} provider`,
                    fix: `remove it${cloudProviderHint(targets, cloud)}`,
                });
            for (const [path, value] of subs.all()) {
                if (value !== undefined)
                    read.problems.push({
                        path,
                        value,
                        message: `only applies when mlops:cloud is ${other.cloud}`,
                        fix: "remove it, or move the setting under this cloud's key",
                    });
            }
        }
    }
    return result;
}

/** Where the selected cloud's own provider settings go, for a fix that refuses another cloud's. */
function cloudProviderHint(targets: readonly Target[], cloud: Cloud): string {
    const own = targetFor(cloud, targets)?.providerNamespace;
    return own ? `; this stack's provider settings are the \`${own}\` keys (see docs/${cloud}.md)` : "";
}

/**
 * The targets' per-model settings are parsed for every item of `mlops:models` (so their problems name the
 * item the user wrote); the config keeps those of the items that became models, in the same order as
 * `StackConfig.models`.
 */
function alignModels(options: Record<string, unknown>, modelIndex: readonly number[]): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(options).map(([cloud, o]) => {
            const models = (o as { models?: unknown } | undefined)?.models;
            return [cloud, Array.isArray(models) ? { ...(o as object), models: modelIndex.map((i) => models[i]) } : o];
        }),
    );
}
