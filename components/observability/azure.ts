/**
 * Observability on Azure: the Log Analytics workspace every audit trail and diagnostic log goes to, and
 * the helpers the other Azure components use to send a resource's logs there and to alert on serving.
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { azureNames } from "../naming/azure";
import { throwIfProblems } from "../shared/problems";
import { AzureAlertRecipientsArgs, AzureMonitoringArgs, validateAzureAlertRecipients, validateAzureMonitoring } from "./azure-args";
import { ALERT_WINDOW, AlertTarget, AlertThresholds, alertCriteria, servingAlerts } from "./azure-alerts";

/** Log Analytics workspace: the one destination of diagnostic settings and Container Apps logs. */
export class AzureMonitoring extends pulumi.ComponentResource {
    /** ARM ID of the workspace (what diagnostic settings take). */
    public readonly workspaceId: pulumi.Output<string>;
    /** The workspace's customer ID (GUID) for queries. */
    public readonly customerId: pulumi.Output<string>;

    constructor(name: string, args: AzureMonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureMonitoring "${name}"`, validateAzureMonitoring(args));
        const retentionDays = args.retentionDays ?? 365;
        super("mlops:index:AzureMonitoring", name, args, opts);

        const protect = args.protectData ?? true;
        const workspace = new operationalinsights.Workspace(
            `${name}-workspace`,
            {
                workspaceName: args.workspaceName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "PerGB2018" },
                retentionInDays: retentionDays,
                // Entra ID only: no shared-key ingestion; readers need rights on the resources they query.
                features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
                tags: { ...args.tags },
            },
            { parent: this, protect, retainOnDelete: protect },
        );
        this.workspaceId = workspace.id;
        this.customerId = workspace.customerId;
        this.registerOutputs({ workspaceId: this.workspaceId, customerId: this.customerId });
    }
}

/** The action group every alert of the stack notifies: one email receiver per address, one webhook per URL. */
export class AzureAlertRecipients extends pulumi.ComponentResource {
    /** ARM ID of the action group (what `servingAlertRules` takes as `actionGroupId`). */
    public readonly actionGroupId: pulumi.Output<string>;

    constructor(name: string, args: AzureAlertRecipientsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`AzureAlertRecipients "${name}"`, validateAzureAlertRecipients(args));
        const emails = args.emails ?? [];
        const webhooks = args.webhookUrls ?? [];
        super("mlops:index:AzureAlertRecipients", name, args, opts);

        const group = new monitor.ActionGroup(
            `${name}-action-group`,
            {
                actionGroupName: azureNames.actionGroup(args.namePrefix),
                groupShortName: azureNames.actionGroupShortName(args.namePrefix),
                resourceGroupName: args.resourceGroupName,
                // Action groups are global resources.
                location: "Global",
                enabled: true,
                emailReceivers: emails.map((emailAddress, i) => ({ name: `email-${i}`, emailAddress, useCommonAlertSchema: true })),
                // A webhook URL often carries a token: it stays encrypted in state and in the plan.
                webhookReceivers: webhooks.map((url, i) => ({
                    name: `webhook-${i}`,
                    serviceUri: pulumi.secret(url),
                    useCommonAlertSchema: true,
                })),
                tags: { ...args.tags },
            },
            { parent: this },
        );
        this.actionGroupId = group.id;
        this.registerOutputs({ actionGroupId: this.actionGroupId });
    }
}

export interface DiagnosticsOptions {
    /** ARM ID of the resource whose logs are sent. */
    readonly resourceUri: pulumi.Input<string>;
    /** ARM ID of the Log Analytics workspace. */
    readonly workspaceId: pulumi.Input<string>;
    /** Log categories, e.g. `StorageRead`; used instead of the `allLogs` category group. */
    readonly categories?: readonly string[];
    /** Metric categories to send. @default ["AllMetrics"] */
    readonly metricCategories?: readonly string[];
}

/** Sends a resource's logs (every category unless `categories` narrows them) and metrics to Log Analytics. */
export function diagnosticSetting(
    resourceName: string,
    o: DiagnosticsOptions,
    opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
    const logs = o.categories
        ? o.categories.map((category) => ({ category, enabled: true }))
        : [{ categoryGroup: "allLogs", enabled: true }];
    return new monitor.DiagnosticSetting(
        resourceName,
        {
            name: "to-log-analytics",
            resourceUri: o.resourceUri,
            workspaceId: o.workspaceId,
            // Resource-specific tables (e.g. StorageBlobLogs) rather than the legacy AzureDiagnostics table.
            logAnalyticsDestinationType: "Dedicated",
            logs,
            metrics: (o.metricCategories ?? ["AllMetrics"]).map((category) => ({ category, enabled: true })),
        },
        opts,
    );
}

/** Storage audit trail: blob reads, writes and deletes of an account (CKV2_AZURE_21, CIS-AZ3 4.12-4.14). */
export function blobAuditLogs(
    resourceName: string,
    accountId: pulumi.Input<string>,
    workspaceId: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
    return diagnosticSetting(
        resourceName,
        {
            resourceUri: pulumi.interpolate`${accountId}/blobServices/default`,
            workspaceId,
            categories: ["StorageRead", "StorageWrite", "StorageDelete"],
            metricCategories: ["Transaction"],
        },
        opts,
    );
}

export interface ServingAlertOptions {
    readonly resourceGroupName: pulumi.Input<string>;
    /** ARM ID of the serving resource (container app, function app, online endpoint). */
    readonly scope: pulumi.Input<string>;
    readonly target: AlertTarget;
    /** Human name of what is served, for the alert description. */
    readonly subject: string;
    readonly thresholds?: AlertThresholds;
    /** Action group the alerts notify (`AzureAlertRecipients`). @default - none: the alerts only show in Azure Monitor */
    readonly actionGroupId?: pulumi.Input<string>;
    readonly tags?: Readonly<Record<string, string>>;
}

/** The error and latency alerts of one serving deployment (`<name>-errors`, `<name>-latency`). */
export function servingAlertRules(name: string, o: ServingAlertOptions, opts: pulumi.CustomResourceOptions): monitor.MetricAlert[] {
    return servingAlerts(o.target, o.thresholds).map(
        (spec) =>
            new monitor.MetricAlert(
                `${name}-${spec.key}`,
                {
                    resourceGroupName: o.resourceGroupName,
                    location: "global",
                    description: `${o.subject}: ${spec.description}`,
                    enabled: true,
                    severity: spec.severity,
                    scopes: [o.scope],
                    ...ALERT_WINDOW,
                    autoMitigate: true,
                    criteria: alertCriteria(spec),
                    actions: o.actionGroupId !== undefined ? [{ actionGroupId: o.actionGroupId }] : undefined,
                    tags: { ...o.tags },
                },
                opts,
            ),
    );
}
