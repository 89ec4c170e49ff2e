import assert from "node:assert/strict";
import {
    AcceleratorError,
    AcceleratorSettings,
    AWS_CATALOG,
    AZURE_CATALOG,
    Cloud,
    CLOUD_RUN_GPU_REGIONS,
    CLOUDS,
    formatAccelerator,
    GCP_CATALOG,
    KUBERNETES_CATALOG,
    KUBERNETES_DISTRIBUTIONS,
    KubernetesDistribution,
    offeredAccelerators,
    parseAccelerator,
    ResolveRequest,
    resolveAccelerator,
    Service,
    ServiceCatalog,
    SERVICES,
    Toleration,
} from "../../components/accelerators";
import { ProblemDetail } from "../../components/shared/problems";

type Table = { cloud: Cloud; service: Service; distribution?: KubernetesDistribution; catalog: ServiceCatalog };

const TABLES: Table[] = [
    ...Object.entries(AWS_CATALOG).map(([service, catalog]) => ({ cloud: "aws" as const, service: service as Service, catalog })),
    ...Object.entries(GCP_CATALOG).map(([service, catalog]) => ({ cloud: "gcp" as const, service: service as Service, catalog })),
    ...Object.entries(AZURE_CATALOG).map(([service, catalog]) => ({ cloud: "azure" as const, service: service as Service, catalog })),
    ...KUBERNETES_DISTRIBUTIONS.map((distribution) => ({
        cloud: "kubernetes" as const,
        service: "kubernetes" as Service,
        distribution,
        catalog: KUBERNETES_CATALOG[distribution],
    })),
];

const tableName = (t: Table) => `${t.cloud}/${t.service}${t.distribution ? ` (${t.distribution})` : ""}`;

function resolve(
    cloud: Cloud,
    service: Service,
    accelerator?: string,
    extra: Partial<ResolveRequest> = {},
): AcceleratorSettings | undefined {
    const [type, count] = accelerator ? accelerator.split(":") : [];
    const req = { cloud, service, ...extra, accelerator: type ? { type, count: count ? Number(count) : 1 } : undefined };
    return resolveAccelerator(req as ResolveRequest);
}

/** Asserts `fn` throws an AcceleratorError whose message matches `expected` (exact string or regex). */
function throwsAccelerator(fn: () => unknown, expected: string | RegExp): void {
    assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof AcceleratorError, `expected AcceleratorError, got ${String(e)}`);
        if (typeof expected === "string") assert.equal(e.message, expected);
        else assert.match(e.message, expected);
        return true;
    });
}

describe("accelerator catalog tables", () => {
    it("has a table for every service of every cloud, with rows or named alternatives", () => {
        for (const cloud of CLOUDS) {
            for (const service of SERVICES[cloud]) {
                const tables = TABLES.filter((t) => t.cloud === cloud && t.service === service);
                assert.ok(tables.length > 0, `${cloud}/${service} has no table`);
                for (const t of tables)
                    assert.ok(t.catalog.rows.length > 0 || (t.catalog.alternatives ?? []).length > 0, `${tableName(t)} is empty`);
            }
        }
    });

    for (const table of TABLES) {
        it(`${tableName(table)}: every row cites a source and (accelerator, count) pairs are unique`, () => {
            const seen = new Set<string>();
            for (const row of table.catalog.rows) {
                const key = formatAccelerator({ type: row.accelerator, count: row.count });
                assert.match(row.source, /https:\/\/\S+|[\w-]+\/[\w.-]+/, `${key} has no usable source`);
                assert.ok(!seen.has(key), `${key} appears twice`);
                seen.add(key);
            }
        });
        for (const row of table.catalog.rows) {
            const written = formatAccelerator({ type: row.accelerator, count: row.count });
            it(`resolves ${tableName(table)} ${written} to exactly its row`, () => {
                const got = resolve(table.cloud, table.service, written, { distribution: table.distribution });
                assert.deepEqual(got, { ...row, cloud: table.cloud, service: table.service });
            });
        }
    }
});

describe("resolveAccelerator key rows", () => {
    const GPU_TOLERATION: Toleration = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" };
    const KEY_ROWS: [Cloud, Service, string, Partial<AcceleratorSettings>, KubernetesDistribution?][] = [
        ["aws", "sagemaker-endpoint", "nvidia-a10g", { instanceType: "ml.g5.xlarge" }],
        ["aws", "sagemaker-endpoint", "nvidia-a10g:4", { instanceType: "ml.g5.12xlarge" }],
        ["aws", "sagemaker-training", "nvidia-t4", { instanceType: "ml.g4dn.xlarge" }],
        ["aws", "sagemaker-training", "nvidia-t4:4", { instanceType: "ml.g4dn.12xlarge" }],
        ["aws", "sagemaker-training", "nvidia-h100-80gb:8", { instanceType: "ml.p5.48xlarge" }],
        ["aws", "sagemaker-training", "aws-trainium:16", { instanceType: "ml.trn1.32xlarge" }],
        ["aws", "sagemaker-endpoint", "aws-inferentia2:12", { instanceType: "ml.inf2.48xlarge" }],
        ["aws", "ec2", "nvidia-l4", { instanceType: "g6.xlarge" }],
        ["aws", "ec2", "nvidia-l4:8", { instanceType: "g6.48xlarge" }],
        ["aws", "ec2", "nvidia-a100-40gb:8", { instanceType: "p4d.24xlarge" }],
        ["aws", "ec2", "nvidia-a100-80gb:8", { instanceType: "p4de.24xlarge" }],
        ["aws", "ec2", "nvidia-h200:8", { instanceType: "p5en.48xlarge" }],
        ["aws", "ec2", "aws-inferentia2:6", { instanceType: "inf2.24xlarge" }],
        ["aws", "ec2", "aws-trainium", { instanceType: "trn1.2xlarge" }],
        [
            "aws",
            "eks",
            "nvidia-a100-80gb:8",
            {
                instanceType: "p4de.24xlarge",
                resourceName: "nvidia.com/gpu",
                nodeSelector: { "karpenter.k8s.aws/instance-gpu-name": "a100", "karpenter.k8s.aws/instance-gpu-memory": "81920" },
                tolerations: [GPU_TOLERATION],
            },
        ],
        ["gcp", "vertex-endpoint", "google-tpu-v5e:4", { machineType: "ct5lp-hightpu-4t", acceleratorType: "TPU_V5_LITEPOD" }],
        ["gcp", "vertex-training", "nvidia-t4", { machineType: "n1-standard-4", acceleratorType: "NVIDIA_TESLA_T4" }],
        ["gcp", "vertex-training", "nvidia-a100-80gb:8", { machineType: "a2-ultragpu-8g", acceleratorType: "NVIDIA_A100_80GB" }],
        ["gcp", "compute-engine", "nvidia-l4:2", { machineType: "g2-standard-24", acceleratorType: "nvidia-l4" }],
        ["gcp", "compute-engine", "nvidia-h100-80gb:8", { machineType: "a3-highgpu-8g", acceleratorType: "nvidia-h100-80gb" }],
        [
            "gcp",
            "gke",
            "nvidia-l4",
            {
                machineType: "g2-standard-4",
                nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-l4" },
                tolerations: [GPU_TOLERATION],
            },
        ],
        [
            "gcp",
            "gke",
            "google-tpu-v5e:8",
            {
                machineType: "ct5lp-hightpu-8t",
                resourceName: "google.com/tpu",
                nodeSelector: {
                    "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
                    "cloud.google.com/gke-tpu-topology": "2x4",
                },
                tolerations: [{ key: "google.com/tpu", operator: "Exists", effect: "NoSchedule" }],
            },
        ],
        ["gcp", "cloud-run", "nvidia-l4", { acceleratorType: "nvidia-l4", resourceName: "nvidia.com/gpu", minCpu: 4, minMemoryGiB: 16 }],
        ["azure", "container-apps", "nvidia-t4", { workloadProfileType: "Consumption-GPU-NC8as-T4" }],
        ["azure", "container-apps", "nvidia-a100-80gb", { workloadProfileType: "Consumption-GPU-NC24-A100" }],
        ["azure", "azureml-compute", "nvidia-t4", { vmSize: "Standard_NC4as_T4_v3" }],
        ["azure", "azureml-endpoint", "nvidia-a100-80gb", { vmSize: "Standard_NC24ads_A100_v4" }],
        [
            "azure",
            "aks",
            "nvidia-a100-40gb:8",
            {
                vmSize: "Standard_ND96asr_v4",
                nodeSelector: { "kubernetes.azure.com/accelerator": "nvidia" },
                tolerations: [{ key: "sku", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
            },
        ],
        [
            "kubernetes",
            "kubernetes",
            "nvidia-t4",
            { resourceName: "nvidia.com/gpu", nodeSelector: { "nvidia.com/gpu.product": "Tesla-T4" } },
        ],
        [
            "kubernetes",
            "kubernetes",
            "nvidia-h100-80gb:8",
            { nodeSelector: { "nvidia.com/gpu.present": "true" }, tolerations: [GPU_TOLERATION] },
        ],
        ["kubernetes", "kubernetes", "nvidia-l4:2", { nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-l4" } }, "gke"],
        [
            "kubernetes",
            "kubernetes",
            "aws-inferentia2",
            {
                resourceName: "aws.amazon.com/neuron",
                nodeSelector: { "karpenter.k8s.aws/instance-accelerator-name": "inferentia2" },
                tolerations: [{ key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" }],
            },
            "eks",
        ],
    ];
    for (const [cloud, service, written, expected, distribution] of KEY_ROWS) {
        it(`resolves ${cloud}/${service}${distribution ? ` (${distribution})` : ""} ${written} to ${JSON.stringify(expected)}`, () => {
            const got = resolve(cloud, service, written, { distribution }) as unknown as Record<string, unknown>;
            const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, got[k]]));
            assert.deepEqual(picked, expected);
        });
    }

    it("resolves CPU only (no accelerator) to undefined", () => {
        assert.equal(resolve("aws", "lambda"), undefined);
        assert.equal(resolve("gcp", "cloud-run"), undefined);
    });

    it("resolves Cloud Run L4 in an offered region, and lists the regions on the row", () => {
        assert.deepEqual(resolve("gcp", "cloud-run", "nvidia-l4", { region: "europe-west4" })?.regions, CLOUD_RUN_GPU_REGIONS);
    });
});

describe("resolveAccelerator errors", () => {
    it("fails when the service is not of that cloud", () => {
        throwsAccelerator(
            () => resolve("aws", "cloud-run", "nvidia-l4"),
            'aws/cloud-run nvidia-l4: "cloud-run" is not a service of aws; aws services: sagemaker-training, sagemaker-endpoint, ec2, eks, lambda, sagemaker-serverless, ecs-fargate, app-runner, glue.',
        );
    });

    it("fails when the service is not of that cloud even for CPU only", () => {
        throwsAccelerator(() => resolve("azure", "gke"), /^azure\/gke none: "gke" is not a service of azure; azure services: /);
    });

    it("fails when the cloud is unknown", () => {
        throwsAccelerator(
            () => resolve("oracle" as Cloud, "oke" as Service, "nvidia-t4"),
            'oracle/oke nvidia-t4: "oracle" is not a cloud; clouds: aws, gcp, azure, kubernetes.',
        );
    });

    it("fails when the service does not offer the accelerator, listing what it offers", () => {
        throwsAccelerator(
            () => resolve("gcp", "cloud-run", "nvidia-t4"),
            "gcp/cloud-run nvidia-t4: nvidia-t4 is not offered on gcp/cloud-run; it offers nvidia-l4.",
        );
        throwsAccelerator(
            () => resolve("aws", "sagemaker-training", "aws-inferentia2"),
            "aws/sagemaker-training aws-inferentia2: aws-inferentia2 is not offered on aws/sagemaker-training; it offers nvidia-t4, nvidia-t4:4, " +
                "nvidia-l4, nvidia-l4:4, nvidia-l4:8, nvidia-a10g, nvidia-a10g:4, nvidia-a10g:8, nvidia-a100-40gb:8, nvidia-a100-80gb:8, " +
                "nvidia-h100-80gb:8, nvidia-h200:8, aws-trainium, aws-trainium:16.",
        );
    });

    it("fails when the count is not offered, listing the counts", () => {
        throwsAccelerator(
            () => resolve("aws", "sagemaker-endpoint", "nvidia-a10g:3"),
            "aws/sagemaker-endpoint nvidia-a10g:3: nvidia-a10g comes in counts 1, 4, 8 on aws/sagemaker-endpoint, not 3; write nvidia-a10g, nvidia-a10g:4, nvidia-a10g:8.",
        );
        throwsAccelerator(
            () => resolve("gcp", "cloud-run", "nvidia-l4:2"),
            /^gcp\/cloud-run nvidia-l4:2: nvidia-l4 comes in counts 1 on gcp\/cloud-run, not 2; write nvidia-l4\.$/,
        );
    });

    const NO_ACCELERATOR: [Cloud, Service, RegExp][] = [
        ["aws", "lambda", /needs serverlessInference "sagemaker-endpoint", or mlPlatform "sagemaker"; or write none\.$/],
        ["aws", "sagemaker-serverless", /needs serverlessInference "sagemaker-endpoint", or mlPlatform "sagemaker"; or write none\.$/],
        ["aws", "ecs-fargate", /needs serverlessInference "sagemaker-endpoint", or mlPlatform "sagemaker"; or write none\.$/],
        ["aws", "app-runner", /needs serverlessInference "sagemaker-endpoint", or mlPlatform "sagemaker"; or write none\.$/],
        [
            "gcp",
            "cloud-functions",
            /needs containerService or serverlessInference "cloud-run" \(nvidia-l4 only\), or serverlessInference "vertex-endpoint"; /,
        ],
        [
            "azure",
            "functions",
            /needs containerService or serverlessInference "container-apps" \(nvidia-t4, nvidia-a100-80gb\), or serverlessInference "azureml-endpoint"; /,
        ],
    ];
    for (const [cloud, service, alternatives] of NO_ACCELERATOR) {
        it(`fails when ${cloud}/${service} (no accelerators) is given one, naming the implementations that take one`, () => {
            throwsAccelerator(
                () => resolve(cloud, service, "nvidia-t4"),
                new RegExp(`^${cloud}/${service} nvidia-t4: ${service} runs on CPU only and takes no accelerator\\. `),
            );
            throwsAccelerator(() => resolve(cloud, service, "nvidia-t4"), alternatives);
        });
    }

    it("fails when Cloud Run is asked for a GPU in a region without them, naming the regions", () => {
        throwsAccelerator(
            () => resolve("gcp", "cloud-run", "nvidia-l4", { region: "us-west1" }),
            "gcp/cloud-run nvidia-l4: cloud-run offers nvidia-l4 only in regions us-central1, us-east4, europe-west1, europe-west4, asia-southeast1, asia-south1; " +
                'region "us-west1" has none. Deploy to one of those regions, or serve this model elsewhere.',
        );
    });

    it("fails when a TPU is asked of a generic Kubernetes cluster", () => {
        throwsAccelerator(
            () => resolve("kubernetes", "kubernetes", "google-tpu-v5e:4"),
            /^kubernetes\/kubernetes google-tpu-v5e:4: google-tpu-v5e exists only on Google Cloud, and only GKE labels its nodes; set distribution: gke if the cluster is GKE, or pick a GPU\. kubernetes\/kubernetes \(distribution generic\) offers nvidia-t4, /,
        );
    });

    it("fails when a Neuron chip is asked of a non-EKS cluster", () => {
        throwsAccelerator(
            () => resolve("kubernetes", "kubernetes", "aws-trainium", { distribution: "aks" }),
            /^kubernetes\/kubernetes aws-trainium: aws-trainium exists only on AWS, and only EKS \(Karpenter\) labels its nodes; set distribution: eks/,
        );
        throwsAccelerator(() => resolve("kubernetes", "kubernetes", "aws-inferentia2", { distribution: "gke" }), /exists only on AWS/);
    });

    it("fails when a TPU is asked of an AWS service", () => {
        throwsAccelerator(
            () => resolve("aws", "eks", "google-tpu-v5e"),
            /^aws\/eks google-tpu-v5e: google-tpu-v5e exists only on Google Cloud; pick a GPU, or deploy to gcp\. aws\/eks offers nvidia-t4, /,
        );
    });

    it("fails when a TPU count has no single-host slice on GKE", () => {
        throwsAccelerator(
            () => resolve("gcp", "gke", "google-tpu-v5e:2"),
            /^gcp\/gke google-tpu-v5e:2: google-tpu-v5e comes in counts 1, 4, 8 on gcp\/gke, not 2; /,
        );
    });

    it("fails when a managed-cluster service is given another distribution", () => {
        throwsAccelerator(
            () => resolve("aws", "eks", "nvidia-t4", { distribution: "gke" }),
            'aws/eks nvidia-t4: distribution "gke" does not match service eks, which uses EKS (Karpenter) node labels; leave distribution unset, or use cloud kubernetes (service kubernetes) with distribution gke.',
        );
    });

    it("fails when the distribution is unknown", () => {
        throwsAccelerator(
            () => resolve("kubernetes", "kubernetes", "nvidia-t4", { distribution: "openshift" as KubernetesDistribution }),
            'kubernetes/kubernetes nvidia-t4: distribution "openshift" is unknown; distributions: generic, eks, gke, aks.',
        );
    });
});

describe("offeredAccelerators", () => {
    it("lists accelerators with their counts in canonical order", () => {
        assert.deepEqual(offeredAccelerators("aws", "sagemaker-endpoint"), [
            "nvidia-t4 (1, 4)",
            "nvidia-l4 (1, 4, 8)",
            "nvidia-a10g (1, 4, 8)",
            "nvidia-a100-40gb (8)",
            "nvidia-a100-80gb (8)",
            "nvidia-h100-80gb (8)",
            "aws-inferentia2 (1, 6, 12)",
            "aws-trainium (1, 16)",
        ]);
        assert.deepEqual(offeredAccelerators("azure", "container-apps"), ["nvidia-t4 (1)", "nvidia-a100-80gb (1, 2, 4)"]);
    });

    it("lists a distribution's labelled accelerators for service kubernetes", () => {
        assert.deepEqual(offeredAccelerators("kubernetes", "kubernetes", "aks"), [
            "nvidia-t4 (1, 2, 4, 8)",
            "nvidia-a10 (1, 2, 4, 8)",
            "nvidia-a100-40gb (1, 2, 4, 8)",
            "nvidia-a100-80gb (1, 2, 4, 8)",
            "nvidia-h100-80gb (1, 2, 4, 8)",
            "nvidia-h200 (1, 2, 4, 8)",
        ]);
    });

    it("lists nothing for a service that takes no accelerator", () => {
        assert.deepEqual(offeredAccelerators("aws", "lambda"), []);
    });

    it("fails when the service is not of that cloud", () => {
        throwsAccelerator(() => offeredAccelerators("gcp", "lambda"), /^gcp\/lambda none: "lambda" is not a service of gcp; /);
    });
});

describe("parseAccelerator", () => {
    function parse(value: unknown): { result: ReturnType<typeof parseAccelerator>; problems: ProblemDetail[] } {
        const problems: ProblemDetail[] = [];
        return { result: parseAccelerator(value, "mlops:models[0].accelerator", problems), problems };
    }

    it("reads the name alone as one accelerator", () => {
        assert.deepEqual(parse("nvidia-l4"), { result: { type: "nvidia-l4", count: 1 }, problems: [] });
    });
    it("reads name:count", () => {
        assert.deepEqual(parse("nvidia-l4:2"), { result: { type: "nvidia-l4", count: 2 }, problems: [] });
        assert.deepEqual(parse(" aws-inferentia2 : 6 "), { result: { type: "aws-inferentia2", count: 6 }, problems: [] });
    });
    it("reads the object form, with count defaulting to 1", () => {
        assert.deepEqual(parse({ type: "google-tpu-v5e", count: 4 }), { result: { type: "google-tpu-v5e", count: 4 }, problems: [] });
        assert.deepEqual(parse({ type: "nvidia-t4" }), { result: { type: "nvidia-t4", count: 1 }, problems: [] });
    });
    it("reads none, empty and missing as CPU only", () => {
        for (const v of ["none", "", undefined, null]) assert.deepEqual(parse(v), { result: undefined, problems: [] });
    });

    it("fails when the name is unknown", () => {
        const { result, problems } = parse("nvidia-a9000:2");
        assert.equal(result, undefined);
        assert.deepEqual(
            problems.map((p) => [p.path, p.value, p.message]),
            [["mlops:models[0].accelerator", "nvidia-a9000", "is not a known accelerator"]],
        );
        assert.ok(problems[0].allowed?.includes("nvidia-l4"));
    });

    const BAD_COUNTS: [string, unknown, string, unknown][] = [
        ["zero", "nvidia-l4:0", "mlops:models[0].accelerator", 0],
        ["negative", "nvidia-l4:-2", "mlops:models[0].accelerator", -2],
        ["not a number", "nvidia-l4:two", "mlops:models[0].accelerator", "two"],
        ["not an integer", { type: "nvidia-l4", count: 1.5 }, "mlops:models[0].accelerator.count", 1.5],
        ["a string", { type: "nvidia-l4", count: "2" }, "mlops:models[0].accelerator.count", "2"],
    ];
    for (const [what, value, path, bad] of BAD_COUNTS) {
        it(`fails when the count is ${what}`, () => {
            const { result, problems } = parse(value);
            assert.equal(result, undefined);
            assert.deepEqual(
                problems.map((p) => [p.path, p.value, p.message]),
                [[path, bad, "accelerator count must be a whole number of at least 1"]],
            );
        });
    }

    it("fails when the string has more than one colon", () => {
        assert.deepEqual(
            parse("nvidia-l4:2:3").problems.map((p) => p.message),
            ["is not an accelerator spec"],
        );
    });
    it("fails when the object has unknown keys", () => {
        const { result, problems } = parse({ type: "nvidia-l4", count: 2, memory: "24GB" });
        assert.equal(result, undefined);
        assert.deepEqual(
            problems.map((p) => [p.message, p.allowed]),
            [["has unknown keys memory", ["type", "count"]]],
        );
    });
    it("fails when the object has no type", () => {
        assert.deepEqual(
            parse({ count: 2 }).problems.map((p) => [p.path, p.message]),
            [["mlops:models[0].accelerator.type", "is required"]],
        );
    });
    for (const [what, value] of [
        ["a number", 4],
        ["a boolean", true],
        ["a list", ["nvidia-l4"]],
    ] as const) {
        it(`fails when the value is ${what}`, () => {
            const { result, problems } = parse(value);
            assert.equal(result, undefined);
            assert.deepEqual(
                problems.map((p) => p.message),
                ["must be a string or an object"],
            );
        });
    }
});
