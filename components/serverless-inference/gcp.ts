/**
 * Serverless inference on Google Cloud, three implementations:
 *  - CloudRunInference: one Cloud Run service per model that scales to zero (optional nvidia-l4);
 *  - CloudFunctionsInference: one Cloud Functions (2nd gen) HTTP function per model, CPU only, built by
 *    Cloud Build from a source archive this program uploads (the model's files plus a handler);
 *  - VertexEndpointInference: one dedicated (or Private Service Connect) Vertex AI endpoint per model
 *    with CMEK. Pulumi has no resource that deploys a custom model onto an endpoint: a pipeline does that
 *    with the exported `deploySettings` (docs/gcp.md, "Vertex AI endpoints").
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudfunctionsv2 from "@pulumi/gcp/cloudfunctionsv2";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import { privateCodeBucket } from "../storage/gcp";
import * as vertex from "@pulumi/gcp/vertex";
import { ServerlessInference } from "./contract";
import {
    CloudFunctionsInferenceArgs,
    CloudRunInferenceArgs,
    VertexEndpointInferenceArgs,
    validateCloudFunctionsInference,
    validateCloudRunInference,
    validateVertexEndpointInference,
} from "./gcp-args";
import * as sl from "./gcp-serverless";
import { asArray, serveModels } from "../container-service/gcp";
import { throwIfProblems } from "../shared/problems";
import { functionName, hyphenName, serviceAccountId, vertexEndpointId } from "../naming/gcp";

/** Cloud Run services that scale to zero when a model's `minReplicas` is 0 (serverless defaults). */
export class CloudRunInference extends pulumi.ComponentResource implements ServerlessInference {
    /** URL per model. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Cloud Run service name per model. */
    public readonly serviceNames: Readonly<Record<string, string>>;

    constructor(name: string, args: CloudRunInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudRunInference "${name}"`, validateCloudRunInference(args));
        super("mlops:index:CloudRunInference", name, args, opts);
        const services = serveModels(this, name, args, "infer", opts);
        this.serviceNames = Object.fromEntries(services.map((s, i) => [args.models[i].name, s.serviceName]));
        this.endpoints = pulumi
            .all(services.map((s) => s.uri))
            .apply((uris) => Object.fromEntries(args.models.map((m, i) => [m.name, uris[i]])));
        this.registerOutputs({ endpoints: this.endpoints, serviceNames: this.serviceNames });
    }
}

/** Serverless inference on Cloud Functions (2nd gen): one HTTP function per model, CPU only. */
export class CloudFunctionsInference extends pulumi.ComponentResource implements ServerlessInference {
    /** URL per model. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Function name per model (also the name of the Cloud Run service behind it, for alerting). */
    public readonly serviceNames: Readonly<Record<string, string>>;

    constructor(name: string, args: CloudFunctionsInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudFunctionsInference "${name}"`, validateCloudFunctionsInference(args));
        const handlers = args.handlerFiles ?? {};
        const runtime = args.runtime ?? "python312";
        const ingress = args.ingress ?? "internal";
        const timeout = args.requestTimeoutSeconds ?? 300;
        const protect = args.protectData ?? true;
        super("mlops:index:CloudFunctionsInference", name, args, opts);

        const labels = { ...args.tags };
        const child = { parent: this, dependsOn: opts.dependsOn };
        const sources = privateCodeBucket(
            `${name}-sources`,
            {
                project: args.project,
                location: args.region,
                kmsKeyName: args.sourceKmsKeyName,
                accessLogBucket: args.accessLogBucket,
                keepNoncurrentDays: 30,
                protect,
                labels,
            },
            child,
        );
        // Cloud Build runs as this identity instead of a default account with broad project roles.
        const builder = new serviceaccount.Account(
            `${name}-builder`,
            { project: args.project, accountId: serviceAccountId(args.namePrefix, "fn-build"), displayName: "mlops function builds" },
            child,
        );
        const builderMember = pulumi.interpolate`serviceAccount:${builder.email}`;
        const grants: pulumi.Resource[] = [
            new projects.IAMMember(
                `${name}-builder-logs`,
                { project: args.project, role: sl.BUILD_PROJECT_ROLE, member: builderMember },
                child,
            ),
            new projects.IAMMember(
                `${name}-builder-gcf-sources`,
                {
                    project: args.project,
                    role: "roles/storage.objectViewer",
                    member: builderMember,
                    condition: {
                        title: "gcf-v2-sources only",
                        description: "Function sources Cloud Functions stages for builds",
                        expression: sl.GCF_SOURCES_CONDITION,
                    },
                },
                child,
            ),
            new storage.BucketIAMMember(
                `${name}-builder-sources`,
                { bucket: sources.name, role: "roles/storage.objectViewer", member: builderMember },
                child,
            ),
            // Cloud Functions keeps build images and the buildpacks cache (a moving `latest` tag) in its own
            // `gcf-artifacts` repository, which it creates on first deploy: the build may write there only.
            new projects.IAMMember(
                `${name}-builder-push`,
                {
                    project: args.project,
                    role: "roles/artifactregistry.writer",
                    member: builderMember,
                    condition: {
                        title: "gcf-artifacts only",
                        description: "The repository Cloud Functions builds push to",
                        expression: sl.gcfArtifactsCondition(args.project, args.region),
                    },
                },
                child,
            ),
        ];

        const functions = args.models.map((m) => {
            const files = sl.functionSourceFiles(m, handlers);
            const archive = new storage.BucketObject(
                `${name}-${m.name}-source`,
                {
                    bucket: sources.name,
                    name: sl.archiveObjectName(m.name, files),
                    source: new pulumi.asset.AssetArchive(
                        Object.fromEntries(Object.entries(files).map(([f, c]) => [f, new pulumi.asset.StringAsset(c)])),
                    ),
                },
                { parent: this },
            );
            const identity = new serviceaccount.Account(
                `${name}-${m.name}-sa`,
                {
                    project: args.project,
                    accountId: serviceAccountId(args.namePrefix, "fn", m.name),
                    displayName: `mlops function ${m.name}`,
                    description: "Runs one model function; no project roles",
                },
                child,
            );
            const fn = new cloudfunctionsv2.Function(
                `${name}-${m.name}`,
                {
                    project: args.project,
                    location: args.region,
                    name: functionName(args.namePrefix, m.name),
                    description: `mlops model ${m.name}`,
                    labels: { ...labels, "mlops-model": m.name },
                    buildConfig: {
                        runtime,
                        entryPoint: args.entryPoint ?? "predict",
                        source: { storageSource: { bucket: sources.name, object: archive.name } },
                        serviceAccount: builder.name,
                    },
                    serviceConfig: {
                        availableCpu: String(m.cpuMillicores / 1000),
                        availableMemory: `${m.memoryMiB}Mi`,
                        minInstanceCount: m.minReplicas,
                        maxInstanceCount: m.maxReplicas,
                        maxInstanceRequestConcurrency: m.concurrency,
                        timeoutSeconds: timeout,
                        ingressSettings: sl.FUNCTION_INGRESS[ingress as keyof typeof sl.FUNCTION_INGRESS],
                        allTrafficOnLatestRevision: true,
                        serviceAccountEmail: identity.email,
                        environmentVariables: { MODEL_NAME: m.name, ...m.env },
                    },
                },
                { parent: this, dependsOn: [...asArray(opts.dependsOn), ...grants] },
            );
            // A 2nd gen function is served by a Cloud Run service of the same name: invokers need run.invoker there.
            [...(args.allowUnauthenticated ? ["allUsers"] : []), ...(args.invokers ?? [])].forEach(
                (member, i) =>
                    new cloudrunv2.ServiceIamMember(
                        `${name}-${m.name}-invoker-${i}`,
                        { project: args.project, location: args.region, name: fn.name, role: "roles/run.invoker", member },
                        child,
                    ),
            );
            return fn;
        });
        this.serviceNames = Object.fromEntries(args.models.map((m) => [m.name, functionName(args.namePrefix, m.name)]));
        this.endpoints = pulumi
            .all(functions.map((f) => f.url))
            .apply((urls) => Object.fromEntries(args.models.map((m, i) => [m.name, urls[i]])));
        this.registerOutputs({ endpoints: this.endpoints, serviceNames: this.serviceNames });
    }
}

/**
 * A model's endpoint ID. Private Service Connect is immutable on an endpoint, so switching `endpointAccess`
 * replaces it; the ID then changes too, so Pulumi can create the new endpoint before deleting the old one
 * (a fixed ID would make the create fail with "already exists"). Dedicated endpoints keep the ID they
 * always had.
 */
export function endpointIdOf(project: string, namePrefix: string, model: string, access: string): string {
    return access === "dedicated" ? vertexEndpointId(project, namePrefix, model) : vertexEndpointId(project, namePrefix, model, access);
}

/** Serverless inference on Vertex AI: one endpoint per model (dedicated or Private Service Connect) with CMEK; a pipeline deploys the model with `deploySettings`. */
export class VertexEndpointInference extends pulumi.ComponentResource implements ServerlessInference {
    /** URL per model. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Endpoint ID per model (for alerting and deployment). */
    public readonly endpointIds: Readonly<Record<string, string>>;
    /** What a pipeline passes to `gcloud ai endpoints deploy-model`, per model. */
    public readonly deploySettings: pulumi.Output<Record<string, sl.VertexEndpointDeploySettings>>;

    constructor(name: string, args: VertexEndpointInferenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`VertexEndpointInference "${name}"`, validateVertexEndpointInference(args));
        const floor = args.replicaFloor ?? 1;
        const access = args.endpointAccess ?? "dedicated";
        const resolved = args.models.map((m) => sl.vertexEndpointAccelerator(m));
        super("mlops:index:VertexEndpointInference", name, args, opts);

        const ids = Object.fromEntries(args.models.map((m) => [m.name, endpointIdOf(args.project, args.namePrefix, m.name, access)]));
        const endpoints = args.models.map(
            (m) =>
                new vertex.AiEndpoint(
                    `${name}-${m.name}`,
                    {
                        project: args.project,
                        location: args.region,
                        region: args.region,
                        name: ids[m.name],
                        displayName: hyphenName([args.namePrefix, m.name], 128),
                        description: `mlops model ${m.name}`,
                        encryptionSpec: { kmsKeyName: args.kmsKeyName },
                        dedicatedEndpointEnabled: access === "dedicated" ? true : undefined,
                        privateServiceConnectConfig:
                            access === "private-service-connect"
                                ? { enablePrivateServiceConnect: true, projectAllowlists: [args.project] }
                                : undefined,
                        labels: { ...args.tags, "mlops-model": m.name },
                    },
                    { parent: this, dependsOn: opts.dependsOn },
                ),
        );
        const path = (id: string) => `projects/${args.project}/locations/${args.region}/endpoints/${id}`;
        this.endpointIds = ids;
        this.endpoints = pulumi
            .all(endpoints.map((e) => e.dedicatedEndpointDns))
            .apply((dns) =>
                Object.fromEntries(
                    args.models.map((m, i) => [
                        m.name,
                        access === "dedicated" ? sl.dedicatedPredictUrl(dns[i], path(ids[m.name])) : path(ids[m.name]),
                    ]),
                ),
            );
        this.deploySettings = pulumi.output(
            Object.fromEntries(
                args.models.map((m, i) => [
                    m.name,
                    {
                        endpoint: path(ids[m.name]),
                        ...sl.vertexDeploySettings(m, resolved[i], args.cpuMachineType ?? "n1-standard-2", floor),
                    },
                ]),
            ),
        );
        this.registerOutputs({ endpoints: this.endpoints, endpointIds: this.endpointIds, deploySettings: this.deploySettings });
    }
}
