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
import { athenaWorkgroupName, globalBucketName, glueDatabaseName } from "../naming/aws";
import { throwIfProblems } from "../shared/problems";
import { DataLake } from "./contract";
import { lakeSettings, S3DataLakeArgs, validateS3DataLake } from "./aws-args";

export * from "./aws-args";

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

/** The data lake on AWS: one S3 bucket per zone, a Glue database per zone, an Athena workgroup and a CloudTrail trail of object-level access. */
export class S3DataLake extends pulumi.ComponentResource implements DataLake {
    /** Bucket name per zone. */
    public readonly bucketNames: pulumi.Output<Record<string, string>>;
    /** Bucket ARN per zone. */
    public readonly bucketArns: pulumi.Output<Record<string, string>>;
    /** The regional S3 endpoint, `https://s3.<region>.amazonaws.com`. */
    public readonly endpoint: pulumi.Output<string>;
    /** The bucket holding server access logs. */
    public readonly accessLogBucketName: pulumi.Output<string>;
    /** Athena workgroup, or "" without the query engine. */
    public readonly workgroupName: pulumi.Output<string>;

    constructor(name: string, args: S3DataLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        throwIfProblems(`S3DataLake "${name}"`, validateS3DataLake(args));
        const s = lakeSettings(args);
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
                        ...((args.eventBridgeZones ?? []).includes(zone) ? { eventBridge: true } : {}),
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
