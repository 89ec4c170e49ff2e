/**
 * The mlops CrossGuard policy pack: `pulumi preview --policy-pack policy`. This module only assembles
 * the pack; the rules live in ./rules, which tests and the offline runner import without starting the
 * policy server that `new PolicyPack` starts.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("mlops", {
    description: "The mlops security, data-safety and reliability baseline (docs/security-baseline.md) for AWS, GCP, Azure and Kubernetes.",
    // Each rule sets its own level; a rule without one would be advisory.
    enforcementLevel: "advisory",
    policies: [...policies],
});
