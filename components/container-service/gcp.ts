/**
 * Container service on Google Cloud: an Artifact Registry Docker repository (CMEK, immutable tags,
 * cleanup policies) and, per model, a Cloud Run v2 service (CloudRunModelService) with its own service
 * account, internal ingress by default, min/max instances, concurrency, CPU/memory, startup and liveness
 * probes and an explicit request timeout. A model's small `files` (e.g. the sample model and its server)
 * are uploaded by the program to a private bucket and mounted read-only at /app, so a public pinned
 * image serves the model with no build or push.
 */
import * as pulumi from "@pulumi/pulumi";
import * as artifactregistry from "@pulumi/gcp/artifactregistry";
import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import { privateCodeBucket } from "../storage/gcp";
import { ContainerService } from "./contract";
import {
    CloudRunContainerServiceArgs,
    CloudRunModelServiceArgs,
    CloudRunModelsArgs,
    CloudRunServingArgs,
    filesBucketLogicalName,
    modelStoreEnv,
    validateCloudRunContainerService,
    validateCloudRunModelService,
    validateCloudRunModelServiceName,
} from "./gcp-args";
import * as run from "./gcp-cloud-run";
import { throwIfProblems } from "../shared/problems";
import { GCP_NAME_RULES, hyphenName, serviceAccountId } from "../naming/gcp";

/** One model served by a Cloud Run v2 service with its own service account, internal ingress by default, probes and scaling. */
export class CloudRunModelService extends pulumi.ComponentResource {
    /** The service's URL. */
    public readonly uri: pulumi.Output<string>;
    /** The Cloud Run service's name. */
    public readonly serviceName: string;
    /** Email of the service account the service runs as. */
    public readonly serviceAccountEmail: pulumi.Output<string>;

    constructor(name: string, args: CloudRunModelServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudRunModelService "${name}"`, [
            ...validateCloudRunModelService(args),
            ...validateCloudRunModelServiceName(name),
        ]);
        const gpu = run.cloudRunGpu(args.model, args.region);
        const protect = args.protectData ?? true;
        super("mlops:index:CloudRunModelService", name, args, opts);

        const m = args.model;
        const labels = { ...args.tags, "mlops-model": m.name };
        const child = { parent: this, dependsOn: opts.dependsOn };
        const identity = new serviceaccount.Account(
            `${name}-sa`,
            {
                project: args.project,
                accountId: args.serviceAccountId,
                displayName: `mlops model ${m.name}`,
                description: "Runs one model server; reads only its own files",
            },
            child,
        );
        const member = pulumi.interpolate`serviceAccount:${identity.email}`;

        let filesBucket: pulumi.Output<string> | undefined;
        const ready: pulumi.Resource[] = [];
        if (m.files) {
            const bucket = privateCodeBucket(
                filesBucketLogicalName(name),
                {
                    project: args.project,
                    location: args.region,
                    kmsKeyName: args.filesKmsKeyName as pulumi.Input<string>,
                    accessLogBucket: args.accessLogBucket,
                    keepNoncurrentDays: 30,
                    protect,
                    labels,
                },
                child,
            );
            for (const [file, content] of Object.entries(m.files)) {
                ready.push(
                    new storage.BucketObject(
                        `${name}-file-${file}`,
                        { bucket: bucket.name, name: file, content, contentType: "text/plain" },
                        { parent: this },
                    ),
                );
            }
            ready.push(
                new storage.BucketIAMMember(
                    `${name}-files-reader`,
                    { bucket: bucket.name, role: "roles/storage.objectViewer", member },
                    child,
                ),
            );
            filesBucket = bucket.name;
        }

        // The training contract: the served version (read on <model>/) and the drift capture (create under <model>/_capture/).
        const store = args.modelStore;
        const storeEnv = store ? modelStoreEnv(m.name, store, "") : {};
        if (store && "MLOPS_MODEL_URI" in storeEnv)
            ready.push(modelStoreGrant(child, `${name}-model-read`, store.bucket, "roles/storage.objectViewer", member, `${m.name}/`));
        if (store && "MLOPS_CAPTURE_URI" in storeEnv)
            ready.push(
                modelStoreGrant(child, `${name}-capture-write`, store.bucket, "roles/storage.objectCreator", member, `${m.name}/_capture/`),
            );
        const template = run.revisionTemplate(m, gpu, {
            serviceAccountEmail: identity.email,
            filesBucket,
            requestTimeoutSeconds: args.requestTimeoutSeconds ?? 300,
            gpuZonalRedundancy: args.gpuZonalRedundancy ?? true,
            labels,
        });
        if (store && Object.keys(storeEnv).length > 0) {
            const [container, ...rest] = template.containers as NonNullable<typeof template.containers> & unknown[];
            const plain = (container as { envs?: { name: string; value: string }[] }).envs ?? [];
            template.containers = [
                {
                    ...(container as object),
                    envs: pulumi
                        .output(store.bucket)
                        .apply((b) => [
                            ...plain,
                            ...Object.entries(modelStoreEnv(m.name, store, b)).map(([k, value]) => ({ name: k, value })),
                        ]),
                },
                ...rest,
            ] as typeof template.containers;
        }

        const service = new cloudrunv2.Service(
            `${name}-service`,
            {
                project: args.project,
                location: args.region,
                name: args.serviceName,
                ingress: run.INGRESS[(args.ingress ?? "internal") as keyof typeof run.INGRESS],
                // Callers need roles/run.invoker; the IAM check is never switched off.
                invokerIamDisabled: false,
                deletionProtection: protect,
                labels,
                template,
            },
            { ...child, dependsOn: [...asArray(opts.dependsOn), ...ready] },
        );
        const invokers = [...(args.allowUnauthenticated ? ["allUsers"] : []), ...(args.invokers ?? [])];
        invokers.forEach(
            (who, i) =>
                new cloudrunv2.ServiceIamMember(
                    `${name}-invoker-${i}`,
                    { project: args.project, location: args.region, name: service.name, role: "roles/run.invoker", member: who },
                    child,
                ),
        );
        this.uri = service.uri;
        this.serviceName = args.serviceName;
        this.serviceAccountEmail = identity.email;
        this.registerOutputs({ uri: this.uri, serviceName: this.serviceName, serviceAccountEmail: this.serviceAccountEmail });
    }
}

/** A grant on the models bucket limited to one prefix (IAM Condition on the object name). */
export function modelStoreGrant(
    opts: pulumi.CustomResourceOptions,
    name: string,
    bucket: pulumi.Input<string>,
    role: string,
    member: pulumi.Input<string>,
    prefix: string,
): storage.BucketIAMMember {
    return new storage.BucketIAMMember(
        name,
        {
            bucket,
            role,
            member,
            condition: pulumi.output(bucket).apply((b) => ({
                title: `mlops-${name}`.slice(0, 100),
                description: `objects under gs://${b}/${prefix} only`,
                expression: `resource.name.startsWith("projects/_/buckets/${b}/objects/${prefix}")`,
            })),
        },
        opts,
    );
}

/** A resource option's dependsOn as a list (the stacks always pass lists or single resources). */
export function asArray(d: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}

/**
 * Models served by long-running Cloud Run services (minimum instances from each model's `minReplicas`),
 * plus the project's Docker repository for model images. `protectData` protects and retains the
 * repository and files buckets and turns on deletion protection of the services.
 */
export class CloudRunContainerService extends pulumi.ComponentResource implements ContainerService {
    /** URL per model. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** `<region>-docker.pkg.dev/<project>/<repository>`: push model images here. */
    public readonly registryUrl: pulumi.Output<string>;
    /** Cloud Run service name per model (for alerting). */
    public readonly serviceNames: Readonly<Record<string, string>>;

    constructor(name: string, args: CloudRunContainerServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`CloudRunContainerService "${name}"`, validateCloudRunContainerService(args));
        const keep = args.keepTaggedVersions ?? 10;
        const untaggedDays = args.untaggedRetentionDays ?? 7;
        const protect = args.protectData ?? true;
        super("mlops:index:CloudRunContainerService", name, args, opts);

        const repository = new artifactregistry.Repository(
            `${name}-registry`,
            {
                project: args.project,
                location: args.region,
                repositoryId: hyphenName([args.namePrefix, "models"], GCP_NAME_RULES.repositoryId.max),
                format: "DOCKER",
                description: "mlops model images",
                kmsKeyName: args.registryKmsKeyName,
                // A tag, once pushed, always names the same image (CKV_AWS_51's counterpart).
                dockerConfig: { immutableTags: true },
                cleanupPolicyDryRun: false,
                cleanupPolicies: [
                    {
                        id: "delete-untagged",
                        action: "DELETE",
                        condition: { tagState: "UNTAGGED", olderThan: `${untaggedDays * 86_400}s` },
                    },
                    { id: "keep-recent-versions", action: "KEEP", mostRecentVersions: { keepCount: keep } },
                ],
                labels: { ...args.tags },
            },
            { parent: this, dependsOn: opts.dependsOn, protect, retainOnDelete: protect },
        );

        const services = serveModels(this, name, args, "serve", opts);
        this.serviceNames = Object.fromEntries(services.map((s, i) => [args.models[i].name, s.serviceName]));
        this.endpoints = pulumi
            .all(services.map((s) => s.uri))
            .apply((uris) => Object.fromEntries(args.models.map((m, i) => [m.name, uris[i]])));
        this.registryUrl = repository.registryUri;
        this.registerOutputs({ endpoints: this.endpoints, registryUrl: this.registryUrl, serviceNames: this.serviceNames });
    }
}

/** The shared settings out of a component's arguments (so no unrelated argument reaches the children). */
function servingArgs(a: CloudRunServingArgs): CloudRunServingArgs {
    return {
        project: a.project,
        region: a.region,
        filesKmsKeyName: a.filesKmsKeyName,
        accessLogBucket: a.accessLogBucket,
        ingress: a.ingress,
        allowUnauthenticated: a.allowUnauthenticated,
        invokers: a.invokers,
        requestTimeoutSeconds: a.requestTimeoutSeconds,
        gpuZonalRedundancy: a.gpuZonalRedundancy,
        protectData: a.protectData,
        tags: a.tags,
        modelStore: a.modelStore,
    };
}

/** One CloudRunModelService per model, named `<prefix>-<role>-<model>` (service and account). */
export function serveModels(
    parent: pulumi.ComponentResource,
    name: string,
    args: CloudRunModelsArgs,
    role: string,
    opts: pulumi.ComponentResourceOptions,
): CloudRunModelService[] {
    return args.models.map(
        (model) =>
            new CloudRunModelService(
                `${name}-${model.name}`,
                {
                    ...servingArgs(args),
                    model,
                    serviceName: hyphenName([args.namePrefix, role, model.name], GCP_NAME_RULES.cloudRunService.max),
                    serviceAccountId: serviceAccountId(args.namePrefix, role, model.name),
                },
                { parent, dependsOn: opts.dependsOn },
            ),
    );
}
