/**
 * Browser Rendering: a headless browser for the Worker (`@cloudflare/puppeteer`'s `launch(env.NAME)`). Nothing
 * is created per stack: an account-level feature billed per browser time.
 * Source: https://developers.cloudflare.com/browser-rendering/workers-bindings/ ; binding `{ type: "browser" }`
 * from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`); wrangler key `browser: { binding }`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { singleBindingKind } from "./accountFeature";

const schema = z.strictObject({
    /** Browser Rendering, a headless browser (`launch(env.NAME)`); at most one per service (wrangler's `browser` holds one). */
    kind: z.literal("browser"),
});

/** The `browser` binding kind. */
export const browser = singleBindingKind(schema, {
    type: "browser",
    wranglerKey: "browser",
    docs: {
        title: "Browser Rendering",
        resource: "none: an account-level feature",
        url: "https://developers.cloudflare.com/browser-rendering/workers-bindings/",
    },
    health: {
        description: "the binding has `fetch()` (no browser session: each one is billed)",
        run: (binding) => checkBindingMethods(binding, ["fetch"], "a Browser Rendering binding"),
    },
});
