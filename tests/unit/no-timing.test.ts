import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const TESTS = path.resolve(__dirname, "..");
/** Clocks a test could read to assert how long something took. */
const CLOCKS = /\bDate\.now\(|\bperformance\.now\(|\bprocess\.hrtime\b|\bconsole\.time\(/;

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
    });
}

describe("the test suite", () => {
    // A busy CI machine once failed a run on a start-up budget: timings belong in `npm run bench`.
    it("reads no clock: timings are the benchmark's (scripts/bench.ts), never a test's", () => {
        const self = path.resolve(__filename);
        const offenders = tsFiles(TESTS)
            .filter((f) => path.resolve(f) !== self)
            .flatMap((f) =>
                fs
                    .readFileSync(f, "utf8")
                    .split("\n")
                    .map((line, i) => ({ line, at: `${path.relative(TESTS, f)}:${i + 1}` }))
                    .filter(({ line }) => CLOCKS.test(line))
                    .map(({ at, line }) => `${at}: ${line.trim()}`),
            );
        assert.deepEqual(offenders, []);
    });

    it("fails when a test reads a clock (the pattern catches the usual ones)", () => {
        for (const line of ["const t = Date.now();", "performance.now()", "process.hrtime.bigint()", "console.time('x')"])
            assert.match(line, CLOCKS);
        assert.doesNotMatch("const updated = record.date;", CLOCKS);
    });
});
