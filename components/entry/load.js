"use strict";
/**
 * Where an entry of @mlops/components loads from.
 *
 * - In the repository, the TypeScript sources sit next to this folder; when a TypeScript loader is
 *   registered (stacks/plan/register.js for the program, the tests and the npm scripts; or ts-node), the entry loads the sources, so
 *   an edit takes effect on the next run with no build step and no stale build.
 * - The published package ships no sources, only the compiled `dist/` (JavaScript, declarations, source
 *   maps): that is what plain Node and every installed copy load.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

/** @param {string} entry the entry's file name without extension, e.g. "aws" */
module.exports = function load(entry) {
    const source = path.join(ROOT, `${entry}.ts`);
    if (require.extensions[".ts"] && fs.existsSync(source)) {
        return require(source);
    }
    return require(path.join(ROOT, "dist", `${entry}.js`));
};
