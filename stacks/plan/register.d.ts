/** Types for stacks/plan/register.js (plain JavaScript: it is the loader that runs TypeScript). */
/** The original 1-based position of a line and column of a `.ts` file this loader compiled, or undefined. */
export function mapPosition(file: string, line: number, column: number): { file: string; line: number; column: number } | undefined;
/** The swc options every `.ts` file is transpiled with (what ts-node derives from tsconfig.json). */
export const SWC_OPTIONS: Record<string, unknown>;
/** Where transpiled files are kept (node_modules/.cache/mlops-ts, or $MLOPS_TS_CACHE). */
export const CACHE: string;
