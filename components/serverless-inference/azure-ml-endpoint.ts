/**
 * Pure pieces of the Azure ML endpoint implementation (`AzureMlEndpointInference` in ./azure.ts): the
 * inference routes of a model's serving environment. No SDK is loaded here.
 */
import { ModelServingSpec } from "../shared/model";

/** The liveness, readiness and scoring routes of a model's serving environment (its version hashes them with the image). */
export function inferenceRoutes(m: ModelServingSpec, scoringPath: string) {
    const route = (path: string) => ({ path, port: m.port });
    return { livenessRoute: route(m.healthPath), readinessRoute: route(m.healthPath), scoringRoute: route(scoringPath) };
}
