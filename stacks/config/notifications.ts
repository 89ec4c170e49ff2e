/**
 * `mlops:notifications`: who hears the stack's alerts. Every cloud stack wires every alert to these
 * targets (AWS SNS subscriptions, GCP notification channels, Azure action group receivers); prod must
 * name at least one, so an alarm never fires into a topic nobody reads.
 */
import { Reader } from "./fields";
import { Environment, KEYS, NotificationsConfig } from "./schema";

/** A plain address check: something@domain.tld, no spaces. The cloud confirms the rest. */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An https URL with a host; alert payloads must not travel in clear text. */
export function isHttpsUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "https:" && url.hostname.length > 0;
    } catch {
        return false;
    }
}

/** Whether a list was given but refused by the reader (not a list of non-empty strings). */
const refused = (value: unknown): boolean =>
    value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === "string" && v.length > 0));

/** How a target is named in a sentence. */
const TARGET_NAMES: Readonly<Record<string, string>> = { kubernetes: "Kubernetes", aws: "AWS", gcp: "GCP", azure: "Azure" };

/** `a, b or c`. */
const orList = (items: readonly string[]): string =>
    items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;

export function parseNotifications(
    value: unknown,
    at: string,
    /** The selected target (undefined while `mlops:cloud` is invalid) and whether its stacks create alerts. */
    target: { readonly cloud: string; readonly createsAlerts: boolean } | undefined,
    /** Targets whose stacks create alerts, for the message. */
    alertingClouds: readonly string[],
    environment: Environment,
    read: Reader,
): NotificationsConfig {
    const obj = read.object(value, at, KEYS.notifications);
    const emails = read.stringList(obj, "emails", at, []);
    const webhooks = read.stringList(obj, "webhooks", at, []);
    const fix = (example: string) => `write e.g. ${example}`;
    emails.forEach((e, i) => {
        if (!EMAIL.test(e))
            read.problems.push({
                path: `${at}.emails[${i}]`,
                value: e,
                message: "is not an email address",
                fix: fix("ml-oncall@example.com"),
            });
        else if (emails.indexOf(e) !== i)
            read.problems.push({ path: `${at}.emails[${i}]`, value: e, message: "is listed twice", fix: "remove one" });
    });
    webhooks.forEach((w, i) => {
        // The URL itself may be a secret (it often carries a token): name the position, not the value.
        if (!isHttpsUrl(w))
            read.problems.push({
                path: `${at}.webhooks[${i}]`,
                value: "(hidden)",
                message: "is not an https:// URL",
                fix: fix("https://hooks.example.com/alerts; alerts are sent over TLS only"),
            });
        else if (webhooks.indexOf(w) !== i)
            read.problems.push({ path: `${at}.webhooks[${i}]`, value: "(hidden)", message: "is listed twice", fix: "remove one" });
    });
    if (target && !target.createsAlerts && emails.length + webhooks.length > 0) {
        read.problems.push({
            path: at,
            value: "(set)",
            message: `only applies when mlops:cloud is ${orList(alertingClouds)}: a ${TARGET_NAMES[target.cloud] ?? target.cloud} stack creates no alerts`,
            fix: "remove it, and route your cluster's alerts with its own monitoring (e.g. Prometheus Alertmanager)",
        });
    } else if (
        target?.createsAlerts &&
        environment === "prod" &&
        emails.length + webhooks.length === 0 &&
        // A list given in the wrong shape is reported at its key; it is not also "no target".
        !refused(obj?.emails) &&
        !refused(obj?.webhooks)
    ) {
        read.problems.push({
            path: at,
            value,
            message: "names no alert target, and prod alerts must reach someone",
            fix: "set at least one of `emails: [oncall@your-company.com]` or `webhooks: [https://...]` (`pulumi config set --path --secret 'notifications.webhooks[0]' https://...` keeps a URL with a token secret)",
        });
    }
    return { emails, webhooks };
}
