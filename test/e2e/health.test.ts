/**
 * End to end: the sample services' generated wrangler.jsonc under real `wrangler dev --local` (workerd
 * with local KV, D1, R2 and Durable Objects, and Hyperdrive in front of a real PostgreSQL started for the
 * test). Checks the health endpoint when everything is wired, when the env contract is violated, when the
 * database is down, and across a service binding; and the api's real request paths.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthReport } from "../../components/health/index";
import { startPostgres, type PostgresServer } from "../../tools/lib/postgres";
import {
    generateSampleWorkspace, hyperdriveEnv, runWrangler, startWranglerDev, type GeneratedWorkspace, type WranglerDev,
} from "../helpers/wrangler";
import { getJson } from "../helpers/fixtureWorkspace";

const STARTUP_MS = 60_000;
const REQUEST_MS = 20_000;
const SEEDED_NOTE = "0b0b0b0b-0000-4000-8000-000000000001";

let workspace: GeneratedWorkspace;
let persistTo: string;
let signingKey: string;
let database: PostgresServer;

beforeAll(async () => {
    [workspace, database] = await Promise.all([generateSampleWorkspace("staging"), startPostgres()]);
    persistTo = path.join(workspace.root, "state");
    const devVars = await readFile(path.join(workspace.services.api!.dir, ".dev.vars"), "utf8");
    signingKey = /^SIGNING_KEY=(.+)$/m.exec(devVars)![1]!;
    // The api's D1 migrations first, into the same local state the dev servers use.
    const migrate = await runWrangler(
        ["d1", "migrations", "apply", "DB", "--local", "--config", workspace.services.api!.configPath, "--persist-to", persistTo],
        { scratchDir: workspace.root },
    );
    expect(migrate.code, migrate.stdout + migrate.stderr).toBe(0);
    // A note only D1 knows (not cached in KV), to exercise the read-through path.
    const seed = await runWrangler(
        ["d1", "execute", "DB", "--local", "--config", workspace.services.api!.configPath, "--persist-to", persistTo,
            "--command", `INSERT INTO notes (id, body) VALUES ('${SEEDED_NOTE}', 'seeded in D1')`],
        { scratchDir: workspace.root },
    );
    expect(seed.code, seed.stdout + seed.stderr).toBe(0);
}, STARTUP_MS);

afterAll(async () => {
    await Promise.all([workspace?.remove(), database?.stop()]);
});

/**
 * Starts `wrangler dev` for the whole of a `describe` block and stops it afterwards, even on failure.
 * @param databaseUrl where the api's DATABASE binding points. @default the test's PostgreSQL
 */
function useDev(configs: () => string[], extraArgs: readonly string[] = [], databaseUrl: () => string = () => database.url): () => WranglerDev {
    let dev: WranglerDev | undefined;
    beforeAll(async () => {
        dev = await startWranglerDev({ configs: configs(), persistTo, scratchDir: workspace.root, extraArgs, env: hyperdriveEnv(databaseUrl()) });
    }, STARTUP_MS);
    afterAll(async () => {
        await dev?.stop();
    });
    return () => dev!;
}

describe("api Worker, correctly configured", () => {
    const dev = useDev(() => [workspace.services.api!.configPath]);

    it("GET /health answers 200 with every binding, select 1 through Hyperdrive and the env contract ok", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(200);
        expect(body).toMatchObject({ status: "ok", service: "api", version: "1.4.0" });
        expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
        expect(Object.keys(body.checks)).toEqual(["env", "CACHE", "DB", "FILES", "COUNTER", "DATABASE"]);
        for (const [name, check] of Object.entries(body.checks)) {
            expect(check, name).toMatchObject({ status: "ok" });
            expect(check.latencyMs, name).toBeGreaterThanOrEqual(0);
        }
        expect(text).not.toContain(signingKey);
    }, REQUEST_MS);

    it("stores a note in D1 + KV and counts its views in the Durable Object", async () => {
        const created = await getJson<{ id: string; body: string; url: string }>(`${dev().url}/notes`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "hello from e2e" }),
        });
        expect(created.status, created.text).toBe(201);
        expect(created.body.body).toBe("hello from e2e");
        // PUBLIC_BASE_URL as Pulumi.staging.yaml sets it.
        expect(created.body.url).toBe(`https://api.staging.example.com/notes/${created.body.id}`);

        const first = await getJson<{ body: string; views: number; source: string }>(`${dev().url}/notes/${created.body.id}`);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ body: "hello from e2e", views: 1, source: "cache" });
        const second = await getJson<{ views: number }>(`${dev().url}/notes/${created.body.id}`);
        expect(second.body.views).toBe(2);

        const missing = await getJson<{ error: string }>(`${dev().url}/notes/00000000-0000-4000-8000-000000000000`);
        expect(missing.status).toBe(404);
        const invalid = await getJson<{ error: string }>(`${dev().url}/notes`, { method: "POST", body: "{}" });
        expect(invalid.status).toBe(400);
    }, REQUEST_MS);

    it("reads a note missing from KV from D1, then caches it", async () => {
        const first = await getJson<{ body: string; views: number; source: string }>(`${dev().url}/notes/${SEEDED_NOTE}`);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ body: "seeded in D1", views: 1, source: "database" });
        // The KV write happens in waitUntil, after the response.
        await expect.poll(async () => (await getJson<{ source: string }>(`${dev().url}/notes/${SEEDED_NOTE}`)).body.source, { timeout: 5000 })
            .toBe("cache");
    }, REQUEST_MS);

    it("stores a file in R2 and serves it through a signed link only", async () => {
        const put = await getJson<{ key: string; size: number; url: string }>(`${dev().url}/files/reports/q1.txt`, {
            method: "PUT", headers: { "content-type": "text/plain" }, body: "quarterly numbers",
        });
        expect(put.status, put.text).toBe(201);
        expect(put.body).toMatchObject({ key: "reports/q1.txt", size: 17 });
        const link = new URL(put.body.url);

        const download = await fetch(`${dev().url}${link.pathname}${link.search}`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(download.status).toBe(200);
        expect(download.headers.get("content-type")).toBe("text/plain");
        expect(await download.text()).toBe("quarterly numbers");

        const unsigned = await fetch(`${dev().url}/files/reports/q1.txt`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(unsigned.status).toBe(403);
        await unsigned.body?.cancel();
        link.searchParams.set("signature", "A".repeat(43));
        const forged = await fetch(`${dev().url}${link.pathname}${link.search}`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(forged.status).toBe(403);
        await forged.body?.cancel();
    }, REQUEST_MS);
});

describe("api Worker with LOG_LEVEL outside its contract", () => {
    const dev = useDev(() => [workspace.services.api!.configPath], ["--var", "LOG_LEVEL:verbose"]);

    it("GET /health answers 503 with only the env check failing, naming LOG_LEVEL but not its value", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, text).toBe(503);
        expect(body.status).toBe("fail");
        expect(body.checks.env).toMatchObject({ status: "fail" });
        expect(body.checks.env!.message).toContain("LOG_LEVEL");
        for (const name of ["CACHE", "DB", "FILES", "COUNTER", "DATABASE"]) {
            expect(body.checks[name], name).toMatchObject({ status: "ok" });
        }
        expect(text).not.toContain("verbose");
        expect(text).not.toContain(signingKey);
    }, REQUEST_MS);

    it("refuses API requests with 500 naming the failing key", async () => {
        const { status, body, text } = await getJson<{ error: string; keys: string[] }>(`${dev().url}/notes`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "x" }),
        });
        expect(status, text).toBe(500);
        expect(body).toMatchObject({ error: "env contract violated", keys: ["LOG_LEVEL"] });
        expect(text).not.toContain("verbose");
    }, REQUEST_MS);
});

describe("api Worker with its database down", () => {
    // Its own server: this one stops accepting connections. (A stopped server or a dead port cannot be
    // used: wrangler 4.86's local Hyperdrive proxy crashes the dev server on a refused TCP connect.)
    let down: PostgresServer;
    beforeAll(async () => {
        down = await startPostgres();
    }, STARTUP_MS);
    afterAll(async () => {
        await down?.stop();
    });
    const dev = useDev(() => [workspace.services.api!.configPath], [], () => down.url);

    it("GET /health answers 200 while the database is up, then 503 naming only the DATABASE check", async () => {
        const up = await getJson<HealthReport>(`${dev().url}/health`);
        expect(up.status, `${up.text}\n${dev().output()}`).toBe(200);

        await down.refuseConnections();
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(503);
        expect(body.status).toBe("fail");
        expect(body.checks.DATABASE).toMatchObject({ status: "fail" });
        expect(body.checks.DATABASE!.message).toMatch(/^select 1 failed: /);
        for (const name of ["env", "CACHE", "DB", "FILES", "COUNTER"]) {
            expect(body.checks[name], name).toMatchObject({ status: "ok" });
        }
        expect(text).not.toContain(down.password);
        expect(text).not.toContain(signingKey);
    }, REQUEST_MS);
});

describe("reports Worker with the api Worker beside it", () => {
    const dev = useDev(() => [workspace.services.reports!.configPath, workspace.services.api!.configPath]);

    it("GET /health checks the API service binding through the api's own health endpoint", async () => {
        const { status, body, text } = await getJson<HealthReport>(`${dev().url}/health`);
        expect(status, `${text}\n${dev().output()}`).toBe(200);
        expect(body).toMatchObject({ status: "ok", service: "reports", version: "1.0.2" });
        expect(Object.keys(body.checks)).toEqual(["env", "API"]);
        expect(body.checks.API).toMatchObject({ status: "ok" });
    }, REQUEST_MS);

    it("GET /report summarizes the api's health", async () => {
        const { status, body, text } = await getJson<Record<string, unknown>>(`${dev().url}/report`);
        expect(status, text).toBe(200);
        expect(body).toMatchObject({
            service: "reports", timeZone: "UTC",
            api: { reachable: true, httpStatus: 200, status: "ok", version: "1.4.0", failingChecks: [], checkCount: 6 },
        });
        expect(body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }, REQUEST_MS);

    it("the scheduled handler logs the same summary", async () => {
        const response = await fetch(`${dev().url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("0 6 * * *")}`, {
            signal: AbortSignal.timeout(REQUEST_MS),
        });
        expect(response.status).toBe(200);
        await response.body?.cancel();
        await expect.poll(() => dev().output(), { timeout: 5000 }).toMatch(/"event":"report\.daily".*"status":"ok"/);
    }, REQUEST_MS);
});
