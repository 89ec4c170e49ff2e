/**
 * Every config key path the docs write (`mlops:mlPlatform.aws.natGateways`, `dataLake.queryEngine`,
 * `models[0].accelerator`) names a key the config parser accepts: the schema's key lists
 * (stacks/config/schema.ts) and each cloud's sub-object keys (stacks/config/{aws,gcp,azure}.ts).
 * Checked in README.md, docs/*.md, Pulumi.yaml and the Pulumi.<stack>.yaml comments, so a renamed key
 * cannot leave a stale doc behind.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { AWS_KEYS } from "../../stacks/config/aws";
import { AZURE_KEYS } from "../../stacks/config/azure";
import { GCP_KEYS } from "../../stacks/config/gcp";
import { KEYS, TOP_LEVEL_KEYS } from "../../stacks/config/schema";

const ROOT = path.resolve(__dirname, "..", "..");

type KeyLists = Readonly<Record<string, readonly string[]>>;
const SCHEMA = KEYS as unknown as KeyLists;
const PER_CLOUD: Readonly<Record<string, KeyLists>> = {
    aws: AWS_KEYS as unknown as KeyLists,
    gcp: GCP_KEYS as unknown as KeyLists,
    azure: AZURE_KEYS as unknown as KeyLists,
};
/**
 * The key list of a key that is itself an object, by the list it is in (`dataLake.minio.servers`,
 * `mlPlatform.training.spot`, `models[].training.drift.schedule`).
 */
const NESTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    dataLake: { minio: "minio" },
    mlPlatform: { training: "training" },
    pipelines: { jobs: "pipelineJob", streams: "stream" },
    model: { training: "modelTraining" },
    modelTraining: { automl: "automl", drift: "drift" },
};

/** Top-level keys that hold an object or a list, which a bare path (`dataLake.zones`) starts with. */
const STRUCTURED = TOP_LEVEL_KEYS.filter((k) => k !== "cloud" && k !== "environment");

/**
 * Key paths written in a document: `mlops:` followed by a path, or a bare path starting with a structured
 * top-level key and at least one `.key` (`dataLake.queryEngine`, `models[].image`, `models[0].aws.lambdaCode`).
 * Retired keys the parser reports as moved are written in a sentence saying "former", and skipped.
 */
export function keyPathsIn(text: string): string[] {
    const index = `(?:\\[\\w*\\])?`;
    const pattern = new RegExp(
        `(?<![\\w/.:-])(?:mlops:(?:${TOP_LEVEL_KEYS.join("|")})${index}|(?:${STRUCTURED.join("|")})${index}(?=\\.[A-Za-z]))(?:\\.[A-Za-z][A-Za-z0-9]*${index})*`,
        "g",
    );
    return [...text.matchAll(pattern)]
        .filter((m) => !/\.(ts|js|md|json|ya?ml|py)$/.test(m[0]))
        .filter((m) => !/\bformer\b(?:(?![.!?]\s)[\s\S])*$/.test(text.slice(Math.max(0, m.index - 300), m.index)))
        .map((m) => m[0]);
}

/**
 * Keys listed in a table under a caption line naming their object, as the cloud guides and
 * docs/configuration.md write them: a line `` `mlops:mlPlatform.aws` `` and then rows `` | `natGateways` | ... ``.
 */
export function captionedKeyPaths(text: string): string[] {
    const paths: string[] = [];
    let caption: string | undefined;
    for (const line of text.split("\n")) {
        const heading = /^`(mlops:[A-Za-z][\w.[\]]*)`$/.exec(line.trim());
        if (heading) caption = heading[1];
        else if (caption && line.startsWith("|")) {
            const first = line.split("|")[1].trim();
            if (/^(`[A-Za-z][\w.]*`(, )?)+$/.test(first))
                for (const [, key] of first.matchAll(/`([^`]+)`/g)) paths.push(`${caption}.${key}`);
        } else if (line.trim() !== "") caption = undefined;
    }
    return paths;
}

/** Why a key path is not one the parser accepts, or undefined when it is. */
export function unknownKey(ref: string): string | undefined {
    const [top, ...rest] = ref
        .replace(/^mlops:/, "")
        .replace(/\[\w*\]/g, "")
        .split(".");
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(top)) return `mlops:${top} is not a top-level key`;
    const section = top === "models" ? "model" : top;
    const keys = SCHEMA[section];
    if (rest.length === 0) return undefined;
    if (!keys) return `mlops:${top} takes no sub-keys`;
    const [first, second, ...more] = rest;
    if (first in PER_CLOUD) {
        const cloudKeys = PER_CLOUD[first];
        // GCP's Cloud Run / Functions settings are accepted by both serving sections.
        const shared = first === "gcp" && (section === "containerService" || section === "serverlessInference") ? cloudKeys.serving : [];
        const accepted = [...(cloudKeys[section] ?? []), ...(shared ?? [])];
        if (second === undefined) return cloudKeys[section] !== undefined ? undefined : `${top} has no ${first} sub-object`;
        if (!accepted.includes(second)) return `${top}.${first} has no key ${second}`;
        return more.length > 0 ? `${top}.${first}.${second} takes no sub-keys` : undefined;
    }
    let list = section;
    let at = top;
    for (const [i, key] of rest.entries()) {
        if (!SCHEMA[list].includes(key)) return `${at} has no key ${key}`;
        at = `${at}.${key}`;
        if (i === rest.length - 1) break;
        const next = NESTED[list]?.[key];
        if (!next) return `${at} takes no sub-keys`;
        list = next;
    }
    return undefined;
}

/** The documents checked: README.md, every docs/*.md, Pulumi.yaml and the stack files (descriptions and comments). */
export function documents(root = ROOT): string[] {
    const docs = fs
        .readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join("docs", f));
    const stacks = fs.readdirSync(root).filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f));
    return ["README.md", "Pulumi.yaml", ...stacks.sort(), ...docs.sort()];
}

/** Unknown key paths per document: "file: path (reason)". */
export function staleKeys(files: readonly string[], read: (file: string) => string): string[] {
    const stale: string[] = [];
    for (const file of files) {
        const text = read(file);
        for (const ref of new Set([...keyPathsIn(text), ...captionedKeyPaths(text)])) {
            const why = unknownKey(ref);
            if (why) stale.push(`${file}: ${ref} (${why})`);
        }
    }
    return stale;
}

describe("config keys named in the docs", () => {
    it("finds key paths in prose, tables and code, with or without the mlops: prefix", () => {
        assert.deepEqual(
            keyPathsIn(
                "set `mlops:mlPlatform.aws.natGateways`, `dataLake.queryEngine` and `models[0].accelerator`; see mlops:models[].image, " +
                    "`mlops:cloud`, samples/models.ts, stacks/config/models.ts, `notifications.ts`, `cloud.google.com` and the former `mlops:mlPlatform.aws.alarmEmail`",
            ),
            ["mlops:mlPlatform.aws.natGateways", "dataLake.queryEngine", "models[0].accelerator", "mlops:models[].image", "mlops:cloud"],
        );
    });

    it("reads the keys of a table captioned with the object they belong to", () => {
        const doc =
            "`mlops:mlPlatform.aws`\n\n| key | default |\n|---|---|\n| `natGateways` | `0` |\n| `minio.servers`, `studio` | x |\n\nText `x`.\n| `notAKey` | y |";
        assert.deepEqual(captionedKeyPaths(doc), [
            "mlops:mlPlatform.aws.natGateways",
            "mlops:mlPlatform.aws.minio.servers",
            "mlops:mlPlatform.aws.studio",
        ]);
    });

    it("accepts the schema's keys, nested keys and every cloud's sub-object keys", () => {
        for (const ref of [
            "mlops:cloud",
            "mlops:dataLake.minio.drivesPerServer",
            "mlPlatform.training.accelerator",
            "mlops:mlPlatform.aws.natGateways",
            "mlops:mlPlatform.gcp.natGateway",
            "containerService.gcp.ingress",
            "serverlessInference.gcp.invokers",
            "mlops:dataLake.azure.replication",
            "models[0].aws.lambdaCode",
            "models[].azure.scoringPath",
            "notifications.webhooks",
            "models[].training.dataset",
            "mlops:models[0].training.drift.psiThreshold",
            "models[].training.automl.targetColumn",
            "models[].servedVersion",
            "mlops:delivery.githubToken",
        ])
            assert.equal(unknownKey(ref), undefined, ref);
    });

    it("refuses a made-up key, a key of another cloud, a wrong nesting and an unknown section", () => {
        assert.equal(unknownKey("mlops:mlPlatform.aws.natGateway"), "mlPlatform.aws has no key natGateway");
        assert.equal(unknownKey("mlops:mlPlatform.gcp.natGateways"), "mlPlatform.gcp has no key natGateways");
        assert.equal(unknownKey("dataLake.minioServers"), "dataLake has no key minioServers");
        assert.equal(unknownKey("dataLake.queryEngine.enabled"), "dataLake.queryEngine takes no sub-keys");
        assert.equal(unknownKey("mlops:training.spot"), "mlops:training is not a top-level key");
        assert.equal(unknownKey("models[0].training.spot"), "models.training has no key spot");
        assert.equal(unknownKey("models[].training.drift.window"), "models.training.drift has no key window");
        assert.equal(unknownKey("models[].training.metric.name"), "models.training.metric takes no sub-keys");
        assert.equal(unknownKey("mlPlatform.training.drift"), "mlPlatform.training has no key drift");
        assert.deepEqual(
            staleKeys(["made-up.md"], () => "Turn on `mlops:dataLake.aws.madeUpKey` and `mlPlatform.training.gpus`."),
            [
                "made-up.md: mlops:dataLake.aws.madeUpKey (dataLake.aws has no key madeUpKey)",
                "made-up.md: mlPlatform.training.gpus (mlPlatform.training has no key gpus)",
            ],
        );
    });

    it("README.md, docs/*.md, Pulumi.yaml and the stack files name only keys the parser accepts", () => {
        const files = documents();
        assert.ok(files.length >= 15, files.join(", "));
        const found = files.flatMap((f) => keyPathsIn(fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.ok(found.length > 50, `only ${found.length} key paths found: is the pattern still matching?`);
        assert.deepEqual(
            staleKeys(files, (f) => fs.readFileSync(path.join(ROOT, f), "utf8")),
            [],
        );
    });
});
