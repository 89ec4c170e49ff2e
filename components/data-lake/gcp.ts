/**
 * The data lake on Google Cloud: one GCS bucket per zone (uniform bucket-level access, public access
 * prevention enforced, versioning, CMEK, soft delete, lifecycle rules) logging every request to a
 * separate access-log bucket; with `queryEngine`, one CMEK-encrypted BigQuery dataset per zone; and Data
 * Access audit logs for Cloud Storage and BigQuery, routed to a log bucket kept `auditLogRetentionDays`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as bigquery from "@pulumi/gcp/bigquery";
import * as logging from "@pulumi/gcp/logging";
import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import { RandomString } from "@pulumi/random/randomString";
import { DataLake } from "./contract";
import * as rules from "./gcp-args";
import { GcsDataLakeArgs } from "./gcp-args";
import { throwIfProblems } from "../shared/problems";
import { hyphenName } from "../naming/gcp";

/** The data lake on Google Cloud: one CMEK bucket per zone with access logs, BigQuery datasets with `queryEngine`, and Data Access audit logs. */
export class GcsDataLake extends pulumi.ComponentResource implements DataLake {
    /** Bucket name per zone. */
    public readonly bucketNames: pulumi.Output<Record<string, string>>;
    /** `https://storage.googleapis.com` (the JSON/XML API endpoint; buckets are addressed by name). */
    public readonly endpoint: pulumi.Output<string>;
    /** BigQuery dataset ID per zone (empty without `queryEngine`). */
    public readonly datasetIds: pulumi.Output<Record<string, string>>;
    /** Name of the bucket receiving access logs. */
    public readonly accessLogBucketName: pulumi.Output<string>;
    /** The audit log bucket (`projects/<p>/locations/<r>/buckets/<id>`). */
    public readonly auditLogBucket: pulumi.Output<string>;

    constructor(name: string, args: GcsDataLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`GcsDataLake "${name}"`, [...rules.validateGcsDataLake(args), ...rules.validateGcsDataLakeName(name, args.zones)]);
        const s = rules.gcsLakeSettings(args);
        const namePrefix = args.namePrefix;
        const protect = args.protectData ?? true;
        super("mlops:index:GcsDataLake", name, args, opts);

        const labels = { ...args.tags };
        const child = { parent: this, dependsOn: opts.dependsOn };
        const stateful = { ...child, protect, retainOnDelete: protect };
        const bucket = (logicalName: string, lifecycle: rules.LifecycleSettings, logBucket?: pulumi.Input<string>) =>
            new storage.Bucket(
                logicalName,
                {
                    project: args.project,
                    location: args.region,
                    storageClass: "STANDARD",
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    versioning: { enabled: true },
                    encryption: { defaultKmsKeyName: args.kmsKeyName },
                    softDeletePolicy: { retentionDurationSeconds: s.softDeleteRetentionDays * rules.SECONDS_PER_DAY },
                    lifecycleRules: rules.lifecycleRules(lifecycle),
                    logging: logBucket === undefined ? undefined : { logBucket },
                    // Only dev stacks may empty a bucket on destroy; prod keeps every object.
                    forceDestroy: !protect,
                    labels,
                },
                stateful,
            );

        const common = {
            noncurrentVersionRetentionDays: s.noncurrentVersionRetentionDays,
            abortIncompleteUploadDays: s.abortIncompleteUploadDays,
        };
        const logs = bucket(rules.logBucketLogicalName(name), { ...common, deleteAfterDays: s.accessLogRetentionDays });
        // Usage logs are written by this Google group (cloud.google.com/storage/docs/access-logs).
        const logWriter = new storage.BucketIAMMember(
            `${name}-access-logs-writer`,
            { bucket: logs.name, role: "roles/storage.objectCreator", member: "group:cloud-storage-analytics@google.com" },
            child,
        );
        const zoneBuckets = s.zones.map((zone) =>
            bucket(
                rules.bucketLogicalName(name, zone),
                { ...common, coldStorageAfterDays: zone === rules.RAW_ZONE ? s.rawColdStorageAfterDays : undefined },
                logWriter.bucket,
            ),
        );

        const datasets = s.queryEngine
            ? s.zones.map(
                  (zone) =>
                      new bigquery.Dataset(
                          `${name}-${zone}-dataset`,
                          {
                              project: args.project,
                              datasetId: rules.zoneDatasetId(namePrefix, zone),
                              location: args.region,
                              description: `mlops data lake, zone ${zone}`,
                              defaultEncryptionConfiguration: { kmsKeyName: args.bigQueryKmsKeyName as pulumi.Input<string> },
                              // The project's own roles only, written out so no public grant can hide in the defaults.
                              accesses: [
                                  { role: "OWNER", specialGroup: "projectOwners" },
                                  { role: "WRITER", specialGroup: "projectWriters" },
                                  { role: "READER", specialGroup: "projectReaders" },
                              ],
                              deleteContentsOnDestroy: !protect,
                              labels,
                          },
                          stateful,
                      ),
              )
            : [];

        // Data Access audit logs: off by default in GCP for these services (CIS GCP 2.1).
        const auditServices = s.queryEngine ? ["storage.googleapis.com", "bigquery.googleapis.com"] : ["storage.googleapis.com"];
        for (const service of auditServices) {
            new projects.IAMAuditConfig(
                `${name}-audit-${service.split(".")[0]}`,
                { project: args.project, service, auditLogConfigs: rules.AUDIT_LOG_TYPES.map((logType) => ({ logType })) },
                child,
            );
        }
        // Log bucket IDs stay reserved for 7 days after deletion: a suffix lets a re-created stack start at once.
        const suffix = new RandomString(`${name}-audit-suffix`, { length: 6, special: false, upper: false }, { parent: this, protect });
        const bucketId = pulumi.interpolate`${hyphenName([namePrefix, "audit"], 90)}-${suffix.result}`;
        const auditBucket = new logging.ProjectBucketConfig(
            `${name}-audit-logs`,
            {
                project: args.project,
                location: args.region,
                bucketId,
                retentionDays: s.auditLogRetentionDays,
                // Locked retention cannot be shortened or removed (CIS GCP 2.3); dev stacks stay unlocked.
                locked: protect,
                description: "mlops: Data Access audit logs",
            },
            stateful,
        );
        const destination = pulumi.interpolate`logging.googleapis.com/projects/${args.project}/locations/${args.region}/buckets/${auditBucket.bucketId}`;
        new logging.ProjectSink(
            `${name}-audit-sink`,
            {
                project: args.project,
                name: pulumi.interpolate`${hyphenName([namePrefix, "data-access"], 90)}-${suffix.result}`,
                destination,
                filter: rules.DATA_ACCESS_FILTER,
                // Same-project log buckets need no writer identity or grant.
                uniqueWriterIdentity: false,
                description: "mlops: routes Data Access audit logs to the retained audit bucket",
            },
            child,
        );

        this.endpoint = pulumi.output("https://storage.googleapis.com");
        this.bucketNames = pulumi
            .all(zoneBuckets.map((b) => b.name))
            .apply((names) => Object.fromEntries(s.zones.map((z, i) => [z, names[i]])));
        this.datasetIds = pulumi
            .all(datasets.map((d) => d.datasetId))
            .apply((ids) => Object.fromEntries(ids.map((id, i) => [s.zones[i], id])));
        this.accessLogBucketName = logWriter.bucket;
        this.auditLogBucket = destination.apply((d) => d.replace(/^logging\.googleapis\.com\//, ""));
        this.registerOutputs({
            bucketNames: this.bucketNames,
            endpoint: this.endpoint,
            datasetIds: this.datasetIds,
            accessLogBucketName: this.accessLogBucketName,
            auditLogBucket: this.auditLogBucket,
        });
    }
}
