/** Mocked provider outputs for @pulumi/kubernetes and @pulumi/random resources. */
import { createHash } from "crypto";
import { ProviderMocks } from "./types";

function fakeSuffix(seed: string): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, 7);
}

export const kubernetesMocks: ProviderMocks = {
    state(type, name, inputs) {
        if (type === "kubernetes:yaml/v2:ConfigFile") return {};
        // Kubernetes auto-names objects as `<name>-<7 random characters>` when metadata.name is not set.
        const metadata = { ...(inputs.metadata ?? {}) };
        if (!metadata.name) metadata.name = `${name}-${fakeSuffix(name)}`;
        return { metadata };
    },
};

export const randomMocks: ProviderMocks = {
    state(type, _name, inputs) {
        if (type === "random:index/randomPassword:RandomPassword" || type === "random:index/randomString:RandomString") {
            return { result: "x".repeat(Number(inputs.length ?? 16)) };
        }
        if (type === "random:index/randomBytes:RandomBytes") {
            const bytes = Buffer.alloc(Number(inputs.length ?? 32), 7);
            return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        return {};
    },
};
