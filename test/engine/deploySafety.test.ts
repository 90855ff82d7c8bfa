/**
 * D1 migrations and the health gate through their lifecycle under the real Pulumi engine: the
 * serialized providers as the engine's dynamic provider host runs them, against the Cloudflare API
 * stand-in (SQL on workerd's D1) and a Worker in workerd whose health report the test controls.
 * `up` applies the files and passes the gate; a no-op preview; a new file and a new deploy apply only
 * that file and run the gate again; an edited applied file fails the preview; a failing check fails
 * `up` naming it, and the next `up` passes once it is fixed; `destroy` forgets both and keeps the data.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploySafetyArgs } from "../fixtures/engine/deploySafety";
import { assertOk, createEngineProject, diagnostics, stepOps, type EngineProject, type EngineResult } from "../helpers/engine";
import { startCloudflareApiStandIn, type CloudflareApiStandIn } from "../helpers/cloudflareApiStandIn";

const ROOT = path.resolve(__dirname, "..", "..");
const TOKEN = `stand-in-${randomBytes(8).toString("hex")}`;
const DB = "0b7e7c1e-2222-4333-8444-555566667777";
const work = mkdtempSync(path.join(os.tmpdir(), "engine-deploy-safety-"));
const migrationsDir = path.join(work, "migrations");
/** A Worker whose /health report fails the DB check while KV key `broken` holds a message. */
const HEALTH_WORKER = `export default {
    async fetch(request, env) {
        if (new URL(request.url).pathname !== "/health") return new Response("not found", { status: 404 });
        const broken = await env.STATE.get("broken");
        const db = broken === null ? { status: "ok", latencyMs: 1 } : { status: "fail", latencyMs: 1, message: broken };
        const status = broken === null ? "ok" : "fail";
        return Response.json({ status, checks: { env: { status: "ok", latencyMs: 0 }, DB: db } }, { status: status === "ok" ? 200 : 503 });
    },
};`;

let api: CloudflareApiStandIn;
let worker: Miniflare;
let engine: EngineProject;
let healthUrl: string;

/** Runs `command` with the program's arguments for deploy `trigger`. */
function run(command: "up" | "preview" | "destroy", trigger: string, timeoutSeconds = 20): Promise<EngineResult> {
    const args: DeploySafetyArgs = {
        accountId: "0123456789abcdef0123456789abcdef", databaseId: DB, databaseName: "api-production-db", migrationsDir,
        healthUrl, expectedChecks: ["env", "DB"], trigger, timeoutSeconds,
    };
    return engine.run({
        stack: "production", command,
        env: { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: api.baseUrl },
        ...(command === "destroy" ? {} : { program: { module: path.join(ROOT, "test", "fixtures", "engine", "deploySafety.ts"), export: "deploySafety", args } }),
    });
}

/** Operation per resource name. */
function ops(result: EngineResult): Record<string, string> {
    return Object.fromEntries(Object.entries(stepOps(result)).map(([urn, op]) => [urn.split("::").pop(), op]));
}

/** Names recorded in the database's d1_migrations table. */
async function applied(): Promise<string[]> {
    return (await api.query(DB, "SELECT name FROM d1_migrations ORDER BY id")).map((r) => String(r.name));
}

beforeAll(async () => {
    mkdirSync(migrationsDir);
    copyFileSync(path.join(ROOT, "services", "api", "migrations", "0001_create_notes.sql"), path.join(migrationsDir, "0001_create_notes.sql"));
    api = await startCloudflareApiStandIn({ token: TOKEN, d1: { databaseIds: [DB], persistTo: path.join(work, "d1") } });
    worker = new Miniflare({ host: "127.0.0.1", port: 0, modules: true, script: HEALTH_WORKER, compatibilityDate: "2026-04-01", kvNamespaces: ["STATE"] });
    healthUrl = new URL("/health", await worker.ready).href;
    engine = await createEngineProject({ project: "platform" });
}, 90_000);

afterAll(async () => {
    await engine?.remove();
    await worker?.dispose();
    await api?.stop();
    rmSync(work, { recursive: true, force: true });
});

describe("D1 migrations and the health gate under the real engine", () => {
    it("up applies the migration files in order and passes the gate against the Worker in workerd", async () => {
        const up = assertOk(await run("up", "deploy-1"), "up");
        expect(ops(up)).toMatchObject({ "api-db-migrations": "create", "api-health-gate": "create" });
        expect(up.outputs!.applied!.value).toEqual(["0001_create_notes.sql"]);
        expect(up.outputs!.checks!.value).toEqual(["env", "DB"]);
        expect(await applied()).toEqual(["0001_create_notes.sql"]);
    }, 120_000);

    it("a second preview shows no changes", async () => {
        const preview = assertOk(await run("preview", "deploy-1"), "preview");
        expect(Object.keys(preview.summary)).toEqual(["same"]);
    }, 60_000);

    it("a new file and a new deploy: only that file is applied, and the gate runs again", async () => {
        writeFileSync(path.join(migrationsDir, "0002_note_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT NOT NULL DEFAULT '';\n");
        const before = api.requests.length;
        const up = assertOk(await run("up", "deploy-2"), "up");
        expect(ops(up)).toMatchObject({ "api-db-migrations": "update", "api-health-gate": "update" });
        expect(await applied()).toEqual(["0001_create_notes.sql", "0002_note_tags.sql"]);
        const sent = api.requests.slice(before).map((r) => (r.body as { sql?: string } | undefined)?.sql ?? "");
        expect(sent.filter((sql) => sql.includes("CREATE TABLE notes"))).toEqual([]);
        expect(sent.filter((sql) => sql.includes("ALTER TABLE notes"))).toHaveLength(1);
    }, 120_000);

    it("editing an applied file fails the preview, naming the file", async () => {
        const file = path.join(migrationsDir, "0002_note_tags.sql");
        writeFileSync(file, "ALTER TABLE notes ADD COLUMN labels TEXT;\n");
        try {
            const preview = await run("preview", "deploy-2");
            expect(preview.ok).toBe(false);
            expect(diagnostics(preview)).toMatch(/0002_note_tags\.sql was changed after it was applied to database api-production-db/);
        } finally {
            writeFileSync(file, "ALTER TABLE notes ADD COLUMN tags TEXT NOT NULL DEFAULT '';\n");
        }
    }, 60_000);

    it("a failing check fails up naming it; once fixed, the next up passes the gate", async () => {
        await worker.getKVNamespace("STATE").then((kv) => kv.put("broken", "DB: no such table: notes"));
        const failed = await run("up", "deploy-3", 3);
        expect(failed.ok).toBe(false);
        expect(failed.exitCode).not.toBe(0);
        expect(diagnostics(failed)).toMatch(/Health gate failed for service api: GET http:\/\/127\.0\.0\.1:\d+\/health did not answer healthy within 3 s/);
        expect(diagnostics(failed)).toContain("Failing checks: DB\n  - DB: DB: no such table: notes");

        await worker.getKVNamespace("STATE").then((kv) => kv.delete("broken"));
        const fixed = assertOk(await run("up", "deploy-3"), "up after the fix");
        expect(ops(fixed)).toMatchObject({ "api-db-migrations": "same", "api-health-gate": "update" });
    }, 120_000);

    it("destroy removes both from the stack and leaves the database's data and history", async () => {
        const destroy = assertOk(await run("destroy", "deploy-3"), "destroy");
        expect(destroy.summary).toMatchObject({ delete: 3 });
        expect(await engine.exportStack("production")).toEqual([]);
        expect(await applied()).toEqual(["0001_create_notes.sql", "0002_note_tags.sql"]);
    }, 60_000);
});
