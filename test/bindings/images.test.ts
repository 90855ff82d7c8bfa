/**
 * Images (components/bindings/images.ts): an account-level feature, nothing created. Declaration (at most one
 * per service, as wrangler's `images` holds one), the script and version binding under the mock engine, the
 * wrangler entry and wrangler's dry run, the importer, and the health check (nothing is transformed: each
 * transformation is billed).
 */
import { singleBindingKindSuite } from "../helpers/singleBindingKindSuite";

singleBindingKindSuite({
    kind: "images",
    type: "images",
    wranglerKey: "images",
    names: ["IMAGES", "PICTURES"],
    dryRunLine: /env\.IMAGES +Images/,
    unsupportedKeys: { remote: true },
    unsupportedNotes: ["unsupported images.remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported"],
    healthy: (count) => ({ input: () => { count(); return {}; }, info: async () => { count(); return {}; } }),
    what: "an Images binding",
    missingMember: "input()",
});
