/**
 * The container service contract: long-running prediction microservices, one per model, with autoscaling
 * and health probes, plus the registry their images come from. Implementations: kubernetes
 * (Deployments); aws (ecs-fargate, app-runner), gcp (cloud-run), azure (container-apps).
 */
import * as pulumi from "@pulumi/pulumi";
import { ModelServingSpec } from "../shared/model";

export interface ContainerServiceArgs {
    /** The models to serve. */
    readonly models: ModelServingSpec[];
    /** Protect the registry and its images from deletion; keep them on destroy. Default: true. */
    readonly protectData?: boolean;
    /** Tags or labels put on every resource. Default: {}. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** Outputs every container service implementation exposes. */
export interface ContainerService {
    /** URL per model (cluster-internal on Kubernetes). */
    readonly endpoints: pulumi.Output<Record<string, string>>;
}
