/*
 * Preloaded (node -r) by `npm run --silent bench` into every program it times, the offline plan and the
 * flat program alike: at exit, writes the process's peak resident set size in KiB to the file named by
 * $MLOPS_BENCH_PROBE. Plain JavaScript so that the flat program loads no TypeScript.
 */
"use strict";
var fs = require("fs");

var out = process.env.MLOPS_BENCH_PROBE;
if (out) {
    process.on("exit", function () {
        fs.writeFileSync(out, String(process.resourceUsage().maxRSS));
    });
}
