/**
 * D1 migrations during `pulumi up`: the serialized `D1Migrations` provider (as the engine stores and runs
 * it) against a local stand-in of the D1 HTTP API that runs the SQL on workerd's D1, then wrangler itself
 * reading the same local database.
 */
import { createHash, randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderD1Migrations, readD1MigrationFiles, type D1MigrationFile } from "../components/cloudflare/d1Migrations/d1MigrationFiles";
import type { D1MigrationsInputs, D1MigrationsOutputs } from "../components/cloudflare/d1Migrations/d1MigrationsProvider";
import { startCloudflareApiStandIn, type CloudflareApiStandIn } from "./helpers/cloudflareApiStandIn";
import { D1_MIGRATIONS_TYPE, loadSerializedProvider, planDynamicResources, type SerializedResource } from "./helpers/serializedProviders";
import { PROJECT_ROOT, runWrangler } from "./helpers/wrangler";

const TOKEN = `stand-in-${randomBytes(8).toString("hex")}`;
const CANARY = `canary-token-${randomBytes(8).toString("hex")}`;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const DB = "0b7e7c1e-1111-4222-8333-444455556666";
const WRANGLER_DB = "0b7e7c1e-9999-4888-8777-666655554444";
const API_MIGRATIONS = path.join(PROJECT_ROOT, "services", "api", "migrations");

const work = path.join(PROJECT_ROOT, ".platform", `test-d1-${randomBytes(4).toString("hex")}`);
const persistTo = path.join(work, "state");
let planned: SerializedResource;
let provider: pulumi.dynamic.ResourceProvider;
let api: CloudflareApiStandIn;
const savedEnv = { token: process.env.CLOUDFLARE_API_TOKEN, base: process.env.CLOUDFLARE_API_BASE_URL };

function file(name: string, sql: string): D1MigrationFile {
    return { name, sql, sha256: createHash("sha256").update(sql).digest("hex") };
}
const apiFiles = readD1MigrationFiles(API_MIGRATIONS)!;
/** The api's first migration (the `notes` table), which the provider tests below build on with files of their own. */
const notesTable = apiFiles.filter((f) => f.name === "0001_create_notes.sql");
const seed = file("0002_seed_notes.sql", "INSERT INTO notes (id, body) VALUES ('seed-1', 'seeded by migration 0002');\n");
const addColumn = file("0003_note_tags.sql", "ALTER TABLE notes ADD COLUMN tags TEXT NOT NULL DEFAULT '';\nCREATE INDEX notes_tags ON notes (tags);\n");
const broken = file("0004_broken.sql", "CREATE TABLE half_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);\n");
const after = file("0005_after.sql", "CREATE TABLE after_broken (x TEXT);\n");

function inputs(migrations: readonly D1MigrationFile[], databaseId = DB): D1MigrationsInputs {
    return { accountId: ACCOUNT, databaseId, databaseName: "api-test-db", migrationsTable: "d1_migrations", migrations };
}
async function applied(databaseId = DB): Promise<string[]> {
    return (await api.query(databaseId, "SELECT name FROM d1_migrations ORDER BY id")).map((r) => String(r.name));
}
async function tables(databaseId = DB): Promise<string[]> {
    return (await api.query(databaseId, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => String(r.name));
}

beforeAll(async () => {
    await mkdir(work, { recursive: true });
    const [resources, standIn] = await Promise.all([
        planDynamicResources("staging", { CLOUDFLARE_API_TOKEN: CANARY }),
        startCloudflareApiStandIn({ token: TOKEN, d1: { databaseIds: [DB, WRANGLER_DB], persistTo } }),
    ]);
    api = standIn;
    planned = resources.find((r) => r.type === D1_MIGRATIONS_TYPE)!;
    provider = loadSerializedProvider(planned.provider);
    process.env.CLOUDFLARE_API_TOKEN = TOKEN;
    process.env.CLOUDFLARE_API_BASE_URL = api.baseUrl;
}, 60_000);

afterAll(async () => {
    process.env.CLOUDFLARE_API_TOKEN = savedEnv.token;
    process.env.CLOUDFLARE_API_BASE_URL = savedEnv.base;
    if (savedEnv.token === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
    if (savedEnv.base === undefined) delete process.env.CLOUDFLARE_API_BASE_URL;
    await api?.stop();
    await rm(work, { recursive: true, force: true });
});

describe("D1Migrations in the plan", () => {
    it("is registered for the api's DB with every file, its text and hash, and a provider that holds no credential", () => {
        expect(planned.name).toBe("api-db-migrations");
        expect(planned.inputs).toMatchObject({ databaseName: "api-staging-db", migrationsTable: "d1_migrations" });
        expect(planned.inputs.migrations).toEqual(apiFiles);
        expect(planned.provider).toContain("exports.handler");
        expect(planned.provider).not.toContain(CANARY);
        // Nothing of ours is required at run time: the host has no tsx and no access to our sources.
        expect(planned.provider).not.toMatch(/require\(["'][./]/);
    });
});

describe("the serialized provider against the D1 API stand-in", () => {
    it("orders files as wrangler does", () => {
        expect(orderD1Migrations(["10_b.sql", "2_a.sql", "0001_x.sql", "notes.sql", "0001_a.sql"]))
            .toEqual(["0001_a.sql", "0001_x.sql", "2_a.sql", "10_b.sql", "notes.sql"]);
    });

    it("applies every file in order and records each in d1_migrations", async () => {
        const result = await provider.create!(inputs([...notesTable, seed]));
        expect(result.id).toBe(DB);
        expect((result.outs as D1MigrationsOutputs).applied).toEqual(["0001_create_notes.sql", "0002_seed_notes.sql"]);
        const rows = await api.query(DB, "SELECT * FROM d1_migrations ORDER BY id");
        expect(rows.map((r) => [r.id, r.name])).toEqual([[1, "0001_create_notes.sql"], [2, "0002_seed_notes.sql"]]);
        for (const row of rows) expect(String(row.applied_at)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        expect(await api.query(DB, "SELECT id, body FROM notes")).toEqual([{ id: "seed-1", body: "seeded by migration 0002" }]);
    });

    it("skips files already applied and applies only the new one", async () => {
        const before = api.requests.length;
        const result = await provider.update!(DB, {} as D1MigrationsOutputs, inputs([...notesTable, seed, addColumn]));
        expect((result.outs as D1MigrationsOutputs).applied).toEqual(["0001_create_notes.sql", "0002_seed_notes.sql", "0003_note_tags.sql"]);
        const sent = api.requests.slice(before).map((r) => (r.body as { sql: string }).sql);
        // The table check, the list, one file, the list again: the seed row was not inserted twice.
        expect(sent.filter((sql) => sql.includes("INSERT INTO notes"))).toEqual([]);
        expect(sent.filter((sql) => sql.includes("ALTER TABLE notes"))).toHaveLength(1);
        expect(await api.query(DB, "SELECT count(*) AS n FROM notes")).toEqual([{ n: 1 }]);
        // An update with nothing new changes nothing.
        const again = await provider.update!(DB, {} as D1MigrationsOutputs, inputs([...notesTable, seed, addColumn]));
        expect((again.outs as D1MigrationsOutputs).applied).toHaveLength(3);
    });

    it("stops at a broken file, names it with the database error, and records neither it nor what follows", async () => {
        const update = provider.update!(DB, {} as D1MigrationsOutputs, inputs([...notesTable, seed, addColumn, broken, after]));
        await expect(update).rejects.toThrow(/D1 migration 0004_broken\.sql failed on database api-test-db \(0b7e7c1e-1111-4222-8333-444455556666\): no such table: no_such_table: SQLITE_ERROR \[code: 7500\]/);
        await expect(update).rejects.toThrow(/Not attempted: 0005_after\.sql/);
        expect(await applied()).toEqual(["0001_create_notes.sql", "0002_seed_notes.sql", "0003_note_tags.sql"]);
        // The file's first statement was rolled back with it; the next file never ran.
        expect(await tables()).not.toContain("half_done");
        expect(await tables()).not.toContain("after_broken");
    });

    it("fails the preview (check) when an applied file was edited, and diffs new files and databases", async () => {
        const edited = file("0002_seed_notes.sql", "INSERT INTO notes (id, body) VALUES ('seed-2', 'edited');\n");
        const olds = inputs([...notesTable, seed]);
        const check = await provider.check!(olds, inputs([...notesTable, edited]));
        expect(check.failures).toEqual([{ property: "migrations", reason: expect.stringContaining("0002_seed_notes.sql was changed after it was applied to database api-test-db") }]);
        expect((await provider.check!({}, inputs([...notesTable, edited]))).failures).toEqual([]);

        const state = { ...olds, applied: ["0001_create_notes.sql", "0002_seed_notes.sql"] };
        expect(await provider.diff!(DB, state, inputs([...notesTable, seed]))).toMatchObject({ changes: false, replaces: [] });
        expect(await provider.diff!(DB, state, inputs([...notesTable, seed, addColumn]))).toMatchObject({ changes: true, replaces: [] });
        expect(await provider.diff!(DB, state, inputs([...notesTable, seed], WRANGLER_DB))).toMatchObject({ changes: true, replaces: ["databaseId"] });
    });

    it("reads the token at call time and reports a missing or rejected one without printing it", async () => {
        delete process.env.CLOUDFLARE_API_TOKEN;
        try {
            await expect(provider.update!(DB, {} as D1MigrationsOutputs, inputs(notesTable))).rejects.toThrow(/CLOUDFLARE_API_TOKEN is not set/);
            process.env.CLOUDFLARE_API_TOKEN = "wrong-token";
            const rejected = provider.update!(DB, {} as D1MigrationsOutputs, inputs(notesTable));
            await expect(rejected).rejects.toThrow(/Authentication error \[code: 10000\].*D1 Edit/);
            await expect(rejected).rejects.not.toThrow(/wrong-token/);
        } finally {
            process.env.CLOUDFLARE_API_TOKEN = TOKEN;
        }
    });
});

describe("wrangler on the same database", () => {
    it("sees every file the provider applied as applied, and creates the same d1_migrations table", async () => {
        // Leave workerd to wrangler: the stand-in's D1 files stay in persistTo.
        await api.stop();
        const project = path.join(work, "project");
        await mkdir(path.join(project, "migrations"), { recursive: true });
        for (const f of [...notesTable, seed, addColumn]) await writeFile(path.join(project, "migrations", f.name), f.sql);
        const config = path.join(project, "wrangler.jsonc");
        await writeFile(config, JSON.stringify({
            name: "d1-migrations-test", compatibility_date: "2026-04-01",
            d1_databases: [
                { binding: "DB", database_name: "api-test-db", database_id: DB, migrations_dir: "migrations" },
                { binding: "FRESH", database_name: "wrangler-db", database_id: WRANGLER_DB, migrations_dir: "migrations" },
            ],
        }));
        const common = ["--local", "--config", config, "--persist-to", persistTo];
        const [list, apply] = await Promise.all([
            runWrangler(["d1", "migrations", "list", "DB", ...common], { scratchDir: work }),
            runWrangler(["d1", "migrations", "apply", "FRESH", ...common], { scratchDir: work }),
        ]);
        expect(list.code, list.stdout + list.stderr).toBe(0);
        expect(list.stdout).toContain("No migrations to apply");
        expect(apply.code, apply.stdout + apply.stderr).toBe(0);

        api = await startCloudflareApiStandIn({ token: TOKEN, d1: { databaseIds: [DB, WRANGLER_DB], persistTo } });
        process.env.CLOUDFLARE_API_BASE_URL = api.baseUrl;
        const schema = (db: string) => api.query(db, "SELECT sql FROM sqlite_master WHERE name = 'd1_migrations'");
        expect(await schema(DB)).toEqual(await schema(WRANGLER_DB));
        const columns = (db: string) => api.query(db, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('d1_migrations')");
        expect(await columns(DB)).toEqual(await columns(WRANGLER_DB));
        expect((await columns(DB)).map((c) => c.name)).toEqual(["id", "name", "applied_at"]);
        expect(await applied(WRANGLER_DB)).toEqual(await applied(DB));
    }, 60_000);

    it("and the provider resumes where wrangler left off", async () => {
        // wrangler applied 0001-0003 to FRESH; the provider must only add 0005.
        const result = await provider.update!(WRANGLER_DB, {} as D1MigrationsOutputs, inputs([...notesTable, seed, addColumn, after], WRANGLER_DB));
        expect((result.outs as D1MigrationsOutputs).applied).toEqual(["0001_create_notes.sql", "0002_seed_notes.sql", "0003_note_tags.sql", "0005_after.sql"]);
        expect(await api.query(WRANGLER_DB, "SELECT count(*) AS n FROM notes")).toEqual([{ n: 1 }]);
        expect(await tables(WRANGLER_DB)).toContain("after_broken");
    });
});
