/**
 * Workflows, by exported `WorkflowEntrypoint` class: the service's own (a `cloudflare.Workflow` per stack) or
 * another declared service's.
 * Sources: binding API https://developers.cloudflare.com/workflows/build/workers-api/ ; wrangler's `workflows`
 * entries https://developers.cloudflare.com/workers/wrangler/configuration/#workflows (schema and rules:
 * `WorkflowBinding` in wrangler 4.86's config-schema.json, `validateWorkflowBinding`); provider args and import id
 * `<account_id>/<workflow_name>` from `@pulumi/cloudflare` 6.22.1 `workflow.d.ts`; script binding
 * `{ type: "workflow", workflowName, className, scriptName? }` from its `WorkersScriptBinding`, filled as wrangler
 * fills it (`class_name` always, `script_name` for another script's Workflow).
 *
 * - Name: a Workflow is named after its class, `<script>-<class slug>` (`orders-production-order-workflow`), so
 *   another service binds it knowing only the service and the class; a service has one Workflow per class.
 * - Order: the Workflow is created after the script it runs in (`afterDeploy`), as `wrangler deploy` does (it
 *   PUTs `/workflows/<name>` after the upload); the script's binding only names the Workflow, so it does not
 *   wait for it.
 * - State: a Workflow's instances (running ones, and the history its retention keeps) are its data, and
 *   deleting the Workflow deletes them, so it is protected in production like KV, D1 and R2.
 * - Adoption: an existing Workflow keeps its name (it is the id). On a binding to another service's class,
 *   an import entry only names the Workflow bound (nothing is adopted there): give it when that service's
 *   stack adopts its Workflow under a name of its own.
 */
import { z } from "zod";
import { checkWorkflow } from "../health/checks";
import { CLASS_NAME, classNameSchema, serviceNameSchema } from "../service/names";
import { accountScopedId, importIdOf } from "./importIdFormat";
import { scriptTarget } from "./importTarget";
import { addWranglerEntry, defineBindingKind, resolvedField, type CreatedResources, type DeclaredBinding, type ResolvedResource } from "./kind";

/**
 * Workflow names: 1 to 64 letters, digits, `_` and `-`, not starting with `-` (the API's `workflow_name`
 * maxLength 64; wrangler's `ALLOWED_WORKFLOW_NAME_REGEX` and `MAX_WORKFLOW_NAME_LENGTH`). The platform's own
 * names stay within its 63-character limit on derived names (`limitedName`), one less than Workflows allow.
 */
export const WORKFLOW_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

/**
 * Most steps one instance may run: at most 25,000 (Workers Paid; 10,000 by default, 1,024 on Workers Free).
 * Source: https://developers.cloudflare.com/workflows/reference/limits/ ; wrangler warns above it.
 */
export const MAX_WORKFLOW_STEPS = 25_000;
const STEPS_RULE = `expected a whole number of steps from 1 to ${MAX_WORKFLOW_STEPS} (Cloudflare's most per instance)`;

const schema = z.strictObject({
    /** Workflow, by exported `WorkflowEntrypoint` class. */
    kind: z.literal("workflow"),
    /**
     * The exported class that extends `WorkflowEntrypoint` and runs the instances; it names the Workflow
     * (`<script>-<class slug>`), so a service binds a class of its own once.
     */
    className: classNameSchema,
    /**
     * Another declared service that exports the class and binds it as a Workflow of its own; omit when this
     * service exports it. When that service's stack adopts its Workflow under another name, give this binding
     * the same import entry (`platform:services.<this service>.import.<BINDING>`).
     */
    service: serviceNameSchema.optional(),
    /** Limits of this service's own Workflow (not allowed with `service`: the defining service sets them). */
    limits: z.strictObject({
        /**
         * Most steps one instance may run, 1 to 25,000.
         * @default Cloudflare's: 10,000 on Workers Paid, 1,024 on Workers Free
         */
        steps: z.number().int({ error: STEPS_RULE }).min(1, { error: STEPS_RULE }).max(MAX_WORKFLOW_STEPS, { error: STEPS_RULE }),
    }).optional(),
});

type WorkflowBinding = z.output<typeof schema>;

const id = importIdOf(accountScopedId("<workflow_name>", "a Workflow name", "1 to 64 letters, digits, _ and -, not starting with -", WORKFLOW_NAME));

/** The `workflow` binding kind. */
export const workflow = defineBindingKind({
    kind: "workflow",
    schema,
    docs: {
        title: "Workflow",
        resource: "cloudflare.Workflow (created after the script), or another declared service's",
        wranglerKey: "workflows",
        url: "https://developers.cloudflare.com/workflows/build/workers-api/",
    },
    check: (binding, ctx) => {
        if (binding.service === ctx.declaration.name) {
            return [{ path: ctx.at("service"), message: "a service cannot bind to itself; omit `service` for its own classes" }];
        }
        if (binding.service !== undefined) {
            return binding.limits === undefined ? [] : [{
                path: ctx.at("limits"),
                message: `limits belong to the Workflow's own service (${binding.service}); set them on its binding there`,
            }];
        }
        const slug = classSlug(binding.className);
        if (slug === "") {
            return [{ path: ctx.at("className"), message: `class "${binding.className}" has no letter or digit to name its Workflow after; rename the class` }];
        }
        // The first own Workflow binding whose class gives this name owns it; a later one would create a second Workflow of that name.
        const first = Object.entries(ctx.declaration.bindings).find(([, b]) => isOwnWorkflow(b) && classSlug(b.className) === slug);
        if (first === undefined || first[1] === binding) return [];
        const [other, otherBinding] = first;
        return [{
            path: ctx.at("className"),
            message: otherBinding.className === binding.className
                ? `binding ${other} already binds Workflow class "${binding.className}"; a service has one Workflow per class: use ${other}`
                : `classes "${otherBinding.className}" (binding ${other}) and "${binding.className}" give the same Workflow name (<script>-${slug}); rename one`,
        }];
    },
    dependsOnServices: (binding) => binding.service === undefined ? [] : [binding.service],
    // Another service's class is checked on that service's own binding.
    requiredExports: (binding) => binding.service === undefined ? [{ name: binding.className, field: "className", what: "Workflow class (a WorkflowEntrypoint)" }] : [],
    targetStub: (binding) => binding.service === undefined ? undefined : {
        service: binding.service,
        binding: { kind: "workflow", className: binding.className },
    },
    checkAgainstServices: (binding, services, at) => {
        if (binding.service === undefined) return [];
        const target = services.get(binding.service);
        if (target === undefined) return [];
        const exported = Object.values(target.bindings).some((b) => isOwnWorkflow(b) && b.className === binding.className);
        return exported ? [] : [{
            path: at("className"),
            message: `service ${binding.service} does not bind a Workflow class "${binding.className}" of its own; ` +
                `add { kind: "workflow", className: "${binding.className}" } to its bindings`,
        }];
    },
    limitedName: true,
    physicalName: {
        from: "className",
        of: (binding, scriptName) => binding.service === undefined ? workflowName(scriptName, binding.className) : undefined,
    },
    // Nothing is created before the script: the name is all the script's binding needs (the Workflow is `afterDeploy`).
    resources: (binding, ctx): CreatedResources => ({
        resolved: binding.service === undefined || ctx.opts.import !== undefined
            ? { kind: "workflow", workflowName: ctx.physicalName }
            : { kind: "workflow" },
    }),
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "workflow",
        workflowName: ctx.resolved.apply((r) => boundWorkflowName(binding, r, ctx.name, ctx.scriptOf)),
        className: binding.className,
        ...(binding.service === undefined ? {} : { scriptName: ctx.scriptOf(binding.service) }),
    }),
    afterDeploy: (binding, ctx) => binding.service !== undefined ? [] : [
        new ctx.cloudflare.Workflow(ctx.childName, {
            accountId: ctx.accountId,
            workflowName: ctx.resolved.apply((r) => resolvedField(r, "workflow", "workflowName", ctx.name)),
            className: binding.className,
            scriptName: ctx.scriptName,
            ...(binding.limits === undefined ? {} : { limits: { steps: binding.limits.steps } }),
        }, ctx.dataOpts),
    ],
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["workflows"], {
        binding: ctx.name,
        name: boundWorkflowName(binding, ctx.resolved, ctx.name, ctx.scriptOf),
        class_name: binding.className,
        ...(binding.service === undefined ? {} : { script_name: ctx.scriptOf(binding.service) }),
        ...(binding.limits === undefined ? {} : { limits: { steps: binding.limits.steps } }),
    }),
    import: {
        path: ["workflows"],
        shape: "list",
        knownKeys: ["binding", "name", "class_name", "script_name", "limits"],
        unsupportedReason: "not supported (the generated config runs Workflows locally in `wrangler dev`)",
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const className = String(value.class_name);
            if (!CLASS_NAME.test(className) || classSlug(className) === "") {
                ctx.note(["class_name"], "unsupported", `"${className}" is not a JavaScript class name the platform can name a Workflow after; binding not imported`);
                return undefined;
            }
            const found = scriptTarget(value, "script_name", ctx);
            if (found === undefined) return undefined;
            const { script, service: target } = found;
            if (target !== undefined && target !== ctx.serviceName) {
                if (value.limits !== undefined) {
                    ctx.note(["limits"], "unsupported", `limits belong to the Worker that defines the Workflow ("${script}"; wrangler refuses them here too); not imported`);
                }
                ctx.note(["script_name"], "changed",
                    `the class runs in Worker "${script}"; the platform binds the Workflow of declared service "${target}" (script "${target}-${ctx.stack}"): declare or import that service too`);
                return { kind: "workflow", className, service: target };
            }
            if (script !== undefined) {
                ctx.note(["script_name"], "changed", `names this Worker itself ("${script}"); the generated config leaves script_name out for the service's own Workflow`);
            }
            const taken = Object.entries(ctx.declared).find(([name, b]) => name !== item.name && isOwnWorkflow(b) && classSlug(b.className) === classSlug(className));
            if (taken !== undefined) {
                ctx.note([], "unsupported",
                    `class "${className}" is bound as a Workflow by binding ${taken[0]} already, and the platform gives a service one Workflow per class ` +
                    `(named after it); binding not imported: use ${taken[0]}`);
                return undefined;
            }
            return { kind: "workflow", className, ...importedLimits(value.limits, ctx.note) };
        },
    },
    adoption: {
        what: "Workflow",
        ...id,
        nameInId: true,
        fromWrangler: (item) => ({ idField: "name", resourceId: item.name, name: item.name }),
        afterAdopt: (_binding, importId) =>
            `adopted as ${importId}: for a class of this service, the first \`pulumi up\` points the Workflow at the platform's script, ` +
            "so new and resumed instances run its code; for another service's class it is only bound by name, and that service's stack must adopt it too",
    },
    health: {
        description: "`get` of a probe instance id (not found passes; nothing starts)",
        run: (binding) => checkWorkflow(binding),
    },
    summary: (binding, resolved, scriptOf) => binding.service === undefined
        ? (resolved?.kind === "workflow" ? resolved.workflowName : undefined)
        : boundWorkflowName(binding, resolved, binding.className, scriptOf),
    policy: {
        scriptBindingTypes: ["workflow"],
        statefulTypes: { "cloudflare:index/workflow:Workflow": "Workflow" },
    },
});

/**
 * The platform's name for the Workflow of a class in a script: `<script>-<class slug>`
 * (`orders-production` + `OrderWorkflow` → `orders-production-order-workflow`).
 */
export function workflowName(scriptName: string, className: string): string {
    return `${scriptName}-${classSlug(className)}`;
}

/**
 * A class name in lowercase words joined by dashes: `OrderWorkflow` → `order-workflow`, `HTTPSync` → `https-sync`
 * (`HTTP` + `Sync`), `Sync_v2` → `sync-v2`; empty when it has no letter or digit (`$`).
 */
export function classSlug(className: string): string {
    return className
        .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .toLowerCase();
}

/** A validated binding of this kind that creates the service's own Workflow. */
function isOwnWorkflow(binding: DeclaredBinding): binding is DeclaredBinding & { className: string } {
    return binding.kind === "workflow" && binding.service === undefined;
}

/**
 * The name of the Workflow a binding binds: its resolved name (own Workflows, and adopted names), else the
 * platform's name for the class in the target service's script.
 */
function boundWorkflowName(
    binding: WorkflowBinding,
    resolved: ResolvedResource | undefined,
    name: string,
    scriptOf: (service: string) => string,
): string {
    if (binding.service === undefined) return resolvedField(resolved, "workflow", "workflowName", name);
    return (resolved?.kind === "workflow" ? resolved.workflowName : undefined) ?? workflowName(scriptOf(binding.service), binding.className);
}

/** `limits.steps` of a wrangler entry as the declaration takes it; other values are reported and left out. */
function importedLimits(limits: unknown, note: (path: readonly PropertyKey[], category: "unsupported", message: string) => void): Pick<WorkflowBinding, "limits"> {
    if (limits === undefined) return {};
    const steps = (limits as { steps?: unknown } | null)?.steps;
    if (typeof steps === "number" && Number.isInteger(steps) && steps >= 1 && steps <= MAX_WORKFLOW_STEPS) return { limits: { steps } };
    note(["limits"], "unsupported", `expected { steps: <integer from 1 to ${MAX_WORKFLOW_STEPS}> }, got ${JSON.stringify(limits)}; limits not imported (Cloudflare's default applies)`);
    return {};
}
