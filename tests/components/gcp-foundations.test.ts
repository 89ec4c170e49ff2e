/**
 * The GCP foundations under mocks: project APIs, CMEK keys and their service-agent grants, the private
 * network and the serving alerts. Exact inputs, plus a `fails when ...` case per validation rule.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CMEK_ROLE, GcpEncryption } from "../../components/encryption/gcp";
import { GcpEncryptionArgs } from "../../components/encryption/gcp-args";
import { GcpNetwork } from "../../components/network/gcp";
import { GcpNetworkArgs, isPrivateCidr } from "../../components/network/gcp-args";
import { GcpObservability, servingConditions } from "../../components/observability/gcp";
import { exactNames } from "../../components/observability/gcp-conditions";
import { GcpObservabilityArgs } from "../../components/observability/gcp-args";
import { GcpProjectServices } from "../../components/project-services/gcp";
import { SECRET, capture } from "../../stacks/plan/capture";
import { MOCK_PROJECT_NUMBER } from "../../stacks/plan/mocks/gcp";
import { CapturedResource, ofType, only, rejectedBuild } from "../harness";

const run = (build: () => void) => capture({ project: "mlops", stack: "test", config: {} }, build);

/** Records the resource options of every resource registered under `component` (transformations see them). */
function optionsRecorder(): { seen: Record<string, pulumi.ResourceOptions>; transformation: pulumi.ResourceTransformation } {
    const seen: Record<string, pulumi.ResourceOptions> = {};
    return { seen, transformation: (a) => ((seen[a.name] = a.opts), undefined) };
}

describe("GcpProjectServices", () => {
    it("enables every API once, never disabling it on destroy", async () => {
        const { resources } = await run(
            () =>
                new GcpProjectServices("apis", {
                    project: "p-123456",
                    services: ["run.googleapis.com", "storage.googleapis.com", "run.googleapis.com"],
                }),
        );
        const services = ofType(resources, "gcp:projects/service:Service");
        assert.deepEqual(services.map((s) => s.inputs.service).sort(), ["run.googleapis.com", "storage.googleapis.com"]);
        for (const s of services) {
            assert.equal(s.inputs.disableOnDestroy, false, s.name);
            assert.equal(s.inputs.disableDependentServices, false, s.name);
            assert.equal(s.inputs.project, "p-123456");
        }
    });

    it("fails when a service is not a Google API name, registering nothing", async () => {
        const { message, registered } = await rejectedBuild(
            () => new GcpProjectServices("apis", { project: "p-123456", services: ["run", ""] }),
            'GcpProjectServices "apis"',
        );
        assert.match(message, /services\[0\]: is not a Google API service name \(got "run"\)/);
        assert.match(message, /services\[1\]/);
        assert.deepEqual(registered, []);
    });

    it("fails when asked for an API it did not enable", async () => {
        await run(() => {
            const apis = new GcpProjectServices("apis", { project: "p-123456", services: ["run.googleapis.com"] });
            assert.throws(() => apis.api("storage.googleapis.com"), /storage.googleapis.com is not enabled by this stack/);
        });
    });
});

describe("GcpEncryption", () => {
    const args: GcpEncryptionArgs = {
        project: "p-123456",
        location: "us-central1",
        keys: {
            lake: ["storage"],
            bigquery: ["bigquery"],
            registry: ["artifactregistry"],
            vertex: ["aiplatform"],
            workbench: ["compute", "notebooks"],
        },
    };
    let resources: CapturedResource[];
    let keyIds: Record<string, string>;
    const recorder = optionsRecorder();
    before(async () => {
        const api = new pulumi.ComponentResource("test:index:Api", "api-marker");
        let component: GcpEncryption | undefined;
        ({ resources } = await run(() => {
            component = new GcpEncryption("keys", args, { dependsOn: [api], transformations: [recorder.transformation] });
        }));
        keyIds = await new Promise((resolve) => pulumi.all(component!.keyIds).apply((ids) => resolve(ids)));
    });

    it("creates one symmetric key per purpose, rotated every 90 days, in one key ring in the region", () => {
        const ring = only(resources, "gcp:kms/keyRing:KeyRing", "keys-ring");
        assert.deepEqual(
            ring.inputs,
            { project: "p-123456", location: "us-central1" },
            "the ring name is auto-named: ring names are permanent",
        );
        const keys = ofType(resources, "gcp:kms/cryptoKey:CryptoKey");
        assert.deepEqual(keys.map((k) => k.inputs.name).sort(), ["bigquery", "lake", "registry", "vertex", "workbench"]);
        for (const k of keys) {
            assert.equal(k.inputs.keyRing, ring.id);
            assert.equal(k.inputs.rotationPeriod, "7776000s", "90 days (CKV_GCP_43)");
            assert.equal(k.inputs.purpose, "ENCRYPT_DECRYPT");
            assert.deepEqual(k.inputs.versionTemplate, { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" });
        }
    });

    it("protects and retains the ring and every key in every environment (Cloud KMS cannot delete keys)", () => {
        for (const r of [...ofType(resources, "gcp:kms/keyRing:KeyRing"), ...ofType(resources, "gcp:kms/cryptoKey:CryptoKey")]) {
            assert.deepEqual(r.options, { protect: true, retainOnDelete: true }, r.name);
        }
    });

    it("grants each service agent exactly the encrypter/decrypter role on its own key, and nothing else", () => {
        const key = (purpose: string) => only(resources, "gcp:kms/cryptoKey:CryptoKey", `keys-${purpose}`).id;
        const grants = ofType(resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((g) => [
            g.inputs.cryptoKeyId,
            g.inputs.role,
            g.inputs.member,
        ]);
        const agent = (domain: string) => `serviceAccount:service-${MOCK_PROJECT_NUMBER}@${domain}.iam.gserviceaccount.com`;
        assert.deepEqual(
            grants.sort(),
            [
                [key("bigquery"), CMEK_ROLE, `serviceAccount:bq-${MOCK_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com`],
                [key("lake"), CMEK_ROLE, agent("gs-project-accounts")],
                [key("registry"), CMEK_ROLE, agent("gcp-sa-artifactregistry")],
                [key("vertex"), CMEK_ROLE, agent("gcp-sa-aiplatform")],
                [key("workbench"), CMEK_ROLE, agent("compute-system")],
                [key("workbench"), CMEK_ROLE, agent("gcp-sa-notebooks")],
            ].sort(),
        );
        assert.equal(CMEK_ROLE, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
    });

    it("generates the service agents that exist only on demand", () => {
        const identities = ofType(resources, "gcp:projects/serviceIdentity:ServiceIdentity")
            .map((i) => i.inputs.service)
            .sort();
        assert.deepEqual(identities, ["aiplatform.googleapis.com", "artifactregistry.googleapis.com", "notebooks.googleapis.com"]);
    });

    it("hands out key IDs and makes every child wait for the APIs it was given", () => {
        assert.equal(keyIds.lake, only(resources, "gcp:kms/cryptoKey:CryptoKey", "keys-lake").id);
        for (const name of ["keys-ring", "keys-lake", "keys-lake-storage", "keys-aiplatform-agent"]) {
            const deps = recorder.seen[name].dependsOn as pulumi.Resource[];
            assert.ok(Array.isArray(deps) && deps.some((d) => (d as any).__name === "api-marker"), `${name} does not wait for the APIs`);
        }
    });

    it("fails when rotation is slower than 90 days, a purpose has no agents, or an agent is unknown", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new GcpEncryption("keys", {
                    ...args,
                    rotationDays: 365,
                    keys: { lake: [], other: ["kms-robot"], "bad name": ["storage"] },
                }),
            'GcpEncryption "keys"',
        );
        assert.match(message, /rotationDays: must be a whole number of days from 1 to 90 \(CIS GCP 1.10\) \(got 365\)/);
        assert.match(message, /keys.lake: must list the service agents that use the key/);
        assert.match(
            message,
            /keys.other\[0\]: is not a known service agent \(got "kms-robot"\)\. Allowed: storage, bigquery, artifactregistry, aiplatform, notebooks, compute/,
        );
        assert.match(message, /keys.bad name: is not a Cloud KMS key name/);
        assert.deepEqual(registered, []);
    });
});

describe("GcpNetwork", () => {
    const args: GcpNetworkArgs = { project: "p-123456", region: "europe-west4", namePrefix: "mlops-gcp-dev" };

    it("creates a custom-mode VPC and a subnet with Private Google Access and flow logs, no NAT by default", async () => {
        const { resources } = await run(() => new GcpNetwork("network", args));
        const vpc = only(resources, "gcp:compute/network:Network");
        assert.equal(vpc.inputs.autoCreateSubnetworks, false);
        assert.equal(vpc.inputs.name, "mlops-gcp-dev-vpc");
        const subnet = only(resources, "gcp:compute/subnetwork:Subnetwork");
        assert.equal(subnet.inputs.network, vpc.id);
        assert.equal(subnet.inputs.privateIpGoogleAccess, true);
        assert.equal(subnet.inputs.ipCidrRange, "10.20.0.0/24");
        assert.deepEqual(subnet.inputs.logConfig, {
            aggregationInterval: "INTERVAL_5_SEC",
            flowSampling: 0.5,
            metadata: "INCLUDE_ALL_METADATA",
        });
        assert.equal(ofType(resources, "gcp:compute/routerNat:RouterNat").length, 0);
        assert.equal(ofType(resources, "gcp:compute/firewall:Firewall").length, 0, "no ingress is opened");
    });

    it("adds Cloud NAT for the subnet when asked", async () => {
        const { resources } = await run(() => new GcpNetwork("network", { ...args, natGateway: true }));
        const nat = only(resources, "gcp:compute/routerNat:RouterNat");
        assert.equal(nat.inputs.sourceSubnetworkIpRangesToNat, "LIST_OF_SUBNETWORKS");
        assert.deepEqual(nat.inputs.subnetworks, [
            { name: only(resources, "gcp:compute/subnetwork:Subnetwork").id, sourceIpRangesToNats: ["ALL_IP_RANGES"] },
        ]);
        assert.deepEqual(nat.inputs.logConfig, { enable: true, filter: "ERRORS_ONLY" });
    });

    it("fails when the subnet range is public or the prefix is not a name start", async () => {
        assert.equal(isPrivateCidr("172.31.0.0/16"), true);
        assert.equal(isPrivateCidr("172.32.0.0/16"), false);
        const { message, registered } = await rejectedBuild(
            () => new GcpNetwork("network", { ...args, subnetCidr: "8.8.8.0/24", namePrefix: "9lives" }),
            'GcpNetwork "network"',
        );
        assert.match(message, /subnetCidr: is not a private IPv4 range \(got "8.8.8.0\/24"\)/);
        assert.match(message, /namePrefix: is not a usable name prefix/);
        assert.deepEqual(registered, []);
    });
});

describe("GcpObservability", () => {
    const args: GcpObservabilityArgs = {
        project: "p-123456",
        namePrefix: "mlops-gcp-dev",
        cloudRunServices: ["mlops-gcp-dev-serve-iris"],
        vertexEndpoints: ["1234567890"],
        notificationEmails: ["oncall@example.com"],
        serviceLogRetentionDays: 30,
    };

    const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
    const RUN_BASE =
        'resource.type = "cloud_run_revision" AND resource.labels.service_name = monitoring.regex.full_match("mlops-gcp-dev-fn-iris|mlops-gcp-dev-serve-iris")';

    it("alerts on error rate and p95 latency with one condition per kind of deployment, one incident per deployment", async () => {
        const { resources } = await run(
            () =>
                new GcpObservability("alerts", {
                    ...args,
                    // The serverless inference's function runs on a Cloud Run service of the same name.
                    additionalServing: [{ cloudRunServices: ["mlops-gcp-dev-fn-iris"], vertexEndpoints: [] }],
                }),
        );
        const channel = only(resources, "gcp:monitoring/notificationChannel:NotificationChannel");
        assert.deepEqual([channel.inputs.type, channel.inputs.labels], ["email", { email_address: "oncall@example.com" }]);
        assert.deepEqual(
            ofType(resources, POLICY)
                .map((p) => [p.name, p.inputs.conditions.length, p.inputs.severity])
                .sort(),
            [
                ["alerts-cloud-run-errors", 1, "ERROR"],
                ["alerts-cloud-run-latency", 1, "WARNING"],
                ["alerts-vertex-endpoint-errors", 1, "ERROR"],
                ["alerts-vertex-endpoint-latency", 1, "WARNING"],
            ],
        );
        const run5xx = only(resources, POLICY, "alerts-cloud-run-errors");
        const t = run5xx.inputs.conditions[0].conditionThreshold;
        // Both services by their exact names (never a prefix: another stack in the project could share it).
        assert.equal(
            t.filter,
            `${RUN_BASE} AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"`,
        );
        assert.equal(t.denominatorFilter, `${RUN_BASE} AND metric.type = "run.googleapis.com/request_count"`);
        const perService = {
            alignmentPeriod: "300s",
            perSeriesAligner: "ALIGN_RATE",
            crossSeriesReducer: "REDUCE_SUM",
            groupByFields: ["resource.label.service_name"],
        };
        assert.deepEqual(t.aggregations, [perService]);
        assert.deepEqual(t.denominatorAggregations, [perService]);
        assert.equal(t.thresholdValue, 0.05);
        assert.equal(t.comparison, "COMPARISON_GT");
        assert.equal(t.duration, "300s");
        assert.equal(run5xx.inputs.notificationChannels.length, 1);
        assert.match(run5xx.inputs.notificationChannels[0], /^projects\/p-123456\/notificationChannels\/\d+$/);
        const runLatency = only(resources, POLICY, "alerts-cloud-run-latency").inputs.conditions[0].conditionThreshold;
        assert.equal(runLatency.filter, `${RUN_BASE} AND metric.type = "run.googleapis.com/request_latencies"`);
        assert.deepEqual(runLatency.aggregations, [
            {
                alignmentPeriod: "300s",
                perSeriesAligner: "ALIGN_PERCENTILE_95",
                crossSeriesReducer: "REDUCE_MAX",
                groupByFields: ["resource.label.service_name"],
            },
        ]);
        assert.equal(runLatency.thresholdValue, 2000);
        const latency = only(resources, POLICY, "alerts-vertex-endpoint-latency").inputs.conditions[0].conditionThreshold;
        assert.equal(
            latency.filter,
            'resource.type = "aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id = "1234567890" AND metric.type = "aiplatform.googleapis.com/prediction/online/prediction_latencies"',
        );
        assert.deepEqual(latency.aggregations[0].groupByFields, ["resource.label.endpoint_id"]);
        assert.equal(latency.thresholdValue, 2000);
    });

    it("adds a condition only for deployments with other thresholds, and no latency alert when latencyAlert is false", async () => {
        const { resources } = await run(
            () =>
                new GcpObservability("alerts", {
                    ...args,
                    vertexEndpoints: [],
                    latencyAlert: false,
                    additionalServing: [
                        { cloudRunServices: ["mlops-gcp-dev-fn-iris"], errorRatePercent: 10 },
                        { cloudRunServices: ["mlops-gcp-dev-infer-x"], errorRatePercent: 5 },
                    ],
                }),
        );
        const policies = ofType(resources, POLICY);
        assert.deepEqual(
            policies.map((p) => p.name),
            ["alerts-cloud-run-errors"],
        );
        const conditions = policies[0].inputs.conditions.map((c: any) => [
            c.conditionThreshold.thresholdValue,
            c.conditionThreshold.filter,
        ]);
        assert.deepEqual(
            conditions.map(([v]: [number]) => v),
            [0.05, 0.1],
        );
        assert.match(conditions[0][1], /service_name = monitoring\.regex\.full_match\("mlops-gcp-dev-infer-x\|mlops-gcp-dev-serve-iris"\)/);
        assert.match(conditions[1][1], /service_name = "mlops-gcp-dev-fn-iris" AND/);
    });

    it("names resources exactly: one by equality, several by a full match of the escaped names, in a stable order", () => {
        assert.equal(exactNames("job_name", ["a-job"]), 'resource.labels.job_name = "a-job"');
        assert.equal(exactNames("job_name", ["b", "a", "b"]), 'resource.labels.job_name = monitoring.regex.full_match("a|b")');
        assert.equal(exactNames("x", ["a.b"]), 'resource.labels.x = "a.b"');
        assert.equal(exactNames("x", ["a.b", "c"]), 'resource.labels.x = monitoring.regex.full_match("a\\\\.b|c")');
        assert.throws(() => exactNames("x", []), /no names/);
    });

    it("sends every alert to every channel: an email channel per address, a token-auth webhook channel per URL, and the channels it is given", async () => {
        const hook = "https://hooks.example.com/alerts?auth_token=s3cret";
        const shared = "projects/p-123456/notificationChannels/999";
        const { resources } = await run(
            () =>
                new GcpObservability("alerts", {
                    ...args,
                    notificationEmails: ["oncall@example.com", "ml@example.com"],
                    notificationWebhooks: [hook],
                    notificationChannels: [shared],
                }),
        );
        const channels = ofType(resources, "gcp:monitoring/notificationChannel:NotificationChannel");
        assert.deepEqual(
            channels.map((c) => [c.name, c.inputs.type, c.inputs.displayName]),
            [
                ["alerts-email-0", "email", "mlops-gcp-dev oncall@example.com"],
                ["alerts-email-1", "email", "mlops-gcp-dev ml@example.com"],
                ["alerts-webhook-0", "webhook_tokenauth", "mlops-gcp-dev webhook 1"],
            ],
        );
        assert.deepEqual(channels[1].inputs.labels, { email_address: "ml@example.com" });
        // The URL carries the token: the labels holding it are a secret (never printed by the plan).
        assert.equal(channels[2].inputs.labels, SECRET);
        assert.ok(!JSON.stringify(resources).includes("s3cret"), "the webhook URL leaks into the plan");
        const policies = ofType(resources, "gcp:monitoring/alertPolicy:AlertPolicy");
        assert.equal(policies.length, 4, "errors and latency, for Cloud Run and for Vertex AI");
        for (const p of policies) {
            assert.equal(p.inputs.notificationChannels.length, 4, p.name);
            assert.equal(p.inputs.notificationChannels[3], shared, p.name);
            for (const ch of p.inputs.notificationChannels.slice(0, 3))
                assert.match(ch, /^projects\/p-123456\/notificationChannels\/\d+$/, p.name);
        }
        assert.equal(new Set(policies[0].inputs.notificationChannels).size, 4, "one distinct channel per target");
    });

    it("sets the retention of the _Default log bucket only when asked", async () => {
        const { resources } = await run(() => new GcpObservability("alerts", args));
        const bucket = only(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
        assert.deepEqual([bucket.inputs.bucketId, bucket.inputs.location, bucket.inputs.retentionDays], ["_Default", "global", 30]);
        const without = await run(() => new GcpObservability("alerts", { ...args, serviceLogRetentionDays: undefined }));
        assert.equal(ofType(without.resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig").length, 0);
    });

    it("measures Vertex errors as error_count over prediction_count", () => {
        const c = servingConditions("vertex-endpoint", ["42"], 10, 500).errors.conditionThreshold as any;
        assert.equal(
            c.filter,
            'resource.type = "aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id = "42" AND metric.type = "aiplatform.googleapis.com/prediction/online/error_count"',
        );
        assert.match(c.denominatorFilter, /prediction\/online\/prediction_count/);
        assert.equal(c.thresholdValue, 0.1);
    });

    it("fails when thresholds, emails or webhooks are malformed", async () => {
        const { message, registered } = await rejectedBuild(
            () =>
                new GcpObservability("alerts", {
                    ...args,
                    errorRatePercent: 0,
                    latencyP95Ms: 1.5,
                    additionalServing: [{ cloudRunServices: ["x"], errorRatePercent: 101, latencyP95Ms: 0 }],
                    notificationEmails: ["nobody"],
                    notificationWebhooks: ["http://hooks.example.com/x?token=abc"],
                    serviceLogRetentionDays: 0,
                }),
            'GcpObservability "alerts"',
        );
        assert.match(message, /notificationWebhooks\[0\]: is not an https:\/\/ URL/);
        assert.doesNotMatch(message, /token=abc/, "the URL may carry a token: never echoed");
        assert.match(message, /errorRatePercent: must be more than 0 and at most 100/);
        assert.match(message, /latencyP95Ms: must be a whole number of milliseconds/);
        assert.match(message, /additionalServing\[0\]\.errorRatePercent: must be more than 0 and at most 100/);
        assert.match(message, /additionalServing\[0\]\.latencyP95Ms: must be a whole number of milliseconds/);
        assert.match(message, /notificationEmails\[0\]: is not an email address \(got "nobody"\)/);
        assert.match(message, /serviceLogRetentionDays: must be a whole number of days from 1 to 3650/);
        assert.deepEqual(registered, []);
    });
});
