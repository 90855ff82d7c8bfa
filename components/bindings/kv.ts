/**
 * Workers KV namespaces: one per binding and stack, or, with `sameAs`, the namespace of another kv binding of
 * the same service (two bindings, one namespace: what two `kv_namespaces` entries with one `id` are in wrangler).
 * Source: https://developers.cloudflare.com/kv/concepts/kv-bindings/ ; provider import id from
 * `@pulumi/cloudflare` 6.22.1 `workersKvNamespace.d.ts` (`<account_id>/<namespace_id>`).
 */
import { z } from "zod";
import { checkKv } from "../health/checks";
import { BINDING_NAME } from "../service/names";
import { addWranglerEntry, defineBindingKind, resolvedField } from "./kind";
import { accountScopedId, importIdOf } from "./importIdFormat";

/** Workers KV namespace ids: 32 lowercase hex characters. */
export const KV_NAMESPACE_ID = /^[0-9a-f]{32}$/;

const schema = z.strictObject({
    /** Workers KV namespace created for this service and environment. */
    kind: z.literal("kv"),
    /**
     * Bind the namespace of this other kv binding of the service instead of creating one: no second
     * namespace, the same id under two names. It must name a kv binding that has no `sameAs` itself.
     * @default unset: the binding gets a namespace of its own
     * @example SESSIONS_READONLY: { kind: "kv", sameAs: "SESSIONS" }
     */
    sameAs: z.string().regex(BINDING_NAME, { error: "expected the name of another kv binding of this service" }).optional(),
});

/** The `kv` binding kind. */
export const kv = defineBindingKind({
    kind: "kv",
    schema,
    docs: {
        title: "Workers KV namespace",
        resource: "cloudflare.WorkersKvNamespace",
        wranglerKey: "kv_namespaces",
        url: "https://developers.cloudflare.com/kv/concepts/kv-bindings/",
    },
    check: (binding, ctx) => {
        if (binding.sameAs === undefined) return [];
        const target = ctx.declaration.bindings[binding.sameAs];
        const problem = target === binding ? "a binding cannot share its own namespace"
            : target === undefined ? `the service declares no binding "${binding.sameAs}"`
            : target.kind !== "kv" ? `"${binding.sameAs}" is a ${target.kind} binding, not kv`
            : target.sameAs !== undefined ? `"${binding.sameAs}" shares the namespace of "${String(target.sameAs)}" itself; name "${String(target.sameAs)}"`
            : undefined;
        return problem === undefined ? [] : [{ path: ctx.at("sameAs"), message: `${problem}: sameAs names a kv binding of this service with a namespace of its own` }];
    },
    resources: (binding, ctx) => {
        if (binding.sameAs !== undefined) return undefined;
        const resource = new ctx.cloudflare.WorkersKvNamespace(ctx.name, { accountId: ctx.accountId, title: ctx.physicalName }, ctx.opts);
        return { resource, resolved: resource.id.apply((id) => ({ kind: "kv", id })) };
    },
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "kv_namespace",
        namespaceId: (binding.sameAs === undefined ? ctx.resolved : ctx.resolvedOf(binding.sameAs)).apply((r) => resolvedField(r, "kv", "id", binding.sameAs ?? ctx.name)),
    }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["kv_namespaces"], {
        binding: ctx.name,
        id: binding.sameAs === undefined ? resolvedField(ctx.resolved, "kv", "id", ctx.name) : resolvedField(ctx.resolvedOf(binding.sameAs), "kv", "id", binding.sameAs),
    }),
    import: {
        path: ["kv_namespaces"],
        shape: "list",
        knownKeys: ["binding", "id"],
        unsupportedReason: "not supported (local development uses local storage)",
        map: (item, ctx) => {
            // Two entries with one namespace id (not a placeholder) in an environment are one namespace bound twice.
            const id = (item.value as Record<string, unknown>).id;
            const entries = Array.isArray(ctx.section.kv_namespaces) ? ctx.section.kv_namespaces as Record<string, unknown>[] : [];
            const index = item.path[item.path.length - 1] as number;
            const first = typeof id === "string" && KV_NAMESPACE_ID.test(id) ? entries.slice(0, index).find((e) => e.id === id) : undefined;
            const target = typeof first?.binding === "string" ? first.binding : undefined;
            if (target === undefined) return { kind: "kv" };
            const declared = ctx.declared[target];
            if (declared?.kind !== "kv" || declared.sameAs !== undefined) {
                ctx.note(["id"], "changed", `shares namespace ${id} with "${target}", which is not declared as a kv binding of its own; declared with a namespace of its own`);
                return { kind: "kv" };
            }
            ctx.note(["id"], "changed", `shares namespace ${id} with "${target}": declared as { kind: "kv", sameAs: "${target}" } (one namespace per stack, bound under both names)`);
            return { kind: "kv", sameAs: target };
        },
    },
    adoption: {
        what: "KV namespace",
        ...importIdOf(accountScopedId("<namespace_id>", "a namespace id", "32 lowercase hex characters", KV_NAMESPACE_ID)),
        fromWrangler: (item) => ({ idField: "id", resourceId: item.id }),
        sharedWith: (binding) => binding.sameAs === undefined ? undefined : `it shares the namespace of "${String(binding.sameAs)}" (sameAs); adopt the namespace there`,
        afterAdopt: (binding, importId) =>
            `adopted as ${importId}; wrangler does not record the namespace's title: add name: <title> to platform:services.<service>.import.${binding} ` +
            "(`npx wrangler kv namespace list`), or the first `pulumi up` renames the namespace to the platform's name right after adopting it",
    },
    health: {
        description: "`get` of a probe key",
        run: (binding, ctx) => checkKv(binding, ctx.options.probeKey),
    },
    summary: (binding, resolved, _scriptOf) => binding.sameAs === undefined ? resolved?.id : undefined,
    policy: {
        scriptBindingTypes: ["kv_namespace"],
        statefulTypes: { "cloudflare:index/workersKvNamespace:WorkersKvNamespace": "KV namespace" },
    },
});
