/**
 * What the mocked engine returns as a resource's state: its inputs plus the few provider-computed
 * outputs our program reads (Pulumi's mocks return `undefined` for anything not listed here).
 * Values are deterministic so plans and snapshots are stable.
 */
import { createHash } from "crypto";

function fakeSuffix(seed: string): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, 7);
}

export function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    const state: Record<string, any> = { ...inputs };
    if (type.startsWith("kubernetes:")) {
        // Kubernetes auto-names objects as `<name>-<7 random characters>` when metadata.name is not set.
        const metadata = { ...(inputs.metadata ?? {}) };
        if (!metadata.name && type !== "kubernetes:yaml/v2:ConfigFile") metadata.name = `${name}-${fakeSuffix(name)}`;
        state.metadata = metadata;
    }
    if (type === "random:index/randomPassword:RandomPassword" || type === "random:index/randomString:RandomString") {
        state.result = "x".repeat(Number(inputs.length ?? 16));
    }
    if (type === "random:index/randomBytes:RandomBytes") {
        const bytes = Buffer.alloc(Number(inputs.length ?? 32), 7);
        state.base64 = bytes.toString("base64");
        state.hex = bytes.toString("hex");
    }
    return state;
}
