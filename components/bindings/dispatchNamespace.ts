/**
 * Workers for Platforms dispatch namespaces: the Worker (a dispatch Worker) runs customers' Workers uploaded
 * into the namespace (`env.NAME.get(scriptName).fetch(request)`), optionally with an outbound Worker that
 * sees every `fetch` they make.
 *
 * Two ways to bind one, decided by the declaration:
 * - no `namespace`: the platform creates one per stack, `cloudflare.WorkersForPlatformsDispatchNamespace`
 *   named `<script>-<binding slug>` (`api-staging-dispatcher`), protected in production (it holds the
 *   customers' Workers, which go when it goes);
 * - `namespace`: an existing namespace, by name or `{script}` pattern, created and kept outside the platform
 *   (`npx wrangler dispatch-namespace create <name>`); the platform binds it and never changes it. The
 *   importer declares namespaces this way, since the file's namespaces already exist.
 * The outbound Worker is a declared service of the same stack. `wrangler dev` has no local dispatch namespaces
 * (it warns; calls fail unless the binding is made remote by hand).
 * Sources: https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/get-started/bindings/
 * (binding), https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/configuration/outbound-workers/ ;
 * binding `{ type: "dispatch_namespace", namespace, outbound: { worker: { service } } }` from `@pulumi/cloudflare`
 * 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`, `WorkersScriptBindingOutbound`); resource
 * `workersForPlatformsDispatchNamespace.d.ts`; wrangler key `dispatch_namespaces[] { binding, namespace, outbound }`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { serviceNameSchema } from "../service/names";
import { LOCAL_DEV_REASON, importedNamePattern, namePatternSchema, namedByPattern, type NameRule } from "./accountFeature";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";

/** The provider's type token of a dispatch namespace. */
export const DISPATCH_NAMESPACE_TYPE = "cloudflare:index/workersForPlatformsDispatchNamespace:WorkersForPlatformsDispatchNamespace";

/** Dispatch namespace names the platform accepts: letters, digits, `-` and `_` (wrangler requires only a string). */
export const DISPATCH_NAMESPACE_NAME: NameRule = {
    what: "dispatch namespace name",
    pattern: /^[A-Za-z0-9_-]+$/,
    description: "letters, digits, \"-\" and \"_\"",
};

/**
 * Why outbound `parameters` are not carried: @pulumi/cloudflare 6.22.1 types them as strings on `WorkersScript`
 * (`WorkersScriptBindingOutbound.params`) but as `{ name }` objects on `WorkerVersion` and in wrangler's upload.
 */
const PARAMETERS_REASON = "outbound parameters are not supported: @pulumi/cloudflare 6.22.1 gives WorkersScript and WorkerVersion " +
    "different shapes for them (strings vs { name } objects)";

const schema = z.strictObject({
    /** A Workers for Platforms dispatch namespace (`env.NAME.get(script)`): created per stack, or an existing one. */
    kind: z.literal("dispatchNamespace"),
    /**
     * An existing namespace to bind, by name: letters, digits, `-` and `_`; `{script}` stands for the Worker's
     * script name in the stack. The platform neither creates nor changes it.
     * @default none: the platform creates `<script>-<binding slug>` in each stack (protected in production)
     */
    namespace: namePatternSchema(DISPATCH_NAMESPACE_NAME).optional(),
    /** The outbound Worker that handles every `fetch` of the namespace's Workers: a declared service of the same stack. @default none */
    outbound: z.strictObject({
        /** The declared service whose script is the outbound Worker. */
        service: serviceNameSchema,
    }).optional(),
});

/** The `dispatchNamespace` binding kind. */
export const dispatchNamespace = defineBindingKind({
    kind: "dispatchNamespace",
    schema,
    docs: {
        title: "Dispatch namespace (Workers for Platforms)",
        resource: "cloudflare.WorkersForPlatformsDispatchNamespace per stack, or an existing namespace (`namespace`)",
        wranglerKey: "dispatch_namespaces",
        url: "https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/get-started/bindings/",
    },
    check: (binding, ctx) => binding.outbound?.service === ctx.declaration.name
        ? [{ path: ctx.at("outbound", "service"), message: "a service cannot be its own outbound Worker; name another declared service" }]
        : [],
    dependsOnServices: (binding) => binding.outbound === undefined ? [] : [binding.outbound.service],
    servicePath: ["outbound", "service"],
    targetStub: (binding) => binding.outbound === undefined ? undefined : { service: binding.outbound.service },
    physicalName: namedByPattern("namespace"),
    resources: (binding, ctx) => {
        if (binding.namespace !== undefined) return { resolved: { kind: "dispatchNamespace", namespace: ctx.physicalName } };
        const resource = new ctx.cloudflare.WorkersForPlatformsDispatchNamespace(ctx.name, { accountId: ctx.accountId, name: ctx.physicalName }, ctx.opts);
        return { resource, resolved: resource.name.apply((name) => ({ kind: "dispatchNamespace", namespace: name ?? ctx.physicalName })) };
    },
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "dispatch_namespace",
        namespace: ctx.resolved.apply((r) => resolvedField(r, "dispatchNamespace", "namespace", ctx.name)),
        ...(binding.outbound === undefined ? {} : { outbound: { worker: { service: ctx.scriptOf(binding.outbound.service) } } }),
    }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["dispatch_namespaces"], {
        binding: ctx.name,
        namespace: resolvedField(ctx.resolved, "dispatchNamespace", "namespace", ctx.name),
        ...(binding.outbound === undefined ? {} : { outbound: { service: ctx.scriptOf(binding.outbound.service) } }),
    }),
    import: {
        path: ["dispatch_namespaces"],
        shape: "list",
        knownKeys: ["binding", "namespace", "outbound"],
        unsupportedReason: LOCAL_DEV_REASON,
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const name = importedNamePattern(String(value.namespace), item.name, DISPATCH_NAMESPACE_NAME, ["namespace"], ctx);
            if (name === undefined) return undefined;
            const outbound = value.outbound as Record<string, unknown> | undefined;
            if (outbound === undefined) return { kind: "dispatchNamespace", namespace: name.pattern };
            if (outbound.parameters !== undefined) {
                ctx.note(["outbound", "parameters"], "unsupported", `${PARAMETERS_REASON}; binding not imported (its outbound Worker would lose them)`);
                return undefined;
            }
            if (outbound.environment !== undefined) {
                ctx.note(["outbound", "environment"], "changed", "the platform binds the outbound service's script in the same stack; environment dropped");
            }
            const script = String(outbound.service);
            const target = ctx.serviceNameFrom(script);
            if (target === undefined || target === ctx.serviceName) {
                ctx.note(["outbound", "service"], "unsupported", target === undefined
                    ? `"${script}" cannot be a service name; binding not imported (dropping its outbound Worker would let the namespace's Workers fetch anything)`
                    : "the Worker is its own outbound Worker, which a declaration cannot express; binding not imported");
                return undefined;
            }
            ctx.note(["outbound", "service"], "changed",
                `outbound Worker "${script}"; the platform binds declared service "${target}" (script "${target}-${ctx.stack}"): declare or import that service too`);
            return { kind: "dispatchNamespace", namespace: name.pattern, outbound: { service: target } };
        },
    },
    health: {
        description: "the binding has `get()` (no customer Worker is called)",
        run: (binding) => checkBindingMethods(binding, ["get"], "a dispatch namespace"),
    },
    summary: (_binding, resolved) => resolved?.namespace,
    policy: {
        scriptBindingTypes: ["dispatch_namespace"],
        statefulTypes: { [DISPATCH_NAMESPACE_TYPE]: "dispatch namespace" },
    },
});
