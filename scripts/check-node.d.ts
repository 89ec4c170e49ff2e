/** Types for scripts/check-node.js (plain JavaScript so that it runs on the Node versions it refuses). */
export function nodeVersionProblem(found: string, range: string): string | undefined;
export function requiredRange(): string;
export function assertSupportedNode(): void;
