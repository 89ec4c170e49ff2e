import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { resolveAccelerator } from "../../components/accelerators/resolve";
import { containerDefinitions, encodedFilesBytes, prepareScript, taskVolumes } from "../../components/container-service/aws-ecs";
import {
    APP_RUNNER_SIZES,
    appRunnerStartCommand,
    FARGATE_SIZES,
    fargateImage,
    imageSource,
    smallestSize,
} from "../../components/container-service/aws-images";
import { ACCOUNT_KEY_ACTIONS, kmsKeyPolicy } from "../../components/encryption/aws";
import { lifecycleRules } from "../../components/storage/aws";
import {
    AlarmSpec,
    alarmMetricInputs,
    albAlarms,
    appRunnerAlarms,
    validateErrorRatePercent,
    lambdaAlarms,
    rollbackAlarm,
    sagemakerAlarms,
} from "../../components/observability/aws";
import { handlerFile, lambdaMemoryMb, packageFiles } from "../../components/serverless-inference/aws-lambda";
import {
    artifactKey,
    hasInstanceStore,
    modelTarball,
    repositoryArnOfImage,
    SERVING_IMAGES,
    servingImage,
    serverlessMemoryMb,
} from "../../components/serverless-inference/aws-sagemaker";
import { untaggedExpiryPolicy } from "../../components/registry/aws";
import { ModelServingSpec } from "../../components/shared/model";

const iris: ModelServingSpec = {
    name: "iris",
    image: "public.ecr.aws/docker/library/python:3.12.12-slim-bookworm",
    port: 8080,
    command: ["python", "/app/serve.py"],
    env: { LOG_LEVEL: "info" },
    files: { "serve.py": "print('hi')\n", "model.json": "{}" },
    healthPath: "/healthz",
    cpuMillicores: 500,
    memoryMiB: 1024,
    minReplicas: 2,
    maxReplicas: 4,
    concurrency: 80,
};

describe("AWS container images and sizes", () => {
    it("tells ECR Public, the account's ECR and other registries apart", () => {
        assert.equal(imageSource("public.ecr.aws/docker/library/python:3.12"), "ecr-public");
        assert.equal(imageSource("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops/iris:1.0"), "ecr");
        assert.equal(imageSource("python:3.12"), "other");
        assert.equal(imageSource("ghcr.io/acme/model:1.0"), "other");
    });

    it("pulls ECR Public images on Fargate through the pull-through cache, others unchanged", () => {
        const host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        assert.equal(
            fargateImage("public.ecr.aws/docker/library/python:3.12", host, "mlops-dev-ecr-public"),
            `${host}/mlops-dev-ecr-public/docker/library/python:3.12`,
        );
        assert.equal(
            fargateImage("public.ecr.aws/docker/library/python:3.12", host, undefined),
            "public.ecr.aws/docker/library/python:3.12",
        );
        assert.equal(fargateImage(`${host}/mlops/iris:1`, host, "p"), `${host}/mlops/iris:1`);
    });

    it("picks the smallest Fargate and App Runner sizes that fit, or none", () => {
        assert.deepEqual(smallestSize(FARGATE_SIZES, 250, 256), { cpu: 256, memory: 512 });
        assert.deepEqual(smallestSize(FARGATE_SIZES, 500, 1024), { cpu: 512, memory: 1024 });
        assert.deepEqual(smallestSize(FARGATE_SIZES, 1000, 3000), { cpu: 1024, memory: 3072 });
        assert.deepEqual(
            smallestSize(FARGATE_SIZES, 250, 5000),
            { cpu: 1024, memory: 5120 },
            "more memory than 0.25 vCPU allows moves to a bigger CPU",
        );
        assert.equal(smallestSize(FARGATE_SIZES, 20000, 1024), undefined);
        assert.deepEqual(smallestSize(APP_RUNNER_SIZES, 250, 256), { cpu: 256, memory: 512 });
        assert.deepEqual(smallestSize(APP_RUNNER_SIZES, 500, 2048), { cpu: 1024, memory: 2048 });
        assert.equal(smallestSize(APP_RUNNER_SIZES, 4000, 16384), undefined);
    });

    it("writes an App Runner start command only when no word needs quoting", () => {
        assert.equal(appRunnerStartCommand(["python", "/app/serve.py"], ["--port", "8080"]), "python /app/serve.py --port 8080");
        assert.equal(appRunnerStartCommand(["sh", "-c", "echo hi"], undefined), undefined);
        assert.equal(appRunnerStartCommand(undefined, undefined), "");
    });
});

describe("the ECS task of a model", () => {
    const defs = containerDefinitions({ model: iris, image: "IMAGE", logGroupName: "/mlops/ecs/iris", region: "eu-west-1" });
    const [prepare, model] = defs as any[];

    it("runs the model non-root, read-only, unprivileged, with every capability dropped (CKV_AWS_334/335/336)", () => {
        assert.equal(model.name, "model");
        assert.equal(model.user, "10001:10001");
        assert.equal(model.readonlyRootFilesystem, true);
        assert.equal(model.privileged, false);
        assert.deepEqual(model.linuxParameters, { capabilities: { drop: ["ALL"] }, initProcessEnabled: true });
        assert.deepEqual(model.entryPoint, ["python", "/app/serve.py"]);
        assert.deepEqual(model.portMappings, [{ containerPort: 8080, protocol: "tcp" }]);
        assert.deepEqual(model.environment, [
            { name: "PORT", value: "8080" },
            { name: "LOG_LEVEL", value: "info" },
        ]);
        assert.deepEqual(model.mountPoints, [
            { sourceVolume: "scratch", containerPath: "/tmp", readOnly: false },
            { sourceVolume: "app", containerPath: "/app", readOnly: true },
        ]);
        assert.deepEqual(model.dependsOn, [{ containerName: "prepare", condition: "SUCCESS" }]);
        assert.deepEqual(model.logConfiguration, {
            logDriver: "awslogs",
            options: { "awslogs-group": "/mlops/ecs/iris", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "model" },
        });
    });

    it("prepares the volumes in a short-lived, locked-down container that writes the files from its environment", () => {
        assert.equal(prepare.essential, false);
        assert.equal(prepare.readonlyRootFilesystem, true);
        assert.equal(prepare.privileged, false);
        assert.deepEqual(prepare.linuxParameters, { capabilities: { drop: ["ALL"] } });
        assert.deepEqual(prepare.entryPoint, ["/bin/sh", "-c"]);
        assert.deepEqual(
            prepare.environment.map((e: any) => [e.name, gunzipSync(Buffer.from(e.value, "base64")).toString("utf8")]),
            [
                ["MLOPS_FILE_0", "{}"],
                ["MLOPS_FILE_1", "print('hi')\n"],
            ],
        );
        assert.equal(prepare.command[0], prepareScript(iris.files!));
        assert.match(
            prepare.command[0],
            /base64 -d \| gzip -dc > \/app\/model\.json\n.*base64 -d \| gzip -dc > \/app\/serve\.py\nchmod -R a\+rX \/app$/s,
        );
        assert.deepEqual(taskVolumes(iris), [{ name: "scratch" }, { name: "app" }]);
        assert.deepEqual(taskVolumes({ ...iris, files: undefined }), [{ name: "scratch" }]);
        assert.equal(
            encodedFilesBytes(iris.files!),
            prepare.environment.reduce((n: number, e: any) => n + e.value.length, 0),
        );
    });

    it("decodes the files exactly as written when the prepare script runs in a shell", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prepare-"));
        try {
            fs.mkdirSync(path.join(dir, "app"));
            fs.mkdirSync(path.join(dir, "scratch"));
            const script = prepareScript(iris.files!)
                .replace(/\/app/g, `${dir}/app`)
                .replace(/\/scratch/g, `${dir}/scratch`);
            execFileSync("/bin/sh", ["-c", script], {
                env: { PATH: process.env.PATH, ...Object.fromEntries(prepare.environment.map((e: any) => [e.name, e.value])) },
            });
            assert.equal(fs.readFileSync(path.join(dir, "app", "serve.py"), "utf8"), "print('hi')\n");
            assert.equal(fs.readFileSync(path.join(dir, "app", "model.json"), "utf8"), "{}");
            assert.equal(fs.statSync(path.join(dir, "scratch")).mode & 0o7777, 0o1777);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("SageMaker hosting helpers", () => {
    it("picks the PyTorch inference container for CPU and NVIDIA, the Neuron one for Inferentia and Trainium", () => {
        assert.deepEqual(servingImage(undefined), SERVING_IMAGES.cpu);
        assert.deepEqual(
            servingImage(
                resolveAccelerator({ cloud: "aws", service: "sagemaker-endpoint", accelerator: { type: "nvidia-a10g", count: 1 } }),
            ),
            SERVING_IMAGES.gpu,
        );
        assert.deepEqual(
            servingImage(
                resolveAccelerator({ cloud: "aws", service: "sagemaker-endpoint", accelerator: { type: "aws-inferentia2", count: 1 } }),
            ),
            SERVING_IMAGES.neuron,
        );
    });

    it("knows which instance types have NVMe instance storage (no volume KMS key allowed)", () => {
        for (const t of [
            "ml.g5.xlarge",
            "ml.g4dn.xlarge",
            "ml.g6.12xlarge",
            "ml.p4d.24xlarge",
            "ml.p4de.24xlarge",
            "ml.p5.48xlarge",
            "ml.trn1.2xlarge",
            "ml.c5d.large",
            "ml.m6id.large",
            "ml.p3dn.24xlarge",
        ]) {
            assert.equal(hasInstanceStore(t), true, t);
        }
        for (const t of ["ml.inf2.xlarge", "ml.inf1.xlarge", "ml.m5.large", "ml.c5.xlarge", "ml.p3.2xlarge", "ml.t2.medium"])
            assert.equal(hasInstanceStore(t), false, t);
    });

    it("sizes serverless memory in 1 GB steps from 2 GB to 6 GB", () => {
        assert.equal(serverlessMemoryMb(256), 2048);
        assert.equal(serverlessMemoryMb(2049), 3072);
        assert.equal(serverlessMemoryMb(6144), 6144);
        assert.equal(serverlessMemoryMb(6145), undefined);
    });

    it("packs model.tar.gz deterministically: files at the root, code under code/, readable by tar", () => {
        const artifact = { files: { "model.json": '{"a": 1}' }, code: { "inference.py": "def model_fn(d):\n    return 1\n" } };
        const a = modelTarball(artifact);
        assert.deepEqual(a, modelTarball(artifact), "same input, same bytes");
        assert.notDeepEqual(a, modelTarball({ ...artifact, files: { "model.json": '{"a": 2}' } }));
        assert.equal(gunzipSync(a).length % 512, 0);
        const listing = execFileSync(
            "python3",
            [
                "-c",
                "import sys,tarfile; t=tarfile.open(fileobj=sys.stdin.buffer, mode='r:gz'); print(';'.join(f'{m.name}:{m.size}:{t.extractfile(m).read().decode() if m.isfile() else \"\"}' for m in t.getmembers()))",
            ],
            { input: a, encoding: "utf8" },
        );
        assert.equal(listing.trim(), 'model.json:8:{"a": 1};code:0:;code/inference.py:30:def model_fn(d):\n    return 1\n'.trim());
        assert.match(artifactKey("iris", a), /^sagemaker\/iris\/[0-9a-f]{16}\/model\.tar\.gz$/);
    });

    it("reads a repository ARN from an ECR image URI", () => {
        assert.equal(
            repositoryArnOfImage(
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6.0-cpu-py312-ubuntu22.04-sagemaker",
                "aws",
            ),
            "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference",
        );
        assert.equal(repositoryArnOfImage("python:3.12", "aws"), undefined);
    });
});

describe("Lambda packaging", () => {
    it("adds the model's files to the code and reports clashing names", () => {
        assert.deepEqual(packageFiles({ "handler.py": "h" }, { "model.json": "m" }), {
            files: { "handler.py": "h", "model.json": "m" },
            conflicts: [],
        });
        assert.deepEqual(packageFiles({ "model.json": "x" }, { "model.json": "m" }).conflicts, ["model.json"]);
    });

    it("finds the handler's file and clamps memory to Lambda's range", () => {
        assert.equal(handlerFile("handler.handler", "python3.13"), "handler.py");
        assert.equal(handlerFile("app/main.run", "nodejs22.x"), "app/main.js");
        assert.equal(handlerFile("no-function", "python3.13"), undefined);
        assert.deepEqual([lambdaMemoryMb(64), lambdaMemoryMb(512), lambdaMemoryMb(20000)], [128, 512, 10240]);
    });
});

describe("AWS policies and rules", () => {
    it("gives the key policy no wildcard action and no anonymous principal", () => {
        const policy = kmsKeyPolicy({ partition: "aws", accountId: "123456789012", region: "eu-west-1" });
        for (const s of policy.Statement) {
            assert.notEqual(s.Principal, "*", s.Sid);
            const actions = [s.Action].flat();
            assert.ok(!actions.includes("*") && !actions.includes("kms:*"), s.Sid);
        }
        const root = policy.Statement[0];
        assert.deepEqual(root.Principal, { AWS: "arn:aws:iam::123456789012:root" });
        assert.ok(ACCOUNT_KEY_ACTIONS.includes("kms:Put*"), "the account can always change the key policy (lockout safety)");
        const logs = policy.Statement.find((s) => s.Sid === "CloudWatchLogsEncryptsThisAccountsLogGroups")!;
        assert.deepEqual(logs.Principal, { Service: "logs.eu-west-1.amazonaws.com" });
        assert.deepEqual(logs.Condition, {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" },
        });
    });

    it("writes lifecycle rules for old versions, unfinished uploads, and optionally expiry and colder storage", () => {
        assert.deepEqual(
            lifecycleRules({
                noncurrentVersionRetentionDays: 30,
                abortIncompleteUploadDays: 7,
                coldStorageAfterDays: 90,
                coldStorageClass: "GLACIER_IR",
            }),
            [
                {
                    id: "expire-noncurrent-versions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: 30 },
                    expiration: { expiredObjectDeleteMarker: true },
                },
                {
                    id: "abort-incomplete-multipart-uploads",
                    status: "Enabled",
                    filter: {},
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
                { id: "move-to-colder-storage", status: "Enabled", filter: {}, transitions: [{ days: 90, storageClass: "GLACIER_IR" }] },
            ],
        );
        const logs = lifecycleRules({ noncurrentVersionRetentionDays: 30, abortIncompleteUploadDays: 7, expirationDays: 365 });
        assert.deepEqual(logs[2], { id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: 365 } });
        assert.equal(logs[0].expiration, undefined, "delete-marker cleanup cannot share a rule with day-based expiry");
    });

    it("expires untagged images only", () => {
        assert.deepEqual(JSON.parse(untaggedExpiryPolicy(14)).rules[0].selection, {
            tagStatus: "untagged",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 14,
        });
    });

    it("alarms on error rates, throttles or rejections, and latency, with the metrics each service publishes", () => {
        // [role, namespace, what it watches, statistic, threshold, period, evaluation periods, datapoints to alarm]
        const shape = (a: AlarmSpec) => [
            a.role,
            a.namespace,
            a.kind === "rate" ? `${a.errors.metricName}/${a.requests.metricName}` : a.metricName,
            a.kind === "rate" ? "rate" : a.statistic,
            a.threshold,
            a.periodSeconds,
            a.evaluationPeriods,
            a.datapointsToAlarm,
        ];
        assert.deepEqual(lambdaAlarms("fn", 30).map(shape), [
            ["errors", "AWS/Lambda", "Errors/Invocations", "rate", 5, 300, 3, 2],
            ["throttles", "AWS/Lambda", "Throttles", "Sum", 1, 300, 1, 1],
            ["latency", "AWS/Lambda", "Duration", "p99", 24000, 300, 3, 3],
        ]);
        assert.deepEqual(sagemakerAlarms("ep", "AllTraffic", 500).map(shape), [
            ["errors", "AWS/SageMaker", "Invocation5XXErrors/Invocations", "rate", 5, 300, 3, 2],
            ["rejected", "AWS/SageMaker", "Invocation4XXErrors/Invocations", "rate", 5, 300, 3, 2],
            ["latency", "AWS/SageMaker", "ModelLatency", "p99", 500000, 300, 3, 3],
        ]);
        assert.deepEqual(albAlarms("app/x/1", "targetgroup/y/2", 1500, 2.5).map(shape), [
            ["errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count/RequestCount", "rate", 2.5, 300, 3, 2],
            ["rejected", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count/RequestCount", "rate", 2.5, 300, 3, 2],
            ["latency", "AWS/ApplicationELB", "TargetResponseTime", "p99", 1.5, 300, 3, 3],
        ]);
        assert.deepEqual(appRunnerAlarms("svc", "id", 800, 10).map(shape), [
            ["errors", "AWS/AppRunner", "5xxStatusResponses/Requests", "rate", 10, 300, 3, 2],
            ["rejected", "AWS/AppRunner", "4xxStatusResponses/Requests", "rate", 10, 300, 3, 2],
            ["latency", "AWS/AppRunner", "RequestLatency", "p99", 800, 300, 3, 3],
        ]);
        assert.deepEqual(shape(rollbackAlarm("ep", "AllTraffic")), [
            "rollback",
            "AWS/SageMaker",
            "Invocation5XXErrors/Invocations",
            "rate",
            5,
            60,
            5,
            3,
        ]);
    });

    it("keeps the former throttles alarms as aliases of the renamed rejected alarms, and only those", () => {
        const renamed = [
            ...lambdaAlarms("fn", 30),
            ...sagemakerAlarms("ep", "v", 1),
            ...albAlarms("lb", "tg", 1),
            ...appRunnerAlarms("s", "i", 1),
        ]
            .filter((a) => a.formerRole)
            .map((a) => `${a.formerRole}->${a.role}`);
        assert.deepEqual(renamed, ["throttles->rejected", "throttles->rejected", "throttles->rejected"]);
    });

    it("counts ELB 5XX against the load balancer's requests and target 5XX against the target group's", () => {
        const [errors, rejected] = albAlarms("app/x/1", "targetgroup/y/2", 1000);
        assert.ok(errors.kind === "rate" && rejected.kind === "rate");
        assert.deepEqual(
            [errors.errors.dimensions, errors.requests.dimensions],
            [
                { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/y/2" },
                { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/y/2" },
            ],
        );
        assert.deepEqual(
            [rejected.errors.dimensions, rejected.requests.dimensions],
            [{ LoadBalancer: "app/x/1" }, { LoadBalancer: "app/x/1" }],
        );
    });

    it("turns a rate into metric math that returns only the percentage and never divides by zero", () => {
        assert.deepEqual(alarmMetricInputs(rollbackAlarm("ep", "AllTraffic", 2)), {
            metricQueries: [
                {
                    id: "errors",
                    returnData: false,
                    metric: {
                        namespace: "AWS/SageMaker",
                        metricName: "Invocation5XXErrors",
                        dimensions: { EndpointName: "ep", VariantName: "AllTraffic" },
                        stat: "Sum",
                        period: 60,
                    },
                },
                {
                    id: "requests",
                    returnData: false,
                    metric: {
                        namespace: "AWS/SageMaker",
                        metricName: "Invocations",
                        dimensions: { EndpointName: "ep", VariantName: "AllTraffic" },
                        stat: "Sum",
                        period: 60,
                    },
                },
                { id: "rate", expression: "100 * errors / MAX([errors, requests])", label: "Error rate (%)", returnData: true },
            ],
        });
        assert.deepEqual(alarmMetricInputs(lambdaAlarms("fn", 30)[2]), {
            namespace: "AWS/Lambda",
            metricName: "Duration",
            dimensions: { FunctionName: "fn" },
            extendedStatistic: "p99",
            period: 300,
        });
    });

    it("accepts error-rate thresholds above 0 and up to 100 percent", () => {
        assert.deepEqual(
            [undefined, 0.5, 5, 100].map((v) => validateErrorRatePercent(v)),
            [[], [], [], []],
        );
        for (const bad of [0, -1, 100.5, Number.NaN])
            assert.equal(validateErrorRatePercent(bad)[0]?.message, "must be a percentage above 0 and at most 100", String(bad));
    });
});
