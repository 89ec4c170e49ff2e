/**
 * Arguments of the Azure observability components (Log Analytics workspace, alert recipients) and their
 * validators. Pure: no SDK at runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AZURE_NAME_RULES, isValidAzureName } from "../naming/azure";
import type { AzureLocationArgs, AzureNamePrefixArgs, AzureResourceGroupArgs } from "../shared/azure-placement";
import type { ProblemDetail } from "../shared/problems";

/** Log Analytics keeps data queryable (interactive retention) for 30 to 730 days. */
export const LOG_RETENTION_DAYS = { min: 30, max: 730 } as const;

export interface AzureMonitoringArgs extends AzureResourceGroupArgs, AzureLocationArgs {
    /** Name of the Log Analytics workspace (4-63 letters, digits and '-'). */
    readonly workspaceName: string;
    /**
     * Days logs stay queryable, 30-730. Audit trails need at least a year (CKV_AZURE_37).
     * Costs money beyond the first 31 days (per GB per month). Default: 365.
     */
    readonly retentionDays?: number;
    /** Protect the workspace (the audit trail) and keep it on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Tags on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the workspace's arguments (paths relative to the args). */
export function validateAzureMonitoring(args: AzureMonitoringArgs): ProblemDetail[] {
    const retentionDays = args.retentionDays ?? 365;
    const problems: ProblemDetail[] = [];
    if (!isValidAzureName("logAnalytics", args.workspaceName)) {
        problems.push({
            path: "workspaceName",
            value: args.workspaceName,
            message: "is not a valid Log Analytics workspace name",
            fix: `use ${AZURE_NAME_RULES.logAnalytics.min}-${AZURE_NAME_RULES.logAnalytics.max} letters, digits and '-'`,
        });
    }
    if (!Number.isInteger(retentionDays) || retentionDays < LOG_RETENTION_DAYS.min || retentionDays > LOG_RETENTION_DAYS.max) {
        problems.push({
            path: "retentionDays",
            value: retentionDays,
            message: `must be a whole number of days from ${LOG_RETENTION_DAYS.min} to ${LOG_RETENTION_DAYS.max} (Log Analytics interactive retention)`,
            fix: "set mlops:dataLake.auditLogRetentionDays to at most 730 on Azure; archive older logs to storage",
        });
    }
    return problems;
}

export interface AzureAlertRecipientsArgs extends AzureResourceGroupArgs, AzureNamePrefixArgs {
    /** Addresses that get every alert by email (common alert schema). Default: []. */
    readonly emails?: string[];
    /** https URLs that get every alert as a POST (common alert schema); kept secret in state. Default: []. */
    readonly webhookUrls?: pulumi.Input<string>[];
    /** Tags on the action group. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Every problem with the action group's arguments (paths relative to the args). */
export function validateAzureAlertRecipients(args: AzureAlertRecipientsArgs): ProblemDetail[] {
    const emails = args.emails ?? [];
    const webhooks = args.webhookUrls ?? [];
    const problems: ProblemDetail[] = [];
    if (emails.length + webhooks.length === 0)
        problems.push({
            path: "emails",
            value: [],
            message: "and webhookUrls are both empty: an action group without receivers notifies nobody",
            fix: "give at least one email address or webhook URL (mlops:notifications)",
        });
    emails.forEach((e, i) => {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) problems.push({ path: `emails[${i}]`, value: e, message: "is not an email address" });
    });
    return problems;
}
