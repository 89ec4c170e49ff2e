/**
 * A model as the serving components see it: what image runs it, how it is sized and scaled, and which
 * accelerator it needs. The stack builds these from `mlops:models`; components never read config.
 */
import { AcceleratorRequest } from "../accelerators/names";

export interface ModelServingSpec {
    /** Model name: lowercase letters, digits and hyphens, starting with a letter (at most 24 characters). */
    readonly name: string;
    /** Container image, pinned by tag or digest (never `:latest`). */
    readonly image: string;
    /** Port the server listens on. Default: 8080. */
    readonly port: number;
    /** Overrides the image's entrypoint. Default: the image's own. */
    readonly command?: string[];
    /** Arguments to the entrypoint. Default: the image's own. */
    readonly args?: string[];
    /** Plain environment variables (never secrets). Default: {}. */
    readonly env?: Readonly<Record<string, string>>;
    /**
     * Small files mounted read-only at `/app` (file name -> content), e.g. a sample model and the
     * script that serves it. Default: none.
     */
    readonly files?: Readonly<Record<string, string>>;
    /** HTTP path that answers 200 when the model is loaded (readiness and liveness). Default: "/healthz". */
    readonly healthPath: string;
    /** CPU per instance in millicores (1000 = one vCPU). */
    readonly cpuMillicores: number;
    /** Memory per instance in MiB. */
    readonly memoryMiB: number;
    /** Fewest instances kept running (0 allows scale to zero where the service supports it). */
    readonly minReplicas: number;
    /** Most instances autoscaling may run. */
    readonly maxReplicas: number;
    /** Concurrent requests one instance handles before scaling out. Default: 80. */
    readonly concurrency: number;
    /** Accelerator per instance. Default: CPU only. */
    readonly accelerator?: AcceleratorRequest;
}
