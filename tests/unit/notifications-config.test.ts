import * as assert from "node:assert/strict";
import * as path from "path";
import { ValidationError } from "@mlops/components";
import { parseStackConfig } from "../../stacks/config/parse";

const ROOT = path.resolve(__dirname, "..", "..");
const PROVIDERS: Record<string, Record<string, string>> = {
    aws: { "aws:region": "us-east-1" },
    gcp: { "gcp:project": "my-project-1", "gcp:region": "us-central1" },
    azure: { "azure-native:location": "swedencentral" },
    kubernetes: {},
};

function raw(cloud: string, environment: string, notifications?: unknown): Record<string, string> {
    const values: Record<string, string> = { "mlops:cloud": cloud, "mlops:environment": environment, ...PROVIDERS[cloud] };
    if (notifications !== undefined) values["mlops:notifications"] = JSON.stringify(notifications);
    return values;
}

const parse = (cloud: string, environment: string, notifications?: unknown) =>
    parseStackConfig(raw(cloud, environment, notifications), { project: "mlops", stack: "t", projectRoot: ROOT });

function problemsOf(cloud: string, environment: string, notifications?: unknown): readonly string[] {
    try {
        parse(cloud, environment, notifications);
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected ValidationError, got ${e}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

describe("mlops:notifications", () => {
    it("defaults to no targets outside prod", () => {
        for (const cloud of Object.keys(PROVIDERS)) assert.deepEqual(parse(cloud, "dev").notifications, { emails: [], webhooks: [] });
    });

    it("keeps the emails and webhooks as written", () => {
        const n = parse("aws", "prod", {
            emails: ["ml-oncall@example.com", "lead@example.org"],
            webhooks: ["https://hooks.example.com/T0/abc"],
        }).notifications;
        assert.deepEqual(n, { emails: ["ml-oncall@example.com", "lead@example.org"], webhooks: ["https://hooks.example.com/T0/abc"] });
    });

    for (const cloud of ["aws", "gcp", "azure"]) {
        it(`fails when a ${cloud} prod stack names no alert target`, () => {
            const problems = problemsOf(cloud, "prod");
            const problem = problems.find((p) => p.startsWith("mlops:notifications:"));
            assert.ok(problem, problems.join("\n"));
            assert.match(problem, /prod alerts must reach someone/);
            assert.match(problem, /emails: \[/);
        });

        it(`fails when a ${cloud} prod stack lists empty target lists`, () => {
            assert.ok(
                problemsOf(cloud, "prod", { emails: [], webhooks: [] }).some(
                    (p) => p.startsWith("mlops:notifications:") && p.includes("names no alert target"),
                ),
            );
        });

        it(`accepts a ${cloud} prod stack with only a webhook`, () => {
            assert.deepEqual(parse(cloud, "prod", { webhooks: ["https://alerts.example.com/in"] }).notifications.webhooks, [
                "https://alerts.example.com/in",
            ]);
        });
    }

    it("fails when an email is not an address, naming its position", () => {
        const problems = problemsOf("gcp", "dev", { emails: ["ops@example.com", "not-an-email"] });
        assert.ok(
            problems.some(
                (p) => p.startsWith("mlops:notifications.emails[1]:") && p.includes("not an email address") && p.includes("not-an-email"),
            ),
            problems.join("\n"),
        );
    });

    it("fails when a webhook is not https, without echoing the URL (it may carry a token)", () => {
        const problems = problemsOf("azure", "dev", { webhooks: ["http://hooks.example.com/secret-token", "hooks.example.com"] });
        const bad = problems.filter((p) => p.startsWith("mlops:notifications.webhooks["));
        assert.equal(bad.length, 2, problems.join("\n"));
        assert.ok(bad.every((p) => p.includes("not an https:// URL") && !p.includes("secret-token")));
    });

    it("fails when a target is listed twice", () => {
        const problems = problemsOf("aws", "dev", {
            emails: ["a@example.com", "a@example.com"],
            webhooks: ["https://h.example.com/x", "https://h.example.com/x"],
        });
        assert.ok(problems.some((p) => p.startsWith("mlops:notifications.emails[1]:") && p.includes("listed twice")));
        assert.ok(problems.some((p) => p.startsWith("mlops:notifications.webhooks[1]:") && p.includes("listed twice")));
    });

    it("fails when a misspelled field is given", () => {
        const problems = problemsOf("aws", "dev", { email: ["a@example.com"] });
        assert.ok(
            problems.some((p) => p.startsWith("mlops:notifications.email:") && p.includes("not a known key")),
            problems.join("\n"),
        );
    });

    it("fails on a Kubernetes stack, which creates no alerts", () => {
        const problems = problemsOf("kubernetes", "dev", { emails: ["a@example.com"] });
        assert.ok(
            problems.some((p) => p.startsWith("mlops:notifications:") && p.includes("a Kubernetes stack creates no alerts")),
            problems.join("\n"),
        );
    });

    it("does not ask a Kubernetes prod stack for targets it cannot use", () => {
        assert.deepEqual(parse("kubernetes", "prod").notifications, { emails: [], webhooks: [] });
    });
});
