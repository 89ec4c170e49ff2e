/** Mocked provider outputs for the gcp provider (filled in with the gcp components). */
import { ProviderMocks } from "./types";

export const gcpMocks: ProviderMocks = {};
