/**
 * The cross-language package `mlops` (`pulumi package add <repository>/components`): Pulumi's Node plugin
 * host loads this module, finds the ComponentResource classes it exports and serves them, with the schema
 * its analyzer derives from their argument interfaces (committed as components/schema.json). Only the
 * components whose arguments the analyzer can express are exported here; scripts/package-schema.ts
 * decides, and tests/unit/package-schema.test.ts fails when this list and the schema disagree.
 */
export { AwsKmsKey, AwsSecureBucket } from "../aws";
export { GcpNetwork } from "../gcp";
export { AzureMonitoring, AzurePipelinesNetwork } from "../azure";
