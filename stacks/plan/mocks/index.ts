/**
 * What the mocked engine returns: a resource's state is its inputs plus the provider-computed outputs
 * our program reads (Pulumi's mocks return `undefined` for anything not given); a function call returns
 * a fixture. Values are deterministic so plans are stable. One file per provider package.
 */
import { awsMocks } from "./aws";
import { azureMocks } from "./azure";
import { gcpMocks } from "./gcp";
import { kubernetesMocks, randomMocks } from "./kubernetes";
import { tlsMocks } from "./tls";
import { MockCallInputs, MockInputs, ProviderMocks } from "./types";

const BY_PACKAGE: Record<string, ProviderMocks> = {
    kubernetes: kubernetesMocks,
    random: randomMocks,
    tls: tlsMocks,
    aws: awsMocks,
    gcp: gcpMocks,
    "azure-native": azureMocks,
};

/** The package of a type or function token: `aws:s3/bucket:Bucket` -> `aws`. */
const packageOf = (token: string) => token.split(":")[0];

export function mockState(type: string, name: string, inputs: MockInputs): Record<string, unknown> {
    return { ...inputs, ...(BY_PACKAGE[packageOf(type)]?.state?.(type, name, inputs) ?? {}) };
}

export function mockCall(token: string, inputs: MockCallInputs): Record<string, unknown> {
    return BY_PACKAGE[packageOf(token)]?.call?.(token, inputs) ?? inputs;
}
