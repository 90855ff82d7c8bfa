/**
 * The serialized `HealthGate` provider (as the engine stores and runs it) against a scripted local
 * health endpoint: retries until healthy, and fails with the failing checks' names and messages, missing
 * expected checks, non-report answers and unreachable URLs.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import type { HealthGateInputs, HealthGateOutputs } from "../components/cloudflare/healthGate/healthGateProvider";
import { healthGateUrl } from "../components/cloudflare/healthGate/serviceHealthGate";
import { HEALTH_GATE_TYPE, loadSerializedProvider, planDynamicResources, type SerializedResource } from "./helpers/serializedProviders";
import { freePort } from "../tools/lib/freePort";

type Answer = { status: number; body: unknown };
const ok = (checks: Record<string, object>): Answer => ({ status: 200, body: { status: "ok", service: "api", version: "1", timestamp: "t", checks } });
const fail = (checks: Record<string, object>): Answer => ({ status: 503, body: { status: "fail", service: "api", version: "1", timestamp: "t", checks } });

let gates: SerializedResource[];
let provider: pulumi.dynamic.ResourceProvider;
let server: Server;
let base: string;
let script: Answer[] = [];
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
    gates = (await planDynamicResources("staging")).filter((r) => r.type === HEALTH_GATE_TYPE);
    provider = loadSerializedProvider(gates[0]!.provider);
    server = createServer((req, res) => {
        seen.push(req.headers);
        const answer = script.length > 1 ? script.shift()! : script[0]!;
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
});

function gate(overrides: Partial<HealthGateInputs> = {}): HealthGateInputs {
    return { service: "api", url: `${base}/health`, timeoutSeconds: 1, intervalSeconds: 1, expectedChecks: ["env", "DB"], headers: {}, trigger: "t1", ...overrides };
}

describe("HealthGate in the plan", () => {
    it("is declared per service with a URL, expecting every check of the declaration", () => {
        // Contains, not equals: a service added to infra/services.ts adds its own gate.
        expect(gates.map((g) => [g.name, g.inputs.url, g.inputs.expectedChecks, g.inputs.timeoutSeconds, g.inputs.intervalSeconds])).toEqual(expect.arrayContaining([
            ["api-health-gate", "https://api.staging.example.com/health",
                ["env", "CACHE", "DB", "FILES", "COUNTER", "DATABASE", "NOTE_EVENTS", "NOTE_EVENTS_DLQ", "EXPORTS", "ASSETS", "METRICS", "CF_VERSION_METADATA"], 180, 5],
            ["reports-health-gate", "https://reports-staging.example-co.workers.dev/health", ["env", "API", "METRICS", "CF_VERSION_METADATA"], 180, 5],
        ]));
    });
});

describe("healthGateUrl", () => {
    it("uses a Custom Domain, else a route that covers the health path, else workers.dev, else nothing", () => {
        const none = { customDomains: [], routes: [] };
        expect(healthGateUrl("/health", { ...none, customDomains: ["api.example.com"], routes: ["example.com/*"] })).toBe("https://api.example.com/health");
        expect(healthGateUrl("/health", { ...none, routes: ["*.example.com/*", "example.com/reports/*", "api.example.com/*"] })).toBe("https://api.example.com/health");
        expect(healthGateUrl("/health", { ...none, routes: ["example.com/health"] })).toBe("https://example.com/health");
        expect(healthGateUrl("/reports/health", { ...none, routes: ["example.com/reports/*"] })).toBe("https://example.com/reports/health");
        expect(healthGateUrl("/health", { ...none, routes: ["example.com/reports/*"], workersDevUrl: "https://r-production.acme.workers.dev" }))
            .toBe("https://r-production.acme.workers.dev/health");
        expect(healthGateUrl("/health", { ...none, routes: ["example.com/reports/*"] })).toBeUndefined();
    });
});

describe("the serialized HealthGate provider", () => {
    it("asks again until the service answers healthy", async () => {
        script = [fail({ env: { status: "ok", latencyMs: 0 }, DB: { status: "fail", latencyMs: 3, message: "D1 not ready" } }), { status: 502, body: "bad gateway" }, ok({ env: { status: "ok", latencyMs: 0 }, DB: { status: "ok", latencyMs: 2 } })];
        const result = await provider.create!(gate({ timeoutSeconds: 10, intervalSeconds: 1 }));
        expect(result.outs as HealthGateOutputs).toMatchObject({ attempts: 3, checks: ["env", "DB"], url: `${base}/health` });
    });

    it("fails with each failing check's name and message", async () => {
        script = [fail({
            env: { status: "fail", latencyMs: 0, message: 'env contract violated by LOG_LEVEL: expected one of "debug"|"info"' },
            DB: { status: "ok", latencyMs: 1 },
            FILES: { status: "fail", latencyMs: 2000, message: "timed out after 2000 ms" },
        })];
        const error = await provider.create!(gate()).then(() => undefined, (e: Error) => e);
        expect(error?.message).toBe([
            `Health gate failed for service api: GET ${base}/health did not answer healthy within 1 s (1 request over 0 s, every 1 s).`,
            "Failing checks: env, FILES",
            '  - env: env contract violated by LOG_LEVEL: expected one of "debug"|"info"',
            "  - FILES: timed out after 2000 ms",
            'Last answer: HTTP 503, report status "fail".',
            "What the gate guards is already deployed: fix it and run `pulumi up` again, or roll back (docs/deploy-safety.md).",
        ].join("\n"));
    });

    it("fails when an expected check is missing, even if the report is ok", async () => {
        script = [ok({ env: { status: "ok", latencyMs: 0 } })];
        await expect(provider.update!("id", {} as HealthGateOutputs, gate())).rejects.toThrow(/Expected checks missing from the report: DB\n/);
    });

    it("fails on an answer that is not a health report, and on an unreachable URL", async () => {
        script = [{ status: 404, body: "<html>not found</html>" }];
        await expect(provider.create!(gate())).rejects.toThrow(/Last answer: HTTP 404, not a health report: "<html>not found<\/html>"/);
        const closed = await freePort();
        await expect(provider.create!(gate({ url: `http://127.0.0.1:${closed}/health` }))).rejects.toThrow(/Last request failed: fetch failed \(.*ECONNREFUSED/);
    });

    it("pins requests to the version under test with the version override header", async () => {
        script = [ok({ env: { status: "ok", latencyMs: 0 }, DB: { status: "ok", latencyMs: 0 } })];
        seen.length = 0;
        const header = 'api-production="aaaaaaaa-0000-4000-8000-000000000001"';
        await provider.create!(gate({ headers: { "Cloudflare-Workers-Version-Overrides": header } }));
        expect(seen[0]!["cloudflare-workers-version-overrides"]).toBe(header);
    });

    it("re-runs on a new trigger and never replaces", async () => {
        const olds = { ...gate(), attempts: 1, checks: ["env", "DB"] };
        expect(await provider.diff!("id", olds, gate())).toMatchObject({ changes: false, replaces: [] });
        expect(await provider.diff!("id", olds, gate({ trigger: "t2" }))).toMatchObject({ changes: true, replaces: [] });
    });
});
