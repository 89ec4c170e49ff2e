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
import { ContainerService, ContainerServiceArgs } from "./contract";
import * as run from "./gcp-cloud-run";
import { ModelServingSpec } from "../shared/model";
import { Problems } from "../shared/problems";
import { GCP_NAME_RULES, autoNameBudget, fitsGcpRule, hyphenName, namePrefixProblems, serviceAccountId } from "../naming/gcp";

/** Settings every Cloud Run model service of a component shares (container service and serverless inference). */
export interface CloudRunServingArgs {
    /** Project of every resource. */
    readonly project: string;
    /** Cloud Run region (GPU models need one that offers nvidia-l4). */
    readonly region: string;
    /** Cloud KMS key of the models' files buckets. Required when a model has files. @default - none */
    readonly filesKmsKeyName?: pulumi.Input<string>;
    /** Bucket that receives the files buckets' access logs (e.g. the data lake's). @default - no access logs */
    readonly accessLogBucket?: pulumi.Input<string>;
    /** `internal`, `internal-and-cloud-load-balancing` or `all`. @default "internal" */
    readonly ingress?: string;
    /** Grant `roles/run.invoker` to `allUsers`: anyone on the internet may call the model. @default false */
    readonly allowUnauthenticated?: boolean;
    /** IAM members granted `roles/run.invoker`, e.g. `group:ml-clients@example.com`. @default [] */
    readonly invokers?: readonly string[];
    /** Seconds a request may take. @default 300 */
    readonly requestTimeoutSeconds?: number;
    /** Spread GPU instances over zones (needs the zonal-redundancy GPU quota; costs more). @default true */
    readonly gpuZonalRedundancy?: boolean;
    /** Deletion protection on the services; protect and retain the files buckets. @default true */
    readonly protectData?: boolean;
    /** Labels put on every resource. @default {} */
    readonly tags?: Readonly<Record<string, string>>;
}

/** One model on Cloud Run. */
export interface CloudRunModelServiceArgs extends CloudRunServingArgs {
    /** The model to serve. */
    readonly model: ModelServingSpec;
    /** Cloud Run service name (at most 49 characters, a letter first). */
    readonly serviceName: string;
    /** ID of the service account created for this model (6-30 characters). */
    readonly serviceAccountId: string;
}

export const filesBucketLogicalName = (name: string) => `${name}-files`;

export class CloudRunModelService extends pulumi.ComponentResource {
    public readonly uri: pulumi.Output<string>;
    public readonly serviceName: string;
    public readonly serviceAccountEmail: pulumi.Output<string>;

    constructor(name: string, args: CloudRunModelServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const ctx = contextOf(args);
        const problems = new Problems();
        run.contextProblems(ctx, problems);
        const gpu = run.cloudRunModelProblems(args.model, "model", args.region, problems);
        if (!fitsGcpRule("cloudRunService", args.serviceName))
            problems.add({
                path: "serviceName",
                value: args.serviceName,
                message: "is not a Cloud Run service name",
                fix: "use at most 49 lowercase letters, digits and hyphens, starting with a letter",
            });
        if (!fitsGcpRule("serviceAccountId", args.serviceAccountId))
            problems.add({
                path: "serviceAccountId",
                value: args.serviceAccountId,
                message: "is not a service account ID",
                fix: "use 6-30 lowercase letters, digits and hyphens, starting with a letter",
            });
        if (args.model?.files && args.filesKmsKeyName === undefined)
            problems.add({
                path: "filesKmsKeyName",
                value: undefined,
                message: "is required when the model has files (its bucket is CMEK-encrypted)",
            });
        if (filesBucketLogicalName(name).length > autoNameBudget(GCP_NAME_RULES.bucket.max))
            problems.add({ path: "name", value: name, message: "is too long for the files bucket name with the random suffix" });
        problems.throwIfAny(`CloudRunModelService "${name}"`);
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
            const bucket = new storage.Bucket(
                filesBucketLogicalName(name),
                {
                    project: args.project,
                    location: args.region,
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    versioning: { enabled: true },
                    encryption: { defaultKmsKeyName: args.filesKmsKeyName as pulumi.Input<string> },
                    softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
                    lifecycleRules: [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } }],
                    logging: args.accessLogBucket === undefined ? undefined : { logBucket: args.accessLogBucket },
                    forceDestroy: !protect,
                    labels,
                },
                { ...child, protect, retainOnDelete: protect },
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

        const service = new cloudrunv2.Service(
            `${name}-service`,
            {
                project: args.project,
                location: args.region,
                name: args.serviceName,
                ingress: run.INGRESS[ctx.ingress as keyof typeof run.INGRESS],
                // Callers need roles/run.invoker; the IAM check is never switched off.
                invokerIamDisabled: false,
                deletionProtection: protect,
                labels,
                template: run.revisionTemplate(m, gpu, {
                    serviceAccountEmail: identity.email,
                    filesBucket,
                    requestTimeoutSeconds: ctx.requestTimeoutSeconds,
                    gpuZonalRedundancy: args.gpuZonalRedundancy ?? true,
                    labels,
                }),
            },
            { ...child, dependsOn: [...asArray(opts.dependsOn), ...ready] },
        );
        const invokers = [...(ctx.allowUnauthenticated ? ["allUsers"] : []), ...ctx.invokers];
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

function contextOf(args: CloudRunServingArgs): run.CloudRunContext {
    return {
        region: args.region,
        ingress: args.ingress ?? "internal",
        allowUnauthenticated: args.allowUnauthenticated ?? false,
        invokers: args.invokers ?? [],
        requestTimeoutSeconds: args.requestTimeoutSeconds ?? 300,
    };
}

/** A resource option's dependsOn as a list (the stacks always pass lists or single resources). */
export function asArray(d: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    if (d === undefined) return [];
    return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}

/** The arguments of a component that serves many models on Cloud Run. */
export interface CloudRunModelsArgs extends CloudRunServingArgs {
    /** Prefix of project-unique names (services, service accounts); the stacks use `<project>-<stack>`. */
    readonly namePrefix: string;
    /** The models to serve, one Cloud Run service each. */
    readonly models: readonly ModelServingSpec[];
}

/** Validates a whole list of Cloud Run models at once (every problem before any resource). */
export function cloudRunModelsProblems(args: CloudRunModelsArgs, problems: Problems): void {
    namePrefixProblems(args.namePrefix, problems);
    run.contextProblems(contextOf(args), problems);
    const seen = new Set<string>();
    (args.models ?? []).forEach((m, i) => {
        run.cloudRunModelProblems(m, `models[${i}]`, args.region, problems);
        if (seen.has(m.name)) problems.add({ path: `models[${i}].name`, value: m.name, message: "is used by another model" });
        seen.add(m.name);
        if (m.files && args.filesKmsKeyName === undefined)
            problems.add({ path: "filesKmsKeyName", value: undefined, message: `is required: model ${m.name} has files` });
    });
}

export interface CloudRunContainerServiceArgs extends ContainerServiceArgs, CloudRunModelsArgs {
    /** Cloud KMS key of the Docker repository (the Artifact Registry service agent must be able to use it). */
    readonly registryKmsKeyName: pulumi.Input<string>;
    /** Tagged image versions kept per image by the cleanup policy. @default 10 */
    readonly keepTaggedVersions?: number;
    /** Days after which untagged image versions are deleted. @default 7 */
    readonly untaggedRetentionDays?: number;
}

/**
 * Models served by long-running Cloud Run services (minimum instances from each model's `minReplicas`),
 * plus the project's Docker repository for model images. `protectData` protects and retains the
 * repository and files buckets and turns on deletion protection of the services.
 */
export class CloudRunContainerService extends pulumi.ComponentResource implements ContainerService {
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** `<region>-docker.pkg.dev/<project>/<repository>`: push model images here. */
    public readonly registryUrl: pulumi.Output<string>;
    /** Cloud Run service name per model (for alerting). */
    public readonly serviceNames: Readonly<Record<string, string>>;

    constructor(name: string, args: CloudRunContainerServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const keep = args.keepTaggedVersions ?? 10;
        const untaggedDays = args.untaggedRetentionDays ?? 7;
        const problems = new Problems();
        cloudRunModelsProblems(args, problems);
        if (!Number.isInteger(keep) || keep < 1)
            problems.add({ path: "keepTaggedVersions", value: keep, message: "must be a whole number of at least 1" });
        if (!Number.isInteger(untaggedDays) || untaggedDays < 1)
            problems.add({ path: "untaggedRetentionDays", value: untaggedDays, message: "must be a whole number of days of at least 1" });
        problems.throwIfAny(`CloudRunContainerService "${name}"`);
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
