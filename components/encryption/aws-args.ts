/**
 * Arguments of AwsKmsKey and their validator. Pure: no SDK at runtime.
 */
import type { ProblemDetail } from "../shared/problems";

/** KMS accepts a pending-deletion window of 7 to 30 days. */
export const DELETION_WINDOW_DAYS = { min: 7, max: 30 } as const;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

export interface AwsKmsKeyArgs {
    /** What the key protects, shown in the KMS console. Default: "mlops platform data key". */
    readonly description?: string;
    /** Alias (`alias/...`) so people find the key. Default: no alias. */
    readonly aliasName?: string;
    /** Protect the key from deletion and keep it when the stack is destroyed. Default: true. */
    readonly protectData?: boolean;
    /**
     * Keep the key on destroy even without `protectData`: set it when an account-wide setting keeps using
     * the key after the stack is gone (the Glue Data Catalog encryption setting). Default: false.
     */
    readonly retainOnDelete?: boolean;
    /** Days a deleted key waits before it is destroyed (7 to 30); it can be recovered meanwhile. Default: 30. */
    readonly deletionWindowDays?: number;
    /** Tags put on the key. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with AwsKmsKey args. */
export function validateAwsKmsKey(args: AwsKmsKeyArgs): ProblemDetail[] {
    const window = args.deletionWindowDays ?? DELETION_WINDOW_DAYS.max;
    const problems: ProblemDetail[] = [];
    if (!Number.isInteger(window) || window < DELETION_WINDOW_DAYS.min || window > DELETION_WINDOW_DAYS.max) {
        problems.push({
            path: "deletionWindowDays",
            value: window,
            message: "must be a whole number of days from 7 to 30 (the window KMS accepts)",
        });
    }
    if (args.aliasName !== undefined && (!ALIAS.test(args.aliasName) || args.aliasName.startsWith("alias/aws/"))) {
        problems.push({
            path: "aliasName",
            value: args.aliasName,
            message: "is not a KMS alias name",
            fix: "write `alias/<letters, digits, /, _ or ->`, not under `alias/aws/` (reserved for AWS)",
        });
    }
    return problems;
}
