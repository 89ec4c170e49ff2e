/** Moved: AzureFunctionsInference is in ./azure.ts. One-line re-export kept while policy/rules/azure/serving.ts names this path; remove it with that reference. */
export { AzureFunctionsInference } from "./azure";
