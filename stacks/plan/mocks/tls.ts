/**
 * Mocked provider outputs for @pulumi/tls: placeholder PEM blocks, deterministic per resource, so the plan
 * shows which key and certificate feed which input without generating real keys.
 */
import { createHash } from "crypto";
import { ProviderMocks } from "./types";

/** A PEM-shaped placeholder: `-----BEGIN <label>-----`, a base64 line derived from the seed, `-----END <label>-----`. */
export function placeholderPem(label: string, seed: string): string {
    const body = createHash("sha256").update(`${label}/${seed}`).digest("base64");
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export const tlsMocks: ProviderMocks = {
    state(type, name) {
        switch (type) {
            case "tls:index/privateKey:PrivateKey":
                return { privateKeyPem: placeholderPem("PRIVATE KEY", name), publicKeyPem: placeholderPem("PUBLIC KEY", name) };
            case "tls:index/certRequest:CertRequest":
                return { certRequestPem: placeholderPem("CERTIFICATE REQUEST", name) };
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                return { certPem: placeholderPem("CERTIFICATE", name), readyForRenewal: false };
            default:
                return {};
        }
    },
};
