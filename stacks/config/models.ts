/**
 * `mlops:models`: each model's image, scaling, accelerator and where it is served, with the
 * environment's replica floor applied; `files` directories are read into the model.
 */
import { imageReferenceProblem, isPinnedImage, parseAccelerator } from "@mlops/components";
import { Reader } from "./fields";
import { readFiles } from "./files";
import { TrainingContext, parseServedVersion, parseTraining } from "./training";
import { Environment, FLOORS, KEYS, MODEL_NAME, MODEL_NAME_RULE, ModelConfig, SERVE_TARGETS } from "./schema";

/** `targetKeys`: the sub-objects targets read from each model (`aws`, `gcp`, ...), parsed by the target. */
export function parseModels(
    value: unknown,
    at: string,
    environment: Environment,
    read: Reader,
    projectRoot: string,
    targetKeys: readonly string[] = [],
    training?: TrainingContext,
): ModelConfig[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
        read.problems.push({
            path: at,
            value,
            message: "must be a list of models",
            fix: "write `models: [ { name: my-model, image: registry/image:1.0 } ]`",
        });
        return [];
    }
    const { minReplicas: defaultMinReplicas, lowestMinReplicas: floor } = FLOORS[environment];
    const models: ModelConfig[] = [];
    value.forEach((item, i) => {
        const p = `${at}[${i}]`;
        const m = read.object(item, p, [...KEYS.model, ...targetKeys]);
        if (!m) {
            // A blank item (`- ` with nothing after it) is reported as blank by read.object.
            if (item === undefined) read.problems.push({ path: p, value: item, message: "must be a mapping with at least name and image" });
            return;
        }
        const name = read.matching(m, "name", p, MODEL_NAME, MODEL_NAME_RULE);
        if (m.name === undefined) read.problems.push({ path: `${p}.name`, value: undefined, message: "is required", fix: MODEL_NAME_RULE });
        if (name && models.some((o) => o.name === name))
            read.problems.push({
                path: `${p}.name`,
                value: name,
                message: "is used by another model",
                fix: "give every model its own name",
            });
        const image = read.string(m, "image", p);
        if (m.image === undefined)
            read.problems.push({
                path: `${p}.image`,
                value: undefined,
                message: "is required",
                fix: "set the serving image, pinned by tag or digest",
            });
        const badReference = image ? imageReferenceProblem(image) : undefined;
        if (image && badReference)
            read.problems.push({
                path: `${p}.image`,
                value: image,
                message: `is not a valid image reference: it ${badReference}`,
                fix: "write registry/repository:tag in lower case, e.g. `ghcr.io/acme/iris:1.2.3` or `registry/image@sha256:<64 hex>`",
            });
        else if (image && !isPinnedImage(image))
            read.problems.push({
                path: `${p}.image`,
                value: image,
                message: "must be pinned to a version tag or digest, not `latest` or no tag",
                fix: "write e.g. `registry/image:1.2.3` or `registry/image@sha256:...`",
            });

        const minReplicas = read.int(m, "minReplicas", p, defaultMinReplicas, { min: 0, max: 1000 });
        if (m.minReplicas !== undefined && minReplicas < floor) {
            read.problems.push({
                path: `${p}.minReplicas`,
                value: minReplicas,
                message: `is below the ${environment} floor of ${floor} replicas`,
                fix: `set it to ${floor} or more, or leave it out`,
            });
        }
        const maxReplicas = read.int(m, "maxReplicas", p, Math.max(3, minReplicas), { min: 1, max: 1000 });
        if (maxReplicas < minReplicas)
            read.problems.push({
                path: `${p}.maxReplicas`,
                value: maxReplicas,
                message: `is below minReplicas (${minReplicas})`,
                fix: "raise maxReplicas or lower minReplicas",
            });
        const serverlessMinReplicas = read.int(m, "serverlessMinReplicas", p, 0, { min: 0, max: 1000 });
        const serverlessMaxReplicas = read.int(m, "serverlessMaxReplicas", p, Math.max(maxReplicas, serverlessMinReplicas, 1), {
            min: 1,
            max: 1000,
        });
        if (serverlessMaxReplicas < serverlessMinReplicas)
            read.problems.push({
                path: `${p}.serverlessMaxReplicas`,
                value: serverlessMaxReplicas,
                message: `is below serverlessMinReplicas (${serverlessMinReplicas})`,
            });

        const serveWith = read.stringList(m, "serveWith", p, SERVE_TARGETS);
        serveWith.forEach((t, j) => {
            if (!(SERVE_TARGETS as readonly string[]).includes(t))
                read.problems.push({ path: `${p}.serveWith[${j}]`, value: t, message: "is not a serving target", allowed: SERVE_TARGETS });
        });
        const filesDir = read.string(m, "files", p);
        models.push({
            name: name ?? `invalid-${i}`,
            image: image ?? "",
            port: read.int(m, "port", p, 8080, { min: 1, max: 65535 }),
            command: m.command === undefined ? undefined : read.stringList(m, "command", p, []),
            args: m.args === undefined ? undefined : read.stringList(m, "args", p, []),
            env: read.stringMap(m, "env", p),
            files: filesDir === undefined ? undefined : readFiles(filesDir, `${p}.files`, projectRoot, read.problems),
            healthPath: read.matching(m, "healthPath", p, /^\/[^\s]*$/, "a path starting with /") ?? "/healthz",
            cpuMillicores: read.int(m, "cpuMillicores", p, 500, { min: 50, max: 192000, unit: "millicores; 1000 = one vCPU" }),
            memoryMiB: read.int(m, "memoryMiB", p, 512, { min: 64, max: 2097152, unit: "MiB" }),
            minReplicas,
            maxReplicas,
            serverlessMinReplicas,
            serverlessMaxReplicas,
            concurrency: read.int(m, "concurrency", p, 80, { min: 1, max: 1000 }),
            accelerator: parseAccelerator(m.accelerator, `${p}.accelerator`, read.problems),
            serveWith: serveWith.filter((t): t is (typeof SERVE_TARGETS)[number] => (SERVE_TARGETS as readonly string[]).includes(t)),
            training: training ? parseTraining(m.training, `${p}.training`, training, read) : undefined,
            servedVersion: parseServedVersion(m, p, read),
        });
    });
    return models;
}
