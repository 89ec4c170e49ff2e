/**
 * Settings of the Azure serverless implementations that config parsing needs too. Pure (no SDK).
 */

/** Memory per Flex Consumption instance, in MB (CPU scales with it). */
export const FLEX_INSTANCE_MEMORY_MB = [512, 2048, 4096] as const;
/** Python versions Flex Consumption runs. */
export const FLEX_PYTHON_VERSIONS = ["3.10", "3.11", "3.12"] as const;
/** The blob container a function app's deployment packages go to. */
export const PACKAGE_CONTAINER = "app-package";
/** Config value -> Azure ML endpoint auth mode. */
export const ENDPOINT_AUTH_MODES = { key: "Key", aadToken: "AADToken" } as const;
/** Scoring route of a model on an Azure ML endpoint when the model does not name one. */
export const DEFAULT_SCORING_PATH = "/predict";
