/**
 * The data lake on AWS: one S3 bucket per zone (KMS-encrypted with the platform key, versioned, private,
 * TLS only, lifecycle rules, server access logs to a log bucket), a Glue database per zone and an Athena
 * workgroup with encrypted, enforced results (the query engine), and a CloudTrail trail recording every
 * object-level read and write on the zone buckets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as athena from "@pulumi/aws/athena";
import * as elb from "@pulumi/aws/elb";
import * as glue from "@pulumi/aws/glue";
import { AwsDataAccessTrail } from "../audit/aws";
import { awsAccount, PolicyStatement, statementsJson } from "../identity/aws";
import { AwsSecureBucket } from "../storage/aws";
import { Problems } from "../shared/problems";
import { DataLake, DataLakeArgs } from "./contract";
import { athenaWorkgroupName, COLD_STORAGE_CLASSES, globalBucketName, glueDatabaseName, isLogRetention, NAME_PREFIX } from "./aws-naming";

/** Zone names become bucket and database name parts. */
const ZONE = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;

/** Lets S3 server access logging deliver into the log bucket, for this account's lake buckets only. */
export function accessLogDeliveryStatement(
    logBucketArn: pulumi.Input<string>,
    sourceBucketArns: readonly pulumi.Input<string>[],
    accountId: pulumi.Input<string>,
): PolicyStatement {
    return {
        Sid: "S3ServerAccessLogsDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: pulumi.interpolate`${logBucketArn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": [...sourceBucketArns] }, StringEquals: { "aws:SourceAccount": accountId } },
    };
}

/**
 * Lets Elastic Load Balancing deliver load balancer access logs under `<prefix>/AWSLogs/<account>/` (ELB
 * user guide, "Enable access logs for your Application Load Balancer"): regions available before August
 * 2022 write as the region's ELB account, newer ones as the log delivery service principal.
 */
export function loadBalancerLogDeliveryStatements(
    logBucketArn: pulumi.Input<string>,
    prefix: string,
    accountId: pulumi.Input<string>,
    elbAccountArn: pulumi.Input<string>,
): PolicyStatement[] {
    const resource = pulumi.interpolate`${logBucketArn}/${prefix}/AWSLogs/${accountId}/*`;
    return [
        { Sid: "ElbAccessLogsDelivery", Effect: "Allow", Principal: { AWS: elbAccountArn }, Action: "s3:PutObject", Resource: resource },
        {
            Sid: "ElbAccessLogsDeliveryService",
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: resource,
        },
    ];
}

export interface S3DataLakeArgs extends DataLakeArgs {
    /** Prefix of every physical name, e.g. `mlops-aws-dev` (see awsNamePrefix). */
    readonly namePrefix: string;
    /** The platform's KMS key: buckets, trail, query results and the catalog are encrypted with it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Zone whose objects move to colder storage after `rawColdStorageAfterDays`. @default "raw" */
    readonly rawZone?: string;
    /** Storage class old raw objects move to. @default "STANDARD_IA" */
    readonly coldStorageClass?: string;
    /**
     * Encrypt the Glue Data Catalog with the key. The setting is account- and region-wide: one stack per
     * account and region should own it. @default true
     */
    readonly catalogEncryption?: boolean;
    /** Record object-level reads and writes with CloudTrail (billed per 100,000 events). @default true */
    readonly dataAccessTrail?: boolean;
    /** Empty buckets when they are deleted (dev only; refused with protectData). @default false */
    readonly forceDestroy?: boolean;
    /** Largest scan one Athena query may do, in GiB (a cost guard; at least 1). @default 10 */
    readonly queryBytesScannedCutoffGiB?: number;
    /** Days Athena query results are kept. @default 30 */
    readonly queryResultRetentionDays?: number;
    /**
     * Key prefix under which load balancers may write access logs to the access-log bucket (the only lake
     * bucket ELB can write to: it accepts SSE-S3 buckets only). @default - no load balancer logs
     */
    readonly loadBalancerLogPrefix?: string;
}

export class S3DataLake extends pulumi.ComponentResource implements DataLake {
    public readonly bucketNames: pulumi.Output<Record<string, string>>;
    public readonly bucketArns: pulumi.Output<Record<string, string>>;
    /** The regional S3 endpoint, `https://s3.<region>.amazonaws.com`. */
    public readonly endpoint: pulumi.Output<string>;
    /** The bucket holding server access logs. */
    public readonly accessLogBucketName: pulumi.Output<string>;
    /** Athena workgroup, or "" without the query engine. */
    public readonly workgroupName: pulumi.Output<string>;

    constructor(name: string, args: S3DataLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const s = {
            protect: args.protectData ?? true,
            noncurrent: args.noncurrentVersionRetentionDays ?? 30,
            abortUploads: args.abortIncompleteUploadDays ?? 7,
            coldAfter: args.rawColdStorageAfterDays ?? 90,
            audit: args.auditLogRetentionDays ?? 365,
            rawZone: args.rawZone ?? "raw",
            coldClass: args.coldStorageClass ?? "STANDARD_IA",
            cutoffGiB: args.queryBytesScannedCutoffGiB ?? 10,
            resultDays: args.queryResultRetentionDays ?? 30,
        };
        validate(name, args, s);
        super("mlops:index:S3DataLake", name, args, opts);

        const tags = { ...args.tags };
        const account = awsAccount(this);
        const bucketName = (role: string) =>
            pulumi.all([account.accountId, account.region]).apply(([a, r]) => globalBucketName([args.namePrefix, role], a, r));
        const arnOf = (bucket: pulumi.Input<string>) => pulumi.interpolate`arn:${account.partition}:s3:::${bucket}`;
        const common = {
            protectData: s.protect,
            forceDestroy: args.forceDestroy,
            noncurrentVersionRetentionDays: s.noncurrent,
            abortIncompleteUploadDays: s.abortUploads,
            tags,
        };

        const zoneNames = Object.fromEntries(args.zones.map((z) => [z, bucketName(z)]));
        const resultsName = bucketName("query-results");
        const auditName = bucketName("audit");
        const logsName = bucketName("access-logs");
        const loggingBuckets = [
            ...Object.values(zoneNames),
            ...(args.queryEngine ? [resultsName] : []),
            ...((args.dataAccessTrail ?? true) ? [auditName] : []),
        ];
        // S3 server access logging delivers only into SSE-S3 buckets: this bucket holds logs, not lake data.
        const accessLogs = new AwsSecureBucket(
            `${name}-access-logs`,
            {
                ...common,
                bucketName: logsName,
                expirationDays: s.audit,
                extraPolicyStatementsJson: statementsJson([
                    accessLogDeliveryStatement(arnOf(logsName), loggingBuckets.map(arnOf), account.accountId),
                    ...(args.loadBalancerLogPrefix !== undefined
                        ? loadBalancerLogDeliveryStatements(
                              arnOf(logsName),
                              args.loadBalancerLogPrefix,
                              account.accountId,
                              elb.getServiceAccountOutput({}, { parent: this }).arn,
                          )
                        : []),
                ]),
            },
            { parent: this },
        );
        const withLogs = { ...common, kmsKeyArn: args.kmsKeyArn, accessLogBucketName: accessLogs.bucketName };
        const zones = args.zones.map(
            (zone) =>
                new AwsSecureBucket(
                    `${name}-${zone}`,
                    {
                        ...withLogs,
                        bucketName: zoneNames[zone],
                        accessLogPrefix: `${zone}/`,
                        ...(zone === s.rawZone ? { coldStorageAfterDays: s.coldAfter, coldStorageClass: s.coldClass } : {}),
                    },
                    { parent: this, dependsOn: [accessLogs.policy] },
                ),
        );

        let workgroupName: pulumi.Output<string> = pulumi.output("");
        if (args.queryEngine ?? false) {
            const results = new AwsSecureBucket(
                `${name}-query-results`,
                { ...withLogs, bucketName: resultsName, accessLogPrefix: "query-results/", expirationDays: s.resultDays },
                { parent: this, dependsOn: [accessLogs.policy] },
            );
            let encryption: glue.DataCatalogEncryptionSettings | undefined;
            if (args.catalogEncryption ?? true) {
                encryption = new glue.DataCatalogEncryptionSettings(
                    `${name}-catalog-encryption`,
                    {
                        dataCatalogEncryptionSettings: {
                            encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: args.kmsKeyArn },
                            connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: args.kmsKeyArn },
                        },
                    },
                    // Account-wide: deleting the stack must not switch another stack's catalog encryption off.
                    { parent: this, retainOnDelete: true },
                );
            }
            args.zones.forEach((zone, i) => {
                new glue.CatalogDatabase(
                    `${name}-${zone}-db`,
                    {
                        name: glueDatabaseName([args.namePrefix, zone]),
                        description: `The ${zone} zone of the data lake`,
                        locationUri: pulumi.interpolate`s3://${zones[i].bucketName}/`,
                        tags,
                    },
                    // Metadata written before the catalog setting exists stays unencrypted, so the setting
                    // comes first. Deleting a database drops every table in it: protected and kept in prod.
                    { parent: this, protect: s.protect, retainOnDelete: s.protect, dependsOn: encryption ? [encryption] : [] },
                );
            });
            const workgroup = new athena.Workgroup(
                `${name}-workgroup`,
                {
                    name: athenaWorkgroupName([args.namePrefix]),
                    description: "Queries over the data lake; results are encrypted and the settings are enforced",
                    state: "ENABLED",
                    forceDestroy: args.forceDestroy ?? false,
                    configuration: {
                        enforceWorkgroupConfiguration: true,
                        publishCloudwatchMetricsEnabled: true,
                        bytesScannedCutoffPerQuery: s.cutoffGiB * 1024 ** 3,
                        resultConfiguration: {
                            outputLocation: pulumi.interpolate`s3://${results.bucketName}/`,
                            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn },
                        },
                    },
                    tags,
                },
                { parent: this },
            );
            workgroupName = workgroup.name;
        }

        if (args.dataAccessTrail ?? true) {
            new AwsDataAccessTrail(
                `${name}-audit`,
                {
                    trailName: `${args.namePrefix}-lake-data-events`,
                    bucketArns: zones.map((z) => z.bucketArn),
                    logBucketName: auditName,
                    kmsKeyArn: args.kmsKeyArn,
                    retentionDays: s.audit,
                    accessLogBucketName: accessLogs.bucketName,
                    protectData: s.protect,
                    forceDestroy: args.forceDestroy,
                    tags,
                },
                { parent: this, dependsOn: [accessLogs.policy] },
            );
        }

        this.bucketNames = pulumi.all(Object.fromEntries(args.zones.map((z, i) => [z, zones[i].bucketName])));
        this.bucketArns = pulumi.all(Object.fromEntries(args.zones.map((z, i) => [z, zones[i].bucketArn])));
        this.endpoint = pulumi.interpolate`https://s3.${account.region}.${account.dnsSuffix}`;
        // Resolves once the bucket policy is in place: ELB checks it can write when access logs are switched on.
        this.accessLogBucketName = pulumi.all([accessLogs.bucketName, accessLogs.policy.id]).apply(([bucket]) => bucket);
        this.workgroupName = workgroupName;
        this.registerOutputs({
            bucketNames: this.bucketNames,
            bucketArns: this.bucketArns,
            endpoint: this.endpoint,
            accessLogBucketName: this.accessLogBucketName,
            workgroupName: this.workgroupName,
        });
    }
}

function validate(
    name: string,
    args: S3DataLakeArgs,
    s: {
        protect: boolean;
        noncurrent: number;
        abortUploads: number;
        coldAfter: number;
        audit: number;
        rawZone: string;
        coldClass: string;
        cutoffGiB: number;
        resultDays: number;
    },
): void {
    const problems = new Problems();
    if (!NAME_PREFIX.test(args.namePrefix))
        problems.add({
            path: "namePrefix",
            value: args.namePrefix,
            message: "must be 1-40 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
            fix: "use awsNamePrefix(project, stack)",
        });
    if (args.zones.length === 0) problems.add({ path: "zones", value: args.zones, message: "must name at least one zone" });
    args.zones.forEach((zone, i) => {
        if (!ZONE.test(zone))
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "must be 1-16 lowercase letters, digits or hyphens, starting with a letter",
            });
        if (args.zones.indexOf(zone) !== i) problems.add({ path: `zones[${i}]`, value: zone, message: "is listed twice" });
        if (["access-logs", "query-results", "audit"].includes(zone))
            problems.add({
                path: `zones[${i}]`,
                value: zone,
                message: "is the name of one of the lake's own buckets",
                fix: "rename the zone",
            });
    });
    const whole = (path: string, value: number, min: number, why = "") => {
        if (!Number.isInteger(value) || value < min)
            problems.add({ path, value, message: `must be a whole number of at least ${min}${why}` });
    };
    whole("noncurrentVersionRetentionDays", s.noncurrent, 1);
    whole("abortIncompleteUploadDays", s.abortUploads, 1);
    whole("rawColdStorageAfterDays", s.coldAfter, 30, " (S3 moves objects to infrequent-access classes after 30 days at the earliest)");
    whole("queryBytesScannedCutoffGiB", s.cutoffGiB, 1);
    whole("queryResultRetentionDays", s.resultDays, 1);
    if (
        args.loadBalancerLogPrefix !== undefined &&
        (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(args.loadBalancerLogPrefix) ||
            args.loadBalancerLogPrefix.includes("AWSLogs"))
    ) {
        problems.add({
            path: "loadBalancerLogPrefix",
            value: args.loadBalancerLogPrefix,
            message: "is not a key prefix ELB accepts (no leading or trailing '/', no 'AWSLogs')",
            fix: 'e.g. "alb"',
        });
    }
    if (!isLogRetention(s.audit) || s.audit < 365) {
        problems.add({
            path: "auditLogRetentionDays",
            value: s.audit,
            message: "must be a CloudWatch Logs retention of 365 days or more",
            fix: "use 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 (logRetentionDays() rounds up)",
        });
    }
    if (!(COLD_STORAGE_CLASSES as readonly string[]).includes(s.coldClass))
        problems.add({
            path: "coldStorageClass",
            value: s.coldClass,
            message: "is not a storage class lifecycle rules move objects to",
            allowed: COLD_STORAGE_CLASSES,
        });
    if (s.protect && args.forceDestroy)
        problems.add({
            path: "forceDestroy",
            value: true,
            message: "would let protected buckets be emptied on delete",
            fix: "leave forceDestroy off when protectData is on (prod)",
        });
    problems.throwIfAny(`S3DataLake "${name}"`);
}
