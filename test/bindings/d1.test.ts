/**
 * The `d1` kind's `migrationsPattern` (components/bindings/d1.ts; wrangler's `migrations_pattern`): nested
 * migration layouts such as Drizzle's `0001_init/migration.sql`. Declaration checks, the files the D1
 * migrations read and their order (components/cloudflare/d1Migrations/d1MigrationFiles.ts), the resource under
 * the mock engine, the wrangler entry and wrangler's dry run, and the importer with its notes.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compareMigrationPaths, readD1MigrationFiles } from "../../components/cloudflare/d1Migrations/d1MigrationFiles";
import { generateWranglerConfig, type WranglerConfig } from "../../components/wrangler/generate";
import { renderWranglerFiles } from "../../components/wrangler/render";
import { PROJECT_ROOT } from "../../infra/program";
import { findResource, planFixtureStacks } from "../helpers/bindingKindTests";
import { declarationIssues, declare, dryRun, importConfig, notesAt } from "../helpers/kindHarness";

const ROOT = path.join(PROJECT_ROOT, "test", "fixtures", "workers", "workerSettings");
const NESTED = { DB: { kind: "d1", migrationsDir: "drizzle", migrationsPattern: "*/migration.sql" } } as const;
const ORDER = ["0001_init/migration.sql", "0002_notes/migration.sql", "9_index/migration.sql", "10_tags/migration.sql"];

describe("declaration", () => {
    it("takes a glob relative to migrationsDir, unset by default", () => {
        expect(declare(NESTED).bindings.DB).toEqual({ kind: "d1", migrationsDir: "drizzle", migrationsPattern: "*/migration.sql" });
        expect(declare({ DB: { kind: "d1" } }).bindings.DB).toEqual({ kind: "d1", migrationsDir: "migrations" });
    });

    it("rejects a pattern outside migrationsDir, with the path", () => {
        const message = "expected a glob relative to migrationsDir, such as */migration.sql";
        expect(declarationIssues({ A: { kind: "d1", migrationsPattern: "/abs/*.sql" }, B: { kind: "d1", migrationsPattern: "../other/*.sql" } })).toEqual([
            { path: "services.svc.bindings.A.migrationsPattern", message },
            { path: "services.svc.bindings.B.migrationsPattern", message },
        ]);
    });
});

describe("migration files", () => {
    it("reads the files the pattern matches below the directory, named by their path there, in wrangler's order", () => {
        const files = readD1MigrationFiles(path.join(ROOT, "drizzle"), "*/migration.sql")!;
        expect(files.map((f) => f.name)).toEqual(ORDER);
        expect(files[0]!.sql).toBe("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n");
        // Without a pattern: the .sql files directly in the directory, as before.
        expect(readD1MigrationFiles(path.join(ROOT, "drizzle"))!.map((f) => f.name)).toEqual(["0003_flat.sql"]);
        expect(readD1MigrationFiles(path.join(ROOT, "drizzle"), "**/*.sql")!.map((f) => f.name)).toEqual([
            "0001_init/migration.sql", "0001_init/snapshot.sql", "0002_notes/migration.sql", "0003_flat.sql", "9_index/migration.sql", "10_tags/migration.sql",
        ]);
    });

    it("orders paths as wrangler's compareMigrationPaths: numbers per segment, numbered first, then as strings", () => {
        const names = ["b.sql", "10_c.sql", "a.sql", "9_b.sql", "1_a/2.sql", "1_a/10.sql", "1_a.sql"];
        // "1_a" sorts before "1_a.sql" on the string tie-break (both number 1), so the directory comes first.
        expect([...names].sort(compareMigrationPaths)).toEqual(["1_a/2.sql", "1_a/10.sql", "1_a.sql", "9_b.sql", "10_c.sql", "a.sql", "b.sql"]);
    });

    it("applies them with the D1Migrations resource, under the mock engine", async () => {
        const { production } = await planFixtureStacks([{ declaration: declare(NESTED, "svc", { main: "src/index.js", moduleRules: [{ type: "Text", extensions: ["md"] }, { type: "Data", extensions: ["png"] }] }), root: ROOT }], {});
        const migrations = findResource(production, "pulumi-nodejs:dynamic/cloudflare:D1Migrations", "svc-db-migrations").inputs.migrations as { name: string }[];
        expect(migrations.map((m) => m.name)).toEqual(ORDER);
    });
});

describe("wrangler.jsonc", () => {
    const config = generateWranglerConfig({
        declaration: declare(NESTED),
        scriptName: "svc-staging",
        serviceDir: "test/fixtures/workers/workerSettings",
        settings: { routes: [], customDomains: [], vars: {}, workersDev: true, crons: [], observability: { enabled: true, headSamplingRate: 1 }, protect: false },
        resources: { DB: { kind: "d1", id: "00000000-0000-4000-8000-000000000000", name: "svc-staging-db" } },
        serviceScripts: {},
    }).config;

    it("writes migrations_pattern under migrations_dir, relative to the project root as wrangler reads it", () => {
        expect(config.d1_databases).toEqual([{
            binding: "DB",
            database_name: "svc-staging-db",
            database_id: "00000000-0000-4000-8000-000000000000",
            migrations_dir: "test/fixtures/workers/workerSettings/drizzle",
            migrations_pattern: "test/fixtures/workers/workerSettings/drizzle/*/migration.sql",
        }]);
    });

    it("rebases migrations_pattern with migrations_dir when the file is written elsewhere", () => {
        const rendered = renderWranglerFiles({ config: config as WranglerConfig, secretNames: [] }, "../..", ["test"])["wrangler.jsonc"];
        const db = (JSON.parse(rendered.replace(/^\/\/.*\n/, "")) as { d1_databases: Record<string, string>[] }).d1_databases[0]!;
        expect([db.migrations_dir, db.migrations_pattern]).toEqual([
            "../../test/fixtures/workers/workerSettings/drizzle", "../../test/fixtures/workers/workerSettings/drizzle/*/migration.sql",
        ]);
    });

    it("passes wrangler deploy --dry-run", async () => {
        const run = await dryRun(config);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        expect(run.stdout).toContain("env.DB (svc-staging-db)");
        // wrangler 4.86 predates migrations_pattern (cloudflare/workers-sdk#14089): a warning, no error; its
        // `d1 migrations apply` reads the flat directory, the platform's D1 migrations the pattern.
        expect(run.stderr).toContain('Unexpected fields found in d1_databases[0] field: "migrations_pattern"');
    }, 60_000);
});

describe("importer", () => {
    it("carries migrations_pattern over without its migrations_dir prefix", () => {
        const result = importConfig({ d1_databases: [{ binding: "DB", migrations_dir: "./drizzle/", migrations_pattern: "./drizzle/*/migration.sql" }] });
        expect(result.declaration.bindings.DB).toEqual({ kind: "d1", migrationsDir: "drizzle/", migrationsPattern: "*/migration.sql" });
        expect(notesAt(result, "d1_databases[0].migrations_pattern")).toEqual([]);
    });

    it("notes a pattern wrangler itself rejects and keeps the flat layout", () => {
        const result = importConfig({
            d1_databases: [
                { binding: "A", migrations_pattern: "migrations/*/migration.sql" },
                { binding: "B", migrations_dir: "db", migrations_pattern: "other/*.sql" },
            ],
        });
        expect(result.declaration.bindings).toEqual({ A: { kind: "d1", migrationsDir: "migrations" }, B: { kind: "d1", migrationsDir: "db" } });
        expect(notesAt(result, "d1_databases").filter((n) => n.includes("migrations_pattern"))).toEqual([
            'unsupported d1_databases[0].migrations_pattern: "migrations/*/migration.sql" without migrations_dir, which wrangler rejects; not imported: the declaration reads the .sql files in "migrations"',
            'unsupported d1_databases[1].migrations_pattern: "other/*.sql" does not start with "db/" (migrations_dir), which wrangler rejects; not imported: the declaration reads the .sql files in "db"',
        ]);
    });
});
