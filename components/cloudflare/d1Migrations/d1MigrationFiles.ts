/**
 * D1 migration files, found and ordered exactly as wrangler finds them, so `pulumi up` and
 * `wrangler d1 migrations apply` agree on what is pending.
 *
 * wrangler 4.86 (`src/d1/migrations/helpers.ts` `getMigrationNames`, `src/d1/migrations/apply.ts`): every
 * entry of the directory whose name ends in `.sql` (not recursive, any prefix), sorted as strings, then
 * stably sorted by the number before the first `_` (`parseInt`; a name without a number compares equal to
 * every other, as in wrangler). Source: https://developers.cloudflare.com/d1/reference/migrations/
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The table wrangler records applied migrations in (`migrations_table` in wrangler config). */
export const D1_MIGRATIONS_TABLE = "d1_migrations";

/** One migration file, as the `D1Migrations` resource carries it. */
export interface D1MigrationFile {
    /** File name (`0001_create_notes.sql`); the value recorded in the `name` column of `d1_migrations`. */
    readonly name: string;
    /** The file's text (UTF-8). */
    readonly sql: string;
    /** Lowercase hex SHA-256 of the file's bytes, so any edit shows in a diff. */
    readonly sha256: string;
}

/**
 * Reads the migration files of a directory in wrangler's order.
 *
 * @param dir absolute path of the migrations directory (`<service>/<migrationsDir>`).
 * @returns the files in the order they are applied, or `undefined` when the directory does not exist.
 * @throws when `dir` exists but is not a directory, or a file cannot be read.
 */
export function readD1MigrationFiles(dir: string): D1MigrationFile[] | undefined {
    if (!fs.existsSync(dir)) return undefined;
    const names = fs.readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.name.endsWith(".sql") && !entry.isDirectory())
        .map((entry) => entry.name);
    return orderD1Migrations(names).map((name) => {
        const bytes = fs.readFileSync(path.join(dir, name));
        return { name, sql: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
    });
}

/**
 * Orders migration file names as wrangler applies them: string sort, then a stable sort on the number
 * before the first `_` (`10_b.sql` after `9_a.sql`; two files with the same number keep string order).
 */
export function orderD1Migrations(names: readonly string[]): string[] {
    const number = (name: string) => parseInt(name.split("_")[0]!, 10);
    // wrangler's comparator: -1 / 1 / 0, so NaN (no number) compares equal and keeps its place.
    return [...names].sort().sort((a, b) => {
        const na = number(a);
        const nb = number(b);
        if (na < nb) return -1;
        if (na > nb) return 1;
        return 0;
    });
}
