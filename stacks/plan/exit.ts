/**
 * Ends a command-line run once stdout and stderr are flushed. `process.exit` right after a write cuts
 * piped output at the pipe's buffer size (64 KiB on Linux), which breaks `plan ... | jq` on big stacks.
 */
export function exitWhenFlushed(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
