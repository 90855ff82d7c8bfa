/**
 * Workers AI: the account's models, bound as `env.NAME` (`env.AI.run(model, input)`). Nothing is created per
 * stack: Workers AI is an account-level feature billed per inference. `wrangler dev` always calls the real
 * service for AI bindings (it warns so), which needs a Cloudflare login.
 * Source: https://developers.cloudflare.com/workers-ai/configuration/bindings/ ; binding `{ type: "ai" }` from
 * `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`); wrangler key `ai: { binding }`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { singleBindingKind } from "./accountFeature";

const schema = z.strictObject({
    /** Workers AI, the account's models (`env.NAME.run(model, input)`); at most one per service (wrangler's `ai` holds one). */
    kind: z.literal("ai"),
});

/** The `ai` binding kind. */
export const ai = singleBindingKind(schema, {
    type: "ai",
    wranglerKey: "ai",
    docs: {
        title: "Workers AI",
        resource: "none: an account-level feature (remote only in `wrangler dev`)",
        url: "https://developers.cloudflare.com/workers-ai/configuration/bindings/",
    },
    unsupportedReason: "`remote` and `staging` are local-development and Cloudflare-internal switches, not part of service declarations",
    health: {
        description: "the binding has `run()` (no inference: each one is billed)",
        run: (binding) => checkBindingMethods(binding, ["run"], "a Workers AI binding"),
    },
});
