/**
 * Workers AI (components/bindings/ai.ts): an account-level feature, nothing created. Declaration (at most one
 * per service, as wrangler's `ai` holds one), the script and version binding under the mock engine, the
 * wrangler entry and wrangler's dry run, the importer, and the health check (`run()` is never called: each
 * inference is billed).
 */
import { singleBindingKindSuite } from "../helpers/singleBindingKindSuite";

singleBindingKindSuite({
    kind: "ai",
    type: "ai",
    wranglerKey: "ai",
    names: ["AI", "AI_TOO"],
    dryRunLine: /env\.AI +AI/,
    unsupportedKeys: { remote: true, staging: false },
    unsupportedNotes: [
        "unsupported ai.remote: `remote` and `staging` are local-development and Cloudflare-internal switches, not part of service declarations; not imported",
        "unsupported ai.staging: `remote` and `staging` are local-development and Cloudflare-internal switches, not part of service declarations; not imported",
    ],
    healthy: (count) => ({ run: async () => { count(); return {}; } }),
    what: "a Workers AI binding",
    missingMember: "run()",
});
