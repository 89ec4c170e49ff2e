/** Moved: AzureNetwork is in ./azure.ts. One-line re-export kept while policy/rules/azure/*.ts name this path; remove it with those references. */
export { AzureNetwork } from "./azure";
