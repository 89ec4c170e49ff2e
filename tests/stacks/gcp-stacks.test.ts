/**
 * Both shipped GCP stacks, planned end to end through the same loader and mocked engine as `npm run plan`,
 * checked for the invariants the platform promises (docs/security-baseline.md sections 1.2 and 4).
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { fitsGcpRule } from "../../components/naming/gcp";
import { capture } from "../../stacks/plan/capture";
import { Plan, PlanResource } from "../../stacks/plan/plan";
import { shippedPlan } from "../harness";
import { loadStackConfig } from "../../stacks/plan/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");

/** Resource types that hold data or keys: protected and retained in prod. */
const STATEFUL = [
    "gcp:storage/bucket:Bucket",
    "gcp:bigquery/dataset:Dataset",
    "gcp:kms/keyRing:KeyRing",
    "gcp:kms/cryptoKey:CryptoKey",
    "gcp:artifactregistry/repository:Repository",
    "gcp:vertex/aiMetadataStore:AiMetadataStore",
    "gcp:vertex/aiTensorboard:AiTensorboard",
    "gcp:workbench/instance:Instance",
];
const PUBLIC = /^(allUsers|allAuthenticatedUsers)$/;
const FORBIDDEN_PROJECT_ROLES = /^roles\/(owner|editor|viewer|iam\.serviceAccountUser|iam\.serviceAccountTokenCreator|.*[aA]dmin)$/;

/** The API each resource type needs (resources whose API the stack must enable). */
const API_OF: Record<string, string> = {
    storage: "storage.googleapis.com",
    bigquery: "bigquery.googleapis.com",
    kms: "cloudkms.googleapis.com",
    artifactregistry: "artifactregistry.googleapis.com",
    cloudrunv2: "run.googleapis.com",
    cloudfunctionsv2: "cloudfunctions.googleapis.com",
    vertex: "aiplatform.googleapis.com",
    workbench: "notebooks.googleapis.com",
    compute: "compute.googleapis.com",
    logging: "logging.googleapis.com",
    monitoring: "monitoring.googleapis.com",
    serviceaccount: "iam.googleapis.com",
};

function checkGcpInvariants(plan: Plan, environment: string, emails: readonly string[]): void {
    const prod = environment === "prod";
    let resources: PlanResource[] = [];
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    before(() => {
        resources = plan.resources;
    });

    it("keeps every bucket private, uniform, versioned, soft-deleting, CMEK-encrypted and access-logged", () => {
        const keyIds = new Set(ofType("gcp:kms/cryptoKey:CryptoKey").map((k) => k.id));
        const buckets = ofType("gcp:storage/bucket:Bucket");
        assert.ok(buckets.length >= 6);
        const logBuckets = buckets.filter((b) => b.name.endsWith("access-logs"));
        assert.equal(logBuckets.length, 1);
        for (const b of buckets) {
            assert.equal(b.inputs.uniformBucketLevelAccess, true, b.name);
            assert.equal(b.inputs.publicAccessPrevention, "enforced", b.name);
            assert.equal(b.inputs.versioning.enabled, true, b.name);
            assert.ok(b.inputs.softDeletePolicy.retentionDurationSeconds >= 7 * 86400, b.name);
            assert.ok(keyIds.has(b.inputs.encryption.defaultKmsKeyName), `${b.name} is not encrypted with a stack key`);
            if (b !== logBuckets[0]) assert.ok(b.inputs.logging?.logBucket, `${b.name} has no access logs`);
        }
    });

    it("encrypts every dataset, registry, Vertex resource and Workbench disk with a stack key", () => {
        const keyIds = new Set(ofType("gcp:kms/cryptoKey:CryptoKey").map((k) => k.id));
        for (const d of ofType("gcp:bigquery/dataset:Dataset")) {
            assert.ok(keyIds.has(d.inputs.defaultEncryptionConfiguration.kmsKeyName), d.name);
            assert.ok(
                d.inputs.accesses.every((a: any) => a.specialGroup?.startsWith("project") && !a.iamMember),
                d.name,
            );
        }
        for (const r of ofType("gcp:artifactregistry/repository:Repository")) assert.ok(keyIds.has(r.inputs.kmsKeyName), r.name);
        for (const type of [
            "gcp:vertex/aiMetadataStore:AiMetadataStore",
            "gcp:vertex/aiTensorboard:AiTensorboard",
            "gcp:vertex/aiEndpoint:AiEndpoint",
        ]) {
            for (const r of ofType(type)) assert.ok(keyIds.has(r.inputs.encryptionSpec.kmsKeyName), r.name);
        }
        for (const w of ofType("gcp:workbench/instance:Instance")) {
            assert.equal(w.inputs.gceSetup.disablePublicIp, true);
            assert.equal(w.inputs.gceSetup.bootDisk.diskEncryption, "CMEK");
            assert.ok(keyIds.has(w.inputs.gceSetup.bootDisk.kmsKey));
            assert.equal(w.inputs.gceSetup.shieldedInstanceConfig.enableVtpm, true);
        }
        for (const k of ofType("gcp:kms/cryptoKey:CryptoKey")) assert.ok(parseInt(k.inputs.rotationPeriod, 10) <= 90 * 86400, k.name);
    });

    it("grants no public access and no broad project role to any identity", () => {
        for (const type of [
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
            "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
        ]) {
            for (const m of ofType(type)) assert.doesNotMatch(m.inputs.member, PUBLIC, m.name);
        }
        for (const m of ofType("gcp:projects/iAMMember:IAMMember")) assert.doesNotMatch(m.inputs.role, FORBIDDEN_PROJECT_ROLES, m.name);
        for (const g of ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")) {
            assert.equal(g.inputs.role, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
            assert.match(g.inputs.member, /^serviceAccount:(service|bq)-\d+@/, "only Google service agents use the keys directly");
        }
    });

    it("serves only internally, with probes, explicit timeouts and deletion protection in prod", () => {
        const services = ofType("gcp:cloudrunv2/service:Service");
        assert.ok(services.length >= 1);
        for (const s of services) {
            assert.equal(s.inputs.ingress, "INGRESS_TRAFFIC_INTERNAL_ONLY", s.name);
            assert.equal(s.inputs.invokerIamDisabled, false);
            assert.equal(s.inputs.deletionProtection, prod, s.name);
            assert.match(s.inputs.template.timeout, /^\d+s$/);
            const [c] = s.inputs.template.containers;
            assert.ok(c.startupProbe?.httpGet && c.livenessProbe?.httpGet, `${s.name} lacks probes`);
            assert.ok(s.inputs.template.scaling.maxInstanceCount >= s.inputs.template.scaling.minInstanceCount);
            assert.ok(fitsGcpRule("cloudRunService", s.inputs.name), s.inputs.name);
        }
        for (const f of ofType("gcp:cloudfunctionsv2/function:Function"))
            assert.equal(f.inputs.serviceConfig.ingressSettings, "ALLOW_INTERNAL_ONLY");
        for (const a of ofType("gcp:serviceaccount/account:Account"))
            assert.ok(fitsGcpRule("serviceAccountId", a.inputs.accountId), a.inputs.accountId);
    });

    it(`protects and retains every store of data, model or key only in prod (this stack: ${environment}); keys always`, () => {
        const stateful = resources.filter((r) => STATEFUL.includes(r.type));
        assert.ok(stateful.length >= 15);
        for (const r of stateful) {
            const always = r.type.startsWith("gcp:kms/");
            assert.deepEqual(r.options, { protect: prod || always, retainOnDelete: prod || always }, r.name);
            if (prod) {
                assert.notEqual(r.inputs.forceDestroy, true, r.name);
                assert.notEqual(r.inputs.deleteContentsOnDestroy, true, r.name);
            }
        }
        const audit = ofType("gcp:logging/projectBucketConfig:ProjectBucketConfig").find((b) => b.inputs.bucketId !== "_Default")!;
        assert.deepEqual(audit.options, { protect: prod, retainOnDelete: prod });
        assert.equal(audit.inputs.locked, prod);
        assert.ok(audit.inputs.retentionDays >= 365);
    });

    it("logs Data Access for Cloud Storage, BigQuery and Vertex AI, and sets log retention", () => {
        const audits = ofType("gcp:projects/iAMAuditConfig:IAMAuditConfig")
            .map((a) => a.inputs.service)
            .sort();
        assert.deepEqual(audits, ["aiplatform.googleapis.com", "bigquery.googleapis.com", "storage.googleapis.com"]);
        const sink = ofType("gcp:logging/projectSink:ProjectSink")[0];
        assert.match(sink.inputs.filter, /cloudaudit.googleapis.com%2Fdata_access/);
        const defaultLogs = ofType("gcp:logging/projectBucketConfig:ProjectBucketConfig").find((b) => b.inputs.bucketId === "_Default")!;
        assert.equal(defaultLogs.inputs.retentionDays, 30);
    });

    it("enables every API it uses, leaving them on when the stack goes", () => {
        const enabled = new Set(ofType("gcp:projects/service:Service").map((s) => s.inputs.service));
        for (const s of ofType("gcp:projects/service:Service")) assert.equal(s.inputs.disableOnDestroy, false);
        const used = new Set(
            resources
                .filter((r) => r.type.startsWith("gcp:"))
                .map((r) => API_OF[r.type.split(":")[1].split("/")[0]])
                .filter(Boolean),
        );
        for (const api of used) assert.ok(enabled.has(api), `${api} is used but not enabled`);
    });

    it("alerts with one condition per kind of signal across the stack's resources (latency off in dev), each alert notifying every channel", () => {
        const all = ofType("gcp:monitoring/alertPolicy:AlertPolicy");
        const conditions = (name: string) => all.find((p) => p.name === name)?.inputs.conditions as { conditionThreshold: any }[];
        // Cloud Monitoring bills per condition (docs/gcp.md, "Alerts"): one per kind of deployment and signal, and one
        // PromQL condition for the loop (failed runs, failed arrivals, drift); dev leaves latency out (containerService.gcp.latencyAlert).
        assert.deepEqual(
            all.map((p) => [p.name, p.inputs.conditions.length]).sort(),
            (prod
                ? [
                      ["loop-alerts", 1],
                      ["serving-alerts-cloud-run-errors", 1],
                      ["serving-alerts-cloud-run-latency", 1],
                      ["serving-alerts-vertex-endpoint-errors", 1],
                      ["serving-alerts-vertex-endpoint-latency", 1],
                  ]
                : [
                      ["loop-alerts", 1],
                      ["serving-alerts-cloud-run-errors", 1],
                  ]
            ).sort(),
        );
        // The Cloud Run conditions name exactly the stack's services and functions (a function runs on a
        // Cloud Run service of its name), grouped per service; Vertex AI's name its endpoints.
        const services = [...ofType("gcp:cloudrunv2/service:Service"), ...ofType("gcp:cloudfunctionsv2/function:Function")]
            .map((r) => r.inputs.name as string)
            .sort();
        assert.equal(services.length, prod ? 1 : 2);
        const exactly = (label: string, names: string[]) =>
            names.length === 1
                ? `resource.labels.${label} = "${names[0]}"`
                : `resource.labels.${label} = monitoring.regex.full_match("${names.join("|")}")`;
        const runErrors = conditions("serving-alerts-cloud-run-errors")[0].conditionThreshold;
        assert.equal(
            runErrors.filter,
            `resource.type = "cloud_run_revision" AND ${exactly("service_name", services)} AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"`,
        );
        assert.deepEqual(runErrors.aggregations[0].groupByFields, ["resource.label.service_name"]);
        assert.equal(runErrors.thresholdValue, 0.05);
        if (prod) {
            const endpoints = ofType("gcp:vertex/aiEndpoint:AiEndpoint").map((r) => r.inputs.name as string);
            const vertex = conditions("serving-alerts-vertex-endpoint-latency")[0].conditionThreshold;
            assert.ok(vertex.filter.includes(exactly("endpoint_id", endpoints)), vertex.filter);
            assert.deepEqual(vertex.aggregations[0].groupByFields, ["resource.label.endpoint_id"]);
            assert.equal(vertex.thresholdValue, 2000);
            assert.equal(conditions("serving-alerts-cloud-run-latency")[0].conditionThreshold.thresholdValue, 2000);
        }
        // The loop's one condition: each job and workflow of the stack by its exact name, and the stack's drift metric.
        const loop = (all.find((p) => p.name === "loop-alerts")!.inputs.conditions as { conditionPrometheusQueryLanguage: any }[])[0]
            .conditionPrometheusQueryLanguage.query as string;
        const promqlExactly = (label: string, names: string[]) =>
            names.length === 1 ? `${label}="${names[0]}"` : `${label}=~"${names.join("|")}"`;
        const jobs = ofType("gcp:cloudrunv2/job:Job").filter((j) => j.name.startsWith("pipelines-"));
        const workflows = ofType("gcp:workflows/workflow:Workflow").filter((w) => w.name.startsWith("pipelines-"));
        const metric = ofType("gcp:logging/metric:Metric").find((m) => m.name === "training-drifted-features")!;
        assert.equal(
            loop,
            [
                `(sum by (job_name) (increase({"run.googleapis.com/job/completed_execution_count", monitored_resource="cloud_run_job", ${promqlExactly("job_name", jobs.map((j) => j.inputs.name).sort())}, result="failed"}[5m])) > 0)`,
                `(sum by (workflow_id) (increase({"workflows.googleapis.com/finished_execution_count", monitored_resource="workflows.googleapis.com/Workflow", ${promqlExactly("workflow_id", workflows.map((w) => w.inputs.name).sort())}, status="FAILED"}[5m])) > 0)`,
                `(sum by (model) (increase({"logging.googleapis.com/user/${metric.inputs.name}", monitored_resource="cloud_run_job"}[1h])) > 0)`,
            ].join(" or "),
        );
        // One channel per mlops:notifications target, shared by every alert component (never duplicated).
        const channels = ofType("gcp:monitoring/notificationChannel:NotificationChannel");
        assert.deepEqual(
            channels.map((c) => [c.inputs.type, c.inputs.labels.email_address]),
            emails.map((e) => ["email", e]),
        );
        for (const p of all) {
            assert.equal(new Set(p.inputs.notificationChannels).size, channels.length, p.name);
            for (const n of p.inputs.notificationChannels) assert.match(n, /^projects\/[a-z0-9-]+\/notificationChannels\/\d+$/, p.name);
        }
        if (prod)
            assert.ok(channels.length > 0 && all.every((p) => p.inputs.notificationChannels.length > 0), "prod alerts must reach someone");
    });

    it("creates no Vertex metadata store (Vertex AI creates `default` itself) and tracks experiments in `default`", () => {
        assert.deepEqual(ofType("gcp:vertex/aiMetadataStore:AiMetadataStore"), []);
    });

    it("exports the cloud-neutral outputs", () => {
        const o = plan.outputs as any;
        assert.deepEqual(Object.keys(o.dataLake.buckets), ["raw", "curated", "features", "models"]);
        assert.equal(o.dataLake.endpoint, "https://storage.googleapis.com");
        assert.match(o.mlPlatform.trackingUri, /^projects\/.+\/metadataStores\/default$/);
        assert.match(o.mlPlatform.modelRegistry, /^projects\/.+\/models$/);
        assert.ok(o.mlPlatform.training.compute);
        assert.match(o.containerService.endpoints.iris, /^https:\/\//);
        assert.match(o.serverlessInference.endpoints.iris, /^https:\/\//);
    });
}

describe("GCP stacks, planned end to end", () => {
    for (const stack of ["gcp-dev", "gcp-prod"]) {
        const config = loadStackConfig(ROOT, stack).config;
        const environment = config["mlops:environment"];
        const emails: string[] = JSON.parse(config["mlops:notifications"] ?? "{}").emails ?? [];
        describe(`${stack} (${environment})`, () => {
            const plan: Plan = { stack, project: "mlops", resources: [], outputs: {} };
            before(async () => Object.assign(plan, await shippedPlan(stack)));
            checkGcpInvariants(plan, environment, emails);
        });
    }

    describe("gcp-dev: the sample model, served with no build or push, scaling to zero on demand", () => {
        const plan: Plan = { stack: "gcp-dev", project: "mlops", resources: [], outputs: {} };
        before(async () => Object.assign(plan, await shippedPlan("gcp-dev")));
        const one = (type: string, name: string) => {
            const found = plan.resources.filter((r) => r.type === type && r.name === name);
            assert.equal(found.length, 1, `${type} ${name}`);
            return found[0];
        };

        it("runs the pinned public Python image on Cloud Run with the sample files mounted from their bucket", () => {
            const s = one("gcp:cloudrunv2/service:Service", "serving-iris-service");
            const [c] = s.inputs.template.containers;
            assert.equal(c.image, "python:3.12.12-slim-bookworm");
            assert.deepEqual(c.commands, ["python", "/app/serve.py"]);
            const files = one("gcp:storage/bucket:Bucket", "serving-iris-files");
            assert.deepEqual(s.inputs.template.volumes, [
                { name: "app", gcs: { bucket: files.inputs.name ?? s.inputs.template.volumes[0].gcs.bucket, readOnly: true } },
            ]);
            const objects = plan.resources
                .filter((r) => r.type === "gcp:storage/bucketObject:BucketObject" && r.name.startsWith("serving-iris-file-"))
                .map((r) => r.inputs.name);
            assert.deepEqual(objects.sort(), ["lakeio.py", "model.json", "serve.py"]);
            assert.equal(s.inputs.template.nodeSelector, undefined, "dev has no GPU");
        });

        it("builds the Cloud Function from the uploaded source archive and lets it scale to zero", () => {
            const fn = one("gcp:cloudfunctionsv2/function:Function", "inference-iris");
            assert.equal(fn.inputs.serviceConfig.minInstanceCount, 0);
            assert.equal(fn.inputs.buildConfig.entryPoint, "predict");
            const archive = one("gcp:storage/bucketObject:BucketObject", "inference-iris-source");
            assert.equal(fn.inputs.buildConfig.source.storageSource.object, archive.inputs.name);
        });

        it("lets the training identity (Workbench) call the models, and nobody else by default", () => {
            const members = plan.resources
                .filter((r) => r.type === "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")
                .map((r) => r.inputs.member);
            assert.deepEqual([...new Set(members)], ["serviceAccount:mlops-gcp-dev-train@mlops-dev-example.iam.gserviceaccount.com"]);
        });
    });

    describe("gcp-prod: accelerated serving with replica floors", () => {
        const plan: Plan = { stack: "gcp-prod", project: "mlops", resources: [], outputs: {} };
        before(async () => Object.assign(plan, await shippedPlan("gcp-prod")));

        it("serves on Cloud Run with one nvidia-l4, 4 vCPU / 16 GiB, CPU always allocated, at least two instances", () => {
            const s = plan.resources.find((r) => r.name === "serving-iris-service")!;
            const t = s.inputs.template;
            assert.deepEqual(t.nodeSelector, { accelerator: "nvidia-l4" });
            assert.equal(t.gpuZonalRedundancyDisabled, false, "prod spreads GPU instances over zones");
            assert.deepEqual(t.containers[0].resources.limits, { cpu: "4", memory: "16384Mi", "nvidia.com/gpu": "1" });
            assert.equal(t.containers[0].resources.cpuIdle, false);
            assert.ok(t.scaling.minInstanceCount >= 2);
        });

        it("hands the pipeline a Vertex deployment on the catalog's L4 machine with two replicas at least", () => {
            const deploy = (plan.outputs as any).serverlessInference.deploySettings.iris;
            assert.deepEqual(
                { machineType: deploy.machineType, acceleratorType: deploy.acceleratorType, acceleratorCount: deploy.acceleratorCount },
                { machineType: "g2-standard-4", acceleratorType: "NVIDIA_L4", acceleratorCount: 1 },
            );
            assert.ok(deploy.minReplicaCount >= 2 && deploy.maxReplicaCount >= deploy.minReplicaCount);
            const endpoint = plan.resources.find((r) => r.type === "gcp:vertex/aiEndpoint:AiEndpoint")!;
            assert.equal(endpoint.inputs.dedicatedEndpointEnabled, true);
        });

        it("resolves training on the catalog's L4 machine", () => {
            assert.deepEqual((plan.outputs as any).mlPlatform.training, {
                accelerator: "nvidia-l4",
                acceleratorCount: 1,
                compute: "g2-standard-4",
                acceleratorType: "NVIDIA_L4",
                maxNodes: 4,
                spot: true,
                serviceAccount: "mlops-gcp-prod-train@mlops-prod-example.iam.gserviceaccount.com",
            });
        });
    });

    it("keeps every log, audit log and data store untouched by routine serving edits (accelerator, endpoint access, implementation, replicas)", async () => {
        const base = await shippedPlan("gcp-prod");
        const loaded = loadStackConfig(ROOT, "gcp-prod");
        const models = JSON.parse(loaded.config["mlops:models"]);
        const serverless = JSON.parse(loaded.config["mlops:serverlessInference"]);
        const notifications = JSON.parse(loaded.config["mlops:notifications"]);
        const edits: Record<string, string> = {
            // nvidia-l4 -> CPU only, other replica counts: replaces nothing that holds logs or data.
            "mlops:models": JSON.stringify(models.map((m: any) => ({ ...m, accelerator: undefined, minReplicas: 3, maxReplicas: 5 }))),
            // Private Service Connect is immutable on a Vertex endpoint: the endpoint is replaced, its logs are not.
            "mlops:serverlessInference": JSON.stringify({
                ...serverless,
                gcp: { ...serverless.gcp, endpointAccess: "private-service-connect" },
            }),
            "mlops:notifications": JSON.stringify({ ...notifications, webhooks: ["https://hooks.example.com/alerts?auth_token=t0ken"] }),
        };
        const { readStackConfig } = await import("../../stacks/config/read");
        const { buildStack } = await import("../../stacks/build");
        const planOf = async (config: Record<string, string>) =>
            (
                await capture({ project: loaded.project, stack: "gcp-prod", config, secretKeys: loaded.secretKeys }, () =>
                    buildStack(readStackConfig(ROOT)),
                )
            ).resources;
        const edited = await planOf({ ...loaded.config, ...edits });
        const implementation = await planOf({
            ...loaded.config,
            "mlops:serverlessInference": JSON.stringify({ ...serverless, implementation: "cloud-run" }),
        });
        // Logs of Cloud Run, functions and endpoints live in the project's _Default bucket, not per service.
        const HOLDERS = [
            "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            "gcp:logging/projectSink:ProjectSink",
            "random:index/randomString:RandomString",
            "gcp:storage/bucket:Bucket",
            "gcp:bigquery/dataset:Dataset",
            "gcp:kms/cryptoKey:CryptoKey",
            "gcp:vertex/aiTensorboard:AiTensorboard",
            "gcp:artifactregistry/repository:Repository",
        ];
        const holders = base.resources.filter((r) => HOLDERS.includes(r.type));
        assert.ok(
            holders.filter((r) => r.type.startsWith("gcp:logging/")).length >= 3,
            "the audit bucket, its sink and _Default retention",
        );
        for (const after of [edited, implementation]) {
            for (const r of holders) {
                const same = after.find((a) => a.urn === r.urn);
                assert.ok(same, `${r.name} would be deleted`);
                assert.deepEqual([same.inputs, same.options], [r.inputs, r.options], `${r.name} would change`);
            }
        }
        // The edit did take effect where it should (so the comparison above is not vacuous).
        const endpoint = (rs: typeof edited) => rs.find((r) => r.type === "gcp:vertex/aiEndpoint:AiEndpoint")!;
        assert.notEqual(
            endpoint(edited).inputs.name,
            base.resources.find((r) => r.type === "gcp:vertex/aiEndpoint:AiEndpoint")!.inputs.name,
        );
        assert.equal(edited.filter((r) => r.type === "gcp:monitoring/notificationChannel:NotificationChannel").length, 2);
    });

    it("makes every GCP resource wait for the project's APIs (a fresh project works on the first up)", async () => {
        const loaded = loadStackConfig(ROOT, "gcp-dev");
        const waits: { type: string; name: string; onApi: boolean }[] = [];
        const { readStackConfig } = await import("../../stacks/config/read");
        const { buildStack } = await import("../../stacks/build");
        await capture({ project: loaded.project, stack: "gcp-dev", config: loaded.config }, async () => {
            pulumi.runtime.registerStackTransformation((a) => {
                const deps = (Array.isArray(a.opts.dependsOn) ? a.opts.dependsOn : []) as pulumi.Resource[];
                waits.push({
                    type: a.type,
                    name: a.name,
                    onApi: deps.some(
                        (d) => (d as any).__pulumiType === "gcp:projects/service:Service" || String((d as any).__name).startsWith("apis-"),
                    ),
                });
                return undefined;
            });
            return buildStack(readStackConfig());
        });
        const gcpResources = waits.filter((w) => w.type.startsWith("gcp:") && w.type !== "gcp:projects/service:Service");
        assert.ok(gcpResources.length > 50);
        // Bucket objects take their bucket as an input, so they wait for it (and it for the APIs).
        const unordered = gcpResources.filter((w) => !w.onApi && w.type !== "gcp:storage/bucketObject:BucketObject");
        assert.deepEqual(unordered, []);
    });
});
