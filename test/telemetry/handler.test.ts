/**
 * The fetch-handler wrapper of the runtime library (components/telemetry/handler.ts) against a fake `env`: one
 * data point per request with the route the handler names, the request id from `cf-ray`, the version id from
 * the version metadata binding, the minimum level from the env contract's LOG_LEVEL, a thrown handler answered
 * 500 and logged with its stack, secret values kept out of every line, and metrics failures that never fail a
 * request. Time is faked (`Date` only), so durations are exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineService } from "../../components/service/declaration";
import { telemetryLogger, withTelemetry } from "../../components/telemetry/handler";
import type { DataPoint } from "../../components/telemetry/requestMetrics";

const SECRET = "0123456789abcdef0123456789abcdef-signing";
const VERSION_ID = "0d6e1d3c-1f0a-4c55-9f5e-0b1c2d3e4f50";
const START = Date.parse("2026-04-02T06:00:00.000Z");

const declaration = defineService({
    name: "api",
    main: "src/index.ts",
    compatibilityDate: "2026-04-01",
    bindings: {
        LOG_LEVEL: { kind: "var", value: "info" },
        SIGNING_KEY: { kind: "secret" },
    },
    env: z.object({ LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]), SIGNING_KEY: z.string().min(32) }),
    telemetry: true,
});

let lines: string[];
let points: DataPoint[];

beforeEach(() => {
    lines = [];
    points = [];
    vi.useFakeTimers({ now: START, toFake: ["Date"] });
    for (const method of ["log", "warn", "error"] as const) {
        vi.spyOn(console, method).mockImplementation((line: unknown) => { lines.push(String(line)); });
    }
});

afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
});

function env(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        LOG_LEVEL: "debug",
        SIGNING_KEY: SECRET,
        METRICS: { writeDataPoint: (point: DataPoint) => { points.push(point); } },
        CF_VERSION_METADATA: { id: VERSION_ID, tag: "", timestamp: "2026-04-02T05:59:00.000Z" },
        ...overrides,
    };
}

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const request = (headers: Record<string, string> = {}, method = "GET") => new Request("https://api.example.com/api/notes/n-1", { method, headers });

describe("withTelemetry", () => {
    it("writes one data point per request: the named route, its status class, the version and the duration", async () => {
        const fetch = withTelemetry(declaration, async (_request, _env, _ctx, { setRoute }) => {
            setRoute("/api/notes/:id");
            vi.setSystemTime(START + 250);
            return new Response("created", { status: 201 });
        });
        const response = await fetch(request({ "cf-ray": "8a3c5e2b1f0d2a4c-AMS" }, "POST"), env(), {});
        expect(response.status).toBe(201);
        expect(points).toEqual([{
            indexes: ["/api/notes/:id"],
            blobs: ["/api/notes/:id", "2xx", VERSION_ID, "POST", "api"],
            doubles: [1, 201, 250],
        }]);
        expect(parsed()).toEqual([{
            level: "debug", timestamp: "2026-04-02T06:00:00.250Z", message: "request.completed", service: "api", versionId: VERSION_ID,
            requestId: "8a3c5e2b1f0d2a4c-AMS", context: { method: "POST", route: "/api/notes/:id", status: 201, durationMs: 250 },
        }]);
    });

    it("records a route the handler does not name as unmatched", async () => {
        await withTelemetry(declaration, () => new Response("no", { status: 404 }))(request(), env(), {});
        expect(points.map((p) => [p.indexes[0], p.blobs[1]])).toEqual([["unmatched", "4xx"]]);
    });

    it("gives every line of a request the same id: cf-ray when well formed, else a random UUID", async () => {
        const fetch = withTelemetry(declaration, (_request, _env, _ctx, { logger, requestId }) => {
            logger.info("inside", { requestId });
            return new Response("ok");
        });
        await fetch(request(), env(), {});
        await fetch(request({ "cf-ray": "not a ray\" id" }), env(), {});
        const [first, , second] = parsed();
        for (const line of [first!, second!]) {
            expect(line.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            expect((line.context as { requestId: string }).requestId).toBe(line.requestId);
        }
        expect(first!.requestId).not.toBe(second!.requestId);
        expect(new Set(parsed().slice(0, 2).map((l) => l.requestId)).size).toBe(1);
    });

    it("answers a handler that throws with 500 and its request id, logs the error with its stack, and records 5xx", async () => {
        const fetch = withTelemetry(declaration, (_request, _env, _ctx, { setRoute }) => {
            setRoute("/api/notes/:id");
            throw new Error("D1_ERROR: no such table: notes");
        });
        const response = await fetch(request({ "cf-ray": "8a3c5e2b1f0d2a4c-AMS" }), env(), {});
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ error: "internal error", requestId: "8a3c5e2b1f0d2a4c-AMS" });
        const [failure] = parsed();
        expect(failure).toMatchObject({
            level: "error", message: "request.failed", requestId: "8a3c5e2b1f0d2a4c-AMS", context: { method: "GET", route: "/api/notes/:id" },
            error: "Error: D1_ERROR: no such table: notes", stack: expect.stringContaining("handler.test.ts"),
        });
        expect(points.map((p) => [p.blobs[1], p.doubles[1]])).toEqual([["5xx", 500]]);
    });

    it("takes the minimum level from LOG_LEVEL", async () => {
        const fetch = withTelemetry(declaration, (_request, _env, _ctx, { logger }) => {
            logger.info("info.line");
            logger.warn("warn.line");
            return new Response("ok");
        });
        await fetch(request(), env({ LOG_LEVEL: "warn" }), {});
        expect(parsed().map((l) => l.message)).toEqual(["warn.line"]);
    });

    it("uses info and says so, naming the key but not the value, when LOG_LEVEL fails the contract", async () => {
        await withTelemetry(declaration, (_request, _env, _ctx, { logger }) => { logger.debug("hidden"); return new Response("ok"); })(
            request(), env({ LOG_LEVEL: "verbose-secretish" }), {});
        expect(parsed()).toEqual([expect.objectContaining({ level: "warn", message: "log_level.invalid", context: expect.objectContaining({ key: "LOG_LEVEL", using: "info" }) })]);
        expect(lines.join("\n")).not.toContain("verbose-secretish");
    });

    it("never writes a secret's value, even when the handler logs env itself", async () => {
        const fetch = withTelemetry(declaration, (_request, workerEnv, _ctx, { logger }) => {
            logger.info("env.dump", { env: workerEnv, key: (workerEnv as { SIGNING_KEY: string }).SIGNING_KEY });
            throw new Error(`signing failed with ${(workerEnv as { SIGNING_KEY: string }).SIGNING_KEY}`);
        });
        await fetch(request(), env(), {});
        expect(lines.length).toBe(3);
        expect(lines.join("\n")).not.toContain(SECRET);
        expect(parsed()[0]).toMatchObject({ context: { env: { SIGNING_KEY: "[redacted]" }, key: "[redacted]" } });
    });

    it("never writes a Hyperdrive binding's connection string or password, as a driver error would carry them", async () => {
        const withDatabase = defineService({
            name: "api", main: "src/index.ts", compatibilityDate: "2026-04-01",
            bindings: { DB: { kind: "hyperdrive" } },
            env: z.object({}),
            telemetry: true,
        });
        const password = "hyperdrive-password-0123456789";
        const connectionString = `postgres://app:${password}@db.example.com:5432/app`;
        const fetch = withTelemetry(withDatabase, () => {
            throw new Error(`connect ${connectionString} failed; password ${password} rejected`);
        });
        await fetch(request(), env({ DB: { connectionString, password, host: "db.example.com" } }), {});
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.join("\n")).not.toContain(password);
        expect(lines.join("\n")).not.toContain("db.example.com:5432/app");
    });

    it("answers the request when the dataset is not bound or its write fails, and says so", async () => {
        const ok = () => new Response("ok");
        const unbound = await withTelemetry(declaration, ok)(request(), env({ METRICS: undefined }), {});
        const failing = await withTelemetry(declaration, ok)(request(), env({ METRICS: { writeDataPoint: () => { throw new Error("quota"); } } }), {});
        expect([unbound.status, failing.status]).toEqual([200, 200]);
        expect(parsed().filter((l) => l.level === "warn")).toEqual([
            expect.objectContaining({ message: "metrics.unbound", context: { binding: "METRICS" } }),
            expect.objectContaining({ message: "metrics.write_failed", context: { binding: "METRICS", route: "unmatched" }, error: "Error: quota" }),
        ]);
    });

    it("refuses a declaration without telemetry when the Worker starts", () => {
        const off = defineService({ name: "plain", main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({}) });
        expect(() => withTelemetry(off, () => new Response("ok"))).toThrow(
            "withTelemetry: service plain declares telemetry: false, so no metrics dataset is bound; set telemetry: true in its declaration");
    });
});

describe("telemetryLogger", () => {
    it("logs outside a request without a request id, with the version and the contract's level", () => {
        const logger = telemetryLogger(declaration, env({ LOG_LEVEL: "info" }));
        logger.debug("hidden");
        logger.info("report.daily", { cron: "0 6 * * *" });
        expect(parsed()).toEqual([{
            level: "info", timestamp: "2026-04-02T06:00:00.000Z", message: "report.daily", service: "api", versionId: VERSION_ID, context: { cron: "0 6 * * *" },
        }]);
    });

    it("defaults to info for a contract without LOG_LEVEL, and leaves versionId out without version metadata", () => {
        const bare = defineService({ name: "bare", main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({}) });
        const logger = telemetryLogger(bare, {});
        logger.debug("hidden");
        logger.info("shown");
        expect(parsed()).toEqual([{ level: "info", timestamp: "2026-04-02T06:00:00.000Z", message: "shown", service: "bare" }]);
    });
});
