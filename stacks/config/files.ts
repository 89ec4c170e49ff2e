/** The `files` directories of models, pipelines and trainings: read into name -> content, mounted at /app. */
import * as fs from "fs";
import * as path from "path";
import type { ProblemDetail } from "@mlops/components";
import { MAX_FILES_BYTES } from "./schema";

/** Reads a model's `files` directory (flat: its regular files and links to files) into name -> content. */
export function readFiles(dir: string, at: string, projectRoot: string, problems: ProblemDetail[]): Record<string, string> | undefined {
    const full = path.resolve(projectRoot, dir);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
        problems.push({
            path: at,
            value: dir,
            message: "is not a directory in the project",
            fix: "give a path relative to the project root, e.g. `samples/model`",
        });
        return undefined;
    }
    const files: Record<string, string> = {};
    let total = 0;
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        // A symbolic link to a file counts as that file (samples/model/lakeio.py shares the jobs' storage module).
        if (!entry.isFile() && !(entry.isSymbolicLink() && fs.statSync(path.join(full, entry.name), { throwIfNoEntry: false })?.isFile()))
            continue;
        const content = fs.readFileSync(path.join(full, entry.name), "utf8");
        total += Buffer.byteLength(content);
        files[entry.name] = content;
    }
    if (Object.keys(files).length === 0) problems.push({ path: at, value: dir, message: "holds no files" });
    if (total > MAX_FILES_BYTES) {
        problems.push({
            path: at,
            value: dir,
            message: `holds ${total} bytes, more than the ${MAX_FILES_BYTES} a ConfigMap can carry`,
            fix: "bake large models into the image instead",
        });
    }
    return files;
}
