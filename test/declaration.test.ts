import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService, type ServiceDeclarationInput } from "../components/service/declaration";
import { ValidationError } from "../components/validation";

/** A valid declaration; each case changes one thing. */
function valid(): ServiceDeclarationInput {
    return {
        name: "api",
        main: "src/index.ts",
        compatibilityDate: "2026-04-01",
        bindings: {
            CACHE: { kind: "kv" },
            DB: { kind: "d1", migrationsDir: "migrations" },
            FILES: { kind: "r2" },
            COUNTER: { kind: "durableObject", className: "Counter" },
            LOG_LEVEL: { kind: "var", value: "info" },
            SIGNING_KEY: { kind: "secret" },
        },
        durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
        env: z.object({ LOG_LEVEL: z.enum(["debug", "info"]), SIGNING_KEY: z.string().min(32) }),
    };
}

function issuesOf(input: unknown): { path: string; message: string }[] {
    try {
        defineService(input as ServiceDeclarationInput);
    } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return [...(error as ValidationError).issues];
    }
    throw new Error("expected defineService to throw");
}

describe("defineService", () => {
    it("accepts a valid declaration and applies defaults", () => {
        const decl = defineService(valid());
        expect(decl.health.path).toBe("/health");
        expect(decl.compatibilityFlags).toEqual([]);
        expect(decl.workersDev).toBe(false);
        expect(decl.observability).toEqual({ enabled: true, headSamplingRate: 1 });
        expect(decl.bindings.DB).toEqual({ kind: "d1", migrationsDir: "migrations" });
    });

    const cases: [string, (d: Record<string, any>) => void, string, RegExp][] = [
        ["bad service name", (d) => { d.name = "API_v2"; }, "services.API_v2.name", /service name/],
        ["main is absolute", (d) => { d.main = "/abs/index.ts"; }, "services.api.main", /relative/],
        ["main is not a module", (d) => { d.main = "src/index.py"; }, "services.api.main", /\.ts/],
        ["impossible compatibility date", (d) => { d.compatibilityDate = "2026-02-30"; }, "services.api.compatibilityDate", /calendar date/],
        ["compatibility date wrong type", (d) => { d.compatibilityDate = 20260401; }, "services.api.compatibilityDate", /expected string, got number \(20260401\)/],
        ["unknown top-level key", (d) => { d.routez = []; }, "services.api.routez", /unknown key/],
        ["unknown binding key", (d) => { d.bindings.DB.migrationDir = "m"; }, "services.api.bindings.DB.migrationDir", /unknown key/],
        ["unknown binding kind", (d) => { d.bindings.Q = { kind: "teleporter" }; }, "services.api.bindings.Q.kind", /one of kv, d1, r2, durableObject, service, hyperdrive, var, secret\b.*; got string \("teleporter"\)/],
        ["binding name not an identifier", (d) => { d.bindings["my-cache"] = { kind: "kv" }; }, "services.api.bindings.my-cache", /invalid key "my-cache": expected a binding name that is a JavaScript identifier/],
        ["migrationsDir wrong type", (d) => { d.bindings.DB.migrationsDir = 42; }, "services.api.bindings.DB.migrationsDir", /expected string, got number \(42\)/],
        ["bad r2 location", (d) => { d.bindings.FILES.location = "mars"; }, "services.api.bindings.FILES.location", /apac/],
        ["durable object class never created", (d) => { d.durableObjectMigrations = []; }, "services.api.bindings.COUNTER.className", /not created by any step/],
        ["duplicate migration tag", (d) => { d.durableObjectMigrations.push({ tag: "v1", newClasses: ["Other"] }); }, "services.api.durableObjectMigrations[1].tag", /unique/],
        ["rename of a missing class", (d) => { d.durableObjectMigrations.push({ tag: "v2", renamedClasses: [{ from: "Nope", to: "Counter2" }] }); }, "services.api.durableObjectMigrations[1].renamedClasses", /no such class/],
        ["bound class deleted", (d) => { d.durableObjectMigrations.push({ tag: "v2", deletedClasses: ["Counter"] }); }, "services.api.bindings.COUNTER.className", /not created/],
        ["service bound to itself", (d) => { d.bindings.SELF = { kind: "service", service: "api" }; }, "services.api.bindings.SELF.service", /itself/],
        ["bad cron", (d) => { d.crons = ["61 * * * *"]; }, "services.api.crons[0]", /minute field "61": 61 is outside 0-59/],
        ["cron with too few fields", (d) => { d.crons = ["* * *"]; }, "services.api.crons[0]", /expected 5 space-separated fields/],
        ["contract key without binding", (d) => { d.env = z.object({ LOG_LEVEL: z.string(), SIGNING_KEY: z.string(), MISSING: z.string() }); }, "services.api.env.MISSING", /no binding provides it/],
        ["var missing from the contract", (d) => { d.bindings.EXTRA = { kind: "var", value: "x" }; }, "services.api.bindings.EXTRA", /not in the env contract/],
        ["default var fails the contract", (d) => { d.bindings.LOG_LEVEL.value = "verbose"; }, "services.api.bindings.LOG_LEVEL.value", /default value fails the env contract/],
        ["binding names that collide in resource names", (d) => { d.bindings.cache = { kind: "kv" }; }, "services.api.bindings.cache", /collides with binding "CACHE"/],
        ["env is not a zod object", (d) => { d.env = { LOG_LEVEL: "string" }; }, "services.api.env", /zod object schema/],
        ["health path not absolute", (d) => { d.health = { path: "health" }; }, "services.api.health.path", /absolute URL path/],
        ["sampling rate above 1", (d) => { d.observability = { enabled: true, headSamplingRate: 2 }; }, "services.api.observability.headSamplingRate", /<=1|1/],
    ];
    for (const [title, change, path, message] of cases) {
        it(`rejects ${title} at ${path}`, () => {
            const input = valid() as Record<string, any>;
            change(input);
            const issues = issuesOf(input);
            const found = issues.find((i) => i.path === path);
            expect(found, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
            expect(found!.message).toMatch(message);
        });
    }

    it("reports every problem at once", () => {
        const input = valid() as Record<string, any>;
        input.main = "/abs.ts";
        input.bindings.DB.migrationDir = "x";
        input.crons = ["bad"];
        const error = (() => { try { defineService(input as ServiceDeclarationInput); } catch (e) { return e as ValidationError; } })()!;
        expect(error.issues.map((i) => i.path)).toEqual(["services.api.main", "services.api.bindings.DB.migrationDir", "services.api.crons[0]"]);
        expect(error.message).toMatchInlineSnapshot(`
          "Invalid service declaration (3 problems):
            - services.api.main: expected a path relative to the service directory
            - services.api.bindings.DB.migrationDir: unknown key; remove it or check its spelling
            - services.api.crons[0]: invalid cron expression "bad": expected 5 space-separated fields (minute hour day-of-month month day-of-week), got 1"
        `);
    });
});
