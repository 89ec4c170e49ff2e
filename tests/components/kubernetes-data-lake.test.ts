import * as assert from "node:assert/strict";
import { MinioDataLake } from "../../components/data-lake/kubernetes";
import { MinioDataLakeArgs, erasureSetSize } from "../../components/data-lake/kubernetes-args";
import { bucketPolicyJson, lifecycleJson, minioServerArgs, setupScript } from "../../components/data-lake/kubernetes-minio";
import { isValidBucketName } from "../../components/naming/kubernetes";
import { CapturedResource, captureResources, ofType, only, rejectedBuild, podSpec, valueOf } from "../harness";

const NS = "kubernetes:core/v1:Namespace";
const STS = "kubernetes:apps/v1:StatefulSet";
const JOB = "kubernetes:batch/v1:Job";
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const baseArgs: MinioDataLakeArgs = {
    namespace: "lake",
    zones: ["raw", "curated", "features", "models"],
    clientNamespaces: ["ml", "training"],
    tags: { "mlops.dev/stack": "test" },
};

// OnRootMismatch: the kubelet chowns a volume only when needed, not every file on every restart.
const RESTRICTED_POD = {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};
const RESTRICTED_CONTAINER = {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
/** What the mocked engine returns for a 40-character RandomPassword (stacks/plan/mocks/kubernetes.ts). */
const MOCK_PASSWORD = "x".repeat(40);
const SERVER_LABELS = { "app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": "lake" };

async function build(args: MinioDataLakeArgs = baseArgs): Promise<{ resources: CapturedResource[]; lake: MinioDataLake }> {
    let lake: MinioDataLake | undefined;
    const { resources } = await captureResources(() => {
        lake = new MinioDataLake("lake", args);
    });
    return { resources, lake: lake! };
}

const rejected = (args: MinioDataLakeArgs) => rejectedBuild(() => new MinioDataLake("lake", args), 'MinioDataLake "lake"');

describe("MinioDataLake (kubernetes)", () => {
    let resources: CapturedResource[];
    let lake: MinioDataLake;
    before(async () => {
        ({ resources, lake } = await build());
    });

    it("creates its own restricted namespace with a default-deny policy", () => {
        const ns = only(resources, NS, "lake-ns");
        assert.equal(ns.inputs.metadata.name, "lake");
        assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(ns.inputs.metadata.labels["mlops.dev/stack"], "test");
        const deny = only(resources, POLICY, "lake-deny-all");
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== NS)) {
            assert.equal(r.inputs.metadata.namespace, "lake", `${r.name} is outside the lake namespace`);
        }
    });

    it("names every child from the component and parents it to the component", () => {
        const component = only(resources, "mlops:index:MinioDataLake", "lake");
        for (const r of resources.filter((x) => x.custom)) {
            assert.ok(r.name.startsWith("lake-"), r.name);
            assert.equal(r.parent, component.urn, `${r.name} is not a child of the component`);
        }
    });

    it("runs MinIO as a StatefulSet with one retained volume per drive, so erasure coding is on", () => {
        const sts = only(resources, STS, "lake-minio");
        assert.equal(sts.inputs.metadata.name, "lake");
        assert.equal(sts.inputs.spec.replicas, 1);
        assert.equal(sts.inputs.spec.podManagementPolicy, "Parallel");
        assert.equal(sts.inputs.spec.serviceName, "lake-hl");
        assert.deepEqual(sts.inputs.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.deepEqual(podSpec(sts).containers[0].args, ["server", "--address", ":9000", "/data{0...3}"]);
        assert.deepEqual(
            sts.inputs.spec.volumeClaimTemplates.map((t: any) => [
                t.metadata.name,
                t.spec.accessModes,
                t.spec.resources.requests.storage,
                t.spec.storageClassName,
            ]),
            [0, 1, 2, 3].map((i) => [`data-${i}`, ["ReadWriteOnce"], "10Gi", undefined]),
        );
        // Claim templates are immutable (the provider replaces the StatefulSet when they change): fixed labels only, no tags.
        for (const t of sts.inputs.spec.volumeClaimTemplates) assert.deepEqual(t.metadata.labels, SERVER_LABELS);
        assert.deepEqual(
            podSpec(sts).containers[0].volumeMounts.filter((m: any) => m.name.startsWith("data-")),
            [0, 1, 2, 3].map((i) => ({ name: `data-${i}`, mountPath: `/data${i}` })),
        );
    });

    it("keeps the data volumes on a routine edit (images, tags, retention, clients): the StatefulSet is updated, never replaced or renamed", async () => {
        const { resources: r } = await build({
            ...baseArgs,
            protectData: false,
            image: "quay.io/minio/minio:RELEASE.2025-10-15T17-29-55Z",
            clientImage: "quay.io/minio/mc:RELEASE.2025-10-01T00-00-00Z",
            tags: { "mlops.dev/stack": "test", team: "data" },
            noncurrentVersionRetentionDays: 90,
            abortIncompleteUploadDays: 3,
            clientNamespaces: ["ml", "training", "etl"],
        });
        const before = only(resources, STS, "lake-minio");
        const after = only(r, STS, "lake-minio");
        // PVCs are named <template>-<StatefulSet name>-<ordinal>; Kubernetes forbids updating any spec field but
        // replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds and ordinals.
        const identity = (sts: CapturedResource) => {
            const { replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds, ordinals, ...immutable } =
                sts.inputs.spec;
            return {
                urn: sts.urn,
                name: sts.inputs.metadata.name,
                namespace: sts.inputs.metadata.namespace,
                immutable,
                retention: persistentVolumeClaimRetentionPolicy,
            };
        };
        assert.deepEqual(identity(after), identity(before));
        assert.deepEqual(identity(after).retention, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.equal(podSpec(after).containers[0].image, "quay.io/minio/minio:RELEASE.2025-10-15T17-29-55Z");
        for (const [type, name] of [
            [NS, "lake-ns"],
            [SECRET, "lake-credentials"],
        ]) {
            assert.deepEqual(only(r, type, name).inputs.metadata.name, only(resources, type, name).inputs.metadata.name, name);
        }
    });

    it("keeps the setup Job and its logs when new zones, retention or client image replace it", async () => {
        assert.equal(only(resources, JOB, "lake-setup").options.retainOnDelete, true);
        const { resources: r } = await build({ ...baseArgs, protectData: false });
        assert.equal(only(r, JOB, "lake-setup").options.retainOnDelete, true);
    });

    it("spreads drives over servers through the headless Service", async () => {
        const { resources: r } = await build({
            ...baseArgs,
            servers: 4,
            drivesPerServer: 2,
            volumeSizeGiB: 50,
            storageClassName: "fast-ssd",
        });
        const sts = only(r, STS, "lake-minio");
        assert.equal(sts.inputs.spec.replicas, 4);
        assert.deepEqual(podSpec(sts).containers[0].args, [
            "server",
            "--address",
            ":9000",
            "http://lake-{0...3}.lake-hl.lake.svc.cluster.local:9000/data{0...1}",
        ]);
        assert.deepEqual(
            sts.inputs.spec.volumeClaimTemplates.map((t: any) => [
                t.metadata.name,
                t.spec.resources.requests.storage,
                t.spec.storageClassName,
            ]),
            [
                ["data-0", "50Gi", "fast-ssd"],
                ["data-1", "50Gi", "fast-ssd"],
            ],
        );
        const headless = only(r, SERVICE, "lake-headless");
        assert.equal(headless.inputs.spec.clusterIP, "None");
        assert.equal(headless.inputs.spec.publishNotReadyAddresses, true);
        assert.deepEqual(headless.inputs.spec.selector, SERVER_LABELS);
        const api = only(r, SERVICE, "lake-api");
        assert.deepEqual([api.inputs.metadata.name, api.inputs.spec.type, api.inputs.spec.ports[0].port], ["lake", "ClusterIP", 9000]);
    });

    it("runs every pod under the restricted profile, with pinned images, limits and no service-account token", () => {
        const pods = [only(resources, STS, "lake-minio"), only(resources, JOB, "lake-setup")].map(podSpec);
        for (const pod of pods) {
            assert.equal(pod.automountServiceAccountToken, false);
            assert.deepEqual(pod.securityContext, RESTRICTED_POD);
            for (const c of pod.containers) {
                assert.deepEqual(c.securityContext, RESTRICTED_CONTAINER, c.name);
                assert.ok(
                    c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory,
                    c.name,
                );
                assert.deepEqual(
                    c.volumeMounts.find((m: any) => m.mountPath === "/tmp"),
                    { name: "tmp", mountPath: "/tmp" },
                );
            }
            assert.ok(
                pod.volumes.some((v: any) => v.name === "tmp" && v.emptyDir),
                "no writable /tmp",
            );
        }
        assert.equal(pods[0].containers[0].image, "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
        assert.equal(pods[1].containers[0].image, "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z");
        assert.deepEqual(pods[0].containers[0].resources, {
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "1", memory: "2Gi" },
        });
    });

    it("probes MinIO's liveness and readiness endpoints", () => {
        const c = podSpec(only(resources, STS, "lake-minio")).containers[0];
        assert.deepEqual(c.livenessProbe.httpGet, { path: "/minio/health/live", port: 9000 });
        assert.deepEqual(c.readinessProbe.httpGet, { path: "/minio/health/ready", port: 9000 });
    });

    it("keeps credentials and the KMS key in a secret Secret mounted as files, never in env or the spec", () => {
        const secret = only(resources, SECRET, "lake-credentials");
        assert.equal(secret.inputs.stringData, "[secret]", "the Secret's data is not marked secret");
        const sts = podSpec(only(resources, STS, "lake-minio"));
        const env = Object.fromEntries(sts.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.MINIO_ROOT_USER_FILE, "/etc/minio/secrets/root-user");
        assert.equal(env.MINIO_ROOT_PASSWORD_FILE, "/etc/minio/secrets/root-password");
        assert.equal(env.MINIO_KMS_SECRET_KEY_FILE, "/etc/minio/secrets/kms-secret-key");
        for (const name of ["MINIO_ROOT_PASSWORD", "MINIO_KMS_SECRET_KEY", "MINIO_ROOT_USER"]) assert.equal(env[name], undefined, name);
        const items = (pod: any) => pod.volumes.find((v: any) => v.name === "credentials").secret.items.map((i: any) => i.key);
        assert.deepEqual(items(sts), ["root-user", "root-password", "kms-secret-key"]);
        assert.deepEqual(items(podSpec(only(resources, JOB, "lake-setup"))), ["root-user", "root-password", "mlflow-secret-key"]);
        for (const r of resources.filter((x) => x.type !== SECRET)) {
            assert.ok(!JSON.stringify(r.inputs).includes(MOCK_PASSWORD), `${r.name} carries a generated secret in its inputs`);
        }
    });

    it("encrypts at rest: a 32-byte static KMS key and SSE-S3 default encryption on every bucket", () => {
        assert.equal(only(resources, "random:index/randomBytes:RandomBytes", "lake-kms-key").inputs.length, 32);
        const script = podSpec(only(resources, JOB, "lake-setup")).containers[0].command[2];
        for (const zone of baseArgs.zones) assert.ok(script.includes(`mc encrypt set sse-s3 lake/${zone}\n`), zone);
    });

    it("creates, versions and sets the lifecycle of one bucket per zone in the setup Job", () => {
        const c = podSpec(only(resources, JOB, "lake-setup")).containers[0];
        assert.deepEqual(c.command.slice(0, 2), ["/bin/sh", "-c"]);
        assert.equal(
            c.command[2],
            setupScript({
                host: "lake.lake.svc.cluster.local",
                zones: baseArgs.zones,
                modelsZone: "models",
                noncurrentVersionRetentionDays: 30,
            }),
        );
        for (const zone of baseArgs.zones) {
            for (const step of [
                `mc mb --ignore-existing lake/${zone}`,
                `mc version enable lake/${zone}`,
                `| mc ilm rule import lake/${zone}`,
            ]) {
                assert.ok(c.command[2].includes(step), step);
            }
        }
        assert.ok(c.command[2].includes('"NoncurrentDays":30'));
        assert.ok(c.command[2].startsWith("set -eu\n"));
    });

    it("expires noncurrent versions and stale uploads after the configured days", async () => {
        const { resources: r } = await build({ ...baseArgs, noncurrentVersionRetentionDays: 14, abortIncompleteUploadDays: 3 });
        assert.ok(podSpec(only(r, JOB, "lake-setup")).containers[0].command[2].includes('"NoncurrentDays":14'));
        const env = podSpec(only(r, STS, "lake-minio")).containers[0].env;
        assert.deepEqual(
            env.find((e: any) => e.name === "MINIO_API_STALE_UPLOADS_EXPIRY"),
            { name: "MINIO_API_STALE_UPLOADS_EXPIRY", value: "72h" },
        );
        const byDefault = podSpec(only(resources, STS, "lake-minio")).containers[0].env;
        assert.equal(byDefault.find((e: any) => e.name === "MINIO_API_STALE_UPLOADS_EXPIRY").value, "168h");
    });

    it("gives MLflow a user limited to the models bucket", () => {
        const script: string = podSpec(only(resources, JOB, "lake-setup")).containers[0].command[2];
        assert.ok(script.includes("mc admin policy create lake mlflow-models-rw /tmp/mlflow-models-rw.json"));
        assert.ok(script.includes("mc admin policy attach lake mlflow-models-rw --user mlflow\n"));
        const policy = JSON.parse(bucketPolicyJson("models"));
        const resourcesAllowed = policy.Statement.flatMap((s: any) => s.Resource);
        assert.deepEqual(resourcesAllowed, ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]);
        const actions: string[] = policy.Statement.flatMap((s: any) => s.Action);
        assert.ok(!actions.some((a) => a.includes("*")), "wildcard action");
        assert.ok(!actions.includes("s3:DeleteObjectVersion"), "the user could purge versions");
    });

    it("lets only its own namespace and the client namespaces reach the S3 port", () => {
        const s3 = only(resources, POLICY, "lake-allow-s3");
        assert.deepEqual(s3.inputs.spec, {
            podSelector: { matchLabels: SERVER_LABELS },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: {} },
                        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ml" } } },
                        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "training" } } },
                    ],
                    ports: [{ protocol: "TCP", port: 9000 }],
                },
            ],
        });
        const toServers = { to: [{ podSelector: { matchLabels: SERVER_LABELS } }], ports: [{ protocol: "TCP", port: 9000 }] };
        assert.deepEqual(only(resources, POLICY, "lake-allow-peers").inputs.spec, {
            podSelector: { matchLabels: SERVER_LABELS },
            policyTypes: ["Egress"],
            egress: [toServers],
        });
        assert.deepEqual(only(resources, POLICY, "lake-allow-setup").inputs.spec, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "minio-setup", "app.kubernetes.io/instance": "lake" } },
            policyTypes: ["Egress"],
            egress: [toServers],
        });
        const dns = only(resources, POLICY, "lake-allow-dns");
        assert.deepEqual(dns.inputs.spec.podSelector, { matchLabels: { "app.kubernetes.io/instance": "lake" } });
        assert.deepEqual(dns.inputs.spec.egress[0].ports, [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ]);
        assert.equal(ofType(resources, POLICY).length, 5);
    });

    it("protects and retains the namespace, StatefulSet, Secret and keys by default", () => {
        for (const [type, name] of [
            [NS, "lake-ns"],
            [STS, "lake-minio"],
            [SECRET, "lake-credentials"],
        ]) {
            assert.deepEqual(only(resources, type, name).options, { protect: true, retainOnDelete: true }, name);
        }
        for (const [type, name] of [
            ["random:index/randomBytes:RandomBytes", "lake-kms-key"],
            ["random:index/randomPassword:RandomPassword", "lake-root-password"],
        ]) {
            assert.equal(only(resources, type, name).options.protect, true, name);
        }
    });

    it("neither protects nor retains anything when protectData is false", async () => {
        const { resources: r } = await build({ ...baseArgs, protectData: false });
        for (const [type, name] of [
            [NS, "lake-ns"],
            [STS, "lake-minio"],
            [SECRET, "lake-credentials"],
            ["random:index/randomBytes:RandomBytes", "lake-kms-key"],
        ]) {
            assert.deepEqual(only(r, type, name).options, { protect: false, retainOnDelete: false }, name);
        }
    });

    it("exposes bucket names, the endpoint, the namespace and secret credentials", async () => {
        assert.deepEqual(await valueOf(lake.bucketNames), { raw: "raw", curated: "curated", features: "features", models: "models" });
        assert.equal(await valueOf(lake.endpoint), "http://lake.lake.svc.cluster.local:9000");
        assert.equal(await valueOf(lake.namespaceName), "lake");
        assert.equal(await valueOf(lake.mlflowAccessKeyId), "mlflow");
        assert.equal(await valueOf(lake.mlflowSecretAccessKey), MOCK_PASSWORD);
        assert.equal(await valueOf(lake.accessKeyId), "lake-root");
        for (const out of [lake.accessKeyId, lake.secretAccessKey, lake.mlflowAccessKeyId, lake.mlflowSecretAccessKey]) {
            assert.equal(await (out as any).isSecret, true);
        }
        assert.equal(await (lake.endpoint as any).isSecret, false);
    });

    describe("validation", () => {
        it("fails when servers x drivesPerServer leaves MinIO without erasure coding", async () => {
            const { message, registered } = await rejected({ ...baseArgs, servers: 1, drivesPerServer: 1 });
            assert.ok(message.includes("servers x drivesPerServer: does not give MinIO an erasure-coded layout"), message);
            assert.ok(message.includes('(got "1 x 1")'), message);
            assert.deepEqual(registered, []);
        });

        it("fails when the drives cannot be split into equal erasure sets", async () => {
            const { message } = await rejected({ ...baseArgs, servers: 17, drivesPerServer: 1 });
            assert.ok(message.includes('(got "17 x 1")'), message);
        });

        it("fails when a zone is not a valid bucket name, is repeated, or there are none", async () => {
            const bad = await rejected({ ...baseArgs, zones: ["Raw_Zone", "ok", "models", "models"] });
            assert.ok(
                bad.message.includes('zones[0]: is not a valid bucket name (the zone is the bucket name) (got "Raw_Zone")'),
                bad.message,
            );
            assert.ok(bad.message.includes("zones[1]: is not a valid bucket name"), bad.message);
            assert.ok(bad.message.includes('zones[3]: is listed twice (got "models")'), bad.message);
            const none = await rejected({ ...baseArgs, zones: [] });
            assert.ok(none.message.includes("zones: must name at least one zone"), none.message);
        });

        it("fails when modelsZone is not one of the zones", async () => {
            const { message } = await rejected({ ...baseArgs, zones: ["raw"] });
            assert.ok(message.includes('modelsZone: is not one of the zones (got "models"). Allowed: raw.'), message);
        });

        it("fails when the namespace is default or a namespace name is invalid", async () => {
            const { message } = await rejected({ ...baseArgs, namespace: "default", clientNamespaces: ["Bad_NS"] });
            assert.ok(message.includes('namespace: must not be the `default` namespace (CKV_K8S_21) (got "default")'), message);
            assert.ok(message.includes('clientNamespaces[0]: is not a valid namespace name (got "Bad_NS")'), message);
        });

        it("fails when an image is not pinned", async () => {
            const { message } = await rejected({ ...baseArgs, image: "quay.io/minio/minio:latest", clientImage: "quay.io/minio/mc" });
            assert.ok(message.includes('image: is not pinned to a tag or digest (CKV_K8S_14) (got "quay.io/minio/minio:latest")'), message);
            assert.ok(message.includes('clientImage: is not pinned to a tag or digest (CKV_K8S_14) (got "quay.io/minio/mc")'), message);
        });

        it("fails when sizes or day counts are not positive whole numbers", async () => {
            const { message } = await rejected({
                ...baseArgs,
                volumeSizeGiB: 0,
                noncurrentVersionRetentionDays: 1.5,
                abortIncompleteUploadDays: -1,
                servers: 40,
            });
            assert.ok(message.includes("volumeSizeGiB: must be a whole number of at least 1 (got 0)"), message);
            assert.ok(message.includes("noncurrentVersionRetentionDays: must be a whole number of at least 1 (got 1.5)"), message);
            assert.ok(message.includes("abortIncompleteUploadDays: must be a whole number of at least 1 (got -1)"), message);
            assert.ok(message.includes("servers: must be a whole number from 1 to 32 (got 40)"), message);
        });

        it("fails when a tag is not a valid Kubernetes label", async () => {
            const { message } = await rejected({ ...baseArgs, tags: { team: "data science" } });
            assert.ok(message.includes('tags.team: is not a valid Kubernetes label (got "data science")'), message);
        });

        it("fails with every problem at once, before registering anything", async () => {
            const { message, registered } = await rejected({
                ...baseArgs,
                namespace: "default",
                zones: ["x"],
                drivesPerServer: 1,
                image: "minio",
            });
            assert.match(message, /is invalid \(5 problems\)/);
            assert.deepEqual(registered, []);
        });
    });
});

describe("kubernetes-minio and the erasure rule (pure)", () => {
    it("computes the erasure set MinIO picks, or refuses layouts MinIO refuses", () => {
        const cases: [number, number, number | undefined][] = [
            [1, 4, 4],
            [4, 1, 4],
            [1, 2, 2],
            [3, 1, 3],
            [2, 3, 6],
            [4, 4, 16],
            [16, 2, 16],
            [5, 3, 15],
            [1, 1, undefined],
            [17, 1, undefined],
            [1, 0, undefined],
        ];
        for (const [servers, drives, expected] of cases) assert.equal(erasureSetSize(servers, drives), expected, `${servers} x ${drives}`);
    });

    it("accepts only S3-valid bucket names without dots", () => {
        for (const ok of ["raw", "models", "feature-store", "a1b"]) assert.equal(isValidBucketName(ok), true, ok);
        for (const bad of ["ab", "Raw", "raw_zone", "-raw", "raw-", "my.bucket", "xn--raw", "raw--zone", "data-s3alias", "a".repeat(64)])
            assert.equal(isValidBucketName(bad), false, bad);
    });

    it("builds server arguments for one and for several servers", () => {
        assert.deepEqual(
            minioServerArgs({ servers: 1, drivesPerServer: 1, statefulSetName: "s", headlessServiceName: "h", namespace: "n" }),
            ["server", "--address", ":9000", "/data0"],
        );
        assert.deepEqual(
            minioServerArgs({ servers: 2, drivesPerServer: 1, statefulSetName: "s", headlessServiceName: "h", namespace: "n" }),
            ["server", "--address", ":9000", "http://s-{0...1}.h.n.svc.cluster.local:9000/data0"],
        );
    });

    it("writes one lifecycle rule that expires noncurrent versions", () => {
        assert.deepEqual(JSON.parse(lifecycleJson(30)), {
            Rules: [
                {
                    ID: "expire-noncurrent-versions",
                    Status: "Enabled",
                    Filter: { Prefix: "" },
                    NoncurrentVersionExpiration: { NoncurrentDays: 30 },
                },
            ],
        });
    });

    it("quotes JSON safely for the shell", () => {
        const script = setupScript({ host: "h", zones: ["raw"], modelsZone: "raw", noncurrentVersionRetentionDays: 7 });
        assert.ok(script.includes(`printf '%s' '${lifecycleJson(7)}' | mc ilm rule import lake/raw`));
        assert.ok(!/MC_HOST_lake=.*x{10}/.test(script), "credentials are read at run time, not embedded");
        assert.ok(
            script.includes(
                'export MC_HOST_lake="http://$(cat /etc/minio/secrets/root-user):$(cat /etc/minio/secrets/root-password)@h:9000"',
            ),
        );
    });
});
