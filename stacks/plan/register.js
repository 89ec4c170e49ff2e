/*
 * The TypeScript loader of the offline plan, the policy run and the tests (`node -r ./stacks/plan/register.js`,
 * .mocharc.json): docs/contributing.md, "Performance".
 *
 * What ts-node's transpile-only mode with swc does, without what it costs at every start: ts-node loads
 * the TypeScript compiler (to read tsconfig.json) and swc, and installs source-map-support, about 150 MiB
 * and a quarter of a second before the first line of the program. This loader:
 *   - transpiles each `.ts` file with swc, with the options ts-node derives from our tsconfig.json
 *     (CommonJS, ES2022, esModuleInterop, class fields defined, class names kept, source maps);
 *   - keeps the output in node_modules/.cache/mlops-ts, keyed by the file's content, swc's
 *     version and these options: an edited file is transpiled again on its next load, an unchanged one
 *     is read back, and swc is not even loaded when nothing changed. Nothing to build, nothing to forget;
 *     `rm -rf node_modules/.cache/mlops-ts` is always safe;
 *   - installs the cheap stack traces of stack-traces.js, source-mapped through the maps it keeps.
 * Type-checking is `npm run typecheck`'s job, as with ts-node's transpile-only mode.
 *
 * `pulumi preview/up` still runs the program through ts-node (Pulumi's Node host does that for a
 * TypeScript project), with the same swc transpilation and the same stack-trace hook (tsconfig.json).
 * Plain JavaScript: it is what loads TypeScript.
 */
"use strict";
var crypto = require("crypto");
var fs = require("fs");
var Module = require("module");
var path = require("path");
var stackTraces = require("./stack-traces");

var ROOT = path.resolve(__dirname, "..", "..");
var CACHE = process.env.MLOPS_TS_CACHE || path.join(ROOT, "node_modules", ".cache", "mlops-ts");
var SWC_VERSION = (function () {
    try {
        return require("@swc/core/package.json").version;
    } catch (e) {
        return "none";
    }
})();

/** swc options equal to what ts-node's swc transpiler derives from tsconfig.json (target ES2022, module commonjs). */
var SWC_OPTIONS = {
    sourceMaps: true,
    module: { type: "commonjs", noInterop: false, strictMode: true, ignoreDynamic: false },
    swcrc: false,
    jsc: {
        parser: { syntax: "typescript", tsx: false, dynamicImport: true },
        target: "es2022",
        transform: { legacyDecorator: true, useDefineForClassFields: true },
        keepClassNames: true,
    },
};
var OPTIONS_KEY = "1|" + SWC_VERSION + "|" + JSON.stringify(SWC_OPTIONS);

var swc;
var maps = new Map();
var sourceMaps = new Map();

function transpile(source, filename) {
    // Keyed by content, not path: the same file in another checkout (npm run diff's base tree) is a hit.
    var key = crypto.createHash("sha256").update(OPTIONS_KEY).update("\0").update(source).digest("hex");
    var base = path.join(CACHE, key.slice(0, 2), key.slice(2));
    try {
        var cached = fs.readFileSync(base + ".js", "utf8");
        return { code: cached, map: fs.readFileSync(base + ".map", "utf8") };
    } catch (e) {
        /* not cached yet */
    }
    swc = swc || require("@swc/core");
    var out = swc.transformSync(source, Object.assign({}, SWC_OPTIONS, { filename: filename }));
    try {
        fs.mkdirSync(path.dirname(base), { recursive: true });
        // Map first, code last: a reader that finds the code finds its map.
        var tmp = base + "." + process.pid + ".tmp";
        fs.writeFileSync(tmp, out.map || "");
        fs.renameSync(tmp, base + ".map");
        fs.writeFileSync(tmp, out.code);
        fs.renameSync(tmp, base + ".js");
    } catch (e) {
        /* a read-only checkout still runs, uncached */
    }
    return { code: out.code, map: out.map || "" };
}

/** The original position of a 1-based line and column of a loaded `.ts` file, or undefined. */
function mapPosition(file, line, column) {
    var map = sourceMaps.get(file);
    if (map === undefined) {
        var raw = maps.get(file);
        map = raw ? new Module.SourceMap(JSON.parse(raw)) : null;
        sourceMaps.set(file, map);
    }
    if (!map) return undefined;
    var entry = map.findEntry(line - 1, column - 1);
    if (!entry || entry.originalLine === undefined) return undefined;
    // One source per file, the file itself (the map may have been made for the same content elsewhere).
    return { file: file, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

if (!require.extensions[".ts"] || !require.extensions[".ts"].mlops) {
    var load = function (module, filename) {
        var out = transpile(fs.readFileSync(filename, "utf8"), filename);
        if (out.map) maps.set(filename, out.map);
        module._compile(out.code, filename);
    };
    load.mlops = true;
    require.extensions[".ts"] = load;
    stackTraces.install(mapPosition);
}

exports.mapPosition = mapPosition;
exports.SWC_OPTIONS = SWC_OPTIONS;
exports.CACHE = CACHE;
