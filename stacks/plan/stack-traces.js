/*
 * Cheap stack traces, for every way the program runs (docs/contributing.md, "Performance").
 *
 * Pulumi records a stack trace for every resource it registers (`Resource.callsites`: every frame,
 * `Error.stackTraceLimit = Infinity`) and one for every internal promise (`debuggablePromise`). Under
 * ts-node, source-map-support's `Error.prepareStackTrace` copies and source-maps every frame, SDK frames
 * included (it reads and parses their `.js.map` files): half of the offline plan's time, a fifth of its memory.
 *
 * This hook formats frames as V8 does natively and source-maps only the frames in our own TypeScript
 * files, caching each position: error stacks and the source positions Pulumi sends the engine still
 * point at the `.ts` line a user wrote. SDK frames keep their `.js` positions (their `.ts` sources are
 * not shipped anyway).
 *
 *   - with stacks/plan/register.js (the offline plan, the policy run, the tests): positions come from
 *     the source maps that loader keeps;
 *   - with ts-node (`pulumi preview/up`: Pulumi's Node host registers ts-node with our tsconfig, whose
 *     `"ts-node": { "require": [...] }` preloads this file): from ts-node's own source-map-support.
 *
 * Plain JavaScript: it is loaded before anything can transpile TypeScript.
 */
"use strict";
var path = require("path");

var INSTALLED = Symbol.for("mlops.cheapStackTraces");

/** ts-node's source-map-support (the instance whose cache holds what ts-node compiled), or undefined. */
function tsNodeMapper() {
    try {
        var tsNode = path.dirname(require.resolve("ts-node/package.json"));
        var sms = require(require.resolve("@cspotcode/source-map-support", { paths: [tsNode] }));
        if (typeof sms.mapSourcePosition !== "function") return undefined;
        return function (file, line, column) {
            var p = sms.mapSourcePosition({ source: file, line: line, column: column - 1 });
            return { file: p.source, line: p.line, column: p.column + 1 };
        };
    } catch (e) {
        return undefined;
    }
}

/** Node's own errors print as `TypeError [ERR_X]: message`; found the way source-map-support finds it. */
function nodeErrorSymbol() {
    try {
        path.resolve(123);
    } catch (e) {
        return Object.getOwnPropertySymbols(e).find(function (s) {
            return s.toString().indexOf("kIsNodeError") >= 0;
        });
    }
    return undefined;
}

var nodeModules = path.sep + "node_modules" + path.sep;
function isOwnTypeScript(file) {
    return file.endsWith(".ts") && file.indexOf(nodeModules) < 0;
}

/**
 * Installs the hook. `mapper(file, line, column)` (1-based) returns the original `{ file, line, column }`
 * or undefined; without one, ts-node's is used. Returns false, leaving the current hook, when neither exists.
 */
function install(mapper) {
    var map = mapper || tsNodeMapper();
    if (!map) return false;
    var kIsNodeError = nodeErrorSymbol();
    var mapped = new Map();

    function header(error) {
        if (typeof error !== "object" || error === null) return String(error);
        if (kIsNodeError && kIsNodeError in error) return error.name + " [" + error.code + "]: " + error.message;
        var name = error.name ? String(error.name) : "Error";
        return error.message ? name + ": " + String(error.message) : name;
    }

    function frame(site) {
        var text = String(site);
        var file = site.getFileName();
        if (!file || !isOwnTypeScript(file)) return text;
        var line = site.getLineNumber();
        var column = site.getColumnNumber();
        if (line === null || column === null) return text;
        var at = file + ":" + line + ":" + column;
        var to = mapped.get(at);
        if (to === undefined) {
            var p = map(file, line, column);
            to = p ? p.file + ":" + p.line + ":" + p.column : at;
            mapped.set(at, to);
        }
        var i = text.lastIndexOf(at);
        return i < 0 ? text : text.slice(0, i) + to + text.slice(i + at.length);
    }

    // One flat string, as V8's own formatter returns: `out += ...` would return a tree of concatenated
    // strings (a rope: a 32-byte node per piece, every frame's text a string of its own). Pulumi keeps one
    // stack per internal promise (`_debugStackTrace`), so on a 800-resource plan the ropes were 2.4 million
    // nodes, 130 MiB live where V8's flat stacks take 85 (docs/contributing.md, "Performance").
    Error.prepareStackTrace = function (error, sites) {
        var lines = new Array(sites.length + 1);
        lines[0] = header(error);
        for (var i = 0; i < sites.length; i++) lines[i + 1] = frame(sites[i]);
        return lines.join("\n    at ");
    };
    global[INSTALLED] = true;
    return true;
}

exports.install = install;

// Preloaded by ts-node (tsconfig.json): map through ts-node, unless our own loader already installed the hook.
if (!global[INSTALLED] && process[Symbol.for("ts-node.register.instance")]) install();
