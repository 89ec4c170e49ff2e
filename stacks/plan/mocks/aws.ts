/** Mocked provider outputs for the aws provider (filled in with the aws components). */
import { ProviderMocks } from "./types";

export const awsMocks: ProviderMocks = {};
