/**
 * D1 migration files, found and ordered exactly as wrangler finds them, so `pulumi up` and
 * `wrangler d1 migrations apply` agree on what is pending.
 *
 * wrangler 4.86 (`src/d1/migrations/helpers.ts` `getMigrationNames`, `src/d1/migrations/apply.ts`): every
 * entry of the directory whose name ends in `.sql` (not recursive, any prefix), sorted as strings, then
 * stably sorted by the number before the first `_` (`parseInt`; a name without a number compares equal to
 * every other, as in wrangler). Source: https://developers.cloudflare.com/d1/reference/migrations/
 *
 * With a `migrationsPattern` (wrangler's `migrations_pattern`, newer than 4.86: cloudflare/workers-sdk#14089,
 * `@cloudflare/workers-utils` `getD1MigrationFiles`): every file below the directory whose path relative to it
 * matches the glob (minimatch, `dot: false`), named by that path, ordered by {@link compareMigrationPaths}.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Minimatch } from "minimatch";

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
 * @param pattern the d1 binding's `migrationsPattern`, a glob relative to `dir` (`*\/migration.sql`).
 *   @default the `.sql` files directly in `dir`
 * @returns the files in the order they are applied, or `undefined` when the directory does not exist.
 * @throws when `dir` exists but is not a directory, or a file cannot be read.
 */
export function readD1MigrationFiles(dir: string, pattern?: string): D1MigrationFile[] | undefined {
    if (!fs.existsSync(dir)) return undefined;
    const names = pattern === undefined
        ? orderD1Migrations(fs.readdirSync(dir, { withFileTypes: true })
            .filter((entry) => entry.name.endsWith(".sql") && !entry.isDirectory())
            .map((entry) => entry.name))
        : matchingFiles(dir, new Minimatch(pattern, { dot: false })).sort(compareMigrationPaths);
    return names.map((name) => {
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

/**
 * Files below `dir` whose `/`-separated path relative to it matches `matcher`, descending only into
 * directories that can prefix a match (minimatch's partial matching), as wrangler's `getD1MigrationFiles` walks.
 */
function matchingFiles(dir: string, matcher: Minimatch, relative = ""): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
        const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
            if (matcher.match(child, true)) out.push(...matchingFiles(dir, matcher, child));
        } else if (entry.isFile() && matcher.match(child)) {
            out.push(child);
        }
    }
    return out;
}

/**
 * Orders migration paths as wrangler does with `migrations_pattern` (`compareMigrationPaths` of
 * `@cloudflare/workers-utils`): segment by segment, by the number before the segment's first `_` when both
 * have one, numbered before unnumbered, else as strings; a path that is a prefix of another comes first.
 */
export function compareMigrationPaths(a: string, b: string): number {
    const as = a.split("/");
    const bs = b.split("/");
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
        const order = compareSegments(as[i]!, bs[i]!);
        if (order !== 0) return order;
    }
    return as.length - bs.length;
}

function compareSegments(a: string, b: string): number {
    const na = parseInt(a.split("_")[0]!, 10);
    const nb = parseInt(b.split("_")[0]!, 10);
    if (na !== nb) {
        if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
        if (Number.isFinite(na)) return -1;
        if (Number.isFinite(nb)) return 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}
