/**
 * The dynamic provider behind {@link D1Migrations}: applies pending D1 migration files during
 * `pulumi up` through the D1 HTTP API, each in one request together with its record in wrangler's
 * `d1_migrations` table, in order, stopping at the first failure.
 *
 * Pulumi serializes this object into the stack state (`__provider`) and the dynamic provider host runs
 * it under plain Node.js. So it references nothing but globals (`fetch`, `process.env`, `AbortSignal`)
 * and the helpers in this file, and reads the API token from the environment at call time: no
 * credential is ever captured in the serialized provider or written to state.
 *
 * Vendor facts relied on:
 * - `POST /accounts/{account_id}/d1/database/{database_id}/query` with `{ "sql": "..." }`; "supports
 *   multiple statements, joined by semicolons, which will be executed as a batch"; answers
 *   `{ success, errors: [{ code, message }], result: [{ results, success, meta }] }`, SQL errors as
 *   HTTP 400 with code 7500 (`no such table: x: SQLITE_ERROR`).
 *   https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/query/
 * - D1 batches are transactions: a failing statement rolls the whole batch back.
 *   https://developers.cloudflare.com/d1/worker-api/d1-database/#batch
 * - wrangler 4.86 `d1 migrations apply --remote` posts each file to that endpoint with
 *   `INSERT INTO d1_migrations (name) values ('<file>');` appended, after
 *   `CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
 *   applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`, and lists applied files with
 *   `SELECT * FROM d1_migrations ORDER BY id` (workers-sdk `packages/wrangler/src/d1/migrations/`).
 * - `CLOUDFLARE_API_TOKEN` and `CLOUDFLARE_API_BASE_URL` (default `https://api.cloudflare.com/client/v4`)
 *   are the variables wrangler reads. https://developers.cloudflare.com/workers/wrangler/system-environment-variables/
 */
import type * as pulumi from "@pulumi/pulumi";
import type { D1MigrationFile } from "./d1MigrationFiles";

/** Inputs of the provider (what `D1Migrations` registers, minus `__provider`). */
export interface D1MigrationsInputs {
    /** Cloudflare account id (32 hex characters). */
    readonly accountId: string;
    /** D1 database id (UUID). Changing it replaces the resource: the new database gets every file. */
    readonly databaseId: string;
    /** Database name, for messages. */
    readonly databaseName: string;
    /** Table the applied files are recorded in; wrangler's `migrations_table`. */
    readonly migrationsTable: string;
    /** Every migration file, in the order they are applied. */
    readonly migrations: readonly D1MigrationFile[];
}

/** State of the resource: its inputs plus what the database has recorded. */
export interface D1MigrationsOutputs extends D1MigrationsInputs {
    /** Names recorded in the migrations table after the last update, in the order they were applied. */
    readonly applied: string[];
}

/**
 * Create, update, delete and diff of a `D1Migrations` resource.
 * - `check` fails (in preview too) when a file that an earlier update applied was edited since.
 * - `diff` replaces on a new account or database, updates on any other change.
 * - `create`/`update` apply the pending files; `delete` does nothing (migrations are not reversible; the
 *   table and the data stay with the database).
 */
export const d1MigrationsProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<D1MigrationsInputs>, news: D1MigrationsInputs) {
        return { inputs: news, failures: editedAfterApply(olds, news) };
    },

    async diff(_id: string, olds: D1MigrationsOutputs, news: D1MigrationsInputs) {
        const replaces = (["accountId", "databaseId"] as const).filter((key) => olds[key] !== news[key]);
        const changes = replaces.length > 0
            || olds.migrationsTable !== news.migrationsTable
            || olds.databaseName !== news.databaseName
            || fingerprint(olds.migrations ?? []) !== fingerprint(news.migrations);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: D1MigrationsInputs) {
        return { id: inputs.databaseId, outs: await applyD1Migrations(inputs) };
    },

    async update(_id: string, _olds: D1MigrationsOutputs, news: D1MigrationsInputs) {
        return { outs: await applyD1Migrations(news) };
    },

    async read(id: string, props: D1MigrationsOutputs) {
        // `pulumi refresh`: record what the database says, when a token is there to ask.
        if (!process.env.CLOUDFLARE_API_TOKEN) return { id, props };
        return { id, props: { ...props, applied: await listApplied(props) } };
    },

    async delete() {
        // Nothing to undo: D1 has no down migrations, and the records belong with the data.
    },
};

/**
 * Applies every file not yet recorded, in order, each with its record in one request; stops at the
 * first failure with the file name and the database's error.
 */
async function applyD1Migrations(inputs: D1MigrationsInputs): Promise<D1MigrationsOutputs> {
    const table = checkedTableName(inputs.migrationsTable);
    const where = `database ${inputs.databaseName} (${inputs.databaseId})`;
    // wrangler's statement, byte for byte, so either tool can create the table first.
    await d1Query(inputs, `CREATE TABLE IF NOT EXISTS ${table}(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`, true).catch((error: Error) => {
        throw new Error(`Cannot create the D1 migrations table ${table} in ${where}: ${error.message}`);
    });
    const done = new Set(await listApplied(inputs));
    const appliedNow: string[] = [];
    for (const file of inputs.migrations) {
        if (done.has(file.name)) continue;
        const record = `INSERT INTO ${table} (name) values ('${file.name.replace(/'/g, "''")}');`;
        try {
            await d1Query(inputs, `${file.sql}\n${record}`, false);
        } catch (error) {
            const before = appliedNow.length === 0 ? "" : ` Applied before it in this update: ${appliedNow.join(", ")}.`;
            const rest = inputs.migrations.filter((m) => !done.has(m.name) && m.name !== file.name && !appliedNow.includes(m.name));
            throw new Error(
                `D1 migration ${file.name} failed on ${where}: ${(error as Error).message}\n` +
                `D1 runs a file and its ${table} record as one batch, so neither was kept.${before}` +
                (rest.length === 0 ? "" : ` Not attempted: ${rest.map((m) => m.name).join(", ")}.`) +
                ` Fix ${file.name} in a new commit and run \`pulumi up\` again; recorded files are skipped.`,
            );
        }
        appliedNow.push(file.name);
    }
    return { ...inputs, applied: await listApplied(inputs) };
}

/** Names recorded in the migrations table, in id order (wrangler's `SELECT * ... ORDER BY id`). */
async function listApplied(inputs: D1MigrationsInputs): Promise<string[]> {
    const table = checkedTableName(inputs.migrationsTable);
    const results = await d1Query(inputs, `SELECT * FROM ${table} ORDER BY id`, true);
    const rows = results[results.length - 1]?.results ?? [];
    return rows.map((row) => String((row as { name: unknown }).name));
}

/** One statement result of the query endpoint. */
interface D1QueryResult {
    readonly success?: boolean;
    readonly results?: readonly Record<string, unknown>[];
}

/**
 * Runs SQL through the D1 query endpoint with the token from the environment.
 * @param idempotent retry on HTTP 429 and 5xx (twice, 1 s then 2 s apart); never for migrations.
 * @throws with the API's error messages and codes; never with the token.
 */
async function d1Query(inputs: D1MigrationsInputs, sql: string, idempotent: boolean): Promise<D1QueryResult[]> {
    const token = process.env.CLOUDFLARE_API_TOKEN;
    if (!token) {
        throw new Error("CLOUDFLARE_API_TOKEN is not set. D1 migrations are applied through the Cloudflare API during " +
            "`pulumi up` with the token from the environment (it needs D1 Edit): export CLOUDFLARE_API_TOKEN=<token>");
    }
    const base = (process.env.CLOUDFLARE_API_BASE_URL || "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
    const url = `${base}/accounts/${encodeURIComponent(inputs.accountId)}/d1/database/${encodeURIComponent(inputs.databaseId)}/query`;
    for (let attempt = 1; ; attempt++) {
        let status = 0;
        let text = "";
        try {
            const response = await fetch(url, {
                method: "POST",
                headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
                body: JSON.stringify({ sql }),
                signal: AbortSignal.timeout(120_000),
            });
            status = response.status;
            text = await response.text();
        } catch (error) {
            if (idempotent && attempt < 3) {
                await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
                continue;
            }
            throw new Error(`cannot reach the D1 API at ${url}: ${(error as Error).message}`);
        }
        if (idempotent && attempt < 3 && (status === 429 || status >= 500)) {
            await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
            continue;
        }
        let body: { success?: boolean; errors?: { code?: number; message?: string }[]; result?: D1QueryResult[] };
        try {
            body = JSON.parse(text);
        } catch {
            throw new Error(`the D1 API answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
        if (status < 200 || status >= 300 || body.success !== true) {
            const errors = (body.errors ?? []).map((e) => `${e.message ?? "error"} [code: ${e.code ?? "?"}]`).join("; ");
            // 401/403 (code 10000 "Authentication error"): a missing permission, not a SQL problem.
            const hint = status === 401 || status === 403 ? " (check that CLOUDFLARE_API_TOKEN has D1 Edit on this account)" : "";
            throw new Error(`${errors || `HTTP ${status}`}${hint}`);
        }
        const results = body.result ?? [];
        if (results.some((r) => r.success === false)) {
            throw new Error(`a statement failed without an error message (HTTP ${status})`);
        }
        return results;
    }
}

/** Table names are spliced into SQL: only identifiers. */
function checkedTableName(table: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
        throw new Error(`migrations table name ${JSON.stringify(table)} is not an SQL identifier`);
    }
    return table;
}

/** Files applied by an earlier update (they are in the old inputs) whose content has changed since. */
function editedAfterApply(olds: Partial<D1MigrationsInputs>, news: D1MigrationsInputs): pulumi.dynamic.CheckFailure[] {
    if (olds.databaseId !== news.databaseId) return [];
    const before = new Map((olds.migrations ?? []).map((m) => [m.name, m.sha256]));
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const file of news.migrations ?? []) {
        const old = before.get(file.name);
        if (old !== undefined && old !== file.sha256) {
            failures.push({
                property: "migrations",
                reason: `${file.name} was changed after it was applied to database ${news.databaseName} ` +
                    `(sha256 ${old.slice(0, 12)}… → ${file.sha256.slice(0, 12)}…); applied migrations never run again, ` +
                    "with wrangler or with pulumi. Restore the file and put the change in a new migration file.",
            });
        }
    }
    return failures;
}

/** Names and hashes, in order: what decides whether anything changed. */
function fingerprint(files: readonly D1MigrationFile[]): string {
    return files.map((f) => `${f.name}:${f.sha256}`).join("\n");
}
