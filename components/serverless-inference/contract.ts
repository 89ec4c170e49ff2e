/**
 * The serverless inference contract: models served on demand, scaling to zero where the service
 * allows it. Implementations: kubernetes (Knative Serving); aws (lambda, sagemaker-serverless,
 * sagemaker-endpoint), gcp (cloud-run, cloud-functions, vertex-endpoint), azure (container-apps,
 * functions, azureml-endpoint).
 */
import * as pulumi from "@pulumi/pulumi";
import { ModelServingSpec } from "../shared/model";

export interface ServerlessInferenceArgs {
    /** The models to serve. */
    readonly models: ModelServingSpec[];
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Outputs every serverless inference implementation exposes. */
export interface ServerlessInference {
    /** URL per model. */
    readonly endpoints: pulumi.Output<Record<string, string>>;
}
