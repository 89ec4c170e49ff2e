/** Mocked provider outputs for @pulumi/kubernetes and @pulumi/random resources. */
import { createHash } from "crypto";
import { ProviderMocks } from "./types";

function fakeSuffix(seed: string): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, 7);
}

export const kubernetesMocks: ProviderMocks = {
    state(type, name, inputs) {
        if (type === "kubernetes:yaml/v2:ConfigFile") return {};
        // A Helm release has no metadata: its outputs are the release name (Helm generates one when none is
        // given) and `status`, what `helm status` reports after an install.
        if (type === "kubernetes:helm.sh/v3:Release") {
            const release = String(inputs.name ?? `${name}-${fakeSuffix(name)}`);
            return {
                name: release,
                status: {
                    name: release,
                    namespace: inputs.namespace ?? "default",
                    chart: inputs.chart,
                    version: inputs.version,
                    revision: 1,
                    status: "deployed",
                },
            };
        }
        // Kubernetes auto-names objects as `<name>-<7 random characters>` when metadata.name is not set.
        const metadata = { ...(inputs.metadata ?? {}) };
        if (!metadata.name) metadata.name = `${name}-${fakeSuffix(name)}`;
        return { metadata };
    },
};

/** A RandomId's hex: random in a real run; here derived from its keepers, so new keepers give a new id as they would. */
export function mockRandomIdHex(keepers: Record<string, unknown>, byteLength: number): string {
    return createHash("sha256")
        .update(JSON.stringify(keepers))
        .digest("hex")
        .slice(0, 2 * byteLength);
}

export const randomMocks: ProviderMocks = {
    state(type, _name, inputs) {
        if (type === "random:index/randomPassword:RandomPassword" || type === "random:index/randomString:RandomString") {
            return { result: "x".repeat(Number(inputs.length ?? 16)) };
        }
        if (type === "random:index/randomId:RandomId") {
            const hex = mockRandomIdHex(inputs.keepers ?? {}, Number(inputs.byteLength ?? 8));
            const bytes = Buffer.from(hex, "hex");
            return { hex, b64Std: bytes.toString("base64"), b64Url: bytes.toString("base64url"), dec: BigInt(`0x${hex}`).toString() };
        }
        if (type === "random:index/randomBytes:RandomBytes") {
            const bytes = Buffer.alloc(Number(inputs.length ?? 32), 7);
            return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        return {};
    },
};
