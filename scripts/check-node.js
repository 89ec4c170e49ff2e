/*
 * Refuses an unsupported Node.js with one clear line, before anything else runs. Plain CommonJS in old
 * syntax on purpose: it must run on any Node, including the ones it refuses. The required version is
 * package.json's `engines.node` (>=MAJOR), the one place it is written.
 *
 *   node scripts/check-node.js        exits 1 with the line on stderr when this Node is too old
 *   require("./check-node").assertSupportedNode()   the same from inside a program (the Pulumi entry)
 */
"use strict";
var path = require("path");

function requiredRange() {
    return require(path.join(__dirname, "..", "package.json")).engines.node;
}

/** The problem with running on `found` (e.g. "20.20.2") for `range` (">=22"), or undefined when it is fine. */
function nodeVersionProblem(found, range) {
    var m = /^>=\s*(\d+)$/.exec(range);
    if (!m) throw new Error("package.json engines.node must be written >=MAJOR, got " + range);
    var major = Number(found.split(".")[0]);
    if (major >= Number(m[1])) return undefined;
    return (
        "mlops needs Node.js " +
        range +
        " (Pulumi's SDK requires it); this is Node.js v" +
        found +
        ". Install Node.js " +
        m[1] +
        " or later (24 recommended: `nvm install 24`, or https://nodejs.org/en/download) and run the command again."
    );
}

function assertSupportedNode() {
    var problem = nodeVersionProblem(process.versions.node, requiredRange());
    if (problem) {
        process.stderr.write(problem + "\n");
        process.exit(1);
    }
}

module.exports = { nodeVersionProblem: nodeVersionProblem, requiredRange: requiredRange, assertSupportedNode: assertSupportedNode };

if (require.main === module) assertSupportedNode();
