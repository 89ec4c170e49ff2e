/**
 * The APIs a GCP stack's training pipelines use (`mlops:models[].training`, `mlops:delivery`), by what needs
 * them. Kept apart from stacks/config/gcp-training.ts so stacks/config/gcp.ts can list them without an
 * import cycle.
 */
import type { StackConfig } from "./schema";

export function trainingApis(cfg: StackConfig): string[] {
    const trainings = cfg.models.flatMap((m) => (m.training ? [m.training] : []));
    if (trainings.length === 0) return [];
    const apis = ["aiplatform.googleapis.com", "storage.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com"];
    const delivery = cfg.delivery?.githubToken !== undefined;
    const drift = trainings.some((t) => t.drift);
    const retrain = trainings.some((t) => t.drift?.retrain);
    if (drift) apis.push("run.googleapis.com", "cloudscheduler.googleapis.com");
    // Eventarc delivers every event through Pub/Sub.
    if (trainings.some((t) => t.onNewData) || retrain || delivery)
        apis.push("eventarc.googleapis.com", "workflows.googleapis.com", "workflowexecutions.googleapis.com", "pubsub.googleapis.com");
    if (delivery) apis.push("secretmanager.googleapis.com");
    return apis;
}
