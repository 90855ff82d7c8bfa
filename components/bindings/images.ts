/**
 * Images: transforms, draws and converts images in the Worker (`env.NAME.input(stream).transform(...)`).
 * Nothing is created per stack: an account-level feature billed per transformation.
 * Source: https://developers.cloudflare.com/images/transform-images/bindings/ ; binding `{ type: "images" }`
 * from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`); wrangler key `images: { binding }`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { singleBindingKind } from "./accountFeature";

const schema = z.strictObject({
    /** Images, image transformations (`env.NAME.input(stream)`); at most one per service (wrangler's `images` holds one). */
    kind: z.literal("images"),
});

/** The `images` binding kind. */
export const images = singleBindingKind(schema, {
    type: "images",
    wranglerKey: "images",
    docs: {
        title: "Images",
        resource: "none: an account-level feature",
        url: "https://developers.cloudflare.com/images/transform-images/bindings/",
    },
    health: {
        description: "the binding has `input()` and `info()` (no transformation: each one is billed)",
        run: (binding) => checkBindingMethods(binding, ["input", "info"], "an Images binding"),
    },
});
