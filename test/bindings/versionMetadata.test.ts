/**
 * Version metadata (components/bindings/versionMetadata.ts): nothing created. Declaration (at most one per
 * service, as wrangler's `version_metadata` holds one), the script and version binding under the mock engine,
 * the wrangler entry and wrangler's dry run, the importer, and the health check (a version `id` must be
 * there). Its behaviour in `wrangler dev` is in test/e2e/analyticsEngine.test.ts.
 */
import { describe, expect, it } from "vitest";
import { healthOf } from "../helpers/kindHarness";
import { singleBindingKindSuite } from "../helpers/singleBindingKindSuite";

singleBindingKindSuite({
    kind: "versionMetadata",
    type: "version_metadata",
    wranglerKey: "version_metadata",
    names: ["VERSION", "VERSION_TOO"],
    dryRunLine: /env\.VERSION +Worker Version Metadata/,
    unsupportedKeys: { remote: true },
    unsupportedNotes: ["unsupported version_metadata.remote: local-development mode is not part of service declarations (the generated wrangler.jsonc uses wrangler's local simulation where it has one); not imported"],
    healthy: () => ({ id: "0b0b0b0b-0000-4000-8000-000000000001", tag: "", timestamp: "2026-04-01T00:00:00.000Z" }),
    what: "version metadata",
    missingMember: "version id",
});

describe("version metadata health check", () => {
    it("fails on an empty version id", async () => {
        expect((await healthOf({ VERSION: { kind: "versionMetadata" } }, { VERSION: { id: "", tag: "", timestamp: "" } })).VERSION)
            .toMatchObject({ status: "fail", message: "binding is not version metadata (it has no version id)" });
    });
});
