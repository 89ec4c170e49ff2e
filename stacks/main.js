/*
 * What `pulumi preview` and `pulumi up` run (Pulumi.yaml `main`, with the runtime's `typescript: false`): the
 * program in stacks/index.ts, loaded through the project's TypeScript loader (stacks/plan/register.js: swc,
 * cached by content, cheap stack traces) instead of ts-node, so a run does not load the TypeScript compiler and
 * ts-node's source-map-support. Nothing to build: an edited .ts file is transpiled on its next run.
 * docs/architecture.md, "How the program runs".
 */
"use strict";
require("./plan/register");
module.exports = require("./index.ts");
