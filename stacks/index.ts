/**
 * The Pulumi program: parse and validate all config, then build the selected cloud's stack.
 * Bad config stops here, before any resource is registered, with every problem listed.
 */
import "./node-check"; // first: a too-old Node.js stops here with one clear line
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "@mlops/components";
import { readStackConfig } from "./config/read";
import { buildStack } from "./build";

async function main() {
    try {
        return await buildStack(readStackConfig());
    } catch (e) {
        // RunError prints the message alone: no stack trace from deep inside the SDK for a config mistake.
        if (e instanceof ValidationError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

export = main();
