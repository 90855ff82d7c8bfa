/**
 * The Workers platform policy pack. Constructing the pack starts the analyzer server, so this module
 * does nothing else; the policies live in one module per area.
 *
 * Run with the CLI: `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`.
 */
import { PolicyPack } from "@pulumi/policy";
import { monitoringPolicies } from "./monitoring";
import { rolloutPolicies } from "./rollouts";
import { secretPolicies } from "./secrets";
import { storagePolicies } from "./storage";
import { workerPolicies } from "./workers";

new PolicyPack("workers-platform", {
    enforcementLevel: "advisory",
    policies: [...workerPolicies, ...secretPolicies, ...storagePolicies, ...monitoringPolicies, ...rolloutPolicies],
});
