"""An encrypted, versioned S3 bucket with its own KMS key, from the mlops component package.

`pulumi package add <repository>/components` generates the `pulumi_mlops` SDK from components/schema.json;
tests/unit/package-schema.test.ts checks every class and keyword argument used here against that schema.
"""

import pulumi
import pulumi_mlops as mlops

key = mlops.AwsKmsKey(
    "key",
    description="Encrypts the example bucket",
    alias_name="alias/mlops-example",
    deletion_window_days=30,
    protect_data=True,
)

bucket = mlops.AwsSecureBucket(
    "bucket",
    bucket_name="mlops-example-data-123456789012",
    kms_key_arn=key.key_arn,
    protect_data=True,
    noncurrent_version_retention_days=30,
    abort_incomplete_upload_days=7,
    tags={"team": "data"},
)

pulumi.export("bucket_arn", bucket.bucket_arn)
pulumi.export("key_arn", key.key_arn)
