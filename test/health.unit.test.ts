/**
 * The health library against fake bindings: every check kind, time limits, the env contract's secret
 * hygiene, the Durable Object probe protocol and service-binding chains.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import {
    HEALTH_CHAIN_HEADER, MAX_MESSAGE_LENGTH, checkEnvContract, createHealthHandler, envContractErrorResponse,
    healthProbeRequest, healthProbeResponse, isHealthProbe, parseHealthReport, planHealthChecks, runCheck, runHealthChecks,
    type HealthOptions, type HealthReport,
} from "../components/health/index";

const SECRET = "s3cr3t-value-that-must-never-appear-0123456789";

const declaration = defineService({
    name: "shop",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    version: "2.3.4",
    bindings: {
        CACHE: { kind: "kv" },
        DB: { kind: "d1" },
        FILES: { kind: "r2" },
        COUNTER: { kind: "durableObject", className: "Counter" },
        API: { kind: "service", service: "api" },
        LOG_LEVEL: { kind: "var", value: "info" },
        TOKEN: { kind: "secret" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
    env: z.object({
        LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]),
        TOKEN: z.string().min(32),
    }),
});

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function okReport(service: string): HealthReport {
    return { status: "ok", service, version: "1.0.0", timestamp: new Date().toISOString(), checks: { env: { status: "ok", latencyMs: 1 } } };
}

/** A fake `env` where every binding answers correctly; `overrides` replace single entries. */
function fakeEnv(overrides: Record<string, unknown> = {}): Record<string, unknown> & { serviceRequests: Request[] } {
    const serviceRequests: Request[] = [];
    return {
        CACHE: { get: async () => null },
        DB: { prepare: (query: string) => ({ first: async () => (query === "select 1 as ok" ? { ok: 1 } : null) }) },
        FILES: { head: async () => null },
        COUNTER: fakeNamespace(async (request) => (isHealthProbe(request) ? healthProbeResponse() : new Response("nope", { status: 404 }))),
        API: {
            fetch: async (request: Request) => {
                serviceRequests.push(request);
                return Response.json(okReport("api"));
            },
        },
        LOG_LEVEL: "info",
        TOKEN: SECRET,
        serviceRequests,
        ...overrides,
    };
}

function fakeNamespace(fetch: (request: Request) => Promise<Response>) {
    const names: string[] = [];
    return { names, idFromName: (name: string) => { names.push(name); return { name }; }, get: () => ({ fetch }) };
}

async function health(env: object, options?: HealthOptions, request = new Request("https://shop.example/health")) {
    const response = await createHealthHandler(declaration, options)(request, env);
    expect(response).toBeDefined();
    const text = await response!.text();
    return { response: response!, text, report: text === "" ? undefined : (JSON.parse(text) as HealthReport) };
}

describe("planHealthChecks", () => {
    it("lists env first, then one check per resource binding in declaration order, skipping vars and secrets", () => {
        expect(planHealthChecks(declaration)).toEqual([
            { name: "env", kind: "env" },
            { name: "CACHE", kind: "kv" },
            { name: "DB", kind: "d1" },
            { name: "FILES", kind: "r2" },
            { name: "COUNTER", kind: "durableObject" },
            { name: "API", kind: "service", service: "api" },
        ]);
    });
});

describe("createHealthHandler", () => {
    it("answers 200 with every check ok and the documented report shape", async () => {
        const { response, report } = await health(fakeEnv());
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
        expect(response.headers.get("cache-control")).toBe("no-store");
        expect(report).toMatchObject({ status: "ok", service: "shop", version: "2.3.4" });
        expect(new Date(report!.timestamp).toISOString()).toBe(report!.timestamp);
        expect(Object.keys(report!.checks)).toEqual(["env", "CACHE", "DB", "FILES", "COUNTER", "API"]);
        for (const check of Object.values(report!.checks)) {
            expect(check).toEqual({ status: "ok", latencyMs: expect.any(Number) });
        }
        expect(parseHealthReport(JSON.stringify(report))).toEqual(report);
    });

    it("returns undefined for other paths so the Worker routes them", async () => {
        const handler = createHealthHandler(declaration);
        expect(await handler(new Request("https://shop.example/healthz"), fakeEnv())).toBeUndefined();
        expect(await handler(new Request("https://shop.example/"), fakeEnv())).toBeUndefined();
    });

    it("serves the declaration's health path", async () => {
        const custom = { ...declaration, health: { path: "/_status" } };
        const handler = createHealthHandler(custom);
        expect(await handler(new Request("https://shop.example/health"), fakeEnv())).toBeUndefined();
        expect((await handler(new Request("https://shop.example/_status?x=1"), fakeEnv()))?.status).toBe(200);
    });

    it("answers HEAD without a body and other methods with 405", async () => {
        const head = await health(fakeEnv({ CACHE: undefined }), {}, new Request("https://shop.example/health", { method: "HEAD" }));
        expect(head.response.status).toBe(503);
        expect(head.text).toBe("");
        const post = await createHealthHandler(declaration)(new Request("https://shop.example/health", { method: "POST" }), fakeEnv());
        expect(post?.status).toBe(405);
        expect(post?.headers.get("allow")).toBe("GET, HEAD");
    });

    it("rejects time limits that are not positive numbers when created", () => {
        expect(() => createHealthHandler(declaration, { timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/);
        expect(() => createHealthHandler(declaration, { timeoutsMs: { DB: Number.NaN } })).toThrow(/timeoutsMs\.DB/);
    });
});

describe("env contract check", () => {
    it("fails with 503 naming the failing keys and what they must be, never their values", async () => {
        const { response, report, text } = await health(fakeEnv({ LOG_LEVEL: "verbose", TOKEN: "too-short-secret" }));
        expect(response.status).toBe(503);
        expect(report!.status).toBe("fail");
        expect(report!.checks.env).toMatchObject({ status: "fail" });
        expect(report!.checks.env!.message).toBe(
            'env contract violated by LOG_LEVEL, TOKEN: LOG_LEVEL: expected one of "debug"|"info"|"warn"|"error"; TOKEN: expected at least 32 characters',
        );
        expect(text).not.toContain("verbose");
        expect(text).not.toContain("too-short-secret");
        for (const name of ["CACHE", "DB", "FILES", "COUNTER", "API"]) expect(report!.checks[name]!.status).toBe("ok");
    });

    it("reports missing keys as missing", async () => {
        const { report } = await health(fakeEnv({ TOKEN: undefined }));
        expect(report!.checks.env!.message).toBe("env contract violated by TOKEN: TOKEN: missing");
    });

    it("never echoes a value through a custom refinement's message", () => {
        const schema = z.object({
            KEY: z.string().refine((v) => v.startsWith("sk_"), { error: (issue) => `bad key ${String(issue.input)}` }),
            MODE: z.string().refine((v) => v === "a", { error: "MODE must be a" }),
        });
        const checked = checkEnvContract(schema, { KEY: SECRET, MODE: "bbbb" });
        expect(checked.ok).toBe(false);
        if (checked.ok) return;
        expect(checked.message).not.toContain(SECRET);
        expect(checked.problems).toEqual([
            { key: "KEY", message: "fails a custom rule" },
            { key: "MODE", message: "MODE must be a" },
        ]);
    });

    it("describes formats, bounds and types from the schema", () => {
        const schema = z.object({
            URL: z.url(),
            PORT: z.coerce.number().int().max(65535),
            FLAGS: z.array(z.string()).min(1),
            N: z.number(),
        });
        const checked = checkEnvContract(schema, { URL: "not a url", PORT: "70000", FLAGS: [], N: "1" });
        expect(checked.ok).toBe(false);
        if (checked.ok) return;
        expect(checked.keys).toEqual(["FLAGS", "N", "PORT", "URL"]);
        expect(checked.problems).toEqual([
            { key: "URL", message: "expected a valid url" },
            { key: "PORT", message: "expected a number at most 65535" },
            { key: "FLAGS", message: "expected at least 1 items" },
            { key: "N", message: "expected number" },
        ]);
    });

    it("returns the parsed env when the contract holds", () => {
        const checked = checkEnvContract(declaration.env, fakeEnv());
        expect(checked).toEqual({ ok: true, data: { LOG_LEVEL: "info", TOKEN: SECRET } });
    });

    it("envContractErrorResponse answers 500 with keys and message", async () => {
        const checked = checkEnvContract(declaration.env, fakeEnv({ LOG_LEVEL: "loud" }));
        if (checked.ok) throw new Error("expected a failure");
        const response = envContractErrorResponse(checked);
        expect(response.status).toBe(500);
        const body = await response.json() as { error: string; keys: string[]; message: string };
        expect(body).toMatchObject({ error: "env contract violated", keys: ["LOG_LEVEL"] });
        expect(JSON.stringify(body)).not.toContain("loud");
    });
});

describe("resource checks", () => {
    it("KV: reads the probe key and fails with the binding's error", async () => {
        const keys: string[] = [];
        const ok = await runHealthChecks(declaration, fakeEnv({ CACHE: { get: async (key: string) => { keys.push(key); return null; } } }), { probeKey: "probe/x" });
        expect(ok.checks.CACHE!.status).toBe("ok");
        expect(keys).toEqual(["probe/x"]);
        const failing = await runHealthChecks(declaration, fakeEnv({ CACHE: { get: async () => { throw new Error("KV GET failed: 500 Internal Server Error"); } } }));
        expect(failing.checks.CACHE).toMatchObject({ status: "fail", message: "KV GET failed: 500 Internal Server Error" });
    });

    it("D1: fails when select 1 returns something else", async () => {
        const report = await runHealthChecks(declaration, fakeEnv({ DB: { prepare: () => ({ first: async () => null }) } }));
        expect(report.checks.DB).toMatchObject({ status: "fail", message: "select 1 returned an unexpected result" });
    });

    it("R2: heads the probe key", async () => {
        const keys: string[] = [];
        const report = await runHealthChecks(declaration, fakeEnv({ FILES: { head: async (key: string) => { keys.push(key); return null; } } }));
        expect(report.checks.FILES!.status).toBe("ok");
        expect(keys).toEqual(["__health/probe"]);
    });

    it("fails a missing or mistyped binding with what was expected", async () => {
        const report = await runHealthChecks(declaration, fakeEnv({ CACHE: undefined, FILES: "a string" }));
        expect(report.checks.CACHE).toMatchObject({ status: "fail", message: "binding is missing from env; expected a KV namespace" });
        expect(report.checks.FILES).toMatchObject({ status: "fail", message: "binding is not an R2 bucket (it has no head())" });
        expect(report.status).toBe("fail");
    });
});

describe("Durable Object check", () => {
    it("probes the instance named by durableObjectName with the probe request", async () => {
        const seen: Request[] = [];
        const namespace = fakeNamespace(async (request) => { seen.push(request); return healthProbeResponse(); });
        const report = await runHealthChecks(declaration, fakeEnv({ COUNTER: namespace }), { durableObjectName: "probe-1" });
        expect(report.checks.COUNTER!.status).toBe("ok");
        expect(namespace.names).toEqual(["probe-1"]);
        expect(seen.every(isHealthProbe)).toBe(true);
    });

    it("fails with a hint when the class does not handle the probe", async () => {
        const report = await runHealthChecks(declaration, fakeEnv({ COUNTER: fakeNamespace(async () => new Response("hello")) }));
        expect(report.checks.COUNTER!.status).toBe("fail");
        expect(report.checks.COUNTER!.message).toMatch(/HTTP 200 but is not handling it; answer it with isHealthProbe/);
    });

    it("fails with the probe's own error when the object cannot use its storage", async () => {
        const namespace = fakeNamespace(() => healthProbeResponse(() => { throw new Error("SQLITE_CORRUPT"); }));
        const report = await runHealthChecks(declaration, fakeEnv({ COUNTER: namespace }));
        expect(report.checks.COUNTER).toMatchObject({ status: "fail", message: "the object's probe failed (HTTP 503): SQLITE_CORRUPT" });
    });
});

describe("the probe protocol", () => {
    it("recognizes only GET to the probe path with the probe header", () => {
        expect(isHealthProbe(healthProbeRequest())).toBe(true);
        expect(isHealthProbe(new Request("https://x/__platform/health-probe"))).toBe(false);
        expect(isHealthProbe(new Request(healthProbeRequest().url, { method: "POST", headers: healthProbeRequest().headers }))).toBe(false);
        expect(isHealthProbe(new Request("https://x/other", { headers: healthProbeRequest().headers }))).toBe(false);
    });

    it("healthProbeResponse awaits an async probe", async () => {
        const ok = await healthProbeResponse(async () => 1);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ status: "ok" });
        const failed = await healthProbeResponse(async () => { throw new Error("no storage"); });
        expect(failed.status).toBe(503);
        expect(await failed.json()).toEqual({ status: "fail", message: "no storage" });
    });
});

describe("service binding check", () => {
    it("fetches the bound service's health path and passes the chain", async () => {
        const env = fakeEnv();
        const report = await runHealthChecks(declaration, env, { servicePaths: { API: "/_status" } }, { chain: ["edge"] });
        expect(report.checks.API!.status).toBe("ok");
        expect(env.serviceRequests).toHaveLength(1);
        expect(env.serviceRequests[0]!.url).toBe("https://api/_status");
        expect(env.serviceRequests[0]!.headers.get(HEALTH_CHAIN_HEADER)).toBe("edge,shop");
    });

    it("fails naming the target's failing checks", async () => {
        const failing: HealthReport = { ...okReport("api"), status: "fail", checks: { env: { status: "fail", latencyMs: 0, message: "x" }, DB: { status: "ok", latencyMs: 1 } } };
        const report = await runHealthChecks(declaration, fakeEnv({ API: { fetch: async () => Response.json(failing, { status: 503 }) } }));
        expect(report.checks.API).toMatchObject({ status: "fail", message: "api answered HTTP 503 on /health; failing checks: env" });
    });

    it("skips a target already in the chain instead of recursing", async () => {
        const env = fakeEnv();
        const handler = createHealthHandler(declaration);
        const response = await handler(new Request("https://shop/health", { headers: { [HEALTH_CHAIN_HEADER]: "api" } }), env);
        const report = await response!.json() as HealthReport;
        expect(response!.status).toBe(200);
        expect(report.checks.API).toMatchObject({ status: "ok", message: "skipped: api is already being checked (api → shop → api)" });
        expect(env.serviceRequests).toHaveLength(0);
    });
});

describe("time limits", () => {
    it("fails a hanging binding after timeoutMs instead of hanging the endpoint", async () => {
        const started = Date.now();
        const { response, report } = await health(fakeEnv({ CACHE: { get: never }, DB: { prepare: () => ({ first: never }) } }), { timeoutMs: 50 });
        expect(Date.now() - started).toBeLessThan(1000);
        expect(response.status).toBe(503);
        expect(report!.checks.CACHE).toMatchObject({ status: "fail", message: "timed out after 50 ms" });
        expect(report!.checks.CACHE!.latencyMs).toBeGreaterThanOrEqual(45);
        expect(report!.checks.DB).toMatchObject({ status: "fail", message: "timed out after 50 ms" });
        expect(report!.checks.FILES!.status).toBe("ok");
    });

    it("applies per-check limits and aborts the signal given to custom checks", async () => {
        let aborted = false;
        const report = await runHealthChecks(declaration, fakeEnv({ FILES: { head: () => new Promise((r) => setTimeout(r, 80)) } }), {
            timeoutMs: 20,
            timeoutsMs: { FILES: 1000 },
            extraChecks: { UPSTREAM: (_env, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => { aborted = true; reject(signal.reason); })) },
        });
        expect(report.checks.FILES!.status).toBe("ok");
        expect(report.checks.UPSTREAM).toMatchObject({ status: "fail", message: "timed out after 20 ms" });
        expect(aborted).toBe(true);
    });
});

describe("skip and extraChecks", () => {
    it("leaves skipped checks out and adds custom ones after the declared ones", async () => {
        const report = await runHealthChecks(declaration, fakeEnv({ FILES: undefined }), {
            skip: ["FILES"],
            extraChecks: { UPSTREAM: () => "answered 204" },
        });
        expect(Object.keys(report.checks)).toEqual(["env", "CACHE", "DB", "COUNTER", "API", "UPSTREAM"]);
        expect(report.checks.UPSTREAM).toMatchObject({ status: "ok", message: "answered 204" });
        expect(report.status).toBe("ok");
    });
});

describe("runCheck", () => {
    it("turns synchronous throws into failures and shortens long messages", async () => {
        const result = await runCheck(() => { throw new Error(`line one\n${"x".repeat(1000)}`); }, 1000);
        expect(result.status).toBe("fail");
        expect(result.message!.length).toBe(MAX_MESSAGE_LENGTH);
        expect(result.message!.startsWith("line one x")).toBe(true);
        expect(result.message!.endsWith("…")).toBe(true);
    });
});
