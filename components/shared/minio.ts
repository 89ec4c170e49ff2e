/**
 * A MinIO user's S3 keys, as `MinioDataLake.pipelineCredentials` hands them out and the Kubernetes
 * pipelines and serving components take them (one entry per MinIO user).
 */
export interface MinioCredentials {
    /** The user's access key (its name). */
    accessKeyId: string;
    /** The user's secret key (a Pulumi secret in the outputs). */
    secretAccessKey: string;
}
