/**
 * End to end: the sample services' generated wrangler.jsonc under real `wrangler dev --local` (workerd
 * with local KV, D1, R2, Durable Objects, Queues, Workflows, static assets and Analytics Engine, and
 * Hyperdrive in front of a real PostgreSQL started for the test). Checks the health endpoint when everything
 * is wired, when the env contract is violated, when the database is down, and across a service binding; and
 * the api's real request paths: notes, files, the activity log its own queue consumer records, the export
 * Workflow, the web UI with its single-page fallback, and the request metrics.
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
import { API_HEALTH_CHECKS, ASYNC_MS, createNote, getText, publicFile, runExport, waitForActivity } from "../helpers/notesApp";

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
        expect(body).toMatchObject({ status: "ok", service: "api", version: "1.5.0" });
        expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
        expect(Object.keys(body.checks)).toEqual(API_HEALTH_CHECKS);
        for (const [name, check] of Object.entries(body.checks)) {
            expect(check, name).toMatchObject({ status: "ok" });
            expect(check.latencyMs, name).toBeGreaterThanOrEqual(0);
        }
        expect(text).not.toContain(signingKey);
    }, REQUEST_MS);

    it("stores a note in D1 + KV and counts its views in the Durable Object", async () => {
        const created = await getJson<{ id: string; body: string; url: string }>(`${dev().url}/api/notes`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "hello from e2e" }),
        });
        expect(created.status, created.text).toBe(201);
        expect(created.body.body).toBe("hello from e2e");
        // PUBLIC_BASE_URL as Pulumi.staging.yaml sets it.
        expect(created.body.url).toBe(`https://api.staging.example.com/api/notes/${created.body.id}`);

        const first = await getJson<{ body: string; views: number; source: string }>(`${dev().url}/api/notes/${created.body.id}`);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ body: "hello from e2e", views: 1, source: "cache" });
        const second = await getJson<{ views: number }>(`${dev().url}/api/notes/${created.body.id}`);
        expect(second.body.views).toBe(2);

        const missing = await getJson<{ error: string }>(`${dev().url}/api/notes/00000000-0000-4000-8000-000000000000`);
        expect(missing.status).toBe(404);
        const invalid = await getJson<{ error: string }>(`${dev().url}/api/notes`, { method: "POST", body: "{}" });
        expect(invalid.status).toBe(400);
    }, REQUEST_MS);

    it("reads a note missing from KV from D1, then caches it", async () => {
        const first = await getJson<{ body: string; views: number; source: string }>(`${dev().url}/api/notes/${SEEDED_NOTE}`);
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ body: "seeded in D1", views: 1, source: "database" });
        // The KV write happens in waitUntil, after the response.
        await expect.poll(async () => (await getJson<{ source: string }>(`${dev().url}/api/notes/${SEEDED_NOTE}`)).body.source, { timeout: 5000 })
            .toBe("cache");
    }, REQUEST_MS);

    it("stores a file in R2 and serves it through a signed link only", async () => {
        const put = await getJson<{ key: string; size: number; url: string }>(`${dev().url}/api/files/reports/q1.txt`, {
            method: "PUT", headers: { "content-type": "text/plain" }, body: "quarterly numbers",
        });
        expect(put.status, put.text).toBe(201);
        expect(put.body).toMatchObject({ key: "reports/q1.txt", size: 17 });
        const link = new URL(put.body.url);

        const download = await fetch(`${dev().url}${link.pathname}${link.search}`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(download.status).toBe(200);
        expect(download.headers.get("content-type")).toBe("text/plain");
        expect(await download.text()).toBe("quarterly numbers");

        const unsigned = await fetch(`${dev().url}/api/files/reports/q1.txt`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(unsigned.status).toBe(403);
        await unsigned.body?.cancel();
        link.searchParams.set("signature", "A".repeat(43));
        const forged = await fetch(`${dev().url}${link.pathname}${link.search}`, { signal: AbortSignal.timeout(REQUEST_MS) });
        expect(forged.status).toBe(403);
        await forged.body?.cancel();
    }, REQUEST_MS);

    it("announces a new note on its queue and records it once, from its own consumer, in the activity log", async () => {
        const note = await createNote(dev().url, "queued for the activity log");
        const activity = await waitForActivity(dev().url, note, () => dev().output());
        expect(activity).toEqual([{ noteId: note.id, type: "note.created", occurredAt: note.createdAt, recordedAt: expect.any(String) }]);
        // The consumer logged the batch it recorded (LOG_LEVEL is debug in staging), as a runtime library line.
        expect(dev().output()).toMatch(/"message":"note_events\.recorded","service":"api",.*"context":\{"queue":"api-staging-note-events"/);
    }, ASYNC_MS + 2 * REQUEST_MS);

    it("runs an export Workflow to completion, whose signed link serves the notes from R2", async () => {
        const note = await createNote(dev().url, "exported by the Workflow");
        const { final, seen } = await runExport(dev().url, () => dev().output());
        expect(final, `statuses: ${seen.join(" → ")}\n${dev().output()}`).toMatchObject({
            status: "complete",
            output: { key: `exports/${final.id}.json`, notes: expect.any(Number), bytes: expect.any(Number) },
        });
        const link = new URL(final.output!.url);
        expect(link.origin).toBe("https://api.staging.example.com");
        const download = await getJson<{ exportedAt: string; notes: { id: string; body: string }[] }>(`${dev().url}${link.pathname}${link.search}`);
        expect(download.status, download.text).toBe(200);
        expect(download.body.notes).toHaveLength(final.output!.notes);
        expect(download.body.notes).toContainEqual(expect.objectContaining({ id: note.id, body: "exported by the Workflow" }));
        expect(new TextEncoder().encode(download.text).byteLength).toBe(final.output!.bytes);

        const unknown = await getJson<{ error: string }>(`${dev().url}/api/exports/no-such-export`);
        expect(unknown.status, unknown.text).toBe(404);
    }, ASYNC_MS + 4 * REQUEST_MS);

    it("serves the web UI from its static assets, falls back to index.html for app paths, and keeps /api/* for the Worker", async () => {
        const index = await getText(dev().url, "/");
        expect(index.status).toBe(200);
        expect(index.contentType).toMatch(/^text\/html/);
        expect(index.body).toBe(publicFile("index.html"));
        const script = await getText(dev().url, "/app.js");
        expect(script.status).toBe(200);
        expect(script.contentType).toMatch(/javascript/);
        expect(script.body).toBe(publicFile("app.js"));
        // A client-side route no file matches: the single-page fallback.
        const deepLink = await getText(dev().url, "/notes/00000000-0000-4000-8000-000000000000");
        expect(deepLink.status).toBe(200);
        expect(deepLink.body).toBe(publicFile("index.html"));
        // An unknown API path is the Worker's JSON 404, never the fallback page.
        const unknownApi = await getText(dev().url, "/api/no-such-route");
        expect(unknownApi.status).toBe(404);
        expect(JSON.parse(unknownApi.body)).toEqual({ error: "not found" });
    }, 4 * REQUEST_MS);

    it("writes a data point per API request to the METRICS dataset, by route template", async () => {
        await getText(dev().url, `/api/notes/${SEEDED_NOTE}`);
        // Local Analytics Engine accepts and drops points; the runtime library logs each request at debug level
        // (test/e2e/telemetry.test.ts observes the points themselves).
        await expect.poll(() => dev().output(), { timeout: 5000 })
            .toMatch(/"message":"request\.completed",.*"context":\{"method":"GET","route":"\/api\/notes\/:id","status":200,"durationMs":\d+\}/);
        expect(dev().output()).not.toContain("metrics.write_failed");
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
        for (const name of API_HEALTH_CHECKS.filter((n) => n !== "env")) {
            expect(body.checks[name], name).toMatchObject({ status: "ok" });
        }
        expect(text).not.toContain("verbose");
        expect(text).not.toContain(signingKey);
    }, REQUEST_MS);

    it("refuses API requests with 500 naming the failing key", async () => {
        const { status, body, text } = await getJson<{ error: string; keys: string[] }>(`${dev().url}/api/notes`, {
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
        for (const name of API_HEALTH_CHECKS.filter((n) => n !== "DATABASE")) {
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
        expect(Object.keys(body.checks)).toEqual(["env", "API", "METRICS", "CF_VERSION_METADATA"]);
        expect(body.checks.API).toMatchObject({ status: "ok" });
    }, REQUEST_MS);

    it("GET /report summarizes the api's health", async () => {
        const { status, body, text } = await getJson<Record<string, unknown>>(`${dev().url}/report`);
        expect(status, text).toBe(200);
        expect(body).toMatchObject({
            service: "reports", timeZone: "UTC",
            api: { reachable: true, httpStatus: 200, status: "ok", version: "1.5.0", failingChecks: [], checkCount: API_HEALTH_CHECKS.length },
        });
        expect(body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }, REQUEST_MS);

    it("the scheduled handler logs the same summary", async () => {
        const response = await fetch(`${dev().url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("0 6 * * *")}`, {
            signal: AbortSignal.timeout(REQUEST_MS),
        });
        expect(response.status).toBe(200);
        await response.body?.cancel();
        await expect.poll(() => dev().output(), { timeout: 5000 }).toMatch(/"message":"report\.daily","service":"reports",.*"status":"ok"/);
    }, REQUEST_MS);
});
