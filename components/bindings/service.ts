/**
 * Service bindings to another declared service (its default export or a named `WorkerEntrypoint`).
 * Source: https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/
 */
import { z } from "zod";
import { checkService } from "../health/checks";
import { CLASS_NAME, serviceNameSchema } from "../service/names";
import { addWranglerEntry, defineBindingKind } from "./kind";

const schema = z.strictObject({
    /** Service binding to another declared service (called through `env.NAME.fetch`). */
    kind: z.literal("service"),
    /** Name of the declared service to bind. */
    service: serviceNameSchema,
    /** Named entrypoint (exported `WorkerEntrypoint` class) of the target. @default the default export */
    entrypoint: z.string().regex(CLASS_NAME).optional(),
});

/** The `service` binding kind. */
export const service = defineBindingKind({
    kind: "service",
    schema,
    docs: {
        title: "Service binding",
        resource: "another declared service's script in the same stack",
        wranglerKey: "services",
        url: "https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/",
    },
    check: (binding, ctx) => binding.service === ctx.declaration.name
        ? [{ path: ctx.at("service"), message: "a service cannot bind to itself; omit `service` for its own classes" }]
        : [],
    dependsOnServices: (binding) => [binding.service],
    requiredExports: (binding) => binding.entrypoint === undefined ? []
        : [{ name: binding.entrypoint, service: binding.service, field: "entrypoint", what: "entrypoint (a WorkerEntrypoint class)" }],
    targetStub: (binding) => ({ service: binding.service }),
    scriptBinding: (binding, ctx) => binding.entrypoint === undefined
        ? { name: ctx.name, type: "service", service: ctx.scriptOf(binding.service) }
        : { name: ctx.name, type: "service", service: ctx.scriptOf(binding.service), entrypoint: binding.entrypoint },
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["services"], binding.entrypoint === undefined
        ? { binding: ctx.name, service: ctx.scriptOf(binding.service) }
        : { binding: ctx.name, service: ctx.scriptOf(binding.service), entrypoint: binding.entrypoint }),
    import: {
        path: ["services"],
        shape: "list",
        knownKeys: ["binding", "service", "entrypoint"],
        unsupportedReason: "not supported (the platform binds the target's script in the same stack)",
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const script = String(value.service);
            const target = ctx.serviceNameFrom(script);
            if (target === undefined) {
                ctx.note(["service"], "unsupported", `"${script}" cannot be a service name; binding not imported`);
                return undefined;
            }
            // Itself: the service, or this environment's own script (`api-production` in env.production).
            if (target === ctx.serviceName || script === ctx.section.name) {
                ctx.note([], "unsupported", "binds the Worker to itself, which a declaration cannot express (use ctx.exports); not imported");
                return undefined;
            }
            const entrypoint = value.entrypoint as string | undefined;
            if (entrypoint !== undefined && !CLASS_NAME.test(entrypoint)) {
                ctx.note(["entrypoint"], "unsupported", `"${entrypoint}" is not an exported class name; binding not imported`);
                return undefined;
            }
            ctx.note(["service"], "changed",
                `bound to Worker "${script}"; the platform binds declared service "${target}" (script "${target}-${ctx.stack}"): declare or import that service too`);
            return entrypoint === undefined ? { kind: "service", service: target } : { kind: "service", service: target, entrypoint };
        },
    },
    health: {
        description: "fetch of the bound service's health path (chained, at most 4 deep)",
        plan: (binding) => ({ service: binding.service as string }),
        run: (binding, ctx) => checkService(binding, ctx.planned.service!, ctx.options.servicePath, ctx.chain, ctx.signal),
    },
    summary: (binding, _resolved, scriptOf) => scriptOf(binding.service),
    policy: { scriptBindingTypes: ["service"] },
});
