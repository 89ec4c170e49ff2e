/**
 * One Cloud Monitoring alert policy with one PromQL condition over any number of signals (components/observability/
 * gcp-conditions.ts): Cloud Monitoring bills each condition by the month, so the data pipelines' failures and the
 * models' drift share one. The data pipeline and training components build theirs with it, and a stack that has
 * both combines their signals (`pipelineAlertSignals`, `trainingAlertSignals`) into one (stacks/clouds/gcp.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as monitoring from "@pulumi/gcp/monitoring";
import { AlertSignal, signalsCondition } from "./gcp-conditions";

export interface SignalAlertArgs {
    readonly project: pulumi.Input<string>;
    /** The policy's title, e.g. `mlops-gcp-dev data pipelines: a run failed`. */
    readonly displayName: string;
    readonly severity: "CRITICAL" | "ERROR" | "WARNING";
    readonly signals: readonly AlertSignal[];
    /** Who hears the alert. Default: nobody (the incident shows in the console only). */
    readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
    /** What to do about it (Markdown); the signals' descriptions follow. */
    readonly documentation: string;
}

/** The alert policy: one condition ORing the signals, one incident per series, closed a day after it clears. */
export function signalAlertPolicy(name: string, args: SignalAlertArgs, opts: pulumi.CustomResourceOptions = {}): monitoring.AlertPolicy {
    return new monitoring.AlertPolicy(
        name,
        {
            project: args.project,
            displayName: args.displayName,
            combiner: "OR",
            severity: args.severity,
            conditions: [signalsCondition(args.displayName, args.signals)],
            notificationChannels: pulumi.output(args.notificationChannels ?? []).apply((c) => [...c]),
            alertStrategy: { autoClose: "86400s" },
            documentation: {
                mimeType: "text/markdown",
                content: [args.documentation, "", "Fires when:", ...args.signals.map((s) => `- ${s.description}`)].join("\n"),
            },
        },
        opts,
    );
}
