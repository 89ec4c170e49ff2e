/**
 * The only code that reads Pulumi config: takes every key the CLI (or the offline loader) set for this
 * stack and hands it to the pure parser.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import { StackConfig } from "./schema";

/** The project root: where Pulumi.yaml lives and model `files` paths are relative to. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export function readStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        projectRoot: PROJECT_ROOT,
    });
}
