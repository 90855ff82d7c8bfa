/**
 * A policy pack without policies, served over the same analyzer protocol as `policies/`: `npm run bench`
 * measures the platform's pack against it over the same resources (`bench/policyOnce.ts --pack`), so the
 * ratio shows what the policies themselves cost beyond the protocol, the SDK and the pack process.
 */
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("bench-empty", { policies: [] });
