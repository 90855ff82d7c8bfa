/**
 * Production safety for stateful resources: whatever holds data is protected, so no `pulumi up` or
 * `pulumi destroy` can delete it without first removing the protection on purpose.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { NEON_BRANCH_TYPE, NEON_PROJECT_TYPE } from "../components/neon/typeTokens";

/** Neon resources are dynamic resources with their own type tokens, named in messages as below. */
const NEON_TYPES: Readonly<Record<string, string>> = {
    [NEON_PROJECT_TYPE]: "Neon project",
    [NEON_BRANCH_TYPE]: "Neon branch",
};

/** Stateful resources (D1, R2, KV, Neon project and branch) are protected. */
export const statefulResourcesProtected: ResourceValidationPolicy = {
    name: "stateful-resources-protected",
    description: "Checks that stateful resources (D1 databases, R2 buckets, KV namespaces, Neon projects and branches) are protected.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["data-protection"],
    url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    remediationSteps: "Set platform:protect: true in Pulumi.production.yaml (or protect: true for the service in platform:services.<name>); " +
        "never lift protection without a backup.",
    validateResource: (args, reportViolation) => {
        const kind = args.isType(cloudflare.D1Database) ? "D1 database"
            : args.isType(cloudflare.R2Bucket) ? "R2 bucket"
            : args.isType(cloudflare.WorkersKvNamespace) ? "KV namespace"
            : NEON_TYPES[args.type];
        if (kind !== undefined && !args.opts.protect) {
            const name = typeof args.props.name === "string" ? args.props.name : typeof args.props.title === "string" ? args.props.title : args.name;
            reportViolation(`${kind} ${name} must be protected in production.`);
        }
    },
};

/** The storage policies. */
export const storagePolicies = [statefulResourcesProtected];
