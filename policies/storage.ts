/**
 * Production safety for stateful resources: whatever holds data is protected, so no `pulumi up` or
 * `pulumi destroy` can delete it without first removing the protection on purpose.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { BINDING_KINDS } from "../components/bindings/index";
import { NEON_BRANCH_TYPE, NEON_PROJECT_TYPE } from "../components/neon/typeTokens";
import { inStack } from "./stackView";

/**
 * Resources that hold data, by type token, named in messages as below: what the binding table's kinds
 * create (KV namespaces, D1 databases, R2 buckets, ...) and the Neon project and branch.
 */
function statefulTypes(): Readonly<Record<string, string>> {
    return {
        ...Object.assign({}, ...BINDING_KINDS.map((kind) => kind.policy.statefulTypes ?? {})),
        [NEON_PROJECT_TYPE]: "Neon project",
        [NEON_BRANCH_TYPE]: "Neon branch",
    };
}

/** Stateful resources (what the binding kinds create that holds data, Neon project and branch) are protected. */
export const statefulResourcesProtected: ResourceValidationPolicy = {
    name: "stateful-resources-protected",
    description: "Checks that stateful resources (D1 databases, R2 buckets, KV namespaces, Neon projects and branches) are protected.",
    severity: "high",
    enforcementLevel: "advisory",
    tags: ["data-protection"],
    url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    remediationSteps: "Set platform:protect: true in the stack's Pulumi.<stack>.yaml (or protect: true for the service in platform:services.<name>); " +
        "never lift protection without a backup.",
    validateResource: (args, reportViolation) => {
        const kind = statefulTypes()[args.type];
        if (kind !== undefined && !args.opts.protect) {
            // The physical name, under whichever input the resource keeps it.
            const physical = ["name", "title", "queueName", "workflowName"].map((field) => args.props[field]).find((v) => typeof v === "string");
            const name = (physical as string | undefined) ?? args.name;
            reportViolation(`${kind} ${name} must be protected${inStack(args.urn)}.`);
        }
    },
};

/** The storage policies. */
export const storagePolicies = [statefulResourcesProtected];
