/**
 * Browser Rendering (components/bindings/browser.ts): an account-level feature, nothing created. Declaration
 * (at most one per service, as wrangler's `browser` holds one), the script and version binding under the mock
 * engine, the wrangler entry and wrangler's dry run, the importer (a corpus file carries `type = "browser"`),
 * and the health check (no browser session is opened: each one is billed).
 */
import { singleBindingKindSuite } from "../helpers/singleBindingKindSuite";

singleBindingKindSuite({
    kind: "browser",
    type: "browser",
    wranglerKey: "browser",
    names: ["BROWSER", "CRAWLER"],
    dryRunLine: /env\.BROWSER +Browser Run/,
    unsupportedKeys: { type: "browser", remote: true },
    unsupportedNotes: [
        "unsupported browser.type: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
        "unsupported browser.remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported",
    ],
    healthy: (count) => ({ fetch: async () => { count(); return new Response(); } }),
    what: "a Browser Rendering binding",
    missingMember: "fetch()",
});
