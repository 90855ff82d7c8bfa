/**
 * Rate limiting: counters the Worker consults per key (`await env.NAME.limit({ key })` → `{ success }`),
 * configured on the binding itself; Cloudflare has nothing to create for it. The counters live in a namespace
 * identified by an integer unique in the account: bindings with the same `namespaceId` share their counters,
 * across Workers and stacks alike. Limits are counted per Cloudflare location and are approximate.
 * `wrangler dev` simulates it locally.
 * Sources: https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/ (namespace_id "must be
 * an integer", period "must be either 10 or 60"); binding `{ type: "ratelimit", namespaceId, simple: { limit,
 * period } }` from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`, `WorkersScriptBindingSimple`);
 * wrangler keys `ratelimits[] { name, namespace_id, simple: { limit, period } }` and the legacy
 * `unsafe.bindings[] { type: "ratelimit", name, namespace_id, simple }` (GA since 2025-09-19:
 * https://developers.cloudflare.com/changelog/2025-09-19-ratelimit-workers-ga).
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { describeValue } from "../validation";
import { addWranglerEntry, defineBindingKind, type ImportContext, type ImportItem, type ImportMapping } from "./kind";

/** Rate limit periods Cloudflare accepts, in seconds. */
export const RATE_LIMIT_PERIODS_SECONDS = [10, 60] as const;
/** A namespace id as wrangler writes it: a positive integer, as a string. */
const NAMESPACE_ID = /^[1-9][0-9]*$/;

/** A positive safe integer, with one message for every way to miss it. */
function positiveInteger(what: string) {
    return z.number().refine((n) => Number.isSafeInteger(n) && n > 0, { error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` });
}

const schema = z.strictObject({
    /** A rate limiter (`env.NAME.limit({ key })`), configured on the binding; nothing is created. */
    kind: z.literal("rateLimit"),
    /**
     * The rate-limit namespace: a positive integer you choose, unique in the account. Bindings with the same id
     * share their counters, and every stack of the service binds this one id: put something per stack in the
     * keys passed to `limit()` when stacks in one account must not count against each other.
     */
    namespaceId: positiveInteger("a namespace id, a positive integer unique in the account"),
    /** Requests allowed per key in each period, counted per Cloudflare location. A positive integer. */
    limit: positiveInteger("a limit, a positive integer"),
    /** The period the limit applies to, in seconds: 10 or 60 (the only values Cloudflare accepts). */
    periodSeconds: z.union(RATE_LIMIT_PERIODS_SECONDS.map((p) => z.literal(p)), { error: "expected 10 or 60 (seconds)" }),
});

/** Maps one wrangler rate limit item (`ratelimits[i]` or a legacy `unsafe.bindings[i]`) to a declared binding. */
function mapRateLimit(item: ImportItem, ctx: ImportContext) {
    const value = item.value as Record<string, unknown>;
    const namespaceId = String(value.namespace_id);
    if (!NAMESPACE_ID.test(namespaceId) || !Number.isSafeInteger(Number(namespaceId))) {
        ctx.note(["namespace_id"], "unsupported", `${JSON.stringify(value.namespace_id ?? null)} is not a namespace id (a positive integer); binding not imported`);
        return undefined;
    }
    const simple = (value.simple ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(simple)) {
        if (key !== "limit" && key !== "period") ctx.note(["simple", key], "unsupported", "not a field of a simple rate limit (limit, period); not imported");
    }
    const limit = simple.limit;
    if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit <= 0) {
        ctx.note(["simple", "limit"], "unsupported", `${JSON.stringify(limit ?? null)} is not a limit (a positive integer); binding not imported`);
        return undefined;
    }
    const period = simple.period;
    if (period !== 10 && period !== 60) {
        ctx.note(["simple", "period"], "unsupported", `${JSON.stringify(period ?? null)} is not a period Cloudflare accepts (10 or 60 seconds); binding not imported`);
        return undefined;
    }
    return { kind: "rateLimit", namespaceId: Number(namespaceId), limit, periodSeconds: period } as const;
}

/** The legacy place of rate limits: `unsafe.bindings` entries of type `ratelimit`. */
const unsafeRateLimits: ImportMapping = {
    path: ["unsafe", "bindings"],
    shape: "list",
    nameField: "name",
    knownKeys: ["name", "type", "namespace_id", "simple"],
    unsupportedReason: "not a field of a rate limit binding",
    accept: (value) => value.type === "ratelimit" ? undefined
        : `unsafe binding type ${JSON.stringify(value.type)} is not supported (the platform imports only unsafe bindings of type "ratelimit", as rate limits)`,
    map: (item, ctx) => {
        const binding = mapRateLimit(item, ctx);
        if (binding !== undefined) {
            ctx.note(["type"], "changed", "the legacy unsafe rate limit binding is declared as a rate limit (`ratelimits` in the generated wrangler.jsonc)");
        }
        return binding;
    },
};

/** The `rateLimit` binding kind. */
export const rateLimit = defineBindingKind({
    kind: "rateLimit",
    schema,
    docs: {
        title: "Rate limiting",
        resource: "none: configured on the binding (namespace id, limit, period)",
        wranglerKey: "ratelimits",
        url: "https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/",
    },
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "ratelimit",
        namespaceId: String(binding.namespaceId),
        simple: { limit: binding.limit, period: binding.periodSeconds },
    }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["ratelimits"], {
        name: ctx.name, namespace_id: String(binding.namespaceId), simple: { limit: binding.limit, period: binding.periodSeconds },
    }),
    import: {
        path: ["ratelimits"],
        shape: "list",
        nameField: "name",
        knownKeys: ["name", "namespace_id", "simple"],
        unsupportedReason: "not a field of a rate limit binding",
        map: mapRateLimit,
    },
    importAlso: [unsafeRateLimits],
    health: {
        description: "the binding has `limit()` (not called: each call counts against the limit)",
        run: (binding) => checkBindingMethods(binding, ["limit"], "a rate limit binding"),
    },
    summary: (binding) => `${binding.limit} per ${binding.periodSeconds}s (namespace ${binding.namespaceId})`,
    policy: { scriptBindingTypes: ["ratelimit"] },
});
