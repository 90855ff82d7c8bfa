/**
 * Version metadata: the running version's `id`, `tag` and `timestamp` (`env.NAME.id`), for logs and error
 * reports. Nothing is created; every upload carries it.
 * Source: https://developers.cloudflare.com/workers/runtime-apis/bindings/version-metadata/ ; binding
 * `{ type: "version_metadata" }` from `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`);
 * wrangler key `version_metadata: { binding }`.
 */
import { z } from "zod";
import { checkVersionMetadata } from "../health/featureChecks";
import { singleBindingKind } from "./accountFeature";

const schema = z.strictObject({
    /** The running version's metadata (`env.NAME.id`, `.tag`, `.timestamp`); at most one per service (wrangler's `version_metadata` holds one). */
    kind: z.literal("versionMetadata"),
});

/** The `versionMetadata` binding kind. */
export const versionMetadata = singleBindingKind(schema, {
    type: "version_metadata",
    wranglerKey: "version_metadata",
    docs: {
        title: "Version metadata",
        resource: "none: the running version's id, tag and timestamp",
        url: "https://developers.cloudflare.com/workers/runtime-apis/bindings/version-metadata/",
    },
    health: {
        description: "the binding carries a version `id`",
        run: (binding) => checkVersionMetadata(binding),
    },
});
