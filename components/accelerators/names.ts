/**
 * Canonical accelerator names (docs/accelerators.md) and the three ways to write one in
 * config: `nvidia-l4`, `nvidia-l4:2` or `{ type: nvidia-l4, count: 2 }`. `none` means CPU only.
 */
import { ProblemDetail } from "../shared/problems";

/**
 * The canonical accelerator names (docs/accelerators.md), as an `as const` object so that other languages
 * see them as an enum (components/schema.json).
 */
export const AcceleratorName = {
    /** NVIDIA T4 (16 GB). */
    NvidiaT4: "nvidia-t4",
    /** NVIDIA L4 (24 GB). */
    NvidiaL4: "nvidia-l4",
    /** NVIDIA A10G (24 GB, AWS). */
    NvidiaA10g: "nvidia-a10g",
    /** NVIDIA A10 (24 GB, Azure). */
    NvidiaA10: "nvidia-a10",
    /** NVIDIA V100 (16 GB). */
    NvidiaV100: "nvidia-v100",
    /** NVIDIA A100 40 GB. */
    NvidiaA100_40gb: "nvidia-a100-40gb",
    /** NVIDIA A100 80 GB. */
    NvidiaA100_80gb: "nvidia-a100-80gb",
    /** NVIDIA H100 80 GB. */
    NvidiaH100_80gb: "nvidia-h100-80gb",
    /** NVIDIA H200. */
    NvidiaH200: "nvidia-h200",
    /** AWS Inferentia2 (Neuron). */
    AwsInferentia2: "aws-inferentia2",
    /** AWS Trainium (Neuron). */
    AwsTrainium: "aws-trainium",
    /** Google Cloud TPU v5e. */
    GoogleTpuV5e: "google-tpu-v5e",
} as const;
/** A canonical accelerator name. */
export type AcceleratorName = (typeof AcceleratorName)[keyof typeof AcceleratorName];

/** Every canonical name, in catalog order. */
export const ACCELERATOR_NAMES: readonly AcceleratorName[] = Object.values(AcceleratorName);

/** A parsed accelerator request: which accelerator and how many per instance/node/pod. */
export interface AcceleratorRequest {
    /** A canonical name from ACCELERATOR_NAMES. */
    readonly type: AcceleratorName;
    /** Accelerators per instance (chips for Neuron and TPU). At least 1. */
    readonly count: number;
}

export function isAcceleratorName(value: unknown): value is AcceleratorName {
    return typeof value === "string" && (ACCELERATOR_NAMES as readonly string[]).includes(value);
}

const FORMS = "write `nvidia-l4`, `nvidia-l4:2`, `{ type: nvidia-l4, count: 2 }`, or `none` for CPU only";

/** Formats a request back into config form: `nvidia-l4` or `nvidia-l4:2`. */
export function formatAccelerator(req: AcceleratorRequest | undefined): string {
    if (!req) return "none";
    return req.count === 1 ? req.type : `${req.type}:${req.count}`;
}

/**
 * Parses an accelerator written in config. Returns `undefined` for CPU only (`none`, empty or missing).
 * Problems are pushed to `problems` with `path` in them; the result is then `undefined`.
 */
export function parseAccelerator(value: unknown, path: string, problems: ProblemDetail[]): AcceleratorRequest | undefined {
    if (value === undefined || value === null || value === "" || value === "none") return undefined;

    let type: unknown;
    let count: unknown = 1;
    if (typeof value === "string") {
        const parts = value.split(":");
        if (parts.length > 2) {
            problems.push({ path, value, message: "is not an accelerator spec", fix: FORMS });
            return undefined;
        }
        type = parts[0].trim();
        if (parts.length === 2) {
            const n = parts[1].trim();
            count = /^-?\d+$/.test(n) ? Number(n) : n;
        }
    } else if (typeof value === "object" && !Array.isArray(value)) {
        const obj = value as Record<string, unknown>;
        const unknownKeys = Object.keys(obj).filter((k) => k !== "type" && k !== "count");
        if (unknownKeys.length > 0) {
            problems.push({ path, value, message: `has unknown keys ${unknownKeys.join(", ")}`, allowed: ["type", "count"], fix: FORMS });
            return undefined;
        }
        type = obj.type;
        if (obj.count !== undefined) count = obj.count;
        if (type === undefined) {
            problems.push({ path: `${path}.type`, value: undefined, message: "is required", allowed: ACCELERATOR_NAMES, fix: FORMS });
            return undefined;
        }
    } else {
        problems.push({ path, value, message: "must be a string or an object", fix: FORMS });
        return undefined;
    }

    let ok = true;
    if (!isAcceleratorName(type)) {
        problems.push({
            path: typeof value === "object" ? `${path}.type` : path,
            value: type,
            message: "is not a known accelerator",
            allowed: ACCELERATOR_NAMES,
            fix: `use a canonical name (see docs/accelerators.md), or \`none\` for CPU only`,
        });
        ok = false;
    }
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
        problems.push({
            path: typeof value === "object" ? `${path}.count` : path,
            value: count,
            message: "accelerator count must be a whole number of at least 1",
            fix: "write e.g. `nvidia-l4:2`, or drop the count for 1",
        });
        ok = false;
    }
    return ok ? { type: type as AcceleratorName, count: count as number } : undefined;
}
