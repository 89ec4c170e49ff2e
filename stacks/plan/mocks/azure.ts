/** Mocked provider outputs for the azure provider (filled in with the azure components). */
import { ProviderMocks } from "./types";

export const azureMocks: ProviderMocks = {};
