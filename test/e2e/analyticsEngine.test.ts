/**
 * End to end in `wrangler dev --local` (workerd): the wrangler.jsonc the platform generates for the fixture
 * service test/fixtures/workers/analyticsEngine (an Analytics Engine dataset, version metadata and a rate
 * limiter) runs, `writeDataPoint` on the dataset binding does not throw, the version metadata is readable,
 * and the health endpoint passes every check of these kinds. Covers the `analyticsEngine` and
 * `versionMetadata` kinds (and `rateLimit`) in the real runtime.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceSummaries, type ServiceSummary } from "../../tools/lib/serviceSummaries";
import type { HealthReport } from "../../components/health/index";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { definePlatform } from "../../infra/program";
import { runOffline } from "../../tools/lib/mockEngine";
import declaration from "../fixtures/workers/analyticsEngine/service";
import { PROJECT_ROOT, startWranglerDev, type WranglerDev } from "../helpers/wrangler";

const STARTUP_MS = 60_000;
const REQUEST_MS = 20_000;
const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "analyticsEngine");

let dir: string;
let summary: ServiceSummary;
let dev: WranglerDev | undefined;

beforeAll(async () => {
    // The generated config, as the offline plan produces it for stack staging.
    const run = await runOffline({
        project: "platform",
        stack: "staging",
        config: {
            config: {
                "platform:accountId": "0123456789abcdef0123456789abcdef",
                "platform:services": JSON.stringify({ metrics: { healthGate: { enabled: false } } }),
            },
            secretKeys: [],
        },
        program: () => ({ services: definePlatform([{ declaration, root: FIXTURE }], "staging").environment.summary }),
    });
    summary = serviceSummaries(run.resources).metrics!;
    dir = path.join(PROJECT_ROOT, ".platform", `test-e2e-${randomBytes(4).toString("hex")}`, "metrics");
    await mkdir(dir, { recursive: true });
    const files = renderWranglerFiles(summary.wranglerConfig, path.posix.relative(dir, PROJECT_ROOT).split(path.sep).join("/"), ["test fixture"]);
    await writeFile(path.join(dir, "wrangler.jsonc"), files["wrangler.jsonc"]);
    dev = await startWranglerDev({ configs: [path.join(dir, "wrangler.jsonc")], persistTo: path.join(dir, "state"), scratchDir: dir });
}, STARTUP_MS);

afterAll(async () => {
    await dev?.stop();
    if (dir !== undefined) await rm(path.dirname(dir), { recursive: true, force: true });
});

async function getJson<T>(pathname: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${dev!.url}${pathname}`, { signal: AbortSignal.timeout(REQUEST_MS) });
    const text = await response.text();
    try {
        return { status: response.status, body: JSON.parse(text) as T };
    } catch {
        throw new Error(`GET ${pathname} answered ${response.status} with non-JSON: ${text.slice(0, 500)}\n${dev!.output()}`);
    }
}

describe("the generated wrangler.jsonc", () => {
    it("binds the stack's dataset, the version metadata and the rate limiter", () => {
        expect(summary.wranglerConfig.config).toMatchObject({
            analytics_engine_datasets: [{ binding: "EVENTS", dataset: "metrics-staging-events" }],
            version_metadata: { binding: "VERSION" },
            ratelimits: [{ name: "LIMITER", namespace_id: "4242", simple: { limit: 2, period: 10 } }],
        });
    });
});

describe("in wrangler dev", () => {
    it("writes a data point to the Analytics Engine dataset without throwing", async () => {
        const first = await getJson<{ written: boolean; error?: string }>("/events");
        expect(first, dev!.output()).toEqual({ status: 200, body: { written: true } });
        const second = await getJson<{ written: boolean }>("/events");
        expect(second.body.written).toBe(true);
    }, REQUEST_MS);

    it("reads the version metadata: an id, a tag and a timestamp", async () => {
        const { status, body } = await getJson<{ id: string; tag: string; timestamp: string }>("/version");
        expect(status).toBe(200);
        expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(typeof body.tag).toBe("string");
        expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    }, REQUEST_MS);

    it("answers the rate limiter's limit()", async () => {
        const { body } = await getJson<{ success: boolean }>(`/limited/${randomBytes(4).toString("hex")}`);
        expect(body.success).toBe(true);
    }, REQUEST_MS);

    it("passes the health checks of every binding", async () => {
        const { status, body } = await getJson<HealthReport>("/health");
        expect(Object.keys(body.checks)).toEqual(["env", "EVENTS", "VERSION", "LIMITER"]);
        for (const [name, check] of Object.entries(body.checks)) expect(check, name).toMatchObject({ status: "ok" });
        expect(status).toBe(200);
        expect(body).toMatchObject({ status: "ok", service: "metrics", version: "0.3.0" });
    }, REQUEST_MS);
});
