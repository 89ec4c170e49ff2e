/**
 * Turns configured models into what the serving components take: the container service keeps warm
 * replicas, serverless inference scales from its own (usually zero) floor.
 */
import { ModelServingSpec } from "@mlops/components";
import { ModelConfig, ServeTarget } from "./config/schema";

export function servingSpecs(models: readonly ModelConfig[], target: ServeTarget): ModelServingSpec[] {
    return models
        .filter((m) => m.serveWith.includes(target))
        .map((m) => ({
            name: m.name,
            image: m.image,
            port: m.port,
            command: m.command,
            args: m.args,
            env: m.env,
            files: m.files,
            healthPath: m.healthPath,
            cpuMillicores: m.cpuMillicores,
            memoryMiB: m.memoryMiB,
            minReplicas: target === "containerService" ? m.minReplicas : m.serverlessMinReplicas,
            maxReplicas: target === "containerService" ? m.maxReplicas : m.serverlessMaxReplicas,
            concurrency: m.concurrency,
            accelerator: m.accelerator,
        }));
}
