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

/** Parses the running stack's config; model `files` paths are relative to `projectRoot`. */
export function readStackConfig(projectRoot: string = PROJECT_ROOT): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        projectRoot,
    });
}
