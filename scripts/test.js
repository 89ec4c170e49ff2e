/*
 * `npm test` and `npm run unit`: docs/contributing.md, "Performance".
 *
 *   node scripts/test.js lint unit    lint (npm run lint) and the tests at the same time
 *   node scripts/test.js unit         the tests only
 *
 * The tests run under `mocha --parallel`, one worker per CPU, and the lint steps (eslint, prettier,
 * tsc, one after the other: `npm run lint`) run beside them: the suite and the lint together keep every
 * core busy instead of waiting on each other. Mocha's dots stream as they come; each other step's
 * output is held and printed when it ends, so nothing interleaves. The exit code is 1 when any step
 * failed, and every step runs to its end (a lint error does not hide a failing test).
 * Extra arguments after `--` go to mocha (`npm run unit -- --grep policy`).
 * Plain CommonJS: it starts before anything else is loaded.
 */
"use strict";
var childProcess = require("child_process");
var fs = require("fs");
var os = require("os");
var path = require("path");

var ROOT = path.resolve(__dirname, "..");
var WINDOWS = process.platform === "win32";

/** One worker per CPU: the lint steps share them, and a worker waits on its child processes at times. */
function jobs() {
    var cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    return Math.max(2, cpus);
}

/** A file's own `this.timeout(ms)`: the files that start processes or plan many stacks declare a long one. */
var TIMEOUT = /this\.timeout\(\s*([\d_]+)\s*\)/g;
/** Whether a test file starts child processes (a CLI, npm, tsc, python) or plans at git refs. */
var SPAWNS = /child_process|diffStacks/;

/**
 * tests/**\/*.test.ts, slowest first: mocha hands files to its workers in order, and a slow file left
 * for the end keeps one worker busy after the other is done. Slowest is guessed from the source: the
 * longest timeout the file declares, then whether it starts processes, then its size.
 */
function testFiles() {
    var found = [];
    (function walk(dir) {
        for (var e of fs.readdirSync(dir, { withFileTypes: true })) {
            var p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.name.endsWith(".test.ts")) found.push(p);
        }
    })(path.join(ROOT, "tests"));
    var weight = new Map(
        found.map(function (f) {
            var source = fs.readFileSync(f, "utf8");
            var timeouts = Array.from(source.matchAll(TIMEOUT), function (m) {
                return Number(m[1].replace(/_/g, ""));
            });
            return [f, [Math.max.apply(null, [0].concat(timeouts)), SPAWNS.test(source) ? 1 : 0, source.length]];
        }),
    );
    return found.sort(function (a, b) {
        var x = weight.get(a);
        var y = weight.get(b);
        return y[0] - x[0] || y[1] - x[1] || y[2] - x[2] || (a < b ? -1 : 1);
    });
}

function steps(extra) {
    return {
        lint: { command: WINDOWS ? "npm.cmd" : "npm", args: ["run", "--silent", "lint"], live: false },
        unit: {
            command: process.execPath,
            args: [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), "--parallel", "--jobs", String(jobs())]
                .concat(extra.some(isSpec) ? [] : testFiles().map((f) => path.relative(ROOT, f)))
                .concat(extra),
            live: true,
        },
    };
}

/** Whether a mocha argument names test files (then the default glob is left out). */
function isSpec(arg) {
    return /\.test\.ts$|[*]/.test(arg);
}

function run(name, step) {
    return new Promise(function (resolve) {
        var started = process.hrtime.bigint();
        var held = [];
        var child = childProcess.spawn(step.command, step.args, {
            cwd: ROOT,
            stdio: step.live ? "inherit" : ["ignore", "pipe", "pipe"],
            shell: WINDOWS && !step.live,
        });
        if (!step.live) {
            child.stdout.on("data", function (d) {
                held.push(d);
            });
            child.stderr.on("data", function (d) {
                held.push(d);
            });
        }
        child.on("error", function (e) {
            held.push(Buffer.from(String(e.stack || e) + "\n"));
        });
        child.on("close", function (code, signal) {
            var seconds = Number(process.hrtime.bigint() - started) / 1e9;
            resolve({ name: name, ok: code === 0, code: signal || code, seconds: seconds, output: Buffer.concat(held).toString() });
        });
    });
}

function main(argv) {
    var dash = argv.indexOf("--");
    var names = dash < 0 ? argv : argv.slice(0, dash);
    var extra = dash < 0 ? [] : argv.slice(dash + 1);
    var all = steps(extra);
    if (names.length === 0 || names.some((n) => !all[n])) {
        process.stderr.write("usage: node scripts/test.js [lint] [unit] [-- <mocha arguments>]\n");
        return Promise.resolve(2);
    }
    return Promise.all(
        names.map(function (n) {
            return run(n, all[n]);
        }),
    ).then(function (results) {
        for (var r of results) if (r.output) process.stdout.write(r.output.endsWith("\n") ? r.output : r.output + "\n");
        if (results.length > 1 || !results[0].ok)
            for (var s of results)
                process.stdout.write(
                    s.name + ": " + (s.ok ? "passed" : "FAILED (exit " + s.code + ")") + " in " + s.seconds.toFixed(1) + " s\n",
                );
        return results.every(function (x) {
            return x.ok;
        })
            ? 0
            : 1;
    });
}

if (require.main === module)
    main(process.argv.slice(2)).then(function (code) {
        process.exitCode = code;
    });

module.exports = { main: main, steps: steps, jobs: jobs };
