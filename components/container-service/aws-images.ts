/**
 * Where a model's image comes from on AWS, and what each container service can pull. Pure: no SDK here.
 *
 * - Fargate in private subnets pulls from the account's ECR only (through VPC endpoints or NAT); an ECR
 *   Public image is rewritten to the pull-through cache (`<registry>/<prefix>/<path>`).
 * - App Runner pulls from the account's ECR (with an access role) or from ECR Public directly.
 * - Images elsewhere (Docker Hub, GHCR, ...) need a NAT gateway on Fargate and are refused by App Runner.
 */

export const ECR_PUBLIC_PREFIX = "public.ecr.aws/";
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** `ecr-public`, `ecr` (an account's private registry) or `other`. */
export type ImageSource = "ecr-public" | "ecr" | "other";

export function imageSource(image: string): ImageSource {
    if (image.startsWith(ECR_PUBLIC_PREFIX)) return "ecr-public";
    if (PRIVATE_ECR.test(image)) return "ecr";
    return "other";
}

/** The image as Fargate should pull it: ECR Public through the pull-through cache, anything else unchanged. */
export function fargateImage(image: string, registryHost: string, cachePrefix: string | undefined): string {
    if (imageSource(image) !== "ecr-public" || cachePrefix === undefined) return image;
    return `${registryHost}/${cachePrefix}/${image.slice(ECR_PUBLIC_PREFIX.length)}`;
}

/** App Runner's CPU (units) and memory (MB) pairs (App Runner developer guide, "Configuring a service"). */
export const APP_RUNNER_SIZES: readonly { readonly cpu: number; readonly memory: readonly number[] }[] = [
    { cpu: 256, memory: [512, 1024] },
    { cpu: 512, memory: [1024] },
    { cpu: 1024, memory: [2048, 3072, 4096] },
    { cpu: 2048, memory: [4096, 6144] },
    { cpu: 4096, memory: [8192, 10240, 12288] },
];

/** Fargate's task CPU (units) and memory (MiB) pairs (ECS developer guide, "Task CPU and memory"). */
export const FARGATE_SIZES: readonly { readonly cpu: number; readonly memory: readonly number[] }[] = [
    { cpu: 256, memory: [512, 1024, 2048] },
    { cpu: 512, memory: steps(1024, 4096, 1024) },
    { cpu: 1024, memory: steps(2048, 8192, 1024) },
    { cpu: 2048, memory: steps(4096, 16384, 1024) },
    { cpu: 4096, memory: steps(8192, 30720, 1024) },
    { cpu: 8192, memory: steps(16384, 61440, 4096) },
    { cpu: 16384, memory: steps(32768, 122880, 8192) },
];

function steps(from: number, to: number, by: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += by) out.push(v);
    return out;
}

/**
 * The smallest size in `table` that gives at least the requested CPU (1000 millicores = 1024 units) and
 * memory, or undefined when none does.
 */
export function smallestSize(
    table: typeof FARGATE_SIZES,
    cpuMillicores: number,
    memoryMiB: number,
): { cpu: number; memory: number } | undefined {
    const units = Math.ceil((cpuMillicores * 1024) / 1000);
    for (const size of table) {
        if (size.cpu < units) continue;
        const memory = size.memory.find((m) => m >= memoryMiB);
        if (memory !== undefined) return { cpu: size.cpu, memory };
    }
    return undefined;
}

/**
 * App Runner takes one start command string. We only pass words without whitespace or quotes, because we
 * found no statement of how App Runner splits it; returns undefined when the command cannot be expressed.
 */
export function appRunnerStartCommand(command: readonly string[] | undefined, args: readonly string[] | undefined): string | undefined {
    const words = [...(command ?? []), ...(args ?? [])];
    if (words.some((w) => w.length === 0 || /[\s'"\\]/.test(w))) return undefined;
    return words.join(" ");
}
