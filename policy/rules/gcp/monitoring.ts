/** Cloud Monitoring: production alerts reach someone. */
import { CUSTOM, MlopsPolicy, resourceRule } from "../meta";
import { list } from "../lib/read";
import { GCP } from "./types";

const OBSERVABILITY = "components/observability/gcp.ts";

export const alertPolicyNotifies = resourceRule({
    name: "gcp-alert-policy-notifications",
    description:
        "Cloud Monitoring alert policies notify at least one notification channel (an alert nobody receives is a console entry, not an alert).",
    severity: "high",
    remediation: `list who hears alerts in mlops:notifications.emails or mlops:notifications.webhooks; the stack sends every alert policy to every channel (${OBSERVABILITY})`,
    mirrors: [CUSTOM],
    clouds: ["gcp"],
    category: "reliability",
    enforcement: "prod",
    types: [GCP.alertPolicy],
    check: (r) => (list(r.props.notificationChannels).length > 0 ? [] : ["notificationChannels is empty (the alert notifies nobody)"]),
});

export const monitoringRules: readonly MlopsPolicy[] = [alertPolicyNotifies];
