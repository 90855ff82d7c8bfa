import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { ValidationError } from "../components/validation";
import { loadStackConfig } from "../infra/config";
import { resolveServices } from "../infra/resolve";
import type { ServiceEntry } from "../infra/registry";

const api = defineService({
    name: "api",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    bindings: {
        CACHE: { kind: "kv" },
        LOG_LEVEL: { kind: "var", value: "info" },
        SIGNING_KEY: { kind: "secret" },
    },
    env: z.object({ LOG_LEVEL: z.enum(["debug", "info"]), SIGNING_KEY: z.string() }),
});
const reports = defineService({
    name: "reports",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    bindings: { API: { kind: "service", service: "api" } },
    env: z.object({}),
});
const entries: ServiceEntry[] = [
    { declaration: reports, root: "/repo/services/reports" },
    { declaration: api, root: "/repo/services/api" },
];

/** A valid stack config as the engine passes it; each case changes one key. */
function raw(): Record<string, string> {
    return {
        "platform:accountId": "0123456789abcdef0123456789abcdef",
        "platform:zone": JSON.stringify({ id: "fedcba9876543210fedcba9876543210", name: "example.com" }),
        "platform:services": JSON.stringify({ api: { customDomains: ["api.example.com"], vars: { LOG_LEVEL: "debug" } } }),
        "platform:secrets": JSON.stringify({ api: { SIGNING_KEY: "do-not-print-me" } }),
        "cloudflare:apiToken": "ignored by the platform schema",
    };
}
const isSecret = (key: string) => key === "platform:secrets";

function issuesOf(config: Record<string, string>, services: ServiceEntry[] = entries, stack = "staging"): { path: string; message: string }[] {
    try {
        resolveServices(stack, loadStackConfig(config, isSecret), services, "/repo");
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as Error).message).not.toContain("do-not-print-me");
        return [...(error as ValidationError).issues];
    }
    throw new Error("expected a ValidationError");
}

function withServices(services: unknown): Record<string, string> {
    return { ...raw(), "platform:services": JSON.stringify(services) };
}

describe("stack config", () => {
    it("resolves services in binding order with merged settings", () => {
        const resolved = resolveServices("staging", loadStackConfig(raw(), isSecret), entries, "/repo");
        expect(resolved.map((s) => s.declaration.name)).toEqual(["api", "reports"]);
        expect(resolved[0]!.serviceDir).toBe("services/api");
        expect(resolved[0]!.settings).toEqual({
            routes: [], customDomains: ["api.example.com"], vars: { LOG_LEVEL: "debug" }, workersDev: false,
            crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false,
        });
    });

    it("protects by default on production only, and honours overrides", () => {
        const config = loadStackConfig(raw(), isSecret);
        expect(resolveServices("production", config, entries, "/repo")[0]!.settings.protect).toBe(true);
        expect(resolveServices("staging", config, entries, "/repo")[0]!.settings.protect).toBe(false);
        const off = loadStackConfig({ ...raw(), "platform:protect": "false" }, isSecret);
        expect(resolveServices("production", off, entries, "/repo")[0]!.settings.protect).toBe(false);
    });

    const cases: [string, () => Record<string, string>, string, RegExp][] = [
        ["missing account id", () => { const r = raw(); delete r["platform:accountId"]; return r; }, "platform:accountId", /expected string, got nothing/],
        ["account id not hex", () => ({ ...raw(), "platform:accountId": "my-account" }), "platform:accountId", /32-character lowercase hex/],
        ["unknown platform key", () => ({ ...raw(), "platform:acountId": "x" }), "platform:acountId", /unknown key/],
        ["services not JSON", () => ({ ...raw(), "platform:services": "{api: [" }), "platform:services", /does not parse/],
        ["route of the wrong type", () => withServices({ api: { routes: [42] } }), "platform:services.api.routes[0]", /expected string, got number \(42\)/],
        ["route without a path", () => withServices({ api: { routes: ["api.example.com"] } }), "platform:services.api.routes[0]", /route pattern/],
        ["route outside the zone", () => withServices({ api: { routes: ["api.other.org/*"] } }), "platform:services.api.routes[0]", /not in the stack's zone example\.com/],
        ["custom domain that is not a hostname", () => withServices({ api: { customDomains: ["https://api.example.com"] } }), "platform:services.api.customDomains[0]", /hostname/],
        ["unknown service", () => withServices({ apii: {} }), "platform:services.apii", /no service named "apii" is declared; declared: reports, api/],
        ["unknown override key", () => withServices({ api: { workers_dev: true } }), "platform:services.api.workers_dev", /unknown key/],
        ["var that is not declared", () => withServices({ api: { vars: { DEBUG: "1" } } }), "platform:services.api.vars.DEBUG", /declares no binding "DEBUG"/],
        ["var override that fails the contract", () => withServices({ api: { vars: { LOG_LEVEL: "verbose" } } }), "platform:services.api.vars.LOG_LEVEL", /fails the env contract of api/],
        ["bad cron override", () => withServices({ reports: { crons: ["0 25 * * *"] } }), "platform:services.reports.crons[0]", /hour field "25": 25 is outside 0-23/],
        ["sampling rate out of range", () => withServices({ api: { observability: { enabled: true, headSamplingRate: 5 } } }), "platform:services.api.observability.headSamplingRate", /1/],
        ["missing secret", () => ({ ...raw(), "platform:secrets": "{}" }), "platform:secrets.api.SIGNING_KEY", /pulumi config set --secret --path 'platform:secrets.api.SIGNING_KEY'/],
        ["secret for an undeclared binding", () => ({ ...raw(), "platform:secrets": JSON.stringify({ api: { SIGNING_KEY: "x", OTHER: "do-not-print-me" } }) }), "platform:secrets.api.OTHER", /no secret binding "OTHER"/],
        ["secret of the wrong type", () => ({ ...raw(), "platform:secrets": JSON.stringify({ api: { SIGNING_KEY: 12345 } }) }), "platform:secrets.api.SIGNING_KEY", /expected string, got number$/],
        ["routes without a zone", () => { const r = raw(); delete r["platform:zone"]; return r; }, "platform:services.api.customDomains[0]", /need the stack's zone/],
        ["protect not a boolean", () => ({ ...raw(), "platform:protect": "\"yes\"" }), "platform:protect", /expected boolean, got string \("yes"\)/],
    ];
    for (const [title, make, path, message] of cases) {
        it(`rejects ${title} at ${path}`, () => {
            const issues = issuesOf(make());
            const found = issues.find((i) => i.path === path);
            expect(found, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
            expect(found!.message).toMatch(message);
        });
    }

    it("rejects a service binding to an undeclared service", () => {
        const issues = issuesOf(raw(), [{ declaration: reports, root: "/repo/services/reports" }]);
        expect(issues).toContainEqual({ path: "services.reports.bindings.API.service", message: 'no service named "api" is declared; declared: reports' });
    });

    it("rejects a hyperdrive binding when the stack has no database", () => {
        const db = defineService({ name: "db", main: "i.ts", compatibilityDate: "2026-04-01", bindings: { DATABASE: { kind: "hyperdrive" } }, env: z.object({}) });
        const issues = issuesOf({ "platform:accountId": "0123456789abcdef0123456789abcdef" }, [{ declaration: db, root: "/r/db" }]);
        expect(issues).toContainEqual({ path: "services.db.bindings.DATABASE", message: "a hyperdrive binding needs the stack's database; set platform:database (see infra/databaseConfig.ts)" });
    });

    it("rejects a stack name that cannot end script and resource names, and names longer than Cloudflare accepts", () => {
        expect(issuesOf(raw(), entries, "Feature_X")).toContainEqual({
            path: "stack", message: '"Feature_X" is a valid Pulumi stack name, but this platform expects lowercase letters and digits, words joined by single dashes (it ends every script and resource name)',
        });
        const long = `eu-${"x".repeat(58)}`;
        expect(issuesOf(raw(), entries, long)).toContainEqual({
            path: "services.api.name", message: `script name "api-${long}" is longer than 63 characters; shorten the service or stack name`,
        });
    });

    it("rejects a cycle of service bindings", () => {
        const a = defineService({ name: "a", main: "i.ts", compatibilityDate: "2026-04-01", bindings: { B: { kind: "service", service: "b" } }, env: z.object({}) });
        const b = defineService({ name: "b", main: "i.ts", compatibilityDate: "2026-04-01", bindings: { A: { kind: "service", service: "a" } }, env: z.object({}) });
        const issues = issuesOf({ "platform:accountId": "0123456789abcdef0123456789abcdef" }, [{ declaration: a, root: "/r/a" }, { declaration: b, root: "/r/b" }]);
        expect(issues).toContainEqual({ path: "services.a.bindings", message: "services a, b bind to each other in a cycle; Cloudflare cannot create them" });
    });

    it("reports every problem at once and never prints a secret", () => {
        const config = { ...withServices({ api: { routes: [42], vars: { DEBUG: "1" } }, ghost: {} }), "platform:secrets": JSON.stringify({ api: { SIGNING_KEY: 7 } }) };
        let message = "";
        try {
            resolveServices("staging", loadStackConfig(config, isSecret), entries, "/repo");
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).toMatchInlineSnapshot(`
          "Invalid stack config (2 problems):
            - platform:services.api.routes[0]: expected string, got number (42)
            - platform:secrets.api.SIGNING_KEY: expected string, got number"
        `);
    });
});
