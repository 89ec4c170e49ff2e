/**
 * Pack and install @mlops/components the way a consumer gets it, offline: `npm pack` in components/
 * (its prepack compiles dist/), then the tarball unpacked into a consumer's node_modules, as `npm install
 * <tarball>` does, next to the peer packages linked from this repository's node_modules (no registry).
 * Used by tests/unit/package.test.ts; `node -r ts-node/register/transpile-only scripts/package.ts <dir>`
 * packs into <dir> and prints the tarball's path.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..");
export const COMPONENTS = path.join(ROOT, "components");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface PackedFile {
    readonly path: string;
    readonly size: number;
}
export interface Packed {
    readonly tarball: string;
    readonly files: readonly PackedFile[];
}

/** `npm pack` of components/ into `dest` (runs prepack: a clean build of dist/). */
export function packComponents(dest: string): Packed {
    const out = execFileSync(NPM, ["pack", "--json", "--pack-destination", dest], {
        cwd: COMPONENTS,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    const [info] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: PackedFile[] }[];
    return { tarball: path.join(dest, info.filename), files: info.files };
}

/** `npm publish --dry-run` of a packed tarball: what the registry would receive (no login, no upload). */
export function publishDryRun(tarball: string): { name: string; version: string; files: readonly PackedFile[] } {
    const out = execFileSync(NPM, ["publish", "--dry-run", "--json", tarball], {
        cwd: path.dirname(tarball),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(out.slice(out.indexOf("{"))) as Record<string, { name: string; version: string; files: PackedFile[] }>;
    return Object.values(parsed)[0];
}

/**
 * A consumer directory: the tarball unpacked at node_modules/@mlops/components and each of `links` (e.g.
 * `@pulumi/pulumi`, `@pulumi/kubernetes`, `typescript`) linked from this repository's node_modules.
 */
export function installTarball(dir: string, tarball: string, links: readonly string[]): void {
    const target = path.join(dir, "node_modules", "@mlops", "components");
    fs.mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
    for (const name of links) {
        const link = path.join(dir, "node_modules", name);
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules", name)), link, "dir");
    }
}

if (require.main === module) {
    const dest = path.resolve(process.argv[2] ?? ".");
    fs.mkdirSync(dest, { recursive: true });
    console.log(packComponents(dest).tarball);
}
