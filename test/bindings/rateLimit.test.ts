/**
 * The `rateLimit` kind (components/bindings/rateLimit.ts): configured on the binding, nothing created.
 * Declaration, the script and version binding under the mock engine, the wrangler entry and wrangler's dry
 * run, the importer from `ratelimits` and from legacy `unsafe.bindings` (other unsafe types stay unsupported),
 * and the health check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declarationIssues, declare, dryRun, generate, healthOf, importConfig, notesAt, runKind, type KindRun } from "../helpers/kindHarness";

const LIMITER = { kind: "rateLimit", namespaceId: 1001, limit: 100, periodSeconds: 60 } as const;

describe("declaration", () => {
    it("takes a namespace id, a limit and a period of 10 or 60 seconds", () => {
        expect(declare({ LIMITER }).bindings.LIMITER).toEqual(LIMITER);
        expect(declarationIssues({ LIMITER: { ...LIMITER, periodSeconds: 10 } })).toEqual([]);
    });

    it("rejects other periods, non-integers and missing fields, each with its path", () => {
        expect(declarationIssues({ LIMITER: { kind: "rateLimit", namespaceId: 0, limit: 2.5, periodSeconds: 30 } as never })).toEqual([
            { path: "services.svc.bindings.LIMITER.namespaceId", message: "expected a namespace id, a positive integer unique in the account, got number (0)" },
            { path: "services.svc.bindings.LIMITER.limit", message: "expected a limit, a positive integer, got number (2.5)" },
            { path: "services.svc.bindings.LIMITER.periodSeconds", message: "expected 10 or 60 (seconds); got number (30)" },
        ]);
        expect(declarationIssues({ LIMITER: { kind: "rateLimit", limit: 5, periodSeconds: 60 } as never })).toEqual([
            { path: "services.svc.bindings.LIMITER.namespaceId", message: "expected number, got nothing (the field is required)" },
        ]);
    });
});

describe("under the mock engine", () => {
    let kind: KindRun;
    beforeAll(async () => {
        kind = await runKind({ LIMITER });
    });

    it("binds the limiter to the WorkersScript and the WorkerVersion in the provider's shape", () => {
        const expected = [{ name: "LIMITER", type: "ratelimit", namespaceId: "1001", simple: { limit: 100, period: 60 } }];
        expect(kind.scriptBindings).toEqual(expected);
        expect(kind.versionBindings).toEqual(expected);
        expect(kind.run.resources.filter((r) => r.custom && r.parent === kind.component.urn && !r.type.startsWith("cloudflare:index/workersScript"))).toEqual([]);
        expect(kind.summary.bindings).toEqual([{ name: "LIMITER", kind: "rateLimit", target: "100 per 60s (namespace 1001)" }]);
    });

    it("writes a ratelimits entry that wrangler deploy --dry-run accepts", async () => {
        const config = kind.summary.wranglerConfig.config;
        expect(config.ratelimits).toEqual([{ name: "LIMITER", namespace_id: "1001", simple: { limit: 100, period: 60 } }]);
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.LIMITER (100 requests/60s)");
    }, 60_000);
});

describe("import", () => {
    it("reads ratelimits", () => {
        const result = importConfig({ ratelimits: [{ name: "LIMITER", namespace_id: "1001", simple: { limit: 100, period: 60 } }] });
        expect(result.declaration.bindings).toEqual({ LIMITER });
        expect(notesAt(result, "ratelimits")).toEqual([]);
    });

    it("reads legacy unsafe ratelimit bindings and reports the other unsafe bindings and keys", () => {
        const result = importConfig({
            unsafe: {
                bindings: [
                    { name: "RATE_LIMITER", type: "ratelimit", namespace_id: "1002", simple: { limit: 10, period: 10 } },
                    { name: "WSHIM_SOCKET", type: "internal_service_http", service: "wshim" },
                ],
                metadata: { build_options: { stable_id: "x" } },
            },
        });
        expect(result.declaration.bindings).toEqual({ RATE_LIMITER: { kind: "rateLimit", namespaceId: 1002, limit: 10, periodSeconds: 10 } });
        expect(notesAt(result, "unsafe")).toEqual([
            "unsupported unsafe.metadata: not supported; not imported",
            'unsupported unsafe.bindings[1]: unsafe binding type "internal_service_http" is not supported (the platform imports only unsafe bindings of type "ratelimit", as rate limits); not imported',
            "changed unsafe.bindings[0].type: the legacy unsafe rate limit binding is declared as a rate limit (`ratelimits` in the generated wrangler.jsonc)",
        ]);
    });

    it("refuses, with a note, a limit too large to be an exact integer, instead of failing the declaration", () => {
        const result = importConfig({ ratelimits: [{ name: "HUGE", namespace_id: "7", simple: { limit: 1e300, period: 60 } }] });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "ratelimits")).toEqual(["unsupported ratelimits[0].simple.limit: 1e+300 is not a limit (a positive integer); binding not imported"]);
    });

    it("reports a namespace id or limit the platform cannot declare, and malformed entries with their paths", () => {
        const result = importConfig({
            unsafe: { bindings: [
                { name: "A", type: "ratelimit", namespace_id: "abc", simple: { limit: 10, period: 60 } },
                { name: "B", type: "ratelimit", namespace_id: "7", simple: { limit: 10, period: 30, burst: 2 } },
            ] },
        });
        expect(result.declaration.bindings).toEqual({});
        expect(notesAt(result, "unsafe")).toEqual([
            'unsupported unsafe.bindings[0].namespace_id: "abc" is not a namespace id (a positive integer); binding not imported',
            "unsupported unsafe.bindings[1].simple.burst: not a field of a simple rate limit (limit, period); not imported",
            "unsupported unsafe.bindings[1].simple.period: 30 is not a period Cloudflare accepts (10 or 60 seconds); binding not imported",
        ]);
        expect(() => importConfig({ ratelimits: [{ name: "L", namespace_id: "1", simple: { limit: 1, period: 30 } }] }))
            .toThrow(/ratelimits\[0\]\.simple\.period: expected 10 or 60 \(seconds\)/);
        expect(() => importConfig({ unsafe: { bindings: [{ type: "ratelimit" }] } })).toThrow(/unsafe\.bindings\[0\]\.name: /);
    });

    it("round-trips: import → generate writes the binding under ratelimits", () => {
        const imported = importConfig({ unsafe: { bindings: [{ name: "RATE_LIMITER", type: "ratelimit", namespace_id: "1001", simple: { limit: 100, period: 60 } }] } });
        const config = generate(imported.declaration.bindings);
        expect(config.ratelimits).toEqual([{ name: "RATE_LIMITER", namespace_id: "1001", simple: { limit: 100, period: 60 } }]);
        expect(importConfig(config).declaration.bindings).toEqual(imported.declaration.bindings);
    });
});

describe("health check", () => {
    it("passes when the binding has limit(), which it never calls", async () => {
        let calls = 0;
        const checks = await healthOf({ LIMITER }, { LIMITER: { limit: async () => { calls += 1; return { success: true }; } } });
        expect(checks.LIMITER).toMatchObject({ status: "ok" });
        expect(calls).toBe(0);
    });

    it("fails when the binding is not a rate limiter", async () => {
        expect((await healthOf({ LIMITER }, { LIMITER: "1001" })).LIMITER).toMatchObject({ status: "fail", message: "binding is not a rate limit binding (it has no limit())" });
    });
});
