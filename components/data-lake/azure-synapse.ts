/** Moved: AzureSynapseQuery is in ./azure.ts. One-line re-export kept while policy/rules/azure/platform.ts names this path; remove it with that reference. */
export { AzureSynapseQuery } from "./azure";
